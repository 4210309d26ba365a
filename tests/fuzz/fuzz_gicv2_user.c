// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the userspace GICv2 (irqchip/gicv2_user*.c) driven by a
 * sequence of guest register accesses (distributor and CPU interface, every
 * width and offset, from every vCPU) and device line changes, with a model
 * of the GICv2 rules checked after every step.
 *
 * Input: byte 0 the number of vCPUs (1 + b % 8), byte 1 the number of
 * interrupts (32 * (1 + b % 8)); then 8-byte steps:
 *   s[0] bits 0-2 kind (below), bits 3-5 vCPU, bits 6-7 width 1 << n;
 *   s[1..2] offset (little endian), s[3..6] value, s[7] extra.
 * Kinds: 0/1 GICD read/write, 2/3 GICC read/write (offset aligned to the
 * width), 4 device line (INTID = offset % nr_irqs, level = value bit 0),
 * 5 IAR or AIAR read (s[7] bit 0), 6 unaligned access anywhere (s[7]
 * bits 0-1 picks frame and direction), 7 EOIR, AEOIR or DIR of the value.
 *
 * Checks, each by an independent per-INTID model of the GIC state (not the
 * bitmap code under test); any violation aborts:
 *   - every vCPU's IRQ line (what set_cpu_irq() was last told, and the GIC's
 *     own record) equals the model's "an enabled, pending, inactive
 *     interrupt of an enabled group, targeted at this CPU, beats PMR and the
 *     running priority"; set_cpu_irq() is only called for existing vCPUs and
 *     only with a change;
 *   - IAR/AIAR never returns an interrupt that was disabled, not pending,
 *     already active on that CPU, of a disabled group, at or above PMR or
 *     the running priority, an SPI not targeted at that CPU (nor an SGI
 *     source that was not pending), nor one of lower priority than another
 *     deliverable one; afterwards it is active and the running priority is
 *     its group priority;
 *   - 1023 (or 1022) only when the model has nothing (or a Group 1 one
 *     without AckCtl) to deliver;
 *   - EOIR/AEOIR/DIR of an INTID not active on that CPU changes no
 *     interrupt's state (it may drop the running priority: the spec leaves
 *     that UNPREDICTABLE and the GIC drops the highest active one); EOIR
 *     drops at most the highest active priority and, with GICC_CTLR.EOImode
 *     0, deactivates that INTID only (AEOIR: if Group 1); with EOImode 1
 *     only DIR deactivates; DIR never drops priority;
 *   - ISENABLER/ICENABLER, ISPENDR/ICPENDR, ISACTIVER/ICACTIVER read back
 *     the model's view of the accessing CPU;
 *   - 2- and 8-byte and misaligned accesses read zero and change nothing;
 *   - state of absent vCPUs and of INTIDs past nr_irqs never changes; no
 *     SGI is pending from or to an absent vCPU.
 * Built by scripts/fuzz.sh; tests/unit/test_gicv2_user.c replays
 * tests/fuzz/corpus/fuzz_gicv2_user/ and tests/fuzz/regress/fuzz_gicv2_user/.
 *
 * fuzz-sources: irqchip/gicv2_user.c irqchip/gicv2_user_regs.c irqchip/irqchip.c
 * fuzz-sources: lib/log.c lib/util.c
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irqchip/gicv2_user.h"
#include "irqchip/gicv2_user_priv.h"
#include "irqchip/irqchip.h"

#define FG_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FG_STEP 8u
#define FG_MAX_STEPS 512u

struct fg_host {
	bool line[GICV2_USER_MAX_VCPUS];
	uint32_t nr_cpus;
};

static int fg_set_cpu_irq(void *host, int vcpu, bool level)
{
	struct fg_host *h = host;

	FG_CHECK(vcpu >= 0 && (uint32_t)vcpu < h->nr_cpus);
	FG_CHECK(h->line[vcpu] != level);
	h->line[vcpu] = level;
	return 0;
}

