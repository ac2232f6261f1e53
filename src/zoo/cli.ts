/**
 * `gpuvm-check zoo [FAULT...] [--seed N] [--seeds K] [--budget 10s] [--save DIR] [--json]`
 *
 * Runs a campaign against each fault of the zoo (or the ones named, by id or
 * number) with K consecutive seeds from N, prints the table to standard output
 * and one progress line per campaign to standard error. `--save DIR` writes
 * the shortest minimised trace of each fault to DIR/<id>.json. With `--json`
 * the last line of standard output is the report as one JSON object.
 * Exit status: 0 every fault caught with every seed, 1 otherwise, 2 bad usage.
 */
import { join } from 'node:path';
import { flagBoolean, flagNumber, flagString, parseArgs, UsageError, type FlagSpec } from '../cli/args.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, isInputError, jsonLine, oneLine, type Io } from '../cli/io.ts';
import { writeFileAtomic } from '../corpus/store.ts';
import { encodeTrace } from '../protocol/codec.ts';
import type { Trace } from '../protocol/types.ts';
import { formatZooTable, zooJson } from './table.ts';
import { runZoo, selectFaults, type FaultSummary } from './zoo.ts';
import { faultModulePath } from './catalog.ts';
import { STEP_TIMEOUT_FLAG, subjectOptions } from '../cli/subject.ts';

export const ZOO_USAGE = `Usage: gpuvm-check zoo [FAULT...] [options]

Run the fault zoo: a campaign against each injected fault (bench/faults/), one per
seed, each stopping at its first failure or at the time budget; the failure is
minimised. FAULT is a fault's id or number (default: all of them).

Options:
  --seed N       first campaign seed (default 1)
  --seeds K      number of seeds, N .. N+K-1 (default 5)
  --budget T     time budget of one campaign (default 10s)
  --save DIR     write each fault's shortest minimised trace to DIR/<id>.json
  --serve        run each fault as a subject program over the subject protocol
                 (exec:gpuvm-check serve --subject bench/faults/X.ts)
  --step-timeout D  with --serve: time limit of one request (default 10s)
  --json         print the report as one JSON object on the last line
  -h, --help     this help

Exit status: 0 every fault caught with every seed, 1 a fault missed, 2 bad usage.`;

const FLAGS: readonly FlagSpec[] = [
  { name: 'seed', kind: 'seed' },
  { name: 'seeds', kind: 'count' },
  { name: 'budget', kind: 'duration' },
  { name: 'save', kind: 'string' },
  { name: 'serve', kind: 'boolean' },
  STEP_TIMEOUT_FLAG,
  { name: 'json', kind: 'boolean' },
];

/** The minimised trace as saved beside the zoo: meta names the fault and the invariant. */
function savedTrace(s: FaultSummary): Trace | null {
  const t = s.minimized;
  if (t === null) return null;
  const invariant = t.meta?.invariant;
  return { ...t, meta: { ...(invariant === undefined ? {} : { invariant }), subject: faultModulePath(s.id), fault: s.id } };
}

export async function zooCommand(argv: readonly string[], io: Io): Promise<number> {
  try {
    const args = parseArgs(argv, FLAGS, 'zoo');
    if (args.help) {
      io.out(ZOO_USAGE);
      return EXIT_OK;
    }
    let only: readonly string[];
    try {
      only = selectFaults(args.positionals).map((f) => f.id);
    } catch (e) {
      throw new UsageError(`zoo: ${oneLine(e)}`);
    }
    const first = flagNumber(args, 'seed') ?? 1;
    const count = flagNumber(args, 'seeds') ?? 5;
    const seeds = Array.from({ length: count }, (_, i) => first + i);
    const budgetMs = flagNumber(args, 'budget') ?? 10_000;
    const saveDir = flagString(args, 'save');
    const json = flagBoolean(args, 'json');

    const report = await runZoo({
      seeds,
      budgetMs,
      only,
      ...(flagBoolean(args, 'serve') ? { serve: subjectOptions(args) } : {}),
      onCampaign: (fault, r) => {
        const what = r.detected
          ? `${r.invariant} after ${r.runsToFailure} runs, ${Math.round(r.timeMs ?? 0)} ms, minimised to ${r.minimized?.commands.length ?? '?'} commands`
          : `not detected in ${r.runs} runs`;
        io.err(`zoo: ${fault.number} ${fault.id} seed ${r.seed}: ${what}`);
      },
    });
    if (saveDir !== undefined) {
      for (const s of report.faults) {
        const t = savedTrace(s);
        if (t !== null) await writeFileAtomic(join(saveDir, `${s.id}.json`), encodeTrace(t));
      }
    }
    io.out(formatZooTable(report));
    if (json) io.out(jsonLine(zooJson(report)));
    return report.allSeedsDetected === report.faults.length ? EXIT_OK : EXIT_FAILURE;
  } catch (e) {
    if (isInputError(e)) {
      io.err(`gpuvm-check: ${oneLine(e)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
