// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace GICv2, the interrupt model (contract in gicv2_user.h; the split
 * and the locking in gicv2_user_priv.h): the highest-priority pending
 * interrupt per CPU, the one re-evaluation behind the per-class queue ops
 * and queue_cpu, the per-class set_pending ops (device lines and guest
 * pends alike), stats, create/destroy.
 * The register file is gicv2_user_regs.c.
 */
#include "irqchip/gicv2_user.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "irqchip/gicv2_user_priv.h"
#include "irqchip/irqchip_backend.h"
#include "lib/log.h"

/* ---- State helpers (lock held) ---- */

/* Pending INTIDs base..base+31 as seen by @cpu: latch | (line if level-sensitive). */
uint32_t gicv2_user_pending_word(struct gicv2_user *gic, int cpu, uint32_t base)
{
	uint32_t p = *gic_word(gic, cpu, GIC_LATCH, base) |
		     (*gic_word(gic, cpu, GIC_LEVEL, base) & ~*gic_word(gic, cpu, GIC_EDGE, base));

	if (base == 0) {
		p &= ~0xffffu;
		for (uint32_t i = 0; i < GIC_NR_SGIS; i++)
			p |= (uint32_t)!!gic->cpu[cpu].sgi_src[i] << i;
	}
	return p;
}

/* INTIDs base..base+31 whose group is enabled in both GICD_CTLR and @cpu's GICC_CTLR. */
static uint32_t gic_group_gate(struct gicv2_user *gic, int cpu, uint32_t base)
{
	uint32_t grp = *gic_word(gic, cpu, GIC_GROUP, base);
	uint32_t en = gic->ctlr & gic->cpu[cpu].ctlr;
	uint32_t g0 = en & GIC_CTLR_ENGRP0 ? ~0u : 0;
	uint32_t g1 = en & GIC_CTLR_ENGRP1 ? ~0u : 0;

	return (~grp & g0) | (grp & g1);
}

/* Highest-priority pending interrupt for @cpu, see gicv2_user_priv.h. */
bool gicv2_user_hppi(struct gicv2_user *gic, int cpu, struct gic_hppi *out)
{
	uint32_t best = 0x100;

	for (uint32_t base = 0; base < gic->nr_irqs; base += 32) {
		uint32_t cand = gicv2_user_pending_word(gic, cpu, base) &
				*gic_word(gic, cpu, GIC_ENABLED, base) &
				~*gic_word(gic, cpu, GIC_ACTIVE, base) &
				gic_group_gate(gic, cpu, base);

		while (cand) {
			uint32_t intid = base + (uint32_t)__builtin_ctz(cand);
			uint8_t prio;

			cand &= cand - 1;
			/* Uniprocessor: ITARGETSR is RAZ/WI, every SPI goes to CPU 0. */
			if (intid >= 32 && gic->nr_cpus > 1 && !(gic->targets[intid] & (1u << cpu)))
				continue;
			prio = *gic_prio(gic, cpu, intid);
			if (prio < best) {
				best = prio;
				out->intid = intid;
				out->prio = prio;
			}
		}
	}
	if (best > 0xff)
		return false;
	out->src = 0;
	if (out->intid < GIC_NR_SGIS)
		out->src = (uint8_t)__builtin_ctz(gic->cpu[cpu].sgi_src[out->intid]);
	return true;
}

/* Whether @cpu's IRQ line should be high: an HPPI that beats PMR and the running priority. */
bool gicv2_user_signalled(struct gicv2_user *gic, int cpu, struct gic_hppi *h)
{
	const struct gic_cpu *c = &gic->cpu[cpu];

	if (!gicv2_user_hppi(gic, cpu, h))
		return false;
	return h->prio < c->pmr &&
	       gic_irq_group_prio(gic, cpu, h->intid, h->prio) < gic_running_prio(c);
}

/* ---- The one re-evaluation, behind the class queue ops ---- */

/*
 * Re-evaluates each CPU in @cpus and drives its line through set_cpu_irq()
 * where the level changes. Lock held. Returns 0 or the first error; a CPU
 * whose call failed keeps its old cached level, so the next queue retries.
 */
