/* SPDX-License-Identifier: MIT */
/*
 * drm_print.h - drm_WARN and friends. A warning that fires is recorded with
 * its text and where it fired (gpuvm_compat.h), so the harness reports it
 * as the finding kernel-warn. Like the kernel's, each evaluates to the
 * condition.
 */
#ifndef GPUVM_COMPAT_DRM_PRINT_H
#define GPUVM_COMPAT_DRM_PRINT_H

#include <linux/kernel.h>
#include <gpuvm_compat.h>

struct drm_device;

#define drm_WARN(drm, condition, format, ...)				\
	({								\
		int __drm_warn_on = !!(condition);			\
		if (unlikely(__drm_warn_on)) {				\
			(void)(drm);					\
			compat_warn(__FILE__, __LINE__, __func__,	\
				    format, ##__VA_ARGS__);		\
		}							\
		unlikely(__drm_warn_on);				\
	})

#define drm_WARN_ONCE(drm, condition, format, ...) \
	drm_WARN(drm, condition, format, ##__VA_ARGS__)

#define drm_WARN_ON(drm, x) \
	drm_WARN((drm), (x), "%s", "drm_WARN_ON(" #x ")")

#define drm_WARN_ON_ONCE(drm, x) \
	drm_WARN((drm), (x), "%s", "drm_WARN_ON_ONCE(" #x ")")

#endif
