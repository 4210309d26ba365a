// SPDX-License-Identifier: GPL-2.0-only
#include "devices/virtio_rng.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "lib/log.h"

ssize_t virtio_rng_getrandom(void *ctx, void *buf, size_t len)
{
	ssize_t n = getrandom(buf, len, 0);

	return n < 0 ? -errno : n;
}

/* Fills [p, p + len) as far as the source allows; returns the bytes written. */
static uint32_t rng_fill(struct virtio_rng *rng, uint8_t *p, uint32_t len)
{
	uint32_t done = 0;
	ssize_t n;

	while (done < len) {
		n = rng->cfg.fill(rng->cfg.fill_ctx, p + done, len - done);
		if (n == -EINTR)
			continue;
		if (n <= 0 || (size_t)n > len - done)
			break;
		done += (uint32_t)n;
	}
	return done;
}

/* Serves every available request (transport lock held). */
static void rng_process(struct virtio_rng *rng)
{
	struct virtq *vq = virtio_mmio_queue(&rng->mmio, 0);
	struct virtq_chain chain;
	uint32_t len, want, got;
	bool pushed = false;
	unsigned int i;
	uint8_t *p;
	int ret;

	for (;;) {
		ret = virtq_pop(vq, rng->segs, VIRTQ_MAX_SIZE, &chain);
		if (ret == 0) {
			if (virtq_enable_notify(vq))
				continue;
			break;
		}
		if (ret == -EBADMSG) {
			log_debug("virtio-rng: %s: device needs reset", virtq_bad_str(vq->bad));
			virtio_mmio_fail(&rng->mmio);
			break;
		}
		len = 0;
		for (i = chain.nr_readable; ret == 1 && i < chain.nr_segs; i++) {
			want = rng->segs[i].len;
			if (want > VIRTIO_RNG_MAX_REQUEST - len)
				want = VIRTIO_RNG_MAX_REQUEST - len;
			if (!want)
				break;
			/* Checked by virtq_pop(): in guest RAM. */
			p = guest_mem_ptr(rng->cfg.mem, rng->segs[i].gpa, want);
			if (!p)
				break;
			got = rng_fill(rng, p, want);
			len += got;
			if (got < want)
				break;
		}
		virtq_push(vq, chain.head, len);
		rng->requests++;
		rng->bytes += len;
		pushed = true;
	}
	if (pushed && virtq_need_notify(vq))
		virtio_mmio_notify_used(&rng->mmio, 0);
}

static int rng_activate(void *ctx, uint64_t features)
{
	rng_process(ctx);
	return 0;
}

static void rng_queue_notify(void *ctx, uint16_t queue)
{
	rng_process(ctx);
}

static const struct virtio_dev_ops virtio_rng_dev_ops = {
	.activate = rng_activate,
	.queue_notify = rng_queue_notify,
};

int virtio_rng_init(struct virtio_rng *rng, const struct virtio_rng_config *cfg)
{
	struct virtio_mmio_config mc;

	memset(rng, 0, sizeof(*rng));
	if (!cfg->mem)
		return -EINVAL;
	rng->cfg = *cfg;
	if (!rng->cfg.fill)
		rng->cfg.fill = virtio_rng_getrandom;
	if (!rng->cfg.queue_size)
		rng->cfg.queue_size = VIRTQ_MAX_SIZE;
	mc = (struct virtio_mmio_config){
		.mem = cfg->mem,
		.device_id = VIRTIO_ID_RNG,
		.num_queues = 1,
		.queue_num_max = rng->cfg.queue_size,
		.features = VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
			    VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX),
		.config_size = 0,
		.ops = &virtio_rng_dev_ops,
		.ctx = rng,
		.irq = cfg->irq,
	};
	return virtio_mmio_init(&rng->mmio, &mc);
}

void virtio_rng_destroy(struct virtio_rng *rng)
{
	virtio_mmio_destroy(&rng->mmio);
}
