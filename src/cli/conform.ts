/**
 * `gpuvm-check conform --subject exec:PROGRAM ARGS...`: the conformance
 * battery for subject authors (src/exec/conform.ts), one line per check.
 */

import { conform, formatConformReport } from '../exec/conform.ts';
import { ExecSpecError, isExecSpec, parseExecSpec } from '../exec/spec.ts';
import { expectNoPositionals, flagBoolean, flagString, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { CONFORM_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, jsonLine, type Io } from './io.ts';
import { STEP_TIMEOUT_FLAG, subjectOptions } from './subject.ts';

const FLAGS: readonly FlagSpec[] = [{ name: 'subject', kind: 'string' }, STEP_TIMEOUT_FLAG, { name: 'json', kind: 'boolean' }];

export async function conformCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'conform');
  if (args.help) {
    io.out(CONFORM_HELP);
    return EXIT_OK;
  }
  expectNoPositionals(args, 'conform');
  const spec = flagString(args, 'subject');
  if (spec === undefined || !isExecSpec(spec)) {
    throw new UsageError(`conform: --subject exec:PROGRAM ARGS... is required (conform checks a subject program; serve an in-process one with exec:gpuvm-check serve --subject S)`);
  }
  let words: string[];
  try {
    words = parseExecSpec(spec);
  } catch (e) {
    if (e instanceof ExecSpecError) throw new UsageError(`conform: --subject: ${e.message}`);
    throw e;
  }
  const report = await conform(words, subjectOptions(args));
  io.out(`conform: ${spec}`, ...formatConformReport(report));
  if (flagBoolean(args, 'json')) {
    io.out(jsonLine({ status: report.problems === 0 ? 'pass' : 'fail', subject: spec, name: report.name, problems: report.problems, checks: report.checks }));
  }
  return report.problems === 0 ? EXIT_OK : EXIT_FAILURE;
}
