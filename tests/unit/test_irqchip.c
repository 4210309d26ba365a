// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the irqchip front end (irqchip.c) against a recording fake
 * backend: class from INTID, set_pending-then-queue order, the latch
 * primitive, the explicit CPU queue op, the checks done once, absent
 * classes, the one error sink on every path, counters, irq_line handles,
 * stats, and concurrent callers.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/irq_line.h"
#include "irqchip/irqchip.h"
#include "irqchip/irqchip_backend.h"

#define MAX_CALLS 64

struct fake_call {
	char op;		/* 'p' set_pending, 'q' queue, 'c' queue_cpu */
	enum irq_class cls;	/* which class's op ran (IRQ_CLASS_NR for queue_cpu) */
	int vcpu;
	uint32_t intid;
	bool level;
	enum irq_input_kind kind;
	int src;
};

struct fake {
	pthread_mutex_t lock;
	struct fake_call calls[MAX_CALLS];
	unsigned n;
	unsigned long total;
	int set_pending_ret;
	int queue_ret;
	int destroyed;
};

static void record(struct irqchip *chip, char op, enum irq_class cls, int vcpu, uint32_t intid,
		   const struct irq_input *in)
{
	struct fake *f = irqchip_priv(chip);

	pthread_mutex_lock(&f->lock);
	if (f->n < MAX_CALLS)
		f->calls[f->n++] = (struct fake_call){
			op, cls, vcpu, intid, in && in->level, in ? in->kind : IRQ_INPUT_LINE,
			in ? in->src : -1,
		};
	f->total++;
	pthread_mutex_unlock(&f->lock);
}

#define FAKE_CLASS(name, cls)                                                              \
	static int name##_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,        \
				      const struct irq_input *in)                            \
	{                                                                                    \
		record(chip, 'p', cls, vcpu, intid, in);                                     \
		return ((struct fake *)irqchip_priv(chip))->set_pending_ret;                 \
	}                                                                                    \
	static int name##_queue(struct irqchip *chip, int vcpu, uint32_t intid)              \
	{                                                                                    \
		record(chip, 'q', cls, vcpu, intid, NULL);                                   \
		return ((struct fake *)irqchip_priv(chip))->queue_ret;                       \
	}                                                                                    \
	static const struct irq_class_ops name##_ops = {                                     \
		.set_pending = name##_set_pending,                                           \
		.queue = name##_queue,                                                       \
	}

FAKE_CLASS(fake_sgi, IRQ_CLASS_SGI);
FAKE_CLASS(fake_ppi, IRQ_CLASS_PPI);
FAKE_CLASS(fake_spi, IRQ_CLASS_SPI);

static void fake_destroy(struct irqchip *chip)
{
	((struct fake *)irqchip_priv(chip))->destroyed++;
}

static int fake_queue_cpu(struct irqchip *chip, int vcpu)
{
	record(chip, 'c', IRQ_CLASS_NR, vcpu, 0, NULL);
	return ((struct fake *)irqchip_priv(chip))->queue_ret;
}

/* No LPI class: the front end must supply ops that answer -EINVAL. */
static const struct irqchip_backend_ops fake_ops = {
	.name = "fake",
	.destroy = fake_destroy,
	.queue_cpu = fake_queue_cpu,
	.classes = {
		[IRQ_CLASS_SGI] = &fake_sgi_ops,
		[IRQ_CLASS_PPI] = &fake_ppi_ops,
		[IRQ_CLASS_SPI] = &fake_spi_ops,
	},
};

static const struct irqchip_backend_ops bare_ops = { .name = "bare" };

struct ctx {
	struct fake fake;
	struct irqchip *chip;
};

/* 2 vCPUs, 96 INTIDs (64 SPIs). */
static int setup(void **state)
{
	struct ctx *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	pthread_mutex_init(&t->fake.lock, NULL);
	if (irqchip_new(&fake_ops, &t->fake, 2, 96, &t->chip))
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *t = *state;

	irqchip_destroy(t->chip);
	assert_int_equal(t->fake.destroyed, 1);
	pthread_mutex_destroy(&t->fake.lock);
	free(t);
	return 0;
}

static void assert_call(const struct fake_call *c, char op, enum irq_class cls, int vcpu,
			uint32_t intid)
{
	assert_int_equal(c->op, op);
	assert_int_equal(c->cls, cls);
	assert_int_equal(c->vcpu, vcpu);
	assert_int_equal(c->intid, intid);
}

