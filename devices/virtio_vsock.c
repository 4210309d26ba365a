// SPDX-License-Identifier: GPL-2.0-only
#include "devices/virtio_vsock.h"

#include <endian.h>
#include <errno.h>
#include <linux/vhost.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/log.h"

/* The ring and transport features the device may offer besides the vsock ones. */
#define VSOCK_RING_FEATURES                                                     \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | \
	 VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC))

/*
 * One vhost ioctl: 0, or -errno logged with the ioctl's name (and queue, when
 * @queue >= 0). @vs may be NULL (host set-up); otherwise failures are counted.
 */
static int vhost_call(struct virtio_vsock *vs, int fd, unsigned long req, const char *name,
		      int queue, void *arg)
{
	int err;

	if (ioctl(fd, req, arg) == 0)
		return 0;
	err = errno;
	/*
	 * On a device (activation, reset) the guest chose the rings vhost
	 * refuses: only the first failure is logged, the rest counted.
	 */
	if (vs && log_count(&vs->vhost_errors) != 1)
		return -err;
	if (queue >= 0)
		log_err("virtio-vsock: %s (queue %d): %s", name, queue, strerror(err));
	else
		log_err("virtio-vsock: %s: %s", name, strerror(err));
	return -err;
}

#define VHOST(vs, req, queue, arg) vhost_call((vs), (vs)->host.fd, (req), #req, (queue), (arg))

int virtio_vsock_host_init(struct virtio_vsock_host *host, int vhost_fd, uint64_t cid)
{
	uint64_t features;
	int ret;

	memset(host, 0, sizeof(*host));
	host->fd = -1;
	if (vhost_fd < 0)
		return -EINVAL;
	ret = vhost_call(NULL, vhost_fd, VHOST_SET_OWNER, "VHOST_SET_OWNER", -1, NULL);
	if (!ret)
		ret = vhost_call(NULL, vhost_fd, VHOST_GET_FEATURES, "VHOST_GET_FEATURES", -1,
				 &features);
	/* Keep -EADDRINUSE and -EINVAL meaning what SET_GUEST_CID says about the CID. */
	if (ret)
		return ret == -EADDRINUSE || ret == -EINVAL ? -EIO : ret;
	if (!(features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		log_err("virtio-vsock: vhost-vsock does not offer VIRTIO_F_VERSION_1 (0x%llx)",
			(unsigned long long)features);
		return -ENOTSUP;
	}
	/* Not through vhost_call: EADDRINUSE is the caller's message, not a log line. */
	if (ioctl(vhost_fd, VHOST_VSOCK_SET_GUEST_CID, &cid)) {
		ret = -errno;
		if (ret != -EADDRINUSE && ret != -EINVAL)
			log_err("virtio-vsock: VHOST_VSOCK_SET_GUEST_CID(%llu): %s",
				(unsigned long long)cid, strerror(-ret));
		return ret;
	}
	host->fd = vhost_fd;
	host->cid = cid;
	host->features = features & (VSOCK_RING_FEATURES | VIRTIO_VSOCK_DEVICE_FEATURES);
	return 0;
}

static void vsock_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("virtio-vsock: eventfd read: %s", strerror(errno));
}

/* The forwarder: call eventfd (vhost used buffers) -> InterruptStatus + edge. */
static void *vsock_forwarder(void *arg)
{
	struct virtio_vsock *vs = arg;
	struct pollfd pfd[2] = {
		{.fd = vs->stop_fd, .events = POLLIN},
		{.fd = vs->call_fd, .events = POLLIN},
	};
	int ret;

	ret = vs->cfg.thread_init ? vs->cfg.thread_init(vs->cfg.thread_ctx) : 0;
	/* init waits for this: a forwarder that could not confine itself never runs */
	pthread_mutex_lock(&vs->lock);
	vs->init_err = ret;
	vs->init_done = true;
	pthread_cond_broadcast(&vs->init_cond);
	pthread_mutex_unlock(&vs->lock);
	if (ret) {
		__atomic_store_n(&vs->thread_dead, true, __ATOMIC_SEQ_CST);
		return NULL;
	}
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("virtio-vsock: poll: %s", strerror(errno));
			__atomic_store_n(&vs->thread_dead, true, __ATOMIC_SEQ_CST);
			return NULL;
		}
		if (pfd[0].revents)
			return NULL;
		if (!pfd[1].revents)
			continue;
		vsock_drain(vs->call_fd);
		pthread_mutex_lock(&vs->lock);
		if (vs->running && vs->paused) {
			vs->irq_held = true; /* raised by virtio_vsock_resume() */
		} else if (vs->running) {
			__atomic_fetch_add(&vs->interrupts, 1, __ATOMIC_RELAXED);
			virtio_mmio_notify_used(&vs->mmio, VIRTIO_VSOCK_RXQ);
		}
		pthread_mutex_unlock(&vs->lock);
	}
}

