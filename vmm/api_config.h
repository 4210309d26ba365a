/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The API's configuration endpoints: each maps one Firecracker body onto
 * the VMM's struct vm_config (boot-source, machine-config, drives,
 * network-interfaces, vsock, entropy, logger), as docs/api.md documents.
 * Called by the router (vmm/api_router.c), after it matched the method and
 * path and parsed the body into an object @o (borrowed); and by the JSON
 * config loader (vmm/config_json.c) through api_config_firecracker(),
 * which feeds a Firecracker --config-file document's sections to the same
 * handlers, so a file and the API accept and refuse the same fields with
 * the same words.
 *
 * Each handler leaves the answer in c->resp: 204 when the change was
 * checked with vm_config_validate() and made, or a 400 naming the field
 * (the config then unchanged). The pre-boot PUTs refuse to run once the
 * VM started; PATCH /drives/{id} refuses to run before it.
 *
 * Memory and threads: as vmm/api_call.h (strings go to the config's store
 * through api_edit_dup(); the API's event loop thread only).
 */
#ifndef KESTREL_VMM_API_CONFIG_H
#define KESTREL_VMM_API_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "vmm/api_call.h"

/* PUT /boot-source: kernel, boot_args (default VM_DEFAULT_CMDLINE), initrd. */
void api_put_boot_source(struct api_call *c, json_t *o);
/* PUT /machine-config (vcpu_count and mem_size_mib required) and PATCH (any subset). */
void api_put_machine_config(struct api_call *c, json_t *o);
void api_patch_machine_config(struct api_call *c, json_t *o);
/* GET /machine-config: 200 with the config's vCPUs, memory and huge pages. */
void api_get_machine_config(struct api_call *c);
/* PUT /drives/{@id}: adds or replaces a disk; the root device becomes disks[0]. */
void api_put_drive(struct api_call *c, json_t *o, const char *id);
/* PATCH /drives/{@id} at run time: a new backing file through api_ops.drive_update. */
void api_patch_drive(struct api_call *c, json_t *o, const char *id);
/* PUT /network-interfaces/{@id}: adds or replaces a tap-backed net. */
void api_put_net(struct api_call *c, json_t *o, const char *id);
/* PUT /vsock: enables vhost-vsock with guest_cid. */
void api_put_vsock(struct api_call *c, json_t *o);
/* PUT /entropy: enables virtio-rng. */
void api_put_entropy(struct api_call *c, json_t *o);
/* PUT /logger: log file and level, applied through api_ops.logger_apply when set. */
void api_put_logger(struct api_call *c, json_t *o);

/*
 * For InstanceStart: appends "root=/dev/vda rw|ro" to @e's cmdline when a
 * drive is the root device. 0, or -EINVAL after a fault.
 */
int api_root_cmdline(struct api_call *c, struct api_edit *e);

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
