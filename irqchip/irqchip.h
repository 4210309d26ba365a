/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interrupt controller as the rest of the VMM sees it: one opaque
 * struct irqchip, whatever backend is behind it (in-kernel vGIC, userspace
 * GICv2, or a fake in unit tests). Devices drive interrupt inputs through
 * irqchip_set_level() or, better, through the struct irq_line handle that
 * irqchip_line() fills; they never see a backend and never call KVM.
 *
 * Interrupts are named by their GIC INTID; the class (SGI, PPI, SPI, LPI) is
 * derived from it once, in the front end (irqchip.c), which then calls the
 * backend's per-class set_pending and queue ops (irqchip_backend.h). Every
 * failure on any path goes to one sink, irqchip_report_error(): counted per
 * path and per class, logged rate-limited, never fatal.
 *
 * Memory: a chip is made by a backend constructor (e.g. gicv2_user_create())
 * and owns the backend's state; irqchip_destroy() frees both.
 *
 * Threads and locking: the front end has no lock. What it keeps (backend
 * pointers, sizes) is written once at creation and only read afterwards; its
 * counters are relaxed atomics. Any thread (vCPU threads, the event loop,
 * device threads) may call every function here concurrently, except
 * irqchip_destroy(), which must run after all other users stopped. The
 * backend serialises its own state (the userspace GICv2 with one mutex) and
 * never holds a lock across a call into the front end, so the front end
 * adds nothing to any lock order.
 */
#ifndef KESTREL_IRQCHIP_IRQCHIP_H
#define KESTREL_IRQCHIP_IRQCHIP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct irq_line;
struct irqchip;

/* Interrupt classes by INTID range. IRQ_CLASS_NR doubles as "not a valid INTID". */
enum irq_class { IRQ_CLASS_SGI, IRQ_CLASS_PPI, IRQ_CLASS_SPI, IRQ_CLASS_LPI, IRQ_CLASS_NR };

#define IRQ_SGI_BASE 0u
#define IRQ_PPI_BASE 16u
#define IRQ_SPI_BASE 32u
#define IRQ_SPI_END 1020u /* first INTID past the SPIs (1020-1023 are special) */
#define IRQ_LPI_BASE 8192u

/*
 * Returns the class of @intid: SGI 0-15, PPI 16-31, SPI 32-1019, LPI >= 8192,
 * IRQ_CLASS_NR for 1020-8191 (special and reserved INTIDs).
 */
enum irq_class irq_class_of(uint32_t intid);

/* Returns "SGI", "PPI", "SPI", "LPI", or "invalid" for anything else. */
const char *irq_class_name(enum irq_class cls);

/*
 * What the VM builder hands a backend constructor. Addresses are guest
 * physical and only used for the FDT node (the MMIO bus registration uses
 * the same layout.h constants). @host is the VMM glue's context, passed back
 * unchanged to @set_cpu_irq and available to the KVM backends (e.g. the VM
 * fd holder).
 */
struct irqchip_config {
	uint32_t nr_vcpus;
	uint32_t nr_irqs;	/* INTIDs incl. the 32 private ones; multiple of 32 */
	uint64_t dist_base;	/* GICD */
	uint64_t cpu_base;	/* GICv2 CPU interface (GICC) */
	uint64_t redist_base;	/* GICv3 redistributors */
	uint64_t its_base;	/* GICv3 ITS, 0 for none */
	void *host;
	/*
	 * Userspace GIC only: drive vCPU @vcpu's IRQ input to @level (in the
	 * VMM: KVM_IRQ_LINE with KVM_ARM_IRQ_TYPE_CPU). Called from any thread
	 * with the GIC's lock held, only when the level actually changes; it
	 * must not call back into the irqchip. Returns 0 or -errno.
	 */
	int (*set_cpu_irq)(void *host, int vcpu, bool level);
	/*
	 * Userspace GIC only, optional: called on vCPU @vcpu's own thread
	 * right before each entry into the guest (irqchip_vcpu_enter()), so
	 * the host applies there what set_cpu_irq() recorded (see
	 * irqchip/user_lines.h). Returns 0 or -errno.
	 */
	int (*enter_vcpu)(void *host, int vcpu);
};

