// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/config_print.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Building the document: the first failure sticks, later calls do nothing. */
struct jout {
	int ret;
	char *err;
	size_t errlen;
};

static void out_of_memory(struct jout *o)
{
	if (!o->ret) {
		o->ret = -ENOMEM;
		snprintf(o->err, o->errlen, "out of memory");
	}
}

static json_t *str(struct jout *o, const char *path, const char *s)
{
	json_t *v, *empty;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v || o->ret)
		return v;
	/* json_string() fails on bad UTF-8 or when out of memory: tell which. */
	empty = json_string("");
	if (!empty) {
		out_of_memory(o);
		return NULL;
	}
	json_decref(empty);
	o->ret = -EINVAL;
	snprintf(o->err, o->errlen, "%s: not valid UTF-8, which JSON cannot hold", path);
	return NULL;
}

/* Sets obj[key] = v, taking v; a NULL v or obj is an earlier failure. */
static void set(struct jout *o, json_t *obj, const char *key, json_t *v)
{
	if (!v || !obj) {
		json_decref(v);
		out_of_memory(o);
		return;
	}
	if (json_object_set_new(obj, key, v))
		out_of_memory(o);
}

static void append(struct jout *o, json_t *arr, json_t *v)
{
	if (!v || !arr) {
		json_decref(v);
		out_of_memory(o);
		return;
	}
	if (json_array_append_new(arr, v))
		out_of_memory(o);
}

static json_t *kernel(struct jout *o, const struct vm_config *cfg)
{
	json_t *k = json_object();

	/* kernel.path is a required string: left out, not null, while unset (the
	 * kernel may come as --kernel), so that the printout parses again */
	if (cfg->kernel)
		set(o, k, "path", str(o, "kernel.path", cfg->kernel));
	set(o, k, "initrd", str(o, "kernel.initrd", cfg->initrd));
	set(o, k, "cmdline", str(o, "kernel.cmdline", cfg->cmdline ? cfg->cmdline : ""));
	return k;
}

static json_t *machine(struct jout *o, const struct vm_config *cfg)
{
	json_t *m = json_object(), *chips = json_array();
	char size[32];

	set(o, m, "cpus", json_integer(cfg->cpus));
	vm_size_format(cfg->memory, size, sizeof(size));
	set(o, m, "memory", json_string(size));
	set(o, m, "hugepages", json_boolean(cfg->hugepages));
	for (unsigned i = 0; i < cfg->irqchip.n && i < IRQCHIP_LIST_MAX; i++)
		append(o, chips, json_string(irqchip_kind_name(cfg->irqchip.kind[i])));
	set(o, m, "irqchip", chips);
	set(o, m, "on_reboot", json_string(vm_on_reboot_name(cfg->on_reboot)));
	set(o, m, "shutdown_timeout", json_integer(cfg->shutdown_timeout));
	return m;
}

static json_t *disks(struct jout *o, const struct vm_config *cfg)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < cfg->nr_disks && i < VM_MAX_DISKS; i++) {
		const struct vm_disk *d = &cfg->disks[i];
		json_t *e = json_object();
		char path[32];

		snprintf(path, sizeof(path), "disks[%u].path", i);
		set(o, e, "path", str(o, path, d->path));
		set(o, e, "readonly", json_boolean(d->readonly));
		snprintf(path, sizeof(path), "disks[%u].id", i);
		set(o, e, "id", str(o, path, d->id));
		append(o, arr, e);
	}
	return arr;
}

static json_t *nets(struct jout *o, const struct vm_config *cfg)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < cfg->nr_nets && i < VM_MAX_NETS; i++) {
		const struct vm_net *n = &cfg->nets[i];
		json_t *e = json_object();
		char path[32], mac[18];

		snprintf(path, sizeof(path), "nets[%u].tap", i);
		set(o, e, "tap", str(o, path, n->tap));
		vm_mac_format(n->mac, mac, sizeof(mac));
		set(o, e, "mac", n->has_mac ? json_string(mac) : json_null());
		append(o, arr, e);
	}
	return arr;
}

static json_t *section1(struct jout *o, const char *key, json_t *v)
{
	json_t *s = json_object();

	set(o, s, key, v);
	return s;
}

int config_print_json(const struct vm_config *cfg, char **out, char *err, size_t errlen)
{
	struct jout o = { .err = err, .errlen = errlen };
	json_t *doc = json_object(), *log, *debug;
	char serial[VM_PATH_MAX + 16];
	char *text;

	*out = NULL;
	set(&o, doc, "kernel", kernel(&o, cfg));
	set(&o, doc, "machine", machine(&o, cfg));
	set(&o, doc, "disks", disks(&o, cfg));
	set(&o, doc, "nets", nets(&o, cfg));
	set(&o, doc, "rng", json_boolean(cfg->rng));
	set(&o, doc, "vsock",
	    cfg->vsock.enabled ? section1(&o, "cid", json_integer(cfg->vsock.cid)) : json_null());
	vm_serial_format(cfg->serial, cfg->serial_path, serial, sizeof(serial));
	set(&o, doc, "serial", str(&o, "serial", serial));
	set(&o, doc, "seccomp", json_string(vm_seccomp_name(cfg->seccomp)));
	log = section1(&o, "level", json_string(vm_log_level_name(cfg->log_level)));
	set(&o, log, "file", str(&o, "log.file", cfg->log_file));
	set(&o, doc, "log", log);
	set(&o, doc, "api", section1(&o, "socket", str(&o, "api.socket", cfg->api_socket)));
	debug = section1(&o, "dump_dtb", str(&o, "debug.dump_dtb", cfg->dump_dtb));
	set(&o, debug, "stats", json_boolean(cfg->stats));
	set(&o, doc, "debug", debug);
	if (o.ret) {
		json_decref(doc);
		return o.ret;
	}
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text) {
		out_of_memory(&o);
		return o.ret;
	}
	*out = text;
	return 0;
}

int config_print(const struct vm_config *cfg, FILE *f, char *err, size_t errlen)
{
	char *text;
	int ret;

	ret = config_print_json(cfg, &text, err, errlen);
	if (ret)
		return ret;
	if (fputs(text, f) < 0 || fputc('\n', f) < 0 || fflush(f)) {
		snprintf(err, errlen, "--print-config: %s", strerror(errno ? errno : EIO));
		ret = -EIO;
	}
	free(text);
	return ret;
}
