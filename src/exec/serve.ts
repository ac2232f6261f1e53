/**
 * The subject side of the subject protocol (docs/subject-protocol.md): serves
 * an in-process `Subject` to a harness over a request / reply line stream.
 * `gpuvm-check serve` runs it on standard input and output; it is the
 * reference implementation for subject authors.
 *
 * Synchronous subjects are served without an `await` per request.
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

  private *reset(header: Parameters<Subject['reset']>[0]): Generator<unknown, Served, unknown> {
    this.declared = new Set(header.objects.map((o) => o.bo));
    try {
      yield this.subject.reset(header);
    } catch (e) {
      return { reply: resetReply(errorMessage(e)), close: false };
    }
    return { reply: resetReply(null), close: false };
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

/** Where `serveLines` reads requests and writes replies. */
export interface LineStreams {
  readonly input: NodeJS.ReadableStream;
  /** Writes one reply line (without the newline). */
  write(line: string): void;
}

/**
 * Serves `subject` on `streams` until `close` or the end of the input, then
 * closes the subject. Resolves when done; rejects with `BadRequestError` on
 * a request it cannot read (the input is then no longer read).
 */
export function serveLines(subject: Subject, streams: LineStreams): Promise<void> {
  const server = new SubjectServer(subject);
  return new Promise<void>((resolve, reject) => {
    let buffer = '';
    let busy = false;
    let ended = false;
    let done = false;
    const input = streams.input;
    const finish = (error: unknown): void => {
      if (done) return;
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.pause();
      Promise.resolve(subject.close?.()).then(
        () => (error === null ? resolve() : reject(error)),
        (e: unknown) => reject(error ?? e),
      );
    };
    const pump = (): void => {
      while (!done && !busy) {
        const nl = buffer.indexOf('\n');
        if (nl < 0) {
          if (ended) finish(null);
          return;
        }
        let line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.trim() === '') continue;
        let served: MaybePromise<Served>;
        try {
          served = server.handle(line);
        } catch (e) {
          finish(e);
          return;
        }
        if (served instanceof Promise) {
          busy = true;
          served.then(
            (s) => {
              busy = false;
              reply(s);
              pump();
            },
            (e: unknown) => finish(e),
          );
          return;
        }
        reply(served);
      }
    };
    const reply = (s: Served): void => {
      streams.write(s.reply);
      if (s.close) finish(null);
    };
    const onData = (chunk: string | Buffer): void => {
      buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      pump();
    };
    const onEnd = (): void => {
      ended = true;
      pump();
    };
    input.on('data', onData);
    input.on('end', onEnd);
  });
}
