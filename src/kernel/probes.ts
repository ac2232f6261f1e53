/**
 * API probes: which drm_gpuvm variant a tree has, found by compiling tiny
 * snippets against its drm_gpuvm.h (through gpuvm-check's compat headers),
 * never by version number. Each finding becomes a `-D` flag of the build
 * (kernel/driver/api.h documents them).
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../module-loader.ts';
import { firstCompilerError, runCompiler, type Compiler } from './compiler.ts';
import { KernelBuildError } from './errors.ts';
import type { KernelTree } from './tree.ts';

/** gpuvm-check's C sources: the compat headers and the driver. */
export const KERNEL_DIR = join(PACKAGE_ROOT, 'kernel');
export const COMPAT_INCLUDE = join(KERNEL_DIR, 'compat', 'include');

/** What the probes found. */
export interface ApiProbes {
  /** drm_gem_gpuva_assert_lock_held() takes (obj) before 6.18, (gpuvm, obj) since. */
  readonly assertLockArgs: 1 | 2;
  /** drm_gpuvm_sm_map() / _ops_create() take a struct drm_gpuvm_map_req (6.17+). */
  readonly mapReq: boolean;
  /** drm_gpuvm_bo_obtain_locked() (7.0+) rather than drm_gpuvm_bo_obtain(). */
  readonly obtainLocked: boolean;
  /** drm_gpuva_find_prev() and drm_gpuva_find_next() are declared (gone in 7.x). */
  readonly findPrev: boolean;
  /** DRM_GPUVM_IMMEDIATE_MODE exists (6.18+). */
  readonly immediateMode: boolean;
  /** drm_gpuva_unlink_defer() and the deferred vm_bo cleanup (6.19+). */
  readonly unlinkDefer: boolean;
  /** drm_gpuva_op_remap_to_unmap_range() exists. */
  readonly remapHole: boolean;
  /** drm_gpuvm_madvise_ops_create() (6.18+). */
  readonly madvise: boolean;
}

/** The compiler flags every compile of the tree or of our sources shares. */
export function commonFlags(tree: KernelTree, assertLockArgs: 1 | 2): string[] {
  return [
    '-std=gnu11',
    `-I${COMPAT_INCLUDE}`,
    `-I${tree.toolsInclude}`,
    `-DGPUVM_TREE_HEADER="${tree.gpuvmH}"`,
    `-DGPUVM_COMPAT_ASSERT_ARGS=${assertLockArgs}`,
  ];
}

/** The `-D` flags for what the probes found. */
export function probeDefines(p: ApiProbes): string[] {
  const out: string[] = [];
  if (p.mapReq) out.push('-DGPUVM_HAVE_MAP_REQ');
  if (p.obtainLocked) out.push('-DGPUVM_HAVE_OBTAIN_LOCKED');
  if (p.findPrev) out.push('-DGPUVM_HAVE_FIND_PREV');
  if (p.immediateMode) out.push('-DGPUVM_HAVE_IMMEDIATE_MODE');
  if (p.unlinkDefer) out.push('-DGPUVM_HAVE_UNLINK_DEFER');
  if (p.remapHole) out.push('-DGPUVM_HAVE_REMAP_HOLE');
  if (p.madvise) out.push('-DGPUVM_HAVE_MADVISE');
  return out;
}

/** One line per finding, for `kernel build`'s report. */
export function describeProbes(p: ApiProbes): string[] {
  return [
    `drm_gem_gpuva_assert_lock_held(${p.assertLockArgs === 2 ? 'gpuvm, obj' : 'obj'})`,
    p.mapReq ? 'struct drm_gpuvm_map_req' : 'sm_map(addr, range, obj, offset)',
    p.obtainLocked ? 'drm_gpuvm_bo_obtain_locked' : 'drm_gpuvm_bo_obtain',
    p.findPrev ? 'drm_gpuva_find_prev/next' : 'no drm_gpuva_find_prev/next',
    p.immediateMode ? 'DRM_GPUVM_IMMEDIATE_MODE (GEM gpuva.lock)' : 'no immediate mode (GEM dma-resv lock)',
    p.unlinkDefer ? 'deferred vm_bo cleanup' : 'no deferred vm_bo cleanup',
    p.remapHole ? 'drm_gpuva_op_remap_to_unmap_range' : 'no drm_gpuva_op_remap_to_unmap_range (the driver computes the hole)',
    p.madvise ? 'drm_gpuvm_madvise_ops_create' : 'no madvise',
  ];
}

