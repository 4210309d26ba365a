// SPDX-License-Identifier: GPL-2.0-only
/*
 * Userspace GICv2, the interrupt model (contract in gicv2_user.h; the split
 * and the locking in gicv2_user_priv.h): the highest-priority pending
 * interrupt per CPU, the one re-evaluation behind the per-class queue ops,
 * device injection (set_pending), reset, FDT node, stats, create/destroy.
 * The register file is gicv2_user_regs.c.
 */
#include "irqchip/gicv2_user.h"

#include <errno.h>
#include <inttypes.h>
#include <libfdt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
			if (intid >= 32 && !(gic->targets[intid] & (1u << cpu)))
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
	return h->prio < c->pmr && gic_group_prio(h->prio, c->bpr) < gic_running_prio(c);
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

/* SGI and PPI queue (and IRQCHIP_INTID_CPU): the bank's CPU, or all. */
static int gic_queue_banked(struct irqchip *chip, int vcpu, uint32_t intid)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	if (vcpu == IRQCHIP_VCPU_ALL)
		return gic_update(gic, gic->cpus_mask);
	if (vcpu < 0 || (uint32_t)vcpu >= gic->nr_cpus)
		return -EINVAL;
	return gic_update(gic, 1u << vcpu);
}

/* SPI queue: every CPU, as a retarget must also lower the old target's line. */
static int gic_queue_spi(struct irqchip *chip, int vcpu, uint32_t intid)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	return gic_update(gic, gic->cpus_mask);
}

/* SGIs are raised by the guest (GICD_SGIR, SPENDSGIR) only; no device injects one. */
static int gic_sgi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid, bool level)
{
	return -EINVAL;
}

/* PPIs are level-sensitive here: record the line (timer, PMU). */
static int gic_ppi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid, bool level)
{
	struct gicv2_user *gic = irqchip_priv(chip);
	uint32_t m = 1u << (intid % 32);

	if (vcpu < 0 || (uint32_t)vcpu >= gic->nr_cpus || irq_class_of(intid) != IRQ_CLASS_PPI)
		return -EINVAL;
	pthread_mutex_lock(&gic->lock);
	if (level)
		gic->cpu[vcpu].bits[GIC_LEVEL] |= m;
	else
		gic->cpu[vcpu].bits[GIC_LEVEL] &= ~m;
	pthread_mutex_unlock(&gic->lock);
	return 0;
}

/* SPI input: record the line; a rising edge latches pending when edge-triggered. */
static int gic_spi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid, bool level)
{
	struct gicv2_user *gic = irqchip_priv(chip);
	uint32_t w = intid / 32, m = 1u << (intid % 32);

	if (intid < 32 || intid >= gic->nr_irqs)
		return -EINVAL;
	pthread_mutex_lock(&gic->lock);
	if (level && !(gic->bits[GIC_LEVEL][w] & m) && (gic->bits[GIC_EDGE][w] & m))
		gic->bits[GIC_LATCH][w] |= m;
	if (level)
		gic->bits[GIC_LEVEL][w] |= m;
	else
		gic->bits[GIC_LEVEL][w] &= ~m;
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

/* Runs a handler's queue request through the one queue path. Lock NOT held. */
void gicv2_user_queue_req_run(struct gicv2_user *gic, const struct gic_queue_req *q)
{
	struct irqchip *chip = gic->chip;

	if (q->cpu_wide == gic->cpus_mask) {
		irqchip_queue(chip, IRQCHIP_VCPU_ALL, IRQCHIP_INTID_CPU);
	} else {
		for (uint32_t c = 0; c < gic->nr_cpus; c++) {
			if (q->cpu_wide & (1u << c))
				irqchip_queue(chip, (int)c, IRQCHIP_INTID_CPU);
		}
	}
	for (uint32_t bits = q->intids; bits; bits &= bits - 1) {
		uint32_t intid = q->base + (uint32_t)__builtin_ctz(bits);

		if (intid >= 32) {
			irqchip_queue(chip, IRQCHIP_VCPU_ALL, intid);
			continue;
		}
		for (uint32_t c = 0; c < gic->nr_cpus; c++) {
			if (q->cpus & (1u << c))
				irqchip_queue(chip, (int)c, intid);
		}
	}
}

/* ---- Life cycle ---- */

/* Power-on state, keeping the device-driven input levels. Lock held (or not yet shared). */
static void gic_reset_locked(struct gicv2_user *gic)
{
	for (int b = 0; b < GIC_NR_BITS; b++) {
		if (b != GIC_LEVEL)
			memset(gic->bits[b], 0, sizeof(gic->bits[b]));
	}
	gic->ctlr = 0;
	memset(gic->prio, 0, sizeof(gic->prio));
	memset(gic->targets, 0, sizeof(gic->targets));
	for (uint32_t c = 0; c < GICV2_USER_MAX_VCPUS; c++) {
		struct gic_cpu *cpu = &gic->cpu[c];
		uint32_t level = cpu->bits[GIC_LEVEL];
		bool line = cpu->line;

		memset(cpu, 0, sizeof(*cpu));
		cpu->bits[GIC_LEVEL] = level;
		cpu->line = line;	/* what the vCPU input really is; queue lowers it */
		cpu->bpr = GIC_MIN_BPR;
	}
}

static int gic_reset(struct irqchip *chip)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	pthread_mutex_lock(&gic->lock);
	gic_reset_locked(gic);
	pthread_mutex_unlock(&gic->lock);
	return irqchip_queue(chip, IRQCHIP_VCPU_ALL, IRQCHIP_INTID_CPU);
}

