/**
 * Fault 14 -- a `remove` that does not refuse the kernel reserved node.
 *
 * Upstream history: drm_gpuvm inserts a kernel reserved node (`kernel_alloc_node`)
 * that drivers must never remove or split; `drm_gpuva_remove()` guards it with a
 * `drm_WARN` and returns, and `drm_gpuvm_range_valid()` keeps requests off it.
 * The same invariant broke at teardown: when reserve_offset + reserve_range
 * overflows the node is never inserted, yet fini still removes it (reference 1.9).
 * Here the guard in `remove` is gone, so a raw removal at the reserved range takes
 * the node out of the tree. Reintroduced in `GpuVm.remove`. Expected:
 * kernel-node-untouched or model-agrees (EINVAL expected).
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override remove(va: GpuVa): void {
    if (va === this.kernelNode) {
      this.detach(va);
      return;
    }
    super.remove(va);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:remove-kernel-node', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
