/* SPDX-License-Identifier: MIT */
/*
 * lockdep.h - lock assertions. Our locks know whether they are held, so
 * the assertions are real: a failed one is recorded as a warning, as
 * lockdep would splat. Lock classes and dependency tracking are no-ops.
 */
#ifndef GPUVM_COMPAT_LINUX_LOCKDEP_H
#define GPUVM_COMPAT_LINUX_LOCKDEP_H

#include <gpuvm_compat.h>

struct lock_class_key {
	int unused;
};

struct lockdep_map {
	const char *name;
};

#define lockdep_assert_held(l) \
	compat_lock_assert_held(&(l)->dep, #l, __FILE__, __LINE__, __func__)

#define lockdep_assert(cond)						\
	do {								\
		if (!(cond))						\
			compat_warn(__FILE__, __LINE__, __func__,	\
				    "lockdep_assert(%s) failed", #cond);	\
	} while (0)

#define lockdep_set_class(l, key)	do { (void)(l); (void)(key); } while (0)

#define might_sleep()	compat_might_sleep(__FILE__, __LINE__, __func__)
#define might_lock(l)	do { (void)(l); } while (0)

#endif
