// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: JSON VM descriptions (vmm/config_json.c), --print-config
 * (vmm/config_print.c), validation (vmm/vm_config.c), the schema and the
 * example files in configs/, how --config combines with flags, and
 * Firecracker --config-file documents (vmm/api_config.c's mapping).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "vmm/api_router.h"
#include "vmm/cli.h"
#include "vmm/config_json.h"
#include "vmm/config_print.h"
#include "lib/util.h"
#include "vmm/vm_config.h"
#include "tests/fakes/fuzz_replay.h"

/* The fuzz target itself, renamed: its inputs are replayed below. */
#define LLVMFuzzerTestOneInput fuzz_config_json_one
#include "tests/fuzz/fuzz_config_json.c"
#undef LLVMFuzzerTestOneInput

#define CONFIG_DATA TEST_DATA_DIR "/config"
#define CONFIGS_DIR TEST_DATA_DIR "/../../../configs"

/* ---- helpers ---- */

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int parse_text(const char *text, size_t len, struct vm_config *cfg, char *err,
		      size_t errlen)
{
	vm_config_defaults(cfg);
	return config_json_parse(text, len, "t.json", cfg, err, errlen);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Every field of the effective configuration, strings by content. */
static void assert_config_equal(const struct vm_config *a, const struct vm_config *b)
{
	assert_true(str_eq(a->kernel, b->kernel));
	assert_true(str_eq(a->initrd, b->initrd));
	assert_true(str_eq(a->cmdline, b->cmdline));
	assert_int_equal(a->cpus, b->cpus);
	assert_int_equal(a->memory, b->memory);
	assert_int_equal(a->hugepages, b->hugepages);
	assert_int_equal(a->irqchip.n, b->irqchip.n);
	for (unsigned i = 0; i < a->irqchip.n; i++)
		assert_int_equal(a->irqchip.kind[i], b->irqchip.kind[i]);
	assert_int_equal(a->on_reboot, b->on_reboot);
	assert_int_equal(a->shutdown_timeout, b->shutdown_timeout);
	assert_int_equal(a->nr_disks, b->nr_disks);
	for (unsigned i = 0; i < a->nr_disks; i++) {
		assert_true(str_eq(a->disks[i].path, b->disks[i].path));
		assert_true(str_eq(a->disks[i].id, b->disks[i].id));
		assert_int_equal(a->disks[i].readonly, b->disks[i].readonly);
	}
	assert_int_equal(a->nr_nets, b->nr_nets);
	for (unsigned i = 0; i < a->nr_nets; i++) {
		assert_true(str_eq(a->nets[i].tap, b->nets[i].tap));
		assert_int_equal(a->nets[i].has_mac, b->nets[i].has_mac);
		if (a->nets[i].has_mac)
			assert_memory_equal(a->nets[i].mac, b->nets[i].mac, 6);
	}
	assert_int_equal(a->rng, b->rng);
	assert_int_equal(a->vsock.enabled, b->vsock.enabled);
	if (a->vsock.enabled)
		assert_int_equal(a->vsock.cid, b->vsock.cid);
	assert_int_equal(a->serial, b->serial);
	assert_true(str_eq(a->serial_path, b->serial_path));
	assert_int_equal(a->seccomp, b->seccomp);
	assert_int_equal(a->log_level, b->log_level);
	assert_true(str_eq(a->log_file, b->log_file));
	assert_true(str_eq(a->api_socket, b->api_socket));
	assert_true(str_eq(a->dump_dtb, b->dump_dtb));
	assert_int_equal(a->stats, b->stats);
}

/* print(cfg) parsed back equals cfg, and printing that gives the same text. */
static void assert_round_trip(const struct vm_config *cfg)
{
	struct vm_config back;
	char *text, *again;
	char err[256];

	assert_int_equal(config_print_json(cfg, &text, err, sizeof(err)), 0);
	if (parse_text(text, strlen(text), &back, err, sizeof(err)))
		fail_msg("%s\n%s", err, text);
	assert_config_equal(cfg, &back);
	assert_int_equal(vm_config_validate(&back, VM_CHECK_WHOLE, err, sizeof(err)), 0);
	assert_int_equal(config_print_json(&back, &again, err, sizeof(err)), 0);
	assert_string_equal(text, again);
	free(again);
	free(text);
	vm_config_free(&back);
}

static int cli_args(struct vm_config *cfg, struct cli_result *res, char *err, size_t errlen,
		    const char *first, ...)
{
	char *argv[48] = { "kestrel" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < 47);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(argc, argv, cfg, res, err, errlen);
}

/* cli_parse() of "kestrel" and the arguments. */
#define cli(cfg, res, err, errlen, ...) \
	cli_args(cfg, res, err, errlen, __VA_ARGS__, (const char *)NULL)

/* ---- good documents ---- */

static void assert_full(const struct vm_config *cfg)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	assert_string_equal(cfg->kernel, "/boot/Image");
	assert_string_equal(cfg->initrd, "/boot/initrd.cpio.gz");
	assert_string_equal(cfg->cmdline, "console=ttyS0 root=/dev/vda rw");
	assert_int_equal(cfg->cpus, 8);
	assert_int_equal(cfg->memory, 2ULL << 30);
	assert_true(cfg->hugepages);
	assert_int_equal(cfg->irqchip.n, 2);
	assert_int_equal(cfg->irqchip.kind[0], IRQCHIP_KVM_V2);
	assert_int_equal(cfg->irqchip.kind[1], IRQCHIP_USER);
	assert_int_equal(cfg->on_reboot, ON_REBOOT_EXIT);
	assert_int_equal(cfg->shutdown_timeout, 7);
	assert_int_equal(cfg->nr_disks, 3);
	assert_string_equal(cfg->disks[0].path, "/img/root.ext4");
	assert_false(cfg->disks[0].readonly);
	assert_string_equal(cfg->disks[0].id, "root");
	assert_string_equal(cfg->disks[1].path, "/img/ro.img");
	assert_true(cfg->disks[1].readonly);
	assert_null(cfg->disks[1].id);
	assert_null(cfg->disks[2].id);
	assert_int_equal(cfg->nr_nets, 2);
	assert_string_equal(cfg->nets[0].tap, "tap0");
	assert_true(cfg->nets[0].has_mac);
	assert_memory_equal(cfg->nets[0].mac, mac, 6);
	assert_string_equal(cfg->nets[1].tap, "tap-lan");
	assert_false(cfg->nets[1].has_mac);
	assert_true(cfg->rng);
	assert_true(cfg->vsock.enabled);
	assert_int_equal(cfg->vsock.cid, 1234);
	assert_int_equal(cfg->serial, VM_SERIAL_SOCKET);
	assert_string_equal(cfg->serial_path, "/run/kestrel-console.sock");
	assert_int_equal(cfg->seccomp, VM_SECCOMP_LOG);
	assert_int_equal(cfg->log_level, LOG_DEBUG);
	assert_string_equal(cfg->log_file, "/var/log/kestrel.log");
	assert_string_equal(cfg->api_socket, "/run/kestrel.sock");
	assert_string_equal(cfg->dump_dtb, "/tmp/vm.dtb");
	assert_true(cfg->stats);
}

static void test_full_document(void **state)
{
	struct vm_config cfg;
	char err[256];

	vm_config_defaults(&cfg);
	if (config_json_load(CONFIG_DATA "/full.json", &cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_full(&cfg);
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), 0);
	assert_round_trip(&cfg);
	vm_config_free(&cfg);
	/* vm_config_free() leaves defaults behind and may be called again */
	assert_null(cfg.kernel);
	assert_int_equal(cfg.cpus, VM_DEFAULT_CPUS);
	vm_config_free(&cfg);
}

static void test_empty_object_keeps_defaults(void **state)
{
	struct vm_config cfg, def;
	char err[256];

	assert_int_equal(parse_text("{}", 2, &cfg, err, sizeof(err)), 0);
	vm_config_defaults(&def);
	assert_config_equal(&cfg, &def);
	assert_int_equal(cfg.irqchip.n, 3);
	/* no kernel: fine for a part, not for a VM */
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_PART, err, sizeof(err)), 0);
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "kernel.path: missing");
	vm_config_free(&cfg);
}

