/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kick gate: lets any thread interrupt one worker thread (a vCPU thread
 * blocked in KVM_RUN, say) with a signal, safely against that thread's end.
 *
 * - thread_kick_arm(), by the worker itself: from now on it may be kicked.
 * - thread_kick(), any thread: under the gate's lock, if armed and not
 *   called by the worker itself, runs @before (e.g. set kvm_run's
 *   immediate_exit) and sends @sig to the worker. Returns whether it did.
 * - thread_kick_disarm(), by whoever joins the worker, before joining: no
 *   kick after it returns can reach the thread, so pthread_kill never sees
 *   a joined (freed) thread id.
 * A kick of the worker by itself is skipped: the worker is then running its
 * own code and not blocked, and it looks at its work before blocking again.
 *
 * Memory: caller storage; init/destroy around its use. Locking: the gate's
 * mutex is innermost (callers may hold their own locks, @before must not
 * take any lock that a kicker may hold).
 */
#ifndef KESTREL_LIB_THREAD_KICK_H
#define KESTREL_LIB_THREAD_KICK_H

#include <pthread.h>
#include <stdbool.h>

struct thread_kick {
	pthread_mutex_t lock; /* guards self and armed */
	pthread_t self;
	bool armed;
};

void thread_kick_init(struct thread_kick *k);
void thread_kick_destroy(struct thread_kick *k);

/* The worker thread, once it is ready to be kicked. */
void thread_kick_arm(struct thread_kick *k);

/* Before joining the worker. Idempotent. */
void thread_kick_disarm(struct thread_kick *k);

/* Any thread. Returns true when @before ran and @sig was sent. */
bool thread_kick(struct thread_kick *k, int sig, void (*before)(void *ctx), void *ctx);

#endif
