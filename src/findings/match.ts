/**
 * Recognising a known finding by its signature: plain data that crosses the
 * worker-thread boundary, and one pure matching function, cheap enough to run
 * on every failing run of a campaign.
 */

import { kindFreeSymptom, type Symptom } from './symptom.ts';

/**
 * A finding's signature: the invariant, optionally the kinds of the failing
 * command, optionally the symptom detail (as `symptomDetail` computes it, and
 * as reports print it after the `invariant/kind: `), optionally the cause a
 * request of the run must be invalid for (`requestCauses` in root-cause.ts).
 */
export interface FindingSignature {
  readonly invariant: string;
  /** Any of these kinds; null: any kind. */
  readonly kinds: readonly string[] | null;
  /** Exactly this detail; null: any detail. */
  readonly detail: string | null;
  /** One of the run's request causes; null or absent: any run. */
  readonly cause?: string | null;
}

/** What a campaign worker needs to recognise one known finding. */
export interface KnownMatcher {
  /** The finding's id (hits are counted under it). */
  readonly id: string;
  readonly signatures: readonly FindingSignature[];
}

/**
 * Whether a failure with `symptom`, whose run's requests up to the failing
 * command are invalid for `causes`, has `signature` (the kinds do not matter
 * for a kind-free symptom).
 */
export function hasSignature(symptom: Symptom, causes: readonly string[], signature: FindingSignature): boolean {
  if (symptom.invariant !== signature.invariant) return false;
  if (signature.kinds !== null && !kindFreeSymptom(symptom) && !signature.kinds.includes(symptom.kind)) return false;
  if (signature.cause !== undefined && signature.cause !== null && !causes.includes(signature.cause)) return false;
  return signature.detail === null || signature.detail === symptom.detail;
}

/** The id of the first known finding whose signatures include the failure's, or null. */
export function matchKnown(symptom: Symptom, causes: readonly string[], known: readonly KnownMatcher[]): string | null {
  for (const k of known) {
    if (k.signatures.some((s) => hasSignature(symptom, causes, s))) return k.id;
  }
  return null;
}