static void test_value_forms(void **state)
{
	static const struct {
		const char *doc;
		uint64_t memory;
		unsigned nchips;
		enum irqchip_kind first;
	} rows[] = {
		{ "{\"machine\":{\"memory\":\"1G\"}}", 1ULL << 30, 3, IRQCHIP_KVM_V3 },
		{ "{\"machine\":{\"memory\":\"512MiB\"}}", 512ULL << 20, 3, IRQCHIP_KVM_V3 },
		{ "{\"machine\":{\"memory\":134217728}}", 128ULL << 20, 3, IRQCHIP_KVM_V3 },
		{ "{\"machine\":{\"irqchip\":\"auto\"}}", VM_DEFAULT_MEMORY, 3, IRQCHIP_KVM_V3 },
		{ "{\"machine\":{\"irqchip\":\"user\"}}", VM_DEFAULT_MEMORY, 1, IRQCHIP_USER },
		{ "{\"machine\":{\"irqchip\":\"kvm-v2,user\"}}", VM_DEFAULT_MEMORY, 2,
		  IRQCHIP_KVM_V2 },
		{ "{\"machine\":{\"irqchip\":[\"user\",\"kvm-v3\"]}}", VM_DEFAULT_MEMORY, 2,
		  IRQCHIP_USER },
	};
	struct vm_config cfg;
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		if (parse_text(rows[i].doc, strlen(rows[i].doc), &cfg, err, sizeof(err)))
			fail_msg("%s: %s", rows[i].doc, err);
		assert_int_equal(cfg.memory, rows[i].memory);
		assert_int_equal(cfg.irqchip.n, rows[i].nchips);
		assert_int_equal(cfg.irqchip.kind[0], rows[i].first);
		vm_config_free(&cfg);
	}
	/* null turns optional things off again */
	{
		const char *doc = "{\"kernel\":{\"initrd\":null},\"vsock\":null,"
				  "\"log\":{\"file\":null},\"api\":{\"socket\":null}}";

		vm_config_defaults(&cfg);
		cfg.vsock.enabled = true;
		cfg.vsock.cid = 9;
		cfg.initrd = "/i";
		assert_int_equal(config_json_parse(doc, strlen(doc), "t.json", &cfg, err,
						   sizeof(err)),
				 0);
		assert_false(cfg.vsock.enabled);
		assert_null(cfg.initrd);
		vm_config_free(&cfg);
	}
}

/* ---- bad documents: each its own message, naming file and path ---- */

struct bad_doc {
	const char *doc;
	const char *msg;
};

/* Long strings appear cut to 67 characters and "...". */
#define X67 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct bad_doc bad_docs[] = {
	/* not JSON, or not an object */
	{ "", "t.json: empty file (expected a JSON object)" },
	{ " \n\t \n", "t.json: empty file (expected a JSON object)" },
	{ "{\"machine\":{\"cpus\":1,}}",
	  "t.json:1:22: syntax error: string or '}' expected near '}'" },
	{ "{\n  \"rng\": true\n  \"serial\": \"off\"\n}",
	  "t.json:3:10: syntax error: '}' expected near '\"serial\"'" },
	{ "{\"rng\":true} x", "t.json:1:14: syntax error: end of file expected near 'x'" },
	{ "{\"rng\":tru}", "t.json:1:10: syntax error: invalid token near 'tru'" },
	{ "{\"rng\":true,\n \"rng\":false}",
	  "t.json:2:6: duplicate object key near '\"rng\"'" },
	{ "{\"kernel\":{\"path\":\"/k\xff\"}}",
	  "t.json:1:21: invalid UTF-8: unable to decode byte 0xff near '\"/k'" },
	{ "{\"machine\":{\"memory\":99999999999999999999}}",
	  "t.json:1:41: too big integer near '99999999999999999999'" },
	{ "{\"machine\":{\"cpus\":1e400}}", "t.json:1:24: real number overflow near '1e400'" },
	{ "[]", "t.json: top level: expected an object, got an array" },
	/* unknown keys, at every depth */
	{ "{\"kernal\":{}}", "t.json: kernal: unknown key" },
	{ "{\"machine\":{\"cpu\":2}}", "t.json: machine.cpu: unknown key" },
	{ "{\"disks\":[{\"path\":\"/a\"},{\"path\":\"/b\",\"raedonly\":true}]}",
	  "t.json: disks[1].raedonly: unknown key" },
	{ "{\"vsock\":{\"cid\":3,\"port\":1}}", "t.json: vsock.port: unknown key" },
	{ "{\"a\\u0001\\\\b\":1}", "t.json: a\\x01\\x5cb: unknown key" },
	/* types */
	{ "{\"kernel\":null}", "t.json: kernel: expected an object, got null" },
	{ "{\"kernel\":{\"path\":5}}", "t.json: kernel.path: expected a string, got 5" },
	{ "{\"machine\":{\"cpus\":\"4\"}}",
	  "t.json: machine.cpus: expected an integer, got \"4\"" },
	{ "{\"machine\":{\"cpus\":2.5}}", "t.json: machine.cpus: expected an integer, got 2.5" },
	{ "{\"machine\":{\"hugepages\":\"yes\"}}",
	  "t.json: machine.hugepages: expected true or false, got \"yes\"" },
	{ "{\"machine\":{\"memory\":true}}",
	  "t.json: machine.memory: expected a size such as \"256M\" or a number of bytes, got "
	  "true" },
	{ "{\"disks\":{}}", "t.json: disks: expected an array, got an object" },
	{ "{\"disks\":[\"/a\"]}", "t.json: disks[0]: expected an object, got \"/a\"" },
	{ "{\"vsock\":true}", "t.json: vsock: expected an object or null, got true" },
	{ "{\"seccomp\":false}", "t.json: seccomp: expected a string, got false" },
	{ "{\"machine\":{\"irqchip\":[3]}}",
	  "t.json: machine.irqchip[0]: expected a string, got 3" },
	{ "{\"kernel\":{\"cmdline\":null}}",
	  "t.json: kernel.cmdline: expected a string, got null" },
	/* ranges and formats */
	{ "{\"machine\":{\"cpus\":0}}", "t.json: machine.cpus: 0 is out of range (1-4096)" },
	{ "{\"machine\":{\"cpus\":4097}}",
	  "t.json: machine.cpus: 4097 is out of range (1-4096)" },
	{ "{\"machine\":{\"cpus\":-1}}", "t.json: machine.cpus: -1 is out of range (1-4096)" },
	{ "{\"machine\":{\"memory\":\"12X\"}}",
	  "t.json: machine.memory: \"12X\" is not a size (expected e.g. \"256M\" or \"2G\")" },
	{ "{\"machine\":{\"memory\":\"99999999999999999999\"}}",
	  "t.json: machine.memory: \"99999999999999999999\" is too large" },
	{ "{\"machine\":{\"memory\":\"32M\"}}",
	  "t.json: machine.memory: 32M is less than the minimum 64M" },
	{ "{\"machine\":{\"memory\":\"65M\"}}",
	  "t.json: machine.memory: 65M is not a multiple of 2M" },
	{ "{\"machine\":{\"memory\":-1}}", "t.json: machine.memory: -1 is negative" },
	{ "{\"machine\":{\"memory\":\"8192T\"}}",
	  "t.json: machine.memory: 8192T is more than the maximum 4096T" },
	{ "{\"machine\":{\"memory\":9223372036852678656}}",
	  "t.json: machine.memory: 8796093022206M is more than the maximum 4096T" },
	{ "{\"machine\":{\"irqchip\":\"kvm-v4\"}}",
	  "t.json: machine.irqchip: \"kvm-v4\" is not valid at \"kvm-v4\" (expected auto, "
	  "kvm-v3, kvm-v2, user, or a list of them without repeats)" },
	{ "{\"machine\":{\"irqchip\":[\"user\",\"user\"]}}",
	  "t.json: machine.irqchip[1]: \"user\" is listed twice" },
	{ "{\"machine\":{\"irqchip\":[\"auto\"]}}",
	  "t.json: machine.irqchip[0]: \"auto\" is not one of kvm-v3, kvm-v2, user" },
	{ "{\"machine\":{\"irqchip\":[]}}", "t.json: machine.irqchip: empty list" },
	{ "{\"machine\":{\"on_reboot\":\"halt\"}}",
	  "t.json: machine.on_reboot: \"halt\" is not one of restart, exit" },
	{ "{\"machine\":{\"shutdown_timeout\":3601}}",
	  "t.json: machine.shutdown_timeout: 3601 is out of range (0-3600)" },
	{ "{\"machine\":{\"shutdown_timeout\":-1}}",
	  "t.json: machine.shutdown_timeout: -1 is out of range (0-3600)" },
	{ "{\"machine\":{\"shutdown_timeout\":\"10\"}}",
	  "t.json: machine.shutdown_timeout: expected an integer, got \"10\"" },
	{ "{\"serial\":\"tty\"}",
	  "t.json: serial: \"tty\" is not one of stdio, off, pty, file=PATH or socket=PATH" },
	{ "{\"serial\":\"socket\"}",
	  "t.json: serial: \"socket\" is not one of stdio, off, pty, file=PATH or socket=PATH" },
	{ "{\"serial\":\"off=/x\"}",
	  "t.json: serial: \"off=/x\" is not one of stdio, off, pty, file=PATH or socket=PATH" },
	{ "{\"serial\":{\"mode\":\"pty\"}}", "t.json: serial: expected a string, got an object" },
	{ "{\"serial\":\"file=\"}", "t.json: serial: empty path" },
	{ "{\"serial\":\"file=/boot/Image\",\"kernel\":{\"path\":\"/boot/Image\"}}",
	  "t.json: serial: \"/boot/Image\" is also kernel.path" },
	{ "{\"serial\":\"socket=/r\",\"api\":{\"socket\":\"/r\"}}",
	  "t.json: api.socket: \"/r\" is also serial" },
	{ "{\"seccomp\":\"strict\"}", "t.json: seccomp: \"strict\" is not one of on, log, off" },
	{ "{\"log\":{\"level\":\"verbose\"}}",
	  "t.json: log.level: \"verbose\" is not one of error, warn, info, debug" },
	{ "{\"vsock\":{\"cid\":2}}", "t.json: vsock.cid: 2 is out of range (3-4294967294)" },
	{ "{\"vsock\":{\"cid\":4294967295}}",
	  "t.json: vsock.cid: 4294967295 is out of range (3-4294967294)" },
	{ "{\"disks\":[{\"path\":\"\"}]}", "t.json: disks[0].path: empty path" },
	{ "{\"disks\":[{\"path\":\"/a\",\"id\":\"123456789012345678901\"}]}",
	  "t.json: disks[0].id: \"123456789012345678901\" is 21 bytes long (1-20)" },
	{ "{\"disks\":[{\"path\":\"/a\",\"id\":\"my disk\"}]}",
	  "t.json: disks[0].id: \"my disk\" has a character that is not printable ASCII or is a "
	  "space" },
	{ "{\"nets\":[{\"tap\":\"tap-name-too-long\"}]}",
	  "t.json: nets[0].tap: \"tap-name-too-long\" is not an interface name (1-15 bytes, no "
	  "'/', ':' or spaces, not . or ..)" },
	{ "{\"nets\":[{\"tap\":\"a/b\"}]}",
	  "t.json: nets[0].tap: \"a/b\" is not an interface name (1-15 bytes, no '/', ':' or "
	  "spaces, not . or ..)" },
	{ "{\"nets\":[{\"tap\":\"t\",\"mac\":\"52:54:00:12:34\"}]}",
	  "t.json: nets[0].mac: \"52:54:00:12:34\" is not a MAC address (expected e.g. "
	  "\"52:54:00:12:34:56\")" },
	{ "{\"nets\":[{\"tap\":\"t\",\"mac\":\"01:00:5e:00:00:01\"}]}",
	  "t.json: nets[0].mac: 01:00:5e:00:00:01 is a multicast address" },
	{ "{\"nets\":[{\"tap\":\"t\",\"mac\":\"00:00:00:00:00:00\"}]}",
	  "t.json: nets[0].mac: 00:00:00:00:00:00 is all zeros" },
	{ "{\"kernel\":{\"cmdline\":\"@2048\"}}",
	  "t.json: kernel.cmdline: \"" X67 "...\" is 2048 bytes long, at most 2047" },
	{ "{\"api\":{\"socket\":\"@108\"}}",
	  "t.json: api.socket: \"" X67 "...\" is 108 bytes long, at most 107" },
	/* too many */
	{ "{\"disks\":[{\"path\":\"/1\"},{\"path\":\"/2\"},{\"path\":\"/3\"},{\"path\":\"/4\"},"
	  "{\"path\":\"/5\"},{\"path\":\"/6\"},{\"path\":\"/7\"},{\"path\":\"/8\"},"
	  "{\"path\":\"/9\"}]}",
	  "t.json: disks: 9 entries, at most 8" },
	{ "{\"nets\":[{\"tap\":\"a\"},{\"tap\":\"b\"},{\"tap\":\"c\"},{\"tap\":\"d\"},"
	  "{\"tap\":\"e\"}]}",
	  "t.json: nets: 5 entries, at most 4" },
	/* missing required fields */
	{ "{\"disks\":[{\"readonly\":true}]}", "t.json: disks[0].path: missing" },
	{ "{\"nets\":[{\"mac\":\"52:54:00:12:34:56\"}]}", "t.json: nets[0].tap: missing" },
	{ "{\"vsock\":{}}", "t.json: vsock.cid: missing" },
	/* conflicts */
	{ "{\"disks\":[{\"path\":\"/a\"},{\"path\":\"/a\",\"readonly\":true}]}",
	  "t.json: disks[1].path: \"/a\" is also disks[0].path" },
	{ "{\"disks\":[{\"path\":\"/a\",\"id\":\"x\"},{\"path\":\"/b\",\"id\":\"x\"}]}",
	  "t.json: disks[1].id: \"x\" is also disks[0].id" },
	{ "{\"nets\":[{\"tap\":\"tap0\"},{\"tap\":\"tap1\"},{\"tap\":\"tap0\"}]}",
	  "t.json: nets[2].tap: \"tap0\" is also nets[0].tap" },
	{ "{\"nets\":[{\"tap\":\"a\",\"mac\":\"52:54:00:00:00:01\"},"
	  "{\"tap\":\"b\",\"mac\":\"52:54:00:00:00:01\"}]}",
	  "t.json: nets[1].mac: 52:54:00:00:00:01 is also nets[0].mac" },
	{ "{\"kernel\":{\"path\":\"/vm/Image\"},\"debug\":{\"dump_dtb\":\"/vm/Image\"}}",
	  "t.json: debug.dump_dtb: \"/vm/Image\" is also kernel.path" },
	{ "{\"disks\":[{\"path\":\"/d\"}],\"log\":{\"file\":\"/d\"}}",
	  "t.json: log.file: \"/d\" is also disks[0].path" },
};

