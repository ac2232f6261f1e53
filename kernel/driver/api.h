/* SPDX-License-Identifier: MIT */
/*
 * api.h - the drm_gpuvm API variants of the supported trees (6.8 .. 7.3),
 * behind one set of names. The build probes the tree's drm_gpuvm.h by
 * compiling small snippets and passes what it found as GPUVM_HAVE_* macros
 * (src/kernel/probes.ts), never by version number:
 *
 * GPUVM_HAVE_MAP_REQ		drm_gpuvm_sm_map() and _ops_create() take a
 *				struct drm_gpuvm_map_req (6.17+), not four values
 * GPUVM_HAVE_OBTAIN_LOCKED	drm_gpuvm_bo_obtain_locked() (7.0+), the old
 *				drm_gpuvm_bo_obtain() otherwise; with it,
 *				obtain_prealloc() is for immediate-mode VMs only
 * GPUVM_HAVE_FIND_PREV		drm_gpuva_find_prev() / find_next() (gone in 7.x)
 * GPUVM_HAVE_IMMEDIATE_MODE	DRM_GPUVM_IMMEDIATE_MODE (6.18+)
 * GPUVM_HAVE_UNLINK_DEFER	drm_gpuva_unlink_defer(), deferred vm_bo cleanup
 * GPUVM_HAVE_REMAP_HOLE	drm_gpuva_op_remap_to_unmap_range()
 * GPUVM_HAVE_MADVISE		drm_gpuvm_madvise_ops_create() (6.18+)
 */
#ifndef GPUVM_DRIVER_API_H
#define GPUVM_DRIVER_API_H

#include <drm/drm_gpuvm.h>

#ifdef GPUVM_HAVE_MAP_REQ
static inline struct drm_gpuvm_map_req api_map_req(u64 addr, u64 range,
						   struct drm_gem_object *obj,
						   u64 offset)
{
	struct drm_gpuvm_map_req req = {
		.map.va.addr = addr,
		.map.va.range = range,
		.map.gem.obj = obj,
		.map.gem.offset = offset,
	};

	return req;
}

static inline int api_sm_map(struct drm_gpuvm *vm, void *priv, u64 addr,
			     u64 range, struct drm_gem_object *obj, u64 offset)
{
	struct drm_gpuvm_map_req req = api_map_req(addr, range, obj, offset);

	return drm_gpuvm_sm_map(vm, priv, &req);
}

static inline struct drm_gpuva_ops *
api_sm_map_ops_create(struct drm_gpuvm *vm, u64 addr, u64 range,
		      struct drm_gem_object *obj, u64 offset)
{
	struct drm_gpuvm_map_req req = api_map_req(addr, range, obj, offset);

	return drm_gpuvm_sm_map_ops_create(vm, &req);
}
#else
#define api_sm_map(vm, priv, addr, range, obj, offset) \
	drm_gpuvm_sm_map((vm), (priv), (addr), (range), (obj), (offset))
#define api_sm_map_ops_create(vm, addr, range, obj, offset) \
	drm_gpuvm_sm_map_ops_create((vm), (addr), (range), (obj), (offset))
#endif

#if defined(GPUVM_HAVE_MADVISE)
static inline struct drm_gpuva_ops *
api_madvise_ops_create(struct drm_gpuvm *vm, u64 addr, u64 range,
		       struct drm_gem_object *obj, u64 offset)
{
	struct drm_gpuvm_map_req req = api_map_req(addr, range, obj, offset);

	return drm_gpuvm_madvise_ops_create(vm, &req);
}
#endif

#ifdef GPUVM_HAVE_OBTAIN_LOCKED
#define api_bo_obtain(vm, obj)	drm_gpuvm_bo_obtain_locked((vm), (obj))
#define API_PREALLOC_NEEDS_IMMEDIATE 1
#else
#define api_bo_obtain(vm, obj)	drm_gpuvm_bo_obtain((vm), (obj))
#define API_PREALLOC_NEEDS_IMMEDIATE 0
#endif

#ifdef GPUVM_HAVE_IMMEDIATE_MODE
#define API_IMMEDIATE_FLAG	DRM_GPUVM_IMMEDIATE_MODE
#else
#define API_IMMEDIATE_FLAG	0
#endif

/* The hole a REMAP vacates: the tree's helper where it has one. */
static inline void api_remap_hole(const struct drm_gpuva_op_remap *op,
				  u64 *start, u64 *range)
{
#ifdef GPUVM_HAVE_REMAP_HOLE
	drm_gpuva_op_remap_to_unmap_range(op, start, range);
#else
	u64 s = op->prev ? op->prev->va.addr + op->prev->va.range :
		op->unmap->va->va.addr;
	u64 e = op->next ? op->next->va.addr :
		op->unmap->va->va.addr + op->unmap->va->va.range;

	*start = s;
	*range = e - s;
#endif
}

#endif
