// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the event loop (lib/event_loop.c) on real eventfds and pipes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/event_loop.h"

/* One watched fd: what its callback saw, and what it does to the loop. */
struct src {
	struct event_loop *el;
	int fd;
	int calls;
	short revents; /* of the last call */
	int seen_fd; /* fd argument of the last call */
	/* actions of the callback, done on each call */
	int remove_fd; /* >= 0: event_loop_remove(remove_fd) */
	int remove_ret;
	int pause_fd; /* >= 0: event_loop_set_events(pause_fd, 0) */
	int add_fd; /* >= 0: event_loop_add(add_fd, POLLIN, cb, add_ctx) */
	struct src *add_ctx;
	int add_ret;
	bool drain; /* read the eventfd's counter */
};

static void cb(void *ctx, int fd, short revents)
{
	struct src *s = ctx;

	s->calls++;
	s->revents = revents;
	s->seen_fd = fd;
	if (s->drain) {
		uint64_t v;

		assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	}
	if (s->remove_fd >= 0)
		s->remove_ret = event_loop_remove(s->el, s->remove_fd);
	if (s->pause_fd >= 0)
		assert_int_equal(event_loop_set_events(s->el, s->pause_fd, 0), 0);
	if (s->add_fd >= 0)
		s->add_ret = event_loop_add(s->el, s->add_fd, POLLIN, cb, s->add_ctx);
}

static void src_init(struct src *s, struct event_loop *el, int fd)
{
	*s = (struct src){.el = el, .fd = fd, .remove_fd = -1, .pause_fd = -1, .add_fd = -1};
}

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void kick(int fd)
{
	uint64_t one = 1;

	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

static void test_add_remove_errors(void **state)
{
	struct event_loop el;
	struct src s;

	event_loop_init(&el);
	src_init(&s, &el, 5);
	assert_int_equal(event_loop_add(&el, -1, POLLIN, cb, &s), -EINVAL);
	assert_int_equal(event_loop_add(&el, 5, POLLIN, NULL, &s), -EINVAL);
	assert_int_equal(event_loop_remove(&el, 5), -ENOENT);
	assert_int_equal(event_loop_set_events(&el, 5, POLLIN), -ENOENT);
	assert_int_equal(event_loop_add(&el, 5, POLLIN, cb, &s), 0);
	assert_int_equal(event_loop_add(&el, 5, POLLOUT, cb, &s), -EEXIST);
	assert_int_equal(event_loop_set_events(&el, 5, POLLOUT), 0);
	assert_int_equal(event_loop_set_events(&el, 6, POLLOUT), -ENOENT);
	assert_int_equal(event_loop_remove(&el, 6), -ENOENT);
	assert_int_equal(event_loop_remove(&el, 5), 0);
	assert_int_equal(event_loop_remove(&el, 5), -ENOENT);
	assert_int_equal(event_loop_set_events(&el, 5, POLLIN), -ENOENT);
	/* the same fd may be registered again once removed */
	assert_int_equal(event_loop_add(&el, 5, POLLIN, cb, &s), 0);
}

/* A negative fd is never registered, even though free slots hold fd -1. */
static void test_negative_fd_not_found(void **state)
{
	struct event_loop el;
	struct src s;

	event_loop_init(&el);
	assert_int_equal(event_loop_remove(&el, -1), -ENOENT);
	assert_int_equal(event_loop_set_events(&el, -1, POLLIN), -ENOENT);
	src_init(&s, &el, 7);
	assert_int_equal(event_loop_add(&el, 7, POLLIN, cb, &s), 0);
	assert_int_equal(event_loop_add(&el, 8, POLLIN, cb, &s), 0);
	assert_int_equal(event_loop_remove(&el, 7), 0); /* slot 0 is now free */
	assert_int_equal(event_loop_remove(&el, -1), -ENOENT);
	assert_int_equal(event_loop_set_events(&el, -1, POLLIN), -ENOENT);
	assert_int_equal(event_loop_remove(&el, 8), 0);
}

static void test_table_full(void **state)
{
	struct event_loop el;
	struct src s;

	event_loop_init(&el);
	src_init(&s, &el, -1);
	/* registration does not look at the fds: numbers suffice */
	for (int i = 0; i < EVENT_LOOP_MAX; i++)
		assert_int_equal(event_loop_add(&el, 100 + i, POLLIN, cb, &s), 0);
	assert_int_equal(event_loop_add(&el, 100 + EVENT_LOOP_MAX, POLLIN, cb, &s), -ENOSPC);
	/* a duplicate is still reported as such */
	assert_int_equal(event_loop_add(&el, 100, POLLIN, cb, &s), -EEXIST);
	/* a freed slot in the middle is reused */
	assert_int_equal(event_loop_remove(&el, 110), 0);
	assert_int_equal(event_loop_add(&el, 100 + EVENT_LOOP_MAX, POLLIN, cb, &s), 0);
	assert_int_equal(event_loop_add(&el, 110, POLLIN, cb, &s), -ENOSPC);
	/* and so is the last one */
	assert_int_equal(event_loop_remove(&el, 100 + EVENT_LOOP_MAX - 1), 0);
	assert_int_equal(event_loop_add(&el, 110, POLLIN, cb, &s), 0);
	assert_int_equal(event_loop_add(&el, 999, POLLIN, cb, &s), -ENOSPC);
}

static void test_dispatch_readable(void **state)
{
	struct event_loop el;
	struct src a, b, c;
	int fa = new_eventfd(), fb = new_eventfd(), fc = new_eventfd();

	event_loop_init(&el);
	src_init(&a, &el, fa);
	src_init(&b, &el, fb);
	src_init(&c, &el, fc);
	a.drain = b.drain = c.drain = true;
	assert_int_equal(event_loop_add(&el, fa, POLLIN, cb, &a), 0);
	assert_int_equal(event_loop_add(&el, fb, POLLIN, cb, &b), 0);
	assert_int_equal(event_loop_add(&el, fc, POLLIN, cb, &c), 0);

	kick(fb);
	/* the fd is readable already: a long timeout does not wait */
	assert_int_equal(event_loop_run_once(&el, 10000), 1);
	assert_int_equal(a.calls, 0);
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.seen_fd, fb);
	assert_true(b.revents & POLLIN);
	assert_int_equal(c.calls, 0);

	kick(fa);
	kick(fc);
	assert_int_equal(event_loop_run_once(&el, 10000), 2);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.seen_fd, fa);
	assert_int_equal(b.calls, 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.seen_fd, fc);

	/* all drained: nothing more */
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	assert_int_equal(a.calls + b.calls + c.calls, 3);

	/* POLLOUT: an eventfd is writable */
	assert_int_equal(event_loop_set_events(&el, fa, POLLOUT), 0);
	a.drain = false;
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(a.calls, 2);
	assert_true(a.revents & POLLOUT);
	close(fa);
	close(fb);
	close(fc);
}

