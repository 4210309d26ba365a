// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/vm_virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "arch/arm64/kvm.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "irqchip/irqchip.h"
#include "lib/log.h"
#include "vmm/seccomp.h"
#include "vmm/tap.h"
#include "vmm/vm_vsock.h"

int vm_backends_open(struct vm_backends *b, const struct vm_config *cfg, char *err,
		     size_t errlen)
{
	int ret;

	for (unsigned i = 0; i < VM_MAX_DISKS; i++)
		b->disk_fd[i] = -1;
	for (unsigned i = 0; i < VM_MAX_NETS; i++)
		b->tap_fd[i] = -1;
	b->vsock.fd = -1;
	for (unsigned i = 0; i < cfg->nr_disks; i++) {
		const struct vm_disk *d = &cfg->disks[i];

		b->disk_fd[i] = open(d->path, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (b->disk_fd[i] < 0) {
			ret = -errno;
			snprintf(err, errlen, "--disk path=%s: %s", d->path, strerror(errno));
			goto err_close;
		}
	}
	for (unsigned i = 0; i < cfg->nr_nets; i++) {
		const struct vm_net *n = &cfg->nets[i];

		b->tap_fd[i] = tap_open(n->tap, err, errlen);
		if (b->tap_fd[i] < 0) {
			ret = b->tap_fd[i];
			goto err_close;
		}
		if (n->has_mac) {
			memcpy(b->mac[i], n->mac, 6);
		} else {
			/* 52:54:00 (locally administered, unicast) + 3 random bytes */
			b->mac[i][0] = 0x52;
			b->mac[i][1] = 0x54;
			b->mac[i][2] = 0x00;
			if (getrandom(&b->mac[i][3], 3, 0) != 3)
				b->mac[i][3] = (uint8_t)i;
		}
	}
	if (cfg->vsock.enabled) {
		ret = vm_vsock_open(cfg->vsock.cid, &b->vsock, err, errlen);
		if (ret)
			goto err_close;
	}
	return 0;

err_close:
	vm_backends_close(b);
	return ret;
}

void vm_backends_close(struct vm_backends *b)
{
	for (unsigned i = 0; i < VM_MAX_DISKS; i++) {
		if (b->disk_fd[i] >= 0)
			close(b->disk_fd[i]);
		b->disk_fd[i] = -1;
	}
	for (unsigned i = 0; i < VM_MAX_NETS; i++) {
		if (b->tap_fd[i] >= 0)
			close(b->tap_fd[i]);
		b->tap_fd[i] = -1;
	}
	vm_vsock_close(&b->vsock);
}

/* Device worker threads' first act: their own seccomp filter (no-op when off). */
static int io_worker_init(void *ctx)
{
	return seccomp_install(ctx, SECCOMP_ROLE_IO_WORKER);
}

static int device_thread_init(void *ctx)
{
	return seccomp_install(ctx, SECCOMP_ROLE_DEVICE);
}

/* ioeventfds for the queue notifiers, irqfd for the interrupt. */
static int wire(struct vm_virtio_dev *d, uint64_t base, uint32_t intid, int vm_fd, bool irqfd)
{
	uint64_t notify = base + VIRTIO_MMIO_QUEUE_NOTIFY;
	int err;

	d->irqfd = -1;
	for (uint16_t q = 0; q < d->mmio->cfg.num_queues; q++) {
		int fd = virtio_mmio_kick_fd(d->mmio, q);

		if (fd < 0)
			continue;	/* served on the vCPU thread */
		err = kvm_ioeventfd(vm_fd, fd, notify, 4, q);
		if (err) {
			log_err("KVM_IOEVENTFD(0x%llx, queue %u): %s", (unsigned long long)notify,
				q, strerror(-err));
			return err;
		}
	}
	if (!irqfd)
		return 0;
	d->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->irqfd < 0) {
		err = errno;
		log_err("eventfd: %s", strerror(err));
		return -err;
	}
	err = kvm_irqfd(vm_fd, d->irqfd, intid - LAYOUT_SPI_BASE);
	if (err) {
		log_err("KVM_IRQFD(gsi %u): %s", intid - LAYOUT_SPI_BASE, strerror(-err));
		close(d->irqfd);
		d->irqfd = -1;
		return err;
	}
	virtio_mmio_set_irqfd(d->mmio, d->irqfd);
	return 0;
}

