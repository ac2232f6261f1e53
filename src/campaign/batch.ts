/**
 * One batch of a campaign: the property run `batchRuns(index)` times with the
 * fast-check seed `batchSeed(campaignSeed, index)` in explore mode, so every
 * run is executed and none is shrunk. Each failing run is sorted on the spot
 * by its symptom: a known finding is only counted; otherwise the first run of
 * the batch with that symptom is kept (as plain data for the main thread) and
 * later ones are counted as its repeats.
 */

import { runProperty, runTrace, type RunFailure } from '../../properties/index.ts';
import { matchKnown } from '../findings/match.ts';
import { requestCauses } from '../findings/root-cause.ts';
import { symptomKey, symptomOf } from '../findings/symptom.ts';
import { toJsonTrace } from '../protocol/codec.ts';
import type { SubjectFactory } from '../protocol/types.ts';
import type { BatchMessage, WireFailure, WorkerInit } from './messages.ts';
import { batchRuns, batchSeed } from './seeds.ts';

/** Distinct symptoms a batch sends at most (a subject broken everywhere does not flood the main thread). */
export const MAX_FAILURES_PER_BATCH = 8;

/** Run batch `index` of the campaign described by `init` against subjects from `factory`. */
export async function runBatch(
  factory: SubjectFactory,
  init: Pick<WorkerInit, 'campaignSeed' | 'totalRuns' | 'maxCommands'> & Partial<Pick<WorkerInit, 'known'>>,
  index: number,
): Promise<BatchMessage> {
  const seed = batchSeed(init.campaignSeed, index);
  const numRuns = batchRuns(index, init.totalRuns);
  const known = init.known ?? [];
  const knownHits: Record<string, number> = {};
  const byKey = new Map<string, { failure: RunFailure; key: string; repeats: number }>();
  const explore = (f: RunFailure): void => {
    const symptom = symptomOf(f.violation);
    const id = known.length === 0 ? null : matchKnown(symptom, requestCauses(f.header, f.commands, f.violation.step), known);
    if (id !== null) {
      knownHits[id] = (knownHits[id] ?? 0) + 1;
      return;
    }
    const key = symptomKey(symptom);
    const seen = byKey.get(key);
    if (seen !== undefined) seen.repeats++;
    else if (byKey.size < MAX_FAILURES_PER_BATCH) byKey.set(key, { failure: f, key, repeats: 0 });
  };
  const result = await runProperty({
    subjectFactory: factory,
    seed,
    numRuns,
    explore,
    ...(init.maxCommands === null ? {} : { maxCommands: init.maxCommands }),
  });
  const failures: WireFailure[] = [...byKey.values()].map(({ failure: f, key, repeats }) => {
    const v = f.violation;
    const trace = runTrace(f.header, f.commands, { invariant: v.invariant, seed, path: String(f.run) });
    return {
      invariant: v.invariant,
      kind: v.command.cmd,
      detail: symptomOf(v).detail,
      key,
      step: v.step,
      message: v.message.split('\n')[0] ?? v.message,
      trace: toJsonTrace(trace),
      seed,
      path: String(f.run),
      run: f.run,
      at: f.at,
      repeats,
    };
  });
  return {
    type: 'batch',
    index,
    seed,
    runs: result.runs,
    commands: result.commands,
    cases: { ...result.cases },
    kinds: { ...result.kinds },
    failures,
    failedRuns: result.failedRuns,
    knownHits,
    startedAt: result.startedAt,
  };
}
