/**
 * Fault 15 -- vm_bo destruction that leaves it on the evict or extobj list.
 *
 * Upstream history: `drm_gpuvm_bo_destroy()` must take a dying vm_bo off the
 * VM's extobj and evict lists. With deferred vm_bo cleanup (6.19) a vm_bo whose
 * last reference is gone can stay on those lists until cleanup runs, and the
 * locked prepare / validate loops walked such "zombies" (reference section 3,
 * item 15; fixed by `drm_gpuvm_bo_is_zombie()` checks and unlinking zombies
 * under the VM resv). Here destruction forgets the two lists entirely.
 * Reintroduced in `GpuVmBo.destroy`. Expected: lists.
 */
import { GpuVm, GpuVmBo } from '../../src/gpuvm/index.ts';
import type { GemObject } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class ListKeepingVmBo extends GpuVmBo {
  /** Off the object's list, out of the live set, object reference dropped -- but left on both VM lists. */
  protected override destroy(): void {
    const list = this.obj._vmBoList;
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
    this.vm._liveVmBos.delete(this);
    this.obj.put();
  }
}

class FaultVm extends GpuVm {
  protected override createVmBo(obj: GemObject): GpuVmBo {
    return new ListKeepingVmBo(this, obj);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:vm-bo-destroy-keeps-lists', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
