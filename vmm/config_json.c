// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decoder is a set of const key tables, one per JSON object kind
 * (top level, kernel, machine, a disk, ...). json_walk_object() looks every
 * key of an object up in its table, so an unknown key fails with its path, and
 * then checks the table's required keys; each entry's handler checks the
 * value's type and range and stores it at its offset in the struct being
 * filled (the vm_config, one vm_disk, one vm_net or the vm_vsock). The
 * walker and the generic handlers are vmm/json_walk.c; this file holds the
 * kestrel-specific handlers and the tables.
 */
#include "vmm/config_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/util.h"
#include "vmm/api_config.h"
#include "vmm/fc_config.h"
#include "vmm/json_walk.h"

/* ---- value handlers ---- */

static int j_cpus(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		  void *obj)
{
	uint64_t n = 0;
	int ret = json_walk_uint(c, path, v, 1, VM_MAX_CPUS, &n);

	if (!ret)
		*(uint32_t *)json_walk_field(obj, k) = (uint32_t)n;
	return ret;
}

static int j_cid(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		 void *obj)
{
	uint64_t n = 0;
	int ret = json_walk_uint(c, path, v, VM_VSOCK_CID_MIN, VM_VSOCK_CID_MAX, &n);

	if (!ret)
		*(uint32_t *)json_walk_field(obj, k) = (uint32_t)n;
	return ret;
}

static int j_memory(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		    void *obj)
{
	uint64_t *out = json_walk_field(obj, k);
	char d[JSON_WALK_DESC_LEN];
	int ret;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return json_walk_fail(c, path, "%s is negative",
					      json_walk_describe(v, d, sizeof(d)));
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return json_walk_wrong_type(c, path, "a size such as \"256M\" or a number of bytes",
					    v);
	ret = parse_size(json_string_value(v), out);
	if (ret == -ERANGE)
		return json_walk_fail(c, path, "%s is too large",
				      json_walk_describe(v, d, sizeof(d)));
	if (ret)
		return json_walk_fail(c, path,
				      "%s is not a size (expected e.g. \"256M\" or \"2G\")",
				      json_walk_describe(v, d, sizeof(d)));
	return 0;
}

static int j_shutdown_timeout(struct json_walk *c, const struct json_key *k, const char *path,
			      json_t *v, void *obj)
{
	uint64_t n = 0;
	int ret = json_walk_uint(c, path, v, 0, VM_MAX_SHUTDOWN_TIMEOUT, &n);

	if (!ret)
		*(unsigned *)json_walk_field(obj, k) = (unsigned)n;
	return ret;
}

static const char irqchip_expected[] = "auto, kvm-v3, kvm-v2, user";

static int j_irqchip(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		     void *obj)
{
	struct irqchip_pref *out = json_walk_field(obj, k);
	struct irqchip_pref p = { .n = 0 };
	char d[JSON_WALK_DESC_LEN], sub[JSON_WALK_PATH_LEN];
	const char *bad;
	size_t bad_len, i;
	json_t *e;

	if (json_is_string(v)) {
		if (irqchip_pref_parse(json_string_value(v), &p, &bad, &bad_len))
			return json_walk_fail(
				c, path,
				"%s is not valid at \"%.*s\" (expected %s, or a list of them "
				"without repeats)",
				json_walk_describe(v, d, sizeof(d)), (int)bad_len, bad,
				irqchip_expected);
		*out = p;
		return 0;
	}
	if (!json_is_array(v))
		return json_walk_wrong_type(c, path, "a string or an array of strings", v);
	if (!json_array_size(v))
		return json_walk_fail(c, path, "empty list");
	json_array_foreach(v, i, e) {
		struct irqchip_pref one;
		const char *s = json_string_value(e);

		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (!s)
			return json_walk_wrong_type(c, sub, "a string", e);
		if (!strcmp(s, "auto") || irqchip_pref_parse(s, &one, &bad, &bad_len) ||
		    one.n != 1)
			return json_walk_fail(c, sub, "%s is not one of kvm-v3, kvm-v2, user",
				    json_walk_describe(e, d, sizeof(d)));
		for (unsigned j = 0; j < p.n; j++)
			if (p.kind[j] == one.kind[0])
				return json_walk_fail(c, sub, "%s is listed twice",
					    json_walk_describe(e, d, sizeof(d)));
		if (p.n >= IRQCHIP_LIST_MAX)
			return json_walk_fail(c, sub, "more than %d entries", IRQCHIP_LIST_MAX);
		p.kind[p.n++] = one.kind[0];
	}
	*out = p;
	return 0;
}

