// SPDX-License-Identifier: GPL-2.0-only
#include "devices/virtio_mmio.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

#define VIRTIO_MMIO_NR_REGS (VIRTIO_MMIO_CONFIG / 4)
#define VIRTIO_STATUS_DRIVER_BITS                                                     \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK | \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_FAILED)

/*
 * A control register: read returns its value, write takes one (with its
 * offset, for handlers serving several registers). Both run with the lock
 * held; a NULL handler makes the register read as zero / ignore writes.
 */
struct virtio_mmio_reg {
	const char *name;
	uint32_t (*read)(struct virtio_mmio *t);
	void (*write)(struct virtio_mmio *t, uint32_t offset, uint32_t val);
};

/* Logs the 1st, 2nd, 4th, 8th, ... guest mistake: counted always, logged sparsely. */
static void virtio_mmio_ignored(struct virtio_mmio *t, const char *what, uint64_t offset)
{
	uint64_t n = ++t->ignored_accesses;

	if (!(n & (n - 1)))
		log_debug("virtio-mmio (device %u): ignored %s at 0x%llx (%llu so far)",
			  t->cfg.device_id, what, (unsigned long long)offset,
			  (unsigned long long)n);
}

static uint64_t virtio_mmio_offered(const struct virtio_mmio *t)
{
	return t->cfg.features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
}

/* Raises an interrupt of kind @bit: InterruptStatus first, then the edge. */
static void virtio_mmio_signal(struct virtio_mmio *t, uint32_t bit)
{
	uint64_t one = 1;

	__atomic_fetch_or(&t->interrupt_status, bit, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&t->interrupts, 1, __ATOMIC_RELAXED);
	if (t->irqfd >= 0) {
		/* Only EAGAIN (counter at its maximum) can fail: the edge is already pending. */
		if (write(t->irqfd, &one, sizeof(one)) < 0)
			log_debug("virtio-mmio: irqfd write failed");
		return;
	}
	irq_line_pulse(&t->cfg.irq);
}

static struct virtq *virtio_mmio_sel(struct virtio_mmio *t)
{
	if (t->queue_sel >= t->cfg.num_queues)
		return NULL;
	return &t->vqs[t->queue_sel];
}

/* Device reset (lock held): the device model first, so no worker runs while queues reset. */
static void virtio_mmio_reset_locked(struct virtio_mmio *t)
{
	uint16_t q;

	if (t->cfg.ops && t->cfg.ops->reset)
		t->cfg.ops->reset(t->cfg.ctx);
	t->active = false;
	for (q = 0; q < t->cfg.num_queues; q++)
		virtq_reset(&t->vqs[q]);
	t->device_features_sel = 0;
	t->driver_features_sel = 0;
	t->driver_features = 0;
	t->queue_sel = 0;
	__atomic_store_n(&t->status, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&t->interrupt_status, 0, __ATOMIC_SEQ_CST);
}

static bool virtio_mmio_features_acceptable(struct virtio_mmio *t)
{
	uint64_t f = t->driver_features;

	if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
		return false;
	if (f & ~virtio_mmio_offered(t))
		return false;
	if (t->cfg.ops && t->cfg.ops->features_ok && !t->cfg.ops->features_ok(t->cfg.ctx, f))
		return false;
	return true;
}

/* DRIVER_OK: hand the queues to the device model (lock held). */
static void virtio_mmio_activate(struct virtio_mmio *t)
{
	uint16_t q;
	int ret = 0;

	for (q = 0; q < t->cfg.num_queues; q++)
		virtq_set_features(&t->vqs[q], t->driver_features);
	if (t->cfg.ops && t->cfg.ops->activate)
		ret = t->cfg.ops->activate(t->cfg.ctx, t->driver_features);
	if (ret) {
		/* the guest can make it fail at will (bad rings): one line, not one per try */
		if (log_first(&t->activation_failures))
			log_warn("virtio-mmio (device %u): activation failed: %s (further "
				 "failures not logged)",
				 t->cfg.device_id, strerror(-ret));
		virtio_mmio_fail(t);
		return;
	}
	t->active = true;
}

