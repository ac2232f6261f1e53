/* SPDX-License-Identifier: MIT */
/*
 * drm_device.h - a DRM device reduced to a name and a reference count
 * (drm_gpuvm takes a device reference for the VM's lifetime since 7.2).
 */
#ifndef GPUVM_COMPAT_DRM_DEVICE_H
#define GPUVM_COMPAT_DRM_DEVICE_H

#include <linux/kref.h>

struct drm_device {
	const char *name;
	struct kref ref;
};

#endif
