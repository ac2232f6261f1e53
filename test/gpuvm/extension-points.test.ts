/**
 * The protected factories and overridable methods that fault variants use:
 * each override changes exactly the behaviour it names.
 */
import { describe, expect, test } from 'vitest';
import { GemObject, GpuVm, IntervalTree, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, GpuVaOp, GpuVmOps, IntervalNode, MapReq, OpSink } from '../../src/gpuvm/index.ts';
import { put } from './helpers.ts';

const U = 0x1000n;

describe('extension points', () => {
  test('createSplitMerge: overriding keep changes only the keep hints', () => {
    class NeverKeep extends SplitMerge {
      override keep(): boolean {
        return false;
      }
    }
    class Vm extends GpuVm {
      protected override createSplitMerge(): SplitMerge {
        return new NeverKeep(this.tree);
      }
    }
    const bo = new GemObject();
    const req: MapReq = { addr: U, range: 2n * U, obj: bo, offset: 0n };
    const plain = new GpuVm({ start: 0n, range: 16n * U });
    const variant = new Vm({ start: 0n, range: 16n * U });
    const a = put(plain, U, 2n * U, bo, 0n);
    const b = put(variant, U, 2n * U, bo, 0n);
    expect(plain.smMapOpsCreate(req)[0]).toEqual({ kind: 'unmap', va: a, keep: true });
    expect(variant.smMapOpsCreate(req)[0]).toEqual({ kind: 'unmap', va: b, keep: false });
  });

  test('createSplitMerge: overriding buildList sees the hooks and the producer', () => {
    const seen: string[] = [];
    class Recording extends SplitMerge {
      override buildList(produce: (emit: OpSink) => void, hooks: GpuVmOps | undefined, fn: string): GpuVaOp[] {
        seen.push(fn);
        return super.buildList(produce, hooks, fn);
      }
    }
    class Vm extends GpuVm {
      protected override createSplitMerge(): SplitMerge {
        return new Recording(this.tree);
      }
    }
    const vm = new Vm({ start: 0n, range: 16n * U });
    vm.smUnmapOpsCreate(U, U);
    vm.prefetchOpsCreate(U, U);
    expect(seen).toEqual(['smUnmapOpsCreate', 'prefetchOpsCreate']);
  });

  test('createVaTree: a tree whose rotations skip the augmentation is caught by checkStructure', () => {
    class Stale extends IntervalTree<GpuVa> {
      private rotating = false;
      protected override rotateRight(x: IntervalNode<GpuVa>): void {
        this.rotating = true;
        super.rotateRight(x);
        this.rotating = false;
      }
      protected override updateAugment(node: IntervalNode<GpuVa>): void {
        if (!this.rotating) super.updateAugment(node);
      }
    }
    class Vm extends GpuVm {
      protected override createVaTree(): IntervalTree<GpuVa> {
        return new Stale();
      }
      problems(): string[] {
        return this.tree.checkStructure();
      }
    }
    const vm = new Vm({ start: 0n, range: 64n * U });
    // Descending inserts force right rotations.
    for (let i = 10n; i > 0n; i--) put(vm, i * 2n * U, U, null, 0n);
    expect(vm.problems().length).toBeGreaterThan(0);
    const sound = new (class extends GpuVm {
      problems(): string[] {
        return this.tree.checkStructure();
      }
    })({ start: 0n, range: 64n * U });
    for (let i = 10n; i > 0n; i--) put(sound, i * 2n * U, U, null, 0n);
    expect(sound.problems()).toEqual([]);
  });

  test('findPrev and rangeValid are overridable and used by the VM', () => {
    class Vm extends GpuVm {
      override rangeValid(addr: bigint, range: bigint): boolean {
        return super.rangeValid(addr, range) && addr !== 5n * U;
      }
    }
    const vm = new Vm({ start: 0n, range: 16n * U });
    expect(() => vm.smMapOpsCreate({ addr: 5n * U, range: U, obj: null, offset: 0n })).toThrow(/rejected by rangeValid/);
    expect(vm.smMapOpsCreate({ addr: 6n * U, range: U, obj: null, offset: 0n })).toHaveLength(1);
  });
});
