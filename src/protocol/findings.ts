/**
 * The known-findings file (`--known FILE`): its types and its strict JSON
 * reader. Version 1, `"format": "gpuvm-findings/1"`:
 *
 * ```json
 * {
 *   "format": "gpuvm-findings/1",
 *   "subject": "kernel:linux-7.3",
 *   "findings": [
 *     { "id": "zero-length-range",
 *       "reason": "drm_gpuvm_range_valid() accepts a range of 0",
 *       "status": "latent-defect",
 *       "function": "drm_gpuvm_range_valid",
 *       "signature": "no-overlap/map: VA # is empty",
 *       "trace": "traces/zero-length-range.json" }
 *   ]
 * }
 * ```
 *
 * A finding names its bug by a `signature`, a minimal `trace`, or both. The
 * signature is either the one-line symptom key a report prints
 * (`invariant/kind: detail`; kind and detail optional) or an object
 * `{ invariant, kind?, detail?, cause? }` where `kind` is one command kind or a
 * list and `cause` one of `REQUEST_CAUSES`: the run must hold a request invalid
 * for that reason (so a zero-range bug does not absorb another bug that fails
 * the same way). A finding given by its trace alone is recognised by the
 * trace's symptom and, when the trace holds an invalid request, its cause.
 * The trace is a path relative to the findings file or an inline trace object
 * (PROTOCOL.md section 2). Every problem is a `FindingsInputError` naming the
 * file, the finding and the field (a bad inline trace: the trace reader's
 * `TraceInputError`, labelled the same way).
 */

import { decodeTraceValue } from './codec.ts';
import { locateJsonError } from './json-error-position.ts';
import { COMMAND_KINDS, type Trace } from './types.ts';

/** Format identifier of findings files written for this version. */
export const FINDINGS_FORMAT = 'gpuvm-findings/1';

/** Where a finding stands: a latent defect, a documented difference, or fixed in some version. */
export type FindingStatus = 'latent-defect' | 'documented-difference' | `fixed-in ${string}`;

/**
 * Why a request is invalid (SEMANTICS.md section 2), as `invalidity()` in
 * `src/findings/root-cause.ts` names it: the causes a signature may require.
 */
export const REQUEST_CAUSES = [
  'a zero range',
  'a range reaching 2^64',
  'an object offset past 2^64',
  'a range outside the VM',
  'a range over the reserved node',
] as const;
export type RequestCause = (typeof REQUEST_CAUSES)[number];

/** A finding's signature as the file gives it (see `src/findings/match.ts` for the matching). */
export interface FindingSignatureDecl {
  readonly invariant: string;
  /** Null: any kind. */
  readonly kinds: readonly string[] | null;
  /** Null: any detail. */
  readonly detail: string | null;
  /**
   * The run, up to its failing command, holds a request invalid for this
   * reason (one of `REQUEST_CAUSES`); null or absent: no such condition.
   */
  readonly cause?: RequestCause | null;
}

/** A finding's minimal trace: a file (relative to the findings file) or inline. */
export type FindingTraceDecl = { readonly path: string } | { readonly inline: Trace };

/** One entry of a findings file. */
export interface FindingDecl {
  /** The given id, or `finding-<index>` when absent. */
  readonly id: string;
  readonly reason: string;
  readonly status: FindingStatus;
  /** The upstream function the finding comes from, if given. */
  readonly function: string | null;
  readonly signature: FindingSignatureDecl | null;
  readonly trace: FindingTraceDecl | null;
}

/** A decoded findings file. */
export interface FindingsDecl {
  readonly file: string;
  /** The subject the findings are about (informational), if given. */
  readonly subject: string | null;
  readonly findings: readonly FindingDecl[];
}

/** Bad findings-file input. The message is one line: `known.json: finding 2 (zero-len): field "status": ...`. */
export class FindingsInputError extends Error {
  readonly file: string;
  /** 0-based index of the finding, or null for the file as a whole. */
  readonly index: number | null;
  readonly field: string;
  constructor(file: string, index: number | null, id: string | null, field: string, reason: string) {
    const where = index === null ? `${file}:` : `${file}: finding ${index}${id === null ? '' : ` (${id})`}:`;
    super(`${where}${field === '' ? '' : ` field "${field}":`} ${reason}`);
    this.name = 'FindingsInputError';
    this.file = file;
    this.index = index;
    this.field = field;
  }
}