/* Host addresses of @q's three areas, checked against guest RAM once more. */
static int vsock_vring_addr(struct virtio_vsock *vs, uint16_t q, struct vhost_vring_addr *a)
{
	const struct virtq *vq = virtio_mmio_queue(&vs->mmio, q);
	void *desc, *avail, *used;

	desc = guest_mem_ptr(vs->cfg.mem, vq->desc_gpa, VIRTQ_DESC_BYTES(vq->num));
	avail = guest_mem_ptr(vs->cfg.mem, vq->avail_gpa, VIRTQ_AVAIL_BYTES(vq->num));
	used = guest_mem_ptr(vs->cfg.mem, vq->used_gpa, VIRTQ_USED_BYTES(vq->num));
	if (!desc || !avail || !used) {
		log_debug("virtio-vsock: queue %u rings outside guest RAM", q);
		return -EFAULT;
	}
	memset(a, 0, sizeof(*a));
	a->index = q;
	a->desc_user_addr = (uint64_t)(uintptr_t)desc;
	a->avail_user_addr = (uint64_t)(uintptr_t)avail;
	a->used_user_addr = (uint64_t)(uintptr_t)used;
	return 0;
}

/* Hands queue @q to vhost. Returns 0 or -errno (logged). */
static int vsock_setup_vring(struct virtio_vsock *vs, uint16_t q)
{
	const struct virtq *vq = virtio_mmio_queue(&vs->mmio, q);
	struct vhost_vring_state num = {.index = q, .num = vq->num};
	struct vhost_vring_state base = {.index = q, .num = 0};
	struct vhost_vring_file kick = {.index = q, .fd = vs->kick_fd[q]};
	struct vhost_vring_file call = {.index = q, .fd = vs->call_fd};
	struct vhost_vring_addr addr;
	int ret;

	if (!vq->ready) {
		log_debug("virtio-vsock: DRIVER_OK with queue %u not ready", q);
		return -EINVAL;
	}
	ret = vsock_vring_addr(vs, q, &addr);
	if (!ret)
		ret = VHOST(vs, VHOST_SET_VRING_NUM, q, &num);
	if (!ret)
		ret = VHOST(vs, VHOST_SET_VRING_BASE, q, &base);
	if (!ret)
		ret = VHOST(vs, VHOST_SET_VRING_ADDR, q, &addr);
	if (!ret) {
		vs->bound = true;
		ret = VHOST(vs, VHOST_SET_VRING_KICK, q, &kick);
	}
	if (!ret)
		ret = VHOST(vs, VHOST_SET_VRING_CALL, q, &call);
	return ret;
}

