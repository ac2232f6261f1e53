/**
 * Fault 6 -- the split/merge walk is given an end where a range is expected.
 *
 * Upstream history: in drm_gpuva_manager v6 (July 2023) the iterator macros
 * `drm_gpuva_for_each_va_range*()` passed `end` to `drm_gpuva_find_first(mgr,
 * start, range)`, whose third parameter is a range; the walks behind sm_map /
 * sm_unmap therefore covered [start, start + end) instead of [start, end) and
 * touched VAs beyond the request (reference section 3, item 4; fixed in v7 by
 * passing `end - start`). Reintroduced in the split/merge core's `overlapping`.
 * Expected: exact-coverage (or remap-offsets / ops-shape for the extra VAs).
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class WalkEndAsRange extends SplitMerge {
  /** The walk receives [addr, end) but treats `end` as a range: [addr, addr + end). */
  override overlapping(addr: bigint, end: bigint): GpuVa[] {
    return super.overlapping(addr, addr + end);
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new WalkEndAsRange(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:walk-end-as-range', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
