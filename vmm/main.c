// SPDX-License-Identifier: GPL-2.0-only
/*
 * kestrel's entry: turn flags into a struct vm_config and hand it to
 * vm_run(); map errors to exit statuses. Nothing else lives here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/check.h"
#include "vmm/cli.h"
#include "vmm/config_print.h"
#include "arch/arm64/kvm_probe.h"
#include "lib/log.h"
#include "vmm/version.h"
#include "vmm/vm.h"

static int print_version(void)
{
	const struct build_features f = {
		.version = KESTREL_VERSION,
#ifdef __aarch64__
		.kvm = true,
		.seccomp = true, /* vmm/seccomp.c is part of the aarch64 glue */
#endif
#ifdef KESTREL_STATIC
		.static_link = true,
#endif
#ifdef KESTREL_TEST_HOOKS
		.test_hooks = true,
#endif
	};
	char buf[512];

	if (version_format(&f, buf, sizeof(buf)))
		return EXIT_FAILURE_VMM;
	fputs(buf, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct vm_config cfg;
	struct cli_result res;
	struct host_caps caps;
	char err[512];
	int ret;

	ret = cli_parse(argc, argv, &cfg, &res, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return ret == -ENOMEM ? EXIT_FAILURE_VMM : EXIT_USAGE;
	}
	log_set_level(cfg.log_level);
	switch (res.action) {
	case CLI_HELP:
		fputs(cli_usage, stdout);
		return 0;
	case CLI_VERSION:
		return print_version();
	case CLI_CHECK:
		if (kvm_probe(&caps, err, sizeof(err))) {
			log_err("%s", err);
			return EXIT_FAILURE_VMM;
		}
		if (!caps.arm64_kvm) {
			log_err("/dev/kvm here runs %s guests: kestrel needs an arm64 host with "
				"KVM",
				caps.host_arch);
			return EXIT_FAILURE_VMM;
		}
		return check_report(&caps, res.json, stdout);
	case CLI_PRINT_CONFIG:
		ret = config_print(&cfg, stdout, err, sizeof(err));
		if (ret)
			log_err("%s", err);
		vm_config_free(&cfg);
		return ret == -EINVAL ? EXIT_USAGE : ret ? EXIT_FAILURE_VMM : 0;
	case CLI_RUN:
		break;
	}
	if (kvm_probe(&caps, err, sizeof(err))) {
		log_err("%s", err);
		vm_config_free(&cfg);
		return EXIT_FAILURE_VMM;
	}
	ret = vm_run(&cfg, &caps);
	vm_config_free(&cfg);
	return ret;
}
