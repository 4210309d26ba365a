// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace GICv2, the register file (contract in gicv2_user.h; the split
 * and the locking in gicv2_user_priv.h): the GICD and GICC register tables,
 * the one check routine every access passes before a handler runs, the
 * handlers, and the MMIO entry points. A handler runs with the GIC lock
 * held; it records the pending changes the guest asks for (applied later
 * through the class set_pending ops) and what it changed; the entry point
 * then runs that through gicv2_user_queue_req_run(): the one latch path,
 * then exactly one call into the one queue path.
 */
#include "irqchip/gicv2_user.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "irqchip/gicv2_user_priv.h"
#include "irqchip/irqchip_backend.h"
#include "lib/log.h"
#include "lib/util.h"

/* Distributor */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20
#define GICD_PIDR4 0xfd0	/* PIDR4-7, PIDR0-3, CIDR0-3: 12 words up to 0xffc */

#define GICD_IIDR_VALUE 0x0000043bu	/* implementer ARM (JEP106 0x43b) */

/* CPU interface */
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_RPR 0x014
#define GICC_HPPIR 0x018
#define GICC_ABPR 0x01c
#define GICC_AIAR 0x020
#define GICC_AEOIR 0x024
#define GICC_AHPPIR 0x028
#define GICC_APR0 0x0d0
#define GICC_APR1 0x0d4	/* APR1-3 */
#define GICC_NSAPR0 0x0e0	/* NSAPR0-3 */
#define GICC_IIDR 0x0fc
#define GICC_DIR 0x1000

#define GICC_CTLR_BYPASS (0xfu << 5)	/* kept, no effect: there is no bypass */
#define GICC_CTLR_EOIMODE (1u << 9)
#define GICC_CTLR_WMASK \
	(GIC_CTLR_ENGRP0 | GIC_CTLR_ENGRP1 | GICC_CTLR_ACKCTL | GICC_CTLR_CBPR | \
	 GICC_CTLR_BYPASS | GICC_CTLR_EOIMODE)
#define GICC_IIDR_VALUE 0x0002043bu	/* GICv2, ARM: what Linux's gic_check_gicv2() wants */
#define GICC_INTID_MASK 0x3ffu
#define GICC_SRC_SHIFT 10

/* One guest access, decoded by gic_check() before any handler runs. */
struct gic_access {
	struct gicv2_user *gic;
	int vcpu;		/* valid CPU index */
	uint32_t off;		/* byte offset from the register's start */
	uint32_t intid;		/* per-INTID registers: first INTID covered */
	uint32_t len;		/* 1, 2 or 4 bytes, allowed by the register */
	struct gic_queue_req *q;
};

/* ---- Distributor handlers (lock held) ---- */

static uint32_t gicd_ctlr_read(const struct gic_access *a)
{
	return a->gic->ctlr;
}

static void gicd_ctlr_write(const struct gic_access *a, uint32_t val)
{
	uint32_t v = val & (GIC_CTLR_ENGRP0 | GIC_CTLR_ENGRP1);

	if (v == a->gic->ctlr)
		return;
	a->gic->ctlr = v;
	gic_req_cpus(a->q, a->gic->cpus_mask);
}

static uint32_t gicd_typer_read(const struct gic_access *a)
{
	return (a->gic->nr_irqs / 32 - 1) | (a->gic->nr_cpus - 1) << 5;
}

static uint32_t gicd_iidr_read(const struct gic_access *a)
{
	return GICD_IIDR_VALUE;
}

static uint32_t gicd_group_read(const struct gic_access *a)
{
	return *gic_word(a->gic, a->vcpu, GIC_GROUP, a->intid);
}

