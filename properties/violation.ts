/**
 * The error every invariant failure is reported as.
 */
import type { Command } from '../src/protocol/types.ts';
import type { InvariantName } from './invariant-names.ts';
import { formatCommand, toDisplayJson } from '../src/protocol/text.ts';

/** What an invariant check returns when it fails: expected vs actual and a one-line reason. */
export interface Failure {
  readonly expected: unknown;
  readonly actual: unknown;
  readonly reason: string;
  /** Extra lines for the failure report (a subject process's standard error, its reply line). */
  readonly details?: readonly string[];
}

/**
 * An invariant did not hold after a command.
 *
 * `step` is the 0-based index of the command in the trace; `command` is that
 * command; `expected` / `actual` are the values compared (plain data, bigints
 * in memory); `reason` is one line saying what is wrong. The message reads
 * `keep-flag at step 3 (map 0x1000+0x2000 bo=1 off=0x0): <reason>`.
 */
export class InvariantViolation extends Error {
  readonly invariant: InvariantName;
  readonly step: number;
  readonly command: Command;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly reason: string;
  /** Extra lines for the failure report (empty for most invariants). */
  readonly details: readonly string[];

  constructor(invariant: InvariantName, step: number, command: Command, failure: Failure) {
    super(`${invariant} at step ${step} (${formatCommand(command)}): ${failure.reason}`);
    this.name = 'InvariantViolation';
    this.invariant = invariant;
    this.step = step;
    this.command = command;
    this.expected = failure.expected;
    this.actual = failure.actual;
    this.reason = failure.reason;
    this.details = failure.details ?? [];
  }

  /** The message plus expected and actual, for reports. */
  detail(): string {
    return `${this.message}\n  expected: ${toDisplayJson(this.expected)}\n  actual:   ${toDisplayJson(this.actual)}`;
  }
}
