/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM's virtio-mmio devices (KVM glue around the portable device models
 * in devices/virtio_*.c).
 *
 * Two lifetimes:
 * - struct vm_backends: host resources named by the configuration (disk
 *   image fds, tap fds), opened once at start — a missing file or an
 *   unopenable tap is a usage error found before any VM exists — and kept
 *   across guest reboots.
 * - struct vm_virtio: the device models of one VM build, each in a
 *   virtio-mmio slot (arch/arm64/layout.h), registered on the MMIO bus,
 *   with their queue notifiers as KVM ioeventfds and, with an in-kernel
 *   vGIC, their interrupts as KVM irqfds; with the userspace GIC the
 *   interrupt goes through the device's irq_line.
 *
 * Main thread only. vm_virtio_destroy() must run after every vCPU stopped
 * and before the VM fd is closed.
 */
#ifndef KESTREL_VMM_VM_VIRTIO_H
#define KESTREL_VMM_VM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arch/arm64/fdt.h"
#include "arch/arm64/layout.h"
#include "devices/virtio_vsock.h"
#include "lib/guest_mem.h"
#include "lib/mmio_bus.h"
#include "vmm/vm_config.h"

struct irqchip;
struct seccomp_filters;

struct vm_backends {
	int disk_fd[VM_MAX_DISKS];
	int tap_fd[VM_MAX_NETS];
	uint8_t mac[VM_MAX_NETS][6];	/* configured, or random locally administered */
	struct virtio_vsock_host vsock;	/* vhost-vsock instance; fd -1 without --vsock */
};

enum vm_virtio_kind { VM_VIRTIO_BLK, VM_VIRTIO_NET, VM_VIRTIO_RNG, VM_VIRTIO_VSOCK };

struct vm_virtio_dev {
	enum vm_virtio_kind kind;
	void *dev;		/* struct virtio_blk / virtio_net / virtio_rng, calloc'ed */
	struct virtio_mmio *mmio;
	int irqfd;		/* -1 when none */
};

struct vm_virtio {
	struct vm_virtio_dev devs[LAYOUT_VIRTIO_SLOTS];
	unsigned nr;
	struct fdt_mmio_dev fdt[LAYOUT_VIRTIO_SLOTS];	/* for fdt_desc.virtio */
	bool paused;	/* vm_virtio_pause() in effect */
};

/* Opens every backend of @cfg. Returns 0, or -errno with one line in @err (status 2). */
int vm_backends_open(struct vm_backends *b, const struct vm_config *cfg, char *err,
		     size_t errlen);
void vm_backends_close(struct vm_backends *b);

/*
 * Creates the devices of @cfg in slots 0, 1, ... Returns 0 or -errno (the
 * failing call logged); on failure what was created is left in @vv for
 * vm_virtio_destroy().
 */
int vm_virtio_create(struct vm_virtio *vv, const struct vm_config *cfg,
		     const struct vm_backends *b, const struct guest_mem *mem,
		     struct mmio_bus *bus, struct irqchip *chip, int vm_fd, bool irqfd,
		     struct seccomp_filters *seccomp);

/*
 * VM pause (after the vCPUs parked) and resume (before they run again):
 * the virtio-blk and virtio-net workers finish the request or frames they
 * hold and take no other, so they touch no guest memory and raise no
 * interrupt (frames arriving on the tap wait in the tap's queue);
 * vhost-vsock is stopped (VHOST_VSOCK_SET_RUNNING 0) and started again.
 * virtio-rng has no thread (served on the vCPU thread). Idempotent.
 */
void vm_virtio_pause(struct vm_virtio *vv);
void vm_virtio_resume(struct vm_virtio *vv);
/* --stats: one line of counters per virtio-net device. */
void vm_virtio_stats_print(const struct vm_virtio *vv, FILE *f);

/* Stops the devices' threads, frees them, closes the irqfds. Safe on a zeroed @vv. */
void vm_virtio_destroy(struct vm_virtio *vv);

#endif
