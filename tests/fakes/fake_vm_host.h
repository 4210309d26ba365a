/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test fake of the host calls a VM build makes (arch/arm64/kvm.h,
 * arch/arm64/vcpu.h, irqchip/vgic_kvm.h, vmm/vm_virtio.h, vmm/seccomp.h),
 * for native unit tests of vmm/vm.c: each call succeeds, or fails with the
 * -errno set for it, and counts what was created and destroyed.
 */
#ifndef KESTREL_TESTS_FAKES_FAKE_VM_HOST_H
#define KESTREL_TESTS_FAKES_FAKE_VM_HOST_H

enum fake_vm_call {
	FAKE_CREATE_VM,
	FAKE_SET_MEMORY,
	FAKE_VCPU_CREATE, /* fails for the vCPU of index fail_vcpu */
	FAKE_VCPU_INIT,
	FAKE_VGIC_CREATE,
	FAKE_VIRTIO_CREATE,
	FAKE_BOOT_REGS,
	FAKE_NR_CALLS,
};

struct fake_vm_host {
	int fail[FAKE_NR_CALLS]; /* -errno to return, 0: succeed */
	unsigned fail_vcpu;
	unsigned calls[FAKE_NR_CALLS];
	unsigned vcpus_created, vcpus_destroyed, virtio_destroyed;
	int open_vm_fds;
};

extern struct fake_vm_host fake_vm_host;

void fake_vm_host_reset(void);

#endif
