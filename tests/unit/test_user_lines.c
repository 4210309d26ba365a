// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the userspace GIC's line protocol (irqchip/user_lines.c)
 * against a fake KVM layer that records which thread issued which call.
 * The rule under test: only a vCPU's own thread issues KVM_IRQ_LINE for its
 * line; every other thread records the level and kicks.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/vcpu.h"
#include "irqchip/gicv2_user.h"
#include "irqchip/irqchip.h"
#include "irqchip/user_lines.h"
#include "tests/fakes/fake_kvm.h"

#define NR 2

struct fx {
	struct vcpu vcpus[NR];
	struct user_lines ul;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	for (unsigned i = 0; i < NR; i++) {
		memset(&f->vcpus[i], 0, sizeof(f->vcpus[i]));
		f->vcpus[i].index = i;
		thread_kick_init(&f->vcpus[i].kick);
	}
	if (user_lines_init(&f->ul, 3, f->vcpus, NR))
		return -1;
	fake_kvm_reset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	user_lines_destroy(&f->ul);
	for (unsigned i = 0; i < NR; i++)
		thread_kick_destroy(&f->vcpus[i].kick);
	free(f);
	return 0;
}

/* Counts recorded calls of @op for @vcpu, and how many came from thread @t. */
static unsigned count(char op, unsigned vcpu, pthread_t t, unsigned *from_t)
{
	unsigned n = 0, mine = 0;

	pthread_mutex_lock(&fake_kvm.lock);
	for (unsigned i = 0; i < fake_kvm.n; i++) {
		const struct fake_kvm_call *c = &fake_kvm.calls[i];

		if (c->op != op || c->vcpu != vcpu)
			continue;
		n++;
		if (pthread_equal(c->thread, t))
			mine++;
	}
	pthread_mutex_unlock(&fake_kvm.lock);
	if (from_t)
		*from_t = mine;
	return n;
}

struct want_arg {
	struct user_lines *ul;
	int vcpu;
	bool level;
	pthread_t self;
};

static void *want_thread(void *p)
{
	struct want_arg *a = p;

	a->self = pthread_self();
	assert_int_equal(user_lines_want(a->ul, a->vcpu, a->level), 0);
	return NULL;
}

static pthread_t want_from_other_thread(struct user_lines *ul, int vcpu, bool level)
{
	struct want_arg a = {.ul = ul, .vcpu = vcpu, .level = level};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, want_thread, &a), 0);
	pthread_join(t, NULL);
	return a.self;
}

/* A device thread's raise only kicks; the owner's entry issues KVM_IRQ_LINE. */
static void test_other_thread_kicks_owner_applies(void **state)
{
	struct fx *f = *state;
	pthread_t me = pthread_self(), dev;
	unsigned mine;

	thread_kick_arm(&f->vcpus[0].kick); /* this thread plays vCPU 0 */
	dev = want_from_other_thread(&f->ul, 0, true);
	assert_int_equal(count('l', 0, me, NULL), 0);
	assert_int_equal(count('k', 0, dev, &mine), 1);
	assert_int_equal(mine, 1);
	assert_int_equal(user_lines_apply(&f->ul, 0), 0);
	assert_int_equal(count('l', 0, me, &mine), 1);
	assert_int_equal(mine, 1);
	assert_true(fake_kvm.level[0]);
	/* nothing changed: no second call */
	assert_int_equal(user_lines_apply(&f->ul, 0), 0);
	assert_int_equal(count('l', 0, me, NULL), 1);
}

/* The owner's own change (e.g. its GICC_IAR read lowers its line) needs no kick. */
static void test_owner_change_no_kick(void **state)
{
	struct fx *f = *state;
	pthread_t me = pthread_self();

	thread_kick_arm(&f->vcpus[1].kick);
	assert_int_equal(user_lines_want(&f->ul, 1, true), 0);
	assert_int_equal(count('k', 1, me, NULL), 0);
	assert_int_equal(count('l', 1, me, NULL), 0);
	assert_int_equal(user_lines_apply(&f->ul, 1), 0);
	assert_int_equal(count('l', 1, me, NULL), 1);
	assert_true(fake_kvm.level[1]);
}