static int parse_on_reboot(const char *s, void *out)
{
	return vm_on_reboot_parse(s, out);
}

static int parse_seccomp(const char *s, void *out)
{
	return vm_seccomp_parse(s, out);
}

static int parse_log_level(const char *s, void *out)
{
	return log_parse_level(s, out);
}

static int j_on_reboot(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		       void *obj)
{
	return json_walk_name(c, path, v, "restart, exit", parse_on_reboot,
			      json_walk_field(obj, k));
}

/* "stdio", "off", "pty", "file=PATH" or "socket=PATH": the flag's syntax. */
static int j_serial(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		    void *obj)
{
	struct vm_config *cfg = obj;
	const char *p, *copy = NULL;
	char d[JSON_WALK_DESC_LEN];

	if (!json_is_string(v))
		return json_walk_wrong_type(c, path, "a string", v);
	if (vm_serial_parse(json_string_value(v), &cfg->serial, &p))
		return json_walk_fail(c, path, "%s is not one of " VM_SERIAL_EXPECTED,
			    json_walk_describe(v, d, sizeof(d)));
	if (p) {
		copy = vm_config_strdup(cfg, p, strlen(p));
		if (!copy)
			return json_walk_no_memory(c);
	}
	cfg->serial_path = copy;
	return 0;
}

static int j_seccomp(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		     void *obj)
{
	return json_walk_name(c, path, v, "on, log, off", parse_seccomp, json_walk_field(obj, k));
}

static int j_log_level(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		       void *obj)
{
	return json_walk_name(c, path, v, "error, warn, info, debug", parse_log_level,
			      json_walk_field(obj, k));
}

static int j_mac(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		 void *obj)
{
	struct vm_net *n = obj;
	char d[JSON_WALK_DESC_LEN];

	if (json_is_null(v)) {
		n->has_mac = false;
		return 0;
	}
	if (!json_is_string(v))
		return json_walk_wrong_type(c, path, "a string or null", v);
	if (vm_mac_parse(json_string_value(v), n->mac))
		return json_walk_fail(c, path,
			    "%s is not a MAC address (expected e.g. \"52:54:00:12:34:56\")",
			    json_walk_describe(v, d, sizeof(d)));
	n->has_mac = true;
	return 0;
}

static int j_vsock(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		   void *obj)
{
	struct vm_vsock *vs = json_walk_field(obj, k);
	int ret;

	if (json_is_null(v)) {
		vs->enabled = false;
		return 0;
	}
	if (!json_is_object(v))
		return json_walk_wrong_type(c, path, "an object or null", v);
	ret = json_walk_object(c, path, v, k->sub, k->nsub, vs);
	if (!ret)
		vs->enabled = true;
	return ret;
}

static int j_disks(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		   void *obj)
{
	struct vm_config *cfg = obj;

	return json_walk_array(c, k, path, v, cfg->disks, sizeof(cfg->disks[0]), VM_MAX_DISKS,
			  &cfg->nr_disks);
}

static int j_nets(struct json_walk *c, const struct json_key *k, const char *path, json_t *v,
		  void *obj)
{
	struct vm_config *cfg = obj;

	return json_walk_array(c, k, path, v, cfg->nets, sizeof(cfg->nets[0]), VM_MAX_NETS,
			  &cfg->nr_nets);
}

/* ---- the document's shape (docs/config.md, configs/kestrel.schema.json) ---- */

#define KEY(name, handler, type, member) \
	{ .key = name, .fn = handler, .off = offsetof(type, member) }