/* ---- The model: one INTID at a time, from the raw state ---- */

static bool fg_bit(struct gicv2_user *g, uint32_t cpu, enum gic_bits b, uint32_t intid)
{
	uint32_t w = intid < 32 ? g->cpu[cpu].bits[b] : g->bits[b][intid / 32];

	return w >> (intid % 32) & 1;
}

static uint8_t fg_prio(struct gicv2_user *g, uint32_t cpu, uint32_t intid)
{
	return intid < 32 ? g->cpu[cpu].prio[intid] : g->prio[intid];
}

static bool fg_pending(struct gicv2_user *g, uint32_t cpu, uint32_t intid)
{
	if (intid < 16)
		return g->cpu[cpu].sgi_src[intid] != 0;
	return fg_bit(g, cpu, GIC_LATCH, intid) ||
	       (fg_bit(g, cpu, GIC_LEVEL, intid) && !fg_bit(g, cpu, GIC_EDGE, intid));
}

/* Pending, enabled, inactive, group enabled, targeted: HPPIR candidates. */
static bool fg_candidate(struct gicv2_user *g, uint32_t cpu, uint32_t intid)
{
	uint32_t grp = fg_bit(g, cpu, GIC_GROUP, intid) ? GIC_CTLR_ENGRP1 : GIC_CTLR_ENGRP0;

	if (!fg_pending(g, cpu, intid) || !fg_bit(g, cpu, GIC_ENABLED, intid) ||
	    fg_bit(g, cpu, GIC_ACTIVE, intid))
		return false;
	if (!(g->ctlr & grp) || !(g->cpu[cpu].ctlr & grp))
		return false;
	if (intid >= 32 && g->nr_cpus > 1 && !(g->targets[intid] & (1u << cpu)))
		return false;
	return true;
}

static uint32_t fg_rpr(const struct gic_cpu *c)
{
	for (uint32_t n = 0; n < 32; n++)
		if (c->apr & (1u << n))
			return n << 3;
	return 0xff;
}

static uint32_t fg_group_prio(struct gicv2_user *g, uint32_t cpu, uint32_t intid)
{
	const struct gic_cpu *c = &g->cpu[cpu];
	uint32_t bpr = c->bpr;

	if (fg_bit(g, cpu, GIC_GROUP, intid) && !(c->ctlr & GICC_CTLR_CBPR))
		bpr = c->abpr - 1u;
	return fg_prio(g, cpu, intid) & (0xffu << (bpr + 1)) & 0xff;
}

/* The highest-priority candidate (lowest INTID on a tie), or 1023. */
static uint32_t fg_hppi(struct gicv2_user *g, uint32_t cpu)
{
	uint32_t best = GIC_INTID_SPURIOUS, bp = 0x100;

	for (uint32_t i = 0; i < g->nr_irqs; i++) {
		if (fg_candidate(g, cpu, i) && fg_prio(g, cpu, i) < bp) {
			bp = fg_prio(g, cpu, i);
			best = i;
		}
	}
	return best;
}

static bool fg_signalled(struct gicv2_user *g, uint32_t cpu)
{
	uint32_t i = fg_hppi(g, cpu);

	return i != GIC_INTID_SPURIOUS && fg_prio(g, cpu, i) < g->cpu[cpu].pmr &&
	       fg_group_prio(g, cpu, i) < fg_rpr(&g->cpu[cpu]);
}

/* ---- Snapshots ---- */

struct fg_snap {
	uint32_t ctlr;
	uint32_t bits[GIC_NR_BITS][GIC_STORE_IRQS / 32];
	uint8_t prio[GIC_STORE_IRQS];
	uint8_t targets[GIC_STORE_IRQS];
	struct gic_cpu cpu[GICV2_USER_MAX_VCPUS];
};

static void fg_take(struct gicv2_user *g, struct fg_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->ctlr = g->ctlr;
	memcpy(s->bits, g->bits, sizeof(s->bits));
	memcpy(s->prio, g->prio, sizeof(s->prio));
	memcpy(s->targets, g->targets, sizeof(s->targets));
	memcpy(s->cpu, g->cpu, sizeof(s->cpu));
}

