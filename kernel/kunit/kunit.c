// SPDX-License-Identifier: MIT
/*
 * kunit.c - the runner of gpuvm-check's userspace KUnit (kunit/test.h).
 *
 * Runs every registered suite and prints a KTAP version 1 report on standard
 * output, the way the kernel's KUnit does: a subtest per suite, one result
 * line per case, each failed expectation as a diagnostic with its file:line,
 * the values compared and the test's message, then pass / fail / skip totals.
 *
 * Each case runs in a child process, so a crash (a signal) or a hang (the
 * case takes longer than GPUVM_KUNIT_TIMEOUT seconds, default 60) fails that
 * case alone. Arguments, if any, name the cases to run (`case` or
 * `suite.case`). Exit status: 0 when no case failed, 1 otherwise, 2 for bad
 * usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gpuvm_compat.h>
#include <kunit/test.h>
#include <kunit/test-bug.h>

/* ---- the registry ------------------------------------------------------------ */

#define MAX_SUITES 64

static struct kunit_suite *suites[MAX_SUITES];
static size_t nsuites;

void kunit_compat_register(struct kunit_suite *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (nsuites == MAX_SUITES) {
			fprintf(stderr, "kunit: more than %d suites\n", MAX_SUITES);
			exit(2);
		}
		suites[nsuites++] = list[i];
	}
}

/* ---- the running case -------------------------------------------------------- */

/* What a case's child process hands back to the runner (shared memory). */
struct outcome {
	enum kunit_status status;
	char comment[KUNIT_STATUS_COMMENT_SIZE];
};

static struct kunit *current;

struct kunit *kunit_get_current_test(void)
{
	return current;
}

/* A resource the case owns: memory, or an action to call when it ends. */
struct kunit_compat_resource {
	struct kunit_compat_resource *next;
	void *mem;
	kunit_action_t *action;
	void *ctx;
};

static struct kunit_compat_resource *resource_new(struct kunit *test)
{
	struct kunit_compat_resource *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->next = test->resources;
	test->resources = r;
	return r;
}

void *kunit_compat_alloc(struct kunit *test, size_t n, size_t size, bool zero)
{
	struct kunit_compat_resource *r;
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	size *= n;
	if (!size)
		size = 1;
	p = zero ? calloc(1, size) : malloc(size);
	if (!p)
		return NULL;
	r = resource_new(test);
	if (!r) {
		free(p);
		return NULL;
	}
	r->mem = p;
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	for (struct kunit_compat_resource **p = &test->resources; *p; p = &(*p)->next) {
		struct kunit_compat_resource *r = *p;

		if (r->mem == ptr) {
			*p = r->next;
			free(r->mem);
			free(r);
			return;
		}
	}
}

int kunit_add_action(struct kunit *test, kunit_action_t *action, void *ctx)
{
	struct kunit_compat_resource *r = resource_new(test);

	if (!r)
		return -ENOMEM;
	r->action = action;
	r->ctx = ctx;
	return 0;
}

int kunit_add_action_or_reset(struct kunit *test, kunit_action_t *action,
			      void *ctx)
{
	int ret = kunit_add_action(test, action, ctx);

	if (ret)
		action(ctx);
	return ret;
}

/* Newest first: actions run, memory is freed. */
static void release_resources(struct kunit *test)
{
	while (test->resources) {
		struct kunit_compat_resource *r = test->resources;

		test->resources = r->next;
		if (r->action)
			r->action(r->ctx);
		free(r->mem);
		free(r);
	}
}

/* ---- reporting ------------------------------------------------------------------ */

/* Prints @text line by line, each indented by @indent spaces. */
static void print_indented(const char *text, int indent)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		int len = nl ? (int)(nl - text) : (int)strlen(text);

		printf("%*s%.*s\n", indent, "", len, text);
		text += len + (nl ? 1 : 0);
	}
}

void kunit_compat_log(struct kunit *test, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	(void)test;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("    # %s\n", msg);
}

void kunit_compat_abort(struct kunit *test)
{
	fflush(stdout);
	longjmp(*test->abort, 1);
}

