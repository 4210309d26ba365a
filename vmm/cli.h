/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line parsing into a struct vm_config.
 *
 * Order: defaults, then the --config file (vmm/config_json.h) wherever the
 * flag stands, then every other flag, which replaces the file's value for
 * its field; repeated --disk or --net flags build a list that replaces the
 * file's whole list. The merged config then goes through
 * vm_config_validate(), so flags and files get the same checks.
 *
 * No I/O except reading the --config file; validation that needs the host
 * (memory vs IPA limit, vCPUs vs KVM's maximum, whether files exist)
 * happens later, in vm_run(). Main thread only.
 */
#ifndef KESTREL_VMM_CLI_H
#define KESTREL_VMM_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/vm_config.h"

enum cli_action { CLI_RUN, CLI_CHECK, CLI_HELP, CLI_VERSION, CLI_PRINT_CONFIG };

struct cli_result {
	enum cli_action action;
	bool json;		/* check --json */
};

/*
 * Parses argv (not modified, not referenced afterwards: strings are copied
 * into @cfg). Returns 0 with @cfg filled and validated (for CLI_RUN and
 * CLI_PRINT_CONFIG: runnable, kernel set); the caller releases it with
 * vm_config_free(). On failure @cfg is already released, and @err holds one
 * line naming the flag and value ("--cpus: invalid value '0' ..."), or for
 * the config file "FILE: PATH: message" / "FILE:LINE:COLUMN: message".
 * Returns -EINVAL for bad flags or a bad document, the -errno of open/read
 * for an unreadable config file, -ENOMEM.
 */
int cli_parse(int argc, char *const argv[], struct vm_config *cfg, struct cli_result *res,
	      char *err, size_t errlen);

/* The --help text. */
extern const char cli_usage[];

#endif
