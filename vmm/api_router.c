// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API's request router: see vmm/api_router.h and docs/api.md.
 */
#include "vmm/api_router.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmm/config_print.h"

#define ERR_MAX 512

/* One request being answered. */
struct call {
	struct api_router *r;
	const char *method;
	const char *path;
	const char *body;
	size_t len;
	struct http_response *resp;
	char err[ERR_MAX];
};

__attribute__((format(printf, 2, 3))) static void fault(struct call *c, const char *fmt, ...)
{
	char msg[ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(c->resp->body);
	c->resp->status = 400;
	c->resp->body = http_fault_body(msg);
}

static void ok(struct call *c)
{
	c->resp->status = 204;
}

/* 200 with @j (reference taken) as the body. */
static void reply_json(struct call *c, json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!text) {
		fault(c, "out of memory");
		return;
	}
	c->resp->status = 200;
	c->resp->body = text;
}

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

/* The body as a JSON object, or NULL after a fault. */
static json_t *body_object(struct call *c)
{
	json_error_t jerr;
	json_t *o;

	if (!c->body || !c->len) {
		fault(c, "%s %s: a JSON object body is required", c->method, c->path);
		return NULL;
	}
	o = json_loadb(c->body, c->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		fault(c, "malformed JSON body: %s (line %d, column %d)", jerr.text, jerr.line,
		      jerr.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		fault(c, "the body must be a JSON object");
		return NULL;
	}
	return o;
}

/* Refuses any key of @o not in the NULL-terminated @allowed. 0 or -EINVAL after a fault. */
static int only_fields(struct call *c, json_t *o, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		const char *const *a = allowed;

		while (*a && strcmp(*a, key))
			a++;
		if (!*a) {
			fault(c, "unknown field \"%s\"", key);
			return -EINVAL;
		}
	}
	return 0;
}

/* @key's value; NULL when absent or null. */
static json_t *field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

