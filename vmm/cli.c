// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli_devices.h"
#include "vmm/config_json.h"
#include "lib/util.h"

const char cli_usage[] =
	"usage: kestrel --kernel PATH [options]      run a microVM\n"
	"       kestrel --config FILE [options]      run the microVM FILE describes\n"
	"       kestrel check [--json]               what this host offers\n"
	"       kestrel --help | --version\n"
	"\n"
	"options:\n"
	"  --config FILE          JSON VM description (docs/config.md); other flags\n"
	"                         override its values, --disk/--net replace its lists\n"
	"  --print-config         print the effective configuration as JSON and exit\n"
	"  --kernel PATH          arm64 Linux Image or Image.gz\n"
	"  --initrd PATH          initramfs\n"
	"  --cmdline STR          kernel command line (default: \"" VM_DEFAULT_CMDLINE "\")\n"
	"  --cpus N               vCPUs (default 1)\n"
	"  --memory SIZE          guest RAM, e.g. 256M, 2G (default 256M)\n"
	"  --hugepages            back guest RAM with the host's huge pages (reserved)\n"
	"  --irqchip LIST         auto, kvm-v3, kvm-v2, user, or a comma list tried in\n"
	"                         order (auto = kvm-v3,kvm-v2,user)\n"
	"  --on-reboot ACTION     restart (default) or exit\n"
	"  --shutdown-timeout S   seconds SIGTERM or SendCtrlAltDel waits for the guest\n"
	"                         to power off after the power button (default 30,\n"
	"                         0 to 3600; 0 stops it at once)\n"
	"  --disk path=F[,readonly=on|off][,id=ID]\n"
	"                         virtio-blk disk (up to 8; ID: serial, up to 20 bytes)\n"
	"  --net tap=NAME[,mac=52:54:00:12:34:56]\n"
	"                         virtio-net on a host tap interface (up to 4)\n"
	"  --rng                  virtio-rng\n"
	"  --vsock cid=N          virtio-vsock with guest CID N (3 or more)\n"
	"  --serial MODE          the guest's serial port: stdio (default), off, pty,\n"
	"                         file=PATH (appended) or socket=PATH (one client)\n"
	"  --seccomp on|log|off   system call filter: enforce (default), log only, none\n"
	"  --api-socket PATH      Firecracker-style API on this unix socket; without\n"
	"                         --kernel, wait for the API's InstanceStart\n"
	"  --dump-dtb FILE        write the generated device tree to FILE\n"
	"  --log-level LEVEL      error, warn, info (default), debug\n"
	"  --log-file FILE        append the log to FILE, with timestamps, not stderr\n"
	"  --stats                print interrupt statistics at exit\n"
	"\n"
	"console: with --serial stdio, kestrel's stdin/stdout are the guest's serial\n"
	"port; on a terminal, press Ctrl-a then x to quit.\n"
	"\n"
	"exit status: 0 guest powered off, 1 VMM or guest failure, 2 usage or config\n"
	"error, 3 guest reset with --on-reboot exit, 4 stopped from outside (SIGTERM\n"
	"past the shutdown timeout, SIGINT, SIGHUP, Ctrl-a x).\n";

enum opt_id {
	OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_CPUS, OPT_MEMORY, OPT_HUGEPAGES,
	OPT_IRQCHIP, OPT_ON_REBOOT, OPT_SHUTDOWN_TIMEOUT, OPT_DUMP_DTB, OPT_LOG_LEVEL,
	OPT_LOG_FILE, OPT_STATS,
	OPT_DISK, OPT_NET, OPT_RNG, OPT_VSOCK, OPT_SERIAL, OPT_SECCOMP, OPT_API_SOCKET,
	OPT_CONFIG, OPT_PRINT_CONFIG, OPT_HELP, OPT_VERSION, OPT_JSON,
#ifdef KESTREL_TEST_HOOKS
	OPT_TEST_SECCOMP_VIOLATION,	/* hidden, test builds only */
#endif
};

struct opt {
	const char *name;
	enum opt_id id;
	bool has_arg;
	const char *path;	/* the JSON path of the field it sets, for validation errors */
};

