/**
 * The kernel fault zoo (`gpuvm-check kernel zoo --tree PATH`): for each fault
 * of `KERNEL_FAULTS`, a scratch copy of the tree with the edit, built into a
 * subject, then a short campaign (the campaign engine's batches, seeded as
 * `fuzz` seeds them) until a failure the unmodified tree does not have: a
 * failure whose shrunk trace the unmodified tree also fails is one of its
 * known findings (a documented difference of upstream, say), is counted and
 * skipped, and the campaign goes on. The detected trace is minimised against
 * the faulty subject, keeping only candidates the unmodified tree passes.
 */

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ReferenceModel } from '../../model/index.ts';
import { replayTrace } from '../../properties/index.ts';
import { runBatch } from '../campaign/batch.ts';
import { replayOracle } from '../campaign/replay-env.ts';
import { closeExecSubjects, execSubjectFactory } from '../exec/index.ts';
import { minimizeTrace } from '../minimize/minimize-trace.ts';
import { decodeTraceValue } from '../protocol/codec.ts';
import type { CommandKind, SubjectFactory, Trace } from '../protocol/types.ts';
import { buildKernelSubject } from './build.ts';
import { TREE_FILES } from './tree.ts';
import { TreeCopy } from './tree-copy.ts';
import { applyFault, KERNEL_FAULTS, type KernelFault } from './zoo-catalog.ts';

/** What `runKernelZoo` needs. */
export interface KernelZooOptions {
  /** The unmodified tree the faults are applied to (a copy of it). */
  readonly tree: string;
  /** Fault names to run (default: all). */
  readonly faults?: readonly string[];
  /** The campaign seed of every fault's campaign (default 1). */
  readonly seed?: number;
  /** No new batch starts after this many milliseconds of a fault's campaign (default 20 s). */
  readonly budgetMs?: number;
  /** The build cache root (default: the usual one). */
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
}

/** One fault's campaign. */
export interface KernelZooResult {
  readonly fault: KernelFault;
  readonly detected: boolean;
  /** Milliseconds from the campaign's start to the detecting batch's end (shrinking included). */
  readonly timeMs: number | null;
  readonly runs: number;
  /** Failures the unmodified tree shares (its known findings), skipped. */
  readonly knownSkipped: number;
  readonly invariant: string | null;
  readonly kind: CommandKind | null;
  readonly message: string | null;
  /** The minimised trace (null when not detected). */
  readonly minimized: Trace | null;
  /** Time of the fault's build (0 when cached). */
  readonly buildMs: number;
}

/** The faults `names` asks for, in catalogue order; throws for an unknown name. */
export function selectFaults(names: readonly string[] | undefined): KernelFault[] {
  if (names === undefined || names.length === 0) return [...KERNEL_FAULTS];
  for (const n of names) {
    if (!KERNEL_FAULTS.some((f) => f.name === n)) {
      throw new Error(`unknown kernel fault "${n}" (known: ${KERNEL_FAULTS.map((f) => f.name).join(', ')})`);
    }
  }
  return KERNEL_FAULTS.filter((f) => names.includes(f.name));
}

/** Whether the unmodified subject passes `trace`. */
async function passesOn(factory: SubjectFactory, trace: Trace): Promise<boolean> {
  const subject = await factory();
  try {
    return (await replayTrace(trace, subject, new ReferenceModel())).ok;
  } finally {
    await subject.close?.();
  }
}

