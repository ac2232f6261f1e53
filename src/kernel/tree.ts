/**
 * Inspection of a user's kernel tree: is it one, which version is it (from
 * its top-level Makefile), and does it have the files the kernel subject
 * compiles in place (drm_gpuvm.c, its header, the userspace copies of the
 * kernel's list / rbtree / interval-tree headers, tools/lib/rbtree.c).
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KernelBuildError } from './errors.ts';

/** A kernel release as the Makefile names it. */
export interface KernelVersion {
  readonly version: number;
  readonly patchlevel: number;
  readonly sublevel: number;
  readonly extraversion: string;
  /** e.g. `7.3.4`, or `6.12.0-rc1` */
  readonly text: string;
}

/** A kernel tree the subject can be built from. */
export interface KernelTree {
  /** Absolute path of the tree's top directory. */
  readonly root: string;
  readonly version: KernelVersion;
  /** Absolute paths of the tree files the build reads. */
  readonly gpuvmC: string;
  readonly gpuvmH: string;
  readonly rbtreeC: string;
  readonly toolsInclude: string;
}

/** The tree files the build needs, relative to the tree's top. */
export const TREE_FILES = {
  gpuvmC: 'drivers/gpu/drm/drm_gpuvm.c',
  gpuvmH: 'include/drm/drm_gpuvm.h',
  rbtreeC: 'tools/lib/rbtree.c',
  toolsInclude: 'tools/include',
} as const;

/** tools/include headers the build relies on (checked so a partial tree fails clearly). */
const TOOLS_HEADERS = ['linux/list.h', 'linux/rbtree_augmented.h', 'linux/interval_tree_generic.h', 'linux/kernel.h'];

const FETCH_HINT = 'a full checkout, or scripts/fetch-kernel-trees.sh for Debian\'s linux-source packages';

/** Reads VERSION, PATCHLEVEL, SUBLEVEL and EXTRAVERSION from a top-level Makefile's text; null if absent. */
export function parseMakefileVersion(text: string): KernelVersion | null {
  const field = (name: string): string | null => {
    const m = new RegExp(`^${name}[ \\t]*=[ \\t]*(.*)$`, 'm').exec(text);
    return m === null ? null : (m[1] ?? '').trim();
  };
  const version = field('VERSION');
  const patchlevel = field('PATCHLEVEL');
  if (version === null || patchlevel === null || !/^\d+$/.test(version) || !/^\d+$/.test(patchlevel)) return null;
  const sub = field('SUBLEVEL') ?? '0';
  const sublevel = /^\d+$/.test(sub) ? Number(sub) : 0;
  const extraversion = field('EXTRAVERSION') ?? '';
  return {
    version: Number(version),
    patchlevel: Number(patchlevel),
    sublevel,
    extraversion,
    text: `${version}.${patchlevel}.${sublevel}${extraversion}`,
  };
}

/**
 * Checks that `path` is a kernel tree with drm_gpuvm and the userspace
 * headers, and reads its version. Throws `KernelBuildError` (one line) when
 * it is not a directory, has no top-level Makefile with a version, or lacks
 * a file the build needs (naming it).
 */
export function inspectTree(path: string): KernelTree {
  const root = resolve(path);
  if (!existsSync(root)) throw new KernelBuildError(`kernel tree ${path}: no such directory`);
  if (!statSync(root).isDirectory()) throw new KernelBuildError(`kernel tree ${path}: not a directory`);
  const makefile = join(root, 'Makefile');
  const version = existsSync(makefile) && statSync(makefile).isFile() ? parseMakefileVersion(readFileSync(makefile, 'utf8')) : null;
  if (version === null) {
    throw new KernelBuildError(`${path} is not a kernel tree (no top-level Makefile with VERSION and PATCHLEVEL)`);
  }
  const at = (rel: string): string => join(root, rel);
  const label = `kernel tree ${path} (Linux ${version.text})`;
  if (!existsSync(at(TREE_FILES.gpuvmC))) {
    throw new KernelBuildError(
      `${label} has no ${TREE_FILES.gpuvmC} (drm_gpuvm with vm_bos is in Linux 6.8 and newer)`,
    );
  }
  for (const rel of [TREE_FILES.gpuvmH, TREE_FILES.rbtreeC, ...TOOLS_HEADERS.map((h) => `${TREE_FILES.toolsInclude}/${h}`)]) {
    if (!existsSync(at(rel))) throw new KernelBuildError(`${label} lacks ${rel} (the build needs it; use ${FETCH_HINT})`);
  }
  if (/["\\\n]/.test(root)) {
    throw new KernelBuildError(`kernel tree ${path}: the path contains a quote, backslash or newline, which the build cannot pass to the compiler`);
  }
  return {
    root,
    version,
    gpuvmC: at(TREE_FILES.gpuvmC),
    gpuvmH: at(TREE_FILES.gpuvmH),
    rbtreeC: at(TREE_FILES.rbtreeC),
    toolsInclude: at(TREE_FILES.toolsInclude),
  };
}
