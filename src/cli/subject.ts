/**
 * The `--subject` and `--step-timeout` flags: resolving the subject (bad
 * specs are input errors, exit 2), the replay environment (subject +
 * reference model) built from it, and refusing traces the subject cannot run.
 */

import type { ReplayEnv } from '../campaign/replay-env.ts';
import { assertTraceSupported } from '../protocol/capabilities.ts';
import type { Trace } from '../protocol/types.ts';
import { DEFAULT_SUBJECT, resolveSubject, type ResolveOptions } from '../subjects.ts';
import { flagNumber, flagString, type FlagSpec, type ParsedArgs } from './args.ts';

/** `--step-timeout D`: the time limit of one request to an `exec:` subject. */
export const STEP_TIMEOUT_FLAG: FlagSpec = { name: 'step-timeout', kind: 'duration' };

/** The subject spec the user chose, or the default `builtin:gpuvm`. */
export function subjectSpec(args: ParsedArgs): string {
  return flagString(args, 'subject') ?? DEFAULT_SUBJECT;
}

/** The subject options the flags give (`--step-timeout`). */
export function subjectOptions(args: ParsedArgs): ResolveOptions {
  const ms = flagNumber(args, 'step-timeout');
  return ms === undefined ? {} : { stepTimeoutMs: ms };
}

/**
 * Resolve the subject and the model, and create one subject instance up
 * front so that a module whose factory does not build a Subject, or a
 * program that fails its handshake, is reported now (as an input error), not
 * in the middle of a run. The instance's capabilities go into the env.
 */
export async function replayEnv(spec: string, options: ResolveOptions = {}): Promise<ReplayEnv> {
  const subjectFactory = await resolveSubject(spec, options);
  const modelFactory = await resolveSubject('builtin:model');
  const probe = await subjectFactory();
  await probe.close?.();
  return probe.capabilities === undefined ? { subjectFactory, modelFactory } : { subjectFactory, modelFactory, capabilities: probe.capabilities };
}

/** Refuses (as bad input naming the file, command index and kind) each trace that uses something the subject lacks. */
export function assertTracesSupported(env: ReplayEnv, spec: string, traces: readonly { file: string; trace: Trace }[]): void {
  if (env.capabilities === undefined) return;
  for (const { file, trace } of traces) assertTraceSupported(trace, env.capabilities, file, spec);
}
