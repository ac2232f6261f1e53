/* SPDX-License-Identifier: MIT */
/*
 * gpuvm_compat.h - the runtime behind gpuvm-check's shadow kernel headers.
 *
 * The shadow headers under kernel/compat/include (linux/slab.h, linux/kref.h,
 * drm/drm_print.h, ...) map the kernel APIs drm_gpuvm.c uses onto the
 * functions declared here. They are written from the documented kernel API;
 * no kernel code is copied. What they add over a plain userspace port:
 *
 * - every allocation is counted (live / total) and may be made to fail;
 * - every WARN, drm_WARN, failed lock assertion, refcount misuse or lock
 *   misuse is recorded with its text, so the driver can report it;
 * - locks check their own state (double lock, unlock of a lock not held,
 *   sleeping while a spinlock is held).
 *
 * Everything is single-threaded: the harness drives one VM from one thread.
 */
#ifndef GPUVM_COMPAT_H
#define GPUVM_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

/* ---- allocation ---------------------------------------------------------- */

/**
 * struct compat_alloc_stats - counters of the kmalloc family
 * @live: blocks allocated and not yet freed
 * @allocs: successful allocations since start
 * @frees: frees of live blocks since start
 * @failed: allocations made to fail
 */
struct compat_alloc_stats {
	long live;
	long allocs;
	long frees;
	long failed;
};

/**
 * compat_kmalloc() - allocate @size bytes, zeroed if @zero
 *
 * Returns NULL when the allocation was made to fail (compat_kmalloc_fail_at()).
 */
void *compat_kmalloc(size_t size, bool zero);

/** compat_kmemdup() - duplicate @size bytes of @src; NULL when made to fail. */
void *compat_kmemdup(const void *src, size_t size);

/**
 * compat_kfree() - free a block compat_kmalloc() returned; NULL is ignored.
 *
 * Freeing a pointer that is not a live block (a double free, or memory that
 * never came from kmalloc) is recorded as a warning and ignored.
 */
void compat_kfree(const void *p);

/**
 * compat_kfree_all() - free every live block: the end of a run, whatever
 * state the code under test left behind.
 */
void compat_kfree_all(void);

/** compat_alloc_stats() - the counters (a copy). */
struct compat_alloc_stats compat_alloc_stats(void);

/**
 * compat_kmalloc_fail_at() - make the @nth allocation from now fail (1-based);
 * 0 disarms. Only the kmalloc family counts, not the driver's own memory.
 */
void compat_kmalloc_fail_at(unsigned long nth);

/* ---- warnings ------------------------------------------------------------ */

/** The most warnings kept per command; later ones are counted, not kept. */
#define COMPAT_MAX_WARNINGS 16

/**
 * compat_warn() - record one warning (a WARN that fired, a lock or refcount
 * misuse), with where it happened. Also printed on standard error.
 */
void compat_warn(const char *file, int line, const char *func,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** compat_warn_count() - warnings recorded since the last compat_warn_clear(). */
unsigned int compat_warn_count(void);

/** compat_warn_text() - the text of warning @i (< COMPAT_MAX_WARNINGS), or NULL. */
const char *compat_warn_text(unsigned int i);

/** compat_warn_clear() - forget the recorded warnings. */
void compat_warn_clear(void);

/**
 * compat_warn_expect() - the next warning whose text contains @text is an
 * expected refusal: it is counted in compat_warn_expected() instead of being
 * recorded. NULL stops expecting.
 */
void compat_warn_expect(const char *text);

/** compat_warn_expected() - expected warnings seen since the last expect. */
unsigned int compat_warn_expected(void);

/* ---- locks --------------------------------------------------------------- */

/**
 * struct compat_lock - a lock that knows whether it is held
 * @name: what the lock protects, for messages
 * @held: whether it is held (single-threaded: by us)
 * @spin: a spinlock (holding it is atomic context)
 * @file: where it was taken (for a double-lock message)
 * @line: line it was taken at
 */
struct compat_lock {
	const char *name;
	bool held;
	bool spin;
	const char *file;
	int line;
};

void compat_lock_init(struct compat_lock *l, const char *name, bool spin);
void compat_lock_acquire(struct compat_lock *l, const char *file, int line,
			 const char *func);
void compat_lock_release(struct compat_lock *l, const char *file, int line,
			 const char *func);
/** compat_lock_assert_held() - record a lockdep-style warning if @l is not held. */
void compat_lock_assert_held(const struct compat_lock *l, const char *what,
			     const char *file, int line, const char *func);
/** compat_might_sleep() - record a warning when called in atomic context. */
void compat_might_sleep(const char *file, int line, const char *func);

/* ---- reference counts ---------------------------------------------------- */

/** compat_refcount_warn() - a refcount misuse (increment on 0, underflow). */
#define compat_refcount_warn(what) \
	compat_warn(__FILE__, __LINE__, __func__, "refcount_t: %s", (what))

#endif /* GPUVM_COMPAT_H */
