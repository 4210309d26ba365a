// SPDX-License-Identifier: GPL-2.0-only
/* vm_run() on hosts that are not arm64: kestrel runs guests only on arm64 KVM. */
#include "vmm/vm.h"

#include "lib/log.h"

int vm_run(struct vm_config *cfg, const struct host_caps *caps)
{
	log_err("this host is %s: kestrel runs guests only on an arm64 host with /dev/kvm",
		caps->host_arch);
	return EXIT_FAILURE_VMM;
}
