/**
 * The fault zoo through the subject protocol: each of the sixteen faults,
 * served by `gpuvm-check serve --subject bench/faults/X.ts` in a process of
 * its own, is found with seed 1 -- under an invariant its catalogue entry
 * expects, except where the fault produces a value the protocol cannot carry.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { ReferenceModel } from '../../model/index.ts';
import { closeExecSubjects } from '../../src/exec/index.ts';
import { FAULTS } from '../../src/zoo/catalog.ts';
import { runFaultCampaign } from '../../src/zoo/run-fault.ts';
import { loadFault } from '../../src/zoo/zoo.ts';

afterAll(closeExecSubjects);

/**
 * walk-end-as-range reports a remap half with a negative offset: in process
 * the invariants see the bad value, over the wire it is not a u64, so the
 * reply breaks the protocol (a finding all the same, naming the field).
 */
const OVER_THE_WIRE: Readonly<Record<string, readonly string[]>> = { 'walk-end-as-range': ['protocol-error'] };

describe('the zoo served over the subject protocol', () => {
  test.each(FAULTS.map((f) => [f.id, f] as const))('seed 1 finds %s', async (id, fault) => {
    const subjectFactory = await loadFault(fault, undefined, {});
    const r = await runFaultCampaign({ subjectFactory, modelFactory: () => new ReferenceModel(), seed: 1, budgetMs: 30_000 });
    await closeExecSubjects();
    expect(r.detected).toBe(true);
    expect([...fault.expected, ...(OVER_THE_WIRE[id] ?? [])]).toContain(r.invariant);
    expect(r.minimized?.commands.length ?? 99).toBeLessThanOrEqual(4);
  });
});