static int get_str(struct call *c, json_t *o, const char *key, bool required, const char **out)
{
	json_t *v = field(o, key);

	*out = NULL;
	if (!v) {
		if (!required)
			return 0;
		fault(c, "%s: missing", key);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		fault(c, "%s: a string is expected", key);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}

static int get_bool(struct call *c, json_t *o, const char *key, bool required, bool *out)
{
	json_t *v = field(o, key);

	if (!v) {
		if (!required)
			return 0;
		fault(c, "%s: missing", key);
		return -EINVAL;
	}
	if (!json_is_boolean(v)) {
		fault(c, "%s: true or false is expected", key);
		return -EINVAL;
	}
	*out = json_is_true(v);
	return 0;
}

/* A non-negative integer up to @max into *@out; *@present says whether it was there. */
static int get_uint(struct call *c, json_t *o, const char *key, bool required, uint64_t max,
		    uint64_t *out, bool *present)
{
	json_t *v = field(o, key);

	*present = false;
	if (!v) {
		if (!required)
			return 0;
		fault(c, "%s: missing", key);
		return -EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		fault(c, "%s: an integer from 0 to %" PRIu64 " is expected", key, max);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	*present = true;
	return 0;
}

/* A field kestrel has no such feature for: absent or null only. */
static int unsupported(struct call *c, json_t *o, const char *key, const char *why)
{
	if (!field(o, key))
		return 0;
	fault(c, "%s: not supported by kestrel (%s)", key, why);
	return -EINVAL;
}

/* A string field with one accepted value (or absent/null). */
static int only_value(struct call *c, json_t *o, const char *key, const char *const *accepted,
		      const char **out)
{
	const char *s;

	if (get_str(c, o, key, false, &s))
		return -EINVAL;
	if (out)
		*out = s;
	if (!s)
		return 0;
	for (const char *const *a = accepted; *a; a++)
		if (!strcmp(s, *a))
			return 0;
	fault(c, "%s: \"%s\" is not supported by kestrel (accepted: %s%s%s)", key, s, accepted[0],
	      accepted[1] ? ", " : "", accepted[1] ? accepted[1] : "");
	return -EINVAL;
}

static bool pre_boot(struct call *c)
{
	if (c->r->state == API_VM_NOT_STARTED)
		return true;
	fault(c, "%s %s: the requested operation is not supported after starting the microVM",
	      c->method, c->path);
	return false;
}

static bool started(struct call *c)
{
	if (c->r->state != API_VM_NOT_STARTED)
		return true;
	fault(c, "%s %s: the requested operation is not supported before starting the microVM",
	      c->method, c->path);
	return false;
}

/*
 * A working copy of the config for one change: strings go to its store,
 * budgeted; keep() then makes it the config if it validates.
 */
struct edit {
	struct vm_config cfg;
	bool disk_root[VM_MAX_DISKS];
	char net_ids[VM_MAX_NETS][API_ID_MAX + 1];
};

static void edit_begin(struct call *c, struct edit *e)
{
	e->cfg = *c->r->p.cfg;
	memcpy(e->disk_root, c->r->disk_root, sizeof(e->disk_root));
	memcpy(e->net_ids, c->r->net_ids, sizeof(e->net_ids));
}

static const char *edit_dup(struct call *c, struct edit *e, const char *s)
{
	size_t n = strlen(s);
	const char *copy;

	if (c->r->strings_used + n + 1 > API_ROUTER_STRING_BUDGET) {
		fault(c,
		      "too many configuration changes: the API's %u bytes of strings are used up",
		      API_ROUTER_STRING_BUDGET);
		return NULL;
	}
	copy = vm_config_strdup(&e->cfg, s, n);
	if (!copy) {
		fault(c, "out of memory");
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
static int edit_commit(struct call *c, struct edit *e, enum vm_config_check check)
{
	struct vm_config *cfg = c->r->p.cfg;
	int ret;

	cfg->strings = e->cfg.strings;
	ret = vm_config_validate(&e->cfg, check, c->err, sizeof(c->err));
	if (ret) {
		fault(c, "%s", c->err);
		return ret;
	}
	*cfg = e->cfg;
	memcpy(c->r->disk_root, e->disk_root, sizeof(e->disk_root));
	memcpy(c->r->net_ids, e->net_ids, sizeof(e->net_ids));
	return 0;
}

/* Drive and interface ids: 1-64 of [A-Za-z0-9_], as Firecracker requires. */
static int check_id(struct call *c, const char *what, const char *id)
{
	size_t n = strlen(id);

	if (!n || n > API_ID_MAX) {
		fault(c, "%s: \"%s\" must be 1 to %d characters long", what, id, API_ID_MAX);
		return -EINVAL;
	}
	for (const char *p = id; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '_')) {
			fault(c, "%s: \"%s\" may hold only letters, digits and _", what, id);
			return -EINVAL;
		}
	}
	return 0;
}

/* The body's id field must be the id in the path. */
static int id_matches(struct call *c, json_t *o, const char *key, const char *path_id,
		      const char **out)
{
	if (get_str(c, o, key, true, out) || check_id(c, key, *out))
		return -EINVAL;
	if (strcmp(*out, path_id)) {
		fault(c, "%s: \"%s\" is not the id in the path (\"%s\")", key, *out, path_id);
		return -EINVAL;
	}
	return 0;
}

static void get_root(struct call *c)
{
	json_t *j =
		json_pack("{s:s, s:s, s:s, s:s}", "id",
			  c->r->p.instance_id ? c->r->p.instance_id : "anonymous-instance", "state",
			  state_name(c->r->state), "vmm_version",
			  c->r->p.vmm_version ? c->r->p.vmm_version : "", "app_name", "kestrel");

	reply_json(c, j);
}

static void put_boot_source(struct call *c, json_t *o)
{
	static const char *const fields[] = {"kernel_image_path", "boot_args", "initrd_path", NULL};
	const char *kernel, *args, *initrd;
	struct edit e;

	if (!pre_boot(c) || only_fields(c, o, fields) ||
	    get_str(c, o, "kernel_image_path", true, &kernel) ||
	    get_str(c, o, "boot_args", false, &args) ||
	    get_str(c, o, "initrd_path", false, &initrd))
		return;
	edit_begin(c, &e);
	e.cfg.kernel = edit_dup(c, &e, kernel);
	e.cfg.cmdline = args ? edit_dup(c, &e, args) : VM_DEFAULT_CMDLINE;
	e.cfg.initrd = initrd ? edit_dup(c, &e, initrd) : NULL;
	if (!e.cfg.kernel || !e.cfg.cmdline || (initrd && !e.cfg.initrd)) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	if (!edit_commit(c, &e, VM_CHECK_PART))
		ok(c);
}

static void machine_config(struct call *c, json_t *o, bool patch)
{
	static const char *const fields[] = {
		"vcpu_count",	"mem_size_mib", "smt", "track_dirty_pages",
		"cpu_template", "huge_pages",	NULL};
	static const char *const templates[] = {"None", NULL};
	static const char *const huge[] = {"None", "2M", NULL};
	uint64_t cpus = 0, mib = 0;
	bool has_cpus, has_mib, smt = false, dirty = false;
	const char *hp;
	struct edit e;

	if (!pre_boot(c) || only_fields(c, o, fields) ||
	    get_uint(c, o, "vcpu_count", !patch, UINT32_MAX, &cpus, &has_cpus) ||
	    get_uint(c, o, "mem_size_mib", !patch, VM_MAX_MEMORY >> 20, &mib, &has_mib) ||
	    get_bool(c, o, "smt", false, &smt) ||
	    get_bool(c, o, "track_dirty_pages", false, &dirty) ||
	    only_value(c, o, "cpu_template", templates, NULL) ||
	    only_value(c, o, "huge_pages", huge, &hp))
		return;
	if (smt) {
		fault(c, "smt: not supported by kestrel (arm64 has no SMT to expose)");
		return;
	}
	if (dirty) {
		fault(c, "track_dirty_pages: not supported by kestrel (no snapshots)");
		return;
	}
	edit_begin(c, &e);
	if (has_cpus)
		e.cfg.cpus = (uint32_t)cpus;
	if (has_mib)
		e.cfg.memory = mib << 20;
	if (hp || !patch)
		e.cfg.hugepages = hp && !strcmp(hp, "2M");
	if (!edit_commit(c, &e, VM_CHECK_PART))
		ok(c);
}

static void get_machine_config(struct call *c)
{
	const struct vm_config *cfg = c->r->p.cfg;

	reply_json(c,
		   json_pack("{s:I, s:I, s:b, s:b, s:s}", "vcpu_count", (json_int_t)cfg->cpus,
			     "mem_size_mib", (json_int_t)(cfg->memory >> 20), "smt", 0,
			     "track_dirty_pages", 0, "huge_pages", cfg->hugepages ? "2M" : "None"));
}

static int find_disk(const struct vm_config *cfg, const char *id)
{
	for (unsigned i = 0; i < cfg->nr_disks; i++)
		if (cfg->disks[i].id && !strcmp(cfg->disks[i].id, id))
			return (int)i;
	return -1;
}

static void put_drive(struct call *c, json_t *o, const char *id)
{
	static const char *const fields[] = {
		"drive_id",   "path_on_host", "is_root_device", "is_read_only", "partuuid",
		"cache_type", "rate_limiter", "io_engine",	"socket",	NULL};
	static const char *const caches[] = {"Unsafe", "Writeback", NULL};
	static const char *const engines[] = {"Sync", NULL};
	const char *drive_id, *path;
	bool root = false, ro = false;
	struct vm_disk d = {0};
	struct edit e;
	int idx;

	if (!pre_boot(c) || only_fields(c, o, fields) ||
	    id_matches(c, o, "drive_id", id, &drive_id) ||
	    get_str(c, o, "path_on_host", true, &path) ||
	    get_bool(c, o, "is_root_device", true, &root) ||
	    get_bool(c, o, "is_read_only", false, &ro) ||
	    unsupported(c, o, "partuuid", "the root device is /dev/vda") ||
	    only_value(c, o, "cache_type", caches, NULL) ||
	    unsupported(c, o, "rate_limiter", "no I/O rate limiting") ||
	    only_value(c, o, "io_engine", engines, NULL) ||
	    unsupported(c, o, "socket", "no vhost-user block devices"))
		return;
	edit_begin(c, &e);
	idx = find_disk(&e.cfg, drive_id);
	for (unsigned i = 0; root && i < e.cfg.nr_disks; i++) {
		if (e.disk_root[i] && (int)i != idx) {
			fault(c, "is_root_device: drive \"%s\" is already the root device",
			      e.cfg.disks[i].id);
			return;
		}
	}
	if (idx < 0) {
		if (e.cfg.nr_disks == VM_MAX_DISKS) {
			fault(c, "drives: at most %d drives", VM_MAX_DISKS);
			return;
		}
		idx = (int)e.cfg.nr_disks++;
	}
	d.path = edit_dup(c, &e, path);
	d.id = d.path ? edit_dup(c, &e, drive_id) : NULL;
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
	if (!edit_commit(c, &e, VM_CHECK_PART))
		ok(c);
}

static void patch_drive(struct call *c, json_t *o, const char *id)
{
	static const char *const fields[] = {"drive_id", "path_on_host", "rate_limiter", NULL};
	const char *drive_id, *path;
	struct edit e;
	int idx, ret;

	if (!started(c) || only_fields(c, o, fields) ||
	    id_matches(c, o, "drive_id", id, &drive_id) ||
	    get_str(c, o, "path_on_host", false, &path) ||
	    unsupported(c, o, "rate_limiter", "no I/O rate limiting"))
		return;
	idx = find_disk(c->r->p.cfg, drive_id);
	if (idx < 0) {
		fault(c, "drive_id: no drive \"%s\"", drive_id);
		return;
	}
	if (!path) {
		ok(c);
		return;
	}
	if (!c->r->p.ops->drive_update) {
		fault(c, "PATCH /drives: not supported by this kestrel");
		return;
	}
	edit_begin(c, &e);
	e.cfg.disks[idx].path = edit_dup(c, &e, path);
	if (!e.cfg.disks[idx].path) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	c->r->p.cfg->strings = e.cfg.strings;
	if (vm_config_validate(&e.cfg, VM_CHECK_PART, c->err, sizeof(c->err))) {
		fault(c, "%s", c->err);
		return;
	}
	ret = c->r->p.ops->drive_update(c->r->p.ctx, (unsigned)idx, e.cfg.disks[idx].path, c->err,
					sizeof(c->err));
	if (ret) {
		fault(c, "PATCH /drives/%s: %s", drive_id, c->err);
		return;
	}
	c->r->p.cfg->disks[idx].path = e.cfg.disks[idx].path;
	ok(c);
}

static int find_net(const struct api_router *r, const char (*ids)[API_ID_MAX + 1], unsigned n,
		    const char *id)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return (int)i;
	return -1;
}

static void put_net(struct call *c, json_t *o, const char *id)
{
	static const char *const fields[] = {"iface_id", "host_dev_name",   "guest_mac",
					     "mtu",	 "rx_rate_limiter", "tx_rate_limiter",
					     NULL};
	const char *iface, *tap, *mac;
	struct vm_net n = {0};
	struct edit e;
	int idx;

	if (!pre_boot(c) || only_fields(c, o, fields) || id_matches(c, o, "iface_id", id, &iface) ||
	    get_str(c, o, "host_dev_name", true, &tap) || get_str(c, o, "guest_mac", false, &mac) ||
	    unsupported(c, o, "mtu", "the guest picks its MTU") ||
	    unsupported(c, o, "rx_rate_limiter", "no network rate limiting") ||
	    unsupported(c, o, "tx_rate_limiter", "no network rate limiting"))
		return;
	if (mac && vm_mac_parse(mac, n.mac)) {
		fault(c, "guest_mac: \"%s\" is not a MAC address like 06:00:ac:10:00:02", mac);
		return;
	}
	n.has_mac = mac != NULL;
	edit_begin(c, &e);
	idx = find_net(c->r, e.net_ids, e.cfg.nr_nets, iface);
	if (idx < 0) {
		if (e.cfg.nr_nets == VM_MAX_NETS) {
			fault(c, "network-interfaces: at most %d interfaces", VM_MAX_NETS);
			return;
		}
		idx = (int)e.cfg.nr_nets++;
	}
	n.tap = edit_dup(c, &e, tap);
	if (!n.tap) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	e.cfg.nets[idx] = n;
	snprintf(e.net_ids[idx], sizeof(e.net_ids[idx]), "%s", iface);
	if (!edit_commit(c, &e, VM_CHECK_PART))
		ok(c);
}

static void put_vsock(struct call *c, json_t *o)
{
	static const char *const fields[] = {"guest_cid", "uds_path", "vsock_id", NULL};
	const char *vsock_id;
	uint64_t cid;
	bool has;
	struct edit e;

	if (!pre_boot(c) || only_fields(c, o, fields) ||
	    get_uint(c, o, "guest_cid", true, UINT32_MAX, &cid, &has) ||
	    get_str(c, o, "vsock_id", false, &vsock_id) ||
	    unsupported(c, o, "uds_path",
			"kestrel's vsock is vhost-vsock: host programs use AF_VSOCK with "
			"guest_cid, there is no Unix socket proxy"))
		return;
	edit_begin(c, &e);
	e.cfg.vsock.enabled = true;
	e.cfg.vsock.cid = (uint32_t)cid;
	if (!edit_commit(c, &e, VM_CHECK_PART))
		ok(c);
}

static void put_entropy(struct call *c, json_t *o)
{
	static const char *const fields[] = {"rate_limiter", NULL};
	struct edit e;

	if (!pre_boot(c) || only_fields(c, o, fields) ||
	    unsupported(c, o, "rate_limiter", "no entropy rate limiting"))
		return;
	edit_begin(c, &e);
	e.cfg.rng = true;
	if (!edit_commit(c, &e, VM_CHECK_PART))
		ok(c);
}

static void put_logger(struct call *c, json_t *o)
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
	struct edit e;
	int ret;

	if (!pre_boot(c) || only_fields(c, o, fields) || get_str(c, o, "log_path", false, &path) ||
	    get_str(c, o, "level", false, &level) ||
	    get_bool(c, o, "show_level", false, &show_level) ||
	    get_bool(c, o, "show_log_origin", false, &show_origin) ||
	    unsupported(c, o, "module", "no per-module log filter"))
		return;
	if ((show_level || show_origin) && !c->r->p.ops->logger_apply) {
		fault(c, "%s: not supported by this kestrel",
		      show_level ? "show_level" : "show_log_origin");
		return;
	}
	edit_begin(c, &e);
	if (level) {
		size_t i;

		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (!strcasecmp(level, levels[i].name))
				break;
		if (i == sizeof(levels) / sizeof(levels[0])) {
			fault(c,
			      "level: \"%s\" is not supported by kestrel (Error, Warning, Info, "
			      "Debug)",
			      level);
			return;
		}
		e.cfg.log_level = levels[i].level;
	}
	if (path && !(e.cfg.log_file = edit_dup(c, &e, path))) {
		c->r->p.cfg->strings = e.cfg.strings;
		return;
	}
	if (edit_commit(c, &e, VM_CHECK_PART))
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
			fault(c, "PUT /logger: %s", c->err);
			return;
		}
	}
	ok(c);
}

