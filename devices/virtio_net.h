/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net (device ID 1) over a tap: queue 0 receives (tap -> guest),
 * queue 1 transmits (guest -> tap). No control queue, no multiqueue, no
 * mergeable rx buffers: each packet goes in one rx chain (Linux then posts
 * 64 KiB "big packet" buffers when it negotiated GUEST_TSO*).
 *
 * The tap: the VMM opens it (IFF_TAP | IFF_NO_PI, and IFF_VNET_HDR with
 * TUNSETVNETHDRSZ 12 when it can) and passes the fd and whether the vnet
 * header is on. With it, the guest's 12-byte virtio_net_hdr_v1 goes through
 * unchanged in both directions (the device only sets num_buffers = 1 on rx,
 * which the tap leaves alone), and the offloads are offered: CSUM, HOST_TSO4,
 * HOST_TSO6 (the tap takes GSO frames from us), and, when the VMM gives a
 * set_offload op, GUEST_CSUM, GUEST_TSO4, GUEST_TSO6 (the tap may send them
 * to us once told with TUNSETOFFLOAD). Without it, no offload is offered,
 * the device strips the header on tx and writes a zero one on rx. Always
 * offered: MAC (cfg.mac in configuration space), STATUS (link up),
 * INDIRECT_DESC, EVENT_IDX. The tap fd stays the VMM's (never closed here);
 * init sets O_NONBLOCK on it. Anything with datagram semantics works as the
 * tap (unit tests use a SOCK_SEQPACKET socketpair).
 *
 * set_offload(ctx, flags): called at DRIVER_OK with the VIRTIO_NET_OFFLOAD_*
 * flags the negotiated features allow (their values are TUN_F_*, so the VMM
 * passes them to TUNSETOFFLOAD unchanged). Returns 0 or -errno; failure
 * fails activation (DEVICE_NEEDS_RESET). Called with the transport lock held.
 *
 * Threads: one worker per device, created by init (on the VM-building thread),
 * parked until DRIVER_OK and again at reset, joined by destroy. It
 * polls a stop eventfd, the two queues' kick eventfds (the VMM may register
 * them as ioeventfds, see virtio_mmio_kick_fd()) and the tap: readable while
 * rx buffers are available, writable while a transmit is blocked. rx and tx
 * use readv/writev straight between the tap and guest RAM (guest_mem_ptr
 * iovecs): no copy, no allocation per packet. Each pass handles at most a
 * queue's worth of chains per direction, so neither starves the other nor
 * delays a reset. A malformed chain on either queue sets DEVICE_NEEDS_RESET
 * and the worker parks until the reset.
 *
 * Memory: struct virtio_net lives in caller storage; nothing is allocated.
 * Locking: the queues belong to the one worker while the device is active;
 * the transport lock (virtio_mmio.h) covers activate/reset/config reads.
 */
#ifndef KESTREL_DEVICES_VIRTIO_NET_H
#define KESTREL_DEVICES_VIRTIO_NET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "lib/irq_line.h"
#include "lib/work_gate.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"

/* Feature bits (virtio 1.x, 5.1.3). */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_GUEST_UFO 10
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_HOST_UFO 14
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16

#define VIRTIO_NET_S_LINK_UP 1

/*
 * struct virtio_net_hdr_v1: u8 flags, u8 gso_type, le16 hdr_len, le16 gso_size,
 * le16 csum_start, le16 csum_offset, le16 num_buffers.
 */
#define VIRTIO_NET_HDR_SIZE 12
#define VIRTIO_NET_HDR_NUM_BUFFERS 10 /* offset of le16 num_buffers */
/* The largest read a tap gives (a 64 KiB GSO frame plus its vnet header). */
#define VIRTIO_NET_MAX_FRAME (65536 + VIRTIO_NET_HDR_SIZE)

/* Configuration space: mac[6], le16 status, le16 max_virtqueue_pairs, le16 mtu. */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS 8
#define VIRTIO_NET_CFG_MTU 10
#define VIRTIO_NET_CONFIG_SIZE 12

/* Offload flags for set_offload(); the same values as TUN_F_* for TUNSETOFFLOAD. */
#define VIRTIO_NET_OFFLOAD_CSUM 0x01
#define VIRTIO_NET_OFFLOAD_TSO4 0x02
#define VIRTIO_NET_OFFLOAD_TSO6 0x04
#define VIRTIO_NET_OFFLOAD_TSO_ECN 0x08

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

struct virtio_net_config {
	const struct guest_mem *mem;
	struct irq_line irq; /* copied */
	int tap_fd;
	bool vnet_hdr; /* the tap has IFF_VNET_HDR with a 12-byte header */
	uint8_t mac[6];
	int (*set_offload)(void *ctx, unsigned int flags); /* may be NULL */
	void *offload_ctx;
	uint16_t queue_size; /* QueueNumMax of both queues; 0: VIRTQ_MAX_SIZE */
	/*
	 * Run once by the worker thread before it serves anything (e.g. its
	 * seccomp filter); init waits for it and fails with its error.
	 */
	int (*thread_init)(void *ctx);
	void *thread_ctx;
};

struct virtio_net {
	struct virtio_mmio mmio; /* register &mmio on the bus with virtio_mmio_ops */

	/* Set by init, read-only after. */
	struct virtio_net_config cfg;
	uint8_t config[VIRTIO_NET_CONFIG_SIZE];
	int kick_fd[2]; /* eventfds: rx, tx notifiers */
	int stop_fd; /* eventfd, readable while the worker must stop */

	/* Written by activate/reset (transport lock held, worker not running). */
	uint64_t features;
	bool running;
	pthread_t thread; /* created by init, joined by destroy */
	pthread_mutex_t run_lock; /* guards generation, seen_gen, parked, exiting */
	pthread_cond_t run_cond;
	unsigned int generation; /* bumped by each activation */
	unsigned int seen_gen; /* the generation the parked worker last served */
	bool parked;
	bool exiting;
	/* VM pause: the worker holds @gate while it serves the queues (lib/work_gate.h). */
	struct work_gate gate;
	bool stopping; /* atomic: a worker waiting at the gate gives up (reset, destroy) */
	bool init_done; /* the worker ran cfg.thread_init, with this result: */
	int init_err;

	/* The worker's. */
	struct virtq_seg segs[VIRTQ_MAX_SIZE];
	struct iovec iov[VIRTQ_MAX_SIZE + 1]; /* + the rx overflow area */
	uint8_t rx_overflow[VIRTIO_NET_MAX_FRAME];

	/* Counters, atomics. */
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t rx_oversize; /* of rx_dropped: frames bigger than the guest's buffer */
	uint64_t tx_packets, tx_bytes, tx_dropped;
};

/*
 * Sets @net up: configuration space, offered features, eventfds, transport;
 * sets O_NONBLOCK on the tap; starts the worker and waits for its
 * cfg.thread_init. Returns 0, -EINVAL for a bad config, or -errno from
 * fcntl/eventfd/the transport/pthread_create/cfg.thread_init (then no thread
 * is left).
 */
int virtio_net_init(struct virtio_net *net, const struct virtio_net_config *cfg);

/* Stops the worker (device reset) and closes the eventfds. No vCPU may be running. */
void virtio_net_destroy(struct virtio_net *net);

/*
 * VM pause / resume (main thread): pause returns once the worker is out of
 * the queues (the frames it was moving are done); until resume it touches
 * no guest memory and raises no interrupt. Nest like lib/work_gate.h.
 */
void virtio_net_pause(struct virtio_net *net);
void virtio_net_resume(struct virtio_net *net);

#endif