static void test_class_of(void **state)
{
	static const struct {
		uint32_t intid;
		enum irq_class cls;
	} rows[] = {
		{ 0, IRQ_CLASS_SGI },	 { 15, IRQ_CLASS_SGI },	 { 16, IRQ_CLASS_PPI },
		{ 31, IRQ_CLASS_PPI },	 { 32, IRQ_CLASS_SPI },	 { 1019, IRQ_CLASS_SPI },
		{ 1020, IRQ_CLASS_NR },	 { 1023, IRQ_CLASS_NR }, { 8191, IRQ_CLASS_NR },
		{ 8192, IRQ_CLASS_LPI }, { UINT32_MAX, IRQ_CLASS_LPI },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(irq_class_of(rows[i].intid), rows[i].cls);
	assert_string_equal(irq_class_name(IRQ_CLASS_PPI), "PPI");
	assert_string_equal(irq_class_name(IRQ_CLASS_NR), "invalid");
}

static void test_new_args(void **state)
{
	struct irqchip *chip = NULL;
	struct fake f = { 0 };

	assert_int_equal(irqchip_new(NULL, &f, 1, 64, &chip), -EINVAL);
	assert_int_equal(irqchip_new(&fake_ops, &f, 0, 64, &chip), -EINVAL);
	assert_int_equal(irqchip_new(&fake_ops, &f, 1, 0, &chip), -EINVAL);
	assert_int_equal(irqchip_new(&fake_ops, &f, 1, 48, &chip), -EINVAL);
	assert_int_equal(irqchip_new(&fake_ops, &f, 1, 1056, &chip), -EINVAL);
	assert_int_equal(irqchip_new(&fake_ops, &f, 1, 64, NULL), -EINVAL);
	assert_null(chip);
	assert_int_equal(irqchip_new(&fake_ops, &f, 3, 1024, &chip), 0);
	assert_string_equal(irqchip_name(chip), "fake");
	assert_int_equal(irqchip_nr_vcpus(chip), 3);
	assert_int_equal(irqchip_nr_irqs(chip), 1024);
	assert_ptr_equal(irqchip_backend(chip), &fake_ops);
	irqchip_destroy(chip);
	assert_int_equal(f.destroyed, 1);
	irqchip_destroy(NULL);
}

/* set_pending latches first, then queue delivers; assertions are counted. */
static void test_set_level_order(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	assert_int_equal(irqchip_set_level(t->chip, -1, 40, true), 0);
	assert_int_equal(irqchip_set_level(t->chip, -1, 40, false), 0);
	assert_int_equal(irqchip_set_level(t->chip, 1, 27, true), 0);
	assert_int_equal(t->fake.n, 6);
	assert_call(&t->fake.calls[0], 'p', IRQ_CLASS_SPI, -1, 40);
	assert_true(t->fake.calls[0].level);
	assert_call(&t->fake.calls[1], 'q', IRQ_CLASS_SPI, -1, 40);
	assert_call(&t->fake.calls[2], 'p', IRQ_CLASS_SPI, -1, 40);
	assert_false(t->fake.calls[2].level);
	assert_call(&t->fake.calls[3], 'q', IRQ_CLASS_SPI, -1, 40);
	assert_call(&t->fake.calls[4], 'p', IRQ_CLASS_PPI, 1, 27);
	assert_call(&t->fake.calls[5], 'q', IRQ_CLASS_PPI, 1, 27);

	assert_int_equal(irqchip_counts_class(t->chip, IRQ_CLASS_SPI, &c), 0);
	assert_int_equal(c.set_pending, 1);
	assert_int_equal(irqchip_counts_intid(t->chip, 40, &c), 0);
	assert_int_equal(c.set_pending, 1);
	assert_int_equal(c.errors, 0);
	assert_int_equal(irqchip_counts_intid(t->chip, 27, &c), 0);
	assert_int_equal(c.set_pending, 1);
	assert_int_equal(irqchip_counts_class(t->chip, IRQ_CLASS_NR, &c), -EINVAL);
}

/* Checks happen once, before any backend op, and every refusal is counted. */
static void test_checks(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;
	static const struct {
		int vcpu;
		uint32_t intid;
	} bad[] = {
		{ -1, 27 },	/* PPI needs a vCPU */
		{ 2, 27 },	/* only vCPUs 0 and 1 */
		{ -1, 3 },	/* SGI needs a vCPU */
		{ 0, 96 },	/* beyond nr_irqs */
		{ 0, 1020 },	/* special INTID */
		{ 0, 5000 },	/* reserved range */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(irqchip_set_level(t->chip, bad[i].vcpu, bad[i].intid, true),
				 -EINVAL);
	assert_int_equal(t->fake.n, 0);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 6);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 0);
	irqchip_counts_class(t->chip, IRQ_CLASS_PPI, &c);
	assert_int_equal(c.errors, 2);
	assert_int_equal(c.set_pending, 0);
	irqchip_counts_intid(t->chip, 27, &c);
	assert_int_equal(c.errors, 2);
	assert_int_equal(irqchip_counts_intid(t->chip, 96, &c), -EINVAL);
}

