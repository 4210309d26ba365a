// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the PL031 RTC (devices/pl031.c) with a manual clock. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch/arm64/layout.h"
#include "devices/pl031.h"
#include "tests/fakes/recording_irq_line.h"
#include "lib/mmio_bus.h"

#define T0 1700000000ULL /* Nov 2023 */

struct fixture {
	struct pl031 rtc;
	struct irq_recorder irq;
	uint64_t now; /* the manual clock */
	unsigned int clock_reads;
};

static uint64_t fx_now(void *ctx)
{
	struct fixture *fx = ctx;

	fx->clock_reads++;
	return fx->now;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct pl031_config cfg;

	if (!fx)
		return -1;
	fx->now = T0;
	irq_recorder_init(&fx->irq);
	cfg = (struct pl031_config){
		.irq = recording_irq_line(&fx->irq, LAYOUT_RTC_INTID),
		.now_sec = fx_now,
		.clock_ctx = fx,
	};
	if (pl031_init(&fx->rtc, &cfg))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	pl031_destroy(&fx->rtc);
	irq_recorder_destroy(&fx->irq);
	free(fx);
	return 0;
}

static void wr(struct fixture *fx, uint64_t reg, uint32_t v)
{
	uint8_t d[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};

	pl031_mmio_ops.write(&fx->rtc, 0, reg, d, 4);
}

static uint32_t rd(struct fixture *fx, uint64_t reg)
{
	uint8_t d[4] = {0xee, 0xee, 0xee, 0xee};

	pl031_mmio_ops.read(&fx->rtc, 0, reg, d, 4);
	return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
}

static void test_init_needs_clock(void **state)
{
	struct pl031 rtc;
	struct pl031_config cfg = {0};

	assert_int_equal(pl031_init(&rtc, &cfg), -EINVAL);
}

static void test_time_read(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, PL031_RTCDR), T0);
	fx->now += 5;
	assert_int_equal(rd(fx, PL031_RTCDR), T0 + 5);
	/* The counter is 32 bits: the host clock is taken modulo 2^32. */
	fx->now = (1ULL << 32) + 10;
	assert_int_equal(rd(fx, PL031_RTCDR), 10);
	/* DR writes are ignored. */
	wr(fx, PL031_RTCDR, 1);
	assert_int_equal(rd(fx, PL031_RTCDR), 10);
}

static void test_load_sets_offset(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCLR, 1000);
	assert_int_equal(rd(fx, PL031_RTCDR), 1000);
	assert_int_equal(rd(fx, PL031_RTCLR), 1000);
	fx->now += 3;
	assert_int_equal(rd(fx, PL031_RTCDR), 1003);
	assert_int_equal(rd(fx, PL031_RTCLR), 1000);

	/* Setting it ahead of the host, near the wrap. */
	wr(fx, PL031_RTCLR, 0xfffffffe);
	assert_int_equal(rd(fx, PL031_RTCDR), 0xfffffffe);
	fx->now += 3;
	assert_int_equal(rd(fx, PL031_RTCDR), 1);
}

