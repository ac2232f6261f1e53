/**
 * One campaign against one fault: the campaign engine's batches (`runBatch`,
 * seeded from one campaign seed exactly as `gpuvm-check fuzz` seeds them), run
 * in-process one after another until the first failure or until the time
 * budget is spent; then the failure is minimised with the CLI's minimiser.
 */
import { performance } from 'node:perf_hooks';
import { runBatch } from '../campaign/batch.ts';
import { replayOracle } from '../campaign/replay-env.ts';
import { minimizeTrace } from '../minimize/minimize-trace.ts';
import { decodeTraceValue } from '../protocol/codec.ts';
import type { CommandKind, SubjectFactory, Trace } from '../protocol/types.ts';

export interface FaultCampaignOptions {
  /** The fault under test. */
  readonly subjectFactory: SubjectFactory;
  /** The oracle (the reference model), for minimisation. */
  readonly modelFactory: SubjectFactory;
  /** The campaign seed. */
  readonly seed: number;
  /** No new batch starts after this many milliseconds. */
  readonly budgetMs: number;
  /** Bound on the minimiser's replays. */
  readonly maxMinimizeTests?: number;
}

/** What one campaign found. */
export interface FaultCampaignResult {
  readonly seed: number;
  readonly detected: boolean;
  /** Milliseconds from the campaign's start until the failing batch returned (fast-check's shrinking included). */
  readonly timeMs: number | null;
  /** The 1-based number of the failing run, counted over the batches in order. */
  readonly runsToFailure: number | null;
  /** Runs executed in all. */
  readonly runs: number;
  readonly invariant: string | null;
  readonly kind: CommandKind | null;
  /** First line of the violation's message. */
  readonly message: string | null;
  /** fast-check's shrunk counterexample. */
  readonly trace: Trace | null;
  /** The minimised trace (null when not detected, or when minimisation lost the failure). */
  readonly minimized: Trace | null;
  readonly elapsedMs: number;
}

/** Runs the campaign described by `opts`. Rejects only when the harness itself breaks. */
export async function runFaultCampaign(opts: FaultCampaignOptions): Promise<FaultCampaignResult> {
  const t0 = performance.now();
  const init = { campaignSeed: opts.seed, totalRuns: null, maxCommands: null };
  let runs = 0;
  for (let index = 0; performance.now() - t0 < opts.budgetMs; index++) {
    const batch = await runBatch(opts.subjectFactory, init, index);
    const f = batch.failure;
    if (f === null) {
      runs += batch.runs;
      continue;
    }
    const timeMs = performance.now() - t0;
    const runsToFailure = runs + f.runsBeforeFailure + 1;
    const trace = decodeTraceValue(f.trace, `zoo seed ${opts.seed} batch ${index}`);
    const oracle = replayOracle({ subjectFactory: opts.subjectFactory, modelFactory: opts.modelFactory });
    const min = await minimizeTrace(trace, oracle, { maxTests: opts.maxMinimizeTests ?? 2000 });
    return {
      seed: opts.seed,
      detected: true,
      timeMs,
      runsToFailure,
      runs: runs + batch.runs,
      invariant: f.invariant,
      kind: f.kind,
      message: f.message,
      trace,
      minimized: min === null ? null : min.trace,
      elapsedMs: performance.now() - t0,
    };
  }
  return {
    seed: opts.seed,
    detected: false,
    timeMs: null,
    runsToFailure: null,
    runs,
    invariant: null,
    kind: null,
    message: null,
    trace: null,
    minimized: null,
    elapsedMs: performance.now() - t0,
  };
}
