// SPDX-License-Identifier: GPL-2.0-only
/*
 * One API request being answered: see vmm/api_call.h.
 */
#include "vmm/api_call.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_fault(struct api_call *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fault, sizeof(c->fault), fmt, ap);
	va_end(ap);
	free(c->resp->body);
	c->resp->status = 400;
	c->resp->body = http_fault_body(c->fault);
}

void api_ok(struct api_call *c)
{
	c->resp->status = 204;
}

/* 200 with @j (reference taken) as the body. */
void api_reply_json(struct api_call *c, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!text) {
		api_fault(c, "out of memory");
		return;
	}
	c->resp->status = 200;
	c->resp->body = text;
}

/* The body as a JSON object, or NULL after a fault. */
json_t *api_body_object(struct api_call *c)
{
	json_error_t jerr;
	json_t *o;

	if (!c->body || !c->len) {
		api_fault(c, "%s %s: a JSON object body is required", c->method, c->path);
		return NULL;
	}
	o = json_loadb(c->body, c->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		api_fault(c, "malformed JSON body: %s (line %d, column %d)", jerr.text, jerr.line,
			  jerr.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		api_fault(c, "the body must be a JSON object");
		return NULL;
	}
	return o;
}

/* Refuses any key of @o not in the NULL-terminated @allowed. 0 or -EINVAL after a fault. */
int api_only_fields(struct api_call *c, json_t *o, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		const char *const *a = allowed;

		while (*a && strcmp(*a, key))
			a++;
		if (!*a) {
			api_fault(c, "unknown field \"%s\"", key);
			return -EINVAL;
		}
	}
	return 0;
}

/* @key's value; NULL when absent or null. */
json_t *api_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

/*
 * Field @key of @o into *@v: 1 when there, 0 when absent and not @required,
 * -EINVAL (the fault set) when absent and @required.
 */
static int get_field(struct api_call *c, json_t *o, const char *key, bool required, json_t **v)
{
	*v = api_field(o, key);
	if (*v)
		return 1;
	if (!required)
		return 0;
	api_fault(c, "%s: missing", key);
	return -EINVAL;
}

int api_get_str(struct api_call *c, json_t *o, const char *key, bool required, const char **out)
{
	json_t *v;
	int ret;

	*out = NULL;
	ret = get_field(c, o, key, required, &v);
	if (ret <= 0)
		return ret;
	if (!json_is_string(v)) {
		api_fault(c, "%s: a string is expected", key);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}

int api_get_bool(struct api_call *c, json_t *o, const char *key, bool required, bool *out)
{
	json_t *v;
	int ret = get_field(c, o, key, required, &v);

	if (ret <= 0)
		return ret;
	if (!json_is_boolean(v)) {
		api_fault(c, "%s: true or false is expected", key);
		return -EINVAL;
	}
	*out = json_is_true(v);
	return 0;
}

/* A non-negative integer up to @max into *@out; *@present says whether it was there. */
int api_get_uint(struct api_call *c, json_t *o, const char *key, bool required, uint64_t max,
		 uint64_t *out, bool *present)
{
	json_t *v;
	int ret;

	*present = false;
	ret = get_field(c, o, key, required, &v);
	if (ret <= 0)
		return ret;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		api_fault(c, "%s: an integer from 0 to %" PRIu64 " is expected", key, max);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	*present = true;
	return 0;
}

/* A field kestrel has no such feature for: absent or null only. */
int api_unsupported(struct api_call *c, json_t *o, const char *key, const char *why)
{
	if (!api_field(o, key))
		return 0;
	api_fault(c, "%s: not supported by kestrel (%s)", key, why);
	return -EINVAL;
}

/* A string field with one accepted value (or absent/null). */
int api_only_value(struct api_call *c, json_t *o, const char *key, const char *const *accepted,
		   const char **out)
{
	const char *s;

	if (api_get_str(c, o, key, false, &s))
		return -EINVAL;
	if (out)
		*out = s;
	if (!s)
		return 0;
	for (const char *const *a = accepted; *a; a++)
		if (!strcmp(s, *a))
			return 0;
	api_fault(c, "%s: \"%s\" is not supported by kestrel (accepted: %s%s%s)", key, s,
		  accepted[0], accepted[1] ? ", " : "", accepted[1] ? accepted[1] : "");
	return -EINVAL;
}

bool api_pre_boot(struct api_call *c)
{
	if (c->r->state == API_VM_NOT_STARTED)
		return true;
	api_fault(c, "%s %s: the requested operation is not supported after starting the microVM",
		  c->method, c->path);
	return false;
}

bool api_started(struct api_call *c)
{
	if (c->r->state != API_VM_NOT_STARTED)
		return true;
	api_fault(c, "%s %s: the requested operation is not supported before starting the microVM",
		  c->method, c->path);
	return false;
}

void api_edit_begin(struct api_call *c, struct api_edit *e)
{
	e->cfg = *c->r->p.cfg;
	memcpy(e->disk_root, c->r->disk_root, sizeof(e->disk_root));
	memcpy(e->net_ids, c->r->net_ids, sizeof(e->net_ids));
}

const char *api_edit_dup(struct api_call *c, struct api_edit *e, const char *s)
{
	size_t n = strlen(s);
	const char *copy;

	if (c->r->strings_used + n + 1 > API_ROUTER_STRING_BUDGET) {
		api_fault(
			c,
			"too many configuration changes: the API's %u bytes of strings are used up",
			API_ROUTER_STRING_BUDGET);
		return NULL;
	}
	copy = vm_config_strdup(&e->cfg, s, n);
	if (!copy) {
		api_fault(c, "out of memory");
		return NULL;
	}
	c->r->strings_used += n + 1;
	return copy;
}

/*
 * Keeps the strings @e added in the config's store whatever happens (they
 * are freed with it), checks @e and makes it the config. 0 or -EINVAL
 * after a fault naming the field (the config then unchanged).
 */
int api_edit_commit(struct api_call *c, struct api_edit *e, enum vm_config_check check)
{
	struct vm_config *cfg = c->r->p.cfg;
	int ret;

	cfg->strings = e->cfg.strings;
	ret = vm_config_validate(&e->cfg, check, c->err, sizeof(c->err));
	if (ret) {
		api_fault(c, "%s", c->err);
		return ret;
	}
	*cfg = e->cfg;
	memcpy(c->r->disk_root, e->disk_root, sizeof(e->disk_root));
	memcpy(c->r->net_ids, e->net_ids, sizeof(e->net_ids));
	return 0;
}

/* Drive and interface ids: 1-64 of [A-Za-z0-9_], as Firecracker requires. */
int api_check_id(struct api_call *c, const char *what, const char *id)
{
	size_t n = strlen(id);

	if (!n || n > API_ID_MAX) {
		api_fault(c, "%s: \"%s\" must be 1 to %d characters long", what, id, API_ID_MAX);
		return -EINVAL;
	}
	for (const char *p = id; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '_')) {
			api_fault(c, "%s: \"%s\" may hold only letters, digits and _", what, id);
			return -EINVAL;
		}
	}
	return 0;
}

/* The body's id field must be the id in the path. */
int api_id_matches(struct api_call *c, json_t *o, const char *key, const char *path_id,
		   const char **out)
{
	if (api_get_str(c, o, key, true, out) || api_check_id(c, key, *out))
		return -EINVAL;
	if (strcmp(*out, path_id)) {
		api_fault(c, "%s: \"%s\" is not the id in the path (\"%s\")", key, *out, path_id);
		return -EINVAL;
	}
	return 0;
}
