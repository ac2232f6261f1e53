/**
 * vm_bo: the unique pairing of one VM and one GEM object (struct drm_gpuvm_bo).
 *
 * A vm_bo holds a reference on its object, is reference counted itself (each
 * linked VA holds one), and may sit on its VM's extobj and evict lists. Its
 * final `put` destroys it (see {@link GpuVmBo.destroy}); any later use throws
 * {@link UseAfterFreeError}.
 */
import { GpuVmError, UseAfterFreeError } from './errors.ts';
import type { GemObject } from './gem.ts';
import type { GpuVm } from './gpuvm.ts';
import type { GpuVa } from './va.ts';

/** The (VM, GEM object) pairing (struct drm_gpuvm_bo). Created by GpuVm.boCreate / boObtain. */
export class GpuVmBo {
  readonly vm: GpuVm;
  readonly obj: GemObject;
  private refs = 1;
  private _evicted = false;
  private _destroyed = false;
  /** @internal The VAs linked to this vm_bo, in link order (drm_gpuvm_bo.list.gpuva). */
  readonly _vaSet = new Set<GpuVa>();

  /**
   * A new vm_bo with one reference, holding a reference on `obj`. Not on the
   * object's list yet. Use {@link GpuVm.boCreate} rather than calling this.
   * Corresponds to the allocation part of drm_gpuvm_bo_create().
   */
  constructor(vm: GpuVm, obj: GemObject) {
    this.vm = vm;
    this.obj = obj;
    obj.get();
  }

  /** Current reference count. */
  get refcount(): number {
    return this.refs;
  }

  /** Whether the object is marked evicted in this VM. */
  get evicted(): boolean {
    return this._evicted;
  }

  /** Whether the last reference was dropped. */
  get destroyed(): boolean {
    return this._destroyed;
  }

  /** The VAs linked to this vm_bo, in link order. Corresponds to drm_gpuvm_bo_for_each_va(). */
  vas(): readonly GpuVa[] {
    this.assertAlive('vas');
    return [...this._vaSet];
  }

  /** Take a reference. Corresponds to drm_gpuvm_bo_get(). */
  get(): this {
    this.assertAlive('get');
    this.refs++;
    return this;
  }

  /**
   * Drop a reference; returns true when this put destroyed the vm_bo.
   * Corresponds to drm_gpuvm_bo_put().
   */
  put(): boolean {
    this.assertAlive('put');
    this.refs--;
    if (this.refs > 0) return false;
    this._destroyed = true;
    this.destroy();
    return true;
  }

  /**
   * Put this vm_bo on its VM's extobj list if its object is external to the VM
   * (resv differs) and it is not there yet. A no-op otherwise.
   *
   * Corresponds to drm_gpuvm_bo_extobj_add().
   */
  extobjAdd(): void {
    this.assertAlive('extobjAdd');
    if (this.obj.resv !== this.vm.resv) this.vm._extobjSet.add(this);
  }

  /**
   * Set `evicted` and put this vm_bo on (true; appended once, position kept)
   * or take it off (false) its VM's evict list.
   *
   * Corresponds to drm_gpuvm_bo_evict().
   */
  evict(evict: boolean): void {
    this.assertAlive('evict');
    if (typeof evict !== 'boolean') throw new GpuVmError('EINVAL', 'GpuVmBo.evict: evict must be a boolean');
    this._evicted = evict;
    if (evict) this.vm._evictSet.add(this);
    else this.vm._evictSet.delete(this);
  }

  /**
   * Destruction, run by the final `put` (after `destroyed` is set): remove this
   * vm_bo from its object's list and from the VM's extobj and evict lists, and
   * drop its object reference. Protected so a test double can break it.
   *
   * Corresponds to drm_gpuvm_bo_destroy().
   */
  protected destroy(): void {
    const list = this.obj._vmBoList;
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
    this.vm._extobjSet.delete(this);
    this.vm._evictSet.delete(this);
    this.vm._liveVmBos.delete(this);
    this.obj.put();
  }

  private assertAlive(fn: string): void {
    if (this._destroyed) throw new UseAfterFreeError(`GpuVmBo.${fn}: the vm_bo was destroyed (use after free)`);
  }
}