static const struct opt opts[] = {
	{ "--kernel", OPT_KERNEL, true, "kernel.path" },
	{ "--initrd", OPT_INITRD, true, "kernel.initrd" },
	{ "--cmdline", OPT_CMDLINE, true, "kernel.cmdline" },
	{ "--cpus", OPT_CPUS, true, "machine.cpus" },
	{ "--memory", OPT_MEMORY, true, "machine.memory" },
	{ "--hugepages", OPT_HUGEPAGES, false, NULL },
	{ "--irqchip", OPT_IRQCHIP, true, "machine.irqchip" },
	{ "--on-reboot", OPT_ON_REBOOT, true, "machine.on_reboot" },
	{ "--shutdown-timeout", OPT_SHUTDOWN_TIMEOUT, true, "machine.shutdown_timeout" },
	{ "--dump-dtb", OPT_DUMP_DTB, true, "debug.dump_dtb" },
	{ "--log-level", OPT_LOG_LEVEL, true, "log.level" },
	{ "--log-file", OPT_LOG_FILE, true, "log.file" },
	{ "--stats", OPT_STATS, false, NULL },
	{ "--disk", OPT_DISK, true, "disks" },
	{ "--net", OPT_NET, true, "nets" },
	{ "--rng", OPT_RNG, false, NULL },
	{ "--vsock", OPT_VSOCK, true, "vsock" },
	{ "--serial", OPT_SERIAL, true, "serial" },
	{ "--seccomp", OPT_SECCOMP, true, "seccomp" },
	{ "--api-socket", OPT_API_SOCKET, true, "api.socket" },
	{ "--config", OPT_CONFIG, true, NULL },
	{ "--print-config", OPT_PRINT_CONFIG, false, NULL },
	{ "--help", OPT_HELP, false, NULL },
	{ "-h", OPT_HELP, false, NULL },
	{ "--version", OPT_VERSION, false, NULL },
	{ "--json", OPT_JSON, false, NULL },
#ifdef KESTREL_TEST_HOOKS
	{ "--test-seccomp-violation", OPT_TEST_SECCOMP_VIOLATION, true, NULL },
#endif
};

/* What the flags of one cli_parse() call have set so far. */
struct cli_state {
	struct vm_config *cfg;
	struct cli_result *res;
	const char *config;	/* --config FILE (points into argv) */
	bool disks_given;	/* the first --disk drops the file's list */
	bool nets_given;
	char *err;
	size_t errlen;
};

static int store_str(struct cli_state *s, const char **field, const char *v)
{
	return cli_store(s->cfg, field, v, strlen(v), s->err, s->errlen);
}

