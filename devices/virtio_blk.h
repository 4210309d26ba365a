/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk (device ID 2) over a raw image: a file (or block device) the
 * VMM opened, read-write or, for read-only mode, O_RDONLY. One request queue.
 *
 * Requests: IN (preadv), OUT (pwritev: a completed write is in the host page
 * cache), FLUSH (fdatasync before completion; VIRTIO_BLK_F_FLUSH offered, so
 * Linux runs the disk in writeback mode), GET_ID (the serial, 20 bytes, NUL
 * padded), DISCARD (fallocate PUNCH_HOLE) and WRITE_ZEROES (fallocate
 * ZERO_RANGE), the last two offered only when a probe at init found the host
 * file supports them and the disk is writable. Read-only mode offers
 * VIRTIO_BLK_F_RO; writes, discards and write-zeroes then fail with IOERR and
 * leave the image untouched. Unknown types get UNSUPP.
 *
 * Validation (virtio_blk_handle): the header (16 bytes, may straddle
 * descriptors) must be device-readable, the status byte is the last byte of
 * the device-writable part. Data lengths must be multiples of 512, sector
 * ranges must lie inside the capacity with no overflow; violations give
 * IOERR. A request with no writable byte for the status cannot be completed:
 * the device returns the chain with length 0 and sets DEVICE_NEEDS_RESET, as
 * it does for a malformed chain (virtq_pop() -EBADMSG). Never a crash or hang.
 *
 * Threads: requests are processed off the vCPU threads by a pool of
 * nr_workers threads, created by init (on the VM-building thread) and parked
 * until DRIVER_OK, parked again at reset and joined by destroy, so up to
 * nr_workers requests are in flight at once. A worker sleeps in poll() on
 * the queue's kick eventfd (which the VMM may register as an ioeventfd, see
 * virtio_mmio_kick_fd()) and a stop eventfd; the transport writes the kick
 * eventfd when the guest writes QueueNotify. Completions push to the used
 * ring and notify (irq line or irqfd) from the worker.
 *
 * Pause and backing swap: a worker holds @gate (lib/work_gate.h) from
 * popping a request to raising its interrupt; virtio_blk_pause() and
 * virtio_blk_set_backing() close the gate, so no request is in flight
 * while they hold it.
 *
 * Memory: struct virtio_blk (about 64 KiB with its workers' segment and
 * iovec arrays) lives in caller storage; nothing is allocated after init,
 * none per request. The image fd belongs to the VMM (never closed here).
 *
 * Locking: @vq_lock guards the virtqueue (pop, push, notify decisions) and
 * is taken by workers only; it is never held across I/O. The transport lock
 * (virtio_mmio.h) is held by activate/reset, which wake and park workers;
 * workers never take it. Order: transport lock, vq_lock, irq chip.
 */
#ifndef KESTREL_DEVICES_VIRTIO_BLK_H
#define KESTREL_DEVICES_VIRTIO_BLK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "lib/irq_line.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"
#include "lib/work_gate.h"

/* Feature bits (virtio 1.x, 5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR_SIZE 512
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_HDR_SIZE 16 /* le32 type, le32 reserved, le64 sector */
#define VIRTIO_BLK_DWZ_SEG_SIZE 16 /* le64 sector, le32 num_sectors, le32 flags */
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1

/* Configuration space (5.2.4): fields used, and its size (through unused1). */
#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_SEG_MAX 12
#define VIRTIO_BLK_CFG_BLK_SIZE 20
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG 40
#define VIRTIO_BLK_CFG_DISCARD_ALIGN 44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS 48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG 52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP 56
#define VIRTIO_BLK_CONFIG_SIZE 60

/* Limits advertised for DISCARD / WRITE_ZEROES. */
#define VIRTIO_BLK_MAX_DWZ_SEGS 16
#define VIRTIO_BLK_MAX_DWZ_SECTORS (1u << 22) /* 2 GiB per segment */

#define VIRTIO_BLK_DEFAULT_WORKERS 4
#define VIRTIO_BLK_MAX_WORKERS 8

struct virtio_blk_config {
	const struct guest_mem *mem;
	struct irq_line irq; /* copied */
	int fd; /* the image; O_RDWR, or O_RDONLY with read_only */
	bool read_only;
	const char *serial; /* GET_ID answer, copied (first 20 bytes); NULL: empty */
	unsigned int nr_workers; /* 0: VIRTIO_BLK_DEFAULT_WORKERS; at most VIRTIO_BLK_MAX_WORKERS */
	uint16_t queue_size; /* QueueNumMax; 0: VIRTQ_MAX_SIZE */
	/*
	 * Run once by each worker thread before it serves anything (e.g. its
	 * seccomp filter); init waits for every worker's and fails with the
	 * first error.
	 */
	int (*thread_init)(void *ctx);
	void *thread_ctx;
};