const STRICT = [
  '-fsyntax-only',
  '-Werror=implicit-function-declaration',
  '-Werror=incompatible-pointer-types',
  '-Werror=int-conversion',
  '-Werror=int-to-pointer-cast',
  '-x',
  'c',
  '-',
];

const PROLOGUE = '#include <drm/drm_gpuvm.h>\n';

/** Whether `body` compiles after the tree's drm_gpuvm.h; with the compiler's output. */
async function compiles(
  compiler: Compiler,
  tree: KernelTree,
  args: 1 | 2,
  body: string,
): Promise<{ ok: boolean; stderr: string }> {
  return runCompiler(compiler, [...commonFlags(tree, args), ...STRICT], `${PROLOGUE}${body}\n`);
}

/** Functions the driver calls on every tree; a missing one is an API variant we do not know. */
const REQUIRED = [
  'drm_gpuvm_init',
  'drm_gpuvm_put',
  'drm_gpuvm_resv_object_alloc',
  'drm_gpuvm_range_valid',
  'drm_gpuvm_interval_empty',
  'drm_gpuva_insert',
  'drm_gpuva_remove',
  'drm_gpuva_link',
  'drm_gpuva_unlink',
  'drm_gpuva_find',
  'drm_gpuva_find_first',
  'drm_gpuva_map',
  'drm_gpuva_remap',
  'drm_gpuva_unmap',
  'drm_gpuvm_sm_unmap',
  'drm_gpuvm_sm_unmap_ops_create',
  'drm_gpuvm_prefetch_ops_create',
  'drm_gpuvm_bo_unmap_ops_create',
  'drm_gpuva_ops_free',
  'drm_gpuvm_bo_create',
  'drm_gpuvm_bo_obtain_prealloc',
  'drm_gpuvm_bo_find',
  'drm_gpuvm_bo_put',
  'drm_gpuvm_bo_extobj_add',
  'drm_gpuvm_bo_evict',
  'drm_gpuvm_bo_gem_evict',
  'drm_gpuvm_exec_lock',
  'drm_gpuvm_validate',
];

const UNDECLARED = /['‘`]([A-Za-z_][A-Za-z0-9_]*)['’`] undeclared|implicit declaration of function ['‘`]([A-Za-z_][A-Za-z0-9_]*)['’`]|unknown type name ['‘`]([A-Za-z_][A-Za-z0-9_]*)['’`]/;

function unknownVariant(symbol: string, detail: string): KernelBuildError {
  return new KernelBuildError(`unknown drm_gpuvm API variant: ${symbol} ${detail} (supported: the drm_gpuvm of Linux 6.8 to 7.3)`);
}

/**
 * Probes the tree's drm_gpuvm API. Throws `KernelBuildError` when the header
 * does not compile against the compat headers at all (with the first
 * compiler error), or a symbol the driver needs has a form we do not know
 * (naming it).
 */
