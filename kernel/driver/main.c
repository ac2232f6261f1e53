// SPDX-License-Identifier: MIT
/*
 * main.c - gpuvm-check's kernel subject: the user's drm_gpuvm.c, built in
 * userspace, under gpuvm-check's driver.
 *
 *   gpuvm-kernel-subject [--kmalloc-fail-at K]
 *					speak the subject protocol
 *   gpuvm-kernel-subject --bench N REQUESTS SEED
 *					time the map-request workload
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "driver.h"
#include "protocol.h"

#if defined(__SANITIZE_ADDRESS__)
/*
 * Sanitizer defaults: the harness keeps the last 50 lines of standard error,
 * so reports are kept short (no shadow legend, short allocation stacks).
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "print_legend=0:malloc_context_size=5";
}

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "print_stacktrace=1";
}
#endif

static int usage(void)
{
	fputs("usage: gpuvm-kernel-subject [--kmalloc-fail-at K]\n"
	      "       gpuvm-kernel-subject --bench N REQUESTS SEED\n", stderr);
	return 2;
}

static bool number(const char *s, unsigned long long *v)
{
	char *end;

	if (!*s)
		return false;
	*v = strtoull(s, &end, 10);
	return *end == '\0';
}

int main(int argc, char **argv)
{
	struct driver_options opts = { .kmalloc_fail_at = 0 };

	if (argc >= 2 && strcmp(argv[1], "--bench") == 0) {
		unsigned long long n, requests, seed;

		if (argc != 5 || !number(argv[2], &n) || !number(argv[3], &requests) ||
		    !number(argv[4], &seed) || n == 0)
			return usage();
		return bench_run(n, requests, seed);
	}
	for (int i = 1; i < argc; i++) {
		unsigned long long k;

		if (strcmp(argv[i], "--kmalloc-fail-at") == 0 && i + 1 < argc &&
			 number(argv[++i], &k) && k > 0)
			opts.kmalloc_fail_at = (unsigned long)k;
		else
			return usage();
	}
	return protocol_serve(&opts);
}
