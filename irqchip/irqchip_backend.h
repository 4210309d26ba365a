/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend side of the irqchip: private to irqchip/ (backends, the
 * selection code and unit tests), never included by devices.
 *
 * A chip is: backend ops + backend private state + per-class ops
 * (struct irq_class_ops for SGI, PPI, SPI, LPI). A class the backend does
 * not provide gets ops that return -EINVAL. The two per-class ops split
 * "latch" from "deliver":
 *
 *   set_pending(chip, vcpu, intid, level): records the input (the line level,
 *     or a rising edge for edge-triggered interrupts). It delivers nothing,
 *     raises no CPU line and kicks nobody.
 *   queue(chip, vcpu, intid): makes the current state deliverable: chooses
 *     the target vCPU(s), re-evaluates them, raises or lowers their CPU line,
 *     kicks. It never changes latched input. A backend whose hardware or
 *     kernel delivers by itself (in-kernel vGIC: set_pending is
 *     KVM_IRQ_LINE) implements it as "return 0" or a kick.
 *
 * One queue path: irqchip_queue() is the only way to reach a class's queue
 * op. The front end's irqchip_set_level() calls it after set_pending, and a
 * backend calls it at the end of every handler that can change whether an
 * interrupt is deliverable (guest MMIO writes, acknowledge, EOI, reset).
 * It reports failures itself, so every path reports them the same way.
 *
 * Threads and locking: the ops are called without any front-end lock, from
 * any thread, concurrently; a backend serialises its own state. A backend
 * must not hold its own lock while calling irqchip_queue() (the queue op
 * takes it again): finish the state change, unlock, then queue. Because
 * queue re-evaluates from the state current when it runs, a queue racing
 * with a later change is harmless: that change ends in its own queue.
 * irqchip_report_error() and irqchip_count_delivered() take no lock and may
 * be called with backend locks held.
 */
#ifndef KESTREL_IRQCHIP_IRQCHIP_BACKEND_H
#define KESTREL_IRQCHIP_IRQCHIP_BACKEND_H

#include "irqchip/irqchip.h"

/* @vcpu value for queue: every vCPU. */
#define IRQCHIP_VCPU_ALL (-1)

/*
 * @intid value for irqchip_queue(): a change of a CPU interface or of the
 * distributor as a whole (priority mask, binary point, enables, running
 * priority) that concerns no single interrupt. Dispatched to the PPI class
 * (the per-CPU class), whose queue must then re-evaluate @vcpu as a whole
 * (every vCPU for IRQCHIP_VCPU_ALL). The value is the spurious INTID, which
 * names no interrupt.
 */
#define IRQCHIP_INTID_CPU 1023u

struct irq_class_ops {
	/* Latch input @level of @intid (banked classes: on @vcpu). Returns 0 or -errno. */
	int (*set_pending)(struct irqchip *chip, int vcpu, uint32_t intid, bool level);
	/*
	 * Make @intid deliverable on the vCPU(s) it concerns. @vcpu: the bank
	 * for SGI/PPI (or IRQCHIP_VCPU_ALL); for SPIs and LPIs a hint the
	 * backend may ignore. @intid may be IRQCHIP_INTID_CPU for the PPI
	 * class. Returns 0 or -errno.
	 */
	int (*queue)(struct irqchip *chip, int vcpu, uint32_t intid);
};

struct irqchip_backend_ops {
	const char *name;
	/*
	 * Optional: can this backend run with @cfg? Returns 0, or -errno with
	 * the reason logged (e.g. -E2BIG for more vCPUs than GICv2 has CPU
	 * interfaces). Creates nothing.
	 */
	int (*probe)(const struct irqchip_config *cfg);
	/* Builds backend state and its chip (via irqchip_new()). Returns 0 or -errno. */
	int (*create)(const struct irqchip_config *cfg, struct irqchip **out);
	/* Frees the backend state, irqchip_priv(chip). Optional. */
	void (*destroy)(struct irqchip *chip);
	/* Power-on state for a reboot in place; ends in irqchip_queue(). Optional. */
	int (*reset)(struct irqchip *chip);
	/* See irqchip_fdt_node(). Optional. */
	int (*fdt_node)(struct irqchip *chip, void *fdt, int parent, uint32_t phandle);
	/* See irqchip_vcpu_enter(); on the vCPU's own thread. Optional. */
	int (*vcpu_enter)(struct irqchip *chip, int vcpu);
	/* Appends backend-specific lines to irqchip_stats_print(). Optional. */
	void (*stats_print)(const struct irqchip *chip, FILE *f);
	/* GICv2-style FDT: PPI specifiers carry a CPU mask. */
	bool fdt_ppi_cpu_mask;
	/* Per-class ops; NULL: the class is absent and its ops return -EINVAL. */
	const struct irq_class_ops *classes[IRQ_CLASS_NR];
};

/* Where an error was seen, for irqchip_report_error(). */
enum irqchip_path {
	IRQCHIP_PATH_SET_PENDING,	/* irqchip_set_level(): checks and set_pending */
	IRQCHIP_PATH_QUEUE,		/* irqchip_queue(): checks and queue (CPU line) */
	IRQCHIP_PATH_NR,
};

/*
 * Makes a chip around backend state @priv. @nr_vcpus >= 1; @nr_irqs a
 * multiple of 32, at least 32 and at most 1024 (INTIDs, incl. the 32
 * private). On success the chip owns @priv (ops->destroy frees it) and
 * *@out is set; returns 0, -EINVAL for bad arguments, -ENOMEM. On failure
 * @priv still belongs to the caller.
 */
int irqchip_new(const struct irqchip_backend_ops *ops, void *priv, uint32_t nr_vcpus,
		uint32_t nr_irqs, struct irqchip **out);

/* Returns the backend state given to irqchip_new(). */
void *irqchip_priv(const struct irqchip *chip);

/* Returns the backend ops given to irqchip_new() (to check a chip's backend). */
const struct irqchip_backend_ops *irqchip_backend(const struct irqchip *chip);

/*
 * THE queue primitive: checks @vcpu and @intid, dispatches to the class's
 * queue op, and reports a failure through irqchip_report_error() with
 * IRQCHIP_PATH_QUEUE. Returns 0 or that -errno (callers that cannot pass it
 * on, like MMIO handlers, may ignore it: it has been reported). Must be
 * called without backend locks held.
 */
int irqchip_queue(struct irqchip *chip, int vcpu, uint32_t intid);

/* Counts one delivery of @intid (e.g. an acknowledge by GICC_IAR). Any thread, any lock. */
void irqchip_count_delivered(struct irqchip *chip, uint32_t intid);

/*
 * The one error sink: counts @err for @path (and the class of @intid), and
 * logs a warning naming the backend, path, INTID, vCPU and strerror on the
 * 1st, 2nd, 4th, 8th, ... error of that path (rate-limited without a clock
 * or a lock). Never fails, never aborts.
 */
void irqchip_report_error(struct irqchip *chip, enum irqchip_path path, int vcpu, uint32_t intid,
			  int err);

/* Returns the number of errors reported for @path so far (0 for a bad @path). */
uint64_t irqchip_errors(const struct irqchip *chip, enum irqchip_path path);

/* The backends (one file each in irqchip/), for the selection code. */
extern const struct irqchip_backend_ops gicv2_user_backend_ops;	/* gicv2_user.c */

#endif
