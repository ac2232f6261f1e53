/**
 * Fault 5 -- the range check tests overlap with the VM instead of containment.
 *
 * Upstream history: in the maple-tree drm_gpuva_manager (v5, June 2023)
 * `drm_gpuva_in_mm_range()` returned `addr < mm_end && mm_start < end` -- an
 * overlap test -- so a request reaching past either edge of the managed space was
 * accepted (reference section 3, item 3). The rb-tree versions merged in 6.6 test
 * containment (`addr >= mm_start && end <= mm_end`) in `drm_gpuvm_range_valid()`.
 * Reintroduced in `rangeValid`. Expected: no-overlap (a VA outside the VM) or
 * model-agrees.
 */
import { GpuVm, U64_LIMIT } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override rangeValid(addr: bigint, range: bigint): boolean {
    const end = addr + range;
    if (range === 0n || end > U64_LIMIT) return false;
    const vmEnd = this.start + this.range;
    const overlapsVm = addr < vmEnd && this.start < end;
    const k = this.kernelNode;
    return overlapsVm && !(k !== null && addr < k.end && k.addr < end);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:range-overlap-check', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
