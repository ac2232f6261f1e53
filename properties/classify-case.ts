/**
 * Classifying an (existing VA, map request) pair into the fifteen cases the
 * split/merge documentation draws (seed 000, "old / req / new" diagrams;
 * SEMANTICS section 7).
 *
 * Three facts decide the case:
 * - where the existing VA starts relative to the request: the same address,
 *   before it, or after it;
 * - where it ends relative to the request's end: the same address, before it,
 *   or after it;
 * - whether the two agree on the backing: `keep` of section 4, i.e. the same
 *   (non-NULL) object at the same VA-to-object translation
 *   (`va.offset - va.addr == req.offset - req.addr`, "contiguous offset").
 *
 * | VA start vs req | VA end vs req | backing                      | case | diagram                                   |
 * |-----------------|---------------|------------------------------|------|-------------------------------------------|
 * | same            | same          | same object, same offset     |  1   | identical                                 |
 * | same            | same          | same object, other offset    |  2   | identical except the offset               |
 * | same            | same          | other object (or NULL)       |  3   | identical except the object               |
 * | same            | before        | any                          |  4   | VA is a left-aligned subset of req        |
 * | same            | after         | not contiguous               |  5   | req is a left-aligned subset, other BO    |
 * | same            | after         | contiguous                   |  6   | VA is a superset, PTEs could be kept      |
 * | before          | same          | not contiguous               |  7   | req is a right-aligned subset, other BO   |
 * | before          | same          | contiguous                   |  8   | VA is a superset (right), PTEs kept       |
 * | before          | before (>ra)  | not contiguous               |  9   | req overlaps the VA's end, other BO       |
 * | before          | before (>ra)  | contiguous                   | 10   | req overlaps the VA's end, contiguous     |
 * | before          | after         | not contiguous               | 11   | req is a centred subset, other BO         |
 * | before          | after         | contiguous                   | 12   | req is a contiguous centred subset        |
 * | after           | same          | any                          | 13   | VA is a right-aligned subset of req       |
 * | after           | before        | any                          | 14   | VA is a centred subset of req             |
 * | after (< re)    | after         | any                          | 15   | req overlaps the VA's start               |
 *
 * Folds: the diagrams say cases 4, 13 and 14 look the same whatever the
 * object and offset (the VA is simply replaced), so they take every backing.
 * Case 15 is drawn with another object; a request contiguous with the VA
 * overlapping its start has no diagram of its own and folds onto 15 as well
 * (the result is the same REMAP with a next half; only `keep` differs).
 * For the "same start, same end" row, "same object" means the same non-NULL
 * object: a NULL VA under a NULL request is case 3 (NULL is no object, and
 * section 4's keep is false for it); "contiguous" with the same start reduces
 * to equal offsets. A pair that does not overlap has no case (null).
 */
import type { BoRef, VaRecord } from '../src/protocol/types.ts';
import { keeps, overlaps } from './geometry.ts';

/** The part of a map request the classifier looks at. */
export interface CaseRequest {
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
}

/** The number of documented cases. */
export const CASE_COUNT = 15;

/** The fifteen case numbers as strings ("1".."15"), the keys of a case histogram. */
export const CASE_KEYS: readonly string[] = Array.from({ length: CASE_COUNT }, (_, i) => String(i + 1));

/**
 * The documented case (1..15) of mapping `req` over the existing `va`, or null
 * when they do not overlap (or either is empty). See the table above.
 */
export function classifyCase(va: VaRecord, req: CaseRequest): number | null {
  const a = va.addr;
  const e = va.addr + va.range;
  const ra = req.addr;
  const re = req.addr + req.range;
  if (va.range <= 0n || req.range <= 0n || !(a < re && ra < e)) return null;
  const sameObject = va.bo !== null && va.bo === req.bo;
  const contiguous = keeps(va, req);
  if (a === ra) {
    if (e === re) return contiguous ? 1 : sameObject ? 2 : 3;
    if (e < re) return 4;
    return contiguous ? 6 : 5;
  }
  if (a < ra) {
    if (e === re) return contiguous ? 8 : 7;
    if (e < re) return contiguous ? 10 : 9;
    return contiguous ? 12 : 11;
  }
  if (e === re) return 13;
  if (e < re) return 14;
  return 15;
}

/**
 * The madvise cases: how a madvise request [ra, re) meets one existing VA
 * [a, e) it overlaps (the shapes of drm_gpuvm_madvise_ops_create(); campaigns
 * count them next to the fifteen map cases).
 *
 * | case | VA                  | geometry              | ops for this VA                       |
 * |------|---------------------|-----------------------|---------------------------------------|
 * | m1   | without an object   | a < ra, e == re       | REMAP(prev) + MAP [ra, re) (the whole request) |
 * | m2   | without an object   | a < ra < e < re       | REMAP(prev) + MAP [ra, e)             |
 * | m3   | without an object   | a == ra, e > re       | REMAP(next) + MAP [ra, re) (the whole request) |
 * | m4   | without an object   | ra < a < re < e       | REMAP(next) + MAP [a, re)             |
 * | m5   | without an object   | a < ra, e > re        | REMAP(prev, next) + MAP [ra, re)      |
 * | m6   | without an object   | ra <= a, e <= re      | none (no edge inside it)              |
 * | m7   | with an object      | any overlap           | none (madvise leaves it alone)        |
 *
 * m1, m3 and m5 are the shapes where the MAP piece is the whole request,
 * which upstream emits as the request itself (its object and offset).
 */
export const MADVISE_CASE_KEYS: readonly string[] = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];

/** The madvise case (see the table above) of `va` under the request, or null when they do not overlap. */
export function classifyMadviseCase(va: VaRecord, req: { readonly addr: bigint; readonly range: bigint }): string | null {
  const a = va.addr;
  const e = va.addr + va.range;
  const ra = req.addr;
  const re = req.addr + req.range;
  if (va.range <= 0n || req.range <= 0n || !overlaps(a, e, ra, re)) return null;
  if (va.bo !== null) return 'm7';
  if (a < ra) return e === re ? 'm1' : e < re ? 'm2' : 'm5';
  if (e <= re) return 'm6';
  return a === ra ? 'm3' : 'm4';
}
