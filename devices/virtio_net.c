// SPDX-License-Identifier: GPL-2.0-only
#include "devices/virtio_net.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/log.h"

enum { NET_PFD_STOP, NET_PFD_RX_KICK, NET_PFD_TX_KICK, NET_PFD_TAP, NET_NR_PFDS };

/* The worker's view of the tap between passes. */
struct net_state {
	bool rx_wait_kick; /* no rx buffers: ignore the tap until the guest kicks */
	bool tx_blocked; /* the tap refused a frame: wait until it is writable */
	bool tap_dead; /* the tap hung up or failed: stop polling it */
	bool more; /* a pass stopped at its budget: poll without sleeping */
};

static void net_drop(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Sends one tx chain. Returns false when the tap would block (retry later). */
static bool net_tx_one(struct virtio_net *net, const struct virtq_chain *c)
{
	uint64_t skip = net->cfg.vnet_hdr ? 0 : VIRTIO_NET_HDR_SIZE;
	ssize_t n;
	int cnt;

	/* Shorter than the header, or only the header (an empty frame): dropped. */
	if (c->readable_len <= VIRTIO_NET_HDR_SIZE) {
		net_drop(&net->tx_dropped);
		return true;
	}
	cnt = virtq_segs_iov(net->cfg.mem, net->segs, c->nr_readable, skip, c->readable_len - skip,
			     net->iov, VIRTQ_MAX_SIZE);
	if (cnt < 0) {
		net_drop(&net->tx_dropped);
		return true;
	}
	do {
		n = writev(net->cfg.tap_fd, net->iov, cnt);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	if (n < 0) {
		/* The tap refused this frame (too big, bad GSO header): drop it. */
		net_drop(&net->tx_dropped);
		return true;
	}
	__atomic_fetch_add(&net->tx_packets, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&net->tx_bytes, (uint64_t)n, __ATOMIC_RELAXED);
	return true;
}

/*
 * Transmits up to a queue's worth of chains. With the tap gone every chain
 * is dropped (and counted) so the guest's transmit queue keeps moving.
 * Returns 0 or -EBADMSG.
 */
static int net_tx(struct virtio_net *net, struct net_state *st)
{
	struct virtq *vq = virtio_mmio_queue(&net->mmio, VIRTIO_NET_TXQ);
	unsigned int budget = vq->num;
	struct virtq_chain chain;
	bool pushed = false;
	int ret;

	if (st->tx_blocked)
		return 0;
	virtq_disable_notify(vq);
	for (;;) {
		if (!budget--) {
			st->more = true;
			break;
		}
		ret = virtq_pop(vq, net->segs, VIRTQ_MAX_SIZE, &chain);
		if (ret == 0) {
			if (virtq_enable_notify(vq))
				continue;
			break;
		}
		if (ret == -EBADMSG)
			return ret;
		if (ret == 1 && st->tap_dead)
			net_drop(&net->tx_dropped);
		else if (ret == 1 && !net_tx_one(net, &chain)) {
			virtq_unpop(vq);
			st->tx_blocked = true;
			break;
		}
		virtq_push(vq, chain.head, 0);
		pushed = true;
	}
	if (pushed && virtq_need_notify(vq))
		virtio_mmio_notify_used(&net->mmio, VIRTIO_NET_TXQ);
	return 0;
}

/*
 * Receives one packet into an rx chain. Returns 1 when the chain was used
 * (*@len set, 0 for a dropped packet), 0 when the tap had nothing, 2 when the
 * packet was too big for the chain and dropped (both: the chain is put back).
 */
static int net_rx_one(struct virtio_net *net, struct net_state *st, const struct virtq_chain *c,
		      uint32_t *len)
{
	const struct virtq_seg *wr = net->segs + c->nr_readable;
	unsigned int nr_wr = c->nr_segs - c->nr_readable;
	uint64_t skip = net->cfg.vnet_hdr ? 0 : VIRTIO_NET_HDR_SIZE;
	uint8_t hdr[VIRTIO_NET_HDR_SIZE] = {0};
	uint16_t one = htole16(1);
	ssize_t n;
	int cnt;

	*len = 0;
	cnt = virtq_segs_iov(net->cfg.mem, wr, nr_wr, skip, c->writable_len - skip, net->iov,
			     VIRTQ_MAX_SIZE);
	if (cnt < 0)
		return 1; /* not even room for the header: give the buffer back empty */
	/*
	 * The tap clamps a read to the iovec: what does not fit the guest's
	 * buffer lands in the overflow area behind it, so a frame too big for
	 * the buffer shows as a length past the buffer and is dropped, never
	 * delivered truncated.
	 */
	net->iov[cnt].iov_base = net->rx_overflow;
	net->iov[cnt].iov_len = sizeof(net->rx_overflow);
	do {
		n = readv(net->cfg.tap_fd, net->iov, cnt + 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		/* EOF or an error on the tap: stop polling it rather than spin. */
		log_warn("virtio-net: tap read failed (%s), rx stops",
			 n ? strerror(errno) : "end of file");
		st->tap_dead = true;
		st->tx_blocked = false; /* tx drops from now on */
		return 0;
	}
	if ((uint64_t)n > c->writable_len - skip) {
		net_drop(&net->rx_dropped);
		net_drop(&net->rx_oversize);
		return 2;
	}
	if (net->cfg.vnet_hdr) {
		if (n < VIRTIO_NET_HDR_SIZE) {
			net_drop(&net->rx_dropped);
			return 1;
		}
		/* The tap writes the first 10 bytes; num_buffers is ours (no MRG_RXBUF: 1). */
		virtq_segs_write(net->cfg.mem, wr, nr_wr, VIRTIO_NET_HDR_NUM_BUFFERS, &one, 2);
	} else {
		memcpy(hdr + VIRTIO_NET_HDR_NUM_BUFFERS, &one, 2);
		virtq_segs_write(net->cfg.mem, wr, nr_wr, 0, hdr, sizeof(hdr));
		n += VIRTIO_NET_HDR_SIZE;
	}
	*len = (uint32_t)n;
	__atomic_fetch_add(&net->rx_packets, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&net->rx_bytes, (uint64_t)n, __ATOMIC_RELAXED);
	return 1;
}

/* Receives up to a queue's worth of packets. Returns 0 or -EBADMSG. */
static int net_rx(struct virtio_net *net, struct net_state *st)
{
	struct virtq *vq = virtio_mmio_queue(&net->mmio, VIRTIO_NET_RXQ);
	unsigned int budget = vq->num;
	struct virtq_chain chain;
	bool pushed = false;
	uint32_t len;
	int ret;

	if (st->rx_wait_kick || st->tap_dead)
		return 0;
	for (;;) {
		if (!budget--) {
			st->more = true;
			break;
		}
		ret = virtq_pop(vq, net->segs, VIRTQ_MAX_SIZE, &chain);
		if (ret == 0) {
			if (virtq_enable_notify(vq))
				continue;
			st->rx_wait_kick = true;
			break;
		}
		if (ret == -EBADMSG)
			return ret;
		len = 0;
		if (ret == 1 && chain.writable_len < VIRTIO_NET_HDR_SIZE)
			net_drop(&net->rx_dropped); /* unusable buffer: back, empty */
		else if (ret == 1) {
			ret = net_rx_one(net, st, &chain, &len);
			if (ret != 1)
				virtq_unpop(vq);
			if (ret == 2)
				continue; /* the chain waits for the next packet */
			if (!ret)
				break;
		}
		virtq_push(vq, chain.head, len);
		pushed = true;
	}
	if (pushed && virtq_need_notify(vq))
		virtio_mmio_notify_used(&net->mmio, VIRTIO_NET_RXQ);
	return 0;
}

static void net_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("virtio-net: eventfd read: %s", strerror(errno));
}

/* Sleeps until something to do (or not at all when @st->more). Returns true to stop. */
static bool net_wait(struct virtio_net *net, struct net_state *st)
{
	struct pollfd pfd[NET_NR_PFDS] = {
		[NET_PFD_STOP] = {.fd = net->stop_fd, .events = POLLIN},
		[NET_PFD_RX_KICK] = {.fd = net->kick_fd[VIRTIO_NET_RXQ], .events = POLLIN},
		[NET_PFD_TX_KICK] = {.fd = net->kick_fd[VIRTIO_NET_TXQ], .events = POLLIN},
		[NET_PFD_TAP] = {.fd = st->tap_dead ? -1 : net->cfg.tap_fd},
	};
	short tap_ev;

	if (!st->rx_wait_kick)
		pfd[NET_PFD_TAP].events |= POLLIN;
	if (st->tx_blocked)
		pfd[NET_PFD_TAP].events |= POLLOUT;
	if (poll(pfd, NET_NR_PFDS, st->more ? 0 : -1) < 0)
		return errno != EINTR;
	st->more = false;
	if (pfd[NET_PFD_STOP].revents)
		return true;
	if (pfd[NET_PFD_RX_KICK].revents) {
		net_drain(net->kick_fd[VIRTIO_NET_RXQ]);
		st->rx_wait_kick = false;
	}
	if (pfd[NET_PFD_TX_KICK].revents)
		net_drain(net->kick_fd[VIRTIO_NET_TXQ]);
	tap_ev = pfd[NET_PFD_TAP].revents;
	if (tap_ev & POLLOUT)
		st->tx_blocked = false;
	if ((tap_ev & (POLLERR | POLLHUP | POLLNVAL)) && !(tap_ev & POLLIN)) {
		log_warn("virtio-net: tap hung up, the link is gone");
		st->tap_dead = true;
		st->tx_blocked = false; /* tx drops from now on */
	}
	return false;
}

/* Serves the queues until the device stops or fails (one activation). */
static void net_work(struct virtio_net *net)
{
	struct net_state st = {0};

	for (;;) {
		bool bad;

		if (!work_gate_enter(&net->gate, &net->stopping))
			break;
		bad = net_tx(net, &st) || net_rx(net, &st);
		if (bad)
			virtio_mmio_fail(&net->mmio);
		work_gate_leave(&net->gate);
		if (bad) {
			log_debug("virtio-net: malformed chain: device needs reset");
			/* Park: only the stop eventfd matters now. */
			st.rx_wait_kick = true;
			st.tap_dead = true;
			while (!net_wait(net, &st))
				;
			break;
		}
		if (net_wait(net, &st))
			break;
	}
}

/*
 * The worker lives from init to destroy: created on the thread that builds
 * the VM, so the vCPU thread that activates the device never creates
 * threads. It runs cfg.thread_init once, then parks between activations.
 */
static void *net_worker(void *arg)
{
	struct virtio_net *net = arg;
	unsigned int seen = 0;
	bool exiting;

	int err = net->cfg.thread_init ? net->cfg.thread_init(net->cfg.thread_ctx) : 0;

	/* init waits for this: a worker that could not confine itself never serves */
	pthread_mutex_lock(&net->run_lock);
	net->init_err = err;
	net->init_done = true;
	pthread_cond_broadcast(&net->run_cond);
	pthread_mutex_unlock(&net->run_lock);
	if (err)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&net->run_lock);
		net->parked = true;
		net->seen_gen = seen;
		pthread_cond_broadcast(&net->run_cond);
		while (!net->exiting && net->generation == seen)
			pthread_cond_wait(&net->run_cond, &net->run_lock);
		net->parked = false;
		seen = net->generation;
		exiting = net->exiting;
		pthread_mutex_unlock(&net->run_lock);
		if (exiting)
			break;
		net_work(net);
	}
	return NULL;
}

