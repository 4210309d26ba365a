/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Logging with a level, to stderr or to another fd. The level and the output
 * are set by main() before any thread starts and only read afterwards (the
 * one process-wide setting). Every line starts "kestrel: " so the user can
 * tell it from guest output; with timestamps on (a log file), the line starts
 * with the UTC time to the millisecond first:
 *   2026-12-03T18:21:34.123Z kestrel: warning: ...
 * Each line is one write(2) (at most LOG_LINE_MAX bytes, cut), so lines from
 * several threads do not interleave and an O_APPEND file gets whole lines.
 * Opening the file is the caller's job (this floor knows no VMM options).
 */
#ifndef KESTREL_LIB_LOG_H
#define KESTREL_LIB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LOG_LINE_MAX 1100

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns -EINVAL otherwise. */
int log_parse_level(const char *s, enum log_level *out);
/*
 * Sends the lines to @fd (STDERR_FILENO at start), prefixed with a timestamp
 * when @timestamps. The fd stays the caller's: set it back to stderr before
 * closing it.
 */
void log_set_output(int fd, bool timestamps);
/*
 * Formats one line, '\n' included, into @buf (@len bytes, at least 64):
 * the timestamp of @ts (CLOCK_REALTIME) when @ts is not NULL, then
 * "kestrel: ", "warning: " for LOG_WARN, and @msg. Returns its length
 * (less than @len; a long @msg is cut, the newline kept).
 */
size_t log_format(char *buf, size_t len, const struct timespec *ts, enum log_level level,
		  const char *msg);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Rate limit for messages a guest can cause at will: counts one more event
 * in *count (atomically, from any thread) and returns the new count. Callers
 * print a line for a count of 1 only (log_first()), or at powers of two
 * (log_pow2(), debug lines): one guest error never floods the log.
 */
uint64_t log_count(uint64_t *count);
static inline bool log_first(uint64_t *count)
{
	return log_count(count) == 1;
}
static inline bool log_pow2(uint64_t *count)
{
	uint64_t n = log_count(count);

	return !(n & (n - 1));
}

#define log_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