static int apply(struct cli_state *s, const struct opt *o, const char *val)
{
	struct vm_config *cfg = s->cfg;
	char *err = s->err;
	size_t errlen = s->errlen;
	uint64_t v;
	int ret;

	switch (o->id) {
	case OPT_KERNEL:
		return store_str(s, &cfg->kernel, val);
	case OPT_INITRD:
		return store_str(s, &cfg->initrd, val);
	case OPT_CMDLINE:
		return store_str(s, &cfg->cmdline, val);
	case OPT_CPUS:
		ret = parse_uint(val, 1, VM_MAX_CPUS, &v);
		if (ret) {
			snprintf(err, errlen, "--cpus: invalid value '%s' (expected 1 to %d)", val,
				 VM_MAX_CPUS);
			return -EINVAL;
		}
		cfg->cpus = (uint32_t)v;
		break;
	case OPT_MEMORY:
		ret = parse_size(val, &v);
		if (ret || v < VM_MIN_MEMORY) {
			snprintf(err, errlen,
				 "--memory: invalid size '%s' (expected e.g. 256M or 2G, at least 64M)",
				 val);
			return -EINVAL;
		}
		if (v % VM_MEMORY_ALIGN) {
			snprintf(err, errlen, "--memory: '%s' is not a multiple of 2M", val);
			return -EINVAL;
		}
		cfg->memory = v;
		break;
	case OPT_HUGEPAGES:
		cfg->hugepages = true;
		break;
	case OPT_IRQCHIP: {
		const char *bad;
		size_t bad_len;

		ret = irqchip_pref_parse(val, &cfg->irqchip, &bad, &bad_len);
		if (ret) {
			snprintf(err, errlen,
				 "--irqchip: invalid value '%s' at '%.*s' (expected auto, kvm-v3, "
				 "kvm-v2, user or a comma list without repeats)",
				 val, (int)bad_len, bad);
			return -EINVAL;
		}
		break;
	}
	case OPT_ON_REBOOT:
		if (vm_on_reboot_parse(val, &cfg->on_reboot)) {
			snprintf(err, errlen,
				 "--on-reboot: invalid value '%s' (expected restart or exit)", val);
			return -EINVAL;
		}
		break;
	case OPT_SHUTDOWN_TIMEOUT:
		ret = parse_uint(val, 0, VM_MAX_SHUTDOWN_TIMEOUT, &v);
		if (ret) {
			snprintf(err, errlen,
				 "--shutdown-timeout: invalid value '%s' (expected 0 to %d seconds)",
				 val, VM_MAX_SHUTDOWN_TIMEOUT);
			return -EINVAL;
		}
		cfg->shutdown_timeout = (unsigned)v;
		break;
	case OPT_DUMP_DTB:
		return store_str(s, &cfg->dump_dtb, val);
	case OPT_LOG_LEVEL:
		if (log_parse_level(val, &cfg->log_level)) {
			snprintf(err, errlen,
				 "--log-level: invalid value '%s' (expected error, warn, info or debug)",
				 val);
			return -EINVAL;
		}
		break;
	case OPT_LOG_FILE:
		return store_str(s, &cfg->log_file, val);
	case OPT_STATS:
		cfg->stats = true;
		break;
	case OPT_DISK:
		if (!s->disks_given) { /* the first --disk drops the file's list */
			cfg->nr_disks = 0;
			s->disks_given = true;
		}
		return cli_parse_disk(cfg, val, err, errlen);
	case OPT_NET:
		if (!s->nets_given) {
			cfg->nr_nets = 0;
			s->nets_given = true;
		}
		return cli_parse_net(cfg, val, err, errlen);
	case OPT_RNG:
		cfg->rng = true;
		break;
	case OPT_VSOCK:
		return cli_parse_vsock(cfg, val, err, errlen);
	case OPT_SERIAL: {
		const char *path;

		if (vm_serial_parse(val, &cfg->serial, &path)) {
			snprintf(err, errlen,
				 "--serial: invalid value '%s' (expected " VM_SERIAL_EXPECTED ")",
				 val);
			return -EINVAL;
		}
		cfg->serial_path = NULL;
		return path ? store_str(s, &cfg->serial_path, path) : 0;
	}
	case OPT_SECCOMP:
		if (vm_seccomp_parse(val, &cfg->seccomp)) {
			snprintf(err, errlen,
				 "--seccomp: invalid value '%s' (expected on, log or off)", val);
			return -EINVAL;
		}
		break;
	case OPT_API_SOCKET:
		return store_str(s, &cfg->api_socket, val);
	case OPT_CONFIG:	/* read in the first pass */
	case OPT_PRINT_CONFIG:
	case OPT_HELP:
	case OPT_VERSION:
	case OPT_JSON:
		break;
#ifdef KESTREL_TEST_HOOKS
	case OPT_TEST_SECCOMP_VIOLATION:
		if (!strcmp(val, "vcpu")) {
			cfg->test_seccomp_violation = VM_TEST_VIOLATION_VCPU;
		} else if (!strcmp(val, "main")) {
			cfg->test_seccomp_violation = VM_TEST_VIOLATION_MAIN;
		} else {
			snprintf(err, errlen,
				 "--test-seccomp-violation: invalid value '%s' (expected vcpu or main)",
				 val);
			return -EINVAL;
		}
		break;
#endif
	}
	return 0;
}

/*
 * Reads the option at argv[*i] (and its value, advancing *i past it).
 * Returns 0 with *o and *val set, or -EINVAL with a message.
 */
static int next_opt(struct cli_state *s, int argc, char *const argv[], int *i,
		    const struct opt **o, const char **val)
{
	const char *arg = argv[*i];
	size_t name_len = strcspn(arg, "=");

	*o = NULL;
	*val = NULL;
	for (size_t k = 0; k < ARRAY_SIZE(opts); k++) {
		if (strlen(opts[k].name) == name_len && !strncmp(arg, opts[k].name, name_len)) {
			*o = &opts[k];
			break;
		}
	}
	if (!*o) {
		snprintf(s->err, s->errlen, "unknown option '%s' (see kestrel --help)", arg);
		return -EINVAL;
	}
	if (s->res->action == CLI_CHECK && (*o)->id != OPT_JSON && (*o)->id != OPT_HELP &&
	    (*o)->id != OPT_LOG_LEVEL) {
		snprintf(s->err, s->errlen, "check: unexpected option '%s'", arg);
		return -EINVAL;
	}
	if ((*o)->has_arg) {
		if (arg[name_len] == '=') {
			*val = arg + name_len + 1;
		} else if (*i + 1 < argc) {
			*val = argv[++*i];
		} else {
			snprintf(s->err, s->errlen, "%s: missing value", (*o)->name);
			return -EINVAL;
		}
	} else if (arg[name_len] == '=') {
		snprintf(s->err, s->errlen, "%s: takes no value", (*o)->name);
		return -EINVAL;
	}
	return 0;
}