struct virtio_blk;

/* A worker's private scratch: one request's segments and iovecs. */
struct virtio_blk_worker {
	struct virtio_blk *blk;
	pthread_t thread;
	struct virtq_seg segs[VIRTQ_MAX_SIZE];
	struct iovec iov[VIRTQ_MAX_SIZE];
};

struct virtio_blk {
	struct virtio_mmio mmio; /* register &mmio on the bus with virtio_mmio_ops */

	/*
	 * Set by init, read-only after; except cfg.fd, capacity and config[],
	 * changed by set_backing with the gate closed and the transport lock held.
	 */
	struct virtio_blk_config cfg;
	char serial[VIRTIO_BLK_ID_BYTES];
	uint64_t capacity; /* in 512-byte sectors */
	bool can_discard, can_write_zeroes; /* host file supports them (probe) */
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE]; /* little-endian configuration space */
	int kick_fd; /* eventfd, the queue's notifier */
	int stop_fd; /* eventfd, readable while workers must stop */

	/* Written by activate/reset (transport lock held, no worker running). */
	uint64_t features; /* negotiated */
	bool active; /* activated, workers serving */
	unsigned int nr_threads; /* workers created by init, joined by destroy */
	pthread_mutex_t run_lock; /* guards generation, exiting, nr_parked */
	pthread_cond_t run_cond;
	unsigned int generation; /* bumped by each activation */
	bool exiting;
	unsigned int nr_parked; /* workers waiting for an activation */
	unsigned int nr_init_done; /* workers that ran cfg.thread_init */
	int init_err; /* the first failure of cfg.thread_init */
	bool stopping; /* atomic: workers leave their loop (stop_fd wakes sleepers) */
	struct virtio_blk_worker workers[VIRTIO_BLK_MAX_WORKERS];

	pthread_mutex_t vq_lock; /* guards the virtqueue's device side */
	struct work_gate gate; /* a worker holds it from pop to interrupt */

	/* Counters, atomics. */
	uint64_t requests, io_errors, unsupported, malformed;
};

/*
 * Sets @blk up: sizes the image (capacity = size / 512, the tail beyond the
 * last whole sector is not visible), probes discard / write-zeroes support
 * (without changing the image's size or contents), builds the configuration
 * space, creates the eventfds and the transport. Returns 0, -EINVAL for a
 * bad config (fd < 0, nr_workers too large, bad queue size), or -errno from
 * lseek/eventfd/pthread_mutex_init/pthread_create/cfg.thread_init (then no
 * worker is left).
 */
int virtio_blk_init(struct virtio_blk *blk, const struct virtio_blk_config *cfg);

/* Stops the workers (device reset) and closes the eventfds. No vCPU may be running. */
void virtio_blk_destroy(struct virtio_blk *blk);

/*
 * Executes the request in @segs (as virtq_pop() gave it in @chain) using
 * @iov (VIRTQ_MAX_SIZE entries) as scratch, writes its status byte and sets
 * *@used_len to the bytes written to the guest. Returns the status written
 * (VIRTIO_BLK_S_*), or -EBADMSG when the chain has no device-writable byte
 * for the status (*@used_len is 0; the caller fails the device). Any thread;
 * touches only the image fd and the request's buffers. Exposed for the fuzzer.
 */
int virtio_blk_handle(struct virtio_blk *blk, const struct virtq_seg *segs,
		      const struct virtq_chain *chain, struct iovec *iov, uint32_t *used_len);

/*
 * Pause / resume (main thread): pause returns once no request is in flight
 * (the one being served completes and raises its interrupt first); until
 * resume no worker pops a request, touches guest memory or raises an
 * interrupt. They nest with each other and with set_backing.
 */
void virtio_blk_pause(struct virtio_blk *blk);
void virtio_blk_resume(struct virtio_blk *blk);

/*
 * Swaps the image under a running device (PATCH /drives): waits until no
 * request is in flight, then serves from @fd (opened like cfg.fd, same
 * read-only mode), sets the capacity from its size, bumps ConfigGeneration
 * and sends a configuration change interrupt. *@old_fd gets the previous
 * fd, which the caller closes. Returns 0, or -errno (lseek of @fd) with
 * nothing changed. Main thread; not from a vCPU or worker thread. Discard
 * and write-zeroes keep the features negotiated for the first image; on a
 * file without them they fail with IOERR.
 */
int virtio_blk_set_backing(struct virtio_blk *blk, int fd, int *old_fd);

#endif
