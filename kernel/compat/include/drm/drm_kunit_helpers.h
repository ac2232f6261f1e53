/* SPDX-License-Identifier: MIT */
/*
 * drm_kunit_helpers.h - the DRM KUnit helpers a test uses to get a device:
 * drm_kunit_helper_alloc_device() and the drm_kunit_helper_alloc_drm_device()
 * family, here a DRM device owned by the running case (freed when it ends).
 * Also the driver feature flags they take, which the kernel declares in
 * drm/drm_drv.h.
 */
#ifndef GPUVM_COMPAT_DRM_KUNIT_HELPERS_H
#define GPUVM_COMPAT_DRM_KUNIT_HELPERS_H

#include <stddef.h>

#include <kunit/test.h>
#include <linux/bits.h>
#include <drm/drm_device.h>

#ifndef DRIVER_GEM
#define DRIVER_GEM		BIT(0)
#define DRIVER_MODESET		BIT(1)
#define DRIVER_RENDER		BIT(3)
#define DRIVER_GEM_GPUVA	BIT(8)
#endif

struct device;

/** drm_kunit_helper_alloc_device() - a parent device owned by the case. */
struct device *drm_kunit_helper_alloc_device(struct kunit *test);

/**
 * __drm_kunit_helper_alloc_drm_device() - a zeroed @size-byte structure
 * holding a struct drm_device at @offset, with one reference, owned by the
 * case. Returns the drm_device (ERR_PTR(-ENOMEM) on failure).
 */
struct drm_device *__drm_kunit_helper_alloc_drm_device(struct kunit *test,
						       struct device *dev,
						       size_t size, size_t offset,
						       u32 features);

#define drm_kunit_helper_alloc_drm_device(_test, _dev, _type, _member, _feat) \
	((_type *)__drm_kunit_helper_alloc_drm_device(_test, _dev,	\
						      sizeof(_type),	\
						      offsetof(_type, _member), \
						      _feat))

#endif
