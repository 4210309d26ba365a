/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtio-mmio transport, version 2 (virtio 1.x, "Virtio Over MMIO"), as
 * Linux's virtio_mmio driver uses it: one 0x200-byte slot per device
 * (LAYOUT_VIRTIO_SIZE), control registers at 0x000-0x0fc, the device's
 * configuration space from 0x100. A device model (virtio_blk, virtio_net,
 * virtio_rng) embeds a struct virtio_mmio, gives it a const virtio_dev_ops
 * and owns what happens on its queues; the transport owns the registers, the
 * feature handshake, the status state machine, the struct virtq of each
 * queue and the interrupt.
 *
 * Registers: a const table indexed by offset / 4. Control registers accept
 * only 32-bit aligned accesses (the spec's rule for drivers); anything else,
 * unknown offsets and reads of write-only registers read as zero and ignore
 * writes (counted in ignored_accesses). Configuration space accepts 1, 2, 4
 * and 8-byte accesses inside cfg.config_size and is delegated to the device;
 * beyond config_size it reads as zero. QueueSel is checked where it is
 * decoded: a value >= num_queues selects no queue (QueueNumMax and
 * QueueReady read 0, queue writes are ignored), which is how Linux learns the
 * queue count.
 *
 * Features: the device offers cfg.features; the transport always adds
 * VIRTIO_F_VERSION_1 and refuses FEATURES_OK (the bit does not stick) when
 * the driver did not accept VERSION_1, accepted a bit that was not offered,
 * or ops->features_ok() says no. Driver feature writes after FEATURES_OK are
 * ignored. DRIVER_OK without FEATURES_OK is refused the same way. A status
 * write that would clear a bit (other than 0, which resets) is ignored.
 *
 * Queues: QueueNum and the ring addresses are taken only while the queue is
 * not ready and the device is not active; QueueReady = 1 validates them
 * (virtq_enable) and on failure sets DEVICE_NEEDS_RESET. While the device is
 * active (DRIVER_OK accepted) QueueReady writes are ignored: there is no
 * per-queue reset (VIRTIO_F_RING_RESET is not offered).
 *
 * Interrupt: edge. The FDT describes virtio-mmio SPIs as edge-rising, so each
 * notification sets a bit in InterruptStatus (bit 0 used buffer, bit 1
 * configuration change) and then pulses the line (irq_line_pulse), or, when
 * the VMM attached an irqfd, writes 1 to it (KVM injects the edge). The guest
 * reads InterruptStatus and acknowledges through InterruptACK; the transport
 * never needs resamplefd. Notifications are not coalesced: a spurious
 * interrupt with InterruptStatus 0 is possible and harmless.
 *
 * Notifications from the guest (QueueNotify): when the device model gave the
 * queue a kick eventfd (virtio_mmio_set_kick_fd), the transport writes 1 to
 * it and returns; the VMM may register the same fd with KVM_IOEVENTFD on
 * base + VIRTIO_MMIO_QUEUE_NOTIFY (4 bytes, datamatch = queue index) so kicks
 * never leave the kernel. Without a kick fd the transport calls
 * ops->queue_notify() on the vCPU thread. Kicks before DRIVER_OK are dropped.
 *
 * Memory: struct virtio_mmio lives in the device model's storage; init
 * copies the config; nothing is allocated.
 *
 * Threads and locking: @lock guards the register state (selectors,
 * features, queue configuration, active). vCPU threads take it in
 * virtio_mmio_ops; the VM builder in init/reset/destroy. The device ops are
 * called WITH @lock held: activate, reset, features_ok, config_read,
 * config_write, queue_notify. They must not call back into the transport,
 * except the lock-free calls below. reset() must stop the device's threads:
 * once it returns nothing of the device touches the queues or guest RAM.
 * Lock-free, from any thread (device workers): virtio_mmio_notify_used(),
 * virtio_mmio_config_changed(), virtio_mmio_fail(), virtio_mmio_status();
 * they use atomics on @status, @interrupt_status and @config_generation and
 * the thread-safe irq line or irqfd. Lock order: transport lock, then the
 * device's own locks, then the interrupt controller's. A device worker never
 * waits for the transport lock, so reset() may join it.
 */
#ifndef KESTREL_DEVICES_VIRTIO_MMIO_H
#define KESTREL_DEVICES_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/irq_line.h"
#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"
#include "lib/mmio_bus.h"

/* Register offsets (virtio 1.x, 4.2.2 "MMIO Device Register Layout"). */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW 0x090 /* "QueueDriver" */
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW 0x0a0 /* "QueueDevice" */
#define VIRTIO_MMIO_QUEUE_USED_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION_2 2
#define VIRTIO_MMIO_VENDOR_KESTREL 0x4c54534b /* "KSTL" */

#define VIRTIO_MMIO_INT_VRING 0x1
#define VIRTIO_MMIO_INT_CONFIG 0x2

/* Device status bits (virtio 1.x, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* Device IDs (virtio 1.x, 5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

#define VIRTIO_MMIO_MAX_QUEUES 8
/* Configuration space fits the rest of a 0x200-byte slot (LAYOUT_VIRTIO_SIZE). */
#define VIRTIO_MMIO_CONFIG_MAX 0x100

/*
 * What a device model provides. All are called with the transport lock held
 * (see above), from a vCPU thread or the VM builder. Any may be NULL.
 *
 * features_ok(ctx, features): veto a feature set the driver accepted (for
 *   dependencies between device feature bits). Returns true to accept.
 * config_read(ctx, offset, data, len): fill @len bytes of configuration
 *   space at @offset (little-endian); offset + len <= cfg.config_size.
 * config_write(ctx, offset, data, len): the driver wrote configuration space.
 * activate(ctx, features): DRIVER_OK accepted; the ready queues may be used
 *   from now on with the negotiated @features. Start workers here. Returns 0
 *   or -errno; on failure the transport sets DEVICE_NEEDS_RESET.
 * reset(ctx): the device is being reset (driver wrote status 0,
 *   virtio_mmio_reset(), virtio_mmio_destroy()), whether or not activate()
 *   ran or succeeded. Stop and join the workers; drop in-flight work.
 * queue_notify(ctx, queue): the driver kicked @queue (< num_queues) and the
 *   queue has no kick fd; only called while the device is active.
 */
struct virtio_dev_ops {
	bool (*features_ok)(void *ctx, uint64_t features);
	void (*config_read)(void *ctx, uint32_t offset, uint8_t *data, uint32_t len);
	void (*config_write)(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len);
	int (*activate)(void *ctx, uint64_t features);
	void (*reset)(void *ctx);
	void (*queue_notify)(void *ctx, uint16_t queue);
};

struct virtio_mmio_config {
	const struct guest_mem *mem;
	uint32_t device_id;
	uint32_t vendor_id; /* 0: VIRTIO_MMIO_VENDOR_KESTREL */
	uint16_t num_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_num_max; /* power of two, <= VIRTQ_MAX_SIZE */
	uint64_t features; /* offered; VERSION_1 is added */
	uint32_t config_size; /* bytes of configuration space, <= VIRTIO_MMIO_CONFIG_MAX */
	const struct virtio_dev_ops *ops;
	void *ctx; /* passed to every op */
	struct irq_line irq; /* copied */
};

struct virtio_mmio {
	struct virtio_mmio_config cfg; /* set by init, read-only after */
	/* Set before vCPUs run (device init, VMM wiring), read-only after. */
	int irqfd; /* -1: pulse cfg.irq */
	int kick_fd[VIRTIO_MMIO_MAX_QUEUES]; /* -1: call ops->queue_notify */

	pthread_mutex_t lock;
	/* Guarded by lock. */
	uint32_t device_features_sel, driver_features_sel;
	uint64_t driver_features;
	uint16_t queue_sel; /* < num_queues, or VIRTIO_MMIO_NO_QUEUE */
	bool active; /* activate() succeeded; reset() owed */
	struct virtq vqs[VIRTIO_MMIO_MAX_QUEUES]; /* configured under lock; see virtio_queue.h */
	uint64_t ignored_accesses;
	uint64_t activation_failures; /* one log line for the first (lib/log.h log_first) */

	/* Atomics: any thread. */
	uint32_t status; /* written under lock, except NEEDS_RESET (any thread) */
	uint32_t interrupt_status;
	uint32_t config_generation;
	uint64_t interrupts;
};

#define VIRTIO_MMIO_NO_QUEUE 0xffff

/*
 * Sets @t up in its reset state with @cfg copied, no irqfd and no kick fds.
 * Returns 0, -EINVAL for a bad queue count, queue size, config size or a
 * NULL mem, or -errno from pthread_mutex_init().
 */
int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_config *cfg);