static void test_absent_class(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	assert_int_equal(irqchip_set_level(t->chip, -1, 8192, true), -EINVAL);
	assert_int_equal(irqchip_queue(t->chip, -1, 9000), -EINVAL);
	assert_int_equal(t->fake.n, 0);
	irqchip_counts_class(t->chip, IRQ_CLASS_LPI, &c);
	assert_int_equal(c.errors, 2);
	assert_int_equal(c.set_pending, 0);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 1);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 1);
}

static void test_bare_backend(void **state)
{
	struct fake f = { 0 };
	struct irqchip *chip;

	assert_int_equal(irqchip_new(&bare_ops, &f, 1, 32, &chip), 0);
	for (uint32_t intid = 0; intid < 32; intid += 15)
		assert_int_equal(irqchip_set_level(chip, 0, intid, true), -EINVAL);
	/* No queue_cpu op: refused and reported like any queue failure. */
	assert_int_equal(irqchip_queue_cpu(chip, 0), -EINVAL);
	assert_int_equal(irqchip_errors(chip, IRQCHIP_PATH_QUEUE), 1);
	assert_int_equal(irqchip_fdt_ppi_cpu_mask(chip), 0);
	irqchip_destroy(chip);
}

static void test_set_pending_error(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	t->fake.set_pending_ret = -EIO;
	assert_int_equal(irqchip_set_level(t->chip, -1, 50, true), -EIO);
	assert_int_equal(t->fake.n, 1);	/* no queue after a failed latch */
	assert_int_equal(t->fake.calls[0].op, 'p');
	irqchip_counts_intid(t->chip, 50, &c);
	assert_int_equal(c.set_pending, 0);
	assert_int_equal(c.errors, 1);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 1);
}

static void test_queue_error(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	t->fake.queue_ret = -ENXIO;
	assert_int_equal(irqchip_set_level(t->chip, 0, 20, true), -ENXIO);
	assert_int_equal(t->fake.n, 2);
	irqchip_counts_intid(t->chip, 20, &c);
	assert_int_equal(c.set_pending, 1);	/* latched, delivery failed */
	assert_int_equal(c.errors, 1);
	/* A backend's own queue call reports the same way. */
	assert_int_equal(irqchip_queue(t->chip, 1, 20), -ENXIO);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 2);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 0);
}

/* The queue primitive's dispatch and IRQCHIP_VCPU_ALL; 1023 is no INTID. */
static void test_queue_dispatch(void **state)
{
	struct ctx *t = *state;

	assert_int_equal(irqchip_queue(t->chip, 1, 20), 0);
	assert_int_equal(irqchip_queue(t->chip, IRQCHIP_VCPU_ALL, 5), 0);
	assert_int_equal(irqchip_queue(t->chip, IRQCHIP_VCPU_ALL, 70), 0);
	assert_int_equal(t->fake.n, 3);
	assert_call(&t->fake.calls[0], 'q', IRQ_CLASS_PPI, 1, 20);
	assert_call(&t->fake.calls[1], 'q', IRQ_CLASS_SGI, -1, 5);
	assert_call(&t->fake.calls[2], 'q', IRQ_CLASS_SPI, -1, 70);
	assert_int_equal(irqchip_queue(t->chip, -2, 17), -EINVAL);
	assert_int_equal(irqchip_queue(t->chip, 2, 17), -EINVAL);
	assert_int_equal(irqchip_queue(t->chip, 0, 1022), -EINVAL);
	assert_int_equal(irqchip_queue(t->chip, 0, 1023), -EINVAL);
	assert_int_equal(irqchip_queue(t->chip, 0, 96), -EINVAL);
	assert_int_equal(t->fake.n, 3);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 5);
}

