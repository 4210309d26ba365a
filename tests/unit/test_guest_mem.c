// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: guest memory bounds checks (lib/guest_mem.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/guest_mem.h"

#define BASE 0x80000000ULL
#define SIZE (4ULL << 20)

static void test_init_errors(void **state)
{
	struct guest_mem m;

	assert_int_equal(guest_mem_init(&m, BASE, 0, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, BASE, 4095, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, BASE + 1, SIZE, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, UINT64_MAX - 4095, SIZE, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, BASE, 4096, true), -EINVAL); /* not 2 MiB */
	guest_mem_destroy(&m);
	guest_mem_destroy(&m);
}

static void test_bounds(void **state)
{
	struct guest_mem m;
	uint8_t buf[16] = { 1, 2, 3, 4 }, back[16];

	assert_int_equal(guest_mem_init(&m, BASE, SIZE, false), 0);
	assert_true(guest_mem_in_range(&m, BASE, SIZE));
	assert_true(guest_mem_in_range(&m, BASE + SIZE, 0));
	assert_false(guest_mem_in_range(&m, BASE + SIZE, 1));
	assert_false(guest_mem_in_range(&m, BASE - 1, 1));
	assert_false(guest_mem_in_range(&m, BASE, SIZE + 1));
	assert_false(guest_mem_in_range(&m, BASE + 8, UINT64_MAX));
	assert_false(guest_mem_in_range(&m, UINT64_MAX, 2));
	assert_null(guest_mem_ptr(&m, 0, 16));
	assert_null(guest_mem_ptr(&m, BASE + SIZE - 8, 16));
	assert_ptr_equal(guest_mem_ptr(&m, BASE + 16, 16), m.host + 16);

	assert_int_equal(guest_mem_write(&m, BASE + SIZE - 16, buf, 16), 0);
	assert_int_equal(guest_mem_read(&m, BASE + SIZE - 16, back, 16), 0);
	assert_memory_equal(buf, back, 16);
	assert_int_equal(guest_mem_write(&m, BASE + SIZE - 15, buf, 16), -EFAULT);
	assert_int_equal(guest_mem_read(&m, BASE - 16, back, 16), -EFAULT);
	/* a failed write touches nothing */
	assert_int_equal(m.host[SIZE - 1], 0);

	assert_int_equal(guest_mem_clear(&m), 0);
	assert_int_equal(m.host[SIZE - 16], 0);
	guest_mem_destroy(&m);
	assert_null(guest_mem_ptr(&m, BASE, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