static void gicd_group_write(const struct gic_access *a, uint32_t val)
{
	uint32_t *w = gic_word(a->gic, a->vcpu, GIC_GROUP, a->intid);
	uint32_t changed = *w ^ val;

	*w = val;
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

static uint32_t gicd_enable_read(const struct gic_access *a)
{
	return *gic_word(a->gic, a->vcpu, GIC_ENABLED, a->intid);
}

static void gicd_set_enable_write(const struct gic_access *a, uint32_t val)
{
	uint32_t *w = gic_word(a->gic, a->vcpu, GIC_ENABLED, a->intid);
	uint32_t changed = val & ~*w;

	*w |= val;
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

static void gicd_clear_enable_write(const struct gic_access *a, uint32_t val)
{
	uint32_t *w = gic_word(a->gic, a->vcpu, GIC_ENABLED, a->intid);
	uint32_t changed = val & *w;

	*w &= ~val;
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

static uint32_t gicd_pending_read(const struct gic_access *a)
{
	return gicv2_user_pending_word(a->gic, a->vcpu, a->intid);
}

/*
 * ISPENDR/ICPENDR: asks for a latch set (clear) of each INTID written as 1,
 * through the class set_pending op; ICPENDR so clears only the latch and a
 * level interrupt whose line is high stays pending. SGI bits are ignored
 * (GICD_SPENDSGIR and CPENDSGIR, per source, do that).
 */
static void gicd_pending_update(const struct gic_access *a, uint32_t val, bool set)
{
	int bank = a->intid < 32 ? a->vcpu : -1;

	if (a->intid == 0)
		val &= ~0xffffu;
	for (uint32_t bits = val; bits; bits &= bits - 1)
		gic_req_latch(a->q, bank, a->intid + (uint32_t)__builtin_ctz(bits), -1, set);
	gic_req_irqs(a->q, a->intid, val, a->vcpu);
}

static void gicd_set_pending_write(const struct gic_access *a, uint32_t val)
{
	gicd_pending_update(a, val, true);
}

static void gicd_clear_pending_write(const struct gic_access *a, uint32_t val)
{
	gicd_pending_update(a, val, false);
}

static uint32_t gicd_active_read(const struct gic_access *a)
{
	return *gic_word(a->gic, a->vcpu, GIC_ACTIVE, a->intid);
}

static void gicd_set_active_write(const struct gic_access *a, uint32_t val)
{
	uint32_t *w = gic_word(a->gic, a->vcpu, GIC_ACTIVE, a->intid);
	uint32_t changed = val & ~*w;

	*w |= val;
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

static void gicd_clear_active_write(const struct gic_access *a, uint32_t val)
{
	uint32_t *w = gic_word(a->gic, a->vcpu, GIC_ACTIVE, a->intid);
	uint32_t changed = val & *w;

	*w &= ~val;
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

static uint32_t gicd_prio_read(const struct gic_access *a)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < a->len; i++)
		v |= (uint32_t)*gic_prio(a->gic, a->vcpu, a->intid + i) << (8 * i);
	return v;
}

static void gicd_prio_write(const struct gic_access *a, uint32_t val)
{
	uint32_t changed = 0;

	for (uint32_t i = 0; i < a->len; i++) {
		uint8_t *p = gic_prio(a->gic, a->vcpu, a->intid + i);
		uint8_t b = (val >> (8 * i)) & GIC_PRIO_MASK;

		if (*p != b) {
			*p = b;
			changed |= 1u << i;
		}
	}
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

/*
 * ITARGETSR: SGI/PPI bytes are read-only and name the reading CPU. With one
 * CPU (a uniprocessor GIC) all of ITARGETSR is RAZ/WI and SPIs go to CPU 0.
 */
static uint32_t gicd_targets_read(const struct gic_access *a)
{
	uint32_t v = 0;

	if (a->gic->nr_cpus == 1)
		return 0;
	for (uint32_t i = 0; i < a->len; i++) {
		uint32_t intid = a->intid + i;
		uint32_t b = intid < 32 ? 1u << a->vcpu : a->gic->targets[intid];

		v |= b << (8 * i);
	}
	return v;
}

static void gicd_targets_write(const struct gic_access *a, uint32_t val)
{
	uint32_t changed = 0;

	if (a->gic->nr_cpus == 1)
		return;
	for (uint32_t i = 0; i < a->len; i++) {
		uint32_t intid = a->intid + i;
		uint8_t b = (val >> (8 * i)) & a->gic->cpus_mask;

		if (intid < 32 || a->gic->targets[intid] == b)
			continue;
		a->gic->targets[intid] = b;
		changed |= 1u << i;
	}
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

/* ICFGR, 2 bits per INTID, bit 2k+1 = edge: SGIs read edge, PPIs level, both read-only. */
static uint32_t gicd_cfg_read(const struct gic_access *a)
{
	uint32_t edge, v = 0;

	if (a->intid < 16)
		return 0xaaaaaaaau;
	if (a->intid < 32)
		return 0;
	edge = a->gic->bits[GIC_EDGE][a->intid / 32] >> (a->intid % 32);
	for (uint32_t i = 0; i < 16; i++)
		v |= (edge >> i & 1) << (2 * i + 1);
	return v;
}

static void gicd_cfg_write(const struct gic_access *a, uint32_t val)
{
	uint32_t *w, changed = 0;

	if (a->intid < 32)
		return;
	w = &a->gic->bits[GIC_EDGE][a->intid / 32];
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t m = 1u << (a->intid % 32 + i);
		bool edge = val >> (2 * i + 1) & 1;

		if (!!(*w & m) == edge)
			continue;
		*w ^= m;
		changed |= 1u << i;
	}
	gic_req_irqs(a->q, a->intid, changed, a->vcpu);
}

/* SGIR: asks for SGI @id pending from this CPU on each target (set_pending per target). */
static void gicd_sgir_write(const struct gic_access *a, uint32_t val)
{
	struct gicv2_user *gic = a->gic;
	uint32_t id = val & 0xf;
	uint32_t targets;

	switch (val >> 24 & 3) {
	case 0:
		targets = (val >> 16) & gic->cpus_mask;
		break;
	case 1:
		targets = gic->cpus_mask & ~(1u << a->vcpu);
		break;
	case 2:
		targets = 1u << a->vcpu;
		break;
	default:
		return;	/* reserved filter: no SGI */
	}
	for (uint32_t t = 0; t < gic->nr_cpus; t++) {
		if (targets & (1u << t))
			gic_req_latch(a->q, (int)t, id, a->vcpu, true);
	}
	if (targets)
		gic_req_intid(a->q, id, targets);
}

/* CPENDSGIR/SPENDSGIR: one byte per SGI of the reading CPU, bit n = source vCPU n. */
static uint32_t gicd_sgi_pend_read(const struct gic_access *a)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < a->len; i++)
		v |= (uint32_t)a->gic->cpu[a->vcpu].sgi_src[a->intid + i] << (8 * i);
	return v;
}

/* Asks for a set (clear) of each (SGI, source) bit written as 1, on the accessing CPU. */
static void gicd_sgi_pend_update(const struct gic_access *a, uint32_t val, bool set)
{
	uint32_t touched = 0;

	for (uint32_t i = 0; i < a->len; i++) {
		uint32_t srcs = (val >> (8 * i)) & a->gic->cpus_mask;

		for (uint32_t b = srcs; b; b &= b - 1)
			gic_req_latch(a->q, a->vcpu, a->intid + i, __builtin_ctz(b), set);
		if (srcs)
			touched |= 1u << i;
	}
	gic_req_irqs(a->q, a->intid, touched, a->vcpu);
}

static void gicd_cpendsgi_write(const struct gic_access *a, uint32_t val)
{
	gicd_sgi_pend_update(a, val, false);
}

static void gicd_spendsgi_write(const struct gic_access *a, uint32_t val)
{
	gicd_sgi_pend_update(a, val, true);
}

/* PIDR4-7, PIDR0-3 (ArchRev 2 in PIDR2), CIDR0-3: the values of an Arm GIC-400. */
static uint32_t gicd_id_read(const struct gic_access *a)
{
	static const uint8_t id[12] = {
		0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
	};

	return id[a->off / 4];
}

/* ---- CPU interface handlers (lock held) ---- */

static uint32_t gicc_ctlr_read(const struct gic_access *a)
{
	return a->gic->cpu[a->vcpu].ctlr;
}

static void gicc_ctlr_write(const struct gic_access *a, uint32_t val)
{
	struct gic_cpu *c = &a->gic->cpu[a->vcpu];
	uint32_t v = val & GICC_CTLR_WMASK;

	if (v == c->ctlr)
		return;
	c->ctlr = v;
	gic_req_cpus(a->q, 1u << a->vcpu);
}

static uint32_t gicc_pmr_read(const struct gic_access *a)
{
	return a->gic->cpu[a->vcpu].pmr;
}

static void gicc_pmr_write(const struct gic_access *a, uint32_t val)
{
	struct gic_cpu *c = &a->gic->cpu[a->vcpu];
	uint8_t v = val & GIC_PRIO_MASK;

	if (v == c->pmr)
		return;
	c->pmr = v;
	gic_req_cpus(a->q, 1u << a->vcpu);
}

static uint32_t gicc_bpr_read(const struct gic_access *a)
{
	return a->gic->cpu[a->vcpu].bpr;
}

/* A value below the minimum binary point stores the minimum. */
static void gicc_bpr_write(const struct gic_access *a, uint32_t val)
{
	struct gic_cpu *c = &a->gic->cpu[a->vcpu];
	uint8_t v = val & 7;

	if (v < GIC_MIN_BPR)
		v = GIC_MIN_BPR;
	if (v == c->bpr)
		return;
	c->bpr = v;
	gic_req_cpus(a->q, 1u << a->vcpu);
}

/* ABPR: Group 1's binary point while GICC_CTLR.CBPR is 0; kept whatever CBPR. */
static uint32_t gicc_abpr_read(const struct gic_access *a)
{
	return a->gic->cpu[a->vcpu].abpr;
}

static void gicc_abpr_write(const struct gic_access *a, uint32_t val)
{
	struct gic_cpu *c = &a->gic->cpu[a->vcpu];
	uint8_t v = val & 7;

	if (v < GIC_MIN_ABPR)
		v = GIC_MIN_ABPR;
	if (v == c->abpr)
		return;
	c->abpr = v;
	gic_req_cpus(a->q, 1u << a->vcpu);
}

static bool gic_grp1(struct gicv2_user *gic, int cpu, uint32_t intid)
{
	return gic_test(gic, cpu, GIC_GROUP, intid);
}

/* The IAR/HPPIR value for @h: the INTID, and for SGIs the source CPU in [12:10]. */
static uint32_t gic_iar_value(const struct gic_hppi *h)
{
	if (h->intid < GIC_NR_SGIS)
		return h->intid | (uint32_t)h->src << GICC_SRC_SHIFT;
	return h->intid;
}

/*
 * Acknowledges the signalled interrupt: pending -> active, pushes its group
 * priority. @alias: GICC_AIAR, which acknowledges Group 1 only (1023 for a
 * Group 0 one); else GICC_IAR, which gives 1022 for a Group 1 interrupt
 * while AckCtl is 0.
 */
static uint32_t gic_ack(const struct gic_access *a, bool alias)
{
	struct gicv2_user *gic = a->gic;
	struct gic_cpu *c = &gic->cpu[a->vcpu];
	struct gic_hppi h;
	uint32_t m;
	bool grp1;

	if (!gicv2_user_signalled(gic, a->vcpu, &h))
		return GIC_INTID_SPURIOUS;
	grp1 = gic_grp1(gic, a->vcpu, h.intid);
	if (alias && !grp1)
		return GIC_INTID_SPURIOUS;
	if (!alias && grp1 && !(c->ctlr & GICC_CTLR_ACKCTL))
		return GIC_INTID_GRP1_NOACK;
	m = 1u << (h.intid % 32);
	if (h.intid < GIC_NR_SGIS)
		c->sgi_src[h.intid] &= ~(1u << h.src);
	else
		*gic_word(gic, a->vcpu, GIC_LATCH, h.intid) &= ~m;
	*gic_word(gic, a->vcpu, GIC_ACTIVE, h.intid) |= m;
	c->apr |= 1u << (gic_irq_group_prio(gic, a->vcpu, h.intid, h.prio) >> 3);
	irqchip_count_delivered(gic->chip, h.intid);
	gic_req_irqs(a->q, h.intid, 1, a->vcpu);
	return gic_iar_value(&h);
}

static uint32_t gicc_iar_read(const struct gic_access *a)
{
	return gic_ack(a, false);
}

static uint32_t gicc_aiar_read(const struct gic_access *a)
{
	return gic_ack(a, true);
}

/* Priority drop; also deactivation unless EOImode. Accepts IAR's source bits. */
static void gic_eoi(const struct gic_access *a, uint32_t intid)
{
	struct gic_cpu *c = &a->gic->cpu[a->vcpu];

	if (c->apr) {
		c->apr &= c->apr - 1;
		gic_req_cpus(a->q, 1u << a->vcpu);
	}
	if (!(c->ctlr & GICC_CTLR_EOIMODE) && gic_deactivate(a->gic, a->vcpu, intid))
		gic_req_irqs(a->q, intid, 1, a->vcpu);
}

static void gicc_eoir_write(const struct gic_access *a, uint32_t val)
{
	uint32_t intid = val & GICC_INTID_MASK;

	if (intid >= GIC_INTID_SPECIAL || intid >= a->gic->nr_irqs)
		return;
	gic_eoi(a, intid);
}

/* AEOIR: EOIR for Group 1 interrupts; a Group 0 INTID (UNPREDICTABLE) is ignored. */
static void gicc_aeoir_write(const struct gic_access *a, uint32_t val)
{
	uint32_t intid = val & GICC_INTID_MASK;

	if (intid >= GIC_INTID_SPECIAL || intid >= a->gic->nr_irqs ||
	    !gic_grp1(a->gic, a->vcpu, intid))
		return;
	gic_eoi(a, intid);
}

/* DIR: deactivation in EOImode 1; ignored in EOImode 0 (UNPREDICTABLE there). */
static void gicc_dir_write(const struct gic_access *a, uint32_t val)
{
	uint32_t intid = val & GICC_INTID_MASK;

	if (!(a->gic->cpu[a->vcpu].ctlr & GICC_CTLR_EOIMODE))
		return;
	if (intid >= GIC_INTID_SPECIAL || intid >= a->gic->nr_irqs)
		return;
	if (gic_deactivate(a->gic, a->vcpu, intid))
		gic_req_irqs(a->q, intid, 1, a->vcpu);
}

static uint32_t gicc_rpr_read(const struct gic_access *a)
{
	return gic_running_prio(&a->gic->cpu[a->vcpu]);
}

/* HPPIR: like IAR without side effects, ignoring PMR and the running priority. */
static uint32_t gicc_hppir_read(const struct gic_access *a)
{
	struct gic_hppi h;

	if (!gicv2_user_hppi(a->gic, a->vcpu, &h))
		return GIC_INTID_SPURIOUS;
	if (gic_grp1(a->gic, a->vcpu, h.intid) && !(a->gic->cpu[a->vcpu].ctlr & GICC_CTLR_ACKCTL))
		return GIC_INTID_GRP1_NOACK;
	return gic_iar_value(&h);
}

/* AHPPIR: HPPIR for a Group 1 interrupt; 1023 when the highest is Group 0. */
static uint32_t gicc_ahppir_read(const struct gic_access *a)
{
	struct gic_hppi h;

	if (!gicv2_user_hppi(a->gic, a->vcpu, &h) || !gic_grp1(a->gic, a->vcpu, h.intid))
		return GIC_INTID_SPURIOUS;
	return gic_iar_value(&h);
}

/* APR0: the active-priority bitmap itself (32 levels fit in one register). */
static uint32_t gicc_apr_read(const struct gic_access *a)
{
	return a->gic->cpu[a->vcpu].apr;
}

static void gicc_apr_write(const struct gic_access *a, uint32_t val)
{
	struct gic_cpu *c = &a->gic->cpu[a->vcpu];

	if (val == c->apr)
		return;
	c->apr = val;
	gic_req_cpus(a->q, 1u << a->vcpu);
}

static uint32_t gicc_iidr_read(const struct gic_access *a)
{
	return GICC_IIDR_VALUE;
}

/* ---- Register tables, the check routine, MMIO entry points ---- */

#define GIC_W8 1u
#define GIC_W32 4u

struct gic_reg {
	uint32_t offset;
	uint32_t len;		/* bytes covered: a register array spans many words */
	uint8_t bits_per_irq;	/* 0: not per INTID */
	uint8_t widths;		/* allowed access sizes in bytes, ORed (GIC_W8 | GIC_W32) */
	uint32_t (*read)(const struct gic_access *a);	/* NULL: RAZ */
	void (*write)(const struct gic_access *a, uint32_t val);	/* NULL: WI */
};

/* Sorted by offset, disjoint; anything else in the 4 KiB frame is RAZ/WI. */
static const struct gic_reg gicd_regs[] = {
	{ GICD_CTLR, 4, 0, GIC_W32, gicd_ctlr_read, gicd_ctlr_write },
	{ GICD_TYPER, 4, 0, GIC_W32, gicd_typer_read, NULL },
	{ GICD_IIDR, 4, 0, GIC_W32, gicd_iidr_read, NULL },
	{ GICD_IGROUPR, 0x80, 1, GIC_W32, gicd_group_read, gicd_group_write },
	{ GICD_ISENABLER, 0x80, 1, GIC_W32, gicd_enable_read, gicd_set_enable_write },
	{ GICD_ICENABLER, 0x80, 1, GIC_W32, gicd_enable_read, gicd_clear_enable_write },
	{ GICD_ISPENDR, 0x80, 1, GIC_W32, gicd_pending_read, gicd_set_pending_write },
	{ GICD_ICPENDR, 0x80, 1, GIC_W32, gicd_pending_read, gicd_clear_pending_write },
	{ GICD_ISACTIVER, 0x80, 1, GIC_W32, gicd_active_read, gicd_set_active_write },
	{ GICD_ICACTIVER, 0x80, 1, GIC_W32, gicd_active_read, gicd_clear_active_write },
	{ GICD_IPRIORITYR, 0x400, 8, GIC_W8 | GIC_W32, gicd_prio_read, gicd_prio_write },
	{ GICD_ITARGETSR, 0x400, 8, GIC_W8 | GIC_W32, gicd_targets_read, gicd_targets_write },
	{ GICD_ICFGR, 0x100, 2, GIC_W32, gicd_cfg_read, gicd_cfg_write },
	{ GICD_SGIR, 4, 0, GIC_W32, NULL, gicd_sgir_write },	/* write-only */
	{ GICD_CPENDSGIR, 0x10, 8, GIC_W8 | GIC_W32, gicd_sgi_pend_read, gicd_cpendsgi_write },
	{ GICD_SPENDSGIR, 0x10, 8, GIC_W8 | GIC_W32, gicd_sgi_pend_read, gicd_spendsgi_write },
	{ GICD_PIDR4, 0x30, 0, GIC_W32, gicd_id_read, NULL },
};

/* Sorted by offset, disjoint; anything else in the 8 KiB frame is RAZ/WI. */
static const struct gic_reg gicc_regs[] = {
	{ GICC_CTLR, 4, 0, GIC_W32, gicc_ctlr_read, gicc_ctlr_write },
	{ GICC_PMR, 4, 0, GIC_W32, gicc_pmr_read, gicc_pmr_write },
	{ GICC_BPR, 4, 0, GIC_W32, gicc_bpr_read, gicc_bpr_write },
	{ GICC_IAR, 4, 0, GIC_W32, gicc_iar_read, NULL },
	{ GICC_EOIR, 4, 0, GIC_W32, NULL, gicc_eoir_write },
	{ GICC_RPR, 4, 0, GIC_W32, gicc_rpr_read, NULL },
	{ GICC_HPPIR, 4, 0, GIC_W32, gicc_hppir_read, NULL },
	{ GICC_ABPR, 4, 0, GIC_W32, gicc_abpr_read, gicc_abpr_write },
	{ GICC_AIAR, 4, 0, GIC_W32, gicc_aiar_read, NULL },
	{ GICC_AEOIR, 4, 0, GIC_W32, NULL, gicc_aeoir_write },
	{ GICC_AHPPIR, 4, 0, GIC_W32, gicc_ahppir_read, NULL },
	{ GICC_APR0, 4, 0, GIC_W32, gicc_apr_read, gicc_apr_write },
	/* RAZ/WI: 32 priority levels fit in APR0. */
	{ GICC_APR1, 12, 0, GIC_W32, NULL, NULL },
	/* RAZ/WI: Non-secure APRs exist with the Security Extensions only. */
	{ GICC_NSAPR0, 16, 0, GIC_W32, NULL, NULL },
	{ GICC_IIDR, 4, 0, GIC_W32, gicc_iidr_read, NULL },
	{ GICC_DIR, 4, 0, GIC_W32, NULL, gicc_dir_write },
};

static int gic_reg_cmp(const void *key, const void *elem)
{
	uint64_t off = *(const uint64_t *)key;
	const struct gic_reg *r = elem;

	if (off < r->offset)
		return -1;
	if (off >= (uint64_t)r->offset + r->len)
		return 1;
	return 0;
}

/*
 * The one check before any handler: width 1, 2, 4 or 8 and allowed by the
 * register, natural alignment, a register at @offset holding the whole
 * access, and for per-INTID registers every INTID below nr_irqs. Fills
 * @a's offset, INTID and length. Returns the register, or NULL: RAZ/WI.
 */
static const struct gic_reg *gic_check(const struct gicv2_user *gic, const struct gic_reg *tab,
				       size_t n, uint64_t offset, uint32_t len,
				       struct gic_access *a)
{
	const struct gic_reg *reg;

	if ((len != 1 && len != 2 && len != 4 && len != 8) || offset % len)
		return NULL;
	reg = bsearch(&offset, tab, n, sizeof(*tab), gic_reg_cmp);
	if (!reg || !(len & reg->widths) || offset + len > (uint64_t)reg->offset + reg->len)
		return NULL;
	a->off = (uint32_t)(offset - reg->offset);
	a->len = len;
	a->intid = 0;
	if (reg->bits_per_irq) {
		a->intid = a->off * 8 / reg->bits_per_irq;
		if (a->intid + len * 8 / reg->bits_per_irq > gic->nr_irqs)
			return NULL;
	}
	return reg;
}

/* Counts a RAZ/WI access and logs it at debug on the 1st, 2nd, 4th, ... one. */
static void gic_ignored(struct gicv2_user *gic, const char *frame, int vcpu, uint64_t offset,
			uint32_t len, bool write)
{
	uint64_t n = atomic_fetch_add_explicit(&gic->ignored, 1, memory_order_relaxed) + 1;

	if (n & (n - 1))
		return;
	log_debug("gicv2-user: ignored %" PRIu32 "-byte %s at %s+0x%" PRIx64 " by vCPU %d"
		  " (%" PRIu64 " ignored so far)",
		  len, write ? "write" : "read", frame, offset, vcpu, n);
}

static uint32_t le_load(const uint8_t *data, uint32_t len)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < len && i < 4; i++)
		v |= (uint32_t)data[i] << (8 * i);
	return v;
}

