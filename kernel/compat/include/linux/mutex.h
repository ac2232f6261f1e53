/* SPDX-License-Identifier: MIT */
/*
 * mutex.h - a mutex that checks its own state: locking a mutex already held
 * (a self-deadlock), unlocking one not held, and locking in atomic context
 * are recorded as warnings.
 */
#ifndef GPUVM_COMPAT_LINUX_MUTEX_H
#define GPUVM_COMPAT_LINUX_MUTEX_H

#include <linux/lockdep.h>

struct mutex {
	struct compat_lock dep;
};

#define mutex_init(m)		compat_lock_init(&(m)->dep, #m, false)
#define mutex_destroy(m)	do { (void)(m); } while (0)
#define mutex_lock(m)							\
	do {								\
		compat_might_sleep(__FILE__, __LINE__, __func__);	\
		compat_lock_acquire(&(m)->dep, __FILE__, __LINE__, __func__); \
	} while (0)
#define mutex_unlock(m)	compat_lock_release(&(m)->dep, __FILE__, __LINE__, __func__)
#define mutex_is_locked(m)	((m)->dep.held)

#endif
