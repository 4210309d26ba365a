/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 vCPU glue: creating a KVM vCPU, initialising it (PSCI 0.2,
 * secondaries powered off, PMUv3 and pointer auth when offered), setting
 * the boot registers of the booting document, reading MPIDR, dumping
 * registers on failure. The run loop lives in vmm/vm.c.
 *
 * struct vcpu is owned by the VM (vmm/vm.c); each is driven by its own
 * thread once started (vmm/vcpu_loop.c). Functions here run on the main
 * thread during build, except arm64_vcpu_run() and arm64_vcpu_dump() (the
 * vCPU's own thread) and arm64_vcpu_kick() (any thread).
 *
 * Kicks: arm64_vcpu_kick() makes the vCPU leave KVM_RUN (or not enter it):
 * it sets kvm_run->immediate_exit and sends VCPU_KICK_SIGNAL to the vCPU's
 * thread through the vCPU's kick gate (lib/thread_kick.h), only between
 * arm64_vcpu_kick_enable(), called by the thread itself, and
 * arm64_vcpu_kick_disable(), called before the thread is joined, so no
 * signal can reach a joined thread. Callers may hold their own locks (the
 * userspace GIC's) when kicking; the gate's lock is innermost.
 */
#ifndef KESTREL_ARCH_ARM64_VCPU_H
#define KESTREL_ARCH_ARM64_VCPU_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/thread_kick.h"

struct kvm_run;
struct vm;

/* Output levels of the vCPU's timers and PMU (struct vcpu_exit.dev_irq_level). */
#define ARM64_DEV_VTIMER (1u << 0)
#define ARM64_DEV_PTIMER (1u << 1)
#define ARM64_DEV_PMU (1u << 2)

/* Why KVM_RUN returned, without KVM types. */
enum vcpu_exit_kind {
	VCPU_EXIT_MMIO,		/* mmio_* fields; data is read/written in place */
	VCPU_EXIT_KICK,		/* interrupted by a kick (EINTR/EAGAIN or KVM_EXIT_INTR) */
	VCPU_EXIT_SHUTDOWN,	/* PSCI SYSTEM_OFF */
	VCPU_EXIT_RESET,	/* PSCI SYSTEM_RESET */
	VCPU_EXIT_CRASH,	/* PSCI SYSTEM_EVENT_CRASH */
	VCPU_EXIT_SYSTEM_OTHER,	/* another system event, type in code */
	VCPU_EXIT_FAIL_ENTRY,	/* hardware reason in code */
	VCPU_EXIT_INTERNAL_ERROR, /* suberror in code */
	VCPU_EXIT_NISV,		/* an access KVM cannot decode: mmio_addr, code = ESR ISS */
	VCPU_EXIT_UNKNOWN,	/* exit reason in code */
	VCPU_EXIT_KIND_NR,
};

/* The signal that kicks a vCPU thread out of KVM_RUN (its handler does nothing). */
#define VCPU_KICK_SIGNAL SIGUSR1

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t mpidr;
	pthread_t thread;
	bool thread_started;	/* main thread only */
	struct thread_kick kick;	/* armed by the vCPU thread (lib/thread_kick.h) */
	uint32_t irq_level;	/* last dev_irq_level seen (user irqchip), own thread */
	uint64_t exits[VCPU_EXIT_KIND_NR]; /* KVM_RUN returns by kind, own thread */
};

struct vcpu_exit {
	enum vcpu_exit_kind kind;
	uint64_t code;
	uint64_t mmio_addr;
	uint8_t *mmio_data;	/* in kvm_run: a read fills it before the next run */
	uint32_t mmio_len;
	bool mmio_write;
	uint32_t dev_irq_level;	/* ARM64_DEV_*; valid after every return, kicks too */
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

/* Makes a struct vcpu ready for arm64_vcpu_create() and safe for arm64_vcpu_destroy(). */
void arm64_vcpu_prepare(struct vcpu *vcpu);

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

/*
 * The vCPU's own thread: one KVM_RUN, described in @exit. A kick
 * (EINTR/EAGAIN) clears immediate_exit and returns 0 with VCPU_EXIT_KICK.
 * Returns 0, or -errno when KVM_RUN failed otherwise.
 */
int arm64_vcpu_run(struct vcpu *vcpu, struct vcpu_exit *exit);

/*
 * Makes the vCPU take a synchronous external data abort at its next entry
 * (KVM_SET_VCPU_EVENTS, ext_dabt_pending; KVM_CAP_ARM_INJECT_EXT_DABT).
 * The vCPU's own thread, between KVM_RUNs. Returns 0 or -errno.
 */
int arm64_vcpu_inject_dabt(struct vcpu *vcpu);

/* The vCPU's own thread, once at start: from now on other threads may kick it. */
void arm64_vcpu_kick_enable(struct vcpu *vcpu);

/* Main thread, after the thread left its loop and before joining it: no more kicks. */
void arm64_vcpu_kick_disable(struct vcpu *vcpu);

/*
 * Any thread: makes the vCPU leave KVM_RUN promptly, or return from its
 * next KVM_RUN at once. Does nothing when called from the vCPU's own
 * thread (it is not in KVM_RUN) or when the thread is not kickable.
 */
void arm64_vcpu_kick(struct vcpu *vcpu);

/* Writes PC, PSTATE, SP, x0..x30, ESR/FAR of EL1 to @f (best effort). */
void arm64_vcpu_dump(struct vcpu *vcpu, FILE *f);

/* Unmaps kvm_run and closes the fd; safe on a partly created vCPU. */
void arm64_vcpu_destroy(struct vcpu *vcpu);

#endif
