/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The userspace GIC's line driver: how the GIC model's output (each vCPU's
 * IRQ input) reaches KVM when there is no in-kernel vGIC.
 *
 * Protocol: the vCPU's own thread is the only writer of its line.
 * - user_lines_want() (the GIC's set_cpu_irq hook) may run on any thread:
 *   a device thread completing I/O, another vCPU writing GICD_SGIR or
 *   EOIR, the main loop. It records the wanted level (an atomic store) and
 *   kicks the vCPU (arm64_vcpu_kick(): immediate_exit + signal), unless it
 *   runs on that vCPU's own thread, which is then not inside KVM_RUN.
 * - user_lines_apply() (the GIC's enter_vcpu hook, reached through
 *   irqchip_vcpu_enter()) runs on the vCPU's own thread right before each
 *   KVM_RUN: when the wanted level differs from the one it last applied, it
 *   issues KVM_IRQ_LINE for that vCPU.
 * So no KVM_IRQ_LINE for a CPU line is ever issued while that vCPU may be in
 * KVM_RUN. Why: on the 6.1 host kernel a KVM_IRQ_LINE from another thread
 * racing with the vCPU's own entry could be lost (docs/kvm-irq-line-race.md),
 * leaving the vCPU asleep in WFI with its interrupt pending. A kick that
 * lands after apply() looked at the wanted level and before KVM_RUN is not
 * lost: immediate_exit makes that KVM_RUN return at once (seq_cst ordering
 * of want's store, the kick's immediate_exit store, the vCPU's clearing of
 * immediate_exit and apply's load).
 *
 * Memory: the caller owns struct user_lines and the vCPU array, which must
 * outlive it; user_lines_init() allocates the per-vCPU state, freed by
 * user_lines_destroy() after every user (GIC, vCPU and device threads) is
 * gone. Locks: want() is called with the GIC lock held and takes only the
 * vCPU's kick lock (innermost).
 */
#ifndef KESTREL_IRQCHIP_USER_LINES_H
#define KESTREL_IRQCHIP_USER_LINES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

struct user_line {
	atomic_bool wanted; /* any thread */
	bool applied; /* the vCPU's own thread only */
	uint64_t applies; /* KVM_IRQ_LINE calls made, own thread only */
};

struct user_lines {
	int vm_fd;
	unsigned nr;
	struct vcpu *vcpus; /* nr entries, for the kick */
	struct user_line *line;
};

/* Lines low, nothing applied. Returns 0, -EINVAL (nr == 0), -ENOMEM. */
int user_lines_init(struct user_lines *ul, int vm_fd, struct vcpu *vcpus, unsigned nr);

/* Frees the per-vCPU state. Safe on a zeroed or already destroyed @ul. */
void user_lines_destroy(struct user_lines *ul);

/*
 * The GIC's set_cpu_irq(host = @ul): records @level for @vcpu and kicks it.
 * Returns 0, or -EINVAL for a bad @vcpu.
 */
int user_lines_want(void *ul, int vcpu, bool level);

/*
 * The GIC's enter_vcpu(host = @ul), on vCPU @vcpu's own thread: applies the
 * wanted level with KVM_IRQ_LINE if it changed. Returns 0 or -errno of
 * KVM_IRQ_LINE (then nothing counts as applied and the next entry retries).
 */
int user_lines_apply(void *ul, int vcpu);

#endif
