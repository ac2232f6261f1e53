/**
 * The model's VA space: a plain array of VA records, sorted by address and
 * pairwise disjoint, including the kernel reserved node (marked `kernel: true`).
 *
 * Everything here is a small pure function over such an array. Updates return a
 * new array (the old one is never changed), so a caller may hand the current
 * array out read-only. Lookups are linear scans: clarity over speed.
 */

import { U64_LIMIT, type BoRef, type VaRecord } from '../src/protocol/index.ts';

/** A sorted, disjoint array of VA records (the kernel node included). */
export type VaList = readonly VaRecord[];

/** The exclusive end of a VA: addr + range (may be 2^64). */
export function vaEnd(va: { readonly addr: bigint; readonly range: bigint }): bigint {
  return va.addr + va.range;
}

/** Does [a, aEnd) share at least one address with [b, bEnd)? (Empty intervals share none.) */
export function intervalsOverlap(a: bigint, aEnd: bigint, b: bigint, bEnd: bigint): boolean {
  return a < aEnd && b < bEnd && a < bEnd && b < aEnd;
}

/** A frozen VA record for an ordinary (non-kernel) VA. */
export function makeVa(addr: bigint, range: bigint, bo: BoRef, offset: bigint): VaRecord {
  return Object.freeze({ addr, range, bo, offset });
}

/** A frozen VA record for the kernel reserved node: no object, offset 0. */
export function makeKernelVa(addr: bigint, range: bigint): VaRecord {
  return Object.freeze({ addr, range, bo: null, offset: 0n, kernel: true as const });
}

/** Where the VAs overlapping a range sit in the list: indices [first, last). */
export interface Span {
  readonly first: number;
  readonly last: number;
}

/**
 * The index span of the VAs overlapping [addr, end). Because the list is sorted
 * and disjoint, those VAs are contiguous. Empty span (first == last) when none.
 */
export function overlapSpan(vas: VaList, addr: bigint, end: bigint): Span {
  let first = 0;
  while (first < vas.length && vaEnd(vas[first]!) <= addr) first++;
  let last = first;
  if (addr >= end) return { first, last };
  while (last < vas.length && vas[last]!.addr < end) last++;
  return { first, last };
}

/** The VAs overlapping [addr, end), ascending. */
export function overlapping(vas: VaList, addr: bigint, end: bigint): VaRecord[] {
  const { first, last } = overlapSpan(vas, addr, end);
  return vas.slice(first, last);
}

/** A new list with `va` inserted at its place (the caller guarantees no overlap). */
export function withInserted(vas: VaList, va: VaRecord): VaRecord[] {
  let i = 0;
  while (i < vas.length && vas[i]!.addr < va.addr) i++;
  return [...vas.slice(0, i), va, ...vas.slice(i)];
}

/** A new list where the VAs in `span` are replaced by `replacement` (re-sorted by address). */
export function withSpanReplaced(vas: VaList, span: Span, replacement: readonly VaRecord[]): VaRecord[] {
  const middle = [...replacement].sort((x, y) => (x.addr < y.addr ? -1 : x.addr > y.addr ? 1 : 0));
  return [...vas.slice(0, span.first), ...middle, ...vas.slice(span.last)];
}

/** The end of a query range, clipped at 2^64 (queries never throw). */
export function clippedEnd(addr: bigint, range: bigint): bigint {
  const end = addr + range;
  return end > U64_LIMIT ? U64_LIMIT : end;
}
