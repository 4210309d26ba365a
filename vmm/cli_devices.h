/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The values of the device flags, for vmm/cli.c: --disk
 * path=F[,readonly=on|off][,id=ID], --net tap=NAME[,mac=MAC] and --vsock
 * cid=N, each a comma list of key=value (no commas inside values, each key
 * once), decoded into a struct vm_config.
 *
 * Errors: one line in @err naming the flag and the bad part ("--disk:
 * 'path=' missing in 'readonly=on'"). Range checks beyond the syntax (a
 * disk id's length, a tap name's) are left to vm_config_validate(), run by
 * cli_parse() afterwards.
 *
 * Memory: strings are copied into @cfg's store (vm_config_strdup()); @val
 * is not referenced afterwards. No global state; main thread.
 */
#ifndef KESTREL_VMM_CLI_DEVICES_H
#define KESTREL_VMM_CLI_DEVICES_H

#include <stddef.h>

#include "vmm/vm_config.h"

/* Copies @len bytes of @v into @cfg's store and points *@field at it. 0, or -ENOMEM ("out of memory"). */
int cli_store(struct vm_config *cfg, const char **field, const char *v, size_t len, char *err,
	      size_t errlen);

/*
 * --disk @val: appends one disk to cfg->disks (the caller empties the list
 * first when the flags replace the file's). 0, -EINVAL (more than
 * VM_MAX_DISKS, bad syntax, path= missing), or -ENOMEM.
 */
int cli_parse_disk(struct vm_config *cfg, const char *val, char *err, size_t errlen);

/* --net @val: appends one net to cfg->nets, as cli_parse_disk() (VM_MAX_NETS, tap= missing, bad mac). */
int cli_parse_net(struct vm_config *cfg, const char *val, char *err, size_t errlen);

/* --vsock @val: enables cfg->vsock with its cid. 0, or -EINVAL (cid= missing or out of range). */
int cli_parse_vsock(struct vm_config *cfg, const char *val, char *err, size_t errlen);

#endif
