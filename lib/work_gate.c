// SPDX-License-Identifier: GPL-2.0-only
#include "lib/work_gate.h"

int work_gate_init(struct work_gate *g)
{
	int ret;

	g->inside = 0;
	g->closed = 0;
	ret = pthread_mutex_init(&g->lock, NULL);
	if (ret)
		return -ret;
	ret = pthread_cond_init(&g->cond, NULL);
	if (ret) {
		pthread_mutex_destroy(&g->lock);
		return -ret;
	}
	return 0;
}

void work_gate_destroy(struct work_gate *g)
{
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
}

bool work_gate_enter(struct work_gate *g, const bool *stop)
{
	bool in = false;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		if (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))
			break;
		if (!g->closed) {
			g->inside++;
			in = true;
			break;
		}
		pthread_cond_wait(&g->cond, &g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return in;
}

void work_gate_leave(struct work_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->inside--;
	if (!g->inside && g->closed)
		pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void work_gate_close(struct work_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->closed++;
	while (g->inside)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

void work_gate_open(struct work_gate *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->closed && !--g->closed)
		pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void work_gate_kick(struct work_gate *g)
{
	pthread_mutex_lock(&g->lock);
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

bool work_gate_is_closed(struct work_gate *g)
{
	bool closed;

	pthread_mutex_lock(&g->lock);
	closed = g->closed != 0;
	pthread_mutex_unlock(&g->lock);
	return closed;
}
