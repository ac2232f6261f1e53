/**
 * Counting what a campaign exercised: the documented case of every (existing
 * VA, map request) pair of each successful map, and the command kinds.
 */
import type { StepRecord } from './step-runner.ts';
import { classifyCase } from './classify-case.ts';

/** Case histogram ("1".."15") and command-kind histogram. */
export interface Coverage {
  readonly cases: Record<string, number>;
  readonly kinds: Record<string, number>;
}

/** An empty coverage record. */
export function emptyCoverage(): { cases: Record<string, number>; kinds: Record<string, number> } {
  return { cases: {}, kinds: {} };
}

/** Adds one executed step to `into`. */
export function countStep(into: { cases: Record<string, number>; kinds: Record<string, number> }, s: StepRecord): void {
  const c = s.command;
  into.kinds[c.cmd] = (into.kinds[c.cmd] ?? 0) + 1;
  if (c.cmd !== 'map' || !s.observation.ok) return;
  for (const va of s.before.vas) {
    const k = classifyCase(va, c);
    if (k !== null) into.cases[k] = (into.cases[k] ?? 0) + 1;
  }
}
