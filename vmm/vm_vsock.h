/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM's virtio-vsock device (KVM glue around devices/virtio_vsock.c):
 * what vmm/vm_virtio.c calls to give a VM `--vsock cid=N`.
 *
 * Two lifetimes, as for the other backends:
 * - at start (main thread, before any seccomp filter: opening a device
 *   read-write is not in the main role's list), vm_vsock_open() opens
 *   /dev/vhost-vsock and claims the CID, so a missing module or a CID that
 *   another VM holds is a one-line usage error before any VM exists. The
 *   vhost instance is kept across guest reboots and closed at exit with
 *   vm_vsock_close().
 * - per VM build (main thread), vm_vsock_init() makes the device on that
 *   instance; the caller puts it in a virtio-mmio slot like any other
 *   (MMIO bus, KVM_IOEVENTFD for each kick fd, KVM_IRQFD on a transport
 *   irqfd with the in-kernel vGIC — never on the device's call eventfd, see
 *   devices/virtio_vsock.h) and undoes it with virtio_vsock_destroy() after
 *   the vCPUs stopped.
 *
 * seccomp: the device's forwarder thread installs the device role
 * (SECCOMP_ROLE_DEVICE) first thing. The vhost ioctls of activation and
 * reset run on vCPU threads, so the vCPU role must allow VHOST_SET_FEATURES,
 * VHOST_SET_MEM_TABLE, VHOST_SET_VRING_{NUM,BASE,ADDR,KICK,CALL} and
 * VHOST_VSOCK_SET_RUNNING (the main role, a superset, then has them for
 * teardown).
 */
#ifndef KESTREL_VMM_VM_VSOCK_H
#define KESTREL_VMM_VM_VSOCK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/irq_line.h"
#include "devices/virtio_vsock.h"
#include "lib/guest_mem.h"

struct seccomp_filters;

#define VM_VSOCK_DEV "/dev/vhost-vsock"

/*
 * Opens VM_VSOCK_DEV and sets up the vhost instance for guest CID @cid
 * (virtio_vsock_host_init). Returns 0 with @host filled, or -errno with
 * @host->fd = -1 and one line in @err:
 *   -ENOENT (also ENODEV, ENXIO): "--vsock: /dev/vhost-vsock not available
 *     (modprobe vhost_vsock)";
 *   -EADDRINUSE: "--vsock: cid N is already in use";
 *   -EINVAL: "--vsock: cid N is reserved";
 *   other: "--vsock: /dev/vhost-vsock: <strerror>" (the failing ioctl is
 *     logged too).
 * All of these are reported with status 2 (EXIT_USAGE) by the caller, as a
 * tap that cannot be opened is.
 */
int vm_vsock_open(uint32_t cid, struct virtio_vsock_host *host, char *err, size_t errlen);

/* Closes the vhost instance (the CID is free again). Safe when @host->fd is -1. */
void vm_vsock_close(struct virtio_vsock_host *host);

/*
 * Initializes the device for one VM build in caller storage @vs (calloc'ed
 * by vm_virtio.c like the other models) on @host, interrupt @irq (the
 * slot's SPI), its forwarder thread confined to the device role of @seccomp
 * (NULL: seccomp off). Returns 0 or -errno (logged; nothing to undo). Undo
 * with virtio_vsock_destroy() after the vCPUs stopped.
 */
int vm_vsock_init(struct virtio_vsock *vs, const struct virtio_vsock_host *host,
		  const struct guest_mem *mem, const struct irq_line *irq,
		  struct seccomp_filters *seccomp);

#endif