/* "@N" as a whole string value stands for N 'x' characters. */
static char *expand(const char *doc)
{
	const char *at = strstr(doc, "\"@");
	char *out;
	long n;
	size_t pre;

	if (!at)
		return strdup(doc);
	n = strtol(at + 2, NULL, 10);
	pre = (size_t)(at - doc) + 1;
	out = malloc(strlen(doc) + (size_t)n + 1);
	assert_non_null(out);
	memcpy(out, doc, pre);
	memset(out + pre, 'x', (size_t)n);
	strcpy(out + pre + n, strchr(at + 1, '"'));
	return out;
}

static void test_bad_documents(void **state)
{
	struct vm_config cfg;
	char err[512];

	unsigned failed = 0;

	assert_true(ARRAY_SIZE(bad_docs) >= 25);
	for (size_t i = 0; i < ARRAY_SIZE(bad_docs); i++) {
		char *doc = expand(bad_docs[i].doc);
		int ret;

		memset(err, 0, sizeof(err));
		ret = parse_text(doc, strlen(doc), &cfg, err, sizeof(err));
		if (ret != -EINVAL || strcmp(err, bad_docs[i].msg)) {
			print_error("document %zu %s\n  got %d '%s'\n  want '%s'\n", i,
				    bad_docs[i].doc, ret, err, bad_docs[i].msg);
			failed++;
		}
		vm_config_free(&cfg);
		free(doc);
	}
	assert_int_equal(failed, 0);
	/* a NUL byte, which strlen() above cannot carry */
	assert_int_equal(parse_text("{\"rng\":\ntrue}\0{}", 15, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "t.json:2:6: NUL byte (not a text file?)");
	vm_config_free(&cfg);
}

static void test_bad_files(void **state)
{
	char dir[] = "/tmp/kestrel-test-config-XXXXXX";
	char path[128], err[256];
	struct vm_config cfg;
	char *big;
	FILE *f;

	vm_config_defaults(&cfg);
	assert_int_equal(config_json_load(CONFIG_DATA "/empty.json", &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, CONFIG_DATA "/empty.json: empty file (expected a JSON object)");
	assert_int_equal(config_json_load(CONFIG_DATA "/bad-utf8.json", &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, CONFIG_DATA "/bad-utf8.json:2:29: invalid UTF-8: unable to "
					     "decode byte 0xc3 near '\"/boot/'");
	assert_int_equal(
		config_json_load(CONFIG_DATA "/duplicate-key.json", &cfg, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, CONFIG_DATA
			    "/duplicate-key.json:4:11: duplicate object key near '\"machine\"'");
	assert_int_equal(config_json_load(CONFIG_DATA "/nonexistent.json", &cfg, err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, CONFIG_DATA "/nonexistent.json: No such file or directory");
	assert_int_equal(config_json_load(CONFIG_DATA, &cfg, err, sizeof(err)), -EISDIR);
	vm_config_free(&cfg);

	/* a file over the limit */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.json", dir);
	big = malloc(CONFIG_JSON_MAX_SIZE + 2);
	assert_non_null(big);
	memset(big, ' ', CONFIG_JSON_MAX_SIZE + 1);
	big[0] = '{';
	big[CONFIG_JSON_MAX_SIZE] = '}';
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, CONFIG_JSON_MAX_SIZE + 1, f), CONFIG_JSON_MAX_SIZE + 1);
	fclose(f);
	free(big);
	assert_int_equal(config_json_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "big.json: larger than 1048576 bytes"));
	vm_config_free(&cfg);
	unlink(path);
	rmdir(dir);
}

/* ---- validation of structs filled by anyone ---- */

static void test_validate(void **state)
{
	struct vm_config cfg;
	char err[256];

	vm_config_defaults(&cfg);
	cfg.kernel = "/k";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), 0);

	cfg.cpus = 0;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "machine.cpus: 0 is out of range (1-4096)");
	cfg.cpus = 2;
	cfg.memory = (64ULL << 20) + 4096;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "machine.memory: 67112960 is not a multiple of 2M");
	cfg.memory = VM_DEFAULT_MEMORY;
	cfg.irqchip.n = 0;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "machine.irqchip: 0 entries (expected 1-8)");
	cfg.irqchip.n = 1;
	cfg.nr_disks = 9;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "disks: 9 entries, at most 8");
	cfg.nr_disks = 1;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "disks[0].path: missing");
	cfg.disks[0].path = "/d";
	cfg.nr_nets = 1;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "nets[0].tap: missing");
	cfg.nets[0].tap = "..";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nets[0].tap: \"..\" is not an interface name"));
	cfg.nets[0].tap = "tap0";
	cfg.vsock.enabled = true;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vsock.cid: 0 is out of range (3-4294967294)");
	cfg.vsock.cid = 3;
	cfg.serial = (enum vm_serial)7;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "serial: invalid value 7");
	cfg.serial = VM_SERIAL_FILE;
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "serial: \"file\" needs a path (file=PATH)");
	cfg.serial = VM_SERIAL_PTY;
	cfg.serial_path = "/x";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "serial: \"pty\" takes no path");
	cfg.serial = VM_SERIAL_SOCKET;
	cfg.serial_path = "/run/k.log";
	cfg.log_file = "/run/k.log";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "log.file: \"/run/k.log\" is also serial");
	cfg.log_file = NULL;
	cfg.serial = VM_SERIAL_OFF;
	cfg.serial_path = NULL;
	cfg.api_socket = "/run/k.sock";
	cfg.log_file = "/run/k.sock";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "log.file: \"/run/k.sock\" is also api.socket");
	cfg.log_file = "/run/k.log";
	cfg.kernel = "";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "kernel.path: empty path");
	cfg.kernel = "/k";
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), 0);
	/* nothing here was vm_config_strdup()ed: the store is empty */
	assert_null(cfg.strings);
}

