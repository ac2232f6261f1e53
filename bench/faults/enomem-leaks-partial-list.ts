/**
 * Fault 12 -- an ops-list builder that does not free its partial list on ENOMEM.
 *
 * Upstream history: `drm_gpuvm_sm_map_ops_create()` builds its list through
 * `drm_gpuva_sm_step()` and must hand every op already allocated back to
 * `ops->op_free` when an allocation fails. The error labels of that function
 * have been in the wrong order since v3, so a failing `next` copy skips the
 * `kfree(unmap)` and leaks it (reference 1.9, still in the latest code). Here the
 * whole partial list is leaked: the builder throws ENOMEM without freeing.
 * Reintroduced in the split/merge core's `buildList`. Expected: op-alloc-balance.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, GpuVmOps, OpSink } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class LeakyBuilder extends SplitMerge {
  private building = false;

  override buildList(produce: (emit: OpSink) => void, hooks: GpuVmOps | undefined, fn: string): GpuVaOp[] {
    this.building = true;
    try {
      return super.buildList(produce, hooks, fn);
    } finally {
      this.building = false;
    }
  }

  /** Inside `buildList` the only call is the ENOMEM cleanup: skip it. `opsFree` still frees. */
  override freeList(list: readonly GpuVaOp[], hooks: GpuVmOps | undefined): void {
    if (this.building) return;
    super.freeList(list, hooks);
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new LeakyBuilder(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:enomem-leaks-partial-list', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
