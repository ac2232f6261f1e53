/**
 * Two faults in the same split/merge core, for measuring root-cause
 * deduplication: the keep hint ignores the offset (zoo fault 1) and a remap's
 * next offset comes from the request (zoo fault 2). A keep failure's map,
 * re-issued as an unmap, hits the remap bug too, so this pair tests that
 * reproduction must go both ways before two symptoms are merged.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, MapReq } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';
import { KeepIgnoresOffset } from '../faults/keep-ignores-offset.ts';
import { NextOffsetFromRequest } from '../faults/next-offset-from-request.ts';

class BothFaults extends NextOffsetFromRequest {
  override keep(va: GpuVa, req: MapReq): boolean {
    return KeepIgnoresOffset.prototype.keep.call(this, va, req);
  }
}

class TwoFaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new BothFaults(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'faults:keep-ignores-offset+next-offset-from-request', createVm: (cfg) => new TwoFaultVm(cfg) });
export default factory;
