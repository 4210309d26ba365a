// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the virtio-mmio transport (devices/virtio_mmio.c), its
 * register file and status state machine, with a checking fake device model
 * behind it, driven by a sequence of guest accesses (every offset of the
 * 0x200-byte slot, widths 1/2/4/8) mixed with device-side events.
 *
 * Input: byte 0 the number of queues (1 + b % 8), byte 1 QueueNumMax
 * (2^(b % 9)), byte 2 the configuration space size (0-255, 255 = 256),
 * byte 3 flags (bit 0 activate() fails, bit 1 features_ok() vetoes, bit 2
 * queue 0 has a kick eventfd, bit 3 interrupts go to an irqfd); then 8-byte
 * steps: s[0] bits 0-2 kind, bits 6-7 width 1 << n; s[1..2] offset; s[3..6]
 * value; s[7] extra. Kinds: 0 read, 1 write at offset % 0x200; 2 write of
 * a control register picked by s[1] (as a driver would, 32-bit); 3 read of
 * one picked so; 4 device side: notify_used / config_changed / fail (s[7]);
 * 5 VMM reset; 6 status write of s[3] (out-of-order handshakes); 7 config
 * space access at s[1] with the width.
 *
 * Checks (abort on violation):
 *   - the device model is only called as its contract says: config
 *     accesses of 1/2/4/8 bytes inside config_size; activate() only when not
 *     active, with VERSION_1 and only offered features, after FEATURES_OK;
 *     queue_notify() only while active, for an existing queue without a kick
 *     fd; reset() leaves it inactive; the transport's "active" matches;
 *   - Status never has DRIVER_OK without FEATURES_OK, FEATURES_OK only with
 *     an acceptable feature set; a status write of 0 or a VMM reset leaves
 *     status, InterruptStatus, driver features and every queue cleared;
 *   - while active, the queues' configuration (size, addresses, ready) is
 *     what it was at activation; every ready queue has a power-of-two size
 *     <= QueueNumMax and rings inside guest RAM;
 *   - QueueSel is a valid queue or none; InterruptStatus holds bits 0-1
 *     only; the interrupt line ends every step low (edges only);
 *   - reads never write past the access; non-32-bit control register reads
 *     read zero; MagicValue/Version read their constants.
 * Built by scripts/fuzz.sh; tests/unit/test_virtio_mmio.c replays
 * tests/fuzz/corpus/fuzz_virtio_mmio/ and tests/fuzz/regress/fuzz_virtio_mmio/.
 *
 * fuzz-sources: devices/virtio_mmio.c devices/virtio_queue.c lib/guest_mem.c lib/log.c
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/virtio_mmio.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"

#define FM_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FM_RAM_BASE 0x10000ULL
#define FM_RAM_SIZE 0x10000ULL
#define FM_STEP 8u
#define FM_MAX_STEPS 512u
#define FM_SLOT 0x200u
#define FM_OFFERED                                                 \
	(VIRTIO_BIT(0) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) | \
	 VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(40))

struct fm_vq_snap {
	uint16_t num;
	gpa_t desc, avail, used;
	bool ready;
};

struct fm_dev {
	struct virtio_mmio *t;
	uint32_t config_size;
	bool fail_activate, veto, kick0;
	bool active;
	uint8_t config[VIRTIO_MMIO_CONFIG_MAX];
	struct fm_vq_snap at_activate[VIRTIO_MMIO_MAX_QUEUES];
	bool line;
};

static bool fm_features_ok(void *ctx, uint64_t f)
{
	struct fm_dev *d = ctx;

	return !d->veto;
}

static void fm_config_check(struct fm_dev *d, uint32_t off, uint32_t len)
{
	FM_CHECK(len == 1 || len == 2 || len == 4 || len == 8);
	FM_CHECK(off <= d->config_size && len <= d->config_size - off);
}

static void fm_config_read(void *ctx, uint32_t off, uint8_t *data, uint32_t len)
{
	struct fm_dev *d = ctx;

	fm_config_check(d, off, len);
	memcpy(data, d->config + off, len);
}

static void fm_config_write(void *ctx, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct fm_dev *d = ctx;

	fm_config_check(d, off, len);
	memcpy(d->config + off, data, len);
}

static void fm_snap(struct virtio_mmio *t, struct fm_vq_snap *s)
{
	for (uint16_t q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++) {
		const struct virtq *vq = &t->vqs[q];

		s[q] = (struct fm_vq_snap){vq->num, vq->desc_gpa, vq->avail_gpa, vq->used_gpa,
					   vq->ready};
	}
}

