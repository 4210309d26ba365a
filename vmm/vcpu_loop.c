// SPDX-License-Identifier: GPL-2.0-only
/*
 * One thread per vCPU. Each iteration: let the irqchip apply what changed
 * for this vCPU (irqchip_vcpu_enter(): the userspace GIC's line, issued by
 * this thread only), KVM_RUN, then handle the exit: MMIO goes to the bus,
 * PSCI system events become stop requests, failures dump the registers.
 * With the userspace GIC, the timers' and PMU's output levels that KVM
 * reports after every KVM_RUN become PPI level changes.
 *
 * Stopping: vm_request_stop() from anywhere, then vcpus_stop() on the main
 * thread kicks every vCPU, waits until all left their loops, disables kicks
 * and only then joins, so no kick can target a joined thread.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "irqchip/irqchip.h"
#include "lib/log.h"
#include "vmm/seccomp.h"
#include "vmm/vm_priv.h"

static void vcpu_handle_mmio(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	int ret = mmio_bus_dispatch(&vcpu->vm->bus, (int)vcpu->index, e->mmio_addr, e->mmio_data,
				    e->mmio_len, e->mmio_write);

	if (ret && log_pow2(&vcpu->vm->unmapped_accesses))
		log_debug("vCPU %u: %s of %u bytes at 0x%llx: no device (%s), RAZ/WI (%llu so far)",
			  vcpu->index, e->mmio_write ? "write" : "read", e->mmio_len,
			  (unsigned long long)e->mmio_addr, strerror(-ret),
			  (unsigned long long)__atomic_load_n(&vcpu->vm->unmapped_accesses,
							      __ATOMIC_RELAXED));
}

/*
 * An access KVM cannot decode (no valid syndrome: load/store pair, a
 * writeback, ...) outside RAM: the guest gets a synchronous external data
 * abort, as a bus error on real hardware would give it. One warning per VM.
 * Returns true when the VM must stop (the abort could not be injected).
 */
static bool vcpu_handle_nisv(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	int ret = arm64_vcpu_inject_dabt(vcpu);

	if (ret) {
		log_err("vCPU %u: access KVM cannot decode at 0x%llx (ESR ISS 0x%llx), and no "
			"external abort could be injected: %s",
			vcpu->index, (unsigned long long)e->mmio_addr, (unsigned long long)e->code,
			strerror(-ret));
		return true;
	}
	if (log_first(&vcpu->vm->nisv_accesses))
		log_warn("vCPU %u: access KVM cannot decode at 0x%llx (ESR ISS 0x%llx): external "
			 "abort injected (further ones not logged)",
			 vcpu->index, (unsigned long long)e->mmio_addr, (unsigned long long)e->code);
	return false;
}

/* Returns true when the vCPU thread must stop. */
static bool vcpu_handle_exit(struct vcpu *vcpu, const struct vcpu_exit *e)
{
	struct vm *vm = vcpu->vm;

	switch (e->kind) {
	case VCPU_EXIT_MMIO:
		vcpu_handle_mmio(vcpu, e);
		return false;
	case VCPU_EXIT_KICK:
		return false;
	case VCPU_EXIT_NISV:
		if (!vcpu_handle_nisv(vcpu, e))
			return false;
		break;
	case VCPU_EXIT_SHUTDOWN:
		/* logged by the session once the console is flushed (session.c) */
		vm_request_stop(vm, VM_STOP_POWEROFF);
		return true;
	case VCPU_EXIT_RESET:
		log_info("guest reset");
		vm_request_stop(vm, VM_STOP_RESET);
		return true;
	case VCPU_EXIT_CRASH:
		log_err("guest crashed (PSCI SYSTEM_EVENT_CRASH)");
		vm_request_stop(vm, VM_STOP_FAILURE);
		return true;
	case VCPU_EXIT_SYSTEM_OTHER:
		log_warn("vCPU %u: system event %llu ignored", vcpu->index,
			 (unsigned long long)e->code);
		return false;
	case VCPU_EXIT_FAIL_ENTRY:
		log_err("vCPU %u: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx", vcpu->index,
			(unsigned long long)e->code);
		break;
	case VCPU_EXIT_INTERNAL_ERROR:
		log_err("vCPU %u: KVM_EXIT_INTERNAL_ERROR, suberror %llu", vcpu->index,
			(unsigned long long)e->code);
		break;
	default:
		log_err("vCPU %u: unexpected exit reason %llu", vcpu->index,
			(unsigned long long)e->code);
		break;
	}
	arm64_vcpu_dump(vcpu, stderr);
	vm_request_stop(vm, VM_STOP_FAILURE);
	return true;
}

/*
 * Userspace GIC: changes of the timers' and the PMU's output levels become
 * level changes of their PPIs, through the same irqchip entry point as every
 * other interrupt source.
 */
static void vcpu_sync_dev_irqs(struct vcpu *vcpu, uint32_t now)
{
	static const struct {
		uint32_t bit;
		uint32_t intid;
	} map[] = {
		{ARM64_DEV_VTIMER, LAYOUT_PPI_VTIMER},
		{ARM64_DEV_PTIMER, LAYOUT_PPI_PTIMER},
		{ARM64_DEV_PMU, LAYOUT_PPI_PMU},
	};
	uint32_t changed = now ^ vcpu->irq_level;

	if (!changed)
		return;
	vcpu->irq_level = now;
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (changed & map[i].bit)
			irqchip_set_level(vcpu->vm->chip, (int)vcpu->index, map[i].intid,
					  now & map[i].bit);
}

