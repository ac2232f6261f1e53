// The watchdog of one subject process (see process.ts), in a thread of its
// own because the thread that talks to the subject blocks in read(2) while it
// waits for a reply:
// - it kills the subject's process group (SIGKILL) when a request has been
//   pending longer than its time limit, and records which request it killed;
// - every tick it drains the subject's standard error (a non-blocking FIFO)
//   into a shared ring buffer (the last bytes, for reports) and keeps its
//   first bytes (for handshake errors), passing it through to our standard
//   error when asked to.
// Shared state layout: `slots` in process.ts.
import { readSync, writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { slots, state, start, ring, first, errFd, pid, inherit, tickMs } = workerData;
const { PENDING, TIMEOUT, KILLED, ERR_TOTAL, STOP, ERR_ENDED, FIRST_LEN } = slots;

const chunk = Buffer.alloc(16 * 1024);
let errOpen = true;

/** Reads what the subject wrote on standard error since the last tick (the descriptor is non-blocking). */
function drain() {
  while (errOpen) {
    let n;
    try {
      n = readSync(errFd, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK' || e.code === 'EINTR') return;
      n = 0;
    }
    if (n === 0) {
      errOpen = false;
      Atomics.store(state, ERR_ENDED, 1);
      return;
    }
    keep(chunk.subarray(0, n));
  }
}

function keep(bytes) {
  if (inherit) {
    try {
      writeSync(2, bytes);
    } catch {
      // our own standard error is gone: nothing to pass through to
    }
  }
  const filled = Atomics.load(state, FIRST_LEN);
  if (filled < first.length) {
    const n = Math.min(first.length - filled, bytes.length);
    first.set(bytes.subarray(0, n), filled);
    Atomics.store(state, FIRST_LEN, filled + n);
  }
  const total = Atomics.load(state, ERR_TOTAL);
  for (let i = 0; i < bytes.length; i++) ring[(total + i) % ring.length] = bytes[i];
  Atomics.store(state, ERR_TOTAL, (total + bytes.length) % 0x40000000);
}

const timer = setInterval(() => {
  drain();
  if (Atomics.load(state, STOP) !== 0) {
    // The thread ends; its owner closes the descriptor once it has (it opened it).
    errOpen = false;
    clearInterval(timer);
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
