// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/util.h"

const char cli_usage[] =
	"usage: kestrel --kernel PATH [options]      run a microVM\n"
	"       kestrel check [--json]               what this host offers\n"
	"       kestrel --help | --version\n"
	"\n"
	"options:\n"
	"  --kernel PATH          arm64 Linux Image or Image.gz\n"
	"  --initrd PATH          initramfs\n"
	"  --cmdline STR          kernel command line (default: \"" VM_DEFAULT_CMDLINE "\")\n"
	"  --cpus N               vCPUs (default 1)\n"
	"  --memory SIZE          guest RAM, e.g. 256M, 2G (default 256M)\n"
	"  --hugepages            back guest RAM with 2 MiB huge pages\n"
	"  --irqchip LIST         auto, kvm-v3, kvm-v2, user, or a comma list tried in\n"
	"                         order (auto = kvm-v3,kvm-v2,user)\n"
	"  --on-reboot ACTION     restart (default) or exit\n"
	"  --dump-dtb FILE        write the generated device tree to FILE\n"
	"  --log-level LEVEL      error, warn, info (default), debug\n"
	"  --stats                print interrupt statistics at exit\n"
	"\n"
	"console: kestrel's stdin/stdout are the guest's serial port; on a terminal,\n"
	"press Ctrl-a then x to quit.\n"
	"\n"
	"exit status: 0 guest powered off, 1 VMM or guest failure, 2 usage or config\n"
	"error, 3 guest reset with --on-reboot exit.\n";

void vm_config_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cmdline = VM_DEFAULT_CMDLINE;
	cfg->cpus = VM_DEFAULT_CPUS;
	cfg->memory = VM_DEFAULT_MEMORY;
	cfg->irqchip.kind[0] = IRQCHIP_KVM_V3;
	cfg->irqchip.kind[1] = IRQCHIP_KVM_V2;
	cfg->irqchip.kind[2] = IRQCHIP_USER;
	cfg->irqchip.n = 3;
	cfg->on_reboot = ON_REBOOT_RESTART;
	cfg->log_level = LOG_INFO;
}

enum opt_id {
	OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_CPUS, OPT_MEMORY, OPT_HUGEPAGES,
	OPT_IRQCHIP, OPT_ON_REBOOT, OPT_DUMP_DTB, OPT_LOG_LEVEL, OPT_STATS, OPT_HELP,
	OPT_VERSION, OPT_JSON,
};

struct opt {
	const char *name;
	enum opt_id id;
	bool has_arg;
};

static const struct opt opts[] = {
	{ "--kernel", OPT_KERNEL, true },	{ "--initrd", OPT_INITRD, true },
	{ "--cmdline", OPT_CMDLINE, true },	{ "--cpus", OPT_CPUS, true },
	{ "--memory", OPT_MEMORY, true },	{ "--hugepages", OPT_HUGEPAGES, false },
	{ "--irqchip", OPT_IRQCHIP, true },	{ "--on-reboot", OPT_ON_REBOOT, true },
	{ "--dump-dtb", OPT_DUMP_DTB, true },	{ "--log-level", OPT_LOG_LEVEL, true },
	{ "--stats", OPT_STATS, false },	{ "--help", OPT_HELP, false },
	{ "-h", OPT_HELP, false },		{ "--version", OPT_VERSION, false },
	{ "--json", OPT_JSON, false },
};

/* Upper bound for --cpus before the host is asked (KVM's own limit is checked later). */
#define CLI_MAX_CPUS 4096

static int apply(const struct opt *o, const char *val, struct vm_config *cfg,
		 struct cli_result *res, char *err, size_t errlen)
{
	uint64_t v;
	int ret;

	switch (o->id) {
	case OPT_KERNEL:
		cfg->kernel = val;
		break;
	case OPT_INITRD:
		cfg->initrd = val;
		break;
	case OPT_CMDLINE:
		cfg->cmdline = val;
		break;
	case OPT_CPUS:
		ret = parse_uint(val, 1, CLI_MAX_CPUS, &v);
		if (ret) {
			snprintf(err, errlen, "--cpus: invalid value '%s' (expected 1 to %d)", val,
				 CLI_MAX_CPUS);
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
		if (v % (2ULL << 20)) {
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
		if (!strcmp(val, "restart")) {
			cfg->on_reboot = ON_REBOOT_RESTART;
		} else if (!strcmp(val, "exit")) {
			cfg->on_reboot = ON_REBOOT_EXIT;
		} else {
			snprintf(err, errlen,
				 "--on-reboot: invalid value '%s' (expected restart or exit)", val);
			return -EINVAL;
		}
		break;
	case OPT_DUMP_DTB:
		cfg->dump_dtb = val;
		break;
	case OPT_LOG_LEVEL:
		if (log_parse_level(val, &cfg->log_level)) {
			snprintf(err, errlen,
				 "--log-level: invalid value '%s' (expected error, warn, info or debug)",
				 val);
			return -EINVAL;
		}
		break;
	case OPT_STATS:
		cfg->stats = true;
		break;
	case OPT_HELP:
		res->action = CLI_HELP;
		break;
	case OPT_VERSION:
		res->action = CLI_VERSION;
		break;
	case OPT_JSON:
		if (res->action != CLI_CHECK) {
			snprintf(err, errlen, "--json: only valid after 'check'");
			return -EINVAL;
		}
		res->json = true;
		break;
	}
	return 0;
}

int cli_parse(int argc, char *const argv[], struct vm_config *cfg, struct cli_result *res,
	      char *err, size_t errlen)
{
	int i = 1;

	vm_config_defaults(cfg);
	memset(res, 0, sizeof(*res));
	res->action = CLI_RUN;
	if (argc > 1 && !strcmp(argv[1], "check")) {
		res->action = CLI_CHECK;
		i = 2;
	}
	for (; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = NULL;
		const struct opt *o = NULL;
		size_t name_len = strcspn(arg, "=");

		for (size_t k = 0; k < ARRAY_SIZE(opts); k++) {
			if (strlen(opts[k].name) == name_len && !strncmp(arg, opts[k].name, name_len)) {
				o = &opts[k];
				break;
			}
		}
		if (!o) {
			snprintf(err, errlen, "unknown option '%s' (see kestrel --help)", arg);
			return -EINVAL;
		}
		if (res->action == CLI_CHECK && o->id != OPT_JSON && o->id != OPT_HELP &&
		    o->id != OPT_LOG_LEVEL) {
			snprintf(err, errlen, "check: unexpected option '%s'", arg);
			return -EINVAL;
		}
		if (o->has_arg) {
			if (arg[name_len] == '=') {
				val = arg + name_len + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				snprintf(err, errlen, "%s: missing value", o->name);
				return -EINVAL;
			}
		} else if (arg[name_len] == '=') {
			snprintf(err, errlen, "%s: takes no value", o->name);
			return -EINVAL;
		}
		if (apply(o, val, cfg, res, err, errlen))
			return -EINVAL;
	}
	if (res->action == CLI_RUN && !cfg->kernel) {
		snprintf(err, errlen, "--kernel: missing (see kestrel --help)");
		return -EINVAL;
	}
	return 0;
}
