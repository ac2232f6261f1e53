// SPDX-License-Identifier: MIT
/*
 * drm_kunit_helpers.c - the DRM device of drm/drm_kunit_helpers.h: memory
 * owned by the running case, holding a drm_device with one reference.
 */
#include <linux/err.h>

#include <drm/drm_kunit_helpers.h>

/* The parent device: only its identity matters here. */
struct device {
	int unused;
};

struct device *drm_kunit_helper_alloc_device(struct kunit *test)
{
	struct device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);

	return dev ? dev : ERR_PTR(-ENOMEM);
}

struct drm_device *__drm_kunit_helper_alloc_drm_device(struct kunit *test,
						       struct device *dev,
						       size_t size, size_t offset,
						       u32 features)
{
	char *container = kunit_kzalloc(test, size, GFP_KERNEL);
	struct drm_device *drm;

	(void)dev;
	(void)features;
	if (!container)
		return ERR_PTR(-ENOMEM);
	drm = (struct drm_device *)(container + offset);
	drm->name = "drm-kunit";
	kref_init(&drm->ref);
	return drm;
}
