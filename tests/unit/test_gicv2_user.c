// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the userspace GICv2 (irqchip/gicv2_user.c), driven through
 * guest register accesses the way Linux's irq-gic.c does, with a recording
 * fake for set_cpu_irq() (the vCPU IRQ input: KVM_IRQ_LINE in the VMM) and
 * a spy around the backend's class ops and queue_cpu (gicv2_user_new()),
 * which records the latch and queue calls each access makes.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irqchip/gicv2_user.h"
#include "irqchip/gicv2_user_priv.h"
#include "irqchip/irqchip.h"
#include "irqchip/irqchip_backend.h"
#include "tests/fakes/fuzz_replay.h"

/* The fuzz target, renamed: its seeds and kept inputs are replayed at the end. */
#define LLVMFuzzerTestOneInput fuzz_gicv2_user_one
#include "tests/fuzz/fuzz_gicv2_user.c"

/* Register offsets as the GICv2 spec (and Linux's arm-gic.h) name them. */
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
#define GICD_PIDR2 0xfe8
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR 0x1c
#define GICC_AIAR 0x20
#define GICC_AEOIR 0x24
#define GICC_AHPPIR 0x28
#define GICC_APR0 0xd0
#define GICC_IIDR 0xfc
#define GICC_DIR 0x1000

#define CTLR_EOIMODE (1u << 9)
#define CTLR_ACKCTL (1u << 2)
#define CTLR_CBPR (1u << 4)
#define SPURIOUS 1023u
#define NR_IRQS 128u

struct line_call {
	int vcpu;
	bool level;
};

/* One backend op call seen by the spy. */
struct spy_call {
	char op;		/* 'p' set_pending, 'q' class queue, 'c' queue_cpu */
	int vcpu;
	uint32_t intid;
	enum irq_input_kind kind;
	bool level;
	int src;
};

#define SPY_MAX 64

struct ctx {
	pthread_mutex_t lock;	/* the fakes may be called from several threads */
	struct spy_call spy[SPY_MAX];
	char spy_ops[SPY_MAX + 1];	/* the ops in order, e.g. "ppq" */
	unsigned nspy;
	struct line_call calls[256];
	unsigned n;		/* set_cpu_irq() calls */
	bool line[GICV2_USER_MAX_VCPUS];
	int fail;		/* -errno to return, 0 to succeed */
	struct irqchip *chip;
	struct gicv2_user *gic;
	uint32_t nr_cpus;
};

/* The fake vCPU IRQ input: records every call, refuses redundant ones. */
static int fake_set_cpu_irq(void *host, int vcpu, bool level)
{
	struct ctx *t = host;
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	if (t->fail) {
		ret = t->fail;
	} else {
		assert_true(vcpu >= 0 && (uint32_t)vcpu < t->nr_cpus);
		assert_true(t->line[vcpu] != level);	/* only actual changes */
		t->line[vcpu] = level;
		if (t->n < sizeof(t->calls) / sizeof(t->calls[0]))
			t->calls[t->n] = (struct line_call){ vcpu, level };
		t->n++;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

static void spy_record(struct irqchip *chip, char op, int vcpu, uint32_t intid,
		       const struct irq_input *in)
{
	struct ctx *t = ((struct gicv2_user *)irqchip_priv(chip))->host;

	pthread_mutex_lock(&t->lock);
	if (t->nspy < SPY_MAX) {
		t->spy[t->nspy] = (struct spy_call){
			op, vcpu, intid, in ? in->kind : IRQ_INPUT_LINE, in && in->level,
			in ? in->src : -1,
		};
		t->spy_ops[t->nspy++] = op;
		t->spy_ops[t->nspy] = 0;
	}
	pthread_mutex_unlock(&t->lock);
}

/* Class ops that record, then forward to the real backend's. */
#define SPY_CLASS(name, cls)                                                                 \
	static int name##_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,          \
				      const struct irq_input *in)                              \
	{                                                                                      \
		spy_record(chip, 'p', vcpu, intid, in);                                        \
		return gicv2_user_backend_ops.classes[cls]->set_pending(chip, vcpu, intid, in); \
	}                                                                                      \
	static int name##_queue(struct irqchip *chip, int vcpu, uint32_t intid)                \
	{                                                                                      \
		spy_record(chip, 'q', vcpu, intid, NULL);                                      \
		return gicv2_user_backend_ops.classes[cls]->queue(chip, vcpu, intid);          \
	}                                                                                      \
	static const struct irq_class_ops name##_ops = {                                       \
		.set_pending = name##_set_pending,                                             \
		.queue = name##_queue,                                                         \
	}

SPY_CLASS(spy_sgi, IRQ_CLASS_SGI);
SPY_CLASS(spy_ppi, IRQ_CLASS_PPI);
SPY_CLASS(spy_spi, IRQ_CLASS_SPI);

static int spy_queue_cpu(struct irqchip *chip, int vcpu)
{
	spy_record(chip, 'c', vcpu, 0, NULL);
	return gicv2_user_backend_ops.queue_cpu(chip, vcpu);
}

static void spy_destroy(struct irqchip *chip)
{
	gicv2_user_backend_ops.destroy(chip);
}

static void spy_stats_print(const struct irqchip *chip, FILE *f)
{
	gicv2_user_backend_ops.stats_print(chip, f);
}

static const struct irqchip_backend_ops spy_ops = {
	.name = "gicv2-user",
	.destroy = spy_destroy,
	.queue_cpu = spy_queue_cpu,
	.stats_print = spy_stats_print,
	.fdt_ppi_cpu_mask = true,
	.classes = {
		[IRQ_CLASS_SGI] = &spy_sgi_ops,
		[IRQ_CLASS_PPI] = &spy_ppi_ops,
		[IRQ_CLASS_SPI] = &spy_spi_ops,
	},
};

/* Forgets the calls seen so far. */
static void spy_reset(struct ctx *t)
{
	t->nspy = 0;
	t->spy_ops[0] = 0;
}

static void assert_spy(const struct spy_call *c, char op, int vcpu, uint32_t intid)
{
	assert_int_equal(c->op, op);
	assert_int_equal(c->vcpu, vcpu);
	assert_int_equal(c->intid, intid);
}

/* A software pend (@set) or unpend of @intid; @src for SGIs, else -1. */
static void assert_latch(const struct spy_call *c, int vcpu, uint32_t intid, int src, bool set)
{
	assert_spy(c, 'p', vcpu, intid);
	assert_int_equal(c->kind, IRQ_INPUT_LATCH);
	assert_int_equal(c->src, src);
	assert_int_equal(c->level, set);
}

static int setup_n(void **state, uint32_t nr_cpus)
{
	struct ctx *t = calloc(1, sizeof(*t));
	struct irqchip_config cfg = {
		.nr_vcpus = nr_cpus,
		.nr_irqs = NR_IRQS,
		.dist_base = 0x08000000,
		.cpu_base = 0x08010000,
		.host = t,
		.set_cpu_irq = fake_set_cpu_irq,
	};

	if (!t)
		return -1;
	pthread_mutex_init(&t->lock, NULL);
	t->nr_cpus = nr_cpus;
	if (gicv2_user_new(&cfg, &spy_ops, &t->chip))
		return -1;
	t->gic = irqchip_priv(t->chip);
	*state = t;
	return 0;
}

static int setup1(void **state)
{
	return setup_n(state, 1);
}

static int setup2(void **state)
{
	return setup_n(state, 2);
}

static int setup4(void **state)
{
	return setup_n(state, 4);
}

static int teardown(void **state)
{
	struct ctx *t = *state;

	irqchip_destroy(t->chip);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return 0;
}

/* ---- Guest access helpers (little-endian data, as KVM hands it over) ---- */

static uint32_t rd(struct ctx *t, bool dist, int cpu, uint64_t off, uint32_t len)
{
	uint8_t d[8];
	uint32_t v = 0;

	memset(d, 0xa5, sizeof(d));
	if (dist)
		gicv2_user_dist_read(t->gic, cpu, off, d, len);
	else
		gicv2_user_cpu_read(t->gic, cpu, off, d, len);
	for (uint32_t i = 0; i < len && i < 4; i++)
		v |= (uint32_t)d[i] << (8 * i);
	return v;
}

static void wr(struct ctx *t, bool dist, int cpu, uint64_t off, uint32_t len, uint32_t v)
{
	uint8_t d[8] = { 0 };

	for (uint32_t i = 0; i < len && i < 4; i++)
		d[i] = v >> (8 * i) & 0xff;
	if (dist)
		gicv2_user_dist_write(t->gic, cpu, off, d, len);
	else
		gicv2_user_cpu_write(t->gic, cpu, off, d, len);
}

static uint32_t gicd_r(struct ctx *t, int cpu, uint64_t off)
{
	return rd(t, true, cpu, off, 4);
}

static void gicd_w(struct ctx *t, int cpu, uint64_t off, uint32_t v)
{
	wr(t, true, cpu, off, 4, v);
}

