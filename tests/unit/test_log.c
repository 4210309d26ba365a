// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: log lines and timestamps (lib/log.c), the log file (vmm/log_file.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "vmm/log_file.h"

static void test_format(void **state)
{
	/* 2026-12-03 18:21:34.123456789 UTC */
	struct timespec ts = { .tv_sec = 1796322094, .tv_nsec = 123456789 };
	char buf[LOG_LINE_MAX];
	size_t n;

	n = log_format(buf, sizeof(buf), &ts, LOG_WARN, "disk: slow");
	assert_string_equal(buf, "2026-12-03T18:21:34.123Z kestrel: warning: disk: slow\n");
	assert_int_equal(n, strlen(buf));
	/* milliseconds are truncated and zero-padded; the epoch formats too */
	ts = (struct timespec){ .tv_sec = 0, .tv_nsec = 7999999 };
	log_format(buf, sizeof(buf), &ts, LOG_INFO, "x");
	assert_string_equal(buf, "1970-01-01T00:00:00.007Z kestrel: x\n");
	/* no timestamp */
	n = log_format(buf, sizeof(buf), NULL, LOG_ERROR, "boom");
	assert_string_equal(buf, "kestrel: boom\n");
	assert_int_equal(n, 14);
}

static void test_format_cut(void **state)
{
	struct timespec ts = { .tv_sec = 1796322094 };
	char msg[200], buf[64];
	size_t n;

	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	n = log_format(buf, sizeof(buf), &ts, LOG_INFO, msg);
	assert_int_equal(n, sizeof(buf) - 1);
	assert_int_equal(strlen(buf), n);
	assert_int_equal(buf[n - 1], '\n');
	assert_memory_equal(buf, "2026-12-03T18:21:34.000Z kestrel: mmm", 37);
}

static void test_output_file(void **state)
{
	char dir[] = "/tmp/kestrel-test-log-XXXXXX", path[64], text[512];
	mode_t old_umask = umask(022);
	struct stat st;
	ssize_t n;
	int fd, rfd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k.log", dir);
	rfd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(rfd >= 0);
	assert_int_equal(write(rfd, "old\n", 4), 4);
	close(rfd);

	fd = log_file_open(path);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFL) & O_APPEND);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	log_set_output(fd, true);
	log_info("hello %d", 42);
	log_debug("not at info level");
	log_set_output(STDERR_FILENO, false);
	close(fd);

	rfd = open(path, O_RDONLY);
	assert_true(rfd >= 0);
	n = read(rfd, text, sizeof(text) - 1);
	close(rfd);
	assert_true(n > 0);
	text[n] = '\0';
	/* appended, not truncated; one timestamped line */
	assert_memory_equal(text, "old\n", 4);
	assert_int_equal(strlen(text), 4 + 24 + 1 + strlen("kestrel: hello 42\n"));
	assert_int_equal(text[4 + 4], '-');
	assert_int_equal(text[4 + 10], 'T');
	assert_string_equal(text + 4 + 23, "Z kestrel: hello 42\n");
	unlink(path);

	/* a new file is private */
	fd = log_file_open(path);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);	/* under the usual umask 022 */
	close(fd);
	unlink(path);

	/* a directory that does not exist */
	snprintf(path, sizeof(path), "%s/no/k.log", dir);
	assert_int_equal(log_file_open(path), -ENOENT);
	rmdir(dir);
	umask(old_umask);
}

/* The guest-error rate limit: one line for the first, then powers of two only. */
static void test_rate_limit(void **state)
{
	uint64_t c = 0, d = 0;
	unsigned firsts = 0, pow2s = 0;

	(void)state;
	for (unsigned i = 0; i < 1000; i++) {
		firsts += log_first(&c);
		pow2s += log_pow2(&d);
	}
	assert_int_equal(firsts, 1);
	assert_int_equal(c, 1000);
	/* 1, 2, 4, ..., 512 */
	assert_int_equal(pow2s, 10);
	assert_int_equal(log_count(&d), 1001);
}

#define RL_THREADS 4
#define RL_EACH 10000

static void *rate_limit_thread(void *arg)
{
	uint64_t *c = ((uint64_t **)arg)[0];
	unsigned *firsts = ((unsigned **)arg)[1];

	for (unsigned i = 0; i < RL_EACH; i++)
		if (log_first(c))
			__atomic_add_fetch(firsts, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* Counted atomically: vCPU threads share one counter per kind. */
static void test_rate_limit_threads(void **state)
{
	uint64_t c = 0;
	unsigned firsts = 0;
	void *args[2] = {&c, &firsts};
	pthread_t t[RL_THREADS];

	(void)state;
	for (unsigned i = 0; i < RL_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, rate_limit_thread, args), 0);
	for (unsigned i = 0; i < RL_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(c, RL_THREADS * RL_EACH);
	assert_int_equal(firsts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_cut),
		cmocka_unit_test(test_output_file),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_rate_limit_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
