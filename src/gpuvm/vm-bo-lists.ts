/**
 * The VM's vm_bo lists (the extobj, evict and bo_defer lists of struct
 * drm_gpuvm, and the set of live vm_bos) with the rules the two VM modes add:
 *
 * - A zombie is a vm_bo whose last reference was dropped deferred
 *   (`GpuVmBo.putDeferred`, `GpuVa.unlinkDefer`). It is queued on the deferred
 *   list and no longer live; it leaves the extobj and evict lists at once,
 *   except in a resv-protected VM, where it stays on them until
 *   {@link VmBoLists.takeDeferred} (cleanup) takes it off. Walks over the lists
 *   skip zombies.
 * - In a resv-protected VM, evicting an external object does not touch the
 *   evict list; {@link VmBoLists.prepare} moves the evicted ones there (as
 *   drm_gpuvm_prepare_objects() does) and {@link VmBoLists.validate} takes an
 *   entry off once it is no longer evicted.
 *
 * Each rule is one small method, so a fault variant (the fault zoo) overrides
 * exactly one of them through `GpuVm.createVmBoLists`. Part of the
 * mutation-testing target.
 */
import type { GpuVmBo } from './vm-bo.ts';

/** The lists of one VM. Created by GpuVm.createVmBoLists(). */
export class VmBoLists {
  /** The extobj list, in insertion order (a vm_bo appears at most once). */
  readonly extobj = new Set<GpuVmBo>();
  /** The evict list, in insertion order. */
  readonly evict = new Set<GpuVmBo>();
  /** Every vm_bo of the VM that is alive (neither a zombie nor freed). */
  readonly live = new Set<GpuVmBo>();
  /** The zombies awaiting cleanup, oldest first. */
  protected readonly deferred: GpuVmBo[] = [];

  /** `resvProtected`: the VM has DRM_GPUVM_RESV_PROTECTED. */
  constructor(readonly resvProtected: boolean) {}

  /** Puts `vmBo` on the extobj list once (the caller checks that its object is external). Part of drm_gpuvm_bo_extobj_add(). */
  addExtobj(vmBo: GpuVmBo): void {
    this.extobj.add(vmBo);
  }

  /**
   * The list part of drm_gpuvm_bo_evict(): puts `vmBo` on (appended once,
   * position kept) or takes it off the evict list. In a resv-protected VM an
   * external object's vm_bo is left where it is.
   */
  setEvicted(vmBo: GpuVmBo, evict: boolean, external: boolean): void {
    if (external && this.resvProtected) return;
    if (evict) this.evict.add(vmBo);
    else this.evict.delete(vmBo);
  }

  /** A vm_bo destroyed by its final (ordinary) put: off both lists, no longer live. Part of drm_gpuvm_bo_destroy(). */
  remove(vmBo: GpuVmBo): void {
    this.extobj.delete(vmBo);
    this.evict.delete(vmBo);
    this.live.delete(vmBo);
  }

  /**
   * A vm_bo that just became a zombie: no longer live, queued for cleanup,
   * and off both lists unless the VM is resv-protected.
   * Corresponds to drm_gpuvm_bo_into_zombie() and drm_gpuvm_bo_defer_zombie_cleanup().
   */
  bury(vmBo: GpuVmBo): void {
    this.live.delete(vmBo);
    if (!this.resvProtected) {
      this.extobj.delete(vmBo);
      this.evict.delete(vmBo);
    }
    this.deferred.push(vmBo);
  }

  /** The zombies awaiting cleanup, newest first (the order of the kernel's llist). */
  zombies(): GpuVmBo[] {
    return this.deferred.slice().reverse();
  }

  /**
   * Takes every zombie off the deferred list and off the extobj and evict
   * lists, and returns them newest first, for the caller to free. The first
   * half of drm_gpuvm_bo_deferred_cleanup(), which unlinks only in a
   * resv-protected VM: in any other, zombies left the lists when they died,
   * so the unlinking takes nothing off there.
   */
  takeDeferred(): GpuVmBo[] {
    const all = this.zombies();
    this.deferred.length = 0;
    for (const zombie of all) this.unlinkZombie(zombie);
    return all;
  }

  /** Takes a zombie off the extobj and evict lists (under the VM's resv, in a resv-protected VM). */
  protected unlinkZombie(zombie: GpuVmBo): void {
    this.extobj.delete(zombie);
    this.evict.delete(zombie);
  }

  /**
   * The live vm_bos of the extobj list, in list order (the objects a driver
   * locks). In a resv-protected VM, every evicted one is appended to the
   * evict list (once). Corresponds to drm_gpuvm_prepare_objects() without the locking.
   */
  prepare(): GpuVmBo[] {
    const out: GpuVmBo[] = [];
    for (const vmBo of [...this.extobj]) {
      if (vmBo.zombie) continue;
      out.push(vmBo);
      if (this.resvProtected && vmBo.evicted) this.evict.add(vmBo);
    }
    return out;
  }

  /**
   * Calls `fn` for each vm_bo of the evict list, in list order, over a copy
   * taken at the start: an entry that left the list before its turn, and every
   * zombie, is skipped. In a resv-protected VM an entry that is no longer
   * evicted after `fn` leaves the list. `fn`'s error propagates and ends the walk.
   * Corresponds to drm_gpuvm_validate() (both variants).
   */
  validate(fn: (vmBo: GpuVmBo) => void): void {
    for (const vmBo of [...this.evict]) {
      if (!this.evict.has(vmBo) || vmBo.zombie) continue;
      fn(vmBo);
      if (this.resvProtected && !vmBo.evicted) this.evict.delete(vmBo);
    }
  }
}
