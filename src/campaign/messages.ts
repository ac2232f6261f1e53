/**
 * What a campaign worker thread tells the main thread. Everything crossing
 * the thread boundary is plain structured-cloneable data: traces travel as
 * the codec's plain JSON, violations as their name, step and message.
 */

import type { KnownMatcher } from '../findings/match.ts';
import type { JsonObject } from '../protocol/codec.ts';
import type { CommandKind } from '../protocol/types.ts';

/** What the main thread hands each worker (as `workerData`). */
export interface WorkerInit {
  /** The `--subject` spec, resolved by the worker itself. */
  readonly subject: string;
  readonly campaignSeed: number;
  readonly worker: number;
  readonly workers: number;
  /** The `--runs` bound, or null. */
  readonly totalRuns: number | null;
  /** Wall-clock deadline (ms since the epoch) after which no batch starts, or null. */
  readonly deadline: number | null;
  readonly maxCommands: number | null;
  /** The known findings, recognised in the worker without anything crossing the thread boundary. */
  readonly known: readonly KnownMatcher[];
  /** Int32Array view index 0: set to 1 by the main thread to stop after the current batch. */
  readonly stop: SharedArrayBuffer;
  /** Time limit of one request to an `exec:` subject (`--step-timeout`), or null for the default. */
  readonly stepTimeoutMs: number | null;
  /**
   * Int32Array of `PID_SLOTS` slots per worker: the pids of the worker's live
   * subject processes, so the main thread can kill them if the worker is
   * terminated before it closes them.
   */
  readonly pids: SharedArrayBuffer;
}

/** Slots per worker in `WorkerInit.pids`. */
export const PID_SLOTS = 4;

/**
 * A failing run as the property found it (explore mode: not shrunk), the
 * first of its batch with this symptom.
 */
export interface WireFailure {
  readonly invariant: string;
  readonly kind: CommandKind;
  /** The symptom's detail and its one-line key (`src/findings/symptom.ts`). */
  readonly detail: string;
  readonly key: string;
  readonly step: number;
  /** First line of the violation's message. */
  readonly message: string;
  /** `toJsonTrace` of the failing run: its header and the commands executed, the failing one last. */
  readonly trace: JsonObject;
  /** The batch's fast-check seed and the replay path of the run (`String(run)`). */
  readonly seed: number;
  readonly path: string;
  /** 0-based number of the failing run in its batch. */
  readonly run: number;
  /** When the run failed, in ms since the epoch (comparable across threads). */
  readonly at: number;
  /** Later runs of the same batch that failed with the same symptom. */
  readonly repeats: number;
}

/** One finished batch. */
export interface BatchMessage {
  readonly type: 'batch';
  readonly index: number;
  readonly seed: number;
  readonly runs: number;
  readonly commands: number;
  readonly cases: Record<string, number>;
  readonly kinds: Record<string, number>;
  /** Each distinct symptom of the batch's failing runs that is not a known finding, in run order. */
  readonly failures: readonly WireFailure[];
  /** Failing runs of the batch, known findings included. */
  readonly failedRuns: number;
  /** Failing runs that were a known finding, per finding id. */
  readonly knownHits: Record<string, number>;
  /** When the batch's first run started executing (ms since the epoch), or null. */
  readonly startedAt: number | null;
}

export interface DoneMessage {
  readonly type: 'done';
}

/** The worker could not go on (the subject failed to load, the property threw). */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

export type WorkerMessage = BatchMessage | DoneMessage | ErrorMessage;
