/**
 * Short, readable text for values in violation messages and rule names:
 * bigints as lowercase hex, commands as one line (`map 0x1000+0x3000 bo=1 off=0x0`).
 */
import type { Command, Piece, VaRecord } from '../src/protocol/types.ts';

/** A bigint as lowercase hex (`0x1a00000`), negative values with a leading minus. */
export function hex(v: bigint): string {
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** `[addr, addr+range)` as `0xaddr+0xrange`. */
export function rangeText(addr: bigint, range: bigint): string {
  return `${hex(addr)}+${hex(range)}`;
}

/** A VA or piece: `0x1000+0x2000 bo=1 off=0x0`, with `kernel` for the reserved node. */
export function vaText(va: VaRecord | Piece): string {
  const kernel = 'kernel' in va && va.kernel === true ? ' kernel' : '';
  return `${rangeText(va.addr, va.range)} bo=${va.bo === null ? 'null' : va.bo} off=${hex(va.offset)}${kernel}`;
}

/** One command on one line, in the trace's field order. */
export function commandText(c: Command): string {
  switch (c.cmd) {
    case 'map':
    case 'unmap': {
      const head =
        c.cmd === 'map'
          ? `map ${rangeText(c.addr, c.range)} bo=${c.bo === null ? 'null' : c.bo} off=${hex(c.offset)}`
          : `unmap ${rangeText(c.addr, c.range)}`;
      const via = c.via !== undefined ? ` via=${c.via}` : '';
      const fail = c.failAt !== undefined ? ` failAt=${c.failAt}` : '';
      const alloc = c.allocFailAt !== undefined ? ` allocFailAt=${c.allocFailAt}` : '';
      return head + via + fail + alloc;
    }
    case 'insert':
      return `insert ${rangeText(c.addr, c.range)} bo=${c.bo === null ? 'null' : c.bo} off=${hex(c.offset)}`;
    case 'prefetch':
    case 'remove':
    case 'find':
    case 'find_first':
    case 'interval_empty':
      return `${c.cmd} ${rangeText(c.addr, c.range)}`;
    case 'find_prev':
      return `find_prev ${hex(c.start)}`;
    case 'find_next':
      return `find_next ${hex(c.end)}`;
    case 'bo_unmap':
    case 'bo_get':
    case 'bo_put':
      return `${c.cmd} bo=${c.bo}`;
    case 'evict':
      return `evict bo=${c.bo} ${c.evict}`;
    case 'validate':
      return 'validate';
  }
}

/** Any plain value (bigints as hex) as compact JSON-like text, for `expected` / `actual`. */
export function valueText(v: unknown): string {
  const seen = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? hex(x) : x));
  return seen === undefined ? 'undefined' : seen;
}
