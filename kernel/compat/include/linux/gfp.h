/* SPDX-License-Identifier: MIT */
/*
 * gfp.h - allocation flags. The tools tree's <linux/types.h> already names
 * gfp_t and GFP_KERNEL; the flags change nothing in userspace. (6.12's tools
 * gfp header reaches back into the kernel's include/, which we keep off the
 * include path, hence this shadow.)
 */
#ifndef GPUVM_COMPAT_LINUX_GFP_H
#define GPUVM_COMPAT_LINUX_GFP_H

#include <linux/types.h>

#endif
