// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API's configuration endpoints: see vmm/api_config.h and docs/api.md.
 */
#include "vmm/api_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void api_put_boot_source(struct api_call *c, json_t *o)
{
	static const char *const fields[] = {"kernel_image_path", "boot_args", "initrd_path", NULL};
	const char *kernel, *args, *initrd;
	struct api_edit e;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_get_str(c, o, "kernel_image_path", true, &kernel) ||
	    api_get_str(c, o, "boot_args", false, &args) ||
	    api_get_str(c, o, "initrd_path", false, &initrd))
		return;
	api_edit_begin(c, &e);
	e.cfg.kernel = api_edit_dup(c, &e, kernel);
	e.cfg.cmdline = args ? api_edit_dup(c, &e, args) : VM_DEFAULT_CMDLINE;
	e.cfg.initrd = initrd ? api_edit_dup(c, &e, initrd) : NULL;
	if (!e.cfg.kernel || !e.cfg.cmdline || (initrd && !e.cfg.initrd)) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	if (!api_edit_commit(c, &e, VM_CHECK_PART))
		api_ok(c);
}

static void machine_config(struct api_call *c, json_t *o, bool patch)
{
	static const char *const fields[] = {
		"vcpu_count",	"mem_size_mib", "smt", "track_dirty_pages",
		"cpu_template", "huge_pages",	NULL};
	static const char *const templates[] = {"None", NULL};
	static const char *const huge[] = {"None", "2M", NULL};
	uint64_t cpus = 0, mib = 0;
	bool has_cpus, has_mib, smt = false, dirty = false;
	const char *hp;
	struct api_edit e;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_get_uint(c, o, "vcpu_count", !patch, UINT32_MAX, &cpus, &has_cpus) ||
	    api_get_uint(c, o, "mem_size_mib", !patch, VM_MAX_MEMORY >> 20, &mib, &has_mib) ||
	    api_get_bool(c, o, "smt", false, &smt) ||
	    api_get_bool(c, o, "track_dirty_pages", false, &dirty) ||
	    api_only_value(c, o, "cpu_template", templates, NULL) ||
	    api_only_value(c, o, "huge_pages", huge, &hp))
		return;
	if (smt) {
		api_fault(c, "smt: not supported by kestrel (arm64 has no SMT to expose)");
		return;
	}
	if (dirty) {
		api_fault(c, "track_dirty_pages: not supported by kestrel (no snapshots)");
		return;
	}
	api_edit_begin(c, &e);
	if (has_cpus)
		e.cfg.cpus = (uint32_t)cpus;
	if (has_mib)
		e.cfg.memory = mib << 20;
	if (hp || !patch)
		e.cfg.hugepages = hp && !strcmp(hp, "2M");
	if (!api_edit_commit(c, &e, VM_CHECK_PART))
		api_ok(c);
}

void api_get_machine_config(struct api_call *c)
{
	const struct vm_config *cfg = c->r->p.cfg;

	api_reply_json(c, json_pack("{s:I, s:I, s:b, s:b, s:s}", "vcpu_count",
				    (json_int_t)cfg->cpus, "mem_size_mib",
				    (json_int_t)(cfg->memory >> 20), "smt", 0, "track_dirty_pages",
				    0, "huge_pages", cfg->hugepages ? "2M" : "None"));
}

static int find_disk(const struct vm_config *cfg, const char *id)
{
	for (unsigned i = 0; i < cfg->nr_disks; i++)
		if (cfg->disks[i].id && !strcmp(cfg->disks[i].id, id))
			return (int)i;
	return -1;
}

void api_put_drive(struct api_call *c, json_t *o, const char *id)
{
	static const char *const fields[] = {
		"drive_id",   "path_on_host", "is_root_device", "is_read_only", "partuuid",
		"cache_type", "rate_limiter", "io_engine",	"socket",	NULL};
	static const char *const caches[] = {"Unsafe", "Writeback", NULL};
	static const char *const engines[] = {"Sync", NULL};
	const char *drive_id, *path;
	bool root = false, ro = false;
	struct vm_disk d = {0};
	struct api_edit e;
	int idx;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_id_matches(c, o, "drive_id", id, &drive_id) ||
	    api_get_str(c, o, "path_on_host", true, &path) ||
	    api_get_bool(c, o, "is_root_device", true, &root) ||
	    api_get_bool(c, o, "is_read_only", false, &ro) ||
	    api_unsupported(c, o, "partuuid", "the root device is /dev/vda") ||
	    api_only_value(c, o, "cache_type", caches, NULL) ||
	    api_unsupported(c, o, "rate_limiter", "no I/O rate limiting") ||
	    api_only_value(c, o, "io_engine", engines, NULL) ||
	    api_unsupported(c, o, "socket", "no vhost-user block devices"))
		return;
	api_edit_begin(c, &e);
	idx = find_disk(&e.cfg, drive_id);
	for (unsigned i = 0; root && i < e.cfg.nr_disks; i++) {
		if (e.disk_root[i] && (int)i != idx) {
			api_fault(c, "is_root_device: drive \"%s\" is already the root device",
				  e.cfg.disks[i].id);
			return;
		}
	}
	if (idx < 0) {
		if (e.cfg.nr_disks == VM_MAX_DISKS) {
			api_fault(c, "drives: at most %d drives", VM_MAX_DISKS);
			return;
		}
		idx = (int)e.cfg.nr_disks++;
	}
	d.path = api_edit_dup(c, &e, path);
	d.id = d.path ? api_edit_dup(c, &e, drive_id) : NULL;
	if (!d.id) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	d.readonly = ro;
	/* the root drive is disks[0], /dev/vda, as Firecracker puts it first */
	if (root && idx > 0) {
		memmove(&e.cfg.disks[1], &e.cfg.disks[0], (size_t)idx * sizeof(e.cfg.disks[0]));
		memmove(&e.disk_root[1], &e.disk_root[0], (size_t)idx * sizeof(e.disk_root[0]));
		idx = 0;
	}
	e.cfg.disks[idx] = d;
	e.disk_root[idx] = root;
	if (!api_edit_commit(c, &e, VM_CHECK_PART))
		api_ok(c);
}

