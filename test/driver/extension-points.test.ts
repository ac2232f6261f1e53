/**
 * The driver's extension points: a custom `createVm`, and each protected method
 * a fault variant overrides changes exactly the behaviour it names.
 */

import { describe, expect, it } from 'vitest';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { RequestKind } from '../../src/driver/gpuvm-subject.ts';
import { GpuVm, UseAfterFreeError } from '../../src/gpuvm/index.ts';
import type { GemObject, GpuVa, GpuVmBo, GpuVmConfig, OpRemap } from '../../src/gpuvm/index.ts';
import type { Via } from '../../src/protocol/types.ts';
import { header, map, mapOp, piece, remapOp, setup, unmap, va } from './helpers.ts';

const P = 0x1000n;

describe('createVm', () => {
  it('builds the VM from the trace header with the accounting hooks, and the subclass is the one driven', () => {
    const configs: GpuVmConfig[] = [];
    class RecordingVm extends GpuVm {
      readonly mapped: GpuVa[] = [];
      override map(...args: Parameters<GpuVm['map']>): void {
        this.mapped.push(args[0]);
        super.map(...args);
      }
    }
    let vm: RecordingVm | null = null;
    const subject = new GpuVmSubject({
      name: 'recording',
      createVm: (cfg) => {
        configs.push(cfg);
        vm = new RecordingVm(cfg);
        return vm;
      },
    });
    expect(subject.name).toBe('recording');
    subject.reset(header([1], [0n, 2n * P]));
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ start: 0n, range: 256n * P, reserveOffset: 0n, reserveRange: 2n * P });
    expect(typeof configs[0]?.ops?.opAlloc).toBe('function');
    setup(subject, map(4n, 1n, 1, 0n), map(6n, 1n, 1, 0n, { via: 'steps' }));
    expect((vm as RecordingVm | null)?.mapped.map((v) => v.addr)).toEqual([4n * P, 6n * P]);
  });

  it('a header without reserve gives a config without reserve fields', () => {
    const configs: GpuVmConfig[] = [];
    const subject = new GpuVmSubject({ createVm: (cfg) => (configs.push(cfg), new GpuVm(cfg)) });
    subject.reset(header([1]));
    expect(configs[0]?.reserveRange).toBeUndefined();
    expect(subject.snapshot().kernel).toBeNull();
  });
});

describe('protected driver decisions', () => {
  it('vasToPreallocate: preallocating 1 VA for an unmap (panthor bug) shows as vasNeeded > vasPreallocated', () => {
    class OneVaForUnmap extends GpuVmSubject {
      protected override vasToPreallocate(kind: RequestKind): number {
        return kind === 'unmap' ? 1 : super.vasToPreallocate(kind);
      }
    }
    const subject = new OneVaForUnmap();
    subject.reset(header());
    setup(subject, map(1n, 3n, 1, 0n), unmap(2n, 1n, { via: 'steps' }));
    expect(subject.accounting()).toMatchObject({ vasNeeded: 2, vasPreallocated: 1 });
  });

  it('remapHole: the hole a driver computes is what the remap op reports', () => {
    class WrongHole extends GpuVmSubject {
      // nouveau before CVE-2024-36018: start at prev's end but keep the old VA's full range.
      protected override remapHole(op: OpRemap): readonly [bigint, bigint] {
        const start = op.prev === null ? op.unmap.va.addr : op.prev.addr + op.prev.range;
        return [start, op.unmap.va.range];
      }
    }
    const subject = new WrongHole();
    subject.reset(header());
    setup(subject, map(1n, 2n, 1, 0n));
    expect(subject.exec(map(2n, 1n, 2, 0n))).toEqual({
      ok: true,
      ops: [remapOp(va(1n, 2n, 1, 0n), false, piece(1n, 1n, 1, 0n), null, [2n, 2n]), mapOp(2n, 1n, 2, 0n)],
    });
  });

  it('acquireMapVmBo: boCreate per map (imagination bug) gives two live vm_bos for one object', () => {
    class CreatePerMap extends GpuVmSubject {
      protected override acquireMapVmBo(obj: GemObject, _via: Via): GpuVmBo {
        return this.vm.boCreate(obj);
      }
    }
    const subject = new CreatePerMap();
    subject.reset(header([1]));
    setup(subject, map(1n, 1n, 1, 0n, { via: 'steps' }), map(3n, 1n, 1, 0n, { via: 'steps' }));
    const snap = subject.snapshot();
    expect(snap.vmBos).toEqual([
      { bo: 1, refs: 1, vas: [[P, P]], evicted: false },
      { bo: 1, refs: 1, vas: [[3n * P, P]], evicted: false },
    ]);
    expect(snap.objects).toEqual([{ bo: 1, refs: 3 }]);
  });

  it('applyRemap: unlinking the old VA before linking the halves destroys the vm_bo (use after free)', () => {
    class UnlinkFirst extends GpuVmSubject {
      protected override applyRemap(op: OpRemap, prev: GpuVa | null, next: GpuVa | null): void {
        const vmBo = op.unmap.va.vmBo;
        this.vm.remap(prev, next, op);
        op.unmap.va.unlink();
        if (vmBo !== null) for (const half of [prev, next]) half?.link(vmBo);
      }
    }
    const subject = new UnlinkFirst();
    subject.reset(header());
    setup(subject, map(1n, 3n, 1, 0n));
    expect(() => subject.exec(map(2n, 1n, 2, 0n))).toThrow(UseAfterFreeError);
  });

  it('undoRemap: an unwind that forgets to re-link the old VA first does not restore the VM', () => {
    class NoRelink extends GpuVmSubject {
      protected override undoRemap(op: OpRemap, prev: GpuVa | null, next: GpuVa | null, _vmBo: GpuVmBo | null): void {
        for (const half of [prev, next]) {
          if (half === null) continue;
          half.unlink();
          this.vm.remove(half);
        }
        this.vm.insert(op.unmap.va);
      }
    }
    const faulty = new NoRelink();
    const correct = new GpuVmSubject();
    for (const subject of [faulty, correct]) {
      subject.reset(header());
      setup(subject, map(1n, 3n, 1, 0n));
    }
    const before = correct.snapshot();
    correct.exec(map(2n, 1n, 2, 0n, { failAt: 2 }));
    faulty.exec(map(2n, 1n, 2, 0n, { failAt: 2 }));
    expect(correct.snapshot()).toEqual(before);
    const after = faulty.snapshot();
    expect(after.vas).toEqual(before.vas);
    expect(after.vmBos).toEqual([]);
  });
});