/* Hang-ups and closed fds are reported even when not asked for. */
static void test_hup_and_nval(void **state)
{
	struct event_loop el;
	struct src r, n;
	int p[2], closed;

	assert_int_equal(pipe(p), 0);
	closed = new_eventfd();
	close(closed);
	event_loop_init(&el);
	src_init(&r, &el, p[0]);
	src_init(&n, &el, closed);
	assert_int_equal(event_loop_add(&el, p[0], POLLIN, cb, &r), 0);
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	close(p[1]);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_true(r.revents & POLLHUP);
	assert_int_equal(event_loop_remove(&el, p[0]), 0);
	close(p[0]);

	assert_int_equal(event_loop_add(&el, closed, POLLIN, cb, &n), 0);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_true(n.revents & POLLNVAL);
}

/* A callback removes a source later in the table: that one is not called. */
static void test_remove_other_in_callback(void **state)
{
	struct event_loop el;
	struct src a, b, c;
	int fa = new_eventfd(), fb = new_eventfd(), fc = new_eventfd();

	event_loop_init(&el);
	src_init(&a, &el, fa);
	src_init(&b, &el, fb);
	src_init(&c, &el, fc);
	a.drain = b.drain = c.drain = true;
	assert_int_equal(event_loop_add(&el, fa, POLLIN, cb, &a), 0);
	assert_int_equal(event_loop_add(&el, fb, POLLIN, cb, &b), 0);
	assert_int_equal(event_loop_add(&el, fc, POLLIN, cb, &c), 0);
	a.remove_fd = fb;
	kick(fa);
	kick(fb);
	kick(fc);
	assert_int_equal(event_loop_run_once(&el, 0), 2);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.remove_ret, 0);
	assert_int_equal(b.calls, 0);
	assert_int_equal(c.calls, 1);
	/* b stays readable but is gone for good */
	a.remove_fd = -1;
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	assert_int_equal(b.calls, 0);

	/* the last source removed by an earlier one (the table shrinks) */
	a.remove_fd = fc;
	kick(fa);
	kick(fc);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(c.calls, 1);

	/* a callback removing itself is fine, and is not called again */
	a.remove_fd = fa;
	kick(fa);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(a.calls, 3);
	assert_int_equal(a.remove_ret, 0);
	kick(fa);
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	assert_int_equal(a.calls, 3);
	close(fa);
	close(fb);
	close(fc);
}

