/**
 * `gpuvm-check minimize FILE`: delta-debug a failing trace down to a minimal
 * one failing the same way (the same invariant at the same kind of command,
 * with the same symptom), and write it beside the input as `<name>.min.json`
 * (or to `-o OUT`).
 */

import { basename, dirname, join } from 'node:path';
import { replayOracle } from '../campaign/replay-env.ts';
import { contentKey } from '../corpus/naming.ts';
import { loadTraceFile, writeFileAtomic } from '../corpus/store.ts';
import { minimizeTrace } from '../minimize/minimize-trace.ts';
import { encodeTrace } from '../protocol/codec.ts';
import type { Trace } from '../protocol/types.ts';
import { formatProgram, programFormat } from '../report/program.ts';
import { flagBoolean, flagString, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { MINIMIZE_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, jsonLine, type Io } from './io.ts';
import { assertTracesSupported, replayEnv, STEP_TIMEOUT_FLAG, subjectOptions, subjectSpec } from './subject.ts';

const FLAGS: readonly FlagSpec[] = [
  { name: 'subject', kind: 'string' },
  STEP_TIMEOUT_FLAG,
  { name: 'out', short: 'o', kind: 'string' },
  { name: 'json', kind: 'boolean' },
];

/** `dir/name.json` -> `dir/name.min.json` */
export function defaultMinimizedPath(file: string): string {
  const base = basename(file);
  const stem = base.endsWith('.json') ? base.slice(0, -'.json'.length) : base;
  return join(dirname(file), `${stem}.min.json`);
}

export async function minimizeCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'minimize');
  if (args.help) {
    io.out(MINIMIZE_HELP);
    return EXIT_OK;
  }
  if (args.positionals.length !== 1) {
    throw new UsageError(`minimize: expected exactly one trace file, got ${args.positionals.length} (usage: gpuvm-check minimize FILE [-o OUT])`);
  }
  const file = args.positionals[0] as string;
  const out = flagString(args, 'out') ?? defaultMinimizedPath(file);
  const subject = subjectSpec(args);
  const json = flagBoolean(args, 'json');
  const trace = await loadTraceFile(file);
  const env = await replayEnv(subject, subjectOptions(args));
  assertTracesSupported(env, subject, [{ file, trace }]);

  const result = await minimizeTrace(trace, replayOracle(env), env.capabilities === undefined ? {} : { capabilities: env.capabilities });
  if (result === null) {
    io.err(`gpuvm-check: ${file}: the trace does not fail against ${subject}; nothing to minimise`);
    if (json) io.out(jsonLine({ status: 'passes', file, subject }));
    return EXIT_USAGE;
  }
  const minimized: Trace = { ...result.trace, meta: { ...trace.meta, invariant: result.outcome.invariant } };
  const reduction = `${result.commandsBefore} -> ${result.commandsAfter} command${result.commandsAfter === 1 ? '' : 's'}`;
  if (contentKey(minimized) === contentKey(trace)) {
    io.out(`${file}: could not reduce (${reduction}, ${result.tests} replays); already minimal for ${result.outcome.invariant} at ${result.outcome.kind}`);
    if (json) io.out(jsonLine({ status: 'minimal', file, subject, invariant: result.outcome.invariant, commandsBefore: result.commandsBefore, commandsAfter: result.commandsAfter, replays: result.tests }));
    return EXIT_FAILURE;
  }
  await writeFileAtomic(out, encodeTrace(minimized));
  io.out(
    `${file}: ${reduction} (${result.outcome.invariant} at ${result.outcome.kind}, ${result.tests} replays), written to ${out}`,
    `  ${programFormat(minimized).title}`,
    ...formatProgram(minimized, { step: result.outcome.step, note: result.outcome.invariant }, programFormat(minimized).fmt).map((l) => `    ${l}`),
  );
  if (json) {
    io.out(jsonLine({ status: 'written', file, out, subject, invariant: result.outcome.invariant, kind: result.outcome.kind, commandsBefore: result.commandsBefore, commandsAfter: result.commandsAfter, replays: result.tests }));
  }
  return EXIT_OK;
}
