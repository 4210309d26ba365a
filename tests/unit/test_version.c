// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the `kestrel --version` text (vmm/version.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "vmm/version.h"

static void test_arm64_static(void **state)
{
	const struct build_features f = {
		.version = "1.2.3",
		.kvm = true,
		.seccomp = true,
		.static_link = true,
	};
	char buf[512];

	assert_int_equal(version_format(&f, buf, sizeof(buf)), 0);
	/* the first line stays "kestrel VERSION" for scripts */
	assert_memory_equal(buf, "kestrel 1.2.3\n", 14);
	assert_non_null(strstr(buf, "\nfeatures: +kvm +seccomp +api +static -test-hooks\n"));
	assert_non_null(strstr(buf, "\nio engines: sync\n"));
	assert_non_null(strstr(buf, "\nirqchips: kvm-v3 kvm-v2 user\n"));
}

static void test_stub_build(void **state)
{
	const struct build_features f = {.version = "0.1.0", .test_hooks = true};
	char buf[512];

	assert_int_equal(version_format(&f, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "\nfeatures: -kvm -seccomp +api -static +test-hooks\n"));
	assert_non_null(strstr(buf, "\nirqchips: none (not an arm64 build)\n"));
}

static void test_short_buffer(void **state)
{
	const struct build_features f = {.version = "0.1.0"};
	char buf[40];

	assert_int_equal(version_format(&f, buf, sizeof(buf)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm64_static),
		cmocka_unit_test(test_stub_build),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