#define REQUIRED(name, handler, type, member) \
	{ .key = name, .fn = handler, .off = offsetof(type, member), .required = true }
#define GROUP(name, handler, type, member, keys, is_array)                                 \
	{                                                                                  \
		.key = name, .fn = handler, .off = offsetof(type, member), .sub = keys,    \
		.nsub = ARRAY_SIZE(keys), .array = is_array                                \
	}

static const struct json_key kernel_keys[] = {
	KEY("path", json_walk_string, struct vm_config, kernel),
	KEY("initrd", json_walk_string_or_null, struct vm_config, initrd),
	KEY("cmdline", json_walk_string, struct vm_config, cmdline),
};

static const struct json_key machine_keys[] = {
	KEY("cpus", j_cpus, struct vm_config, cpus),
	KEY("memory", j_memory, struct vm_config, memory),
	KEY("hugepages", json_walk_bool, struct vm_config, hugepages),
	KEY("irqchip", j_irqchip, struct vm_config, irqchip),
	KEY("on_reboot", j_on_reboot, struct vm_config, on_reboot),
	KEY("shutdown_timeout", j_shutdown_timeout, struct vm_config, shutdown_timeout),
};

static const struct json_key disk_keys[] = {
	REQUIRED("path", json_walk_string, struct vm_disk, path),
	KEY("readonly", json_walk_bool, struct vm_disk, readonly),
	KEY("id", json_walk_string_or_null, struct vm_disk, id),
};

static const struct json_key net_keys[] = {
	REQUIRED("tap", json_walk_string, struct vm_net, tap),
	KEY("mac", j_mac, struct vm_net, mac),
};

static const struct json_key vsock_keys[] = {
	REQUIRED("cid", j_cid, struct vm_vsock, cid),
};

static const struct json_key log_keys[] = {
	KEY("level", j_log_level, struct vm_config, log_level),
	KEY("file", json_walk_string_or_null, struct vm_config, log_file),
};

static const struct json_key api_keys[] = {
	KEY("socket", json_walk_string_or_null, struct vm_config, api_socket),
};

static const struct json_key debug_keys[] = {
	KEY("dump_dtb", json_walk_string_or_null, struct vm_config, dump_dtb),
	KEY("stats", json_walk_bool, struct vm_config, stats),
};

static const struct json_key top_keys[] = {
	GROUP("kernel", json_walk_section, struct vm_config, kernel, kernel_keys, false),
	GROUP("machine", json_walk_section, struct vm_config, cpus, machine_keys, false),
	GROUP("disks", j_disks, struct vm_config, disks, disk_keys, true),
	GROUP("nets", j_nets, struct vm_config, nets, net_keys, true),
	KEY("rng", json_walk_bool, struct vm_config, rng),
	GROUP("vsock", j_vsock, struct vm_config, vsock, vsock_keys, false),
	KEY("serial", j_serial, struct vm_config, serial),
	KEY("seccomp", j_seccomp, struct vm_config, seccomp),
	GROUP("log", json_walk_section, struct vm_config, log_level, log_keys, false),
	GROUP("api", json_walk_section, struct vm_config, api_socket, api_keys, false),
	GROUP("debug", json_walk_section, struct vm_config, dump_dtb, debug_keys, false),
};

/* ---- documents ---- */

/* 1-based line and column of byte @pos, for errors jansson does not place. */
static void position(const char *text, size_t pos, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Whether the text holds nothing but JSON white space. */
static bool blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", text[i]) || !text[i])
			return false;
	return true;
}

