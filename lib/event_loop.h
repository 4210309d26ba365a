/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: a fixed table of file descriptors, each with the poll(2)
 * events it waits for and a callback, dispatched by one poll() per
 * iteration. It knows nothing of what the fds are (eventfds, signalfd,
 * the console, sockets): the VMM's main thread registers them.
 *
 * Memory: the loop lives in caller storage; the table has EVENT_LOOP_MAX
 * entries and nothing is allocated, neither at registration nor per
 * iteration. The callbacks' ctx belong to the caller.
 *
 * Threads: single-threaded. Every function is called from the thread that
 * runs the loop, including from inside callbacks: a callback may add,
 * remove or re-arm sources (its own too); a removed source is not called
 * again, even later in the same iteration (nor is a new source registered
 * on its fd number), a source added during an iteration is polled from the
 * next one, and a source paused or re-armed during an iteration is called
 * later in it only for the events it still waits for (and POLLERR, POLLHUP,
 * POLLNVAL; never while paused). Other threads wake the loop by writing to
 * an eventfd that is registered here.
 */
#ifndef KESTREL_LIB_EVENT_LOOP_H
#define KESTREL_LIB_EVENT_LOOP_H

#include <poll.h>
#include <stdbool.h>

#define EVENT_LOOP_MAX 32

/* Called with the poll revents of @fd (POLLIN, POLLOUT, POLLHUP, POLLERR...). */
typedef void (*event_fn)(void *ctx, int fd, short revents);

struct event_source {
	int fd; /* -1: free slot */
	short events; /* 0: registered but not polled (paused) */
	event_fn fn;
	void *ctx;
};

struct event_loop {
	struct event_source src[EVENT_LOOP_MAX];
	struct pollfd pfd[EVENT_LOOP_MAX];
	unsigned n; /* slots in use at the front of src (some may be free) */
};

/* An empty loop. */
void event_loop_init(struct event_loop *el);

/*
 * Watches @fd for @events (POLLIN, POLLOUT; 0 to register it paused) and
 * calls @fn(@ctx, fd, revents) when poll reports any of them (or POLLHUP,
 * POLLERR, POLLNVAL). Returns 0, -EINVAL for fd < 0 or no @fn, -EEXIST when
 * @fd is already registered, -ENOSPC when the table is full.
 */
int event_loop_add(struct event_loop *el, int fd, short events, event_fn fn, void *ctx);

/* Changes the events @fd waits for (0 pauses it). Returns 0 or -ENOENT (also for fd < 0). */
int event_loop_set_events(struct event_loop *el, int fd, short events);

/* Stops watching @fd (the fd is not closed). Returns 0 or -ENOENT (also for fd < 0). */
int event_loop_remove(struct event_loop *el, int fd);

/*
 * One iteration: poll() the active sources for at most @timeout_ms
 * (-1: no limit; with no active source that is forever), then call the
 * callback of each source with events, in table order.
 * Returns the number of callbacks made (0 on timeout or EINTR), or -errno
 * when poll() fails otherwise.
 */
int event_loop_run_once(struct event_loop *el, int timeout_ms);

#endif
