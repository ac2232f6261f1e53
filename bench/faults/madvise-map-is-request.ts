/**
 * Fault 18 -- madvise hands out the request itself as the MAP piece.
 *
 * Upstream history: in `__drm_gpuvm_sm_map()` with `madvise` set, three of the
 * split shapes (the request starting in a VA and ending at its end, starting at
 * a VA's start and ending inside it, or lying inside one VA) set
 * `op_map = req` and so emit the caller's request as the MAP, with its GEM
 * object and offset; the two other shapes build a fresh NULL piece at offset 0.
 * The kernel-doc promises a split ("the two map operations correspond to: one
 * from start to the end of drm_gpuvaX, and another from the start of
 * drm_gpuvaY to end"). xe passes a request without an object, where both agree;
 * a request with one turns a split into a new mapping of that object. This is
 * upstream's behaviour as of 7.3 (a README finding); the production manager
 * follows the documentation. Reintroduced in `SplitMerge.madvisePiece`.
 * Expected: madvise-split-only.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { MapReq, OpMap, OpRemap, OpSink } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class MapIsRequest extends SplitMerge {
  private req: MapReq | null = null;

  override madviseOps(req: MapReq, emit: OpSink): void {
    this.req = req;
    try {
      super.madviseOps(req, emit);
    } finally {
      this.req = null;
    }
  }

  override madvisePiece(cut: OpRemap): OpMap {
    const piece = super.madvisePiece(cut);
    const req = this.req;
    if (req === null || piece.addr !== req.addr || piece.range !== req.range) return piece;
    return { kind: 'map', addr: req.addr, range: req.range, obj: req.obj, offset: req.offset };
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new MapIsRequest(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:madvise-map-is-request', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
