// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the drop-oldest byte ring (lib/byte_ring.c): order kept
 * across the wrap, the oldest bytes dropped and counted when full, a write
 * larger than the ring keeps its newest bytes, partial takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "lib/byte_ring.h"

static void put_str(struct byte_ring *r, const char *s, size_t want_dropped)
{
	assert_int_equal(byte_ring_put(r, (const uint8_t *)s, strlen(s)), want_dropped);
}

static void take_str(struct byte_ring *r, size_t max, const char *want)
{
	char buf[64] = {0};

	assert_int_equal(byte_ring_take(r, (uint8_t *)buf, max), strlen(want));
	assert_string_equal(buf, want);
}

static void test_init(void **state)
{
	struct byte_ring r;

	assert_int_equal(byte_ring_init(&r, 0), -EINVAL);
	assert_int_equal(byte_ring_init(&r, 8), 0);
	assert_int_equal(byte_ring_len(&r), 0);
	take_str(&r, 8, "");
	byte_ring_destroy(&r);
	byte_ring_destroy(&r); /* twice is harmless */
}

static void test_fifo_and_wrap(void **state)
{
	struct byte_ring r;

	assert_int_equal(byte_ring_init(&r, 8), 0);
	put_str(&r, "abcde", 0);
	take_str(&r, 3, "abc");
	put_str(&r, "fghij", 0); /* wraps: holds "defghij" */
	assert_int_equal(byte_ring_len(&r), 7);
	take_str(&r, 64, "defghij");
	assert_int_equal(byte_ring_len(&r), 0);
	byte_ring_destroy(&r);
}

static void test_full_drops_oldest(void **state)
{
	struct byte_ring r;

	assert_int_equal(byte_ring_init(&r, 8), 0);
	put_str(&r, "012345", 0);
	put_str(&r, "6789", 2); /* "01" go */
	take_str(&r, 64, "23456789");
	put_str(&r, "abcdefghijkl", 4); /* bigger than the ring: newest 8 stay */
	take_str(&r, 64, "efghijkl");
	put_str(&r, "xy", 0);
	put_str(&r, "0123456789", 4); /* "xy" and "01" go */
	take_str(&r, 64, "23456789");
	byte_ring_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_fifo_and_wrap),
		cmocka_unit_test(test_full_drops_oldest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
