// SPDX-License-Identifier: GPL-2.0-only
#include "arch/arm64/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/log.h"

#define CORE_REG(x) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, x) / sizeof(__u32)))

#define MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)
#define ESR_EL1 ARM64_SYS_REG(3, 0, 5, 2, 0)
#define FAR_EL1 ARM64_SYS_REG(3, 0, 6, 0, 0)
/* The affinity fields of MPIDR: Aff3 [39:32], Aff2..Aff0 [23:0]. */
#define MPIDR_AFF_MASK 0xff00ffffffULL

/* PSTATE bits come from asm/ptrace.h (via asm/kvm.h): EL1h, D, A, I, F. */

static int set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	if (ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg) < 0) {
		int err = errno;

		log_err("vCPU %u: KVM_SET_ONE_REG(0x%llx): %s", vcpu->index,
			(unsigned long long)id, strerror(err));
		return -err;
	}
	return 0;
}

static int get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

_Static_assert(ARM64_DEV_VTIMER == KVM_ARM_DEV_EL1_VTIMER, "timer bit");
_Static_assert(ARM64_DEV_PTIMER == KVM_ARM_DEV_EL1_PTIMER, "timer bit");
_Static_assert(ARM64_DEV_PMU == KVM_ARM_DEV_PMU, "PMU bit");

void arm64_vcpu_prepare(struct vcpu *vcpu)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->fd = -1;
	thread_kick_init(&vcpu->kick);
}

int arm64_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit)
{
	struct kvm_run *run = vcpu->run;
	int r = ioctl(vcpu->fd, KVM_RUN, 0);

	exit->dev_irq_level = (uint32_t)run->s.regs.device_irq_level;
	if (r < 0) {
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
		/*
		 * Cleared before the caller looks again at what it was kicked
		 * for: a kick after this point sets it anew (seq_cst on both
		 * sides, see arm64_vcpu_kick()).
		 */
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		exit->kind = VCPU_EXIT_KICK;
		return 0;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		exit->kind = VCPU_EXIT_MMIO;
		exit->mmio_addr = run->mmio.phys_addr;
		exit->mmio_data = run->mmio.data;
		exit->mmio_len = run->mmio.len;
		exit->mmio_write = run->mmio.is_write;
		break;
	case KVM_EXIT_INTR:
		exit->kind = VCPU_EXIT_KICK;
		break;
	case KVM_EXIT_ARM_NISV:
		exit->kind = VCPU_EXIT_NISV;
		exit->mmio_addr = run->arm_nisv.fault_ipa;
		exit->code = run->arm_nisv.esr_iss;
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		exit->code = run->system_event.type;
		exit->kind = run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? VCPU_EXIT_SHUTDOWN :
			     run->system_event.type == KVM_SYSTEM_EVENT_RESET    ? VCPU_EXIT_RESET :
			     run->system_event.type == KVM_SYSTEM_EVENT_CRASH    ? VCPU_EXIT_CRASH :
										  VCPU_EXIT_SYSTEM_OTHER;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		exit->kind = VCPU_EXIT_FAIL_ENTRY;
		exit->code = run->fail_entry.hardware_entry_failure_reason;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		exit->kind = VCPU_EXIT_INTERNAL_ERROR;
		exit->code = run->internal.suberror;
		break;
	default:
		exit->kind = VCPU_EXIT_UNKNOWN;
		exit->code = run->exit_reason;
		break;
	}
	return 0;
}

int arm64_vcpu_inject_dabt(struct vcpu *vcpu)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev) < 0 ? -errno : 0;
}

void arm64_vcpu_kick_enable(struct vcpu *vcpu)
{
	thread_kick_arm(&vcpu->kick);
}

void arm64_vcpu_kick_disable(struct vcpu *vcpu)
{
	thread_kick_disarm(&vcpu->kick);
}

/*
 * Under the gate's lock, before the signal: immediate_exit covers a kick
 * that lands between the thread's last look at its work and its KVM_RUN;
 * the signal ends a KVM_RUN in progress (also a vCPU blocked in WFI).
 */
static void set_immediate_exit(void *ctx)
{
	struct kvm_run *run = ctx;

	__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

void arm64_vcpu_kick(struct vcpu *vcpu)
{
	thread_kick(&vcpu->kick, VCPU_KICK_SIGNAL, set_immediate_exit, vcpu->run);
}

int arm64_vcpu_create(struct vcpu *vcpu, int vm_fd, unsigned index, size_t run_size)
{
	int err;

	vcpu->index = index;
	vcpu->fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (vcpu->fd < 0) {
		err = errno;
		log_err("KVM_CREATE_VCPU(%u): %s", index, strerror(err));
		return -err;
	}
	vcpu->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		err = errno;
		vcpu->run = NULL;
		log_err("mmap(kvm_run of vCPU %u): %s", index, strerror(err));
		close(vcpu->fd);
		vcpu->fd = -1;
		return -err;
	}
	vcpu->run_size = run_size;
	return 0;
}

