/**
 * Fault 17 -- madvise splits a VA that has an object.
 *
 * Upstream history: `drm_gpuvm_madvise_ops_create()` (6.18, for xe's SVM
 * madvise) runs the map walk `__drm_gpuvm_sm_map()` with a `madvise` flag,
 * threaded through about a dozen `if (madvise)` branches; the first of them
 * (`if (madvise && obj) continue;`) is what keeps the walk away from VAs
 * backed by a GEM object, which madvise must never split (xe's CPU-address-
 * mirror VMAs have no object; BO-backed ones keep their page tables). Losing
 * that one test makes madvise cut BO-backed VAs at the request's edges and
 * re-create their middle without the object. Reintroduced in
 * `SplitMerge.madviseSkips`. Expected: madvise-split-only.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class SplitsObjectVas extends SplitMerge {
  override madviseSkips(va: GpuVa, ra: bigint, re: bigint): boolean {
    return va.addr >= ra && va.end <= re;
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new SplitsObjectVas(this.tree);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:madvise-splits-object-va', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
