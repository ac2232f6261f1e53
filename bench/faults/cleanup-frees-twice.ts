/**
 * Fault 20 -- deferred cleanup frees a zombie twice in a resv-protected VM.
 *
 * Upstream history: `drm_gpuvm_bo_deferred_cleanup()` (6.19) has two passes
 * over the zombies it took off the bo_defer llist: with DRM_GPUVM_RESV_PROTECTED
 * a first pass under the VM's resv only unlinks each zombie from the extobj
 * and evict lists (`drm_gpuvm_bo_list_del()`), then a second pass frees each
 * one with `drm_gpuvm_bo_destroy_not_in_lists()`. The destroy variants differ
 * only in what they unlink before freeing; calling the full destroy in the
 * first pass (it unlinks *and* frees) frees every zombie twice: its GEM
 * reference is dropped twice and its memory released twice (the v1 review of
 * the series fixed ordering bugs of exactly these paths, reference section 3,
 * item 14). Reintroduced in `VmBoLists.unlinkZombie`. Expected: zombies.
 */
import { GpuVm, VmBoLists } from '../../src/gpuvm/index.ts';
import type { GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class DoubleFreeLists extends VmBoLists {
  protected override unlinkZombie(zombie: GpuVmBo): void {
    super.unlinkZombie(zombie);
    // Upstream's unlink pass runs only with RESV_PROTECTED; there it would be the full destroy's release,
    // and the free pass releases again.
    if (this.resvProtected) zombie.obj.put();
  }
}

class FaultVm extends GpuVm {
  protected override createVmBoLists(resvProtected: boolean): VmBoLists {
    return new DoubleFreeLists(resvProtected);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:cleanup-frees-twice', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
