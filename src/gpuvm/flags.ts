/**
 * The VM flags (enum drm_gpuvm_flags): bits of `GpuVmConfig.flags`.
 *
 * - {@link GPUVM_RESV_PROTECTED}: the extobj / evict lists are protected by the
 *   VM's reservation object. Evicting an external object only sets its vm_bo's
 *   `evicted` flag (`prepareObjects` moves it onto the evict list later), and a
 *   zombie vm_bo stays on both lists until `boDeferredCleanup`.
 * - {@link GPUVM_IMMEDIATE_MODE}: the VM may be changed in the fence-signalling
 *   path. vm_bos are obtained only through `boCreate` + `boObtainPrealloc`
 *   (`boObtain` is refused), and references may be dropped deferred
 *   (`GpuVmBo.putDeferred`, `GpuVa.unlinkDefer`), which only this mode allows.
 * - {@link GPUVM_USERBITS}: the first bit the driver may use for itself.
 */

/** DRM_GPUVM_RESV_PROTECTED. */
export const GPUVM_RESV_PROTECTED = 1 << 0;

/** DRM_GPUVM_IMMEDIATE_MODE (since 6.18). */
export const GPUVM_IMMEDIATE_MODE = 1 << 1;

/** DRM_GPUVM_USERBITS: the first driver-defined bit. */
export const GPUVM_USERBITS = 1 << 2;

/** Whether `flags` has DRM_GPUVM_RESV_PROTECTED. Corresponds to drm_gpuvm_resv_protected(). */
export function hasResvProtected(flags: number): boolean {
  return (flags & GPUVM_RESV_PROTECTED) !== 0;
}

/** Whether `flags` has DRM_GPUVM_IMMEDIATE_MODE. Corresponds to drm_gpuvm_immediate_mode(). */
export function hasImmediateMode(flags: number): boolean {
  return (flags & GPUVM_IMMEDIATE_MODE) !== 0;
}
