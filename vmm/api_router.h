/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The API's request router: maps (method, path, JSON body) to Firecracker's
 * endpoints and kestrel's own (/kestrel/...), documented in docs/api.md.
 * Before the VM starts, the PUT endpoints fill the VMM's struct vm_config
 * (each change checked with vm_config_validate(), so errors read like the
 * CLI's and the JSON config's, and undone when refused); InstanceStart then
 * asks the VMM to build and run the VM from it. Run-time requests (pause,
 * resume, the power button, a drive's backing file, stats) are passed to
 * the VMM through struct api_ops, so the router knows nothing of KVM and
 * is tested with a fake.
 *
 * Refusals: an unknown field, a field kestrel does not support set to
 * anything but its neutral value (null, false, "None"), a malformed body,
 * and a request in the wrong state (a pre-boot PUT after InstanceStart,
 * PATCH /vm before it, InstanceStart twice) get 400 with
 * {"fault_message": "..."} naming the field or the state. Success is 204
 * with no body (PUT, PATCH) or 200 with a JSON body (GET).
 *
 * Memory: the router lives in caller storage and points at the caller's
 * config and ops. Strings it puts in the config are copies in the
 * config's store (vm_config_strdup()); at most API_ROUTER_STRING_BUDGET
 * bytes of them, after which further PUTs are refused, so a client cannot
 * grow the store without bound. Response bodies are malloc()ed and handed
 * to the caller.
 *
 * Threads: every function, and every op, runs on the thread of the event
 * loop that serves the API (the VMM's main thread). The router writes the
 * config only while the VM is not started, with one exception: after a
 * successful drive_update op, disks[i].path points at the new path (a
 * pointer store on the main thread; the old string stays valid).
 */
#ifndef KESTREL_VMM_API_ROUTER_H
#define KESTREL_VMM_API_ROUTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "vmm/http_request.h"
#include "vmm/vm_config.h"

#define API_ROUTER_STRING_BUDGET (1U << 20) /* bytes of config strings the API may add */
#define API_ID_MAX 64 /* longest drive_id / iface_id */

enum api_vm_state { API_VM_NOT_STARTED, API_VM_RUNNING, API_VM_PAUSED };

/* PUT /logger's settings, for api_ops.logger_apply. */
struct api_logger {
	const char *log_path; /* the new cfg->log_file, NULL when not given */
	enum log_level level; /* the new cfg->log_level */
	bool show_level;
	bool show_log_origin;
};

/*
 * What the VMM does for the router. Each op returns 0, or a negative errno
 * with one line in @err (becomes the 400's fault_message). A NULL op makes
 * its endpoint answer 400 "not supported by this kestrel".
 */
struct api_ops {
	/*
	 * PUT /actions InstanceStart: build and start the VM from the config
	 * (validated with VM_CHECK_WHOLE; "root=/dev/vda rw|ro" appended to
	 * the cmdline when a drive has is_root_device). 0 makes the state
	 * Running; on failure the state stays Not started.
	 */
	int (*instance_start)(void *ctx, char *err, size_t errlen);
	/* PATCH /vm Paused / Resumed: park or restart the vCPUs and devices. */
	int (*pause)(void *ctx, char *err, size_t errlen);
	int (*resume)(void *ctx, char *err, size_t errlen);
	/* PUT /actions SendCtrlAltDel: press the power button (Running or Paused). */
	int (*send_ctrl_alt_del)(void *ctx, char *err, size_t errlen);
	/*
	 * PATCH /drives/{id} at run time: make disk @index (into cfg->disks)
	 * use the image @path (already checked like a config path) from now on.
	 */
	int (*drive_update)(void *ctx, unsigned index, const char *path, char *err, size_t errlen);
	/*
	 * PUT /logger: cfg->log_file and cfg->log_level were just set from
	 * @lg; apply them now, with @lg's line format (show_level: each line
	 * names its level; show_log_origin: each line names its source file
	 * and line). Return an error for what cannot be honoured; the config
	 * is then put back. NULL: the VMM applies log_file and log_level at
	 * start, and show_level / show_log_origin true are refused.
	 */
	int (*logger_apply)(void *ctx, const struct api_logger *lg, char *err, size_t errlen);
	/* GET /kestrel/irqchip, GET /kestrel/stats: a new JSON object, or NULL with @err set. */
	json_t *(*irqchip_info)(void *ctx, char *err, size_t errlen);
	json_t *(*stats)(void *ctx, char *err, size_t errlen);
};

struct api_router_params {
	struct vm_config *cfg; /* the VMM's config, filled before start */
	const struct api_ops *ops;
	void *ctx; /* first argument of every op */
	const char *instance_id; /* GET /'s "id"; NULL: "anonymous-instance" */
	const char *vmm_version; /* GET /'s "vmm_version" */
	enum api_vm_state state; /* API_VM_RUNNING when the VM booted from flags/JSON */
};

struct api_router {
	struct api_router_params p;
	enum api_vm_state state;
	bool disk_root[VM_MAX_DISKS]; /* parallel to cfg->disks: is_root_device */
	char net_ids[VM_MAX_NETS][API_ID_MAX + 1]; /* parallel to cfg->nets: iface_id */
	size_t strings_used; /* bytes added to the config's store */
};

/*
 * Sets up @r over @p (copied; the pointers in it must outlive @r). A
 * config that already has disks or nets (from flags or JSON) keeps them:
 * their API ids are the disk ids and "net0", "net1", ...
 */
void api_router_init(struct api_router *r, const struct api_router_params *p);

/* The VM's state as the router sees it. */
enum api_vm_state api_router_state(const struct api_router *r);

/* Tells the router the VM's state changed outside the API (e.g. paused by the VMM). */
void api_router_set_state(struct api_router *r, enum api_vm_state state);

/*
 * Answers one request: @method and @path as received (path without a
 * query), @body of @len bytes (NULL when 0). Fills @resp: 200 with a JSON
 * body, 204 without, or 400 (404 never: an unknown path is 400 as in
 * Firecracker) with a fault_message body; resp->body is malloc()ed (or
 * NULL) and belongs to the caller. Out of memory gives 400 with no body.
 */
void api_router_handle(struct api_router *r, const char *method, const char *path, const char *body,
		       size_t len, struct http_response *resp);

/* api_handler_fn for vmm/api_server.h: api_router_handle() with @ctx a struct api_router. */
void api_router_serve(void *ctx, const struct http_request *req, struct http_response *resp);

#endif
