/**
 * Queries (find, find_first, interval_empty, find_prev, find_next) and
 * prefetch, on a VM that reaches 2^64 and has a kernel node at its start.
 */

import { describe, expect, it } from 'vitest';
import type { Command, VaRecord, VmConfig } from '../../src/protocol/index.ts';
import { P, freshModel, mapCmd, va } from './helpers.ts';

const TOP = 1n << 64n;
const MAX = TOP - 1n;
const START = TOP - 0x100000n;
const TOP_VM: VmConfig = { start: START, range: 0x100000n, reserve: { addr: START, range: P } };
const KERNEL: VaRecord = { addr: START, range: P, bo: null, offset: 0n, kernel: true };
const V0 = va(START + 4n * P, 2n * P, 1, 0n);
const V1 = va(TOP - 2n * P, P, 1, 0x3000n);
const V2 = va(TOP - P, P, 2, 0n); // ends exactly at 2^64

function model() {
  return freshModel([mapCmd(V0.addr, V0.range, 1, 0n), mapCmd(V1.addr, V1.range, 1, 0x3000n), mapCmd(V2.addr, V2.range, 2, 0n)], TOP_VM);
}

const q = (cmd: 'find' | 'find_first' | 'interval_empty', addr: bigint, range: bigint): Command => ({ cmd, addr, range });

describe('find', () => {
  it('finds exactly-matching VAs only', () => {
    const m = model();
    expect(m.exec(q('find', V0.addr, V0.range))).toStrictEqual({ ok: true, va: V0 });
    expect(m.exec(q('find', V0.addr, P))).toStrictEqual({ ok: true, va: null });
    expect(m.exec(q('find', V0.addr - P, 3n * P))).toStrictEqual({ ok: true, va: null });
  });

  it('sees the kernel node, marked kernel: true', () => {
    expect(model().exec(q('find', START, P))).toStrictEqual({ ok: true, va: KERNEL });
  });

  it('finds the VA that ends at 2^64, but not with a range reaching past 2^64 (not exactly equal)', () => {
    const m = model();
    expect(m.exec(q('find', TOP - P, P))).toStrictEqual({ ok: true, va: V2 });
    expect(m.exec(q('find', TOP - P, MAX))).toStrictEqual({ ok: true, va: null });
    expect(m.exec(q('find', TOP - P, P + 1n))).toStrictEqual({ ok: true, va: null });
  });

  it('remove uses the same exact match: a range reaching past 2^64 is ENOENT', () => {
    const m = model();
    expect(m.exec({ cmd: 'remove', addr: TOP - P, range: P + 1n })).toStrictEqual({ ok: false, error: 'ENOENT' });
    expect(m.exec({ cmd: 'remove', addr: TOP - P, range: P })).toStrictEqual({ ok: true });
    expect(m.snapshot().vas).toStrictEqual([V0, V1]);
  });

  it('a zero range finds nothing', () => {
    expect(model().exec(q('find', V0.addr, 0n))).toStrictEqual({ ok: true, va: null });
  });
});

describe('find_first and interval_empty', () => {
  it('find_first returns the lowest overlapping VA', () => {
    const m = model();
    expect(m.exec(q('find_first', START + P, MAX - START))).toStrictEqual({ ok: true, va: V0 });
    expect(m.exec(q('find_first', V0.addr + P, 0x100n))).toStrictEqual({ ok: true, va: V0 });
    expect(m.exec(q('find_first', V0.addr + V0.range, P))).toStrictEqual({ ok: true, va: null });
    expect(m.exec(q('find_first', V1.addr - 1n, 2n))).toStrictEqual({ ok: true, va: V1 });
  });

  it('find_first sees the kernel node', () => {
    expect(model().exec(q('find_first', 0n, START + 1n))).toStrictEqual({ ok: true, va: KERNEL });
  });

  it('the query range is clipped at 2^64', () => {
    const m = model();
    expect(m.exec(q('find_first', MAX, MAX))).toStrictEqual({ ok: true, va: V2 });
    expect(m.exec(q('interval_empty', MAX, MAX))).toStrictEqual({ ok: true, empty: false });
    expect(m.exec(q('find_first', TOP - 3n * P, MAX))).toStrictEqual({ ok: true, va: V1 });
  });

  it('a zero range finds nothing and is empty, even inside a VA', () => {
    const m = model();
    expect(m.exec(q('find_first', V0.addr + 1n, 0n))).toStrictEqual({ ok: true, va: null });
    expect(m.exec(q('interval_empty', V0.addr + 1n, 0n))).toStrictEqual({ ok: true, empty: true });
  });

  it('interval_empty is true exactly when nothing overlaps', () => {
    const m = model();
    expect(m.exec(q('interval_empty', START + P, 3n * P))).toStrictEqual({ ok: true, empty: true });
    expect(m.exec(q('interval_empty', START + P, 3n * P + 1n))).toStrictEqual({ ok: true, empty: false });
    expect(m.exec(q('interval_empty', START, 1n))).toStrictEqual({ ok: true, empty: false });
    expect(m.exec(q('interval_empty', 0n, 0x1000n))).toStrictEqual({ ok: true, empty: true });
  });
});

