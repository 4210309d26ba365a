// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the PL061 GPIO controller (devices/pl061.c). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "devices/pl061.h"
#include "lib/mmio_bus.h"
#include "tests/fakes/recording_irq_line.h"

#define PIN 3
#define BIT (1u << PIN)

struct fixture {
	struct pl061 gpio;
	struct irq_recorder irq;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct pl061_config cfg;

	if (!fx)
		return -1;
	irq_recorder_init(&fx->irq);
	cfg = (struct pl061_config){.irq = recording_irq_line(&fx->irq, LAYOUT_GPIO_INTID)};
	if (pl061_init(&fx->gpio, &cfg))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	pl061_destroy(&fx->gpio);
	irq_recorder_destroy(&fx->irq);
	free(fx);
	return 0;
}

static void wr_len(struct fixture *fx, uint64_t reg, uint32_t v, uint32_t len)
{
	uint8_t d[8] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};

	pl061_mmio_ops.write(&fx->gpio, 0, reg, d, len);
}

static void wr(struct fixture *fx, uint64_t reg, uint32_t v)
{
	wr_len(fx, reg, v, 4);
}

/* Reads @len bytes; every byte of the result must have been written. */
static uint64_t rd_len(struct fixture *fx, uint64_t reg, uint32_t len)
{
	uint8_t d[8];
	uint64_t v = 0;
	uint32_t i;

	memset(d, 0xee, sizeof(d));
	pl061_mmio_ops.read(&fx->gpio, 0, reg, d, len);
	for (i = 0; i < len; i++)
		v |= (uint64_t)d[i] << (8 * i);
	for (i = len; i < sizeof(d); i++)
		assert_int_equal(d[i], 0xee); /* nothing written past len */
	return v;
}

static uint32_t rd(struct fixture *fx, uint64_t reg)
{
	return (uint32_t)rd_len(fx, reg, 4);
}

static void test_reset_values(void **state)
{
	struct fixture *fx = *state;
	static const uint64_t regs[] = {PL061_GPIODIR, PL061_GPIOIS,   PL061_GPIOIBE,
					PL061_GPIOIEV, PL061_GPIOIE,   PL061_GPIORIS,
					PL061_GPIOMIS, PL061_GPIOAFSEL};
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		assert_int_equal(rd(fx, regs[i]), 0);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), 0);
	assert_int_equal(fx->irq.calls, 0);
	assert_int_equal(fx->gpio.ignored_accesses, 0);
}

/*
 * A GPIODATA read while the pin is an output sees the output latch, not the
 * button: the input does not count as seen (found by tests/fuzz/fuzz_pl061.c,
 * regress/fuzz_pl061/output-pin-read-counted-as-sampled).
 */
static void test_output_read_not_sampled(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(pl061_set_input(&fx->gpio, 3, true), 0);
	wr(fx, PL061_GPIODIR, 1u << 3);
	rd(fx, PL061_DATA_OFFSET(0xff));
	assert_false(pl061_input_sampled(&fx->gpio, 3));
	wr(fx, PL061_GPIODIR, 0);
	assert_false(pl061_input_sampled(&fx->gpio, 3)); /* the held level was never read */
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(1u << 3)), 1u << 3);
	assert_true(pl061_input_sampled(&fx->gpio, 3));
}

static void test_registers_read_back(void **state)
{
	struct fixture *fx = *state;
	static const uint64_t regs[] = {PL061_GPIODIR, PL061_GPIOIS, PL061_GPIOIBE,
					PL061_GPIOIEV, PL061_GPIOIE, PL061_GPIOAFSEL};
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		/* Bits above the 8 pins are not stored. */
		wr(fx, regs[i], 0xffffff00u | (0x5a + i));
		assert_int_equal(rd(fx, regs[i]), 0x5a + i);
	}
	assert_int_equal(fx->gpio.ignored_accesses, 0);
}