static uint32_t gicc_r(struct ctx *t, int cpu, uint64_t off)
{
	return rd(t, false, cpu, off, 4);
}

static void gicc_w(struct ctx *t, int cpu, uint64_t off, uint32_t v)
{
	wr(t, false, cpu, off, 4, v);
}

static bool bit(uint32_t word, uint32_t intid)
{
	return word >> (intid % 32) & 1;
}

static bool is_pending(struct ctx *t, int cpu, uint32_t intid)
{
	return bit(gicd_r(t, cpu, GICD_ISPENDR + intid / 32 * 4), intid);
}

static bool is_active(struct ctx *t, int cpu, uint32_t intid)
{
	return bit(gicd_r(t, cpu, GICD_ISACTIVER + intid / 32 * 4), intid);
}

static void enable(struct ctx *t, int cpu, uint32_t intid)
{
	gicd_w(t, cpu, GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
}

static void set_prio(struct ctx *t, int cpu, uint32_t intid, uint8_t prio)
{
	wr(t, true, cpu, GICD_IPRIORITYR + intid, 1, prio);	/* byte access, as Linux does */
}

static void set_target(struct ctx *t, uint32_t intid, uint8_t mask)
{
	wr(t, true, 0, GICD_ITARGETSR + intid, 1, mask);	/* gic_set_affinity() */
}

static void set_edge(struct ctx *t, uint32_t intid, bool edge)
{
	uint64_t off = GICD_ICFGR + intid / 16 * 4;
	uint32_t m = 2u << (intid % 16 * 2);
	uint32_t v = gicd_r(t, 0, off);

	gicd_w(t, 0, off, edge ? v | m : v & ~m);	/* gic_configure_irq(): read-modify-write */
	assert_int_equal(gicd_r(t, 0, off), edge ? v | m : v & ~m);
}

static void spi(struct ctx *t, uint32_t intid, bool level)
{
	assert_int_equal(irqchip_set_level(t->chip, -1, intid, level), 0);
}

/* ---- What Linux's irq-gic.c does at boot ---- */

/* gic_dist_init() on the boot CPU. */
static void linux_dist_init(struct ctx *t)
{
	uint32_t typer, gic_irqs, mask = 0, cpumask;

	gicd_w(t, 0, GICD_CTLR, 0);
	typer = gicd_r(t, 0, GICD_TYPER);
	gic_irqs = ((typer & 0x1f) + 1) * 32;
	assert_int_equal(gic_irqs, irqchip_nr_irqs(t->chip));
	/* gic_get_cpumask(): word reads of ITARGETSR0-7 until non-zero */
	for (uint32_t i = 0; i < 32 && !mask; i += 4) {
		mask = gicd_r(t, 0, GICD_ITARGETSR + i);
		mask |= mask >> 16;
		mask |= mask >> 8;
	}
	mask &= 0xff;
	assert_int_equal(mask, t->nr_cpus == 1 ? 0 : 0x01);	/* uniprocessor: RAZ */
	cpumask = mask * 0x01010101u;
	for (uint32_t i = 32; i < gic_irqs; i += 4)
		gicd_w(t, 0, GICD_ITARGETSR + i, cpumask);
	/* gic_dist_config() */
	for (uint32_t i = 32; i < gic_irqs; i += 16)
		gicd_w(t, 0, GICD_ICFGR + i / 4, 0);
	for (uint32_t i = 32; i < gic_irqs; i += 4)
		gicd_w(t, 0, GICD_IPRIORITYR + i, 0xa0a0a0a0);
	for (uint32_t i = 32; i < gic_irqs; i += 32) {
		gicd_w(t, 0, GICD_ICACTIVER + i / 8, ~0u);
		gicd_w(t, 0, GICD_ICENABLER + i / 8, ~0u);
	}
	gicd_w(t, 0, GICD_CTLR, 1);
}

/* gic_cpu_init() + gic_cpu_if_up() on each CPU. */
static void linux_cpu_init(struct ctx *t, int cpu, bool eoimode)
{
	uint32_t ctlr;

	assert_int_equal(gicd_r(t, cpu, GICD_ITARGETSR) & 0xff, t->nr_cpus == 1 ? 0 : 1u << cpu);
	gicd_w(t, cpu, GICD_ICACTIVER, ~0u);
	gicd_w(t, cpu, GICD_ICENABLER, 0xffff0000);	/* PPIs off */
	gicd_w(t, cpu, GICD_ISENABLER, 0x0000ffff);	/* SGIs on */
	for (uint32_t i = 0; i < 32; i += 4)
		gicd_w(t, cpu, GICD_IPRIORITYR + i, 0xa0a0a0a0);
	gicc_w(t, cpu, GICC_PMR, 0xf0);
	if ((gicc_r(t, cpu, GICC_IIDR) & 0xff0fff) == 0x02043b) {
		for (uint32_t i = 0; i < 4; i++)
			gicc_w(t, cpu, GICC_APR0 + 4 * i, 0);
	}
	ctlr = gicc_r(t, cpu, GICC_CTLR);
	gicc_w(t, cpu, GICC_CTLR, (ctlr & 0x1e0) | 1 | (eoimode ? CTLR_EOIMODE : 0));
}

static void linux_boot(struct ctx *t, bool eoimode)
{
	linux_dist_init(t);
	for (uint32_t c = 0; c < t->nr_cpus; c++)
		linux_cpu_init(t, (int)c, eoimode);
}

/* Ack, check, EOI (EOImode 0). */
static void ack_eoi(struct ctx *t, int cpu, uint32_t expect)
{
	uint32_t iar = gicc_r(t, cpu, GICC_IAR);

	assert_int_equal(iar, expect);
	gicc_w(t, cpu, GICC_EOIR, iar);
}

/* ---- Tests ---- */

static void test_linux_boot(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	assert_int_equal(gicd_r(t, 0, GICD_TYPER), (NR_IRQS / 32 - 1) | 1u << 5);
	assert_int_equal(gicd_r(t, 0, GICD_CTLR), 1);
	assert_int_equal(gicd_r(t, 0, GICD_IIDR) & 0xfff, 0x43b);
	assert_int_equal(gicd_r(t, 0, GICD_PIDR2) >> 4 & 0xf, 2);
	assert_int_equal(gicd_r(t, 0, GICD_ITARGETSR + 64), 0x01010101);
	assert_int_equal(gicd_r(t, 1, GICD_ITARGETSR + 64), 0x01010101);
	assert_int_equal(gicd_r(t, 0, GICD_IPRIORITYR + 40), 0xa0a0a0a0);
	assert_int_equal(gicd_r(t, 0, GICD_ICFGR), 0xaaaaaaaa);	/* SGIs: edge */
	assert_int_equal(gicd_r(t, 0, GICD_ICFGR + 4), 0);		/* PPIs: level */
	assert_int_equal(gicd_r(t, 0, GICD_ICFGR + 8), 0);
	for (int c = 0; c < 2; c++) {
		assert_int_equal(gicd_r(t, c, GICD_ISENABLER), 0xffff);
		assert_int_equal(gicc_r(t, c, GICC_PMR), 0xf0);
		assert_int_equal(gicc_r(t, c, GICC_CTLR) & 0x201, 1);
		assert_int_equal(gicc_r(t, c, GICC_RPR), 0xff);
		assert_int_equal(gicc_r(t, c, GICC_BPR), 2);
		assert_int_equal(gicc_r(t, c, GICC_IAR), SPURIOUS);
	}
	assert_int_equal(gicd_r(t, 0, GICD_ISENABLER + 4), 0);
	assert_int_equal(t->n, 0);	/* nothing pending: no line was touched */
}

/* Priorities: byte and word accesses agree; 5 bits implemented. */
static void test_priority_access(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	set_prio(t, 0, 41, 0x87);
	assert_int_equal(rd(t, true, 0, GICD_IPRIORITYR + 41, 1), 0x80);
	assert_int_equal(gicd_r(t, 0, GICD_IPRIORITYR + 40), 0xa0a080a0);
	gicd_w(t, 0, GICD_IPRIORITYR + 40, 0x10203040);
	assert_int_equal(rd(t, true, 0, GICD_IPRIORITYR + 43, 1), 0x10);
	/* Banked 0-31: CPU 1 keeps its own. */
	set_prio(t, 0, 27, 0x80);
	assert_int_equal(rd(t, true, 0, GICD_IPRIORITYR + 27, 1), 0x80);
	assert_int_equal(rd(t, true, 1, GICD_IPRIORITYR + 27, 1), 0xa0);
}

/* ITARGETSR0-7: read-only, each CPU reads its own bit, byte and word. */
static void test_itargetsr_banked(void **state)
{
	struct ctx *t = *state;

	for (int c = 0; c < 4; c++) {
		for (uint32_t i = 0; i < 32; i++) {
			wr(t, true, c, GICD_ITARGETSR + i, 1, 0xff);
			assert_int_equal(rd(t, true, c, GICD_ITARGETSR + i, 1), 1u << c);
		}
		assert_int_equal(gicd_r(t, c, GICD_ITARGETSR + 28), (1u << c) * 0x01010101u);
	}
	/* SPIs: only existing CPUs can be targets. */
	wr(t, true, 2, GICD_ITARGETSR + 40, 1, 0xff);
	assert_int_equal(rd(t, true, 3, GICD_ITARGETSR + 40, 1), 0x0f);
}

static void test_enable_target(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 40);
	enable(t, 0, 63);
	assert_int_equal(gicd_r(t, 1, GICD_ISENABLER + 4), 1u << 8 | 1u << 31);
	gicd_w(t, 0, GICD_ICENABLER + 4, 1u << 31);
	assert_int_equal(gicd_r(t, 0, GICD_ICENABLER + 4), 1u << 8);
	set_target(t, 40, 0x02);
	spi(t, 40, true);
	assert_true(t->line[1]);
	assert_false(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	ack_eoi(t, 1, 40);
	spi(t, 40, false);
	assert_false(t->line[1]);
}

/* SGIs between CPUs: source CPU in IAR[12:10], pending per (target, source). */
static void test_sgi(void **state)
{
	struct ctx *t = *state;
	uint32_t iar;

	linux_boot(t, false);
	gicd_w(t, 1, GICD_SGIR, 1u << 16 | 3);	/* CPU 1 -> CPU 0, SGI 3 */
	assert_true(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_HPPIR), 3 | 1u << 10);
	gicd_w(t, 0, GICD_SGIR, 2u << 24 | 3);	/* CPU 0 -> itself */
	assert_int_equal(rd(t, true, 0, GICD_SPENDSGIR + 3, 1), 0x03);
	assert_true(is_pending(t, 0, 3));
	iar = gicc_r(t, 0, GICC_IAR);
	assert_int_equal(iar, 3);		/* lowest source first */
	assert_false(t->line[0]);		/* active: not re-signalled */
	assert_true(is_pending(t, 0, 3));	/* active + pending (source 1) */
	assert_true(is_active(t, 0, 3));
	gicc_w(t, 0, GICC_EOIR, iar);
	assert_true(t->line[0]);
	ack_eoi(t, 0, 3 | 1u << 10);		/* EOIR takes the source bits back */
	assert_false(t->line[0]);
	assert_false(is_pending(t, 0, 3));
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);

	/* Filter 1: all but self. */
	gicd_w(t, 2, GICD_SGIR, 1u << 24 | 7);
	assert_true(t->line[0]);
	assert_true(t->line[1]);
	assert_false(t->line[2]);
	assert_true(t->line[3]);
	ack_eoi(t, 3, 7 | 2u << 10);
	ack_eoi(t, 1, 7 | 2u << 10);
	/* SPENDSGIR / CPENDSGIR set and clear per source. */
	assert_int_equal(rd(t, true, 0, GICD_CPENDSGIR + 4, 4), 0x04000000);	/* SGI 7 from 2 */
	wr(t, true, 0, GICD_CPENDSGIR + 7, 1, 0x04);
	assert_false(t->line[0]);
	wr(t, true, 0, GICD_SPENDSGIR + 5, 1, 0x0a);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 5 | 1u << 10);
	assert_int_equal(rd(t, true, 0, GICD_SPENDSGIR + 4, 4), 0x0800);
	/* ISPENDR/ICPENDR ignore SGI bits. */
	gicd_w(t, 0, GICD_ICPENDR, 0xffff);
	assert_int_equal(rd(t, true, 0, GICD_SPENDSGIR + 5, 1), 0x08);
	/* Filter 3 is reserved: nothing happens. */
	gicd_w(t, 1, GICD_SGIR, 3u << 24 | 0xff0000 | 9);
	assert_int_equal(rd(t, true, 0, GICD_SPENDSGIR + 8, 4), 0);
}

