/**
 * Minimiser fault: the driver reports a remap's hole one page too wide when
 * it is 2 pages or more. Expected: remap-hole.
 */
import { remapToUnmapRange } from '../../src/gpuvm/index.ts';
import type { OpRemap } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class WideHoleDriver extends GpuVmSubject {
  protected override remapHole(op: OpRemap): readonly [bigint, bigint] {
    const h = remapToUnmapRange(op);
    return [h.addr, h.range >= 0x2000n ? h.range + 0x1000n : h.range];
  }
}

const factory: SubjectFactory = () => new WideHoleDriver({ name: 'fault:hole-grows-from-2-pages' });
export default factory;
