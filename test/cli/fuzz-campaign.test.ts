/**
 * `fuzz` end to end: a campaign against a subject with an injected fault
 * finds it, saves one deduplicated, minimised trace that replays to the same
 * invariant, and is exactly reproducible from its seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTrace } from '../../src/protocol/codec.ts';
import { filesIn, HOLE_FAULT, KEEP_FAULT, lastJson, runCli, tempDir, type CliResult, removeTempDirs } from './run-cli.ts';

afterAll(removeTempDirs);

/** The summary minus what depends on the clock. */
function withoutTimings(summary: Record<string, unknown>): Record<string, unknown> {
  const { elapsedMs: _e, commandsPerSecond: _c, timeToFirstFailureMs: _t, startupMs: _s, failures, ...rest } = summary;
  // Failure files live in different output directories; compare their names only.
  const names = (failures as { file: string }[]).map((f) => ({ ...f, file: f.file.split('/').pop() }));
  return { ...rest, failures: names };
}

describe('fuzz against the keep-ignores-offset fault', () => {
  let out: string;
  let run: CliResult;
  let summary: Record<string, unknown>;

  beforeAll(() => {
    out = tempDir();
    run = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '11', '--runs', '100', '--workers', '1', '--out', out, '--json', '--quiet']);
    summary = lastJson(run);
  }, 60_000);

  it('exits 1 and reports one keep-flag failure at a map, with duplicates folded in', () => {
    expect(run.status).toBe(1);
    expect(summary['status']).toBe('fail');
    const failures = summary['failures'] as { invariant: string; kind: string; file: string }[];
    expect(failures.map((f) => `${f.invariant}/${f.kind}`)).toEqual(['keep-flag/map']);
    expect(summary['duplicateFailures']).toBeGreaterThan(0);
    expect(summary['runsToFirstFailure']).toBeGreaterThanOrEqual(1);
  });

  it('saves exactly one trace, named <invariant>-<hash>.json, with meta', () => {
    const files = filesIn(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^keep-flag-[0-9a-f]{6}\.json$/);
    const trace = decodeTrace(readFileSync(join(out, files[0] as string), 'utf8'), 'saved');
    expect(trace.meta).toMatchObject({ invariant: 'keep-flag', subject: KEEP_FAULT });
    expect(typeof trace.meta?.seed).toBe('number');
    expect(typeof trace.meta?.path).toBe('string');
    expect(trace.meta?.['campaignSeed']).toBe(11);
  });

  it('prints the failing program, both observations, the picture and the replay command', () => {
    const file = join(out, filesIn(out)[0] as string);
    expect(run.stdout).toContain('FAILURE: keep-flag');
    expect(run.stdout).toMatch(/^ {2}0\. map /m);
    expect(run.stdout).toContain('<- keep-flag');
    expect(run.stdout).toMatch(/expected: ok/);
    expect(run.stdout).toMatch(/actual: {3}ok/);
    expect(run.stdout).toMatch(/^ {2}old: /m);
    expect(run.stdout).toMatch(/^ {2}req: /m);
    expect(run.stdout).toMatch(/^ {2}new: /m);
    expect(run.stdout).toContain(`gpuvm-check replay ${file} --subject ${KEEP_FAULT}`);
  });

  it('the saved trace replays to the same invariant against the faulty subject, and passes on the clean manager', () => {
    const file = join(out, filesIn(out)[0] as string);
    const faulty = runCli(['replay', file, '--subject', KEEP_FAULT, '--json']);
    expect(faulty.status).toBe(1);
    expect(lastJson(faulty)['traces']).toMatchObject([{ status: 'fail', invariant: 'keep-flag', kind: 'map' }]);
    const clean = runCli(['replay', file, '--json']);
    expect(clean.status).toBe(0);
  });

  it('a second campaign with the same seed and runs gives the identical result (minus timings)', () => {
    const out2 = tempDir();
    const again = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '11', '--runs', '100', '--workers', '1', '--out', out2, '--json', '--quiet']);
    expect(again.status).toBe(1);
    expect(withoutTimings(lastJson(again))).toEqual(withoutTimings(summary));
    expect(filesIn(out2)).toEqual(filesIn(out));
    const name = filesIn(out)[0] as string;
    expect(readFileSync(join(out2, name), 'utf8')).toBe(readFileSync(join(out, name), 'utf8'));
  });

  it('re-running into the same directory finds the trace already saved and writes nothing new', () => {
    const before = readFileSync(join(out, filesIn(out)[0] as string), 'utf8');
    const again = runCli(['fuzz', '--subject', KEEP_FAULT, '--seed', '11', '--runs', '100', '--workers', '1', '--out', out, '--json', '--quiet']);
    expect(again.status).toBe(1);
    expect(lastJson(again)['failures']).toMatchObject([{ status: 'exists' }]);
    expect(filesIn(out)).toHaveLength(1);
    expect(readFileSync(join(out, filesIn(out)[0] as string), 'utf8')).toBe(before);
  });
});

describe('fuzz with two workers', () => {
  it('finds the remap-hole fault and gives the same result as one worker for the same seed and runs', () => {
    const one = tempDir();
    const two = tempDir();
    const args = ['fuzz', '--subject', HOLE_FAULT, '--seed', '5', '--runs', '150', '--json', '--quiet'];
    const r1 = runCli([...args, '--workers', '1', '--out', one]);
    const r2 = runCli([...args, '--workers', '2', '--out', two]);
    expect(r1.status).toBe(1);
    expect(r2.status).toBe(1);
    const s1 = lastJson(r1);
    const s2 = lastJson(r2);
    expect((s1['failures'] as { invariant: string }[]).map((f) => f.invariant)).toContain('remap-hole');
    expect(s2['workers']).toBe(2);
    expect(withoutTimings({ ...s2, workers: 1 })).toEqual(withoutTimings(s1));
    expect(filesIn(two)).toEqual(filesIn(one));
  });
});