/* A level SPI stays pending while asserted and fires again after EOI. */
static void test_level_spi(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 40);
	spi(t, 40, true);
	assert_true(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_false(t->line[0]);
	assert_true(is_active(t, 0, 40));
	assert_true(is_pending(t, 0, 40));	/* active + pending: the line is high */
	gicc_w(t, 0, GICC_EOIR, 40);
	assert_true(t->line[0]);		/* still high: re-fires */
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	spi(t, 40, false);			/* the handler quietened the device */
	assert_false(is_pending(t, 0, 40));
	gicc_w(t, 0, GICC_EOIR, 40);
	assert_false(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	assert_int_equal(t->n, 4);
}

/* ICPENDR clears the latch only: a level irq whose line is high stays pending. */
static void test_icpendr_level(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 40);
	spi(t, 40, true);
	gicd_w(t, 0, GICD_ICPENDR + 4, 1u << 8);
	assert_true(is_pending(t, 0, 40));
	assert_true(t->line[0]);
	spi(t, 40, false);
	assert_false(is_pending(t, 0, 40));
	assert_false(t->line[0]);
	/* A software pend of a level interrupt with its line low: latched until ICPENDR. */
	gicd_w(t, 0, GICD_ISPENDR + 4, 1u << 8);
	assert_true(is_pending(t, 0, 40));
	assert_true(t->line[0]);
	gicd_w(t, 0, GICD_ICPENDR + 4, 1u << 8);
	assert_false(is_pending(t, 0, 40));
	assert_false(t->line[0]);
}

/* An edge SPI latches; a second edge while active gives active + pending. */
static void test_edge_spi(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	set_edge(t, 41, true);
	enable(t, 0, 41);
	assert_int_equal(irqchip_pulse(t->chip, -1, 41), 0);
	assert_true(is_pending(t, 0, 41));	/* line low again, latch holds */
	assert_true(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 41);
	assert_false(is_pending(t, 0, 41));
	irqchip_pulse(t->chip, -1, 41);
	assert_true(is_pending(t, 0, 41));
	assert_true(is_active(t, 0, 41));
	assert_false(t->line[0]);
	gicc_w(t, 0, GICC_EOIR, 41);
	assert_true(t->line[0]);
	ack_eoi(t, 0, 41);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	/* A held-high edge line latches once. */
	spi(t, 41, true);
	spi(t, 41, true);
	ack_eoi(t, 0, 41);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
}

/* EOImode 1: EOIR drops priority only, DIR deactivates. EOImode 0: DIR ignored. */
static void test_eoimode(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, true);
	assert_true(gicc_r(t, 0, GICC_CTLR) & CTLR_EOIMODE);
	enable(t, 0, 40);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xa0);
	gicc_w(t, 0, GICC_EOIR, 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xff);	/* priority dropped */
	assert_true(is_active(t, 0, 40));			/* still active */
	assert_false(t->line[0]);
	gicc_w(t, 0, GICC_DIR, 40);
	assert_false(is_active(t, 0, 40));
	assert_true(t->line[0]);				/* line still high: again */
	spi(t, 40, false);
	assert_false(t->line[0]);

	/* EOImode 0 on CPU 1: DIR does nothing, EOIR deactivates. */
	set_target(t, 40, 0x02);
	gicc_w(t, 1, GICC_CTLR, 1);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 1, GICC_IAR), 40);
	gicc_w(t, 1, GICC_DIR, 40);
	assert_true(is_active(t, 1, 40));
	spi(t, 40, false);
	gicc_w(t, 1, GICC_EOIR, 40);
	assert_false(is_active(t, 1, 40));
	assert_int_equal(gicc_r(t, 1, GICC_RPR), 0xff);
}

/* PMR masks; HPPIR ignores it. */
static void test_priority_mask(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 40);
	set_prio(t, 0, 40, 0xf0);
	spi(t, 40, true);
	assert_false(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	assert_int_equal(gicc_r(t, 0, GICC_HPPIR), 40);
	gicc_w(t, 0, GICC_PMR, 0xff);
	assert_int_equal(gicc_r(t, 0, GICC_PMR), 0xf8);	/* 5 bits */
	assert_true(t->line[0]);
	gicc_w(t, 0, GICC_PMR, 0);
	assert_false(t->line[0]);
}

/* A higher priority preempts an active lower one; a lower or equal one does not. */
static void test_preemption(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	for (uint32_t i = 40; i < 44; i++)
		enable(t, 0, i);
	set_prio(t, 0, 41, 0x80);
	set_prio(t, 0, 42, 0xc0);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xa0);
	spi(t, 42, true);			/* lower: waits */
	spi(t, 43, true);			/* equal: waits */
	assert_false(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	spi(t, 41, true);			/* higher: preempts */
	assert_true(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 41);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0x80);
	assert_int_equal(gicc_r(t, 0, GICC_APR0), 1u << (0x80 >> 3) | 1u << (0xa0 >> 3));
	spi(t, 41, false);
	gicc_w(t, 0, GICC_EOIR, 41);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xa0);
	assert_false(t->line[0]);		/* 42 and 43 still cannot preempt 0xa0 */
	spi(t, 40, false);
	gicc_w(t, 0, GICC_EOIR, 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xff);
	assert_true(t->line[0]);
	ack_eoi(t, 0, 43);			/* 0xa0 before 0xc0 */
	ack_eoi(t, 0, 43);			/* still asserted: again */
	spi(t, 43, false);
	ack_eoi(t, 0, 42);
}

