/**
 * `gpuvm-check serve [--subject S]`: serves an in-process subject over the
 * subject protocol (docs/subject-protocol.md) on standard input and output,
 * the reference implementation of the subject side. Anything the subject
 * prints through `console` goes to standard error, so standard output carries
 * replies only.
 */

import { BadRequestError, serveFd } from '../exec/serve.ts';
import { resolveSubject } from '../subjects.ts';
import { expectNoPositionals, parseArgs, type FlagSpec } from './args.ts';
import { SERVE_HELP } from './help.ts';
import { EXIT_OK, EXIT_USAGE, type Io } from './io.ts';
import { subjectSpec } from './subject.ts';

const FLAGS: readonly FlagSpec[] = [{ name: 'subject', kind: 'string' }];

/** Sends `console.log` and friends to standard error (standard output is the protocol's). */
function consoleToStderr(): void {
  const toErr = (...args: unknown[]): void => console.error(...args);
  console.log = toErr;
  console.info = toErr;
  console.debug = toErr;
  console.warn = toErr;
}

export async function serveCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'serve');
  if (args.help) {
    io.out(SERVE_HELP);
    return EXIT_OK;
  }
  expectNoPositionals(args, 'serve');
  consoleToStderr();
  const factory = await resolveSubject(subjectSpec(args));
  const subject = await factory();
  try {
    await serveFd(subject, 0, 1);
  } catch (e) {
    if (!(e instanceof BadRequestError)) throw e;
    io.err(`gpuvm-check serve: ${e.message}`);
    return EXIT_USAGE;
  }
  return EXIT_OK;
}
