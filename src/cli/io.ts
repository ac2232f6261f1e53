/**
 * Where the CLI writes: standard output for results (reports, summaries,
 * the `--json` object on the last line), standard error for progress and
 * errors. Bad input is always reported as one line and exit status 2.
 */

import { UsageError } from './args.ts';
import { TraceInputError } from '../protocol/errors.ts';
import { FindingsInputError } from '../protocol/findings.ts';
import { SubjectResolutionError } from '../subjects.ts';
import { SubjectStartError } from '../protocol/subject-errors.ts';
import { toDisplayJson } from '../protocol/text.ts';

/** Exit statuses shared by every subcommand. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface Io {
  /** Write lines to standard output. */
  out(...lines: readonly string[]): void;
  /** Write lines to standard error. */
  err(...lines: readonly string[]): void;
  readonly stderr: NodeJS.WriteStream;
}

export const processIo: Io = {
  out: (...lines) => {
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  },
  err: (...lines) => {
    if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  },
  stderr: process.stderr,
};

/** Bad input of any kind: usage, trace files, findings files, subjects. Its message is already one line. */
export function isInputError(e: unknown): e is Error {
  return (
    e instanceof UsageError ||
    e instanceof TraceInputError ||
    e instanceof FindingsInputError ||
    e instanceof SubjectResolutionError ||
    e instanceof SubjectStartError
  );
}

/** The one-line message of an error (first line only). */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n')[0] ?? text).trim();
}

/** JSON with bigints as hex, on one line (for `--json`). */
export const jsonLine: (value: object) => string = toDisplayJson;
