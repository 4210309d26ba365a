/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the userspace GICv2 (public contract: gicv2_user.h), shared by
 * its two halves, as Linux splits vgic-mmio.c from vgic-mmio-v2.c:
 *
 *   gicv2_user.c       the interrupt model: state, highest-priority pending
 *                      interrupt, the one re-evaluation behind the class
 *                      queue ops, injection (set_pending), life cycle, FDT;
 *   gicv2_user_regs.c  the register file: GICD/GICC tables, the one check
 *                      routine, handlers, MMIO entry points.
 *
 * Locking: one mutex, gicv2_user.lock, guards every field marked so. Every
 * helper below that takes a struct gicv2_user expects it held. Register
 * handlers run with it held and record what they changed in a struct
 * gic_queue_req; the MMIO entry point drops the lock and then runs the
 * request through gicv2_user_queue_req_run(), i.e. irqchip_queue(), the one
 * queue path, which comes back into the class queue op and takes the lock
 * again to re-evaluate. set_cpu_irq() is called with the lock held (it must
 * not call back): that keeps each CPU's line changes in decision order.
 */
#ifndef KESTREL_IRQCHIP_GICV2_USER_PRIV_H
#define KESTREL_IRQCHIP_GICV2_USER_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "irqchip/gicv2_user.h"

#define GIC_STORE_IRQS 1024u	/* state arrays cover every GICv2 INTID */
#define GIC_NR_SGIS 16u
#define GIC_PRIO_MASK 0xf8u	/* 5 implemented priority bits */
#define GIC_MIN_BPR 2u		/* the smallest binary point with 5 bits */
#define GIC_IDLE_PRIO 0xffu
#define GIC_INTID_SPURIOUS 1023u
#define GIC_INTID_GRP1_NOACK 1022u
#define GIC_INTID_SPECIAL 1020u	/* 1020-1023: not interrupts */

/* Group enables: the same bits in GICD_CTLR and (no Security Extensions) GICC_CTLR. */
#define GIC_CTLR_ENGRP0 (1u << 0)
#define GIC_CTLR_ENGRP1 (1u << 1)

/* Bit-per-INTID state, banked per CPU for INTIDs 0-31. */
enum gic_bits {
	GIC_GROUP,	/* 1: Group 1 */
	GIC_ENABLED,
	GIC_LATCH,	/* pending latch (edge, ISPENDR); SGIs use sgi_src instead */
	GIC_LEVEL,	/* input line */
	GIC_ACTIVE,
	GIC_EDGE,	/* 1: edge-triggered (SPIs only) */
	GIC_NR_BITS,
};

struct gic_cpu {
	/* All guarded by gicv2_user.lock. */
	uint32_t bits[GIC_NR_BITS];	/* INTIDs 0-31 */
	uint8_t prio[32];
	uint8_t sgi_src[GIC_NR_SGIS];	/* pending sources of each SGI, bit n = vCPU n */
	uint32_t ctlr;			/* GICC_CTLR */
	uint8_t pmr;
	uint8_t bpr;
	uint32_t apr;		/* active group priorities, bit n = priority n << 3 */
	bool line;		/* level last given to set_cpu_irq() */
};

struct gicv2_user {
	pthread_mutex_t lock;
	/* Immutable after gicv2_user_create(). */
	struct irqchip *chip;
	void *host;
	int (*set_cpu_irq)(void *host, int vcpu, bool level);
	int (*enter_vcpu)(void *host, int vcpu);
	uint32_t nr_cpus;
	uint32_t nr_irqs;
	uint8_t cpus_mask;
	uint64_t dist_base;
	uint64_t cpu_base;
	/* Guarded by lock. */
	uint32_t ctlr;		/* GICD_CTLR */
	uint32_t bits[GIC_NR_BITS][GIC_STORE_IRQS / 32];	/* SPIs; word 0 unused */
	uint8_t prio[GIC_STORE_IRQS];		/* SPIs; 0-31 unused */
	uint8_t targets[GIC_STORE_IRQS];	/* SPIs; 0-31 unused */
	struct gic_cpu cpu[GICV2_USER_MAX_VCPUS];
	uint64_t line_changes;
	/* Lock-free counter of guest accesses ignored as RAZ/WI. */
	_Atomic uint64_t ignored;
};