static void le_store(uint8_t *data, uint32_t len, uint32_t v)
{
	for (uint32_t i = 0; i < len && i < 4; i++)
		data[i] = v >> (8 * i) & 0xff;
}

/* One access to a frame: decode, run the handler under the lock, then queue. */
static void gic_mmio(struct gicv2_user *gic, const struct gic_reg *tab, size_t n,
		     const char *frame, int vcpu, uint64_t offset, uint8_t *rdata,
		     const uint8_t *wdata, uint32_t len)
{
	struct gic_queue_req q = GIC_QUEUE_REQ_INIT;
	struct gic_access a = { .gic = gic, .vcpu = vcpu, .q = &q };
	const struct gic_reg *reg;

	if (rdata)
		memset(rdata, 0, len);
	if (!gic || (!rdata && !wdata))
		return;
	if (vcpu < 0 || (uint32_t)vcpu >= gic->nr_cpus)
		goto ignored;
	reg = gic_check(gic, tab, n, offset, len, &a);
	if (!reg)
		goto ignored;
	pthread_mutex_lock(&gic->lock);
	if (rdata && reg->read)
		le_store(rdata, len, reg->read(&a));
	else if (wdata && reg->write)
		reg->write(&a, le_load(wdata, len));
	pthread_mutex_unlock(&gic->lock);
	gicv2_user_queue_req_run(gic, &q);
	return;

ignored:
	gic_ignored(gic, frame, vcpu, offset, len, wdata != NULL);
}

