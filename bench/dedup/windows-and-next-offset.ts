/**
 * Two faults at once, for measuring root-cause deduplication: find_prev /
 * find_next with closed windows (zoo fault 3, queries) and a remap's next
 * offset from the request (zoo fault 2, split/merge).
 */
import type { SplitMerge } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';
import { FaultVm as ClosedWindowsVm } from '../faults/find-closed-windows.ts';
import { NextOffsetFromRequest } from '../faults/next-offset-from-request.ts';

class TwoFaultVm extends ClosedWindowsVm {
  protected override createSplitMerge(): SplitMerge {
    return new NextOffsetFromRequest(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'faults:find-closed-windows+next-offset-from-request', createVm: (cfg) => new TwoFaultVm(cfg) });
export default factory;
