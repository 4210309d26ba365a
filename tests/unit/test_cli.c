// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the command line (vmm/cli.c). How --config combines with
 * flags, and --print-config round trips, are in test_config.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"
#include "lib/util.h"

struct fx {
	struct vm_config cfg;
	struct cli_result res;
	char err[256];
};

/* cli_parse() of "kestrel" and the arguments; the config is released at the next call. */
static int parse_args(struct fx *f, const char *first, ...)
{
	char *argv[32] = { "kestrel" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < 31);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;
	vm_config_free(&f->cfg);
	memset(f->err, 0, sizeof(f->err));
	return cli_parse(argc, argv, &f->cfg, &f->res, f->err, sizeof(f->err));
}

#define parse(f, ...) parse_args(f, __VA_ARGS__, (const char *)NULL)

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	vm_config_defaults(&f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vm_config_free(&f->cfg);
	free(f);
	return 0;
}

static void test_cli_run(void **state)
{
	struct fx *f = *state;
	struct vm_config *cfg = &f->cfg;

	assert_int_equal(parse(f, "--kernel", "/k", "--cpus", "4", "--memory=1G", "--irqchip",
			       "kvm-v2,user", "--on-reboot", "exit", "--shutdown-timeout", "3"),
			 0);
	assert_int_equal(f->res.action, CLI_RUN);
	assert_string_equal(cfg->kernel, "/k");
	assert_int_equal(cfg->cpus, 4);
	assert_int_equal(cfg->memory, 1ULL << 30);
	assert_int_equal(cfg->irqchip.n, 2);
	assert_int_equal(cfg->irqchip.kind[0], IRQCHIP_KVM_V2);
	assert_int_equal(cfg->irqchip.kind[1], IRQCHIP_USER);
	assert_int_equal(cfg->on_reboot, ON_REBOOT_EXIT);
	assert_int_equal(cfg->shutdown_timeout, 3);
	/* defaults */
	assert_int_equal(parse(f, "--kernel", "/k"), 0);
	assert_int_equal(cfg->cpus, 1);
	assert_int_equal(cfg->memory, VM_DEFAULT_MEMORY);
	assert_int_equal(cfg->irqchip.n, 3);
	assert_int_equal(cfg->on_reboot, ON_REBOOT_RESTART);
	assert_int_equal(cfg->shutdown_timeout, VM_DEFAULT_SHUTDOWN_TIMEOUT);
	assert_string_equal(cfg->cmdline, VM_DEFAULT_CMDLINE);
	assert_null(cfg->initrd);
	assert_int_equal(cfg->nr_disks, 0);
	assert_int_equal(cfg->nr_nets, 0);
	assert_false(cfg->rng);
	assert_false(cfg->vsock.enabled);
	assert_int_equal(cfg->serial, VM_SERIAL_STDIO);
	assert_int_equal(cfg->seccomp, VM_SECCOMP_ON);
	assert_int_equal(cfg->log_level, LOG_INFO);
	assert_null(cfg->log_file);
	assert_null(cfg->api_socket);
	assert_null(cfg->dump_dtb);
	assert_false(cfg->stats);
}

static void test_cli_devices(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct fx *f = *state;
	struct vm_config *cfg = &f->cfg;

	assert_int_equal(parse(f, "--kernel", "/k", "--disk", "path=/img/root.ext4,id=root",
			       "--disk", "path=/img/b,readonly=on",
			       "--disk=id=c,readonly=off,path=/c",
			       "--net", "tap=tap0,mac=52:54:00:12:34:56", "--net", "tap=tap1",
			       "--rng", "--vsock", "cid=3", "--serial", "off", "--seccomp", "log",
			       "--log-file", "/var/log/k", "--api-socket", "/run/k.sock",
			       "--hugepages"),
			 0);
	assert_int_equal(cfg->nr_disks, 3);
	assert_string_equal(cfg->disks[0].path, "/img/root.ext4");
	assert_string_equal(cfg->disks[0].id, "root");
	assert_false(cfg->disks[0].readonly);
	assert_string_equal(cfg->disks[1].path, "/img/b");
	assert_null(cfg->disks[1].id);
	assert_true(cfg->disks[1].readonly);
	assert_string_equal(cfg->disks[2].path, "/c");
	assert_string_equal(cfg->disks[2].id, "c");
	assert_false(cfg->disks[2].readonly);
	assert_int_equal(cfg->nr_nets, 2);
	assert_string_equal(cfg->nets[0].tap, "tap0");
	assert_true(cfg->nets[0].has_mac);
	assert_memory_equal(cfg->nets[0].mac, mac, 6);
	assert_string_equal(cfg->nets[1].tap, "tap1");
	assert_false(cfg->nets[1].has_mac);
	assert_true(cfg->rng);
	assert_true(cfg->vsock.enabled);
	assert_int_equal(cfg->vsock.cid, 3);
	assert_int_equal(cfg->serial, VM_SERIAL_OFF);
	assert_int_equal(cfg->seccomp, VM_SECCOMP_LOG);
	assert_string_equal(cfg->log_file, "/var/log/k");
	assert_string_equal(cfg->api_socket, "/run/k.sock");
	assert_true(cfg->hugepages);
	/* the last of a repeated scalar flag wins */
	assert_int_equal(parse(f, "--kernel", "/k", "--vsock", "cid=3", "--vsock", "cid=4",
			       "--kernel", "/k2"),
			 0);
	assert_int_equal(cfg->vsock.cid, 4);
	assert_string_equal(cfg->kernel, "/k2");
}

