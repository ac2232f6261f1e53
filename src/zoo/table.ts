/**
 * The zoo's report as a plain-text table, and as the `--json` object.
 */
import { toJsonTrace } from '../protocol/codec.ts';
import type { FaultSummary, ZooReport } from './zoo.ts';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function ms(v: number | null): string {
  return v === null ? '-' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;
}

function invariantText(s: FaultSummary): string {
  const names = Object.keys(s.invariants);
  if (names.length === 0) return '-';
  const text = Object.entries(s.invariants)
    .map(([k, n]) => (names.length === 1 ? k : `${k} x${n}`))
    .join(', ');
  return s.expectedInvariant ? text : `${text} (unexpected)`;
}

/** The table: one row per fault, then the totals against the targets. */
export function formatZooTable(report: ZooReport): string {
  const header = ['#', 'fault', 'detected', 'median time', 'median runs', 'invariant', 'min. trace'];
  const rows = report.faults.map((s) => [
    String(s.number),
    s.id,
    `${s.detected}/${s.seeds}`,
    ms(s.medianTimeMs),
    s.medianRuns === null ? '-' : String(s.medianRuns),
    invariantText(s),
    s.minimizedCommands === null ? '-' : `${s.minimizedCommands} cmd`,
  ]);
  const right = [true, false, true, true, true, false, true];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => pad(c, widths[i] as number, right[i] as boolean)).join('  ').trimEnd();
  const n = report.faults.length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `seeds ${report.seeds.join(', ')}; budget ${ms(report.budgetMs)} per campaign`,
    `detected with every seed: ${report.allSeedsDetected}/${n}; median time <= 2 s: ${report.fastEnough}/${n}; minimised trace <= 4 commands: ${report.shortTraces}/${n}`,
  ].join('\n');
}

/** The `--json` object (traces in the codec's JSON form, u64 as hex strings). */
export function zooJson(report: ZooReport): Record<string, unknown> {
  const n = report.faults.length;
  return {
    status: report.allSeedsDetected === n ? 'pass' : 'fail',
    seeds: report.seeds,
    budgetMs: report.budgetMs,
    allSeedsDetected: report.allSeedsDetected,
    fastEnough: report.fastEnough,
    shortTraces: report.shortTraces,
    faults: report.faults.map((s) => ({
      number: s.number,
      fault: s.id,
      summary: s.summary,
      history: s.history,
      detected: s.detected,
      seeds: s.seeds,
      medianTimeMs: s.medianTimeMs === null ? null : Math.round(s.medianTimeMs),
      medianRuns: s.medianRuns,
      invariants: s.invariants,
      expectedInvariant: s.expectedInvariant,
      minimizedCommands: s.minimizedCommands,
      minimized: s.minimized === null ? null : toJsonTrace(s.minimized),
      campaigns: s.campaigns.map((c) => ({
        seed: c.seed,
        detected: c.detected,
        timeMs: c.timeMs === null ? null : Math.round(c.timeMs),
        startupMs: c.startupMs === null ? null : Math.round(c.startupMs),
        runsToFailure: c.runsToFailure,
        runs: c.runs,
        invariant: c.invariant,
        kind: c.kind,
        minimizedCommands: c.minimized === null ? null : c.minimized.commands.length,
      })),
    })),
  };
}
