/**
 * A fuzz campaign: K worker threads running batches of the property on
 * disjoint seed streams (`seeds.ts`), bounded by a number of runs and / or a
 * time, stoppable at any moment (Ctrl-C) after the batches in flight.
 *
 * Batches finish in whatever order the threads make, but the campaign hands
 * them to `onBatch` strictly in batch-number order (holding back early
 * arrivals), so what is done with failures -- deduplication, minimisation,
 * saving -- does not depend on thread timing: the same `--seed` and `--runs`
 * give the same result with any number of workers.
 */

import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { PID_SLOTS, type BatchMessage, type WorkerInit, type WorkerMessage } from './messages.ts';
import { killRecordedPids } from '../exec/registry.ts';
import { batchCount } from './seeds.ts';
import { RUNNING_FROM_SOURCE } from '../module-loader.ts';

export interface CampaignOptions {
  readonly subject: string;
  readonly seed: number;
  readonly workers: number;
  /** Bound on the number of runs, or null. */
  readonly runs: number | null;
  /** Bound on the time in ms, or null (one of the two bounds should be set, or the campaign runs until stopped). */
  readonly timeMs: number | null;
  readonly maxCommands?: number | null;
  /** Time limit of one request to an `exec:` subject, or null / absent for the default. */
  readonly stepTimeoutMs?: number | null;
  /** Each finished batch, in batch-number order; awaited one at a time. */
  readonly onBatch?: (batch: BatchMessage) => void | Promise<void>;
  /** Called a few times a second with the running totals. */
  readonly onProgress?: (totals: CampaignTotals) => void;
}

/** Statistics summed over every batch received so far. */
export interface CampaignTotals {
  runs: number;
  commands: number;
  /** Failing batches. */
  failures: number;
  cases: Record<string, number>;
  kinds: Record<string, number>;
  elapsedMs: number;
}

export interface CampaignResult extends CampaignTotals {
  readonly batches: number;
  /** Stopped early by `stop()` (Ctrl-C). */
  readonly interrupted: boolean;
  /** When the first failure (in batch order) arrived, and the number of the run that failed (1-based, counted over batches in order). */
  readonly firstFailure: { readonly timeMs: number; readonly runs: number } | null;
  /** A worker's fatal error, if any (the campaign stops). */
  readonly error: string | null;
}

/** Add each count of `from` to `into` (missing keys count as 0). */
export function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * The worker thread's entry: from source, `worker-entry.mjs` registers tsx and
 * then imports `worker.ts`; compiled, `worker.js` runs as it is (and registers
 * tsx only if the subject is a `.ts` module).
 */
const WORKER_ENTRY = new URL(RUNNING_FROM_SOURCE ? './worker-entry.mjs' : './worker.js', import.meta.url);

export class Campaign {
  private readonly stopFlag = new SharedArrayBuffer(4);
  private readonly threads: Worker[] = [];
  private interrupted = false;
  /** The workers' subject pids (see `WorkerInit.pids`), once the campaign runs. */
  private pids: SharedArrayBuffer | null = null;

  constructor(private readonly opts: CampaignOptions) {}

  /** Ask every worker to stop after its current batch. Calling it again terminates them at once. */
  stop(): void {
    if (this.interrupted) {
      // Kill the subject processes first: a worker blocked reading a hung subject's reply cannot be terminated.
      if (this.pids !== null) killRecordedPids(new Int32Array(this.pids));
      for (const t of this.threads) void t.terminate();
      return;
    }
    this.interrupted = true;
    Atomics.store(new Int32Array(this.stopFlag), 0, 1);
  }