/* The strings are copies: argv may go away. */
static void test_cli_copies_strings(void **state)
{
	struct fx *f = *state;
	char kernel[] = "/kernel", disk[] = "path=/disk,id=x";
	char *argv[] = { "kestrel", "--kernel", kernel, "--disk", disk, NULL };

	vm_config_free(&f->cfg);
	assert_int_equal(cli_parse(5, argv, &f->cfg, &f->res, f->err, sizeof(f->err)), 0);
	memset(kernel, 'z', sizeof(kernel) - 1);
	memset(disk, 'z', sizeof(disk) - 1);
	assert_string_equal(f->cfg.kernel, "/kernel");
	assert_string_equal(f->cfg.disks[0].path, "/disk");
	assert_string_equal(f->cfg.disks[0].id, "x");
	assert_non_null(f->cfg.strings);
}

static void test_cli_serial(void **state)
{
	struct fx *f = *state;
	struct vm_config *cfg = &f->cfg;

	assert_int_equal(parse(f, "--kernel", "/k", "--serial", "pty"), 0);
	assert_int_equal(cfg->serial, VM_SERIAL_PTY);
	assert_null(cfg->serial_path);
	assert_int_equal(parse(f, "--kernel", "/k", "--serial=file=/var/log/console,x=y"), 0);
	assert_int_equal(cfg->serial, VM_SERIAL_FILE);
	assert_string_equal(cfg->serial_path, "/var/log/console,x=y");
	assert_int_equal(parse(f, "--kernel", "/k", "--serial", "socket=/run/c.sock"), 0);
	assert_int_equal(cfg->serial, VM_SERIAL_SOCKET);
	assert_string_equal(cfg->serial_path, "/run/c.sock");
	/* the last one wins, and a mode without a path forgets the earlier path */
	assert_int_equal(parse(f, "--kernel", "/k", "--serial", "file=/a", "--serial", "off"), 0);
	assert_int_equal(cfg->serial, VM_SERIAL_OFF);
	assert_null(cfg->serial_path);
	assert_int_equal(parse(f, "--kernel", "/k", "--serial", "stdio"), 0);
	assert_int_equal(cfg->serial, VM_SERIAL_STDIO);
	assert_null(cfg->serial_path);
}

