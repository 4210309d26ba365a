/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-rng / entropy device (device ID 4): one request queue; each chain's
 * device-writable buffers are filled with random bytes from the fill() op
 * (virtio_rng_getrandom, i.e. getrandom(2), for the VMM; a deterministic
 * source in unit tests), at most VIRTIO_RNG_MAX_REQUEST bytes per chain, and
 * returned with the number of bytes written. Readable buffers are ignored. A
 * malformed chain sets DEVICE_NEEDS_RESET.
 *
 * Threads: requests are tiny, so there is no worker. They are served on the
 * vCPU thread that writes QueueNotify (the transport calls queue_notify with
 * its lock held, which also serializes them), and once at DRIVER_OK for
 * buffers queued before. The queue has no kick eventfd: virtio_mmio_kick_fd()
 * returns -ENOENT and the VMM registers no ioeventfd for it. Interrupts go
 * through the transport (irq line or irqfd).
 *
 * Memory: struct virtio_rng lives in caller storage (about 4 KiB of segment
 * array used under the transport lock); nothing is allocated.
 *
 * fill(ctx, buf, len): writes up to @len random bytes to @buf (guest RAM)
 * and returns how many, or -errno; called with the transport lock held, so
 * it must not call into the device. It may block (getrandom before the host
 * pool is ready): that stalls only the kicking vCPU.
 */
#ifndef KESTREL_DEVICES_VIRTIO_RNG_H
#define KESTREL_DEVICES_VIRTIO_RNG_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/irq_line.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"

#define VIRTIO_RNG_MAX_REQUEST 65536

struct virtio_rng_config {
	const struct guest_mem *mem;
	struct irq_line irq; /* copied */
	ssize_t (*fill)(void *ctx, void *buf, size_t len); /* NULL: virtio_rng_getrandom */
	void *fill_ctx;
	uint16_t queue_size; /* QueueNumMax; 0: VIRTQ_MAX_SIZE */
};

struct virtio_rng {
	struct virtio_mmio mmio; /* register &mmio on the bus with virtio_mmio_ops */
	struct virtio_rng_config cfg; /* set by init, read-only after */
	/* Guarded by the transport lock. */
	struct virtq_seg segs[VIRTQ_MAX_SIZE];
	uint64_t requests, bytes;
};

/* getrandom(2) as a fill op: returns bytes written or -errno. */
ssize_t virtio_rng_getrandom(void *ctx, void *buf, size_t len);

/* Sets @rng up. Returns 0, -EINVAL for a bad config, or -errno from the transport. */
int virtio_rng_init(struct virtio_rng *rng, const struct virtio_rng_config *cfg);

/* Resets the device and releases the transport. No vCPU may be running. */
void virtio_rng_destroy(struct virtio_rng *rng);

#endif