const TOP_KEYS = ['format', 'subject', 'findings'];
const FINDING_KEYS = ['id', 'reason', 'status', 'function', 'signature', 'trace'];
const SIGNATURE_KEYS = ['invariant', 'kind', 'detail', 'cause'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What the reader needs to know about the engine: the invariant names a signature may use. */
export interface FindingsReadOptions {
  readonly invariants: readonly string[];
}

/**
 * Parse the one-line signature form `invariant[/kind][: detail]`
 * (`no-overlap/map: VA # is empty`, `model-agrees/find_prev`, `lists`).
 * Returns null when the text has no invariant part.
 */
export function parseSignatureKey(text: string): { invariant: string; kind: string | null; detail: string | null } | null {
  const colon = text.indexOf(': ');
  const head = (colon < 0 ? text : text.slice(0, colon)).trim();
  const detail = colon < 0 ? null : text.slice(colon + 2).trim();
  const slash = head.indexOf('/');
  const invariant = slash < 0 ? head : head.slice(0, slash);
  const kind = slash < 0 ? null : head.slice(slash + 1);
  if (invariant === '') return null;
  return { invariant, kind, detail: detail === '' ? null : detail };
}

/** The statuses a finding may have, for messages. */
export const FINDING_STATUSES = 'latent-defect, documented-difference, fixed-in <version>';

/** Whether `s` is a valid status. */
export function isFindingStatus(s: unknown): s is FindingStatus {
  return s === 'latent-defect' || s === 'documented-difference' || (typeof s === 'string' && /^fixed-in \S+$/.test(s));
}

function readFinding(file: string, index: number, raw: unknown, opts: FindingsReadOptions): FindingDecl {
  if (!isPlainObject(raw)) throw new FindingsInputError(file, index, null, '', `expected an object, got ${describe(raw)}`);
  const rawId = raw['id'];
  const givenId = typeof rawId === 'string' && rawId.trim() !== '' ? rawId : null;
  const bad = (field: string, reason: string): never => {
    throw new FindingsInputError(file, index, givenId, field, reason);
  };
  for (const key of Object.keys(raw)) if (!FINDING_KEYS.includes(key)) bad(key, `unknown field (allowed: ${FINDING_KEYS.join(', ')})`);
  if (rawId !== undefined && givenId === null) bad('id', `expected a non-empty string, got ${describe(rawId)}`);
  const reason = raw['reason'];
  if (reason === undefined) bad('reason', 'missing (one line saying what the finding is)');
  if (typeof reason !== 'string' || reason.trim() === '' || /[\r\n]/.test(reason)) bad('reason', `expected one non-empty line, got ${describe(reason)}`);
  const status = raw['status'];
  if (status === undefined) bad('status', `missing (one of ${FINDING_STATUSES})`);
  if (!isFindingStatus(status)) bad('status', `expected one of ${FINDING_STATUSES}, got ${describe(status)}`);
  const fn = raw['function'];
  if (fn !== undefined && (typeof fn !== 'string' || fn.trim() === '')) bad('function', `expected a non-empty string, got ${describe(fn)}`);

  let signature: FindingSignatureDecl | null = null;
  const sig = raw['signature'];
  if (sig !== undefined) {
    let invariant: unknown;
    let kind: unknown;
    let detail: unknown;
    let cause: unknown;
    let where = 'signature';
    if (typeof sig === 'string') {
      const parsed = parseSignatureKey(sig);
      if (parsed === null) bad('signature', `expected "invariant[/kind][: detail]", got ${describe(sig)}`);
      ({ invariant, kind, detail } = parsed as NonNullable<typeof parsed>);
    } else if (isPlainObject(sig)) {
      for (const key of Object.keys(sig)) if (!SIGNATURE_KEYS.includes(key)) bad(`signature.${key}`, `unknown field (allowed: ${SIGNATURE_KEYS.join(', ')})`);
      ({ invariant, kind, detail, cause } = sig);
      where = 'signature.invariant';
      if (invariant === undefined) bad(where, 'missing (the invariant the finding breaks)');
    } else {
      bad('signature', `expected "invariant[/kind][: detail]" or { invariant, kind?, detail?, cause? }, got ${describe(sig)}`);
    }
    if (typeof invariant !== 'string' || !opts.invariants.includes(invariant)) {
      bad(where, `unknown invariant ${describe(invariant)} (known: ${opts.invariants.join(', ')})`);
    }
    const kindField = typeof sig === 'string' ? 'signature' : 'signature.kind';
    let kinds: string[] | null = null;
    if (kind !== undefined && kind !== null) {
      const list = Array.isArray(kind) ? (kind as unknown[]) : [kind];
      if (list.length === 0) bad(kindField, 'expected a command kind or a non-empty list of them');
      for (const k of list) {
        if (typeof k !== 'string' || !(COMMAND_KINDS as readonly string[]).includes(k)) {
          bad(kindField, `unknown command kind ${describe(k)} (known: ${COMMAND_KINDS.join(', ')})`);
        }
      }
      kinds = list as string[];
    }
    if (detail !== undefined && detail !== null && (typeof detail !== 'string' || detail.trim() === '')) {
      bad(typeof sig === 'string' ? 'signature' : 'signature.detail', `expected a non-empty string, got ${describe(detail)}`);
    }
    if (cause !== undefined && cause !== null && !(REQUEST_CAUSES as readonly unknown[]).includes(cause)) {
      bad('signature.cause', `expected one of ${REQUEST_CAUSES.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(cause)}`);
    }
    signature = { invariant: invariant as string, kinds, detail: typeof detail === 'string' ? detail : null, cause: (cause as RequestCause | undefined) ?? null };
  }

  let trace: FindingTraceDecl | null = null;
  const t = raw['trace'];
  if (typeof t === 'string') {
    if (t.trim() === '') bad('trace', 'expected a path or a trace object, got an empty string');
    trace = { path: t };
  } else if (isPlainObject(t)) {
    // A bad inline trace is the trace reader's TraceInputError, labelled with this file, the finding and the field.
    trace = { inline: decodeTraceValue(t, `${file}: finding ${index}${givenId === null ? '' : ` (${givenId})`}: field "trace"`) };
  } else if (t !== undefined) {
    bad('trace', `expected a path (relative to ${file}) or a trace object, got ${describe(t)}`);
  }
  if (signature === null && trace === null) bad('', 'needs a "signature", a "trace", or both');
  return {
    id: givenId ?? `finding-${index}`,
    reason: (reason as string).trim(),
    status: status as FindingStatus,
    function: typeof fn === 'string' ? fn : null,
    signature,
    trace,
  };
}

/**
 * Read a findings file's text. `file` labels errors and is the base of
 * relative trace paths (which are not read here). Throws `FindingsInputError`.
 */
export function decodeFindings(text: string, file: string, opts: FindingsReadOptions): FindingsDecl {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = locateJsonError(text);
    const at = pos === null ? '' : ` at line ${pos.line}, column ${pos.column}`;
    const detail = e instanceof Error ? `: ${e.message.replace(/\r?\n/g, '\\n')}` : '';
    throw new FindingsInputError(file, null, null, '', `not valid JSON${at}${detail}`);
  }
  if (!isPlainObject(json)) throw new FindingsInputError(file, null, null, '', `expected a findings object, got ${describe(json)}`);
  const format = json['format'];
  if (format !== FINDINGS_FORMAT) {
    throw new FindingsInputError(file, null, null, 'format', format === undefined ? `missing (expected "${FINDINGS_FORMAT}")` : `expected "${FINDINGS_FORMAT}", got ${describe(format)}`);
  }
  for (const key of Object.keys(json)) {
    if (!TOP_KEYS.includes(key)) throw new FindingsInputError(file, null, null, key, `unknown field (allowed: ${TOP_KEYS.join(', ')})`);
  }
  const subject = json['subject'];
  if (subject !== undefined && typeof subject !== 'string') throw new FindingsInputError(file, null, null, 'subject', `expected a string, got ${describe(subject)}`);
  const list = json['findings'];
  if (!Array.isArray(list)) throw new FindingsInputError(file, null, null, 'findings', `expected an array of findings, got ${describe(list)}`);
  const findings = list.map((raw: unknown, i) => readFinding(file, i, raw, opts));
  const ids = new Set<string>();
  findings.forEach((f, i) => {
    if (ids.has(f.id)) throw new FindingsInputError(file, i, f.id, 'id', `another finding already has the id "${f.id}"`);
    ids.add(f.id);
  });
  return { file, subject: typeof subject === 'string' ? subject : null, findings };
}