int arm64_vcpu_init(struct vcpu *vcpu, int vm_fd, const struct arm64_vcpu_features *f)
{
	struct kvm_vcpu_init init;
	int err;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		err = errno;
		log_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(err));
		return -err;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (vcpu->index)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (f->pmu)
		init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
	if (f->ptrauth)
		init.features[0] |= (1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS) |
				    (1u << KVM_ARM_VCPU_PTRAUTH_GENERIC);
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		err = errno;
		log_err("vCPU %u: KVM_ARM_VCPU_INIT: %s", vcpu->index, strerror(err));
		return -err;
	}
	err = get_reg(vcpu, MPIDR_EL1, &vcpu->mpidr);
	if (err) {
		log_err("vCPU %u: KVM_GET_ONE_REG(MPIDR_EL1): %s", vcpu->index, strerror(-err));
		return err;
	}
	vcpu->mpidr &= MPIDR_AFF_MASK;
	return 0;
}

int arm64_vcpu_pmu_init(struct vcpu *vcpu, uint32_t ppi)
{
	int irq = (int)ppi;
	struct kvm_device_attr attr = {
		.group = KVM_ARM_VCPU_PMU_V3_CTRL,
		.attr = KVM_ARM_VCPU_PMU_V3_IRQ,
		.addr = (uint64_t)(uintptr_t)&irq,
	};
	int err;

	if (ppi && ioctl(vcpu->fd, KVM_SET_DEVICE_ATTR, &attr) < 0) {
		err = errno;
		log_err("vCPU %u: KVM_SET_DEVICE_ATTR(PMU_V3_IRQ): %s", vcpu->index,
			strerror(err));
		return -err;
	}
	attr.attr = KVM_ARM_VCPU_PMU_V3_INIT;
	attr.addr = 0;
	if (ioctl(vcpu->fd, KVM_SET_DEVICE_ATTR, &attr) < 0) {
		err = errno;
		log_err("vCPU %u: KVM_SET_DEVICE_ATTR(PMU_V3_INIT): %s", vcpu->index,
			strerror(err));
		return -err;
	}
	return 0;
}

int arm64_vcpu_set_boot_regs(struct vcpu *vcpu, uint64_t entry, uint64_t dtb)
{
	int err;

	err = set_reg(vcpu, CORE_REG(regs.pstate),
		      PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT);
	if (!err)
		err = set_reg(vcpu, CORE_REG(regs.regs[0]), dtb);
	for (int i = 1; !err && i < 4; i++)
		err = set_reg(vcpu, CORE_REG(regs.regs[i]), 0);
	if (!err)
		err = set_reg(vcpu, CORE_REG(regs.pc), entry);
	return err;
}

void arm64_vcpu_dump(struct vcpu *vcpu, FILE *f)
{
	uint64_t v;

	fprintf(f, "kestrel: vCPU %u registers:\n", vcpu->index);
	if (!get_reg(vcpu, CORE_REG(regs.pc), &v))
		fprintf(f, "  pc     %016llx\n", (unsigned long long)v);
	if (!get_reg(vcpu, CORE_REG(regs.pstate), &v))
		fprintf(f, "  pstate %016llx\n", (unsigned long long)v);
	if (!get_reg(vcpu, CORE_REG(sp_el1), &v))
		fprintf(f, "  sp_el1 %016llx\n", (unsigned long long)v);
	if (!get_reg(vcpu, ESR_EL1, &v))
		fprintf(f, "  esr_el1 %016llx\n", (unsigned long long)v);
	if (!get_reg(vcpu, FAR_EL1, &v))
		fprintf(f, "  far_el1 %016llx\n", (unsigned long long)v);
	for (int i = 0; i < 31; i++) {
		if (!get_reg(vcpu, CORE_REG(regs.regs[i]), &v))
			fprintf(f, "  x%-2d %016llx%s", i, (unsigned long long)v,
				i % 3 == 2 ? "\n" : "  ");
	}
	fputc('\n', f);
}

void arm64_vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	vcpu->run = NULL;
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->fd = -1;
	thread_kick_destroy(&vcpu->kick);
}
