/**
 * The zoo runner: a campaign against a fault stops at the first failure and
 * minimises it; a campaign against the production manager finds nothing; the
 * summary takes medians over the detecting seeds; the command line rejects an
 * unknown fault. Campaign outcomes are fixed by the seed (only the time budget
 * is wall-clock, and it is far larger than the runs these need).
 */
import { describe, expect, test } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { Io } from '../../src/cli/io.ts';
import { FAULTS } from '../../src/zoo/catalog.ts';
import { zooCommand } from '../../src/zoo/cli.ts';
import { runFaultCampaign, type FaultCampaignResult } from '../../src/zoo/run-fault.ts';
import { loadFault, median, selectFaults, summarize } from '../../src/zoo/zoo.ts';

const modelFactory = () => new ReferenceModel();

describe('runFaultCampaign', () => {
  test('finds the keep fault with seed 1, names keep-flag and minimises the trace', async () => {
    const fault = selectFaults(['keep-ignores-offset'])[0]!;
    const r = await runFaultCampaign({ subjectFactory: await loadFault(fault), modelFactory, seed: 1, budgetMs: 60_000 });
    expect(r.detected).toBe(true);
    expect(r.invariant).toBe('keep-flag');
    expect(r.runsToFailure).toBeGreaterThanOrEqual(1);
    expect(r.minimized).not.toBeNull();
    expect(r.minimized!.commands.length).toBeLessThanOrEqual(r.trace!.commands.length);
  });

  test.each(FAULTS.map((f) => [f.id, f] as const))('seed 1 catches %s under an invariant its catalogue entry expects', async (_id, fault) => {
    const r = await runFaultCampaign({ subjectFactory: await loadFault(fault), modelFactory, seed: 1, budgetMs: 60_000 });
    expect(r.detected).toBe(true);
    expect(fault.expected).toContain(r.invariant);
  });

  test('finds nothing in the production manager', async () => {
    const r = await runFaultCampaign({ subjectFactory: () => new GpuVmSubject(), modelFactory, seed: 1, budgetMs: 200 });
    expect(r.detected).toBe(false);
    expect(r.runs).toBeGreaterThan(0);
    expect(r.trace).toBeNull();
  });
});

describe('summaries', () => {
  test('median of odd and even lists, null for none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  test('medians count only the seeds that detected the fault, and invariants outside the catalogue are flagged', () => {
    const fault = FAULTS[0]!;
    const hit = (seed: number, timeMs: number, runs: number, invariant: string): FaultCampaignResult => ({
      seed, detected: true, timeMs, startupMs: 5, runsToFailure: runs, runs, invariant, kind: 'map', message: '', trace: null, minimized: null, elapsedMs: timeMs,
    });
    const miss: FaultCampaignResult = {
      seed: 3, detected: false, timeMs: null, startupMs: 5, runsToFailure: null, runs: 99, invariant: null, kind: null, message: null, trace: null, minimized: null, elapsedMs: 1,
    };
    const s = summarize(fault, [hit(1, 100, 2, 'keep-flag'), hit(2, 300, 6, 'keep-flag'), miss]);
    expect(s).toMatchObject({ detected: 2, seeds: 3, medianTimeMs: 200, medianRuns: 4, expectedInvariant: true });
    expect(summarize(fault, [hit(1, 1, 1, 'lists')]).expectedInvariant).toBe(false);
  });

  test('faults are selected by id or by number, and an unknown one is named', () => {
    expect(selectFaults(['9', 'remove-kernel-node']).map((f) => f.number)).toEqual([9, 14]);
    expect(() => selectFaults(['no-such-fault'])).toThrow(/unknown fault 'no-such-fault'/);
  });
});

describe('zoo command line', () => {
  function capture(): { io: Io; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (...l) => out.push(...l), err: (...l) => err.push(...l), stderr: process.stderr }, out, err };
  }

  test('an unknown fault is bad usage (exit 2) with one line naming it', async () => {
    const c = capture();
    expect(await zooCommand(['bogus'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown fault 'bogus'/);
  });

  test('one fault, one seed: the table and the JSON object on the last line', async () => {
    const c = capture();
    expect(await zooCommand(['14', '--seeds', '1', '--json'], c.io)).toBe(0);
    const last = JSON.parse(c.out[c.out.length - 1]!) as { status: string; faults: { fault: string; detected: number }[] };
    expect(last.status).toBe('pass');
    expect(last.faults).toEqual([expect.objectContaining({ fault: 'remove-kernel-node', detected: 1 })]);
    expect(c.out[0]).toMatch(/fault\s+detected\s+median time/);
  });
});
