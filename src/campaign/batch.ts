/**
 * One batch of a campaign: the property run `batchRuns(index)` times with the
 * fast-check seed `batchSeed(campaignSeed, index)`, its statistics, and the
 * shrunk counterexample when it failed, as plain data for the main thread.
 */

import { runProperty } from '../../properties/index.ts';
import { toJsonTrace } from '../protocol/codec.ts';
import type { SubjectFactory } from '../protocol/types.ts';
import type { BatchMessage, WorkerInit } from './messages.ts';
import { batchRuns, batchSeed } from './seeds.ts';

/** Run batch `index` of the campaign described by `init` against subjects from `factory`. */
export async function runBatch(
  factory: SubjectFactory,
  init: Pick<WorkerInit, 'campaignSeed' | 'totalRuns' | 'maxCommands'>,
  index: number,
): Promise<BatchMessage> {
  const seed = batchSeed(init.campaignSeed, index);
  const numRuns = batchRuns(index, init.totalRuns);
  const result = await runProperty({
    subjectFactory: factory,
    seed,
    numRuns,
    ...(init.maxCommands === null ? {} : { maxCommands: init.maxCommands }),
  });
  const f = result.failure;
  return {
    type: 'batch',
    index,
    seed,
    runs: result.runs,
    commands: result.commands,
    cases: { ...result.cases },
    kinds: { ...result.kinds },
    failure:
      f === null
        ? null
        : {
            invariant: f.violation.invariant,
            kind: f.violation.command.cmd,
            step: f.violation.step,
            message: f.violation.message.split('\n')[0] ?? f.violation.message,
            trace: toJsonTrace(f.trace),
            seed: f.seed,
            path: f.path,
            runsBeforeFailure: f.runsBeforeFailure,
          },
  };
}