static void report(struct kunit *test, enum kunit_assert_type type,
		   const char *file, int line, const char *what,
		   const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printf("    # %s: %s FAILED at %s:%d\n", test->name,
	       type == KUNIT_ASSERTION ? "ASSERTION" : "EXPECTATION", file, line);
	if (*what)
		print_indented(what, 4);
	if (*msg)
		print_indented(msg, 4);
	test->status = KUNIT_FAILURE;
	if (type == KUNIT_ASSERTION)
		kunit_compat_abort(test);
}

void kunit_compat_fail(struct kunit *test, enum kunit_assert_type type,
		       const char *file, int line, const char *what,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(test, type, file, line, what, fmt, ap);
	va_end(ap);
}

/* A compared value as KUnit prints it. */
static void format_value(char *buf, size_t len, const struct kunit_compat_value *v)
{
	switch (v->kind) {
	case KUNIT_COMPAT_INT:
		snprintf(buf, len, "%lld (0x%llx)", v->i, (unsigned long long)v->i);
		break;
	case KUNIT_COMPAT_PTR:
		snprintf(buf, len, "%p", v->p);
		break;
	case KUNIT_COMPAT_STR:
		snprintf(buf, len, "\"%s\"", v->s);
		break;
	}
}

void kunit_compat_fail_binary(struct kunit *test, enum kunit_assert_type type,
			      const char *file, int line, const char *left,
			      const char *op, const char *right,
			      struct kunit_compat_value lv,
			      struct kunit_compat_value rv, const char *fmt, ...)
{
	char what[1200], l[512], r[512];
	va_list ap;

	format_value(l, sizeof(l), &lv);
	format_value(r, sizeof(r), &rv);
	snprintf(what, sizeof(what), "Expected %s %s %s, but\n    %s == %s\n    %s == %s",
		 left, op, right, left, l, right, r);
	va_start(ap, fmt);
	report(test, type, file, line, what, fmt, ap);
	va_end(ap);
}

void kunit_compat_skip(struct kunit *test, bool abort, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt, ap);
	va_end(ap);
	if (test->status != KUNIT_FAILURE)
		test->status = KUNIT_SKIPPED;
	if (abort)
		kunit_compat_abort(test);
}

void kunit_compat_fail_current(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!current)
		return;
	va_start(ap, fmt);
	report(current, KUNIT_EXPECTATION, file, line, "", fmt, ap);
	va_end(ap);
}

/* ---- WARN suppression: counting what gpuvm_compat records ---------------- */

struct kunit_suppressed_warning {
	unsigned int baseline;
};

struct kunit_suppressed_warning *kunit_start_suppress_warning(struct kunit *test)
{
	struct kunit_suppressed_warning *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	if (w)
		w->baseline = compat_warn_count();
	return w;
}

void kunit_end_suppress_warning(struct kunit *test, struct kunit_suppressed_warning *w)
{
	if (w)
		kunit_kfree(test, w);
}

int kunit_suppressed_warning_count(struct kunit_suppressed_warning *w)
{
	return w ? (int)(compat_warn_count() - w->baseline) : 0;
}

/* ---- running ------------------------------------------------------------------- */

static unsigned int timeout_seconds(void)
{
	const char *env = getenv("GPUVM_KUNIT_TIMEOUT");
	long v = env ? strtol(env, NULL, 10) : 0;

	return v > 0 ? (unsigned int)v : 60;
}

/* The case itself, in the child: init, the case, exit, the resources. */
static void run_in_child(struct kunit_suite *suite, struct kunit_case *c,
			 struct outcome *out)
{
	struct kunit test = { .name = c->name, .status = KUNIT_SUCCESS };
	jmp_buf abort_point;
	volatile bool inited = false;

	test.abort = &abort_point;
	current = &test;
	alarm(timeout_seconds());
	if (!setjmp(abort_point)) {
		if (suite->init && suite->init(&test)) {
			printf("    # %s: the suite's init failed\n", c->name);
			test.status = KUNIT_FAILURE;
		} else {
			inited = true;
			c->run_case(&test);
		}
	}
	if (inited && suite->exit && !setjmp(abort_point))
		suite->exit(&test);
	release_resources(&test);
	current = NULL;
	out->status = test.status;
	snprintf(out->comment, sizeof(out->comment), "%s", test.status_comment);
	fflush(stdout);
}

