// SPDX-License-Identifier: GPL-2.0-only
/*
 * Firecracker's --config-file document: see vmm/fc_config.h.
 */
#include "vmm/fc_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "vmm/api_config.h"

/* ---- Firecracker's --config-file document ---- */

/* Its sections kestrel reads, in the order they are applied. */
enum fc_kind { FC_OBJECT, FC_DRIVES, FC_NETS };

static const struct {
	const char *key;
	const char *path; /* the endpoint named in messages */
	enum fc_kind kind;
	void (*put)(struct api_call *c, json_t *o);
} fc_sections[] = {
	{"logger", "/logger", FC_OBJECT, api_put_logger},
	{"boot-source", "/boot-source", FC_OBJECT, api_put_boot_source},
	{"machine-config", "/machine-config", FC_OBJECT, api_put_machine_config},
	{"drives", "/drives", FC_DRIVES, NULL},
	{"network-interfaces", "/network-interfaces", FC_NETS, NULL},
	{"vsock", "/vsock", FC_OBJECT, api_put_vsock},
	{"entropy", "/entropy", FC_OBJECT, api_put_entropy},
};

/* Its sections kestrel has no feature for, with the API's reasons. */
static const struct {
	const char *key;
	const char *why;
} fc_refused[] = {
	{"balloon", "no balloon device"},
	{"metrics", "no metrics file; GET /kestrel/stats gives the counters"},
	{"mmds-config", "no microVM metadata service"},
	{"cpu-config", "no custom CPU templates"},
	{"pmem", "no virtio-pmem devices"},
	{"memory-hotplug", "no hotplug"},
	{"serial", "the serial output is set with --serial"},
};

#define FC_N(a) (sizeof(a) / sizeof((a)[0]))

bool api_config_shared_key(const char *key)
{
	return !strcmp(key, "vsock") || !strcmp(key, "serial");
}

const char *api_config_firecracker_marker(json_t *doc)
{
	const char *key;
	json_t *v;

	json_object_foreach(doc, key, v)
	{
		if (api_config_shared_key(key))
			continue;
		for (size_t i = 0; i < FC_N(fc_sections); i++)
			if (!strcmp(key, fc_sections[i].key))
				return fc_sections[i].key;
		for (size_t i = 0; i < FC_N(fc_refused); i++)
			if (!strcmp(key, fc_refused[i].key))
				return fc_refused[i].key;
	}
	return NULL;
}

/* One Firecracker document being applied: a private router over the config. */
struct fc_doc {
	struct api_router r;
	struct http_response resp;
	struct api_call c;
	const char *name;
	char *err;
	size_t errlen;
};

/* Writes "NAME: @where: message" to the error buffer, made one printable line. Returns -EINVAL. */
__attribute__((format(printf, 3, 4))) static int fc_fail(struct fc_doc *d, const char *where,
							 const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(d->err, d->errlen, "%s: %s: ", d->name, where);
	if (n >= 0 && (size_t)n < d->errlen) {
		va_start(ap, fmt);
		vsnprintf(d->err + n, d->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	for (char *p = d->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

/* Begins a pretend request to @path. */
static void fc_begin(struct fc_doc *d, const char *path)
{
	free(d->resp.body);
	d->resp.body = NULL;
	d->resp.status = 0;
	d->c.path = path;
	d->c.fault[0] = '\0';
}

/* After a handler: 0 when it answered 204, else the fault as the error, at @where. */
static int fc_end(struct fc_doc *d, const char *where)
{
	if (d->resp.status == 204)
		return 0;
	return fc_fail(d, where, "%s", d->c.fault[0] ? d->c.fault : "refused");
}

/* drives[] or network-interfaces[]: each element as PUT /{section}/{its id}. */
static int fc_array(struct fc_doc *d, const char *section, json_t *v, enum fc_kind kind)
{
	const char *id_key = kind == FC_DRIVES ? "drive_id" : "iface_id";
	char where[64], path[API_ID_MAX + 32];
	json_t *e, *id;
	size_t i, j;

	if (!json_is_array(v))
		return fc_fail(d, section, "an array is expected");
	json_array_foreach(v, i, e)
	{
		const char *s;

		snprintf(where, sizeof(where), "%s[%zu]", section, i);
		if (!json_is_object(e))
			return fc_fail(d, where, "an object is expected");
		id = json_object_get(e, id_key);
		s = json_is_string(id) ? json_string_value(id) : "";
		for (j = 0; j < i && *s; j++) {
			json_t *prev = json_object_get(json_array_get(v, j), id_key);

			if (json_is_string(prev) && !strcmp(json_string_value(prev), s))
				return fc_fail(d, where, "%s: \"%.*s\" is given twice", id_key,
					       API_ID_MAX, s);
		}
		snprintf(path, sizeof(path), "/%s/%.*s", section, API_ID_MAX, s);
		fc_begin(d, path);
		if (kind == FC_DRIVES)
			api_put_drive(&d->c, e, s);
		else
			api_put_net(&d->c, e, s);
		if (fc_end(d, where))
			return -EINVAL;
	}
	return 0;
}

static int fc_apply(struct fc_doc *d, json_t *doc)
{
	const char *key;
	json_t *v;
	struct api_edit e;

	json_object_foreach(doc, key, v)
	{
		bool known = false;

		for (size_t i = 0; i < FC_N(fc_sections); i++)
			known |= !strcmp(key, fc_sections[i].key);
		for (size_t i = 0; i < FC_N(fc_refused); i++) {
			if (strcmp(key, fc_refused[i].key))
				continue;
			known = true;
			if (!json_is_null(v))
				return fc_fail(d, key, "not supported by kestrel (%s)",
					       fc_refused[i].why);
		}
		if (!known)
			return fc_fail(d, key, "unknown key");
	}
	for (size_t i = 0; i < FC_N(fc_sections); i++) {
		v = json_object_get(doc, fc_sections[i].key);
		if (!v || json_is_null(v))
			continue;
		if (fc_sections[i].kind != FC_OBJECT) {
			if (fc_array(d, fc_sections[i].key, v, fc_sections[i].kind))
				return -EINVAL;
			continue;
		}
		if (!json_is_object(v))
			return fc_fail(d, fc_sections[i].key, "an object is expected");
		fc_begin(d, fc_sections[i].path);
		fc_sections[i].put(&d->c, v);
		if (fc_end(d, fc_sections[i].key))
			return -EINVAL;
	}
	/* what InstanceStart adds for a root device */
	fc_begin(d, "/actions");
	api_edit_begin(&d->c, &e);
	if (api_root_cmdline(&d->c, &e) || api_edit_commit(&d->c, &e, VM_CHECK_PART))
		return fc_fail(d, "drives", "%s", d->c.fault);
	return 0;
}

int api_config_firecracker(struct vm_config *cfg, json_t *doc, const char *name, char *err,
			   size_t errlen)
{
	static const struct api_ops no_ops;
	const struct api_router_params p = {
		.cfg = cfg,
		.ops = &no_ops,
		.state = API_VM_NOT_STARTED,
	};
	struct fc_doc *d = calloc(1, sizeof(*d));
	int ret;

	if (!d) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	api_router_init(&d->r, &p);
	d->c.r = &d->r;
	d->c.method = "PUT";
	d->c.resp = &d->resp;
	d->name = name;
	d->err = err;
	d->errlen = errlen;
	ret = fc_apply(d, doc);
	free(d->resp.body);
	free(d);
	return ret;
}
