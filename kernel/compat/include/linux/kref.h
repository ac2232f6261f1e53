/* SPDX-License-Identifier: MIT */
/*
 * kref.h - reference counts with refcount_t's checks: an increment from 0 and
 * a decrement below 0 are recorded as warnings (and, like a saturated
 * refcount_t, do not release anything).
 */
#ifndef GPUVM_COMPAT_LINUX_KREF_H
#define GPUVM_COMPAT_LINUX_KREF_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <gpuvm_compat.h>

struct kref {
	unsigned int refcount;
};

#define KREF_INIT(n)	{ .refcount = (n) }

static inline void kref_init(struct kref *kref)
{
	kref->refcount = 1;
}

static inline unsigned int kref_read(const struct kref *kref)
{
	return kref->refcount;
}

#define kref_get(ref_)							\
	do {								\
		struct kref *__k = (ref_);				\
		if (__k->refcount == 0)					\
			compat_refcount_warn("addition on 0; use-after-free"); \
		else							\
			__k->refcount++;				\
	} while (0)

static inline int kref_get_unless_zero(struct kref *kref)
{
	if (kref->refcount == 0)
		return 0;
	kref->refcount++;
	return 1;
}

/* kref_put() - drop one reference; calls @release and returns 1 on the last. */
#define kref_put(ref_, release)						\
	({								\
		struct kref *__k = (ref_);				\
		int __released = 0;					\
		if (__k->refcount == 0) {				\
			compat_refcount_warn("underflow; use-after-free"); \
		} else if (--__k->refcount == 0) {			\
			release(__k);					\
			__released = 1;					\
		}							\
		__released;						\
	})

/*
 * kref_put_mutex() - as kref_put(), but the last reference is dropped with
 * @lock held, and @release is responsible for unlocking it.
 */
#define kref_put_mutex(ref_, release, lock)				\
	({								\
		struct kref *__k = (ref_);				\
		int __released = 0;					\
		if (__k->refcount == 0) {				\
			compat_refcount_warn("underflow; use-after-free"); \
		} else if (__k->refcount > 1) {				\
			__k->refcount--;				\
		} else {						\
			mutex_lock(lock);				\
			if (--__k->refcount == 0) {			\
				release(__k);				\
				__released = 1;				\
			} else {					\
				mutex_unlock(lock);			\
			}						\
		}							\
		__released;						\
	})

#endif
