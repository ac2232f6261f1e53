/**
 * Seed streams: how a campaign's one `--seed` becomes the fast-check seed of
 * every batch, and how batches are dealt to workers.
 *
 * A campaign is a sequence of batches numbered 0, 1, 2, ... Batch i runs the
 * property with the fast-check seed `batchSeed(campaignSeed, i)`, derived
 * with seedrandom from the campaign seed and the batch number only. Worker w
 * of K runs batches w, w + K, w + 2K, ...: the streams are disjoint, and a
 * run bounded by `--runs` does exactly the same batches whatever K is, so the
 * same `--seed` and `--runs` always give the same result.
 */

import seedrandom from 'seedrandom';

/** Runs per batch: small enough for prompt progress and stopping, large enough to amortise setup. */
export const BATCH_RUNS = 25;

/** The fast-check seed of batch `index` of the campaign seeded with `campaignSeed` (a signed 32-bit integer). */
export function batchSeed(campaignSeed: number, index: number): number {
  return seedrandom(`gpuvm-check/${campaignSeed}/${index}`).int32();
}

/** How many runs batch `index` does when the campaign is bounded to `totalRuns` (null: unbounded). */
export function batchRuns(index: number, totalRuns: number | null, perBatch = BATCH_RUNS): number {
  if (totalRuns === null) return perBatch;
  return Math.max(0, Math.min(perBatch, totalRuns - index * perBatch));
}

/** Number of batches a campaign bounded to `totalRuns` runs (null: unbounded). */
export function batchCount(totalRuns: number | null, perBatch = BATCH_RUNS): number {
  return totalRuns === null ? Number.POSITIVE_INFINITY : Math.ceil(totalRuns / perBatch);
}

/** The batch numbers worker `worker` of `workers` runs, in order, up to `count` (may be infinite). */
export function* workerBatches(worker: number, workers: number, count: number): Generator<number> {
  for (let i = worker; i < count; i += workers) yield i;
}
