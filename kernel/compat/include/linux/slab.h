/* SPDX-License-Identifier: MIT */
/*
 * slab.h - the kmalloc family on gpuvm_compat's counted allocator: every
 * block is counted, any allocation can be made to fail, and a bad free is
 * recorded as a warning (see gpuvm_compat.h).
 */
#ifndef GPUVM_COMPAT_LINUX_SLAB_H
#define GPUVM_COMPAT_LINUX_SLAB_H

#include <linux/gfp.h>
#include <gpuvm_compat.h>

#define kmalloc(size, gfp)		((void)(gfp), compat_kmalloc((size), false))
#define kzalloc(size, gfp)		((void)(gfp), compat_kmalloc((size), true))
#define kcalloc(n, size, gfp)		kzalloc((n) * (size), (gfp))
#define kmemdup(src, size, gfp)		((void)(gfp), compat_kmemdup((src), (size)))
#define kfree(p)			compat_kfree(p)
#define kvfree(p)			compat_kfree(p)

/* 7.x: typed allocation helpers; the optional argument is the gfp mask. */
#define kmalloc_obj(var, ...)		kmalloc(sizeof(var), GFP_KERNEL)
#define kzalloc_obj(var, ...)		kzalloc(sizeof(var), GFP_KERNEL)

#endif
