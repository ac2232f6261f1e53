/**
 * What a campaign worker thread tells the main thread. Everything crossing
 * the thread boundary is plain structured-cloneable data: traces travel as
 * the codec's plain JSON, violations as their name, step and message.
 */

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

/** A failure as the property found it (shrunk by fast-check, not yet minimised). */
export interface WireFailure {
  readonly invariant: string;
  readonly kind: CommandKind;
  readonly step: number;
  readonly message: string;
  /** `toJsonTrace` of the shrunk counterexample. */
  readonly trace: JsonObject;
  /** The fast-check seed and path that reproduce it. */
  readonly seed: number;
  readonly path: string;
  /** Runs of this batch that passed before the failing one. */
  readonly runsBeforeFailure: number;
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
  readonly failure: WireFailure | null;
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
