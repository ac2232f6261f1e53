/* SPDX-License-Identifier: MIT */
/*
 * mm.h - what drm_gpuvm.c gets through <linux/mm.h>: the allocator, error
 * pointers and errno values, string functions, module and export
 * annotations (which do nothing in userspace).
 */
#ifndef GPUVM_COMPAT_LINUX_MM_H
#define GPUVM_COMPAT_LINUX_MM_H

#include <string.h>

#include <linux/kernel.h>
#include <linux/err.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/lockdep.h>

#endif