static int vsock_activate(void *ctx, uint64_t features)
{
	struct virtio_vsock *vs = ctx;
	union {
		struct vhost_memory m;
		uint8_t bytes[sizeof(struct vhost_memory) + sizeof(struct vhost_memory_region)];
	} table;
	int running = 1;
	int ret;
	uint16_t q;

	if (__atomic_load_n(&vs->thread_dead, __ATOMIC_SEQ_CST)) {
		log_err("virtio-vsock: no forwarder thread: the device cannot interrupt");
		return -EIO;
	}
	memset(&table, 0, sizeof(table));
	table.m.nregions = 1;
	table.m.regions[0].guest_phys_addr = vs->cfg.mem->base;
	table.m.regions[0].memory_size = vs->cfg.mem->size;
	table.m.regions[0].userspace_addr = (uint64_t)(uintptr_t)vs->cfg.mem->host;

	ret = VHOST(vs, VHOST_SET_FEATURES, -1, &features);
	if (!ret)
		ret = VHOST(vs, VHOST_SET_MEM_TABLE, -1, &table.m);
	for (q = 0; !ret && q < VIRTIO_VSOCK_NR_VHOST_QUEUES; q++)
		ret = vsock_setup_vring(vs, q);
	if (ret)
		return ret;
	pthread_mutex_lock(&vs->lock);
	ret = VHOST(vs, VHOST_VSOCK_SET_RUNNING, -1, &running);
	vs->running = !ret;
	pthread_mutex_unlock(&vs->lock);
	if (!ret)
		log_debug("virtio-vsock: cid %llu running, features 0x%llx",
			  (unsigned long long)vs->host.cid, (unsigned long long)features);
	return ret;
}

static void vsock_reset(void *ctx)
{
	struct virtio_vsock *vs = ctx;
	int running = 0;

	pthread_mutex_lock(&vs->lock);
	if (vs->running) {
		/* Failure leaves vhost running on rings nobody reads: logged, nothing else to do. */
		VHOST(vs, VHOST_VSOCK_SET_RUNNING, -1, &running);
		vs->running = false;
	}
	vs->paused = false;
	vs->irq_held = false;
	pthread_mutex_unlock(&vs->lock);
	vsock_drain(vs->call_fd);
	vsock_drain(vs->kick_fd[VIRTIO_VSOCK_RXQ]);
	vsock_drain(vs->kick_fd[VIRTIO_VSOCK_TXQ]);
}

static void vsock_config_read(void *ctx, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_vsock *vs = ctx;

	memcpy(data, vs->config + offset, len);
}

/* No queue_notify: only the event queue has no kick fd, and it has nothing to do. */
static const struct virtio_dev_ops virtio_vsock_dev_ops = {
	.config_read = vsock_config_read,
	.activate = vsock_activate,
	.reset = vsock_reset,
};