void gicv2_user_dist_read(struct gicv2_user *gic, int vcpu, uint64_t offset, uint8_t *data,
			  uint32_t len)
{
	gic_mmio(gic, gicd_regs, ARRAY_SIZE(gicd_regs), "GICD", vcpu, offset, data, NULL, len);
}

void gicv2_user_dist_write(struct gicv2_user *gic, int vcpu, uint64_t offset, const uint8_t *data,
			   uint32_t len)
{
	gic_mmio(gic, gicd_regs, ARRAY_SIZE(gicd_regs), "GICD", vcpu, offset, NULL, data, len);
}

void gicv2_user_cpu_read(struct gicv2_user *gic, int vcpu, uint64_t offset, uint8_t *data,
			 uint32_t len)
{
	gic_mmio(gic, gicc_regs, ARRAY_SIZE(gicc_regs), "GICC", vcpu, offset, data, NULL, len);
}

void gicv2_user_cpu_write(struct gicv2_user *gic, int vcpu, uint64_t offset, const uint8_t *data,
			  uint32_t len)
{
	gic_mmio(gic, gicc_regs, ARRAY_SIZE(gicc_regs), "GICC", vcpu, offset, NULL, data, len);
}

static void dist_read_op(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	gicv2_user_dist_read(ctx, vcpu, offset, data, len);
}