static void reg_status_write(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	uint32_t cur = __atomic_load_n(&t->status, __ATOMIC_SEQ_CST);
	uint32_t prev = cur & VIRTIO_STATUS_DRIVER_BITS;
	uint32_t next = val & VIRTIO_STATUS_DRIVER_BITS;
	uint32_t added = next & ~prev;

	if (!val) {
		virtio_mmio_reset_locked(t);
		return;
	}
	if (prev & ~next) {
		virtio_mmio_ignored(t, "status write clearing bits", VIRTIO_MMIO_STATUS);
		return;
	}
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !virtio_mmio_features_acceptable(t)) {
		log_debug("virtio-mmio (device %u): FEATURES_OK refused for 0x%llx",
			  t->cfg.device_id, (unsigned long long)t->driver_features);
		next &= ~VIRTIO_STATUS_FEATURES_OK;
		added &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((added & VIRTIO_STATUS_DRIVER_OK) && !(next & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_mmio_ignored(t, "DRIVER_OK without FEATURES_OK", VIRTIO_MMIO_STATUS);
		next &= ~VIRTIO_STATUS_DRIVER_OK;
		added &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	/* Keep NEEDS_RESET, which a worker may set concurrently: or in the driver's bits. */
	__atomic_fetch_or(&t->status, next, __ATOMIC_SEQ_CST);
	if (added & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_activate(t);
}

static uint32_t reg_magic(struct virtio_mmio *t)
{
	return VIRTIO_MMIO_MAGIC;
}

static uint32_t reg_version(struct virtio_mmio *t)
{
	return VIRTIO_MMIO_VERSION_2;
}

static uint32_t reg_device_id(struct virtio_mmio *t)
{
	return t->cfg.device_id;
}

static uint32_t reg_vendor_id(struct virtio_mmio *t)
{
	return t->cfg.vendor_id;
}

static uint32_t reg_device_features(struct virtio_mmio *t)
{
	if (t->device_features_sel > 1)
		return 0;
	return (uint32_t)(virtio_mmio_offered(t) >> (32 * t->device_features_sel));
}

static void reg_device_features_sel(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	t->device_features_sel = val;
}

static bool virtio_mmio_features_locked(struct virtio_mmio *t)
{
	return __atomic_load_n(&t->status, __ATOMIC_SEQ_CST) & VIRTIO_STATUS_FEATURES_OK;
}

static void reg_driver_features(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	unsigned int shift;

	if (virtio_mmio_features_locked(t)) {
		virtio_mmio_ignored(t, "feature write after FEATURES_OK",
				    VIRTIO_MMIO_DRIVER_FEATURES);
		return;
	}
	/* Only two 32-bit words of features exist; other selectors are ignored. */
	if (t->driver_features_sel > 1)
		return;
	shift = 32 * t->driver_features_sel;
	t->driver_features &= ~(0xffffffffULL << shift);
	t->driver_features |= (uint64_t)val << shift;
}

static void reg_driver_features_sel(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	t->driver_features_sel = val;
}

static void reg_queue_sel(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	/* Checked here, once: nothing past this point sees an out-of-range index. */
	t->queue_sel = val < t->cfg.num_queues ? (uint16_t)val : VIRTIO_MMIO_NO_QUEUE;
}

static uint32_t reg_queue_num_max(struct virtio_mmio *t)
{
	return virtio_mmio_sel(t) ? t->cfg.queue_num_max : 0;
}

/* The selected queue when its configuration may still change, else NULL. */
static struct virtq *virtio_mmio_sel_config(struct virtio_mmio *t, uint32_t offset)
{
	struct virtq *vq = virtio_mmio_sel(t);

	if (!vq || vq->ready || t->active) {
		virtio_mmio_ignored(t, "queue setup write", offset);
		return NULL;
	}
	return vq;
}

static void reg_queue_num(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	struct virtq *vq = virtio_mmio_sel_config(t, VIRTIO_MMIO_QUEUE_NUM);

	/* Range checked by virtq_enable(); values above 16 bits can never be valid. */
	if (vq)
		vq->num = val > 0xffff ? 0 : (uint16_t)val;
}

static uint32_t reg_queue_ready(struct virtio_mmio *t)
{
	struct virtq *vq = virtio_mmio_sel(t);

	return vq && vq->ready;
}

static void reg_queue_ready_write(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	struct virtq *vq = virtio_mmio_sel(t);
	int ret;

	if (!vq || t->active) {
		virtio_mmio_ignored(t, "QueueReady write", VIRTIO_MMIO_QUEUE_READY);
		return;
	}
	if (!val) {
		virtq_disable(vq);
		return;
	}
	if (vq->ready)
		return;
	ret = virtq_enable(vq);
	if (ret) {
		log_debug("virtio-mmio (device %u): queue %u rejected: %s", t->cfg.device_id,
			  t->queue_sel, strerror(-ret));
		virtio_mmio_fail(t);
	}
}

static void reg_queue_notify(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	uint64_t one = 1;
	uint16_t q = (uint16_t)val; /* upper half: notification data, not negotiated */

	if (q >= t->cfg.num_queues || !t->active) {
		virtio_mmio_ignored(t, "QueueNotify", VIRTIO_MMIO_QUEUE_NOTIFY);
		return;
	}
	if (t->kick_fd[q] >= 0) {
		/* EAGAIN means the counter is already non-zero: the worker will wake. */
		if (write(t->kick_fd[q], &one, sizeof(one)) < 0)
			log_debug("virtio-mmio: kick eventfd write failed");
		return;
	}
	if (t->cfg.ops && t->cfg.ops->queue_notify)
		t->cfg.ops->queue_notify(t->cfg.ctx, q);
}

static uint32_t reg_interrupt_status(struct virtio_mmio *t)
{
	return __atomic_load_n(&t->interrupt_status, __ATOMIC_SEQ_CST);
}

static void reg_interrupt_ack(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	__atomic_fetch_and(&t->interrupt_status, ~val, __ATOMIC_SEQ_CST);
}

static uint32_t reg_status(struct virtio_mmio *t)
{
	return virtio_mmio_status(t);
}

/* QueueDesc/QueueDriver/QueueDevice Low/High: one half of a 64-bit ring address. */
static void reg_queue_addr(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	struct virtq *vq = virtio_mmio_sel_config(t, offset);
	bool high = offset & 4;
	gpa_t *addr;

	if (!vq)
		return;
	switch (offset & ~4u) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		addr = &vq->desc_gpa;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		addr = &vq->avail_gpa;
		break;
	default:
		addr = &vq->used_gpa;
		break;
	}
	if (high)
		*addr = (*addr & 0xffffffffULL) | ((uint64_t)val << 32);
	else
		*addr = (*addr & ~0xffffffffULL) | val;
}

static void reg_shm_sel(struct virtio_mmio *t, uint32_t offset, uint32_t val)
{
	/* No shared memory regions: every selector names a missing one. */
}

static uint32_t reg_shm_none(struct virtio_mmio *t)
{
	/* "Reading from a non-existent region ... results in a length of -1." */
	return 0xffffffff;
}

static uint32_t reg_config_generation(struct virtio_mmio *t)
{
	return __atomic_load_n(&t->config_generation, __ATOMIC_SEQ_CST);
}

#define REG(off, n, r, w) [(off) / 4] = {.name = n, .read = r, .write = w}

/* Every control register, indexed by offset / 4; holes are RAZ/WI. */
static const struct virtio_mmio_reg virtio_mmio_regs[VIRTIO_MMIO_NR_REGS] = {
	REG(VIRTIO_MMIO_MAGIC_VALUE, "MagicValue", reg_magic, NULL),
	REG(VIRTIO_MMIO_VERSION, "Version", reg_version, NULL),
	REG(VIRTIO_MMIO_DEVICE_ID, "DeviceID", reg_device_id, NULL),
	REG(VIRTIO_MMIO_VENDOR_ID, "VendorID", reg_vendor_id, NULL),
	REG(VIRTIO_MMIO_DEVICE_FEATURES, "DeviceFeatures", reg_device_features, NULL),
	REG(VIRTIO_MMIO_DEVICE_FEATURES_SEL, "DeviceFeaturesSel", NULL, reg_device_features_sel),
	REG(VIRTIO_MMIO_DRIVER_FEATURES, "DriverFeatures", NULL, reg_driver_features),
	REG(VIRTIO_MMIO_DRIVER_FEATURES_SEL, "DriverFeaturesSel", NULL, reg_driver_features_sel),
	REG(VIRTIO_MMIO_QUEUE_SEL, "QueueSel", NULL, reg_queue_sel),
	REG(VIRTIO_MMIO_QUEUE_NUM_MAX, "QueueNumMax", reg_queue_num_max, NULL),
	REG(VIRTIO_MMIO_QUEUE_NUM, "QueueNum", NULL, reg_queue_num),
	REG(VIRTIO_MMIO_QUEUE_READY, "QueueReady", reg_queue_ready, reg_queue_ready_write),
	REG(VIRTIO_MMIO_QUEUE_NOTIFY, "QueueNotify", NULL, reg_queue_notify),
	REG(VIRTIO_MMIO_INTERRUPT_STATUS, "InterruptStatus", reg_interrupt_status, NULL),
	REG(VIRTIO_MMIO_INTERRUPT_ACK, "InterruptACK", NULL, reg_interrupt_ack),
	REG(VIRTIO_MMIO_STATUS, "Status", reg_status, reg_status_write),
	REG(VIRTIO_MMIO_QUEUE_DESC_LOW, "QueueDescLow", NULL, reg_queue_addr),
	REG(VIRTIO_MMIO_QUEUE_DESC_HIGH, "QueueDescHigh", NULL, reg_queue_addr),
	REG(VIRTIO_MMIO_QUEUE_AVAIL_LOW, "QueueDriverLow", NULL, reg_queue_addr),
	REG(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, "QueueDriverHigh", NULL, reg_queue_addr),
	REG(VIRTIO_MMIO_QUEUE_USED_LOW, "QueueDeviceLow", NULL, reg_queue_addr),
	REG(VIRTIO_MMIO_QUEUE_USED_HIGH, "QueueDeviceHigh", NULL, reg_queue_addr),
	REG(VIRTIO_MMIO_SHM_SEL, "SHMSel", NULL, reg_shm_sel),
	REG(VIRTIO_MMIO_SHM_LEN_LOW, "SHMLenLow", reg_shm_none, NULL),
	REG(VIRTIO_MMIO_SHM_LEN_HIGH, "SHMLenHigh", reg_shm_none, NULL),
	REG(VIRTIO_MMIO_SHM_BASE_LOW, "SHMBaseLow", reg_shm_none, NULL),
	REG(VIRTIO_MMIO_SHM_BASE_HIGH, "SHMBaseHigh", reg_shm_none, NULL),
	REG(VIRTIO_MMIO_CONFIG_GENERATION, "ConfigGeneration", reg_config_generation, NULL),
};

/*
 * The one place guest accesses are checked: control registers want 32-bit
 * aligned accesses; configuration space any width inside config_size.
 * Returns the register for a control access, NULL otherwise (*config says
 * whether the access is a valid configuration space access).
 */
static const struct virtio_mmio_reg *virtio_mmio_decode(struct virtio_mmio *t, uint64_t offset,
							uint32_t len, bool *config)
{
	const struct virtio_mmio_reg *reg;

	*config = false;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		offset -= VIRTIO_MMIO_CONFIG;
		if (offset > t->cfg.config_size || len > t->cfg.config_size - offset) {
			virtio_mmio_ignored(t, "access beyond config space",
					    offset + VIRTIO_MMIO_CONFIG);
			return NULL;
		}
		*config = true;
		return NULL;
	}
	if (len != 4 || offset % 4) {
		virtio_mmio_ignored(t, "non-32-bit register access", offset);
		return NULL;
	}
	reg = &virtio_mmio_regs[offset / 4];
	if (!reg->name) {
		virtio_mmio_ignored(t, "access to a reserved register", offset);
		return NULL;
	}
	return reg;
}

static void virtio_mmio_read(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_mmio *t = ctx;
	const struct virtio_mmio_reg *reg;
	uint32_t val;
	bool config;

	memset(data, 0, len);
	pthread_mutex_lock(&t->lock);
	reg = virtio_mmio_decode(t, offset, len, &config);
	if (config) {
		if (t->cfg.ops && t->cfg.ops->config_read)
			t->cfg.ops->config_read(t->cfg.ctx, (uint32_t)(offset - VIRTIO_MMIO_CONFIG),
						data, len);
	} else if (reg && reg->read) {
		val = reg->read(t);
		data[0] = (uint8_t)val;
		data[1] = (uint8_t)(val >> 8);
		data[2] = (uint8_t)(val >> 16);
		data[3] = (uint8_t)(val >> 24);
	} else if (reg) {
		virtio_mmio_ignored(t, "read of a write-only register", offset);
	}
	pthread_mutex_unlock(&t->lock);
}

static void virtio_mmio_write(void *ctx, int vcpu, uint64_t offset, const uint8_t *data,
			      uint32_t len)
{
	struct virtio_mmio *t = ctx;
	const struct virtio_mmio_reg *reg;
	uint32_t val;
	bool config;

	pthread_mutex_lock(&t->lock);
	reg = virtio_mmio_decode(t, offset, len, &config);
	if (config) {
		if (t->cfg.ops && t->cfg.ops->config_write)
			t->cfg.ops->config_write(
				t->cfg.ctx, (uint32_t)(offset - VIRTIO_MMIO_CONFIG), data, len);
	} else if (reg && reg->write) {
		val = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
		      (uint32_t)data[3] << 24;
		reg->write(t, (uint32_t)offset, val);
	} else if (reg) {
		virtio_mmio_ignored(t, "write to a read-only register", offset);
	}
	pthread_mutex_unlock(&t->lock);
}

const struct mmio_ops virtio_mmio_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};

