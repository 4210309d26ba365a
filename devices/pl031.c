// SPDX-License-Identifier: GPL-2.0-only
#include "devices/pl031.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* PrimeCell IDs: part 0x031, designer 0x41 (ARM), revision 1; cell ID 0xb105f00d. */
static const uint8_t pl031_id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static uint32_t pl031_counter(const struct pl031 *rtc, uint64_t now)
{
	return (uint32_t)now + rtc->offset;
}

/* Arms the match for when the counter next equals mr (lock held). */
static void pl031_arm(struct pl031 *rtc, uint64_t now)
{
	uint32_t ticks = rtc->mr - pl031_counter(rtc, now);

	rtc->armed = true;
	rtc->match_host_sec = now + ticks;
}

/* Latches RTCRIS once the match time has come, then drives the line (lock held). */
static void pl031_update(struct pl031 *rtc, uint64_t now)
{
	bool level;

	if (rtc->armed && now >= rtc->match_host_sec) {
		rtc->armed = false;
		rtc->ris = true;
	}
	level = rtc->ris && rtc->imsc;
	if (level == rtc->irq_level)
		return;
	rtc->irq_level = level;
	irq_line_set(&rtc->cfg.irq, level);
}

static uint32_t pl031_read_reg(struct pl031 *rtc, uint64_t offset, uint64_t now)
{
	switch (offset) {
	case PL031_RTCDR:
		return pl031_counter(rtc, now);
	case PL031_RTCMR:
		return rtc->mr;
	case PL031_RTCLR:
		return rtc->lr;
	case PL031_RTCCR:
		return PL031_CR_EN; /* always started */
	case PL031_RTCIMSC:
		return rtc->imsc ? PL031_INT_AI : 0;
	case PL031_RTCRIS:
		return rtc->ris ? PL031_INT_AI : 0;
	case PL031_RTCMIS:
		return rtc->ris && rtc->imsc ? PL031_INT_AI : 0;
	}
	if (offset >= PL031_PERIPH_ID0)
		return pl031_id[(offset - PL031_PERIPH_ID0) / 4];
	/* RTCICR is write-only; reserved offsets read as zero. */
	rtc->ignored_accesses++;
	return 0;
}

static void pl031_write_reg(struct pl031 *rtc, uint64_t offset, uint32_t v, uint64_t now)
{
	switch (offset) {
	case PL031_RTCMR:
		rtc->mr = v;
		rtc->mr_written = true;
		pl031_arm(rtc, now);
		return;
	case PL031_RTCLR:
		rtc->lr = v;
		rtc->offset = v - (uint32_t)now;
		if (rtc->mr_written)
			pl031_arm(rtc, now);
		return;
	case PL031_RTCCR:
		return; /* started at reset; the PL031 cannot be stopped */
	case PL031_RTCIMSC:
		rtc->imsc = v & PL031_INT_AI;
		return;
	case PL031_RTCICR:
		if (v & PL031_INT_AI)
			rtc->ris = false;
		return;
	}
	/* RTCDR, RTCRIS, RTCMIS, the IDs and reserved offsets are read-only. */
	rtc->ignored_accesses++;
}

static bool pl031_access_ok(uint64_t offset, uint32_t len)
{
	return len == 4 && !(offset & 3) && offset < PL031_MMIO_SIZE;
}

static void pl031_mmio_read(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct pl031 *rtc = ctx;
	uint64_t now;
	uint32_t v = 0;

	if (!len)
		return;
	memset(data, 0, len);
	pthread_mutex_lock(&rtc->lock);
	now = rtc->cfg.now_sec(rtc->cfg.clock_ctx);
	pl031_update(rtc, now);
	if (pl031_access_ok(offset, len))
		v = pl031_read_reg(rtc, offset, now);
	else
		rtc->ignored_accesses++;
	pthread_mutex_unlock(&rtc->lock);
	if (len == 4) {
		data[0] = v & 0xff;
		data[1] = (v >> 8) & 0xff;
		data[2] = (v >> 16) & 0xff;
		data[3] = v >> 24;
	}
}

static void pl031_mmio_write(void *ctx, int vcpu, uint64_t offset, const uint8_t *data,
			     uint32_t len)
{
	struct pl031 *rtc = ctx;
	uint64_t now;
	uint32_t v;

	if (!len)
		return;
	pthread_mutex_lock(&rtc->lock);
	now = rtc->cfg.now_sec(rtc->cfg.clock_ctx);
	pl031_update(rtc, now);
	if (pl031_access_ok(offset, len)) {
		v = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
		    (uint32_t)data[3] << 24;
		pl031_write_reg(rtc, offset, v, now);
		pl031_update(rtc, now);
	} else {
		rtc->ignored_accesses++;
	}
	pthread_mutex_unlock(&rtc->lock);
}

const struct mmio_ops pl031_mmio_ops = {
	.read = pl031_mmio_read,
	.write = pl031_mmio_write,
};

static void pl031_clear_locked(struct pl031 *rtc)
{
	rtc->mr = 0;
	rtc->imsc = false;
	rtc->ris = false;
	rtc->mr_written = false;
	rtc->armed = false;
	rtc->match_host_sec = 0;
	rtc->ignored_accesses = 0;
}

int pl031_init(struct pl031 *rtc, const struct pl031_config *cfg)
{
	int ret;

	memset(rtc, 0, sizeof(*rtc));
	if (!cfg->now_sec)
		return -EINVAL;
	ret = pthread_mutex_init(&rtc->lock, NULL);
	if (ret)
		return -ret;
	rtc->cfg = *cfg;
	pl031_clear_locked(rtc);
	return 0;
}

void pl031_reset(struct pl031 *rtc)
{
	pthread_mutex_lock(&rtc->lock);
	pl031_clear_locked(rtc);
	pl031_update(rtc, rtc->cfg.now_sec(rtc->cfg.clock_ctx));
	pthread_mutex_unlock(&rtc->lock);
}

void pl031_destroy(struct pl031 *rtc)
{
	pthread_mutex_destroy(&rtc->lock);
}

void pl031_tick(struct pl031 *rtc)
{
	pthread_mutex_lock(&rtc->lock);
	pl031_update(rtc, rtc->cfg.now_sec(rtc->cfg.clock_ctx));
	pthread_mutex_unlock(&rtc->lock);
}

uint64_t pl031_realtime_sec(void *ctx)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec;
}
