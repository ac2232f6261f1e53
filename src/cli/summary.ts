/**
 * The end-of-campaign summary: runs, commands, throughput, how often each of
 * the fifteen documented cases and each command kind was hit, and the
 * failures. As text for people, as one JSON object for scripts
 * (PROTOCOL.md section 7).
 */

import type { CampaignResult } from '../campaign/campaign.ts';
import { commandsPerSecond, formatElapsed } from '../campaign/progress.ts';
import type { KnownHit, TriagedFailure } from '../campaign/triage.ts';
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
  /** The new bugs, in the order found. */
  readonly failures: readonly TriagedFailure[];
  /** Failing runs that were repeats of a new bug. */
  readonly duplicates: number;
  /** Every finding of `--known FILE` with its hits; null without `--known`. */
  readonly known: readonly KnownHit[] | null;
  /** The first new bug: when its run failed (ms since the epoch) and its run number. */
  readonly firstFailure: { readonly at: number; readonly runs: number } | null;
}

/** Milliseconds from the campaign's first command to the first new bug's failing run, or null. */
export function timeToFirstFailureMs(s: SummaryInput): number | null {
  const from = s.result.firstCommandAt;
  if (s.firstFailure === null || from === null) return null;
  return Math.max(0, Math.round(s.firstFailure.at - from));
}

/** The known findings part of the JSON summary. */
function knownJson(known: readonly KnownHit[]): Record<string, unknown>[] {
  return known.map((k) => ({
    id: k.finding.id,
    reason: k.finding.reason,
    status: k.finding.status,
    function: k.finding.function,
    hits: k.hits,
    reproduces: k.finding.reproduces,
    aliases: k.aliases.map((a) => a.signature),
  }));
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
    stopped: r.stopped,
    failures: s.failures.map((f) => ({
      file: f.file,
      invariant: f.invariant,
      kind: f.kind,
      signature: f.signature,
      commands: f.commands,
      status: f.status,
      hits: f.hits,
      aliases: f.aliases.map((a) => a.signature),
    })),
    duplicateFailures: s.duplicates,
    failedRuns: r.failedRuns,
    knownFindings: s.known === null ? null : knownJson(s.known),
    knownHits: s.known === null ? 0 : s.known.reduce((n, k) => n + k.hits, 0),
    startupMs: r.startupMs === null ? null : Math.round(r.startupMs),
    timeToFirstFailureMs: timeToFirstFailureMs(s),
    runsToFirstFailure: s.firstFailure?.runs ?? null,
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
  if (r.startupMs !== null) lines.push(`timing:   start-up ${formatElapsed(r.startupMs)}, then ${formatElapsed(Math.max(0, r.elapsedMs - r.startupMs))} exploring`);
  if (s.known !== null) {
    const hit = s.known.filter((k) => k.hits > 0);
    const total = s.known.reduce((n, k) => n + k.hits, 0);
    lines.push(`known:    ${hit.length} of ${s.known.length} known finding${s.known.length === 1 ? '' : 's'} hit, ${total} failing run${total === 1 ? '' : 's'} in all`);
    for (const k of s.known) {
      const also = k.aliases.length === 0 ? '' : `, also seen as ${k.aliases.map((a) => a.signature).join('; ')}`;
      lines.push(`  ${k.finding.id} (${k.finding.status}): ${k.hits} hit${k.hits === 1 ? '' : 's'}${also}`);
    }
  }
  const label = s.known === null ? 'failures' : 'new';
  if (s.failures.length === 0) {
    lines.push(`${label}: none`);
  } else {
    const ttf = timeToFirstFailureMs(s);
    const at = ttf === null ? '?' : ttf < 10_000 ? `${ttf} ms` : formatElapsed(ttf);
    const first = s.firstFailure === null ? '' : ` (first after ${s.firstFailure.runs} runs, ${at} from the first command)`;
    lines.push(`${label}: ${s.failures.length} distinct${s.duplicates > 0 ? `, ${s.duplicates} repeat${s.duplicates === 1 ? '' : 's'}` : ''}${first}`);
    for (const f of s.failures) {
      const where = f.file ?? '(not saved)';
      const also = f.aliases.length === 0 ? '' : `; also seen as ${f.aliases.map((a) => a.signature).join('; ')}`;
      lines.push(`  ${f.signature}: ${where}, ${f.commands} commands, ${f.hits} hit${f.hits === 1 ? '' : 's'}${f.status === 'exists' ? ' (already saved)' : ''}${also}`);
    }
  }
  if (r.stopped) lines.push(`stopped after ${s.failures.length} new failure${s.failures.length === 1 ? '' : 's'} (--stop-on-first / --max-failures)`);
  return lines;
}
