/**
 * `gpuvm-check fuzz`: a campaign against a subject; failures are minimised,
 * deduplicated and saved (PROTOCOL.md section 7).
 */

import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { expectNoPositionals, flagBoolean, flagNumber, flagString, parseArgs, type FlagSpec } from './args.ts';
import { runCampaignFromCli } from './campaign-run.ts';
import { FUZZ_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, jsonLine, type Io } from './io.ts';
import { replayEnv, subjectSpec } from './subject.ts';
import { summaryJson, summaryText } from './summary.ts';

/** The campaign length when neither --time nor --runs is given. */
export const DEFAULT_FUZZ_TIME_MS = 60_000;

const FLAGS: readonly FlagSpec[] = [
  { name: 'subject', kind: 'string' },
  { name: 'seed', kind: 'seed' },
  { name: 'time', kind: 'duration' },
  { name: 'runs', kind: 'count' },
  { name: 'workers', kind: 'count' },
  { name: 'out', kind: 'string' },
  { name: 'max-commands', kind: 'count' },
  { name: 'json', kind: 'boolean' },
  { name: 'quiet', kind: 'boolean' },
];

export async function fuzzCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'fuzz');
  if (args.help) {
    io.out(FUZZ_HELP);
    return EXIT_OK;
  }
  expectNoPositionals(args, 'fuzz');
  const subject = subjectSpec(args);
  const env = await replayEnv(subject);
  const runs = flagNumber(args, 'runs') ?? null;
  const timeMs = flagNumber(args, 'time') ?? (runs === null ? DEFAULT_FUZZ_TIME_MS : null);
  const seed = flagNumber(args, 'seed') ?? randomInt(0, 2 ** 31);
  const workers = flagNumber(args, 'workers') ?? availableParallelism();
  const outDir = flagString(args, 'out') ?? 'corpus';
  const json = flagBoolean(args, 'json');
  const quiet = flagBoolean(args, 'quiet');
  if (!quiet) {
    const bound = [runs === null ? null : `${runs} runs`, timeMs === null ? null : `${timeMs / 1000}s`].filter((x) => x !== null).join(' or ');
    io.err(`fuzz: ${subject}, seed ${seed}, ${workers} worker${workers === 1 ? '' : 's'}, ${bound}, failures go to ${outDir}/`);
  }
  const { summary } = await runCampaignFromCli({
    subject,
    seed,
    workers,
    runs,
    timeMs,
    maxCommands: flagNumber(args, 'max-commands') ?? null,
    outDir,
    quiet,
    label: 'fuzz',
    env,
    io,
  });
  io.out(...summaryText(summary));
  if (json) io.out(jsonLine(summaryJson(summary)));
  return summary.failures.length > 0 ? EXIT_FAILURE : EXIT_OK;
}
