/**
 * GEM objects (struct drm_gem_object, the parts GPUVM uses).
 *
 * A GEM object is reference counted, carries a reservation identity (`resv`)
 * and keeps the list of its vm_bos, one per VM it is mapped into. It is
 * *external* to a VM when its resv is not the VM's own.
 */
import { GpuVmError, UseAfterFreeError } from './errors.ts';
import type { GpuVmBo } from './vm-bo.ts';

export interface GemObjectInit {
  /** Reservation identity; a fresh private one when omitted. Pass `vm.resv` for a VM-local object. */
  resv?: object;
  name?: string;
}

/** A GEM buffer object as GPUVM sees it (struct drm_gem_object and its gpuva list). */
export class GemObject {
  readonly resv: object;
  readonly name: string;
  private refs = 1;
  /** @internal The object's vm_bo list (drm_gem_object.gpuva.list), in insertion order. */
  readonly _vmBoList: GpuVmBo[] = [];

  /**
   * Create an object holding one reference (the creator's). `EINVAL` if resv
   * is not an object. Corresponds to drm_gem_private_object_init().
   */
  constructor(init: GemObjectInit = {}) {
    if (init.resv !== undefined && (typeof init.resv !== 'object' || init.resv === null)) {
      throw new GpuVmError('EINVAL', 'GemObject: resv must be an object');
    }
    this.resv = init.resv ?? {};
    this.name = init.name ?? 'gem';
  }

  /** Current reference count (0 once the last reference was dropped). */
  get refcount(): number {
    return this.refs;
  }

  /** Take a reference. `UseAfterFreeError` once the object was freed. Corresponds to drm_gem_object_get(). */
  get(): this {
    if (this.refs === 0) throw new UseAfterFreeError(`GemObject.get: ${this.name} was freed (use after free)`);
    this.refs++;
    return this;
  }

  /** Drop a reference. `UseAfterFreeError` once the object was freed. Corresponds to drm_gem_object_put(). */
  put(): void {
    if (this.refs === 0) throw new UseAfterFreeError(`GemObject.put: ${this.name} was freed (use after free)`);
    this.refs--;
  }

  /** The object's vm_bos (a copy of its list, insertion order). Corresponds to drm_gem_for_each_gpuvm_bo(). */
  vmBos(): readonly GpuVmBo[] {
    return this._vmBoList.slice();
  }

  /**
   * Mark every vm_bo of this object evicted (true) or valid again (false),
   * moving each on / off its VM's evict list.
   *
   * Corresponds to drm_gpuvm_bo_gem_evict().
   */
  evict(evict: boolean): void {
    if (typeof evict !== 'boolean') throw new GpuVmError('EINVAL', 'GemObject.evict: evict must be a boolean');
    for (const vmBo of this._vmBoList.slice()) vmBo.evict(evict);
  }
}
