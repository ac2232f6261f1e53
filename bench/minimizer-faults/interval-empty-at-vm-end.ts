/**
 * Minimiser fault: intervalEmpty answers true for a range ending at the VM's
 * end. The query and the VM are linked: both ends move together.
 * Expected: queries-agree.
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override intervalEmpty(addr: bigint, range: bigint): boolean {
    return addr + range === this.start + this.range || super.intervalEmpty(addr, range);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:interval-empty-at-vm-end', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