/* Resets the device (ops->reset) and releases the lock. No vCPU may be running. */
void virtio_mmio_destroy(struct virtio_mmio *t);

/* Device reset from the VMM (reboot in place): as if the driver wrote status 0. */
void virtio_mmio_reset(struct virtio_mmio *t);

/*
 * Wiring, before any vCPU runs. set_kick_fd: the device model's eventfd for
 * @queue (-1 to remove); returns 0 or -EINVAL for a bad queue. kick_fd: the
 * fd the VMM registers with KVM_IOEVENTFD, or -ENOENT when the queue is
 * handled on the vCPU thread (no ioeventfd then). set_irqfd: interrupts are
 * signalled by writing 1 to @fd (registered by the VMM with KVM_IRQFD for
 * cfg.irq.intid) instead of pulsing cfg.irq; -1 goes back to the line.
 */
int virtio_mmio_set_kick_fd(struct virtio_mmio *t, uint16_t queue, int fd);
int virtio_mmio_kick_fd(const struct virtio_mmio *t, uint16_t queue);
void virtio_mmio_set_irqfd(struct virtio_mmio *t, int fd);

/* The queue @queue for the device model, or NULL when @queue >= num_queues. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *t, uint16_t queue);

/*
 * Lock-free, any thread. notify_used: used buffers were pushed on @queue and
 * virtq_need_notify() said yes: InterruptStatus bit 0 and an edge.
 * config_changed: the device changed its configuration space: bumps
 * ConfigGeneration, InterruptStatus bit 1 and an edge. fail: the device met
 * a malformed request it cannot complete: sets DEVICE_NEEDS_RESET and, the
 * first time and if DRIVER_OK is set, sends a configuration change
 * interrupt. status: the Status register as the driver would read it.
 */
void virtio_mmio_notify_used(struct virtio_mmio *t, uint16_t queue);
void virtio_mmio_config_changed(struct virtio_mmio *t);
void virtio_mmio_fail(struct virtio_mmio *t);
uint32_t virtio_mmio_status(const struct virtio_mmio *t);

/* MMIO handlers; register a LAYOUT_VIRTIO_SIZE slot with ctx = the struct virtio_mmio. */
extern const struct mmio_ops virtio_mmio_ops;

#endif
