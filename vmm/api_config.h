/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The API's configuration endpoints: each maps one Firecracker body onto
 * the VMM's struct vm_config (boot-source, machine-config, drives,
 * network-interfaces, vsock, entropy, logger), as docs/api.md documents.
 * Called by the router (vmm/api_router.c), after it matched the method and
 * path and parsed the body into an object @o (borrowed); and by the JSON
 * config loader (vmm/config_json.c) through api_config_firecracker()
 * (vmm/fc_config.h), which feeds a Firecracker --config-file document's sections to the same
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

#endif
