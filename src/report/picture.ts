/**
 * A picture of the address space around one command, in the style of the
 * kernel-doc split/merge diagrams: rows of `|-----|` boxes over one shared
 * scale of addresses.
 *
 * ```
 *                  0x0       0x1000    0x3000    0x4000
 * old:             |bo1@0x0------------|
 * req:                       |bo1@0x1000---------|
 * new:             |bo1@0x0--|bo1@0x1000---------|
 * ```
 *
 * Every row is drawn over the same boundaries (the union of all box edges),
 * each segment between two boundaries wide enough for its scale label and
 * for the labels of the boxes over it.
 */

import type { Command, Snapshot, VaRecord } from '../protocol/types.ts';
import { boName, hex } from '../protocol/text.ts';

/** One box: [addr, end) with a label. */
export interface Box {
  readonly addr: bigint;
  readonly end: bigint;
  readonly label: string;
}

/** One row of the picture: a name (`old`, `req`, ...) and its boxes, pairwise disjoint. */
export interface Row {
  readonly name: string;
  readonly boxes: readonly Box[];
}

/** The label of a VA in a picture: `bo1@0x2000`, `null`, or `kernel`. */
export function vaLabel(va: { readonly bo: number | null; readonly offset: bigint; readonly kernel?: true }): string {
  if (va.kernel === true) return 'kernel';
  return va.bo === null ? 'null' : `${boName(va.bo)}@${hex(va.offset)}`;
}

/** The span [addr, end) a command concerns, or null for commands without one. */
export function commandSpan(c: Command): { addr: bigint; end: bigint } | null {
  switch (c.cmd) {
    case 'map':
    case 'unmap':
    case 'madvise':
    case 'insert':
    case 'prefetch':
    case 'remove':
    case 'find':
    case 'find_first':
    case 'interval_empty':
      return { addr: c.addr, end: c.addr + c.range };
    case 'find_prev':
      return { addr: c.start, end: c.start };
    case 'find_next':
      return { addr: c.end, end: c.end };
    default:
      return null;
  }
}

/** The `req` box of a command with a span: the request's mapping for map / insert, else the command's name. */
export function requestBox(c: Command): Box | null {
  const s = commandSpan(c);
  if (s === null || s.end === s.addr) return null;
  const label = c.cmd === 'map' || c.cmd === 'insert' ? vaLabel(c) : c.cmd;
  return { addr: s.addr, end: s.end, label };
}

