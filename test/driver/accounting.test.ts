/**
 * The driver's per-command accounting: VAs needed and preallocated, ops
 * allocated / freed / returned through the VM's hooks, and the ops-pure check.
 */

import { describe, expect, it } from 'vitest';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import { GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, MapReq } from '../../src/gpuvm/index.ts';
import { header, map, setup, subjectFor, unmap } from './helpers.ts';

/** [1,4) bo1: a map of [2,3) cuts it in two (prev + next halves + the new VA = 3 VAs). */
const oneLongVa = map(1n, 3n, 1, 0n);

describe('VA accounting', () => {
  it('ops mode counts the VAs it creates and preallocates none', () => {
    const subject = subjectFor();
    setup(subject, oneLongVa);
    setup(subject, map(2n, 1n, 2, 0n));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 3, vasPreallocated: null });
    setup(subject, unmap(1n, 3n));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 0, vasPreallocated: null });
  });

  it('steps mode preallocates 3 VAs for a map and 2 for an unmap', () => {
    const subject = subjectFor();
    setup(subject, map(1n, 3n, 1, 0n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 1, vasPreallocated: 3 });
    setup(subject, map(2n, 1n, 2, 0n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 3, vasPreallocated: 3 });
    setup(subject, unmap(8n, 1n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 0, vasPreallocated: 2 });
    setup(subject, unmap(1n, 3n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 0, vasPreallocated: 2 });
  });

  it('an unmap in the middle of a VA needs 2 VAs in steps mode', () => {
    const subject = subjectFor();
    setup(subject, oneLongVa, unmap(2n, 1n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 2, vasPreallocated: 2 });
  });

  it('an unwound op still counts the VAs created before the failure', () => {
    const subject = subjectFor();
    setup(subject, oneLongVa);
    subject.exec(map(2n, 1n, 2, 0n, { failAt: 2 }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 2 });
  });
});

describe('op allocation accounting', () => {
  it('every op of a returned list is counted as allocated, returned and freed by the driver', () => {
    const subject = subjectFor();
    setup(subject, oneLongVa, map(2n, 1n, 2, 0n));
    expect(subject.accounting()).toEqual({
      vasNeeded: 3,
      vasPreallocated: null,
      opsAllocated: 2,
      opsFreedByBuilder: 0,
      opsReturned: 2,
      opsPure: true,
      opsFreedByDriver: 2,
    });
  });

  it('steps mode allocates no ops and is not purity-checked', () => {
    const subject = subjectFor();
    setup(subject, oneLongVa, map(2n, 1n, 2, 0n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ opsAllocated: 0, opsReturned: 0, opsFreedByDriver: 0, opsPure: null });
  });

  it('prefetch and bo_unmap lists are counted too', () => {
    const subject = subjectFor();
    setup(subject, map(1n, 1n, 1, 0n), map(3n, 1n, 1, 2n), map(5n, 1n, 2, 0n));
    setup(subject, { cmd: 'prefetch', addr: 0n, range: 0x10000n });
    expect(subject.accounting()).toMatchObject({ opsAllocated: 3, opsReturned: 3, opsFreedByDriver: 3, opsPure: null });
    setup(subject, { cmd: 'bo_unmap', bo: 1 });
    expect(subject.accounting()).toMatchObject({ opsAllocated: 2, opsReturned: 2, opsFreedByDriver: 2 });
  });

  it('is null before the first command and reset for every command', () => {
    const subject = subjectFor();
    expect(subject.accounting()).toBeNull();
    setup(subject, oneLongVa);
    expect(subject.accounting()).toMatchObject({ opsAllocated: 1 });
    setup(subject, { cmd: 'find', addr: 0n, range: 1n });
    expect(subject.accounting()).toEqual({
      vasNeeded: 0,
      vasPreallocated: null,
      opsAllocated: 0,
      opsFreedByBuilder: 0,
      opsReturned: 0,
      opsPure: null,
      opsFreedByDriver: 0,
    });
    subject.reset(header());
    expect(subject.accounting()).toBeNull();
  });
});

describe('ops-pure check', () => {
  it('a map / unmap ops list built twice is pure for the production manager', () => {
    const subject = subjectFor();
    setup(subject, oneLongVa, map(2n, 1n, 2, 0n));
    expect(subject.accounting()?.opsPure).toBe(true);
    setup(subject, unmap(1n, 3n));
    expect(subject.accounting()?.opsPure).toBe(true);
  });

  it('a builder whose second list differs is reported impure', () => {
    class FlakyVm extends GpuVm {
      private builds = 0;
      override smMapOpsCreate(req: MapReq): GpuVaOp[] {
        const ops = super.smMapOpsCreate(req);
        this.builds++;
        return this.builds % 2 === 0 ? ops.map((op) => (op.kind === 'unmap' ? { ...op, keep: !op.keep } : op)) : ops;
      }
    }
    const subject = new GpuVmSubject({ createVm: (cfg) => new FlakyVm(cfg) });
    subject.reset(header());
    setup(subject, map(1n, 1n, 1, 0n));
    expect(subject.accounting()?.opsPure).toBe(true);
    setup(subject, map(1n, 1n, 1, 0n));
    expect(subject.accounting()?.opsPure).toBe(false);
  });

  it('a builder that changes the VM is reported impure', () => {
    class ReplacingVm extends GpuVm {
      override smUnmapOpsCreate(addr: bigint, range: bigint): GpuVaOp[] {
        const ops = super.smUnmapOpsCreate(addr, range);
        // Moves the first VA without object 100 pages up: the list is right, the VM is not.
        const spare = this.findFirst(0n, 0x1000n * 256n);
        if (spare !== null && spare.obj === null) {
          this.remove(spare);
          spare.addr += 0x1000n * 100n;
          this.insert(spare);
        }
        return ops;
      }
    }
    const moved = new GpuVmSubject({ createVm: (cfg) => new ReplacingVm(cfg) });
    moved.reset(header());
    setup(moved, map(1n, 1n, null, 0n), map(4n, 1n, 1, 3n));
    setup(moved, unmap(4n, 1n));
    expect(moved.accounting()?.opsPure).toBe(false);
  });
});
