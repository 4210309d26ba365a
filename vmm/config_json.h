/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON VM descriptions (`kestrel --config FILE`) into a struct vm_config.
 * The document's shape is docs/config.md and configs/kestrel.schema.json;
 * decoding is strict: unknown keys, wrong types, out-of-range values,
 * duplicate keys, non-UTF-8 text, numbers too large for 64 bits and empty
 * files are all errors, and every error names the file and where in it:
 *
 *   FILE: PATH: message          e.g. "vm.json: disks[1].raedonly: unknown key"
 *   FILE:LINE:COLUMN: message    syntax errors
 *
 * A document whose top level has a key only Firecracker's --config-file
 * format has ("boot-source", "machine-config", "drives", ...) is read as
 * one through vmm/api_config.h's api_config_firecracker(): the fields the
 * API's PUT bodies accept, the same refusals, in messages "FILE: SECTION:
 * message" (e.g. "vm.json: drives[0]: partuuid: not supported by kestrel
 * (...)"); mixing kestrel's top-level keys with Firecracker's is refused.
 *
 * The decoder fills the fields the document gives over what @cfg holds
 * (defaults, usually), copying strings into @cfg's store, then runs
 * vm_config_validate(VM_CHECK_PART): a file must be consistent on its own,
 * but may leave kernel.path to a flag. No global state; main thread.
 */
#ifndef KESTREL_VMM_CONFIG_JSON_H
#define KESTREL_VMM_CONFIG_JSON_H

#include <stddef.h>

#include "vmm/vm_config.h"

/* Largest config file read, in bytes. */
#define CONFIG_JSON_MAX_SIZE (1U << 20)

/*
 * Decodes the @len bytes at @text, named @name in messages, over @cfg.
 * Returns 0; -EINVAL with one line in @err; -ENOMEM. After a failure @cfg
 * may hold part of the document: release it with vm_config_free().
 */
int config_json_parse(const char *text, size_t len, const char *name, struct vm_config *cfg,
		      char *err, size_t errlen);

/*
 * Reads the file at @path (at most CONFIG_JSON_MAX_SIZE bytes; pipes such as
 * /dev/stdin work) and decodes it with config_json_parse(). Returns what that
 * returns, or the -errno of open()/read() with "PATH: reason" in @err.
 */
int config_json_load(const char *path, struct vm_config *cfg, char *err, size_t errlen);

/*
 * Calls @fn once for every key the decoder accepts, as a path: "kernel",
 * "kernel.path", "disks", "disks[].readonly", ... (a tool for tests that
 * hold the decoder and the JSON Schema to each other).
 */
void config_json_keys(void (*fn)(const char *path, void *ctx), void *ctx);

#endif
