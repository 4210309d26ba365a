// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/console.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/*
 * What the fatal-signal handler restores: set by console_init() before the
 * handlers are installed, read-only afterwards.
 */
static struct {
	int fd;
	struct termios saved;
} fatal_state;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};

/*
 * Async-signal-safe, and within every thread's seccomp filter (the console
 * ioctls, tgkill to ourselves, rt_sigprocmask): the terminal back to its
 * mode, then the signal again with its default action (SA_RESETHAND), which
 * ends the process as if no handler had been there (core dump included).
 */
static void fatal_handler(int sig)
{
	sigset_t set;

	tcsetattr(fatal_state.fd, TCSANOW, &fatal_state.saved);
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

static void fatal_handlers_install(const struct console *c)
{
	struct sigaction sa = {.sa_handler = fatal_handler, .sa_flags = SA_RESETHAND};

	fatal_state.fd = c->in_fd;
	fatal_state.saved = c->saved;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

int console_init(struct console *c, int in_fd)
{
	struct termios t;

	memset(c, 0, sizeof(*c));
	c->in_fd = in_fd;
	c->is_tty = isatty(in_fd);
	if (!c->is_tty)
		return 0;
	if (tcgetattr(in_fd, &c->saved))
		return -errno;
	/* before raw mode: a crash from here on puts the terminal back */
	fatal_handlers_install(c);
	t = c->saved;
	cfmakeraw(&t);
	/* keep output post-processing so the host's own messages stay readable */
	t.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(in_fd, TCSANOW, &t))
		return -errno;
	c->raw = true;
	return 0;
}

void console_restore(struct console *c)
{
	if (c->raw) {
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
		c->raw = false;
	}
}

size_t console_filter(struct console *c, const uint8_t *in, size_t len, uint8_t *out, bool *quit)
{
	size_t n = 0;

	*quit = false;
	if (!c->is_tty) {
		memcpy(out, in, len);
		return len;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];

		if (c->escape_pending) {
			c->escape_pending = false;
			if (b == 'x' || b == 'X') {
				*quit = true;
				return n;
			}
			if (b == CONSOLE_ESCAPE) {
				out[n++] = CONSOLE_ESCAPE;
				continue;
			}
			/* not an escape: pass both on */
			out[n++] = CONSOLE_ESCAPE;
			out[n++] = b;
			continue;
		}
		if (b == CONSOLE_ESCAPE) {
			c->escape_pending = true;
			continue;
		}
		out[n++] = b;
	}
	return n;
}
