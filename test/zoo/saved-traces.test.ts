/**
 * Each fault of the zoo has one saved minimal trace (corpus/zoo/<id>.json,
 * written by `gpuvm-check zoo --save corpus/zoo`). Replayed against its fault
 * it must fail with the invariant recorded in the trace -- one the catalogue
 * expects for that fault; replayed against the production manager
 * (builtin:gpuvm) it must pass. So each trace pins down both the bug and
 * the fact that the production code does not have it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { replayTrace } from '../../properties/index.ts';
import { ReferenceModel } from '../../model/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { decodeTrace } from '../../src/protocol/codec.ts';
import type { Trace } from '../../src/protocol/types.ts';
import { FAULTS } from '../../src/zoo/catalog.ts';
import { loadFault } from '../../src/zoo/zoo.ts';

function savedTrace(id: string): Trace {
  const file = new URL(`../../corpus/zoo/${id}.json`, import.meta.url);
  return decodeTrace(readFileSync(file, 'utf8'), `corpus/zoo/${id}.json`);
}

describe('every fault has a saved minimal trace', () => {
  test.each(FAULTS.map((f) => [f.id, f] as const))('%s: the trace names an expected invariant and has at most 4 commands', (_id, fault) => {
    const trace = savedTrace(fault.id);
    expect(fault.expected).toContain(trace.meta?.invariant);
    expect(trace.commands.length).toBeLessThanOrEqual(4);
  });
});

describe('the saved trace fails against its fault with the recorded invariant', () => {
  test.each(FAULTS.map((f) => [f.id, f] as const))('%s', async (_id, fault) => {
    const trace = savedTrace(fault.id);
    const factory = await loadFault(fault);
    const result = await replayTrace(trace, await factory(), new ReferenceModel());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.violation.invariant).toBe(trace.meta?.invariant);
    expect(result.violation.step).toBe(trace.commands.length - 1);
  });
});

describe('the saved trace passes against the production manager (builtin:gpuvm)', () => {
  test.each(FAULTS.map((f) => [f.id, f] as const))('%s', async (_id, fault) => {
    const trace = savedTrace(fault.id);
    const result = await replayTrace(trace, new GpuVmSubject(), new ReferenceModel());
    expect(result).toEqual({ ok: true, steps: trace.commands.length });
  });
});