static bool net_features_ok(void *ctx, uint64_t f)
{
	if ((f & (VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))) &&
	    !(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return false;
	if ((f & (VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6))) &&
	    !(f & VIRTIO_BIT(VIRTIO_NET_F_CSUM)))
		return false;
	return true;
}

static unsigned int net_offload_flags(uint64_t f)
{
	unsigned int flags = 0;

	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM))
		flags |= VIRTIO_NET_OFFLOAD_CSUM;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))
		flags |= VIRTIO_NET_OFFLOAD_TSO4;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))
		flags |= VIRTIO_NET_OFFLOAD_TSO6;
	return flags;
}

/* Parks the worker and empties the eventfds (transport lock held). */
static void net_stop_worker(struct virtio_net *net)
{
	uint64_t v = 1;

	if (!net->running)
		return;
	__atomic_store_n(&net->stopping, true, __ATOMIC_RELEASE);
	if (write(net->stop_fd, &v, sizeof(v)) < 0)
		log_err("virtio-net: stop eventfd: %s", strerror(errno));
	work_gate_kick(&net->gate); /* a worker waiting at a closed gate parks */
	pthread_mutex_lock(&net->run_lock);
	/* parked with the current generation seen: it left net_work() */
	while (!net->parked || net->seen_gen != net->generation)
		pthread_cond_wait(&net->run_cond, &net->run_lock);
	pthread_mutex_unlock(&net->run_lock);
	net->running = false;
	net_drain(net->stop_fd);
	net_drain(net->kick_fd[VIRTIO_NET_RXQ]);
	net_drain(net->kick_fd[VIRTIO_NET_TXQ]);
}

