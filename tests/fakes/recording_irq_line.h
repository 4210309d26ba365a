/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test fake: an irq_line that records every irq_line_set() call instead of
 * reaching an interrupt controller (used by the UART and PL031 unit tests).
 * Header-only so a test needs no extra source in meson. The recorder lives in
 * the test's storage; its mutex makes it safe to call from several threads,
 * as a real irq line must be. recording_irq_line() returns a line whose ctx
 * points at the recorder, which must outlive the device using it.
 */
#ifndef KESTREL_TESTS_FAKES_RECORDING_IRQ_LINE_H
#define KESTREL_TESTS_FAKES_RECORDING_IRQ_LINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/irq_line.h"

struct irq_recorder {
	pthread_mutex_t lock;
	unsigned int calls; /* irq_line_set() calls since the last clear */
	unsigned int raises; /* of which level 1 */
	unsigned int lowers; /* of which level 0 */
	bool level; /* level of the last call */
	uint32_t last_intid;
};

static inline void irq_recorder_set(void *ctx, uint32_t intid, bool level)
{
	struct irq_recorder *rec = ctx;

	pthread_mutex_lock(&rec->lock);
	rec->calls++;
	if (level)
		rec->raises++;
	else
		rec->lowers++;
	rec->level = level;
	rec->last_intid = intid;
	pthread_mutex_unlock(&rec->lock);
}

static inline void irq_recorder_init(struct irq_recorder *rec)
{
	memset(rec, 0, sizeof(*rec));
	pthread_mutex_init(&rec->lock, NULL);
}

/* Forget the counts (the level is kept: it is the line's state). */
static inline void irq_recorder_clear(struct irq_recorder *rec)
{
	pthread_mutex_lock(&rec->lock);
	rec->calls = 0;
	rec->raises = 0;
	rec->lowers = 0;
	pthread_mutex_unlock(&rec->lock);
}

static inline void irq_recorder_destroy(struct irq_recorder *rec)
{
	pthread_mutex_destroy(&rec->lock);
}

static inline struct irq_line recording_irq_line(struct irq_recorder *rec, uint32_t intid)
{
	struct irq_line line = {.set = irq_recorder_set, .ctx = rec, .intid = intid};

	return line;
}

#endif
