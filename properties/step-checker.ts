/**
 * The step checker: runs every invariant over one executed command, in the
 * order of `INVARIANT_ORDER`, and turns the first failure into an
 * {@link InvariantViolation}.
 */
import type { Command } from '../src/protocol/types.ts';
import { describeEnd, SubjectCrashedError, SubjectHungError, type SubjectFailure } from '../src/protocol/subject-errors.ts';
import { ALL_CHECKS, STRUCTURAL_CHECKS } from './invariants/index.ts';
import type { StepContext, StructuralContext } from './step-context.ts';
import { InvariantViolation } from './violation.ts';

/** The first invariant `ctx` violates, or null when all hold. */
export function firstViolation(ctx: StepContext): InvariantViolation | null {
  for (const inv of ALL_CHECKS) {
    const f = inv.check(ctx);
    if (f !== null) return new InvariantViolation(inv.name, ctx.step, ctx.command, f);
  }
  return null;
}

/** The message of whatever a subject threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * The violation to report when `subject.exec` threw: the first structural
 * invariant the state afterwards violates (it explains the failure better),
 * else `subject-error` with the exception's message.
 */
export function violationAfterThrow(
  ctx: StructuralContext,
  step: number,
  command: Command,
  error: unknown,
): InvariantViolation {
  for (const inv of STRUCTURAL_CHECKS) {
    const f = inv.check(ctx);
    if (f !== null) {
      return new InvariantViolation(inv.name, step, command, {
        ...f,
        reason: `${f.reason} (after the subject threw ${errorMessage(error)})`,
      });
    }
  }
  return subjectError(step, command, error);
}

/** A `subject-error` violation for an exception (the snapshot could not explain it or could not be taken). */
export function subjectError(step: number, command: Command, error: unknown, what = 'the subject threw'): InvariantViolation {
  return new InvariantViolation('subject-error', step, command, {
    expected: 'an observation',
    actual: errorMessage(error),
    reason: `${what}: ${errorMessage(error)}`,
  });
}

/**
 * The violation for a subject process that crashed, hung or broke the
 * protocol while the harness waited for its reply to `command` (or, with
 * `duringReset`, to the reset and first snapshot of the run, reported at the
 * run's first command). Its details (standard error, the reply line) go into
 * the failure report.
 */
export function processFailureViolation(step: number, command: Command, failure: SubjectFailure, duringReset = false): InvariantViolation {
  let actual: string;
  if (failure instanceof SubjectCrashedError) actual = `the process ${describeEnd(failure.code, failure.signal)}`;
  else if (failure instanceof SubjectHungError) actual = `no reply within ${failure.timeoutMs / 1000}s`;
  else actual = failure.message;
  return new InvariantViolation(failure.invariant, step, command, {
    expected: `a reply to the ${failure.request} request`,
    actual,
    reason: duringReset ? `before the command, while the run was being set up: ${failure.message}` : failure.message,
    details: failure.details,
  });
}
