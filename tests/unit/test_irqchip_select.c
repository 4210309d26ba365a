// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: irqchip preference lists, the choice, and the `check` report. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irqchip/irqchip_select.h"
#include "vmm/check.h"

static void test_parse(void **state)
{
	struct irqchip_pref p;
	const char *bad;
	size_t bad_len;
	char buf[64];

	assert_int_equal(irqchip_pref_parse("auto", &p, &bad, &bad_len), 0);
	irqchip_pref_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "kvm-v3,kvm-v2,user");
	assert_int_equal(irqchip_pref_parse("user", &p, &bad, &bad_len), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.kind[0], IRQCHIP_USER);
	assert_int_equal(irqchip_pref_parse("kvm-v2,user", &p, &bad, &bad_len), 0);
	irqchip_pref_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "kvm-v2,user");
	assert_int_equal(irqchip_pref_parse("kvm-v2,gic", &p, &bad, &bad_len), -EINVAL);
	assert_int_equal(bad_len, 3);
	assert_memory_equal(bad, "gic", 3);
	assert_int_equal(irqchip_pref_parse("", &p, &bad, &bad_len), -EINVAL);
	assert_int_equal(irqchip_pref_parse("user,", &p, &bad, &bad_len), -EINVAL);
	assert_int_equal(irqchip_pref_parse("user,user", &p, &bad, &bad_len), -EINVAL);
	assert_int_equal(irqchip_pref_parse("auto,user", &p, &bad, &bad_len), -EINVAL);
}

/* The emulated test host: GICv3 + ITS, no GICv2 emulation. */
static const struct host_caps v3_host = {
	.host_arch = "aarch64", .arm64_kvm = true, .api_version = 12, .max_vcpus = 512,
	.ipa_limit = 48, .vgic_v3 = true, .vgic_its = true, .vgic_v2_err = ENODEV,
	.user_irq = true, .psci_0_2 = true,
};

static void test_choose(void **state)
{
	struct irqchip_pref p;
	struct irqchip_choice c;
	struct host_caps h = v3_host;
	const char *bad;
	size_t bad_len;

	irqchip_pref_parse("auto", &p, &bad, &bad_len);
	assert_int_equal(irqchip_choose(&h, &p, 4, &c), 0);
	assert_int_equal(p.kind[c.chosen], IRQCHIP_KVM_V3);

	irqchip_pref_parse("kvm-v2,user", &p, &bad, &bad_len);
	assert_int_equal(irqchip_choose(&h, &p, 4, &c), 0);
	assert_int_equal(p.kind[c.chosen], IRQCHIP_USER);
	assert_non_null(strstr(c.why[0], "VGIC_V2"));
	assert_non_null(strstr(c.why[0], strerror(ENODEV)));

	irqchip_pref_parse("kvm-v2", &p, &bad, &bad_len);
	assert_int_equal(irqchip_choose(&h, &p, 1, &c), -ENODEV);
	assert_int_equal(c.chosen, -1);

	/* more than 8 vCPUs: no GICv2 of either kind */
	irqchip_pref_parse("user", &p, &bad, &bad_len);
	assert_int_equal(irqchip_choose(&h, &p, 9, &c), -ENODEV);
	assert_non_null(strstr(c.why[0], "at most 8"));

	h.user_irq = false;
	assert_int_equal(irqchip_choose(&h, &p, 1, &c), -ENODEV);
	assert_non_null(strstr(c.why[0], "USER_IRQ"));
}

static char *report(const struct host_caps *h, bool json, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = check_report(h, json, f);
	fclose(f);
	return buf;
}

static void test_check_report(void **state)
{
	struct host_caps h = v3_host;
	int ret;
	char *s;

	s = report(&h, true, &ret);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(s, "\"vgic_v3\": true"));
	assert_non_null(strstr(s, "\"vgic_v2\": false"));
	assert_non_null(strstr(s, "\"vgic_its\": true"));
	assert_non_null(strstr(s, "\"user_irq\": true"));
	assert_non_null(strstr(s, "\"auto_irqchip\": \"kvm-v3\""));
	free(s);

	s = report(&h, false, &ret);
	assert_non_null(strstr(s, "kvm-v3   usable  <- auto picks this"));
	assert_non_null(strstr(s, "kvm-v2   unusable: KVM_CREATE_DEVICE(VGIC_V2) test"));
	free(s);

	/* GICv2-only host */
	h.vgic_v3 = h.vgic_its = false;
	h.vgic_v3_err = ENODEV;
	h.vgic_v2 = true;
	h.vgic_v2_err = 0;
	s = report(&h, true, &ret);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(s, "\"auto_irqchip\": \"kvm-v2\""));
	free(s);

	/* nothing usable */
	h.vgic_v2 = false;
	h.user_irq = false;
	s = report(&h, true, &ret);
	assert_int_equal(ret, 1);
	assert_non_null(strstr(s, "\"auto_irqchip\": null"));
	free(s);

	/* a KVM that is not arm64 */
	h = (struct host_caps){ .host_arch = "x86_64", .api_version = 12 };
	s = report(&h, false, &ret);
	assert_int_equal(ret, 1);
	assert_non_null(strstr(s, "kestrel needs an arm64 host"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_check_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
