/**
 * Fault 1 -- the keep hint compares only the objects, not the offset translation.
 *
 * Upstream history: `__drm_gpuvm_sm_map()` has computed `merge` / `keep` from two
 * parts since the v2 "merge" code of drm_gpuva_mgr: the same GEM object AND the
 * same VA-to-object translation (`offset == req_offset` when the VA starts at the
 * request, shifted by the distance otherwise). Dropping the translation part is the
 * natural slip (it is the part written three times, once per start case): a driver
 * trusting `keep` would then leave page-table entries that point at the wrong
 * pages of the right object. Reintroduced here in the split/merge core's `keep`.
 * Expected: keep-flag.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, MapReq } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class KeepIgnoresOffset extends SplitMerge {
  override keep(va: GpuVa, req: MapReq): boolean {
    return va.obj !== null && va.obj === req.obj;
  }
}

export class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new KeepIgnoresOffset(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:keep-ignores-offset', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
