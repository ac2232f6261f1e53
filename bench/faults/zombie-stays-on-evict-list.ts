/**
 * Fault 19 -- a zombie vm_bo is left on the evict list.
 *
 * Upstream history: deferred vm_bo cleanup (6.19, for panthor and the Rust
 * immediate-mode abstraction) splits destruction in two: when the last
 * reference goes with `drm_gpuvm_bo_put_deferred()` / `drm_gpuva_unlink_defer()`,
 * `drm_gpuvm_bo_into_zombie()` takes the vm_bo off the GEM's list and -- unless
 * the VM is DRM_GPUVM_RESV_PROTECTED -- off the extobj and evict lists at once;
 * only the freeing waits for `drm_gpuvm_bo_deferred_cleanup()`. Zombies that
 * stayed on those lists were walked by prepare / validate (reference section
 * 3, item 15; the `drm_gpuvm_bo_is_zombie()` checks). Here the zombie leaves
 * the extobj list but stays on the evict list. Reintroduced in
 * `VmBoLists.bury`. Expected: lists.
 */
import { GpuVm, VmBoLists } from '../../src/gpuvm/index.ts';
import type { GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class EvictKeepingLists extends VmBoLists {
  override bury(vmBo: GpuVmBo): void {
    const wasEvicted = this.evict.has(vmBo);
    super.bury(vmBo);
    if (wasEvicted) this.evict.add(vmBo);
  }
}

class FaultVm extends GpuVm {
  protected override createVmBoLists(resvProtected: boolean): VmBoLists {
    return new EvictKeepingLists(resvProtected);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:zombie-stays-on-evict-list', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
