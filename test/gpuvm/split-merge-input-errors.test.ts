/**
 * Every request the split/merge core refuses is refused with EINVAL and a
 * message naming the function, the argument and what is wrong with it
 * ("bad input always gets a clear error naming what is wrong"). These tests
 * pin the messages down, so a check that is dropped, or that names the wrong
 * function or argument, is caught (they were written to kill the mutants
 * Stryker found surviving in the validation of src/gpuvm).
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVm, GpuVmError, U64_LIMIT } from '../../src/gpuvm/index.ts';
import type { GpuVmBo, MapReq, SmStepCtx } from '../../src/gpuvm/index.ts';

const P = 0x1000n;
/** VM [0x100000, 0x200000) with a kernel node at [0x180000, 0x181000). */
const START = 0x100000n;
const RANGE = 0x100000n;
const KERNEL = 0x180000n;

function vm(): GpuVm {
  return new GpuVm({ name: 'errors', start: START, range: RANGE, reserveOffset: KERNEL, reserveRange: P });
}

const steps: SmStepCtx = { smStepMap: () => {}, smStepRemap: () => {}, smStepUnmap: () => {} };

/** Runs `fn`, expects a GpuVmError with code EINVAL, returns its message. */
function einval(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GpuVmError);
    expect((e as GpuVmError).code).toBe('EINVAL');
    return (e as GpuVmError).message;
  }
  throw new Error('expected EINVAL, but the call succeeded');
}

const req = (addr: bigint, range: bigint, obj: GemObject | null = null, offset = 0n): MapReq => ({ addr, range, obj, offset });

describe('non-u64 arguments name the function and the argument', () => {
  test('rangeValid names addr and range', () => {
    expect(einval(() => vm().rangeValid(-1n, P))).toBe('EINVAL: rangeValid: addr must be a u64 bigint, got -1n');
    expect(einval(() => vm().rangeValid(START, U64_LIMIT))).toMatch(/^EINVAL: rangeValid: range must be a u64 bigint/);
  });

  test('smMap and smMapOpsCreate name addr, range and offset of the request', () => {
    expect(einval(() => vm().smMap(req(-1n, P), steps))).toMatch(/^EINVAL: smMap: addr must be a u64 bigint/);
    expect(einval(() => vm().smMapOpsCreate(req(START, -1n)))).toMatch(/^EINVAL: smMapOpsCreate: range must be a u64 bigint/);
    expect(einval(() => vm().smMapOpsCreate(req(START, P, null, -1n)))).toMatch(/^EINVAL: smMapOpsCreate: offset must be a u64 bigint/);
  });

  test('smUnmap and smUnmapOpsCreate name addr and range', () => {
    expect(einval(() => vm().smUnmap(-1n, P, steps))).toMatch(/^EINVAL: smUnmap: addr must be a u64 bigint/);
    expect(einval(() => vm().smUnmapOpsCreate(START, -1n))).toMatch(/^EINVAL: smUnmapOpsCreate: range must be a u64 bigint/);
  });

  test('prefetchOpsCreate names addr and range', () => {
    expect(einval(() => vm().prefetchOpsCreate(-1n, P))).toMatch(/^EINVAL: prefetchOpsCreate: addr must be a u64 bigint/);
    expect(einval(() => vm().prefetchOpsCreate(START, -1n))).toMatch(/^EINVAL: prefetchOpsCreate: range must be a u64 bigint/);
  });
});

describe('a malformed request or step context is named', () => {
  test('a request that is not an object', () => {
    expect(einval(() => vm().smMapOpsCreate(null as unknown as MapReq))).toBe(
      'EINVAL: smMapOpsCreate: req must be an object, got null',
    );
    expect(einval(() => vm().smMapOpsCreate(5 as unknown as MapReq))).toBe(
      'EINVAL: smMapOpsCreate: req must be an object, got number 5',
    );
  });

  test('an object that is not a GemObject', () => {
    const bad = req(START, P, {} as unknown as GemObject);
    expect(einval(() => vm().smMapOpsCreate(bad))).toBe('EINVAL: smMapOpsCreate: obj must be a GemObject or null, got an object');
  });

  test('a step context that is not an object', () => {
    expect(einval(() => vm().smMap(req(START, P), null as unknown as SmStepCtx))).toBe(
      'EINVAL: smMap: ctx must be an object with step callbacks',
    );
    expect(einval(() => vm().smUnmap(START, P, 5 as unknown as SmStepCtx))).toBe(
      'EINVAL: smUnmap: ctx must be an object with step callbacks',
    );
  });

  test('smMap needs all three step callbacks, before anything is called', () => {
    let called = 0;
    const count = (): void => {
      called++;
    };
    expect(einval(() => vm().smMap(req(START, P), {}))).toBe('EINVAL: smMap: ctx.smStepMap is missing');
    expect(einval(() => vm().smMap(req(START, P), { smStepMap: count, smStepUnmap: count }))).toBe(
      'EINVAL: smMap: ctx.smStepRemap is missing',
    );
    expect(einval(() => vm().smMap(req(START, P), { smStepMap: count, smStepRemap: count }))).toBe(
      'EINVAL: smMap: ctx.smStepUnmap is missing',
    );
    expect(called).toBe(0);
  });

  test('smUnmap needs the remap and unmap callbacks, not the map one', () => {
    expect(einval(() => vm().smUnmap(START, P, { smStepUnmap: () => {} }))).toBe('EINVAL: smUnmap: ctx.smStepRemap is missing');
    expect(einval(() => vm().smUnmap(START, P, { smStepRemap: () => {} }))).toBe('EINVAL: smUnmap: ctx.smStepUnmap is missing');
    expect(() => vm().smUnmap(START, P, { smStepRemap: () => {}, smStepUnmap: () => {} })).not.toThrow();
  });

  test('boUnmapOpsCreate names itself for something that is not a vm_bo', () => {
    expect(einval(() => vm().boUnmapOpsCreate({} as unknown as GpuVmBo))).toMatch(/^EINVAL: boUnmapOpsCreate: expected a GpuVmBo/);
  });
});

