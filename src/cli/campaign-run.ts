/**
 * Running a campaign from the command line (shared by `fuzz` and `check`):
 * progress on stderr, Ctrl-C handling, failure triage, and the summary.
 */

import { availableParallelism } from 'node:os';
import { Campaign, type CampaignResult } from '../campaign/campaign.ts';
import { ProgressReporter } from '../campaign/progress.ts';
import type { ReplayEnv } from '../campaign/replay-env.ts';
import { Triage } from '../campaign/triage.ts';
import { knownMatchers, loadKnownFindings, type KnownFindings } from '../findings/known.ts';
import { flagBoolean, flagNumber, flagString, UsageError, type FlagSpec, type ParsedArgs } from './args.ts';
import type { Io } from './io.ts';
import type { SummaryInput } from './summary.ts';
import { STEP_TIMEOUT_FLAG } from './subject.ts';

/** The flags of every campaign-running subcommand (`fuzz`, `check`). */
export const CAMPAIGN_FLAGS: readonly FlagSpec[] = [
  { name: 'subject', kind: 'string' },
  STEP_TIMEOUT_FLAG,
  { name: 'seed', kind: 'seed' },
  { name: 'time', kind: 'duration' },
  { name: 'runs', kind: 'count' },
  { name: 'workers', kind: 'count' },
  { name: 'out', kind: 'string' },
  { name: 'max-commands', kind: 'count' },
  { name: 'json', kind: 'boolean' },
  { name: 'quiet', kind: 'boolean' },
  { name: 'known', kind: 'string' },
  { name: 'stop-on-first', kind: 'boolean' },
  { name: 'max-failures', kind: 'count' },
];

/** How long and how wide a campaign runs, as the flags say. */
export interface CampaignBounds {
  readonly runs: number | null;
  readonly timeMs: number | null;
  readonly workers: number;
  readonly maxCommands: number | null;
  readonly quiet: boolean;
  /** Stop once this many new bugs are saved (`--max-failures N`, `--stop-on-first` = 1); null: go on to the budget. */
  readonly maxFailures: number | null;
}

/**
 * Read `--runs`, `--time`, `--workers`, `--max-commands`, `--quiet`,
 * `--stop-on-first` and `--max-failures`. With neither --runs nor --time the
 * campaign runs `defaultTimeMs`; with both, it stops at whichever comes
 * first. Workers default to the number of cores.
 */
export function campaignBounds(args: ParsedArgs, defaultTimeMs: number): CampaignBounds {
  const runs = flagNumber(args, 'runs') ?? null;
  const stopOnFirst = flagBoolean(args, 'stop-on-first');
  const max = flagNumber(args, 'max-failures') ?? null;
  if (stopOnFirst && max !== null && max !== 1) throw new UsageError('--stop-on-first and --max-failures disagree (--stop-on-first is --max-failures 1)');
  return {
    runs,
    timeMs: flagNumber(args, 'time') ?? (runs === null ? defaultTimeMs : null),
    workers: flagNumber(args, 'workers') ?? availableParallelism(),
    maxCommands: flagNumber(args, 'max-commands') ?? null,
    quiet: flagBoolean(args, 'quiet'),
    maxFailures: stopOnFirst ? 1 : max,
  };
}

/** `--known FILE` loaded against the subject (bad files throw input errors), or null. Warnings go to `warn`. */
export async function knownFromArgs(args: ParsedArgs, env: ReplayEnv, warn: (line: string) => void): Promise<KnownFindings | null> {
  const file = flagString(args, 'known');
  if (file === undefined) return null;
  const known = await loadKnownFindings(file, env);
  for (const w of known.warnings) warn(`warning: ${w}`);
  return known;
}

/** `seed 1, 2 workers, 300 runs or 60s`: the line a campaign announces itself with. */
export function describeCampaign(seed: number, b: CampaignBounds): string {
  const bound = [b.runs === null ? null : `${b.runs} runs`, b.timeMs === null ? null : `${b.timeMs / 1000}s`].filter((x) => x !== null).join(' or ');
  const stop = b.maxFailures === null ? '' : `, stopping after ${b.maxFailures} new failure${b.maxFailures === 1 ? '' : 's'}`;
  return `seed ${seed}, ${b.workers} worker${b.workers === 1 ? '' : 's'}, ${bound}${stop}`;
}

export interface CampaignRunOptions {
  readonly subject: string;
  readonly seed: number;
  readonly workers: number;
  readonly runs: number | null;
  readonly timeMs: number | null;
  readonly maxCommands: number | null;
  readonly outDir: string | null;
  /** Time limit of one request to an `exec:` subject, or null for the default. */
  readonly stepTimeoutMs: number | null;
  readonly quiet: boolean;
  readonly maxFailures: number | null;
  readonly known: KnownFindings | null;
  /** Label of progress lines (`fuzz`, `check`). */
  readonly label: string;
  readonly env: ReplayEnv;
  readonly io: Io;
}

export interface CampaignRun {
  readonly summary: SummaryInput;
  readonly result: CampaignResult;
}

/** Run the campaign, printing failure reports on stdout as they are triaged. Throws on a worker error. */
export async function runCampaignFromCli(o: CampaignRunOptions): Promise<CampaignRun> {
  const progress = new ProgressReporter(o.io.stderr, 3000, !o.quiet, o.label);
  const triage = new Triage({
    env: o.env,
    subject: o.subject,
    campaignSeed: o.seed,
    outDir: o.outDir,
    known: o.known,
    maxFailures: o.maxFailures,
    report: (lines) => {
      progress.note('');
      o.io.out(...lines, '');
    },
  });
  let failuresSoFar = 0;
  const campaign = new Campaign({
    subject: o.subject,
    seed: o.seed,
    workers: o.workers,
    runs: o.runs,
    timeMs: o.timeMs,
    maxCommands: o.maxCommands,
    stepTimeoutMs: o.stepTimeoutMs,
    known: knownMatchers(o.known),
    onBatch: async (b) => {
      const r = await triage.handle(b);
      failuresSoFar = triage.failures.length;
      return r;
    },
    onProgress: (t) =>
      progress.update({
        runs: t.runs,
        commands: t.commands,
        failures: failuresSoFar,
        elapsedMs: t.elapsedMs,
        totalRuns: o.runs,
        timeLimitMs: o.timeMs,
      }),
  });
  const onSigint = (): void => {
    progress.note(`${o.label}: interrupted, finishing the batches in flight (Ctrl-C again to stop at once)`);
    campaign.stop();
  };
  process.on('SIGINT', onSigint);
  let result: CampaignResult;
  try {
    result = await campaign.run();
  } finally {
    process.off('SIGINT', onSigint);
    progress.finish();
  }
  if (result.error !== null) throw new Error(`campaign failed: ${result.error}`);
  return {
    result,
    summary: {
      subject: o.subject,
      seed: o.seed,
      workers: o.workers,
      result,
      failures: triage.failures,
      duplicates: triage.duplicates,
      known: o.known === null ? null : [...triage.known.values()],
      firstFailure: triage.firstFailure,
    },
  };
}
