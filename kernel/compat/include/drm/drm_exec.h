/* SPDX-License-Identifier: MIT */
/*
 * drm_exec.h - a single-threaded drm_exec: it locks each object's dma-resv
 * once and records it; there is never contention, so the locking loop runs
 * exactly once. The struct is complete because struct drm_gpuvm_exec embeds
 * it.
 */
#ifndef GPUVM_COMPAT_DRM_EXEC_H
#define GPUVM_COMPAT_DRM_EXEC_H

#include <linux/types.h>
#include <linux/bits.h>

struct drm_gem_object;

#define DRM_EXEC_INTERRUPTIBLE_WAIT	BIT(0)
#define DRM_EXEC_IGNORE_DUPLICATES	BIT(1)

struct drm_exec {
	u32 flags;
	unsigned int num_objects;
	unsigned int max_objects;
	struct drm_gem_object **objects;
	struct drm_gem_object *contended;
	bool started;
};

void drm_exec_init(struct drm_exec *exec, u32 flags, unsigned int nr);
/* drm_exec_fini() - unlock and put every object locked. */
void drm_exec_fini(struct drm_exec *exec);
/* drm_exec_cleanup() - true exactly once: the single pass of the loop. */
bool drm_exec_cleanup(struct drm_exec *exec);
/* drm_exec_lock_obj() - lock @obj's resv and take a reference; -EALREADY if locked. */
int drm_exec_lock_obj(struct drm_exec *exec, struct drm_gem_object *obj);
int drm_exec_prepare_obj(struct drm_exec *exec, struct drm_gem_object *obj,
			 unsigned int num_fences);
int drm_exec_prepare_array(struct drm_exec *exec,
			   struct drm_gem_object **objects,
			   unsigned int num_objects,
			   unsigned int num_fences);

static inline struct drm_gem_object *drm_exec_obj(struct drm_exec *exec,
						  unsigned long index)
{
	return index < exec->num_objects ? exec->objects[index] : NULL;
}

#define drm_exec_until_all_locked(exec) while (drm_exec_cleanup(exec))
#define drm_exec_retry_on_contention(exec) do { (void)(exec); } while (0)
#define drm_exec_is_contended(exec) (!!(exec)->contended)

#define drm_exec_for_each_locked_object(exec, obj)			\
	for (unsigned long __drm_exec_i = 0;				\
	     ((obj) = drm_exec_obj((exec), __drm_exec_i));		\
	     ++__drm_exec_i)

#endif
