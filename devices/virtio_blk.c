// SPDX-License-Identifier: GPL-2.0-only
#include "devices/virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/log.h"

#define SECTOR_SHIFT 9
#define DISCARD_ALIGN_SECTORS 8 /* 4 KiB, the host's block and page size */
#define PROBE_LEN 4096

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

/* [sector, sector + nr) inside the disk, without overflow. */
static bool blk_range_ok(const struct virtio_blk *blk, uint64_t sector, uint64_t nr)
{
	return sector <= blk->capacity && nr <= blk->capacity - sector;
}

/* preadv/pwritev until done; a short read at EOF is an error. Returns 0 or -errno. */
static int blk_io_full(int fd, struct iovec *iov, int cnt, off_t off, bool write)
{
	ssize_t n;

	while (cnt > 0) {
		n = write ? pwritev(fd, iov, cnt, off) : preadv(fd, iov, cnt, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += n;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* IN / OUT: @len bytes at stream offset @off of @segs, to or from @sector. */
static uint8_t blk_rw(struct virtio_blk *blk, bool write, uint64_t sector,
		      const struct virtq_seg *segs, unsigned int nr, uint64_t off, uint64_t len,
		      struct iovec *iov)
{
	int cnt;

	if (len % VIRTIO_BLK_SECTOR_SIZE || !blk_range_ok(blk, sector, len >> SECTOR_SHIFT))
		return VIRTIO_BLK_S_IOERR;
	cnt = virtq_segs_iov(blk->cfg.mem, segs, nr, off, len, iov, VIRTQ_MAX_SIZE);
	if (cnt < 0)
		return VIRTIO_BLK_S_IOERR;
	if (blk_io_full(blk->cfg.fd, iov, cnt, (off_t)(sector << SECTOR_SHIFT), write))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* DISCARD / WRITE_ZEROES: all segments are checked before any is executed. */
static uint8_t blk_dwz(struct virtio_blk *blk, uint32_t type, const struct virtq_seg *segs,
		       unsigned int nr, uint64_t data_len)
{
	bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
	uint8_t raw[VIRTIO_BLK_MAX_DWZ_SEGS][VIRTIO_BLK_DWZ_SEG_SIZE];
	uint32_t count, i, nsect, flags;
	uint64_t sector;
	int mode;

	if (!(blk->features & VIRTIO_BIT(wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD)))
		return VIRTIO_BLK_S_UNSUPP;
	if (blk->cfg.read_only)
		return VIRTIO_BLK_S_IOERR;
	if (!data_len || data_len % VIRTIO_BLK_DWZ_SEG_SIZE ||
	    data_len / VIRTIO_BLK_DWZ_SEG_SIZE > VIRTIO_BLK_MAX_DWZ_SEGS)
		return VIRTIO_BLK_S_IOERR;
	count = (uint32_t)(data_len / VIRTIO_BLK_DWZ_SEG_SIZE);
	if (virtq_segs_read(blk->cfg.mem, segs, nr, VIRTIO_BLK_HDR_SIZE, raw, data_len))
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < count; i++) {
		flags = get_le32(raw[i] + 12);
		/* Unknown flags, or unmap on a discard: UNSUPP (5.2.6.2). */
		if (flags & ~(uint32_t)(wz ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0))
			return VIRTIO_BLK_S_UNSUPP;
		nsect = get_le32(raw[i] + 8);
		if (nsect > VIRTIO_BLK_MAX_DWZ_SECTORS ||
		    !blk_range_ok(blk, get_le64(raw[i]), nsect))
			return VIRTIO_BLK_S_IOERR;
	}
	mode = (wz ? FALLOC_FL_ZERO_RANGE : FALLOC_FL_PUNCH_HOLE) | FALLOC_FL_KEEP_SIZE;
	for (i = 0; i < count; i++) {
		sector = get_le64(raw[i]);
		nsect = get_le32(raw[i] + 8);
		if (!nsect)
			continue;
		if (fallocate(blk->cfg.fd, mode, (off_t)(sector << SECTOR_SHIFT),
			      (off_t)nsect << SECTOR_SHIFT))
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

int virtio_blk_handle(struct virtio_blk *blk, const struct virtq_seg *segs,
		      const struct virtq_chain *chain, struct iovec *iov, uint32_t *used_len)
{
	const struct virtq_seg *rd = segs, *wr = segs + chain->nr_readable;
	unsigned int nr_rd = chain->nr_readable, nr_wr = chain->nr_segs - chain->nr_readable;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE], status;
	uint64_t sector, status_off, written = 0;
	uint32_t type;

	*used_len = 0;
	__atomic_fetch_add(&blk->requests, 1, __ATOMIC_RELAXED);
	if (!chain->writable_len) {
		__atomic_fetch_add(&blk->malformed, 1, __ATOMIC_RELAXED);
		return -EBADMSG;
	}
	/* The status is the last writable byte; data in front of it. */
	status_off = chain->writable_len - 1;
	if (chain->readable_len < VIRTIO_BLK_HDR_SIZE ||
	    virtq_segs_read(blk->cfg.mem, rd, nr_rd, 0, hdr, sizeof(hdr))) {
		__atomic_fetch_add(&blk->malformed, 1, __ATOMIC_RELAXED);
		status = VIRTIO_BLK_S_IOERR;
		goto out;
	}
	type = get_le32(hdr);
	sector = get_le64(hdr + 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = blk_rw(blk, false, sector, wr, nr_wr, 0, status_off, iov);
		if (status == VIRTIO_BLK_S_OK)
			written = status_off;
		break;
	case VIRTIO_BLK_T_OUT:
		if (blk->cfg.read_only) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		status = blk_rw(blk, true, sector, rd, nr_rd, VIRTIO_BLK_HDR_SIZE,
				chain->readable_len - VIRTIO_BLK_HDR_SIZE, iov);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = fdatasync(blk->cfg.fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = status_off < VIRTIO_BLK_ID_BYTES ? status_off : VIRTIO_BLK_ID_BYTES;
		if (virtq_segs_write(blk->cfg.mem, wr, nr_wr, 0, blk->serial, written))
			written = 0;
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = blk_dwz(blk, type, rd, nr_rd, chain->readable_len - VIRTIO_BLK_HDR_SIZE);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
out:
	if (status == VIRTIO_BLK_S_IOERR)
		__atomic_fetch_add(&blk->io_errors, 1, __ATOMIC_RELAXED);
	else if (status == VIRTIO_BLK_S_UNSUPP)
		__atomic_fetch_add(&blk->unsupported, 1, __ATOMIC_RELAXED);
	/* Cannot fail: status_off < writable_len, and popped segments are in RAM. */
	virtq_segs_write(blk->cfg.mem, wr, nr_wr, status_off, &status, 1);
	*used_len = (uint32_t)written + 1;
	return status;
}

/*
 * Sleeps until the queue is kicked (when @kick) or the device stops.
 * Returns true when the worker must stop.
 */
static bool blk_wait(struct virtio_blk *blk, bool kick)
{
	struct pollfd pfd[2] = {{.fd = blk->stop_fd, .events = POLLIN},
				{.fd = blk->kick_fd, .events = POLLIN}};
	uint64_t v;

	for (;;) {
		if (poll(pfd, kick ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return true; /* cannot happen with valid fds; do not spin */
		}
		if (pfd[0].revents)
			return true;
		if (pfd[1].revents) {
			/* Another worker may have drained it first: EAGAIN is fine. */
			if (read(blk->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return true;
			return false;
		}
	}
}

/*
 * Serves requests until the device stops or fails (one activation). Each
 * request, from the pop to its interrupt, runs inside the work gate, so
 * a closed gate (pause, backing swap) means no request in flight.
 */
static void blk_work(struct virtio_blk_worker *w)
{
	struct virtio_blk *blk = w->blk;
	struct virtq *vq = virtio_mmio_queue(&blk->mmio, 0);
	struct virtq_chain chain;
	enum virtq_bad bad;
	uint32_t used_len;
	bool notify;
	int ret;

	while (work_gate_enter(&blk->gate, &blk->stopping)) {
		pthread_mutex_lock(&blk->vq_lock);
		ret = virtq_pop(vq, w->segs, VIRTQ_MAX_SIZE, &chain);
		if (ret == 0 && virtq_enable_notify(vq))
			ret = -EAGAIN; /* arrived while enabling: pop again */
		bad = vq->bad; /* the queue state is the lock's: read it here */
		pthread_mutex_unlock(&blk->vq_lock);
		if (ret == -EAGAIN) {
			work_gate_leave(&blk->gate);
			continue;
		}
		if (ret == 0) {
			work_gate_leave(&blk->gate);
			if (blk_wait(blk, true))
				break;
			continue;
		}
		if (ret == -EBADMSG) {
			__atomic_fetch_add(&blk->malformed, 1, __ATOMIC_RELAXED);
			virtio_mmio_fail(&blk->mmio);
			work_gate_leave(&blk->gate);
			log_debug("virtio-blk: %s: device needs reset", virtq_bad_str(bad));
			blk_wait(blk, false);
			break;
		}
		/* 1, or -ENOBUFS (cannot happen: the array holds a whole queue). */
		used_len = 0;
		if (ret == 1)
			ret = virtio_blk_handle(blk, w->segs, &chain, w->iov, &used_len);
		pthread_mutex_lock(&blk->vq_lock);
		virtq_push(vq, chain.head, used_len);
		notify = virtq_need_notify(vq);
		pthread_mutex_unlock(&blk->vq_lock);
		if (notify)
			virtio_mmio_notify_used(&blk->mmio, 0);
		if (ret < 0) {
			virtio_mmio_fail(&blk->mmio);
			work_gate_leave(&blk->gate);
			log_debug("virtio-blk: request without a status byte: device needs reset");
			blk_wait(blk, false);
			break;
		}
		work_gate_leave(&blk->gate);
	}
}

/*
 * A worker lives from init to destroy: created on the thread that builds the
 * VM (so a vCPU thread, which activates the device, never creates threads
 * and can be confined accordingly), it runs cfg.thread_init once, then parks
 * between activations.
 */
static void *blk_worker(void *arg)
{
	struct virtio_blk_worker *w = arg;
	struct virtio_blk *blk = w->blk;
	unsigned int seen = 0;
	bool exiting;

	int err = blk->cfg.thread_init ? blk->cfg.thread_init(blk->cfg.thread_ctx) : 0;

	/* init waits for this: a worker that could not confine itself never serves */
	pthread_mutex_lock(&blk->run_lock);
	blk->nr_init_done++;
	if (err && !blk->init_err)
		blk->init_err = err;
	pthread_cond_broadcast(&blk->run_cond);
	pthread_mutex_unlock(&blk->run_lock);
	if (err)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&blk->run_lock);
		blk->nr_parked++;
		pthread_cond_broadcast(&blk->run_cond);
		while (!blk->exiting && blk->generation == seen)
			pthread_cond_wait(&blk->run_cond, &blk->run_lock);
		blk->nr_parked--;
		seen = blk->generation;
		exiting = blk->exiting;
		pthread_mutex_unlock(&blk->run_lock);
		if (exiting)
			break;
		blk_work(w);
	}
	return NULL;
}

/* Parks the workers and empties the eventfds (transport lock held). */
static void blk_stop_workers(struct virtio_blk *blk)
{
	uint64_t v = 1;

	if (!blk->active)
		return;
	__atomic_store_n(&blk->stopping, true, __ATOMIC_RELEASE);
	if (write(blk->stop_fd, &v, sizeof(v)) < 0)
		log_err("virtio-blk: stop eventfd: %s", strerror(errno));
	work_gate_kick(&blk->gate); /* a worker waiting at a closed gate parks */
	pthread_mutex_lock(&blk->run_lock);
	while (blk->nr_parked < blk->nr_threads)
		pthread_cond_wait(&blk->run_cond, &blk->run_lock);
	pthread_mutex_unlock(&blk->run_lock);
	blk->active = false;
	/* Both eventfds back to empty for the next activation. */
	if (read(blk->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_err("virtio-blk: stop eventfd: %s", strerror(errno));
	if (read(blk->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_err("virtio-blk: kick eventfd: %s", strerror(errno));
}

static int blk_activate(void *ctx, uint64_t features)
{
	struct virtio_blk *blk = ctx;

	blk->features = features;
	__atomic_store_n(&blk->stopping, false, __ATOMIC_RELEASE);
	pthread_mutex_lock(&blk->run_lock);
	blk->generation++;
	pthread_cond_broadcast(&blk->run_cond);
	pthread_mutex_unlock(&blk->run_lock);
	blk->active = true;
	return 0;
}

static void blk_reset(void *ctx)
{
	struct virtio_blk *blk = ctx;

	blk_stop_workers(blk);
	blk->features = 0;
}

/* Ends and joins every worker (destroy, or a failed init). */
static void blk_join_workers(struct virtio_blk *blk)
{
	uint64_t v = 1;

	__atomic_store_n(&blk->stopping, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&blk->run_lock);
	blk->exiting = true;
	pthread_cond_broadcast(&blk->run_cond);
	pthread_mutex_unlock(&blk->run_lock);
	if (write(blk->stop_fd, &v, sizeof(v)) < 0)
		log_err("virtio-blk: stop eventfd: %s", strerror(errno));
	work_gate_kick(&blk->gate);
	for (unsigned int i = 0; i < blk->nr_threads; i++)
		pthread_join(blk->workers[i].thread, NULL);
	blk->nr_threads = 0;
}

static void blk_config_read(void *ctx, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_blk *blk = ctx;

	memcpy(data, blk->config + offset, len);
}

static const struct virtio_dev_ops virtio_blk_dev_ops = {
	.config_read = blk_config_read,
	.activate = blk_activate,
	.reset = blk_reset,
};

/*
 * Whether the file takes fallocate(@mode): tried past the end with
 * KEEP_SIZE, so the image's size and contents stay as they are; a block
 * ZERO_RANGE may allocate there is punched out again.
 */
static bool blk_probe_fallocate(int fd, int mode, off_t size)
{
	if (fallocate(fd, mode | FALLOC_FL_KEEP_SIZE, size, PROBE_LEN))
		return false;
	if (mode != FALLOC_FL_PUNCH_HOLE)
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, size, PROBE_LEN);
	return true;
}

static void blk_build_config(struct virtio_blk *blk, uint16_t queue_size)
{
	uint8_t *c = blk->config;

	memset(c, 0, sizeof(blk->config));
	put_le64(c + VIRTIO_BLK_CFG_CAPACITY, blk->capacity);
	/* Header and status take two of a chain's queue_size descriptors. */
	put_le32(c + VIRTIO_BLK_CFG_SEG_MAX, queue_size > 2 ? queue_size - 2u : 1u);
	put_le32(c + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR_SIZE);
	put_le32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, VIRTIO_BLK_MAX_DWZ_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, VIRTIO_BLK_MAX_DWZ_SEGS);
	put_le32(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, DISCARD_ALIGN_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, VIRTIO_BLK_MAX_DWZ_SECTORS);
	put_le32(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, VIRTIO_BLK_MAX_DWZ_SEGS);
	c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 0;
}

int virtio_blk_init(struct virtio_blk *blk, const struct virtio_blk_config *cfg)
{
	struct virtio_mmio_config mc;
	sigset_t all, saved;
	uint64_t features;
	off_t size;
	int ret;

	memset(blk, 0, sizeof(*blk));
	blk->kick_fd = -1;
	blk->stop_fd = -1;
	if (cfg->fd < 0 || !cfg->mem || cfg->nr_workers > VIRTIO_BLK_MAX_WORKERS)
		return -EINVAL;
	blk->cfg = *cfg;
	blk->cfg.serial = NULL; /* copied below; the caller's string need not live on */
	if (!blk->cfg.nr_workers)
		blk->cfg.nr_workers = VIRTIO_BLK_DEFAULT_WORKERS;
	if (!blk->cfg.queue_size)
		blk->cfg.queue_size = VIRTQ_MAX_SIZE;
	/* NUL padded, not necessarily terminated: 20 bytes exactly is allowed (5.2.6). */
	if (cfg->serial)
		memcpy(blk->serial, cfg->serial, strnlen(cfg->serial, sizeof(blk->serial)));

	size = lseek(cfg->fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	blk->capacity = (uint64_t)size >> SECTOR_SHIFT;
	if (!cfg->read_only) {
		blk->can_discard = blk_probe_fallocate(cfg->fd, FALLOC_FL_PUNCH_HOLE, size);
		blk->can_write_zeroes = blk_probe_fallocate(cfg->fd, FALLOC_FL_ZERO_RANGE, size);
	}
	blk_build_config(blk, blk->cfg.queue_size);

	features = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		   VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		   VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	if (cfg->read_only)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (blk->can_discard)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	if (blk->can_write_zeroes)
		features |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	blk->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (blk->kick_fd < 0)
		return -errno;
	blk->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (blk->stop_fd < 0) {
		ret = -errno;
		goto err_close_kick;
	}
	ret = pthread_mutex_init(&blk->vq_lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_close_stop;
	}
	ret = work_gate_init(&blk->gate);
	if (ret) {
		pthread_mutex_destroy(&blk->vq_lock);
		goto err_close_stop;
	}
	mc = (struct virtio_mmio_config){
		.mem = cfg->mem,
		.device_id = VIRTIO_ID_BLOCK,
		.num_queues = 1,
		.queue_num_max = blk->cfg.queue_size,
		.features = features,
		.config_size = VIRTIO_BLK_CONFIG_SIZE,
		.ops = &virtio_blk_dev_ops,
		.ctx = blk,
		.irq = cfg->irq,
	};
	ret = virtio_mmio_init(&blk->mmio, &mc);
	if (ret)
		goto err_destroy_lock;
	virtio_mmio_set_kick_fd(&blk->mmio, 0, blk->kick_fd);
	pthread_mutex_init(&blk->run_lock, NULL);
	pthread_cond_init(&blk->run_cond, NULL);
	/* Workers are born with every signal blocked: signals are for the VMM's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	for (unsigned int i = 0; i < blk->cfg.nr_workers; i++) {
		blk->workers[i].blk = blk;
		ret = -pthread_create(&blk->workers[i].thread, NULL, blk_worker, &blk->workers[i]);
		if (ret)
			break;
		blk->nr_threads = i + 1;
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (ret)
		log_err("virtio-blk: pthread_create: %s", strerror(-ret));
	pthread_mutex_lock(&blk->run_lock);
	while (blk->nr_init_done < blk->nr_threads)
		pthread_cond_wait(&blk->run_cond, &blk->run_lock);
	if (!ret && blk->init_err) {
		ret = blk->init_err;
		log_err("virtio-blk: worker thread set-up: %s", strerror(-ret));
	}
	pthread_mutex_unlock(&blk->run_lock);
	if (ret) {
		blk_join_workers(blk);
		pthread_cond_destroy(&blk->run_cond);
		pthread_mutex_destroy(&blk->run_lock);
		virtio_mmio_destroy(&blk->mmio);
		goto err_destroy_lock;
	}
	return 0;

err_destroy_lock:
	work_gate_destroy(&blk->gate);
	pthread_mutex_destroy(&blk->vq_lock);
err_close_stop:
	close(blk->stop_fd);
	blk->stop_fd = -1;
err_close_kick:
	close(blk->kick_fd);
	blk->kick_fd = -1;
	return ret;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (blk->kick_fd < 0)
		return;
	virtio_mmio_destroy(&blk->mmio);
	blk_join_workers(blk);
	pthread_cond_destroy(&blk->run_cond);
	pthread_mutex_destroy(&blk->run_lock);
	work_gate_destroy(&blk->gate);
	pthread_mutex_destroy(&blk->vq_lock);
	close(blk->stop_fd);
	close(blk->kick_fd);
	blk->stop_fd = -1;
	blk->kick_fd = -1;
}

void virtio_blk_pause(struct virtio_blk *blk)
{
	work_gate_close(&blk->gate);
}

void virtio_blk_resume(struct virtio_blk *blk)
{
	work_gate_open(&blk->gate);
}

int virtio_blk_set_backing(struct virtio_blk *blk, int fd, int *old_fd)
{
	off_t size;

	if (fd < 0)
		return -EBADF;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	/* No request in flight from here: none uses the old fd or capacity. */
	work_gate_close(&blk->gate);
	pthread_mutex_lock(&blk->mmio.lock);
	*old_fd = blk->cfg.fd;
	blk->cfg.fd = fd;
	blk->capacity = (uint64_t)size >> SECTOR_SHIFT;
	put_le64(blk->config + VIRTIO_BLK_CFG_CAPACITY, blk->capacity);
	/* In the lock with the new bytes: a driver reading the 8-byte capacity in two halves sees
	 * ConfigGeneration change if the update fell between them. */
	virtio_mmio_config_changed(&blk->mmio);
	pthread_mutex_unlock(&blk->mmio.lock);
	work_gate_open(&blk->gate);
	return 0;
}
