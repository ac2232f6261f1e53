/**
 * Minimiser fault: insert refuses an object offset of 2^63 or more (a signed
 * comparison). The offset cannot be halved. Expected: model-agrees.
 */
import { GpuVm, GpuVmError } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override insert(va: GpuVa): void {
    if (va.offset >= 1n << 63n) throw new GpuVmError('EINVAL', 'insert: offset out of range');
    super.insert(va);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:insert-refuses-high-offset', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
