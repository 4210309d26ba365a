/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `kestrel check`: report what the host offers and what kestrel would do
 * with it, as text or JSON. Pure formatting of a probed struct host_caps, so
 * it is testable with made-up hosts.
 */
#ifndef KESTREL_VMM_CHECK_H
#define KESTREL_VMM_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "arch/arm64/host_caps.h"

/*
 * Writes the report for @caps to @out. Returns 0 when kestrel can run guests
 * on this host (an arm64 KVM with at least one usable irqchip), 1 otherwise.
 */
int check_report(const struct host_caps *caps, bool json, FILE *out);

#endif
