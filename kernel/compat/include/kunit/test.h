/* SPDX-License-Identifier: MIT */
/*
 * kunit/test.h - a userspace KUnit, so that a KUnit test written for
 * drivers/gpu/drm/tests/ compiles and runs against the userspace build of a
 * tree's drm_gpuvm.c, without building a kernel.
 *
 * Written from KUnit's documented API (Documentation/dev-tools/kunit/): test
 * cases and suites, the KUNIT_EXPECT_* and KUNIT_ASSERT_* macros with their
 * _MSG forms, kunit_skip(), the kunit_kmalloc() family and deferred actions.
 * The runner (kernel/kunit/kunit.c) prints a KTAP report like the kernel's:
 * each failed expectation with its file:line, its values and its message.
 *
 * Differences from the kernel's KUnit: an assertion aborts the case with
 * longjmp() instead of ending a kthread; each case runs in a child process,
 * so a crash or a hang fails that case only; no parameterised cases, no
 * attributes, no static stubs.
 */
#ifndef GPUVM_COMPAT_KUNIT_TEST_H
#define GPUVM_COMPAT_KUNIT_TEST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <linux/types.h>
#include <linux/err.h>
#include <linux/gfp.h>

/** enum kunit_status - the outcome of a case. */
enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

/** enum kunit_assert_type - an expectation goes on, an assertion aborts. */
enum kunit_assert_type {
	KUNIT_ASSERTION,
	KUNIT_EXPECTATION,
};

#define KUNIT_STATUS_COMMENT_SIZE 256

struct kunit_compat_resource;

/**
 * struct kunit - the context of the running case
 * @priv: for the test's own use (set by the suite's init, typically)
 *
 * The other members are the runner's.
 */
struct kunit {
	void *priv;
	/* private: */
	const char *name;
	enum kunit_status status;
	char status_comment[KUNIT_STATUS_COMMENT_SIZE];
	struct kunit_compat_resource *resources;
	jmp_buf *abort;
};

/**
 * struct kunit_case - one test case
 * @run_case: the function that runs it
 * @name: its name in the report
 */
struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
};

/** KUNIT_CASE() - a case named after its function. */
#define KUNIT_CASE(test_name) { .run_case = test_name, .name = #test_name }

/**
 * struct kunit_suite - a named set of cases
 * @name: the suite's name
 * @suite_init: run once before the first case (non-zero: every case fails)
 * @suite_exit: run once after the last case
 * @init: run before each case (non-zero: the case fails)
 * @exit: run after each case, even after an assertion aborted it
 * @test_cases: the cases, ending with an empty entry
 */
struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

/** kunit_compat_register() - add suites to the run (kunit_test_suites() calls it). */
void kunit_compat_register(struct kunit_suite *const *suites, size_t n);

#define __KUNIT_COMPAT_CAT2(a, b) a##b
#define __KUNIT_COMPAT_CAT(a, b) __KUNIT_COMPAT_CAT2(a, b)

/** kunit_test_suites() - register suites with the runner. */
#define kunit_test_suites(...)						\
	static struct kunit_suite *const				\
	__KUNIT_COMPAT_CAT(__kunit_compat_suites_, __LINE__)[] = { __VA_ARGS__ }; \
	static void __attribute__((constructor))			\
	__KUNIT_COMPAT_CAT(__kunit_compat_register_, __LINE__)(void)	\
	{								\
		kunit_compat_register(					\
			__KUNIT_COMPAT_CAT(__kunit_compat_suites_, __LINE__), \
			sizeof(__KUNIT_COMPAT_CAT(__kunit_compat_suites_, __LINE__)) / \
			sizeof(struct kunit_suite *));			\
	}

#define kunit_test_suite(suite) kunit_test_suites(&(suite))

/* ---- memory and actions owned by the case -------------------------------- */

/**
 * kunit_compat_alloc() - @n * @size bytes (zeroed if @zero) freed when the
 * case ends; NULL on failure or overflow. The gfp flags change nothing.
 */
void *kunit_compat_alloc(struct kunit *test, size_t n, size_t size, bool zero);
/** kunit_kfree() - free kunit_kmalloc() memory before the case ends. */
void kunit_kfree(struct kunit *test, const void *ptr);

#define kunit_kmalloc(test, size, gfp) \
	((void)(gfp), kunit_compat_alloc(test, 1, size, false))
