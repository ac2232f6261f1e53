/**
 * Fault 9 -- the remap hole keeps the old VA's full range (nouveau, CVE-2024-36018).
 *
 * Upstream history: nouveau's uvmm computed the range a REMAP vacates by hand:
 * the start moved to prev's end, but the size stayed the old VA's whole range,
 * so a remap with a prev half unmapped page tables past the end of the VA
 * (reference section 3, item 10: "nouveau/uvmm: fix addr/range calcs for remap
 * operations", Mar 2024, found by dEQP-VK.sparse_resources.image_rebind). The fix
 * computes start and end and takes the difference -- what
 * `drm_gpuva_op_remap_to_unmap_range()` does. Reintroduced in the driver's
 * `remapHole`. Expected: remap-hole.
 */
import type { OpRemap } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class FullRangeHoleDriver extends GpuVmSubject {
  protected override remapHole(op: OpRemap): readonly [bigint, bigint] {
    const va = op.unmap.va;
    const addr = op.prev !== null ? op.prev.addr + op.prev.range : va.addr;
    return [addr, va.range];
  }
}

const factory: SubjectFactory = () => new FullRangeHoleDriver({ name: 'fault:remap-hole-full-range' });
export default factory;
