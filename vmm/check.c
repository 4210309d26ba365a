// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/check.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "irqchip/irqchip_select.h"

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/*
 * A JSON string for @s. jansson takes only valid UTF-8: a kernel release or
 * reason that is not (it never should be) has its non-ASCII bytes replaced
 * by '?'. Returns NULL only when out of memory.
 */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/*
 * Builds the `check --json` object for @caps, the preference list @pref and
 * the irqchip auto picks (@picked, NULL: none). Returns a new reference, or
 * NULL when out of memory.
 */
static json_t *check_json(const struct host_caps *caps, const struct irqchip_pref *pref,
			  const char *picked)
{
	json_t *o = json_object(), *chain = json_array();
	int err = !o || !chain;

	err |= json_object_set_new(o, "host_arch", jstr(caps->host_arch));
	err |= json_object_set_new(o, "kernel", jstr(caps->kernel_release));
	err |= json_object_set_new(o, "arm64_kvm", json_boolean(caps->arm64_kvm));
	err |= json_object_set_new(o, "api_version", json_integer(caps->api_version));
	err |= json_object_set_new(o, "max_vcpus", json_integer(caps->max_vcpus));
	err |= json_object_set_new(o, "ipa_limit", json_integer(caps->ipa_limit));
	err |= json_object_set_new(o, "vgic_v3", json_boolean(caps->vgic_v3));
	err |= json_object_set_new(o, "vgic_v2", json_boolean(caps->vgic_v2));
	err |= json_object_set_new(o, "vgic_its", json_boolean(caps->vgic_its));
	err |= json_object_set_new(o, "user_irq", json_boolean(caps->user_irq));
	err |= json_object_set_new(o, "psci_0_2", json_boolean(caps->psci_0_2));
	err |= json_object_set_new(o, "pmu_v3", json_boolean(caps->pmu_v3));
	err |= json_object_set_new(o, "sve", json_boolean(caps->sve));
	err |= json_object_set_new(o, "ptrauth", json_boolean(caps->ptrauth));
	err |= json_object_set_new(o, "irqfd", json_boolean(caps->irqfd));
	err |= json_object_set_new(o, "ioeventfd", json_boolean(caps->ioeventfd));
	err |= json_object_set_new(o, "immediate_exit", json_boolean(caps->immediate_exit));
	for (unsigned i = 0; i < pref->n; i++) {
		char why[160] = "";
		bool usable = irqchip_usable(caps, pref->kind[i], 1, why, sizeof(why));
		json_t *e = json_object();

		err |= !e;
		err |= json_object_set_new(e, "irqchip", jstr(irqchip_kind_name(pref->kind[i])));
		err |= json_object_set_new(e, "usable", json_boolean(usable));
		err |= json_object_set_new(e, "reason", jstr(why));
		err |= json_array_append_new(chain, e);
	}
	err |= json_object_set_new(o, "irqchip_chain", chain);
	err |= json_object_set_new(o, "auto_irqchip", picked ? jstr(picked) : json_null());
	err |= json_object_set_new(o, "ok", json_boolean(picked != NULL));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int check_report(const struct host_caps *caps, bool json, FILE *out)
{
	struct irqchip_pref pref = { .kind = { IRQCHIP_KVM_V3, IRQCHIP_KVM_V2, IRQCHIP_USER },
				     .n = 3 };
	struct irqchip_choice choice;
	const char *picked = NULL;
	int ok;

	irqchip_choose(caps, &pref, 1, &choice);
	if (caps->arm64_kvm && choice.chosen >= 0)
		picked = irqchip_kind_name(pref.kind[choice.chosen]);
	ok = picked ? 0 : 1;

	if (json) {
		json_t *o = check_json(caps, &pref, picked);

		if (!o || json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
		    fputc('\n', out) == EOF) {
			json_decref(o);
			return 1;
		}
		json_decref(o);
		return ok;
	}

	fprintf(out, "host:              %s, Linux %s\n", caps->host_arch, caps->kernel_release);
	if (!caps->arm64_kvm) {
		fprintf(out, "KVM:               API %d, but for %s guests: kestrel needs an arm64 "
			     "host with /dev/kvm\n",
			caps->api_version, caps->host_arch);
		return 1;
	}
	fprintf(out, "KVM API version:   %d\n", caps->api_version);
	fprintf(out, "max vCPUs:         %d (recommended %d)\n", caps->max_vcpus, caps->nr_vcpus);
	fprintf(out, "IPA size limit:    %d bits\n", caps->ipa_limit ? caps->ipa_limit : 40);
	fprintf(out, "in-kernel vGICv3:  %s%s%s\n", yes_no(caps->vgic_v3),
		caps->vgic_v3 ? "" : " - ", caps->vgic_v3 ? "" : strerror(caps->vgic_v3_err));
	fprintf(out, "in-kernel ITS:     %s\n", yes_no(caps->vgic_its));
	fprintf(out, "in-kernel vGICv2:  %s%s%s\n", yes_no(caps->vgic_v2),
		caps->vgic_v2 ? "" : " - ", caps->vgic_v2 ? "" : strerror(caps->vgic_v2_err));
	fprintf(out, "user irqchip:      %s (KVM_CAP_ARM_USER_IRQ)\n", yes_no(caps->user_irq));
	fprintf(out, "PSCI 0.2:          %s\n", yes_no(caps->psci_0_2));
	fprintf(out, "PMUv3:             %s\n", yes_no(caps->pmu_v3));
	fprintf(out, "SVE:               %s\n", yes_no(caps->sve));
	fprintf(out, "pointer auth:      %s\n", yes_no(caps->ptrauth));
	fprintf(out, "irqfd/ioeventfd:   %s/%s\n", yes_no(caps->irqfd), yes_no(caps->ioeventfd));
	fprintf(out, "irqchip auto:      tries kvm-v3, kvm-v2, user\n");
	for (unsigned i = 0; i < pref.n; i++) {
		char why[160] = "";
		bool usable = irqchip_usable(caps, pref.kind[i], 1, why, sizeof(why));

		fprintf(out, "  %-8s %s%s%s\n", irqchip_kind_name(pref.kind[i]),
			usable ? "usable" : "unusable: ", usable ? "" : why,
			(int)i == choice.chosen ? "  <- auto picks this" : "");
	}
	if (!picked)
		fprintf(out, "result:            no usable irqchip: kestrel cannot run guests here\n");
	return ok;
}
