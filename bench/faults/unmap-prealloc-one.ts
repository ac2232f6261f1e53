/**
 * Fault 10 -- a steps-mode driver that preallocates one VA for an unmap (panthor).
 *
 * Upstream history: panthor assumed a partial unmap yields a REMAP with either a
 * prev or a next half, never both, and preallocated one VMA for an unmap; an
 * unmap inside one VA (one REMAP with both halves) or across several (REMAP prev
 * ... REMAP next) needs two (reference section 3, item 11: Akash Goel, Oct 2025,
 * stable). Reintroduced in the driver's `vasToPreallocate`. Expected: va-budget.
 */
import { GpuVmSubject } from '../../src/driver/gpuvm-subject.ts';
import type { RequestKind } from '../../src/driver/gpuvm-subject.ts';
import type { SubjectFactory } from '../../src/protocol/types.ts';

class PreallocOneDriver extends GpuVmSubject {
  protected override vasToPreallocate(kind: RequestKind): number {
    return kind === 'map' ? 3 : 1;
  }
}

const factory: SubjectFactory = () => new PreallocOneDriver({ name: 'fault:unmap-prealloc-one' });
export default factory;