static enum kunit_status run_case(struct kunit_suite *suite,
				  struct kunit_case *c, char *comment,
				  size_t len)
{
	struct outcome *out = mmap(NULL, sizeof(*out), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	enum kunit_status status;
	int wstatus;
	pid_t pid;

	if (out == MAP_FAILED) {
		perror("kunit: mmap");
		exit(2);
	}
	out->status = KUNIT_FAILURE;
	out->comment[0] = '\0';
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("kunit: fork");
		exit(2);
	}
	if (pid == 0) {
		run_in_child(suite, c, out);
		_exit(0);
	}
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);

		if (sig == SIGALRM)
			printf("    # %s: timed out after %u s\n", c->name, timeout_seconds());
		else
			printf("    # %s: crashed (signal %d: %s)\n", c->name, sig, strsignal(sig));
		status = KUNIT_FAILURE;
	} else if (WEXITSTATUS(wstatus) != 0) {
		printf("    # %s: exited with status %d\n", c->name, WEXITSTATUS(wstatus));
		status = KUNIT_FAILURE;
	} else {
		status = out->status;
	}
	snprintf(comment, len, "%s", out->comment);
	munmap(out, sizeof(*out));
	return status;
}

/* Whether the arguments select @c of @suite (no arguments: every case). */
static bool selected(int argc, char **argv, const struct kunit_suite *suite,
		     const struct kunit_case *c)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++) {
		const char *dot = strchr(argv[i], '.');

		if (!dot && !strcmp(argv[i], c->name))
			return true;
		if (dot && !strncmp(argv[i], suite->name, (size_t)(dot - argv[i])) &&
		    !suite->name[dot - argv[i]] && !strcmp(dot + 1, c->name))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	unsigned int total[3] = { 0, 0, 0 };
	bool any_failed = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%zu\n", nsuites);
	for (size_t s = 0; s < nsuites; s++) {
		struct kunit_suite *suite = suites[s];
		unsigned int counts[3] = { 0, 0, 0 };
		unsigned int ncases = 0, n = 0;
		bool suite_ok = true;
		int init_ret = 0;

		for (struct kunit_case *c = suite->test_cases; c->run_case; c++)
			ncases += selected(argc, argv, suite, c);
		printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite->name, ncases);
		if (suite->suite_init)
			init_ret = suite->suite_init(suite);
		for (struct kunit_case *c = suite->test_cases; c->run_case; c++) {
			char comment[KUNIT_STATUS_COMMENT_SIZE] = "";
			enum kunit_status st;

			if (!selected(argc, argv, suite, c))
				continue;
			n++;
			if (init_ret) {
				printf("    # %s: the suite's suite_init failed (%d)\n", c->name, init_ret);
				st = KUNIT_FAILURE;
			} else {
				st = run_case(suite, c, comment, sizeof(comment));
			}
			counts[st]++;
			if (st == KUNIT_SKIPPED)
				printf("    ok %u %s # SKIP %s\n", n, c->name, comment);
			else
				printf("    %s %u %s\n", st == KUNIT_SUCCESS ? "ok" : "not ok", n, c->name);
			suite_ok &= st != KUNIT_FAILURE;
		}
		if (suite->suite_exit && !init_ret)
			suite->suite_exit(suite);
		printf("# %s: pass:%u fail:%u skip:%u total:%u\n", suite->name,
		       counts[KUNIT_SUCCESS], counts[KUNIT_FAILURE], counts[KUNIT_SKIPPED], n);
		if (!suite_ok)
			printf("not ok %zu %s\n", s + 1, suite->name);
		else if (n && counts[KUNIT_SKIPPED] == n)
			printf("ok %zu %s # SKIP\n", s + 1, suite->name);
		else
			printf("ok %zu %s\n", s + 1, suite->name);
		for (int i = 0; i < 3; i++)
			total[i] += counts[i];
		any_failed |= !suite_ok;
	}
	printf("# Totals: pass:%u fail:%u skip:%u total:%u\n", total[KUNIT_SUCCESS],
	       total[KUNIT_FAILURE], total[KUNIT_SKIPPED],
	       total[KUNIT_SUCCESS] + total[KUNIT_FAILURE] + total[KUNIT_SKIPPED]);
	return any_failed ? 1 : 0;
}
