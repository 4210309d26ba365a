// SPDX-License-Identifier: GPL-2.0-only
#include "lib/thread_kick.h"

#include <signal.h>

void thread_kick_init(struct thread_kick *k)
{
	pthread_mutex_init(&k->lock, NULL);
	k->armed = false;
}

void thread_kick_destroy(struct thread_kick *k)
{
	pthread_mutex_destroy(&k->lock);
}

void thread_kick_arm(struct thread_kick *k)
{
	pthread_mutex_lock(&k->lock);
	k->self = pthread_self();
	k->armed = true;
	pthread_mutex_unlock(&k->lock);
}

void thread_kick_disarm(struct thread_kick *k)
{
	pthread_mutex_lock(&k->lock);
	k->armed = false;
	pthread_mutex_unlock(&k->lock);
}

bool thread_kick(struct thread_kick *k, int sig, void (*before)(void *ctx), void *ctx)
{
	bool kicked = false;

	pthread_mutex_lock(&k->lock);
	if (k->armed && !pthread_equal(k->self, pthread_self())) {
		if (before)
			before(ctx);
		pthread_kill(k->self, sig);
		kicked = true;
	}
	pthread_mutex_unlock(&k->lock);
	return kicked;
}
