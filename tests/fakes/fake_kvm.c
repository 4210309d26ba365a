// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test fake of the KVM calls the userspace GIC's line driver makes
 * (arch/arm64/kvm.h: kvm_irq_line_cpu; arch/arm64/vcpu.h: arm64_vcpu_kick),
 * for native unit tests. It records who issued which call from which
 * thread. The kick goes through the real kick gate (lib/thread_kick.c) so
 * the "not from the vCPU's own thread, not when disarmed" rules are the
 * product's; instead of a signal it counts.
 */
#include "tests/fakes/fake_kvm.h"

#include <errno.h>
#include <signal.h>

#include "arch/arm64/kvm.h"
#include "arch/arm64/vcpu.h"

struct fake_kvm fake_kvm = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void record(char op, unsigned vcpu, bool level)
{
	pthread_mutex_lock(&fake_kvm.lock);
	if (fake_kvm.n < FAKE_KVM_MAX_CALLS)
		fake_kvm.calls[fake_kvm.n++] = (struct fake_kvm_call){
			.op = op,
			.vcpu = vcpu,
			.level = level,
			.thread = pthread_self(),
		};
	fake_kvm.total++;
	if (op == 'l')
		fake_kvm.level[vcpu % FAKE_KVM_MAX_VCPUS] = level;
	pthread_mutex_unlock(&fake_kvm.lock);
}

void fake_kvm_reset(void)
{
	pthread_mutex_lock(&fake_kvm.lock);
	fake_kvm.n = 0;
	fake_kvm.total = 0;
	fake_kvm.fail_next = 0;
	for (unsigned i = 0; i < FAKE_KVM_MAX_VCPUS; i++)
		fake_kvm.level[i] = false;
	pthread_mutex_unlock(&fake_kvm.lock);
}

int kvm_irq_line_cpu(int vm_fd, unsigned vcpu, bool level)
{
	int fail;

	pthread_mutex_lock(&fake_kvm.lock);
	fail = fake_kvm.fail_next;
	fake_kvm.fail_next = 0;
	pthread_mutex_unlock(&fake_kvm.lock);
	if (fail)
		return fail;
	record('l', vcpu, level);
	return 0;
}

static void count_kick(void *ctx)
{
	struct vcpu *v = ctx;

	record('k', v->index, false);
}

/* The real gate; signal 0 makes pthread_kill() only check the thread: nothing is sent. */
void arm64_vcpu_kick(struct vcpu *vcpu)
{
	thread_kick(&vcpu->kick, 0 /* pthread_kill(t, 0) checks, sends nothing */, count_kick,
		    vcpu);
}
