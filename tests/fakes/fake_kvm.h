/* SPDX-License-Identifier: GPL-2.0-only */
/* Test fake of the KVM layer's line and kick calls: see fake_kvm.c. */
#ifndef KESTREL_TESTS_FAKES_FAKE_KVM_H
#define KESTREL_TESTS_FAKES_FAKE_KVM_H

#include <pthread.h>
#include <stdbool.h>

#define FAKE_KVM_MAX_CALLS 4096
#define FAKE_KVM_MAX_VCPUS 8

struct fake_kvm_call {
	char op; /* 'l' KVM_IRQ_LINE (CPU line), 'k' kick */
	unsigned vcpu;
	bool level;
	pthread_t thread; /* who issued it */
};

struct fake_kvm {
	pthread_mutex_t lock;
	struct fake_kvm_call calls[FAKE_KVM_MAX_CALLS];
	unsigned n;
	unsigned long total;
	bool level[FAKE_KVM_MAX_VCPUS]; /* KVM's idea of each CPU line */
	int fail_next; /* -errno for the next kvm_irq_line_cpu() */
};

extern struct fake_kvm fake_kvm;

void fake_kvm_reset(void);

#endif
