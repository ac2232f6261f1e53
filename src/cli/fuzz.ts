/**
 * `gpuvm-check fuzz`: a campaign against a subject; failures are minimised,
 * deduplicated and saved (PROTOCOL.md section 7).
 */

import { randomInt } from 'node:crypto';
import { expectNoPositionals, flagBoolean, flagNumber, flagString, parseArgs } from './args.ts';
import { CAMPAIGN_FLAGS, campaignBounds, describeCampaign, knownFromArgs, runCampaignFromCli } from './campaign-run.ts';
import { FUZZ_HELP } from './help.ts';
import { EXIT_FAILURE, EXIT_OK, jsonLine, type Io } from './io.ts';
import { replayEnv, subjectOptions, subjectSpec } from './subject.ts';
import { summaryJson, summaryText } from './summary.ts';

/** The campaign length when neither --time nor --runs is given. */
export const DEFAULT_FUZZ_TIME_MS = 60_000;

const FLAGS = CAMPAIGN_FLAGS;

export async function fuzzCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'fuzz');
  if (args.help) {
    io.out(FUZZ_HELP);
    return EXIT_OK;
  }
  expectNoPositionals(args, 'fuzz');
  const subject = subjectSpec(args);
  const bounds = campaignBounds(args, DEFAULT_FUZZ_TIME_MS);
  const env = await replayEnv(subject, subjectOptions(args));
  const known = await knownFromArgs(args, env, (l) => io.err(l));
  const seed = flagNumber(args, 'seed') ?? randomInt(0, 2 ** 31);
  const outDir = flagString(args, 'out') ?? 'corpus';
  const json = flagBoolean(args, 'json');
  if (!bounds.quiet) io.err(`fuzz: ${subject}, ${describeCampaign(seed, bounds)}, failures go to ${outDir}/`);
  const { summary } = await runCampaignFromCli({
    ...bounds,
    subject,
    seed,
    outDir,
    stepTimeoutMs: subjectOptions(args).stepTimeoutMs ?? null,
    known,
    label: 'fuzz',
    env,
    io,
  });
  io.out(...summaryText(summary));
  if (json) io.out(jsonLine(summaryJson(summary)));
  return summary.failures.length > 0 ? EXIT_FAILURE : EXIT_OK;
}
