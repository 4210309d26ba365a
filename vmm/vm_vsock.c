// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/vm_vsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "vmm/seccomp.h"

int vm_vsock_open(uint32_t cid, struct virtio_vsock_host *host, char *err, size_t errlen)
{
	int fd, ret;

	memset(host, 0, sizeof(*host));
	host->fd = -1;
	fd = open(VM_VSOCK_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO)
			snprintf(err, errlen,
				 "--vsock: " VM_VSOCK_DEV " not available (modprobe vhost_vsock)");
		else
			snprintf(err, errlen, "--vsock: " VM_VSOCK_DEV ": %s", strerror(-ret));
		return ret;
	}
	ret = virtio_vsock_host_init(host, fd, cid);
	if (!ret)
		return 0;
	if (ret == -EADDRINUSE)
		snprintf(err, errlen, "--vsock: cid %u is already in use", cid);
	else if (ret == -EINVAL)
		snprintf(err, errlen, "--vsock: cid %u is reserved", cid);
	else
		snprintf(err, errlen, "--vsock: " VM_VSOCK_DEV ": %s", strerror(-ret));
	close(fd);
	host->fd = -1;
	return ret;
}

void vm_vsock_close(struct virtio_vsock_host *host)
{
	if (host->fd >= 0)
		close(host->fd);
	host->fd = -1;
}

/* The forwarder's first act: its own seccomp filter. */
static int vm_vsock_thread_init(void *ctx)
{
	return seccomp_install(ctx, SECCOMP_ROLE_DEVICE);
}

int vm_vsock_init(struct virtio_vsock *vs, const struct virtio_vsock_host *host,
		  const struct guest_mem *mem, const struct irq_line *irq,
		  struct seccomp_filters *seccomp)
{
	struct virtio_vsock_config c = {
		.mem = mem,
		.irq = *irq,
		.host = host,
		.thread_init = vm_vsock_thread_init,
		.thread_ctx = seccomp,
	};
	int ret;

	ret = virtio_vsock_init(vs, &c);
	if (ret)
		log_err("virtio-vsock (cid %llu): %s", (unsigned long long)host->cid,
			strerror(-ret));
	return ret;
}
