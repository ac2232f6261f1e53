/**
 * How a subject that runs as its own process fails (docs/subject-protocol.md
 * section 3). These are findings, never harness errors: the step runner turns
 * each into the violation its `invariant` names, with `details` (the subject's
 * last lines of standard error, the reply line) in the failure report.
 *
 * A subject that cannot even be started or fails its handshake is different:
 * that is bad input ({@link SubjectStartError}, exit status 2).
 */

/** The violation names of a subject process's failures. */
export type SubjectFailureName = 'subject-crashed' | 'subject-hung' | 'protocol-error';

/** The longest reply line a report quotes. */
export const MAX_QUOTED_LINE = 200;

/** `line` cut to {@link MAX_QUOTED_LINE} characters, with a note of how long it was. */
export function shortenLine(line: string): string {
  return line.length <= MAX_QUOTED_LINE ? line : `${line.slice(0, MAX_QUOTED_LINE)}... (${line.length} characters)`;
}

function stderrDetails(stderr: readonly string[]): string[] {
  if (stderr.length === 0) return ['The subject wrote nothing on standard error.'];
  return [`Standard error of the subject (last ${stderr.length} line${stderr.length === 1 ? '' : 's'}):`, ...stderr.map((l) => `  | ${l}`)];
}

function lastLine(stderr: readonly string[]): string {
  const last = stderr[stderr.length - 1];
  return last === undefined ? '' : `; its last line of standard error: ${JSON.stringify(shortenLine(last))}`;
}

/** How a process ended: `was killed by signal SIGSEGV`, `exited with status 1`, or `closed its standard output`. */
export function describeEnd(code: number | null, signal: string | null): string {
  return signal !== null ? `was killed by signal ${signal}` : code !== null ? `exited with status ${code}` : 'closed its standard output';
}

/** A subject process failed while the harness waited for a reply. */
export abstract class SubjectFailure extends Error {
  abstract readonly invariant: SubjectFailureName;
  /** The request it failed on, e.g. `exec of command 3`, `reset`, `snapshot`. */
  readonly request: string;
  /** Lines for the failure report (standard error, the reply line). */
  readonly details: readonly string[];
  constructor(message: string, request: string, details: readonly string[]) {
    super(message);
    this.request = request;
    this.details = details;
  }
}

/** The process exited, or was killed by a signal, before replying. */
export class SubjectCrashedError extends SubjectFailure {
  readonly invariant = 'subject-crashed' as const;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: readonly string[];
  constructor(request: string, code: number | null, signal: string | null, stderr: readonly string[]) {
    super(`the subject process ${describeEnd(code, signal)} before replying to the ${request} request${lastLine(stderr)}`, request, stderrDetails(stderr));
    this.name = 'SubjectCrashedError';
    this.code = code;
    this.signal = signal;
    this.stderr = stderr;
  }
}

/** No complete reply line within the step timeout; the process group was killed. */
export class SubjectHungError extends SubjectFailure {
  readonly invariant = 'subject-hung' as const;
  readonly timeoutMs: number;
  readonly stderr: readonly string[];
  constructor(request: string, timeoutMs: number, stderr: readonly string[]) {
    super(
      `no reply to the ${request} request within ${timeoutMs / 1000}s (--step-timeout); the subject's process group was killed${lastLine(stderr)}`,
      request,
      stderrDetails(stderr),
    );
    this.name = 'SubjectHungError';
    this.timeoutMs = timeoutMs;
    this.stderr = stderr;
  }
}

/** A reply that is not JSON, answers another request, or lacks or mistypes a field. */
export class SubjectProtocolError extends SubjectFailure {
  readonly invariant = 'protocol-error' as const;
  /** The field's full path (e.g. `snapshot.vmBos[0].refs`), '' for the whole line. */
  readonly field: string;
  readonly reason: string;
  /** The reply line, shortened. */
  readonly line: string;
  constructor(request: string, field: string, reason: string, line: string) {
    const where = field === '' ? '' : ` field "${field}":`;
    super(`bad reply to the ${request} request:${where} ${reason}; reply: ${shortenLine(line)}`, request, []);
    this.name = 'SubjectProtocolError';
    this.field = field;
    this.reason = reason;
    this.line = shortenLine(line);
  }
}

/**
 * The subject could not be started or failed its handshake (no such program,
 * not executable, exited or hung before replying to `hello`, a bad `hello`
 * reply, another protocol version). Bad input: one line, exit status 2.
 */
export class SubjectStartError extends Error {
  readonly program: string;
  readonly reason: string;
  constructor(program: string, reason: string) {
    super(`subject program "${program}": ${reason}`);
    this.name = 'SubjectStartError';
    this.program = program;
    this.reason = reason;
  }
}
