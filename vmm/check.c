// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/check.h"

#include <string.h>

#include "irqchip/irqchip_select.h"

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static const char *tf(bool b)
{
	return b ? "true" : "false";
}

/* Prints a JSON string literal; reasons contain only printable ASCII. */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
	fputc('"', out);
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
		fprintf(out, "{\n  \"host_arch\": \"%s\",\n  \"kernel\": ", caps->host_arch);
		json_str(out, caps->kernel_release);
		fprintf(out,
			",\n  \"arm64_kvm\": %s,\n  \"api_version\": %d,\n  \"max_vcpus\": %d,\n"
			"  \"ipa_limit\": %d,\n  \"vgic_v3\": %s,\n  \"vgic_v2\": %s,\n"
			"  \"vgic_its\": %s,\n  \"user_irq\": %s,\n  \"psci_0_2\": %s,\n"
			"  \"pmu_v3\": %s,\n  \"sve\": %s,\n  \"ptrauth\": %s,\n  \"irqfd\": %s,\n"
			"  \"ioeventfd\": %s,\n  \"immediate_exit\": %s,\n",
			tf(caps->arm64_kvm), caps->api_version, caps->max_vcpus, caps->ipa_limit,
			tf(caps->vgic_v3), tf(caps->vgic_v2), tf(caps->vgic_its),
			tf(caps->user_irq), tf(caps->psci_0_2), tf(caps->pmu_v3), tf(caps->sve),
			tf(caps->ptrauth), tf(caps->irqfd), tf(caps->ioeventfd),
			tf(caps->immediate_exit));
		fprintf(out, "  \"irqchip_chain\": [");
		for (unsigned i = 0; i < pref.n; i++) {
			char why[160] = "";
			bool usable = irqchip_usable(caps, pref.kind[i], 1, why, sizeof(why));

			fprintf(out, "%s\n    {\"irqchip\": \"%s\", \"usable\": %s, \"reason\": ",
				i ? "," : "", irqchip_kind_name(pref.kind[i]), tf(usable));
			json_str(out, why);
			fputc('}', out);
		}
		fprintf(out, "\n  ],\n  \"auto_irqchip\": ");
		if (picked)
			json_str(out, picked);
		else
			fputs("null", out);
		fprintf(out, ",\n  \"ok\": %s\n}\n", tf(!ok));
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
