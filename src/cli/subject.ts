/**
 * The `--subject` flag: resolving it (bad specs are input errors, exit 2)
 * and the replay environment (subject + reference model) built from it.
 */

import type { ReplayEnv } from '../campaign/replay-env.ts';
import { DEFAULT_SUBJECT, resolveSubject } from '../subjects.ts';
import { flagString, type ParsedArgs } from './args.ts';

/** The subject spec the user chose, or the default `builtin:gpuvm`. */
export function subjectSpec(args: ParsedArgs): string {
  return flagString(args, 'subject') ?? DEFAULT_SUBJECT;
}

/**
 * Resolve the subject and the model, and create one subject instance up
 * front so that a module whose factory does not build a Subject is reported
 * now (as a `SubjectResolutionError`), not in the middle of a run.
 */
export async function replayEnv(spec: string): Promise<ReplayEnv> {
  const subjectFactory = await resolveSubject(spec);
  const modelFactory = await resolveSubject('builtin:model');
  const probe = await subjectFactory();
  await probe.close?.();
  return { subjectFactory, modelFactory };
}
