/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One API request being answered, and the helpers the router's endpoint
 * files share (vmm/api_router.c, vmm/api_config.c; nothing else includes
 * this header, and vmm/api_config.c's Firecracker config-file reader,
 * which answers one pretend request per section): replying (a 400 fault, 204, 200 with JSON), reading the
 * JSON body's fields with errors that name them, the VM-state guards, and
 * the working copy of the config that one change is made on.
 *
 * Memory: a struct api_call lives on the stack of api_router_handle() and
 * points at the caller's router and response; resp->body is malloc()ed and
 * replaced by each api_fault(). JSON values come from the caller's body
 * object and are borrowed. Strings added through api_edit_dup() live in
 * the config's store (see vmm/api_router.h on the budget).
 *
 * Threads: the API's event loop thread only, like the router.
 */
#ifndef KESTREL_VMM_API_CALL_H
#define KESTREL_VMM_API_CALL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/api_router.h"

#define API_ERR_MAX 512

/* One request being answered. */
struct api_call {
	struct api_router *r;
	const char *method;
	const char *path;
	const char *body;
	size_t len;
	struct http_response *resp;
	char err[API_ERR_MAX]; /* scratch for vm_config_validate() and the ops */
	char fault[API_ERR_MAX]; /* the last api_fault()'s line, "" before one */
};

/*
 * A working copy of the config for one change: strings go to its store,
 * budgeted; api_edit_commit() then makes it the config if it validates.
 */
struct api_edit {
	struct vm_config cfg;
	bool disk_root[VM_MAX_DISKS];
	char net_ids[VM_MAX_NETS][API_ID_MAX + 1];
};

/* Makes the response 400 with {"fault_message": the formatted line}, also kept in c->fault. */
__attribute__((format(printf, 2, 3))) void api_fault(struct api_call *c, const char *fmt, ...);
/* Makes the response 204 (no body). */
void api_ok(struct api_call *c);
/* Makes the response 200 with @j (reference taken) as the body; NULL @j: a fault. */
void api_reply_json(struct api_call *c, json_t *j);
/* The body as a JSON object (the caller's reference), or NULL after a fault. */
json_t *api_body_object(struct api_call *c);

/*
 * Field readers. Each returns 0, or -EINVAL after a fault naming @key.
 * A null value counts as absent; an absent @required field is refused.
 */
/* Refuses any key of @o not in the NULL-terminated @allowed. */
int api_only_fields(struct api_call *c, json_t *o, const char *const *allowed);
/* @key's value; NULL when absent or null. */
json_t *api_field(json_t *o, const char *key);
/* A string into *@out (borrowed from @o; NULL when absent). */
int api_get_str(struct api_call *c, json_t *o, const char *key, bool required, const char **out);
/* A boolean into *@out (left alone when absent). */
int api_get_bool(struct api_call *c, json_t *o, const char *key, bool required, bool *out);
/* A non-negative integer up to @max into *@out; *@present says whether it was there. */
int api_get_uint(struct api_call *c, json_t *o, const char *key, bool required, uint64_t max,
		 uint64_t *out, bool *present);
/* A field kestrel has no such feature for (@why says so): absent or null only. */
int api_unsupported(struct api_call *c, json_t *o, const char *key, const char *why);
/* A string field with one of the NULL-terminated @accepted values (or absent), into *@out if non-NULL. */
int api_only_value(struct api_call *c, json_t *o, const char *key, const char *const *accepted,
		   const char **out);
/* Drive and interface ids: 1-64 of [A-Za-z0-9_], as Firecracker requires. */
int api_check_id(struct api_call *c, const char *what, const char *id);
/* The body's id field @key (into *@out) must be a valid id equal to @path_id. */
int api_id_matches(struct api_call *c, json_t *o, const char *key, const char *path_id,
		   const char **out);

/* True when the VM is not started; otherwise false after a fault. */
bool api_pre_boot(struct api_call *c);
/* True when the VM is started (running or paused); otherwise false after a fault. */
bool api_started(struct api_call *c);

/* Fills @e with a copy of the router's config and its API ids. */
void api_edit_begin(struct api_call *c, struct api_edit *e);
/*
 * A copy of @s in @e's string store, counted against the budget; NULL
 * after a fault. On NULL the caller must still hand e->cfg.strings back
 * to the router's config (c->r->p.cfg->strings), which frees them.
 */
const char *api_edit_dup(struct api_call *c, struct api_edit *e, const char *s);
/*
 * Keeps the strings @e added in the config's store whatever happens (they
 * are freed with it), checks @e with @check and makes it the config. 0 or
 * -EINVAL after a fault naming the field (the config then unchanged).
 */
int api_edit_commit(struct api_call *c, struct api_edit *e, enum vm_config_check check);

#endif
