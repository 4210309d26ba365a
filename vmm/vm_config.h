/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one description of a VM, filled from command-line flags (vmm/cli.c)
 * and later from JSON config files, then handed to vm_run(). Strings point
 * into argv or into storage owned by whoever filled the struct; the struct
 * is read-only once the VM is being built.
 */
#ifndef KESTREL_VMM_VM_CONFIG_H
#define KESTREL_VMM_VM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "irqchip/irqchip_select.h"
#include "vmm/log.h"

enum on_reboot { ON_REBOOT_RESTART, ON_REBOOT_EXIT };

/* Exit statuses of `kestrel` (documented in --help and README). */
enum kestrel_exit {
	EXIT_POWEROFF = 0,	/* guest powered off */
	EXIT_FAILURE_VMM = 1,	/* VMM or guest failure */
	EXIT_USAGE = 2,		/* usage or config error */
	EXIT_GUEST_RESET = 3,	/* guest reset with --on-reboot exit */
};

#define VM_DEFAULT_CPUS 1
#define VM_DEFAULT_MEMORY (256ULL << 20)
#define VM_MIN_MEMORY (64ULL << 20)
#define VM_DEFAULT_CMDLINE "console=ttyS0 earlycon=uart,mmio,0x09000000 panic=-1"

struct vm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	uint32_t cpus;
	uint64_t memory;
	bool hugepages;
	struct irqchip_pref irqchip;
	enum on_reboot on_reboot;
	const char *dump_dtb;
	enum log_level log_level;
	bool stats;
};

void vm_config_defaults(struct vm_config *cfg);

#endif
