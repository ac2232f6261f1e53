/**
 * The one text notation of protocol values, used wherever a person reads them:
 * invariant messages, failure reports, printed programs, `replay --verbose`.
 * u64 values are lowercase hex as in traces; a mapping reads
 * `0x1000+0x3000 -> bo1 @0x0` (range, object, offset); a command reads like a
 * line of a program (`map 0x1000+0x3000 -> bo1 @0x0 via steps failAt 2`).
 */

import type { BoRef, Command, Observation, OpRecord, Piece, VaRecord } from './types.ts';

/** A bigint as lowercase hex, the way traces write u64 values (`0x1a00000`); a negative difference gets a leading minus. */
export function hex(n: bigint): string {
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`;
}

/** `bo3`, or `null` for a NULL / sparse mapping. */
export function boName(bo: BoRef): string {
  return bo === null ? 'null' : `bo${bo}`;
}

/** How a number is written: `hex` (the default), or e.g. in pages. */
export type NumberFormat = (n: bigint) => string;

/** One 4 KiB page, the unit `inPages` writes numbers in. */
export const PAGE_SIZE = 0x1000n;

/** `3p` for 0x3000 (a whole number of pages, fewer than a million of them), else hex. */
export const inPages: NumberFormat = (n) => (n % PAGE_SIZE === 0n && n / PAGE_SIZE < 1_000_000n ? `${n / PAGE_SIZE}p` : hex(n));

/** `0x1000+0x3000` */
export function span(addr: bigint, range: bigint, fmt: NumberFormat = hex): string {
  return `${fmt(addr)}+${fmt(range)}`;
}

/** `0x1000+0x3000 -> bo1 @0x0` (or `-> null` for a sparse mapping; the kernel node is marked). */
export function formatVa(va: VaRecord | Piece, fmt: NumberFormat = hex): string {
  if ('kernel' in va && va.kernel === true) return `${span(va.addr, va.range, fmt)} kernel`;
  return va.bo === null ? `${span(va.addr, va.range, fmt)} -> null` : `${span(va.addr, va.range, fmt)} -> ${boName(va.bo)} @${fmt(va.offset)}`;
}

/** One command in program notation (no number); `fmt` writes the numbers (default hex). */
export function formatCommand(c: Command, fmt: NumberFormat = hex): string {
  switch (c.cmd) {
    case 'map':
      return `map ${span(c.addr, c.range, fmt)} -> ${boName(c.bo)} @${fmt(c.offset)}${options(c)}`;
    case 'unmap':
      return `unmap ${span(c.addr, c.range, fmt)}${options(c)}`;
    case 'madvise':
      return `madvise ${span(c.addr, c.range, fmt)} -> ${boName(c.bo)} @${fmt(c.offset)}${options(c)}`;
    case 'insert':
      return `insert ${span(c.addr, c.range, fmt)} -> ${boName(c.bo)} @${fmt(c.offset)}`;
    case 'prefetch':
    case 'remove':
    case 'find':
    case 'find_first':
    case 'interval_empty':
      return `${c.cmd} ${span(c.addr, c.range, fmt)}`;
    case 'find_prev':
      return `find_prev ${fmt(c.start)}`;
    case 'find_next':
      return `find_next ${fmt(c.end)}`;
    case 'bo_unmap':
    case 'bo_get':
    case 'bo_put':
    case 'bo_put_deferred':
      return `${c.cmd} ${boName(c.bo)}`;
    case 'evict':
      return `evict ${boName(c.bo)} ${c.evict}`;
    case 'validate':
    case 'deferred_cleanup':
      return c.cmd;
  }
}

/** The optional fields of a map / unmap / madvise, as ` via steps failAt 2 defer` (empty when none is set). */
function options(c: { via?: string; failAt?: number; allocFailAt?: number; defer?: boolean }): string {
  let s = '';
  if (c.via !== undefined && c.via !== 'ops') s += ` via ${c.via}`;
  if (c.failAt !== undefined) s += ` failAt ${c.failAt}`;
  if (c.allocFailAt !== undefined) s += ` allocFailAt ${c.allocFailAt}`;
  if (c.defer === true) s += ' defer';
  return s;
}

/** One op on one line: `remap 0x0+0x4000 -> bo1 @0x0 keep=false prev 0x0+0x1000 ... hole 0x1000+0x1000`. */
export function formatOp(op: OpRecord): string {
  switch (op.op) {
    case 'map':
      return `map ${formatVa(op)}`;
    case 'unmap':
      return `unmap ${formatVa(op.va)} keep=${op.keep}`;
    case 'prefetch':
      return `prefetch ${formatVa(op.va)}`;
    case 'remap': {
      const prev = op.prev === null ? 'prev none' : `prev ${formatVa(op.prev)}`;
      const next = op.next === null ? 'next none' : `next ${formatVa(op.next)}`;
      return `remap ${formatVa(op.unmap.va)} keep=${op.unmap.keep}; ${prev}; ${next}; hole ${span(op.hole[0], op.hole[1])}`;
    }
  }
}

/**
 * An observation as a few lines: the first line is `ok`, `ok va ...`,
 * `EINVAL`, `EIO after 2 ops` etc.; each op follows on its own line,
 * indented by `indent`.
 */
export function formatObservation(obs: Observation, indent = '  '): string[] {
  let head = obs.ok ? 'ok' : (obs.error ?? 'failed (no errno)');
  if (obs.va !== undefined) head += obs.va === null ? ', va none' : `, va ${formatVa(obs.va)}`;
  if (obs.empty !== undefined) head += `, empty=${obs.empty}`;
  if (obs.validated !== undefined) head += `, validated [${obs.validated.map((b) => boName(b)).join(', ')}]`;
  if (obs.ops !== undefined) head += obs.ops.length === 0 ? ', no ops' : `, ${obs.ops.length} op${obs.ops.length === 1 ? '' : 's'}:`;
  return [head, ...(obs.ops ?? []).map((op, i) => `${indent}${i + 1}) ${formatOp(op)}`)];
}

/** JSON with bigints as hex strings (for values whose shape we do not know, e.g. a violation's expected / actual). */
export function toDisplayJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? hex(v) : v)) ?? 'undefined';
}