static int add(struct vm_virtio *vv, enum vm_virtio_kind kind, void *dev, struct virtio_mmio *mmio,
	       struct mmio_bus *bus, int vm_fd, bool irqfd)
{
	static const char *const names[] = { "virtio-blk", "virtio-net", "virtio-rng",
					     "virtio-vsock" };
	unsigned slot = vv->nr;
	uint64_t base = LAYOUT_VIRTIO_BASE + slot * LAYOUT_VIRTIO_SIZE;
	struct vm_virtio_dev *d = &vv->devs[slot];
	int ret;

	d->kind = kind;
	d->dev = dev;
	d->mmio = mmio;
	d->irqfd = -1;
	vv->nr++;
	vv->fdt[slot] = (struct fdt_mmio_dev){ base, LAYOUT_VIRTIO_SIZE, LAYOUT_VIRTIO_INTID(slot) };
	ret = mmio_bus_insert(bus, base, LAYOUT_VIRTIO_SIZE, &virtio_mmio_ops, mmio, names[kind]);
	if (ret) {
		log_err("mmio_bus_insert(%s): %s", names[kind], strerror(-ret));
		return ret;
	}
	return wire(d, base, LAYOUT_VIRTIO_INTID(slot), vm_fd, irqfd);
}

int vm_virtio_create(struct vm_virtio *vv, const struct vm_config *cfg,
		     const struct vm_backends *b, const struct guest_mem *mem,
		     struct mmio_bus *bus, struct irqchip *chip, int vm_fd, bool irqfd,
		     struct seccomp_filters *seccomp)
{
	unsigned total = cfg->nr_disks + cfg->nr_nets + (cfg->rng ? 1 : 0) +
			 (cfg->vsock.enabled ? 1 : 0);
	struct irq_line line;
	int ret;

	memset(vv, 0, sizeof(*vv));
	if (total > LAYOUT_VIRTIO_SLOTS) {
		log_err("%u virtio devices: at most %d", total, LAYOUT_VIRTIO_SLOTS);
		return -E2BIG;
	}
	for (unsigned i = 0; i < cfg->nr_disks; i++) {
		struct virtio_blk *blk = calloc(1, sizeof(*blk));
		struct virtio_blk_config c = {
			.mem = mem,
			.fd = b->disk_fd[i],
			.read_only = cfg->disks[i].readonly,
			.serial = cfg->disks[i].id,
			.thread_init = io_worker_init,
			.thread_ctx = seccomp,
		};

		if (!blk)
			return -ENOMEM;
		ret = irqchip_line(chip, LAYOUT_VIRTIO_INTID(vv->nr), &c.irq);
		if (!ret)
			ret = virtio_blk_init(blk, &c);
		if (ret) {
			log_err("virtio-blk %s: %s", cfg->disks[i].path, strerror(-ret));
			free(blk);
			return ret;
		}
		ret = add(vv, VM_VIRTIO_BLK, blk, &blk->mmio, bus, vm_fd, irqfd);
		if (ret)
			return ret;
	}
	for (unsigned i = 0; i < cfg->nr_nets; i++) {
		struct virtio_net *net = calloc(1, sizeof(*net));
		struct virtio_net_config c = {
			.mem = mem,
			.tap_fd = b->tap_fd[i],
			.vnet_hdr = true,
			.set_offload = tap_set_offload,
			.offload_ctx = (void *)(intptr_t)b->tap_fd[i],
			.thread_init = device_thread_init,
			.thread_ctx = seccomp,
		};

		if (!net)
			return -ENOMEM;
		memcpy(c.mac, b->mac[i], 6);
		ret = irqchip_line(chip, LAYOUT_VIRTIO_INTID(vv->nr), &c.irq);
		if (!ret)
			ret = virtio_net_init(net, &c);
		if (ret) {
			log_err("virtio-net %s: %s", cfg->nets[i].tap, strerror(-ret));
			free(net);
			return ret;
		}
		ret = add(vv, VM_VIRTIO_NET, net, &net->mmio, bus, vm_fd, irqfd);
		if (ret)
			return ret;
	}
	if (cfg->rng) {
		struct virtio_rng *rng = calloc(1, sizeof(*rng));
		struct virtio_rng_config c = { .mem = mem };

		if (!rng)
			return -ENOMEM;
		ret = irqchip_line(chip, LAYOUT_VIRTIO_INTID(vv->nr), &line);
		c.irq = line;
		if (!ret)
			ret = virtio_rng_init(rng, &c);
		if (ret) {
			log_err("virtio-rng: %s", strerror(-ret));
			free(rng);
			return ret;
		}
		ret = add(vv, VM_VIRTIO_RNG, rng, &rng->mmio, bus, vm_fd, irqfd);
		if (ret)
			return ret;
	}
	if (cfg->vsock.enabled) {
		struct virtio_vsock *vs = calloc(1, sizeof(*vs));

		if (!vs)
			return -ENOMEM;
		ret = irqchip_line(chip, LAYOUT_VIRTIO_INTID(vv->nr), &line);
		if (!ret)
			ret = vm_vsock_init(vs, &b->vsock, mem, &line, seccomp);
		if (ret) {
			free(vs);
			return ret;
		}
		/* ioeventfds for queues 0 and 1 (vhost polls them), irqfd on the transport */
		ret = add(vv, VM_VIRTIO_VSOCK, vs, &vs->mmio, bus, vm_fd, irqfd);
		if (ret)
			return ret;
	}
	return 0;
}

