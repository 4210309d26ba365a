// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the console escape filter (vmm/console.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmm/console.h"

static size_t run(struct console *c, const char *in, char *out, bool *quit)
{
	size_t n = console_filter(c, (const uint8_t *)in, strlen(in), (uint8_t *)out, quit);

	out[n] = '\0';
	return n;
}

static void test_passthrough_not_tty(void **state)
{
	struct console c = { .is_tty = false };
	char out[32];
	bool quit;

	/* without a terminal, Ctrl-a x is data */
	assert_int_equal(run(&c, "a\x01x", out, &quit), 3);
	assert_false(quit);
	assert_string_equal(out, "a\x01x");
}

static void test_escape(void **state)
{
	struct console c = { .is_tty = true };
	char out[32];
	bool quit;

	assert_int_equal(run(&c, "ls\r", out, &quit), 3);
	assert_false(quit);
	assert_int_equal(run(&c, "ab\x01x zz", out, &quit), 2);
	assert_true(quit);
	assert_string_equal(out, "ab");

	/* Ctrl-a Ctrl-a sends one Ctrl-a */
	c = (struct console){ .is_tty = true };
	assert_int_equal(run(&c, "\x01\x01q", out, &quit), 2);
	assert_false(quit);
	assert_string_equal(out, "\x01q");

	/* Ctrl-a then another key passes both on */
	assert_int_equal(run(&c, "\x01z", out, &quit), 2);
	assert_string_equal(out, "\x01z");

	/* split over two reads */
	assert_int_equal(run(&c, "k\x01", out, &quit), 1);
	assert_false(quit);
	assert_int_equal(run(&c, "x", out, &quit), 0);
	assert_true(quit);

	/* a held Ctrl-a comes out with the next read: len + 1 bytes */
	c = (struct console){ .is_tty = true };
	assert_int_equal(run(&c, "\x01", out, &quit), 0);
	assert_int_equal(run(&c, "b", out, &quit), 2);
	assert_string_equal(out, "\x01" "b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough_not_tty),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
