// SPDX-License-Identifier: GPL-2.0-only
#include "irqchip/irqchip_select.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"

static const char *const kind_names[IRQCHIP_KIND_NR] = {
	[IRQCHIP_KVM_V3] = "kvm-v3",
	[IRQCHIP_KVM_V2] = "kvm-v2",
	[IRQCHIP_USER] = "user",
};

/* GICv2 has eight CPU interfaces; so do both GICv2 backends. */
#define GICV2_MAX_CPUS 8

const char *irqchip_kind_name(enum irqchip_kind kind)
{
	return (unsigned)kind < IRQCHIP_KIND_NR ? kind_names[kind] : "?";
}

static int add_kind(struct irqchip_pref *out, enum irqchip_kind k)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->kind[i] == k)
			return -EINVAL;
	if (out->n >= IRQCHIP_LIST_MAX)
		return -E2BIG;
	out->kind[out->n++] = k;
	return 0;
}

int irqchip_pref_parse(const char *s, struct irqchip_pref *out, const char **bad, size_t *bad_len)
{
	const char *p = s;
	int ret;

	memset(out, 0, sizeof(*out));
	*bad = s;
	*bad_len = strlen(s);
	for (;;) {
		size_t n = strcspn(p, ",");
		bool found = false;

		*bad = p;
		*bad_len = n;
		if (n == 4 && !strncmp(p, "auto", 4)) {
			for (int k = 0; k < IRQCHIP_KIND_NR; k++) {
				ret = add_kind(out, (enum irqchip_kind)k);
				if (ret)
					return ret;
			}
			found = true;
		}
		for (int k = 0; !found && k < IRQCHIP_KIND_NR; k++) {
			if (strlen(kind_names[k]) == n && !strncmp(p, kind_names[k], n)) {
				ret = add_kind(out, (enum irqchip_kind)k);
				if (ret)
					return ret;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		if (!p[n])
			break;
		p += n + 1;
	}
	return 0;
}

void irqchip_pref_format(const struct irqchip_pref *p, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < p->n && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 irqchip_kind_name(p->kind[i]));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

bool irqchip_usable(const struct host_caps *caps, enum irqchip_kind kind, unsigned ncpus,
		    char *why, size_t why_len)
{
	switch (kind) {
	case IRQCHIP_KVM_V3:
		if (!caps->vgic_v3) {
			snprintf(why, why_len, "KVM_CREATE_DEVICE(VGIC_V3) test: %s",
				 strerror(caps->vgic_v3_err));
			return false;
		}
		return true;
	case IRQCHIP_KVM_V2:
		if (!caps->vgic_v2) {
			snprintf(why, why_len, "KVM_CREATE_DEVICE(VGIC_V2) test: %s",
				 strerror(caps->vgic_v2_err));
			return false;
		}
		if (ncpus > GICV2_MAX_CPUS) {
			snprintf(why, why_len, "GICv2 supports at most %d vCPUs, %u asked",
				 GICV2_MAX_CPUS, ncpus);
			return false;
		}
		return true;
	case IRQCHIP_USER:
		if (!caps->user_irq) {
			snprintf(why, why_len, "KVM_CAP_ARM_USER_IRQ not offered");
			return false;
		}
		if (ncpus > GICV2_MAX_CPUS) {
			snprintf(why, why_len, "the userspace GICv2 supports at most %d vCPUs, %u asked",
				 GICV2_MAX_CPUS, ncpus);
			return false;
		}
		return true;
	default:
		snprintf(why, why_len, "unknown irqchip");
		return false;
	}
}

int irqchip_choose(const struct host_caps *caps, const struct irqchip_pref *pref, unsigned ncpus,
		   struct irqchip_choice *out)
{
	memset(out, 0, sizeof(*out));
	out->chosen = -1;
	for (unsigned i = 0; i < pref->n; i++) {
		if (irqchip_usable(caps, pref->kind[i], ncpus, out->why[i], sizeof(out->why[i]))) {
			out->chosen = (int)i;
			return 0;
		}
	}
	return -ENODEV;
}
