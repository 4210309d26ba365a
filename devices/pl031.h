/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARM PrimeCell PL031 real-time clock, as Linux's rtc-pl031 driver and the
 * AMBA bus (which matches the driver on the PrimeCell ID registers) use it:
 * a 32-bit seconds counter (RTCDR), load register (RTCLR), match register
 * (RTCMR) with its interrupt (RTCIMSC/RTCRIS/RTCMIS/RTCICR), control register
 * (RTCCR, always started) and the ID registers at 0xFE0-0xFFC.
 *
 * Time: the counter is the host clock plus an offset, never a running tick.
 * The clock comes in as an op, now_sec(ctx): the VMM passes
 * pl031_realtime_sec (CLOCK_REALTIME seconds), unit tests a manual clock.
 * Writing RTCLR sets the offset so RTCDR reads the written value at that
 * instant. The offset survives pl031_reset() (the RTC keeps time across a
 * guest reboot); the match and interrupt state do not.
 *
 * Match interrupt: writing RTCMR (or RTCLR after RTCMR has been written) arms
 * the match for the moment the counter reaches RTCMR, at once when it already
 * equals it; counter values are compared modulo 2^32 as the hardware's
 * counter wraps. Nothing runs in the background: the match is evaluated
 * lazily, on every register access and in pl031_tick(), which the VMM calls
 * about once a second from its event loop. When the match time has passed,
 * RTCRIS is set and the match disarms until RTCMR or RTCLR is written again.
 * The line is level: asserted while RTCRIS & RTCIMSC, i.e. RTCMIS, is set;
 * the guest clears it by writing 1 to RTCICR or masking it in RTCIMSC.
 *
 * Memory: struct pl031 lives in caller storage; init copies the config;
 * nothing is allocated.
 *
 * Threads and locking: @lock guards every field below it. vCPU threads enter
 * through pl031_mmio_ops (register with ctx = the struct pl031), the event
 * loop through pl031_tick(), the VM builder through init/reset/destroy. The
 * lock is held while now_sec() and irq_line_set() run: the PL031 lock comes
 * before the interrupt controller's, and neither callback may call back in.
 *
 * Guest access widths: registers are 32 bits. Only 4-byte accesses at
 * 4-byte-aligned offsets reach a register; any other width or alignment, and
 * every reserved offset, reads as zero and ignores writes (counted in
 * ignored_accesses).
 */
#ifndef KESTREL_DEVICES_PL031_H
#define KESTREL_DEVICES_PL031_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/irq_line.h"
#include "lib/mmio_bus.h"

#define PL031_MMIO_SIZE 0x1000 /* one 4 KiB PrimeCell frame */

#define PL031_RTCDR 0x000 /* data (read: counter) */
#define PL031_RTCMR 0x004 /* match */
#define PL031_RTCLR 0x008 /* load */
#define PL031_RTCCR 0x00c /* control: bit 0 start */
#define PL031_RTCIMSC 0x010 /* interrupt mask set/clear: 1 = enabled */
#define PL031_RTCRIS 0x014 /* raw interrupt status */
#define PL031_RTCMIS 0x018 /* masked interrupt status */
#define PL031_RTCICR 0x01c /* interrupt clear (write 1) */
#define PL031_PERIPH_ID0 0xfe0 /* 0xFE0-0xFEC periph ID, 0xFF0-0xFFC cell ID */
#define PL031_CELL_ID0 0xff0

#define PL031_INT_AI 0x1 /* the match (alarm) interrupt bit */
#define PL031_CR_EN 0x1

struct pl031_config {
	struct irq_line irq; /* copied */
	uint64_t (*now_sec)(void *ctx); /* host seconds; required */
	void *clock_ctx;
};

struct pl031 {
	struct pl031_config cfg; /* set by init, read-only after */
	pthread_mutex_t lock;

	/* Guarded by lock. */
	uint32_t offset; /* counter = (uint32_t)now_sec() + offset */
	uint32_t mr, lr;
	bool imsc, ris;
	bool mr_written; /* RTCMR written since reset: RTCLR re-arms */
	bool armed;
	uint64_t match_host_sec; /* host time the counter reaches mr, when armed */
	bool irq_level; /* last level given to irq_line_set() */
	uint64_t ignored_accesses;
};

/*
 * Sets up @rtc with @cfg copied and the counter equal to the host clock.
 * Returns 0, -EINVAL when @cfg has no now_sec, or -errno from
 * pthread_mutex_init().
 */
int pl031_init(struct pl031 *rtc, const struct pl031_config *cfg);

/*
 * Reboot in place: match, mask, interrupt status cleared and the line
 * deasserted; the time offset kept. Any thread.
 */
void pl031_reset(struct pl031 *rtc);

/* Releases the lock. No MMIO or tick may be running or follow. */
void pl031_destroy(struct pl031 *rtc);

/*
 * Evaluates the match against the clock now and updates the line. Meant
 * for the event loop, about once a second, so an alarm fires while the guest
 * does not touch the RTC. Any thread.
 */
void pl031_tick(struct pl031 *rtc);

/* A now_sec op for the VMM: CLOCK_REALTIME in seconds (0 before 1970). */
uint64_t pl031_realtime_sec(void *ctx);

/* MMIO handlers; register with ctx = the struct pl031. */
extern const struct mmio_ops pl031_mmio_ops;

#endif
