// SPDX-License-Identifier: MIT
/*
 * drm.c - the DRM device, GEM object and drm_exec parts of gpuvm-check's
 * shadow headers (drm/drm_drv.h, drm/drm_gem.h, drm/drm_exec.h), written
 * from their documented behaviour.
 */
#include <errno.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <linux/slab.h>

void drm_dev_get(struct drm_device *dev)
{
	kref_get(&dev->ref);
}

static void drm_dev_release(struct kref *ref)
{
	struct drm_device *dev = container_of(ref, struct drm_device, ref);

	compat_warn(__FILE__, __LINE__, __func__,
		    "the last reference of DRM device %s was dropped",
		    dev->name ? dev->name : "?");
}

void drm_dev_put(struct drm_device *dev)
{
	if (dev)
		kref_put(&dev->ref, drm_dev_release);
}

void drm_gem_private_object_init(struct drm_device *dev,
				 struct drm_gem_object *obj, size_t size)
{
	kref_init(&obj->refcount);
	obj->dev = dev;
	obj->size = size;
	dma_resv_init(&obj->_resv);
	obj->resv = &obj->_resv;
	drm_gem_gpuva_init(obj);
	mutex_init(&obj->gpuva.lock);
}

void drm_gem_object_release(struct drm_gem_object *obj)
{
	dma_resv_fini(&obj->_resv);
	mutex_destroy(&obj->gpuva.lock);
}

void drm_gem_object_get(struct drm_gem_object *obj)
{
	kref_get(&obj->refcount);
}

static void drm_gem_object_free(struct kref *kref)
{
	struct drm_gem_object *obj =
		container_of(kref, struct drm_gem_object, refcount);

	if (obj->funcs && obj->funcs->free)
		obj->funcs->free(obj);
}

void drm_gem_object_put(struct drm_gem_object *obj)
{
	if (obj)
		kref_put(&obj->refcount, drm_gem_object_free);
}

void drm_exec_init(struct drm_exec *exec, u32 flags, unsigned int nr)
{
	exec->flags = flags;
	exec->num_objects = 0;
	exec->max_objects = nr ? nr : 16;
	exec->objects = kcalloc(exec->max_objects, sizeof(*exec->objects),
				GFP_KERNEL);
	if (!exec->objects)
		exec->max_objects = 0;
	exec->contended = NULL;
	exec->started = false;
}

void drm_exec_fini(struct drm_exec *exec)
{
	for (unsigned int i = 0; i < exec->num_objects; i++) {
		dma_resv_unlock(exec->objects[i]->resv);
		drm_gem_object_put(exec->objects[i]);
	}
	kfree(exec->objects);
	exec->objects = NULL;
	exec->num_objects = 0;
	exec->max_objects = 0;
}

bool drm_exec_cleanup(struct drm_exec *exec)
{
	if (exec->started)
		return false;
	exec->started = true;
	return true;
}

static int drm_exec_obj_locked(struct drm_exec *exec,
			       struct drm_gem_object *obj)
{
	struct drm_gem_object **grown;

	if (exec->num_objects == exec->max_objects) {
		unsigned int max = exec->max_objects ? 2 * exec->max_objects : 16;

		grown = kcalloc(max, sizeof(*grown), GFP_KERNEL);
		if (!grown)
			return -ENOMEM;
		for (unsigned int i = 0; i < exec->num_objects; i++)
			grown[i] = exec->objects[i];
		kfree(exec->objects);
		exec->objects = grown;
		exec->max_objects = max;
	}
	drm_gem_object_get(obj);
	exec->objects[exec->num_objects++] = obj;
	return 0;
}

int drm_exec_lock_obj(struct drm_exec *exec, struct drm_gem_object *obj)
{
	int ret;

	for (unsigned int i = 0; i < exec->num_objects; i++) {
		if (exec->objects[i]->resv == obj->resv)
			return exec->flags & DRM_EXEC_IGNORE_DUPLICATES ?
			       0 : -EALREADY;
	}
	ret = dma_resv_lock(obj->resv, NULL);
	if (ret)
		return ret;
	ret = drm_exec_obj_locked(exec, obj);
	if (ret)
		dma_resv_unlock(obj->resv);
	return ret;
}

int drm_exec_prepare_obj(struct drm_exec *exec, struct drm_gem_object *obj,
			 unsigned int num_fences)
{
	int ret = drm_exec_lock_obj(exec, obj);

	if (ret == -EALREADY && (exec->flags & DRM_EXEC_IGNORE_DUPLICATES))
		ret = 0;
	if (ret)
		return ret;
	return dma_resv_reserve_fences(obj->resv, num_fences);
}

int drm_exec_prepare_array(struct drm_exec *exec,
			   struct drm_gem_object **objects,
			   unsigned int num_objects,
			   unsigned int num_fences)
{
	for (unsigned int i = 0; i < num_objects; i++) {
		int ret = drm_exec_prepare_obj(exec, objects[i], num_fences);

		if (ret)
			return ret;
	}
	return 0;
}