static void test_control_and_ids(void **state)
{
	struct fixture *fx = *state;
	const uint32_t ids[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	uint32_t periph = 0, cell = 0;

	assert_int_equal(rd(fx, PL031_RTCCR), PL031_CR_EN);
	wr(fx, PL031_RTCCR, 0);
	assert_int_equal(rd(fx, PL031_RTCCR), PL031_CR_EN);

	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(rd(fx, PL031_PERIPH_ID0 + 4 * i), ids[i]);
	/* As Linux's AMBA bus assembles them. */
	for (unsigned int i = 0; i < 4; i++) {
		periph |= (rd(fx, PL031_PERIPH_ID0 + 4 * i) & 0xff) << (8 * i);
		cell |= (rd(fx, PL031_CELL_ID0 + 4 * i) & 0xff) << (8 * i);
	}
	assert_int_equal(periph & 0x000fffff, 0x00041031);
	assert_int_equal(cell, 0xb105f00d);
	/* IDs are read-only. */
	wr(fx, PL031_PERIPH_ID0, 0);
	assert_int_equal(rd(fx, PL031_PERIPH_ID0), 0x31);
}

static void test_match_raise_and_clear(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCMR, (uint32_t)T0 + 10);
	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	assert_int_equal(rd(fx, PL031_RTCMR), (uint32_t)T0 + 10);
	assert_int_equal(rd(fx, PL031_RTCIMSC), PL031_INT_AI);
	fx->now += 9;
	pl031_tick(&fx->rtc);
	assert_int_equal(fx->irq.calls, 0);
	assert_int_equal(rd(fx, PL031_RTCRIS), 0);

	fx->now += 1;
	pl031_tick(&fx->rtc);
	assert_int_equal(fx->irq.raises, 1);
	assert_true(fx->irq.level);
	assert_int_equal(fx->irq.last_intid, LAYOUT_RTC_INTID);
	assert_int_equal(rd(fx, PL031_RTCRIS), PL031_INT_AI);
	assert_int_equal(rd(fx, PL031_RTCMIS), PL031_INT_AI);
	/* Level: ticking again changes nothing. */
	pl031_tick(&fx->rtc);
	assert_int_equal(fx->irq.calls, 1);

	/* ICR bit 0 clears; other bits do not. */
	wr(fx, PL031_RTCICR, 0x2);
	assert_true(fx->irq.level);
	wr(fx, PL031_RTCICR, PL031_INT_AI);
	assert_false(fx->irq.level);
	assert_int_equal(fx->irq.lowers, 1);
	assert_int_equal(rd(fx, PL031_RTCRIS), 0);
	assert_int_equal(rd(fx, PL031_RTCMIS), 0);
	assert_int_equal(rd(fx, PL031_RTCICR), 0); /* write-only */

	/* The match fired once: it does not come back as time goes on. */
	fx->now += 100;
	pl031_tick(&fx->rtc);
	assert_false(fx->irq.level);
	assert_int_equal(fx->irq.calls, 2);
}

static void test_match_masked(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCMR, (uint32_t)T0 + 2);
	fx->now += 2;
	pl031_tick(&fx->rtc);
	/* Raw status latches, the line stays low while masked. */
	assert_int_equal(rd(fx, PL031_RTCRIS), PL031_INT_AI);
	assert_int_equal(rd(fx, PL031_RTCMIS), 0);
	assert_int_equal(fx->irq.calls, 0);

	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	assert_true(fx->irq.level);
	assert_int_equal(rd(fx, PL031_RTCMIS), PL031_INT_AI);
	wr(fx, PL031_RTCIMSC, 0);
	assert_false(fx->irq.level);
	assert_int_equal(rd(fx, PL031_RTCRIS), PL031_INT_AI);
	/* Only bit 0 of IMSC exists. */
	wr(fx, PL031_RTCIMSC, 0xfe);
	assert_int_equal(rd(fx, PL031_RTCIMSC), 0);
	assert_false(fx->irq.level);
}

static void test_match_lazy_on_access(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	wr(fx, PL031_RTCMR, (uint32_t)T0 + 30);
	/* No tick: a jump well past the match is caught by the next register access. */
	fx->now += 1000;
	assert_int_equal(fx->irq.calls, 0);
	assert_int_equal(rd(fx, PL031_RTCDR), (uint32_t)T0 + 1000);
	assert_true(fx->irq.level);
	assert_int_equal(rd(fx, PL031_RTCMIS), PL031_INT_AI);
}

static void test_match_now_and_past(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	/* Match equal to the counter: fires at once. */
	wr(fx, PL031_RTCMR, (uint32_t)T0);
	assert_true(fx->irq.level);
	wr(fx, PL031_RTCICR, PL031_INT_AI);
	assert_false(fx->irq.level);

	/* Match behind the counter: next reached after the 32-bit wrap, not now. */
	wr(fx, PL031_RTCMR, (uint32_t)T0 - 1);
	fx->now += 1000000;
	pl031_tick(&fx->rtc);
	assert_false(fx->irq.level);
	assert_int_equal(rd(fx, PL031_RTCRIS), 0);
}

static void test_load_rearms_match(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	/* Without an MR write, LR arms nothing even though MR (0) is then reached. */
	wr(fx, PL031_RTCLR, 0xffffffff);
	fx->now += 1;
	pl031_tick(&fx->rtc);
	assert_int_equal(rd(fx, PL031_RTCDR), 0);
	assert_false(fx->irq.level);

	wr(fx, PL031_RTCLR, 500);
	wr(fx, PL031_RTCMR, 1000);
	fx->now += 10;
	pl031_tick(&fx->rtc);
	assert_false(fx->irq.level);
	/* Loading the counter close to the match moves the deadline. */
	wr(fx, PL031_RTCLR, 998);
	fx->now += 1;
	pl031_tick(&fx->rtc);
	assert_false(fx->irq.level);
	fx->now += 1;
	pl031_tick(&fx->rtc);
	assert_true(fx->irq.level);
	assert_int_equal(rd(fx, PL031_RTCDR), 1000);
}