/* The binary point splits group priority from subpriority: only the group preempts. */
static void test_binary_point(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	gicc_w(t, 0, GICC_BPR, 0);
	assert_int_equal(gicc_r(t, 0, GICC_BPR), 2);	/* the minimum */
	assert_int_equal(gicc_r(t, 0, GICC_ABPR), 3);	/* its reset value: minimum BPR + 1 */
	gicc_w(t, 0, GICC_BPR, 3);			/* group = priority[7:4] */
	enable(t, 0, 40);
	enable(t, 0, 41);
	set_prio(t, 0, 40, 0x88);
	set_prio(t, 0, 41, 0x80);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0x80);	/* group priority */
	spi(t, 41, true);				/* same group: no preemption */
	assert_false(t->line[0]);
	gicc_w(t, 0, GICC_BPR, 2);			/* 0x80 is not below RPR 0x80 either */
	assert_false(t->line[0]);
	gicc_w(t, 0, GICC_EOIR, 40);
	ack_eoi(t, 0, 41);
}

static void test_spurious(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	assert_int_equal(gicc_r(t, 0, GICC_HPPIR), SPURIOUS);
	gicc_w(t, 0, GICC_EOIR, SPURIOUS);
	gicc_w(t, 0, GICC_EOIR, 1022);
	gicc_w(t, 0, GICC_DIR, SPURIOUS);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xff);
	/* CPU interface off: nothing is signalled even if pending. */
	enable(t, 0, 40);
	gicc_w(t, 0, GICC_CTLR, 0);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	assert_false(t->line[0]);
	assert_int_equal(t->n, 0);
}

/* 1-of-N: the first CPU to acknowledge takes it, the other's line drops. */
static void test_one_of_n(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 50);
	set_target(t, 50, 0x03);
	spi(t, 50, true);
	assert_true(t->line[0]);
	assert_true(t->line[1]);
	assert_int_equal(gicc_r(t, 1, GICC_IAR), 50);
	assert_false(t->line[0]);
	assert_false(t->line[1]);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
	spi(t, 50, false);
	gicc_w(t, 1, GICC_EOIR, 50);
	assert_int_equal(t->n, 4);
}

/* PPIs are banked: a timer level on CPU 1 is CPU 1's alone. */
static void test_ppi_banked(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 27);
	enable(t, 1, 27);
	assert_int_equal(irqchip_set_level(t->chip, 1, 27, true), 0);
	assert_false(t->line[0]);
	assert_true(t->line[1]);
	assert_false(is_pending(t, 0, 27));
	assert_true(is_pending(t, 1, 27));
	assert_int_equal(gicc_r(t, 1, GICC_IAR), 27);
	/* PPI configuration is read-only level. */
	gicd_w(t, 1, GICD_ICFGR + 4, 0xffffffff);
	assert_int_equal(gicd_r(t, 1, GICD_ICFGR + 4), 0);
	irqchip_set_level(t->chip, 1, 27, false);
	gicc_w(t, 1, GICC_EOIR, 27);
	assert_int_equal(gicc_r(t, 1, GICC_IAR), SPURIOUS);
	/* SGIs cannot be injected by devices. */
	assert_int_equal(irqchip_set_level(t->chip, 0, 1, true), -EINVAL);
	assert_int_equal(irqchip_set_level(t->chip, 0, 8192, true), -EINVAL);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 2);
}

/* Group 1 interrupts need EnableGrp1; IAR gives 1022 for them unless AckCtl. */
static void test_groups(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	gicd_w(t, 0, GICD_IGROUPR + 4, 1u << 8);
	assert_int_equal(gicd_r(t, 0, GICD_IGROUPR + 4), 1u << 8);
	enable(t, 0, 40);
	spi(t, 40, true);
	assert_false(t->line[0]);		/* Group 1 disabled in GICD and GICC */
	gicd_w(t, 0, GICD_CTLR, 3);
	assert_false(t->line[0]);
	gicc_w(t, 0, GICC_CTLR, 3);
	assert_true(t->line[0]);
	assert_int_equal(gicc_r(t, 0, GICC_HPPIR), 1022);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 1022);
	gicc_w(t, 0, GICC_CTLR, 7);		/* AckCtl */
	ack_eoi(t, 0, 40);
}

/* Out-of-range offsets, wrong widths, bad vCPUs: RAZ/WI and nothing changes. */
static void test_bad_accesses(void **state)
{
	struct ctx *t = *state;
	static const struct {
		bool dist;
		int cpu;
		uint64_t off;
		uint32_t len;
	} bad[] = {
		{ true, 0, GICD_ISENABLER + 4, 2 },	/* 16-bit */
		{ true, 0, GICD_ISENABLER + 4, 1 },	/* 8-bit where only 32 is allowed */
		{ true, 0, GICD_ISENABLER + 4, 8 },	/* 64-bit */
		{ true, 0, GICD_ISENABLER + 5, 4 },	/* misaligned */
		{ true, 0, GICD_ISENABLER + 4, 3 },	/* not a width */
		{ true, 0, GICD_ISENABLER + 16, 4 },	/* INTIDs 128-159: beyond nr_irqs */
		{ true, 0, GICD_IPRIORITYR + 200, 1 },	/* INTID 200 */
		{ true, 0, GICD_ITARGETSR + 0x3fc, 4 },
		{ true, 0, 0x00c, 4 },			/* reserved */
		{ true, 0, 0xe00, 4 },			/* reserved */
		{ true, 0, 0x1000, 4 },			/* past the frame */
		{ true, 0, UINT64_MAX - 3, 4 },
		{ true, -1, GICD_ISENABLER + 4, 4 },	/* bad vCPUs */
		{ true, 2, GICD_ISENABLER + 4, 4 },
		{ true, 8, GICD_ISENABLER + 4, 4 },
		{ false, 0, GICC_PMR, 1 },
		{ false, 0, 0x40, 4 },
		{ false, 0, 0x2000, 4 },
		{ false, 2, GICC_PMR, 4 },
		{ false, 0, GICC_DIR + 4, 4 },
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	linux_boot(t, false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rd(t, bad[i].dist, bad[i].cpu, bad[i].off, bad[i].len), 0);
		wr(t, bad[i].dist, bad[i].cpu, bad[i].off, bad[i].len, 0xffffffff);
	}
	assert_int_equal(gicd_r(t, 0, GICD_ISENABLER + 4), 0);
	assert_int_equal(gicc_r(t, 0, GICC_PMR), 0xf0);
	/* Write-only and read-only registers. */
	assert_int_equal(gicd_r(t, 0, GICD_SGIR), 0);
	gicd_w(t, 0, GICD_TYPER, 0);
	assert_int_equal(gicd_r(t, 0, GICD_TYPER) & 0x1f, NR_IRQS / 32 - 1);
	gicc_w(t, 0, GICC_IAR, 40);
	gicc_w(t, 0, GICC_RPR, 0);
	assert_int_equal(gicc_r(t, 0, GICC_EOIR), 0);
	/* NULL data and NULL gic are survivable. */
	gicv2_user_dist_read(t->gic, 0, GICD_CTLR, NULL, 4);
	gicv2_user_dist_write(t->gic, 0, GICD_CTLR, NULL, 4);
	gicv2_user_cpu_write(NULL, 0, GICC_PMR, (const uint8_t *)"\0\0\0\0", 4);
	assert_int_equal(gicd_r(t, 0, GICD_CTLR), 1);
	assert_int_equal(t->n, 0);

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	irqchip_stats_print(t->chip, f);
	fclose(f);
	assert_non_null(strstr(buf, "40 ignored guest accesses"));
	free(buf);
}

/* ---- One latch path: guest pends go through set_pending, then one queue ---- */

/* ISPENDR/ICPENDR: a latch per INTID written as 1, then exactly one queue. */
static void test_latch_ispendr(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 40);
	spy_reset(t);
	gicd_w(t, 1, GICD_ISPENDR + 4, 1u << 8 | 1u << 9 | 1u << 31);
	assert_string_equal(t->spy_ops, "pppq");
	assert_latch(&t->spy[0], -1, 40, -1, true);
	assert_latch(&t->spy[1], -1, 41, -1, true);
	assert_latch(&t->spy[2], -1, 63, -1, true);
	assert_spy(&t->spy[3], 'q', -1, 40);	/* an SPI: every CPU */
	assert_true(t->line[0]);
	assert_true(is_pending(t, 0, 63));

	spy_reset(t);
	gicd_w(t, 0, GICD_ICPENDR + 4, 1u << 8 | 1u << 31);
	assert_string_equal(t->spy_ops, "ppq");
	assert_latch(&t->spy[0], -1, 40, -1, false);
	assert_latch(&t->spy[1], -1, 63, -1, false);
	assert_false(t->line[0]);
	assert_false(is_pending(t, 0, 40));
	assert_true(is_pending(t, 0, 41));

	/* Banked word: the accessing CPU's PPIs; SGI bits are ignored (SPENDSGIR's job). */
	spy_reset(t);
	gicd_w(t, 1, GICD_ISPENDR, 0xffffu | 1u << 27);
	assert_string_equal(t->spy_ops, "pq");
	assert_latch(&t->spy[0], 1, 27, -1, true);
	assert_spy(&t->spy[1], 'q', 1, 27);
	assert_true(is_pending(t, 1, 27));
	assert_false(is_pending(t, 0, 27));
	assert_int_equal(rd(t, true, 1, GICD_SPENDSGIR, 4), 0);
	/* Nothing written as 1: no latch, no queue. */
	spy_reset(t);
	gicd_w(t, 0, GICD_ISPENDR + 4, 0);
	gicd_w(t, 0, GICD_ICPENDR, 0xffff);
	assert_string_equal(t->spy_ops, "");
}

