/**
 * The minimiser's target, checked independently of the minimiser: a minimal
 * trace is page-aligned unless its bug needs a finer granule, and no value in
 * it can be halved, together with everything linked to it, and still fail
 * the same way.
 *
 * "A value with everything linked to it": the numbers of a trace are
 * distances between points on the address line (the VM's and the reserved
 * node's ends, every command's address and end) and between offsets. Halving
 * one distance moves every point above it down by half of it (so a range
 * spanning it shrinks, and fields that were equal stay equal); offsets of the
 * commands above it move along or stay. This module lists every such halving.
 */
import { U64_LIMIT, type Command, type Trace } from '../../src/protocol/types.ts';

const PAGE = 0x1000n;

/** The distinct address points of a trace, with 0, ascending. */
function points(t: Trace): bigint[] {
  const out = new Set<bigint>([0n, t.vm.start, t.vm.start + t.vm.range]);
  if (t.vm.reserve) {
    out.add(t.vm.reserve.addr);
    out.add(t.vm.reserve.addr + t.vm.reserve.range);
  }
  for (const c of t.commands) {
    if ('addr' in c && 'range' in c) {
      out.add(c.addr);
      out.add(c.addr + c.range);
    }
    if (c.cmd === 'find_prev') out.add(c.start);
    if (c.cmd === 'find_next') out.add(c.end);
  }
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function offsets(t: Trace): bigint[] {
  const out = new Set<bigint>([0n]);
  for (const c of t.commands) if (c.cmd === 'map' || c.cmd === 'insert') out.add(c.offset);
  return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether every number of the trace is a whole number of pages. */
export function pageAligned(t: Trace): boolean {
  const all = [...points(t), ...offsets(t)];
  return all.every((v) => v % PAGE === 0n);
}

function valid(t: Trace): boolean {
  const ok = (v: bigint): boolean => v >= 0n && v < U64_LIMIT;
  if (!ok(t.vm.start) || !ok(t.vm.range) || t.vm.start + t.vm.range > U64_LIMIT) return false;
  for (const c of t.commands) {
    for (const v of Object.values(c)) if (typeof v === 'bigint' && !ok(v)) return false;
  }
  return true;
}

/** Move every point at or above `from` down by `by` (address line); offsets of commands there move too when `offsetsAlong`. */
function shiftAbove(t: Trace, from: bigint, by: bigint, offsetsAlong: boolean): Trace {
  const f = (p: bigint): bigint => (p >= from ? p - by : p);
  const spanOf = (addr: bigint, range: bigint): { addr: bigint; range: bigint } => ({ addr: f(addr), range: f(addr + range) - f(addr) });
  const r = t.vm.reserve;
  const vmSpan = spanOf(t.vm.start, t.vm.range);
  const commands = t.commands.map((c): Command => {
    if (c.cmd === 'map' || c.cmd === 'insert') return { ...c, ...spanOf(c.addr, c.range), offset: offsetsAlong && c.addr >= from ? c.offset - by : c.offset };
    if ('addr' in c && 'range' in c) return { ...c, ...spanOf(c.addr, c.range) };
    if (c.cmd === 'find_prev') return { ...c, start: f(c.start) };
    if (c.cmd === 'find_next') return { ...c, end: f(c.end) };
    return c;
  });
  return { ...t, vm: { start: vmSpan.addr, range: vmSpan.range, ...(r === undefined ? {} : { reserve: r === null ? null : spanOf(r.addr, r.range) }) }, commands };
}

/** Every halving of one distance of `t` with everything linked to it (see the module comment), on `granule`. */
export function halvings(t: Trace, granule: bigint): { what: string; trace: Trace }[] {
  const out: { what: string; trace: Trace }[] = [];
  const p = points(t);
  for (let i = 0; i + 1 < p.length; i++) {
    const gap = (p[i + 1] as bigint) - (p[i] as bigint);
    const by = (gap / 2n / granule) * granule;
    if (by === 0n) continue;
    for (const along of [false, true]) {
      const h = shiftAbove(t, p[i + 1] as bigint, by, along);
      if (valid(h)) out.push({ what: `halve the distance ${p[i]}..${p[i + 1]}${along ? ', offsets along' : ''}`, trace: h });
    }
  }
  const o = offsets(t);
  for (let i = 0; i + 1 < o.length; i++) {
    const gap = (o[i + 1] as bigint) - (o[i] as bigint);
    const by = (gap / 2n / granule) * granule;
    if (by === 0n) continue;
    const from = o[i + 1] as bigint;
    const h: Trace = {
      ...t,
      commands: t.commands.map((c) => (c.cmd === 'map' || c.cmd === 'insert') && c.offset >= from ? { ...c, offset: c.offset - by } : c),
    };
    if (valid(h)) out.push({ what: `halve the offset distance ${o[i]}..${from}`, trace: h });
  }
  return out;
}
