/**
 * The split/merge core at its edges: ranges that end exactly at 2^64 or start
 * exactly at the VM's start are accepted and one granule further is not; an
 * object range ending exactly at 2^64 is fine; an allocation failure names
 * the op that failed; bo_unmap lists VAs by address whatever order they were
 * linked in. (Written to kill the mutants Stryker found surviving in the
 * boundary comparisons of src/gpuvm.)
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVa, GpuVm, GpuVmError, U64_LIMIT } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, MapReq } from '../../src/gpuvm/index.ts';

const P = 0x1000n;
const TOP_START = U64_LIMIT - 0x10n * P;

const req = (addr: bigint, range: bigint, obj: GemObject | null = null, offset = 0n): MapReq => ({ addr, range, obj, offset });

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof GpuVmError ? e.code : 'not a GpuVmError';
  }
}

describe('a VM that reaches 2^64', () => {
  const top = (): GpuVm => new GpuVm({ start: TOP_START, range: 0x10n * P });

  test('rangeValid accepts a range ending exactly at 2^64', () => {
    expect(top().rangeValid(U64_LIMIT - P, P)).toBe(true);
    expect(top().rangeValid(TOP_START, 0x10n * P)).toBe(true);
  });

  test('a map and an unmap ending exactly at 2^64 are planned', () => {
    const v = top();
    const ops = v.smMapOpsCreate(req(U64_LIMIT - 2n * P, 2n * P));
    expect(ops.map((o) => o.kind)).toEqual(['map']);
    expect(v.smUnmapOpsCreate(U64_LIMIT - P, P)).toEqual([]);
  });

  test('a prefetch ending exactly at 2^64 lists the VA there', () => {
    const v = top();
    const va = new GpuVa({ addr: U64_LIMIT - P, range: P });
    v.insert(va);
    expect(v.prefetchOpsCreate(U64_LIMIT - 2n * P, 2n * P)).toEqual([{ kind: 'prefetch', va }]);
  });
});

describe('the start of a VM that does not start at 0', () => {
  const v = (): GpuVm => new GpuVm({ start: 0x100000n, range: 0x100000n });

  test('a range starting at the VM start is valid, one granule below is not even if it ends inside', () => {
    expect(v().rangeValid(0x100000n, P)).toBe(true);
    expect(v().rangeValid(0x100000n - P, 2n * P)).toBe(false);
    expect(codeOf(() => v().smMapOpsCreate(req(0x100000n - P, 2n * P)))).toBe('EINVAL');
    expect(codeOf(() => v().smUnmapOpsCreate(0x100000n - P, 2n * P))).toBe('EINVAL');
  });
});

describe('the object side of a map request', () => {
  test('offset + range may be exactly 2^64, not one more', () => {
    const v = new GpuVm({ start: 0n, range: 0x100000n });
    const obj = new GemObject();
    const ops = v.smMapOpsCreate(req(0x1000n, 2n * P, obj, U64_LIMIT - 2n * P));
    expect(ops).toEqual([{ kind: 'map', addr: 0x1000n, range: 2n * P, obj, offset: U64_LIMIT - 2n * P }]);
    expect(codeOf(() => v.smMapOpsCreate(req(0x1000n, 2n * P, obj, U64_LIMIT - 2n * P + 1n)))).toBe('EINVAL');
  });
});

describe('an op allocation failure', () => {
  /** A VM whose opAlloc fails at allocation `failAt` (1-based), counting what it allocated and freed. */
  function failing(failAt: number): { vm: GpuVm; allocated: GpuVaOp[]; freed: GpuVaOp[] } {
    const allocated: GpuVaOp[] = [];
    const freed: GpuVaOp[] = [];
    const vm = new GpuVm({
      start: 0n,
      range: 0x100000n,
      ops: {
        opAlloc: (op) => {
          if (allocated.length + 1 === failAt) return null;
          allocated.push(op);
          return op;
        },
        opFree: (op) => {
          freed.push(op);
        },
      },
    });
    return { vm, allocated, freed };
  }

  test('names the list being built and the number of the op that failed, and frees the others', () => {
    const f = failing(3);
    for (const addr of [0x1000n, 0x2000n, 0x3000n]) f.vm.insert(new GpuVa({ addr, range: P }));
    let message = '';
    try {
      f.vm.smMapOpsCreate(req(0x1000n, 3n * P));
    } catch (e) {
      expect((e as GpuVmError).code).toBe('ENOMEM');
      message = (e as Error).message;
    }
    expect(message).toBe('ENOMEM: smMapOpsCreate: allocating op 3 failed');
    expect(f.freed).toEqual(f.allocated);
    expect(f.allocated).toHaveLength(2);
  });

  test('an unmap list names itself', () => {
    const f = failing(2);
    for (const addr of [0x1000n, 0x2000n]) f.vm.insert(new GpuVa({ addr, range: P }));
    expect(() => f.vm.smUnmapOpsCreate(0x1000n, 2n * P)).toThrow('ENOMEM: smUnmapOpsCreate: allocating op 2 failed');
  });
});

describe('bo_unmap order', () => {
  test('the VAs of a vm_bo are unmapped in ascending address order, whatever the link order', () => {
    const v = new GpuVm({ start: 0n, range: 0x100000n });
    const obj = new GemObject();
    const vmBo = v.boObtain(obj);
    const addrs = [0x9000n, 0x3000n, 0x7000n, 0x1000n, 0x5000n, 0x8000n, 0x2000n];
    for (const addr of addrs) {
      const va = new GpuVa({ addr, range: P, obj, offset: addr });
      v.insert(va);
      va.link(vmBo);
    }
    const ops = v.boUnmapOpsCreate(vmBo);
    expect(ops.map((o) => (o.kind === 'unmap' ? o.va.addr : -1n))).toEqual([...addrs].sort((a, b) => (a < b ? -1 : 1)));
    expect(ops.every((o) => o.kind === 'unmap' && !o.keep)).toBe(true);
  });
});
