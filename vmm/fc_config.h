/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Firecracker's --config-file document as a kestrel config: `kestrel
 * --config FILE` hands a document with Firecracker's top-level keys here
 * (vmm/config_json.c), and each section goes through the API's pre-boot
 * handler for the same body (vmm/api_config.h), on a private router with
 * no ops, so a file and the API accept and refuse the same fields with the
 * same words. docs/config.md has the mapping.
 *
 * No state; any one thread per config.
 */
#ifndef KESTREL_VMM_FC_CONFIG_H
#define KESTREL_VMM_FC_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "vmm/vm_config.h"

/*
 * Whether @key is a top-level key both Firecracker's config file and
 * kestrel's format have ("vsock", "serial"): it tells neither apart.
 */
bool api_config_shared_key(const char *key);

/*
 * The first top-level key of @doc (an object) that only Firecracker's
 * config file has ("boot-source", "machine-config", "drives", ...; not a
 * shared key), or NULL: a document with one is a Firecracker document.
 */
const char *api_config_firecracker_marker(json_t *doc);

/*
 * Applies the Firecracker --config-file document @doc (an object; borrowed)
 * over @cfg, as the pre-boot PUTs would, section by section: logger,
 * boot-source, machine-config, drives[] and network-interfaces[] (in array
 * order), vsock, entropy; then, when a drive is the root device, appends
 * "root=/dev/vda rw|ro" to the cmdline as InstanceStart does. A section
 * kestrel has no feature for (balloon, mmds-config, ...) is refused unless
 * null, an unknown key too, and so is a drive_id or iface_id given twice.
 * Strings go to @cfg's store. Returns 0, or -EINVAL (-ENOMEM) with one line
 * "@name: SECTION: message" in @err, SECTION e.g. "drives[1]" and message
 * the API's fault_message; @cfg then may hold part of the document.
 * Any one thread per @cfg (no router is shared).
 */
int api_config_firecracker(struct vm_config *cfg, json_t *doc, const char *name, char *err,
			   size_t errlen);

#endif
