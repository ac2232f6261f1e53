/**
 * madviseOpsCreate, from the drm_gpuvm kernel-doc ("DOC: Madvise Logic -
 * Splitting and Traversal" and drm_gpuvm_madvise_ops_create()): each split
 * shape as an exact ops list plus the resulting VAs, VAs with and without an
 * object side by side, the requests that need nothing, and the errors.
 * Positions are in units of U from base B.
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, GpuVmOps } from '../../src/gpuvm/index.ts';
import { applyOps, codeOf, put, recOps, treeState, vaRecs } from './helpers.ts';
import type { OpRec, PieceRec } from './helpers.ts';

const U = 0x1000n;
const B = 0x100000n;
const at = (u: number): bigint => B + BigInt(u) * U;
const len = (u: number): bigint => BigInt(u) * U;

function setup(ops?: GpuVmOps) {
  const vm = new GpuVm({ name: 'madvise', start: 0n, range: 1n << 32n, reserveOffset: 0n, reserveRange: U, ...(ops ? { ops } : {}) });
  const bo = new GemObject({ name: 'bo' });
  return { vm, bo, names: new Map([[bo, 'bo']]) };
}

const pc = (from: number, units: number, obj: string | null, offset: bigint): PieceRec => ({ addr: at(from), range: len(units), obj, offset });
const nul = (from: number, units: number, offset = 0n): PieceRec => pc(from, units, null, offset);
const remap = (old: PieceRec, prev: PieceRec | null, next: PieceRec | null): OpRec => ({ kind: 'remap', prev, next, unmap: { va: old, keep: false } });
const map = (from: number, units: number): OpRec => ({ kind: 'map', ...nul(from, units) });

/** madvise [from, from + units) with a NULL request, as xe makes it. */
function madvise(s: ReturnType<typeof setup>, from: number, units: number): GpuVaOp[] {
  return s.vm.madviseOpsCreate({ addr: at(from), range: len(units), obj: null, offset: 0n });
}

describe('the documented madvise shapes', () => {
  test('1) the request inside one VA: one REMAP keeping both ends, one MAP of the middle', () => {
    const s = setup();
    put(s.vm, at(0), len(8), null, 0x7000n);
    const ops = madvise(s, 2, 3);
    expect(recOps(ops, s.names)).toEqual([remap(nul(0, 8, 0x7000n), nul(0, 2, 0x7000n), nul(5, 3, 0x7000n + len(5))), map(2, 3)]);
    applyOps(s.vm, ops);
    expect(vaRecs(s.vm, s.names)).toEqual([nul(0, 2, 0x7000n), nul(2, 3), nul(5, 3, 0x7000n + len(5))]);
  });

  test('2) the request across three VAs: two REMAPs and two MAPs, the middle VA untouched', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    const middle = put(s.vm, at(4), len(4), null, 0n);
    put(s.vm, at(8), len(4), null, 0n);
    const ops = madvise(s, 2, 8);
    expect(recOps(ops, s.names)).toEqual([
      remap(nul(0, 4), nul(0, 2), null),
      map(2, 2),
      remap(nul(8, 4), null, nul(10, 2, len(2))),
      map(8, 2),
    ]);
    applyOps(s.vm, ops);
    expect(vaRecs(s.vm, s.names)).toEqual([nul(0, 2), nul(2, 2), nul(4, 4), nul(8, 2), nul(10, 2, len(2))]);
    expect([...s.vm.vas()]).toContain(middle);
  });

  test('3) only the end inside a VA: one REMAP keeping next, one MAP from the VA start', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    put(s.vm, at(4), len(4), null, 0n);
    put(s.vm, at(8), len(4), null, 0n);
    expect(recOps(madvise(s, 0, 10), s.names)).toEqual([remap(nul(8, 4), null, nul(10, 2, len(2))), map(8, 2)]);
  });

  test('3) only the start inside a VA: one REMAP keeping prev, one MAP to the VA end', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    put(s.vm, at(4), len(4), null, 0n);
    put(s.vm, at(8), len(4), null, 0n);
    expect(recOps(madvise(s, 2, 6), s.names)).toEqual([remap(nul(0, 4), nul(0, 2), null), map(2, 2)]);
  });

  test('the request starting at a VA start and ending inside it, and starting inside and ending at its end', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    expect(recOps(madvise(s, 0, 3), s.names)).toEqual([remap(nul(0, 4), null, nul(3, 1, len(3))), map(0, 3)]);
    expect(recOps(madvise(s, 1, 3), s.names)).toEqual([remap(nul(0, 4), nul(0, 1), null), map(1, 3)]);
  });

  test('4) both edges on VA boundaries, and 5) no VA at all: an empty list', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    put(s.vm, at(4), len(4), null, 0n);
    expect(madvise(s, 0, 8)).toEqual([]);
    expect(madvise(s, 4, 4)).toEqual([]);
    expect(madvise(s, 20, 4)).toEqual([]);
  });

  test('an identical request gives an empty list (unlike a map, which unmaps with keep and maps)', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    expect(madvise(s, 0, 4)).toEqual([]);
    expect(s.vm.smMapOpsCreate({ addr: at(0), range: len(4), obj: null, offset: 0n }).map((op) => op.kind)).toEqual(['unmap', 'map']);
  });
});

