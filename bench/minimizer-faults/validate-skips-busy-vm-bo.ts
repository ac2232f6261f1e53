/**
 * Minimiser fault: validate skips a vm_bo with two or more VAs. A threshold
 * on a count: two maps of the evicted object stay. Expected: model-agrees.
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override validate(fn: (vmBo: GpuVmBo) => void): void {
    super.validate((vmBo) => {
      if (vmBo.vas().length < 2) fn(vmBo);
    });
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:validate-skips-busy-vm-bo', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
