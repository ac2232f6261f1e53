/**
 * How a saved trace is named and when two traces are "the same".
 *
 * The identity of a trace is its content without `meta`: the VM, the
 * objects and the commands, encoded by the codec. Its short hash names the
 * file (`<invariant>-<hash>.json`); the signature (invariant plus the kind of
 * the failing command) is what a campaign deduplicates failures by.
 */

import { createHash } from 'node:crypto';
import { toJsonTrace } from '../protocol/codec.ts';
import type { CommandKind, Trace } from '../protocol/types.ts';

/** Hex digits of the content hash used in file names. */
export const SHORT_HASH_LENGTH = 6;

/** The canonical text of a trace's content (header and commands; `meta` left out). */
export function contentKey(trace: Trace): string {
  const { meta: _meta, ...content } = trace;
  return JSON.stringify(toJsonTrace(content));
}

/** sha256 (hex) of `contentKey(trace)`. */
export function contentHash(trace: Trace): string {
  return createHash('sha256').update(contentKey(trace)).digest('hex');
}

/** A failure's signature: `keep-flag/map`. */
export function failureSignature(invariant: string, kind: CommandKind): string {
  return `${invariant}/${kind}`;
}

/** File names are made of letters, digits, `.`, `_` and `-` only. */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_') || 'trace';
}

/** `<invariant>-<short hash>.json`; `attempt` > 0 adds `-<attempt>` (a different trace already had the name). */
export function traceFileName(invariant: string, trace: Trace, attempt = 0): string {
  const base = `${safeName(invariant)}-${contentHash(trace).slice(0, SHORT_HASH_LENGTH)}`;
  return attempt === 0 ? `${base}.json` : `${base}-${attempt}.json`;
}