static void test_names_and_macs(void **state)
{
	uint8_t mac[6];
	char buf[18];
	enum vm_seccomp sc;

	assert_int_equal(vm_mac_parse("52:54:00:AB:cd:Ef", mac), 0);
	vm_mac_format(mac, buf, sizeof(buf));
	assert_string_equal(buf, "52:54:00:ab:cd:ef");
	assert_int_equal(vm_mac_parse("52:54:00:ab:cd:e", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("52-54-00-ab-cd-ef", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("52:54:00:ab:cd:efa", mac), -EINVAL);
	assert_int_equal(vm_mac_parse("g2:54:00:ab:cd:ef", mac), -EINVAL);
	assert_int_equal(vm_seccomp_parse("log", &sc), 0);
	assert_int_equal(sc, VM_SECCOMP_LOG);
	assert_string_equal(vm_seccomp_name(sc), "log");
	assert_string_equal(vm_serial_name(VM_SERIAL_OFF), "off");
	{
		static const char *const good[] = { "stdio", "off", "pty", "file=/a b",
						     "socket=/s", "file==" };
		static const char *const bad[] = { "", "file", "socket", "pty=", "stdio=x",
						   "Off", "files=/a", "sock=/s" };
		enum vm_serial mode = VM_SERIAL_OFF;
		const char *path;
		char text[64];

		for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
			assert_int_equal(vm_serial_parse(good[i], &mode, &path), 0);
			vm_serial_format(mode, path, text, sizeof(text));
			assert_string_equal(text, good[i]);
		}
		assert_int_equal(mode, VM_SERIAL_FILE);
		assert_string_equal(path, "=");
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			mode = VM_SERIAL_PTY;
			assert_int_equal(vm_serial_parse(bad[i], &mode, &path), -EINVAL);
			assert_int_equal(mode, VM_SERIAL_PTY);	/* untouched */
		}
	}
	assert_string_equal(vm_on_reboot_name(ON_REBOOT_EXIT), "exit");
	assert_string_equal(vm_log_level_name(LOG_WARN), "warn");
	assert_string_equal(vm_log_level_name((enum log_level)9), "?");
	vm_size_format(1ULL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "1G");
	vm_size_format(3ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "3T");
	vm_size_format(3ULL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "3M");
	vm_size_format(4097, buf, sizeof(buf));
	assert_string_equal(buf, "4097");
}

/* ---- --print-config and flags ---- */

static void test_cli_print_round_trip(void **state)
{
	struct vm_config cfg;
	struct cli_result res;
	char err[256];

	/* every flag that sets a field */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--kernel", "/k/Image", "--initrd",
			     "/k/initrd", "--cmdline", "console=ttyS0 \"quoted\" \\ back", "--cpus",
			     "3", "--memory", "1026M", "--hugepages", "--irqchip", "user,kvm-v2",
			     "--on-reboot", "exit", "--shutdown-timeout", "0", "--disk",
			     "path=/d/a,id=A-1", "--disk",
			     "path=/d/b,readonly=on", "--net", "tap=tap7,mac=02:00:00:00:00:07",
			     "--net", "tap=tap8", "--rng", "--vsock", "cid=99", "--serial",
			     "file=/l/con", "--seccomp=off", "--log-level", "warn", "--log-file",
			     "/l/k.log", "--api-socket=/run/k.sock", "--stats", "--dump-dtb", "/t/x.dtb",
			     "--print-config"),
			 0);
	assert_int_equal(res.action, CLI_PRINT_CONFIG);
	assert_int_equal(cfg.memory, 1026ULL << 20);
	assert_int_equal(cfg.nr_disks, 2);
	assert_true(cfg.disks[1].readonly);
	assert_string_equal(cfg.disks[0].id, "A-1");
	assert_true(cfg.nets[0].has_mac);
	assert_false(cfg.nets[1].has_mac);
	assert_int_equal(cfg.vsock.cid, 99);
	assert_int_equal(cfg.seccomp, VM_SECCOMP_OFF);
	assert_int_equal(cfg.shutdown_timeout, 0);
	assert_round_trip(&cfg);
	vm_config_free(&cfg);

	/* defaults only */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--kernel", "/k"), 0);
	assert_round_trip(&cfg);
	vm_config_free(&cfg);
}

