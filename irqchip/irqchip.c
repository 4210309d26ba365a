// SPDX-License-Identifier: GPL-2.0-only
/*
 * The irqchip front end: class from INTID once, dispatch to the backend's
 * per-class ops, the one latch primitive (irqchip_set_pending()), the queue
 * primitives (irqchip_queue(), irqchip_queue_cpu()), counters and the one
 * error sink.
 * No lock: immutable fields after irqchip_new(), relaxed atomic counters.
 */
#include "irqchip/irqchip.h"
#include "irqchip/irqchip_backend.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/irq_line.h"
#include "lib/log.h"

struct irqchip_counters {
	_Atomic uint64_t set_pending;
	_Atomic uint64_t delivered;
	_Atomic uint64_t errors;
};

struct irqchip {
	const struct irqchip_backend_ops *ops;
	void *priv;
	const struct irq_class_ops *classes[IRQ_CLASS_NR];
	uint32_t nr_vcpus;
	uint32_t nr_irqs;
	struct irqchip_counters class_cnt[IRQ_CLASS_NR];
	struct irqchip_counters *intid_cnt;	/* nr_irqs entries */
	_Atomic uint64_t path_errors[IRQCHIP_PATH_NR];
};

static const char *const path_names[IRQCHIP_PATH_NR] = {
	[IRQCHIP_PATH_SET_PENDING] = "set_pending",
	[IRQCHIP_PATH_QUEUE] = "queue",
};

static const char *const class_names[IRQ_CLASS_NR] = {
	[IRQ_CLASS_SGI] = "SGI",
	[IRQ_CLASS_PPI] = "PPI",
	[IRQ_CLASS_SPI] = "SPI",
	[IRQ_CLASS_LPI] = "LPI",
};

static int absent_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			      const struct irq_input *in)
{
	return -EINVAL;
}

static int absent_queue(struct irqchip *chip, int vcpu, uint32_t intid)
{
	return -EINVAL;
}

/* What a class the backend does not provide does. */
static const struct irq_class_ops absent_class_ops = {
	.set_pending = absent_set_pending,
	.queue = absent_queue,
};

enum irq_class irq_class_of(uint32_t intid)
{
	if (intid < IRQ_PPI_BASE)
		return IRQ_CLASS_SGI;
	if (intid < IRQ_SPI_BASE)
		return IRQ_CLASS_PPI;
	if (intid < IRQ_SPI_END)
		return IRQ_CLASS_SPI;
	if (intid >= IRQ_LPI_BASE)
		return IRQ_CLASS_LPI;
	return IRQ_CLASS_NR;
}

const char *irq_class_name(enum irq_class cls)
{
	if ((unsigned)cls >= IRQ_CLASS_NR)
		return "invalid";
	return class_names[cls];
}

