/**
 * A subject process and its line transport (docs/subject-protocol.md
 * section 1): started in a process group of its own, one request line out on
 * its standard input, one reply line back from its standard output, within a
 * time limit. Its standard error is kept (the last lines) for reports, and
 * passed through when `GPUVM_CHECK_SUBJECT_STDERR=inherit`.
 *
 * The transport is synchronous: standard input and output are named pipes
 * (FIFOs, made with `mkfifo`) that this side holds in blocking mode, so a
 * request is one write(2) and the reply one read(2) -- no event-loop turn, no
 * promise, about three times faster than a stream round trip, and the step
 * runner's synchronous path stays synchronous. Because the thread blocks
 * while it waits, a watchdog thread (`watchdog-worker.mjs`) enforces the time
 * limit (it kills the process group, which ends the read) and drains standard
 * error. Only the rare end of a process (a crash, a hang, a close) waits on
 * the event loop, for the exit status.
 *
 * The process's handles do not keep the harness alive. Every process is
 * recorded in the registry (`registry.ts`) so that none outlives the harness.
 */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SubjectCrashedError, SubjectHungError } from '../protocol/subject-errors.ts';
import { LineReader, writeLine } from './line-io.ts';
import { forget, remember } from './registry.ts';

/** Lines of standard error kept for reports. */
export const STDERR_LINES = 50;

/** How long `close` waits for the process to exit before killing its group. */
export const CLOSE_GRACE_MS = 1000;

/** How long, after the end of its output, the harness waits for a dying process's exit status. */
const EXIT_WAIT_MS = 1000;

/**
 * The shared state of the watchdog: indices into an Int32Array (handed to
 * watchdog-worker.mjs as `slots`). PENDING: the number of the request being
 * waited for, 0 for none; TIMEOUT: its time limit (ms); KILLED: the request
 * the watchdog killed the group for; ERR_TOTAL: bytes of standard error read
 * (mod 2^30); STOP: 1 when the watchdog is to end; ERR_ENDED: 1 at the end of
 * standard error; FIRST_LEN: bytes kept of its beginning.
 */
const SLOTS = { PENDING: 0, TIMEOUT: 1, KILLED: 2, ERR_TOTAL: 3, STOP: 4, ERR_ENDED: 5, FIRST_LEN: 6 } as const;
const STATE_PENDING = SLOTS.PENDING;
const STATE_TIMEOUT = SLOTS.TIMEOUT;
const STATE_KILLED = SLOTS.KILLED;
const STATE_ERR_TOTAL = SLOTS.ERR_TOTAL;
const STATE_STOP = SLOTS.STOP;
const STATE_ERR_ENDED = SLOTS.ERR_ENDED;
const STATE_FIRST_LEN = SLOTS.FIRST_LEN;
const STATE_SLOTS = 8;
const RING_BYTES = 32 * 1024;
const FIRST_BYTES = 1024;
const WATCHDOG = new URL('./watchdog-worker.mjs', import.meta.url);

/** Why `start` failed before the process ran (program not found, not executable). */
export class SpawnError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SpawnError';
    this.code = code;
  }
}

interface Fifos {
  /** Ours: requests (opened read-write, so opening never blocks and writing never gets EPIPE). */
  readonly reqW: number;
  /** Ours: replies, blocking. */
  readonly repR: number;
  /** Ours, non-blocking: the subject's standard error (handed to the watchdog). */
  readonly errR: number;
  /** The subject's standard input, output and error (closed here once it has them). */
  readonly child: readonly [number, number, number];
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // closed already
  }
}

