// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/console.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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