static int gic_update_locked(struct gicv2_user *gic, uint32_t cpus)
{
	int err = 0;

	for (uint32_t c = 0; c < gic->nr_cpus; c++) {
		struct gic_hppi h;
		bool want;
		int ret;

		if (!(cpus & (1u << c)))
			continue;
		want = gicv2_user_signalled(gic, (int)c, &h);
		if (want == gic->cpu[c].line)
			continue;
		ret = gic->set_cpu_irq(gic->host, (int)c, want);
		if (ret < 0) {
			if (!err)
				err = ret;
			continue;
		}
		gic->cpu[c].line = want;
		gic->line_changes++;
	}
	return err;
}

static int gic_update(struct gicv2_user *gic, uint32_t cpus)
{
	int ret;

	pthread_mutex_lock(&gic->lock);
	gic->evaluations++;
	ret = gic_update_locked(gic, cpus);
	pthread_mutex_unlock(&gic->lock);
	return ret;
}

/* Immutable fields only: no lock. */
static int gic_vcpu_enter(struct irqchip *chip, int vcpu)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	return gic->enter_vcpu ? gic->enter_vcpu(gic->host, vcpu) : 0;
}

/* The CPUs @vcpu names: one, or all for IRQCHIP_VCPU_ALL; 0 for a bad index. */
static uint32_t gic_cpus_of(const struct gicv2_user *gic, int vcpu)
{
	if (vcpu == IRQCHIP_VCPU_ALL)
		return gic->cpus_mask;
	if (vcpu < 0 || (uint32_t)vcpu >= gic->nr_cpus)
		return 0;
	return 1u << vcpu;
}

/* SGI and PPI queue: the bank's CPU, or all. */
static int gic_queue_banked(struct irqchip *chip, int vcpu, uint32_t intid)
{
	struct gicv2_user *gic = irqchip_priv(chip);
	uint32_t cpus = gic_cpus_of(gic, vcpu);

	return cpus ? gic_update(gic, cpus) : -EINVAL;
}

/* SPI queue: every CPU, as a retarget must also lower the old target's line. */
static int gic_queue_spi(struct irqchip *chip, int vcpu, uint32_t intid)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	return gic_update(gic, gic->cpus_mask);
}

/* A CPU interface or the distributor changed as a whole: re-evaluate @vcpu, or all. */
static int gic_queue_cpu(struct irqchip *chip, int vcpu)
{
	struct gicv2_user *gic = irqchip_priv(chip);
	uint32_t cpus = gic_cpus_of(gic, vcpu);

	return cpus ? gic_update(gic, cpus) : -EINVAL;
}

/* Sets or clears bit @intid of state @b in @cpu's view. Lock held. */
static void gic_assign(struct gicv2_user *gic, int cpu, enum gic_bits b, uint32_t intid, bool on)
{
	uint32_t *w = gic_word(gic, cpu, b, intid);
	uint32_t m = 1u << (intid % 32);

	*w = on ? *w | m : *w & ~m;
}

/*
 * SGIs: only software pends (GICD_SGIR, SPENDSGIR, CPENDSGIR), one pending
 * bit per (target @vcpu, source in->src). No device drives an SGI.
 */
static int gic_sgi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			       const struct irq_input *in)
{
	struct gicv2_user *gic = irqchip_priv(chip);
	uint8_t *s;

	if (in->kind != IRQ_INPUT_LATCH || intid >= GIC_NR_SGIS || !gic_cpus_of(gic, vcpu) ||
	    in->src < 0 || (uint32_t)in->src >= gic->nr_cpus)
		return -EINVAL;
	pthread_mutex_lock(&gic->lock);
	s = &gic->cpu[vcpu].sgi_src[intid];
	*s = in->level ? *s | 1u << in->src : *s & ~(1u << in->src);
	pthread_mutex_unlock(&gic->lock);
	return 0;
}

/*
 * PPIs are level-sensitive here: a line (timer, PMU) records its level; a
 * software pend sets or clears the latch, which IAR also clears.
 */
static int gic_ppi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			       const struct irq_input *in)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	if (irq_class_of(intid) != IRQ_CLASS_PPI || !gic_cpus_of(gic, vcpu) || vcpu < 0)
		return -EINVAL;
	pthread_mutex_lock(&gic->lock);
	gic_assign(gic, vcpu, in->kind == IRQ_INPUT_LINE ? GIC_LEVEL : GIC_LATCH, intid, in->level);
	pthread_mutex_unlock(&gic->lock);
	return 0;
}