describe('an invalid range says which rule it breaks, with the range', () => {
  test('zero range', () => {
    expect(einval(() => vm().smMapOpsCreate(req(START, 0n)))).toBe(
      'EINVAL: smMapOpsCreate: [0x100000, 0x100000) is not a valid range: the range is zero',
    );
  });

  test('outside the VM: the range and the VM are both shown', () => {
    expect(einval(() => vm().smUnmapOpsCreate(START + RANGE - P, 2n * P))).toBe(
      'EINVAL: smUnmapOpsCreate: [0x1ff000, 0x201000) is not a valid range: it is outside the VM [0x100000, 0x200000)',
    );
  });

  test('over the kernel reserved node', () => {
    expect(einval(() => vm().smUnmap(KERNEL - P, 2n * P, steps))).toBe(
      'EINVAL: smUnmap: [0x17f000, 0x181000) is not a valid range: it overlaps the kernel reserved node [0x180000, 0x181000)',
    );
  });

  test('past 2^64: reported as an overflow, not as outside the VM', () => {
    const top = new GpuVm({ start: U64_LIMIT - 0x10n * P, range: 0x10n * P });
    expect(einval(() => top.smMap(req(U64_LIMIT - P, 2n * P), steps))).toBe(
      'EINVAL: smMap: [0xfffffffffffff000, 0x10000000000001000) is not a valid range: addr + range overflows 2^64',
    );
  });

  test('a rangeValid override that refuses is reported as such', () => {
    class Refusing extends GpuVm {
      override rangeValid(): boolean {
        return false;
      }
    }
    const v = new Refusing({ start: START, range: RANGE });
    expect(einval(() => v.smMapOpsCreate(req(START, P)))).toBe(
      'EINVAL: smMapOpsCreate: [0x100000, 0x101000) is not a valid range: rejected by rangeValid',
    );
    expect(einval(() => v.smUnmapOpsCreate(START, P))).toBe(
      'EINVAL: smUnmapOpsCreate: [0x100000, 0x101000) is not a valid range: rejected by rangeValid',
    );
  });

  test('the object side overflowing 2^64 names offset and range', () => {
    expect(einval(() => vm().smMapOpsCreate(req(START, 2n * P, new GemObject(), U64_LIMIT - P)))).toBe(
      'EINVAL: smMapOpsCreate: offset 0xfffffffffffff000 + range 0x2000 overflows 2^64',
    );
  });
});

describe('prefetch validation', () => {
  test('zero range', () => {
    expect(einval(() => vm().prefetchOpsCreate(START, 0n))).toBe('EINVAL: prefetchOpsCreate: range must be at least 1');
  });

  test('past 2^64 is an overflow', () => {
    const top = new GpuVm({ start: U64_LIMIT - 0x10n * P, range: 0x10n * P });
    expect(einval(() => top.prefetchOpsCreate(U64_LIMIT - P, 2n * P))).toBe(
      'EINVAL: prefetchOpsCreate: addr 0xfffffffffffff000 + range 0x2000 overflows 2^64',
    );
  });

  test('outside the VM on either side', () => {
    expect(einval(() => vm().prefetchOpsCreate(START - P, 2n * P))).toBe(
      'EINVAL: prefetchOpsCreate: [0xff000, 0x101000) is outside the VM [0x100000, 0x200000)',
    );
    expect(einval(() => vm().prefetchOpsCreate(START + RANGE - P, 2n * P))).toBe(
      'EINVAL: prefetchOpsCreate: [0x1ff000, 0x201000) is outside the VM [0x100000, 0x200000)',
    );
  });
});

describe('a destroyed VM refuses every split/merge call, by name', () => {
  const dead = (): GpuVm => {
    const v = new GpuVm({ start: START, range: RANGE });
    v.destroy();
    return v;
  };
  test.each([
    ['smMap', (v: GpuVm) => v.smMap(req(START, P), steps)],
    ['smUnmap', (v: GpuVm) => v.smUnmap(START, P, steps)],
    ['smMapOpsCreate', (v: GpuVm) => v.smMapOpsCreate(req(START, P))],
    ['smUnmapOpsCreate', (v: GpuVm) => v.smUnmapOpsCreate(START, P)],
    ['prefetchOpsCreate', (v: GpuVm) => v.prefetchOpsCreate(START, P)],
    ['boUnmapOpsCreate', (v: GpuVm) => v.boUnmapOpsCreate({} as unknown as GpuVmBo)],
  ] as const)('%s', (name, call) => {
    expect(einval(() => call(dead()))).toBe(`EINVAL: ${name}: the VM was destroyed`);
  });
});
