/**
 * Fault 3 -- findPrev / findNext with upstream's closed windows [start-1, start]
 * and [end, end+1].
 *
 * Upstream history: the maple-tree drm_gpuva_manager (v2-v5) walked to exactly
 * start - 1 and end. The rb-tree rewrite (v6, merged in 6.6) switched
 * `drm_gpuva_find_prev()` / `drm_gpuva_find_next()` to interval-tree queries over
 * the closed windows [start - 1, start] and [end, end + 1], which also match a VA
 * that begins at `start` (for find_prev) or one that contains `end` / begins at
 * `end + 1` (for find_next). Latest upstream still has it (reference 1.9); this
 * project fixes it ([differs] in SEMANTICS.md section 3). Expected: model-agrees.
 */
import { GpuVm } from '../../src/gpuvm/index.ts';
import type { GpuVa } from '../../src/gpuvm/index.ts';
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

export class FaultVm extends GpuVm {
  /** Any VA overlapping [start - 1, start] (two addresses), as upstream's window does. */
  override findPrev(start: bigint): GpuVa | null {
    if (start === 0n) return null;
    return this.findFirst(start - 1n, 2n);
  }

  /** Any VA overlapping [end, end + 1] (two addresses), as upstream's window does. */
  override findNext(end: bigint): GpuVa | null {
    return this.findFirst(end, 2n);
  }
}

const factory: SubjectFactory = () =>
  new GpuVmSubject({ name: 'fault:find-closed-windows', createVm: (cfg) => new FaultVm(cfg) });
export default factory;