void vm_virtio_pause(struct vm_virtio *vv)
{
	if (vv->paused)
		return;
	vv->paused = true;
	for (unsigned i = 0; i < vv->nr; i++) {
		if (vv->devs[i].kind == VM_VIRTIO_BLK)
			virtio_blk_pause(vv->devs[i].dev);
		else if (vv->devs[i].kind == VM_VIRTIO_NET)
			virtio_net_pause(vv->devs[i].dev);
		else if (vv->devs[i].kind == VM_VIRTIO_VSOCK)
			virtio_vsock_pause(vv->devs[i].dev);
	}
}

void vm_virtio_resume(struct vm_virtio *vv)
{
	if (!vv->paused)
		return;
	vv->paused = false;
	for (unsigned i = 0; i < vv->nr; i++) {
		if (vv->devs[i].kind == VM_VIRTIO_BLK)
			virtio_blk_resume(vv->devs[i].dev);
		else if (vv->devs[i].kind == VM_VIRTIO_NET)
			virtio_net_resume(vv->devs[i].dev);
		else if (vv->devs[i].kind == VM_VIRTIO_VSOCK)
			virtio_vsock_resume(vv->devs[i].dev);
	}
}

void vm_virtio_stats_print(const struct vm_virtio *vv, FILE *f)
{
	for (unsigned i = 0; i < vv->nr; i++) {
		const struct virtio_net *n = vv->devs[i].dev;

		if (vv->devs[i].kind != VM_VIRTIO_NET)
			continue;
		fprintf(f,
			"virtio-net %u: rx packets %llu bytes %llu dropped %llu (oversize %llu) "
			"tx packets %llu bytes %llu dropped %llu\n",
			i, (unsigned long long)__atomic_load_n(&n->rx_packets, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&n->rx_bytes, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&n->rx_dropped, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&n->rx_oversize, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&n->tx_packets, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&n->tx_bytes, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&n->tx_dropped, __ATOMIC_RELAXED));
	}
}

void vm_virtio_destroy(struct vm_virtio *vv)
{
	for (unsigned i = 0; i < vv->nr; i++) {
		struct vm_virtio_dev *d = &vv->devs[i];

		switch (d->kind) {
		case VM_VIRTIO_BLK:
			virtio_blk_destroy(d->dev);
			break;
		case VM_VIRTIO_NET:
			virtio_net_destroy(d->dev);
			break;
		case VM_VIRTIO_RNG:
			virtio_rng_destroy(d->dev);
			break;
		case VM_VIRTIO_VSOCK:
			virtio_vsock_destroy(d->dev);
			break;
		}
		free(d->dev);
		if (d->irqfd >= 0)
			close(d->irqfd);
	}
	memset(vv, 0, sizeof(*vv));
}
