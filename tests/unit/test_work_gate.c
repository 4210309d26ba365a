// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the work gate (lib/work_gate.c). close() returns only once no
 * worker is inside and keeps workers out until open(); closes nest; a
 * worker waiting at a closed gate leaves when its stop flag is set and the
 * gate kicked; many workers against repeated closes never do work while
 * the gate is closed (also run under TSan, scripts/tsan.sh).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "lib/work_gate.h"

/* A short real wait, for asserting that something does NOT happen. */
static void nap_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Spins (with naps) until *@v == @want, at most 10 s. */
static void wait_int(atomic_int *v, int want)
{
	for (int i = 0; i < 10000 && atomic_load(v) != want; i++)
		nap_ms(1);
	assert_int_equal(atomic_load(v), want);
}

/* Spins (with naps) until *@v > @than, at most 10 s. */
static void wait_int_above(atomic_int *v, int than)
{
	for (int i = 0; i < 10000 && atomic_load(v) <= than; i++)
		nap_ms(1);
	assert_true(atomic_load(v) > than);
}

struct one {
	struct work_gate *g;
	bool stop;
	atomic_int state; /* 0 start, 1 entering, 2 inside, 3 left, 4 refused */
	atomic_int release; /* set: leave */
};

static void *one_worker(void *arg)
{
	struct one *o = arg;

	atomic_store(&o->state, 1);
	if (!work_gate_enter(o->g, &o->stop)) {
		atomic_store(&o->state, 4);
		return NULL;
	}
	atomic_store(&o->state, 2);
	while (!atomic_load(&o->release))
		nap_ms(1);
	work_gate_leave(o->g);
	atomic_store(&o->state, 3);
	return NULL;
}

struct closer {
	struct work_gate *g;
	atomic_int done;
};

static void *closer_main(void *arg)
{
	struct closer *c = arg;

	work_gate_close(c->g);
	atomic_store(&c->done, 1);
	return NULL;
}

/* close() waits for the worker inside; the worker cannot enter again until open(). */
static void test_close_waits_for_inside(void **state)
{
	struct work_gate g;
	struct one o = {.g = &g};
	struct closer c = {.g = &g};
	pthread_t tw, tc;

	(void)state;
	assert_int_equal(work_gate_init(&g), 0);
	assert_int_equal(pthread_create(&tw, NULL, one_worker, &o), 0);
	wait_int(&o.state, 2);
	assert_int_equal(pthread_create(&tc, NULL, closer_main, &c), 0);
	nap_ms(50);
	assert_int_equal(atomic_load(&c.done), 0); /* a worker is inside */
	atomic_store(&o.release, 1);
	wait_int(&c.done, 1);
	pthread_join(tc, NULL);
	pthread_join(tw, NULL);
	assert_true(work_gate_is_closed(&g));

	/* a new worker waits at the closed gate, and enters after open() */
	struct one o2 = {.g = &g};

	assert_int_equal(pthread_create(&tw, NULL, one_worker, &o2), 0);
	wait_int(&o2.state, 1);
	nap_ms(50);
	assert_int_equal(atomic_load(&o2.state), 1);
	work_gate_open(&g);
	wait_int(&o2.state, 2);
	atomic_store(&o2.release, 1);
	pthread_join(tw, NULL);
	assert_int_equal(atomic_load(&o2.state), 3);
	assert_false(work_gate_is_closed(&g));
	work_gate_destroy(&g);
}

/* Closes nest: the gate opens after the last open(). close() of an idle gate returns at once. */
static void test_nested(void **state)
{
	struct work_gate g;
	struct one o = {.g = &g};
	pthread_t tw;

	(void)state;
	assert_int_equal(work_gate_init(&g), 0);
	work_gate_close(&g);
	work_gate_close(&g);
	assert_int_equal(pthread_create(&tw, NULL, one_worker, &o), 0);
	wait_int(&o.state, 1);
	work_gate_open(&g);
	assert_true(work_gate_is_closed(&g));
	nap_ms(50);
	assert_int_equal(atomic_load(&o.state), 1);
	work_gate_open(&g);
	wait_int(&o.state, 2);
	atomic_store(&o.release, 1);
	pthread_join(tw, NULL);
	/* an extra open() is harmless */
	work_gate_open(&g);
	assert_false(work_gate_is_closed(&g));
	work_gate_destroy(&g);
}

/* A worker waiting at a closed gate gives up when its stop flag is set and the gate kicked. */
static void test_stop_while_waiting(void **state)
{
	struct work_gate g;
	struct one o = {.g = &g};
	pthread_t tw;

	(void)state;
	assert_int_equal(work_gate_init(&g), 0);
	work_gate_close(&g);
	assert_int_equal(pthread_create(&tw, NULL, one_worker, &o), 0);
	wait_int(&o.state, 1);
	__atomic_store_n(&o.stop, true, __ATOMIC_RELEASE);
	work_gate_kick(&g);
	wait_int(&o.state, 4);
	pthread_join(tw, NULL);
	/* stop set: enter refuses even on an open gate */
	work_gate_open(&g);
	assert_false(work_gate_enter(&g, &o.stop));
	work_gate_destroy(&g);
}

#define NR_WORKERS 4

struct stress {
	struct work_gate g;
	bool stop;
	atomic_int work; /* done inside the gate */
	atomic_int bad; /* work seen while the gate was closed */
	atomic_int closed; /* the controller holds the gate closed */
};

static void *stress_worker(void *arg)
{
	struct stress *s = arg;

	while (work_gate_enter(&s->g, &s->stop)) {
		if (atomic_load(&s->closed))
			atomic_fetch_add(&s->bad, 1);
		atomic_fetch_add(&s->work, 1);
		work_gate_leave(&s->g);
	}
	return NULL;
}

/* Many workers, repeated closes: no work happens between close() and open(). */
static void test_stress(void **state)
{
	static struct stress s;
	pthread_t t[NR_WORKERS];

	(void)state;
	assert_int_equal(work_gate_init(&s.g), 0);
	for (int i = 0; i < NR_WORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, stress_worker, &s), 0);
	for (int round = 0; round < 200; round++) {
		int before;

		work_gate_close(&s.g);
		atomic_store(&s.closed, 1);
		before = atomic_load(&s.work);
		if (round % 50 == 0)
			nap_ms(5);
		assert_int_equal(atomic_load(&s.work), before);
		atomic_store(&s.closed, 0);
		work_gate_open(&s.g);
		/*
		 * Every tenth round, let the workers through before closing
		 * again: without it a loaded machine may not schedule them at
		 * all between an open and the next close, and the test would
		 * only show that nothing ran.
		 */
		if (round % 10 == 0)
			wait_int_above(&s.work, before);
	}
	__atomic_store_n(&s.stop, true, __ATOMIC_RELEASE);
	work_gate_kick(&s.g);
	for (int i = 0; i < NR_WORKERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&s.bad), 0);
	assert_true(atomic_load(&s.work) > 0);
	work_gate_destroy(&s.g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_waits_for_inside),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_stop_while_waiting),
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
