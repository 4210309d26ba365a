// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: size/int parsing (vmm/util.c) and the command line (vmm/cli.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vmm/cli.h"
#include "vmm/util.h"

static void test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("256M", &v), 0);
	assert_int_equal(v, 256ULL << 20);
	assert_int_equal(parse_size("2G", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("2g", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("1024KiB", &v), 0);
	assert_int_equal(v, 1ULL << 20);
	assert_int_equal(parse_size("65536", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("M", &v), -EINVAL);
	assert_int_equal(parse_size("-1M", &v), -EINVAL);
	assert_int_equal(parse_size("12X", &v), -EINVAL);
	assert_int_equal(parse_size("12MM", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
}

static void test_parse_uint(void **state)
{
	uint64_t v;

	assert_int_equal(parse_uint("4", 1, 8, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(parse_uint("0", 1, 8, &v), -ERANGE);
	assert_int_equal(parse_uint("9", 1, 8, &v), -ERANGE);
	assert_int_equal(parse_uint("4x", 1, 8, &v), -EINVAL);
	assert_int_equal(parse_uint(" 4", 1, 8, &v), -EINVAL);
	assert_int_equal(parse_uint("-4", 0, 8, &v), -EINVAL);
}

static int parse(struct vm_config *cfg, struct cli_result *res, char *err, int argc, ...)
{
	char *argv[32];
	va_list ap;

	argv[0] = "kestrel";
	va_start(ap, argc);
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(argc, argv, cfg, res, err, 256);
}

static void test_cli_run(void **state)
{
	struct vm_config cfg;
	struct cli_result res;
	char err[256];

	assert_int_equal(parse(&cfg, &res, err, 10, "--kernel", "/k", "--cpus", "4", "--memory=1G",
			       "--irqchip", "kvm-v2,user", "--on-reboot", "exit"),
			 0);
	assert_int_equal(res.action, CLI_RUN);
	assert_string_equal(cfg.kernel, "/k");
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(cfg.memory, 1ULL << 30);
	assert_int_equal(cfg.irqchip.n, 2);
	assert_int_equal(cfg.irqchip.kind[0], IRQCHIP_KVM_V2);
	assert_int_equal(cfg.irqchip.kind[1], IRQCHIP_USER);
	assert_int_equal(cfg.on_reboot, ON_REBOOT_EXIT);
	/* defaults */
	assert_int_equal(parse(&cfg, &res, err, 3, "--kernel", "/k"), 0);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.memory, VM_DEFAULT_MEMORY);
	assert_int_equal(cfg.irqchip.n, 3);
	assert_int_equal(cfg.on_reboot, ON_REBOOT_RESTART);
}

static void test_cli_errors(void **state)
{
	struct vm_config cfg;
	struct cli_result res;
	char err[256];

	assert_int_equal(parse(&cfg, &res, err, 1), -EINVAL);
	assert_non_null(strstr(err, "--kernel"));
	assert_int_equal(parse(&cfg, &res, err, 5, "--kernel", "/k", "--cpus", "0"), -EINVAL);
	assert_non_null(strstr(err, "--cpus: invalid value '0'"));
	assert_int_equal(parse(&cfg, &res, err, 5, "--kernel", "/k", "--memory", "12X"), -EINVAL);
	assert_non_null(strstr(err, "'12X'"));
	assert_int_equal(parse(&cfg, &res, err, 5, "--kernel", "/k", "--memory", "65M"), -EINVAL);
	assert_int_equal(parse(&cfg, &res, err, 4, "--kernel", "/k", "--bogus"), -EINVAL);
	assert_non_null(strstr(err, "unknown option '--bogus'"));
	assert_int_equal(parse(&cfg, &res, err, 4, "--kernel", "/k", "--cpus"), -EINVAL);
	assert_non_null(strstr(err, "missing value"));
	assert_int_equal(parse(&cfg, &res, err, 5, "--kernel", "/k", "--irqchip", "kvm-v4"),
			 -EINVAL);
	assert_non_null(strstr(err, "'kvm-v4'"));
	assert_int_equal(parse(&cfg, &res, err, 5, "--kernel", "/k", "--on-reboot", "halt"),
			 -EINVAL);
	assert_int_equal(parse(&cfg, &res, err, 4, "--kernel", "/k", "--json"), -EINVAL);
}

static void test_cli_check_help(void **state)
{
	struct vm_config cfg;
	struct cli_result res;
	char err[256];

	assert_int_equal(parse(&cfg, &res, err, 3, "check", "--json"), 0);
	assert_int_equal(res.action, CLI_CHECK);
	assert_true(res.json);
	assert_int_equal(parse(&cfg, &res, err, 2, "check"), 0);
	assert_false(res.json);
	assert_int_equal(parse(&cfg, &res, err, 3, "check", "--cpus=2"), -EINVAL);
	assert_int_equal(parse(&cfg, &res, err, 2, "--help"), 0);
	assert_int_equal(res.action, CLI_HELP);
	assert_int_equal(parse(&cfg, &res, err, 2, "--version"), 0);
	assert_int_equal(res.action, CLI_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_cli_run),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_cli_check_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
