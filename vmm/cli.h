/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line parsing into a struct vm_config. Pure: no I/O except what
 * the caller prints; validation that needs the host (memory vs IPA limit,
 * vCPUs vs KVM's maximum, files) happens later, in vm_run().
 */
#ifndef KESTREL_VMM_CLI_H
#define KESTREL_VMM_CLI_H

#include <stddef.h>

#include "vmm/vm_config.h"

enum cli_action { CLI_RUN, CLI_CHECK, CLI_HELP, CLI_VERSION };

struct cli_result {
	enum cli_action action;
	bool json;		/* check --json */
};

/*
 * Parses argv. Returns 0, or -EINVAL with a one-line message (naming the
 * flag and the value) in @err. argv is not modified.
 */
int cli_parse(int argc, char *const argv[], struct vm_config *cfg, struct cli_result *res,
	      char *err, size_t errlen);

/* The --help text. */
extern const char cli_usage[];

#endif
