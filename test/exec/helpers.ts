/**
 * Helpers of the exec tests: the fixture subject programs, the served
 * production manager, and finding processes by a token in their command line.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatExecSpec } from '../../src/exec/spec.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/gpuvm-check.mjs');
export const TINY = join(REPO, 'test/fixtures/exec/tiny-subject.mjs');
export const LIMITED = join(REPO, 'test/fixtures/exec/limited-subject.ts');

/** `node tiny-subject.mjs MODE K TOKEN` as an argument vector. */
export function tinyArgv(mode = 'ok', k = 0, token = newToken()): string[] {
  return [process.execPath, TINY, mode, String(k), token];
}

/** `gpuvm-check serve --subject S` as an argument vector (a token goes into node's `--title`, to find the process). */
export function serveArgv(subject = 'builtin:gpuvm', token?: string): string[] {
  return [process.execPath, ...(token === undefined ? [] : [`--title=${token}`]), BIN, 'serve', '--subject', subject];
}

/** The `exec:` spec of an argument vector. */
export const spec = (argv: readonly string[]): string => formatExecSpec(argv);

/** A word no other process has in its command line. */
export function newToken(): string {
  return `token-${randomBytes(6).toString('hex')}`;
}

/** Pids of the running processes with a word of their command line containing `token` (not zombies). */
export function processesWith(token: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.split('\0').some((word) => word.includes(token))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Waits until no process has `token` (up to `ms`), and returns what is left. */
export async function leftover(token: string, ms = 3000): Promise<number[]> {
  const t0 = Date.now();
  let left = processesWith(token);
  while (left.length > 0 && Date.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 50));
    left = processesWith(token);
  }
  return left;
}