static int net_activate(void *ctx, uint64_t features)
{
	struct virtio_net *net = ctx;
	int ret;

	net->features = features;
	if (net->cfg.set_offload) {
		ret = net->cfg.set_offload(net->cfg.offload_ctx, net_offload_flags(features));
		if (ret)
			return ret;
	}
	__atomic_store_n(&net->stopping, false, __ATOMIC_RELEASE);
	pthread_mutex_lock(&net->run_lock);
	net->generation++;
	pthread_cond_broadcast(&net->run_cond);
	pthread_mutex_unlock(&net->run_lock);
	net->running = true;
	return 0;
}

static void net_reset(void *ctx)
{
	struct virtio_net *net = ctx;

	net_stop_worker(net);
	net->features = 0;
}

static void net_config_read(void *ctx, uint32_t offset, uint8_t *data, uint32_t len)
{
	struct virtio_net *net = ctx;

	memcpy(data, net->config + offset, len);
}

static const struct virtio_dev_ops virtio_net_dev_ops = {
	.features_ok = net_features_ok,
	.config_read = net_config_read,
	.activate = net_activate,
	.reset = net_reset,
};

static void put_le16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

int virtio_net_init(struct virtio_net *net, const struct virtio_net_config *cfg)
{
	struct virtio_mmio_config mc;
	sigset_t all, saved;
	uint64_t features;
	int flags, ret, i;

	memset(net, 0, sizeof(*net));
	net->kick_fd[0] = net->kick_fd[1] = net->stop_fd = -1;
	if (!cfg->mem || cfg->tap_fd < 0)
		return -EINVAL;
	net->cfg = *cfg;
	if (!net->cfg.queue_size)
		net->cfg.queue_size = VIRTQ_MAX_SIZE;

	flags = fcntl(cfg->tap_fd, F_GETFL);
	if (flags < 0 || fcntl(cfg->tap_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;

	memcpy(net->config + VIRTIO_NET_CFG_MAC, cfg->mac, 6);
	put_le16(net->config + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	put_le16(net->config + VIRTIO_NET_CFG_MAX_VQ_PAIRS, 1);
	put_le16(net->config + VIRTIO_NET_CFG_MTU, 1500);

	features = VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
		   VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	if (cfg->vnet_hdr)
		features |= VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
			    VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6);
	if (cfg->vnet_hdr && cfg->set_offload)
		features |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |
			    VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |
			    VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6);

	for (i = 0; i < 2; i++) {
		net->kick_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (net->kick_fd[i] < 0) {
			ret = -errno;
			goto err_close;
		}
	}
	net->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (net->stop_fd < 0) {
		ret = -errno;
		goto err_close;
	}
	mc = (struct virtio_mmio_config){
		.mem = cfg->mem,
		.device_id = VIRTIO_ID_NET,
		.num_queues = 2,
		.queue_num_max = net->cfg.queue_size,
		.features = features,
		.config_size = VIRTIO_NET_CONFIG_SIZE,
		.ops = &virtio_net_dev_ops,
		.ctx = net,
		.irq = cfg->irq,
	};
	ret = virtio_mmio_init(&net->mmio, &mc);
	if (ret)
		goto err_close;
	virtio_mmio_set_kick_fd(&net->mmio, VIRTIO_NET_RXQ, net->kick_fd[VIRTIO_NET_RXQ]);
	virtio_mmio_set_kick_fd(&net->mmio, VIRTIO_NET_TXQ, net->kick_fd[VIRTIO_NET_TXQ]);
	pthread_mutex_init(&net->run_lock, NULL);
	work_gate_init(&net->gate);
	pthread_cond_init(&net->run_cond, NULL);
	/* The worker is born with every signal blocked: signals are for the VMM's own threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	ret = -pthread_create(&net->thread, NULL, net_worker, net);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (ret) {
		log_err("virtio-net: pthread_create: %s", strerror(-ret));
	} else {
		pthread_mutex_lock(&net->run_lock);
		while (!net->init_done)
			pthread_cond_wait(&net->run_cond, &net->run_lock);
		ret = net->init_err;
		pthread_mutex_unlock(&net->run_lock);
		if (ret) {
			log_err("virtio-net: worker thread set-up: %s", strerror(-ret));
			pthread_join(net->thread, NULL);
		}
	}
	if (ret) {
		pthread_cond_destroy(&net->run_cond);
		pthread_mutex_destroy(&net->run_lock);
		work_gate_destroy(&net->gate);
		virtio_mmio_destroy(&net->mmio);
		goto err_close;
	}
	return 0;

err_close:
	for (i = 0; i < 2; i++) {
		if (net->kick_fd[i] >= 0)
			close(net->kick_fd[i]);
		net->kick_fd[i] = -1;
	}
	if (net->stop_fd >= 0)
		close(net->stop_fd);
	net->stop_fd = -1;
	return ret;
}

void virtio_net_destroy(struct virtio_net *net)
{
	if (net->stop_fd < 0)
		return;
	virtio_mmio_destroy(&net->mmio);
	pthread_mutex_lock(&net->run_lock);
	net->exiting = true;
	pthread_cond_broadcast(&net->run_cond);
	pthread_mutex_unlock(&net->run_lock);
	pthread_join(net->thread, NULL);
	pthread_cond_destroy(&net->run_cond);
	pthread_mutex_destroy(&net->run_lock);
	work_gate_destroy(&net->gate);
	close(net->stop_fd);
	close(net->kick_fd[0]);
	close(net->kick_fd[1]);
	net->stop_fd = net->kick_fd[0] = net->kick_fd[1] = -1;
}

void virtio_net_pause(struct virtio_net *net)
{
	work_gate_close(&net->gate);
}

void virtio_net_resume(struct virtio_net *net)
{
	work_gate_open(&net->gate);
}