static int fm_activate(void *ctx, uint64_t features)
{
	struct fm_dev *d = ctx;
	uint32_t status = __atomic_load_n(&d->t->status, __ATOMIC_SEQ_CST);

	FM_CHECK(!d->active && !d->t->active);
	FM_CHECK(features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	FM_CHECK(!(features & ~(FM_OFFERED | VIRTIO_BIT(VIRTIO_F_VERSION_1))));
	FM_CHECK(status & VIRTIO_STATUS_FEATURES_OK);
	FM_CHECK(!d->veto);
	if (d->fail_activate)
		return -EIO;
	d->active = true;
	fm_snap(d->t, d->at_activate);
	return 0;
}

static void fm_reset(void *ctx)
{
	struct fm_dev *d = ctx;

	d->active = false;
}

static void fm_queue_notify(void *ctx, uint16_t queue)
{
	struct fm_dev *d = ctx;

	FM_CHECK(d->active && d->t->active);
	FM_CHECK(queue < d->t->cfg.num_queues);
	FM_CHECK(!(queue == 0 && d->kick0));
}

static const struct virtio_dev_ops fm_ops = {
	.features_ok = fm_features_ok,
	.config_read = fm_config_read,
	.config_write = fm_config_write,
	.activate = fm_activate,
	.reset = fm_reset,
	.queue_notify = fm_queue_notify,
};

static void fm_irq_set(void *ctx, uint32_t intid, bool level)
{
	struct fm_dev *d = ctx;

	FM_CHECK(intid == 48);
	FM_CHECK(d->line != level); /* edges: high then low, never twice the same */
	d->line = level;
}

static const struct guest_mem *fm_mem(void)
{
	static struct guest_mem mem;
	static bool done;

	if (!done) {
		FM_CHECK(guest_mem_init(&mem, FM_RAM_BASE, FM_RAM_SIZE, false) == 0);
		done = true;
	}
	return &mem;
}

static void fm_check_cleared(struct virtio_mmio *t, struct fm_dev *d)
{
	FM_CHECK(__atomic_load_n(&t->status, __ATOMIC_SEQ_CST) == 0);
	FM_CHECK(__atomic_load_n(&t->interrupt_status, __ATOMIC_SEQ_CST) == 0);
	FM_CHECK(t->driver_features == 0 && !t->active && !d->active);
	for (uint16_t q = 0; q < t->cfg.num_queues; q++)
		FM_CHECK(!t->vqs[q].ready);
}

static void fm_check(struct virtio_mmio *t, struct fm_dev *d)
{
	uint32_t status = __atomic_load_n(&t->status, __ATOMIC_SEQ_CST);
	uint64_t f = t->driver_features;

	FM_CHECK(t->active == d->active);
	FM_CHECK(!d->line);
	if (status & VIRTIO_STATUS_DRIVER_OK)
		FM_CHECK(status & VIRTIO_STATUS_FEATURES_OK);
	if (status & VIRTIO_STATUS_FEATURES_OK)
		FM_CHECK((f & VIRTIO_BIT(VIRTIO_F_VERSION_1)) &&
			 !(f & ~(FM_OFFERED | VIRTIO_BIT(VIRTIO_F_VERSION_1))));
	if (t->active)
		FM_CHECK(status & VIRTIO_STATUS_DRIVER_OK);
	FM_CHECK(!(__atomic_load_n(&t->interrupt_status, __ATOMIC_SEQ_CST) & ~3u));
	FM_CHECK(t->queue_sel < t->cfg.num_queues || t->queue_sel == VIRTIO_MMIO_NO_QUEUE);
	if (d->active) {
		struct fm_vq_snap now[VIRTIO_MMIO_MAX_QUEUES];

		fm_snap(t, now);
		for (uint16_t q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++) {
			const struct fm_vq_snap *a = &now[q], *b = &d->at_activate[q];

			FM_CHECK(a->num == b->num && a->desc == b->desc && a->avail == b->avail &&
				 a->used == b->used && a->ready == b->ready);
		}
	}
	for (uint16_t q = 0; q < t->cfg.num_queues; q++) {
		const struct virtq *vq = &t->vqs[q];

		if (!vq->ready)
			continue;
		FM_CHECK(vq->num && !(vq->num & (vq->num - 1)) && vq->num <= t->cfg.queue_num_max);
		FM_CHECK(guest_mem_ptr(t->cfg.mem, vq->desc_gpa, VIRTQ_DESC_BYTES(vq->num)));
		FM_CHECK(guest_mem_ptr(t->cfg.mem, vq->avail_gpa, VIRTQ_AVAIL_BYTES(vq->num)));
		FM_CHECK(guest_mem_ptr(t->cfg.mem, vq->used_gpa, VIRTQ_USED_BYTES(vq->num)));
	}
}

static uint32_t fm_le(const uint8_t *p, uint32_t n)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void fm_read(struct virtio_mmio *t, uint64_t off, uint32_t len)
{
	uint8_t buf[16];

	memset(buf, 0xa5, sizeof(buf));
	virtio_mmio_ops.read(t, 0, off, buf, len);
	for (uint32_t i = len; i < sizeof(buf); i++)
		FM_CHECK(buf[i] == 0xa5);
	if (off < VIRTIO_MMIO_CONFIG && (len != 4 || off % 4))
		for (uint32_t i = 0; i < len; i++)
			FM_CHECK(buf[i] == 0);
	if (len == 4 && off == VIRTIO_MMIO_MAGIC_VALUE)
		FM_CHECK(fm_le(buf, 4) == VIRTIO_MMIO_MAGIC);
	if (len == 4 && off == VIRTIO_MMIO_VERSION)
		FM_CHECK(fm_le(buf, 4) == VIRTIO_MMIO_VERSION_2);
}

static void fm_write(struct virtio_mmio *t, struct fm_dev *d, uint64_t off, uint32_t len,
		     uint32_t value)
{
	uint8_t buf[8];

	for (uint32_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(value >> (8 * (i % 4)));
	virtio_mmio_ops.write(t, 0, off, buf, len);
	if (off == VIRTIO_MMIO_STATUS && len == 4 && value == 0)
		fm_check_cleared(t, d);
}

static const uint16_t fm_regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES_SEL,
	VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL,
	VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
	VIRTIO_MMIO_QUEUE_USED_LOW,
	VIRTIO_MMIO_QUEUE_USED_HIGH,
	VIRTIO_MMIO_SHM_SEL,
	VIRTIO_MMIO_DEVICE_FEATURES,
	VIRTIO_MMIO_QUEUE_NUM_MAX,
	VIRTIO_MMIO_INTERRUPT_STATUS,
	VIRTIO_MMIO_CONFIG_GENERATION,
	VIRTIO_MMIO_MAGIC_VALUE,
	VIRTIO_MMIO_SHM_LEN_LOW,
};

static void fm_step(struct virtio_mmio *t, struct fm_dev *d, const uint8_t *s)
{
	uint32_t kind = s[0] & 7, len = 1u << (s[0] >> 6);
	uint32_t off = fm_le(s + 1, 2), value = fm_le(s + 3, 4);
	uint16_t reg = fm_regs[s[1] % (sizeof(fm_regs) / sizeof(fm_regs[0]))];

	switch (kind) {
	case 0:
		fm_read(t, off % FM_SLOT, len);
		break;
	case 1:
		fm_write(t, d, off % FM_SLOT, len, value);
		break;
	case 2:
		fm_write(t, d, reg, 4, value);
		break;
	case 3:
		fm_read(t, reg, 4);
		break;
	case 4:
		if (s[7] % 3 == 0)
			virtio_mmio_notify_used(t, (uint16_t)(value % t->cfg.num_queues));
		else if (s[7] % 3 == 1)
			virtio_mmio_config_changed(t);
		else
			virtio_mmio_fail(t);
		break;
	case 5:
		virtio_mmio_reset(t);
		fm_check_cleared(t, d);
		break;
	case 6:
		fm_write(t, d, VIRTIO_MMIO_STATUS, 4, s[3]);
		break;
	default:
		if (s[0] & 8)
			fm_write(t, d, VIRTIO_MMIO_CONFIG + s[1], len, value);
		else
			fm_read(t, VIRTIO_MMIO_CONFIG + s[1], len);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_mmio *t;
	struct fm_dev *d;
	struct virtio_mmio_config cfg;
	int kick = -1, irqfd = -1;
	size_t steps;

	if (size < 4)
		return 0;
	t = calloc(1, sizeof(*t));
	d = calloc(1, sizeof(*d));
	FM_CHECK(t && d);
	d->t = t;
	d->config_size = data[2] == 255 ? 256 : data[2];
	d->fail_activate = data[3] & 1;
	d->veto = data[3] & 2;
	d->kick0 = data[3] & 4;
	cfg = (struct virtio_mmio_config){
		.mem = fm_mem(),
		.device_id = 42,
		.num_queues = (uint16_t)(1 + data[0] % 8),
		.queue_num_max = (uint16_t)(1u << (data[1] % 9)),
		.features = FM_OFFERED,
		.config_size = d->config_size,
		.ops = &fm_ops,
		.ctx = d,
		.irq = {.set = fm_irq_set, .ctx = d, .intid = 48},
	};
	FM_CHECK(virtio_mmio_init(t, &cfg) == 0);
	if (d->kick0) {
		kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		FM_CHECK(kick >= 0 && virtio_mmio_set_kick_fd(t, 0, kick) == 0);
	}
	if (data[3] & 8) {
		irqfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		FM_CHECK(irqfd >= 0);
		virtio_mmio_set_irqfd(t, irqfd);
	}

	steps = (size - 4) / FM_STEP;
	if (steps > FM_MAX_STEPS)
		steps = FM_MAX_STEPS;
	for (size_t i = 0; i < steps; i++) {
		fm_step(t, d, data + 4 + i * FM_STEP);
		fm_check(t, d);
	}
	virtio_mmio_destroy(t);
	FM_CHECK(!d->active);
	if (kick >= 0)
		close(kick);
	if (irqfd >= 0)
		close(irqfd);
	free(t);
	free(d);
	return 0;
}
