// The watchdog of one subject process (see process.ts), in a thread of its
// own because the thread that talks to the subject blocks in read(2) while it
// waits for a reply:
// - it kills the subject's process group (SIGKILL) when a request has been
//   pending longer than its time limit, and records which request it killed;
// - it drains the subject's standard error into a shared ring buffer (the
//   last bytes, for reports) and keeps its first bytes (for handshake
//   errors), passing it through to our standard error when asked to.
// Shared state layout: see the STATE_* constants in process.ts.
import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { workerData } from 'node:worker_threads';

const { state, start, ring, first, errFd, pid, inherit, tickMs } = workerData;
const PENDING = 0;
const TIMEOUT = 1;
const KILLED = 2;
const ERR_TOTAL = 3;
const STOP = 4;
const ERR_ENDED = 5;
const FIRST_LEN = 6;

const err = new Socket({ fd: errFd, readable: true, writable: false });
err.on('data', (chunk) => {
  if (inherit) {
    try {
      writeSync(2, chunk);
    } catch {
      // our own standard error is gone: nothing to pass through to
    }
  }
  let filled = Atomics.load(state, FIRST_LEN);
  if (filled < first.length) {
    const n = Math.min(first.length - filled, chunk.length);
    first.set(chunk.subarray(0, n), filled);
    Atomics.store(state, FIRST_LEN, filled + n);
  }
  const total = Atomics.load(state, ERR_TOTAL);
  for (let i = 0; i < chunk.length; i++) ring[(total + i) % ring.length] = chunk[i];
  Atomics.store(state, ERR_TOTAL, (total + chunk.length) % 0x40000000);
});
const ended = () => Atomics.store(state, ERR_ENDED, 1);
err.on('end', ended);
err.on('close', ended);
err.on('error', ended);

const timer = setInterval(() => {
  if (Atomics.load(state, STOP) !== 0) {
    clearInterval(timer);
    err.destroy();
    return;
  }
  const seq = Atomics.load(state, PENDING);
  if (seq !== 0 && Date.now() - start[0] > Atomics.load(state, TIMEOUT)) {
    Atomics.store(state, KILLED, seq);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
}, tickMs);