static void count(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t load(const _Atomic uint64_t *c)
{
	/* C11 atomic_load takes a non-const pointer in older libcs: cast. */
	return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}

int irqchip_new(const struct irqchip_backend_ops *ops, void *priv, uint32_t nr_vcpus,
		uint32_t nr_irqs, struct irqchip **out)
{
	struct irqchip *chip;

	if (!ops || !out || !nr_vcpus || nr_irqs < 32 || nr_irqs > 1024 || nr_irqs % 32)
		return -EINVAL;
	chip = calloc(1, sizeof(*chip));
	if (!chip)
		return -ENOMEM;
	chip->intid_cnt = calloc(nr_irqs, sizeof(*chip->intid_cnt));
	if (!chip->intid_cnt) {
		free(chip);
		return -ENOMEM;
	}
	chip->ops = ops;
	chip->priv = priv;
	chip->nr_vcpus = nr_vcpus;
	chip->nr_irqs = nr_irqs;
	for (int i = 0; i < IRQ_CLASS_NR; i++)
		chip->classes[i] = ops->classes[i] ? ops->classes[i] : &absent_class_ops;
	*out = chip;
	return 0;
}

void irqchip_destroy(struct irqchip *chip)
{
	if (!chip)
		return;
	if (chip->ops->destroy)
		chip->ops->destroy(chip);
	free(chip->intid_cnt);
	free(chip);
}

void *irqchip_priv(const struct irqchip *chip)
{
	return chip->priv;
}

const struct irqchip_backend_ops *irqchip_backend(const struct irqchip *chip)
{
	return chip->ops;
}

const char *irqchip_name(const struct irqchip *chip)
{
	return chip->ops->name ? chip->ops->name : "irqchip";
}

uint32_t irqchip_nr_vcpus(const struct irqchip *chip)
{
	return chip->nr_vcpus;
}

uint32_t irqchip_nr_irqs(const struct irqchip *chip)
{
	return chip->nr_irqs;
}

static bool vcpu_valid(const struct irqchip *chip, int vcpu)
{
	return vcpu >= 0 && (uint32_t)vcpu < chip->nr_vcpus;
}

/*
 * The sink behind irqchip_report_error() and irqchip_queue_cpu(): @has_intid
 * false names the CPU interface of @vcpu rather than an interrupt.
 */
static void report(struct irqchip *chip, enum irqchip_path path, int vcpu, bool has_intid,
		   uint32_t intid, int err)
{
	enum irq_class cls = has_intid ? irq_class_of(intid) : IRQ_CLASS_NR;
	uint64_t n;

	if ((unsigned)path >= IRQCHIP_PATH_NR)
		path = IRQCHIP_PATH_QUEUE;
	n = atomic_fetch_add_explicit(&chip->path_errors[path], 1, memory_order_relaxed) + 1;
	if (cls != IRQ_CLASS_NR) {
		count(&chip->class_cnt[cls].errors);
		if (cls != IRQ_CLASS_LPI && intid < chip->nr_irqs)
			count(&chip->intid_cnt[intid].errors);
	}
	/* Power-of-two rate limit: 1st, 2nd, 4th, 8th, ... error of this path. */
	if (n & (n - 1))
		return;
	if (has_intid)
		log_warn("irqchip %s: %s failed for INTID %" PRIu32 " (%s) on vCPU %d: %s"
			 " (%" PRIu64 " error%s on this path so far)",
			 irqchip_name(chip), path_names[path], intid, irq_class_name(cls), vcpu,
			 strerror(err < 0 ? -err : err), n, n == 1 ? "" : "s");
	else
		log_warn("irqchip %s: %s failed for the CPU interface of vCPU %d: %s"
			 " (%" PRIu64 " error%s on this path so far)",
			 irqchip_name(chip), path_names[path], vcpu, strerror(err < 0 ? -err : err),
			 n, n == 1 ? "" : "s");
}

void irqchip_report_error(struct irqchip *chip, enum irqchip_path path, int vcpu, uint32_t intid,
			  int err)
{
	report(chip, path, vcpu, true, intid, err);
}

uint64_t irqchip_errors(const struct irqchip *chip, enum irqchip_path path)
{
	if ((unsigned)path >= IRQCHIP_PATH_NR)
		return 0;
	return load(&chip->path_errors[path]);
}

/* Whether @intid names an interrupt of this chip: a class, and below nr_irqs unless an LPI. */
static bool intid_valid(const struct irqchip *chip, enum irq_class cls, uint32_t intid)
{
	return cls != IRQ_CLASS_NR && (cls == IRQ_CLASS_LPI || intid < chip->nr_irqs);
}

int irqchip_queue(struct irqchip *chip, int vcpu, uint32_t intid)
{
	enum irq_class cls = irq_class_of(intid);
	int ret;

	if (!intid_valid(chip, cls, intid)) {
		ret = -EINVAL;
		goto err_report;
	}
	if ((cls == IRQ_CLASS_SGI || cls == IRQ_CLASS_PPI) && vcpu != IRQCHIP_VCPU_ALL &&
	    !vcpu_valid(chip, vcpu)) {
		ret = -EINVAL;
		goto err_report;
	}
	ret = chip->classes[cls]->queue(chip, vcpu, intid);
	if (ret < 0)
		goto err_report;
	return 0;

err_report:
	irqchip_report_error(chip, IRQCHIP_PATH_QUEUE, vcpu, intid, ret);
	return ret;
}

int irqchip_queue_cpu(struct irqchip *chip, int vcpu)
{
	int ret = -EINVAL;

	if ((vcpu == IRQCHIP_VCPU_ALL || vcpu_valid(chip, vcpu)) && chip->ops->queue_cpu)
		ret = chip->ops->queue_cpu(chip, vcpu);
	if (ret < 0)
		report(chip, IRQCHIP_PATH_QUEUE, vcpu, false, 0, ret);
	return ret < 0 ? ret : 0;
}

int irqchip_set_pending(struct irqchip *chip, int vcpu, uint32_t intid, const struct irq_input *in)
{
	enum irq_class cls = irq_class_of(intid);
	int ret = -EINVAL;

	if (!in || !intid_valid(chip, cls, intid))
		goto err_report;
	if ((cls == IRQ_CLASS_SGI || cls == IRQ_CLASS_PPI) && !vcpu_valid(chip, vcpu))
		goto err_report;
	if (cls == IRQ_CLASS_SGI && in->kind == IRQ_INPUT_LATCH && !vcpu_valid(chip, in->src))
		goto err_report;
	ret = chip->classes[cls]->set_pending(chip, vcpu, intid, in);
	if (ret < 0)
		goto err_report;
	if (in->level) {
		count(&chip->class_cnt[cls].set_pending);
		if (cls != IRQ_CLASS_LPI)
			count(&chip->intid_cnt[intid].set_pending);
	}
	return 0;

err_report:
	irqchip_report_error(chip, IRQCHIP_PATH_SET_PENDING, vcpu, intid, ret);
	return ret;
}

int irqchip_vcpu_enter(struct irqchip *chip, int vcpu)
{
	int ret;

	if (!chip->ops->vcpu_enter)
		return 0;
	ret = chip->ops->vcpu_enter(chip, vcpu);
	if (ret)
		report(chip, IRQCHIP_PATH_QUEUE, vcpu, false, 0, ret);
	return ret;
}

int irqchip_set_level(struct irqchip *chip, int vcpu, uint32_t intid, bool level)
{
	const struct irq_input in = { .kind = IRQ_INPUT_LINE, .level = level, .src = -1 };
	int ret = irqchip_set_pending(chip, vcpu, intid, &in);

	if (ret < 0)
		return ret;
	/* irqchip_queue() reports its own failure. */
	return irqchip_queue(chip, vcpu, intid);
}

int irqchip_pulse(struct irqchip *chip, int vcpu, uint32_t intid)
{
	int ret = irqchip_set_level(chip, vcpu, intid, true);
	int ret2 = irqchip_set_level(chip, vcpu, intid, false);

	return ret ? ret : ret2;
}

void irqchip_count_delivered(struct irqchip *chip, uint32_t intid)
{
	enum irq_class cls = irq_class_of(intid);

	if (cls == IRQ_CLASS_NR)
		return;
	count(&chip->class_cnt[cls].delivered);
	if (cls != IRQ_CLASS_LPI && intid < chip->nr_irqs)
		count(&chip->intid_cnt[intid].delivered);
}

static void line_set(void *ctx, uint32_t intid, bool level)
{
	/* Errors were reported by irqchip_set_level(); a device cannot act on them. */
	irqchip_set_level(ctx, -1, intid, level);
}

int irqchip_line(struct irqchip *chip, uint32_t intid, struct irq_line *out)
{
	if (irq_class_of(intid) != IRQ_CLASS_SPI || intid >= chip->nr_irqs || !out)
		return -EINVAL;
	out->set = line_set;
	out->ctx = chip;
	out->intid = intid;
	return 0;
}

uint32_t irqchip_fdt_ppi_cpu_mask(const struct irqchip *chip)
{
	uint32_t n = chip->nr_vcpus > 8 ? 8 : chip->nr_vcpus;

	if (!chip->ops->fdt_ppi_cpu_mask)
		return 0;
	return ((1u << n) - 1) << 8;
}

static void snapshot(const struct irqchip_counters *c, struct irqchip_counts *out)
{
	out->set_pending = load(&c->set_pending);
	out->delivered = load(&c->delivered);
	out->errors = load(&c->errors);
}

int irqchip_counts_class(const struct irqchip *chip, enum irq_class cls,
			 struct irqchip_counts *out)
{
	if ((unsigned)cls >= IRQ_CLASS_NR)
		return -EINVAL;
	snapshot(&chip->class_cnt[cls], out);
	return 0;
}

int irqchip_counts_intid(const struct irqchip *chip, uint32_t intid, struct irqchip_counts *out)
{
	if (intid >= chip->nr_irqs)
		return -EINVAL;
	snapshot(&chip->intid_cnt[intid], out);
	return 0;
}

void irqchip_stats_print(const struct irqchip *chip, FILE *f)
{
	struct irqchip_counts c;

	fprintf(f, "irqchip %s: %" PRIu32 " vCPU%s, %" PRIu32 " INTIDs\n", irqchip_name(chip),
		chip->nr_vcpus, chip->nr_vcpus == 1 ? "" : "s", chip->nr_irqs);
	fprintf(f, "  %-6s %14s %14s %10s\n", "class", "set-pending", "delivered", "errors");
	for (int i = 0; i < IRQ_CLASS_NR; i++) {
		snapshot(&chip->class_cnt[i], &c);
		fprintf(f, "  %-6s %14" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n", class_names[i],
			c.set_pending, c.delivered, c.errors);
	}
	fprintf(f, "  %-6s %-5s %14s %14s %10s\n", "INTID", "class", "set-pending", "delivered",
		"errors");
	for (uint32_t i = 0; i < chip->nr_irqs; i++) {
		snapshot(&chip->intid_cnt[i], &c);
		if (!c.set_pending && !c.delivered && !c.errors)
			continue;
		fprintf(f, "  %-6" PRIu32 " %-5s %14" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n", i,
			irq_class_name(irq_class_of(i)), c.set_pending, c.delivered, c.errors);
	}
	fprintf(f, "  errors by path:");
	for (int p = 0; p < IRQCHIP_PATH_NR; p++)
		fprintf(f, " %s %" PRIu64, path_names[p], load(&chip->path_errors[p]));
	fprintf(f, "\n");
	if (chip->ops->stats_print)
		chip->ops->stats_print(chip, f);
}