/* Appends "root=/dev/vda rw|ro" when a drive is the root device. 0, or -EINVAL after a fault. */
static int root_cmdline(struct call *c, struct edit *e)
{
	char *line;
	int n;

	if (!e->cfg.nr_disks || !e->disk_root[0])
		return 0;
	n = asprintf(&line, "%s root=/dev/vda %s", e->cfg.cmdline ? e->cfg.cmdline : "",
		     e->cfg.disks[0].readonly ? "ro" : "rw");
	if (n < 0) {
		fault(c, "out of memory");
		return -EINVAL;
	}
	e->cfg.cmdline = edit_dup(c, e, line[0] == ' ' ? line + 1 : line);
	free(line);
	if (!e->cfg.cmdline) {
		c->r->p.cfg->strings = e->cfg.strings;
		return -EINVAL;
	}
	return 0;
}

static void instance_start(struct call *c)
{
	struct vm_config *cfg = c->r->p.cfg;
	const char *old_cmdline = cfg->cmdline;
	struct edit e;
	int ret;

	if (c->r->state != API_VM_NOT_STARTED) {
		fault(c, "InstanceStart: the microVM is already started");
		return;
	}
	if (!c->r->p.ops->instance_start) {
		fault(c, "InstanceStart: not supported by this kestrel");
		return;
	}
	edit_begin(c, &e);
	if (!e.cfg.kernel) {
		fault(c, "InstanceStart: no kernel: PUT /boot-source first");
		return;
	}
	if (root_cmdline(c, &e) || edit_commit(c, &e, VM_CHECK_WHOLE))
		return;
	ret = c->r->p.ops->instance_start(c->r->p.ctx, c->err, sizeof(c->err));
	if (ret) {
		cfg->cmdline = old_cmdline;
		fault(c, "InstanceStart: %s", c->err);
		return;
	}
	c->r->state = API_VM_RUNNING;
	ok(c);
}

