/**
 * Minimiser fault (needs a sub-page granule): a remap's prev half is cut to
 * whole pages. Page-aligned cuts are unaffected, so the minimal trace must
 * cut inside a page. Expected: remap-offsets.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, MapReq } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class PagePrev extends SplitMerge {
  override prevPiece(va: GpuVa, cut: bigint): MapReq {
    const p = super.prevPiece(va, cut);
    const whole = (p.range / 0x1000n) * 0x1000n;
    return whole === 0n ? p : { ...p, range: whole };
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new PagePrev(this.tree);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:prev-range-whole-pages', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
