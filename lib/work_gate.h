/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A work gate: lets a controlling thread stop a set of worker threads at a
 * point where none of them holds any work (a device's workers while the VM
 * is paused, or while a disk's backing file is swapped).
 *
 * - work_gate_enter(), by a worker before it takes work (pops a request):
 *   waits while the gate is closed, then counts the worker inside. Returns
 *   false without entering when *@stop became true (the device is being
 *   reset or destroyed: the worker leaves instead of waiting), checked
 *   after each work_gate_kick().
 * - work_gate_leave(), by the worker once the work is done (request
 *   completed, interrupt raised).
 * - work_gate_close(), the controller: from now on no worker enters; returns
 *   once no worker is inside. Closes nest (a count): a pause and a backing
 *   swap may overlap, the gate opens after the last work_gate_open().
 * - work_gate_open(): undoes one close; at zero the waiting workers go on.
 * - work_gate_kick(): wakes workers waiting in enter to look at *stop.
 *
 * Memory: caller storage; init/destroy around its use. Locking: the gate's
 * mutex is innermost; a worker must not call close (it would wait for
 * itself), and must not hold a lock the controller takes while closing.
 */
#ifndef KESTREL_LIB_WORK_GATE_H
#define KESTREL_LIB_WORK_GATE_H

#include <pthread.h>
#include <stdbool.h>

struct work_gate {
	pthread_mutex_t lock; /* guards inside and closed */
	pthread_cond_t cond;
	unsigned int inside; /* workers between enter and leave */
	unsigned int closed; /* nested closes */
};

int work_gate_init(struct work_gate *g);
void work_gate_destroy(struct work_gate *g);

bool work_gate_enter(struct work_gate *g, const bool *stop);
void work_gate_leave(struct work_gate *g);
void work_gate_close(struct work_gate *g);
void work_gate_open(struct work_gate *g);
void work_gate_kick(struct work_gate *g);

/* Whether the gate is closed now (a snapshot, for tests and logs). */
bool work_gate_is_closed(struct work_gate *g);

#endif
