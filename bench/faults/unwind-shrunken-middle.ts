/**
 * Fault 11 -- an unwind that re-inserts the shrunken middle instead of the original VA (xe).
 *
 * Upstream history: xe's "avoid doing rebinds" optimisation dropped a remap's
 * prev / next when they matched the old VMA and shrank the old VMA in place; its
 * unwind path (`vm_bind_ioctl_ops_unwind`) then never removed the two ends and
 * re-inserted the shrunken middle, leaving the VM different from before the
 * failed bind (reference section 3, item 16: "drm/xe: always keep track of remap
 * prev/next", Mar 2026, stable 6.8+, reproduced by IGT
 * xe_vm@bind-array-conflict-error-inject). Reintroduced in the driver's
 * `undoRemap`. Expected: unwind-restores.
 */
import { remapToUnmapRange } from '../../src/gpuvm/index.ts';
import type { GpuVa, GpuVmBo, OpRemap } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class ShrunkenUnwindDriver extends GpuVmSubject {
  protected override undoRemap(op: OpRemap, _prev: GpuVa | null, _next: GpuVa | null, vmBo: GpuVmBo | null): void {
    const old = op.unmap.va;
    // The old VA was shrunk to the vacated middle; the ends stay where the remap put them.
    const hole = remapToUnmapRange(op);
    const shift = hole.addr - old.addr;
    old.addr = hole.addr;
    old.range = hole.range;
    old.offset = old.offset + shift;
    if (vmBo !== null) old.link(vmBo);
    this.vm.insert(old);
  }
}

const factory: SubjectFactory = () => new ShrunkenUnwindDriver({ name: 'fault:unwind-shrunken-middle' });
export default factory;