static const struct {
	const char *argv[7];	/* after "kestrel", NULL-terminated */
	const char *msg;
} bad_flags[] = {
	{ { NULL }, "--kernel: missing (see kestrel --help)" },
	{ { "--kernel", "/k", "--cpus", "0" }, "--cpus: invalid value '0' (expected 1 to 4096)" },
	{
	  { "--kernel", "/k", "--memory", "12X" },
	  "--memory: invalid size '12X' (expected e.g. 256M or 2G, at least 64M)" },
	{ { "--kernel", "/k", "--memory", "65M" }, "--memory: '65M' is not a multiple of 2M" },
	{ { "--kernel", "/k", "--memory", "16777215T" },
	  "--memory: machine.memory: 16777215T is more than the maximum 4096T" },
	{ { "--kernel", "/k", "--bogus" }, "unknown option '--bogus' (see kestrel --help)" },
	{ { "--kernel", "/k", "--cpus" }, "--cpus: missing value" },
	{ { "--kernel", "/k", "--rng=yes" }, "--rng: takes no value" },
	{
	  { "--kernel", "/k", "--irqchip", "kvm-v4" },
	  "--irqchip: invalid value 'kvm-v4' at 'kvm-v4' (expected auto, kvm-v3, kvm-v2, user or a "
	  "comma list without repeats)" },
	{
	  { "--kernel", "/k", "--on-reboot", "halt" },
	  "--on-reboot: invalid value 'halt' (expected restart or exit)" },
	{
	  { "--kernel", "/k", "--shutdown-timeout", "3601" },
	  "--shutdown-timeout: invalid value '3601' (expected 0 to 3600 seconds)" },
	{
	  { "--kernel", "/k", "--shutdown-timeout", "-1" },
	  "--shutdown-timeout: invalid value '-1' (expected 0 to 3600 seconds)" },
	{
	  { "--kernel", "/k", "--shutdown-timeout", "5s" },
	  "--shutdown-timeout: invalid value '5s' (expected 0 to 3600 seconds)" },
	{ { "--kernel", "/k", "--json" }, "--json: only valid after 'check'" },
	{
	  { "--kernel", "/k", "--disk", "readonly=on" },
	  "--disk: 'path=' missing in 'readonly=on'" },
	{
	  { "--kernel", "/k", "--disk", "path=/a,readonly=yes" },
	  "--disk: invalid readonly 'yes' (expected on or off)" },
	{
	  { "--kernel", "/k", "--disk", "path=/a,ro=on" },
	  "--disk: invalid 'ro=on' in 'path=/a,ro=on' (expected path=, readonly=, id=)" },
	{
	  { "--kernel", "/k", "--disk", "/a.img" },
	  "--disk: invalid '/a.img' in '/a.img' (expected path=, readonly=, id=)" },
	{
	  { "--kernel", "/k", "--disk", "path=/a,path=/b" },
	  "--disk: 'path=' given twice in 'path=/a,path=/b'" },
	{ { "--kernel", "/k", "--disk", "path=" }, "--disk: disks[0].path: empty path" },
	{
	  { "--kernel", "/k", "--disk", "path=/a,id=123456789012345678901" },
	  "--disk: disks[0].id: \"123456789012345678901\" is 21 bytes long (1-20)" },
	{
	  { "--kernel", "/k", "--net", "mac=52:54:00:12:34:56" },
	  "--net: 'tap=' missing in 'mac=52:54:00:12:34:56'" },
	{
	  { "--kernel", "/k", "--net", "tap=t,mac=52:54:00:12:34" },
	  "--net: invalid mac '52:54:00:12:34' (expected e.g. 52:54:00:12:34:56)" },
	{
	  { "--kernel", "/k", "--net", "tap=t,mac=01:54:00:12:34:56" },
	  "--net: nets[0].mac: 01:54:00:12:34:56 is a multicast address" },
	{
	  { "--kernel", "/k", "--net", "tap=0123456789abcdef" },
	  "--net: nets[0].tap: \"0123456789abcdef\" is not an interface name (1-15 bytes, no '/', "
	  "':' or spaces, not . or ..)" },
	{
	  { "--kernel", "/k", "--vsock", "cid=2" },
	  "--vsock: invalid cid '2' (expected 3 to 4294967294)" },
	{
	  { "--kernel", "/k", "--vsock", "3" },
	  "--vsock: invalid '3' in '3' (expected cid=)" },
	{
	  { "--kernel", "/k", "--serial", "tty" },
	  "--serial: invalid value 'tty' (expected stdio, off, pty, file=PATH or socket=PATH)" },
	{
	  { "--kernel", "/k", "--serial", "pty=/dev/pts/1" },
	  "--serial: invalid value 'pty=/dev/pts/1' (expected stdio, off, pty, file=PATH or "
	  "socket=PATH)" },
	{
	  { "--kernel", "/k", "--serial", "file" },
	  "--serial: invalid value 'file' (expected stdio, off, pty, file=PATH or socket=PATH)" },
	{ { "--kernel", "/k", "--serial", "file=" }, "--serial: serial: empty path" },
	{
	  { "--kernel", "/k", "--serial", "socket=/sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss" },
	  "--serial: serial: \"/ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss...\" is 108 bytes long, at most 107" },
	{
	  { "--kernel", "/k", "--serial", "file=/k" },
	  "--serial: serial: \"/k\" is also kernel.path" },
	{
	  { "--kernel", "/k", "--serial", "socket=/r/k", "--api-socket", "/r/k" },
	  "--api-socket: api.socket: \"/r/k\" is also serial" },
	{
	  { "--kernel", "/k", "--seccomp", "strict" },
	  "--seccomp: invalid value 'strict' (expected on, log or off)" },
	{
	  { "--kernel", "/k", "--log-level", "loud" },
	  "--log-level: invalid value 'loud' (expected error, warn, info or debug)" },
	{ { "--kernel", "/k", "--log-file", "" }, "--log-file: log.file: empty path" },
	{
	  { "--kernel", "/k", "--dump-dtb", "/k" },
	  "--dump-dtb: debug.dump_dtb: \"/k\" is also kernel.path" },
	{
	  { "--config", "/a.json", "--config", "/b.json" },
	  "--config: given twice" },
	{
	  { "--config", "/nonexistent/vm.json" },
	  "/nonexistent/vm.json: No such file or directory" },
	{ { "check", "--cpus=2" }, "check: unexpected option '--cpus=2'" },
	{ { "check", "--print-config" }, "check: unexpected option '--print-config'" },
};