static void vsock_close_fds(struct virtio_vsock *vs)
{
	int *fds[] = {&vs->kick_fd[0], &vs->kick_fd[1], &vs->call_fd, &vs->stop_fd};

	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int vsock_eventfd(int *fd)
{
	*fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int virtio_vsock_init(struct virtio_vsock *vs, const struct virtio_vsock_config *cfg)
{
	struct virtio_mmio_config mc;
	sigset_t all, saved;
	uint64_t cid_le;
	int ret;

	memset(vs, 0, sizeof(*vs));
	vs->kick_fd[0] = vs->kick_fd[1] = vs->call_fd = vs->stop_fd = -1;
	if (!cfg->mem || !cfg->host || cfg->host->fd < 0)
		return -EINVAL;
	vs->cfg = *cfg;
	vs->host = *cfg->host;
	vs->cfg.host = &vs->host;
	if (!vs->cfg.queue_size)
		vs->cfg.queue_size = VIRTQ_MAX_SIZE;
	cid_le = htole64(vs->host.cid);
	memcpy(vs->config, &cid_le, sizeof(cid_le));

	ret = vsock_eventfd(&vs->kick_fd[0]);
	if (!ret)
		ret = vsock_eventfd(&vs->kick_fd[1]);
	if (!ret)
		ret = vsock_eventfd(&vs->call_fd);
	if (!ret)
		ret = vsock_eventfd(&vs->stop_fd);
	if (ret)
		goto err_close;
	ret = -pthread_mutex_init(&vs->lock, NULL);
	if (ret)
		goto err_close;
	ret = -pthread_cond_init(&vs->init_cond, NULL);
	if (ret) {
		pthread_mutex_destroy(&vs->lock);
		goto err_close;
	}
	mc = (struct virtio_mmio_config){
		.mem = cfg->mem,
		.device_id = VIRTIO_ID_VSOCK,
		.num_queues = VIRTIO_VSOCK_NR_QUEUES,
		.queue_num_max = vs->cfg.queue_size,
		.features = vs->host.features,
		.config_size = VIRTIO_VSOCK_CONFIG_SIZE,
		.ops = &virtio_vsock_dev_ops,
		.ctx = vs,
		.irq = cfg->irq,
	};
	ret = virtio_mmio_init(&vs->mmio, &mc);
	if (ret)
		goto err_mutex;
	virtio_mmio_set_kick_fd(&vs->mmio, VIRTIO_VSOCK_RXQ, vs->kick_fd[VIRTIO_VSOCK_RXQ]);
	virtio_mmio_set_kick_fd(&vs->mmio, VIRTIO_VSOCK_TXQ, vs->kick_fd[VIRTIO_VSOCK_TXQ]);

	/* Born with every signal blocked: signals are for the VMM's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	ret = -pthread_create(&vs->thread, NULL, vsock_forwarder, vs);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (ret) {
		log_err("virtio-vsock: pthread_create: %s", strerror(-ret));
		goto err_mmio;
	}
	pthread_mutex_lock(&vs->lock);
	while (!vs->init_done)
		pthread_cond_wait(&vs->init_cond, &vs->lock);
	ret = vs->init_err;
	pthread_mutex_unlock(&vs->lock);
	if (ret) {
		log_err("virtio-vsock: forwarder thread set-up: %s", strerror(-ret));
		pthread_join(vs->thread, NULL);
		goto err_mmio;
	}
	vs->thread_started = true;
	return 0;

err_mmio:
	virtio_mmio_destroy(&vs->mmio);
err_mutex:
	pthread_cond_destroy(&vs->init_cond);
	pthread_mutex_destroy(&vs->lock);
err_close:
	vsock_close_fds(vs);
	return ret;
}

void virtio_vsock_destroy(struct virtio_vsock *vs)
{
	struct vhost_vring_file unbind;
	uint64_t one = 1;
	uint16_t q;

	if (vs->thread_started) {
		if (write(vs->stop_fd, &one, sizeof(one)) < 0)
			log_err("virtio-vsock: stop eventfd: %s", strerror(errno));
		pthread_join(vs->thread, NULL);
		vs->thread_started = false;
	}
	virtio_mmio_destroy(&vs->mmio); /* reset: vhost stops */
	/* vhost holds references to our eventfds until told otherwise. */
	for (q = 0; vs->bound && q < VIRTIO_VSOCK_NR_VHOST_QUEUES; q++) {
		unbind = (struct vhost_vring_file){.index = q, .fd = VHOST_FILE_UNBIND};
		VHOST(vs, VHOST_SET_VRING_KICK, q, &unbind);
		VHOST(vs, VHOST_SET_VRING_CALL, q, &unbind);
	}
	vs->bound = false;
	pthread_cond_destroy(&vs->init_cond);
	pthread_mutex_destroy(&vs->lock);
	vsock_close_fds(vs);
}

void virtio_vsock_pause(struct virtio_vsock *vs)
{
	int running = 0;

	pthread_mutex_lock(&vs->lock);
	if (vs->running && !vs->paused) {
		VHOST(vs, VHOST_VSOCK_SET_RUNNING, -1, &running);
		vs->paused = true;
	}
	pthread_mutex_unlock(&vs->lock);
}

void virtio_vsock_resume(struct virtio_vsock *vs)
{
	int running = 1;

	pthread_mutex_lock(&vs->lock);
	if (vs->running && vs->paused) {
		VHOST(vs, VHOST_VSOCK_SET_RUNNING, -1, &running);
		vs->paused = false;
		if (vs->irq_held) {
			vs->irq_held = false;
			__atomic_fetch_add(&vs->interrupts, 1, __ATOMIC_RELAXED);
			virtio_mmio_notify_used(&vs->mmio, VIRTIO_VSOCK_RXQ);
		}
	}
	pthread_mutex_unlock(&vs->lock);
}