static void test_print_not_utf8(void **state)
{
	struct vm_config cfg;
	char err[256], *text;

	vm_config_defaults(&cfg);
	cfg.kernel = "/k";
	cfg.nr_disks = 1;
	cfg.disks[0].path = "/d\xff";
	assert_int_equal(config_print_json(&cfg, &text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "disks[0].path: not valid UTF-8, which JSON cannot hold");
	assert_null(text);
}

static void test_config_with_flags(void **state)
{
	char dir[] = "/tmp/kestrel-test-config-XXXXXX";
	char path[128], nokernel[128], bad[128], err[512];
	struct vm_config cfg, file;
	struct cli_result res;
	char *full;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vm.json", dir);
	full = read_text(CONFIG_DATA "/full.json", NULL);
	write_text(path, full);
	free(full);

	/* the file alone */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", path), 0);
	assert_int_equal(res.action, CLI_RUN);
	assert_full(&cfg);
	vm_config_free(&cfg);

	/* flags override, wherever --config stands; list flags replace the file's list */
	for (int order = 0; order < 2; order++) {
		int ret;

		if (order == 0)
			ret = cli(&cfg, &res, err, sizeof(err), "--config", path, "--cpus", "2",
				  "--disk", "path=/x", "--serial", "stdio", "--kernel=/other",
				  "--log-level", "error");
		else
			ret = cli(&cfg, &res, err, sizeof(err), "--cpus", "2", "--disk", "path=/x",
				  "--serial", "stdio", "--kernel=/other", "--log-level", "error",
				  "--config", path);
		assert_int_equal(ret, 0);
		assert_int_equal(cfg.cpus, 2);
		assert_int_equal(cfg.nr_disks, 1);
		assert_string_equal(cfg.disks[0].path, "/x");
		assert_null(cfg.disks[0].id);
		assert_int_equal(cfg.serial, VM_SERIAL_STDIO);
		assert_null(cfg.serial_path);
		assert_string_equal(cfg.kernel, "/other");
		assert_int_equal(cfg.log_level, LOG_ERROR);
		/* the rest comes from the file */
		assert_int_equal(cfg.memory, 2ULL << 30);
		assert_int_equal(cfg.nr_nets, 2);
		assert_string_equal(cfg.initrd, "/boot/initrd.cpio.gz");
		assert_int_equal(cfg.vsock.cid, 1234);
		assert_int_equal(cfg.seccomp, VM_SECCOMP_LOG);
		vm_config_free(&cfg);
	}

	/* print-config of file + flags, fed back, is the same effective config */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", path, "--net",
			     "tap=tapx", "--rng", "--memory", "128M", "--print-config"),
			 0);
	assert_int_equal(res.action, CLI_PRINT_CONFIG);
	{
		char *text, back_path[160];

		assert_int_equal(config_print_json(&cfg, &text, err, sizeof(err)), 0);
		snprintf(back_path, sizeof(back_path), "%s/back.json", dir);
		write_text(back_path, text);
		free(text);
		assert_int_equal(cli(&file, &res, err, sizeof(err), "--config", back_path), 0);
		assert_config_equal(&cfg, &file);
		vm_config_free(&file);
		unlink(back_path);
	}
	vm_config_free(&cfg);

	/* a file without kernel.path needs --kernel */
	snprintf(nokernel, sizeof(nokernel), "%s/nokernel.json", dir);
	write_text(nokernel, "{\"machine\":{\"cpus\":2}}");
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", nokernel), -EINVAL);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s: kernel.path: missing (or give --kernel)",
			 nokernel);
		assert_string_equal(err, want);
	}
	assert_null(cfg.strings);	/* released on failure */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", nokernel, "--kernel",
			     "/k"),
			 0);
	assert_int_equal(cfg.cpus, 2);
	vm_config_free(&cfg);

	/* a bad file is reported with its name even when flags would fix it */
	snprintf(bad, sizeof(bad), "%s/bad.json", dir);
	write_text(bad, "{\"kernel\":{\"path\":\"/k\"},\"machine\":{\"cpus\":0}}");
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", bad, "--cpus", "2"),
			 -EINVAL);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s: machine.cpus: 0 is out of range (1-4096)", bad);
		assert_string_equal(err, want);
	}

	/* conflicts that flags bring in name the flag, not the file */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", nokernel, "--disk",
			     "path=/a", "--disk", "path=/a", "--kernel=/k"),
			 -EINVAL);
	assert_string_equal(err, "--disk: disks[1].path: \"/a\" is also disks[0].path");
	unlink(path);
	unlink(nokernel);
	unlink(bad);
	rmdir(dir);
}


/* ---- Firecracker --config-file documents ---- */

static int parse_str(const char *text, struct vm_config *cfg, char *err, size_t errlen)
{
	return parse_text(text, strlen(text), cfg, err, errlen);
}

/* Firecracker's getting-started vm_config.json, with an initramfs and a net. */
static const char fc_getting_started[] =
	"{\n"
	"  \"boot-source\": {\n"
	"    \"kernel_image_path\": \"/fc/vmlinux\",\n"
	"    \"boot_args\": \"console=ttyS0 reboot=k panic=1 pci=off\",\n"
	"    \"initrd_path\": \"/fc/initrd.img\"\n"
	"  },\n"
	"  \"drives\": [\n"
	"    {\n"
	"      \"drive_id\": \"rootfs\",\n"
	"      \"path_on_host\": \"/fc/rootfs.ext4\",\n"
	"      \"is_root_device\": true,\n"
	"      \"is_read_only\": false\n"
	"    }\n"
	"  ],\n"
	"  \"machine-config\": {\n"
	"    \"vcpu_count\": 2,\n"
	"    \"mem_size_mib\": 1024\n"
	"  },\n"
	"  \"network-interfaces\": [\n"
	"    {\n"
	"      \"iface_id\": \"eth0\",\n"
	"      \"guest_mac\": \"06:00:AC:10:00:02\",\n"
	"      \"host_dev_name\": \"tap0\"\n"
	"    }\n"
	"  ]\n"
	"}\n";

static void test_fc_getting_started(void **state)
{
	static const uint8_t mac[6] = {0x06, 0x00, 0xac, 0x10, 0x00, 0x02};
	struct vm_config cfg;
	char err[512];

	assert_int_equal(parse_text(fc_getting_started, strlen(fc_getting_started), &cfg, err,
				    sizeof(err)),
			 0);
	assert_string_equal(cfg.kernel, "/fc/vmlinux");
	assert_string_equal(cfg.initrd, "/fc/initrd.img");
	/* is_root_device: what InstanceStart appends */
	assert_string_equal(cfg.cmdline, "console=ttyS0 reboot=k panic=1 pci=off root=/dev/vda rw");
	assert_int_equal(cfg.cpus, 2);
	assert_int_equal(cfg.memory, 1024ULL << 20);
	assert_int_equal(cfg.nr_disks, 1);
	assert_string_equal(cfg.disks[0].path, "/fc/rootfs.ext4");
	assert_string_equal(cfg.disks[0].id, "rootfs");
	assert_false(cfg.disks[0].readonly);
	assert_int_equal(cfg.nr_nets, 1);
	assert_string_equal(cfg.nets[0].tap, "tap0");
	assert_true(cfg.nets[0].has_mac);
	assert_memory_equal(cfg.nets[0].mac, mac, 6);
	/* what kestrel did not get from the document keeps its default */
	assert_false(cfg.rng);
	assert_false(cfg.vsock.enabled);
	assert_int_equal(vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)), 0);
	/* --print-config gives kestrel's format, which reads back the same */
	assert_round_trip(&cfg);
	vm_config_free(&cfg);

	/* the fuzz target's checks (round trip through kestrel's format) hold too */
	assert_int_equal(fuzz_config_json_one((const uint8_t *)fc_getting_started,
					      strlen(fc_getting_started)),
			 0);
}

