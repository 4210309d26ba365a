// SPDX-License-Identifier: GPL-2.0-only
#include "arch/arm64/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int kvm_vcpu_mmap_size(int kvm_fd)
{
	int r = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (r < 0)
		return -errno;
	return r ? r : -EINVAL;
}

int kvm_create_vm(int kvm_fd, unsigned ipa_bits)
{
	unsigned long type = ipa_bits ? KVM_VM_TYPE_ARM_IPA_SIZE(ipa_bits) : 0;
	int fd = ioctl(kvm_fd, KVM_CREATE_VM, type);

	return fd < 0 ? -errno : fd;
}

int kvm_enable_nisv_to_user(int vm_fd)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };

	return ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? -errno : 0;
}

int kvm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

static int irq_line(int vm_fd, uint32_t type, unsigned vcpu, uint32_t num, bool level)
{
	struct kvm_irq_level irq = {
		.irq = type << KVM_ARM_IRQ_TYPE_SHIFT |
		       (vcpu & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT |
		       ((vcpu >> 8) & KVM_ARM_IRQ_VCPU2_MASK) << KVM_ARM_IRQ_VCPU2_SHIFT | num,
		.level = level,
	};

	return ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

int kvm_irq_line_cpu(int vm_fd, unsigned vcpu, bool level)
{
	return irq_line(vm_fd, KVM_ARM_IRQ_TYPE_CPU, vcpu, KVM_ARM_IRQ_CPU_IRQ, level);
}

int kvm_irq_line_spi(int vm_fd, uint32_t intid, bool level)
{
	return irq_line(vm_fd, KVM_ARM_IRQ_TYPE_SPI, 0, intid, level);
}

int kvm_irq_line_ppi(int vm_fd, unsigned vcpu, uint32_t intid, bool level)
{
	return irq_line(vm_fd, KVM_ARM_IRQ_TYPE_PPI, vcpu, intid, level);
}

int kvm_irqfd(int vm_fd, int efd, uint32_t gsi)
{
	struct kvm_irqfd irq;

	memset(&irq, 0, sizeof(irq));
	irq.fd = (uint32_t)efd;
	irq.gsi = gsi;
	return ioctl(vm_fd, KVM_IRQFD, &irq) < 0 ? -errno : 0;
}

int kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, uint64_t datamatch)
{
	struct kvm_ioeventfd io = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = efd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
	};

	return ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

int kvm_vgic_create(int vm_fd, enum kvm_vgic_type type, bool test)
{
	static const uint32_t types[] = {
		[KVM_VGIC_V2] = KVM_DEV_TYPE_ARM_VGIC_V2,
		[KVM_VGIC_V3] = KVM_DEV_TYPE_ARM_VGIC_V3,
		[KVM_VGIC_ITS] = KVM_DEV_TYPE_ARM_VGIC_ITS,
	};
	struct kvm_create_device dev = {.flags = test ? KVM_CREATE_DEVICE_TEST : 0};

	if ((unsigned)type >= sizeof(types) / sizeof(types[0]))
		return -EINVAL;
	dev.type = types[type];
	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
		return -errno;
	return test ? 0 : (int)dev.fd;
}

static int set_attr(int fd, uint32_t group, uint64_t attr, const void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

int kvm_vgic_set_addr(int dev_fd, enum kvm_vgic_addr which, uint64_t gpa)
{
	static const uint64_t attrs[] = {
		[KVM_VGIC_ADDR_V2_DIST] = KVM_VGIC_V2_ADDR_TYPE_DIST,
		[KVM_VGIC_ADDR_V2_CPU] = KVM_VGIC_V2_ADDR_TYPE_CPU,
		[KVM_VGIC_ADDR_V3_DIST] = KVM_VGIC_V3_ADDR_TYPE_DIST,
		[KVM_VGIC_ADDR_V3_REDIST] = KVM_VGIC_V3_ADDR_TYPE_REDIST,
		[KVM_VGIC_ADDR_ITS] = KVM_VGIC_ITS_ADDR_TYPE,
	};

	if ((unsigned)which >= sizeof(attrs) / sizeof(attrs[0]))
		return -EINVAL;
	return set_attr(dev_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, attrs[which], &gpa);
}

int kvm_vgic_set_nr_irqs(int dev_fd, uint32_t nr_irqs)
{
	return set_attr(dev_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
}

int kvm_vgic_init(int dev_fd)
{
	return set_attr(dev_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}
