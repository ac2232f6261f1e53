/**
 * The kernel trees the kernel tests run against, and what a test does when
 * one is absent: it is skipped, and its title says which tree is missing and
 * how to fetch it. In CI the trees are fetched (.ci/run), so nothing skips.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { fetchedTreeDir } from '../../src/kernel/spec.ts';
import { TreeCopy as KernelTreeCopy } from '../../src/kernel/tree-copy.ts';

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

/**
 * Why the tests of `version` cannot run here, or null when they can. With
 * GPUVM_CHECK_REQUIRE_KERNEL=1 (CI) a missing tree or compiler is an error
 * instead: there the kernel tests never skip.
 */
export function skipReason(version: string): string | null {
  let reason: string | null = null;
  if (!hasCompiler()) reason = 'no C compiler (install gcc or set CC)';
  else if (treeOf(version) === null) {
    reason = `no kernel tree at ${fetchedTreeDir(version)} (fetch it with scripts/fetch-kernel-trees.sh ${version})`;
  }
  if (reason !== null && process.env['GPUVM_CHECK_REQUIRE_KERNEL'] === '1') {
    throw new Error(`GPUVM_CHECK_REQUIRE_KERNEL=1 but the kernel tests cannot run: ${reason}`);
  }
  return reason;
}

/** A describe title that carries the skip reason when there is one. */
export function titled(version: string, title: string): string {
  const reason = skipReason(version);
  return reason === null ? `${title} (Linux ${version})` : `${title} (Linux ${version}) -- SKIPPED: ${reason}`;
}

/**
 * A scratch copy of `version`'s tree (src/kernel/tree-copy.ts) with `edit`:
 * replaces `find` (which must occur exactly `count` times, default 1) by
 * `replace` in a file of the copy, and throws when it does not, so an edit
 * that no longer applies to a new tree is caught.
 */
export class TreeCopy extends KernelTreeCopy {
  constructor(version: string) {
    const from = treeOf(version);
    if (from === null) throw new Error(`no tree for ${version}`);
    super(from);
  }

  edit(rel: string, find: string | RegExp, replace: string, count = 1): void {
    const text = this.read(rel);
    const re = typeof find === 'string' ? null : new RegExp(find.source, find.flags.includes('g') ? find.flags : `${find.flags}g`);
    const hits = re === null ? text.split(find as string).length - 1 : [...text.matchAll(re)].length;
    if (hits !== count) throw new Error(`${rel}: expected ${count} occurrence(s) of ${String(find)}, found ${hits}`);
    this.write(rel, re === null ? text.split(find as string).join(replace) : text.replace(re, replace));
  }
}

/**
 * A private build cache for tests that build edited trees (so they never
 * touch the shared cache), removed when the calling test ends. Call it from
 * within a test.
 */
export function scratchCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpuvm-check-kbuild-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