static void test_id_registers(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t id[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	uint32_t periph = 0, cell = 0;
	int i;

	for (i = 0; i < 8; i++)
		assert_int_equal(rd(fx, PL061_PERIPH_ID0 + 4 * i), id[i]);
	/* As Linux's AMBA bus assembles them. */
	for (i = 0; i < 4; i++) {
		periph |= rd(fx, PL061_PERIPH_ID0 + 4 * i) << (8 * i);
		cell |= rd(fx, PL061_CELL_ID0 + 4 * i) << (8 * i);
	}
	assert_int_equal(periph & 0x000fffff, 0x00041061);
	assert_int_equal(cell, 0xb105f00d);
	/* Read-only. */
	wr(fx, PL061_PERIPH_ID0, 0);
	assert_int_equal(rd(fx, PL061_PERIPH_ID0), 0x61);
	assert_int_equal(fx->gpio.ignored_accesses, 1);
}

static void test_data_address_masking(void **state)
{
	struct fixture *fx = *state;

	/* Pins 0-3 outputs, 4-7 inputs. */
	wr(fx, PL061_GPIODIR, 0x0f);
	wr(fx, PL061_DATA_OFFSET(0xff), 0xff);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), 0x0f); /* input bits dropped */
	assert_int_equal(pl061_set_input(&fx->gpio, 5, true), 0);
	assert_int_equal(pl061_set_input(&fx->gpio, 7, true), 0);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), 0xaf);
	/* Reads see only the pins in the address mask. */
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0x21)), 0x21);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0x50)), 0x00);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0x80)), 0x80);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0)), 0);
	/* Writes change only masked output pins: clear pin 1 only. */
	wr(fx, PL061_DATA_OFFSET(0x02), 0x00);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), 0xad);
	/* Mask 0x05 with value 0xfa: pins 0 and 2 cleared, pin 1 not set. */
	wr(fx, PL061_DATA_OFFSET(0x05), 0xfa);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0x0f)), 0x08);
	/* Linux's way: readb/writeb at BIT(pin + 2). */
	wr_len(fx, PL061_DATA_OFFSET(1u << 1), 1u << 1, 1);
	assert_int_equal(rd_len(fx, PL061_DATA_OFFSET(1u << 1), 1), 1u << 1);
	/* A pin turned input shows its input level, not the latch. */
	wr(fx, PL061_GPIODIR, 0x0e);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0x01)), 0);
	assert_int_equal(fx->gpio.ignored_accesses, 0);
}

static void test_set_input_bad_pin(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(pl061_set_input(&fx->gpio, 8, true), -EINVAL);
	assert_int_equal(pl061_set_input(&fx->gpio, 1000, true), -EINVAL);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), 0);
	assert_int_equal(fx->irq.calls, 0);
}

/* The button is "seen" only by a GPIODATA read covering its pin after the last change. */
static void test_input_sampled(void **state)
{
	struct fixture *fx = *state;

	assert_false(pl061_input_sampled(&fx->gpio, 8));
	assert_int_equal(pl061_set_input(&fx->gpio, 3, true), 0);
	assert_false(pl061_input_sampled(&fx->gpio, 3));
	rd(fx, PL061_GPIOMIS);				/* not a data read */
	rd(fx, PL061_DATA_OFFSET(1u << 2));		/* another pin's mask */
	assert_false(pl061_input_sampled(&fx->gpio, 3));
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(1u << 3)), 1u << 3);
	assert_true(pl061_input_sampled(&fx->gpio, 3));
	/* the same level again is no change: still seen */
	assert_int_equal(pl061_set_input(&fx->gpio, 3, true), 0);
	assert_true(pl061_input_sampled(&fx->gpio, 3));
	/* released: not seen until read again */
	assert_int_equal(pl061_set_input(&fx->gpio, 3, false), 0);
	assert_false(pl061_input_sampled(&fx->gpio, 3));
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), 0);
	assert_true(pl061_input_sampled(&fx->gpio, 3));
}

static void test_rising_edge(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL061_GPIOIEV, BIT); /* rising */
	/* Masked: RIS latches, MIS and the line stay low. */
	pl061_set_input(&fx->gpio, PIN, true);
	assert_int_equal(rd(fx, PL061_GPIORIS), BIT);
	assert_int_equal(rd(fx, PL061_GPIOMIS), 0);
	assert_int_equal(fx->irq.calls, 0);
	/* Unmasking a latched edge raises the line. */
	wr(fx, PL061_GPIOIE, BIT);
	assert_int_equal(rd(fx, PL061_GPIOMIS), BIT);
	assert_true(fx->irq.level);
	assert_int_equal(fx->irq.raises, 1);
	assert_int_equal(fx->irq.last_intid, LAYOUT_GPIO_INTID);
	/* The falling edge does not count and the latch stays. */
	pl061_set_input(&fx->gpio, PIN, false);
	assert_int_equal(rd(fx, PL061_GPIORIS), BIT);
	assert_int_equal(fx->irq.calls, 1);
	/* Clearing another pin's bit does nothing; this pin's bit lowers the line. */
	wr(fx, PL061_GPIOIC, 0x01);
	assert_true(fx->irq.level);
	wr(fx, PL061_GPIOIC, BIT);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_false(fx->irq.level);
	assert_int_equal(fx->irq.lowers, 1);
	/* Next rising edge fires again. */
	pl061_set_input(&fx->gpio, PIN, true);
	assert_true(fx->irq.level);
	assert_int_equal(fx->irq.raises, 2);
	/* GPIOIC reads as zero (write-only). */
	assert_int_equal(rd(fx, PL061_GPIOIC), 0);
}

