/* SPDX-License-Identifier: MIT */
/*
 * drm_drv.h - device reference counting. Dropping the last reference of the
 * harness's device, or taking one on a dead device, is recorded as a warning.
 * Also pulls in drm_print.h: 6.12's drm_gpuvm.c uses drm_WARN without
 * including it.
 */
#ifndef GPUVM_COMPAT_DRM_DRV_H
#define GPUVM_COMPAT_DRM_DRV_H

#include <drm/drm_device.h>
#include <drm/drm_print.h>

void drm_dev_get(struct drm_device *dev);
void drm_dev_put(struct drm_device *dev);

#endif