static void gic_destroy(struct irqchip *chip)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	pthread_mutex_destroy(&gic->lock);
	free(gic);
}

static int gic_fdt_node(struct irqchip *chip, void *fdt, int parent, uint32_t phandle)
{
	struct gicv2_user *gic = irqchip_priv(chip);
	const fdt64_t reg[4] = {
		cpu_to_fdt64(gic->dist_base), cpu_to_fdt64(GICV2_USER_DIST_SIZE),
		cpu_to_fdt64(gic->cpu_base), cpu_to_fdt64(GICV2_USER_CPU_SIZE),
	};
	char name[48];
	int node, ret;

	snprintf(name, sizeof(name), "interrupt-controller@%" PRIx64, gic->dist_base);
	node = fdt_add_subnode(fdt, parent, name);
	if (node < 0) {
		ret = node;
		goto err;
	}
	ret = fdt_setprop_string(fdt, node, "compatible", "arm,cortex-a15-gic");
	if (!ret)
		ret = fdt_setprop_u32(fdt, node, "#interrupt-cells", 3);
	if (!ret)
		ret = fdt_setprop_empty(fdt, node, "interrupt-controller");
	if (!ret)
		ret = fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
	if (!ret)
		ret = fdt_setprop_u32(fdt, node, "phandle", phandle);
	if (ret)
		goto err;
	return node;

err:
	log_debug("gicv2-user: FDT node: %s", fdt_strerror(ret));
	return ret == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

static void gic_stats_print(const struct irqchip *chip, FILE *f)
{
	struct gicv2_user *gic = irqchip_priv(chip);

	pthread_mutex_lock(&gic->lock);
	fprintf(f, "  gicv2-user: %" PRIu64 " CPU line changes, %" PRIu64
		   " ignored guest accesses\n",
		gic->line_changes, atomic_load_explicit(&gic->ignored, memory_order_relaxed));
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
	.probe = gicv2_user_probe,
	.create = gicv2_user_create,
	.destroy = gic_destroy,
	.reset = gic_reset,
	.fdt_node = gic_fdt_node,
	.vcpu_enter = gic_vcpu_enter,
	.stats_print = gic_stats_print,
	.fdt_ppi_cpu_mask = true,
	.classes = {
		[IRQ_CLASS_SGI] = &gic_sgi_ops,
		[IRQ_CLASS_PPI] = &gic_ppi_ops,
		[IRQ_CLASS_SPI] = &gic_spi_ops,
		/* No LPIs on GICv2: the front end answers -EINVAL. */
	},
};

int gicv2_user_probe(const struct irqchip_config *cfg)
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

int gicv2_user_create(const struct irqchip_config *cfg, struct irqchip **out)
{
	struct gicv2_user *gic;
	int ret;

	ret = gicv2_user_probe(cfg);
	if (ret)
		return ret;
	if (!out || !gicv2_user_regs_valid())
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
	gic->dist_base = cfg->dist_base;
	gic->cpu_base = cfg->cpu_base;
	gic_reset_locked(gic);
	ret = irqchip_new(&gicv2_user_backend_ops, gic, cfg->nr_vcpus, cfg->nr_irqs, &gic->chip);
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
