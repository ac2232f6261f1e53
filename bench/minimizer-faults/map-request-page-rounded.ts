/**
 * Minimiser fault (needs a sub-page granule): a map request's address is
 * rounded down to a page before the ops are built. Page-aligned requests are
 * unaffected, so the minimal trace must keep an address inside a page.
 * Expected: ops-shape (the MAP op differs from the request).
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { MapReq, OpSink } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class RoundingMap extends SplitMerge {
  override mapOps(req: MapReq, emit: OpSink): void {
    const addr = req.addr & ~0xfffn;
    super.mapOps({ ...req, addr, range: req.range + (req.addr - addr) }, emit);
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new RoundingMap(this.tree);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:map-request-page-rounded', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
