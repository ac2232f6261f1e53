/**
 * Fault 16 -- a missing overflow check: addr + range wraps past 2^64.
 *
 * Upstream history: the v5 maple-tree `__drm_gpuva_sm_map()` did no overflow
 * check at all (reference section 3, item 3), and the rb-tree versions added
 * `drm_gpuva_check_overflow()` to `drm_gpuva_range_valid()` (later made silent
 * for userspace input, item 5). In C, `end = addr + range` wraps modulo 2^64, so
 * without that check a request near the top of the address space ends "below"
 * the VM's end and passes the containment test. Reintroduced in `rangeValid`
 * with the wrapped end. Expected: no-overlap (a VA past 2^64 / outside the VM) or
 * model-agrees.
 */
import { GpuVm, U64_LIMIT } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

const U64_MASK = U64_LIMIT - 1n;

class FaultVm extends GpuVm {
  override rangeValid(addr: bigint, range: bigint): boolean {
    if (range === 0n) return false;
    const end = (addr + range) & U64_MASK; // what C's u64 addition gives
    const vmEnd = this.start + this.range;
    const inVm = addr >= this.start && (vmEnd === U64_LIMIT ? true : end <= vmEnd);
    const k = this.kernelNode;
    return inVm && !(k !== null && addr < k.end && k.addr < end);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:overflow-unchecked', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
