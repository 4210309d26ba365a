// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API's request router: see vmm/api_router.h and docs/api.md.
 */
#include "vmm/api_router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/api_call.h"
#include "vmm/api_config.h"
#include "vmm/config_print.h"

static const char *state_name(enum api_vm_state s)
{
	switch (s) {
	case API_VM_RUNNING:
		return "Running";
	case API_VM_PAUSED:
		return "Paused";
	default:
		return "Not started";
	}
}
static void get_root(struct api_call *c)
{
	json_t *j =
		json_pack("{s:s, s:s, s:s, s:s}", "id",
			  c->r->p.instance_id ? c->r->p.instance_id : "anonymous-instance", "state",
			  state_name(c->r->state), "vmm_version",
			  c->r->p.vmm_version ? c->r->p.vmm_version : "", "app_name", "kestrel");

	api_reply_json(c, j);
}
static void instance_start(struct api_call *c)
{
	struct vm_config *cfg = c->r->p.cfg;
	const char *old_cmdline = cfg->cmdline;
	struct api_edit e;
	int ret;

	if (c->r->state != API_VM_NOT_STARTED) {
		api_fault(c, "InstanceStart: the microVM is already started");
		return;
	}
	if (!c->r->p.ops->instance_start) {
		api_fault(c, "InstanceStart: not supported by this kestrel");
		return;
	}
	api_edit_begin(c, &e);
	if (!e.cfg.kernel) {
		api_fault(c, "InstanceStart: no kernel: PUT /boot-source first");
		return;
	}
	if (api_root_cmdline(c, &e) || api_edit_commit(c, &e, VM_CHECK_WHOLE))
		return;
	ret = c->r->p.ops->instance_start(c->r->p.ctx, c->err, sizeof(c->err));
	if (ret) {
		cfg->cmdline = old_cmdline;
		api_fault(c, "InstanceStart: %s", c->err);
		return;
	}
	c->r->state = API_VM_RUNNING;
	api_ok(c);
}

static void run_op(struct api_call *c, const char *what, int (*op)(void *, char *, size_t))
{
	if (!op) {
		api_fault(c, "%s: not supported by this kestrel", what);
		return;
	}
	if (op(c->r->p.ctx, c->err, sizeof(c->err))) {
		api_fault(c, "%s: %s", what, c->err);
		return;
	}
	api_ok(c);
}

static void put_actions(struct api_call *c, json_t *o)
{
	static const char *const fields[] = {"action_type", NULL};
	const char *type;

	if (api_only_fields(c, o, fields) || api_get_str(c, o, "action_type", true, &type))
		return;
	if (!strcmp(type, "InstanceStart")) {
		instance_start(c);
	} else if (!strcmp(type, "SendCtrlAltDel")) {
		if (api_started(c))
			run_op(c, "SendCtrlAltDel", c->r->p.ops->send_ctrl_alt_del);
	} else if (!strcmp(type, "FlushMetrics")) {
		api_fault(c,
			  "action_type: \"FlushMetrics\" is not supported by kestrel (no metrics "
			  "file; GET /kestrel/stats gives the counters)");
	} else {
		api_fault(c, "action_type: \"%s\" is not one of InstanceStart, SendCtrlAltDel",
			  type);
	}
}

static void patch_vm(struct api_call *c, json_t *o)
{
	static const char *const fields[] = {"state", NULL};
	const char *state;

	if (!api_started(c) || api_only_fields(c, o, fields) ||
	    api_get_str(c, o, "state", true, &state))
		return;
	if (!strcmp(state, "Paused")) {
		if (c->r->state == API_VM_PAUSED) {
			api_ok(c);
			return;
		}
		run_op(c, "Paused", c->r->p.ops->pause);
		if (c->resp->status == 204)
			c->r->state = API_VM_PAUSED;
	} else if (!strcmp(state, "Resumed")) {
		if (c->r->state == API_VM_RUNNING) {
			api_ok(c);
			return;
		}
		run_op(c, "Resumed", c->r->p.ops->resume);
		if (c->resp->status == 204)
			c->r->state = API_VM_RUNNING;
	} else {
		api_fault(c, "state: \"%s\" is not Paused or Resumed", state);
	}
}

static void get_vm_config(struct api_call *c)
{
	char *text;

	if (config_print_json(c->r->p.cfg, &text, c->err, sizeof(c->err))) {
		api_fault(c, "GET /vm/config: %s", c->err);
		return;
	}
	c->resp->status = 200;
	c->resp->body = text;
}

static void get_kestrel(struct api_call *c, const char *what, json_t *(*op)(void *, char *, size_t))
{
	json_t *j;

	if (!api_started(c))
		return;
	if (!op) {
		api_fault(c, "%s: not supported by this kestrel", what);
		return;
	}
	c->err[0] = '\0';
	j = op(c->r->p.ctx, c->err, sizeof(c->err));
	if (!j) {
		api_fault(c, "%s: %s", what, c->err[0] ? c->err : "not available");
		return;
	}
	api_reply_json(c, j);
}

