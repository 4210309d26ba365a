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

#include <jansson.h>

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

/* Looks up @key in @o, checks its type, and returns it. */
static json_t *field(json_t *o, const char *key, json_type type)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		fail_msg("no key \"%s\"", key);
	if (json_typeof(v) != type)
		fail_msg("key \"%s\" has type %d, not %d", key, json_typeof(v), type);
	return v;
}

static void want_bool(json_t *o, const char *key, bool b)
{
	json_t *v = json_object_get(o, key);

	if (!v || !json_is_boolean(v))
		fail_msg("key \"%s\" missing or not a boolean", key);
	if (json_is_true(v) != b)
		fail_msg("key \"%s\" is %d, want %d", key, json_is_true(v), b);
}

static void want_int(json_t *o, const char *key, int n)
{
	assert_int_equal(json_integer_value(field(o, key, JSON_INTEGER)), n);
}

static void want_str(json_t *o, const char *key, const char *s)
{
	assert_string_equal(json_string_value(field(o, key, JSON_STRING)), s);
}

/* Writes the JSON report of @h, parses it back, checks the exit status. */
static json_t *report_json(const struct host_caps *h, int want_ret)
{
	json_error_t jerr;
	json_t *o;
	int ret;
	char *s = report(h, true, &ret);

	assert_int_equal(ret, want_ret);
	o = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		fail_msg("not JSON (%s at line %d): %s", jerr.text, jerr.line, s);
	free(s);
	assert_true(json_is_object(o));
	return o;
}

/* Every field of `check --json`, with each boolean set differently per host. */
static void test_check_json_fields(void **state)
{
	static const char *const keys[] = {
		"host_arch", "kernel", "arm64_kvm", "api_version", "max_vcpus", "ipa_limit",
		"vgic_v3", "vgic_v2", "vgic_its", "user_irq", "psci_0_2", "pmu_v3", "sve",
		"ptrauth", "irqfd", "ioeventfd", "immediate_exit", "irqchip_chain",
		"auto_irqchip", "ok",
	};
	struct host_caps a = {
		.host_arch = "aarch64", .kernel_release = "6.1.0-18 \"q\" \\ \t",
		.arm64_kvm = true, .api_version = 12, .max_vcpus = 512, .nr_vcpus = 4,
		.ipa_limit = 48, .vgic_v3 = true, .vgic_its = true, .vgic_v2_err = ENODEV,
		.user_irq = true, .psci_0_2 = true, .irqfd = true, .ioeventfd = true,
		.immediate_exit = true,
	};
	struct host_caps b = {
		.host_arch = "aarch64", .kernel_release = "5.10", .arm64_kvm = true,
		.api_version = 11, .max_vcpus = 8, .ipa_limit = 0, .vgic_v2 = true,
		.vgic_v3_err = ENODEV, .pmu_v3 = true, .sve = true, .ptrauth = true,
	};
	struct host_caps c = {
		.host_arch = "aarch64", .kernel_release = "6.6", .arm64_kvm = true,
		.api_version = 12, .max_vcpus = 4, .vgic_v3_err = ENXIO, .vgic_v2_err = ENODEV,
	};
	json_t *o, *chain, *e;
	const char *key;
	json_t *v;
	size_t i;

	o = report_json(&a, 0);
	/* exactly these keys, in this order */
	i = 0;
	json_object_foreach(o, key, v) {
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	want_str(o, "host_arch", "aarch64");
	want_str(o, "kernel", "6.1.0-18 \"q\" \\ \t");
	want_bool(o, "arm64_kvm", true);
	want_int(o, "api_version", 12);
	want_int(o, "max_vcpus", 512);
	want_int(o, "ipa_limit", 48);
	want_bool(o, "vgic_v3", true);
	want_bool(o, "vgic_v2", false);
	want_bool(o, "vgic_its", true);
	want_bool(o, "user_irq", true);
	want_bool(o, "psci_0_2", true);
	want_bool(o, "pmu_v3", false);
	want_bool(o, "sve", false);
	want_bool(o, "ptrauth", false);
	want_bool(o, "irqfd", true);
	want_bool(o, "ioeventfd", true);
	want_bool(o, "immediate_exit", true);
	chain = field(o, "irqchip_chain", JSON_ARRAY);
	assert_int_equal(json_array_size(chain), 3);
	e = json_array_get(chain, 0);
	assert_int_equal(json_object_size(e), 3);
	want_str(e, "irqchip", "kvm-v3");
	want_bool(e, "usable", true);
	want_str(e, "reason", "");
	e = json_array_get(chain, 1);
	want_str(e, "irqchip", "kvm-v2");
	want_bool(e, "usable", false);
	assert_non_null(strstr(json_string_value(field(e, "reason", JSON_STRING)),
			       strerror(ENODEV)));
	e = json_array_get(chain, 2);
	want_str(e, "irqchip", "user");
	want_bool(e, "usable", true);
	want_str(e, "reason", "");
	want_str(o, "auto_irqchip", "kvm-v3");
	want_bool(o, "ok", true);
	json_decref(o);

	/* the other value of every boolean */
	o = report_json(&b, 0);
	want_str(o, "kernel", "5.10");
	want_int(o, "api_version", 11);
	want_int(o, "max_vcpus", 8);
	want_int(o, "ipa_limit", 0);
	want_bool(o, "vgic_v3", false);
	want_bool(o, "vgic_v2", true);
	want_bool(o, "vgic_its", false);
	want_bool(o, "user_irq", false);
	want_bool(o, "psci_0_2", false);
	want_bool(o, "pmu_v3", true);
	want_bool(o, "sve", true);
	want_bool(o, "ptrauth", true);
	want_bool(o, "irqfd", false);
	want_bool(o, "ioeventfd", false);
	want_bool(o, "immediate_exit", false);
	chain = field(o, "irqchip_chain", JSON_ARRAY);
	want_bool(json_array_get(chain, 0), "usable", false);
	want_bool(json_array_get(chain, 1), "usable", true);
	want_bool(json_array_get(chain, 2), "usable", false);
	want_str(o, "auto_irqchip", "kvm-v2");
	want_bool(o, "ok", true);
	json_decref(o);

	/* nothing usable: null pick, not ok */
	o = report_json(&c, 1);
	field(o, "auto_irqchip", JSON_NULL);
	want_bool(o, "ok", false);
	chain = field(o, "irqchip_chain", JSON_ARRAY);
	for (i = 0; i < 3; i++)
		want_bool(json_array_get(chain, i), "usable", false);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_check_report),
		cmocka_unit_test(test_check_json_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
