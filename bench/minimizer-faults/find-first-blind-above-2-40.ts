/**
 * Minimiser fault: findFirst finds nothing at or above 2^40 (a 40-bit
 * address field). The failing query's address cannot be halved.
 * Expected: queries-agree (or the walks it feeds: exact-coverage).
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override findFirst(addr: bigint, range: bigint): GpuVa | null {
    return addr >= 1n << 40n ? null : super.findFirst(addr, range);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:find-first-blind-above-2-40', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
