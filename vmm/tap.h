/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host tap interfaces for virtio-net: opened (and created when absent) with
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a 12-byte virtio-net header, at
 * start and only from the main thread.
 */
#ifndef KESTREL_VMM_TAP_H
#define KESTREL_VMM_TAP_H

#include <stddef.h>

/*
 * Opens tap @name. Returns the fd, or -errno with a one-line reason in @err
 * (naming the tap: missing /dev/net/tun, no permission, busy ...).
 */
int tap_open(const char *name, char *err, size_t errlen);

/* TUNSETOFFLOAD with TUN_F_* @flags on the tap fd passed as @ctx. 0 or -errno. */
int tap_set_offload(void *ctx, unsigned int flags);

#endif