/* SGIR: one latch per target with the writer as source, one queue; all filter modes. */
static void test_latch_sgir(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	/* Filter 0, two targets: one queue for every CPU. */
	spy_reset(t);
	gicd_w(t, 0, GICD_SGIR, 0x0au << 16 | 5);
	assert_string_equal(t->spy_ops, "ppq");
	assert_latch(&t->spy[0], 1, 5, 0, true);
	assert_latch(&t->spy[1], 3, 5, 0, true);
	assert_spy(&t->spy[2], 'q', -1, 5);
	assert_true(t->line[1]);
	assert_true(t->line[3]);
	assert_false(t->line[0]);
	assert_false(t->line[2]);
	assert_int_equal(rd(t, true, 3, GICD_SPENDSGIR + 5, 1), 0x01);
	/* Filter 0, one target: queued on that CPU only. */
	spy_reset(t);
	gicd_w(t, 3, GICD_SGIR, 0x04u << 16 | 6);
	assert_string_equal(t->spy_ops, "pq");
	assert_latch(&t->spy[0], 2, 6, 3, true);
	assert_spy(&t->spy[1], 'q', 2, 6);
	assert_true(t->line[2]);
	/* Filter 1: all but the writer. */
	spy_reset(t);
	gicd_w(t, 2, GICD_SGIR, 1u << 24 | 0xffu << 16 | 7);
	assert_string_equal(t->spy_ops, "pppq");
	assert_latch(&t->spy[0], 0, 7, 2, true);
	assert_latch(&t->spy[1], 1, 7, 2, true);
	assert_latch(&t->spy[2], 3, 7, 2, true);
	assert_spy(&t->spy[3], 'q', -1, 7);
	assert_true(t->line[0]);
	assert_int_equal(rd(t, true, 2, GICD_SPENDSGIR + 7, 1), 0);
	/* Filter 2: the writer itself, whatever the list. */
	spy_reset(t);
	gicd_w(t, 3, GICD_SGIR, 2u << 24 | 0x01u << 16 | 8);
	assert_string_equal(t->spy_ops, "pq");
	assert_latch(&t->spy[0], 3, 8, 3, true);
	assert_spy(&t->spy[1], 'q', 3, 8);
	assert_int_equal(rd(t, true, 3, GICD_SPENDSGIR + 8, 1), 1u << 3);
	/* No SGI: reserved filter 3, an empty list, a list naming absent CPUs only. */
	spy_reset(t);
	gicd_w(t, 0, GICD_SGIR, 3u << 24 | 0x0fu << 16 | 9);
	gicd_w(t, 0, GICD_SGIR, 9);
	gicd_w(t, 0, GICD_SGIR, 0xf0u << 16 | 9);
	assert_string_equal(t->spy_ops, "");
	for (int c = 0; c < 4; c++)
		assert_int_equal(rd(t, true, c, GICD_SPENDSGIR + 8, 4), c == 3 ? 1u << 3 : 0);
}

/* SPENDSGIR/CPENDSGIR: a latch per (SGI, source) bit on the accessing CPU, one queue. */
static void test_latch_spendsgir(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	spy_reset(t);
	gicd_w(t, 1, GICD_SPENDSGIR + 4, 0x03000001);	/* SGI 4 from 0; SGI 7 from 0 and 1 */
	assert_string_equal(t->spy_ops, "pppq");
	assert_latch(&t->spy[0], 1, 4, 0, true);
	assert_latch(&t->spy[1], 1, 7, 0, true);
	assert_latch(&t->spy[2], 1, 7, 1, true);
	assert_spy(&t->spy[3], 'q', 1, 4);
	assert_true(t->line[1]);
	assert_false(t->line[0]);
	assert_int_equal(rd(t, true, 1, GICD_SPENDSGIR + 4, 4), 0x03000001);
	assert_int_equal(rd(t, true, 0, GICD_SPENDSGIR + 4, 4), 0);
	/* Sources beyond the CPUs that exist are ignored. */
	spy_reset(t);
	wr(t, true, 1, GICD_CPENDSGIR + 4, 1, 0xfc);
	assert_string_equal(t->spy_ops, "");
	wr(t, true, 1, GICD_CPENDSGIR + 4, 1, 0x01);
	wr(t, true, 1, GICD_CPENDSGIR + 7, 1, 0x03);
	assert_string_equal(t->spy_ops, "pqppq");
	assert_latch(&t->spy[0], 1, 4, 0, false);
	assert_latch(&t->spy[2], 1, 7, 0, false);
	assert_latch(&t->spy[3], 1, 7, 1, false);
	assert_false(t->line[1]);
	assert_int_equal(rd(t, true, 1, GICD_SPENDSGIR + 4, 4), 0);
}

/* An SGI's pending state is per (target, source) through set_pending too. */
static void test_sgi_set_pending(void **state)
{
	struct ctx *t = *state;
	const struct irq_input from1 = { .kind = IRQ_INPUT_LATCH, .level = true, .src = 1 };
	const struct irq_input line = { .kind = IRQ_INPUT_LINE, .level = true, .src = -1 };

	linux_boot(t, false);
	assert_int_equal(irqchip_set_pending(t->chip, 0, 2, &from1), 0);
	assert_false(t->line[0]);			/* latched, not queued */
	assert_int_equal(rd(t, true, 0, GICD_SPENDSGIR + 2, 1), 0x02);
	assert_int_equal(irqchip_queue(t->chip, 0, 2), 0);
	assert_true(t->line[0]);
	ack_eoi(t, 0, 2 | 1u << 10);
	/* No device line drives an SGI. */
	assert_int_equal(irqchip_set_pending(t->chip, 0, 2, &line), -EINVAL);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 1);
}

/* One re-evaluation per register access, however many INTIDs it changes. */
static void test_one_queue_per_access(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	spy_reset(t);
	gicd_w(t, 0, GICD_ISENABLER + 4, ~0u);
	assert_string_equal(t->spy_ops, "q");
	assert_spy(&t->spy[0], 'q', -1, 32);
	spy_reset(t);
	gicd_w(t, 0, GICD_IPRIORITYR + 44, 0x10203040);
	gicd_w(t, 0, GICD_ITARGETSR + 44, 0x03030303);
	gicd_w(t, 0, GICD_ICFGR + 8, 0xaaaaaaaa);
	gicd_w(t, 1, GICD_ICENABLER, 0xffff);
	gicd_w(t, 0, GICD_ICENABLER + 4, ~0u);
	assert_string_equal(t->spy_ops, "qqqqq");
	assert_spy(&t->spy[0], 'q', -1, 44);
	assert_spy(&t->spy[3], 'q', 1, 0);	/* CPU 1's own SGIs */
	/* EOIR drops the priority and deactivates: still one queue. */
	gicd_w(t, 0, GICD_ISENABLER, 1u << 3);
	gicd_w(t, 1, GICD_SGIR, 1u << 16 | 3);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 3 | 1u << 10);
	spy_reset(t);
	gicc_w(t, 0, GICC_EOIR, 3 | 1u << 10);
	assert_string_equal(t->spy_ops, "q");
	assert_spy(&t->spy[0], 'q', 0, 3);
	/* A CPU interface change is queue_cpu on that CPU; GICD_CTLR on all. */
	spy_reset(t);
	gicc_w(t, 1, GICC_PMR, 0x80);
	gicd_w(t, 0, GICD_CTLR, 0);
	assert_string_equal(t->spy_ops, "cc");
	assert_spy(&t->spy[0], 'c', 1, 0);
	assert_spy(&t->spy[1], 'c', -1, 0);
	/* Reads without side effects and writes that change nothing queue nothing. */
	spy_reset(t);
	gicc_w(t, 1, GICC_PMR, 0x80);
	gicd_r(t, 0, GICD_ISENABLER + 4);
	gicc_r(t, 0, GICC_HPPIR);
	assert_string_equal(t->spy_ops, "");
}