export async function probeApi(compiler: Compiler, tree: KernelTree): Promise<ApiProbes> {
  const assertLockArgs = await probeAssertArgs(compiler, tree);
  const probe = (body: string): Promise<boolean> => compiles(compiler, tree, assertLockArgs, body).then((r) => r.ok);

  const required = await compiles(
    compiler,
    tree,
    assertLockArgs,
    `void *gpuvm_probe_required[] = { ${REQUIRED.map((f) => `(void *)&${f}`).join(', ')} };\n` +
      'int gpuvm_probe_flags = DRM_GPUVM_RESV_PROTECTED;\n' +
      'int gpuvm_probe_bo(struct drm_gpuvm_bo *b) { return (int)drm_gpuvm_bo_put(b) + (int)kref_read(&b->kref); }',
  );
  if (!required.ok) {
    const m = UNDECLARED.exec(required.stderr);
    const symbol = m === null ? null : (m[1] ?? m[2] ?? m[3] ?? null);
    if (symbol !== null) throw unknownVariant(symbol, `is not declared by ${'include/drm/drm_gpuvm.h'}`);
    throw unknownVariant('struct drm_gpuvm_bo / drm_gpuvm_bo_put()', `do not compile: ${firstCompilerError(required.stderr, tree.root)}`);
  }

  const [mapReq, oldMap, obtainLocked, obtainOld, findPrev, immediateMode, unlinkDefer, remapHole, madvise] = await Promise.all([
    probe(
      'struct drm_gpuva_ops *p(struct drm_gpuvm *vm, void *priv) {\n' +
        '  struct drm_gpuvm_map_req r = { 0 };\n' +
        '  (void)drm_gpuvm_sm_map(vm, priv, &r);\n' +
        '  return drm_gpuvm_sm_map_ops_create(vm, &r);\n}',
    ),
    probe(
      'struct drm_gpuva_ops *p(struct drm_gpuvm *vm, void *priv, struct drm_gem_object *o) {\n' +
        '  (void)drm_gpuvm_sm_map(vm, priv, 0, 1, o, 0);\n' +
        '  return drm_gpuvm_sm_map_ops_create(vm, 0, 1, o, 0);\n}',
    ),
    probe('struct drm_gpuvm_bo *p(struct drm_gpuvm *vm, struct drm_gem_object *o) { return drm_gpuvm_bo_obtain_locked(vm, o); }'),
    probe('struct drm_gpuvm_bo *p(struct drm_gpuvm *vm, struct drm_gem_object *o) { return drm_gpuvm_bo_obtain(vm, o); }'),
    probe(
      'struct drm_gpuva *p(struct drm_gpuvm *vm) { return drm_gpuva_find_prev(vm, 1) ? drm_gpuva_find_prev(vm, 1) : drm_gpuva_find_next(vm, 1); }',
    ),
    probe('int p(void) { return DRM_GPUVM_IMMEDIATE_MODE; }'),
    probe(
      'void p(struct drm_gpuva *va, struct drm_gpuvm_bo *b, struct drm_gpuvm *vm) {\n' +
        '  drm_gpuva_unlink_defer(va); (void)drm_gpuvm_bo_put_deferred(b); drm_gpuvm_bo_deferred_cleanup(vm);\n}',
    ),
    probe('void p(const struct drm_gpuva_op_remap *op, u64 *s, u64 *r) { drm_gpuva_op_remap_to_unmap_range(op, s, r); }'),
    probe(
      'struct drm_gpuva_ops *p(struct drm_gpuvm *vm) { struct drm_gpuvm_map_req r = { 0 }; return drm_gpuvm_madvise_ops_create(vm, &r); }',
    ),
  ]);
  if (!mapReq && !oldMap) {
    throw unknownVariant('drm_gpuvm_sm_map_ops_create()', 'takes neither a struct drm_gpuvm_map_req nor (addr, range, obj, offset)');
  }
  if (!obtainLocked && !obtainOld) {
    throw unknownVariant('drm_gpuvm_bo_obtain_locked()', 'is not declared, and neither is drm_gpuvm_bo_obtain()');
  }
  return { assertLockArgs, mapReq, obtainLocked, findPrev, immediateMode, unlinkDefer, remapHole, madvise };
}

/**
 * Which form of drm_gem_gpuva_assert_lock_held() the tree uses: the header's
 * own inline drm_gpuvm_bo_gem_evict() calls it, so the header compiles with
 * exactly one of our two definitions; when it compiles with both, the tree's
 * drm_gpuvm.c decides.
 */
async function probeAssertArgs(compiler: Compiler, tree: KernelTree): Promise<1 | 2> {
  const [two, one] = await Promise.all([compiles(compiler, tree, 2, ''), compiles(compiler, tree, 1, '')]);
  if (two.ok && !one.ok) return 2;
  if (one.ok && !two.ok) return 1;
  if (!one.ok && !two.ok) {
    throw new KernelBuildError(
      `the tree's include/drm/drm_gpuvm.h does not compile against gpuvm-check's compat headers: ${firstCompilerError(two.stderr, tree.root)}`,
    );
  }
  const source = readFileSync(tree.gpuvmC, 'utf8');
  const [cTwo, cOne] = await Promise.all(
    ([2, 1] as const).map((n) => runCompiler(compiler, [...commonFlags(tree, n), '-fsyntax-only', '-x', 'c', '-'], source)),
  );
  if (cTwo?.ok === true) return 2;
  if (cOne?.ok === true) return 1;
  throw unknownVariant('drm_gem_gpuva_assert_lock_held()', 'is used with neither (obj) nor (gpuvm, obj)');
}
