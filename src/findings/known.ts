/**
 * Known findings (`--known FILE`): reading the file (format in
 * `src/protocol/findings.ts`), reading the traces it points to, and replaying
 * each finding's trace once against the subject, which tells whether it still
 * reproduces and -- for a finding given by its trace alone -- what its
 * signature is.
 */

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { INVARIANT_NAMES } from '../../properties/index.ts';
import { outcomeOf, replayOnce, type ReplayEnv } from '../campaign/replay-env.ts';
import { contentKey } from '../corpus/naming.ts';
import { loadTraceFile } from '../corpus/store.ts';
import { decodeFindings, FindingsInputError, type FindingDecl, type FindingsDecl, type RequestCause } from '../protocol/findings.ts';
import { TraceInputError } from '../protocol/errors.ts';
import type { Trace } from '../protocol/types.ts';
import { hasSignature, type FindingSignature, type KnownMatcher } from './match.ts';
import { requestCauses } from './root-cause.ts';
import { symptomKey, type Symptom } from './symptom.ts';

/** A finding ready for a campaign. */
export interface KnownFinding extends FindingDecl {
  /** The trace file as resolved (relative paths against the findings file's folder), or null. */
  readonly traceFile: string | null;
  /** The finding's minimal trace, if it has one. */
  readonly minimalTrace: Trace | null;
  /** `contentKey` of that trace. */
  readonly traceKey: string | null;
  /** What the trace fails with against the subject (null: it passes, or there is no trace). */
  readonly traceSymptom: Symptom | null;
  /** Whether the trace fails against the subject (null: no trace). */
  readonly reproduces: boolean | null;
  /** What recognises the finding: its signature, else its trace's symptom (none: it can only match by trace). */
  readonly signatures: readonly FindingSignature[];
}

/** A loaded findings file. */
export interface KnownFindings {
  readonly file: string;
  readonly subject: string | null;
  readonly findings: readonly KnownFinding[];
  /** One line each: a trace that does not reproduce, or fails otherwise than its signature says. */
  readonly warnings: readonly string[];
}

/**
 * The signature that matches exactly `s`; with `cause` (a trace's first
 * invalid request), only in a run holding a request invalid for it.
 */
export function exactSignature(s: Symptom, cause: string | null = null): FindingSignature {
  return { invariant: s.invariant, kinds: [s.kind], detail: s.detail, cause };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a findings file' : `cannot read (${code ?? String(e)})`;
    throw new FindingsInputError(file, null, null, '', reason);
  }
}

/** A findings file as read: its declarations, and each finding's trace (with the file it came from). */
export interface ReadFindings {
  readonly decl: FindingsDecl;
  readonly traces: readonly { readonly file: string | null; readonly trace: Trace | null }[];
}

/** Read `file` and the trace files it names. Throws `FindingsInputError` / `TraceInputError` on bad input. */
export async function readFindings(file: string): Promise<ReadFindings> {
  const decl = decodeFindings(await readText(file), file, { invariants: INVARIANT_NAMES });
  const traces: { file: string | null; trace: Trace | null }[] = [];
  for (let i = 0; i < decl.findings.length; i++) {
    const f = decl.findings[i] as FindingDecl;
    if (f.trace === null) traces.push({ file: null, trace: null });
    else if ('inline' in f.trace) traces.push({ file: null, trace: f.trace.inline });
    else {
      const path = isAbsolute(f.trace.path) ? f.trace.path : join(dirname(file), f.trace.path);
      try {
        traces.push({ file: path, trace: await loadTraceFile(path) });
      } catch (e) {
        if (!(e instanceof TraceInputError)) throw e;
        throw new FindingsInputError(file, i, f.id, 'trace', `${f.trace.path}: ${e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message}`);
      }
    }
  }
  return { decl, traces };
}

/**
 * Load a findings file for a campaign against `env`'s subject: read it, then
 * replay every finding's trace once. Bad input throws (exit 2); a trace that
 * passes, or fails otherwise than its signature says, is a warning.
 */
export async function loadKnownFindings(file: string, env: ReplayEnv): Promise<KnownFindings> {
  const { decl, traces } = await readFindings(file);
  const warnings: string[] = [];
  const findings: KnownFinding[] = [];
  for (let i = 0; i < decl.findings.length; i++) {
    const f = decl.findings[i] as FindingDecl;
    const t = traces[i] as ReadFindings['traces'][number];
    let traceSymptom: Symptom | null = null;
    let traceCauses: RequestCause[] = [];
    let reproduces: boolean | null = null;
    if (t.trace !== null) {
      const outcome = outcomeOf(await replayOnce(t.trace, env));
      reproduces = outcome !== null;
      if (outcome !== null) {
        traceSymptom = { invariant: outcome.invariant, kind: outcome.kind, detail: outcome.detail ?? '' };
        traceCauses = requestCauses(t.trace, t.trace.commands, outcome.step);
      }
      const label = `${file}: finding ${i} (${f.id})`;
      if (traceSymptom === null) warnings.push(`${label}: its trace passes against this subject (fixed?); it can only be recognised by its signature`);
      else if (f.signature !== null && !hasSignature(traceSymptom, traceCauses, f.signature)) {
        warnings.push(`${label}: its trace fails with ${symptomKey(traceSymptom)}, which its signature does not match`);
      }
    }
    const signatures: FindingSignature[] =
      f.signature !== null ? [f.signature] : traceSymptom !== null ? [exactSignature(traceSymptom, traceCauses[0] ?? null)] : [];
    findings.push({
      ...f,
      traceFile: t.file,
      minimalTrace: t.trace,
      traceKey: t.trace === null ? null : contentKey(t.trace),
      traceSymptom,
      reproduces,
      signatures,
    });
  }
  return { file, subject: decl.subject, findings, warnings };
}

/** The matchers campaign workers recognise known findings with. */
export function knownMatchers(k: KnownFindings | null): KnownMatcher[] {
  if (k === null) return [];
  return k.findings.filter((f) => f.signatures.length > 0).map((f) => ({ id: f.id, signatures: f.signatures }));
}