/* Whether every interrupt's state (not the CPU interfaces' priorities) is as in @s. */
static bool fg_irqs_same(struct gicv2_user *g, const struct fg_snap *s)
{
	if (memcmp(s->bits, g->bits, sizeof(s->bits)))
		return false;
	for (uint32_t c = 0; c < GICV2_USER_MAX_VCPUS; c++) {
		if (memcmp(s->cpu[c].bits, g->cpu[c].bits, sizeof(s->cpu[c].bits)) ||
		    memcmp(s->cpu[c].sgi_src, g->cpu[c].sgi_src, sizeof(s->cpu[c].sgi_src)))
			return false;
	}
	return true;
}

static bool fg_all_same(struct gicv2_user *g, const struct fg_snap *s)
{
	struct fg_snap now;

	fg_take(g, &now);
	for (uint32_t c = 0; c < GICV2_USER_MAX_VCPUS; c++)
		now.cpu[c].line = s->cpu[c].line; /* the line is checked on its own */
	return !memcmp(&now, s, sizeof(now));
}

/* What must never change: absent vCPUs, INTIDs past nr_irqs, SGIs of absent vCPUs. */
static void fg_check_bounds(struct gicv2_user *g, const struct fg_snap *init)
{
	for (uint32_t c = g->nr_cpus; c < GICV2_USER_MAX_VCPUS; c++)
		FG_CHECK(!memcmp(&g->cpu[c], &init->cpu[c], sizeof(g->cpu[c])));
	for (uint32_t b = 0; b < GIC_NR_BITS; b++)
		for (uint32_t w = g->nr_irqs / 32; w < GIC_STORE_IRQS / 32; w++)
			FG_CHECK(g->bits[b][w] == init->bits[b][w]);
	for (uint32_t i = g->nr_irqs; i < GIC_STORE_IRQS; i++)
		FG_CHECK(g->prio[i] == init->prio[i] && g->targets[i] == init->targets[i]);
	for (uint32_t c = 0; c < g->nr_cpus; c++)
		for (uint32_t i = 0; i < GIC_NR_SGIS; i++)
			FG_CHECK(!(g->cpu[c].sgi_src[i] & ~g->cpus_mask));
}

static void fg_check_lines(struct gicv2_user *g, const struct fg_host *h)
{
	for (uint32_t c = 0; c < g->nr_cpus; c++) {
		bool want = fg_signalled(g, c);

		FG_CHECK(h->line[c] == want);
		FG_CHECK(gicv2_user_cpu_line(g, (int)c) == want);
	}
}

/* ---- Steps ---- */

static uint32_t fg_le(const uint8_t *p, uint32_t n)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

/* A 4-byte read of a per-INTID bit register: must match the model. */
static void fg_check_bit_read(struct gicv2_user *g, uint32_t cpu, uint32_t off, uint32_t val)
{
	uint32_t base = (off & 0x7f) * 8, want = 0;

	if (off < 0x100 || off >= 0x400 || base >= g->nr_irqs)
		return;
	for (uint32_t i = 0; i < 32; i++) {
		bool on;

		if (off < 0x200)
			on = fg_bit(g, cpu, GIC_ENABLED, base + i);
		else if (off < 0x300)
			on = fg_pending(g, cpu, base + i);
		else
			on = fg_bit(g, cpu, GIC_ACTIVE, base + i);
		want |= (uint32_t)on << i;
	}
	FG_CHECK(val == want);
}

