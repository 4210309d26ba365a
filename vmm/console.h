/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host side of the guest console: kestrel's stdin and stdout.
 *
 * When stdin is a terminal it is put in raw mode (so Ctrl-C, arrow keys and
 * the like reach the guest) and restored on every exit path: console_restore()
 * is idempotent and is called from vm teardown, from the fatal-signal path
 * and at exit. In raw mode the escape sequence Ctrl-a x quits kestrel, and
 * Ctrl-a Ctrl-a sends one Ctrl-a to the guest; console_filter() implements
 * that as a pure function over a small state (unit-tested).
 *
 * One struct console per process, owned by main/vm code, used from the main
 * thread only.
 */
#ifndef KESTREL_VMM_CONSOLE_H
#define KESTREL_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define CONSOLE_ESCAPE 0x01 /* Ctrl-a */

struct console {
	int in_fd;
	bool is_tty;
	bool raw; /* termios changed, saved holds the original */
	struct termios saved;
	bool escape_pending; /* previous byte was Ctrl-a (raw mode only) */
};

/*
 * Sets up @c for @in_fd; puts a terminal in raw mode, after installing
 * handlers for SIGSEGV, SIGBUS, SIGABRT, SIGILL and SIGFPE that restore its
 * mode and re-raise the signal with its default action. Returns 0 or -errno.
 */
int console_init(struct console *c, int in_fd);

/* Restores the terminal if it was changed. Safe to call many times. */
void console_restore(struct console *c);

/*
 * Copies @len input bytes to @out (room for @len + 1 bytes: a Ctrl-a held
 * back from the previous call may come out now), handling the escape
 * sequence when @c->is_tty. Returns the number of bytes written to @out;
 * sets *@quit when Ctrl-a x was seen (bytes after it are dropped).
 */
size_t console_filter(struct console *c, const uint8_t *in, size_t len, uint8_t *out, bool *quit);

#endif
