/* SPDX-License-Identifier: MIT */
/*
 * dma-resv.h - a reservation object reduced to what drm_gpuvm needs: an
 * identity (objects sharing the VM's resv are private to it, the others are
 * external) and a lock that knows whether it is held, so that
 * dma_resv_assert_held() is a real check. Fences are not modelled.
 */
#ifndef GPUVM_COMPAT_LINUX_DMA_RESV_H
#define GPUVM_COMPAT_LINUX_DMA_RESV_H

#include <linux/types.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

struct dma_fence;
struct ww_acquire_ctx;

enum dma_resv_usage {
	DMA_RESV_USAGE_KERNEL,
	DMA_RESV_USAGE_WRITE,
	DMA_RESV_USAGE_READ,
	DMA_RESV_USAGE_BOOKKEEP,
};

struct dma_resv {
	struct compat_lock dep;
};

#define dma_resv_init(obj)	compat_lock_init(&(obj)->dep, "dma_resv", false)
#define dma_resv_fini(obj)	do { (void)(obj); } while (0)

/* dma_resv_lock() - always succeeds single-threaded (no -EDEADLK backoff). */
#define dma_resv_lock(obj, ctx)						\
	({								\
		(void)(ctx);						\
		compat_might_sleep(__FILE__, __LINE__, __func__);	\
		compat_lock_acquire(&(obj)->dep, __FILE__, __LINE__, __func__); \
		0;							\
	})
#define dma_resv_unlock(obj) \
	compat_lock_release(&(obj)->dep, __FILE__, __LINE__, __func__)
#define dma_resv_held(obj)	((obj)->dep.held)
#define dma_resv_assert_held(obj) \
	compat_lock_assert_held(&(obj)->dep, "dma_resv " #obj, __FILE__, __LINE__, __func__)

static inline int dma_resv_reserve_fences(struct dma_resv *obj,
					  unsigned int num_fences)
{
	(void)obj;
	(void)num_fences;
	return 0;
}

static inline void dma_resv_add_fence(struct dma_resv *obj,
				      struct dma_fence *fence,
				      enum dma_resv_usage usage)
{
	(void)obj;
	(void)fence;
	(void)usage;
}

#endif