/* The explicit CPU-wide queue: its own op, never a class's; checks and errors as queue. */
static void test_queue_cpu(void **state)
{
	struct ctx *t = *state;

	assert_int_equal(irqchip_queue_cpu(t->chip, 1), 0);
	assert_int_equal(irqchip_queue_cpu(t->chip, IRQCHIP_VCPU_ALL), 0);
	assert_int_equal(t->fake.n, 2);
	assert_call(&t->fake.calls[0], 'c', IRQ_CLASS_NR, 1, 0);
	assert_call(&t->fake.calls[1], 'c', IRQ_CLASS_NR, -1, 0);
	assert_int_equal(irqchip_queue_cpu(t->chip, 2), -EINVAL);
	assert_int_equal(irqchip_queue_cpu(t->chip, -2), -EINVAL);
	assert_int_equal(t->fake.n, 2);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 2);
	/* A backend failure lands in the same sink, counted on no class. */
	t->fake.queue_ret = -EIO;
	assert_int_equal(irqchip_queue_cpu(t->chip, 0), -EIO);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 3);
	for (int cls = 0; cls < IRQ_CLASS_NR; cls++) {
		struct irqchip_counts c;

		irqchip_counts_class(t->chip, (enum irq_class)cls, &c);
		assert_int_equal(c.errors, 0);
	}
}

/* The latch primitive: set_pending only, no queue; checks, counters, errors. */
static void test_set_pending(void **state)
{
	struct ctx *t = *state;
	const struct irq_input pend = { .kind = IRQ_INPUT_LATCH, .level = true, .src = -1 };
	const struct irq_input unpend = { .kind = IRQ_INPUT_LATCH, .level = false, .src = -1 };
	const struct irq_input sgi = { .kind = IRQ_INPUT_LATCH, .level = true, .src = 1 };
	const struct irq_input bad_src = { .kind = IRQ_INPUT_LATCH, .level = true, .src = 2 };
	struct irqchip_counts c;

	assert_int_equal(irqchip_set_pending(t->chip, -1, 40, &pend), 0);
	assert_int_equal(irqchip_set_pending(t->chip, -1, 40, &unpend), 0);
	assert_int_equal(irqchip_set_pending(t->chip, 0, 3, &sgi), 0);
	assert_int_equal(t->fake.n, 3);	/* no queue */
	assert_call(&t->fake.calls[0], 'p', IRQ_CLASS_SPI, -1, 40);
	assert_int_equal(t->fake.calls[0].kind, IRQ_INPUT_LATCH);
	assert_true(t->fake.calls[0].level);
	assert_false(t->fake.calls[1].level);
	assert_call(&t->fake.calls[2], 'p', IRQ_CLASS_SGI, 0, 3);
	assert_int_equal(t->fake.calls[2].src, 1);
	/* Sets count as assertions, clears do not. */
	irqchip_counts_intid(t->chip, 40, &c);
	assert_int_equal(c.set_pending, 1);
	irqchip_counts_class(t->chip, IRQ_CLASS_SGI, &c);
	assert_int_equal(c.set_pending, 1);
	/* An SGI latch needs a valid source; a bank needs a valid vCPU; NULL input. */
	assert_int_equal(irqchip_set_pending(t->chip, 0, 3, &bad_src), -EINVAL);
	assert_int_equal(irqchip_set_pending(t->chip, 0, 3, &pend), -EINVAL);
	assert_int_equal(irqchip_set_pending(t->chip, 2, 20, &pend), -EINVAL);
	assert_int_equal(irqchip_set_pending(t->chip, -1, 40, NULL), -EINVAL);
	assert_int_equal(irqchip_set_pending(t->chip, -1, 1023, &pend), -EINVAL);
	assert_int_equal(t->fake.n, 3);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 5);
	/* The backend's own refusal is reported on the same path. */
	t->fake.set_pending_ret = -EIO;
	assert_int_equal(irqchip_set_pending(t->chip, 1, 17, &pend), -EIO);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 6);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 0);
}

static void test_line(void **state)
{
	struct ctx *t = *state;
	struct irq_line line = { 0 };

	assert_int_equal(irqchip_line(t->chip, 27, &line), -EINVAL);
	assert_int_equal(irqchip_line(t->chip, 96, &line), -EINVAL);
	assert_int_equal(irqchip_line(t->chip, 8192, &line), -EINVAL);
	assert_null(line.set);
	assert_int_equal(irqchip_line(t->chip, 33, &line), 0);
	assert_int_equal(line.intid, 33);
	irq_line_pulse(&line);
	assert_int_equal(t->fake.n, 4);
	assert_call(&t->fake.calls[0], 'p', IRQ_CLASS_SPI, -1, 33);
	assert_true(t->fake.calls[0].level);
	assert_call(&t->fake.calls[1], 'q', IRQ_CLASS_SPI, -1, 33);
	assert_false(t->fake.calls[2].level);
	/* An error from a device's line lands in the same sink. */
	t->fake.set_pending_ret = -EIO;
	irq_line_set(&line, true);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_SET_PENDING), 1);
	assert_int_equal(irqchip_pulse(t->chip, -1, 34), -EIO);
}

