/* SPDX-License-Identifier: MIT */
/*
 * spinlock.h - a spinlock that checks its own state (see mutex.h); while one
 * is held we are in atomic context, where might_sleep() warns.
 */
#ifndef GPUVM_COMPAT_LINUX_SPINLOCK_H
#define GPUVM_COMPAT_LINUX_SPINLOCK_H

#include <linux/lockdep.h>

typedef struct spinlock {
	struct compat_lock dep;
} spinlock_t;

#define spin_lock_init(s)	compat_lock_init(&(s)->dep, #s, true)
#define spin_lock(s)	compat_lock_acquire(&(s)->dep, __FILE__, __LINE__, __func__)
#define spin_unlock(s)	compat_lock_release(&(s)->dep, __FILE__, __LINE__, __func__)

#endif
