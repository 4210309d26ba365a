// SPDX-License-Identifier: GPL-2.0-only
#include "lib/event_loop.h"

#include <errno.h>

void event_loop_init(struct event_loop *el)
{
	for (unsigned i = 0; i < EVENT_LOOP_MAX; i++)
		el->src[i].fd = -1;
	el->n = 0;
}

/* Returns the slot of @fd, or -1 (also for fd < 0: free slots hold -1). */
static int find(const struct event_loop *el, int fd)
{
	if (fd < 0)
		return -1;
	for (unsigned i = 0; i < el->n; i++)
		if (el->src[i].fd == fd)
			return (int)i;
	return -1;
}

int event_loop_add(struct event_loop *el, int fd, short events, event_fn fn, void *ctx)
{
	unsigned i;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (find(el, fd) >= 0)
		return -EEXIST;
	for (i = 0; i < el->n; i++)
		if (el->src[i].fd < 0)
			break;
	if (i == EVENT_LOOP_MAX)
		return -ENOSPC;
	el->src[i] = (struct event_source){ .fd = fd, .events = events, .fn = fn, .ctx = ctx };
	/*
	 * Added from a callback into a slot of the current iteration (possibly
	 * on the fd number a removed source had): not dispatched before the
	 * next poll.
	 */
	el->pfd[i].fd = -1;
	el->pfd[i].revents = 0;
	if (i == el->n)
		el->n++;
	return 0;
}

int event_loop_set_events(struct event_loop *el, int fd, short events)
{
	int i = find(el, fd);

	if (i < 0)
		return -ENOENT;
	el->src[i].events = events;
	return 0;
}

int event_loop_remove(struct event_loop *el, int fd)
{
	int i = find(el, fd);

	if (i < 0)
		return -ENOENT;
	el->src[i].fd = -1;
	while (el->n && el->src[el->n - 1].fd < 0)
		el->n--;
	return 0;
}

int event_loop_run_once(struct event_loop *el, int timeout_ms)
{
	unsigned n = el->n, calls = 0;
	int r;

	for (unsigned i = 0; i < n; i++) {
		const struct event_source *s = &el->src[i];

		/* a negative fd makes poll() skip the entry */
		el->pfd[i].fd = (s->fd >= 0 && s->events) ? s->fd : -1;
		el->pfd[i].events = s->events;
		el->pfd[i].revents = 0;
	}
	r = poll(el->pfd, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned i = 0; i < n; i++) {
		const struct pollfd *p = &el->pfd[i];
		struct event_source *s = &el->src[i];
		short rev;

		if (!p->revents || p->fd < 0)
			continue;
		/*
		 * Removed, or replaced by another source, by an earlier callback:
		 * replaced slots have p->fd set to -1 by event_loop_add().
		 */
		if (s->fd != p->fd)
			continue;
		/* paused or re-armed by an earlier callback: only what it still waits for */
		rev = p->revents & (s->events | POLLERR | POLLHUP | POLLNVAL);
		if (!s->events || !rev)
			continue;
		s->fn(s->ctx, s->fd, rev);
		calls++;
	}
	return (int)calls;
}
