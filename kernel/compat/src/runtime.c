// SPDX-License-Identifier: MIT
/*
 * runtime.c - the counted allocator, the warning log and the self-checking
 * locks behind gpuvm-check's shadow kernel headers (gpuvm_compat.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuvm_compat.h>

/* ---- allocation ---------------------------------------------------------- */

#define BLOCK_LIVE	0x6770766d6c697665ULL	/* "gpvmlive" */
#define BLOCK_FREED	0x6770766d66726565ULL	/* "gpvmfree" */

/*
 * Every block carries a header, so a bad free can be told apart, and all live
 * blocks are on one list, so a run can be released wholesale.
 */
struct block {
	uint64_t magic;
	uint64_t size;
	struct block *prev, *next;
};

static struct block live_blocks = { 0, 0, &live_blocks, &live_blocks };

static struct compat_alloc_stats stats;
static unsigned long fail_countdown;

void compat_kmalloc_fail_at(unsigned long nth)
{
	fail_countdown = nth;
}

void *compat_kmalloc(size_t size, bool zero)
{
	struct block *b;

	if (fail_countdown && --fail_countdown == 0) {
		stats.failed++;
		return NULL;
	}
	b = zero ? calloc(1, sizeof(*b) + size) : malloc(sizeof(*b) + size);
	if (!b) {
		fprintf(stderr, "gpuvm-compat: out of memory (%zu bytes)\n", size);
		abort();
	}
	b->magic = BLOCK_LIVE;
	b->size = size;
	b->next = &live_blocks;
	b->prev = live_blocks.prev;
	live_blocks.prev->next = b;
	live_blocks.prev = b;
	stats.live++;
	stats.allocs++;
	return b + 1;
}

void *compat_kmemdup(const void *src, size_t size)
{
	void *p = compat_kmalloc(size, false);

	if (p)
		memcpy(p, src, size);
	return p;
}

void compat_kfree(const void *p)
{
	struct block *b;

	if (!p)
		return;
	b = (struct block *)p - 1;
	if (b->magic != BLOCK_LIVE) {
		compat_warn(__FILE__, __LINE__, __func__,
			    "kfree(%p): %s", p,
			    b->magic == BLOCK_FREED ? "double free" :
			    "not a block kmalloc returned");
		return;
	}
	b->magic = BLOCK_FREED;
	b->prev->next = b->next;
	b->next->prev = b->prev;
	stats.live--;
	stats.frees++;
	free(b);
}

void compat_kfree_all(void)
{
	while (live_blocks.next != &live_blocks)
		compat_kfree(live_blocks.next + 1);
	fail_countdown = 0;
}

struct compat_alloc_stats compat_alloc_stats(void)
{
	return stats;
}

/* ---- warnings ------------------------------------------------------------ */

#define WARN_MSG_MAX 320
#define WARN_TEXT_MAX 512

static char warn_texts[COMPAT_MAX_WARNINGS][WARN_TEXT_MAX];
static unsigned int warn_count;
static const char *expect_text;
static unsigned int expected_count;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void compat_warn(const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	char msg[WARN_MSG_MAX];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Kernel messages end in a newline; a report is one line. */
	len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (msg[i] == '\n' || msg[i] == '\t')
			msg[i] = ' ';

	if (expect_text && strstr(msg, expect_text)) {
		expected_count++;
		expect_text = NULL;
		return;
	}
	fprintf(stderr, "gpuvm-compat: WARNING at %s:%d %s(): %s\n",
		base_name(file), line, func, msg);
	if (warn_count < COMPAT_MAX_WARNINGS)
		snprintf(warn_texts[warn_count], WARN_TEXT_MAX,
			 "%.320s (%.60s:%d in %.80s())", msg, base_name(file), line, func);
	warn_count++;
}

unsigned int compat_warn_count(void)
{
	return warn_count;
}

const char *compat_warn_text(unsigned int i)
{
	return i < warn_count && i < COMPAT_MAX_WARNINGS ? warn_texts[i] : NULL;
}

void compat_warn_clear(void)
{
	warn_count = 0;
}

void compat_warn_expect(const char *text)
{
	expect_text = text;
	expected_count = 0;
}

unsigned int compat_warn_expected(void)
{
	return expected_count;
}

/* ---- locks --------------------------------------------------------------- */

static unsigned int atomic_depth;

void compat_lock_init(struct compat_lock *l, const char *name, bool spin)
{
	l->name = name;
	l->held = false;
	l->spin = spin;
	l->file = NULL;
	l->line = 0;
}

void compat_lock_acquire(struct compat_lock *l, const char *file, int line,
			 const char *func)
{
	if (l->held) {
		compat_warn(file, line, func,
			    "possible recursive locking: %s %s already held (taken at %s:%d)",
			    l->spin ? "spinlock" : "lock", l->name,
			    l->file ? base_name(l->file) : "?", l->line);
		return;
	}
	l->held = true;
	l->file = file;
	l->line = line;
	if (l->spin)
		atomic_depth++;
}

void compat_lock_release(struct compat_lock *l, const char *file, int line,
			 const char *func)
{
	if (!l->held) {
		compat_warn(file, line, func, "bad unlock balance: %s %s is not held",
			    l->spin ? "spinlock" : "lock", l->name);
		return;
	}
	l->held = false;
	l->file = NULL;
	l->line = 0;
	if (l->spin)
		atomic_depth--;
}

void compat_lock_assert_held(const struct compat_lock *l, const char *what,
			     const char *file, int line, const char *func)
{
	if (!l->held)
		compat_warn(file, line, func, "lockdep: %s (%s) is not held",
			    what, l->name);
}

void compat_might_sleep(const char *file, int line, const char *func)
{
	if (atomic_depth)
		compat_warn(file, line, func,
			    "BUG: sleeping function called from invalid context (%u spinlocks held)",
			    atomic_depth);
}
