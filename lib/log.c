// SPDX-License-Identifier: GPL-2.0-only
#include "lib/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level current_level = LOG_INFO;
static int out_fd = STDERR_FILENO;
static bool with_time;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_set_output(int fd, bool timestamps)
{
	out_fd = fd;
	with_time = timestamps;
}

size_t log_format(char *buf, size_t len, const struct timespec *ts, enum log_level level,
		  const char *msg)
{
	size_t o = 0;
	int n;

	if (ts) {
		struct tm tm;
		time_t sec = ts->tv_sec;

		if (gmtime_r(&sec, &tm))
			o = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
		n = snprintf(buf + o, len - o, ".%03ldZ ", (long)(ts->tv_nsec / 1000000));
		if (n > 0)
			o += (size_t)n;
	}
	n = snprintf(buf + o, len - o, "kestrel: %s%s", level == LOG_WARN ? "warning: " : "",
		     msg);
	if (n > 0)
		o += (size_t)n;
	if (o > len - 2)
		o = len - 2;
	buf[o++] = '\n';
	buf[o] = '\0';
	return o;
}

int log_parse_level(const char *s, enum log_level *out)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024], line[LOG_LINE_MAX];
	struct timespec ts;
	va_list ap;
	size_t len;
	int n;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (with_time)
		clock_gettime(CLOCK_REALTIME, &ts);
	len = log_format(line, sizeof(line), with_time ? &ts : NULL, level, buf);
	/* One write per line so lines from several threads do not interleave. */
	if (write(out_fd, line, len) < 0)
		return;	/* nowhere left to report it */
}

uint64_t log_count(uint64_t *count)
{
	return __atomic_add_fetch(count, 1, __ATOMIC_RELAXED);
}
