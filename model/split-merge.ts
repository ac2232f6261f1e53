/**
 * Split and merge, written straight from SEMANTICS.md section 4: which ops a
 * map or unmap request produces, and what applying the first k of them does to
 * the VA list.
 *
 * For every existing VA [a, e) overlapping the request [ra, re):
 *   prev = [a, ra)  (same object, same offset)      when a < ra
 *   next = [re, e)  (same object, offset f + (re - a)) when e > re
 *   REMAP{prev, next} when either exists, else UNMAP;
 * a map request then ends with exactly one MAP of the request. `keep` is the
 * section 4 formula for a map and always false for an unmap.
 */

import type { BoRef, MapOpRecord, OpRecord, Piece, RemapOpRecord, UnmapOpRecord, VaRecord } from '../src/protocol/index.ts';
import { makeVa, overlapSpan, vaEnd, withSpanReplaced, type Span, type VaList } from './va-list.ts';

/** A map request: [addr, addr + range) to `bo` at `offset` (bo null: a NULL / sparse mapping). */
export interface MapRequest {
  readonly addr: bigint;
  readonly range: bigint;
  readonly bo: BoRef;
  readonly offset: bigint;
}

/** The ops a request produces, and where the VAs they concern sit in the list. */
export interface OpsPlan {
  /** The overlapping VAs' index span; op i (i < span length) concerns VA `first + i`. */
  readonly span: Span;
  /** UNMAP / REMAP per overlapping VA, ascending, then (for a map) one MAP. */
  readonly ops: readonly OpRecord[];
}

/**
 * The keep hint for an existing VA under a map request: same (non-NULL) object
 * and the same VA-to-object translation, `f - a == req.offset - ra` (exact,
 * may be negative). The keep test of drm_gpuvm's split/merge walk.
 */
export function keepFor(va: VaRecord, req: MapRequest): boolean {
  return va.bo !== null && va.bo === req.bo && va.offset - va.addr === req.offset - req.addr;
}

/**
 * The UNMAP or REMAP for one VA overlapping the request [ra, re): REMAP when a
 * piece of the VA lies outside the request, with the hole it vacates
 * (remapToUnmapRange); otherwise UNMAP. Arithmetic is exact (never wraps).
 */
export function cutOp(va: VaRecord, ra: bigint, re: bigint, keep: boolean): UnmapOpRecord | RemapOpRecord {
  const a = va.addr;
  const e = vaEnd(va);
  const prev: Piece | null = a < ra ? { addr: a, range: ra - a, bo: va.bo, offset: va.offset } : null;
  const next: Piece | null = e > re ? { addr: re, range: e - re, bo: va.bo, offset: va.offset + (re - a) } : null;
  if (prev === null && next === null) return { op: 'unmap', va, keep };
  // The hole the driver vacates: from prev's end (or the old VA's start) to next's start (or its end).
  const holeStart = prev === null ? a : prev.addr + prev.range;
  const holeEnd = next === null ? e : next.addr;
  return { op: 'remap', unmap: { va, keep }, prev, next, hole: [holeStart, holeEnd - holeStart] };
}

/**
 * The ops of a map request: one UNMAP / REMAP per overlapping VA, ascending,
 * then the MAP. Precondition: the request passed map validation (rangeValid,
 * offset + range <= 2^64). Pure. Model of drm_gpuvm_sm_map_ops_create().
 */
export function planMap(vas: VaList, req: MapRequest): OpsPlan {
  const re = req.addr + req.range;
  const span = overlapSpan(vas, req.addr, re);
  const ops: OpRecord[] = [];
  for (let i = span.first; i < span.last; i++) {
    const va = vas[i]!;
    ops.push(cutOp(va, req.addr, re, keepFor(va, req)));
  }
  const map: MapOpRecord = { op: 'map', addr: req.addr, range: req.range, bo: req.bo, offset: req.offset };
  ops.push(map);
  return { span, ops };
}

