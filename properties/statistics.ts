/**
 * Counting what a campaign exercised: the documented case of every (existing
 * VA, map request) pair of each successful map, and the command kinds.
 */
import type { StepRecord } from './step-runner.ts';
import { classifyCase } from './classify-case.ts';

/** Case histogram ("1".."15") and command-kind histogram. */
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
  if (c.cmd !== 'map' || !s.observation.ok) return;
  for (const va of s.before.vas) {
    const k = classifyCase(va, c);
    if (k !== null) into.cases[k] = (into.cases[k] ?? 0) + 1;
  }
}