static void test_delivered(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	irqchip_count_delivered(t->chip, 40);
	irqchip_count_delivered(t->chip, 40);
	irqchip_count_delivered(t->chip, 3);
	irqchip_count_delivered(t->chip, 8200);	/* LPI: class only */
	irqchip_count_delivered(t->chip, 1023);	/* not an interrupt: ignored */
	irqchip_counts_intid(t->chip, 40, &c);
	assert_int_equal(c.delivered, 2);
	irqchip_counts_class(t->chip, IRQ_CLASS_SPI, &c);
	assert_int_equal(c.delivered, 2);
	irqchip_counts_class(t->chip, IRQ_CLASS_SGI, &c);
	assert_int_equal(c.delivered, 1);
	irqchip_counts_class(t->chip, IRQ_CLASS_LPI, &c);
	assert_int_equal(c.delivered, 1);
}

static void test_report_error(void **state)
{
	struct ctx *t = *state;
	struct irqchip_counts c;

	for (int i = 0; i < 100; i++)
		irqchip_report_error(t->chip, IRQCHIP_PATH_QUEUE, 0, 41, -EIO);
	irqchip_report_error(t->chip, IRQCHIP_PATH_NR, 0, 2000, -EIO);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_QUEUE), 101);
	assert_int_equal(irqchip_errors(t->chip, IRQCHIP_PATH_NR), 0);
	irqchip_counts_intid(t->chip, 41, &c);
	assert_int_equal(c.errors, 100);
}

static void test_fdt_mask(void **state)
{
	struct ctx *t = *state;
	static const struct irqchip_backend_ops v2_ops = { .name = "v2", .fdt_ppi_cpu_mask = true };
	struct irqchip *chip;
	struct fake f = { 0 };

	assert_int_equal(irqchip_fdt_ppi_cpu_mask(t->chip), 0);
	assert_int_equal(irqchip_new(&v2_ops, &f, 3, 64, &chip), 0);
	assert_int_equal(irqchip_fdt_ppi_cpu_mask(chip), 0x700);
	irqchip_destroy(chip);
}

static void test_stats_print(void **state)
{
	struct ctx *t = *state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	irqchip_set_level(t->chip, -1, 40, true);
	irqchip_count_delivered(t->chip, 40);
	irqchip_set_level(t->chip, -1, 1020, true);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	irqchip_stats_print(t->chip, f);
	fclose(f);
	assert_non_null(strstr(buf, "irqchip fake: 2 vCPUs, 96 INTIDs"));
	assert_non_null(strstr(buf, "SPI                 1              1          0"));
	assert_non_null(strstr(buf, "40     SPI                1              1          0"));
	assert_non_null(strstr(buf, "errors by path: set_pending 1 queue 0"));
	assert_null(strstr(buf, "\n  41 "));	/* idle INTIDs are left out */
	free(buf);
}

struct thread_arg {
	struct irqchip *chip;
	uint32_t intid;
	int vcpu;
};

#define THREAD_ITERS 5000

static void *inject_thread(void *p)
{
	struct thread_arg *a = p;

	for (int i = 0; i < THREAD_ITERS; i++)
		irqchip_pulse(a->chip, a->vcpu, a->intid);
	return NULL;
}

/* Concurrent callers: the front end has no lock; its counters must not lose updates. */
static void test_threads(void **state)
{
	struct ctx *t = *state;
	struct thread_arg args[4] = {
		{ t->chip, 33, -1 }, { t->chip, 33, -1 }, { t->chip, 27, 0 }, { t->chip, 27, 1 },
	};
	pthread_t tid[4];
	struct irqchip_counts c;

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, inject_thread, &args[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	irqchip_counts_intid(t->chip, 33, &c);
	assert_int_equal(c.set_pending, 2 * THREAD_ITERS);
	irqchip_counts_class(t->chip, IRQ_CLASS_PPI, &c);
	assert_int_equal(c.set_pending, 2 * THREAD_ITERS);
	assert_int_equal(t->fake.total, 4 * 4 * THREAD_ITERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_of),
		cmocka_unit_test(test_new_args),
		cmocka_unit_test_setup_teardown(test_set_level_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_class, setup, teardown),
		cmocka_unit_test(test_bare_backend),
		cmocka_unit_test_setup_teardown(test_set_pending_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fdt_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