static void dist_write_op(void *ctx, int vcpu, uint64_t offset, const uint8_t *data, uint32_t len)
{
	gicv2_user_dist_write(ctx, vcpu, offset, data, len);
}

static void cpu_read_op(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	gicv2_user_cpu_read(ctx, vcpu, offset, data, len);
}

static void cpu_write_op(void *ctx, int vcpu, uint64_t offset, const uint8_t *data, uint32_t len)
{
	gicv2_user_cpu_write(ctx, vcpu, offset, data, len);
}

const struct mmio_ops gicv2_user_dist_mmio_ops = {
	.read = dist_read_op,
	.write = dist_write_op,
};

const struct mmio_ops gicv2_user_cpu_mmio_ops = {
	.read = cpu_read_op,
	.write = cpu_write_op,
};

/* The tables must be sorted and disjoint for bsearch(). */
static bool gic_table_sorted(const struct gic_reg *tab, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if ((uint64_t)tab[i - 1].offset + tab[i - 1].len > tab[i].offset)
			return false;
	}
	return true;
}

bool gicv2_user_regs_valid(void)
{
	return gic_table_sorted(gicd_regs, ARRAY_SIZE(gicd_regs)) &&
	       gic_table_sorted(gicc_regs, ARRAY_SIZE(gicc_regs));
}
