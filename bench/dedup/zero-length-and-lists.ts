/**
 * Two faults at once, for measuring root-cause deduplication: zero-length
 * ranges accepted (zoo fault 4, validation) and destroyed vm_bos left on the
 * VM's lists (zoo fault 15, vm_bo lifetime).
 */
import type { GemObject, GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';
import { ListKeepingVmBo } from '../faults/vm-bo-destroy-keeps-lists.ts';
import { FaultVm as ZeroLengthVm } from '../faults/zero-length-range.ts';

class TwoFaultVm extends ZeroLengthVm {
  protected override createVmBo(obj: GemObject): GpuVmBo {
    return new ListKeepingVmBo(this, obj);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'faults:zero-length-range+vm-bo-destroy-keeps-lists', createVm: (cfg) => new TwoFaultVm(cfg) });
export default factory;
