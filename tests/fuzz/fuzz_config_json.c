// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the JSON config decoder (config_json_parse) and, for
 * every document it accepts, the effective-config printer and a second
 * decode of what it printed. Checks: a rejected document always comes with
 * a one-line message; an accepted one round-trips (print, parse, print gives
 * the same text). Built by scripts/fuzz.sh.
 *
 * fuzz-sources: vmm/config_json.c vmm/json_walk.c vmm/config_print.c vmm/vm_config.c lib/util.c
 * fuzz-sources: vmm/api_config.c vmm/fc_config.c vmm/api_call.c vmm/api_router.c vmm/http_request.c
 * fuzz-sources: lib/log.c irqchip/irqchip_select.c -ljansson
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/config_json.h"
#include "vmm/config_print.h"
#include "vmm/vm_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_config cfg, again;
	char err[512] = "", err2[512] = "";
	char *text = NULL, *text2 = NULL;

	vm_config_defaults(&cfg);
	if (config_json_parse((const char *)data, size, "fuzz.json", &cfg, err, sizeof(err))) {
		if (!err[0] || strchr(err, '\n'))
			abort();	/* a rejection must say why, in one line */
		vm_config_free(&cfg);
		return 0;
	}
	if (config_print_json(&cfg, &text, err, sizeof(err)) == 0) {
		vm_config_defaults(&again);
		if (config_json_parse(text, strlen(text), "printed.json", &again, err2,
				      sizeof(err2)))
			abort();	/* what we print must parse */
		if (config_print_json(&again, &text2, err2, sizeof(err2)) || strcmp(text, text2))
			abort();	/* and print the same */
		vm_config_free(&again);
	}
	free(text);
	free(text2);
	vm_config_free(&cfg);
	return 0;
}
