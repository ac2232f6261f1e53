/**
 * Helpers of the KUnit export tests: loading corpus traces, cutting one case
 * out of an exported file, the trees and tools the tree tests need.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeTrace } from '../../src/protocol/index.ts';
import type { ExportInput } from '../../src/export/kunit.ts';

export const REPO = resolve(import.meta.dirname, '../..');

/** The traces of `dir` (relative to the repository), sorted, with repository-relative file names. */
export function corpusInputs(dir: string): ExportInput[] {
  return readdirSync(join(REPO, dir))
    // A version's findings folder also holds its known-findings file, which is no trace.
    .filter((f) => f.endsWith('.json') && f !== 'known.json')
    .sort()
    .map((f) => {
      const file = `${dir}/${f}`;
      return { file, trace: decodeTrace(readFileSync(join(REPO, file), 'utf8'), file) };
    });
}

/** The whole regression corpus the CI exports: zoo, documented cases, IGT shapes. */
export function wholeCorpus(): ExportInput[] {
  return [...corpusInputs('corpus/zoo'), ...corpusInputs('corpus/cases'), ...corpusInputs('corpus/igt')];
}

/** The text of the case function `name` in an exported file (its comment not included). */
export function caseText(source: string, name: string): string {
  const start = source.indexOf(`static void ${name}(struct kunit *test)\n{`);
  if (start < 0) throw new Error(`no case ${name}`);
  const end = source.indexOf('\n}\n', start);
  return source.slice(start, end + 3);
}

/** The upstream findings of `version` (kernel/findings/VERSION/), none when there are none. */
export function findingsInputs(version: string): ExportInput[] {
  const dir = `kernel/findings/${version}`;
  return existsSync(join(REPO, dir)) ? corpusInputs(dir) : [];
}

/** Whether perl runs here (checkpatch needs it). */
export function hasPerl(): boolean {
  const r = spawnSync('perl', ['-v']);
  return r.error === undefined && r.status === 0;
}

/** Whether git runs here (the patch tests apply with it). */
export function hasGit(): boolean {
  const r = spawnSync('git', ['--version']);
  return r.error === undefined && r.status === 0;
}
