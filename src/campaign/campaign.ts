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

import { Worker } from 'node:worker_threads';
import { clockMs } from '../../properties/index.ts';
import type { KnownMatcher } from '../findings/match.ts';
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
  /** Known findings the workers recognise (and only count) on their own. */
  readonly known?: readonly KnownMatcher[];
  /**
   * Each finished batch, in batch-number order; awaited one at a time. Returning
   * `'stop'` ends the campaign there: the workers stop after their current
   * batch, and later batches are neither handed over nor counted.
   */
  readonly onBatch?: (batch: BatchMessage) => void | 'stop' | Promise<void | 'stop'>;
  /** Called a few times a second with the running totals. */
  readonly onProgress?: (totals: CampaignTotals) => void;
}

/** Statistics summed over batches (in progress reports: every batch received so far). */
export interface CampaignTotals {
  runs: number;
  commands: number;
  /** Failing runs, known findings included. */
  failedRuns: number;
  cases: Record<string, number>;
  kinds: Record<string, number>;
  elapsedMs: number;
}

/**
 * The totals of the batches handed to `onBatch` (all of them, unless it
 * stopped the campaign: then those up to the stopping one).
 */
export interface CampaignResult extends CampaignTotals {
  readonly batches: number;
  /** Stopped early by `stop()` (Ctrl-C). */
  readonly interrupted: boolean;
  /** Stopped by `onBatch` returning `'stop'` (e.g. `--stop-on-first`). */
  readonly stopped: boolean;
  /** When the campaign started and when its first command ran (ms since the epoch; null: none ran). */
  readonly startAt: number;
  readonly firstCommandAt: number | null;
  /** Start-up: from the campaign's start to its first command (worker threads, module loading); null when none ran. */
  readonly startupMs: number | null;
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
    const startAt = clockMs();
    const elapsed = (): number => clockMs() - startAt;
    const emptyTotals = (): CampaignTotals => ({ runs: 0, commands: 0, failedRuns: 0, cases: {}, kinds: {}, elapsedMs: 0 });
    const add = (into: CampaignTotals, b: BatchMessage): void => {
      into.runs += b.runs;
      into.commands += b.commands;
      into.failedRuns += b.failedRuns;
      addCounts(into.cases, b.cases);
      addCounts(into.kinds, b.kinds);
    };
    // `arrived` feeds the progress line; `totals` counts what was handed over, in order.
    const arrived = emptyTotals();
    const totals = emptyTotals();
    const pending = new Map<number, BatchMessage>();
    let nextIndex = 0;
    let batches = 0;
    let stopped = false;
    let firstCommandAt: number | null = null;
    let error: string | null = null;
    let chain: Promise<void> = Promise.resolve();

    const handle = async (batch: BatchMessage): Promise<void> => {
      if (stopped) return;
      batches++;
      add(totals, batch);
      if (batch.startedAt !== null) firstCommandAt = Math.min(firstCommandAt ?? batch.startedAt, batch.startedAt);
      if (o.onBatch !== undefined && (await o.onBatch(batch)) === 'stop') {
        stopped = true;
        Atomics.store(new Int32Array(this.stopFlag), 0, 1);
      }
    };
    // Hand over, in order, every batch whose predecessors have all been handed over.
    const drain = (all: boolean): void => {
      const ready: BatchMessage[] = [];
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
        chain = chain.then(() => handle(e));
        // A failing handler stops the workers; its error is rethrown by the final `await chain`
        // (catching here also keeps it from being an unhandled rejection meanwhile).
        chain.catch(() => Atomics.store(new Int32Array(this.stopFlag), 0, 1));
      }
    };

    const progress = o.onProgress === undefined ? null : setInterval(() => o.onProgress?.({ ...arrived, elapsedMs: elapsed() }), 250);
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
          known: o.known ?? [],
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
              add(arrived, m);
              pending.set(m.index, m);
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
    arrived.elapsedMs = elapsed();
    if (progress !== null) clearInterval(progress);
    o.onProgress?.({ ...arrived });
    drain(true);
    await chain;
    totals.elapsedMs = arrived.elapsedMs;
    const startupMs = firstCommandAt === null ? null : Math.max(0, firstCommandAt - startAt);
    return { ...totals, batches, interrupted: this.interrupted, stopped, startAt, firstCommandAt, startupMs, error };
  }
}
