/**
 * The fault zoo: a campaign against every fault with several seeds, and the
 * summary per fault -- how many seeds caught it, the median time and number of
 * runs to the first failure, the invariants reported, and the length of the
 * shortest minimised trace.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { importModuleFile, OWN_MODULE_EXTENSION, PACKAGE_ROOT } from '../module-loader.ts';
import { execSubjectFactory, resolveSubject } from '../subjects.ts';
import { closeExecSubjects } from '../exec/factory.ts';
import type { SubjectFactory, Trace } from '../protocol/types.ts';
import { FAULTS, faultModulePath, type FaultEntry } from './catalog.ts';
import { runFaultCampaign, type FaultCampaignResult } from './run-fault.ts';

export interface ZooOptions {
  /** The campaign seeds (one campaign per fault and seed). */
  readonly seeds: readonly number[];
  /** Time budget of one campaign, in ms. */
  readonly budgetMs: number;
  /** Run only these faults (ids or numbers as strings); all when empty. */
  readonly only?: readonly string[];
  /** The repository root the fault modules are found under (default: two levels above this file). */
  readonly root?: string;
  /** Called after each campaign. */
  readonly onCampaign?: (fault: FaultEntry, result: FaultCampaignResult) => void;
  /**
   * Run each fault as a subject program through the subject protocol
   * (`exec:gpuvm-check serve --subject bench/faults/X.ts`) instead of in
   * process, with this time limit per request (ms); absent: in process.
   */
  readonly serve?: { readonly stepTimeoutMs?: number };
}

/** The summary of one fault over all seeds. */
export interface FaultSummary {
  readonly number: number;
  readonly id: string;
  readonly summary: string;
  readonly history: string;
  readonly seeds: number;
  readonly detected: number;
  /** Median over the detecting seeds; null when none detected. */
  readonly medianTimeMs: number | null;
  readonly medianRuns: number | null;
  /** Invariants reported, most frequent first, with counts. */
  readonly invariants: Readonly<Record<string, number>>;
  /** Whether every reported invariant is one of the expected ones. */
  readonly expectedInvariant: boolean;
  /** Commands of the shortest minimised trace; null when none. */
  readonly minimizedCommands: number | null;
  /** That trace. */
  readonly minimized: Trace | null;
  readonly campaigns: readonly FaultCampaignResult[];
}

export interface ZooReport {
  readonly seeds: readonly number[];
  readonly budgetMs: number;
  readonly faults: readonly FaultSummary[];
  /** Faults caught by every seed. */
  readonly allSeedsDetected: number;
  /** Faults whose median time to failure is at most 2 s. */
  readonly fastEnough: number;
  /** Faults with a minimised trace of at most 4 commands. */
  readonly shortTraces: number;
}

/** The median of a non-empty list (mean of the two middle values for an even length). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The faults selected by `only` (ids or numbers); throws naming an unknown one. */
export function selectFaults(only: readonly string[] | undefined): readonly FaultEntry[] {
  if (only === undefined || only.length === 0) return FAULTS;
  return only.map((key) => {
    const hit = FAULTS.find((f) => f.id === key || String(f.number) === key);
    if (hit === undefined) {
      throw new Error(`unknown fault '${key}' (known: ${FAULTS.map((f) => `${f.number} ${f.id}`).join(', ')})`);
    }
    return hit;
  });
}

/** The command line that serves a fault over the subject protocol: `node bin/gpuvm-check.mjs serve --subject FILE`. */
export function serveFaultArgv(fault: FaultEntry, root?: string): string[] {
  const base = root ?? fileURLToPath(new URL('../../', import.meta.url));
  return [
    process.execPath,
    resolve(PACKAGE_ROOT, 'bin/gpuvm-check.mjs'),
    'serve',
    '--subject',
    resolve(base, faultModulePath(fault.id, OWN_MODULE_EXTENSION)),
  ];
}

/**
 * Loads a fault module's default-exported `SubjectFactory`: from `root` (default:
 * the repository, or the package's `dist/` when the harness runs compiled) the
 * module `bench/faults/<id>` in the form the harness runs in (`.ts` or `.js`).
 * With `serve`, a factory of subjects served by `gpuvm-check serve` in a
 * process of its own.
 */
export async function loadFault(fault: FaultEntry, root?: string, serve?: ZooOptions['serve']): Promise<SubjectFactory> {
  if (serve !== undefined) return execSubjectFactory(serveFaultArgv(fault, root), serve);
  const base = root ?? fileURLToPath(new URL('../../', import.meta.url));
  const file = resolve(base, faultModulePath(fault.id, OWN_MODULE_EXTENSION));
  const mod = await importModuleFile(file);
  if (typeof mod.default !== 'function') throw new Error(`${file}: the default export is not a SubjectFactory`);
  return mod.default as SubjectFactory;
}

/** Summarises the campaigns of one fault. */
export function summarize(fault: FaultEntry, campaigns: readonly FaultCampaignResult[]): FaultSummary {
  const hits = campaigns.filter((c) => c.detected);
  const invariants: Record<string, number> = {};
  for (const c of hits) if (c.invariant !== null) invariants[c.invariant] = (invariants[c.invariant] ?? 0) + 1;
  const ordered = Object.fromEntries(Object.entries(invariants).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  let minimized: Trace | null = null;
  for (const c of hits) {
    if (c.minimized !== null && (minimized === null || c.minimized.commands.length < minimized.commands.length)) {
      minimized = c.minimized;
    }
  }
  const expected = new Set<string>(fault.expected);
  return {
    number: fault.number,
    id: fault.id,
    summary: fault.summary,
    history: fault.history,
    seeds: campaigns.length,
    detected: hits.length,
    medianTimeMs: median(hits.map((c) => c.timeMs as number)),
    medianRuns: median(hits.map((c) => c.runsToFailure as number)),
    invariants: ordered,
    expectedInvariant: hits.length > 0 && Object.keys(invariants).every((i) => expected.has(i)),
    minimizedCommands: minimized === null ? null : minimized.commands.length,
    minimized,
    campaigns,
  };
}

/** Runs the zoo: for each selected fault, one campaign per seed, one after another. */
export async function runZoo(opts: ZooOptions): Promise<ZooReport> {
  const model = await resolveSubject('builtin:model');
  const summaries: FaultSummary[] = [];
  for (const fault of selectFaults(opts.only)) {
    const factory = await loadFault(fault, opts.root, opts.serve);
    const campaigns: FaultCampaignResult[] = [];
    for (const seed of opts.seeds) {
      const r = await runFaultCampaign({ subjectFactory: factory, modelFactory: model, seed, budgetMs: opts.budgetMs });
      campaigns.push(r);
      opts.onCampaign?.(fault, r);
    }
    summaries.push(summarize(fault, campaigns));
    if (opts.serve !== undefined) await closeExecSubjects(); // this fault's subject processes
  }
  return {
    seeds: opts.seeds,
    budgetMs: opts.budgetMs,
    faults: summaries,
    allSeedsDetected: summaries.filter((s) => s.detected === s.seeds).length,
    fastEnough: summaries.filter((s) => s.medianTimeMs !== null && s.medianTimeMs <= 2000).length,
    shortTraces: summaries.filter((s) => s.minimizedCommands !== null && s.minimizedCommands <= 4).length,
  };
}