/* Firecracker endpoints kestrel does not have, with the reason given to clients. */
static const struct {
	const char *prefix;
	const char *why;
} refused[] = {
	{"/balloon", "no balloon device"},
	{"/metrics", "no metrics file; GET /kestrel/stats gives the counters"},
	{"/mmds", "no microVM metadata service"},
	{"/snapshot", "no snapshots"},
	{"/cpu-config", "no custom CPU templates"},
	{"/hotplug", "no hotplug"},
	{"/pmem", "no virtio-pmem devices"},
	{"/serial", "the serial output is set with --serial"},
	{"/version", "GET / gives vmm_version"},
};

/* "/prefix/{id}": the id, or NULL when @path is not that shape. */
static const char *path_id(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) || path[n] != '/' || !path[n + 1] || strchr(path + n + 1, '/'))
		return NULL;
	return path + n + 1;
}

static bool is(const struct api_call *c, const char *method, const char *path)
{
	return !strcmp(c->method, method) && !strcmp(c->path, path);
}

/* Handlers that take a body: the object is parsed first. */
static void with_body(struct api_call *c, void (*fn)(struct api_call *, json_t *))
{
	json_t *o = api_body_object(c);

	if (o)
		fn(c, o);
	json_decref(o);
}

static void with_body_id(struct api_call *c, const char *id,
			 void (*fn)(struct api_call *, json_t *, const char *))
{
	json_t *o = api_body_object(c);

	if (o)
		fn(c, o, id);
	json_decref(o);
}

static void route(struct api_call *c)
{
	const char *id;

	if (is(c, "GET", "/"))
		get_root(c);
	else if (is(c, "PUT", "/boot-source"))
		with_body(c, api_put_boot_source);
	else if (is(c, "PUT", "/machine-config"))
		with_body(c, api_put_machine_config);
	else if (is(c, "PATCH", "/machine-config"))
		with_body(c, api_patch_machine_config);
	else if (is(c, "GET", "/machine-config"))
		api_get_machine_config(c);
	else if (!strcmp(c->method, "PUT") && (id = path_id(c->path, "/drives")))
		with_body_id(c, id, api_put_drive);
	else if (!strcmp(c->method, "PATCH") && (id = path_id(c->path, "/drives")))
		with_body_id(c, id, api_patch_drive);
	else if (!strcmp(c->method, "PUT") && (id = path_id(c->path, "/network-interfaces")))
		with_body_id(c, id, api_put_net);
	else if (!strcmp(c->method, "PATCH") && path_id(c->path, "/network-interfaces"))
		api_fault(c, "PATCH %s: not supported by kestrel (no network rate limiting)",
			  c->path);
	else if (is(c, "PUT", "/vsock"))
		with_body(c, api_put_vsock);
	else if (is(c, "PUT", "/entropy"))
		with_body(c, api_put_entropy);
	else if (is(c, "PUT", "/logger"))
		with_body(c, api_put_logger);
	else if (is(c, "PUT", "/actions"))
		with_body(c, put_actions);
	else if (is(c, "PATCH", "/vm"))
		with_body(c, patch_vm);
	else if (is(c, "GET", "/vm/config"))
		get_vm_config(c);
	else if (is(c, "GET", "/kestrel/irqchip"))
		get_kestrel(c, "GET /kestrel/irqchip", c->r->p.ops->irqchip_info);
	else if (is(c, "GET", "/kestrel/stats"))
		get_kestrel(c, "GET /kestrel/stats", c->r->p.ops->stats);
	else {
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			size_t n = strlen(refused[i].prefix);

			if (!strncmp(c->path, refused[i].prefix, n) &&
			    (!c->path[n] || c->path[n] == '/')) {
				api_fault(c, "%s %s: not supported by kestrel (%s)", c->method,
					  c->path, refused[i].why);
				return;
			}
		}
		api_fault(c, "invalid request method and/or path: %s %s", c->method, c->path);
	}
}

void api_router_init(struct api_router *r, const struct api_router_params *p)
{
	memset(r, 0, sizeof(*r));
	r->p = *p;
	r->state = p->state;
	for (unsigned i = 0; i < VM_MAX_NETS; i++)
		snprintf(r->net_ids[i], sizeof(r->net_ids[i]), "net%u", i);
}

enum api_vm_state api_router_state(const struct api_router *r)
{
	return r->state;
}

void api_router_set_state(struct api_router *r, enum api_vm_state state)
{
	r->state = state;
}

void api_router_handle(struct api_router *r, const char *method, const char *path, const char *body,
		       size_t len, struct http_response *resp)
{
	struct api_call c = {
		.r = r,
		.method = method,
		.path = path,
		.body = body,
		.len = len,
		.resp = resp,
	};

	resp->status = 400;
	resp->body = NULL;
	route(&c);
}

void api_router_serve(void *ctx, const struct http_request *req, struct http_response *resp)
{
	api_router_handle(ctx, req->method, req->path, req->body, req->body_len, resp);
}
