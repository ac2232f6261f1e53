/**
 * `checkSubject`: the stateful property against one subject, inside a test
 * suite instead of the CLI. It runs exactly the batches of
 * `gpuvm-check fuzz --seed N --runs M` (any number of workers gives the same
 * ones), in this thread, one after another, and stops at the first failing
 * batch. That failure goes through the campaign's triage: it is minimised by
 * delta debugging, saved where the caller asks, and reported with the CLI's
 * failure report (program, expected / actual, picture, replay command), which
 * becomes the message of the thrown `SubjectCheckError`.
 *
 * It does not depend on a test framework: a rejected promise fails the test in
 * vitest, jest or node's test runner alike.
 */

import { runBatch } from '../campaign/batch.ts';
import { addCounts } from '../campaign/campaign.ts';
import type { ReplayEnv } from '../campaign/replay-env.ts';
import { batchCount } from '../campaign/seeds.ts';
import { Triage, type TriagedFailure } from '../campaign/triage.ts';
import { replayEnv } from '../cli/subject.ts';
import { shellQuote } from '../report/failure.ts';
import type { CommandKind, SubjectFactory, Trace } from '../protocol/types.ts';
import { resolveSubject } from '../subjects.ts';
import { closeExecSubjects } from '../exec/factory.ts';
import { knownMatchers, loadKnownFindings } from '../findings/known.ts';

/** Options of {@link checkSubject}. */
export interface CheckSubjectOptions {
  /** The campaign seed, as `fuzz --seed` (default 1). A safe integer. */
  readonly seed?: number;
  /** Runs of the property, as `fuzz --runs` (default 100). A positive safe integer. */
  readonly runs?: number;
  /** Upper bound on the commands of one run, as `fuzz --max-commands` (default: the CLI's, 60). */
  readonly maxCommands?: number;
  /**
   * A known-findings file (the format of `gpuvm-check fuzz --known FILE`): failures it
   * lists are counted, not reported. A path, relative to the current directory.
   */
  readonly known?: string;
  /**
   * A directory (created when missing) where the minimised trace of a failure is saved
   * as `<invariant>-<hash>.json`, as `fuzz --out` does. Default: nothing is saved, and
   * the report carries the trace as JSON.
   */
  readonly saveTo?: string;
  /**
   * The `--subject` spec the printed replay command names. Default: the spec given as
   * `subject`; for a factory, a placeholder asking for the module that exports it.
   */
  readonly subjectSpec?: string;
}

/** What a passing {@link checkSubject} ran. */
export interface SubjectCheckResult {
  readonly seed: number;
  /** Runs executed (fast-check's shrinking excluded). */
  readonly runs: number;
  /** Commands executed by those runs. */
  readonly commands: number;
  /** How often each documented split/merge case (1..15) was hit. */
  readonly cases: Readonly<Record<string, number>>;
  /** How often each command kind ran. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Runs that hit each known finding (by its id), when `known` was given. */
  readonly knownHits: Readonly<Record<string, number>>;
}

/** The replay command's subject when the subject is a factory and no `subjectSpec` was given. */
export const FACTORY_SPEC_PLACEHOLDER = '<the module whose default export is this factory>';

/** A subject that failed {@link checkSubject}. The message is the CLI's failure report. */
export class SubjectCheckError extends Error {
  /** The invariant that broke, e.g. `keep-flag`. */
  readonly invariant: string;
  /** The kind of the failing command. */
  readonly kind: CommandKind;
  /** The minimised trace (meta: invariant, seed, path, subject, campaign seed, batch). */
  readonly trace: Trace;
  /** Where the trace was saved, or null when `saveTo` was not given. */
  readonly file: string | null;
  /** The report, line by line (the message is these lines joined). */
  readonly report: readonly string[];

  constructor(failure: TriagedFailure, report: readonly string[]) {
    super(report.join('\n'));
    this.name = 'SubjectCheckError';
    this.invariant = failure.invariant;
    this.kind = failure.kind;
    this.trace = failure.trace;
    this.file = failure.file;
    this.report = report;
  }
}

/** `value` when it is a safe integer (and >= 1 when `positive`); else a RangeError naming the option. */
function checkedInteger(name: string, value: number, positive: boolean): number {
  if (!Number.isSafeInteger(value) || (positive && value < 1)) {
    const what = positive ? 'a positive safe integer' : 'a safe integer';
    throw new RangeError(`checkSubject: option "${name}" must be ${what}, got ${String(value)}`);
  }
  return value;
}

/**
 * Run the stateful property against `subject` (a `SubjectFactory`, or a subject spec
 * as `--subject` takes it: `builtin:gpuvm`, a module path, ...) for `runs` runs from
 * `seed`, every invariant checked after every command.
 *
 * Resolves with the run statistics when every run passes. Rejects with a
 * `SubjectCheckError` carrying the report of the first failure (minimised, saved to
 * `saveTo` when given); with a `SubjectResolutionError` for a spec that cannot be
 * loaded or whose factory does not make a Subject; with a `RangeError` for a bad
 * option; and with the harness's own error when the subject's `reset` or the model
 * throws outside a step.
 */
export async function checkSubject(subject: SubjectFactory | string, opts: CheckSubjectOptions = {}): Promise<SubjectCheckResult> {
  const seed = checkedInteger('seed', opts.seed ?? 1, false);
  const runs = checkedInteger('runs', opts.runs ?? 100, true);
  const maxCommands = opts.maxCommands === undefined ? null : checkedInteger('maxCommands', opts.maxCommands, true);
  const spec = typeof subject === 'string' ? subject : (opts.subjectSpec ?? FACTORY_SPEC_PLACEHOLDER);
  // A spec is resolved and probed as the CLI's `--subject` is (its capabilities
  // then shape generation); a factory's subject declares its own.
  const env: ReplayEnv =
    typeof subject === 'string' ? await replayEnv(subject) : { subjectFactory: subject, modelFactory: await resolveSubject('builtin:model') };
  try {
    const known = opts.known === undefined ? null : await loadKnownFindings(opts.known, env);
    const init = { campaignSeed: seed, totalRuns: runs, maxCommands, known: knownMatchers(known) };
    const totals = { runs: 0, commands: 0, cases: {} as Record<string, number>, kinds: {} as Record<string, number>, knownHits: {} as Record<string, number> };
    for (let index = 0; index < batchCount(runs); index++) {
      const batch = await runBatch(env.subjectFactory, init, index);
      totals.runs += batch.runs;
      totals.commands += batch.commands;
      addCounts(totals.cases, batch.cases);
      addCounts(totals.kinds, batch.kinds);
      addCounts(totals.knownHits, batch.knownHits);
      if (batch.failures.length === 0) continue;
      const report: string[] = [];
      const triage = new Triage({
        env,
        subject: spec,
        outDir: opts.saveTo ?? null,
        campaignSeed: seed,
        report: (lines) => report.push(...lines),
        known,
        maxFailures: 1,
      });
      await triage.handle(batch);
      const failure = triage.failures[0];
      // Every failure of the batch was a known finding: counted, and the check goes on.
      if (failure === undefined) continue;
      const max = maxCommands === null ? '' : ` --max-commands ${maxCommands}`;
      const knownFlag = opts.known === undefined ? '' : ` --known ${shellQuote(opts.known)}`;
      report.push('', `Campaign: gpuvm-check fuzz --subject ${shellQuote(spec)} --seed ${seed} --runs ${runs}${max}${knownFlag}`);
      throw new SubjectCheckError(failure, report);
    }
    return { seed, ...totals };
  } finally {
    if (typeof subject === 'string') await closeExecSubjects();
  }
}
