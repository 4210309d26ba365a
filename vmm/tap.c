// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define VNET_HDR_LEN 12 /* struct virtio_net_hdr_v1 */

int tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdr = VNET_HDR_LEN, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "--net tap=%s: /dev/net/tun: %s%s", name, strerror(errno),
			 errno == ENOENT ? " (load the tun module)" : "");
		return ret;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--net tap=%s: TUNSETIFF: %s%s", name, strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_ADMIN, or a tap owned by this user)" :
			 errno == EBUSY ? " (the tap is in use)" : "");
		close(fd);
		return ret;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--net tap=%s: TUNSETVNETHDRSZ: %s", name, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

int tap_set_offload(void *ctx, unsigned int flags)
{
	int fd = (int)(intptr_t)ctx;

	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0 ? -errno : 0;
}