  /** Run the campaign to its end. */
  async run(): Promise<CampaignResult> {
    const o = this.opts;
    const t0 = performance.now();
    const elapsed = (): number => performance.now() - t0;
    const totals: CampaignTotals = { runs: 0, commands: 0, failures: 0, cases: {}, kinds: {}, elapsedMs: 0 };
    const pending = new Map<number, { batch: BatchMessage; at: number }>();
    let nextIndex = 0;
    let processedRuns = 0;
    let batches = 0;
    let firstFailure: { timeMs: number; runs: number } | null = null;
    let error: string | null = null;
    let chain: Promise<void> = Promise.resolve();

    const handle = async (batch: BatchMessage, at: number): Promise<void> => {
      if (batch.failure !== null && firstFailure === null) {
        firstFailure = { timeMs: Math.round(at), runs: processedRuns + batch.failure.runsBeforeFailure + 1 };
      }
      processedRuns += batch.runs;
      if (o.onBatch !== undefined) await o.onBatch(batch);
    };
    // Hand over, in order, every batch whose predecessors have all been handed over.
    const drain = (all: boolean): void => {
      const ready: { batch: BatchMessage; at: number }[] = [];
      for (;;) {
        let entry = pending.get(nextIndex);
        if (entry === undefined && all && pending.size > 0) {
          nextIndex = Math.min(...pending.keys());
          entry = pending.get(nextIndex);
        }
        if (entry === undefined) break;
        pending.delete(nextIndex);
        nextIndex++;
        ready.push(entry);
      }
      for (const e of ready) {
        chain = chain.then(() => handle(e.batch, e.at));
        // A failing handler stops the workers; its error is rethrown by the final `await chain`
        // (catching here also keeps it from being an unhandled rejection meanwhile).
        chain.catch(() => Atomics.store(new Int32Array(this.stopFlag), 0, 1));
      }
    };

    const progress = o.onProgress === undefined ? null : setInterval(() => o.onProgress?.({ ...totals, elapsedMs: elapsed() }), 250);
    progress?.unref();
    const deadline = o.timeMs === null ? null : Date.now() + o.timeMs;
    // No more threads than batches: a short bounded campaign need not start idle workers.
    const threads = Math.max(1, Math.min(o.workers, batchCount(o.runs)));
    const pids = new SharedArrayBuffer(4 * PID_SLOTS * threads);
    this.pids = pids;
    // Subject processes of a worker that was terminated before it closed them.
    const killLeftovers = (): void => killRecordedPids(new Int32Array(pids));
    process.on('exit', killLeftovers);

    await Promise.all(
      Array.from({ length: threads }, (_, w) => {
        const init: WorkerInit = {
          subject: o.subject,
          campaignSeed: o.seed,
          worker: w,
          workers: threads,
          totalRuns: o.runs,
          deadline,
          maxCommands: o.maxCommands ?? null,
          stop: this.stopFlag,
          stepTimeoutMs: o.stepTimeoutMs ?? null,
          pids,
        };
        return new Promise<void>((resolve) => {
          const thread = new Worker(WORKER_ENTRY, { workerData: init });
          this.threads.push(thread);
          let finished = false;
          thread.on('message', (m: WorkerMessage) => {
            if (m.type === 'batch') {
              batches++;
              totals.runs += m.runs;
              totals.commands += m.commands;
              if (m.failure !== null) totals.failures++;
              addCounts(totals.cases, m.cases);
              addCounts(totals.kinds, m.kinds);
              pending.set(m.index, { batch: m, at: elapsed() });
              drain(false);
            } else if (m.type === 'error') {
              error ??= `worker ${w}: ${m.message}`;
              Atomics.store(new Int32Array(this.stopFlag), 0, 1);
            } else {
              finished = true;
              void thread.terminate();
            }
          });
          thread.on('error', (e: Error) => {
            error ??= `worker ${w}: ${e.message.split('\n')[0] ?? e.message}`;
            Atomics.store(new Int32Array(this.stopFlag), 0, 1);
          });
          thread.on('exit', () => {
            if (!finished && error === null && !this.interrupted) error = `worker ${w} exited unexpectedly`;
            resolve();
          });
        });
      }),
    );
    killLeftovers();
    process.off('exit', killLeftovers);
    totals.elapsedMs = elapsed();
    if (progress !== null) clearInterval(progress);
    o.onProgress?.({ ...totals });
    drain(true);
    await chain;
    return { ...totals, batches, interrupted: this.interrupted, firstFailure, error };
  }
}