/* A raise and a lower before the next entry cancel out: KVM sees nothing. */
static void test_toggle_before_entry(void **state)
{
	struct fx *f = *state;

	thread_kick_arm(&f->vcpus[0].kick);
	want_from_other_thread(&f->ul, 0, true);
	want_from_other_thread(&f->ul, 0, false);
	assert_int_equal(user_lines_apply(&f->ul, 0), 0);
	assert_int_equal(count('l', 0, pthread_self(), NULL), 0);
	assert_int_equal(count('k', 0, pthread_self(), NULL), 2);
	pthread_mutex_lock(&fake_kvm.lock);
	assert_int_equal(fake_kvm.n, 2); /* two kicks, no line call */
	pthread_mutex_unlock(&fake_kvm.lock);
}

/* A failed KVM_IRQ_LINE is not taken as applied: the next entry retries. */
static void test_apply_failure_retried(void **state)
{
	struct fx *f = *state;

	thread_kick_arm(&f->vcpus[0].kick);
	want_from_other_thread(&f->ul, 0, true);
	fake_kvm.fail_next = -EIO;
	assert_int_equal(user_lines_apply(&f->ul, 0), -EIO);
	assert_false(fake_kvm.level[0]);
	assert_int_equal(user_lines_apply(&f->ul, 0), 0);
	assert_true(fake_kvm.level[0]);
}

static void test_bad_vcpu(void **state)
{
	struct fx *f = *state;

	assert_int_equal(user_lines_want(&f->ul, NR, true), -EINVAL);
	assert_int_equal(user_lines_want(&f->ul, -1, true), -EINVAL);
	assert_int_equal(user_lines_apply(&f->ul, NR), -EINVAL);
	pthread_mutex_lock(&fake_kvm.lock);
	assert_int_equal(fake_kvm.n, 0);
	pthread_mutex_unlock(&fake_kvm.lock);
}

/* Not kickable (before the vCPU thread armed its gate): the level is still recorded. */
static void test_not_kickable_yet(void **state)
{
	struct fx *f = *state;

	want_from_other_thread(&f->ul, 1, true);
	pthread_mutex_lock(&fake_kvm.lock);
	assert_int_equal(fake_kvm.n, 0);
	pthread_mutex_unlock(&fake_kvm.lock);
	thread_kick_arm(&f->vcpus[1].kick);
	assert_int_equal(user_lines_apply(&f->ul, 1), 0);
	assert_true(fake_kvm.level[1]);
}

struct storm {
	struct user_lines *ul;
	atomic_bool *stop;
	unsigned seed;
};

static void *storm_thread(void *p)
{
	struct storm *s = p;

	while (!atomic_load(s->stop))
		user_lines_want(s->ul, 0, rand_r(&s->seed) & 1);
	return NULL;
}

/*
 * Three threads toggle vCPU 0's wanted level while this thread, the owner,
 * enters over and over: every KVM_IRQ_LINE comes from the owner, KVM's
 * level only changes when the call says so (no redundant call), and after
 * the storm one entry makes KVM's level the last wanted one.
 */
static void test_storm(void **state)
{
	struct fx *f = *state;
	atomic_bool stop = false;
	struct storm s[3];
	pthread_t t[3];
	unsigned mine, n;
	bool prev = false;

	thread_kick_arm(&f->vcpus[0].kick);
	for (int i = 0; i < 3; i++) {
		s[i] = (struct storm){.ul = &f->ul, .stop = &stop, .seed = 7u + (unsigned)i};
		assert_int_equal(pthread_create(&t[i], NULL, storm_thread, &s[i]), 0);
	}
	for (int i = 0; i < 20000; i++)
		assert_int_equal(user_lines_apply(&f->ul, 0), 0);
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	user_lines_want(&f->ul, 0, true);
	assert_int_equal(user_lines_apply(&f->ul, 0), 0);
	assert_true(fake_kvm.level[0]);
	n = count('l', 0, pthread_self(), &mine);
	assert_int_equal(n, mine);
	pthread_mutex_lock(&fake_kvm.lock);
	for (unsigned i = 0; i < fake_kvm.n; i++) {
		if (fake_kvm.calls[i].op != 'l')
			continue;
		assert_true(fake_kvm.calls[i].level != prev);
		prev = fake_kvm.calls[i].level;
	}
	pthread_mutex_unlock(&fake_kvm.lock);
}

