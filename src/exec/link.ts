/**
 * A link to a subject program: its process, the handshake, and a restart
 * after the process crashed, hung or broke the protocol (the next request
 * then starts a new process and shakes hands again).
 */

import { describeEnd, SubjectCrashedError, SubjectHungError, SubjectStartError } from '../protocol/subject-errors.ts';
import { WireError, decodeHelloReply, helloRequest, parseReply, CLOSE_REQUEST, type HelloReply } from '../protocol/wire.ts';
import { shortenLine } from '../protocol/subject-errors.ts';
import { SpawnError, SubjectProcess } from './process.ts';

/** The time limit of one request when none is given (`--step-timeout`). */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;

/** How the harness introduces itself in `hello`. */
export const HARNESS_NAME = 'gpuvm-check 0.1.0';

/** Options of an exec subject. */
export interface ExecOptions {
  /** Time limit of every request (default {@link DEFAULT_STEP_TIMEOUT_MS}). */
  readonly stepTimeoutMs?: number;
  /**
   * Time limit of the handshake, which includes starting the program
   * (default: the step timeout, at least {@link DEFAULT_STEP_TIMEOUT_MS}).
   */
  readonly helloTimeoutMs?: number;
}

/** The program and its arguments as one line for messages (shortened). */
function programLabel(argv: readonly string[]): string {
  const text = argv.join(' ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function spawnReason(e: SpawnError): string {
  switch (e.code) {
    case 'ENOENT':
      return 'cannot be started: no such program (ENOENT; a program without a slash is looked up on PATH)';
    case 'EACCES':
      return 'cannot be started: not executable (EACCES)';
    default:
      return `cannot be started: ${e.message}`;
  }
}

function printed(p: SubjectProcess): string {
  const first = p.firstStderrLine();
  return first === null ? '' : `; it printed on standard error: ${JSON.stringify(shortenLine(first))}`;
}

/** Starts `argv` and shakes hands. Throws `SubjectStartError` for every way that can go wrong. */
async function startAndGreet(argv: readonly string[], timeoutMs: number): Promise<{ proc: SubjectProcess; hello: HelloReply }> {
  const program = programLabel(argv);
  let proc: SubjectProcess;
  try {
    proc = await SubjectProcess.start(argv);
  } catch (e) {
    throw new SubjectStartError(program, e instanceof SpawnError ? spawnReason(e) : String(e));
  }
  let line: string;
  try {
    line = await proc.request(helloRequest(HARNESS_NAME), 'hello', timeoutMs);
  } catch (e) {
    proc.kill();
    if (e instanceof SubjectCrashedError) {
      throw new SubjectStartError(program, `${describeEnd(e.code, e.signal)} before replying to hello${printed(proc)}`);
    }
    if (e instanceof SubjectHungError) throw new SubjectStartError(program, `no reply to hello within ${timeoutMs / 1000}s${printed(proc)}`);
    throw e;
  }
  try {
    return { proc, hello: decodeHelloReply(parseReply(line, 'hello')) };
  } catch (e) {
    proc.kill();
    if (!(e instanceof WireError)) throw e;
    const version = e.field === 'protocol' && e.reason.startsWith('the subject speaks');
    const what = version ? e.reason : `bad hello reply: ${e.message}; reply: ${shortenLine(line)}`;
    throw new SubjectStartError(program, `${what}${printed(proc)}`);
  }
}

/**
 * A subject program's process, started on demand. `request` restarts it
 * (with a new handshake) when the last one died. Rejections are those of
 * `SubjectProcess.request`, plus `SubjectStartError` when a restart fails.
 */
export class ExecLink {
  readonly argv: readonly string[];
  readonly timeoutMs: number;
  readonly helloTimeoutMs: number;
  /** The first handshake's reply: the subject's name and capabilities. */
  readonly hello: HelloReply;
  private proc: SubjectProcess | null;
  private closed = false;

  private constructor(argv: readonly string[], timeoutMs: number, helloTimeoutMs: number, proc: SubjectProcess, hello: HelloReply) {
    this.argv = argv;
    this.timeoutMs = timeoutMs;
    this.helloTimeoutMs = helloTimeoutMs;
    this.proc = proc;
    this.hello = hello;
  }

  /** Starts the program and shakes hands. Throws `SubjectStartError`. */
  static async open(argv: readonly string[], options: ExecOptions = {}): Promise<ExecLink> {
    const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    const helloTimeoutMs = options.helloTimeoutMs ?? Math.max(timeoutMs, DEFAULT_STEP_TIMEOUT_MS);
    const { proc, hello } = await startAndGreet(argv, helloTimeoutMs);
    return new ExecLink(argv, timeoutMs, helloTimeoutMs, proc, hello);
  }

  /** The current process's pid, or null when none runs. */
  get pid(): number | null {
    return this.proc?.alive === true ? this.proc.pid : null;
  }

  /** The last lines of standard error of the current (or last) process. */
  stderrTail(): string[] {
    return this.proc?.stderrTail() ?? [];
  }

  /**
   * Sends one request line and returns the reply line (synchronously while
   * the process lives); restarts a dead process first, which takes a promise.
   */
  request(line: string, what: string): string | Promise<string> {
    if (this.closed) throw new Error(`subject ${this.hello.name}: used after close`);
    const proc = this.proc;
    if (proc !== null && proc.alive) return proc.request(line, what, this.timeoutMs);
    return startAndGreet(this.argv, this.helloTimeoutMs).then(({ proc: fresh }) => {
      this.proc = fresh;
      return fresh.request(line, what, this.timeoutMs);
    });
  }

  /** Kills the current process (after a protocol error: the stream cannot be trusted any more). */
  kill(): void {
    this.proc?.kill();
  }

  /** Ends the process gracefully (`close`, end of input, then its group is killed). */
  async close(): Promise<void> {
    this.closed = true;
    const proc = this.proc;
    this.proc = null;
    if (proc !== null) await proc.close(proc.alive ? CLOSE_REQUEST : null);
  }
}
