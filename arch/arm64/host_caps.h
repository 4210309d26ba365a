/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the host's KVM offers, as probed once at start (arch/arm64/kvm_probe.c) and
 * then only read. A plain struct without KVM types so that decisions made
 * from it (irqchip choice, `kestrel check` output) are unit-testable on any
 * host.
 */
#ifndef KESTREL_ARCH_ARM64_HOST_CAPS_H
#define KESTREL_ARCH_ARM64_HOST_CAPS_H

#include <stdbool.h>

struct host_caps {
	const char *host_arch;	/* "aarch64", "x86_64", ... (uname machine) */
	char kernel_release[65];
	bool arm64_kvm;		/* KVM here runs arm64 guests */
	int api_version;
	int max_vcpus;
	int nr_vcpus;		/* recommended */
	int ipa_limit;		/* bits; 0 when KVM_CAP_ARM_VM_IPA_SIZE is absent (40) */
	bool vgic_v3, vgic_v2, vgic_its;
	int vgic_v3_err, vgic_v2_err, vgic_its_err; /* errno of the failed test create */
	bool user_irq;		/* KVM_CAP_ARM_USER_IRQ */
	bool psci_0_2, pmu_v3, sve, ptrauth, irqfd, ioeventfd, immediate_exit;
	bool one_reg, signal_msi, mte;
};

#endif
