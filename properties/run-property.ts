/**
 * The stateful property: random headers and command sequences (`rules.ts`),
 * executed on a subject and the reference model with every invariant checked
 * after every command; on failure, fast-check's shrunk counterexample as a
 * replayable `Trace`.
 */
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import type { Command, SubjectFactory, Trace, TraceHeader } from '../src/protocol/types.ts';
import { TRACE_FORMAT } from '../src/protocol/types.ts';
import { ReferenceModel } from '../model/index.ts';
import { headerArb } from './arbitraries/vm-shapes.ts';
import { ruleArbFor, type RuleModel, type RuleTarget } from './rules.ts';
import { capabilitiesOf, fitHeader, isFullCapabilities } from '../src/protocol/capabilities.ts';
import { countStep, emptyCoverage } from './statistics.ts';
import { StepFailed, StepRunner } from './step-runner.ts';
import { InvariantViolation } from './violation.ts';

/** Options of {@link runProperty}. */
export interface PropertyOptions {
  readonly subjectFactory: SubjectFactory;
  readonly seed: number;
  readonly numRuns: number;
  /** Upper bound on the commands of one run (default 60; runs average about a third of it). */
  readonly maxCommands?: number;
  /**
   * Explore mode: every failing run is handed to this callback and then ends
   * as a pass, so fast-check neither stops nor shrinks and the batch runs all
   * `numRuns` runs (the runs are the same whatever failed: fast-check draws
   * each run's commands before executing them). `failure` is then always null.
   * Without it, the first failing run is shrunk and returned as `failure`.
   */
  readonly explore?: (failure: RunFailure) => void;
}

/** A failing run as explore mode reports it: not shrunk. */
export interface RunFailure {
  readonly violation: InvariantViolation;
  readonly header: TraceHeader;
  /** The commands executed, the failing one last. */
  readonly commands: readonly Command[];
  /** 0-based number of the run (fast-check's replay path of it is `String(run)`). */
  readonly run: number;
  /** When the failing command had been checked, in ms since the epoch (`performance.timeOrigin` based). */
  readonly at: number;
}

/** The current time in ms since the epoch, comparable across worker threads. For measurements only. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A failure found by {@link runProperty}, shrunk. */
export interface PropertyFailure {
  readonly violation: InvariantViolation;
  /** The shrunk counterexample: header plus the concrete commands executed, with meta (invariant, seed, path). */
  readonly trace: Trace;
  readonly seed: number;
  /** fast-check's replay path of the counterexample. */
  readonly path: string;
  /** Runs that passed before the first failing one. */
  readonly runsBeforeFailure: number;
}

/** What {@link runProperty} returns. */
export interface PropertyResult {
  /** Runs fast-check executed (the failing one included, shrinking excluded). */
  readonly runs: number;
  /** Commands executed by those runs. */
  readonly commands: number;
  /** How often each documented case (1..15) was hit by a successful map. */
  readonly cases: Record<string, number>;
  /** How often each command kind ran. */
  readonly kinds: Record<string, number>;
  readonly failure: null | PropertyFailure;
  /** Runs that failed (explore mode; in the default mode 0 or 1). */
  readonly failedRuns: number;
  /** When the first run started executing, in ms since the epoch (see {@link clockMs}); null when no run ran. */
  readonly startedAt: number | null;
}

/**
 * The replayable trace of one run: its header (VM, flags when any, objects)
 * and the commands executed, with `meta`. Every trace the property hands out
 * is built here, so none loses a header field (a VM flag dropped makes the
 * run replay differently).
 */
export function runTrace(header: TraceHeader, commands: readonly Command[], meta: NonNullable<Trace['meta']>): Trace {
  return {
    format: TRACE_FORMAT,
    vm: header.vm,
    ...(header.flags === undefined ? {} : { flags: header.flags }),
    objects: header.objects,
    commands,
    meta,
  };
}

/** Default bound on commands per run. */
export const DEFAULT_MAX_COMMANDS = 60;

interface FailedRun {
  readonly header: TraceHeader;
  readonly commands: readonly Command[];
  readonly violation: InvariantViolation;
}

/**
 * Runs the stateful property with fast-check (`fc.check`, so a failure is a
 * result, not an exception) for `numRuns` runs from `seed`. Each run resets the
 * subject (one instance, made by `subjectFactory`) and a fresh reference model
 * to a generated header, then executes a generated command sequence made only
 * of what the subject's `capabilities` allow. Coverage counts only the
 * generation phase, not shrinking.
 *
 * Rejects when the model or a subject's `reset` throws (not a property failure).
 */
export async function runProperty(opts: PropertyOptions): Promise<PropertyResult> {
  const subject = await opts.subjectFactory();
  const model = new ReferenceModel();
  const runner = new StepRunner(subject, model);
  const coverage = emptyCoverage();
  let counting = true;
  let commands = 0;
  let passed = 0;
  let runIndex = 0;
  let failedRuns = 0;
  let startedAt: number | null = null;
  const explore = opts.explore;
  let lastFailure: FailedRun | null = null;
  let harnessError: unknown = null;
  runner.onStep = (s) => {
    if (counting) countStep(coverage, s);
  };
  const maxCommands = opts.maxCommands ?? DEFAULT_MAX_COMMANDS;
  const caps = capabilitiesOf(subject);

  // The commands come first so that fast-check shrinks them before the header:
  // shrinking the header first can move the failure to a later command, after
  // which fc.commands' replay log only offers the old, no longer failing prefix.
  const property = fc.asyncProperty(
    fc.commands([ruleArbFor(caps)], { maxCommands, size: 'max' }),
    isFullCapabilities(caps) ? headerArb : headerArb.map((h) => fitHeader(h, caps)),
    async (cmds, header) => {
      const target: RuleTarget = { runner, executed: [] };
      const run = runIndex++;
      startedAt ??= clockMs();
      try {
        await runner.start(header);
        await fc.asyncModelRun(() => ({ model: {} as RuleModel, real: target }), cmds);
      } catch (e) {
        if (explore !== undefined && e instanceof StepFailed) {
          commands += target.executed.length;
          failedRuns++;
          explore({ violation: e.violation, header, commands: [...target.executed], run, at: clockMs() });
          return;
        }
        if (counting) commands += target.executed.length;
        counting = false;
        if (e instanceof StepFailed) {
          lastFailure = { header, commands: [...target.executed], violation: e.violation };
          throw e.violation;
        }
        harnessError ??= e;
        throw e;
      }
      if (counting) {
        commands += target.executed.length;
        passed++;
      }
    },
  );

  try {
    const details = await fc.check(property, { seed: opts.seed, numRuns: opts.numRuns });
    if (harnessError !== null) throw harnessError;
    let failure: PropertyFailure | null = null;
    const found = lastFailure as FailedRun | null;
    if (details.failed && found !== null) {
      const path = details.counterexamplePath ?? '';
      const trace = runTrace(found.header, found.commands, { invariant: found.violation.invariant, seed: details.seed, path, subject: subject.name });
      failure = { violation: found.violation, trace, seed: details.seed, path, runsBeforeFailure: passed };
      failedRuns = 1;
    } else if (details.failed) {
      throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    }
    return { runs: details.numRuns, commands, cases: coverage.cases, kinds: coverage.kinds, failure, failedRuns, startedAt };
  } finally {
    await subject.close?.();
  }
}
