/**
 * One campaign against one fault: the campaign engine's batches (`runBatch`,
 * seeded from one campaign seed exactly as `gpuvm-check fuzz` seeds them), run
 * in-process one after another until the first failure or until the time
 * budget is spent; then the failing run is minimised with the CLI's minimiser.
 * Times count from the first command executed, as `fuzz` and `check` count
 * them; the start-up before it is reported apart.
 */
import { clockMs } from '../../properties/index.ts';
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
  /** Milliseconds from the campaign's first command until its first failing run failed (no shrinking: batches run in explore mode). */
  readonly timeMs: number | null;
  /** Milliseconds from the campaign's start until its first command (null: none ran). */
  readonly startupMs: number | null;
  /** The 1-based number of the failing run, counted over the batches in order. */
  readonly runsToFailure: number | null;
  /** Runs executed in all. */
  readonly runs: number;
  readonly invariant: string | null;
  readonly kind: CommandKind | null;
  /** First line of the violation's message. */
  readonly message: string | null;
  /** The first failing run, as executed. */
  readonly trace: Trace | null;
  /** The minimised trace (null when not detected, or when minimisation lost the failure). */
  readonly minimized: Trace | null;
  readonly elapsedMs: number;
}

/** Runs the campaign described by `opts`. Rejects only when the harness itself breaks. */
export async function runFaultCampaign(opts: FaultCampaignOptions): Promise<FaultCampaignResult> {
  const t0 = clockMs();
  const init = { campaignSeed: opts.seed, totalRuns: null, maxCommands: null };
  let runs = 0;
  let startedAt: number | null = null;
  const startupMs = (): number | null => (startedAt === null ? null : startedAt - t0);
  for (let index = 0; clockMs() - t0 < opts.budgetMs; index++) {
    const batch = await runBatch(opts.subjectFactory, init, index);
    startedAt ??= batch.startedAt;
    const f = batch.failures[0];
    if (f === undefined) {
      runs += batch.runs;
      continue;
    }
    const timeMs = f.at - (startedAt ?? f.at);
    const runsToFailure = runs + f.run + 1;
    const trace = decodeTraceValue(f.trace, `zoo seed ${opts.seed} batch ${index}`);
    const oracle = replayOracle({ subjectFactory: opts.subjectFactory, modelFactory: opts.modelFactory });
    const min = await minimizeTrace(trace, oracle, { maxTests: opts.maxMinimizeTests ?? 2000 });
    return {
      seed: opts.seed,
      detected: true,
      timeMs,
      startupMs: startupMs(),
      runsToFailure,
      runs: runs + batch.runs,
      invariant: f.invariant,
      kind: f.kind,
      message: f.message,
      trace,
      minimized: min === null ? null : min.trace,
      elapsedMs: clockMs() - t0,
    };
  }
  return {
    seed: opts.seed,
    detected: false,
    timeMs: null,
    startupMs: startupMs(),
    runsToFailure: null,
    runs,
    invariant: null,
    kind: null,
    message: null,
    trace: null,
    minimized: null,
    elapsedMs: clockMs() - t0,
  };
}
