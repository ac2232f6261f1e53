/* SPDX-License-Identifier: MIT */
/*
 * drm_gem.h - a GEM object with the fields drm_gpuvm uses: a reference count,
 * the reservation object (its own, or the VM's for a private object) and the
 * gpuva list of the object's vm_bos with the lock that guards it in
 * immediate mode (7.x).
 *
 * drm_gem_gpuva_assert_lock_held() took the object alone before 6.18 and
 * takes (gpuvm, object) since; the build probes which form the tree's
 * drm_gpuvm.h uses and sets GPUVM_COMPAT_ASSERT_ARGS to 1 or 2.
 */
#ifndef GPUVM_COMPAT_DRM_GEM_H
#define GPUVM_COMPAT_DRM_GEM_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/dma-resv.h>

struct drm_device;
struct drm_gem_object;

struct drm_gem_object_funcs {
	void (*free)(struct drm_gem_object *obj);
};

struct drm_gem_object {
	struct kref refcount;
	struct drm_device *dev;
	size_t size;
	struct dma_resv *resv;
	struct dma_resv _resv;
	struct {
		struct list_head list;
		struct mutex lock;
	} gpuva;
	const struct drm_gem_object_funcs *funcs;
};

/* drm_gem_private_object_init() - a GEM without backing storage, 1 reference. */
void drm_gem_private_object_init(struct drm_device *dev,
				 struct drm_gem_object *obj, size_t size);
/* drm_gem_object_release() - release what _init set up (not the memory). */
void drm_gem_object_release(struct drm_gem_object *obj);

void drm_gem_object_get(struct drm_gem_object *obj);
/* drm_gem_object_put() - drop a reference; the last calls funcs->free. */
void drm_gem_object_put(struct drm_gem_object *obj);

static inline void drm_gem_gpuva_init(struct drm_gem_object *obj)
{
	INIT_LIST_HEAD(&obj->gpuva.list);
}

#ifndef GPUVM_COMPAT_ASSERT_ARGS
#define GPUVM_COMPAT_ASSERT_ARGS 2
#endif

#if GPUVM_COMPAT_ASSERT_ARGS == 1
/* Before 6.18 the gpuva list is guarded by the GEM's dma-resv. */
#define drm_gem_gpuva_assert_lock_held(obj) \
	dma_resv_assert_held((obj)->resv)
#else
/* Immediate-mode VMs guard it with gpuva.lock, the others with the dma-resv. */
#define drm_gem_gpuva_assert_lock_held(gpuvm, obj)			\
	do {								\
		if (drm_gpuvm_immediate_mode(gpuvm))			\
			lockdep_assert_held(&(obj)->gpuva.lock);	\
		else							\
			dma_resv_assert_held((obj)->resv);		\
	} while (0)
#endif

/* The vm_bos of a GEM object: struct drm_gpuvm_bo's list.entry.gem. */
#define drm_gem_for_each_gpuvm_bo(entry__, obj__) \
	list_for_each_entry(entry__, &(obj__)->gpuva.list, list.entry.gem)
#define drm_gem_for_each_gpuvm_bo_safe(entry__, next__, obj__) \
	list_for_each_entry_safe(entry__, next__, &(obj__)->gpuva.list, \
				 list.entry.gem)

#endif
