/**
 * The failure report `fuzz`, `replay` and `check` print: what failed, the
 * minimal trace as a numbered program, the expected and actual observation
 * of the failing step, the address space before and after that step, and
 * the command that replays it.
 */

import type { Observation, Snapshot, Trace } from '../protocol/types.ts';
import { formatCommand, formatObservation, toDisplayJson } from '../protocol/text.ts';
import { stepPicture } from './picture.ts';
import { formatProgram, programFormat } from './program.ts';
import { DEFAULT_SUBJECT } from '../subjects.ts';

/** The subject used when `--subject` is not given; replay commands leave it out. */

/** What the report needs of the violation (the engine's `InvariantViolation` has it). */
export interface ReportedViolation {
  readonly invariant: string;
  readonly step: number;
  readonly message: string;
  readonly expected: unknown;
  readonly actual: unknown;
  /** Extra lines (a subject process's standard error, its reply line, the warnings it reported). */
  readonly details?: readonly string[];
}

/** What the report needs of the failing step (the engine's `StepRecord`). */
export interface ReportedStep {
  readonly before: Snapshot;
  readonly after: Snapshot;
  readonly observation: Observation;
  readonly expectedObservation: Observation;
  readonly expectedAfter: Snapshot;
}

export interface FailureReportInput {
  readonly trace: Trace;
  readonly violation: ReportedViolation;
  /** The failing step's record, or null when the failure happened outside a step. */
  readonly step: ReportedStep | null;
  /** The trace's file (null: not in a file). */
  readonly file: string | null;
  /** True when `file` was just written by a campaign (the report then says "saved as"). */
  readonly saved?: boolean;
  readonly subject: string;
  /** e.g. `minimised from 37 commands` */
  readonly note?: string;
  /** The failure's symptom key (what a findings file can name it by), printed under the message. */
  readonly signature?: string;
}

/** Quote a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `gpuvm-check replay FILE [--subject S]` */
export function replayCommand(file: string, subject: string): string {
  const s = subject === DEFAULT_SUBJECT ? '' : ` --subject ${shellQuote(subject)}`;
  return `gpuvm-check replay ${shellQuote(file)}${s}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return toDisplayJson(a) === toDisplayJson(b);
}

/** The report as lines (no trailing newline). */
export function failureReport(r: FailureReportInput): string[] {
  const v = r.violation;
  const cmd = r.trace.commands[v.step];
  const lines: string[] = [];
  lines.push(`FAILURE: ${v.invariant} at command ${v.step}${cmd === undefined ? '' : ` (${cmd.cmd})`}`);
  lines.push(`  ${v.message}`);
  if (r.signature !== undefined) lines.push(`  signature: ${r.signature}`);
  if (r.file !== null) lines.push(`  ${r.saved === true ? 'saved as' : 'trace'} ${r.file}${r.note === undefined ? '' : ` (${r.note})`}`);
  else if (r.note !== undefined) lines.push(`  ${r.note}`);
  const program = programFormat(r.trace);
  lines.push('', program.title);
  for (const l of formatProgram(r.trace, { step: v.step, note: v.invariant }, program.fmt)) lines.push(`  ${l}`);
  if (cmd !== undefined && r.step !== null) {
    const s = r.step;
    lines.push('', `Command ${v.step}: ${formatCommand(cmd)}`);
    const exp = formatObservation(s.expectedObservation, '      ');
    const act = formatObservation(s.observation, '      ');
    lines.push(`  expected: ${exp[0] ?? ''}`, ...exp.slice(1));
    lines.push(`  actual:   ${act[0] ?? ''}`, ...act.slice(1));
    if (!sameJson(v.expected, s.expectedObservation) || !sameJson(v.actual, s.observation)) {
      lines.push(`  ${v.invariant} expected: ${toDisplayJson(v.expected)}`);
      lines.push(`  ${v.invariant} actual:   ${toDisplayJson(v.actual)}`);
    }
    lines.push('', `Address space before and after command ${v.step}:`);
    for (const l of stepPicture(cmd, s.before, s.after, s.expectedAfter)) lines.push(`  ${l}`);
  } else {
    lines.push('', `  expected: ${toDisplayJson(v.expected)}`, `  actual:   ${toDisplayJson(v.actual)}`);
  }
  if (v.details !== undefined && v.details.length > 0) lines.push('', ...v.details.map((l) => `  ${l}`));
  if (r.file !== null) lines.push('', `Replay: ${replayCommand(r.file, r.subject)}`);
  return lines;
}