static void test_fc_sections(void **state)
{
	static const char doc[] =
		"{\"boot-source\": {\"kernel_image_path\": \"/k\"},"
		" \"drives\": [{\"drive_id\": \"data\", \"path_on_host\": \"/d/data\","
		"   \"is_root_device\": false, \"is_read_only\": true, \"cache_type\": \"Unsafe\","
		"   \"io_engine\": \"Sync\", \"rate_limiter\": null},"
		"  {\"drive_id\": \"root\", \"path_on_host\": \"/d/root\", \"is_root_device\": true,"
		"   \"is_read_only\": true}],"
		" \"machine-config\": {\"vcpu_count\": 4, \"mem_size_mib\": 512, \"smt\": false,"
		"   \"track_dirty_pages\": false, \"cpu_template\": \"None\", \"huge_pages\": \"2M\"},"
		" \"network-interfaces\": [{\"iface_id\": \"a\", \"host_dev_name\": \"tapa\"},"
		"   {\"iface_id\": \"b\", \"host_dev_name\": \"tapb\", \"guest_mac\": null}],"
		" \"vsock\": {\"guest_cid\": 7, \"vsock_id\": \"v\"},"
		" \"entropy\": {},"
		" \"logger\": {\"log_path\": \"/l/fc.log\", \"level\": \"Warning\"},"
		" \"balloon\": null, \"mmds-config\": null, \"serial\": null}";
	struct vm_config cfg;
	char err[512] = "";

	assert_int_equal(parse_text(doc, strlen(doc), &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.kernel, "/k");
	/* no boot_args: kestrel's default line, then the read-only root */
	assert_string_equal(cfg.cmdline, VM_DEFAULT_CMDLINE " root=/dev/vda ro");
	assert_null(cfg.initrd);
	/* the root device is disks[0], /dev/vda, whatever its place in the array */
	assert_int_equal(cfg.nr_disks, 2);
	assert_string_equal(cfg.disks[0].id, "root");
	assert_true(cfg.disks[0].readonly);
	assert_string_equal(cfg.disks[1].id, "data");
	assert_true(cfg.disks[1].readonly);
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(cfg.memory, 512ULL << 20);
	assert_true(cfg.hugepages);
	assert_int_equal(cfg.nr_nets, 2);
	assert_string_equal(cfg.nets[1].tap, "tapb");
	assert_false(cfg.nets[0].has_mac);
	assert_true(cfg.vsock.enabled);
	assert_int_equal(cfg.vsock.cid, 7);
	assert_true(cfg.rng);
	assert_string_equal(cfg.log_file, "/l/fc.log");
	assert_int_equal(cfg.log_level, LOG_WARN);
	assert_round_trip(&cfg);
	vm_config_free(&cfg);

	/* only a kernel: no root= added */
	assert_int_equal(parse_str("{\"boot-source\":{\"kernel_image_path\":\"/k\","
				   "\"boot_args\":\"quiet\"}}",
				   &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.cmdline, "quiet");
	vm_config_free(&cfg);
}

/* The fault_message the API gives for @body at @method @path, on a fresh config. */
static char *api_fault_for(const char *method, const char *path, const char *body)
{
	static const struct api_ops no_ops;
	struct vm_config cfg;
	struct api_router r;
	struct api_router_params p = {.cfg = &cfg, .ops = &no_ops};
	struct http_response resp = {0};
	json_t *j, *m;
	char *msg;

	vm_config_defaults(&cfg);
	api_router_init(&r, &p);
	api_router_handle(&r, method, path, body, strlen(body), &resp);
	assert_int_equal(resp.status, 400);
	j = json_loads(resp.body, 0, NULL);
	m = json_object_get(j, "fault_message");
	assert_true(json_is_string(m));
	msg = strdup(json_string_value(m));
	assert_non_null(msg);
	json_decref(j);
	free(resp.body);
	vm_config_free(&cfg);
	return msg;
}

/*
 * Every Firecracker field kestrel does not support, in a file: refused, the
 * error naming the field, in the API's words for the same body.
 */
static const struct {
	const char *section; /* top-level key; drives/network-interfaces: one element */
	const char *body;
	const char *msg; /* after "t.json: SECTION: " */
} fc_refusals[] = {
	{"boot-source", "{\"kernel_image_path\":\"/k\",\"kernel\":\"/k\"}", "unknown field \"kernel\""},
	{"boot-source", "{\"boot_args\":\"quiet\"}", "kernel_image_path: missing"},
	{"machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":128,\"smt\":true}",
	 "smt: not supported by kestrel (arm64 has no SMT to expose)"},
	{"machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":128,\"track_dirty_pages\":true}",
	 "track_dirty_pages: not supported by kestrel (no snapshots)"},
	{"machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":128,\"cpu_template\":\"T2\"}",
	 "cpu_template: \"T2\" is not supported by kestrel (accepted: None)"},
	{"machine-config", "{\"vcpu_count\":1,\"mem_size_mib\":128,\"huge_pages\":\"1G\"}",
	 "huge_pages: \"1G\" is not supported by kestrel (accepted: None, 2M)"},
	{"machine-config", "{\"vcpu_count\":1}", "mem_size_mib: missing"},
	{"drives",
	 "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
	 "\"partuuid\":\"0eaa91a0-01\"}",
	 "partuuid: not supported by kestrel (the root device is /dev/vda)"},
	{"drives",
	 "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
	 "\"rate_limiter\":{\"bandwidth\":{\"size\":1,\"refill_time\":1}}}",
	 "rate_limiter: not supported by kestrel (no I/O rate limiting)"},
	{"drives",
	 "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
	 "\"io_engine\":\"Async\"}",
	 "io_engine: \"Async\" is not supported by kestrel (accepted: Sync)"},
	{"drives",
	 "{\"drive_id\":\"rootfs\",\"is_root_device\":true,\"socket\":\"/run/vhost.sock\"}",
	 "path_on_host: missing"},
	{"drives",
	 "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
	 "\"socket\":\"/run/vhost.sock\"}",
	 "socket: not supported by kestrel (no vhost-user block devices)"},
	{"drives", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
		   "\"cache_type\":\"Direct\"}",
	 "cache_type: \"Direct\" is not supported by kestrel (accepted: Unsafe, Writeback)"},
	{"drives", "{\"drive_id\":\"rootfs\",\"path_on_host\":\"/r\",\"is_root_device\":true,"
		   "\"is_read_only\":\"yes\"}",
	 "is_read_only: true or false is expected"},
	{"network-interfaces", "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\",\"mtu\":9000}",
	 "mtu: not supported by kestrel (the guest picks its MTU)"},
	{"network-interfaces",
	 "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\",\"rx_rate_limiter\":{}}",
	 "rx_rate_limiter: not supported by kestrel (no network rate limiting)"},
	{"network-interfaces",
	 "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\",\"tx_rate_limiter\":{}}",
	 "tx_rate_limiter: not supported by kestrel (no network rate limiting)"},
	{"network-interfaces", "{\"iface_id\":\"eth0\",\"host_dev_name\":\"tap0\","
			       "\"guest_mac\":\"06:00\"}",
	 "guest_mac: \"06:00\" is not a MAC address like 06:00:ac:10:00:02"},
	{"vsock", "{\"guest_cid\":3,\"uds_path\":\"/tmp/v.sock\"}",
	 "uds_path: not supported by kestrel (kestrel's vsock is vhost-vsock: host programs use "
	 "AF_VSOCK with guest_cid, there is no Unix socket proxy)"},
	{"entropy", "{\"rate_limiter\":{}}",
	 "rate_limiter: not supported by kestrel (no entropy rate limiting)"},
	{"logger", "{\"level\":\"Trace\"}",
	 "level: \"Trace\" is not supported by kestrel (Error, Warning, Info, Debug)"},
	{"logger", "{\"module\":\"api_server\"}",
	 "module: not supported by kestrel (no per-module log filter)"},
	{"logger", "{\"show_level\":true}", "show_level: not supported by this kestrel"},
	{"logger", "{\"show_log_origin\":true}", "show_log_origin: not supported by this kestrel"},
};

static const struct {
	const char *section;
	const char *path;
} fc_endpoints[] = {
	{"boot-source", "/boot-source"}, {"machine-config", "/machine-config"},
	{"drives", "/drives/rootfs"},	 {"network-interfaces", "/network-interfaces/eth0"},
	{"vsock", "/vsock"},		 {"entropy", "/entropy"},
	{"logger", "/logger"},
};

static void test_fc_refused_fields(void **state)
{
	unsigned failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fc_refusals); i++) {
		const char *sec = fc_refusals[i].section, *path = NULL;
		bool array = !strcmp(sec, "drives") || !strcmp(sec, "network-interfaces");
		struct vm_config cfg;
		char doc[1024], want[512], err[512] = "";
		char *api;
		int ret;

		/* a valid boot-source beside the section under test */
		snprintf(doc, sizeof(doc), "{%s\"%s\": %s%s%s}",
			 strcmp(sec, "boot-source") ? "\"boot-source\":{\"kernel_image_path\":\"/k\"},"
						    : "",
			 sec, array ? "[" : "", fc_refusals[i].body, array ? "]" : "");
		snprintf(want, sizeof(want), "t.json: %s%s: %s", sec, array ? "[0]" : "",
			 fc_refusals[i].msg);
		ret = parse_text(doc, strlen(doc), &cfg, err, sizeof(err));
		vm_config_free(&cfg);
		if (ret != -EINVAL || strcmp(err, want)) {
			print_error("%s\n  got %d '%s'\n  want '%s'\n", doc, ret, err, want);
			failed++;
			continue;
		}
		/* the API refuses the same body with the same words */
		for (size_t k = 0; k < ARRAY_SIZE(fc_endpoints); k++)
			if (!strcmp(fc_endpoints[k].section, sec))
				path = fc_endpoints[k].path;
		assert_non_null(path);
		api = api_fault_for("PUT", path, fc_refusals[i].body);
		if (strcmp(api, fc_refusals[i].msg)) {
			print_error("PUT %s %s\n  API said '%s'\n  file said '%s'\n", path,
				    fc_refusals[i].body, api, fc_refusals[i].msg);
			failed++;
		}
		free(api);
	}
	assert_int_equal(failed, 0);
}

