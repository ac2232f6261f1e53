/**
 * A campaign worker: runs its share of the batches (see `seeds.ts`) and
 * posts one `BatchMessage` per batch, then `done`. It stops before the next
 * batch when the shared stop flag is set or the deadline has passed.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { runBatch } from './batch.ts';
import type { WorkerInit, WorkerMessage } from './messages.ts';
import { batchCount, workerBatches } from './seeds.ts';
import { resolveSubject } from '../subjects.ts';
import { closeExecSubjects } from '../exec/factory.ts';
import { recordPidsIn } from '../exec/registry.ts';
import { PID_SLOTS } from './messages.ts';

async function work(init: WorkerInit): Promise<void> {
  const post = (m: WorkerMessage): void => parentPort?.postMessage(m);
  const stop = new Int32Array(init.stop);
  recordPidsIn(new Int32Array(init.pids), init.worker * PID_SLOTS, PID_SLOTS);
  let last: WorkerMessage = { type: 'done' };
  try {
    const factory = await resolveSubject(init.subject, init.stepTimeoutMs === null ? {} : { stepTimeoutMs: init.stepTimeoutMs });
    for (const index of workerBatches(init.worker, init.workers, batchCount(init.totalRuns))) {
      if (Atomics.load(stop, 0) !== 0) break;
      if (init.deadline !== null && Date.now() >= init.deadline) break;
      post(await runBatch(factory, init, index));
    }
  } catch (e) {
    last = { type: 'error', message: e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e) };
  }
  // The subject processes (one per worker, kept across batches) end with the worker.
  await closeExecSubjects();
  post(last);
}

await work(workerData as WorkerInit);
