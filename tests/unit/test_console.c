// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the console escape filter (vmm/console.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vmm/console.h"

static size_t run(struct console *c, const char *in, char *out, bool *quit)
{
	size_t n = console_filter(c, (const uint8_t *)in, strlen(in), (uint8_t *)out, quit);

	out[n] = '\0';
	return n;
}

static void test_passthrough_not_tty(void **state)
{
	struct console c = {.is_tty = false};
	char out[32];
	bool quit;

	/* without a terminal, Ctrl-a x is data */
	assert_int_equal(run(&c, "a\x01x", out, &quit), 3);
	assert_false(quit);
	assert_string_equal(out, "a\x01x");
}

static void test_escape(void **state)
{
	struct console c = {.is_tty = true};
	char out[32];
	bool quit;

	assert_int_equal(run(&c, "ls\r", out, &quit), 3);
	assert_false(quit);
	assert_int_equal(run(&c, "ab\x01x zz", out, &quit), 2);
	assert_true(quit);
	assert_string_equal(out, "ab");

	/* Ctrl-a Ctrl-a sends one Ctrl-a */
	c = (struct console){.is_tty = true};
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
	c = (struct console){.is_tty = true};
	assert_int_equal(run(&c, "\x01", out, &quit), 0);
	assert_int_equal(run(&c, "b", out, &quit), 2);
	assert_string_equal(out, "\x01"
				 "b");
}

static void default_actions(void)
{
	const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

/*
 * A child puts a pty in raw mode with console_init(), then dies of @sig:
 * the terminal must be back in its mode, and the child killed by @sig
 * itself (the default action, re-raised).
 */
static void crash_with(int sig)
{
	struct termios before, after;
	struct console c;
	int master, slave, status;
	pid_t pid;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(tcgetattr(slave, &before), 0);
	assert_true(before.c_lflag & ICANON);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit no_core = {0, 0};

		setrlimit(RLIMIT_CORE, &no_core);
		default_actions(); /* as in kestrel: no test-framework handlers */
		if (console_init(&c, slave) || !c.raw)
			_exit(10);
		if (sig == SIGABRT)
			abort();
		raise(sig);
		_exit(11); /* the signal did not end us */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_iflag, before.c_iflag);
	assert_int_equal(after.c_oflag, before.c_oflag);
	close(slave);
	close(master);
}

static void test_fatal_signals_restore_terminal(void **state)
{
	const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		crash_with(sigs[i]);
}

/* A real fault (not a raise): the handler returns, the access faults again, default action. */
static void test_real_fault_restores_terminal(void **state)
{
	struct termios before, after;
	struct console c;
	int master, slave, status;
	pid_t pid;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(tcgetattr(slave, &before), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit no_core = {0, 0};
		/* an inaccessible page, not NULL: a fault without undefined behaviour */
		volatile int *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		setrlimit(RLIMIT_CORE, &no_core);
		default_actions(); /* as in kestrel: no test-framework handlers */
		if (p == MAP_FAILED || console_init(&c, slave))
			_exit(10);
		*p = 1;
		_exit(11);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	assert_int_equal(tcgetattr(slave, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passthrough_not_tty),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_fatal_signals_restore_terminal),
		cmocka_unit_test(test_real_fault_restores_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