/*
 * A callback removes a source and registers a new one on the same fd
 * number (a closed fd reused): the new source is polled from the next
 * iteration only, never handed the old one's events.
 */
static void test_replace_fd_in_callback(void **state)
{
	struct event_loop el;
	struct src a, b, b2;
	int fa = new_eventfd(), fb = new_eventfd();

	event_loop_init(&el);
	src_init(&a, &el, fa);
	src_init(&b, &el, fb);
	src_init(&b2, &el, fb);
	a.drain = b.drain = b2.drain = true;
	assert_int_equal(event_loop_add(&el, fa, POLLIN, cb, &a), 0);
	assert_int_equal(event_loop_add(&el, fb, POLLIN, cb, &b), 0);
	a.remove_fd = fb;
	a.add_fd = fb;
	a.add_ctx = &b2;
	kick(fa);
	kick(fb);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(a.add_ret, 0);
	assert_int_equal(b.calls, 0);
	assert_int_equal(b2.calls, 0);
	/* next iteration: the new source sees the fd */
	a.remove_fd = a.add_fd = -1;
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(b.calls, 0);
	assert_int_equal(b2.calls, 1);
	close(fa);
	close(fb);
}

/* A source added by a callback, in a fresh slot, waits for the next iteration. */
static void test_add_in_callback(void **state)
{
	struct event_loop el;
	struct src a, b;
	int fa = new_eventfd(), fb = new_eventfd();

	event_loop_init(&el);
	src_init(&a, &el, fa);
	src_init(&b, &el, fb);
	a.drain = b.drain = true;
	assert_int_equal(event_loop_add(&el, fa, POLLIN, cb, &a), 0);
	a.add_fd = fb;
	a.add_ctx = &b;
	kick(fa);
	kick(fb);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(a.add_ret, 0);
	assert_int_equal(b.calls, 0);
	a.add_fd = -1;
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(b.calls, 1);
	close(fa);
	close(fb);
}

static void test_paused_not_polled(void **state)
{
	struct event_loop el;
	struct src a, b;
	int fa = new_eventfd(), fb = new_eventfd();

	event_loop_init(&el);
	src_init(&a, &el, fa);
	src_init(&b, &el, fb);
	/* registered paused: readable but not called */
	assert_int_equal(event_loop_add(&el, fa, 0, cb, &a), 0);
	kick(fa);
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	assert_int_equal(a.calls, 0);
	/* resumed */
	assert_int_equal(event_loop_set_events(&el, fa, POLLIN), 0);
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(a.calls, 1);
	/* paused again (still readable: not drained) */
	assert_int_equal(event_loop_set_events(&el, fa, 0), 0);
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	assert_int_equal(a.calls, 1);

	/* paused by an earlier callback of the same iteration: not called */
	assert_int_equal(event_loop_set_events(&el, fa, POLLIN), 0);
	assert_int_equal(event_loop_add(&el, fb, POLLIN, cb, &b), 0);
	kick(fb);
	a.pause_fd = fb;
	assert_int_equal(event_loop_run_once(&el, 0), 1);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 0);
	close(fa);
	close(fb);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_timeout(void **state)
{
	struct event_loop el;
	struct src a;
	struct timespec t0;
	int fa = new_eventfd();

	event_loop_init(&el);
	/* an empty loop */
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	src_init(&a, &el, fa);
	assert_int_equal(event_loop_add(&el, fa, POLLIN, cb, &a), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(event_loop_run_once(&el, 30), 0);
	/* it did wait (poll sleeps at least the timeout) */
	assert_true(elapsed_ms(&t0) >= 29);
	assert_int_equal(a.calls, 0);
	close(fa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_remove_errors),
		cmocka_unit_test(test_negative_fd_not_found),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_dispatch_readable),
		cmocka_unit_test(test_hup_and_nval),
		cmocka_unit_test(test_remove_other_in_callback),
		cmocka_unit_test(test_replace_fd_in_callback),
		cmocka_unit_test(test_add_in_callback),
		cmocka_unit_test(test_paused_not_polled),
		cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
