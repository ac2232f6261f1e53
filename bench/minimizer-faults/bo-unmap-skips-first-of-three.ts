/**
 * Minimiser fault: unmapping an object with three or more VAs leaves its
 * first one. A threshold on a count: three maps of one object stay.
 * Expected: exact-coverage.
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVaOp, GpuVmBo } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class FaultVm extends GpuVm {
  override boUnmapOpsCreate(vmBo: GpuVmBo): GpuVaOp[] {
    const ops = super.boUnmapOpsCreate(vmBo);
    if (ops.length < 3) return ops;
    this.opsFree(ops.slice(0, 1));
    return ops.slice(1);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:bo-unmap-skips-first-of-three', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
