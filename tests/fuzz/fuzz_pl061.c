// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the PL061 GPIO (devices/pl061.c) driven by guest register
 * accesses (every offset of its 4 KiB frame, widths 1/2/4/8, aligned or
 * not), input pin changes (the power button's side) and resets, against a
 * pin-by-pin model of the levels, edge/level detection and the line.
 *
 * Input: 4-byte steps: s[0] bits 0-1 kind (0 read, 1 write, 2 input pin
 * s[3] % 8 to s[3] bit 3, 3 reset), bit 2 keep the offset unaligned, bits
 * 6-7 width 1 << n; s[1] bits 0-3 and s[2] the offset (12 bits); s[3] the
 * byte written.
 *
 * Checks (abort on violation): GPIODATA reads the pin levels (outputs from
 * the data latch, inputs from the outside) under the address mask, and a
 * write changes only masked output pins; GPIORIS holds latched edges of
 * edge pins (rising, falling or both as configured) and the live condition
 * of level pins, GPIOMIS = GPIORIS & GPIOIE, GPIOIC clears latched edges;
 * the line only changes level and after every step is GPIOMIS != 0;
 * pl061_input_sampled() is true exactly for inputs the guest read since they
 * last changed; accesses other than 1/2/4 aligned bytes read zero and change
 * nothing; a read fills only the access. Built by scripts/fuzz.sh;
 * tests/unit/test_fuzz_replay.c replays its seeds and regress folder.
 *
 * fuzz-sources: devices/pl061.c lib/log.c
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pl061.h"

#define FL_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FL_STEP 4u
#define FL_MAX_STEPS 2048u

struct fl_model {
	bool line;
	uint8_t data, in, dir, is, ibe, iev, ie, afsel;
	bool level[8]; /* pin levels at the last evaluation */
	bool latched[8];
	bool sampled[8];
};

static void fl_irq(void *ctx, uint32_t intid, bool level)
{
	struct fl_model *m = ctx;

	FL_CHECK(level != m->line);
	m->line = level;
}

static bool fl_bit(uint8_t v, int pin)
{
	return v >> pin & 1;
}

static bool fl_pin(const struct fl_model *m, int pin)
{
	return fl_bit(m->dir, pin) ? fl_bit(m->data, pin) : fl_bit(m->in, pin);
}

static bool fl_ris(const struct fl_model *m, int pin)
{
	if (fl_bit(m->is, pin))
		return m->level[pin] == fl_bit(m->iev, pin);
	return m->latched[pin];
}

/* Edge detection after any change, pin by pin. */
static void fl_eval(struct fl_model *m)
{
	for (int p = 0; p < 8; p++) {
		bool now = fl_pin(m, p), was = m->level[p];

		if (now != was && !fl_bit(m->is, p) &&
		    (fl_bit(m->ibe, p) || now == fl_bit(m->iev, p)))
			m->latched[p] = true;
		m->level[p] = now;
	}
}

static uint8_t fl_ris_byte(const struct fl_model *m)
{
	uint8_t v = 0;

	for (int p = 0; p < 8; p++)
		v |= (uint8_t)(fl_ris(m, p) << p);
	return v;
}

static bool fl_ok(uint32_t off, uint32_t len)
{
	return (len == 1 || len == 2 || len == 4) && !(off % 4);
}

static void fl_read(struct pl061 *g, struct fl_model *m, uint32_t off, uint32_t len)
{
	static const uint8_t id[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	uint8_t buf[16], want = 0;

	memset(buf, 0xa5, sizeof(buf));
	pl061_mmio_ops.read(g, 0, off, buf, len);
	for (uint32_t i = 1; i < sizeof(buf); i++)
		FL_CHECK(buf[i] == (i < len ? 0 : 0xa5));
	if (!fl_ok(off, len)) {
		FL_CHECK(buf[0] == 0);
		return;
	}
	if (off <= PL061_GPIODATA_END) {
		for (int p = 0; p < 8; p++) {
			if (!fl_bit((uint8_t)(off >> 2), p))
				continue;
			want |= (uint8_t)(m->level[p] << p);
			if (!fl_bit(m->dir, p))
				m->sampled[p] = true;
		}
	} else if (off == PL061_GPIODIR) {
		want = m->dir;
	} else if (off == PL061_GPIOIS) {
		want = m->is;
	} else if (off == PL061_GPIOIBE) {
		want = m->ibe;
	} else if (off == PL061_GPIOIEV) {
		want = m->iev;
	} else if (off == PL061_GPIOIE) {
		want = m->ie;
	} else if (off == PL061_GPIORIS) {
		want = fl_ris_byte(m);
	} else if (off == PL061_GPIOMIS) {
		want = fl_ris_byte(m) & m->ie;
	} else if (off == PL061_GPIOAFSEL) {
		want = m->afsel;
	} else if (off >= PL061_PERIPH_ID0) {
		want = id[(off - PL061_PERIPH_ID0) / 4];
	}
	FL_CHECK(buf[0] == want);
}

static void fl_write(struct pl061 *g, struct fl_model *m, uint32_t off, uint32_t len, uint8_t v)
{
	uint8_t buf[8];

	memset(buf, v, sizeof(buf));
	pl061_mmio_ops.write(g, 0, off, buf, len);
	if (!fl_ok(off, len))
		return;
	if (off <= PL061_GPIODATA_END) {
		for (int p = 0; p < 8; p++)
			if (fl_bit((uint8_t)(off >> 2), p) && fl_bit(m->dir, p))
				m->data = (uint8_t)((m->data & ~(1u << p)) | (v & (1u << p)));
	} else if (off == PL061_GPIODIR) {
		m->dir = v;
	} else if (off == PL061_GPIOIS) {
		m->is = v;
		for (int p = 0; p < 8; p++)
			if (fl_bit(v, p))
				m->latched[p] = false;
	} else if (off == PL061_GPIOIBE) {
		m->ibe = v;
	} else if (off == PL061_GPIOIEV) {
		m->iev = v;
	} else if (off == PL061_GPIOIE) {
		m->ie = v;
	} else if (off == PL061_GPIOIC) {
		for (int p = 0; p < 8; p++)
			if (fl_bit(v, p))
				m->latched[p] = false;
	} else if (off == PL061_GPIOAFSEL) {
		m->afsel = v;
	}
	fl_eval(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_model m = {0};
	struct pl061 g;
	struct pl061_config cfg = {.irq = {.set = fl_irq, .ctx = &m, .intid = 35}};
	size_t steps = size / FL_STEP;

	FL_CHECK(pl061_init(&g, &cfg) == 0);
	if (steps > FL_MAX_STEPS)
		steps = FL_MAX_STEPS;
	for (size_t i = 0; i < steps; i++) {
		const uint8_t *s = data + i * FL_STEP;
		uint32_t len = 1u << (s[0] >> 6), off = (uint32_t)(s[1] & 0xf) << 8 | s[2];
		int pin = s[3] % 8;
		bool level = s[3] & 8;

		if (!(s[0] & 4))
			off &= ~(len - 1);
		switch (s[0] & 3) {
		case 0:
			fl_read(&g, &m, off, len);
			break;
		case 1:
			fl_write(&g, &m, off, len, s[3]);
			break;
		case 2:
			if (fl_bit(m.in, pin) != level)
				m.sampled[pin] = false;
			m.in = (uint8_t)((m.in & ~(1u << pin)) | (unsigned int)level << pin);
			FL_CHECK(pl061_set_input(&g, (unsigned int)pin, level) == 0);
			fl_eval(&m);
			break;
		default:
			m.data = m.dir = m.is = m.ibe = m.iev = m.ie = m.afsel = 0;
			memset(m.latched, 0, sizeof(m.latched));
			for (int p = 0; p < 8; p++)
				m.level[p] = fl_pin(&m, p); /* no edge out of a reset */
			pl061_reset(&g);
			break;
		}
		FL_CHECK(m.line == ((fl_ris_byte(&m) & m.ie) != 0) && m.line == g.irq_level);
		for (int p = 0; p < 8; p++)
			FL_CHECK(pl061_input_sampled(&g, (unsigned int)p) == m.sampled[p]);
	}
	FL_CHECK(pl061_set_input(&g, 8, true) == -EINVAL);
	pl061_destroy(&g);
	return 0;
}
