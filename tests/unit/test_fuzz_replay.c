// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test: replays the fuzz targets of the small devices (tests/fuzz/
 * fuzz_uart_16550.c, fuzz_pl031.c, fuzz_pl061.c, fuzz_image.c, fuzz_fdt.c) on their hand-made seeds
 * (tests/fuzz/corpus/<target>/) and on every input kept in
 * tests/fuzz/regress/<target>/, under the unit tests' ASan/UBSan; each
 * target aborts when its model check fails. The targets are included with
 * their entry point renamed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/fakes/fuzz_replay.h"

#define LLVMFuzzerTestOneInput fuzz_uart_16550_one
#include "tests/fuzz/fuzz_uart_16550.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_pl031_one
#include "tests/fuzz/fuzz_pl031.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_pl061_one
#include "tests/fuzz/fuzz_pl061.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_image_one
#include "tests/fuzz/fuzz_image.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_fdt_one
#include "tests/fuzz/fuzz_fdt.c"
#undef LLVMFuzzerTestOneInput

/* Replays both folders of @target; returns how many inputs ran. */
static int replay(const char *target, int (*one)(const uint8_t *, size_t))
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int n, total = 0;

	assert_int_equal(one((const uint8_t *)"", 0), 0);
	for (size_t i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], target);
		n = fuzz_replay_dir(dir, one);
		assert_true(n >= 0);
		total += n;
	}
	return total;
}

/* Seeds: Linux's 8250 probe and console, loopback with modem lines, a full receiver. */
static void test_uart_16550(void **state)
{
	(void)state;
	assert_true(replay("fuzz_uart_16550", fuzz_uart_16550_one) >= 3);
}

/* Seeds: rtc-pl031's probe and an alarm, a counter wrap with reset and bad widths. */
static void test_pl031(void **state)
{
	(void)state;
	assert_true(replay("fuzz_pl031", fuzz_pl031_one) >= 2);
}

/* Seeds: gpio-keys on both edges, level pins and outputs, plus the kept finding. */
static void test_pl061(void **state)
{
	(void)state;
	assert_true(replay("fuzz_pl061", fuzz_pl061_one) >= 3);
}

/* Seeds: Images with and without gzip, legacy, initrd, multi-member gzip, misfits. */
static void test_image(void **state)
{
	(void)state;
	assert_true(replay("fuzz_image", fuzz_image_one) >= 6);
}

/* Seeds: GICv3 with every device, GICv2 with 8 CPUs and an initrd, ITS with 64 CPUs, odd bytes. */
static void test_fdt(void **state)
{
	(void)state;
	assert_true(replay("fuzz_fdt", fuzz_fdt_one) >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uart_16550), cmocka_unit_test(test_pl031),
		cmocka_unit_test(test_pl061),	   cmocka_unit_test(test_image),
		cmocka_unit_test(test_fdt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