#define kunit_kzalloc(test, size, gfp) \
	((void)(gfp), kunit_compat_alloc(test, 1, size, true))
#define kunit_kmalloc_array(test, n, size, gfp) \
	((void)(gfp), kunit_compat_alloc(test, n, size, false))
#define kunit_kcalloc(test, n, size, gfp) \
	((void)(gfp), kunit_compat_alloc(test, n, size, true))

typedef void (kunit_action_t)(void *);

/** kunit_add_action() - call @action(@ctx) when the case ends (newest first). */
int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx);
/** kunit_add_action_or_reset() - as kunit_add_action(), calling @action now if that fails. */
int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action,
			      void *ctx);

/* ---- logging, failing, skipping -------------------------------------------- */

void kunit_compat_log(struct kunit *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define kunit_info(test, fmt, ...) kunit_compat_log(test, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...) kunit_compat_log(test, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...) kunit_compat_log(test, fmt, ##__VA_ARGS__)

/**
 * kunit_compat_fail() - report a failed expectation or assertion: @what is
 * the KUnit-style description ("Expected a == b, but ..."), @fmt the test's
 * message ("" for none). An assertion then aborts the case.
 */
void kunit_compat_fail(struct kunit *test, enum kunit_assert_type type,
		       const char *file, int line, const char *what,
		       const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A value an expectation compared, for the report. */
struct kunit_compat_value {
	enum { KUNIT_COMPAT_INT, KUNIT_COMPAT_PTR, KUNIT_COMPAT_STR } kind;
	long long i;
	const void *p;
	const char *s;
};

/** kunit_compat_fail_binary() - report "Expected LEFT OP RIGHT, but" with both values. */
void kunit_compat_fail_binary(struct kunit *test, enum kunit_assert_type type,
			      const char *file, int line, const char *left,
			      const char *op, const char *right,
			      struct kunit_compat_value lv,
			      struct kunit_compat_value rv, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));

/** kunit_compat_skip() - mark the case skipped with a reason; @abort ends it. */
void kunit_compat_skip(struct kunit *test, bool abort, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define kunit_mark_skipped(test, fmt, ...) \
	kunit_compat_skip(test, false, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...) \
	kunit_compat_skip(test, true, fmt, ##__VA_ARGS__)

/** kunit_compat_abort() - end the case now (after a failed assertion). */
void kunit_compat_abort(struct kunit *test) __attribute__((noreturn));

/* ---- WARN suppression ---------------------------------------------------------- */

/*
 * Counting the WARNs raised between start and end (7.x's API): here, the
 * warnings gpuvm_compat.h records (drm_WARN, lock assertions, refcount
 * misuse). They are still printed on standard error.
 */
struct kunit_suppressed_warning;

struct kunit_suppressed_warning *kunit_start_suppress_warning(struct kunit *test);
void kunit_end_suppress_warning(struct kunit *test,
				struct kunit_suppressed_warning *w);
int kunit_suppressed_warning_count(struct kunit_suppressed_warning *w);

/* ---- expectations and assertions ------------------------------------------- */

#define KUNIT_SUCCEED(test) do { (void)(test); } while (0)

#define KUNIT_COMPAT_FAIL(test, type, fmt, ...)				\
	kunit_compat_fail(test, type, __FILE__, __LINE__, "", fmt, ##__VA_ARGS__)

#define KUNIT_FAIL(test, fmt, ...) \
	KUNIT_COMPAT_FAIL(test, KUNIT_EXPECTATION, fmt, ##__VA_ARGS__)
#define KUNIT_FAIL_AND_ABORT(test, fmt, ...) \
	KUNIT_COMPAT_FAIL(test, KUNIT_ASSERTION, fmt, ##__VA_ARGS__)

#define KUNIT_COMPAT_BOOL(test, type, cond, want, fmt, ...)		\
	do {								\
		const bool __kunit_cond = (cond);			\
		if (__kunit_cond != (want))				\
			kunit_compat_fail(test, type, __FILE__, __LINE__, \
					  (want) ? "Expected " #cond " to be true, but is false" : \
					  "Expected " #cond " to be false, but is true", \
					  fmt, ##__VA_ARGS__);		\
	} while (0)

#define KUNIT_COMPAT_INT(test, type, left, op, right, fmt, ...)	\
	do {								\
		const typeof(left) __kunit_left = (left);		\
		const typeof(right) __kunit_right = (right);		\
		if (!(__kunit_left op __kunit_right))			\
			kunit_compat_fail_binary(test, type, __FILE__, __LINE__, \
				#left, #op, #right,				\
				(struct kunit_compat_value){ .kind = KUNIT_COMPAT_INT, \
					.i = (long long)__kunit_left },	\
				(struct kunit_compat_value){ .kind = KUNIT_COMPAT_INT, \
					.i = (long long)__kunit_right },	\
				fmt, ##__VA_ARGS__);			\
	} while (0)

#define KUNIT_COMPAT_PTR(test, type, left, op, right, fmt, ...)	\
	do {								\
		const void *__kunit_left = (left);			\
		const void *__kunit_right = (right);			\
		if (!(__kunit_left op __kunit_right))			\
			kunit_compat_fail_binary(test, type, __FILE__, __LINE__, \
				#left, #op, #right,				\
				(struct kunit_compat_value){ .kind = KUNIT_COMPAT_PTR, \
					.p = __kunit_left },		\
				(struct kunit_compat_value){ .kind = KUNIT_COMPAT_PTR, \
					.p = __kunit_right },		\
				fmt, ##__VA_ARGS__);			\
	} while (0)

#define KUNIT_COMPAT_STR(test, type, left, op, right, fmt, ...)	\
	do {								\
		const char *__kunit_left = (left);			\
		const char *__kunit_right = (right);			\
		if (!(strcmp(__kunit_left, __kunit_right) op 0))	\
			kunit_compat_fail_binary(test, type, __FILE__, __LINE__, \
				#left, #op, #right,				\
				(struct kunit_compat_value){ .kind = KUNIT_COMPAT_STR, \
					.s = __kunit_left },		\
				(struct kunit_compat_value){ .kind = KUNIT_COMPAT_STR, \
					.s = __kunit_right },		\
				fmt, ##__VA_ARGS__);			\
	} while (0)

#define KUNIT_COMPAT_UNARY_PTR(test, type, ptr, bad, what, fmt, ...)	\
	do {								\
		const void *__kunit_ptr = (ptr);			\
		if (bad)						\
			kunit_compat_fail(test, type, __FILE__, __LINE__, \
					  "Expected " #ptr " " what, fmt, ##__VA_ARGS__); \
	} while (0)

#define KUNIT_EXPECT_TRUE_MSG(test, cond, fmt, ...) \
	KUNIT_COMPAT_BOOL(test, KUNIT_EXPECTATION, cond, true, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(test, cond, fmt, ...) \
	KUNIT_COMPAT_BOOL(test, KUNIT_EXPECTATION, cond, false, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_EQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_EXPECTATION, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_EXPECTATION, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_EXPECTATION, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_EXPECTATION, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GT_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_EXPECTATION, l, >, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_EXPECTATION, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_EQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_PTR(test, KUNIT_EXPECTATION, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_PTR_NE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_PTR(test, KUNIT_EXPECTATION, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_STREQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_STR(test, KUNIT_EXPECTATION, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_STRNEQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_STR(test, KUNIT_EXPECTATION, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NULL_MSG(test, p, fmt, ...)			\
	KUNIT_COMPAT_UNARY_PTR(test, KUNIT_EXPECTATION, p, __kunit_ptr != NULL, \
			       "to be NULL, but is not", fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL_MSG(test, p, fmt, ...)			\
	KUNIT_COMPAT_UNARY_PTR(test, KUNIT_EXPECTATION, p, __kunit_ptr == NULL, \
			       "is not NULL, but is", fmt, ##__VA_ARGS__)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, p, fmt, ...)		\
	KUNIT_COMPAT_UNARY_PTR(test, KUNIT_EXPECTATION, p, IS_ERR_OR_NULL(__kunit_ptr), \
			       "is not error, but is NULL or an error", fmt, ##__VA_ARGS__)

#define KUNIT_ASSERT_TRUE_MSG(test, cond, fmt, ...) \
	KUNIT_COMPAT_BOOL(test, KUNIT_ASSERTION, cond, true, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_FALSE_MSG(test, cond, fmt, ...) \
	KUNIT_COMPAT_BOOL(test, KUNIT_ASSERTION, cond, false, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_ASSERTION, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_ASSERTION, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LT_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_ASSERTION, l, <, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_LE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_ASSERTION, l, <=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GT_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_ASSERTION, l, >, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_GE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_INT(test, KUNIT_ASSERTION, l, >=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_EQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_PTR(test, KUNIT_ASSERTION, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_PTR_NE_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_PTR(test, KUNIT_ASSERTION, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_STREQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_STR(test, KUNIT_ASSERTION, l, ==, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_STRNEQ_MSG(test, l, r, fmt, ...) \
	KUNIT_COMPAT_STR(test, KUNIT_ASSERTION, l, !=, r, fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NULL_MSG(test, p, fmt, ...)			\
	KUNIT_COMPAT_UNARY_PTR(test, KUNIT_ASSERTION, p, __kunit_ptr != NULL, \
			       "to be NULL, but is not", fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL_MSG(test, p, fmt, ...)			\
	KUNIT_COMPAT_UNARY_PTR(test, KUNIT_ASSERTION, p, __kunit_ptr == NULL, \
			       "is not NULL, but is", fmt, ##__VA_ARGS__)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, p, fmt, ...)		\
	KUNIT_COMPAT_UNARY_PTR(test, KUNIT_ASSERTION, p, IS_ERR_OR_NULL(__kunit_ptr), \
			       "is not error, but is NULL or an error", fmt, ##__VA_ARGS__)

/* Without a message: the same checks, the message left empty. */
#define KUNIT_EXPECT_TRUE(test, c)	KUNIT_EXPECT_TRUE_MSG(test, c, "%s", "")
#define KUNIT_EXPECT_FALSE(test, c)	KUNIT_EXPECT_FALSE_MSG(test, c, "%s", "")
#define KUNIT_EXPECT_EQ(test, l, r)	KUNIT_EXPECT_EQ_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_NE(test, l, r)	KUNIT_EXPECT_NE_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_LT(test, l, r)	KUNIT_EXPECT_LT_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_LE(test, l, r)	KUNIT_EXPECT_LE_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_GT(test, l, r)	KUNIT_EXPECT_GT_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_GE(test, l, r)	KUNIT_EXPECT_GE_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_PTR_EQ(test, l, r)	KUNIT_EXPECT_PTR_EQ_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_PTR_NE(test, l, r)	KUNIT_EXPECT_PTR_NE_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_STREQ(test, l, r)	KUNIT_EXPECT_STREQ_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_STRNEQ(test, l, r)	KUNIT_EXPECT_STRNEQ_MSG(test, l, r, "%s", "")
#define KUNIT_EXPECT_NULL(test, p)	KUNIT_EXPECT_NULL_MSG(test, p, "%s", "")
#define KUNIT_EXPECT_NOT_NULL(test, p)	KUNIT_EXPECT_NOT_NULL_MSG(test, p, "%s", "")
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(test, p) \
	KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, p, "%s", "")

#define KUNIT_ASSERT_TRUE(test, c)	KUNIT_ASSERT_TRUE_MSG(test, c, "%s", "")
#define KUNIT_ASSERT_FALSE(test, c)	KUNIT_ASSERT_FALSE_MSG(test, c, "%s", "")
#define KUNIT_ASSERT_EQ(test, l, r)	KUNIT_ASSERT_EQ_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_NE(test, l, r)	KUNIT_ASSERT_NE_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_LT(test, l, r)	KUNIT_ASSERT_LT_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_LE(test, l, r)	KUNIT_ASSERT_LE_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_GT(test, l, r)	KUNIT_ASSERT_GT_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_GE(test, l, r)	KUNIT_ASSERT_GE_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_PTR_EQ(test, l, r)	KUNIT_ASSERT_PTR_EQ_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_PTR_NE(test, l, r)	KUNIT_ASSERT_PTR_NE_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_STREQ(test, l, r)	KUNIT_ASSERT_STREQ_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_STRNEQ(test, l, r)	KUNIT_ASSERT_STRNEQ_MSG(test, l, r, "%s", "")
#define KUNIT_ASSERT_NULL(test, p)	KUNIT_ASSERT_NULL_MSG(test, p, "%s", "")
#define KUNIT_ASSERT_NOT_NULL(test, p)	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "%s", "")
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(test, p) \
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, p, "%s", "")

#endif /* GPUVM_COMPAT_KUNIT_TEST_H */
