// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the kick gate (lib/thread_kick.c). A kick reaches an armed
 * worker from another thread, never the worker itself, never a thread that
 * is not armed yet or was disarmed, and no kick runs after disarm returned
 * even with kickers racing the join.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/thread_kick.h"

#define SIG SIGUSR2

struct worker {
	struct thread_kick k;
	pthread_t t;
	atomic_int armed; /* the worker armed its gate */
	atomic_int self_kick; /* result of the worker kicking itself */
	atomic_int got; /* signals taken by sigwait */
	atomic_bool quit;
};

static void before(void *ctx)
{
	atomic_int *n = ctx;

	atomic_fetch_add(n, 1);
}

/* The worker blocks SIG and takes it with sigwait: a kick is observed, not raced. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	sigset_t set;
	atomic_int dummy = 0;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIG);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	thread_kick_arm(&w->k);
	atomic_store(&w->self_kick, thread_kick(&w->k, SIG, before, &dummy) ? 1 : 0);
	atomic_store(&w->armed, 1);
	while (!atomic_load(&w->quit)) {
		if (sigwait(&set, &sig) == 0 && sig == SIG)
			atomic_fetch_add(&w->got, 1);
	}
	return NULL;
}

static void block_sig(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void start(struct worker *w)
{
	thread_kick_init(&w->k);
	atomic_init(&w->armed, 0);
	atomic_init(&w->got, 0);
	atomic_init(&w->self_kick, -1);
	atomic_init(&w->quit, false);
	assert_int_equal(pthread_create(&w->t, NULL, worker_main, w), 0);
	while (!atomic_load(&w->armed))
		sched_yield();
}

/* Ends the worker: the last kick both sets quit's effect and wakes sigwait. */
static void stop(struct worker *w)
{
	atomic_int n = 0;

	atomic_store(&w->quit, true);
	assert_true(thread_kick(&w->k, SIG, before, &n));
	pthread_join(w->t, NULL);
	thread_kick_destroy(&w->k);
}

static void test_not_armed(void **state)
{
	struct thread_kick k;
	atomic_int n = 0;

	thread_kick_init(&k);
	assert_false(thread_kick(&k, SIG, before, &n));
	assert_int_equal(atomic_load(&n), 0);
	thread_kick_destroy(&k);
}

static void test_kick_reaches_worker(void **state)
{
	struct worker w;
	atomic_int n = 0;

	start(&w);
	assert_int_equal(atomic_load(&w.self_kick), 0); /* self kick skipped */
	assert_true(thread_kick(&w.k, SIG, before, &n));
	assert_int_equal(atomic_load(&n), 1);
	while (atomic_load(&w.got) < 1)
		sched_yield();
	stop(&w);
	assert_true(atomic_load(&w.got) >= 1);
}

static void test_disarmed_not_kicked(void **state)
{
	struct worker w;
	atomic_int n = 0;

	start(&w);
	thread_kick_disarm(&w.k);
	assert_false(thread_kick(&w.k, SIG, before, &n));
	assert_int_equal(atomic_load(&n), 0);
	/* end the worker without the gate */
	atomic_store(&w.quit, true);
	pthread_kill(w.t, SIG);
	pthread_join(w.t, NULL);
	/* after the join a kick must not touch the dead thread */
	assert_false(thread_kick(&w.k, SIG, before, &n));
	thread_kick_destroy(&w.k);
}

struct racer {
	struct worker *w;
	atomic_bool *disarmed;
	atomic_bool *done;
	atomic_int late; /* kicks whose before() ran after disarm returned */
	atomic_int n;
};

static void count_late(void *ctx)
{
	struct racer *r = ctx;

	atomic_fetch_add(&r->n, 1);
	if (atomic_load(r->disarmed))
		atomic_fetch_add(&r->late, 1);
}

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	block_sig();
	while (!atomic_load(r->done))
		thread_kick(&r->w->k, SIG, count_late, r);
	return NULL;
}

static void test_disarm_races_kickers(void **state)
{
	for (int round = 0; round < 50; round++) {
		struct worker w;
		atomic_bool disarmed = false, done = false;
		struct racer r[3];
		pthread_t t[3];

		start(&w);
		for (int i = 0; i < 3; i++) {
			r[i] = (struct racer){.w = &w, .disarmed = &disarmed, .done = &done};
			atomic_init(&r[i].late, 0);
			atomic_init(&r[i].n, 0);
			assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
		}
		while (atomic_load(&r[0].n) < 3)
			sched_yield();
		thread_kick_disarm(&w.k);
		atomic_store(&disarmed, true);
		atomic_store(&w.quit, true);
		pthread_kill(w.t, SIG);
		pthread_join(w.t, NULL);
		atomic_store(&done, true);
		for (int i = 0; i < 3; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(atomic_load(&r[i].late), 0);
		}
		thread_kick_destroy(&w.k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_armed),
		cmocka_unit_test(test_kick_reaches_worker),
		cmocka_unit_test(test_disarmed_not_kicked),
		cmocka_unit_test(test_disarm_races_kickers),
	};

	block_sig(); /* only the workers' sigwait takes it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
