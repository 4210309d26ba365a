/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running a VM: builds it from a struct vm_config in the order documented in
 * docs/design.md, runs it until the guest powers off (or resets with
 * --on-reboot exit, or fails), tears everything down, and returns the exit
 * status (enum kestrel_exit). Called once from the main thread.
 */
#ifndef KESTREL_VMM_VM_H
#define KESTREL_VMM_VM_H

#include "arch/arm64/host_caps.h"
#include "vmm/vm_config.h"

int vm_run(struct vm_config *cfg, const struct host_caps *caps);

#endif