/*
 * SPIs: a line records its level, and a rising edge latches pending when
 * edge-triggered; a software pend sets or clears the latch (ICPENDR: a
 * level interrupt whose line is high stays pending).
 */
static int gic_spi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			       const struct irq_input *in)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	if (intid < 32 || intid >= gic->nr_irqs)
		return -EINVAL;
	pthread_mutex_lock(&gic->lock);
	if (in->kind == IRQ_INPUT_LATCH) {
		gic_assign(gic, 0, GIC_LATCH, intid, in->level);
	} else {
		if (in->level && !gic_test(gic, 0, GIC_LEVEL, intid) &&
		    gic_test(gic, 0, GIC_EDGE, intid))
			gic_assign(gic, 0, GIC_LATCH, intid, true);
		gic_assign(gic, 0, GIC_LEVEL, intid, in->level);
	}
	pthread_mutex_unlock(&gic->lock);
	return 0;
}

static const struct irq_class_ops gic_sgi_ops = {
	.set_pending = gic_sgi_set_pending,
	.queue = gic_queue_banked,
};

static const struct irq_class_ops gic_ppi_ops = {
	.set_pending = gic_ppi_set_pending,
	.queue = gic_queue_banked,
};

static const struct irq_class_ops gic_spi_ops = {
	.set_pending = gic_spi_set_pending,
	.queue = gic_queue_spi,
};

/* Runs a handler's request: its latches, then one queue. Lock NOT held. */
void gicv2_user_queue_req_run(struct gicv2_user *gic, const struct gic_queue_req *q)
{
	struct irqchip *chip = gic->chip;
	int vcpu = IRQCHIP_VCPU_ALL;

	for (uint32_t i = 0; i < q->nr_latch; i++) {
		const struct gic_latch *l = &q->latch[i];
		const struct irq_input in = {
			.kind = IRQ_INPUT_LATCH,
			.level = l->set,
			.src = l->src,
		};

		/* Reported by the front end; the guest access has no error to give. */
		irqchip_set_pending(chip, l->vcpu, l->intid, &in);
	}
	/* One CPU named: that one; several (or an SPI): every CPU, in one re-evaluation. */
	if (q->cpus && !(q->cpus & (q->cpus - 1)))
		vcpu = __builtin_ctz(q->cpus);
	if (q->intid != GIC_REQ_NONE)
		irqchip_queue(chip, q->intid >= 32 ? IRQCHIP_VCPU_ALL : vcpu, q->intid);
	else if (q->cpus)
		irqchip_queue_cpu(chip, vcpu);
}

/* ---- Life cycle ---- */

/*
 * Power-on state of freshly zeroed state: everything disabled, inactive,
 * Group 0, priority 0, no targets, lines low; binary points at their
 * minimum (the GICv2 reset values of BPR and ABPR).
 */
static void gic_init_state(struct gicv2_user *gic)
{
	for (uint32_t c = 0; c < GICV2_USER_MAX_VCPUS; c++) {
		gic->cpu[c].bpr = GIC_MIN_BPR;
		gic->cpu[c].abpr = GIC_MIN_ABPR;
	}
}

static void gic_destroy(struct irqchip *chip)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	pthread_mutex_destroy(&gic->lock);
	free(gic);
}

static void gic_stats_print(const struct irqchip *chip, FILE *f)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	pthread_mutex_lock(&gic->lock);
	fprintf(f,
		"  gicv2-user: %" PRIu64 " CPU line changes, %" PRIu64 " re-evaluations, %" PRIu64
		" ignored guest accesses\n",
		gic->line_changes, gic->evaluations,
		atomic_load_explicit(&gic->ignored, memory_order_relaxed));
	for (uint32_t c = 0; c < gic->nr_cpus; c++) {
		const struct gic_cpu *cpu = &gic->cpu[c];

		fprintf(f, "  cpu%" PRIu32 ": line %d ctlr 0x%03" PRIx32, c, cpu->line, cpu->ctlr);
		struct gic_hppi h;
		bool sig = gicv2_user_signalled(gic, (int)c, &h);

		fprintf(f, " pmr 0x%02x rpr 0x%02" PRIx32, cpu->pmr, gic_running_prio(cpu));
		if (gicv2_user_hppi(gic, (int)c, &h))
			fprintf(f, " hppi %" PRIu32 " prio 0x%02x%s\n", h.intid, h.prio,
				sig ? " signalled" : "");
		else
			fprintf(f, " hppi none\n");
	}
	pthread_mutex_unlock(&gic->lock);
}

