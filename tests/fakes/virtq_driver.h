/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test fake: the driver side of a split virtqueue and of the virtio-mmio
 * register protocol, playing the guest in unit tests and fuzzers. It lays out
 * a descriptor table, available and used ring in a struct guest_mem, writes
 * descriptors (well-formed or deliberately malicious), publishes heads and
 * reads back used elements; vmmio_* helpers drive a struct virtio_mmio
 * through virtio_mmio_ops in the order Linux's virtio_mmio does.
 *
 * Header-only so a test needs no extra source in meson. Single-threaded:
 * one test thread plays the driver; the device under test may run workers,
 * which is why ring indices are accessed with atomics here too. struct
 * vqd_queue lives in the test's storage and points into the guest_mem,
 * which must outlive it.
 */
#ifndef KESTREL_TESTS_FAKES_VIRTQ_DRIVER_H
#define KESTREL_TESTS_FAKES_VIRTQ_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "devices/virtio_mmio.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"

struct vqd_queue {
	struct guest_mem *mem;
	uint16_t num;
	gpa_t desc, avail, used;
	uint16_t avail_idx; /* driver's next avail->idx */
	uint16_t next_desc; /* bump allocator over the descriptor table */
	uint16_t last_used; /* next used element to consume */
};

/* One buffer of a chain the fake builds. */
struct vqd_buf {
	gpa_t gpa;
	uint32_t len;
	bool write;
};

static inline uint8_t *vqd_host(struct vqd_queue *d, gpa_t gpa, uint64_t len)
{
	return guest_mem_ptr(d->mem, gpa, len);
}

/* Lays the three areas out from @base (16-aligned) for @num entries and zeroes them. */
static inline void vqd_init(struct vqd_queue *d, struct guest_mem *mem, uint16_t num, gpa_t base)
{
	memset(d, 0, sizeof(*d));
	d->mem = mem;
	d->num = num;
	d->desc = base;
	d->avail = base + VIRTQ_DESC_BYTES(num);
	d->used = (d->avail + VIRTQ_AVAIL_BYTES(num) + 3) & ~3ULL;
	memset(vqd_host(d, base, d->used + VIRTQ_USED_BYTES(num) - base), 0,
	       (size_t)(d->used + VIRTQ_USED_BYTES(num) - base));
}

/* First guest address after the rings. */
static inline gpa_t vqd_end(const struct vqd_queue *d)
{
	return d->used + VIRTQ_USED_BYTES(d->num);
}

/* Writes raw descriptor @i of the table at @table (direct table when 0). */
static inline void vqd_desc_at(struct vqd_queue *d, gpa_t table, uint32_t i, uint64_t addr,
			       uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = vqd_host(d, (table ? table : d->desc) + 16ULL * i, 16);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static inline void vqd_desc(struct vqd_queue *d, uint16_t i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	vqd_desc_at(d, 0, i, addr, len, flags, next);
}

static inline void vqd_store16(struct vqd_queue *d, gpa_t gpa, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)vqd_host(d, gpa, 2), v, __ATOMIC_RELEASE);
}

static inline uint16_t vqd_load16(struct vqd_queue *d, gpa_t gpa)
{
	return __atomic_load_n((uint16_t *)(void *)vqd_host(d, gpa, 2), __ATOMIC_ACQUIRE);
}

/* Raw avail->idx (malicious tests); vqd_publish() is the normal path. */
static inline void vqd_set_avail_idx(struct vqd_queue *d, uint16_t idx)
{
	d->avail_idx = idx;
	vqd_store16(d, d->avail + 2, idx);
}

/* Puts @head in the next avail slot and bumps avail->idx (release). */
static inline void vqd_publish(struct vqd_queue *d, uint16_t head)
{
	vqd_store16(d, d->avail + 4 + 2ULL * (d->avail_idx % d->num), head);
	vqd_set_avail_idx(d, (uint16_t)(d->avail_idx + 1));
}