static void run_op(struct call *c, const char *what, int (*op)(void *, char *, size_t))
{
	if (!op) {
		fault(c, "%s: not supported by this kestrel", what);
		return;
	}
	if (op(c->r->p.ctx, c->err, sizeof(c->err))) {
		fault(c, "%s: %s", what, c->err);
		return;
	}
	ok(c);
}

static void put_actions(struct call *c, json_t *o)
{
	static const char *const fields[] = {"action_type", NULL};
	const char *type;

	if (only_fields(c, o, fields) || get_str(c, o, "action_type", true, &type))
		return;
	if (!strcmp(type, "InstanceStart")) {
		instance_start(c);
	} else if (!strcmp(type, "SendCtrlAltDel")) {
		if (started(c))
			run_op(c, "SendCtrlAltDel", c->r->p.ops->send_ctrl_alt_del);
	} else if (!strcmp(type, "FlushMetrics")) {
		fault(c, "action_type: \"FlushMetrics\" is not supported by kestrel (no metrics "
			 "file; GET /kestrel/stats gives the counters)");
	} else {
		fault(c, "action_type: \"%s\" is not one of InstanceStart, SendCtrlAltDel", type);
	}
}

static void patch_vm(struct call *c, json_t *o)
{
	static const char *const fields[] = {"state", NULL};
	const char *state;

	if (!started(c) || only_fields(c, o, fields) || get_str(c, o, "state", true, &state))
		return;
	if (!strcmp(state, "Paused")) {
		if (c->r->state == API_VM_PAUSED) {
			ok(c);
			return;
		}
		run_op(c, "Paused", c->r->p.ops->pause);
		if (c->resp->status == 204)
			c->r->state = API_VM_PAUSED;
	} else if (!strcmp(state, "Resumed")) {
		if (c->r->state == API_VM_RUNNING) {
			ok(c);
			return;
		}
		run_op(c, "Resumed", c->r->p.ops->resume);
		if (c->resp->status == 204)
			c->r->state = API_VM_RUNNING;
	} else {
		fault(c, "state: \"%s\" is not Paused or Resumed", state);
	}
}