describe('VAs with an object are left alone', () => {
  test('a request inside a VA with an object: nothing', () => {
    const s = setup();
    put(s.vm, at(0), len(8), s.bo, 0n);
    expect(madvise(s, 2, 3)).toEqual([]);
  });

  test('a NULL VA and a VA with an object side by side: only the NULL one is split', () => {
    const s = setup();
    put(s.vm, at(0), len(4), null, 0n);
    put(s.vm, at(4), len(4), s.bo, 0x10000n);
    const ops = madvise(s, 2, 4);
    expect(recOps(ops, s.names)).toEqual([remap(nul(0, 4), nul(0, 2), null), map(2, 2)]);
    applyOps(s.vm, ops);
    expect(vaRecs(s.vm, s.names)).toEqual([nul(0, 2), nul(2, 2), pc(4, 4, 'bo', 0x10000n)]);
  });

  test('an object VA first and a NULL VA last: only the last is split', () => {
    const s = setup();
    put(s.vm, at(0), len(4), s.bo, 0n);
    put(s.vm, at(4), len(4), null, 0n);
    expect(recOps(madvise(s, 2, 4), s.names)).toEqual([remap(nul(4, 4), null, nul(6, 2, len(2))), map(4, 2)]);
  });

  test("the request's own object and offset do not reach the pieces", () => {
    const s = setup();
    put(s.vm, at(0), len(8), null, 0n);
    const ops = s.vm.madviseOpsCreate({ addr: at(2), range: len(3), obj: s.bo, offset: 0x5000n });
    expect(recOps(ops, s.names)).toEqual([remap(nul(0, 8), nul(0, 2), nul(5, 3, len(5))), map(2, 3)]);
  });
});

describe('madviseOpsCreate is pure and validates like a map', () => {
  test('building the list twice gives equal lists and changes nothing', () => {
    const s = setup();
    put(s.vm, at(0), len(8), null, 0n);
    const before = treeState(s.vm);
    expect(recOps(madvise(s, 2, 3), s.names)).toEqual(recOps(madvise(s, 2, 3), s.names));
    expect(treeState(s.vm)).toEqual(before);
  });

  test('EINVAL for a zero range, an overflow, a range outside the VM or over the kernel node, an overflowing offset', () => {
    const s = setup();
    const req = (addr: bigint, range: bigint, offset = 0n) => () => s.vm.madviseOpsCreate({ addr, range, obj: null, offset });
    expect(codeOf(req(at(1), 0n))).toBe('EINVAL');
    expect(codeOf(req((1n << 64n) - U, 2n * U))).toBe('EINVAL');
    expect(codeOf(req(1n << 32n, U))).toBe('EINVAL');
    expect(codeOf(req(0n, 2n * U))).toBe('EINVAL');
    expect(codeOf(req(at(1), U, (1n << 64n) - 1n))).toBe('EINVAL');
    expect(codeOf(() => s.vm.madviseOpsCreate(null as never))).toBe('EINVAL');
  });

  test('ENOMEM when an op allocation fails: everything allocated so far is freed', () => {
    const freed: GpuVaOp[] = [];
    let n = 0;
    const s = setup({ opAlloc: (op) => (++n === 2 ? null : op), opFree: (op) => void freed.push(op) });
    put(s.vm, at(0), len(8), null, 0n);
    expect(codeOf(() => madvise(s, 2, 3))).toBe('ENOMEM');
    expect(freed.map((op) => op.kind)).toEqual(['remap']);
  });

  test('a destroyed VM refuses', () => {
    const s = setup();
    s.vm.destroy();
    expect(codeOf(() => madvise(s, 2, 3))).toBe('EINVAL');
  });
});