/* Parks the vCPU thread outside KVM_RUN while a pause is asked and no stop. */
static void vcpu_park(struct vm *vm)
{
	pthread_mutex_lock(&vm->live_lock);
	vm->parked++;
	pthread_cond_broadcast(&vm->park_cond);
	while (atomic_load(&vm->pause) && atomic_load(&vm->stop) == VM_RUNNING)
		pthread_cond_wait(&vm->park_cond, &vm->live_lock);
	vm->parked--;
	pthread_mutex_unlock(&vm->live_lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	bool user_irqs = vm->kind == IRQCHIP_USER;
	struct vcpu_exit exit;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* this thread's own seccomp filter, before the guest runs */
	if (seccomp_install(vm->s->seccomp, SECCOMP_ROLE_VCPU))
		vm_request_stop(vm, VM_STOP_FAILURE);
	arm64_vcpu_kick_enable(vcpu);

	while (atomic_load(&vm->stop) == VM_RUNNING) {
		int ret;

		if (atomic_load(&vm->pause)) {
			vcpu_park(vm);
			continue;
		}
		irqchip_vcpu_enter(vm->chip, (int)vcpu->index);
		ret = arm64_vcpu_run(vcpu, &exit);
		seccomp_test_violation(vm->s->seccomp, SECCOMP_ROLE_VCPU); /* test builds only */
		if (user_irqs)
			vcpu_sync_dev_irqs(vcpu, exit.dev_irq_level);
		if (ret) {
			log_err("vCPU %u: KVM_RUN: %s", vcpu->index, strerror(-ret));
			arm64_vcpu_dump(vcpu, stderr);
			vm_request_stop(vm, VM_STOP_FAILURE);
			break;
		}
		vcpu->exits[exit.kind]++;
		if (vcpu_handle_exit(vcpu, &exit))
			break;
	}
	pthread_mutex_lock(&vm->live_lock);
	vm->live_vcpus--;
	pthread_cond_signal(&vm->live_cond);
	pthread_cond_broadcast(&vm->park_cond);
	pthread_mutex_unlock(&vm->live_lock);
	return NULL;
}

int vcpus_start(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		int ret;

		pthread_mutex_lock(&vm->live_lock);
		vm->live_vcpus++;
		pthread_mutex_unlock(&vm->live_lock);
		ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret) {
			pthread_mutex_lock(&vm->live_lock);
			vm->live_vcpus--;
			pthread_mutex_unlock(&vm->live_lock);
			log_err("pthread_create(vCPU %u): %s", i, strerror(ret));
			vm_request_stop(vm, VM_STOP_FAILURE);
			return -ret;
		}
		v->thread_started = true;
	}
	return 0;
}

void vcpus_stats_print(const struct vm *vm, FILE *f)
{
	static const char *const names[VCPU_EXIT_KIND_NR] = {
		[VCPU_EXIT_MMIO] = "mmio",
		[VCPU_EXIT_KICK] = "kick",
		[VCPU_EXIT_SHUTDOWN] = "shutdown",
		[VCPU_EXIT_RESET] = "reset",
		[VCPU_EXIT_CRASH] = "crash",
		[VCPU_EXIT_SYSTEM_OTHER] = "system",
		[VCPU_EXIT_FAIL_ENTRY] = "fail-entry",
		[VCPU_EXIT_INTERNAL_ERROR] = "internal-error",
		[VCPU_EXIT_NISV] = "nisv",
		[VCPU_EXIT_UNKNOWN] = "unknown",
	};

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = &vm->vcpus[i];
		uint64_t total = 0;

		for (unsigned k = 0; k < VCPU_EXIT_KIND_NR; k++)
			total += v->exits[k];
		fprintf(f, "vcpu %u: exits %llu", i, (unsigned long long)total);
		for (unsigned k = 0; k < VCPU_EXIT_KIND_NR; k++)
			if (v->exits[k])
				fprintf(f, " %s=%llu", names[k], (unsigned long long)v->exits[k]);
		if (vm->kind == IRQCHIP_USER && vm->lines.line)
			fprintf(f, " irq-line-applies=%llu",
				(unsigned long long)vm->lines.line[i].applies);
		fputc('\n', f);
	}
}

void vcpus_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->live_lock);
	atomic_store(&vm->pause, true);
	pthread_mutex_unlock(&vm->live_lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].thread_started)
			arm64_vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->live_lock);
	while (vm->parked < vm->live_vcpus)
		pthread_cond_wait(&vm->park_cond, &vm->live_lock);
	pthread_mutex_unlock(&vm->live_lock);
	vm_virtio_pause(&vm->virtio); /* no vCPU kicks a queue now */
}

void vcpus_resume(struct vm *vm)
{
	vm_virtio_resume(&vm->virtio);
	pthread_mutex_lock(&vm->live_lock);
	atomic_store(&vm->pause, false);
	pthread_cond_broadcast(&vm->park_cond);
	pthread_mutex_unlock(&vm->live_lock);
}

void vcpus_stop(struct vm *vm)
{
	if (!vm->vcpus)
		return;
	/* parked vCPUs look at the stop flag again */
	pthread_mutex_lock(&vm->live_lock);
	pthread_cond_broadcast(&vm->park_cond);
	pthread_mutex_unlock(&vm->live_lock);
	/*
	 * A thread that was not kickable yet checks the stop flag after
	 * arm64_vcpu_kick_enable() (same lock), so it cannot miss the stop.
	 */
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].thread_started)
			arm64_vcpu_kick(&vm->vcpus[i]);
	pthread_mutex_lock(&vm->live_lock);
	while (vm->live_vcpus)
		pthread_cond_wait(&vm->live_cond, &vm->live_lock);
	pthread_mutex_unlock(&vm->live_lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->thread_started)
			continue;
		arm64_vcpu_kick_disable(v);
		pthread_join(v->thread, NULL);
		v->thread_started = false;
	}
}
