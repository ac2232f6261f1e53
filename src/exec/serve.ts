/**
 * The subject side of the subject protocol (docs/subject-protocol.md): serves
 * an in-process `Subject` to a harness over a request / reply line stream.
 * `gpuvm-check serve` runs it on standard input and output; it is the
 * reference implementation for subject authors.
 *
 * Synchronous subjects are served without an `await` per request, and
 * requests are read with blocking reads (see `line-io.ts`).
 */

import { drive, type MaybePromise } from '../../properties/maybe-async.ts';
import { errorMessage } from '../../properties/step-checker.ts';
import { capabilitiesOf } from '../protocol/capabilities.ts';
import type { Accounting, BoId, Observation, Snapshot, Subject, SubjectReport } from '../protocol/types.ts';
import {
  CLOSE_REPLY,
  decodeRequest,
  execReply,
  helloReply,
  resetReply,
  snapshotReply,
  threwReply,
  type Request,
} from '../protocol/wire.ts';
import { LineReader, writeLine } from './line-io.ts';

/** A request line the server cannot read (not JSON, a bad field, an unknown request). */
export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** What one request line produced: the reply line, and whether it was `close`. */
export interface Served {
  readonly reply: string;
  readonly close: boolean;
}

/**
 * A server of `subject`: `handle` takes one request line and returns the
 * reply line (a promise only when the subject's method returned one).
 * Throws `BadRequestError` for a request it cannot read. An exception of the
 * subject's `exec` or `snapshot` becomes a `threw` reply, one of its `reset`
 * an `ok: false` reply.
 */
export class SubjectServer {
  private readonly subject: Subject;
  private declared: ReadonlySet<BoId> = new Set();
  private requests = 0;

  constructor(subject: Subject) {
    this.subject = subject;
  }

  /** Handles one request line. */
  handle(line: string): MaybePromise<Served> {
    const n = ++this.requests;
    let request: Request;
    try {
      request = decodeRequest(line, this.declared);
    } catch (e) {
      throw new BadRequestError(`request ${n}: ${e instanceof Error ? e.message : String(e)}`);
    }
    switch (request.req) {
      case 'hello':
        return { reply: this.hello(), close: false };
      case 'reset':
        if (request.header === null) {
          this.declared = new Set();
          return { reply: resetReply(request.problem ?? 'bad header'), close: false };
        }
        return drive(this.reset(request.header));
      case 'exec':
        return drive(this.exec(request.index, request.command));
      case 'snapshot':
        return drive(this.snapshot());
      case 'close':
        return { reply: CLOSE_REPLY, close: true };
      case 'unknown':
        throw new BadRequestError(`request ${n}: unknown request "${request.name}" (known: hello, reset, exec, snapshot, close)`);
    }
  }

  private hello(): string {
    const caps = capabilitiesOf(this.subject);
    return helloReply(this.subject.name, { ...caps, accounting: caps.accounting && typeof this.subject.accounting === 'function' });
  }

  /** `reset`, answered with the snapshot after it (so the harness needs no `snapshot` request). */
  private *reset(header: Parameters<Subject['reset']>[0]): Generator<unknown, Served, unknown> {
    this.declared = new Set(header.objects.map((o) => o.bo));
    try {
      yield this.subject.reset(header);
    } catch (e) {
      return { reply: resetReply(errorMessage(e)), close: false };
    }
    let snapshot: Snapshot;
    try {
      snapshot = (yield this.subject.snapshot()) as Snapshot;
    } catch {
      return { reply: resetReply(null), close: false }; // the harness asks for it and gets the exception
    }
    return { reply: resetReply(null, snapshot), close: false };
  }

  private *exec(index: number, command: Parameters<Subject['exec']>[0]): Generator<unknown, Served, unknown> {
    let observation: Observation;
    let accounting: Accounting | null | undefined;
    let reports: readonly SubjectReport[] | undefined;
    let snapshot: Snapshot;
    try {
      observation = (yield this.subject.exec(command)) as Observation;
      accounting = typeof this.subject.accounting === 'function' ? (this.subject.accounting() ?? null) : undefined;
      reports = this.subject.reports?.();
      snapshot = (yield this.subject.snapshot()) as Snapshot;
    } catch (e) {
      return { reply: threwReply('exec', errorMessage(e), index), close: false };
    }
    return { reply: execReply(index, observation, snapshot, accounting, reports), close: false };
  }

  private *snapshot(): Generator<unknown, Served, unknown> {
    try {
      return { reply: snapshotReply((yield this.subject.snapshot()) as Snapshot), close: false };
    } catch (e) {
      return { reply: threwReply('snapshot', errorMessage(e)), close: false };
    }
  }
}

/**
 * Serves `subject` on file descriptors (standard input and output by
 * default) until `close` or the end of the input, then closes the subject.
 * Reads block (no event-loop turn per request); a subject's asynchronous
 * method is awaited. Rejects with `BadRequestError` on a request it cannot
 * read, after closing the subject.
 */
export async function serveFd(subject: Subject, inFd = 0, outFd = 1): Promise<void> {
  const server = new SubjectServer(subject);
  const reader = new LineReader(inFd);
  try {
    for (;;) {
      const line = reader.next();
      if (line === null) return;
      if (line.trim() === '') continue;
      const handled = server.handle(line);
      const served = handled instanceof Promise ? await handled : handled;
      writeLine(outFd, served.reply);
      if (served.close) return;
    }
  } finally {
    await subject.close?.();
  }
}
