/**
 * Counting what a campaign exercised: the documented case of every (existing
 * VA, map request) pair of each successful map, the madvise case of every
 * (existing VA, madvise request) pair of each successful madvise, and the
 * command kinds.
 */
import type { StepRecord } from './step-runner.ts';
import { classifyCase, classifyMadviseCase } from './classify-case.ts';

/** Case histogram ("1".."15", then the madvise cases "m1".."m7") and command-kind histogram. */
export interface Coverage {
  cases: Record<string, number>;
  kinds: Record<string, number>;
}

/** An empty coverage record. */
export function emptyCoverage(): Coverage {
  return { cases: {}, kinds: {} };
}

/** Adds one executed step to `into`. */
export function countStep(into: Coverage, s: StepRecord): void {
  const c = s.command;
  into.kinds[c.cmd] = (into.kinds[c.cmd] ?? 0) + 1;
  if ((c.cmd !== 'map' && c.cmd !== 'madvise') || !s.observation.ok) return;
  for (const va of s.before.vas) {
    const k = c.cmd === 'map' ? classifyCase(va, c) : classifyMadviseCase(va, c);
    if (k !== null) into.cases[k] = (into.cases[k] ?? 0) + 1;
  }
}
