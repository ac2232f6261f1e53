/**
 * Joint simplification: candidate edits that change every linked value of a
 * trace at once, so numbers that belong together shrink together.
 *
 * A trace's numbers are points on two lines. The *address line* holds the
 * VM's start and end, the reserved node's start and end, and each command's
 * address and end (`addr` and `addr + range`; `find_prev`'s start,
 * `find_next`'s end). The *offset line* holds the offsets of maps and inserts.
 * A candidate maps the points of a line through one increasing function, so a
 * range spanning an edit shrinks with it and two fields that were equal stay
 * equal. The candidates, most aggressive first:
 *
 * - **scale**: multiply every point by the same factor: up to pages when the
 *   trace uses a smaller granule, down by half while it stays on its granule;
 * - **close gaps**: for each gap between neighbouring points (0 counts as a
 *   point, so this also shifts the whole trace down), move everything above
 *   it down: merging the two points, leaving one granule, or halving the gap
 *   -- with the offsets of the commands above the gap moving along (their
 *   translation kept) or staying;
 * - **offsets**: the same gap closing on the offset line alone;
 * - **round**: move one point (every field at it) down to the nearest
 *   rounder value, one bit coarser, above its lower neighbour.
 *
 * A trace finer than a page is offered the ways up to pages first: scaling
 * every value, the addresses alone or the offsets alone, or aligning one
 * value to a page (a value that made the trace fine may since have gone).
 *
 * A candidate that would leave the u64 range, empty a range that was not
 * empty, or change nothing is not offered, and every one offered makes
 * `jointProgress` (a coarser granule, or smaller numbers on the same one).
 */

import { U64_LIMIT, type Command, type Trace } from '../protocol/types.ts';
import type { Candidate } from './simplify.ts';

/** One 4 KiB page: the granule minimised traces keep to unless the bug needs a finer one. */
export const PAGE = 0x1000n;

/** Lowest set bit of a positive bigint. */
function lowBit(v: bigint): bigint {
  return v & -v;
}

/** Every address point of the trace (see the module comment), unsorted, with repeats. */
export function addressPoints(trace: Trace): bigint[] {
  const out: bigint[] = [trace.vm.start, trace.vm.start + trace.vm.range];
  const r = trace.vm.reserve;
  if (r !== undefined && r !== null) out.push(r.addr, r.addr + r.range);
  for (const c of trace.commands) {
    if ('addr' in c && 'range' in c) out.push(c.addr, c.addr + c.range);
    else if (c.cmd === 'find_prev') out.push(c.start);
    else if (c.cmd === 'find_next') out.push(c.end);
  }
  return out;
}

/** The offsets of the trace's maps and inserts. */
export function offsetPoints(trace: Trace): bigint[] {
  const out: bigint[] = [];
  for (const c of trace.commands) if (c.cmd === 'map' || c.cmd === 'insert') out.push(c.offset);
  return out;
}

/**
 * The trace's granule: the largest power of two dividing every address point
 * and offset (2^64 when all are 0, capped to `PAGE` then). A page-aligned
 * trace has a granule of at least `PAGE`.
 */
export function granuleOf(trace: Trace): bigint {
  return granuleOfValues([...addressPoints(trace), ...offsetPoints(trace)]);
}

/** The largest power of two dividing every value (`PAGE` when all are 0). */
function granuleOfValues(values: readonly bigint[]): bigint {
  let bits = 0n;
  for (const v of values) bits |= v;
  return bits === 0n ? PAGE : lowBit(bits);
}

/** Whether every address point and offset of the trace is a multiple of one page. */
export function isPageAligned(trace: Trace): boolean {
  return granuleOf(trace) >= PAGE;
}

/** The granule simplification keeps to: a page for a page-aligned trace, else 1. */
export function targetGranule(trace: Trace): bigint {
  return isPageAligned(trace) ? PAGE : 1n;
}

type PointMap = (p: bigint) => bigint;
/** New offset of a map / insert, given its old offset and address. */
type OffsetMap = (offset: bigint, addr: bigint) => bigint;

class Invalid extends Error {}

function u64(v: bigint): bigint {
  if (v < 0n || v >= U64_LIMIT) throw new Invalid();
  return v;
}

/** `[addr, addr + range)` through `f`: the new address and range, both u64, a non-empty range kept non-empty. */
function mapSpan(f: PointMap, addr: bigint, range: bigint): { addr: bigint; range: bigint } {
  const a = f(addr);
  const r = f(addr + range) - a;
  if (r < 0n || (range > 0n && r === 0n)) throw new Invalid();
  return { addr: u64(a), range: u64(r) };
}

/** The trace with its address points mapped by `f` and its offsets by `g`; null when that leaves the u64 range or empties a range. */
export function mapTrace(trace: Trace, f: PointMap, g: OffsetMap): Trace | null {
  try {
    const vmSpan = mapSpan(f, trace.vm.start, trace.vm.range);
    if (vmSpan.addr + vmSpan.range > U64_LIMIT) return null;
    const r = trace.vm.reserve;
    const vm = {
      start: vmSpan.addr,
      range: vmSpan.range,
      ...(r === undefined ? {} : { reserve: r === null ? null : (({ addr, range }) => ({ addr, range }))(mapSpan(f, r.addr, r.range)) }),
    };
    const commands = trace.commands.map((c): Command => {
      if (c.cmd === 'map' || c.cmd === 'insert') return { ...c, ...mapSpan(f, c.addr, c.range), offset: u64(g(c.offset, c.addr)) };
      if ('addr' in c && 'range' in c) return { ...c, ...mapSpan(f, c.addr, c.range) };
      if (c.cmd === 'find_prev') return { ...c, start: u64(f(c.start)) };
      if (c.cmd === 'find_next') return { ...c, end: u64(f(c.end)) };
      return c;
    });
    return { ...trace, vm, commands };
  } catch (e) {
    if (e instanceof Invalid) return null;
    throw e;
  }
}

