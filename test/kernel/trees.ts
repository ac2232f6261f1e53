/**
 * The kernel trees the kernel tests run against, and what a test does when
 * one is absent: it is skipped, and its title says which tree is missing and
 * how to fetch it. In CI the trees are fetched (.ci/run), so nothing skips.
 */

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fetchedTreeDir } from '../../src/kernel/spec.ts';

/** The versions CI tests. */
export const VERSIONS = ['6.12', '7.3'] as const;
export type TestedVersion = (typeof VERSIONS)[number];

/** The tree of `version` extracted by scripts/fetch-kernel-trees.sh, or null if absent. */
export function treeOf(version: string): string | null {
  const dir = fetchedTreeDir(version);
  return existsSync(join(dir, 'drivers/gpu/drm/drm_gpuvm.c')) ? dir : null;
}

function hasCompiler(): boolean {
  const cc = process.env['CC'] ?? 'cc';
  const r = spawnSync(cc, ['--version']);
  return r.error === undefined && r.status === 0;
}

/** Why the tests of `version` cannot run here, or null when they can. */
export function skipReason(version: string): string | null {
  if (!hasCompiler()) return 'no C compiler (install gcc or set CC)';
  if (treeOf(version) === null) {
    return `no kernel tree at ${fetchedTreeDir(version)} (fetch it with scripts/fetch-kernel-trees.sh ${version})`;
  }
  return null;
}

/** A describe title that carries the skip reason when there is one. */
export function titled(version: string, title: string): string {
  const reason = skipReason(version);
  return reason === null ? `${title} (Linux ${version})` : `${title} (Linux ${version}) -- SKIPPED: ${reason}`;
}

/** The files of a tree the kernel subject's build reads. */
const BUILD_FILES = ['Makefile', 'drivers/gpu/drm/drm_gpuvm.c', 'include/drm/drm_gpuvm.h', 'tools/include', 'tools/lib/rbtree.c'];

/**
 * A scratch copy of the build's files of `version`'s tree in a temporary
 * directory, for tests that edit drm_gpuvm.c or its header. Never inside the
 * repository. `edit` rewrites a file of the copy.
 */
export class TreeCopy {
  readonly root: string;

  constructor(version: string) {
    const from = treeOf(version);
    if (from === null) throw new Error(`no tree for ${version}`);
    this.root = join(mkdtempSync(join(tmpdir(), 'gpuvm-check-tree-')), `linux-${version}`);
    for (const rel of BUILD_FILES) {
      mkdirSync(dirname(join(this.root, rel)), { recursive: true });
      cpSync(join(from, rel), join(this.root, rel), { recursive: true });
    }
  }

  read(rel: string): string {
    return readFileSync(join(this.root, rel), 'utf8');
  }

  /**
   * Replaces `find` (which must occur exactly `count` times, default 1) by
   * `replace` in the copy's file `rel`; throws when it does not, so an edit
   * that no longer applies to a new tree is caught.
   */
  edit(rel: string, find: string | RegExp, replace: string, count = 1): void {
    const text = this.read(rel);
    const hits = typeof find === 'string' ? text.split(find).length - 1 : [...text.matchAll(new RegExp(find.source, find.flags.includes('g') ? find.flags : `${find.flags}g`))].length;
    if (hits !== count) throw new Error(`${rel}: expected ${count} occurrence(s) of ${String(find)}, found ${hits}`);
    writeFileSync(join(this.root, rel), typeof find === 'string' ? text.split(find).join(replace) : text.replace(new RegExp(find.source, find.flags.includes('g') ? find.flags : `${find.flags}g`), replace));
  }

  remove(): void {
    rmSync(dirname(this.root), { recursive: true, force: true });
  }
}

/** A private build cache for tests that build edited trees (so they never touch the shared cache). */
export function scratchCache(): string {
  return mkdtempSync(join(tmpdir(), 'gpuvm-check-kbuild-'));
}
