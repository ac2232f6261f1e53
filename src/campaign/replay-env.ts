/**
 * Replaying one trace against a fresh subject and a fresh reference model,
 * and reading the outcome the way the minimiser and the corpus need it.
 */

import { replayTrace, type ReplayResult, type StepRecord } from '../../properties/index.ts';
import type { Subject, SubjectCapabilities, SubjectFactory, Trace } from '../protocol/types.ts';
import type { FailureOutcome } from '../minimize/minimize-trace.ts';
import { symptomOf } from '../findings/symptom.ts';

/** Where subjects come from: the subject under test and the oracle. */
export interface ReplayEnv {
  readonly subjectFactory: SubjectFactory;
  readonly modelFactory: SubjectFactory;
  /** What the subject supports, when it declares it (the minimiser stays inside it). */
  readonly capabilities?: SubjectCapabilities;
}

async function closeQuietly(s: Subject): Promise<void> {
  try {
    await s.close?.();
  } catch {
    // A subject that fails to close does not change the verdict.
  }
}

/** Replay `trace` step by step on new subject and model instances (closed afterwards). */
export async function replayOnce(trace: Trace, env: ReplayEnv, onStep?: (s: StepRecord) => void): Promise<ReplayResult> {
  const subject = await env.subjectFactory();
  const model = await env.modelFactory();
  try {
    return await replayTrace(trace, subject, model, onStep === undefined ? {} : { onStep });
  } finally {
    await closeQuietly(subject);
    await closeQuietly(model);
  }
}

/** The failure of a replay (invariant, failing kind, symptom detail, step), or null when it passed. */
export function outcomeOf(result: ReplayResult): FailureOutcome | null {
  if (result.ok) return null;
  const v = result.violation;
  return { invariant: v.invariant, kind: v.command.cmd, detail: symptomOf(v).detail, step: v.step };
}

/**
 * A minimiser oracle replaying on `env`. A candidate the harness cannot even
 * set up (the subject's or the model's `reset` rejects its header) is not the
 * failure being minimised: it counts as passing.
 */
export function replayOracle(env: ReplayEnv): (trace: Trace) => Promise<FailureOutcome | null> {
  return async (trace) => {
    let result: ReplayResult;
    try {
      result = await replayOnce(trace, env);
    } catch {
      return null;
    }
    return outcomeOf(result);
  };
}