/*
 * Drive interrupt input @intid to @level (true = asserted). @vcpu names the
 * target for the banked classes (SGI, PPI) and is ignored for SPIs and LPIs
 * (pass -1). The class is chosen once; the backend's class set_pending
 * latches the input (a level, or a rising edge for edge-triggered
 * interrupts) through irqchip_set_pending(), then its class queue makes it
 * deliverable through irqchip_queue(). Returns 0, or the
 * -errno that was also reported through the error sink: -EINVAL for an
 * invalid INTID, an INTID not below nr_irqs (LPIs excepted), a bad @vcpu
 * for SGI/PPI, or a class the backend lacks; a backend's own error else.
 */
int irqchip_set_level(struct irqchip *chip, int vcpu, uint32_t intid, bool level);

/*
 * Called by vCPU @vcpu's own thread right before each entry into the guest
 * (every KVM_RUN). A backend that drives the vCPUs' interrupt inputs from
 * userspace applies there what changed since the last entry; the in-kernel
 * backends do nothing. A failure is reported through the error sink
 * (IRQCHIP_PATH_QUEUE) and returned; the vCPU may still enter.
 */
int irqchip_vcpu_enter(struct irqchip *chip, int vcpu);

/* An edge: assert then deassert. Returns as irqchip_set_level() (first error wins). */
int irqchip_pulse(struct irqchip *chip, int vcpu, uint32_t intid);

/*
 * Fills @out with a device handle for SPI @intid: irq_line_set(out, level)
 * then ends in irqchip_set_level(chip, -1, intid, level), errors reported
 * there. The handle holds @chip, so it must not outlive it. Returns 0, or
 * -EINVAL when @intid is not an SPI below nr_irqs (@out untouched).
 */
int irqchip_line(struct irqchip *chip, uint32_t intid, struct irq_line *out);

/*
 * The CPU mask to OR into a PPI specifier's flags cell (bits 15:8) for this
 * backend: ((1 << nr_vcpus) - 1) << 8 on GICv2 backends, 0 on GICv3.
 */
uint32_t irqchip_fdt_ppi_cpu_mask(const struct irqchip *chip);

/* Counters as returned by irqchip_counts_class() / irqchip_counts_intid(). */
struct irqchip_counts {
	/*
	 * Accepted assertions: a device raising its line (irqchip_set_level()
	 * with level = true) or a guest setting a pending latch (the
	 * userspace GIC's GICD_ISPENDR, GICD_SGIR, GICD_SPENDSGIR).
	 */
	uint64_t set_pending;
	uint64_t delivered;	/* acknowledged by a guest CPU, as the backend reports */
	uint64_t errors;	/* reports through the error sink */
};

/* Snapshot of the counters of class @cls. Returns 0, or -EINVAL for a bad @cls. */
int irqchip_counts_class(const struct irqchip *chip, enum irq_class cls,
			 struct irqchip_counts *out);

/*
 * Snapshot of the counters of one INTID (SGI/PPI summed over vCPUs).
 * Returns 0, or -EINVAL when @intid is not below nr_irqs (LPIs are only
 * counted per class).
 */
int irqchip_counts_intid(const struct irqchip *chip, uint32_t intid, struct irqchip_counts *out);

/*
 * Prints the counters for `--stats`: per class, per INTID that saw any
 * activity, errors per path, then whatever the backend adds. Never fails
 * (stdio errors are the stream's business).
 */
void irqchip_stats_print(const struct irqchip *chip, FILE *f);

/* The backend's name ("gicv2-user", ...). */
const char *irqchip_name(const struct irqchip *chip);
uint32_t irqchip_nr_vcpus(const struct irqchip *chip);
uint32_t irqchip_nr_irqs(const struct irqchip *chip);

/* Destroys the backend state and the chip. NULL is fine. No other thread may use @chip. */
void irqchip_destroy(struct irqchip *chip);

#endif