static void test_falling_edge(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL061_GPIOIE, BIT); /* IEV = 0: falling */
	pl061_set_input(&fx->gpio, PIN, true);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_int_equal(fx->irq.calls, 0);
	pl061_set_input(&fx->gpio, PIN, false);
	assert_int_equal(rd(fx, PL061_GPIORIS), BIT);
	assert_true(fx->irq.level);
	/* Setting the same level again is no edge. */
	wr(fx, PL061_GPIOIC, BIT);
	pl061_set_input(&fx->gpio, PIN, false);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_false(fx->irq.level);
	assert_int_equal(fx->irq.calls, 2);
}

static void test_both_edges(void **state)
{
	struct fixture *fx = *state;

	/* What gpio-keys asks for: IBE set, IEV ignored. */
	wr(fx, PL061_GPIOIBE, BIT);
	wr(fx, PL061_GPIOIE, BIT);
	pl061_set_input(&fx->gpio, PIN, true);
	assert_true(fx->irq.level);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(BIT)), BIT); /* the pin reads pressed */
	wr(fx, PL061_GPIOIC, BIT);
	assert_false(fx->irq.level);
	pl061_set_input(&fx->gpio, PIN, false);
	assert_true(fx->irq.level);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(BIT)), 0);
	wr(fx, PL061_GPIOIC, BIT);
	assert_false(fx->irq.level);
	assert_int_equal(fx->irq.raises, 2);
	assert_int_equal(fx->irq.lowers, 2);
	/* Other pins' edges latch in their own bits and stay masked. */
	pl061_set_input(&fx->gpio, 0, true);
	pl061_set_input(&fx->gpio, 0, false);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0x01);
	assert_int_equal(rd(fx, PL061_GPIOMIS), 0);
	assert_false(fx->irq.level);
}

static void test_level_high_and_low(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL061_GPIOIS, BIT);
	wr(fx, PL061_GPIOIEV, BIT); /* high level */
	wr(fx, PL061_GPIOIE, BIT);
	assert_false(fx->irq.level);
	pl061_set_input(&fx->gpio, PIN, true);
	assert_true(fx->irq.level);
	/* GPIOIC does not clear a level that is still there. */
	wr(fx, PL061_GPIOIC, BIT);
	assert_int_equal(rd(fx, PL061_GPIORIS), BIT);
	assert_true(fx->irq.level);
	/* Masking lowers the line; RIS stays. */
	wr(fx, PL061_GPIOIE, 0);
	assert_false(fx->irq.level);
	assert_int_equal(rd(fx, PL061_GPIORIS), BIT);
	wr(fx, PL061_GPIOIE, BIT);
	assert_true(fx->irq.level);
	/* The level going away lowers the line by itself. */
	pl061_set_input(&fx->gpio, PIN, false);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_false(fx->irq.level);
	/* Low level: active at once, since the pin is low. */
	wr(fx, PL061_GPIOIEV, 0);
	assert_int_equal(rd(fx, PL061_GPIORIS), BIT);
	assert_true(fx->irq.level);
	pl061_set_input(&fx->gpio, PIN, true);
	assert_false(fx->irq.level);
}

static void test_level_mode_drops_latched_edge(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL061_GPIOIBE, BIT);
	wr(fx, PL061_GPIOIE, BIT);
	pl061_set_input(&fx->gpio, PIN, true);
	assert_true(fx->irq.level);
	/* High-level mode with the pin low: no level, and the old edge is gone. */
	pl061_set_input(&fx->gpio, PIN, false);
	wr(fx, PL061_GPIOIEV, BIT);
	wr(fx, PL061_GPIOIS, BIT);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_false(fx->irq.level);
	wr(fx, PL061_GPIOIS, 0);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_false(fx->irq.level);
}