void api_patch_drive(struct api_call *c, json_t *o, const char *id)
{
	static const char *const fields[] = {"drive_id", "path_on_host", "rate_limiter", NULL};
	const char *drive_id, *path;
	struct api_edit e;
	int idx, ret;

	if (!api_started(c) || api_only_fields(c, o, fields) ||
	    api_id_matches(c, o, "drive_id", id, &drive_id) ||
	    api_get_str(c, o, "path_on_host", false, &path) ||
	    api_unsupported(c, o, "rate_limiter", "no I/O rate limiting"))
		return;
	idx = find_disk(c->r->p.cfg, drive_id);
	if (idx < 0) {
		api_fault(c, "drive_id: no drive \"%s\"", drive_id);
		return;
	}
	if (!path) {
		api_ok(c);
		return;
	}
	if (!c->r->p.ops->drive_update) {
		api_fault(c, "PATCH /drives: not supported by this kestrel");
		return;
	}
	api_edit_begin(c, &e);
	e.cfg.disks[idx].path = api_edit_dup(c, &e, path);
	if (!e.cfg.disks[idx].path) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	c->r->p.cfg->strings = e.cfg.strings;
	if (vm_config_validate(&e.cfg, VM_CHECK_PART, c->err, sizeof(c->err))) {
		api_fault(c, "%s", c->err);
		return;
	}
	ret = c->r->p.ops->drive_update(c->r->p.ctx, (unsigned)idx, e.cfg.disks[idx].path, c->err,
					sizeof(c->err));
	if (ret) {
		api_fault(c, "PATCH /drives/%s: %s", drive_id, c->err);
		return;
	}
	c->r->p.cfg->disks[idx].path = e.cfg.disks[idx].path;
	api_ok(c);
}

static int find_net(const struct api_router *r, const char (*ids)[API_ID_MAX + 1], unsigned n,
		    const char *id)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return (int)i;
	return -1;
}

void api_put_net(struct api_call *c, json_t *o, const char *id)
{
	static const char *const fields[] = {"iface_id", "host_dev_name",   "guest_mac",
					     "mtu",	 "rx_rate_limiter", "tx_rate_limiter",
					     NULL};
	const char *iface, *tap, *mac;
	struct vm_net n = {0};
	struct api_edit e;
	int idx;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_id_matches(c, o, "iface_id", id, &iface) ||
	    api_get_str(c, o, "host_dev_name", true, &tap) ||
	    api_get_str(c, o, "guest_mac", false, &mac) ||
	    api_unsupported(c, o, "mtu", "the guest picks its MTU") ||
	    api_unsupported(c, o, "rx_rate_limiter", "no network rate limiting") ||
	    api_unsupported(c, o, "tx_rate_limiter", "no network rate limiting"))
		return;
	if (mac && vm_mac_parse(mac, n.mac)) {
		api_fault(c, "guest_mac: \"%s\" is not a MAC address like 06:00:ac:10:00:02", mac);
		return;
	}
	n.has_mac = mac != NULL;
	api_edit_begin(c, &e);
	idx = find_net(c->r, e.net_ids, e.cfg.nr_nets, iface);
	if (idx < 0) {
		if (e.cfg.nr_nets == VM_MAX_NETS) {
			api_fault(c, "network-interfaces: at most %d interfaces", VM_MAX_NETS);
			return;
		}
		idx = (int)e.cfg.nr_nets++;
	}
	n.tap = api_edit_dup(c, &e, tap);
	if (!n.tap) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	e.cfg.nets[idx] = n;
	snprintf(e.net_ids[idx], sizeof(e.net_ids[idx]), "%s", iface);
	if (!api_edit_commit(c, &e, VM_CHECK_PART))
		api_ok(c);
}

