// SPDX-License-Identifier: GPL-2.0-only
#include "devices/pl061.h"

#include <errno.h>
#include <string.h>

/*
 * PrimeCell IDs: part 0x061, designer 0x41 (ARM), revision 0; cell ID
 * 0xb105f00d. Linux's AMBA bus matches the PL061 driver on 0x00041061.
 */
static const uint8_t pl061_id[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

/* Pin levels: outputs from the data latch, inputs from the outside (lock held). */
static uint8_t pl061_pin_levels(const struct pl061 *gpio)
{
	return (gpio->data & gpio->dir) | (gpio->in & ~gpio->dir);
}

/* GPIORIS: latched edges of edge pins, live condition of level pins (lock held). */
static uint8_t pl061_ris(const struct pl061 *gpio)
{
	uint8_t level_active = gpio->is & ~(gpio->pins ^ gpio->iev);

	return (gpio->edge_ris & ~gpio->is) | level_active;
}

/*
 * Latches the edges since the last update, then drives the line from
 * GPIOMIS (lock held). Every state change ends here.
 */
static void pl061_update(struct pl061 *gpio)
{
	uint8_t pins = pl061_pin_levels(gpio);
	uint8_t changed = pins ^ gpio->pins;
	uint8_t edge_pins = ~gpio->is;
	uint8_t rising = changed & pins;
	uint8_t falling = changed & ~pins;
	uint8_t hit;
	bool level;

	hit = (changed & gpio->ibe) | (rising & gpio->iev) | (falling & ~gpio->iev);
	gpio->edge_ris |= hit & edge_pins;
	gpio->pins = pins;

	level = (pl061_ris(gpio) & gpio->ie) != 0;
	if (level == gpio->irq_level)
		return;
	gpio->irq_level = level;
	irq_line_set(&gpio->cfg.irq, level);
}

static uint8_t pl061_read_reg(struct pl061 *gpio, uint64_t offset)
{
	if (offset <= PL061_GPIODATA_END) {
		/* Only input pins: an output pin reads its latch, not the outside level. */
		gpio->sampled |= (uint8_t)(offset >> 2) & (uint8_t)~gpio->dir;
		return gpio->pins & (uint8_t)(offset >> 2);
	}
	switch (offset) {
	case PL061_GPIODIR:
		return gpio->dir;
	case PL061_GPIOIS:
		return gpio->is;
	case PL061_GPIOIBE:
		return gpio->ibe;
	case PL061_GPIOIEV:
		return gpio->iev;
	case PL061_GPIOIE:
		return gpio->ie;
	case PL061_GPIORIS:
		return pl061_ris(gpio);
	case PL061_GPIOMIS:
		return pl061_ris(gpio) & gpio->ie;
	case PL061_GPIOAFSEL:
		return gpio->afsel;
	}
	if (offset >= PL061_PERIPH_ID0)
		return pl061_id[(offset - PL061_PERIPH_ID0) / 4];
	/* GPIOIC is write-only; reserved offsets read as zero. */
	gpio->ignored_accesses++;
	return 0;
}

static void pl061_write_reg(struct pl061 *gpio, uint64_t offset, uint8_t v)
{
	uint8_t mask;

	if (offset <= PL061_GPIODATA_END) {
		mask = (uint8_t)(offset >> 2) & gpio->dir;
		gpio->data = (gpio->data & ~mask) | (v & mask);
		return;
	}
	switch (offset) {
	case PL061_GPIODIR:
		gpio->dir = v;
		return;
	case PL061_GPIOIS:
		gpio->is = v;
		gpio->edge_ris &= ~v; /* level pins have no latched edge */
		return;
	case PL061_GPIOIBE:
		gpio->ibe = v;
		return;
	case PL061_GPIOIEV:
		gpio->iev = v;
		return;
	case PL061_GPIOIE:
		gpio->ie = v;
		return;
	case PL061_GPIOIC:
		gpio->edge_ris &= ~v;
		return;
	case PL061_GPIOAFSEL:
		gpio->afsel = v;
		return;
	}
	/* GPIORIS, GPIOMIS, the IDs and reserved offsets are read-only. */
	gpio->ignored_accesses++;
}

static bool pl061_access_ok(uint64_t offset, uint32_t len)
{
	return (len == 1 || len == 2 || len == 4) && !(offset & 3) && offset < PL061_MMIO_SIZE;
}

static void pl061_mmio_read(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct pl061 *gpio = ctx;
	uint8_t v = 0;

	if (!len)
		return;
	memset(data, 0, len);
	pthread_mutex_lock(&gpio->lock);
	if (pl061_access_ok(offset, len))
		v = pl061_read_reg(gpio, offset);
	else
		gpio->ignored_accesses++;
	pthread_mutex_unlock(&gpio->lock);
	data[0] = v; /* registers are 8 bits: the upper bytes read as zero */
}

static void pl061_mmio_write(void *ctx, int vcpu, uint64_t offset, const uint8_t *data,
			     uint32_t len)
{
	struct pl061 *gpio = ctx;

	if (!len)
		return;
	pthread_mutex_lock(&gpio->lock);
	if (pl061_access_ok(offset, len)) {
		pl061_write_reg(gpio, offset, data[0]);
		pl061_update(gpio);
	} else {
		gpio->ignored_accesses++;
	}
	pthread_mutex_unlock(&gpio->lock);
}

const struct mmio_ops pl061_mmio_ops = {
	.read = pl061_mmio_read,
	.write = pl061_mmio_write,
};

/* Reset values; the inputs and the line level are left alone (lock held). */
static void pl061_clear_locked(struct pl061 *gpio)
{
	gpio->data = 0;
	gpio->dir = 0;
	gpio->is = 0;
	gpio->ibe = 0;
	gpio->iev = 0;
	gpio->ie = 0;
	gpio->afsel = 0;
	gpio->edge_ris = 0;
	gpio->pins = pl061_pin_levels(gpio); /* no edge out of a reset */
	gpio->ignored_accesses = 0;
}

int pl061_init(struct pl061 *gpio, const struct pl061_config *cfg)
{
	int ret;

	memset(gpio, 0, sizeof(*gpio));
	ret = pthread_mutex_init(&gpio->lock, NULL);
	if (ret)
		return -ret;
	gpio->cfg = *cfg;
	pl061_clear_locked(gpio);
	return 0;
}

void pl061_reset(struct pl061 *gpio)
{
	pthread_mutex_lock(&gpio->lock);
	pl061_clear_locked(gpio);
	pl061_update(gpio);
	pthread_mutex_unlock(&gpio->lock);
}

bool pl061_input_sampled(struct pl061 *gpio, unsigned int pin)
{
	bool seen;

	if (pin >= PL061_NR_PINS)
		return false;
	pthread_mutex_lock(&gpio->lock);
	seen = gpio->sampled & (1u << pin);
	pthread_mutex_unlock(&gpio->lock);
	return seen;
}

void pl061_destroy(struct pl061 *gpio)
{
	pthread_mutex_destroy(&gpio->lock);
}

int pl061_set_input(struct pl061 *gpio, unsigned int pin, bool level)
{
	uint8_t bit;

	if (pin >= PL061_NR_PINS)
		return -EINVAL;
	bit = (uint8_t)(1u << pin);
	pthread_mutex_lock(&gpio->lock);
	if (!!(gpio->in & bit) != level)
		gpio->sampled &= (uint8_t)~bit;
	if (level)
		gpio->in |= bit;
	else
		gpio->in &= ~bit;
	pl061_update(gpio);
	pthread_mutex_unlock(&gpio->lock);
	return 0;
}
