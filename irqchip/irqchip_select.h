/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Choosing the interrupt controller backend.
 *
 * The user gives a preference list ("auto", or a comma list of "kvm-v3",
 * "kvm-v2", "user"); auto means kvm-v3,kvm-v2,user. irqchip_choose() walks
 * the list against the probed host capabilities and records, for every
 * entry it passes over, why it cannot be used, so that kestrel can log the
 * whole chain and `kestrel check` can show it. Pure functions, any thread.
 */
#ifndef KESTREL_IRQCHIP_SELECT_H
#define KESTREL_IRQCHIP_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "arch/arm64/host_caps.h"

enum irqchip_kind { IRQCHIP_KVM_V3, IRQCHIP_KVM_V2, IRQCHIP_USER, IRQCHIP_KIND_NR };

#define IRQCHIP_LIST_MAX 8

struct irqchip_pref {
	enum irqchip_kind kind[IRQCHIP_LIST_MAX];
	unsigned n;
};

/* "kvm-v3", "kvm-v2", "user". */
const char *irqchip_kind_name(enum irqchip_kind kind);

/*
 * Parse a preference list. Returns 0, or -EINVAL with *bad pointing into @s
 * at the offending word (for the error message), or -E2BIG when too long.
 * Duplicates are rejected (-EINVAL) as they can only be a mistake.
 */
int irqchip_pref_parse(const char *s, struct irqchip_pref *out, const char **bad, size_t *bad_len);

/* Writes "kvm-v3,kvm-v2,user" style text into buf. */
void irqchip_pref_format(const struct irqchip_pref *p, char *buf, size_t len);

/*
 * Whether @kind can work on this host per @caps; when not, a reason is
 * written to @why (e.g. "KVM_CREATE_DEVICE(VGIC_V2): No such device").
 * @available_user is false while the userspace backend is not built in.
 */
bool irqchip_usable(const struct host_caps *caps, enum irqchip_kind kind, unsigned ncpus,
		    char *why, size_t why_len);

struct irqchip_choice {
	int chosen;		/* index into pref, or -1 when none is usable */
	char why[IRQCHIP_LIST_MAX][160]; /* reason per skipped entry */
};

/* Walks @pref in order; returns 0 and fills @out->chosen, or -ENODEV. */
int irqchip_choose(const struct host_caps *caps, const struct irqchip_pref *pref, unsigned ncpus,
		   struct irqchip_choice *out);

#endif
