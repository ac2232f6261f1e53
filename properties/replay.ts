/**
 * Replaying a trace against a subject and the reference model, step by step.
 */
import type { Subject, Trace } from '../src/protocol/types.ts';
import { drive } from './maybe-async.ts';
import { StepFailed, StepRunner, type StepRecord } from './step-runner.ts';
import type { InvariantViolation } from './violation.ts';

/** The outcome of {@link replayTrace}. */
export type ReplayResult =
  | { readonly ok: true; readonly steps: number }
  | {
      readonly ok: false;
      readonly violation: InvariantViolation;
      /** The failing step, or null when the subject threw instead of observing. */
      readonly failing: StepRecord | null;
      /** Commands executed, the failing one included. */
      readonly steps: number;
    };

/** Options of {@link replayTrace}. */
export interface ReplayOptions {
  /** Called after every command that passed all checks. */
  onStep?(s: StepRecord): void;
}

function* replayGen(trace: Trace, runner: StepRunner): Generator<unknown, ReplayResult, unknown> {
  yield runner.start(trace);
  for (const command of trace.commands) {
    try {
      yield runner.step(command);
    } catch (e) {
      if (e instanceof StepFailed) return { ok: false, violation: e.violation, failing: e.failing, steps: runner.steps };
      throw e;
    }
  }
  return { ok: true, steps: runner.steps };
}

/**
 * Resets `subject` and `model` to the trace's header, then executes each
 * command on both and checks every invariant after it (SEMANTICS section 6).
 * Stops at the first violation. The trace's `meta` plays no part.
 *
 * Rejects only when the model throws (a broken oracle) or when a subject's
 * `reset` throws; everything the subject does wrong while executing is a
 * violation in the result.
 */
export async function replayTrace(
  trace: Trace,
  subject: Subject,
  model: Subject,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const runner = new StepRunner(subject, model);
  if (opts.onStep !== undefined) {
    const cb = opts.onStep;
    runner.onStep = (s) => cb(s);
  }
  return drive(replayGen(trace, runner));
}