/** All VAs of a snapshot as boxes, the kernel node included. */
export function snapshotBoxes(s: Snapshot): Box[] {
  const boxes: Box[] = s.vas.map((va: VaRecord) => ({ addr: va.addr, end: va.addr + va.range, label: vaLabel(va) }));
  if (s.kernel !== null) boxes.push({ addr: s.kernel.addr, end: s.kernel.addr + s.kernel.range, label: 'kernel' });
  return boxes.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

function overlaps(b: Box, lo: bigint, hi: bigint): boolean {
  // Touching counts, so the neighbours a request abuts stay in the picture.
  return b.addr <= hi && b.end >= lo;
}

/**
 * Draw rows over a shared scale. Returns the lines, the scale first. Row
 * names are padded to one width. Empty rows are drawn as `(empty)`.
 */
export function drawRows(rows: readonly Row[]): string[] {
  const edges = new Set<bigint>();
  for (const r of rows) for (const b of r.boxes) edges.add(b.addr).add(b.end);
  const bounds = [...edges].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const indexOf = new Map(bounds.map((b, i) => [b, i] as const));
  const nameWidth = Math.max(...rows.map((r) => r.name.length + 1), 4) + 1;
  if (bounds.length === 0) return rows.map((r) => `${`${r.name}:`.padEnd(nameWidth)}(empty)`);

  // Widths of the segments between consecutive boundaries.
  const widths = bounds.slice(0, -1).map((b) => Math.max(6, hex(b).length + 2));
  for (const r of rows) {
    for (const b of r.boxes) {
      const i = indexOf.get(b.addr) as number;
      const j = indexOf.get(b.end) as number;
      const need = b.label.length + 3;
      let have = 0;
      for (let k = i; k < j; k++) have += widths[k] as number;
      if (have < need && j > i) widths[j - 1] = (widths[j - 1] as number) + (need - have);
    }
  }
  const pos: number[] = [0];
  for (const w of widths) pos.push((pos[pos.length - 1] as number) + w);
  const total = (pos[pos.length - 1] as number) + 1;

  const scale = Array.from({ length: total + 20 }, () => ' ');
  bounds.forEach((b, i) => {
    const text = hex(b);
    const at = pos[i] as number;
    for (let k = 0; k < text.length; k++) scale[at + k] = text[k] as string;
  });
  const lines = [`${''.padEnd(nameWidth)}${scale.join('').trimEnd()}`];
  for (const r of rows) {
    const line = Array.from({ length: total }, () => ' ');
    for (const b of r.boxes) {
      const a = pos[indexOf.get(b.addr) as number] as number;
      const e = pos[indexOf.get(b.end) as number] as number;
      line[a] = '|';
      line[e] = '|';
      for (let k = a + 1; k < e; k++) line[k] = '-';
      const inner = e - a - 1;
      const label = b.label.length <= inner ? b.label : b.label.slice(0, Math.max(0, inner));
      const start = a + 1 + Math.floor((inner - label.length) / 2);
      for (let k = 0; k < label.length; k++) line[start + k] = label[k] as string;
    }
    const body = r.boxes.length === 0 ? '(empty)' : line.join('').trimEnd();
    lines.push(`${`${r.name}:`.padEnd(nameWidth)}${body}`);
  }
  return lines;
}

/** Most boxes one row may show before the picture narrows to what changed. */
const MAX_BOXES = 10;

function sameBoxes(a: readonly Box[], b: readonly Box[]): boolean {
  return a.length === b.length && a.every((x, i) => x.addr === b[i]?.addr && x.end === b[i]?.end && x.label === b[i]?.label);
}

/**
 * The picture of one step: `old` (before), `req` (the request), and `new`
 * (after); when the subject's result differs from the model's, two rows
 * `new (expected)` and `new (actual)`. Only boxes touching the request's
 * span are shown (all of them for commands without a span); when that is
 * still more than a row can hold, only boxes that differ between rows.
 */
export function stepPicture(command: Command, before: Snapshot, actual: Snapshot, expected?: Snapshot): string[] {
  const s = commandSpan(command);
  let old = snapshotBoxes(before);
  let act = snapshotBoxes(actual);
  let exp = expected === undefined ? act : snapshotBoxes(expected);
  if (s !== null) {
    old = old.filter((b) => overlaps(b, s.addr, s.end));
    act = act.filter((b) => overlaps(b, s.addr, s.end));
    exp = exp.filter((b) => overlaps(b, s.addr, s.end));
  }
  if (Math.max(old.length, act.length, exp.length) > MAX_BOXES) {
    const key = (b: Box): string => `${b.addr}:${b.end}:${b.label}`;
    const inAll = new Set(old.map(key).filter((k) => act.some((b) => key(b) === k) && exp.some((b) => key(b) === k)));
    old = old.filter((b) => !inAll.has(key(b))).slice(0, MAX_BOXES);
    act = act.filter((b) => !inAll.has(key(b))).slice(0, MAX_BOXES);
    exp = exp.filter((b) => !inAll.has(key(b))).slice(0, MAX_BOXES);
  }
  const rows: Row[] = [{ name: 'old', boxes: old }];
  const req = requestBox(command);
  if (req !== null) rows.push({ name: 'req', boxes: [req] });
  if (sameBoxes(exp, act)) rows.push({ name: 'new', boxes: act });
  else rows.push({ name: 'new (expected)', boxes: exp }, { name: 'new (actual)', boxes: act });
  return drawRows(rows);
}