int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_config *cfg)
{
	uint16_t q;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!cfg->mem || !cfg->num_queues || cfg->num_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    cfg->config_size > VIRTIO_MMIO_CONFIG_MAX)
		return -EINVAL;
	for (q = 0; q < cfg->num_queues; q++) {
		ret = virtq_init(&t->vqs[q], cfg->mem, cfg->queue_num_max);
		if (ret)
			return ret;
	}
	ret = pthread_mutex_init(&t->lock, NULL);
	if (ret)
		return -ret;
	t->cfg = *cfg;
	if (!t->cfg.vendor_id)
		t->cfg.vendor_id = VIRTIO_MMIO_VENDOR_KESTREL;
	t->irqfd = -1;
	for (q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		t->kick_fd[q] = -1;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	virtio_mmio_reset_locked(t);
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_destroy(&t->lock);
}

void virtio_mmio_reset(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	virtio_mmio_reset_locked(t);
	pthread_mutex_unlock(&t->lock);
}

int virtio_mmio_set_kick_fd(struct virtio_mmio *t, uint16_t queue, int fd)
{
	if (queue >= t->cfg.num_queues)
		return -EINVAL;
	t->kick_fd[queue] = fd < 0 ? -1 : fd;
	return 0;
}

int virtio_mmio_kick_fd(const struct virtio_mmio *t, uint16_t queue)
{
	if (queue >= t->cfg.num_queues || t->kick_fd[queue] < 0)
		return -ENOENT;
	return t->kick_fd[queue];
}

void virtio_mmio_set_irqfd(struct virtio_mmio *t, int fd)
{
	t->irqfd = fd < 0 ? -1 : fd;
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *t, uint16_t queue)
{
	if (queue >= t->cfg.num_queues)
		return NULL;
	return &t->vqs[queue];
}

void virtio_mmio_notify_used(struct virtio_mmio *t, uint16_t queue)
{
	virtio_mmio_signal(t, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	__atomic_fetch_add(&t->config_generation, 1, __ATOMIC_SEQ_CST);
	virtio_mmio_signal(t, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_fail(struct virtio_mmio *t)
{
	uint32_t old = __atomic_fetch_or(&t->status, VIRTIO_STATUS_NEEDS_RESET, __ATOMIC_SEQ_CST);

	if (old & VIRTIO_STATUS_NEEDS_RESET)
		return;
	log_debug("virtio-mmio (device %u): device needs reset", t->cfg.device_id);
	if (old & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_signal(t, VIRTIO_MMIO_INT_CONFIG);
}

uint32_t virtio_mmio_status(const struct virtio_mmio *t)
{
	return __atomic_load_n(&t->status, __ATOMIC_SEQ_CST);
}
