/* SPDX-License-Identifier: MIT */
/*
 * kunit/test-bug.h - what code under test may ask of KUnit: the running
 * case (so a callback without a context argument can find its fixture), and
 * failing it from outside the test's own code.
 */
#ifndef GPUVM_COMPAT_KUNIT_TEST_BUG_H
#define GPUVM_COMPAT_KUNIT_TEST_BUG_H

struct kunit;

/** kunit_get_current_test() - the running case, or NULL outside one. */
struct kunit *kunit_get_current_test(void);

void kunit_compat_fail_current(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** kunit_fail_current_test() - fail the running case (if any) with a message. */
#define kunit_fail_current_test(fmt, ...) \
	kunit_compat_fail_current(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#endif