const struct irqchip_backend_ops gicv2_user_backend_ops = {
	.name = "gicv2-user",
	.destroy = gic_destroy,
	.vcpu_enter = gic_vcpu_enter,
	.queue_cpu = gic_queue_cpu,
	.stats_print = gic_stats_print,
	.fdt_ppi_cpu_mask = true,
	.classes = {
		[IRQ_CLASS_SGI] = &gic_sgi_ops,
		[IRQ_CLASS_PPI] = &gic_ppi_ops,
		[IRQ_CLASS_SPI] = &gic_spi_ops,
		/* No LPIs on GICv2: the front end answers -EINVAL. */
	},
};

/* Checks @cfg: see gicv2_user_create(). Returns 0, -E2BIG (logged) or -EINVAL. */
static int gic_check_config(const struct irqchip_config *cfg)
{
	if (!cfg || !cfg->set_cpu_irq || !cfg->nr_vcpus)
		return -EINVAL;
	if (cfg->nr_vcpus > GICV2_USER_MAX_VCPUS) {
		log_err("userspace GICv2: %" PRIu32 " vCPUs asked for, but GICv2 has at most %d"
			" CPU interfaces: use %d vCPUs or fewer, or an in-kernel vGIC",
			cfg->nr_vcpus, GICV2_USER_MAX_VCPUS, GICV2_USER_MAX_VCPUS);
		return -E2BIG;
	}
	if (cfg->nr_irqs < 32 || cfg->nr_irqs > GICV2_USER_MAX_IRQS || cfg->nr_irqs % 32) {
		log_err("userspace GICv2: %" PRIu32 " interrupts: must be a multiple of 32"
			" from 32 to %d", cfg->nr_irqs, GICV2_USER_MAX_IRQS);
		return -EINVAL;
	}
	return 0;
}

int gicv2_user_new(const struct irqchip_config *cfg, const struct irqchip_backend_ops *ops,
		   struct irqchip **out)
{
	struct gicv2_user *gic;
	int ret;

	ret = gic_check_config(cfg);
	if (ret)
		return ret;
	if (!ops || !out || !gicv2_user_regs_valid())
		return -EINVAL;
	gic = calloc(1, sizeof(*gic));
	if (!gic)
		return -ENOMEM;
	ret = -pthread_mutex_init(&gic->lock, NULL);
	if (ret)
		goto err_free;
	gic->host = cfg->host;
	gic->set_cpu_irq = cfg->set_cpu_irq;
	gic->enter_vcpu = cfg->enter_vcpu;
	gic->nr_cpus = cfg->nr_vcpus;
	gic->nr_irqs = cfg->nr_irqs;
	gic->cpus_mask = (uint8_t)((1u << cfg->nr_vcpus) - 1);
	gic_init_state(gic);
	ret = irqchip_new(ops, gic, cfg->nr_vcpus, cfg->nr_irqs, &gic->chip);
	if (ret)
		goto err_mutex;
	*out = gic->chip;
	return 0;

err_mutex:
	pthread_mutex_destroy(&gic->lock);
err_free:
	free(gic);
	return ret;
}

int gicv2_user_create(const struct irqchip_config *cfg, struct irqchip **out)
{
	return gicv2_user_new(cfg, &gicv2_user_backend_ops, out);
}

struct gicv2_user *gicv2_user_of(struct irqchip *chip)
{
	if (!chip || irqchip_backend(chip) != &gicv2_user_backend_ops)
		return NULL;
	return irqchip_priv(chip);
}

bool gicv2_user_cpu_line(struct gicv2_user *gic, int vcpu)
{
	bool line;

	if (!gic || vcpu < 0 || (uint32_t)vcpu >= gic->nr_cpus)
		return false;
	pthread_mutex_lock(&gic->lock);
	line = gic->cpu[vcpu].line;
	pthread_mutex_unlock(&gic->lock);
	return line;
}
