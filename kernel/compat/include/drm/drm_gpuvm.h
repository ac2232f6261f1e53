/* SPDX-License-Identifier: MIT */
/*
 * drm_gpuvm.h - forwards to the user's kernel tree's include/drm/drm_gpuvm.h.
 * The tree's include/ stays off the include path, so that no other kernel
 * header leaks in; the build passes the header's path as GPUVM_TREE_HEADER.
 */
#ifndef GPUVM_COMPAT_DRM_GPUVM_H
#define GPUVM_COMPAT_DRM_GPUVM_H

#ifndef GPUVM_TREE_HEADER
#error "GPUVM_TREE_HEADER must name the kernel tree's include/drm/drm_gpuvm.h"
#endif
#include GPUVM_TREE_HEADER

#endif
