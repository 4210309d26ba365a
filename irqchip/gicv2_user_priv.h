/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the userspace GICv2 (public contract: gicv2_user.h), shared by
 * its two halves, as Linux splits vgic-mmio.c from vgic-mmio-v2.c:
 *
 *   gicv2_user.c       the interrupt model: state, highest-priority pending
 *                      interrupt, the one re-evaluation behind the class
 *                      queue ops and queue_cpu, the class set_pending ops
 *                      (device lines and guest pends alike), life cycle;
 *   gicv2_user_regs.c  the register file: GICD/GICC tables, the one check
 *                      routine, handlers, MMIO entry points.
 *
 * Locking: one mutex, gicv2_user.lock, guards every field marked so. Every
 * helper below that takes a struct gicv2_user expects it held. Register
 * handlers run with it held and record in a struct gic_queue_req the
 * pending changes the guest asked for (not yet applied) and what they
 * changed; the MMIO entry point drops the lock and then runs the request
 * through gicv2_user_queue_req_run(): each pending change through
 * irqchip_set_pending() (the one latch path, back into the class
 * set_pending op), then one irqchip_queue() or irqchip_queue_cpu() (the one
 * queue path), which take the lock again. set_cpu_irq() is called with the lock held (it must
 * not call back): that keeps each CPU's line changes in decision order.
 */
#ifndef KESTREL_IRQCHIP_GICV2_USER_PRIV_H
#define KESTREL_IRQCHIP_GICV2_USER_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "irqchip/gicv2_user.h"

struct irqchip_backend_ops;

#define GIC_STORE_IRQS 1024u	/* state arrays cover every GICv2 INTID */
#define GIC_NR_SGIS 16u
#define GIC_PRIO_MASK 0xf8u	/* 5 implemented priority bits */
#define GIC_MIN_BPR 2u		/* the smallest binary point with 5 bits */
#define GIC_MIN_ABPR (GIC_MIN_BPR + 1)	/* ABPR applies its value minus one */
#define GIC_IDLE_PRIO 0xffu
#define GIC_INTID_SPURIOUS 1023u
#define GIC_INTID_GRP1_NOACK 1022u
#define GIC_INTID_SPECIAL 1020u	/* 1020-1023: not interrupts */

/* Group enables: the same bits in GICD_CTLR and (no Security Extensions) GICC_CTLR. */
#define GIC_CTLR_ENGRP0 (1u << 0)
#define GIC_CTLR_ENGRP1 (1u << 1)
#define GICC_CTLR_ACKCTL (1u << 2)
#define GICC_CTLR_CBPR (1u << 4)

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
	uint8_t bpr;		/* Group 0, and Group 1 while GICC_CTLR.CBPR is 1 */
	uint8_t abpr;		/* GICC_ABPR: Group 1 while CBPR is 0 */
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
	/* Guarded by lock. */
	uint32_t ctlr;		/* GICD_CTLR */
	uint32_t bits[GIC_NR_BITS][GIC_STORE_IRQS / 32];	/* SPIs; word 0 unused */
	uint8_t prio[GIC_STORE_IRQS];		/* SPIs; 0-31 unused */
	uint8_t targets[GIC_STORE_IRQS];	/* SPIs; 0-31 unused */
	struct gic_cpu cpu[GICV2_USER_MAX_VCPUS];
	uint64_t line_changes;
	uint64_t evaluations;	/* runs of the re-evaluation (queue, queue_cpu) */
	/* Lock-free counter of guest accesses ignored as RAZ/WI. */
	_Atomic uint64_t ignored;
};

/* A software pend or unpend asked for by a guest access (struct gic_queue_req). */
struct gic_latch {
	uint16_t intid;
	int8_t vcpu;		/* the bank for SGIs and PPIs, -1 for SPIs */
	int8_t src;		/* SGIs: the source vCPU; -1 otherwise */
	bool set;
};

