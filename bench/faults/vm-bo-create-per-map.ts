/**
 * Fault 7 -- the driver creates a vm_bo per map with `boCreate` instead of
 * obtaining the existing one (duplicate vm_bos).
 *
 * Upstream history: imagination's first drm_gpuvm user called
 * `drm_gpuvm_bo_create()` for every map, and the link of that era put the new
 * vm_bo on the GEM object's list, so one (VM, object) pair ended up with several
 * vm_bos: the extobj / evict tracking and the unlink reference counts went wrong
 * (reference section 3, item 7; fixed by "drm/imagination: vm: prevent duplicate
 * drm_gpuvm_bo instances", Nov 2023, which switched to `drm_gpuvm_bo_obtain()`).
 * Reintroduced in the driver's `acquireMapVmBo`. Expected: vm-bo-unique.
 */
import type { GemObject, GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { Via } from '../../src/protocol/types.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class CreatePerMapDriver extends GpuVmSubject {
  protected override acquireMapVmBo(obj: GemObject, _via: Via): GpuVmBo {
    const vmBo = this.vm.boCreate(obj);
    // As drm_gpuva_link() did then: the new vm_bo joins the object's list, next to any existing one.
    obj._vmBoList.push(vmBo);
    vmBo.extobjAdd();
    return vmBo;
  }
}

const factory: SubjectFactory = () => new CreatePerMapDriver({ name: 'fault:vm-bo-create-per-map' });
export default factory;
