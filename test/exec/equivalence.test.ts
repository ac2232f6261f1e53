/**
 * A subject served over the protocol is the same subject: the stateful
 * property with the CI seeds gives exactly the results of the in-process
 * subject (same runs, commands, case and kind statistics), and a fault gives
 * exactly the same shrunk failure.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runProperty } from '../../properties/index.ts';
import { closeExecSubjects, execSubjectFactory } from '../../src/exec/index.ts';
import { resolveSubject } from '../../src/subjects.ts';
import { serveArgv } from './helpers.ts';

afterAll(closeExecSubjects);

/** A property result without its wall-clock field (when the first run started), which two runs never share. */
function withoutClock<T extends { startedAt: number | null }>(r: T): Omit<T, 'startedAt'> {
  const { startedAt: _clock, ...rest } = r;
  return rest;
}

describe('exec:gpuvm-check serve builtin:gpuvm is builtin:gpuvm', () => {
  it('the CI seeds of the stateful property give exactly the in-process results', async () => {
    const served = execSubjectFactory(serveArgv('builtin:gpuvm'));
    const inProcess = await resolveSubject('builtin:gpuvm');
    for (const seed of [1, 2]) {
      const a = await runProperty({ subjectFactory: inProcess, seed, numRuns: 150 });
      const b = await runProperty({ subjectFactory: served, seed, numRuns: 150 });
      expect(a.failure).toBeNull();
      expect(b.startedAt).toEqual(expect.any(Number));
      expect(withoutClock(b)).toEqual(withoutClock(a));
    }
  });

  it('a fault served over the protocol fails exactly as it does in process', async () => {
    const fault = 'bench/faults/keep-ignores-offset.ts';
    const a = await runProperty({ subjectFactory: await resolveSubject(fault), seed: 7, numRuns: 100 });
    const b = await runProperty({ subjectFactory: execSubjectFactory(serveArgv(fault)), seed: 7, numRuns: 100 });
    expect(a.failure?.violation.invariant).toBe('keep-flag');
    expect(b.failure?.violation.message).toBe(a.failure?.violation.message);
    expect(b.failure?.trace).toEqual(a.failure?.trace);
    expect(b.failure?.path).toBe(a.failure?.path);
    expect(b.startedAt).toEqual(expect.any(Number));
    expect({ ...withoutClock(b), failure: null }).toEqual({ ...withoutClock(a), failure: null });
  });
});
