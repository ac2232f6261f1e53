/**
 * The end-of-campaign summary: runs, commands, throughput, how often each of
 * the fifteen documented cases and each command kind was hit, and the
 * failures. As text for people, as one JSON object for scripts
 * (PROTOCOL.md section 7).
 */

import type { CampaignResult } from '../campaign/campaign.ts';
import { commandsPerSecond, formatElapsed } from '../campaign/progress.ts';
import type { TriagedFailure } from '../campaign/triage.ts';
import { COMMAND_KINDS } from '../protocol/types.ts';
import { MADVISE_CASE_KEYS } from '../../properties/classify-case.ts';

/** The fifteen documented split/merge cases (SEMANTICS.md section 7). */
export const CASE_NUMBERS: readonly number[] = Array.from({ length: 15 }, (_, i) => i + 1);

/** Every case 1..15, then every madvise case m1..m7, with its count (0 when never hit), in order. */
export function caseCounts(cases: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of CASE_NUMBERS) out[String(n)] = cases[String(n)] ?? 0;
  for (const k of MADVISE_CASE_KEYS) out[k] = cases[k] ?? 0;
  for (const [k, v] of Object.entries(cases)) if (!(k in out)) out[k] = v;
  return out;
}

/** Every command kind with its count (0 when never generated), in protocol order. */
export function kindCounts(kinds: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of COMMAND_KINDS) out[k] = kinds[k] ?? 0;
  for (const [k, v] of Object.entries(kinds)) if (!(k in out)) out[k] = v;
  return out;
}

export interface SummaryInput {
  readonly subject: string;
  readonly seed: number;
  readonly workers: number;
  readonly result: CampaignResult;
  readonly failures: readonly TriagedFailure[];
  readonly duplicates: number;
}

/** The JSON summary object (PROTOCOL.md section 7, plus first-failure timing and counts). */
export function summaryJson(s: SummaryInput): Record<string, unknown> {
  const r = s.result;
  return {
    status: s.failures.length > 0 ? 'fail' : 'pass',
    subject: s.subject,
    seed: s.seed,
    workers: s.workers,
    runs: r.runs,
    commands: r.commands,
    commandsPerSecond: commandsPerSecond(r.commands, r.elapsedMs),
    elapsedMs: Math.round(r.elapsedMs),
    interrupted: r.interrupted,
    failures: s.failures.map((f) => ({
      file: f.file,
      invariant: f.invariant,
      kind: f.kind,
      commands: f.commands,
      status: f.status,
    })),
    duplicateFailures: s.duplicates,
    timeToFirstFailureMs: r.firstFailure?.timeMs ?? null,
    runsToFirstFailure: r.firstFailure?.runs ?? null,
    cases: caseCounts(r.cases),
    kinds: kindCounts(r.kinds),
  };
}

/** The text summary, a few lines. */
export function summaryText(s: SummaryInput): string[] {
  const r = s.result;
  const lines = [
    `${r.interrupted ? 'interrupted' : 'done'}: ${r.runs} runs, ${r.commands} commands, ${commandsPerSecond(r.commands, r.elapsedMs)} commands/s, ${formatElapsed(r.elapsedMs)} (seed ${s.seed}, ${s.workers} worker${s.workers === 1 ? '' : 's'}, ${s.subject})`,
    `cases:    ${Object.entries(caseCounts(r.cases)).map(([k, v]) => `${k}:${v}`).join(' ')}`,
    `commands: ${Object.entries(kindCounts(r.kinds)).map(([k, v]) => `${k}:${v}`).join(' ')}`,
  ];
  if (s.failures.length === 0) {
    lines.push('failures: none');
  } else {
    const first = r.firstFailure === null ? '' : ` (first after ${r.firstFailure.runs} runs, ${formatElapsed(r.firstFailure.timeMs)})`;
    lines.push(`failures: ${s.failures.length} distinct${s.duplicates > 0 ? `, ${s.duplicates} duplicate${s.duplicates === 1 ? '' : 's'}` : ''}${first}`);
    for (const f of s.failures) {
      const where = f.file ?? '(not saved)';
      lines.push(`  ${f.invariant} at ${f.kind}: ${where}, ${f.commands} commands${f.status === 'exists' ? ' (already saved)' : ''}`);
    }
  }
  return lines;
}
