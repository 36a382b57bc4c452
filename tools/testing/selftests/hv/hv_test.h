/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small kselftest-style harness that prints KTAP.  Each test runs in a
 * child process, so a crash or a timeout fails that test only.  Used by the
 * selftests and by the userspace unit tests (tools/testing/hv-unit/).
 *
 *	HV_TEST(name) { HV_ASSERT_EQ(1 + 1, 2); }
 *
 * A test passes when it returns, fails on the first failed assertion, and is
 * skipped with HV_SKIP("reason"): a skip always says why.
 */
#ifndef HV_TEST_H
#define HV_TEST_H

#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define HV_TEST_MAX		256
#define HV_TEST_EXIT_SKIP	4	/* kselftest's KSFT_SKIP */

struct hv_test {
	const char *name;
	void (*fn)(void);
};

static struct hv_test hv_tests[HV_TEST_MAX];
static int hv_nr_tests;
static int hv_skip_fd = -1;
/* Per-test time limit in seconds of the (possibly emulated) machine's time. */
static unsigned int hv_test_timeout = 300;

/* Defines the test @name, hv_test_##name(), and registers it as "name". */
#define HV_TEST(name)							\
	static void hv_test_##name(void);				\
	__attribute__((constructor)) static void hv_register_##name(void) \
	{								\
		if (hv_nr_tests < HV_TEST_MAX)				\
			hv_tests[hv_nr_tests++] =			\
				(struct hv_test){ #name, hv_test_##name }; \
	}								\
	static void hv_test_##name(void)

__attribute__((format(printf, 1, 2)))
static inline void hv_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#define HV_FAIL(fmt, ...) do {						\
	hv_diag("%s:%d: " fmt, __FILE__, __LINE__, ##__VA_ARGS__);	\
	exit(1);							\
} while (0)

#define HV_SKIP(fmt, ...) do {						\
	char __r[256];							\
	int __n = snprintf(__r, sizeof(__r), fmt, ##__VA_ARGS__);	\
	if (hv_skip_fd >= 0 && __n > 0 &&				\
	    write(hv_skip_fd, __r, strlen(__r)) < 0)			\
		exit(1);						\
	exit(HV_TEST_EXIT_SKIP);					\
} while (0)

#define HV_ASSERT(cond, fmt, ...) do {					\
	if (!(cond))							\
		HV_FAIL("assertion '%s' failed: " fmt, #cond, ##__VA_ARGS__); \
} while (0)

#define HV_ASSERT_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b)							\
		HV_FAIL("%s == %s failed: %lld (0x%llx) != %lld (0x%llx)", \
			#a, #b, __a, (unsigned long long)__a, __b,	\
			(unsigned long long)__b);			\
} while (0)

/* @expr must fail with -1 and errno @err (a system call or ioctl). */
#define HV_ASSERT_ERRNO(expr, err) do {					\
	int __e = (err);						\
	long __r;							\
	errno = 0;							\
	__r = (long)(expr);						\
	if (__r != -1 || errno != __e)					\
		HV_FAIL("%s: expected -1/%s, got %ld/%s", #expr,	\
			strerrorname_np(__e) ?: "?", __r,		\
			errno ? (strerrorname_np(errno) ?: "?") : "0");	\
} while (0)

/* @expr must succeed (not return -1). */
#define HV_ASSERT_OK(expr) ({						\
	long __r = (long)(expr);					\
	if (__r == -1)							\
		HV_FAIL("%s failed: %s", #expr, strerror(errno));	\
	__r;								\
})

static int hv_test_run_one(const struct hv_test *t, int idx)
{
	char reason[256] = "";
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	pid = pipe(pipefd) ? -1 : fork();
	if (pid < 0) {
		hv_diag("%s: cannot start: %s", t->name, strerror(errno));
		printf("not ok %d %s\n", idx, t->name);
		return 1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		hv_skip_fd = pipefd[1];
		alarm(hv_test_timeout);
		t->fn();
		fflush(stdout);
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], reason, sizeof(reason) - 1);
	reason[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %d %s\n", idx, t->name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == HV_TEST_EXIT_SKIP) {
		printf("ok %d %s # SKIP %s\n", idx, t->name,
		       reason[0] ? reason : "(no reason given)");
		return 0;
	}
	if (WIFSIGNALED(status))
		hv_diag("%s: killed by signal %d%s", t->name, WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	printf("not ok %d %s\n", idx, t->name);
	return 1;
}

/* Runs every test, or those whose name matches the glob in argv[1]. */
static inline int hv_test_main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "*";
	const char *tmo = getenv("HV_TEST_TIMEOUT");
	int i, n = 0, idx = 0, failed = 0;

	if (tmo)
		hv_test_timeout = strtoul(tmo, NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < hv_nr_tests; i++)
		n += !fnmatch(filter, hv_tests[i].name, 0);
	printf("KTAP version 1\n");
	printf("# %s\n", argv[0]);
	printf("1..%d\n", n);
	for (i = 0; i < hv_nr_tests; i++) {
		if (fnmatch(filter, hv_tests[i].name, 0))
			continue;
		if (hv_test_run_one(&hv_tests[i], ++idx))
			failed++;
	}
	hv_diag("%d tests, %d failed", n, failed);
	return failed ? 1 : 0;
}

#ifndef HV_TEST_NO_MAIN
int main(int argc, char **argv)
{
	return hv_test_main(argc, argv);
}
#endif

#endif /* HV_TEST_H */
