/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-vsock (device ID 19) with its data path in the host kernel's
 * vhost-vsock (/dev/vhost-vsock): the guest's rx (0) and tx (1) queues are
 * read and written by vhost, which also delivers the packets to the host's
 * AF_VSOCK sockets; kestrel only runs the virtio-mmio registers and hands the
 * queues over at DRIVER_OK. The event queue (2) stays here: there is nothing
 * to send on it (no live migration), so its buffers are simply kept.
 * Configuration space: le64 guest_cid (read-only).
 *
 * KVM glue: includes linux/vhost.h and issues vhost ioctls, so it is built
 * only for aarch64 hosts (devices/meson.build, glue_src). Its proof is the
 * integration scenario tests/integration/scenarios/vsock.sh.
 *
 * Two lifetimes:
 * - struct virtio_vsock_host: the vhost instance. The VMM opens
 *   /dev/vhost-vsock once at start and calls virtio_vsock_host_init(), which
 *   makes this process the owner (VHOST_SET_OWNER), reads the features vhost
 *   offers (VHOST_GET_FEATURES) and claims the CID
 *   (VHOST_VSOCK_SET_GUEST_CID), so a CID another VM holds is found before
 *   any VM is built. Kept across guest reboots (a second SET_OWNER on one fd
 *   fails with EBUSY, and closing the fd would give the CID away).
 * - struct virtio_vsock: the device of one VM build, on a host.
 *
 * Features offered: what VHOST_GET_FEATURES returned, masked to
 * VERSION_1, RING_EVENT_IDX, RING_INDIRECT_DESC and the device-specific bits
 * 0-23 (VIRTIO_VSOCK_F_SEQPACKET, ...: vhost is the device, so what it
 * offers it implements). ACCESS_PLATFORM, ANY_LAYOUT, LOG_ALL and the rest
 * are never offered.
 *
 * DRIVER_OK (activate, on the vCPU thread that wrote Status, transport lock
 * held): VHOST_SET_FEATURES (negotiated), VHOST_SET_MEM_TABLE (one region:
 * guest RAM), then for queues 0 and 1 VHOST_SET_VRING_NUM, _BASE (0), _ADDR
 * (host addresses of the three areas, bounds-checked again with
 * guest_mem_ptr), _KICK (the queue's kick eventfd), _CALL (the call
 * eventfd), and VHOST_VSOCK_SET_RUNNING 1. Any failure is logged naming the
 * ioctl and errno and fails activation (the transport sets
 * DEVICE_NEEDS_RESET); nothing is fatal to the VMM. Reset (driver writes 0,
 * virtio_mmio_reset/destroy): VHOST_VSOCK_SET_RUNNING 0; vhost keeps the
 * ring setup, which the next activation rewrites.
 *
 * Notifications: each of queues 0 and 1 has a kick eventfd
 * (virtio_mmio_kick_fd() returns it) that vhost polls; the VMM registers it
 * as a KVM ioeventfd on base + VIRTIO_MMIO_QUEUE_NOTIFY, 4 bytes, datamatch =
 * the queue index (without that the transport writes it on the vCPU thread:
 * slower, same result). Queue 2 has none: its kicks reach no one.
 *
 * Interrupts: vhost signals used buffers by writing the call eventfd.
 * Linux's virtio_mmio driver only looks at the rings when InterruptStatus has
 * bit 0 set, which vhost cannot set, so the call eventfd must NOT be given to
 * KVM_IRQFD directly. A small thread ("forwarder", started by init, joined by
 * destroy) reads it and calls virtio_mmio_notify_used(): InterruptStatus,
 * then the transport's own signal — the transport irqfd when the VMM set one
 * (virtio_mmio_set_irqfd, registered with KVM_IRQFD for the in-kernel vGIC),
 * else a pulse of cfg.irq (userspace GIC). So both irqchip kinds take the
 * same path and the only choice the VMM makes is the transport's.
 *
 * Threads: the forwarder is created by virtio_vsock_init() on the caller's
 * thread (the VMM's main thread: a vCPU thread may not create threads under
 * kestrel's seccomp policy) with every signal blocked; its first act is
 * cfg.thread_init(cfg.thread_ctx) (the VMM installs the device seccomp role
 * there); init waits for it and fails with its error. It only polls, reads eventfds and notifies; it needs guest RAM
 * never. While the device is not running it delivers nothing.
 *
 * Locking: @lock guards @running and is held by the forwarder while it
 * notifies, so once reset has returned no interrupt of the old session is
 * raised. Lock order: transport lock, @lock, the interrupt controller's.
 *
 * Memory: struct virtio_vsock lives in caller storage; nothing is allocated.
 * The vhost fd belongs to the caller and outlives every device on it.
 */
#ifndef KESTREL_DEVICES_VIRTIO_VSOCK_H
#define KESTREL_DEVICES_VIRTIO_VSOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/irq_line.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"

#define VIRTIO_ID_VSOCK 19

#define VIRTIO_VSOCK_RXQ 0 /* host -> guest, vhost's */
#define VIRTIO_VSOCK_TXQ 1 /* guest -> host, vhost's */
#define VIRTIO_VSOCK_EVENTQ 2 /* kestrel's, idle */
#define VIRTIO_VSOCK_NR_QUEUES 3
#define VIRTIO_VSOCK_NR_VHOST_QUEUES 2

/* Configuration space: le64 guest_cid. */
#define VIRTIO_VSOCK_CONFIG_SIZE 8

/* Feature bits kestrel passes through when vhost offers them. */
#define VIRTIO_VSOCK_DEVICE_FEATURES 0xffffffULL /* bits 0-23: device-specific */
#define VIRTIO_VSOCK_F_SEQPACKET 1

/* The vhost instance, from virtio_vsock_host_init(); copied into each device. */
struct virtio_vsock_host {
	int fd; /* /dev/vhost-vsock, the caller's */
	uint64_t cid;
	uint64_t features; /* offered to the driver (vhost's, masked) */
};

struct virtio_vsock_config {
	const struct guest_mem *mem;
	struct irq_line irq; /* copied */
	const struct virtio_vsock_host *host; /* copied */
	/*
	 * Called first on the forwarder thread, may be NULL. Returns 0, or
	 * -errno to stop the thread (virtio_vsock_init() then fails with it).
	 */
	int (*thread_init)(void *ctx);
	void *thread_ctx;
	uint16_t queue_size; /* QueueNumMax of every queue; 0: VIRTQ_MAX_SIZE */
};

struct virtio_vsock {
	struct virtio_mmio mmio; /* register &mmio on the bus with virtio_mmio_ops */

	/* Set by init, read-only after. */
	struct virtio_vsock_config cfg;
	struct virtio_vsock_host host;
	uint8_t config[VIRTIO_VSOCK_CONFIG_SIZE];
	int kick_fd[VIRTIO_VSOCK_NR_VHOST_QUEUES]; /* eventfds vhost polls */
	int call_fd; /* eventfd vhost writes */
	int stop_fd; /* eventfd, readable while the forwarder must stop */
	pthread_t thread;
	bool thread_started;

	/* Written by activate/reset/destroy (transport lock held). */
	bool bound; /* vhost holds our kick/call eventfds: unbind in destroy */

	pthread_mutex_t lock;
	bool running; /* guarded by lock: VHOST_VSOCK_SET_RUNNING 1 succeeded */
	bool paused; /* guarded by lock: virtio_vsock_pause(), vhost stopped */
	bool irq_held; /* guarded by lock: vhost signalled while paused */
	pthread_cond_t init_cond; /* with lock: the forwarder ran cfg.thread_init */
	bool init_done; /* guarded by lock, with the result: */
	int init_err;

	/* Atomics. */
	bool thread_dead; /* thread_init failed: the forwarder is gone */
	uint64_t interrupts; /* used-buffer interrupts forwarded */
	uint64_t vhost_errors; /* failed vhost ioctls */
};

/*
 * Makes this process the owner of the vhost instance @vhost_fd (an open
 * /dev/vhost-vsock, still unowned), reads its features and claims @cid for
 * it. Fills @host. Returns 0; -EADDRINUSE when another vhost-vsock instance
 * (another VM) or this host holds @cid, and -EINVAL for a CID vhost refuses
 * (0-2, >= 0xffffffff) or a negative @vhost_fd, neither logged (the caller
 * reports them: usage errors); -ENOTSUP when vhost does not offer
 * VERSION_1; else the failing ioctl's -errno (logged, naming the ioctl; an
 * EADDRINUSE or EINVAL from SET_OWNER or GET_FEATURES comes back as -EIO,
 * so those two codes always speak of the CID). Any thread; once per fd.
 */
int virtio_vsock_host_init(struct virtio_vsock_host *host, int vhost_fd, uint64_t cid);

/*
 * Sets @vs up on @cfg->host: configuration space, offered features, the
 * eventfds, the transport, and starts the forwarder. Returns 0, -EINVAL for
 * a bad config, or -errno from eventfd/pthread/the transport/the
 * forwarder's cfg.thread_init (nothing left to undo then). No vCPU may be running.
 */
int virtio_vsock_init(struct virtio_vsock *vs, const struct virtio_vsock_config *cfg);

/*
 * Resets the device (vhost stopped), stops the forwarder, unbinds the
 * eventfds from vhost and closes them. The vhost fd stays open. No vCPU may
 * be running.
 */
void virtio_vsock_destroy(struct virtio_vsock *vs);

/*
 * Pause / resume (VM pause, main thread): pause stops vhost
 * (VHOST_VSOCK_SET_RUNNING 0: its worker leaves guest memory alone, the
 * rings keep their state) and holds back the interrupt of anything vhost
 * completed before; resume starts vhost again (1) and raises the held
 * interrupt. Idempotent. A reset while paused ends the pause.
 */
void virtio_vsock_pause(struct virtio_vsock *vs);
void virtio_vsock_resume(struct virtio_vsock *vs);

#endif