static void test_cli_errors(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		char *argv[9] = { "kestrel" };
		int argc = 1, ret;

		while (bad_flags[i].argv[argc - 1]) {
			argv[argc] = (char *)bad_flags[i].argv[argc - 1];
			argc++;
		}
		vm_config_free(&f->cfg);
		ret = cli_parse(argc, argv, &f->cfg, &f->res, f->err, sizeof(f->err));
		if ((ret != -EINVAL && ret != -ENOENT) || strcmp(f->err, bad_flags[i].msg))
			fail_msg("row %zu: got %d '%s'\n  want '%s'", i, ret, f->err,
				 bad_flags[i].msg);
		/* released on failure */
		assert_null(f->cfg.strings);
		assert_null(f->cfg.kernel);
	}
}

static void test_cli_lists(void **state)
{
	struct fx *f = *state;
	char *argv[2 + 2 * 9 + 1] = { "kestrel", "--kernel=/k" };
	char disks[9][16];
	int argc = 2;

	for (int i = 0; i < 9; i++) {
		snprintf(disks[i], sizeof(disks[i]), "path=/d%d", i);
		argv[argc++] = "--disk";
		argv[argc++] = disks[i];
	}
	vm_config_free(&f->cfg);
	assert_int_equal(cli_parse(argc - 2, argv, &f->cfg, &f->res, f->err, sizeof(f->err)), 0);
	assert_int_equal(f->cfg.nr_disks, 8);
	vm_config_free(&f->cfg);
	assert_int_equal(cli_parse(argc, argv, &f->cfg, &f->res, f->err, sizeof(f->err)),
			 -EINVAL);
	assert_string_equal(f->err, "--disk: more than 8 disks");

	assert_int_equal(parse(f, "--kernel=/k", "--net", "tap=a", "--net", "tap=b", "--net",
			       "tap=c", "--net", "tap=d", "--net", "tap=e"),
			 -EINVAL);
	assert_string_equal(f->err, "--net: more than 4 nets");

	/* conflicts are found by the shared validation, which names the flag */
	assert_int_equal(parse(f, "--kernel=/k", "--disk", "path=/a,id=x", "--disk",
			       "path=/b,id=x", "--rng"),
			 -EINVAL);
	assert_string_equal(f->err, "--disk: disks[1].id: \"x\" is also disks[0].id");
	assert_int_equal(parse(f, "--kernel=/k", "--net", "tap=t0", "--net", "tap=t0"),
			 -EINVAL);
	assert_string_equal(f->err, "--net: nets[1].tap: \"t0\" is also nets[0].tap");
	assert_int_equal(parse(f, "--kernel=/k", "--net", "tap=t0,mac=02:00:00:00:00:01",
			       "--net", "tap=t1,mac=02:00:00:00:00:01"),
			 -EINVAL);
	assert_string_equal(f->err,
			    "--net: nets[1].mac: 02:00:00:00:00:01 is also nets[0].mac");
}

static void test_cli_actions(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "check", "--json"), 0);
	assert_int_equal(f->res.action, CLI_CHECK);
	assert_true(f->res.json);
	assert_int_equal(parse(f, "check"), 0);
	assert_false(f->res.json);
	assert_int_equal(parse(f, "check", "--log-level", "debug"), 0);
	assert_int_equal(f->cfg.log_level, LOG_DEBUG);
	assert_int_equal(parse(f, "--help"), 0);
	assert_int_equal(f->res.action, CLI_HELP);
	assert_int_equal(parse(f, "--version"), 0);
	assert_int_equal(f->res.action, CLI_VERSION);
	/* help wins, and needs neither a kernel nor a readable --config */
	assert_int_equal(parse(f, "--print-config", "--config", "/nonexistent", "-h"), 0);
	assert_int_equal(f->res.action, CLI_HELP);
	/* --print-config needs a runnable config but no host */
	assert_int_equal(parse(f, "--print-config"), -EINVAL);
	assert_string_equal(f->err, "--kernel: missing (see kestrel --help)");
	assert_int_equal(parse(f, "--print-config", "--kernel", "/k"), 0);
	assert_int_equal(f->res.action, CLI_PRINT_CONFIG);
	assert_non_null(strstr(cli_usage, "--disk path=F[,readonly=on|off][,id=ID]"));
	assert_non_null(strstr(cli_usage, "--print-config"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cli_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_serial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_copies_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_actions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