static void test_output_pin_edges(void **state)
{
	struct fixture *fx = *state;

	/* A level held on an input pin that the guest drives as output. */
	wr(fx, PL061_GPIODIR, BIT);
	wr(fx, PL061_GPIOIEV, BIT);
	wr(fx, PL061_GPIOIE, BIT);
	pl061_set_input(&fx->gpio, PIN, true);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(BIT)), 0); /* the latch wins */
	assert_false(fx->irq.level);
	/* The guest's own output edge is detected. */
	wr(fx, PL061_DATA_OFFSET(BIT), BIT);
	assert_true(fx->irq.level);
	wr(fx, PL061_GPIOIC, BIT);
	wr(fx, PL061_DATA_OFFSET(BIT), 0);
	/* Back to input: the recorded outside level appears, a rising edge. */
	wr(fx, PL061_GPIODIR, 0);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(BIT)), BIT);
	assert_true(fx->irq.level);
}

static void test_reset(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL061_GPIOIBE, BIT);
	wr(fx, PL061_GPIOIE, BIT);
	wr(fx, PL061_GPIODIR, 0x01);
	wr(fx, PL061_DATA_OFFSET(0x01), 0x01);
	pl061_set_input(&fx->gpio, PIN, true);
	assert_true(fx->irq.level);
	pl061_reset(&fx->gpio);
	assert_false(fx->irq.level);
	assert_int_equal(rd(fx, PL061_GPIOIE), 0);
	assert_int_equal(rd(fx, PL061_GPIODIR), 0);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	/* The held input survives, the output latch does not. */
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0xff)), BIT);
	wr(fx, PL061_GPIODIR, 0x01);
	assert_int_equal(rd(fx, PL061_DATA_OFFSET(0x01)), 0);
}

static void test_bad_widths_and_offsets(void **state)
{
	struct fixture *fx = *state;
	uint64_t n = 0;

	wr(fx, PL061_GPIODIR, 0x3c);
	/* 2- and 1-byte reads of a register work; upper bytes are zero. */
	assert_int_equal(rd_len(fx, PL061_GPIODIR, 2), 0x3c);
	assert_int_equal(rd_len(fx, PL061_GPIODIR, 1), 0x3c);
	assert_int_equal(rd_len(fx, PL061_PERIPH_ID0, 1), 0x61);
	/* 8-byte accesses: RAZ/WI. */
	assert_int_equal(rd_len(fx, PL061_GPIODIR, 8), 0);
	wr_len(fx, PL061_GPIODIR, 0xff, 8);
	n += 2;
	/* Unaligned offsets, even inside a register word. */
	assert_int_equal(rd_len(fx, PL061_GPIODIR + 1, 1), 0);
	assert_int_equal(rd_len(fx, PL061_GPIODIR + 2, 2), 0);
	wr_len(fx, PL061_GPIODIR + 1, 0xff, 1);
	wr_len(fx, PL061_DATA_OFFSET(0xff) + 2, 0xff, 2);
	n += 4;
	/* Reserved offsets and past the frame. */
	assert_int_equal(rd(fx, 0x424), 0);
	assert_int_equal(rd(fx, 0xfdc), 0);
	wr(fx, 0x800, 0xff);
	assert_int_equal(rd(fx, PL061_MMIO_SIZE), 0);
	wr(fx, PL061_MMIO_SIZE + 0x400, 0xff);
	assert_int_equal(rd(fx, UINT64_MAX - 3), 0);
	n += 6;
	/* Read-only status registers. */
	wr(fx, PL061_GPIORIS, 0xff);
	wr(fx, PL061_GPIOMIS, 0xff);
	n += 2;
	assert_int_equal(rd(fx, PL061_GPIODIR), 0x3c);
	assert_int_equal(rd(fx, PL061_GPIORIS), 0);
	assert_int_equal(fx->gpio.ignored_accesses, n);
	/* A zero-length access touches nothing. */
	pl061_mmio_ops.read(&fx->gpio, 0, PL061_GPIODIR, NULL, 0);
	pl061_mmio_ops.write(&fx->gpio, 0, PL061_GPIODIR, NULL, 0);
	assert_int_equal(fx->irq.calls, 0);
}

static void test_through_mmio_bus(void **state)
{
	struct fixture *fx = *state;
	struct mmio_bus bus;
	uint8_t d[4] = {BIT, 0, 0, 0};

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE, &pl061_mmio_ops,
					 &fx->gpio, "pl061"),
			 0);
	assert_int_equal(mmio_bus_dispatch(&bus, 0, LAYOUT_GPIO_BASE + PL061_GPIOIBE, d, 1, true),
			 0);
	assert_int_equal(rd(fx, PL061_GPIOIBE), BIT);
	memset(d, 0xee, sizeof(d));
	assert_int_equal(
		mmio_bus_dispatch(&bus, 0, LAYOUT_GPIO_BASE + PL061_PERIPH_ID0, d, 4, false), 0);
	assert_int_equal(d[0], 0x61);
	assert_int_equal(d[1], 0);
}

