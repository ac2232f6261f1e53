/**
 * Test helper: run the real `gpuvm-check` command line in a child process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/gpuvm-check.mjs');
/** Faults of the zoo (bench/faults/) that the end-to-end tests campaign against. */
export const KEEP_FAULT = 'bench/faults/keep-ignores-offset.ts';
export const HOLE_FAULT = 'bench/faults/remap-hole-full-range.ts';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `gpuvm-check ...args` with the repository as working directory (unless `cwd` is given), `input` on its standard input. */
export function runCli(args: readonly string[], cwd = REPO, input?: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, ...(input === undefined ? {} : { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON object on the last line of stdout. */
export function lastJson(r: CliResult): Record<string, unknown> {
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as Record<string, unknown>;
}

const created: string[] = [];

/** Remove every directory `tempDir` made (call from `afterAll`). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh temporary directory (remove it with `removeTempDirs`). */
export function tempDir(prefix = 'gpuvm-check-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Files in `dir` (none when it does not exist), sorted. */
export function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