/** Runs one fault's campaign against `faulty`, telling its failures from `baseline`'s. */
async function campaign(
  fault: KernelFault,
  faulty: SubjectFactory,
  baseline: SubjectFactory,
  seed: number,
  budgetMs: number,
  buildMs: number,
): Promise<KernelZooResult> {
  const t0 = performance.now();
  const init = { campaignSeed: seed, totalRuns: null, maxCommands: null };
  let runs = 0;
  let knownSkipped = 0;
  for (let index = 0; performance.now() - t0 < budgetMs; index++) {
    const batch = await runBatch(faulty, init, index);
    runs += batch.runs;
    for (const f of batch.failures) {
      const trace = decodeTraceValue(f.trace, `kernel zoo ${fault.name} batch ${index}`);
      if (!(await passesOn(baseline, trace))) {
        knownSkipped++;
        continue;
      }
      const timeMs = performance.now() - t0;
      // Minimise within the fault's own failures: a candidate the unmodified tree fails too has
      // drifted into one of its known findings (a zero range, say) and does not count.
      const faultyOracle = replayOracle({ subjectFactory: faulty, modelFactory: () => new ReferenceModel() });
      const oracle = async (candidate: Trace): Promise<Awaited<ReturnType<typeof faultyOracle>>> => {
        const outcome = await faultyOracle(candidate);
        return outcome !== null && (await passesOn(baseline, candidate)) ? outcome : null;
      };
      const min = await minimizeTrace(trace, oracle, { maxTests: 1000 });
      return {
        fault,
        detected: true,
        timeMs,
        runs,
        knownSkipped,
        invariant: f.invariant,
        kind: f.kind,
        message: f.message,
        minimized: min === null ? null : min.trace,
        buildMs,
      };
    }
  }
  return { fault, detected: false, timeMs: null, runs, knownSkipped, invariant: null, kind: null, message: null, minimized: null, buildMs };
}

/**
 * Runs the kernel zoo. Each fault's tree copy is removed afterwards. Throws
 * `KernelBuildError` when the unmodified tree or a faulty copy does not
 * build, `FaultApplyError` when an edit does not apply to the tree.
 */
export async function runKernelZoo(opts: KernelZooOptions): Promise<KernelZooResult[]> {
  const log = opts.log ?? (() => {});
  const faults = selectFaults(opts.faults);
  const buildOpts = opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir };
  const base = await buildKernelSubject({ tree: opts.tree, log, ...buildOpts });
  const baseline = execSubjectFactory([base.program]);
  const source = readFileSync(base.tree.gpuvmC, 'utf8');
  const results: KernelZooResult[] = [];
  try {
    for (const fault of faults) {
      const edited = applyFault(source, fault);
      const copy = new TreeCopy(base.tree.root);
      try {
        copy.write(TREE_FILES.gpuvmC, edited);
        const build = await buildKernelSubject({ tree: copy.root, ...buildOpts });
        log(`kernel zoo: ${fault.name} (${fault.function})`);
        const r = await campaign(fault, execSubjectFactory([build.program]), baseline, opts.seed ?? 1, opts.budgetMs ?? 20_000, build.buildMs);
        results.push(r);
        log(`  ${r.detected ? `found: ${r.invariant} at ${r.kind} after ${Math.round(r.timeMs ?? 0)} ms` : 'NOT FOUND'} (${r.runs} runs, ${r.knownSkipped} known findings skipped)`);
      } finally {
        copy.remove();
        await closeExecSubjects();
      }
    }
  } finally {
    await closeExecSubjects();
  }
  return results;
}

function ms(v: number | null): string {
  return v === null ? '-' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;
}

/** The zoo's report as a Markdown table (the README's), one row per fault, then the totals. */
export function formatKernelZooTable(results: readonly KernelZooResult[]): string {
  const rows = results.map((r, i) =>
    [
      String(i + 1),
      r.fault.name,
      `\`${r.fault.function}\``,
      r.fault.description,
      r.detected ? 'yes' : '**no**',
      ms(r.timeMs),
      String(r.runs),
      String(r.knownSkipped),
      r.invariant === null ? '-' : `${r.invariant}${r.fault.expected.includes(r.invariant) ? '' : ' (unexpected)'}`,
      r.minimized === null ? '-' : String(r.minimized.commands.length),
    ].join(' | '),
  );
  const found = results.filter((r) => r.detected).length;
  return [
    '| # | fault | upstream function | the bug | detected | time | runs | known skipped | invariant | min. trace |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
    '',
    `detected: ${found}/${results.length}`,
  ].join('\n');
}

/** The `--json` object of the zoo. */
export function kernelZooJson(results: readonly KernelZooResult[]): Record<string, unknown> {
  return {
    status: results.every((r) => r.detected) ? 'pass' : 'fail',
    faults: results.map((r) => ({
      fault: r.fault.name,
      function: r.fault.function,
      detected: r.detected,
      timeMs: r.timeMs === null ? null : Math.round(r.timeMs),
      runs: r.runs,
      knownSkipped: r.knownSkipped,
      invariant: r.invariant,
      kind: r.kind,
      expected: r.fault.expected.includes(r.invariant ?? ''),
      minimizedCommands: r.minimized === null ? null : r.minimized.commands.length,
    })),
  };
}
