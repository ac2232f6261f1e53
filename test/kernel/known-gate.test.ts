/**
 * The kernel developer's gate: `check --subject kernel:TREE --known
 * kernel/findings/linux-VERSION.known.json` passes on today's upstream tree
 * (every failure a campaign meets there is one of the findings the file
 * lists), and fails with a new finding once the file leaves one out.
 * Campaigns are bounded by runs and seeded, so the outcomes are fixed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KERNEL_DIR } from '../../src/kernel/probes.ts';
import { lastJson, removeTempDirs, runCli, tempDir } from '../cli/run-cli.ts';
import { skipReason, titled, treeOf, VERSIONS } from './trees.ts';

afterAll(removeTempDirs);

interface FindingsFile {
  format: string;
  findings: { id: string; trace?: string }[];
}

function gate(version: string, known: string): ReturnType<typeof runCli> {
  const args = ['check', '--subject', `kernel:${treeOf(version) ?? ''}`, '--corpus', join(KERNEL_DIR, 'findings', version)];
  return runCli([...args, '--known', known, '--runs', '400', '--seed', '1', '--workers', '1', '--json', '--quiet']);
}

for (const version of VERSIONS) {
  describe(`the known-findings gate of Linux ${version}`, () => {
    const file = join(KERNEL_DIR, 'findings', `linux-${version}.known.json`);

    it.skipIf(skipReason(version) !== null)(titled(version, 'passes on the unmodified tree, every failure a known finding'), () => {
      const run = gate(version, file);
      const summary = lastJson(run)['campaign'] as Record<string, unknown>;
      expect({ status: run.status, stderr: run.stderr.split('\n').filter((l) => l.includes('gpuvm-check:')) }).toEqual({ status: 0, stderr: [] });
      expect(summary['failures']).toEqual([]);
      expect(summary['knownHits']).toBeGreaterThan(0);
    }, 180_000);

    it.skipIf(skipReason(version) !== null)(titled(version, 'fails on a finding the file leaves out (zero-length ranges)'), () => {
      const decl = JSON.parse(readFileSync(file, 'utf8')) as FindingsFile;
      const kept = decl.findings
        .filter((f) => !f.id.startsWith('zero-length'))
        .map((f) => (f.trace === undefined ? f : { ...f, trace: join(KERNEL_DIR, 'findings', f.trace) }));
      const partial = join(tempDir(), 'partial.known.json');
      writeFileSync(partial, JSON.stringify({ ...decl, findings: kept }));
      const run = gate(version, partial);
      expect(run.status).toBe(1);
      const failures = (lastJson(run)['campaign'] as Record<string, unknown>)['failures'] as unknown[];
      expect(failures.length).toBeGreaterThan(0);
    }, 180_000);
  });
}