/* Uniprocessor: ITARGETSR is RAZ/WI and SPIs reach CPU 0 whatever was written. */
static void test_uniprocessor_targets(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);	/* reads mask 0 and writes it to every SPI */
	for (uint32_t i = 0; i < NR_IRQS; i += 4)
		assert_int_equal(gicd_r(t, 0, GICD_ITARGETSR + i), 0);
	enable(t, 0, 40);
	enable(t, 0, 41);
	set_target(t, 40, 0x02);	/* a CPU that does not exist */
	assert_int_equal(rd(t, true, 0, GICD_ITARGETSR + 40, 1), 0);
	spi(t, 40, true);
	assert_true(t->line[0]);
	ack_eoi(t, 0, 40);
	spi(t, 40, false);
	set_target(t, 41, 0x00);
	irqchip_pulse(t->chip, -1, 41);
	set_edge(t, 41, false);
	gicd_w(t, 0, GICD_ISPENDR + 4, 1u << 9);
	ack_eoi(t, 0, 41);
	assert_false(t->line[0]);
	/* SGIs to itself, as Linux sends them on one CPU. */
	gicd_w(t, 0, GICD_SGIR, 2u << 24 | 1);
	ack_eoi(t, 0, 1);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), SPURIOUS);
}

/* GICC_CTLR.CBPR: 0 gives Group 1 GICC_ABPR (applied minus one), 1 gives it BPR. */
static void test_cbpr_abpr(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	assert_int_equal(gicc_r(t, 0, GICC_CTLR) & CTLR_CBPR, 0);	/* reset 0 */
	assert_int_equal(gicc_r(t, 0, GICC_ABPR), 3);
	gicc_w(t, 0, GICC_ABPR, 0);
	assert_int_equal(gicc_r(t, 0, GICC_ABPR), 3);			/* minimum BPR + 1 */
	gicc_w(t, 0, GICC_ABPR, 0xff);
	assert_int_equal(gicc_r(t, 0, GICC_ABPR), 7);
	gicc_w(t, 0, GICC_ABPR, 4);					/* Group 1: prio[7:4] */
	assert_int_equal(gicc_r(t, 1, GICC_ABPR), 3);			/* banked */
	gicc_w(t, 0, GICC_CTLR, 3 | CTLR_ACKCTL);
	assert_int_equal(gicc_r(t, 0, GICC_CTLR), 3 | CTLR_ACKCTL);
	gicd_w(t, 0, GICD_CTLR, 3);
	gicd_w(t, 0, GICD_IGROUPR + 4, 3u << 8);			/* 40, 41: Group 1 */
	enable(t, 0, 40);
	enable(t, 0, 41);
	set_prio(t, 0, 40, 0x88);
	set_prio(t, 0, 41, 0x80);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0x80);	/* ABPR 4: group priority 0x80 */
	spi(t, 41, true);
	assert_false(t->line[0]);			/* 0x80 does not preempt 0x80 */
	spi(t, 41, false);
	spi(t, 40, false);
	gicc_w(t, 0, GICC_EOIR, 40);
	/* CBPR 1: BPR (2, group = prio[7:3]) for Group 1 too; ABPR is kept. */
	gicc_w(t, 0, GICC_CTLR, 3 | CTLR_ACKCTL | CTLR_CBPR);
	assert_int_equal(gicc_r(t, 0, GICC_CTLR) & CTLR_CBPR, CTLR_CBPR);
	assert_int_equal(gicc_r(t, 0, GICC_ABPR), 4);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0x88);
	spi(t, 41, true);
	assert_true(t->line[0]);			/* 0x80 preempts 0x88 */
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 41);
	/* Group 0 never used ABPR: CBPR 0 with BPR 3 and ABPR 7 groups 0x88 as 0x80. */
	spi(t, 40, false);
	spi(t, 41, false);
	gicc_w(t, 0, GICC_EOIR, 41);
	gicc_w(t, 0, GICC_EOIR, 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xff);
	gicd_w(t, 0, GICD_IGROUPR + 4, 0);
	gicc_w(t, 0, GICC_CTLR, 3 | CTLR_ACKCTL);
	gicc_w(t, 0, GICC_BPR, 3);
	gicc_w(t, 0, GICC_ABPR, 7);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0x80);
}

/* AIAR, AEOIR, AHPPIR: the Group 1 aliases of IAR, EOIR, HPPIR. */
static void test_group1_aliases(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	gicd_w(t, 0, GICD_CTLR, 3);
	gicc_w(t, 0, GICC_CTLR, 3);				/* AckCtl 0 */
	gicd_w(t, 0, GICD_IGROUPR + 4, 1u << 9);		/* 41: Group 1 */
	enable(t, 0, 40);
	enable(t, 0, 41);
	assert_int_equal(gicc_r(t, 0, GICC_AIAR), SPURIOUS);
	assert_int_equal(gicc_r(t, 0, GICC_AHPPIR), SPURIOUS);
	/* A Group 1 interrupt alone: IAR refuses it (AckCtl 0), AIAR takes it. */
	spi(t, 41, true);
	assert_int_equal(gicc_r(t, 0, GICC_HPPIR), 1022);
	assert_int_equal(gicc_r(t, 0, GICC_AHPPIR), 41);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 1022);
	assert_false(is_active(t, 0, 41));
	assert_int_equal(gicc_r(t, 0, GICC_AIAR), 41);
	assert_true(is_active(t, 0, 41));
	assert_false(t->line[0]);
	spi(t, 41, false);
	gicc_w(t, 0, GICC_AEOIR, 41);
	assert_false(is_active(t, 0, 41));
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xff);
	/* A Group 0 interrupt first: the aliases show and take nothing. */
	set_prio(t, 0, 41, 0xc0);
	spi(t, 40, true);
	spi(t, 41, true);
	assert_int_equal(gicc_r(t, 0, GICC_AHPPIR), SPURIOUS);
	assert_int_equal(gicc_r(t, 0, GICC_AIAR), SPURIOUS);
	assert_false(is_active(t, 0, 40));
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	spi(t, 40, false);
	gicc_w(t, 0, GICC_AEOIR, 40);				/* Group 0: ignored */
	assert_true(is_active(t, 0, 40));
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xa0);
	gicc_w(t, 0, GICC_EOIR, 40);
	assert_false(is_active(t, 0, 40));
	/* Now 41 is the highest: AIAR acknowledges it whatever AckCtl. */
	assert_int_equal(gicc_r(t, 0, GICC_AHPPIR), 41);
	assert_int_equal(gicc_r(t, 0, GICC_AIAR), 41);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xc0);
	spi(t, 41, false);
	gicc_w(t, 0, GICC_AEOIR, 41);
	assert_int_equal(gicc_r(t, 0, GICC_RPR), 0xff);
	assert_false(t->line[0]);
}

/* ---- One queue path: every deliverability change drives the line ---- */

struct queue_row {
	const char *name;
	void (*setup)(struct ctx *t);	/* leaves CPU 0 with its line at !raise */
	void (*action)(struct ctx *t);	/* the one change under test */
	bool raise;			/* expected new level of CPU 0's line */
	const char *ops;		/* backend ops it ends in: "pq" latch then queue, "c" CPU */
};

static void pending_40(struct ctx *t)
{
	linux_boot(t, false);
	enable(t, 0, 40);
	spi(t, 40, true);
}

static void s_disabled(struct ctx *t)
{
	linux_boot(t, false);
	spi(t, 40, true);
}

static void a_isenabler(struct ctx *t)
{
	enable(t, 0, 40);
}

static void s_masked_prio(struct ctx *t)
{
	linux_boot(t, false);
	set_prio(t, 0, 40, 0xf8);
	enable(t, 0, 40);
	spi(t, 40, true);
}

static void a_ipriorityr(struct ctx *t)
{
	set_prio(t, 0, 40, 0xa0);
}

static void s_pmr_zero(struct ctx *t)
{
	pending_40(t);
	gicc_w(t, 0, GICC_PMR, 0);
}

static void a_pmr(struct ctx *t)
{
	gicc_w(t, 0, GICC_PMR, 0xf0);
}

/* 41 (0x80) active hides 40 (0xa0). */
static void s_higher_active(struct ctx *t)
{
	linux_boot(t, false);
	enable(t, 0, 41);
	set_prio(t, 0, 41, 0x80);
	spi(t, 41, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 41);
	spi(t, 41, false);
	enable(t, 0, 40);
	spi(t, 40, true);
}

static void a_eoir(struct ctx *t)
{
	gicc_w(t, 0, GICC_EOIR, 41);
}

/* 40 targets CPU 1 only, whose interface is off. */
static void s_other_target(struct ctx *t)
{
	linux_boot(t, false);
	gicc_w(t, 1, GICC_CTLR, 0);
	enable(t, 0, 40);
	set_target(t, 40, 0x02);
	spi(t, 40, true);
}

static void a_itargetsr(struct ctx *t)
{
	set_target(t, 40, 0x01);
}