describe('find_prev and find_next', () => {
  it('find_prev(start) is the VA ending exactly at start', () => {
    const m = model();
    expect(m.exec({ cmd: 'find_prev', start: V0.addr + V0.range })).toStrictEqual({ ok: true, va: V0 });
    expect(m.exec({ cmd: 'find_prev', start: TOP - P })).toStrictEqual({ ok: true, va: V1 });
  });

  it('find_prev can return the kernel node', () => {
    expect(model().exec({ cmd: 'find_prev', start: START + P })).toStrictEqual({ ok: true, va: KERNEL });
  });

  it('find_prev does not return a VA that begins at start, nor one that contains start - 1 without ending there', () => {
    const m = model();
    expect(m.exec({ cmd: 'find_prev', start: V0.addr })).toStrictEqual({ ok: true, va: null });
    expect(m.exec({ cmd: 'find_prev', start: V0.addr + P })).toStrictEqual({ ok: true, va: null });
    expect(m.exec({ cmd: 'find_prev', start: 0n })).toStrictEqual({ ok: true, va: null });
    expect(m.exec({ cmd: 'find_prev', start: MAX })).toStrictEqual({ ok: true, va: null });
  });

  it('find_next(end) is the VA beginning exactly at end', () => {
    const m = model();
    expect(m.exec({ cmd: 'find_next', end: V0.addr })).toStrictEqual({ ok: true, va: V0 });
    expect(m.exec({ cmd: 'find_next', end: TOP - P })).toStrictEqual({ ok: true, va: V2 });
  });

  it('find_next can return the kernel node', () => {
    expect(model().exec({ cmd: 'find_next', end: START })).toStrictEqual({ ok: true, va: KERNEL });
  });

  it('find_next does not return a VA beginning at end + 1 or one containing end', () => {
    const m = freshModel([mapCmd(START + 4n * P + 1n, P, 1, 0n)], TOP_VM);
    expect(m.exec({ cmd: 'find_next', end: START + 4n * P })).toStrictEqual({ ok: true, va: null });
    expect(model().exec({ cmd: 'find_next', end: V0.addr + 1n })).toStrictEqual({ ok: true, va: null });
    expect(model().exec({ cmd: 'find_next', end: MAX })).toStrictEqual({ ok: true, va: null });
  });
});

describe('queries do not change anything', () => {
  it('the snapshot is the same after every kind of query', () => {
    const m = model();
    const before = m.snapshot();
    m.exec(q('find', START, P));
    m.exec(q('find_first', 0n, MAX));
    m.exec(q('interval_empty', 0n, MAX));
    m.exec({ cmd: 'find_prev', start: TOP - P });
    m.exec({ cmd: 'find_next', end: START });
    m.exec({ cmd: 'prefetch', addr: START, range: 0x100000n });
    expect(m.snapshot()).toStrictEqual(before);
  });
});

describe('prefetch', () => {
  it('one PREFETCH per overlapping VA, ascending, the kernel node included', () => {
    const m = model();
    expect(m.exec({ cmd: 'prefetch', addr: START, range: 0x100000n })).toStrictEqual({
      ok: true,
      ops: [
        { op: 'prefetch', va: KERNEL },
        { op: 'prefetch', va: V0 },
        { op: 'prefetch', va: V1 },
        { op: 'prefetch', va: V2 },
      ],
    });
  });

  it('a range over empty space gives no ops; a partial overlap counts', () => {
    const m = model();
    expect(m.exec({ cmd: 'prefetch', addr: START + P, range: 3n * P })).toStrictEqual({ ok: true, ops: [] });
    expect(m.exec({ cmd: 'prefetch', addr: V0.addr + V0.range - 1n, range: 1n })).toStrictEqual({
      ok: true,
      ops: [{ op: 'prefetch', va: V0 }],
    });
  });

  it('EINVAL for a zero range, an overflowing range, or a range outside the VM', () => {
    const m = model();
    expect(m.exec({ cmd: 'prefetch', addr: V0.addr, range: 0n })).toStrictEqual({ ok: false, error: 'EINVAL' });
    expect(m.exec({ cmd: 'prefetch', addr: TOP - P, range: P + 1n })).toStrictEqual({ ok: false, error: 'EINVAL' });
    expect(m.exec({ cmd: 'prefetch', addr: START - 1n, range: 2n })).toStrictEqual({ ok: false, error: 'EINVAL' });
    const low = freshModel([], { start: 0x1000n, range: 0x1000n });
    expect(low.exec({ cmd: 'prefetch', addr: 0x1000n, range: 0x1001n })).toStrictEqual({ ok: false, error: 'EINVAL' });
    expect(low.exec({ cmd: 'prefetch', addr: 0x1000n, range: 0x1000n })).toStrictEqual({ ok: true, ops: [] });
  });

  it('the whole VM up to 2^64 is a valid prefetch range', () => {
    expect(model().exec({ cmd: 'prefetch', addr: TOP - P, range: P })).toStrictEqual({ ok: true, ops: [{ op: 'prefetch', va: V2 }] });
  });
});
