/**
 * Fault 4 -- zero-length ranges accepted.
 *
 * Upstream history: `drm_gpuvm_range_valid()` checks overflow, containment and
 * the kernel node, but never `range != 0`, so a zero-length request passes
 * (reference 1.9, still in the latest code). A zero-length map then produces a
 * MAP op for an empty VA, and an insert puts a VA of size 0 into the tree. This
 * project rejects it ([differs] in SEMANTICS.md section 2). Reintroduced in
 * `rangeValid`. Expected: no-overlap (a VA of range 0) or model-agrees (EINVAL
 * expected).
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class FaultVm extends GpuVm {
  override rangeValid(addr: bigint, range: bigint): boolean {
    if (range !== 0n) return super.rangeValid(addr, range);
    // Upstream's containment test with end == addr, and its kernel-node overlap test.
    const k = this.kernelNode;
    const inVm = addr >= this.start && addr <= this.start + this.range;
    return inVm && !(k !== null && addr < k.end && k.addr < addr);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:zero-length-range', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
