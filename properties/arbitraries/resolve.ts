/**
 * Turning rule data into concrete commands against the model's current VAs
 * (see `rule-data.ts`). All results are valid u64 values; invalid requests
 * are produced only when the data asks for one.
 */
import type { BoRef, TraceHeader, VaRecord } from '../../src/protocol/types.ts';
import { U64_LIMIT } from '../../src/protocol/types.ts';
import { kernelOf, vmEnd } from '../geometry.ts';
import { GRANULE } from './granule.ts';
import type { BoChoice, Endpoint, Invalid, MadviseTarget, OffsetChoice, Span } from './rule-data.ts';

/** What resolution looks at: the VM and the model's VAs (ascending, kernel node left out). */
export interface ResolveEnv {
  readonly header: TraceHeader;
  readonly vas: readonly VaRecord[];
}

/** A resolved request range. */
export interface ResolvedSpan {
  readonly addr: bigint;
  readonly range: bigint;
}

const MAX_ADDR = U64_LIMIT - 1n;

function clamp(v: bigint, lo: bigint, hi: bigint): bigint {
  return v < lo ? lo : v > hi ? hi : v;
}

function mod(i: number, n: number): number {
  return ((i % n) + n) % n;
}

/** The existing boundaries, ascending and distinct: VM start and end, kernel node edges, VA edges. */
export function boundaries(env: ResolveEnv): bigint[] {
  const set = new Set<bigint>([env.header.vm.start, vmEnd(env.header)]);
  const k = kernelOf(env.header);
  if (k !== null) {
    set.add(k.addr);
    set.add(k.addr + k.range);
  }
  for (const v of env.vas) {
    set.add(v.addr);
    set.add(v.addr + v.range);
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function anchored(bounds: readonly bigint[], index: number, delta: number): bigint {
  return bounds[mod(index, bounds.length)]! + BigInt(delta) * GRANULE;
}

/** An endpoint as an address in [0, 2^64). */
export function resolveEndpoint(env: ResolveEnv, e: Endpoint, bounds = boundaries(env)): bigint {
  const v = e.kind === 'anchor' ? anchored(bounds, e.index, e.delta) : env.header.vm.start + BigInt(e.slot) * GRANULE;
  return clamp(v, 0n, MAX_ADDR);
}

/** A span as a non-empty range inside [0, 2^64]. */
export function resolveSpan(env: ResolveEnv, span: Span): ResolvedSpan {
  const bounds = boundaries(env);
  const addr = resolveEndpoint(env, span.start, bounds);
  let end: bigint;
  if (span.end.kind === 'len') {
    end = addr + BigInt(span.end.len) * GRANULE;
  } else {
    end = anchored(bounds, span.end.index, span.end.delta);
    if (end <= addr) end = addr + BigInt(1 + mod(span.end.index, 4)) * GRANULE;
  }
  end = clamp(end, addr + 1n, U64_LIMIT);
  return { addr, range: end - addr };
}

/** Replaces `s` by a request that fails validation in the way `invalid` names (section 2 rangeValid). */
export function makeInvalid(env: ResolveEnv, s: ResolvedSpan, invalid: Invalid): ResolvedSpan {
  const h = env.header;
  switch (invalid) {
    case 'zero-range':
      return { addr: s.addr, range: 0n };
    case 'overflow':
      return { addr: U64_LIMIT - GRANULE, range: 2n * GRANULE };
    case 'over-kernel': {
      const k = kernelOf(h);
      if (k !== null) return { addr: k.addr, range: k.range + GRANULE <= vmEnd(h) - k.addr ? k.range + GRANULE : k.range };
      return makeInvalid(env, s, 'outside-vm');
    }
    case 'outside-vm':
      if (h.vm.start >= GRANULE) return { addr: h.vm.start - GRANULE, range: 2n * GRANULE };
      return { addr: vmEnd(h) - GRANULE, range: 2n * GRANULE };
    case 'offset-overflow':
      return s; // the offset is made to overflow by the caller
  }
}

/** A map's object. */
export function resolveBo(env: ResolveEnv, c: BoChoice): BoRef {
  if (c.kind === 'null' || env.header.objects.length === 0) return null;
  return env.header.objects[mod(c.index, env.header.objects.length)]!.bo;
}

/**
 * A map's object and offset. "Contiguous" picks the nth VA with an object
 * that overlaps or touches [addr, end) and continues its translation (so the
 * keep hint is true when the object is the same); with `adoptBo` the request
 * takes that VA's object too. Falls back to offset 0 when nothing is near.
 */
export function resolveOffset(
  env: ResolveEnv,
  c: OffsetChoice,
  addr: bigint,
  end: bigint,
  bo: BoRef,
): { bo: BoRef; offset: bigint } {
  if (c.kind === 'abs') return { bo, offset: BigInt(c.granules) * GRANULE };
  const near = env.vas.filter((v) => v.bo !== null && v.addr <= end && v.addr + v.range >= addr);
  if (near.length === 0) return { bo, offset: 0n };
  const va = near[mod(c.index, near.length)]!;
  const offset = va.offset + (addr - va.addr);
  return { bo: c.adoptBo ? va.bo : bo, offset: offset < 0n ? va.offset : offset };
}

/** The gaps between VAs (and the kernel node) inside the VM, ascending. */
export function gaps(env: ResolveEnv): ResolvedSpan[] {
  const h = env.header;
  const taken: { addr: bigint; end: bigint }[] = env.vas.map((v) => ({ addr: v.addr, end: v.addr + v.range }));
  const k = kernelOf(h);
  if (k !== null) taken.push({ addr: k.addr, end: k.addr + k.range });
  taken.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const out: ResolvedSpan[] = [];
  let cur = h.vm.start;
  for (const t of taken) {
    if (t.addr > cur) out.push({ addr: cur, range: t.addr - cur });
    if (t.end > cur) cur = t.end;
  }
  const end = vmEnd(h);
  if (end > cur) out.push({ addr: cur, range: end - cur });
  return out;
}

/** A sub-range of the nth gap: `skip` granules in, `len` granules long (clipped to the gap); null without gaps. */
export function resolveGap(env: ResolveEnv, g: { index: number; skip: number; len: number }): ResolvedSpan | null {
  const all = gaps(env);
  if (all.length === 0) return null;
  const gap = all[mod(g.index, all.length)]!;
  const granules = gap.range / GRANULE;
  if (granules < 1n) return gap;
  const skip = BigInt(g.skip) % granules;
  const addr = gap.addr + skip * GRANULE;
  const room = gap.addr + gap.range - addr;
  const len = BigInt(g.len) * GRANULE;
  return { addr, range: len < room ? len : room };
}

/**
 * `s` moved and trimmed to a valid request: inside the VM and clear of the
 * kernel node (a span reaching into the node keeps the part before it, one
 * starting inside it starts after it). Used for requests not meant to be
 * invalid, so that validation failures come from the `invalid` choices only.
 */
export function fitToVm(env: ResolveEnv, s: ResolvedSpan): ResolvedSpan {
  const h = env.header;
  const start = h.vm.start;
  const end = vmEnd(h);
  let addr = clamp(s.addr, start, end - GRANULE);
  let stop = clamp(s.addr + s.range, addr + GRANULE, end);
  const k = kernelOf(h);
  if (k !== null) {
    const ke = k.addr + k.range;
    if (addr >= k.addr && addr < ke) {
      if (ke < end) {
        addr = ke;
        stop = clamp(stop, addr + GRANULE, end);
      } else {
        stop = k.addr;
        addr = clamp(stop - (s.range > GRANULE ? s.range : GRANULE), start, stop - GRANULE);
      }
    } else if (addr < k.addr && stop > k.addr) {
      stop = k.addr;
    }
  }
  return { addr, range: stop - addr };
}

/**
 * A madvise request's range. `null-va` cuts into the nth VA without an object
 * (start before / at / inside it, end inside / at / after it, `by` granules
 * from the VA's edge; an inside cut of a one-granule VA falls back to its
 * edge); without such a VA, or for `span`, an anchored span. The result is
 * not fitted into the VM yet.
 */
export function resolveMadviseSpan(env: ResolveEnv, t: MadviseTarget, fallback: Span): ResolvedSpan {
  const nulls = env.vas.filter((v) => v.bo === null);
  if (t.kind === 'span' || nulls.length === 0) return resolveSpan(env, t.kind === 'span' ? t.span : fallback);
  const va = nulls[mod(t.index, nulls.length)]!;
  const a = va.addr;
  const e = va.addr + va.range;
  const by = BigInt(t.by) * GRANULE;
  const inner = va.range > by ? by : va.range > GRANULE ? GRANULE : 0n;
  const start = t.start === 'before' ? (a >= by ? a - by : 0n) : t.start === 'at' ? a : a + inner;
  let end = t.end === 'after' ? e + by : t.end === 'at' ? e : e - inner;
  if (end > U64_LIMIT) end = U64_LIMIT;
  if (end <= start) end = start + GRANULE;
  return { addr: start, range: end - start };
}

/** The nth VA with an object, exactly (addr and range), or null when there is none. */
export function resolveObjectVa(env: ResolveEnv, index: number): ResolvedSpan | null {
  const withObject = env.vas.filter((v) => v.bo !== null);
  if (withObject.length === 0) return null;
  const va = withObject[mod(index, withObject.length)]!;
  return { addr: va.addr, range: va.range };
}
