/**
 * The `kernel:` subject spec: `kernel:PATH`, optionally followed by options
 * after a `?`, separated by commas: `?sanitize`, `?kmalloc-fail=K` (e.g.
 * `kernel:7.3?sanitize,kmalloc-fail=4`). The VM's modes (immediate,
 * resv-protected) come from each trace's header flags.
 *
 * - PATH is a kernel tree's top directory. A bare version such as `7.3`
 *   that names no directory means the tree scripts/fetch-kernel-trees.sh
 *   extracts, `.cache/kernel/linux-7.3` (under $GPUVM_CHECK_CACHE if set).
 * - `sanitize`: the AddressSanitizer + UndefinedBehaviorSanitizer build; a
 *   sanitizer report ends the command as `subject-crashed`.
 * - `kmalloc-fail=K`: the K-th kmalloc of every ops-mode map / unmap fails,
 *   reaching the list builder's error paths that `allocFailAt` (which fails
 *   op_alloc) does not. Observations then differ from the model on purpose;
 *   it is for reproducing findings of those paths (alloc-leak).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir } from './build.ts';
import { KernelBuildError } from './errors.ts';

export const KERNEL_PREFIX = 'kernel:';

/** A parsed `kernel:` spec. */
export interface KernelSpec {
  /** The tree directory, as resolved (a bare version mapped to the cache). */
  readonly tree: string;
  readonly sanitize: boolean;
  /** `kmalloc-fail=K`; null when absent. */
  readonly kmallocFailAt: number | null;
}

const OPTIONS = ['sanitize', 'kmalloc-fail=K'] as const;

/** Whether a `--subject` spec names the kernel subject. */
export function isKernelSpec(spec: string): boolean {
  return spec.trim().startsWith(KERNEL_PREFIX);
}

/** Where scripts/fetch-kernel-trees.sh puts the tree of `version` (e.g. `7.3`). */
export function fetchedTreeDir(version: string): string {
  return join(defaultCacheDir(), 'kernel', `linux-${version}`);
}

/**
 * Parses `kernel:PATH[?OPTION[,OPTION]]`. Throws `KernelBuildError` for an
 * empty path or an unknown option.
 */
export function parseKernelSpec(spec: string): KernelSpec {
  const body = spec.trim().slice(KERNEL_PREFIX.length);
  const q = body.lastIndexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const opts = q < 0 ? [] : body.slice(q + 1).split(/[,&]/).filter((o) => o !== '');
  if (path === '') throw new KernelBuildError(`subject "${spec}": no kernel tree given (use kernel:PATH, e.g. kernel:/usr/src/linux)`);
  let kmallocFailAt: number | null = null;
  for (const o of opts) {
    const fail = /^kmalloc-fail=(\d+)$/.exec(o);
    if (fail !== null && Number(fail[1]) >= 1 && Number.isSafeInteger(Number(fail[1]))) {
      kmallocFailAt = Number(fail[1]);
    } else if (o !== 'sanitize') {
      throw new KernelBuildError(`subject "${spec}": unknown option "${o}" (known: ${OPTIONS.join(', ')}, K >= 1)`);
    }
  }
  const tree = /^\d+\.\d+$/.test(path) && !existsSync(path) ? fetchedTreeDir(path) : path;
  return { tree, sanitize: opts.includes('sanitize'), kmallocFailAt };
}

/** The program's arguments for a spec. */
export function subjectArgs(spec: KernelSpec): string[] {
  return spec.kmallocFailAt === null ? [] : ['--kmalloc-fail-at', String(spec.kmallocFailAt)];
}