void api_put_vsock(struct api_call *c, json_t *o)
{
	static const char *const fields[] = {"guest_cid", "uds_path", "vsock_id", NULL};
	const char *vsock_id;
	uint64_t cid;
	bool has;
	struct api_edit e;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_get_uint(c, o, "guest_cid", true, UINT32_MAX, &cid, &has) ||
	    api_get_str(c, o, "vsock_id", false, &vsock_id) ||
	    api_unsupported(c, o, "uds_path",
			    "kestrel's vsock is vhost-vsock: host programs use AF_VSOCK with "
			    "guest_cid, there is no Unix socket proxy"))
		return;
	api_edit_begin(c, &e);
	e.cfg.vsock.enabled = true;
	e.cfg.vsock.cid = (uint32_t)cid;
	if (!api_edit_commit(c, &e, VM_CHECK_PART))
		api_ok(c);
}

void api_put_entropy(struct api_call *c, json_t *o)
{
	static const char *const fields[] = {"rate_limiter", NULL};
	struct api_edit e;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_unsupported(c, o, "rate_limiter", "no entropy rate limiting"))
		return;
	api_edit_begin(c, &e);
	e.cfg.rng = true;
	if (!api_edit_commit(c, &e, VM_CHECK_PART))
		api_ok(c);
}

void api_put_logger(struct api_call *c, json_t *o)
{
	static const char *const fields[] = {"log_path",	"level",  "show_level",
					     "show_log_origin", "module", NULL};
	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = {{"Error", LOG_ERROR},
		      {"Warning", LOG_WARN},
		      {"Warn", LOG_WARN},
		      {"Info", LOG_INFO},
		      {"Debug", LOG_DEBUG}};
	const char *path, *level;
	bool show_level = false, show_origin = false;
	struct vm_config *cfg = c->r->p.cfg;
	const char *old_file = cfg->log_file;
	enum log_level old_level = cfg->log_level;
	struct api_edit e;
	int ret;

	if (!api_pre_boot(c) || api_only_fields(c, o, fields) ||
	    api_get_str(c, o, "log_path", false, &path) ||
	    api_get_str(c, o, "level", false, &level) ||
	    api_get_bool(c, o, "show_level", false, &show_level) ||
	    api_get_bool(c, o, "show_log_origin", false, &show_origin) ||
	    api_unsupported(c, o, "module", "no per-module log filter"))
		return;
	if ((show_level || show_origin) && !c->r->p.ops->logger_apply) {
		api_fault(c, "%s: not supported by this kestrel",
			  show_level ? "show_level" : "show_log_origin");
		return;
	}
	api_edit_begin(c, &e);
	if (level) {
		size_t i;

		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (!strcasecmp(level, levels[i].name))
				break;
		if (i == sizeof(levels) / sizeof(levels[0])) {
			api_fault(
				c,
				"level: \"%s\" is not supported by kestrel (Error, Warning, Info, "
				"Debug)",
				level);
			return;
		}
		e.cfg.log_level = levels[i].level;
	}
	if (path && !(e.cfg.log_file = api_edit_dup(c, &e, path))) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	if (api_edit_commit(c, &e, VM_CHECK_PART))
		return;
	if (c->r->p.ops->logger_apply) {
		struct api_logger lg = {
			.log_path = path ? cfg->log_file : NULL,
			.level = cfg->log_level,
			.show_level = show_level,
			.show_log_origin = show_origin,
		};

		ret = c->r->p.ops->logger_apply(c->r->p.ctx, &lg, c->err, sizeof(c->err));
		if (ret) {
			cfg->log_file = old_file;
			cfg->log_level = old_level;
			api_fault(c, "PUT /logger: %s", c->err);
			return;
		}
	}
	api_ok(c);
}

void api_put_machine_config(struct api_call *c, json_t *o)
{
	machine_config(c, o, false);
}

void api_patch_machine_config(struct api_call *c, json_t *o)
{
	machine_config(c, o, true);
}

/* Appends "root=/dev/vda rw|ro" when a drive is the root device. 0, or -EINVAL after a fault. */
int api_root_cmdline(struct api_call *c, struct api_edit *e)
{
	char *line;
	int n;

	if (!e->cfg.nr_disks || !e->disk_root[0])
		return 0;
	n = asprintf(&line, "%s root=/dev/vda %s", e->cfg.cmdline ? e->cfg.cmdline : "",
		     e->cfg.disks[0].readonly ? "ro" : "rw");
	if (n < 0) {
		api_fault(c, "out of memory");
		return -EINVAL;
	}
	e->cfg.cmdline = api_edit_dup(c, e, line[0] == ' ' ? line + 1 : line);
	free(line);
	if (!e->cfg.cmdline) {
		c->r->p.cfg->strings = e->cfg.strings;
		return -EINVAL;
	}
	return 0;
}
