/**
 * Every subject process this thread started and has not yet seen end, so
 * that none outlives the harness: their process groups are killed when the
 * thread's process exits (normally or by `process.exit`), and in the main
 * thread on SIGINT, SIGTERM and SIGHUP when nothing else handles the signal
 * (the signal is then raised again, so the harness still ends the way it
 * would have).
 *
 * A worker thread that is terminated abruptly runs no exit handler, so a
 * campaign also hands each worker a shared pid table ({@link recordPidsIn}):
 * the worker writes its live subject pids there and the main thread kills
 * whatever is left in it once the worker is gone ({@link killRecordedPids}).
 */

import { isMainThread } from 'node:worker_threads';

const live = new Set<number>();
let table: { readonly pids: Int32Array; readonly from: number; readonly count: number } | null = null;
let installed = false;

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  const others = process.listeners(signal).filter((l) => l !== handlers[signal]);
  if (others.length > 0) return; // someone else (a campaign) handles it and will close its subjects
  killAll();
  uninstallSignals();
  process.kill(process.pid, signal);
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const handlers: Partial<Record<NodeJS.Signals, () => void>> = {};

function uninstallSignals(): void {
  for (const s of SIGNALS) {
    const h = handlers[s];
    if (h !== undefined) process.off(s, h);
    delete handlers[s];
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  if (isMainThread) {
    for (const s of SIGNALS) {
      const h = (): void => onSignal(s);
      handlers[s] = h;
      process.on(s, h);
    }
  }
}

function writeTable(): void {
  if (table === null) return;
  const pids = [...live];
  for (let i = 0; i < table.count; i++) Atomics.store(table.pids, table.from + i, pids[i] ?? 0);
}

/** Records a process group leader this thread started. */
export function remember(pid: number): void {
  if (live.size === 0) install();
  live.add(pid);
  writeTable();
}

/** Forgets a process that has ended (its group was killed). */
export function forget(pid: number): void {
  live.delete(pid);
  writeTable();
}

/** The pids this thread's live subject processes have (for tests and diagnostics). */
export function livePids(): readonly number[] {
  return [...live];
}

/**
 * Worker side: keep `pids[from .. from + count)` equal to the live subject
 * pids of this thread (0 for a free slot).
 */
export function recordPidsIn(pids: Int32Array, from: number, count: number): void {
  table = { pids, from, count };
  writeTable();
}

/** Main side: kill the process group of every pid left in `pids` and clear them. */
export function killRecordedPids(pids: Int32Array): void {
  for (let i = 0; i < pids.length; i++) {
    const pid = Atomics.exchange(pids, i, 0);
    if (pid > 0) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}