/* One 32-bit ISPENDR/ICPENDR word, or SPENDSGIR/CPENDSGIR: 4 SGIs x 8 sources. */
#define GIC_MAX_LATCHES 32u
#define GIC_REQ_NONE UINT32_MAX

/*
 * What one guest access asks for and changed, acted on after the lock is
 * dropped (gicv2_user_queue_req_run()): first each of @latch, in order,
 * through irqchip_set_pending(); then exactly one queue: irqchip_queue()
 * for @intid when set (every CPU for an SPI; for SGI/PPI the one CPU in
 * @cpus, or every CPU when @cpus has several), else irqchip_queue_cpu() for
 * the CPUs in @cpus when any.
 */
struct gic_queue_req {
	struct gic_latch latch[GIC_MAX_LATCHES];
	uint32_t nr_latch;
	uint32_t intid;		/* first INTID changed (an SPI wins), or GIC_REQ_NONE */
	uint8_t cpus;		/* CPUs whose view changed */
};

#define GIC_QUEUE_REQ_INIT { .intid = GIC_REQ_NONE }

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

/* Records that @intid changed for the CPUs in @cpus (SPIs: for every CPU). */
static inline void gic_req_intid(struct gic_queue_req *q, uint32_t intid, uint32_t cpus)
{
	if (q->intid == GIC_REQ_NONE || (intid >= 32 && q->intid < 32))
		q->intid = intid;
	q->cpus |= (uint8_t)cpus;
}

/* Records INTIDs @first + bit n of @changed (all in one aligned 32), banked on @cpu. */
static inline void gic_req_irqs(struct gic_queue_req *q, uint32_t first, uint32_t changed,
				int cpu)
{
	if (!changed)
		return;
	gic_req_intid(q, first + (uint32_t)__builtin_ctz(changed), first < 32 ? 1u << cpu : 0);
}

/* Records that the CPUs in @cpus changed as a whole (masks, enables, running priority). */
static inline void gic_req_cpus(struct gic_queue_req *q, uint32_t cpus)
{
	q->cpus |= (uint8_t)cpus;
}

/* Asks for a software pend (@set) or unpend of @intid, see struct gic_latch. */
static inline void gic_req_latch(struct gic_queue_req *q, int vcpu, uint32_t intid, int src,
				 bool set)
{
	if (q->nr_latch >= GIC_MAX_LATCHES)
		return;
	q->latch[q->nr_latch++] = (struct gic_latch){
		.intid = (uint16_t)intid, .vcpu = (int8_t)vcpu, .src = (int8_t)src, .set = set,
	};
}

/* The group priority of @prio for @intid on @cpu: Group 1 uses ABPR - 1 unless CBPR. */
static inline uint8_t gic_irq_group_prio(struct gicv2_user *gic, int cpu, uint32_t intid,
					 uint8_t prio)
{
	const struct gic_cpu *c = &gic->cpu[cpu];

	if (gic_test(gic, cpu, GIC_GROUP, intid) && !(c->ctlr & GICC_CTLR_CBPR))
		return gic_group_prio(prio, (uint8_t)(c->abpr - 1));
	return gic_group_prio(prio, c->bpr);
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

/* Runs a handler's request: latches, then one queue (struct gic_queue_req). Lock NOT held. */
void gicv2_user_queue_req_run(struct gicv2_user *gic, const struct gic_queue_req *q);

/*
 * gicv2_user_create() with other backend ops: for unit tests that wrap the
 * class ops to watch the latch and queue paths (the ops must forward to
 * gicv2_user_backend_ops). gicv2_user_of() does not know such a chip: use
 * irqchip_priv(). Returns as gicv2_user_create().
 */
int gicv2_user_new(const struct irqchip_config *cfg, const struct irqchip_backend_ops *ops,
		   struct irqchip **out);

/* gicv2_user_regs.c */

/* Returns whether the register tables are sorted and disjoint (bsearch needs it). */
bool gicv2_user_regs_valid(void);

#endif
