/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device side of a virtio 1.x split virtqueue: the descriptor table, the
 * available ring (driver area) and the used ring (device area) lie in guest
 * RAM at addresses the driver chooses; this code reads the first two and
 * writes the third, through guest_mem only.
 *
 * Guest input: everything in the rings is written by a driver that may be
 * buggy or hostile, concurrently with us. virtq_enable() checks the ring
 * addresses (alignment, inside guest RAM) once; virtq_pop() reads every
 * descriptor exactly once into a local copy and checks it there: index within
 * the table, gpa + len inside guest RAM (no wrap), device-readable
 * descriptors before device-writable ones, at most num descriptors per chain
 * counting the entries of an indirect table (so a loop ends as "too long"),
 * an indirect table only when negotiated, never inside another one, never
 * with NEXT, its length a non-zero multiple of 16, and the chain's total
 * length below 4 GiB. Zero-length descriptors are allowed (the spec does not
 * forbid them): they count against the chain length, are not address checked
 * (nothing is accessed) and produce no segment. A violation makes virtq_pop()
 * return -EBADMSG and marks the queue broken (every later pop fails the same
 * way until virtq_reset()); the device model then sets DEVICE_NEEDS_RESET.
 * The reason is kept in @bad for logs and tests.
 *
 * Memory: struct virtq lives in caller storage (the virtio-mmio transport
 * holds one per queue); pop fills a caller-provided array of segments, so
 * nothing is allocated, ever. The host pointers into the rings come from
 * guest_mem_ptr() at enable time and stay valid as long as the guest_mem.
 *
 * Threads and locking: struct virtq has no lock. The transport configures it
 * (virtq_reset, the num/address fields, virtq_enable, virtq_set_features)
 * only while the device model is not running; afterwards exactly one thread
 * at a time (the caller's lock) may call pop/unpop/push/notify functions.
 * The driver runs concurrently on other CPUs: ring indices are read and
 * written with atomics, with the fences the spec asks for (read avail->idx,
 * acquire, then ring entries and descriptors; write used elements, release,
 * then used->idx; a full fence between publishing used->idx / avail_event
 * and reading the driver's suppression fields).
 *
 * Return values: 0 or -errno, except where a function says otherwise.
 */
#ifndef KESTREL_DEVICES_VIRTIO_QUEUE_H
#define KESTREL_DEVICES_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "lib/guest_mem.h"

/* Largest queue this implementation offers (QueueNumMax upper bound). */
#define VIRTQ_MAX_SIZE 256

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_DESC_SIZE 16

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* Feature bits (bit numbers) the queue implements. */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_BIT(n) (1ULL << (n))

/* Required alignment of the three areas (virtio 1.x, 2.7 "Split Virtqueues"). */
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4

/* Bytes of each area for a queue of @num entries (event fields included). */
#define VIRTQ_DESC_BYTES(num) (16ULL * (num))
#define VIRTQ_AVAIL_BYTES(num) (6ULL + 2ULL * (num))
#define VIRTQ_USED_BYTES(num) (6ULL + 8ULL * (num))

/* Why a queue was declared broken (virtq_pop() returned -EBADMSG). */
enum virtq_bad {
	VIRTQ_OK = 0,
	VIRTQ_BAD_AVAIL_IDX, /* avail->idx moved more than num past our position */
	VIRTQ_BAD_HEAD, /* head index from the avail ring >= num */
	VIRTQ_BAD_NEXT, /* next index outside the (direct or indirect) table */
	VIRTQ_BAD_TOO_LONG, /* more than num descriptors: a loop, or simply too long */
	VIRTQ_BAD_ADDR, /* buffer or indirect table not inside guest RAM */
	VIRTQ_BAD_ADDR_WRAP, /* gpa + len overflows 64 bits */
	VIRTQ_BAD_LEN_OVERFLOW, /* chain total length beyond 2^32 - 1 */
	VIRTQ_BAD_ORDER, /* device-readable descriptor after a device-writable one */
	VIRTQ_BAD_INDIRECT_FEATURE, /* INDIRECT flag without VIRTIO_RING_F_INDIRECT_DESC */
	VIRTQ_BAD_INDIRECT_NESTED, /* INDIRECT inside an indirect table */
	VIRTQ_BAD_INDIRECT_NEXT, /* INDIRECT together with NEXT */
	VIRTQ_BAD_INDIRECT_LEN, /* indirect table length zero or not a multiple of 16 */
};

/* One guest buffer of a chain: device-readable (write false) or device-writable. */
struct virtq_seg {
	gpa_t gpa;
	uint32_t len; /* never 0 */
	bool write;
};

/*
 * What virtq_pop() found. Segments [0, nr_readable) are device-readable,
 * [nr_readable, nr_segs) device-writable; the *_len fields are their byte totals.
 */
struct virtq_chain {
	uint16_t head; /* give back with virtq_push(head, ...) */
	uint16_t nr_segs;
	uint16_t nr_readable;
	uint32_t readable_len;
	uint32_t writable_len;
};

struct virtq {
	/* Set by virtq_init(), read-only after. */
	const struct guest_mem *mem;
	uint16_t num_max;

	/* Written by the transport (driver registers) while the queue is not ready. */
	uint16_t num;
	gpa_t desc_gpa, avail_gpa, used_gpa;

	/* Set by virtq_enable() / virtq_set_features(). */
	bool ready;
	bool indirect; /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	uint8_t *desc, *avail, *used; /* host addresses of the three areas */

	/* Device-side state, owned by the thread that pops and pushes. */
	uint16_t last_avail_idx; /* next avail ring entry to take */
	uint16_t used_idx; /* next used ring entry to fill (= published used->idx) */
	uint16_t signalled_used; /* used_idx at the last notification (EVENT_IDX) */
	bool signalled_used_valid;
	bool broken;
	enum virtq_bad bad;
	uint64_t popped, pushed;
};

/*
 * Sets @vq up unconfigured (not ready, num = @num_max) for guest RAM @mem.
 * Returns 0, -EINVAL when @num_max is not a power of two in [1, VIRTQ_MAX_SIZE].
 */
int virtq_init(struct virtq *vq, const struct guest_mem *mem, uint16_t num_max);

/* Back to the state after virtq_init() (device reset). Cannot fail. */
void virtq_reset(struct virtq *vq);

/*
 * The driver wrote QueueReady = 1: checks @num (a power of two, 1..num_max)
 * and the three areas (aligned, wholly inside guest RAM) and marks the queue
 * ready. Returns 0, -EINVAL for a bad size or alignment, -EFAULT for an area
 * outside guest RAM; on failure the queue stays not ready.
 */
int virtq_enable(struct virtq *vq);

/* Not ready any more (ring state kept for a later enable). Cannot fail. */
void virtq_disable(struct virtq *vq);

/* Applies the negotiated ring features (INDIRECT_DESC, EVENT_IDX) from @features. */
void virtq_set_features(struct virtq *vq, uint64_t features);

/*
 * Takes the next available chain: its segments go to @segs (at most
 * @max_segs; zero-length descriptors are dropped), its summary to @chain.
 * Returns 1 when a chain was taken, 0 when none is available or the queue is
 * not ready, -EBADMSG when the ring or the chain is malformed (the queue is
 * now broken, @vq->bad says why), -ENOBUFS when the chain is valid but has
 * more than @max_segs segments (it is consumed: @chain->head is set, give it
 * back with virtq_push(head, 0)).
 */
int virtq_pop(struct virtq *vq, struct virtq_seg *segs, unsigned int max_segs,
	      struct virtq_chain *chain);

/*
 * Puts the chain taken by the last virtq_pop() back at the front of the
 * available ring (e.g. a tap had no packet for an rx buffer after all). Only
 * valid right after a pop that returned 1, before any other pop or push.
 */
void virtq_unpop(struct virtq *vq);

/*
 * Returns chain @head with @len bytes written by the device to the used ring
 * and publishes it (used->idx). Returns 0, -EINVAL when the queue is not
 * ready or @head >= num.
 */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

/*
 * Whether the driver wants an interrupt for what was pushed since the last
 * call that returned true (EVENT_IDX: used_event crossed; else the avail
 * NO_INTERRUPT flag clear). Call once after one or more pushes.
 */
bool virtq_need_notify(struct virtq *vq);

/*
 * Kick suppression. disable: ask the driver not to notify (used->flags
 * NO_NOTIFY; with EVENT_IDX nothing to do, avail_event is left behind).
 * enable: ask for a notification on the next buffer (clear the flag, or
 * avail_event = last_avail_idx) and return true when buffers became available
 * meanwhile (pop again before sleeping), false when it is safe to sleep.
 */
void virtq_disable_notify(struct virtq *vq);
bool virtq_enable_notify(struct virtq *vq);

/* Short name of a broken-queue reason, for logs. */
const char *virtq_bad_str(enum virtq_bad bad);

/*
 * Byte-stream helpers over segments @segs[0, @nr) taken by virtq_pop(): the
 * segments are treated as one stream of bytes, so a header or a status byte
 * may straddle descriptors, as the spec allows.
 *
 * virtq_segs_read/write copy @len bytes at stream offset @offset out of /
 * into guest RAM. Return 0, -ERANGE when the stream is shorter than
 * @offset + @len (nothing is copied), -EFAULT when a segment is not in guest
 * RAM (not possible for segments from virtq_pop()).
 *
 * virtq_segs_iov fills @iov with host ranges covering [@offset, @offset +
 * @len) of the stream, for readv/writev/preadv/pwritev. Returns the number of
 * iovecs used (0 for @len 0), -ERANGE as above, -ENOBUFS when more than
 * @max_iov are needed, -EFAULT as above.
 */
int virtq_segs_read(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		    uint64_t offset, void *buf, uint64_t len);
int virtq_segs_write(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		     uint64_t offset, const void *buf, uint64_t len);
int virtq_segs_iov(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		   uint64_t offset, uint64_t len, struct iovec *iov, unsigned int max_iov);

#endif
