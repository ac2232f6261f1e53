/**
 * The VM itself: configuration checks, rangeValid, insert / remove, the
 * kernel reserved node, queries (clipping, exact findPrev / findNext), VMs that
 * reach 2^64, input validation messages and destroy.
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVa, GpuVm, U64_LIMIT } from '../../src/gpuvm/index.ts';
import { codeOf, put, treeState } from './helpers.ts';

const U = 0x1000n;

describe('VM configuration', () => {
  test('start + range beyond 2^64 is EINVAL, exactly 2^64 is fine', () => {
    expect(codeOf(() => new GpuVm({ start: U, range: U64_LIMIT - U + 1n }))).toBe('EINVAL');
    expect(codeOf(() => new GpuVm({ start: U64_LIMIT - 1n, range: 2n }))).toBe('EINVAL');
    const vm = new GpuVm({ start: U, range: U64_LIMIT - U });
    expect(vm.rangeValid(U64_LIMIT - U, U)).toBe(true);
  });

  test('a reserved node outside the VM is EINVAL', () => {
    expect(codeOf(() => new GpuVm({ start: U, range: 4n * U, reserveOffset: 0n, reserveRange: U }))).toBe('EINVAL');
    expect(codeOf(() => new GpuVm({ start: 0n, range: 4n * U, reserveOffset: 3n * U, reserveRange: 2n * U }))).toBe('EINVAL');
    expect(codeOf(() => new GpuVm({ start: 0n, range: 4n * U, reserveOffset: 3n * U, reserveRange: U }))).toBeNull();
  });

  test('non-u64 configuration values are EINVAL and the message names the field', () => {
    expect(() => new GpuVm({ start: -1n, range: U })).toThrow('GpuVm: start must be a u64 bigint, got -1n');
    expect(() => new GpuVm({ start: 0n, range: U64_LIMIT + 1n })).toThrow(/GpuVm: range must be a u64 bigint/);
    expect(() => new GpuVm({ start: 0n, range: 5 as unknown as bigint })).toThrow(/range must be a u64 bigint, got number 5/);
    expect(() => new GpuVm({ start: 0n, range: U, reserveRange: -2n })).toThrow(/reserveRange/);
  });

  test('the kernel node is a VA without object that queries and iteration see', () => {
    const vm = new GpuVm({ start: 0n, range: 16n * U, reserveOffset: 4n * U, reserveRange: 2n * U });
    const k = vm.kernelNode as GpuVa;
    expect([k.addr, k.range, k.obj]).toEqual([4n * U, 2n * U, null]);
    expect(vm.find(4n * U, 2n * U)).toBe(k);
    expect(vm.findFirst(0n, 16n * U)).toBe(k);
    expect([...vm.vas()]).toEqual([k]);
    expect(new GpuVm({ start: 0n, range: U }).kernelNode).toBeNull();
  });
});

describe('rangeValid', () => {
  const vm = new GpuVm({ start: 0x10000n, range: 0x100000n, reserveOffset: 0x40000n, reserveRange: 0x10000n });

  test('rejects zero ranges, overflow and ranges outside the VM', () => {
    expect(vm.rangeValid(0x20000n, 0n)).toBe(false);
    expect(vm.rangeValid(U64_LIMIT - 1n, 2n)).toBe(false);
    expect(vm.rangeValid(0xf000n, 0x2000n)).toBe(false);
    expect(vm.rangeValid(0x10f000n, 0x2000n)).toBe(false);
    expect(vm.rangeValid(0x10000n, 0x100000n - 0x10000n)).toBe(false); // overlaps the kernel node
  });

  test('accepts ranges touching the kernel node edges and the VM edges', () => {
    expect(vm.rangeValid(0x30000n, 0x10000n)).toBe(true); // ends at the kernel node's start
    expect(vm.rangeValid(0x50000n, 0x10000n)).toBe(true); // starts at the kernel node's end
    expect(vm.rangeValid(0x3f000n, 0x2000n)).toBe(false); // one unit into it
    expect(vm.rangeValid(0x10000n, 0x1000n)).toBe(true);
    expect(vm.rangeValid(0x10f000n, 0x1000n)).toBe(true);
  });

  test('throws EINVAL naming the argument for non-u64 input', () => {
    expect(() => vm.rangeValid(-1n, U)).toThrow('rangeValid: addr must be a u64 bigint, got -1n');
    expect(() => vm.rangeValid(0n, U64_LIMIT)).toThrow(/rangeValid: range must be a u64 bigint/);
  });
});

describe('insert and remove', () => {
  test('insert refuses invalid ranges (EINVAL) and overlaps (EEXIST) and changes nothing', () => {
    const vm = new GpuVm({ start: 0n, range: 16n * U, reserveOffset: 0n, reserveRange: U });
    const a = put(vm, 2n * U, 2n * U, null, 0n);
    const before = treeState(vm);
    expect(codeOf(() => vm.insert(new GpuVa({ addr: 3n * U, range: 2n * U })))).toBe('EEXIST');
    expect(codeOf(() => vm.insert(new GpuVa({ addr: 0n, range: U })))).toBe('EINVAL'); // kernel node
    expect(codeOf(() => vm.insert(new GpuVa({ addr: 15n * U, range: 2n * U })))).toBe('EINVAL');
    expect(codeOf(() => vm.insert(new GpuVa({ addr: 5n * U, range: 0n })))).toBe('EINVAL');
    expect(codeOf(() => vm.insert(a))).toBe('EEXIST');
    // [differs]: the object side must fit in u64 too, or a later split would
    // compute a piece offset of 2^64 or more.
    expect(codeOf(() => vm.insert(new GpuVa({ addr: 6n * U, range: 2n * U, offset: (1n << 64n) - U })))).toBe('EINVAL');
    expect(treeState(vm)).toEqual(before);
    vm.insert(new GpuVa({ addr: 6n * U, range: 2n * U, offset: (1n << 64n) - 2n * U }));
    expect(vm.find(6n * U, 2n * U)?.offset).toBe((1n << 64n) - 2n * U);
  });

  test('the kernel node cannot be removed, nor a VA that is not in the VM', () => {
    const vm = new GpuVm({ start: 0n, range: 16n * U, reserveOffset: 0n, reserveRange: U });
    expect(() => vm.remove(vm.kernelNode as GpuVa)).toThrow(/EINVAL: remove: can't remove the kernel reserved node/);
    expect(vm.find(0n, U)).toBe(vm.kernelNode);
    expect(codeOf(() => vm.remove(new GpuVa({ addr: U, range: U })))).toBe('EINVAL');
    const other = new GpuVm({ start: 0n, range: 16n * U });
    const va = put(other, U, U, null, 0n);
    expect(codeOf(() => vm.remove(va))).toBe('EINVAL');
    expect(va.vm).toBe(other);
  });

  test('a VA in a VM cannot change its range until removed', () => {
    const vm = new GpuVm({ start: 0n, range: 16n * U });
    const va = put(vm, U, U, null, 0n);
    expect(codeOf(() => {
      va.range = 4n * U;
    })).toBe('EINVAL');
    vm.remove(va);
    va.range = 4n * U;
    expect(va.end).toBe(5n * U);
  });
});

describe('queries', () => {
  function world() {
    // VAs [1,2) [2,3) gap [5,6) and [7+1 byte, 8), unit U; kernel node none; the VM reaches 2^64.
    const vm = new GpuVm({ start: U, range: U64_LIMIT - U });
    const v12 = put(vm, U, U, null, 0n);
    const v23 = put(vm, 2n * U, U, null, 0n);
    const v56 = put(vm, 5n * U, U, null, 0n);
    const v78 = put(vm, 7n * U + 1n, U - 1n, null, 0n);
    return { vm, v12, v23, v56, v78 };
  }

  test('find returns only an exact match', () => {
    const { vm, v23 } = world();
    expect(vm.find(2n * U, U)).toBe(v23);
    expect(vm.find(2n * U, U - 1n)).toBeNull();
    expect(vm.find(2n * U - 1n, U + 1n)).toBeNull();
    expect(vm.find(2n * U, 0n)).toBeNull();
  });

  test('findFirst returns the lowest overlapping VA; a zero range finds nothing', () => {
    const { vm, v12, v56 } = world();
    expect(vm.findFirst(0n, 10n * U)).toBe(v12);
    expect(vm.findFirst(3n * U, 3n * U)).toBe(v56);
    expect(vm.findFirst(3n * U, 2n * U)).toBeNull();
    expect(vm.findFirst(U, 0n)).toBeNull();
    expect(vm.intervalEmpty(3n * U, 2n * U)).toBe(true);
    expect(vm.intervalEmpty(3n * U, 2n * U + 1n)).toBe(false);
  });

  test('findPrev(start) is the VA ending exactly at start, with and without a gap', () => {
    const { vm, v12, v23, v56 } = world();
    expect(vm.findPrev(2n * U)).toBe(v12);
    expect(vm.findPrev(3n * U)).toBe(v23);
    expect(vm.findPrev(4n * U)).toBeNull(); // gap before 4
    expect(vm.findPrev(5n * U)).toBeNull(); // a VA begins here but none ends here
    expect(vm.findPrev(U)).toBeNull();
    expect(vm.findPrev(0n)).toBeNull();
    expect(vm.findPrev(6n * U)).toBe(v56);
  });

  test('findNext(end) is the VA beginning exactly at end, with and without a gap', () => {
    const { vm, v23, v56 } = world();
    expect(vm.findNext(2n * U)).toBe(v23);
    expect(vm.findNext(3n * U)).toBeNull(); // gap after 3
    expect(vm.findNext(5n * U)).toBe(v56);
    expect(vm.findNext(7n * U)).toBeNull(); // the next VA begins one byte later
    expect(vm.findNext(U64_LIMIT - 1n)).toBeNull();
  });

  test('queries clip at 2^64 instead of throwing, but reject non-u64 values', () => {
    const { vm } = world();
    const top = put(vm, U64_LIMIT - U, U, null, 0n);
    expect(vm.findFirst(U64_LIMIT - 1n, 10n * U)).toBe(top);
    expect(vm.find(U64_LIMIT - U, U)).toBe(top);
    expect(vm.find(U64_LIMIT - U, 2n * U)).toBeNull();
    expect(vm.intervalEmpty(U64_LIMIT - 1n, U64_LIMIT - 1n)).toBe(false);
    expect([...vm.vasInRange(U64_LIMIT - 2n * U, U64_LIMIT - 1n)]).toEqual([top]);
    expect(vm.findPrev(U64_LIMIT - U)).toBeNull();
    expect(() => vm.findFirst(-1n, U)).toThrow('findFirst: addr must be a u64 bigint, got -1n');
    expect(() => vm.find(U64_LIMIT, U)).toThrow(/find: addr must be a u64 bigint/);
    expect(() => vm.findNext(U64_LIMIT)).toThrow(/findNext: end must be a u64 bigint/);
    expect(() => vm.intervalEmpty(0n, 1 as unknown as bigint)).toThrow(/intervalEmpty: range/);
  });

  test('vas and vasInRange iterate ascending over a snapshot', () => {
    const { vm, v12, v23, v56, v78 } = world();
    expect([...vm.vas()]).toEqual([v12, v23, v56, v78]);
    expect([...vm.vasInRange(2n * U, 4n * U)]).toEqual([v23, v56]);
    const seen: GpuVa[] = [];
    for (const va of vm.vas()) {
      vm.remove(va);
      seen.push(va);
    }
    expect(seen).toEqual([v12, v23, v56, v78]);
    expect([...vm.vas()]).toEqual([]);
  });
});

describe('VMs reaching 2^64 and objects near offset 2^64', () => {
  const vm = new GpuVm({ start: U64_LIMIT - 16n * U, range: 16n * U, reserveOffset: U64_LIMIT - 16n * U, reserveRange: U });
  const bo = new GemObject();

  test('a mapping may end exactly at 2^64', () => {
    const ops = vm.smMapOpsCreate({ addr: U64_LIMIT - 2n * U, range: 2n * U, obj: bo, offset: 0n });
    expect(ops).toEqual([{ kind: 'map', addr: U64_LIMIT - 2n * U, range: 2n * U, obj: bo, offset: 0n }]);
    const va = new GpuVa();
    vm.map(va, ops[0] as never);
    expect(va.end).toBe(U64_LIMIT);
    expect(vm.findPrev(U64_LIMIT - 2n * U)).toBeNull();
    expect(vm.findNext(U64_LIMIT - 2n * U)).toBe(va);
    const unmap = vm.smUnmapOpsCreate(U64_LIMIT - U, U);
    expect(unmap).toEqual([
      { kind: 'remap', prev: { addr: U64_LIMIT - 2n * U, range: U, obj: bo, offset: 0n }, next: null, unmap: { va, keep: false } },
    ]);
    vm.remove(va);
  });

  test('object offset + range beyond 2^64 is EINVAL for a map; exactly 2^64 is fine', () => {
    const addr = U64_LIMIT - 4n * U;
    expect(() => vm.smMapOpsCreate({ addr, range: 2n * U, obj: bo, offset: U64_LIMIT - U })).toThrow(
      /EINVAL: smMapOpsCreate: offset 0xfffffffffffff000 \+ range 0x2000 overflows 2\^64/,
    );
    const ops = vm.smMapOpsCreate({ addr, range: 2n * U, obj: bo, offset: U64_LIMIT - 2n * U });
    expect(ops).toHaveLength(1);
  });

  test('keep compares translations exactly near offset 2^64', () => {
    const va = put(vm, U64_LIMIT - 8n * U, 4n * U, bo, U64_LIMIT - 4n * U);
    const ops = vm.smMapOpsCreate({ addr: U64_LIMIT - 6n * U, range: 2n * U, obj: bo, offset: U64_LIMIT - 2n * U });
    expect(ops[0]).toEqual({
      kind: 'remap',
      prev: { addr: U64_LIMIT - 8n * U, range: 2n * U, obj: bo, offset: U64_LIMIT - 4n * U },
      next: null,
      unmap: { va, keep: true },
    });
    vm.remove(va);
  });

  test('requests overlapping the kernel node are EINVAL, touching it is fine', () => {
    expect(codeOf(() => vm.smMapOpsCreate({ addr: U64_LIMIT - 16n * U, range: U, obj: null, offset: 0n }))).toBe('EINVAL');
    expect(codeOf(() => vm.smUnmapOpsCreate(U64_LIMIT - 16n * U, 2n * U))).toBe('EINVAL');
    expect(vm.smMapOpsCreate({ addr: U64_LIMIT - 15n * U, range: U, obj: null, offset: 0n })).toHaveLength(1);
    expect(vm.smUnmapOpsCreate(U64_LIMIT - 15n * U, 15n * U)).toEqual([]);
  });
});

describe('input validation', () => {
  const vm = new GpuVm({ start: 0n, range: 1n << 40n });

  test('every public u64 argument is checked and named', () => {
    expect(() => vm.smMapOpsCreate({ addr: 0n, range: -1n, obj: null, offset: 0n })).toThrow(
      'EINVAL: smMapOpsCreate: range must be a u64 bigint, got -1n',
    );
    expect(() => vm.smMapOpsCreate({ addr: 0n, range: U, obj: null, offset: 2n ** 64n })).toThrow(/offset must be a u64 bigint/);
    expect(() => vm.smUnmapOpsCreate(1.5 as unknown as bigint, U)).toThrow(/smUnmapOpsCreate: addr must be a u64 bigint, got number 1.5/);
    expect(() => vm.prefetchOpsCreate(0n, '4096' as unknown as bigint)).toThrow(/prefetchOpsCreate: range must be a u64 bigint, got "4096"/);
    expect(() => new GpuVa({ addr: -5n })).toThrow(/GpuVa: addr must be a u64 bigint, got -5n/);
  });

  test('zero and overflowing ranges are EINVAL for map, unmap and prefetch', () => {
    for (const [addr, range] of [
      [U, 0n],
      [U64_LIMIT - U, 2n * U],
    ] as const) {
      expect(codeOf(() => vm.smMapOpsCreate({ addr, range, obj: null, offset: 0n }))).toBe('EINVAL');
      expect(codeOf(() => vm.smUnmapOpsCreate(addr, range))).toBe('EINVAL');
      expect(codeOf(() => vm.prefetchOpsCreate(addr, range))).toBe('EINVAL');
    }
  });
});

describe('destroy', () => {
  test('is EBUSY while a VA or a vm_bo remains, then refuses further use', () => {
    const vm = new GpuVm({ start: 0n, range: 16n * U, reserveOffset: 0n, reserveRange: U });
    const va = put(vm, U, U, null, 0n);
    expect(codeOf(() => vm.destroy())).toBe('EBUSY');
    vm.remove(va);
    const bo = new GemObject();
    const vmBo = vm.boObtain(bo);
    expect(codeOf(() => vm.destroy())).toBe('EBUSY');
    vmBo.put();
    vm.destroy();
    expect(codeOf(() => vm.insert(new GpuVa({ addr: U, range: U })))).toBe('EINVAL');
    expect(codeOf(() => vm.destroy())).toBe('EINVAL');
  });
});
