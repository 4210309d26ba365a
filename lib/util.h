/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small pure helpers for parsing user input. No state, any thread.
 */
#ifndef KESTREL_LIB_UTIL_H
#define KESTREL_LIB_UTIL_H

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Parse a size such as "256M", "2G", "1024K", "65536" (bytes) into *out.
 * Suffixes K, M, G, T (binary, case-insensitive, optional trailing "iB"/"B").
 * Returns 0, -EINVAL for malformed text, -ERANGE on overflow.
 */
int parse_size(const char *s, uint64_t *out);

/* Parse a decimal unsigned integer in [min, max]. 0, -EINVAL or -ERANGE. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
