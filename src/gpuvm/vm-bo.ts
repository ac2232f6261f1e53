/**
 * vm_bo: the unique pairing of one VM and one GEM object (struct drm_gpuvm_bo).
 *
 * A vm_bo holds a reference on its object, is reference counted itself (each
 * linked VA holds one), and may sit on its VM's extobj and evict lists. Its
 * final `put` destroys it (see {@link GpuVmBo.destroy}); a final `putDeferred`
 * makes it a zombie instead (see {@link GpuVmBo.intoZombie}), which keeps its
 * object reference until `GpuVm.boDeferredCleanup` frees it. Any use after the
 * last reference is gone, zombie or freed, throws {@link UseAfterFreeError}.
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
  private state: 'live' | 'zombie' | 'freed' = 'live';
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

  /** Whether the last reference was dropped (it is a zombie or freed). */
  get destroyed(): boolean {
    return this.state !== 'live';
  }

  /** Whether the last reference was dropped deferred and cleanup has not freed it yet. */
  get zombie(): boolean {
    return this.state === 'zombie';
  }

  /** Whether its memory was released (destroyed by a put, or a zombie freed by cleanup). */
  get freed(): boolean {
    return this.state === 'freed';
  }

  /** Whether its object is external to the VM (another resv). Corresponds to drm_gpuvm_is_extobj(). */
  get external(): boolean {
    return this.obj.resv !== this.vm.resv;
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
    return this.drop('freed');
  }

  /**
   * Drop a reference with deferred cleanup; returns true when this put made
   * the vm_bo a zombie (its last reference). `EINVAL` unless the VM is in
   * immediate mode ([differs]: upstream only WARNs), with nothing changed.
   *
   * Corresponds to drm_gpuvm_bo_put_deferred().
   */
  putDeferred(): boolean {
    this.assertAlive('putDeferred');
    if (!this.vm.immediateMode) {
      throw new GpuVmError('EINVAL', 'GpuVmBo.putDeferred: the VM is not in immediate mode');
    }
    return this.drop('zombie');
  }

  /** Drops one reference; the last one destroys the vm_bo at once (`freed`) or makes it a zombie. */
  private drop(last: 'freed' | 'zombie'): boolean {
    this.refs--;
    if (this.refs > 0) return false;
    this.state = last;
    if (last === 'zombie') this.intoZombie();
    else this.destroy();
    return true;
  }

  /**
   * @internal Free a zombie (run by GpuVm.boDeferredCleanup, which has taken it
   * off every list): drop its object reference. Corresponds to
   * drm_gpuvm_bo_destroy_not_in_lists().
   */
  _free(): void {
    this.state = 'freed';
    this.release();
  }

  /**
   * Put this vm_bo on its VM's extobj list if its object is external to the VM
   * (resv differs) and it is not there yet. A no-op otherwise.
   *
   * Corresponds to drm_gpuvm_bo_extobj_add().
   */
  extobjAdd(): void {
    this.assertAlive('extobjAdd');
    if (this.external) this.vm._lists.addExtobj(this);
  }

  /**
   * Set `evicted` and put this vm_bo on (true; appended once, position kept)
   * or take it off (false) its VM's evict list -- except for an external
   * object in a resv-protected VM, which only gets the flag (the VM's
   * `prepareObjects` puts it on the evict list later).
   *
   * Corresponds to drm_gpuvm_bo_evict().
   */
  evict(evict: boolean): void {
    this.assertAlive('evict');
    if (typeof evict !== 'boolean') throw new GpuVmError('EINVAL', 'GpuVmBo.evict: evict must be a boolean');
    this._evicted = evict;
    this.vm._lists.setEvicted(this, evict, this.external);
  }

  /**
   * Destruction, run by the final `put` (after `destroyed` is set): remove this
   * vm_bo from its object's list and from the VM's extobj and evict lists, and
   * drop its object reference. Protected so a test double can break it.
   *
   * Corresponds to drm_gpuvm_bo_destroy().
   */
  protected destroy(): void {
    this.leaveObjectList();
    this.vm._lists.remove(this);
    this.release();
  }

  /**
   * Becoming a zombie, run by the final `putDeferred`: off its object's list
   * at once, then queued on the VM's deferred list (which also takes it off
   * the extobj / evict lists unless the VM is resv-protected). The object
   * reference stays until cleanup. Protected so a fault variant can break it.
   *
   * Corresponds to drm_gpuvm_bo_into_zombie() + drm_gpuvm_bo_defer_zombie_cleanup().
   */
  protected intoZombie(): void {
    this.leaveObjectList();
    this.vm._lists.bury(this);
  }

  /** Drop the object reference the vm_bo held (the freeing part of destruction). */
  protected release(): void {
    this.obj.put();
  }

  private leaveObjectList(): void {
    const list = this.obj._vmBoList;
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
  }

  private assertAlive(fn: string): void {
    if (this.state === 'zombie') throw new UseAfterFreeError(`GpuVmBo.${fn}: the vm_bo is a zombie awaiting cleanup (use after free)`);
    if (this.state === 'freed') throw new UseAfterFreeError(`GpuVmBo.${fn}: the vm_bo was destroyed (use after free)`);
  }
}