/**
 * The ops of an unmap request [addr, addr + range): one UNMAP / REMAP (keep
 * false) per overlapping VA, ascending; empty when nothing overlaps.
 * Precondition: rangeValid. Pure. Model of drm_gpuvm_sm_unmap_ops_create().
 */
export function planUnmap(vas: VaList, addr: bigint, range: bigint): OpsPlan {
  const re = addr + range;
  const span = overlapSpan(vas, addr, re);
  const ops: OpRecord[] = [];
  for (let i = span.first; i < span.last; i++) ops.push(cutOp(vas[i]!, addr, re, false));
  return { span, ops };
}

/**
 * The ops of a madvise request [ra, re) (the kernel-doc of
 * drm_gpuvm_madvise_ops_create(): split existing mappings at the request's
 * start or end; no UNMAP; at most two REMAPs and two MAPs; nothing when the
 * edges already are VA boundaries). A VA is split only when it has no object
 * and an edge of the request falls strictly inside it: then a REMAP keeps its
 * parts outside the request (section 4's halves, keep false) and a MAP, right
 * after it, re-creates its part inside the request. The pieces madvise
 * creates carry no object, so the MAP is NULL at offset 0: no address changes
 * its translation. Precondition: map validation passed. Pure.
 */
export function planMadvise(vas: VaList, req: MapRequest): OpRecord[] {
  const ra = req.addr;
  const re = ra + req.range;
  const ops: OpRecord[] = [];
  const { first, last } = overlapSpan(vas, ra, re);
  for (let i = first; i < last; i++) {
    const va = vas[i]!;
    const a = va.addr;
    const e = vaEnd(va);
    if (va.bo !== null || (a >= ra && e <= re)) continue;
    ops.push(cutOp(va, ra, re, false));
    const start = a > ra ? a : ra;
    const end = e < re ? e : re;
    ops.push({ op: 'map', addr: start, range: end - start, bo: null, offset: 0n });
  }
  return ops;
}

/**
 * The VA list after applying a whole madvise list: each REMAP's old VA
 * replaced by its halves, each MAP's piece added.
 */
export function applyMadvise(vas: VaList, ops: readonly OpRecord[]): VaRecord[] {
  const gone = new Set<VaRecord>();
  const added: VaRecord[] = [];
  for (const op of ops) {
    if (op.op === 'remap') gone.add(op.unmap.va);
    added.push(...piecesOf(op));
  }
  return [...vas.filter((va) => !gone.has(va)), ...added].sort((x, y) => (x.addr < y.addr ? -1 : x.addr > y.addr ? 1 : 0));
}

/** The VAs an op leaves behind in place of the one it concerns (a MAP: the new VA). */
function piecesOf(op: OpRecord): VaRecord[] {
  switch (op.op) {
    case 'unmap':
      return [];
    case 'remap':
      return [op.prev, op.next].filter((p): p is Piece => p !== null).map((p) => makeVa(p.addr, p.range, p.bo, p.offset));
    case 'map':
      return [makeVa(op.addr, op.range, op.bo, op.offset)];
    case 'prefetch':
      return [];
  }
}

/**
 * The VA list after applying the first `count` ops of `plan` (all of them when
 * `count` is the number of ops). Op i replaces the i-th overlapping VA by its
 * pieces; the overlapping VAs whose op was not applied stay as they are.
 */
export function applyPlanPrefix(vas: VaList, plan: OpsPlan, count: number): VaRecord[] {
  const replacement: VaRecord[] = [];
  for (let i = 0; i < count; i++) replacement.push(...piecesOf(plan.ops[i]!));
  const overlapCount = plan.span.last - plan.span.first;
  for (let i = Math.min(count, overlapCount); i < overlapCount; i++) replacement.push(vas[plan.span.first + i]!);
  return withSpanReplaced(vas, plan.span, replacement);
}
