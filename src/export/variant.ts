/**
 * The drm_gpuvm API variant an exported test is written for. `--tree`
 * selects it: a kernel tree's directory is probed (src/kernel's compile
 * probes of its include/drm/drm_gpuvm.h, and its include/kunit/test.h for
 * KUnit's warning suppression); a version it names without such a directory
 * is one of the variants we know; without `--tree`, the newest.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findCompiler } from '../kernel/compiler.ts';
import { KernelBuildError } from '../kernel/errors.ts';
import { probeApi, type ApiProbes } from '../kernel/probes.ts';
import { inspectTree, type KernelTree } from '../kernel/tree.ts';
import { ExportError } from './errors.ts';

/** What the exported C depends on. */
export interface KunitVariant {
  /** How it was chosen: `Linux 7.3.4 (PATH)` for a probed tree, else the variant's name. */
  readonly name: string;
  /** drm_gpuvm_sm_map() / _ops_create() take a struct drm_gpuvm_map_req (6.17+). */
  readonly mapReq: boolean;
  /** drm_gpuvm_bo_obtain_locked() (7.0+), else drm_gpuvm_bo_obtain(). */
  readonly obtainLocked: boolean;
  /** drm_gpuva_find_prev() and drm_gpuva_find_next() exist (gone in 7.x). */
  readonly findPrev: boolean;
  /** drm_gpuva_op_remap_to_unmap_range() exists: the test checks each REMAP's hole with it. */
  readonly remapHole: boolean;
  /** KUnit's kunit_start_suppress_warning(): the test expects no WARN from a command (and counts the expected one). */
  readonly warnSuppress: boolean;
  /** kzalloc_obj() (7.x), which that tree's checkpatch prefers to kzalloc(sizeof(...)). */
  readonly kzallocObj: boolean;
  /** The DRIVER_GEM_GPUVA feature (before 6.18): only a device with it gets its GEMs' gpuva lists set up. */
  readonly gemGpuvaFeature: boolean;
  /** DRM_GPUVM_IMMEDIATE_MODE and the GEM's gpuva.lock (6.18+). */
  readonly immediateMode: boolean;
  /** drm_gpuva_unlink_defer(), drm_gpuvm_bo_put_deferred() and the deferred cleanup (6.19+). */
  readonly unlinkDefer: boolean;
  /** drm_gpuvm_madvise_ops_create() (6.18+). */
  readonly madvise: boolean;
}

/** The variants `--tree` may name without a tree: the two trees gpuvm-check is tested on. */
export const NAMED_VARIANTS: Readonly<Record<string, KunitVariant>> = {
  '6.12': { name: '6.12', mapReq: false, obtainLocked: false, findPrev: true, remapHole: true, warnSuppress: false, kzallocObj: false, gemGpuvaFeature: true, immediateMode: false, unlinkDefer: false, madvise: false },
  '7.3': { name: '7.3', mapReq: true, obtainLocked: true, findPrev: false, remapHole: true, warnSuppress: true, kzallocObj: true, gemGpuvaFeature: false, immediateMode: true, unlinkDefer: true, madvise: true },
};

/** The variant used without `--tree`. */
export const NEWEST_VARIANT = '7.3';

/** A resolved `--tree`: the variant, and the tree when it named one. */
export interface ResolvedTree {
  readonly variant: KunitVariant;
  readonly tree: KernelTree | null;
  /** The probes of the tree, when `--tree` named one. */
  readonly probes: ApiProbes | null;
}

/** Whether the tree's header `rel` has `text` (false when the tree lacks the header). */
function treeHeaderHas(tree: KernelTree, rel: string, text: string): boolean {
  const header = join(tree.root, rel);
  return existsSync(header) && readFileSync(header, 'utf8').includes(text);
}

/**
 * Resolves `--tree`. A directory is inspected and probed (throws
 * `ExportError` with the one-line reason when it is not a kernel tree with
 * drm_gpuvm, or its API is a variant we do not know); a known variant name is
 * used as is; anything else is an unknown variant (ExportError).
 */
export async function resolveTree(spec: string | undefined): Promise<ResolvedTree> {
  if (spec === undefined) return { variant: NAMED_VARIANTS[NEWEST_VARIANT] as KunitVariant, tree: null, probes: null };
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    try {
      const tree = inspectTree(spec);
      const probes = await probeApi(findCompiler(), tree);
      return {
        tree,
        probes,
        variant: {
          name: `Linux ${tree.version.text} (${spec})`,
          mapReq: probes.mapReq,
          obtainLocked: probes.obtainLocked,
          findPrev: probes.findPrev,
          remapHole: probes.remapHole,
          warnSuppress: treeHeaderHas(tree, 'include/kunit/test.h', 'kunit_start_suppress_warning('),
          kzallocObj: treeHeaderHas(tree, 'include/linux/slab.h', 'define kzalloc_obj('),
          gemGpuvaFeature: treeHeaderHas(tree, 'include/drm/drm_drv.h', 'DRIVER_GEM_GPUVA'),
          immediateMode: probes.immediateMode,
          unlinkDefer: probes.unlinkDefer,
          madvise: probes.madvise,
        },
      };
    } catch (e) {
      if (e instanceof KernelBuildError) throw new ExportError(`--tree ${spec}: ${e.message}`);
      throw e;
    }
  }
  const named = NAMED_VARIANTS[spec];
  if (named !== undefined) return { variant: named, tree: null, probes: null };
  throw new ExportError(
    `--tree ${spec}: unknown API variant (known: ${Object.keys(NAMED_VARIANTS).join(', ')}; or give the directory of a kernel tree)`,
  );
}
