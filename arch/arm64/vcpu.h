/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 vCPU glue: creating a KVM vCPU, initialising it (PSCI 0.2,
 * secondaries powered off, PMUv3 and pointer auth when offered), setting
 * the boot registers of the booting document, reading MPIDR, dumping
 * registers on failure. The run loop lives in vmm/vm.c.
 *
 * struct vcpu is owned by the VM (vmm/vm.c); each is driven by its own
 * thread once started. Functions here run on the main thread during build,
 * except arm64_vcpu_dump(), which the vCPU's own thread calls.
 */
#ifndef KESTREL_ARCH_ARM64_VCPU_H
#define KESTREL_ARCH_ARM64_VCPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct kvm_run;
struct vm;

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t mpidr;
	pthread_t thread;
	bool thread_started;	/* main thread only */
	pthread_t self;		/* written by the vCPU thread before kickable */
	atomic_bool kickable;	/* thread runs: other threads may signal self */
	uint32_t irq_level;	/* last device_irq_level seen (user irqchip) */
};

/* Feature choices made once for every vCPU of the VM. */
struct arm64_vcpu_features {
	bool pmu;
	bool ptrauth;
};

/*
 * Creates vCPU @index in @vm_fd and maps its kvm_run (@run_size from
 * KVM_GET_VCPU_MMAP_SIZE). Returns 0 or -errno (the failing call logged).
 */
int arm64_vcpu_create(struct vcpu *vcpu, int vm_fd, unsigned index, size_t run_size);

/*
 * KVM_ARM_PREFERRED_TARGET + KVM_ARM_VCPU_INIT: PSCI 0.2, powered off unless
 * index 0, the optional features. Also how a vCPU is reset. Then reads
 * MPIDR_EL1 into vcpu->mpidr. Returns 0 or -errno.
 */
int arm64_vcpu_init(struct vcpu *vcpu, int vm_fd, const struct arm64_vcpu_features *f);

/*
 * PMUv3 set-up after the irqchip is initialised: with an in-kernel vGIC,
 * @ppi is the overflow interrupt's INTID (KVM_ARM_VCPU_PMU_V3_IRQ); with the
 * userspace irqchip pass 0 (only KVM_ARM_VCPU_PMU_V3_INIT). Returns 0 or -errno.
 */
int arm64_vcpu_pmu_init(struct vcpu *vcpu, uint32_t ppi);

/*
 * Boot registers per Documentation/arch/arm64/booting.rst: x0 = DTB address,
 * x1..x3 = 0, PC = @entry, PSTATE = EL1h with D, A, I, F masked.
 * Returns 0 or -errno.
 */
int arm64_vcpu_set_boot_regs(struct vcpu *vcpu, uint64_t entry, uint64_t dtb);

/* Writes PC, PSTATE, SP, x0..x30, ESR/FAR of EL1 to @f (best effort). */
void arm64_vcpu_dump(struct vcpu *vcpu, FILE *f);

/* Unmaps kvm_run and closes the fd; safe on a partly created vCPU. */
void arm64_vcpu_destroy(struct vcpu *vcpu);

#endif
