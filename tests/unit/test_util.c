// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: size/int parsing (lib/util.c). The command line is in test_cli.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/util.h"

static void test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("256M", &v), 0);
	assert_int_equal(v, 256ULL << 20);
	assert_int_equal(parse_size("2G", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("2g", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("1024KiB", &v), 0);
	assert_int_equal(v, 1ULL << 20);
	assert_int_equal(parse_size("65536", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("M", &v), -EINVAL);
	assert_int_equal(parse_size("-1M", &v), -EINVAL);
	assert_int_equal(parse_size("12X", &v), -EINVAL);
	assert_int_equal(parse_size("12MM", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
}

static void test_parse_uint(void **state)
{
	uint64_t v;

	assert_int_equal(parse_uint("4", 1, 8, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(parse_uint("0", 1, 8, &v), -ERANGE);
	assert_int_equal(parse_uint("9", 1, 8, &v), -ERANGE);
	assert_int_equal(parse_uint("4x", 1, 8, &v), -EINVAL);
	assert_int_equal(parse_uint(" 4", 1, 8, &v), -EINVAL);
	assert_int_equal(parse_uint("-4", 0, 8, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_uint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
