/**
 * The symptom of a failure: what a campaign deduplicates by before it spends
 * anything on a failure, and what a known finding is recognised by.
 *
 * A symptom is the invariant that broke, the kind of the failing command
 * (left out for invariants over the state alone, see `kindFree`), and the
 * *detail*: the violation's one-line reason with everything that varies
 * from one occurrence of the same bug to the next taken out -- numbers
 * (addresses, ranges, offsets, op and VA indices, object ids), the VAs the
 * reason quotes, parenthesised asides, the values a `model-agrees` difference
 * shows and the indices and sub-fields of the path it names. What is left says
 * *which part* of the contract broke: `op # has a wrong next half`,
 * `VA # is empty`, `observation.va differs from the model`.
 *
 * The symptom is computed from the violation alone (no replay), so it is cheap
 * enough to compute for every failing run of a campaign.
 */

import { STRUCTURAL_INVARIANTS } from '../../properties/invariant-names.ts';
import type { CommandKind } from '../protocol/types.ts';

/** What a symptom is computed from (the engine's `InvariantViolation` has all three). */
export interface SymptomSource {
  readonly invariant: string;
  readonly command: { readonly cmd: CommandKind };
  readonly reason: string;
}

/** A failure's symptom. */
export interface Symptom {
  readonly invariant: string;
  readonly kind: CommandKind;
  readonly detail: string;
}

/**
 * Invariants whose reason carries nothing that tells two bugs apart: a
 * process that stopped answering. (A crash keeps its first line -- the
 * signal, a sanitizer's report kind -- and two crashes whose minimal traces
 * are equal are one bug anyway, see `root-cause.ts`.)
 */
const DETAIL_FREE: ReadonlySet<string> = new Set(['subject-hung']);

/** Longest detail kept (a very long reason is cut there). */
export const MAX_DETAIL_LENGTH = 160;

/** Removes parenthesised groups, nested ones included: `VA 0 (0x0+0x1 -> bo1 @0x0) is empty` -> `VA 0 is empty`. */
function withoutParentheses(text: string): string {
  let out = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/** `observation.ops[2].next.offset` -> `observation.ops`: the top-level field of a snapshot or observation path. */
function topLevelPaths(text: string): string {
  return text.replace(/\b(observation|snapshot)((?:\.[A-Za-z_]\w*|\[\d+\])+)/g, (_m, root: string, rest: string) => {
    const first = /^\.([A-Za-z_]\w*)/.exec(rest);
    return first === null ? root : `${root}.${first[1]}`;
  });
}

/**
 * The detail of a reason for `invariant`: first line only, parenthesised
 * asides dropped, model-agrees' values dropped, paths cut to their top-level
 * field, numbers and object ids replaced by `#`, quoted VAs and translation
 * segments replaced by `VA` / `bo` / `null`, whitespace collapsed.
 */
export function symptomDetail(invariant: string, reason: string): string {
  if (DETAIL_FREE.has(invariant)) return '';
  let text = reason.split('\n')[0] ?? '';
  if (invariant === 'subject-error') {
    // `the subject threw: TypeError: x is undefined` -> `the subject threw: TypeError`
    const m = /^(.*?threw[^:]*): ([A-Za-z_$][\w$]*)/.exec(text);
    if (m !== null) text = `${m[1]}: ${m[2]}`;
  }
  if (invariant === 'model-agrees') text = text.replace(/ differs from the model:.*$/, ' differs from the model');
  text = withoutParentheses(text);
  text = topLevelPaths(text);
  text = text
    .replace(/\bbo\d+\b/g, 'bo#')
    .replace(/-?\b0x[0-9a-fA-F]+\b/g, '#')
    .replace(/-?\b\d+\b/g, '#')
    .replace(/\bbo\s*#/g, 'bo#')
    // A mapping as the text notation writes it: `#+# -> bo# @#`, `#+# -> null`, `#+# kernel`.
    .replace(/#\+#(?: -> (?:bo# @#|null)| kernel)?/g, 'VA')
    // A translation segment: `[#, #) -> bo# at #`, `[#, #) -> NULL`.
    .replace(/\[#, #\) -> (?:bo# at #|NULL)/g, (m) => (m.endsWith('NULL') ? 'null' : 'bo'))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_DETAIL_LENGTH ? text.slice(0, MAX_DETAIL_LENGTH) : text;
}

/** The symptom of a violation. */
export function symptomOf(v: SymptomSource): Symptom {
  return { invariant: v.invariant, kind: v.command.cmd, detail: symptomDetail(v.invariant, v.reason) };
}

/**
 * Invariants over the state a command left (not over what the command
 * reported): the same broken state reached through another kind of command
 * is the same symptom, so their keys leave the kind out.
 */
export function kindFree(invariant: string): boolean {
  return (STRUCTURAL_INVARIANTS as readonly string[]).includes(invariant);
}

/**
 * What a subject reports before any command ran, while it set up the trace's
 * VM (the kernel subject's driver prefixes such a WARN so; it is shown at the
 * first command): no command caused it.
 */
const DURING_SETUP = /while setting up the VM:/;

/**
 * Whether `s` is the same symptom whatever the failing command's kind: a
 * kind-free invariant, or a report from setting up the VM.
 */
export function kindFreeSymptom(s: Pick<Symptom, 'invariant' | 'detail'>): boolean {
  return kindFree(s.invariant) || DURING_SETUP.test(s.detail);
}

/**
 * `remap-offsets/map: op # has a wrong next half` -- the one-line form
 * reports and findings files use; `lists: the evict list ...` for a
 * kind-free symptom. Two failures have the same symptom when their keys are equal.
 */
export function symptomKey(s: Symptom): string {
  const head = kindFreeSymptom(s) ? s.invariant : `${s.invariant}/${s.kind}`;
  return s.detail === '' ? head : `${head}: ${s.detail}`;
}

/** Whether two symptoms are the same (equal keys). */
export function sameSymptom(a: Symptom | null, b: Symptom | null): boolean {
  return a !== null && b !== null && symptomKey(a) === symptomKey(b);
}
