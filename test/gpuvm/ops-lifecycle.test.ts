/**
 * Ops lists and the immediate (callback) form: purity of *OpsCreate, op
 * allocation hooks and ENOMEM cleanup, step callbacks applied at once, aborts,
 * the map / remap / unmap helpers, remapToUnmapRange, prefetch and bo_unmap.
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVa, GpuVm, GpuVmError, remapToUnmapRange } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, GpuVmOps, OpMap, OpRemap, OpUnmap, SmStepCtx } from '../../src/gpuvm/index.ts';
import { applyOps, codeOf, put, recOps, treeState, vaRecs } from './helpers.ts';

const U = 0x1000n;

/** VAs a=[1,3) b=[3,5) c=[6,8) of one object at identity offsets; kernel node [0,1). */
function world(ops?: GpuVmOps) {
  const cfg = { start: 0n, range: 64n * U, reserveOffset: 0n, reserveRange: U, ...(ops ? { ops } : {}) };
  const vm = new GpuVm(cfg);
  const bo = new GemObject({ name: 'bo' });
  const other = new GemObject({ name: 'other' });
  const names = new Map([[bo, 'bo'], [other, 'other']]);
  const a = put(vm, U, 2n * U, bo, U);
  const b = put(vm, 3n * U, 2n * U, bo, 3n * U);
  const c = put(vm, 6n * U, 2n * U, bo, 6n * U);
  return { vm, bo, other, names, a, b, c };
}

describe('ops lists', () => {
  test('creating ops twice gives equal lists and leaves the VM unchanged', () => {
    const w = world();
    const before = treeState(w.vm);
    const req = { addr: 2n * U, range: 5n * U, obj: w.other, offset: 0n };
    const first = w.vm.smMapOpsCreate(req);
    const second = w.vm.smMapOpsCreate(req);
    expect(second).toEqual(first);
    expect(recOps(first, w.names)).toEqual([
      { kind: 'remap', prev: { addr: U, range: U, obj: 'bo', offset: U }, next: null, unmap: { va: { addr: U, range: 2n * U, obj: 'bo', offset: U }, keep: false } },
      { kind: 'unmap', va: { addr: 3n * U, range: 2n * U, obj: 'bo', offset: 3n * U }, keep: false },
      { kind: 'remap', prev: null, next: { addr: 7n * U, range: U, obj: 'bo', offset: 7n * U }, unmap: { va: { addr: 6n * U, range: 2n * U, obj: 'bo', offset: 6n * U }, keep: false } },
      { kind: 'map', addr: 2n * U, range: 5n * U, obj: 'other', offset: 0n },
    ]);
    expect(w.vm.smUnmapOpsCreate(2n * U, 5n * U)).toEqual(w.vm.smUnmapOpsCreate(2n * U, 5n * U));
    expect(treeState(w.vm)).toEqual(before);
  });

  test('an unmap of an empty range gives an empty list; a map always ends with its MAP', () => {
    const w = world();
    expect(w.vm.smUnmapOpsCreate(10n * U, 4n * U)).toEqual([]);
    expect(recOps(w.vm.smMapOpsCreate({ addr: 10n * U, range: U, obj: null, offset: 0n }), w.names)).toEqual([
      { kind: 'map', addr: 10n * U, range: U, obj: null, offset: 0n },
    ]);
  });

  test('opAlloc sees every op and opsFree returns each allocated op', () => {
    const allocated: GpuVaOp[] = [];
    const freed: GpuVaOp[] = [];
    const w = world({
      opAlloc: (op) => {
        const copy = { ...op } as GpuVaOp;
        allocated.push(copy);
        return copy;
      },
      opFree: (op) => {
        freed.push(op);
      },
    });
    const ops = w.vm.smMapOpsCreate({ addr: 2n * U, range: 5n * U, obj: w.other, offset: 0n });
    expect(ops).toHaveLength(4);
    expect(ops).toEqual(allocated);
    ops.forEach((op, i) => expect(op).toBe(allocated[i]));
    w.vm.opsFree(ops);
    expect(freed).toEqual(allocated);
  });

  test('an allocation failure part-way frees everything allocated so far, changes nothing, ENOMEM', () => {
    let calls = 0;
    const allocated: GpuVaOp[] = [];
    const freed: GpuVaOp[] = [];
    const w = world({
      opAlloc: (op) => {
        calls++;
        if (calls === 3) return null;
        allocated.push(op);
        return op;
      },
      opFree: (op) => {
        freed.push(op);
      },
    });
    const before = treeState(w.vm);
    expect(() => w.vm.smMapOpsCreate({ addr: 2n * U, range: 5n * U, obj: w.other, offset: 0n })).toThrow(
      /ENOMEM: smMapOpsCreate: allocating op 3 failed/,
    );
    expect(calls).toBe(3);
    expect(allocated).toHaveLength(2);
    expect(freed).toEqual(allocated);
    freed.forEach((op, i) => expect(op).toBe(allocated[i]));
    expect(treeState(w.vm)).toEqual(before);
  });

  test('an allocation failure on the first op frees nothing and is ENOMEM for unmap and prefetch too', () => {
    const freed: GpuVaOp[] = [];
    const w = world({ opAlloc: () => null, opFree: (op) => void freed.push(op) });
    expect(codeOf(() => w.vm.smUnmapOpsCreate(U, 4n * U))).toBe('ENOMEM');
    expect(codeOf(() => w.vm.prefetchOpsCreate(U, 4n * U))).toBe('ENOMEM');
    expect(freed).toEqual([]);
    // Nothing to allocate: no failure.
    expect(w.vm.smUnmapOpsCreate(20n * U, U)).toEqual([]);
  });
});

