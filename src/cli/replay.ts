/**
 * `gpuvm-check replay FILE...`: run traces step by step against a subject
 * and the reference model; a violation is reported the way `fuzz` reports it.
 */

import type { StepRecord } from '../../properties/index.ts';
import { replayOnce } from '../campaign/replay-env.ts';
import { loadTraceFile } from '../corpus/store.ts';
import type { Trace } from '../protocol/types.ts';
import { failureReport } from '../report/failure.ts';
import { symptomKey, symptomOf } from '../findings/symptom.ts';
import { formatCommand, formatObservation } from '../protocol/text.ts';
import { formatHeader } from '../report/program.ts';
import { flagBoolean, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { REPLAY_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, jsonLine, type Io } from './io.ts';
import { assertTracesSupported, replayEnv, STEP_TIMEOUT_FLAG, subjectOptions, subjectSpec } from './subject.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'subject', kind: 'string' },
  STEP_TIMEOUT_FLAG,
  { name: 'json', kind: 'boolean' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
];

/** One step as `verbose` prints it: the command, then its observation and ops. */
export function formatStep(s: StepRecord, width: number): string[] {
  const obs = formatObservation(s.observation, `${' '.repeat(width + 6)}`);
  return [`${String(s.index).padStart(width)}. ${formatCommand(s.command)}  => ${obs[0] ?? ''}`, ...obs.slice(1)];
}

export async function replayCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'replay');
  if (args.help) {
    io.out(REPLAY_HELP);
    return EXIT_OK;
  }
  if (args.positionals.length === 0) throw new UsageError('replay: no trace file given (usage: gpuvm-check replay FILE... [--subject S])');
  const subject = subjectSpec(args);
  const json = flagBoolean(args, 'json');
  const verbose = flagBoolean(args, 'verbose');
  // Read everything first: bad input is reported before anything runs.
  const traces: { file: string; trace: Trace }[] = [];
  for (const file of args.positionals) traces.push({ file, trace: await loadTraceFile(file) });
  const env = await replayEnv(subject, subjectOptions(args));
  assertTracesSupported(env, subject, traces);

  const results: Record<string, unknown>[] = [];
  let failed = 0;
  for (const { file, trace } of traces) {
    const width = String(Math.max(0, trace.commands.length - 1)).length;
    if (verbose) io.out(`${file}:`, ...formatHeader(trace).map((l) => `  ${l}`));
    const r = await replayOnce(trace, env, verbose ? (s) => io.out(...formatStep(s, width).map((l) => `  ${l}`)) : undefined);
    if (r.ok) {
      io.out(`PASS ${file} (${r.steps} command${r.steps === 1 ? '' : 's'})`);
      const saved = trace.meta?.subject;
      if (typeof saved === 'string' && saved !== subject && !json) {
        io.err(`note: ${file} was saved as a failure of subject ${saved}; it passes against ${subject}`);
      }
      results.push({ file, status: 'pass', steps: r.steps });
    } else {
      failed++;
      if (verbose && r.failing !== null) io.out(...formatStep(r.failing, width).map((l) => `  ${l}`));
      const signature = symptomKey(symptomOf(r.violation));
      io.out(`FAIL ${file}`, ...failureReport({ trace, violation: r.violation, step: r.failing, file, subject, signature }), '');
      results.push({ file, status: 'fail', steps: r.steps, invariant: r.violation.invariant, step: r.violation.step, kind: r.violation.command.cmd, signature, message: r.violation.message });
    }
  }
  if (json) io.out(jsonLine({ status: failed > 0 ? 'fail' : 'pass', subject, traces: results }));
  return failed > 0 ? EXIT_FAILURE : EXIT_OK;
}
