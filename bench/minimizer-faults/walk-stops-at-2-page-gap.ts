/**
 * Minimiser fault: the split/merge walk stops at a gap of 2 pages or more
 * between VAs. The gap is linked to both VAs around it: it cannot shrink
 * below 2 pages. Expected: exact-coverage.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class GapStop extends SplitMerge {
  override overlapping(addr: bigint, end: bigint): GpuVa[] {
    const all = super.overlapping(addr, end);
    const kept: GpuVa[] = [];
    for (const va of all) {
      const prev = kept[kept.length - 1];
      if (prev !== undefined && va.addr - prev.end >= 0x2000n) break;
      kept.push(va);
    }
    return kept;
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new GapStop(this.tree);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:walk-stops-at-2-page-gap', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