/*
 * Concurrency: threads toggle their own pins while a "vCPU" clears the
 * interrupts. The line must see strictly alternating levels (the device
 * calls it only on a change, under its lock) and no pin update may be lost.
 */
#define NTHREADS 4
#define TOGGLES 50000
#define ROUNDS 8

struct checking_line {
	pthread_mutex_t lock;
	bool level;
	unsigned int calls, repeats; /* repeats: a call with the current level */
};

static void checking_line_set(void *ctx, uint32_t intid, bool level)
{
	struct checking_line *c = ctx;

	pthread_mutex_lock(&c->lock);
	c->calls++;
	if (level == c->level)
		c->repeats++;
	c->level = level;
	pthread_mutex_unlock(&c->lock);
}

struct toggler {
	struct pl061 *gpio;
	pthread_barrier_t *start;
	int *running; /* togglers not yet done (atomic) */
	unsigned int pin;
};

static void *toggle_thread(void *arg)
{
	struct toggler *t = arg;
	int i;

	pthread_barrier_wait(t->start);
	for (i = 0; i < TOGGLES; i++)
		pl061_set_input(t->gpio, t->pin, !(i & 1));
	/* Odd pins end high, even pins low. */
	pl061_set_input(t->gpio, t->pin, t->pin & 1);
	__atomic_fetch_sub(t->running, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void concurrent_round(void)
{
	struct checking_line line = {.level = false};
	struct pl061_config cfg;
	struct pl061 gpio;
	pthread_t th[NTHREADS];
	struct toggler t[NTHREADS];
	pthread_barrier_t start;
	int running = NTHREADS;
	uint8_t d[4];
	int i;

	pthread_mutex_init(&line.lock, NULL);
	cfg = (struct pl061_config){
		.irq = {.set = checking_line_set, .ctx = &line, .intid = LAYOUT_GPIO_INTID}};
	assert_int_equal(pl061_init(&gpio, &cfg), 0);
	/* Both edges on all pins, all unmasked. */
	d[0] = 0xff;
	pl061_mmio_ops.write(&gpio, 0, PL061_GPIOIBE, d, 1);
	pl061_mmio_ops.write(&gpio, 0, PL061_GPIOIE, d, 1);
	assert_int_equal(pthread_barrier_init(&start, NULL, NTHREADS + 1), 0);
	for (i = 0; i < NTHREADS; i++) {
		t[i] = (struct toggler){&gpio, &start, &running, (unsigned int)i};
		assert_int_equal(pthread_create(&th[i], NULL, toggle_thread, &t[i]), 0);
	}
	pthread_barrier_wait(&start);
	/* A vCPU clearing the interrupts for as long as the togglers run. */
	while (__atomic_load_n(&running, __ATOMIC_ACQUIRE)) {
		d[0] = 0xff;
		pl061_mmio_ops.write(&gpio, 0, PL061_GPIOIC, d, 1);
		pl061_mmio_ops.read(&gpio, 0, PL061_GPIOMIS, d, 1);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);

	pl061_mmio_ops.read(&gpio, 0, PL061_DATA_OFFSET(0xff), d, 1);
	assert_int_equal(d[0], 0x0a);
	assert_int_equal(line.repeats, 0);
	assert_true(line.calls > 0);
	pl061_mmio_ops.read(&gpio, 0, PL061_GPIOMIS, d, 1);
	assert_int_equal(line.level, d[0] != 0);
	d[0] = 0xff;
	pl061_mmio_ops.write(&gpio, 0, PL061_GPIOIC, d, 1);
	assert_false(line.level);
	assert_int_equal(gpio.ignored_accesses, 0);
	pl061_destroy(&gpio);
	pthread_barrier_destroy(&start);
	pthread_mutex_destroy(&line.lock);
}

static void test_concurrent_set_input(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < ROUNDS; round++)
		concurrent_round();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_sampled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_read_not_sampled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registers_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_address_masking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_input_bad_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rising_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_falling_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_both_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_high_and_low, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_mode_drops_latched_edge, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_output_pin_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_widths_and_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_through_mmio_bus, setup, teardown),
		cmocka_unit_test(test_concurrent_set_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