static void fg_access(struct gicv2_user *g, bool cpu_frame, bool write, uint32_t vcpu, uint32_t off,
		      uint32_t len, uint32_t value)
{
	uint8_t buf[8] = {0};
	bool bad_width = len == 2 || len == 8 || off % len;
	struct fg_snap before;

	if (bad_width)
		fg_take(g, &before);
	if (write) {
		for (uint32_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(value >> (8 * (i % 4)));
		if (cpu_frame)
			gicv2_user_cpu_write(g, (int)vcpu, off, buf, len);
		else
			gicv2_user_dist_write(g, (int)vcpu, off, buf, len);
	} else {
		memset(buf, 0xa5, sizeof(buf));
		if (cpu_frame)
			gicv2_user_cpu_read(g, (int)vcpu, off, buf, len);
		else
			gicv2_user_dist_read(g, (int)vcpu, off, buf, len);
		for (uint32_t i = len; i < sizeof(buf); i++)
			FG_CHECK(buf[i] == 0xa5); /* never past the access */
		if (bad_width)
			for (uint32_t i = 0; i < len; i++)
				FG_CHECK(buf[i] == 0);
		if (!cpu_frame && len == 4 && !bad_width)
			fg_check_bit_read(g, vcpu, off, fg_le(buf, 4));
	}
	if (bad_width)
		FG_CHECK(fg_all_same(g, &before));
}

/* IAR or AIAR on @vcpu, checked against the model before and after. */
static void fg_ack(struct gicv2_user *g, uint32_t vcpu, bool alias)
{
	struct gic_cpu *c = &g->cpu[vcpu];
	uint32_t want = fg_hppi(g, vcpu), intid, src;
	bool sig = fg_signalled(g, vcpu), grp1 = false, was_active;
	uint8_t srcs = 0, buf[4];

	if (want != GIC_INTID_SPURIOUS) {
		grp1 = fg_bit(g, vcpu, GIC_GROUP, want);
		if (want < 16)
			srcs = c->sgi_src[want];
	}
	gicv2_user_cpu_read(g, (int)vcpu, alias ? 0x20 : 0x0c, buf, 4);
	intid = fg_le(buf, 4) & 0x3ff;
	src = fg_le(buf, 4) >> 10;
	if (intid == GIC_INTID_SPURIOUS) {
		FG_CHECK(src == 0);
		FG_CHECK(!sig || (alias && !grp1));
		return;
	}
	if (intid == GIC_INTID_GRP1_NOACK) {
		FG_CHECK(!alias && sig && grp1 && !(c->ctlr & GICC_CTLR_ACKCTL));
		return;
	}
	/* An acknowledged interrupt: the model's choice (same priority, so the same INTID). */
	FG_CHECK(sig && intid == want && intid < g->nr_irqs);
	FG_CHECK(alias ? grp1 : (!grp1 || (c->ctlr & GICC_CTLR_ACKCTL)));
	if (intid < 16)
		FG_CHECK(src < g->nr_cpus && (srcs & (1u << src)) && !(srcs & ((1u << src) - 1)));
	else
		FG_CHECK(src == 0);
	was_active = fg_bit(g, vcpu, GIC_ACTIVE, intid);
	FG_CHECK(was_active); /* now active (it was not: fg_candidate) */
	FG_CHECK(fg_rpr(c) == fg_group_prio(g, vcpu, intid));
	if (intid < 16)
		FG_CHECK(!(c->sgi_src[intid] & (1u << src)));
}

/* EOIR (0), AEOIR (1) or DIR (2) of @value on @vcpu. */
static void fg_eoi(struct gicv2_user *g, uint32_t vcpu, uint32_t which, uint32_t value)
{
	static const uint32_t off[3] = {0x10, 0x24, 0x1000};
	uint32_t intid = value & 0x3ff;
	bool active = intid < g->nr_irqs && fg_bit(g, vcpu, GIC_ACTIVE, intid);
	uint32_t apr = g->cpu[vcpu].apr;
	struct fg_snap before;
	bool eoimode;
	uint8_t buf[4];

	fg_take(g, &before);
	for (uint32_t i = 0; i < 4; i++)
		buf[i] = (uint8_t)(value >> (8 * i));
	gicv2_user_cpu_write(g, (int)vcpu, off[which], buf, 4);
	/* Priority drop: the highest active priority only, or nothing. */
	FG_CHECK(g->cpu[vcpu].apr == apr || g->cpu[vcpu].apr == (apr & (apr - 1)));
	if (which == 2)
		FG_CHECK(g->cpu[vcpu].apr == apr);
	/* EOImode 1: EOIR only drops priority; EOImode 0: DIR does nothing. */
	eoimode = g->cpu[vcpu].ctlr & (1u << 9); /* GICC_CTLR.EOImode */
	if (!active || (which == 2) != eoimode) {
		FG_CHECK(fg_irqs_same(g, &before));
		return;
	}
	/* An active INTID of the right group is deactivated. */
	if (which != 1 || fg_bit(g, vcpu, GIC_GROUP, intid))
		FG_CHECK(!fg_bit(g, vcpu, GIC_ACTIVE, intid));
	/* Only this INTID may have become inactive. */
	if (!fg_bit(g, vcpu, GIC_ACTIVE, intid)) {
		if (intid < 32)
			g->cpu[vcpu].bits[GIC_ACTIVE] |= 1u << intid;
		else
			g->bits[GIC_ACTIVE][intid / 32] |= 1u << (intid % 32);
		FG_CHECK(fg_irqs_same(g, &before));
		if (intid < 32)
			g->cpu[vcpu].bits[GIC_ACTIVE] &= ~(1u << intid);
		else
			g->bits[GIC_ACTIVE][intid / 32] &= ~(1u << (intid % 32));
	} else {
		FG_CHECK(fg_irqs_same(g, &before));
	}
}

static void fg_step(struct gicv2_user *g, struct irqchip *chip, const uint8_t *s)
{
	uint32_t kind = s[0] & 7, vcpu = (s[0] >> 3 & 7) % g->nr_cpus;
	uint32_t len = 1u << (s[0] >> 6), off = fg_le(s + 1, 2), value = fg_le(s + 3, 4);

	switch (kind) {
	case 0:
	case 1:
		fg_access(g, false, kind == 1, vcpu, (off % GICV2_USER_DIST_SIZE) & ~(len - 1), len,
			  value);
		break;
	case 2:
	case 3:
		fg_access(g, true, kind == 3, vcpu, (off % GICV2_USER_CPU_SIZE) & ~(len - 1), len,
			  value);
		break;
	case 4:
		/* Device lines: SGIs and INTIDs past nr_irqs are refused by the front end. */
		irqchip_set_level(chip, (int)vcpu, off % (g->nr_irqs + 32), value & 1);
		break;
	case 5:
		fg_ack(g, vcpu, s[7] & 1);
		break;
	case 6:
		fg_access(g, s[7] & 1, s[7] & 2, vcpu,
			  off % (s[7] & 1 ? GICV2_USER_CPU_SIZE : GICV2_USER_DIST_SIZE), len,
			  value);
		break;
	default:
		fg_eoi(g, vcpu, s[7] % 3, value);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_host host = {0};
	struct irqchip_config cfg = {0};
	struct irqchip *chip = NULL;
	struct fg_snap init;
	struct gicv2_user *g;
	size_t steps;

	if (size < 2)
		return 0;
	host.nr_cpus = 1u + data[0] % 8;
	cfg.nr_vcpus = host.nr_cpus;
	cfg.nr_irqs = 32u * (1u + data[1] % 8);
	cfg.host = &host;
	cfg.set_cpu_irq = fg_set_cpu_irq;
	FG_CHECK(gicv2_user_create(&cfg, &chip) == 0);
	g = gicv2_user_of(chip);
	FG_CHECK(g);
	fg_take(g, &init);

	steps = (size - 2) / FG_STEP;
	if (steps > FG_MAX_STEPS)
		steps = FG_MAX_STEPS;
	for (size_t i = 0; i < steps; i++) {
		fg_step(g, chip, data + 2 + i * FG_STEP);
		fg_check_lines(g, &host);
		fg_check_bounds(g, &init);
	}
	irqchip_destroy(chip);
	return 0;
}