/* Edge-configured, line high, latch cleared: not pending until it is level. */
static void s_edge_cleared(struct ctx *t)
{
	linux_boot(t, false);
	set_edge(t, 40, true);
	enable(t, 0, 40);
	spi(t, 40, true);
	gicd_w(t, 0, GICD_ICPENDR + 4, 1u << 8);
}

static void a_icfgr(struct ctx *t)
{
	set_edge(t, 40, false);
}

static void s_dist_off(struct ctx *t)
{
	pending_40(t);
	gicd_w(t, 0, GICD_CTLR, 0);
}

static void a_gicd_ctlr(struct ctx *t)
{
	gicd_w(t, 0, GICD_CTLR, 1);
}

static void s_cpu_off(struct ctx *t)
{
	pending_40(t);
	gicc_w(t, 0, GICC_CTLR, 0);
}

static void a_gicc_ctlr(struct ctx *t)
{
	gicc_w(t, 0, GICC_CTLR, 1);
}

static void s_enabled_idle(struct ctx *t)
{
	linux_boot(t, false);
	enable(t, 0, 40);
}

static void a_ispendr(struct ctx *t)
{
	gicd_w(t, 0, GICD_ISPENDR + 4, 1u << 8);
}

static void s_active_pending(struct ctx *t)
{
	pending_40(t);
	gicd_w(t, 0, GICD_ISACTIVER + 4, 1u << 8);
}

static void a_icactiver(struct ctx *t)
{
	gicd_w(t, 0, GICD_ICACTIVER + 4, 1u << 8);
}

/* EOImode 1, 40 acknowledged and priority-dropped, line still high. */
static void s_dropped(struct ctx *t)
{
	linux_boot(t, true);
	enable(t, 0, 40);
	spi(t, 40, true);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
	gicc_w(t, 0, GICC_EOIR, 40);
}

static void a_dir(struct ctx *t)
{
	gicc_w(t, 0, GICC_DIR, 40);
}

static void s_boot(struct ctx *t)
{
	linux_boot(t, false);
}

static void a_sgir(struct ctx *t)
{
	gicd_w(t, 1, GICD_SGIR, 1u << 16 | 1);
}

static void a_spendsgir(struct ctx *t)
{
	wr(t, true, 0, GICD_SPENDSGIR + 2, 1, 0x02);
}

static void s_timer_enabled(struct ctx *t)
{
	linux_boot(t, false);
	enable(t, 0, 27);
}

static void a_ppi_level(struct ctx *t)
{
	assert_int_equal(irqchip_set_level(t->chip, 0, 27, true), 0);
}

static void a_spi_inject(struct ctx *t)
{
	spi(t, 40, true);
}

static void s_apr_busy(struct ctx *t)
{
	pending_40(t);
	gicc_w(t, 0, GICC_APR0, 1u << 1);	/* running priority 0x08 */
}

static void a_apr0(struct ctx *t)
{
	gicc_w(t, 0, GICC_APR0, 0);
}

static void s_group1(struct ctx *t)
{
	linux_boot(t, false);
	gicd_w(t, 0, GICD_IGROUPR + 4, 1u << 8);
	enable(t, 0, 40);
	spi(t, 40, true);
}

static void a_igroupr(struct ctx *t)
{
	gicd_w(t, 0, GICD_IGROUPR + 4, 0);
}

static void a_icenabler(struct ctx *t)
{
	gicd_w(t, 0, GICD_ICENABLER + 4, 1u << 8);
}

static void a_deassert(struct ctx *t)
{
	spi(t, 40, false);
}

static void a_iar(struct ctx *t)
{
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);
}

static void a_pmr_mask(struct ctx *t)
{
	gicc_w(t, 0, GICC_PMR, 0x80);
}

static void a_target_away(struct ctx *t)
{
	set_target(t, 40, 0x00);
}

static void a_gicd_off(struct ctx *t)
{
	gicd_w(t, 0, GICD_CTLR, 0);
}

static const struct queue_row queue_rows[] = {
	{ "ISENABLER", s_disabled, a_isenabler, true, "q" },
	{ "IPRIORITYR", s_masked_prio, a_ipriorityr, true, "q" },
	{ "PMR", s_pmr_zero, a_pmr, true, "c" },
	{ "EOIR of a higher priority", s_higher_active, a_eoir, true, "q" },
	{ "ITARGETSR", s_other_target, a_itargetsr, true, "q" },
	{ "ICFGR", s_edge_cleared, a_icfgr, true, "q" },
	{ "GICD_CTLR", s_dist_off, a_gicd_ctlr, true, "c" },
	{ "GICC_CTLR", s_cpu_off, a_gicc_ctlr, true, "c" },
	{ "ISPENDR", s_enabled_idle, a_ispendr, true, "pq" },
	{ "ICACTIVER", s_active_pending, a_icactiver, true, "q" },
	{ "DIR", s_dropped, a_dir, true, "q" },
	{ "SGIR", s_boot, a_sgir, true, "pq" },
	{ "SPENDSGIR", s_boot, a_spendsgir, true, "pq" },
	{ "PPI level", s_timer_enabled, a_ppi_level, true, "pq" },
	{ "SPI injection", s_enabled_idle, a_spi_inject, true, "pq" },
	{ "APR0", s_apr_busy, a_apr0, true, "c" },
	{ "IGROUPR", s_group1, a_igroupr, true, "q" },
	{ "ICENABLER", pending_40, a_icenabler, false, "q" },
	{ "SPI deassert", pending_40, a_deassert, false, "pq" },
	{ "IAR", pending_40, a_iar, false, "q" },
	{ "PMR masks", pending_40, a_pmr_mask, false, "c" },
	{ "ITARGETSR away", pending_40, a_target_away, false, "q" },
	{ "GICD_CTLR off", pending_40, a_gicd_off, false, "c" },
};

static void test_queue_path_table(void **state)
{
	for (size_t i = 0; i < sizeof(queue_rows) / sizeof(queue_rows[0]); i++) {
		const struct queue_row *r = &queue_rows[i];
		struct ctx *t;
		unsigned before;

		print_message("  row: %s\n", r->name);
		assert_int_equal(setup2((void **)&t), 0);
		r->setup(t);
		assert_int_equal(t->line[0], !r->raise);
		assert_false(t->line[1]);
		before = t->n;
		spy_reset(t);
		r->action(t);
		assert_string_equal(t->spy_ops, r->ops);	/* one queue, the right one */
		assert_int_equal(t->line[0], r->raise);
		assert_int_equal(t->n, before + 1);	/* exactly one call, for CPU 0 */
		assert_int_equal(t->calls[before].vcpu, 0);
		assert_int_equal(t->calls[before].level, r->raise);
		/* Doing it again changes no line, so no call (IAR excepted: it acks). */
		if (r->action != a_iar)
			r->action(t);
		assert_int_equal(t->n, before + 1);
		assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 0);
		teardown((void **)&t);
	}
}

/* Redundant changes do not reach set_cpu_irq(). */
static void test_no_redundant_calls(void **state)
{
	struct ctx *t = *state;

	linux_boot(t, false);
	enable(t, 0, 40);
	enable(t, 0, 41);
	for (int i = 0; i < 5; i++)
		spi(t, 40, true);
	spi(t, 41, true);
	for (int i = 0; i < 5; i++) {
		enable(t, 0, 40);
		gicc_w(t, 0, GICC_PMR, 0xf0);
		gicd_w(t, 0, GICD_CTLR, 1);
		set_prio(t, 0, 40, 0x90);
	}
	assert_int_equal(t->n, 1);
	assert_int_equal(gicc_r(t, 0, GICC_IAR), 40);	/* 0x90 first */
	assert_int_equal(t->n, 2);			/* down while 40 is active */
	gicc_w(t, 0, GICC_EOIR, 40);			/* 40 and 41 pending again */
	assert_int_equal(t->n, 3);
}

/* A failing set_cpu_irq() goes to the error sink, from injection and MMIO alike. */
static void test_line_errors(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	linux_boot(t, false);
	enable(t, 0, 40);
	t->fail = -EIO;
	assert_int_equal(irqchip_set_level(t->chip, -1, 40, true), -EIO);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 1);
	assert_false(gicv2_user_cpu_line(t->gic, 0));	/* not recorded as raised */
	gicd_w(t, 0, GICD_ISPENDR + 4, 1u << 9);		/* MMIO path, same sink */
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 2);
	irqchip_counts_intid(t->chip, 40, &c);
	assert_int_equal(c.errors, 1);
	assert_int_equal(c.set_pending, 1);
	t->fail = 0;
	gicc_w(t, 0, GICC_PMR, 0xf8);				/* the next queue retries */
	assert_true(t->line[0]);
	assert_true(gicv2_user_cpu_line(t->gic, 0));
	assert_int_equal(t->n, 1);
}