/* First pass: syntax of every flag, the action, and --config. */
static int scan(struct cli_state *s, int argc, char *const argv[], int first)
{
	struct cli_result *res = s->res;
	bool help = false, version = false;

	for (int i = first; i < argc; i++) {
		const struct opt *o;
		const char *val;
		int ret = next_opt(s, argc, argv, &i, &o, &val);

		if (ret)
			return ret;
		switch (o->id) {
		case OPT_CONFIG:
			if (s->config) {
				snprintf(s->err, s->errlen, "--config: given twice");
				return -EINVAL;
			}
			s->config = val;
			break;
		case OPT_PRINT_CONFIG:
			res->action = CLI_PRINT_CONFIG;
			break;
		case OPT_HELP:
			help = true;
			break;
		case OPT_VERSION:
			version = true;
			break;
		case OPT_JSON:
			if (res->action != CLI_CHECK) {
				snprintf(s->err, s->errlen, "--json: only valid after 'check'");
				return -EINVAL;
			}
			res->json = true;
			break;
		default:
			break;
		}
	}
	if (help)
		res->action = CLI_HELP;
	else if (version)
		res->action = CLI_VERSION;
	return 0;
}

/* Names the flag that sets the field a validation message starts with. */
static void prefix_flag(struct cli_state *s)
{
	char msg[512];

	for (size_t k = 0; k < ARRAY_SIZE(opts); k++) {
		const char *p = opts[k].path;
		size_t n = p ? strlen(p) : 0;

		if (n && !strncmp(s->err, p, n) && strchr(":.[", s->err[n])) {
			snprintf(msg, sizeof(msg), "%s", s->err);
			snprintf(s->err, s->errlen, "%s: %s", opts[k].name, msg);
			return;
		}
	}
}

static int parse_all(struct cli_state *s, int argc, char *const argv[])
{
	struct vm_config *cfg = s->cfg;
	int first = 1;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "check")) {
		s->res->action = CLI_CHECK;
		first = 2;
	}
	ret = scan(s, argc, argv, first);
	if (ret)
		return ret;
	if (s->res->action == CLI_HELP || s->res->action == CLI_VERSION)
		return 0;
	if (s->config) {
		ret = config_json_load(s->config, cfg, s->err, s->errlen);
		if (ret)
			return ret;
	}
	for (int i = first; i < argc; i++) {
		const struct opt *o;
		const char *val;

		ret = next_opt(s, argc, argv, &i, &o, &val);
		if (!ret)
			ret = apply(s, o, val);
		if (ret)
			return ret;
	}
	if (s->res->action == CLI_CHECK)
		return 0;
	if (!cfg->kernel && cfg->api_socket && s->res->action == CLI_RUN) {
		/* the API fills the rest: check what is there */
		ret = vm_config_validate(cfg, VM_CHECK_PART, s->err, s->errlen);
		if (ret)
			prefix_flag(s);
		return ret;
	}
	if (!cfg->kernel) {
		if (s->config)
			snprintf(s->err, s->errlen, "%s: kernel.path: missing (or give --kernel)",
				 s->config);
		else
			snprintf(s->err, s->errlen, "--kernel: missing (see kestrel --help)");
		return -EINVAL;
	}
	/* The file passed on its own: what fails now comes from a flag. */
	ret = vm_config_validate(cfg, VM_CHECK_WHOLE, s->err, s->errlen);
	if (ret)
		prefix_flag(s);
	return ret;
}

int cli_parse(int argc, char *const argv[], struct vm_config *cfg, struct cli_result *res,
	      char *err, size_t errlen)
{
	struct cli_state s = {
		.cfg = cfg,
		.res = res,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	vm_config_defaults(cfg);
	memset(res, 0, sizeof(*res));
	res->action = CLI_RUN;
	ret = parse_all(&s, argc, argv);
	if (ret)
		vm_config_free(cfg);
	return ret;
}
