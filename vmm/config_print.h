/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `kestrel --print-config`: a struct vm_config as the JSON document that
 * config_json_parse() reads back into an equal config. Every field is
 * written, defaults included; unset optional strings are null, so the
 * output doubles as a list of what can be set. Pure apart from the write
 * in config_print(); any thread on a config nobody changes meanwhile.
 */
#ifndef KESTREL_VMM_CONFIG_PRINT_H
#define KESTREL_VMM_CONFIG_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "vmm/vm_config.h"

/*
 * Sets *@out to the document (2-space indented, no final newline), to be
 * released with free(). Returns 0; -EINVAL when a string is not UTF-8
 * (possible for flag values: JSON cannot hold it), with "PATH: message" in
 * @err; -ENOMEM.
 */
int config_print_json(const struct vm_config *cfg, char **out, char *err, size_t errlen);

/* Writes that document and a newline to @f. 0, what config_print_json() returns, or -EIO. */
int config_print(const struct vm_config *cfg, FILE *f, char *err, size_t errlen);

#endif