static const struct {
	const char *doc;
	const char *msg;
} fc_bad_docs[] = {
	/* Firecracker sections kestrel has no feature for */
	{"{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"balloon\":{\"amount_mib\":64}}",
	 "t.json: balloon: not supported by kestrel (no balloon device)"},
	{"{\"mmds-config\":{\"network_interfaces\":[\"eth0\"]}}",
	 "t.json: mmds-config: not supported by kestrel (no microVM metadata service)"},
	{"{\"drives\":[],\"metrics\":{\"metrics_path\":\"/m\"}}",
	 "t.json: metrics: not supported by kestrel (no metrics file; GET /kestrel/stats gives the "
	 "counters)"},
	{"{\"drives\":[],\"cpu-config\":{}}",
	 "t.json: cpu-config: not supported by kestrel (no custom CPU templates)"},
	{"{\"drives\":[],\"pmem\":[]}", "t.json: pmem: not supported by kestrel (no virtio-pmem devices)"},
	{"{\"drives\":[],\"memory-hotplug\":{}}",
	 "t.json: memory-hotplug: not supported by kestrel (no hotplug)"},
	{"{\"drives\":[],\"serial\":{\"serial_out_path\":\"/s\"}}",
	 "t.json: serial: not supported by kestrel (the serial output is set with --serial)"},
	{"{\"drives\":[],\"boot-sauce\":{}}", "t.json: boot-sauce: unknown key"},
	/* mixing kestrel's format with Firecracker's */
	{"{\"boot-source\":{\"kernel_image_path\":\"/k\"},\"kernel\":{\"path\":\"/k\"}}",
	 "t.json: kernel: kestrel's key in a Firecracker document (it has \"boot-source\"): use "
	 "one format or the other"},
	{"{\"machine\":{\"cpus\":2},\"network-interfaces\":[]}",
	 "t.json: machine: kestrel's key in a Firecracker document (it has \"network-interfaces\"): "
	 "use one format or the other"},
	{"{\"drives\":[],\"rng\":true}",
	 "t.json: rng: kestrel's key in a Firecracker document (it has \"drives\"): use one format "
	 "or the other"},
	/* shapes */
	{"{\"drives\":{}}", "t.json: drives: an array is expected"},
	{"{\"drives\":[3]}", "t.json: drives[0]: an object is expected"},
	{"{\"boot-source\":[]}", "t.json: boot-source: an object is expected"},
	{"{\"network-interfaces\":[{\"iface_id\":\"a\",\"host_dev_name\":\"t\"},"
	 "{\"iface_id\":\"a\",\"host_dev_name\":\"u\"}]}",
	 "t.json: network-interfaces[1]: iface_id: \"a\" is given twice"},
	{"{\"drives\":[{\"drive_id\":\"a\",\"path_on_host\":\"/a\",\"is_root_device\":false},"
	 "{\"drive_id\":\"a\",\"path_on_host\":\"/b\",\"is_root_device\":false}]}",
	 "t.json: drives[1]: drive_id: \"a\" is given twice"},
	{"{\"drives\":[{\"drive_id\":\"a\",\"path_on_host\":\"/a\",\"is_root_device\":true},"
	 "{\"drive_id\":\"b\",\"path_on_host\":\"/b\",\"is_root_device\":true}]}",
	 "t.json: drives[1]: is_root_device: drive \"a\" is already the root device"},
	{"{\"drives\":[{\"drive_id\":\"a b\",\"path_on_host\":\"/a\",\"is_root_device\":true}]}",
	 "t.json: drives[0]: drive_id: \"a b\" may hold only letters, digits and _"},
	{"{\"drives\":[{\"path_on_host\":\"/a\",\"is_root_device\":true}]}",
	 "t.json: drives[0]: drive_id: missing"},
	/* a message quoting the document stays one line */
	{"{\"logger\":{\"level\":\"a\\nb\"}}",
	 "t.json: logger: level: \"a?b\" is not supported by kestrel (Error, Warning, Info, Debug)"},
};

static void test_fc_bad_documents(void **state)
{
	unsigned failed = 0;
	struct vm_config cfg;
	char err[512];

	for (size_t i = 0; i < ARRAY_SIZE(fc_bad_docs); i++) {
		int ret;

		memset(err, 0, sizeof(err));
		ret = parse_text(fc_bad_docs[i].doc, strlen(fc_bad_docs[i].doc), &cfg, err,
				 sizeof(err));
		if (ret != -EINVAL || strcmp(err, fc_bad_docs[i].msg)) {
			print_error("%s\n  got %d '%s'\n  want '%s'\n", fc_bad_docs[i].doc, ret,
				    err, fc_bad_docs[i].msg);
			failed++;
		}
		vm_config_free(&cfg);
	}
	assert_int_equal(failed, 0);

	/* a kestrel document with only the keys both formats have stays kestrel's */
	assert_int_equal(parse_str("{\"vsock\":{\"cid\":5},\"serial\":\"off\"}", &cfg, err,
				   sizeof(err)),
			 0);
	assert_int_equal(cfg.vsock.cid, 5);
	vm_config_free(&cfg);
	assert_int_equal(parse_str("{\"vsock\":{\"guest_cid\":5}}", &cfg, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "t.json: vsock.guest_cid: unknown key");
	vm_config_free(&cfg);
}

/* --config with a Firecracker document, and flags after it. */
static void test_fc_with_flags(void **state)
{
	char dir[] = "/tmp/kestrel-test-config-XXXXXX";
	char path[128], err[512];
	struct vm_config cfg;
	struct cli_result res;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vm_config.json", dir);
	write_text(path, fc_getting_started);
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", path, "--print-config"), 0);
	assert_int_equal(res.action, CLI_PRINT_CONFIG);
	assert_int_equal(cfg.cpus, 2);
	assert_round_trip(&cfg);
	vm_config_free(&cfg);
	/* flags override the document, as with kestrel's format */
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", path, "--cpus", "3",
			     "--memory", "256M", "--rng", "--disk", "path=/d/extra"),
			 0);
	assert_int_equal(cfg.cpus, 3);
	assert_int_equal(cfg.memory, 256ULL << 20);
	assert_true(cfg.rng);
	/* --disk replaces the file's list; root= stays in the file's cmdline */
	assert_int_equal(cfg.nr_disks, 1);
	assert_string_equal(cfg.disks[0].path, "/d/extra");
	assert_string_equal(cfg.cmdline, "console=ttyS0 reboot=k panic=1 pci=off root=/dev/vda rw");
	assert_int_equal(cfg.nr_nets, 1);
	vm_config_free(&cfg);
	/* a refusal is one line naming the file and the field */
	write_text(path, "{\"boot-source\":{\"kernel_image_path\":\"/k\"},"
			 "\"machine-config\":{\"vcpu_count\":1,\"mem_size_mib\":64,\"smt\":true}}");
	assert_int_equal(cli(&cfg, &res, err, sizeof(err), "--config", path), -EINVAL);
	assert_non_null(strstr(err, "vm_config.json: machine-config: smt: not supported by kestrel"));
	assert_null(strchr(err, '\n'));
	unlink(path);
	rmdir(dir);
}

/* ---- configs/kestrel.schema.json against the parser ---- */

struct keyset {
	char *key[128];
	size_t n;
};

static void keyset_add(const char *path, void *ctx)
{
	struct keyset *ks = ctx;

	assert_true(ks->n < ARRAY_SIZE(ks->key));
	ks->key[ks->n] = strdup(path);
	assert_non_null(ks->key[ks->n]);
	ks->n++;
}

static bool keyset_has(const struct keyset *ks, const char *path)
{
	for (size_t i = 0; i < ks->n; i++)
		if (!strcmp(ks->key[i], path))
			return true;
	return false;
}

static void keyset_free(struct keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->key[i]);
	ks->n = 0;
}

/* The node at @path ("machine.cpus", "disks[].id": element 0) in @doc, or NULL. */
static json_t *node_at(json_t *doc, const char *path)
{
	char buf[128], *save = NULL, *part;
	json_t *n = doc;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && n; part = strtok_r(NULL, ".", &save)) {
		char *br = strstr(part, "[]");

		if (br)
			*br = '\0';
		n = json_object_get(n, part);
		if (br)
			n = json_array_get(n, 0);
	}
	return n;
}

/* Sets the value at @path in @doc, the last key of which may be new. */
static void set_at(json_t *doc, const char *path, json_t *value)
{
	char parent[128];
	const char *dot = strrchr(path, '.');
	json_t *obj = doc;

	if (dot) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
		obj = node_at(doc, parent);
	}
	assert_non_null(obj);
	assert_int_equal(json_object_set(obj, dot ? dot + 1 : path, value), 0);
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (!doc)
		fail_msg("%s:%d:%d: %s", path, je.line, je.column, je.text);
	return doc;
}

static int parse_json(json_t *doc, struct vm_config *cfg, char *err, size_t errlen)
{
	char *text = json_dumps(doc, 0);
	int ret;

	assert_non_null(text);
	ret = parse_text(text, strlen(text), cfg, err, errlen);
	free(text);
	return ret;
}

struct schema_walk {
	struct keyset keys;
	json_t *full;		/* tests/unit/data/config/full.json */
	json_t *defaults;	/* --print-config of a default config */
	unsigned examples, defaults_checked, objects;
};

