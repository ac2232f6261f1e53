/**
 * Minimiser fault: the keep hint is dropped for requests of 8 pages or more.
 * A threshold on one value: the minimal request is exactly 8 pages, and no
 * smaller one shows the bug. Expected: keep-flag.
 */
import { GpuVm, SplitMerge } from '../../src/gpuvm/index.ts';
import type { GpuVa, MapReq } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class KeepLostWhenLarge extends SplitMerge {
  override keep(va: GpuVa, req: MapReq): boolean {
    return req.range < 0x8000n && super.keep(va, req);
  }
}

class FaultVm extends GpuVm {
  protected override createSplitMerge(): SplitMerge {
    return new KeepLostWhenLarge(this.tree);
  }
}

const factory: SubjectFactory = () => new GpuVmSubject({ name: 'fault:keep-lost-from-8-pages', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