static void test_create(void **state)
{
	struct irqchip_config cfg = {
		.nr_vcpus = 9, .nr_irqs = 64, .set_cpu_irq = fake_set_cpu_irq,
	};
	struct irqchip *chip = NULL;
	struct irqchip *other;
	static const struct irqchip_backend_ops other_ops = { .name = "other" };

	assert_int_equal(gicv2_user_create(&cfg, &chip), -E2BIG);
	cfg.nr_vcpus = 0;
	assert_int_equal(gicv2_user_create(&cfg, &chip), -EINVAL);
	cfg.nr_vcpus = 8;
	cfg.nr_irqs = 1024;
	assert_int_equal(gicv2_user_create(&cfg, &chip), -EINVAL);
	cfg.nr_irqs = 40;
	assert_int_equal(gicv2_user_create(&cfg, &chip), -EINVAL);
	cfg.nr_irqs = GICV2_USER_MAX_IRQS;
	cfg.set_cpu_irq = NULL;
	assert_int_equal(gicv2_user_create(&cfg, &chip), -EINVAL);
	assert_null(chip);
	assert_int_equal(gicv2_user_create(NULL, &chip), -EINVAL);
	cfg.set_cpu_irq = fake_set_cpu_irq;
	assert_int_equal(gicv2_user_create(&cfg, NULL), -EINVAL);
	assert_int_equal(gicv2_user_create(&cfg, &chip), 0);
	assert_string_equal(irqchip_name(chip), "gicv2-user");
	assert_int_equal(irqchip_fdt_ppi_cpu_mask(chip), 0xff00);
	assert_non_null(gicv2_user_of(chip));
	irqchip_destroy(chip);
	assert_null(gicv2_user_of(NULL));
	assert_int_equal(irqchip_new(&other_ops, NULL, 1, 32, &other), 0);
	assert_null(gicv2_user_of(other));
	irqchip_destroy(other);
}

/* The mmio_ops shape the bus uses, and 8 vCPUs with all SPIs. */
static void test_mmio_ops_max(void **state)
{
	struct ctx t = { .nr_cpus = 8 };
	struct irqchip_config cfg = {
		.nr_vcpus = 8, .nr_irqs = GICV2_USER_MAX_IRQS, .host = &t,
		.set_cpu_irq = fake_set_cpu_irq,
	};
	uint8_t d[4];
	const uint32_t last = GICV2_USER_MAX_IRQS - 1;

	pthread_mutex_init(&t.lock, NULL);
	assert_int_equal(gicv2_user_create(&cfg, &t.chip), 0);
	t.gic = gicv2_user_of(t.chip);
	gicv2_user_dist_mmio_ops.read(t.gic, 7, GICD_TYPER, d, 4);
	assert_int_equal(d[0], 0x1e | 7u << 5);	/* 992 / 32 - 1, 8 CPUs - 1 */
	gicv2_user_dist_mmio_ops.read(t.gic, 5, GICD_ITARGETSR + 3, d, 1);
	assert_int_equal(d[0], 1u << 5);
	linux_dist_init(&t);
	linux_cpu_init(&t, 7, false);
	set_target(&t, last, 0x80);
	enable(&t, 0, last);
	spi(&t, last, true);
	assert_true(t.line[7]);
	d[0] = 0;
	d[1] = d[2] = d[3] = 0;
	gicv2_user_cpu_mmio_ops.read(t.gic, 7, GICC_IAR, d, 4);
	assert_int_equal(d[0] | d[1] << 8, last);
	gicv2_user_cpu_mmio_ops.write(t.gic, 7, GICC_EOIR, d, 4);
	spi(&t, last, false);
	assert_false(t.line[7]);
	irqchip_destroy(t.chip);
	pthread_mutex_destroy(&t.lock);
}

/* The FDT node is arch/arm64/fdt.c's: the chip only says PPIs carry a CPU mask. */
static void test_fdt_mask(void **state)
{
	struct ctx *t = *state;

	assert_int_equal(irqchip_fdt_ppi_cpu_mask(t->chip), 0x300);
}

static void test_stats(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	linux_boot(t, false);
	enable(t, 0, 40);
	spi(t, 40, true);
	ack_eoi(t, 0, 40);
	gicd_w(t, 1, GICD_SGIR, 1u << 16 | 2);
	ack_eoi(t, 0, 2 | 1u << 10);
	irqchip_counts_intid(t->chip, 40, &c);
	assert_int_equal(c.set_pending, 1);
	assert_int_equal(c.delivered, 1);
	irqchip_counts_class(t->chip, IRQ_CLASS_SGI, &c);
	assert_int_equal(c.delivered, 1);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	irqchip_stats_print(t->chip, f);
	fclose(f);
	assert_non_null(strstr(buf, "irqchip gicv2-user: 2 vCPUs, 128 INTIDs"));
	assert_non_null(strstr(buf, "gicv2-user: 5 CPU line changes"));
	assert_non_null(strstr(buf, "cpu0: line 1"));	/* 40 still asserted */
	free(buf);
}

struct stress {
	struct ctx *t;
	int cpu;
	atomic_int *stop;
};

#define STRESS_ITERS 3000

static void *stress_device(void *p)
{
	struct stress *s = p;

	for (int i = 0; i < STRESS_ITERS; i++) {
		uint32_t intid = 40 + (uint32_t)(i % 8);

		irqchip_set_level(s->t->chip, -1, intid, true);
		irqchip_set_level(s->t->chip, -1, intid, false);
		irqchip_pulse(s->t->chip, -1, 48);
	}
	return NULL;
}

static void *stress_vcpu(void *p)
{
	struct stress *s = p;

	while (!atomic_load(s->stop)) {
		uint32_t iar = gicc_r(s->t, s->cpu, GICC_IAR);

		if ((iar & 0x3ff) < 1020)
			gicc_w(s->t, s->cpu, GICC_EOIR, iar);
		gicd_w(s->t, s->cpu, GICD_SGIR, 1u << 24 | 1);
	}
	return NULL;
}

/* Devices and vCPUs at once: no crash, no lost line state, ends quiet. */
static void test_concurrency(void **state)
{
	struct ctx *t = *state;
	atomic_int stop = 0;
	struct stress s[4] = {
		{ t, 0, &stop }, { t, 1, &stop }, { t, 0, &stop }, { t, 1, &stop },
	};
	pthread_t tid[4];

	linux_boot(t, false);
	gicd_w(t, 0, GICD_ISENABLER + 4, 0x1ff00);
	gicd_w(t, 0, GICD_ITARGETSR + 40, 0x03030303);
	gicd_w(t, 0, GICD_ITARGETSR + 44, 0x03030303);
	gicd_w(t, 0, GICD_ITARGETSR + 48, 0x03030303);
	set_edge(t, 48, true);
	pthread_create(&tid[0], NULL, stress_vcpu, &s[0]);
	pthread_create(&tid[1], NULL, stress_vcpu, &s[1]);
	pthread_create(&tid[2], NULL, stress_device, &s[2]);
	pthread_create(&tid[3], NULL, stress_device, &s[3]);
	pthread_join(tid[2], NULL);
	pthread_join(tid[3], NULL);
	atomic_store(&stop, 1);
	pthread_join(tid[0], NULL);
	pthread_join(tid[1], NULL);
	/* Drain what is left; then both lines must be low. */
	for (int c = 0; c < 2; c++) {
		uint32_t iar;

		while (((iar = gicc_r(t, c, GICC_IAR)) & 0x3ff) < 1020)
			gicc_w(t, c, GICC_EOIR, iar);
	}
	assert_false(t->line[0]);
	assert_false(t->line[1]);
	assert_false(gicv2_user_cpu_line(t->gic, 0));
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 0);
}

/*
 * The fuzz target's model checks hold on its hand-made seeds (a Linux-like
 * SPI and SGI flow, split EOI/DIR, the Group 1 aliases, RAZ/WI edges) and on
 * every input kept in tests/fuzz/regress/fuzz_gicv2_user/.
 */
static void test_fuzz_regressions(void **state)
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int n, total = 0;

	(void)state;
	assert_int_equal(fuzz_gicv2_user_one((const uint8_t *)"", 0), 0);
	for (size_t i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], "fuzz_gicv2_user");
		n = fuzz_replay_dir(dir, fuzz_gicv2_user_one);
		assert_true(n >= 0);
		total += n;
	}
	assert_true(total >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linux_boot, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_priority_access, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_itargetsr_banked, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_enable_target, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_sgi, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_level_spi, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_icpendr_level, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_edge_spi, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_eoimode, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_priority_mask, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_preemption, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_binary_point, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_spurious, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_one_of_n, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_ppi_banked, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_groups, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_bad_accesses, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_latch_ispendr, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_latch_sgir, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_latch_spendsgir, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_sgi_set_pending, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_one_queue_per_access, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_uniprocessor_targets, setup1, teardown),
		cmocka_unit_test_setup_teardown(test_cbpr_abpr, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_group1_aliases, setup2, teardown),
		cmocka_unit_test(test_queue_path_table),
		cmocka_unit_test_setup_teardown(test_no_redundant_calls, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_line_errors, setup2, teardown),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_mmio_ops_max),
		cmocka_unit_test_setup_teardown(test_fdt_mask, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_concurrency, setup2, teardown),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
