// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the PL031 RTC (devices/pl031.c) driven by guest register
 * accesses (every offset of its 4 KiB frame, widths 1/2/4/8, aligned or
 * not), a fake host clock that the input moves forward, ticks and resets,
 * against a model of the counter and the match interrupt.
 *
 * Input: byte 0..3 the starting host time (seconds, little endian); then
 * 8-byte steps: s[0] bits 0-2 kind (0 read, 1 write, 2 clock forward by
 * the value % 2^20 seconds, 3 pl031_tick(), 4 pl031_reset(), 5 write RTCMR,
 * 6 write RTCLR, 7 read RTCDR), bit 3 keep the offset unaligned, bits 6-7
 * width 1 << n; s[1..2] offset; s[3..6] value.
 *
 * Checks (abort on violation): RTCDR reads the last RTCLR value plus the
 * host seconds since (the host clock before any RTCLR), across resets;
 * RTCRIS is set exactly when the model's armed match time has passed;
 * RTCMIS = RTCRIS & RTCIMSC; the line only changes level and after every
 * step equals RTCMIS; accesses other than 4 aligned bytes read zero and
 * change nothing; the ID registers read the PrimeCell values. Built by
 * scripts/fuzz.sh; tests/unit/test_fuzz_replay.c replays its seeds and
 * regress folder.
 *
 * fuzz-sources: devices/pl031.c lib/log.c
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pl031.h"

#define FP_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FP_STEP 8u
#define FP_MAX_STEPS 512u

struct fp_model {
	uint64_t now;
	bool line;
	/* The model of the device. */
	uint32_t lr_value; /* RTCDR = lr_value + (now - lr_time) */
	uint64_t lr_time;
	uint32_t mr;
	bool mr_written, armed, ris, imsc;
	uint64_t match_time;
};

static uint64_t fp_now(void *ctx)
{
	return ((struct fp_model *)ctx)->now;
}

static void fp_irq(void *ctx, uint32_t intid, bool level)
{
	struct fp_model *m = ctx;

	FP_CHECK(level != m->line);
	m->line = level;
}

static uint32_t fp_counter(const struct fp_model *m)
{
	return m->lr_value + (uint32_t)(m->now - m->lr_time);
}

static void fp_update(struct fp_model *m)
{
	if (m->armed && m->now >= m->match_time) {
		m->armed = false;
		m->ris = true;
	}
}

static void fp_arm(struct fp_model *m)
{
	m->armed = true;
	m->match_time = m->now + (uint32_t)(m->mr - fp_counter(m));
}

static uint32_t fp_le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fp_read(struct pl031 *rtc, struct fp_model *m, uint32_t off, uint32_t len)
{
	static const uint8_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	uint8_t buf[16];
	uint32_t v;

	memset(buf, 0xa5, sizeof(buf));
	fp_update(m);
	pl031_mmio_ops.read(rtc, 0, off, buf, len);
	for (uint32_t i = len; i < sizeof(buf); i++)
		FP_CHECK(buf[i] == 0xa5);
	if (len != 4 || off % 4) {
		for (uint32_t i = 0; i < len; i++)
			FP_CHECK(buf[i] == 0);
		return;
	}
	v = fp_le(buf);
	switch (off) {
	case PL031_RTCDR:
		FP_CHECK(v == fp_counter(m));
		break;
	case PL031_RTCMR:
		FP_CHECK(v == m->mr);
		break;
	case PL031_RTCCR:
		FP_CHECK(v == PL031_CR_EN);
		break;
	case PL031_RTCIMSC:
		FP_CHECK(v == m->imsc);
		break;
	case PL031_RTCRIS:
		FP_CHECK(v == m->ris);
		break;
	case PL031_RTCMIS:
		FP_CHECK(v == (m->ris && m->imsc));
		break;
	default:
		if (off >= PL031_PERIPH_ID0)
			FP_CHECK(v == id[(off - PL031_PERIPH_ID0) / 4]);
		else if (off != PL031_RTCLR)
			FP_CHECK(v == 0);
		break;
	}
}

static void fp_write(struct pl031 *rtc, struct fp_model *m, uint32_t off, uint32_t len, uint32_t v)
{
	uint8_t buf[8];

	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(v >> (8 * (i % 4)));
	fp_update(m);
	pl031_mmio_ops.write(rtc, 0, off, buf, len);
	if (len != 4 || off % 4)
		return;
	switch (off) {
	case PL031_RTCMR:
		m->mr = v;
		m->mr_written = true;
		fp_arm(m);
		break;
	case PL031_RTCLR:
		m->lr_value = v;
		m->lr_time = m->now;
		if (m->mr_written)
			fp_arm(m);
		break;
	case PL031_RTCIMSC:
		m->imsc = v & 1;
		break;
	case PL031_RTCICR:
		if (v & 1)
			m->ris = false;
		break;
	}
	fp_update(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fp_model m = {0};
	struct pl031 rtc;
	struct pl031_config cfg;
	size_t steps;

	if (size < 4)
		return 0;
	m.now = fp_le(data);
	m.lr_value = (uint32_t)m.now;
	m.lr_time = m.now;
	cfg = (struct pl031_config){
		.irq = {.set = fp_irq, .ctx = &m, .intid = 34},
		.now_sec = fp_now,
		.clock_ctx = &m,
	};
	FP_CHECK(pl031_init(&rtc, &cfg) == 0);
	steps = (size - 4) / FP_STEP;
	if (steps > FP_MAX_STEPS)
		steps = FP_MAX_STEPS;
	for (size_t i = 0; i < steps; i++) {
		const uint8_t *s = data + 4 + i * FP_STEP;
		uint32_t len = 1u << (s[0] >> 6),
			 off = (uint32_t)(s[1] | s[2] << 8) % PL031_MMIO_SIZE;
		uint32_t v = fp_le(s + 3);

		if (!(s[0] & 8))
			off &= ~(len - 1);
		switch (s[0] & 7) {
		case 0:
			fp_read(&rtc, &m, off, len);
			break;
		case 1:
			fp_write(&rtc, &m, off, len, v);
			break;
		case 2:
			m.now += v % (1u << 20);
			break;
		case 3:
			fp_update(&m);
			pl031_tick(&rtc);
			break;
		case 4:
			m.mr = 0;
			m.imsc = m.ris = m.mr_written = m.armed = false;
			pl031_reset(&rtc);
			break;
		case 5:
			fp_write(&rtc, &m, PL031_RTCMR, 4, v);
			break;
		case 6:
			fp_write(&rtc, &m, PL031_RTCLR, 4, v);
			break;
		default:
			fp_read(&rtc, &m, PL031_RTCDR, 4);
			break;
		}
		/* The line follows RTCMIS as of the device's last look at the clock. */
		FP_CHECK(m.line == rtc.irq_level);
		if (s[0] & 7 && (s[0] & 7) != 2)
			FP_CHECK(m.line == (m.ris && m.imsc));
	}
	pl031_destroy(&rtc);
	return 0;
}