/* ---- with the real userspace GICv2 ---- */

static void gicd_w(struct gicv2_user *g, int cpu, uint64_t off, uint32_t v)
{
	uint8_t d[4] = {v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24};

	gicv2_user_dist_write(g, cpu, off, d, 4);
}

static void gicc_w(struct gicv2_user *g, int cpu, uint64_t off, uint32_t v)
{
	uint8_t d[4] = {v & 0xff, v >> 8 & 0xff, v >> 16 & 0xff, v >> 24};

	gicv2_user_cpu_write(g, cpu, off, d, 4);
}

static uint32_t gicc_r(struct gicv2_user *g, int cpu, uint64_t off)
{
	uint8_t d[4] = {0};

	gicv2_user_cpu_read(g, cpu, off, d, 4);
	return d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
}

struct spi_arg {
	struct irqchip *chip;
	pthread_t self;
};

static void *spi_thread(void *p)
{
	struct spi_arg *a = p;

	a->self = pthread_self();
	assert_int_equal(irqchip_set_level(a->chip, -1, 40, true), 0);
	return NULL;
}

/*
 * A device thread raises SPI 40 targeted at vCPU 1: the GIC's decision
 * reaches vCPU 1 as a kick from that thread; the KVM_IRQ_LINE comes from
 * vCPU 1's own entry. Its acknowledge lowers the line, again applied by
 * itself at the next entry.
 */
static void test_gic_spi_from_device_thread(void **state)
{
	struct fx *f = *state;
	struct irqchip_config cfg = {
		.nr_vcpus = NR,
		.nr_irqs = 64,
		.host = &f->ul,
		.set_cpu_irq = user_lines_want,
		.enter_vcpu = user_lines_apply,
	};
	struct spi_arg a;
	struct irqchip *chip;
	struct gicv2_user *g;
	pthread_t me = pthread_self(), t;
	unsigned mine;

	assert_int_equal(gicv2_user_create(&cfg, &chip), 0);
	g = gicv2_user_of(chip);
	thread_kick_arm(&f->vcpus[1].kick); /* this thread plays vCPU 1 */
	gicd_w(g, 1, 0x828, 0x02); /* ITARGETSR: SPI 40 -> CPU 1 */
	gicd_w(g, 1, 0x428, 0xa0); /* IPRIORITYR[40] */
	gicd_w(g, 1, 0x104, 1u << 8); /* ISENABLER1: SPI 40 */
	gicd_w(g, 1, 0x000, 1); /* GICD_CTLR */
	gicc_w(g, 1, 0x04, 0xf0); /* GICC_PMR */
	gicc_w(g, 1, 0x00, 1); /* GICC_CTLR */
	assert_int_equal(irqchip_vcpu_enter(chip, 1), 0);
	fake_kvm_reset();

	a.chip = chip;
	assert_int_equal(pthread_create(&t, NULL, spi_thread, &a), 0);
	pthread_join(t, NULL);
	assert_int_equal(count('k', 1, a.self, &mine), 1);
	assert_int_equal(mine, 1);
	assert_int_equal(count('l', 1, me, NULL), 0);
	assert_int_equal(irqchip_vcpu_enter(chip, 1), 0);
	assert_int_equal(count('l', 1, me, &mine), 1);
	assert_int_equal(mine, 1);
	assert_true(fake_kvm.level[1]);

	assert_int_equal(gicc_r(g, 1, 0x0c), 40); /* GICC_IAR */
	assert_int_equal(irqchip_vcpu_enter(chip, 1), 0);
	assert_false(fake_kvm.level[1]);
	assert_int_equal(count('k', 1, me, &mine), 1); /* the device thread's only */
	assert_int_equal(mine, 0); /* own change: no kick */
	assert_int_equal(count('l', 1, me, &mine), 2);
	assert_int_equal(mine, 2);
	irqchip_destroy(chip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_other_thread_kicks_owner_applies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owner_change_no_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toggle_before_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_failure_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_kickable_yet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gic_spi_from_device_thread, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