/** Three FIFOs in a fresh directory, opened so that no open blocks; the directory is removed at once. */
function makeFifos(): Fifos {
  const dir = mkdtempSync(join(tmpdir(), 'gpuvm-check-subject-'));
  try {
    const [req, rep, err] = ['in', 'out', 'err'].map((n) => join(dir, n)) as [string, string, string];
    try {
      execFileSync('mkfifo', ['-m', '600', req, rep, err], { stdio: 'ignore' });
    } catch (e) {
      throw new SpawnError('ENOFIFO', `cannot make its pipes: mkfifo failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
    const reqW = openSync(req, constants.O_RDWR);
    const childIn = openSync(req, constants.O_RDONLY); // a writer exists: does not block
    const repProbe = openSync(rep, constants.O_RDONLY | constants.O_NONBLOCK);
    const childOut = openSync(rep, constants.O_WRONLY); // a reader exists: does not block
    const repR = openSync(rep, constants.O_RDONLY); // a writer exists: does not block; blocking reads
    closeSync(repProbe);
    const errR = openSync(err, constants.O_RDONLY | constants.O_NONBLOCK);
    const childErr = openSync(err, constants.O_WRONLY);
    return { reqW, repR, errR, child: [childIn, childOut, childErr] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One running subject process. `request` sends a line and returns the reply
 * line; when the process ends first it returns a promise that rejects with
 * `SubjectCrashedError`, or with `SubjectHungError` when the watchdog killed
 * the process group because no reply came in time. After either, the process
 * is dead for good.
 */
export class SubjectProcess {
  readonly argv: readonly string[];
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly fifos: Fifos;
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * STATE_SLOTS));
  private readonly start = new Float64Array(new SharedArrayBuffer(8));
  private readonly ring = new Uint8Array(new SharedArrayBuffer(RING_BYTES));
  private readonly first = new Uint8Array(new SharedArrayBuffer(FIRST_BYTES));
  private readonly watchdog: Worker;
  private readonly reader: LineReader;
  private seq = 0;
  private exited: { code: number | null; signal: string | null } | null = null;
  private dead = false;
  private ended = false;
  private readonly exitWaiters: (() => void)[] = [];

  private constructor(argv: readonly string[], child: ChildProcess, fifos: Fifos) {
    this.argv = argv;
    this.child = child;
    this.fifos = fifos;
    this.pid = child.pid as number;
    this.reader = new LineReader(fifos.repR);
    remember(this.pid);
    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.unref();
    this.watchdog = new Worker(WATCHDOG, {
      workerData: {
        slots: SLOTS,
        state: this.state,
        start: this.start,
        ring: this.ring,
        first: this.first,
        errFd: fifos.errR,
        pid: this.pid,
        inherit: process.env['GPUVM_CHECK_SUBJECT_STDERR'] === 'inherit',
        tickMs: 20,
      },
    });
    this.watchdog.unref();
    this.watchdog.on('error', () => undefined);
    // The watchdog reads standard error until it stops; then the descriptor is ours to close.
    this.watchdog.on('exit', () => closeQuietly(fifos.errR));
  }

  /**
   * Starts `argv` (program and arguments) in a new process group. Resolves
   * once the process runs; rejects with `SpawnError` when it cannot be
   * started (its `code` is the errno, e.g. `ENOENT`, `EACCES`).
   */
  static start(argv: readonly string[]): Promise<SubjectProcess> {
    const [program, ...args] = argv;
    return new Promise((resolve, reject) => {
      let fifos: Fifos;
      try {
        fifos = makeFifos();
      } catch (e) {
        reject(e instanceof SpawnError ? e : new SpawnError('EIO', String(e)));
        return;
      }
      const closeOurs = (): void => [fifos.reqW, fifos.repR, fifos.errR].forEach(closeQuietly);
      let child: ChildProcess;
      try {
        child = spawn(program as string, args, { detached: true, stdio: [...fifos.child] });
      } catch (e) {
        fifos.child.forEach(closeQuietly);
        closeOurs();
        reject(new SpawnError('EINVAL', e instanceof Error ? e.message : String(e)));
        return;
      }
      fifos.child.forEach(closeQuietly);
      const onError = (e: NodeJS.ErrnoException): void => {
        closeOurs();
        reject(new SpawnError(e.code ?? 'UNKNOWN', e.message));
      };
      child.once('error', onError);
      child.once('spawn', () => {
        child.off('error', onError);
        child.on('error', () => undefined);
        resolve(new SubjectProcess(argv, child, fifos));
      });
    });
  }

  /** Whether the process can still take requests. */
  get alive(): boolean {
    return !this.dead;
  }

  /** The last lines it wrote on standard error (a line still being written included). */
  stderrTail(): string[] {
    const total = Atomics.load(this.state, STATE_ERR_TOTAL);
    const n = Math.min(total, RING_BYTES);
    const bytes = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) bytes[i] = this.ring[(total - n + i + RING_BYTES) % RING_BYTES] as number;
    const lines = bytes.toString('utf8').split('\n');
    if (n === RING_BYTES) lines.shift(); // cut off in the middle
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-STDERR_LINES).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  /** The first line it wrote on standard error, or null. */
  firstStderrLine(): string | null {
    const n = Atomics.load(this.state, STATE_FIRST_LEN);
    if (n === 0) return null;
    const line = Buffer.from(this.first.subarray(0, n)).toString('utf8').split('\n')[0] as string;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  /**
   * Sends `line` (one JSON request, without the newline) and returns the
   * next line the process writes on standard output, blocking until it
   * comes. `what` names the request in errors (`exec of command 3`).
   */
  request(line: string, what: string, timeoutMs: number): string | Promise<never> {
    if (this.dead) return Promise.reject(this.crashed(what));
    const seq = ++this.seq;
    this.start[0] = Date.now();
    Atomics.store(this.state, STATE_TIMEOUT, timeoutMs);
    Atomics.store(this.state, STATE_PENDING, seq);
    try {
      writeLine(this.fifos.reqW, line);
      const reply = this.readEnd();
      if (reply !== null) return reply;
    } finally {
      Atomics.store(this.state, STATE_PENDING, 0);
    }
    // End of output: the process is dying (or was killed by the watchdog).
    this.dead = true;
    const hung = Atomics.load(this.state, STATE_KILLED) === seq;
    return this.settled().then(() => {
      throw hung ? new SubjectHungError(what, timeoutMs, this.stderrTail()) : this.crashed(what);
    });
  }

  /** How the process ended (null while it runs, or before its end has been seen). */
  get exitStatus(): { readonly code: number | null; readonly signal: string | null } | null {
    return this.exited;
  }

  /** Closes its standard input (it should then exit); no more requests. */
  endInput(): void {
    this.dead = true;
    if (!this.ended) {
      this.ended = true;
      closeQuietly(this.fifos.reqW);
    }
  }

  /** Kills the whole process group at once (SIGKILL). */
  kill(): void {
    killGroup(this.pid);
    this.dead = true;
  }

  /**
   * Ends the process: writes `closeLine` (if it is still alive) and reads its
   * reply, closes its standard input, waits up to {@link CLOSE_GRACE_MS} for
   * it to exit, then kills its process group. Never rejects.
   */
  async close(closeLine: string | null): Promise<void> {
    if (!this.dead && closeLine !== null) {
      try {
        await this.request(closeLine, 'close', CLOSE_GRACE_MS);
      } catch {
        // A subject that does not answer `close` is killed below.
      }
    }
    const open = !this.ended;
    this.endInput();
    await this.waitExit(CLOSE_GRACE_MS);
    if (open) closeQuietly(this.fifos.repR);
    killGroup(this.pid); // whatever it left behind in its group
    forget(this.pid);
    Atomics.store(this.state, STATE_STOP, 1);
  }

  /** The reply line, or null when the output ended (or can no longer be read). */
  private readEnd(): string | null {
    try {
      return this.reader.next();
    } catch {
      return null;
    }
  }

  /** After the end of output: the exit status and the rest of standard error, or a second at most. */
  private async settled(): Promise<void> {
    await this.waitExit(EXIT_WAIT_MS);
    if (this.exited === null) killGroup(this.pid);
    // The watchdog (which may still be starting) reads standard error to its end.
    for (let i = 0; i < 100 && Atomics.load(this.state, STATE_ERR_ENDED) === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!this.ended) {
      this.ended = true;
      closeQuietly(this.fifos.reqW);
      closeQuietly(this.fifos.repR);
    }
  }

  private waitExit(ms: number): Promise<void> {
    if (this.exited !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.exitWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private crashed(what: string): SubjectCrashedError {
    const e = this.exited;
    return new SubjectCrashedError(what, e?.code ?? null, e?.signal ?? null, this.stderrTail());
  }

  private onExit(code: number | null, signal: string | null): void {
    this.exited = { code, signal };
    this.dead = true;
    killGroup(this.pid);
    forget(this.pid);
    for (const w of this.exitWaiters.splice(0)) w();
    // The watchdog drains what is left of standard error, then ends.
    setTimeout(() => Atomics.store(this.state, STATE_STOP, 1), 200).unref();
  }
}

/** SIGKILL to the process group `pid` leads (nothing if it is gone). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already.
  }
}