static void get_vm_config(struct call *c)
{
	char *text;

	if (config_print_json(c->r->p.cfg, &text, c->err, sizeof(c->err))) {
		fault(c, "GET /vm/config: %s", c->err);
		return;
	}
	c->resp->status = 200;
	c->resp->body = text;
}

static void get_kestrel(struct call *c, const char *what, json_t *(*op)(void *, char *, size_t))
{
	json_t *j;

	if (!started(c))
		return;
	if (!op) {
		fault(c, "%s: not supported by this kestrel", what);
		return;
	}
	c->err[0] = '\0';
	j = op(c->r->p.ctx, c->err, sizeof(c->err));
	if (!j) {
		fault(c, "%s: %s", what, c->err[0] ? c->err : "not available");
		return;
	}
	reply_json(c, j);
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

static bool is(const struct call *c, const char *method, const char *path)
{
	return !strcmp(c->method, method) && !strcmp(c->path, path);
}

/* Handlers that take a body: the object is parsed first. */
static void with_body(struct call *c, void (*fn)(struct call *, json_t *))
{
	json_t *o = body_object(c);

	if (o)
		fn(c, o);
	json_decref(o);
}

static void with_body_id(struct call *c, const char *id,
			 void (*fn)(struct call *, json_t *, const char *))
{
	json_t *o = body_object(c);

	if (o)
		fn(c, o, id);
	json_decref(o);
}

static void put_machine_config(struct call *c, json_t *o)
{
	machine_config(c, o, false);
}

static void patch_machine_config(struct call *c, json_t *o)
{
	machine_config(c, o, true);
}

static void route(struct call *c)
{
	const char *id;

	if (is(c, "GET", "/"))
		get_root(c);
	else if (is(c, "PUT", "/boot-source"))
		with_body(c, put_boot_source);
	else if (is(c, "PUT", "/machine-config"))
		with_body(c, put_machine_config);
	else if (is(c, "PATCH", "/machine-config"))
		with_body(c, patch_machine_config);
	else if (is(c, "GET", "/machine-config"))
		get_machine_config(c);
	else if (!strcmp(c->method, "PUT") && (id = path_id(c->path, "/drives")))
		with_body_id(c, id, put_drive);
	else if (!strcmp(c->method, "PATCH") && (id = path_id(c->path, "/drives")))
		with_body_id(c, id, patch_drive);
	else if (!strcmp(c->method, "PUT") && (id = path_id(c->path, "/network-interfaces")))
		with_body_id(c, id, put_net);
	else if (!strcmp(c->method, "PATCH") && path_id(c->path, "/network-interfaces"))
		fault(c, "PATCH %s: not supported by kestrel (no network rate limiting)", c->path);
	else if (is(c, "PUT", "/vsock"))
		with_body(c, put_vsock);
	else if (is(c, "PUT", "/entropy"))
		with_body(c, put_entropy);
	else if (is(c, "PUT", "/logger"))
		with_body(c, put_logger);
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
				fault(c, "%s %s: not supported by kestrel (%s)", c->method, c->path,
				      refused[i].why);
				return;
			}
		}
		fault(c, "invalid request method and/or path: %s %s", c->method, c->path);
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
	struct call c = {
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
