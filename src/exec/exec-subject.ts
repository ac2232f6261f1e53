/**
 * The exec subject: a `Subject` whose manager runs in another process and
 * speaks the subject protocol (docs/subject-protocol.md) on its standard
 * input and output. One `exec` is one round trip: its reply carries the
 * observation, the snapshot after the command (answering the step runner's
 * next `snapshot()` without another request) and the accounting.
 *
 * Failures of the process reject with `SubjectCrashedError`,
 * `SubjectHungError` or `SubjectProtocolError`, which the step runner reports
 * as findings; the process is then started anew by the next request.
 */

import { SubjectProtocolError } from '../protocol/subject-errors.ts';
import {
  WireError,
  decodeExecReply,
  decodeResetReply,
  decodeResetSnapshot,
  decodeSnapshotReply,
  execRequest,
  parseReply,
  resetRequest,
  SNAPSHOT_REQUEST,
} from '../protocol/wire.ts';
import { unsupportedUse } from '../protocol/capabilities.ts';
import type {
  Accounting,
  Command,
  Observation,
  Snapshot,
  Subject,
  SubjectCapabilities,
  SubjectReport,
  TraceHeader,
} from '../protocol/types.ts';
import type { ExecLink } from './link.ts';

const NO_REPORTS: readonly SubjectReport[] = [];

/** How often (ms) a run of synchronous requests lets the event loop turn. */
const TURN_EVERY_MS = 50;

/** `f(v)`, or a promise of it when `v` is one: the synchronous path takes no promise. */
function then<T, U>(v: T | Promise<T>, f: (x: T) => U): U | Promise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/**
 * What a subject's `threw` message becomes: an `Error` whose name and
 * message are split at the first `": "` when the text starts with an error
 * name (`TypeError: x is undefined`), so it reads as an in-process subject's
 * exception would.
 */
export function threwError(text: string): Error {
  const m = /^([A-Za-z_$][\w$]*(?:Error|Exception)?): ([\s\S]*)$/.exec(text);
  const e = new Error(m === null ? text : (m[2] as string));
  e.name = m === null ? 'SubjectThrew' : (m[1] as string);
  return e;
}

export class ExecSubject implements Subject {
  readonly name: string;
  readonly capabilities: SubjectCapabilities;
  private readonly link: ExecLink;
  private readonly release: () => void;
  private index = 0;
  private cached: Snapshot | null = null;
  private lastAccounting: Accounting | null = null;
  private lastReports: readonly SubjectReport[] = NO_REPORTS;
  private released = false;
  private lastTurn = Date.now();

  /** A subject over `link`; `release` hands the link back when the subject is closed. */
  constructor(link: ExecLink, release: () => void) {
    this.link = link;
    this.release = release;
    this.name = link.hello.name;
    this.capabilities = link.hello.capabilities;
  }

  /** Sends `reset`; a subject that replies `ok: false` throws its message, as an in-process `reset` would. */
  reset(header: TraceHeader): void | Promise<void> {
    this.index = 0;
    this.cached = null;
    this.lastAccounting = null;
    this.lastReports = NO_REPORTS;
    return then(this.link.request(resetRequest(header), 'reset'), (line) => {
      const json = this.decode('reset', line, () => parseReply(line, 'reset'));
      const message = this.decode('reset', line, () => decodeResetReply(json));
      if (message !== null) throw new Error(`${this.name}: reset: ${message}`);
      this.cached = this.decode('reset', line, () => decodeResetSnapshot(json));
    });
  }

  /**
   * Sends `exec` and returns the observation; the snapshot and accounting of
   * the reply are kept for `snapshot()` and `accounting()`. A `threw` reply
   * throws the subject's message (the step runner then asks for a snapshot).
   * Synchronous while the process lives. Throws for a command the subject
   * does not declare: the harness never sends one.
   */
  exec(command: Command): Observation | Promise<Observation> {
    const unsupported = unsupportedUse(command, this.capabilities);
    if (unsupported !== null) throw new Error(`internal error: the harness tried to send ${this.name} ${unsupported}, which it does not declare`);
    const index = this.index++;
    this.cached = null;
    this.lastAccounting = null;
    this.lastReports = NO_REPORTS;
    const what = `exec of command ${index} (${command.cmd})`;
    const observation = then(this.link.request(execRequest(index, command), what), (line) => {
      const reply = this.decode(what, line, () => decodeExecReply(parseReply(line, 'exec'), index, this.capabilities.accounting));
      if (reply.threw !== null) throw threwError(reply.threw);
      this.cached = reply.snapshot;
      this.lastAccounting = reply.accounting;
      this.lastReports = reply.reports;
      return reply.observation;
    });
    // The requests block: every so often let the event loop turn (signals, timers, other work).
    const now = Date.now();
    if (now - this.lastTurn < TURN_EVERY_MS || observation instanceof Promise) return observation;
    this.lastTurn = now;
    return new Promise((resolve) => setImmediate(() => resolve(observation)));
  }

  /** The snapshot of the last `exec` or `reset` reply (no round trip), else a `snapshot` request. */
  snapshot(): Snapshot | Promise<Snapshot> {
    const s = this.cached;
    if (s !== null) {
      this.cached = null;
      return s;
    }
    return then(this.link.request(SNAPSHOT_REQUEST, 'snapshot'), (line) => {
      const r = this.decode('snapshot', line, () => decodeSnapshotReply(parseReply(line, 'snapshot')));
      if (r.threw !== null) throw threwError(r.threw);
      return r.snapshot;
    });
  }

  /** The accounting of the last `exec` reply (null when the subject reports none). */
  accounting(): Accounting | null {
    return this.lastAccounting;
  }

  /** The `reports` of the last `exec` reply. */
  reports(): readonly SubjectReport[] {
    return this.lastReports;
  }

  /** Hands the process back for the next subject of the same factory (it keeps running). */
  close(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }

  /**
   * Runs a decoder; a `WireError` becomes a `SubjectProtocolError`. A line
   * that is not a JSON object answering this very request (`reply`, `index`)
   * means the stream cannot be trusted: the process is killed, and the next
   * request starts a new one. A reply to the request with a bad field leaves
   * the stream in step; the process is kept (the next run starts with
   * `reset` anyway), as it is after any other finding.
   */
  private decode<T>(what: string, line: string, read: () => T): T {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      if (e.field === '' || e.field === 'reply' || e.field === 'index') this.link.kill();
      throw new SubjectProtocolError(what, e.field, e.reason, line);
    }
  }
}