const keepOffset: OffsetMap = (o) => o;

/** Sorted distinct values, with 0 added. */
function line(values: readonly bigint[]): bigint[] {
  return [...new Set([0n, ...values])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** How far to move everything above a gap of `gap`: merge, leave one granule, halve. */
function gapMoves(gap: bigint, granule: bigint, merge: boolean): bigint[] {
  const out: bigint[] = [];
  const add = (h: bigint): void => {
    if (h > 0n && h % granule === 0n && !out.includes(h)) out.push(h);
  };
  if (merge) add(gap);
  add(gap - granule);
  add((gap / 2n / granule) * granule);
  return out;
}

function contentOf(t: Trace): string {
  return JSON.stringify(t, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString(16) : v));
}

/** The sum of every address point and offset: what the joint moves make smaller. */
export function valueSum(trace: Trace): bigint {
  let sum = 0n;
  for (const v of addressPoints(trace)) sum += v;
  for (const v of offsetPoints(trace)) sum += v;
  return sum;
}

/**
 * Whether `to` is simpler than `from` by the joint moves' measure: a coarser
 * granule (up to a page), or the same granule and a smaller `valueSum`. A
 * minimiser that accepts joint candidates only when this holds cannot cycle
 * (a move up to pages and a move back down would otherwise undo each other).
 */
export function jointProgress(from: Trace, to: Trace): boolean {
  const cap = (g: bigint): bigint => (g > PAGE ? PAGE : g);
  const gf = cap(granuleOf(from));
  const gt = cap(granuleOf(to));
  return gt > gf || (gt === gf && valueSum(to) < valueSum(from));
}

/** The joint candidates for `trace` (see the module comment), most aggressive first. */
export function jointCandidates(trace: Trace): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>([contentOf(trace)]);
  const offer = (what: string, t: Trace | null): void => {
    if (t === null || !jointProgress(trace, t)) return;
    const key = contentOf(t);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ what, trace: t });
  };
  const g = granuleOf(trace);
  const target = targetGranule(trace);

  // Scale; a trace finer than a page first tries to reach pages (all values, the
  // addresses alone, the offsets alone, or one value aligned to its page).
  if (g < PAGE) {
    const k = PAGE / g;
    offer(`scale by ${k} (to pages)`, mapTrace(trace, (p) => p * k, (o) => o * k));
    const ga = granuleOfValues(addressPoints(trace));
    const go = granuleOfValues(offsetPoints(trace));
    if (ga < PAGE) offer(`scale the addresses by ${PAGE / ga} (to pages)`, mapTrace(trace, (p) => p * (PAGE / ga), keepOffset));
    if (go < PAGE) offer(`scale the offsets by ${PAGE / go} (to pages)`, mapTrace(trace, (p) => p, (o) => o * (PAGE / go)));
    for (const p of new Set(addressPoints(trace))) {
      if (p % PAGE === 0n) continue;
      const down = p - (p % PAGE);
      offer(`align ${p} down to a page`, mapTrace(trace, (x) => (x === p ? down : x), keepOffset));
      offer(`align ${p} up to a page`, mapTrace(trace, (x) => (x === p ? down + PAGE : x), keepOffset));
    }
    for (const o of new Set(offsetPoints(trace))) {
      if (o % PAGE === 0n) continue;
      const down = o - (o % PAGE);
      offer(`align offset ${o} down to a page`, mapTrace(trace, (x) => x, (x) => (x === o ? down : x)));
      offer(`align offset ${o} up to a page`, mapTrace(trace, (x) => x, (x) => (x === o ? down + PAGE : x)));
    }
  }
  if (g >= 2n * target) offer('scale by 1/2', mapTrace(trace, (p) => p / 2n, (o) => o / 2n));

  // Close gaps on the address line (the gap above 0 shifts everything down).
  const points = line(addressPoints(trace));
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i] as bigint;
    const hi = points[i + 1] as bigint;
    for (const h of gapMoves(hi - lo, target, true)) {
      const f: PointMap = (p) => (p >= hi ? p - h : p);
      offer(`close the gap above ${lo} by ${h}, offsets along`, mapTrace(trace, f, (o, a) => (a >= hi ? o - h : o)));
      offer(`close the gap above ${lo} by ${h}`, mapTrace(trace, f, keepOffset));
    }
  }

  // Close gaps on the offset line.
  const offsets = line(offsetPoints(trace));
  for (let i = 0; i + 1 < offsets.length; i++) {
    const lo = offsets[i] as bigint;
    const hi = offsets[i + 1] as bigint;
    for (const h of gapMoves(hi - lo, target, true)) {
      offer(`close the offset gap above ${lo} by ${h}`, mapTrace(trace, (p) => p, (o) => (o >= hi ? o - h : o)));
    }
  }

  // Round single points, one bit coarser, without crossing a neighbour.
  for (let i = 1; i < points.length; i++) {
    const p = points[i] as bigint;
    const b = lowBit(p);
    if (b === p || b < target) continue;
    const prev = points[i - 1] as bigint;
    const q = p - b;
    if (q > prev) offer(`round ${p} down to ${q}`, mapTrace(trace, (x) => (x === p ? q : x), keepOffset));
  }
  for (let i = 1; i < offsets.length; i++) {
    const o = offsets[i] as bigint;
    const b = lowBit(o);
    if (b === o || b < target) continue;
    const q = o - b;
    if (q > (offsets[i - 1] as bigint)) offer(`round offset ${o} down to ${q}`, mapTrace(trace, (x) => x, (x) => (x === o ? q : x)));
  }
  return out;
}