/* Inserts "bogus" into the object at @path of full.json: the parser must name it. */
static void check_rejects_unknown(struct schema_walk *w, const char *path)
{
	json_t *doc = json_deep_copy(w->full), *one = json_integer(1);
	char key[160], want[200], err[256];
	struct vm_config cfg;
	char *p;

	snprintf(key, sizeof(key), "%s%sbogus", path, *path ? "." : "");
	set_at(doc, key, one);
	json_decref(one);
	while ((p = strstr(key, "[]"))) {	/* disks[].bogus -> disks[0].bogus */
		assert_true(strlen(key) + 1 < sizeof(key));
		memmove(p + 2, p + 1, strlen(p + 1) + 1);
		p[1] = '0';
	}
	snprintf(want, sizeof(want), "t.json: %s: unknown key", key);
	assert_int_equal(parse_json(doc, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	vm_config_free(&cfg);
	json_decref(doc);
	w->objects++;
}

static void walk_schema(struct schema_walk *w, json_t *node, const char *prefix)
{
	json_t *props = json_object_get(node, "properties");
	const char *key;
	json_t *child;
	char here[128];

	snprintf(here, sizeof(here), "%.*s", prefix[0] ? (int)strlen(prefix) - 1 : 0, prefix);
	assert_true(json_is_false(json_object_get(node, "additionalProperties")));
	check_rejects_unknown(w, here);
	json_object_foreach(props, key, child) {
		json_t *items = json_object_get(child, "items");
		json_t *examples = json_object_get(child, "examples");
		json_t *def = json_object_get(child, "default");
		char path[128], sub[132];
		size_t i;
		json_t *ex;

		snprintf(path, sizeof(path), "%s%s", prefix, key);
		keyset_add(path, &w->keys);
		assert_non_null(json_object_get(child, "description"));
		if (def && !strstr(path, "[]")) {
			json_t *printed = node_at(w->defaults, path);

			if (!json_equal(def, printed))
				fail_msg("%s: schema default differs from --print-config's", path);
			w->defaults_checked++;
		}
		if (json_object_get(child, "properties")) {
			snprintf(sub, sizeof(sub), "%s.", path);
			walk_schema(w, child, sub);
			continue;
		}
		if (items && json_object_get(items, "properties")) {
			snprintf(sub, sizeof(sub), "%s[].", path);
			walk_schema(w, items, sub);
			continue;
		}
		/* a leaf: each example must be accepted in place of full.json's value */
		if (!json_array_size(examples))
			fail_msg("%s: no examples in the schema", path);
		json_array_foreach(examples, i, ex) {
			json_t *doc = json_deep_copy(w->full);
			struct vm_config cfg;
			char err[256];

			set_at(doc, path, ex);
			if (parse_json(doc, &cfg, err, sizeof(err)))
				fail_msg("%s: example %zu rejected: %s", path, i, err);
			vm_config_free(&cfg);
			json_decref(doc);
			w->examples++;
		}
	}
}

static void test_schema_matches_parser(void **state)
{
	struct schema_walk w = { .keys.n = 0 };
	struct keyset parser = { .n = 0 };
	struct vm_config cfg;
	json_t *schema;
	char *text, err[256];
	json_error_t je;

	schema = load_json(CONFIGS_DIR "/kestrel.schema.json");
	assert_string_equal(json_string_value(json_object_get(schema, "$schema")),
			    "https://json-schema.org/draft/2020-12/schema");
	w.full = load_json(CONFIG_DATA "/full.json");
	vm_config_defaults(&cfg);
	cfg.kernel = "/k";
	assert_int_equal(config_print_json(&cfg, &text, err, sizeof(err)), 0);
	w.defaults = json_loads(text, 0, &je);
	assert_non_null(w.defaults);
	free(text);

	walk_schema(&w, schema, "");
	config_json_keys(keyset_add, &parser);
	for (size_t i = 0; i < parser.n; i++)
		if (!keyset_has(&w.keys, parser.key[i]))
			fail_msg("the parser accepts '%s', the schema lacks it", parser.key[i]);
	for (size_t i = 0; i < w.keys.n; i++)
		if (!keyset_has(&parser, w.keys.key[i]))
			fail_msg("the schema has '%s', the parser rejects it", w.keys.key[i]);
	assert_int_equal(parser.n, w.keys.n);
	assert_true(w.examples >= 25);
	assert_true(w.defaults_checked >= 15);
	assert_int_equal(w.objects, 9);	/* top, kernel, machine, disks[], nets[], vsock, ... */

	keyset_free(&parser);
	keyset_free(&w.keys);
	json_decref(w.defaults);
	json_decref(w.full);
	json_decref(schema);
}

/* ---- the example files in configs/, after placeholder substitution ---- */

static const struct {
	const char *name;
	const char *value;
} placeholders[] = {
	{ "@KERNEL@", "/srv/kestrel/Image" },
	{ "@INITRD@", "/srv/kestrel/initrd.cpio" },
	{ "@DISK@", "/srv/kestrel/root.ext4" },
	{ "@TAP@", "kestrel-tap0" },
};

/* Replaces every known @NAME@; fails on one this table does not know. */
static char *substitute(const char *text)
{
	size_t cap = strlen(text) * 2 + 256, o = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	while (*text) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(placeholders); k++) {
			size_t n = strlen(placeholders[k].name);

			if (!strncmp(text, placeholders[k].name, n)) {
				size_t v = strlen(placeholders[k].value);

				assert_true(o + v < cap);
				memcpy(out + o, placeholders[k].value, v);
				o += v;
				text += n;
				break;
			}
		}
		if (k < ARRAY_SIZE(placeholders))
			continue;
		if (*text == '@')
			fail_msg("unknown placeholder at '%.20s'", text);
		assert_true(o + 1 < cap);
		out[o++] = *text++;
	}
	out[o] = '\0';
	return out;
}

static void test_example_configs(void **state)
{
	DIR *d = opendir(CONFIGS_DIR);
	struct dirent *e;
	unsigned seen = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[512], err[256];
		struct vm_config cfg;
		char *raw, *text;

		if (n < 5 || strcmp(e->d_name + n - 5, ".json") ||
		    !strcmp(e->d_name, "kestrel.schema.json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CONFIGS_DIR, e->d_name);
		raw = read_text(path, NULL);
		text = substitute(raw);
		vm_config_defaults(&cfg);
		if (config_json_parse(text, strlen(text), e->d_name, &cfg, err, sizeof(err)) ||
		    vm_config_validate(&cfg, VM_CHECK_WHOLE, err, sizeof(err)))
			fail_msg("%s", err);
		assert_string_equal(cfg.kernel, "/srv/kestrel/Image");
		if (!strcmp(e->d_name, "minimal.json")) {
			assert_string_equal(cfg.initrd, "/srv/kestrel/initrd.cpio");
			assert_int_equal(cfg.nr_disks, 0);
			seen |= 1;
		} else if (!strcmp(e->d_name, "ext4-root-net.json")) {
			assert_null(cfg.initrd);
			assert_int_equal(cfg.nr_disks, 1);
			assert_string_equal(cfg.disks[0].path, "/srv/kestrel/root.ext4");
			assert_non_null(strstr(cfg.cmdline, "root=/dev/vda"));
			assert_int_equal(cfg.nr_nets, 1);
			assert_string_equal(cfg.nets[0].tap, "kestrel-tap0");
			seen |= 2;
		} else if (!strcmp(e->d_name, "user-irqchip.json")) {
			assert_int_equal(cfg.irqchip.n, 1);
			assert_int_equal(cfg.irqchip.kind[0], IRQCHIP_USER);
			seen |= 4;
		} else if (!strcmp(e->d_name, "smp-vsock.json")) {
			assert_int_equal(cfg.cpus, 4);
			assert_true(cfg.vsock.enabled);
			seen |= 8;
		} else if (!strcmp(e->d_name, "firecracker-style.json")) {
			assert_string_equal(cfg.initrd, "/srv/kestrel/initrd.cpio");
			assert_int_equal(cfg.cpus, 2);
			assert_int_equal(cfg.memory, 512ULL << 20);
			assert_int_equal(cfg.nr_disks, 1);
			assert_string_equal(cfg.disks[0].path, "/srv/kestrel/root.ext4");
			assert_string_equal(cfg.disks[0].id, "rootfs");
			assert_non_null(strstr(cfg.cmdline, " root=/dev/vda rw"));
			assert_int_equal(cfg.nr_nets, 1);
			assert_string_equal(cfg.nets[0].tap, "kestrel-tap0");
			seen |= 16;
		}
		assert_round_trip(&cfg);
		vm_config_free(&cfg);
		free(text);
		free(raw);
	}
	closedir(d);
	assert_int_equal(seen, 31);
}

/* Every input the fuzzer kept (tests/fuzz/regress/fuzz_config_json) passes its checks. */
static void test_fuzz_regressions(void **state)
{
	char dir[4096];
	int n;

	assert_int_equal(fuzz_config_json_one((const uint8_t *)"{}", 2), 0);
	fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, "regress", "fuzz_config_json");
	n = fuzz_replay_dir(dir, fuzz_config_json_one);
	assert_true(n >= 1);
	print_message("replayed %d input(s) from %s\n", n, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_document),
		cmocka_unit_test(test_empty_object_keeps_defaults),
		cmocka_unit_test(test_value_forms),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_names_and_macs),
		cmocka_unit_test(test_cli_print_round_trip),
		cmocka_unit_test(test_print_not_utf8),
		cmocka_unit_test(test_config_with_flags),
		cmocka_unit_test(test_fc_getting_started),
		cmocka_unit_test(test_fc_sections),
		cmocka_unit_test(test_fc_refused_fields),
		cmocka_unit_test(test_fc_bad_documents),
		cmocka_unit_test(test_fc_with_flags),
		cmocka_unit_test(test_schema_matches_parser),
		cmocka_unit_test(test_example_configs),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