/*
 * What a handler changed, to be queued after the lock is dropped. Banked
 * INTIDs (< 32) are queued on each CPU in @cpus, SPIs once for all CPUs,
 * and each CPU in @cpu_wide as a whole (IRQCHIP_INTID_CPU).
 */
struct gic_queue_req {
	uint32_t base;		/* INTID of bit 0 of @intids (a multiple of 32) */
	uint32_t intids;
	uint8_t cpus;
	uint8_t cpu_wide;
};

struct gic_hppi {
	uint32_t intid;
	uint8_t prio;
	uint8_t src;		/* SGIs: the lowest pending source */
};

static inline uint32_t *gic_word(struct gicv2_user *gic, int cpu, enum gic_bits b,
				 uint32_t intid)
{
	return intid < 32 ? &gic->cpu[cpu].bits[b] : &gic->bits[b][intid / 32];
}

static inline bool gic_test(struct gicv2_user *gic, int cpu, enum gic_bits b, uint32_t intid)
{
	return *gic_word(gic, cpu, b, intid) >> (intid % 32) & 1;
}

static inline uint8_t *gic_prio(struct gicv2_user *gic, int cpu, uint32_t intid)
{
	return intid < 32 ? &gic->cpu[cpu].prio[intid] : &gic->prio[intid];
}

static inline uint8_t gic_group_prio(uint8_t prio, uint8_t bpr)
{
	return prio & (0xffu << (bpr + 1)) & 0xff;
}

/* Running priority of a CPU interface: the highest active group priority, or idle. */
static inline uint32_t gic_running_prio(const struct gic_cpu *c)
{
	return c->apr ? (uint32_t)__builtin_ctz(c->apr) << 3 : GIC_IDLE_PRIO;
}

/* Clears @intid's active state in @cpu's view; returns whether it was active. */
static inline bool gic_deactivate(struct gicv2_user *gic, int cpu, uint32_t intid)
{
	uint32_t *w = gic_word(gic, cpu, GIC_ACTIVE, intid);
	uint32_t m = 1u << (intid % 32);
	bool was = *w & m;

	*w &= ~m;
	return was;
}

/* Records INTIDs @first + bit n of @changed (all in one aligned 32) for queueing. */
static inline void gic_req_irqs(struct gic_queue_req *q, uint32_t first, uint32_t changed,
				int cpu)
{
	if (!changed)
		return;
	q->base = first & ~31u;
	q->intids |= changed << (first % 32);
	if (first < 32)
		q->cpus |= 1u << cpu;
}

/* gicv2_user.c */

/* Pending INTIDs base..base+31 as @cpu sees them (ISPENDR): latch | level-sensitive line. */
uint32_t gicv2_user_pending_word(struct gicv2_user *gic, int cpu, uint32_t base);

/*
 * The highest-priority interrupt that is pending, enabled, not active, of
 * an enabled group and (SPIs) targeted at @cpu; lowest INTID on a tie. PMR
 * and running priority are not applied (HPPIR semantics). Returns false
 * when there is none.
 */
bool gicv2_user_hppi(struct gicv2_user *gic, int cpu, struct gic_hppi *out);

/* Returns whether @cpu's line should be high: an HPPI beating PMR and running priority. */
bool gicv2_user_signalled(struct gicv2_user *gic, int cpu, struct gic_hppi *h);

/* Runs a handler's queue request through irqchip_queue(). Lock NOT held. */
void gicv2_user_queue_req_run(struct gicv2_user *gic, const struct gic_queue_req *q);

/* gicv2_user_regs.c */

/* Returns whether the register tables are sorted and disjoint (bsearch needs it). */
bool gicv2_user_regs_valid(void);

#endif