static int syntax_error(struct json_walk *c, const json_error_t *je)
{
	const char *what;

	switch (json_error_code(je)) {
	case json_error_invalid_utf8:
		what = "invalid UTF-8: ";
		break;
	case json_error_duplicate_key:
	case json_error_numeric_overflow:
		what = "";
		break;
	case json_error_out_of_memory:
		return json_walk_no_memory(c);
	default:
		what = "syntax error: ";
		break;
	}
	snprintf(c->err, c->errlen, "%s:%d:%d: %s%s", c->name, je->line, je->column, what,
		 je->text);
	/* jansson quotes the offending input, which may hold a newline: keep one line */
	for (char *p = c->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

/*
 * A Firecracker --config-file document (a top-level key only Firecracker's
 * format has) goes through the API's body mapping (vmm/api_config.c), so
 * both accept and refuse the same fields with the same words; a kestrel key
 * beside one is refused. Returns 1 for a kestrel document, else 0 or -errno.
 */
static int firecracker_document(struct json_walk *c, json_t *doc)
{
	const char *marker = api_config_firecracker_marker(doc), *key;
	json_t *v;

	if (!marker)
		return 1;
	json_object_foreach(doc, key, v)
	{
		/* "vsock", "serial": in both formats, a Firecracker document's are Firecracker's */
		if (api_config_shared_key(key))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(top_keys); i++)
			if (!strcmp(key, top_keys[i].key))
				return json_walk_fail(c, key,
						      "kestrel's key in a Firecracker document (it "
						      "has \"%s\"): use one format or the other",
						      marker);
	}
	return api_config_firecracker(c->cfg, doc, c->name, c->err, c->errlen);
}

int config_json_parse(const char *text, size_t len, const char *name, struct vm_config *cfg,
		      char *err, size_t errlen)
{
	struct json_walk c = { .cfg = cfg, .name = name, .err = err, .errlen = errlen };
	const char *nul = memchr(text, '\0', len);
	json_error_t je;
	size_t n;
	json_t *doc;
	int ret;

	if (blank(text, len)) {
		snprintf(err, errlen, "%s: empty file (expected a JSON object)", name);
		return -EINVAL;
	}
	if (nul) {
		unsigned line, col;

		position(text, (size_t)(nul - text), &line, &col);
		snprintf(err, errlen, "%s:%u:%u: NUL byte (not a text file?)", name, line, col);
		return -EINVAL;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return syntax_error(&c, &je);
	if (!json_is_object(doc)) {
		ret = json_walk_wrong_type(&c, "top level", "an object", doc);
		goto out;
	}
	ret = firecracker_document(&c, doc);
	if (ret == 1)
		ret = json_walk_object(&c, "", doc, top_keys, ARRAY_SIZE(top_keys), cfg);
	if (ret)
		goto out;
	n = (size_t)snprintf(err, errlen, "%s: ", name);
	if (n >= errlen)
		n = 0;
	ret = vm_config_validate(cfg, VM_CHECK_PART, err + n, errlen - n);
out:
	json_decref(doc);
	return ret;
}

int config_json_load(const char *path, struct vm_config *cfg, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096;
	char *buf = NULL, *p;
	ssize_t r;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	for (;;) {
		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				snprintf(err, errlen, "%s: out of memory", path);
				ret = -ENOMEM;
				goto err_free;
			}
			buf = p;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			goto err_free;
		}
		if (!r)
			break;
		len += (size_t)r;
		if (len > CONFIG_JSON_MAX_SIZE) {
			snprintf(err, errlen, "%s: larger than %u bytes", path,
				 CONFIG_JSON_MAX_SIZE);
			ret = -EINVAL;
			goto err_free;
		}
	}
	buf[len] = '\0';
	ret = config_json_parse(buf, len, path, cfg, err, errlen);
err_free:
	free(buf);
	close(fd);
	return ret;
}

static void walk_keys(const struct json_key *keys, size_t n, const char *prefix,
		      void (*fn)(const char *path, void *ctx), void *ctx)
{
	char path[JSON_WALK_PATH_LEN];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s", prefix, keys[i].key);
		fn(path, ctx);
		if (!keys[i].sub)
			continue;
		snprintf(path, sizeof(path), "%s%s%s.", prefix, keys[i].key,
			 keys[i].array ? "[]" : "");
		walk_keys(keys[i].sub, keys[i].nsub, path, fn, ctx);
	}
}

void config_json_keys(void (*fn)(const char *path, void *ctx), void *ctx)
{
	walk_keys(top_keys, ARRAY_SIZE(top_keys), "", fn, ctx);
}
