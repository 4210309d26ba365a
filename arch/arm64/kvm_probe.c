// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host probe. Built for every host: on non-arm64 hosts only the generic
 * ioctls are used, and the result says that this KVM cannot run arm64 guests.
 */
#include "arch/arm64/kvm_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

static int check_ext(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

#ifdef __aarch64__
static int test_device(int vm_fd, unsigned type)
{
	struct kvm_create_device dev = { .type = type, .flags = KVM_CREATE_DEVICE_TEST };

	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
		return errno;
	return 0;
}

static void probe_arm64(int kvm_fd, struct host_caps *caps)
{
	int vm_fd;

	caps->arm64_kvm = true;
	caps->ipa_limit = check_ext(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE);
	caps->user_irq = check_ext(kvm_fd, KVM_CAP_ARM_USER_IRQ) > 0;
	caps->psci_0_2 = check_ext(kvm_fd, KVM_CAP_ARM_PSCI_0_2) > 0;
	caps->pmu_v3 = check_ext(kvm_fd, KVM_CAP_ARM_PMU_V3) > 0;
	caps->sve = check_ext(kvm_fd, KVM_CAP_ARM_SVE) > 0;
	caps->ptrauth = check_ext(kvm_fd, KVM_CAP_ARM_PTRAUTH_ADDRESS) > 0 &&
			check_ext(kvm_fd, KVM_CAP_ARM_PTRAUTH_GENERIC) > 0;
	caps->mte = check_ext(kvm_fd, KVM_CAP_ARM_MTE) > 0;

	caps->vgic_v3_err = caps->vgic_v2_err = caps->vgic_its_err = ENODEV;
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		caps->vgic_v3_err = caps->vgic_v2_err = caps->vgic_its_err = errno;
		return;
	}
	caps->vgic_v3_err = test_device(vm_fd, KVM_DEV_TYPE_ARM_VGIC_V3);
	caps->vgic_v2_err = test_device(vm_fd, KVM_DEV_TYPE_ARM_VGIC_V2);
	caps->vgic_its_err = test_device(vm_fd, KVM_DEV_TYPE_ARM_VGIC_ITS);
	caps->vgic_v3 = !caps->vgic_v3_err;
	caps->vgic_v2 = !caps->vgic_v2_err;
	caps->vgic_its = caps->vgic_v3 && !caps->vgic_its_err;
	close(vm_fd);
}
#endif

int kvm_probe(struct host_caps *caps, char *err, size_t errlen)
{
	static const char *const arch_name =
#if defined(__aarch64__)
		"aarch64";
#elif defined(__x86_64__)
		"x86_64";
#else
		"unknown";
#endif
	struct utsname u;
	int fd, ret;

	memset(caps, 0, sizeof(*caps));
	caps->host_arch = arch_name;
	if (!uname(&u))
		snprintf(caps->kernel_release, sizeof(caps->kernel_release), "%s", u.release);

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "/dev/kvm: %s%s", strerror(errno),
			 errno == ENOENT ? " (KVM is not available on this host)" :
			 errno == EACCES ? " (no permission: join the kvm group or run as root)" :
					   "");
		return ret;
	}
	caps->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (caps->api_version != KVM_API_VERSION) {
		snprintf(err, errlen, "KVM_GET_API_VERSION: %d, kestrel needs %d",
			 caps->api_version, KVM_API_VERSION);
		close(fd);
		return -EINVAL;
	}
	caps->max_vcpus = check_ext(fd, KVM_CAP_MAX_VCPUS);
	caps->nr_vcpus = check_ext(fd, KVM_CAP_NR_VCPUS);
	if (!caps->max_vcpus)
		caps->max_vcpus = caps->nr_vcpus ? caps->nr_vcpus : 4;
	caps->irqfd = check_ext(fd, KVM_CAP_IRQFD) > 0;
	caps->ioeventfd = check_ext(fd, KVM_CAP_IOEVENTFD) > 0;
	caps->immediate_exit = check_ext(fd, KVM_CAP_IMMEDIATE_EXIT) > 0;
	caps->one_reg = check_ext(fd, KVM_CAP_ONE_REG) > 0;
	caps->signal_msi = check_ext(fd, KVM_CAP_SIGNAL_MSI) > 0;
#ifdef __aarch64__
	probe_arm64(fd, caps);
#endif
	close(fd);
	return 0;
}