static void test_bad_accesses_harmless(void **state)
{
	struct fixture *fx = *state;
	uint8_t d[8];
	const uint8_t ones[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint32_t widths[] = {1, 2, 8};

	wr(fx, PL031_RTCMR, 1234);
	for (unsigned int i = 0; i < 3; i++) {
		memset(d, 0xee, sizeof(d));
		pl031_mmio_ops.read(&fx->rtc, 0, PL031_RTCDR, d, widths[i]);
		for (unsigned int j = 0; j < widths[i]; j++)
			assert_int_equal(d[j], 0);
		pl031_mmio_ops.write(&fx->rtc, 0, PL031_RTCMR, ones, widths[i]);
		pl031_mmio_ops.write(&fx->rtc, 0, PL031_RTCIMSC, ones, widths[i]);
	}
	assert_int_equal(rd(fx, PL031_RTCMR), 1234);
	assert_int_equal(rd(fx, PL031_RTCIMSC), 0);

	/* Unaligned, reserved, past the frame. */
	memset(d, 0xee, sizeof(d));
	pl031_mmio_ops.read(&fx->rtc, 0, PL031_RTCMR + 2, d, 4);
	assert_int_equal(d[0] | d[1] | d[2] | d[3], 0);
	pl031_mmio_ops.write(&fx->rtc, 0, PL031_RTCMR + 1, ones, 4);
	assert_int_equal(rd(fx, PL031_RTCMR), 1234);
	assert_int_equal(rd(fx, 0x020), 0);
	assert_int_equal(rd(fx, 0xfdc), 0);
	wr(fx, 0x020, 0xffffffff);
	assert_int_equal(rd(fx, PL031_MMIO_SIZE), 0);
	wr(fx, PL031_MMIO_SIZE, 0xffffffff);
	wr(fx, PL031_RTCRIS, 1);
	wr(fx, PL031_RTCMIS, 1);
	assert_int_equal(rd(fx, PL031_RTCRIS), 0);
	assert_int_equal(fx->irq.calls, 0);
	assert_true(fx->rtc.ignored_accesses >= 15);
}

static void test_reset_keeps_time(void **state)
{
	struct fixture *fx = *state;

	wr(fx, PL031_RTCLR, 5000);
	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	wr(fx, PL031_RTCMR, 5000);
	assert_true(fx->irq.level);

	pl031_reset(&fx->rtc);
	assert_false(fx->irq.level);
	assert_int_equal(rd(fx, PL031_RTCDR), 5000);
	assert_int_equal(rd(fx, PL031_RTCMR), 0);
	assert_int_equal(rd(fx, PL031_RTCIMSC), 0);
	assert_int_equal(rd(fx, PL031_RTCRIS), 0);
	/* A stale match does not come back after reset. */
	wr(fx, PL031_RTCIMSC, PL031_INT_AI);
	fx->now += 100;
	pl031_tick(&fx->rtc);
	assert_false(fx->irq.level);
}

static void test_through_bus(void **state)
{
	struct fixture *fx = *state;
	struct mmio_bus bus;
	uint8_t d[4];

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE, &pl031_mmio_ops,
					 &fx->rtc, "pl031"),
			 0);
	assert_int_equal(mmio_bus_dispatch(&bus, 0, LAYOUT_RTC_BASE + 0xffc, d, 4, false), 0);
	assert_int_equal(d[0], 0xb1);
	assert_int_equal(mmio_bus_dispatch(&bus, 0, LAYOUT_RTC_BASE + PL031_RTCDR, d, 4, false), 0);
	assert_int_equal((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
				 (uint32_t)d[3] << 24,
			 (uint32_t)T0);
}

static void test_realtime_clock(void **state)
{
	uint64_t before = (uint64_t)time(NULL);
	uint64_t now = pl031_realtime_sec(NULL);

	assert_true(now >= before);
	assert_true(now <= (uint64_t)time(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_needs_clock),
		cmocka_unit_test_setup_teardown(test_time_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_sets_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_and_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_raise_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_lazy_on_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_now_and_past, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_rearms_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_accesses_harmless, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_keeps_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_through_bus, setup, teardown),
		cmocka_unit_test(test_realtime_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