/* Builds a direct chain of @n buffers from the bump allocator and publishes it. */
static inline uint16_t vqd_add(struct vqd_queue *d, const struct vqd_buf *bufs, unsigned int n)
{
	uint16_t head = d->next_desc % d->num, cur = head, nxt;
	unsigned int i;

	for (i = 0; i < n; i++) {
		nxt = (uint16_t)((cur + 1) % d->num);
		vqd_desc(d, cur, bufs[i].gpa, bufs[i].len,
			 (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
				    (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			 i + 1 < n ? nxt : 0);
		cur = nxt;
	}
	d->next_desc = cur;
	vqd_publish(d, head);
	return head;
}

/* Builds an indirect table at @table holding @n buffers, one direct descriptor, publishes. */
static inline uint16_t vqd_add_indirect(struct vqd_queue *d, gpa_t table,
					const struct vqd_buf *bufs, unsigned int n)
{
	uint16_t head = d->next_desc % d->num;
	unsigned int i;

	for (i = 0; i < n; i++)
		vqd_desc_at(d, table, i, bufs[i].gpa, bufs[i].len,
			    (uint16_t)((bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
				       (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			    (uint16_t)(i + 1 < n ? i + 1 : 0));
	vqd_desc(d, head, table, 16 * n, VIRTQ_DESC_F_INDIRECT, 0);
	d->next_desc = (uint16_t)(head + 1);
	vqd_publish(d, head);
	return head;
}

static inline uint16_t vqd_used_idx(struct vqd_queue *d)
{
	return vqd_load16(d, d->used + 2);
}

/* Takes the next used element; false when the device has not pushed one. */
static inline bool vqd_get_used(struct vqd_queue *d, uint32_t *id, uint32_t *len)
{
	uint8_t *e;

	if (vqd_used_idx(d) == d->last_used)
		return false;
	e = vqd_host(d, d->used + 4 + 8ULL * (d->last_used % d->num), 8);
	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
	d->last_used++;
	return true;
}

/* EVENT_IDX fields and the suppression flags. */
static inline void vqd_set_used_event(struct vqd_queue *d, uint16_t v)
{
	vqd_store16(d, d->avail + 4 + 2ULL * d->num, v);
}

static inline uint16_t vqd_avail_event(struct vqd_queue *d)
{
	return vqd_load16(d, d->used + 4 + 8ULL * d->num);
}

static inline void vqd_set_avail_flags(struct vqd_queue *d, uint16_t flags)
{
	vqd_store16(d, d->avail, flags);
}

static inline uint16_t vqd_used_flags(struct vqd_queue *d)
{
	return vqd_load16(d, d->used);
}

/* Waits up to @ms for used->idx to reach @idx (a device worker is running). */
static inline bool vqd_wait_used(struct vqd_queue *d, uint16_t idx, int ms)
{
	struct timespec ts = {0, 1000000};
	int i;

	for (i = 0; i < ms; i++) {
		if ((uint16_t)(vqd_used_idx(d) - idx) < 0x8000)
			return true;
		nanosleep(&ts, NULL);
	}
	return (uint16_t)(vqd_used_idx(d) - idx) < 0x8000;
}

/* ---- virtio-mmio register protocol ---- */

static inline uint32_t vmmio_rd(struct virtio_mmio *t, uint32_t off)
{
	uint8_t b[4];

	virtio_mmio_ops.read(t, 0, off, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void vmmio_wr(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	virtio_mmio_ops.write(t, 0, off, b, 4);
}

static inline uint64_t vmmio_device_features(struct virtio_mmio *t)
{
	uint64_t f;

	vmmio_wr(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)vmmio_rd(t, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vmmio_wr(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | vmmio_rd(t, VIRTIO_MMIO_DEVICE_FEATURES);
}

static inline void vmmio_set_status(struct virtio_mmio *t, uint32_t bits)
{
	vmmio_wr(t, VIRTIO_MMIO_STATUS, vmmio_rd(t, VIRTIO_MMIO_STATUS) | bits);
}

/*
 * Linux's probe: reset, ACKNOWLEDGE, DRIVER, read both feature words, write
 * both driver feature words, FEATURES_OK, read it back. Accepts the
 * offered bits within @want. Returns true when FEATURES_OK stuck.
 */
static inline bool vmmio_negotiate(struct virtio_mmio *t, uint64_t want, uint64_t *accepted)
{
	uint64_t f;

	vmmio_wr(t, VIRTIO_MMIO_STATUS, 0);
	vmmio_set_status(t, VIRTIO_STATUS_ACKNOWLEDGE);
	vmmio_set_status(t, VIRTIO_STATUS_DRIVER);
	f = vmmio_device_features(t) & want;
	vmmio_wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_wr(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	vmmio_wr(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_wr(t, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	vmmio_set_status(t, VIRTIO_STATUS_FEATURES_OK);
	if (accepted)
		*accepted = f;
	return vmmio_rd(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* vm_setup_vq: select, check, size, addresses, ready. Returns QueueReady read back. */
static inline bool vmmio_setup_queue(struct virtio_mmio *t, uint16_t q, const struct vqd_queue *d)
{
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_SEL, q);
	if (vmmio_rd(t, VIRTIO_MMIO_QUEUE_READY) || vmmio_rd(t, VIRTIO_MMIO_QUEUE_NUM_MAX) < d->num)
		return false;
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_NUM, d->num);
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)d->desc);
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(d->desc >> 32));
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)d->avail);
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(d->avail >> 32));
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)d->used);
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(d->used >> 32));
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_READY, 1);
	return vmmio_rd(t, VIRTIO_MMIO_QUEUE_READY) == 1;
}

static inline void vmmio_driver_ok(struct virtio_mmio *t)
{
	vmmio_set_status(t, VIRTIO_STATUS_DRIVER_OK);
}

static inline void vmmio_kick(struct virtio_mmio *t, uint16_t q)
{
	vmmio_wr(t, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* vm_interrupt: read InterruptStatus, acknowledge it, return it. */
static inline uint32_t vmmio_ack_interrupt(struct virtio_mmio *t)
{
	uint32_t st = vmmio_rd(t, VIRTIO_MMIO_INTERRUPT_STATUS);

	vmmio_wr(t, VIRTIO_MMIO_INTERRUPT_ACK, st);
	return st;
}

/* Reads @len bytes of configuration space at @off with 1-byte accesses. */
static inline void vmmio_config(struct virtio_mmio *t, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t i;

	for (i = 0; i < len; i++)
		virtio_mmio_ops.read(t, 0, VIRTIO_MMIO_CONFIG + off + i, p + i, 1);
}

#endif
