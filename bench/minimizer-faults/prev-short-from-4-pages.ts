/**
 * Minimiser fault: a remap's prev half is one page short when it would be 4
 * pages or more. The old VA and the request are linked: the cut must leave at
 * least 4 pages before the request. Expected: remap-offsets.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, MapReq } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class ShortPrev extends SplitMerge {
  override prevPiece(va: GpuVa, cut: bigint): MapReq {
    const p = super.prevPiece(va, cut);
    return p.range >= 0x4000n ? { ...p, range: p.range - 0x1000n } : p;
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new ShortPrev(this.tree);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:prev-short-from-4-pages', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
