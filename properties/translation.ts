/**
 * The address translation a set of VAs defines, as normalised segments, for
 * the `paint` invariant. An address x inside a VA [addr, end) with object `bo`
 * and offset `offset` translates to (bo, offset + (x - addr)). A segment holds
 * `base = offset - addr`, so the translation of x is (bo, base + x) and cutting
 * a segment never changes its base. Adjacent segments translating the same way
 * are merged, so two VA sets compare equal exactly when every address
 * translates the same. NULL (sparse) mappings translate to "NULL" whatever their
 * offset: there is no backing to be at an offset of.
 */
import type { BoRef, Piece } from '../src/protocol/types.ts';

/** A maximal run of addresses [addr, end) translating to (bo, base + x); base is null for NULL. */
export interface Segment {
  readonly addr: bigint;
  readonly end: bigint;
  readonly bo: BoRef;
  readonly base: bigint | null;
}

/** How a painted range translates: object and offset at the range's first address. */
export interface Paint {
  readonly bo: BoRef;
  readonly offset: bigint;
}

function segmentOf(addr: bigint, end: bigint, bo: BoRef, offset: bigint): Segment {
  return { addr, end, bo, base: bo === null ? null : offset - addr };
}

/** The raw segments of some VAs (one per VA, in the given order). */
export function rawSegments(vas: readonly Piece[]): Segment[] {
  return vas.map((v) => segmentOf(v.addr, v.addr + v.range, v.bo, v.offset));
}

/** Sorts by address and merges adjacent segments that translate the same way. */
export function normalise(segments: readonly Segment[]): Segment[] {
  const sorted = [...segments].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const out: Segment[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end === s.addr && last.bo === s.bo && last.base === s.base) {
      out[out.length - 1] = { ...last, end: s.end };
    } else {
      out.push(s);
    }
  }
  return out;
}

/** `segments` with [addr, end) cleared. */
export function clearRange(segments: readonly Segment[], addr: bigint, end: bigint): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    if (s.end <= addr || s.addr >= end) {
      out.push(s);
      continue;
    }
    if (s.addr < addr) out.push({ ...s, end: addr });
    if (s.end > end) out.push({ ...s, addr: end });
  }
  return out;
}

/** `segments` with [addr, end) translating as `paint`. */
export function paintRange(segments: readonly Segment[], addr: bigint, end: bigint, paint: Paint): Segment[] {
  const out = clearRange(segments, addr, end);
  out.push(segmentOf(addr, end, paint.bo, paint.offset));
  return out;
}

/** Whether two normalised segment lists are equal; the index of the first difference otherwise. */
export function firstSegmentDifference(a: readonly Segment[], b: readonly Segment[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return i;
    if (x.addr !== y.addr || x.end !== y.end || x.bo !== y.bo || x.base !== y.base) return i;
  }
  return null;
}
