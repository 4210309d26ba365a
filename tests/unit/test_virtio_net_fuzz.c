// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test: replays the virtio-net fuzz target (tests/fuzz/fuzz_virtio_net.c,
 * which includes devices/virtio_net.c to reach its static tx/rx paths) on its
 * hand-made seeds and on every input kept in tests/fuzz/regress/fuzz_virtio_net/,
 * under the unit tests' ASan/UBSan. A file of its own: the target brings its
 * own copy of virtio_net.c, which test_virtio_net.c links from the library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/fakes/fuzz_replay.h"

#define LLVMFuzzerTestOneInput fuzz_virtio_net_one
#include "tests/fuzz/fuzz_virtio_net.c"

/* Seeds: a frame each way, vnet header + indirect + EVENT_IDX + a dead tap, hostile chains. */
static void test_fuzz_regressions(void **state)
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int n, total = 0;

	(void)state;
	assert_int_equal(fuzz_virtio_net_one((const uint8_t *)"", 0), 0);
	for (size_t i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], "fuzz_virtio_net");
		n = fuzz_replay_dir(dir, fuzz_virtio_net_one);
		assert_true(n >= 0);
		total += n;
	}
	assert_true(total >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
