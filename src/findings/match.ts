/**
 * Recognising a known finding by its signature: plain data that crosses the
 * worker-thread boundary, and one pure matching function, cheap enough to run
 * on every failing run of a campaign.
 */

import { kindFreeSymptom, type Symptom } from './symptom.ts';

/**
 * A finding's signature: the invariant, optionally the kinds of the failing
 * command, optionally the symptom detail (as `symptomDetail` computes it, and
 * as reports print it after the `invariant/kind: `).
 */
export interface FindingSignature {
  readonly invariant: string;
  /** Any of these kinds; null: any kind. */
  readonly kinds: readonly string[] | null;
  /** Exactly this detail; null: any detail. */
  readonly detail: string | null;
}

/** What a campaign worker needs to recognise one known finding. */
export interface KnownMatcher {
  /** The finding's id (hits are counted under it). */
  readonly id: string;
  readonly signatures: readonly FindingSignature[];
}

/** Whether `symptom` has `signature` (the kinds do not matter for a kind-free symptom). */
export function hasSignature(symptom: Symptom, signature: FindingSignature): boolean {
  if (symptom.invariant !== signature.invariant) return false;
  if (signature.kinds !== null && !kindFreeSymptom(symptom) && !signature.kinds.includes(symptom.kind)) return false;
  return signature.detail === null || signature.detail === symptom.detail;
}

/** The id of the first known finding whose signatures include `symptom`'s, or null. */
export function matchKnown(symptom: Symptom, known: readonly KnownMatcher[]): string | null {
  for (const k of known) {
    if (k.signatures.some((s) => hasSignature(symptom, s))) return k.id;
  }
  return null;
}
