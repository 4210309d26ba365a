/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM layer: thin wrappers around the ioctls on /dev/kvm, VM and KVM
 * device fds. With arch/arm64/vcpu.c (vCPU fds) and arch/arm64/kvm_probe.c
 * (capability probing) it is the only code that issues ioctl() on a KVM fd;
 * everything above calls these functions (tests/layering.sh checks it).
 *
 * The header uses plain C types only, so the code that calls it (the irqchip
 * backends, the VMM) needs no KVM UAPI header and can be unit-tested on any
 * host against a fake of these functions (tests/fakes/fake_kvm.c).
 *
 * Every function returns 0 (or the new fd) on success and -errno on failure;
 * none logs: the caller names the call in its message (the KVM ioctl name is
 * given in each comment). No state, any thread (KVM serialises what it must).
 */
#ifndef KESTREL_ARCH_ARM64_KVM_H
#define KESTREL_ARCH_ARM64_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* open("/dev/kvm", O_RDWR | O_CLOEXEC): the fd or -errno. */
int kvm_open(void);

/* KVM_GET_VCPU_MMAP_SIZE on the /dev/kvm fd: the size, or -errno. */
int kvm_vcpu_mmap_size(int kvm_fd);

/*
 * KVM_CREATE_VM with KVM_VM_TYPE_ARM_IPA_SIZE(@ipa_bits), or the default
 * type (40 bits) when @ipa_bits is 0. Returns the VM fd or -errno.
 */
int kvm_create_vm(int kvm_fd, unsigned ipa_bits);
/*
 * KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER) on the VM: a data abort KVM cannot
 * decode (no valid syndrome: load/store pair, writeback) outside guest RAM
 * becomes a VCPU_EXIT_NISV instead of a failing KVM_RUN (-ENOSYS). Returns
 * 0 or -errno (older kernels: -EINVAL; the VM then still works, only such
 * an access ends it as before).
 */
int kvm_enable_nisv_to_user(int vm_fd);

/* KVM_SET_USER_MEMORY_REGION: slot @slot maps [@gpa, @gpa + @size) to @host. */
int kvm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *host);

/*
 * KVM_IRQ_LINE on a VM without an in-kernel irqchip: drives vCPU @vcpu's
 * IRQ input (KVM_ARM_IRQ_TYPE_CPU, KVM_ARM_IRQ_CPU_IRQ) to @level.
 * Userspace GIC only; see irqchip/user_lines.h for which thread may call it.
 */
int kvm_irq_line_cpu(int vm_fd, unsigned vcpu, bool level);

/* KVM_IRQ_LINE on a VM with an in-kernel vGIC: SPI @intid (32..1019) to @level. */
int kvm_irq_line_spi(int vm_fd, uint32_t intid, bool level);

/* KVM_IRQ_LINE on a VM with an in-kernel vGIC: PPI @intid (16..31) of @vcpu to @level. */
int kvm_irq_line_ppi(int vm_fd, unsigned vcpu, uint32_t intid, bool level);

/* KVM_IRQFD: eventfd @efd raises SPI gsi @gsi (INTID - 32) of the in-kernel vGIC. */
int kvm_irqfd(int vm_fd, int efd, uint32_t gsi);

/*
 * KVM_IOEVENTFD: a guest write of @len bytes of value @datamatch at @addr
 * (MMIO) signals @efd instead of exiting to userspace.
 */
int kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, uint64_t datamatch);

/* The in-kernel interrupt controller devices. */
enum kvm_vgic_type { KVM_VGIC_V2, KVM_VGIC_V3, KVM_VGIC_ITS };

/* Their address attributes (KVM_DEV_ARM_VGIC_GRP_ADDR). */
enum kvm_vgic_addr {
	KVM_VGIC_ADDR_V2_DIST,
	KVM_VGIC_ADDR_V2_CPU,
	KVM_VGIC_ADDR_V3_DIST,
	KVM_VGIC_ADDR_V3_REDIST,
	KVM_VGIC_ADDR_ITS,
};

/*
 * KVM_CREATE_DEVICE of @type; with @test only KVM_CREATE_DEVICE_TEST (the
 * device is not created, 0 when it could be). Returns the device fd, 0 for
 * a successful test, or -errno.
 */
int kvm_vgic_create(int vm_fd, enum kvm_vgic_type type, bool test);

/* KVM_SET_DEVICE_ATTR(KVM_DEV_ARM_VGIC_GRP_ADDR, @which) = @gpa. */
int kvm_vgic_set_addr(int dev_fd, enum kvm_vgic_addr which, uint64_t gpa);

/* KVM_SET_DEVICE_ATTR(KVM_DEV_ARM_VGIC_GRP_NR_IRQS) = @nr_irqs. */
int kvm_vgic_set_nr_irqs(int dev_fd, uint32_t nr_irqs);

/* KVM_SET_DEVICE_ATTR(KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT). */
int kvm_vgic_init(int dev_fd);

#endif
