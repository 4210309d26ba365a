// SPDX-License-Identifier: GPL-2.0-only
/* Test fake of the host calls of a VM build: see fake_vm_host.h. */
#include "tests/fakes/fake_vm_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/kvm.h"
#include "arch/arm64/vcpu.h"
#include "irqchip/vgic_kvm.h"
#include "lib/log.h"
#include "vmm/seccomp.h"
#include "vmm/vm_virtio.h"

struct fake_vm_host fake_vm_host;

void fake_vm_host_reset(void)
{
	memset(&fake_vm_host, 0, sizeof(fake_vm_host));
}

static int call(enum fake_vm_call c)
{
	fake_vm_host.calls[c]++;
	return fake_vm_host.fail[c];
}

int kvm_create_vm(int kvm_fd, unsigned ipa_bits)
{
	int ret = call(FAKE_CREATE_VM);

	if (ret)
		return ret;
	/* a real fd: vm_destroy() closes it */
	ret = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return ret < 0 ? -errno : ret;
}

/* The fake VM has no undecodable accesses to route: report the cap missing. */
int kvm_enable_nisv_to_user(int vm_fd)
{
	return -EINVAL;
}

int kvm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *host)
{
	return call(FAKE_SET_MEMORY);
}

void arm64_vcpu_prepare(struct vcpu *vcpu)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->fd = -1;
	thread_kick_init(&vcpu->kick);
}

int arm64_vcpu_create(struct vcpu *vcpu, int vm_fd, unsigned index, size_t run_size)
{
	fake_vm_host.calls[FAKE_VCPU_CREATE]++;
	vcpu->index = index;
	if (fake_vm_host.fail[FAKE_VCPU_CREATE] && index == fake_vm_host.fail_vcpu) {
		log_err("KVM_CREATE_VCPU %u: %s", index,
			strerror(-fake_vm_host.fail[FAKE_VCPU_CREATE]));
		return fake_vm_host.fail[FAKE_VCPU_CREATE];
	}
	vcpu->fd = 1000 + (int)index; /* never used as an fd by the fake */
	vcpu->mpidr = index;
	fake_vm_host.vcpus_created++;
	return 0;
}

int arm64_vcpu_init(struct vcpu *vcpu, int vm_fd, const struct arm64_vcpu_features *f)
{
	return call(FAKE_VCPU_INIT);
}

int arm64_vcpu_pmu_init(struct vcpu *vcpu, uint32_t ppi)
{
	return 0;
}

int arm64_vcpu_set_boot_regs(struct vcpu *vcpu, uint64_t entry, uint64_t dtb)
{
	return call(FAKE_BOOT_REGS);
}

int arm64_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	return -ENOSYS;
}

int arm64_vcpu_inject_dabt(struct vcpu *vcpu)
{
	return -ENOSYS;
}

void arm64_vcpu_kick_enable(struct vcpu *vcpu)
{
}

void arm64_vcpu_kick_disable(struct vcpu *vcpu)
{
}

void arm64_vcpu_dump(struct vcpu *vcpu, FILE *f)
{
}

void arm64_vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->fd >= 0)
		fake_vm_host.vcpus_destroyed++;
	vcpu->fd = -1;
}

int vgic_kvm_create(int vm_fd, bool v3, bool its, const struct irqchip_config *cfg,
		    struct irqchip **out, char *why, size_t why_len)
{
	int ret = call(FAKE_VGIC_CREATE);

	*out = NULL;
	snprintf(why, why_len, "KVM_CREATE_DEVICE(%s): %s", v3 ? "GICv3" : "GICv2",
		 strerror(ret ? -ret : ENODEV));
	return ret ? ret : -ENODEV; /* the fake has no vGIC: use IRQCHIP_USER to succeed */
}

int vgic_kvm_finalize(struct irqchip *chip, char *why, size_t why_len)
{
	return -ENODEV;
}

int vm_virtio_create(struct vm_virtio *vv, const struct vm_config *cfg, const struct vm_backends *b,
		     const struct guest_mem *mem, struct mmio_bus *bus, struct irqchip *chip,
		     int vm_fd, bool irqfd, struct seccomp_filters *seccomp)
{
	int ret = call(FAKE_VIRTIO_CREATE);

	memset(vv, 0, sizeof(*vv));
	if (ret)
		log_err("virtio-net tap0: worker thread set-up: %s", strerror(-ret));
	return ret;
}

void vm_virtio_pause(struct vm_virtio *vv)
{
}

void vm_virtio_resume(struct vm_virtio *vv)
{
}

void vm_virtio_destroy(struct vm_virtio *vv)
{
	fake_vm_host.virtio_destroyed++;
	memset(vv, 0, sizeof(*vv));
}

int seccomp_install(struct seccomp_filters *f, enum seccomp_role role)
{
	return 0;
}

#ifdef KESTREL_TEST_HOOKS
void seccomp_test_violation(struct seccomp_filters *f, enum seccomp_role role)
{
}
#endif