describe('the callback form', () => {
  function recorder(vm: GpuVm, names: Map<GemObject, string>, throwAt?: { step: number; error: Error }) {
    const seen: GpuVaOp[] = [];
    const step = (op: GpuVaOp, apply: () => void) => {
      seen.push(op);
      if (throwAt !== undefined && seen.length === throwAt.step) throw throwAt.error;
      apply();
    };
    const ctx: Required<SmStepCtx> = {
      smStepMap: (op: OpMap) => step(op, () => vm.map(new GpuVa(), op)),
      smStepRemap: (op: OpRemap) =>
        step(op, () => vm.remap(op.prev ? new GpuVa() : null, op.next ? new GpuVa() : null, op)),
      smStepUnmap: (op: OpUnmap) => step(op, () => vm.unmap(op)),
    };
    return { ctx, seen, recs: () => recOps(seen, names) };
  }

  test('steps come in the ops-list order and may be applied at once', () => {
    const listed = world();
    const req = { addr: 2n * U, range: 5n * U, obj: listed.other, offset: 0n };
    const expectedOps = recOps(listed.vm.smMapOpsCreate(req), listed.names);
    applyOps(listed.vm, listed.vm.smMapOpsCreate(req));

    const w = world();
    const r = recorder(w.vm, w.names);
    w.vm.smMap({ ...req, obj: w.other }, r.ctx);
    expect(r.recs()).toEqual(expectedOps);
    expect(vaRecs(w.vm, w.names)).toEqual(vaRecs(listed.vm, listed.names));
    expect(vaRecs(w.vm, w.names)).toEqual([
      { addr: U, range: U, obj: 'bo', offset: U },
      { addr: 2n * U, range: 5n * U, obj: 'other', offset: 0n },
      { addr: 7n * U, range: U, obj: 'bo', offset: 7n * U },
    ]);
  });

  test('smUnmap applied at once punches the hole', () => {
    const w = world();
    const r = recorder(w.vm, w.names);
    w.vm.smUnmap(2n * U, 5n * U, r.ctx);
    expect(r.seen.map((op) => op.kind)).toEqual(['remap', 'unmap', 'remap']);
    expect(vaRecs(w.vm, w.names)).toEqual([
      { addr: U, range: U, obj: 'bo', offset: U },
      { addr: 7n * U, range: U, obj: 'bo', offset: 7n * U },
    ]);
  });

  test('a throwing step aborts the walk: the same error propagates, later steps are not called, nothing is rolled back', () => {
    const w = world();
    const boom = new GpuVmError('EIO', 'injected');
    const r = recorder(w.vm, w.names, { step: 3, error: boom });
    let caught: unknown = null;
    try {
      w.vm.smMap({ addr: 2n * U, range: 5n * U, obj: w.other, offset: 0n }, r.ctx);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(boom);
    expect(r.seen.map((op) => op.kind)).toEqual(['remap', 'unmap', 'remap']);
    // Steps 1 and 2 stay applied: a was cut to [1,2), b is gone, c untouched.
    expect(vaRecs(w.vm, w.names)).toEqual([
      { addr: U, range: U, obj: 'bo', offset: U },
      { addr: 6n * U, range: 2n * U, obj: 'bo', offset: 6n * U },
    ]);
  });

  test('missing step callbacks are EINVAL and nothing is called', () => {
    const w = world();
    const before = treeState(w.vm);
    let called = 0;
    const partial: SmStepCtx = { smStepRemap: () => void called++, smStepUnmap: () => void called++ };
    expect(() => w.vm.smMap({ addr: 2n * U, range: U, obj: null, offset: 0n }, partial)).toThrow(/EINVAL: smMap: ctx.smStepMap is missing/);
    expect(() => w.vm.smUnmap(2n * U, U, { smStepRemap: () => void called++ })).toThrow(/smUnmap: ctx.smStepUnmap is missing/);
    w.vm.smUnmap(20n * U, U, partial); // an unmap needs no smStepMap
    expect(called).toBe(0);
    expect(treeState(w.vm)).toEqual(before);
  });

  test('an invalid request is EINVAL before any step', () => {
    const w = world();
    const r = recorder(w.vm, w.names);
    expect(codeOf(() => w.vm.smMap({ addr: 0n, range: 2n * U, obj: null, offset: 0n }, r.ctx))).toBe('EINVAL');
    expect(r.seen).toEqual([]);
  });
});

describe('applying ops', () => {
  test('map throws EEXIST on a stale op and leaves the VA and the VM untouched', () => {
    const w = world();
    const op: OpMap = { kind: 'map', addr: 2n * U, range: U, obj: null, offset: 0n };
    const va = new GpuVa({ addr: 40n * U, range: U, offset: 5n });
    const before = treeState(w.vm);
    expect(codeOf(() => w.vm.map(va, op))).toBe('EEXIST');
    expect([va.addr, va.range, va.offset, va.vm]).toEqual([40n * U, U, 5n, null]);
    expect(treeState(w.vm)).toEqual(before);
  });

  test('remap is all-or-nothing when a half cannot be inserted', () => {
    const w = world();
    // A hand-made op whose prev piece overlaps b: the insert fails with EEXIST.
    const op: OpRemap = {
      kind: 'remap',
      prev: { addr: U, range: 3n * U, obj: w.bo, offset: U },
      next: null,
      unmap: { va: w.a, keep: false },
    };
    const prev = new GpuVa();
    const before = treeState(w.vm);
    expect(codeOf(() => w.vm.remap(prev, null, op))).toBe('EEXIST');
    expect(treeState(w.vm)).toEqual(before);
    expect(w.a.vm).toBe(w.vm);
    expect([prev.vm, prev.addr, prev.range]).toEqual([null, 0n, 0n]);
  });

  test('remap rolls back the inserted prev half when the next half fails', () => {
    const w = world();
    const op: OpRemap = {
      kind: 'remap',
      prev: { addr: 6n * U, range: U, obj: w.bo, offset: 6n * U },
      next: { addr: 7n * U, range: 4n * U, obj: w.bo, offset: 7n * U },
      unmap: { va: w.c, keep: false },
    };
    put(w.vm, 9n * U, U, null, 0n);
    const before = treeState(w.vm);
    const prev = new GpuVa();
    expect(codeOf(() => w.vm.remap(prev, new GpuVa(), op))).toBe('EEXIST');
    expect(treeState(w.vm)).toEqual(before);
    expect(prev.vm).toBeNull();
  });

  test('remap needs a VA for each half the op has', () => {
    const w = world();
    const [op] = w.vm.smUnmapOpsCreate(U + 0x400n, 0x400n) as [OpRemap];
    expect(op.prev !== null && op.next !== null).toBe(true);
    expect(codeOf(() => w.vm.remap(null, new GpuVa(), op))).toBe('EINVAL');
    expect(codeOf(() => w.vm.remap(new GpuVa(), null, op))).toBe('EINVAL');
    const shared = new GpuVa();
    expect(codeOf(() => w.vm.remap(shared, shared, op))).toBe('EINVAL');
    expect(w.a.vm).toBe(w.vm);
  });

  test('unmap of the kernel node is EINVAL', () => {
    const w = world();
    expect(codeOf(() => w.vm.unmap({ kind: 'unmap', va: w.vm.kernelNode as GpuVa, keep: false }))).toBe('EINVAL');
    expect(w.vm.kernelNode?.vm).toBe(w.vm);
  });

  test('remap halves do not inherit flags', () => {
    const w = world();
    w.vm.remove(w.c);
    const flagged = put(w.vm, 6n * U, 2n * U, w.bo, 6n * U);
    flagged.flags = 0b101;
    const [op] = w.vm.smUnmapOpsCreate(7n * U, U) as [OpRemap];
    const prev = new GpuVa();
    w.vm.remap(prev, null, op);
    expect([prev.addr, prev.range, prev.flags]).toEqual([6n * U, U, 0]);
  });
});

describe('remapToUnmapRange', () => {
  const va = new GpuVa({ addr: 0x10000n, range: 0x8000n });
  const piece = (addr: bigint, range: bigint) => ({ addr, range, obj: null, offset: 0n });

  test('with both halves the hole runs from the end of prev to the start of next', () => {
    expect(remapToUnmapRange({ kind: 'remap', prev: piece(0x10000n, 0x1000n), next: piece(0x13000n, 0x5000n), unmap: { va, keep: false } })).toEqual({
      addr: 0x11000n,
      range: 0x2000n,
    });
  });

  test('without prev the hole starts at the old VA; without next it ends at the old VA end', () => {
    expect(remapToUnmapRange({ kind: 'remap', prev: null, next: piece(0x12000n, 0x6000n), unmap: { va, keep: false } })).toEqual({
      addr: 0x10000n,
      range: 0x2000n,
    });
    expect(remapToUnmapRange({ kind: 'remap', prev: piece(0x10000n, 0x7000n), next: null, unmap: { va, keep: false } })).toEqual({
      addr: 0x17000n,
      range: 0x1000n,
    });
  });
});

describe('prefetch and bo_unmap', () => {
  test('prefetch lists every overlapping VA, the kernel node included', () => {
    const w = world();
    const ops = w.vm.prefetchOpsCreate(0n, 4n * U);
    expect(ops).toEqual([
      { kind: 'prefetch', va: w.vm.kernelNode },
      { kind: 'prefetch', va: w.a },
      { kind: 'prefetch', va: w.b },
    ]);
    expect(codeOf(() => w.vm.prefetchOpsCreate(60n * U, 8n * U))).toBe('EINVAL');
  });

  test('bo_unmap lists one UNMAP per linked VA in ascending address order', () => {
    const w = world();
    const vmBo = w.vm.boObtain(w.bo);
    w.c.link(vmBo);
    w.a.link(vmBo);
    w.b.link(vmBo);
    expect(w.vm.boUnmapOpsCreate(vmBo)).toEqual([
      { kind: 'unmap', va: w.a, keep: false },
      { kind: 'unmap', va: w.b, keep: false },
      { kind: 'unmap', va: w.c, keep: false },
    ]);
    const other = new GpuVm({ start: 0n, range: U * 4n });
    expect(codeOf(() => other.boUnmapOpsCreate(vmBo))).toBe('EINVAL');
  });
});
