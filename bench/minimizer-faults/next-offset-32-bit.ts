/**
 * Minimiser fault: a remap's next offset is computed in 32 bits. It shows
 * only when the offset reaches 2^32, so the minimal trace keeps a large
 * offset that cannot be halved. Expected: remap-offsets.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, MapReq } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class NarrowNext extends SplitMerge {
  override nextPiece(va: GpuVa, cut: bigint): MapReq {
    const n = super.nextPiece(va, cut);
    return { ...n, offset: n.offset & 0xffffffffn };
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new NarrowNext(this.tree);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:next-offset-32-bit', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
