/**
 * Fault 2 -- a remap's next offset computed from the request instead of the old VA.
 *
 * Upstream history: in `__drm_gpuvm_sm_map()` the `next` half's offset is written
 * per start case: `offset + range` when the VA starts at the request (there the
 * request's range *is* the distance from the VA's start), `offset + ls_range +
 * range` when it starts before, `offset + end - addr` when it starts after. Using
 * the request-relative `offset + req_range` in every case -- the first case's
 * formula -- shifts the surviving tail's translation whenever the VA did not start
 * exactly at the request, so the kept pages point at the wrong part of the object.
 * Reintroduced here in the split/merge core's `cut`. Expected: remap-offsets.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, OpRemap, OpUnmap } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class NextOffsetFromRequest extends SplitMerge {
  override cut(va: GpuVa, ra: bigint, re: bigint, keep: boolean): OpUnmap | OpRemap {
    const op = super.cut(va, ra, re, keep);
    if (op.kind === 'remap' && op.next !== null) {
      return { ...op, next: { ...op.next, offset: va.offset + (re - ra) } };
    }
    return op;
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new NextOffsetFromRequest(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:next-offset-from-request', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
