/**
 * Campaigns that keep exploring: one bug is saved once however many symptoms
 * it shows, two bugs are never merged, the stop options end a campaign at
 * its first (or N-th) new bug, and the timing fields count from the first
 * command. Campaigns are bounded by runs and seeded, so outcomes are fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { runFaultCampaign } from '../../src/zoo/run-fault.ts';
import { loadFault, selectFaults } from '../../src/zoo/zoo.ts';
import { filesIn, lastJson, removeTempDirs, runCli, tempDir, type CliResult } from './run-cli.ts';

afterAll(removeTempDirs);

const NEXT_OFFSET = 'bench/faults/next-offset-from-request.ts';
const KEEP_AND_NEXT = 'bench/dedup/keep-and-next-offset.ts';
const KEEP_AND_HOLE = 'bench/dedup/keep-and-hole.ts';

interface Saved {
  signature: string;
  file: string;
  hits: number;
  aliases: string[];
}

function fuzz(subject: string, extra: readonly string[] = []): { run: CliResult; summary: Record<string, unknown>; out: string } {
  const out = tempDir();
  const run = runCli(['fuzz', '--subject', subject, '--seed', '1', '--runs', '200', '--workers', '1', '--out', out, '--json', '--quiet', ...extra]);
  return { run, summary: lastJson(run), out };
}

describe('root-cause dedup', () => {
  it('a bad remap half seen at maps, unmaps and madvises is saved once, the other symptoms folded in', () => {
    const { run, summary, out } = fuzz(NEXT_OFFSET);
    expect(run.status).toBe(1);
    const failures = summary['failures'] as Saved[];
    expect(failures.map((f) => f.signature)).toEqual(['remap-offsets/map: op # has a wrong next half']);
    expect(failures[0]!.aliases).toEqual(['remap-offsets/unmap: op # has a wrong next half', 'remap-offsets/madvise: op # has a wrong next half']);
    expect(filesIn(out)).toHaveLength(1);
    expect(run.stdout).toMatch(/^SAME BUG: remap-offsets\/unmap: op # has a wrong next half is .*remap-offsets-[0-9a-f]{6}\.json \(.*reproduce each other/m);
    // Every failing run is attributed: the saved bug's hits are all of them.
    expect(failures[0]!.hits).toBe(summary['failedRuns']);
    expect(summary['duplicateFailures']).toBe((summary['failedRuns'] as number) - 1);
  });

  it('two bugs in the same split/merge core stay two', () => {
    const { summary, out } = fuzz(KEEP_AND_NEXT);
    const failures = summary['failures'] as Saved[];
    expect(failures.map((f) => f.signature).sort()).toEqual(['keep-flag/map: op # has keep=true', 'remap-offsets/map: op # has a wrong next half']);
    expect(filesIn(out)).toHaveLength(2);
  });
});

describe('stop options', () => {
  let all: { run: CliResult; summary: Record<string, unknown> };
  beforeAll(() => {
    all = fuzz(KEEP_AND_HOLE);
  }, 60_000);

  it('by default the campaign runs its whole budget and saves both bugs', () => {
    expect(all.summary['runs']).toBe(200);
    expect(all.summary['stopped']).toBe(false);
    expect((all.summary['failures'] as Saved[]).map((f) => f.signature.split('/')[0])).toEqual(['remap-hole', 'keep-flag']);
  });

  it('--stop-on-first stops after the first new bug, with the same first bug and fewer runs', () => {
    const { run, summary, out } = fuzz(KEEP_AND_HOLE, ['--stop-on-first']);
    expect(run.status).toBe(1);
    expect(summary['stopped']).toBe(true);
    expect((summary['failures'] as Saved[]).map((f) => f.signature)).toEqual([(all.summary['failures'] as Saved[])[0]!.signature]);
    expect(summary['runs']).toBeLessThan(200);
    expect(filesIn(out)).toHaveLength(1);
    expect(run.stdout).toContain('stopped after 1 new failure (--stop-on-first / --max-failures)');
  });

  it('--max-failures 2 stops once the second is saved; disagreeing flags are bad usage', () => {
    const { summary } = fuzz(KEEP_AND_HOLE, ['--max-failures', '2']);
    expect(summary['stopped']).toBe(true);
    expect((summary['failures'] as Saved[]).length).toBe(2);
    expect(summary['runs']).toBeLessThanOrEqual(200);
    const bad = runCli(['fuzz', '--subject', KEEP_AND_HOLE, '--stop-on-first', '--max-failures', '3', '--runs', '10']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--stop-on-first and --max-failures disagree/);
  });

  it('timing: start-up apart, the first failure counted from the first command', () => {
    const s = all.summary;
    const startup = s['startupMs'] as number;
    const ttf = s['timeToFirstFailureMs'] as number;
    expect(typeof startup).toBe('number');
    expect(startup).toBeGreaterThanOrEqual(0);
    expect(ttf).toBeGreaterThanOrEqual(0);
    expect(ttf + startup).toBeLessThanOrEqual((s['elapsedMs'] as number) + 1);
    expect(s['runsToFirstFailure']).toBeGreaterThanOrEqual(1);
    expect(all.run.stdout).toMatch(/^timing: {3}start-up \d+\.\ds, then \d+\.\ds exploring$/m);
    expect(all.run.stdout).toMatch(/from the first command\)$/m);
  });
});

describe('zoo timing', () => {
  it('a zoo campaign reports start-up apart and its time to failure from the first command', async () => {
    const fault = selectFaults(['keep-ignores-offset'])[0]!;
    const r = await runFaultCampaign({ subjectFactory: await loadFault(fault), modelFactory: () => new ReferenceModel(), seed: 1, budgetMs: 60_000 });
    expect(r.detected).toBe(true);
    expect(r.startupMs).not.toBeNull();
    expect(r.startupMs!).toBeGreaterThanOrEqual(0);
    expect(r.timeMs!).toBeGreaterThanOrEqual(0);
    expect(r.timeMs! + r.startupMs!).toBeLessThanOrEqual(r.elapsedMs);
  });
});
