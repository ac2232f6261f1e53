/**
 * A subject process and its line transport (docs/subject-protocol.md
 * section 1): started in a process group of its own with pipes for standard
 * input and output, one request line out, one reply line back, within a time
 * limit. Standard error is kept (the last lines) for reports, and passed
 * through when `GPUVM_CHECK_SUBJECT_STDERR=inherit`.
 *
 * The process's handles do not keep the harness alive (they are unref'd);
 * the timer of a pending request does. Every process is recorded in the
 * registry (`registry.ts`) so that none outlives the harness.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SubjectCrashedError, SubjectHungError } from '../protocol/subject-errors.ts';
import { forget, remember } from './registry.ts';

/** Lines of standard error kept for reports. */
export const STDERR_LINES = 50;

/** How long `close` waits for the process to exit before killing its group. */
export const CLOSE_GRACE_MS = 1000;

interface Pending {
  readonly what: string;
  readonly resolve: (line: string) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly timeoutMs: number;
}

/** Why `start` failed before the process ran (program not found, not executable). */
export class SpawnError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SpawnError';
    this.code = code;
  }
}

/**
 * One running subject process. `request` sends a line and resolves with the
 * reply line; it rejects with `SubjectCrashedError` when the process exits
 * first and with `SubjectHungError` (after killing the process group) when no
 * line comes in time. After either, the process is dead for good.
 */
export class SubjectProcess {
  readonly argv: readonly string[];
  readonly pid: number;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly errLines: string[] = [];
  private readonly passStderr: boolean;
  private out = '';
  private errPartial = '';
  private pending: Pending | null = null;
  private exited: { code: number | null; signal: string | null } | null = null;
  private dead = false;
  private readonly exitWaiters: (() => void)[] = [];

  private constructor(argv: readonly string[], child: ChildProcessWithoutNullStreams) {
    this.argv = argv;
    this.child = child;
    this.pid = child.pid as number;
    this.passStderr = process.env['GPUVM_CHECK_SUBJECT_STDERR'] === 'inherit';
    remember(this.pid);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.on('data', (chunk: string) => this.onStderr(chunk));
    child.stdin.on('error', () => undefined); // EPIPE after the process died: its exit is reported instead
    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
  }

  /**
   * Starts `argv` (program and arguments) in a new process group. Resolves
   * once the process runs; rejects with `SpawnError` when it cannot be
   * started (its `code` is the errno, e.g. `ENOENT`, `EACCES`).
   */
  static start(argv: readonly string[]): Promise<SubjectProcess> {
    const [program, ...args] = argv;
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(program as string, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (e) {
        reject(new SpawnError('EINVAL', e instanceof Error ? e.message : String(e)));
        return;
      }
      const onError = (e: NodeJS.ErrnoException): void => reject(new SpawnError(e.code ?? 'UNKNOWN', e.message));
      child.once('error', onError);
      child.once('spawn', () => {
        child.off('error', onError);
        child.on('error', () => undefined);
        resolve(new SubjectProcess(argv, child));
      });
    });
  }

  /** Whether the process can still take requests. */
  get alive(): boolean {
    return !this.dead;
  }

  /** The last lines it wrote on standard error (a line still being written included). */
  stderrTail(): string[] {
    const tail = this.errPartial === '' ? this.errLines : [...this.errLines, this.errPartial];
    return tail.slice(-STDERR_LINES);
  }

  /** The first line it wrote on standard error, or null. */
  firstStderrLine(): string | null {
    return this.errLines[0] ?? (this.errPartial === '' ? null : this.errPartial);
  }

  /**
   * Sends `line` (one JSON request, without the newline) and resolves with
   * the next line the process writes on standard output. `what` names the
   * request in errors (`exec of command 3`). Only one request at a time.
   */
  request(line: string, what: string, timeoutMs: number): Promise<string> {
    if (this.pending !== null) return Promise.reject(new Error(`subject process ${this.pid}: a request is already pending`));
    if (this.dead) return Promise.reject(this.crashed(what));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.onTimeout(), timeoutMs);
      this.pending = { what, resolve, reject, timer, timeoutMs };
      this.child.stdin.write(`${line}\n`);
      if (this.out.includes('\n')) this.deliver(); // a line it wrote unprompted: taken as the reply (and then rejected)
    });
  }

  /** Kills the whole process group at once (SIGKILL); a pending request rejects as crashed. */
  kill(): void {
    killGroup(this.pid);
    this.dead = true;
  }

  /**
   * Ends the process: writes `closeLine` (if it is still alive), closes its
   * standard input, waits up to {@link CLOSE_GRACE_MS} for it to exit, then
   * kills its process group. Never rejects.
   */
  async close(closeLine: string | null): Promise<void> {
    if (!this.dead && this.pending === null && closeLine !== null) {
      try {
        await this.request(closeLine, 'close', CLOSE_GRACE_MS);
      } catch {
        // A subject that does not answer `close` is killed below.
      }
    }
    this.dead = true;
    this.child.stdin.end();
    if (this.exited === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_GRACE_MS);
        this.exitWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    killGroup(this.pid); // whatever it left behind in its group
    forget(this.pid);
  }

  private onData(chunk: string): void {
    this.out += chunk;
    if (this.pending !== null && chunk.includes('\n')) this.deliver();
  }

  private deliver(): void {
    const p = this.pending as Pending;
    const nl = this.out.indexOf('\n');
    let line = this.out.slice(0, nl);
    this.out = this.out.slice(nl + 1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve(line);
  }

  private onStderr(chunk: string): void {
    if (this.passStderr) process.stderr.write(chunk);
    const parts = (this.errPartial + chunk).split('\n');
    this.errPartial = parts.pop() as string;
    for (const l of parts) this.errLines.push(l.endsWith('\r') ? l.slice(0, -1) : l);
    if (this.errLines.length > 2 * STDERR_LINES) this.errLines.splice(0, this.errLines.length - STDERR_LINES);
  }

  private crashed(what: string): SubjectCrashedError {
    return new SubjectCrashedError(what, this.exited?.code ?? null, this.exited?.signal ?? (this.exited === null ? 'SIGKILL' : null), this.stderrTail());
  }

  private onExit(code: number | null, signal: string | null): void {
    this.exited = { code, signal };
    this.dead = true;
    killGroup(this.pid);
    forget(this.pid);
    for (const w of this.exitWaiters.splice(0)) w();
    if (this.pending === null) return;
    // A reply written just before the exit may still be in the pipe: read what is left first.
    const settle = (): void => {
      const p = this.pending;
      if (p === null) return;
      if (this.out.includes('\n')) {
        this.deliver();
        return;
      }
      this.pending = null;
      clearTimeout(p.timer);
      p.reject(this.crashed(p.what));
    };
    if (this.child.stdout.readableEnded) settle();
    else {
      this.child.stdout.once('end', settle);
      setTimeout(settle, 100).unref();
    }
  }

  private onTimeout(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    this.kill();
    p.reject(new SubjectHungError(p.what, p.timeoutMs, this.stderrTail()));
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
