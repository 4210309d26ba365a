/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An interrupt line as a device sees it: a handle given to the device when it
 * is created. The device never knows which interrupt controller is behind it
 * (in-kernel vGIC, userspace GIC, or a recording fake in unit tests).
 *
 * set(ctx, intid, level) drives the line: level 1 asserts, 0 deasserts.
 * A device with an edge interrupt asserts then deasserts (irq_line_pulse).
 * The callee may be called from any thread and must be thread safe; it never
 * calls back into the device.
 */
#ifndef KESTREL_LIB_IRQ_LINE_H
#define KESTREL_LIB_IRQ_LINE_H

#include <stdbool.h>
#include <stdint.h>

struct irq_line {
	void (*set)(void *ctx, uint32_t intid, bool level);
	void *ctx;
	uint32_t intid;
};

static inline void irq_line_set(const struct irq_line *line, bool level)
{
	if (line && line->set)
		line->set(line->ctx, line->intid, level);
}

static inline void irq_line_pulse(const struct irq_line *line)
{
	irq_line_set(line, true);
	irq_line_set(line, false);
}

#endif
