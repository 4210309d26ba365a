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
 *   set_pending(chip, vcpu, intid, in): records one input change, described
 *     by @in (struct irq_input): a device's line level (a rising edge latches
 *     an edge-triggered interrupt), or a guest's software pend or unpend
 *     (GICD_ISPENDR/ICPENDR, GICD_SGIR, GICD_SPENDSGIR/CPENDSGIR), which for
 *     SGIs names the source vCPU. It delivers nothing, raises no CPU line
 *     and kicks nobody.
 *   queue(chip, vcpu, intid): makes the current state deliverable: chooses
 *     the target vCPU(s), re-evaluates them, raises or lowers their CPU line,
 *     kicks. It never changes latched input. A backend whose hardware or
 *     kernel delivers by itself (in-kernel vGIC: set_pending is
 *     KVM_IRQ_LINE) implements it as "return 0" or a kick.
 *
 * A change that concerns no single interrupt (a CPU interface's priority
 * mask, binary point, enables, running priority; the distributor enable)
 * has its own backend op, queue_cpu(chip, vcpu), which re-evaluates a vCPU
 * as a whole.
 *
 * One latch path: irqchip_set_pending() is the only way to reach a class's
 * set_pending op. Device input goes there through irqchip_set_level(); a
 * backend's guest register handlers that change pending state call it too,
 * once per INTID (and per SGI source) they latch.
 *
 * One queue path: irqchip_queue() and irqchip_queue_cpu() are the only ways
 * to reach a class's queue op and the backend's queue_cpu op. The front
 * end's irqchip_set_level() calls irqchip_queue() after set_pending, and a
 * backend calls one of them exactly once at the end of every guest register
 * access that can change whether an interrupt is deliverable (however many
 * INTIDs the access changed: the backend's re-evaluation is per vCPU, so
 * @intid then names the first INTID changed), and after acknowledge, EOI.
 * Both report failures themselves, so every path reports them the same way.
 *
 * Threads and locking: the ops are called without any front-end lock, from
 * any thread, concurrently; a backend serialises its own state. A backend
 * must not hold its own lock while calling irqchip_set_pending(),
 * irqchip_queue() or irqchip_queue_cpu() (the ops take it again): finish
 * the state change, unlock, then latch and queue. Because queue
 * re-evaluates from the state current when it runs, a queue racing with a
 * later change is harmless: that change ends in its own queue.
 * irqchip_report_error() and irqchip_count_delivered() take no lock and may
 * be called with backend locks held.
 */
#ifndef KESTREL_IRQCHIP_IRQCHIP_BACKEND_H
#define KESTREL_IRQCHIP_IRQCHIP_BACKEND_H

#include "irqchip/irqchip.h"

/* @vcpu value for queue and queue_cpu: every vCPU. */
#define IRQCHIP_VCPU_ALL (-1)

/* What a set_pending call records (struct irq_input.kind). */
enum irq_input_kind {
	/* A device's input line is now at @level (device-made). */
	IRQ_INPUT_LINE,
	/*
	 * Software pend: @level true sets the pending latch, false clears it
	 * (guest-made; a level interrupt whose line is high stays pending).
	 */
	IRQ_INPUT_LATCH,
};

/* One input change, for set_pending. */
struct irq_input {
	enum irq_input_kind kind;
	bool level;
	/*
	 * SGIs (pending per target and source): the source vCPU whose pending
	 * bit IRQ_INPUT_LATCH sets or clears, a valid vCPU index. Other
	 * classes and IRQ_INPUT_LINE: -1.
	 */
	int src;
};

struct irq_class_ops {
	/*
	 * Records input change @in of @intid (banked classes: on @vcpu; SGIs:
	 * for @in->src). The front end has checked @vcpu and @in->src.
	 * Returns 0 or -errno (e.g. -EINVAL for an input kind the class does
	 * not take).
	 */
	int (*set_pending)(struct irqchip *chip, int vcpu, uint32_t intid,
			   const struct irq_input *in);
	/*
	 * Make @intid deliverable on the vCPU(s) it concerns. @vcpu: the bank
	 * for SGI/PPI (or IRQCHIP_VCPU_ALL); for SPIs and LPIs a hint the
	 * backend may ignore. Returns 0 or -errno.
	 */
	int (*queue)(struct irqchip *chip, int vcpu, uint32_t intid);
};

struct irqchip_backend_ops {
	const char *name;
	/* Frees the backend state, irqchip_priv(chip). Optional. */
	void (*destroy)(struct irqchip *chip);
	/* See irqchip_vcpu_enter(); on the vCPU's own thread. Optional. */
	int (*vcpu_enter)(struct irqchip *chip, int vcpu);
	/*
	 * Re-evaluates vCPU @vcpu (IRQCHIP_VCPU_ALL: every vCPU) as a whole,
	 * after a change that concerns no single interrupt. Reached only
	 * through irqchip_queue_cpu(). Returns 0 or -errno. Optional: absent,
	 * irqchip_queue_cpu() answers -EINVAL.
	 */
	int (*queue_cpu)(struct irqchip *chip, int vcpu);
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
 * THE latch primitive: checks @vcpu (SGI/PPI), @intid and, for an SGI
 * IRQ_INPUT_LATCH, @in->src; dispatches to the class's set_pending op;
 * counts an accepted assertion (@in->level true) as set_pending; reports a
 * failure through irqchip_report_error() with IRQCHIP_PATH_SET_PENDING.
 * Queues nothing: the caller queues once when its access is complete.
 * Returns 0 or that -errno. Must be called without backend locks held.
 */
int irqchip_set_pending(struct irqchip *chip, int vcpu, uint32_t intid, const struct irq_input *in);

/*
 * THE queue primitive: checks @vcpu and @intid, dispatches to the class's
 * queue op, and reports a failure through irqchip_report_error() with
 * IRQCHIP_PATH_QUEUE. Returns 0 or that -errno (callers that cannot pass it
 * on, like MMIO handlers, may ignore it: it has been reported). Must be
 * called without backend locks held.
 */
int irqchip_queue(struct irqchip *chip, int vcpu, uint32_t intid);

/*
 * The same for a change that concerns no single interrupt: checks @vcpu
 * (a vCPU index or IRQCHIP_VCPU_ALL), calls the backend's queue_cpu op and
 * reports a failure (or -EINVAL for a bad @vcpu or a backend without the
 * op) through the error sink with IRQCHIP_PATH_QUEUE, naming the CPU
 * interface instead of an INTID. Returns 0 or that -errno. Must be called
 * without backend locks held.
 */
int irqchip_queue_cpu(struct irqchip *chip, int vcpu);

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
