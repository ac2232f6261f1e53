/**
 * Fault 8 -- the driver unlinks the old VA before linking the remap halves.
 *
 * Upstream history: before vm_bos (6.6) `drm_gpuva_unlink()` only took a VA off
 * the GEM object's list, so drivers unlinked the old VA first. Once vm_bos were
 * reference counted by their linked VAs ("drm/gpuvm: add drm_gpuvm_bo" series,
 * 6.7/6.8), unlinking the old VA can drop the vm_bo's last reference and destroy
 * it while the remap halves still need it; the kernel-doc example and the drivers
 * were changed to link the halves first (SEMANTICS.md section 5). Reintroduced in
 * the driver's `applyRemap`. Expected: subject-error (use after free) or
 * vm-bo-refcount.
 */
import type { GpuVa, OpRemap } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class UnlinkFirstDriver extends GpuVmSubject {
  protected override applyRemap(op: OpRemap, prev: GpuVa | null, next: GpuVa | null): void {
    const old = op.unmap.va;
    const vmBo = old.vmBo;
    old.unlink();
    this.vm.remap(prev, next, op);
    if (vmBo !== null) {
      if (prev !== null) prev.link(vmBo);
      if (next !== null) next.link(vmBo);
    }
  }
}

const factory: SubjectFactory = () => new UnlinkFirstDriver({ name: 'fault:remap-unlink-first' });
export default factory;
