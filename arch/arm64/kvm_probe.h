/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Probing the host's KVM: opens /dev/kvm, asks for the API version and the
 * capabilities kestrel cares about, and test-creates each vGIC type in a
 * scratch VM (KVM_CREATE_DEVICE_TEST, nothing is instantiated). Called once
 * at start from the main thread.
 */
#ifndef KESTREL_ARCH_ARM64_KVM_PROBE_H
#define KESTREL_ARCH_ARM64_KVM_PROBE_H

#include <stddef.h>

#include "arch/arm64/host_caps.h"

/*
 * Fills @caps. Returns 0 when /dev/kvm answered (even for a non-arm64 KVM:
 * caps->arm64_kvm tells), or -errno with a one-line reason in @err (for
 * instance "/dev/kvm: No such file or directory (KVM not available)").
 */
int kvm_probe(struct host_caps *caps, char *err, size_t errlen);

#endif
