// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/vm_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

struct vm_config_str {
	struct vm_config_str *next;
	char s[];
};

void vm_config_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cmdline = VM_DEFAULT_CMDLINE;
	cfg->cpus = VM_DEFAULT_CPUS;
	cfg->memory = VM_DEFAULT_MEMORY;
	cfg->irqchip.kind[0] = IRQCHIP_KVM_V3;
	cfg->irqchip.kind[1] = IRQCHIP_KVM_V2;
	cfg->irqchip.kind[2] = IRQCHIP_USER;
	cfg->irqchip.n = 3;
	cfg->on_reboot = ON_REBOOT_RESTART;
	cfg->serial = VM_SERIAL_STDIO;
	cfg->seccomp = VM_SECCOMP_ON;
	cfg->log_level = LOG_INFO;
	cfg->shutdown_timeout = VM_DEFAULT_SHUTDOWN_TIMEOUT;
}

void vm_config_free(struct vm_config *cfg)
{
	struct vm_config_str *p = cfg->strings;

	while (p) {
		struct vm_config_str *next = p->next;

		free(p);
		p = next;
	}
	vm_config_defaults(cfg);
}

const char *vm_config_strdup(struct vm_config *cfg, const char *s, size_t len)
{
	struct vm_config_str *p;

	if (len > SIZE_MAX - sizeof(*p) - 1)
		return NULL;
	p = malloc(sizeof(*p) + len + 1);
	if (!p)
		return NULL;
	memcpy(p->s, s, len);
	p->s[len] = '\0';
	p->next = cfg->strings;
	cfg->strings = p;
	return p->s;
}

static const char *const on_reboot_names[] = { "restart", "exit" };
static const char *const serial_names[] = { "stdio", "off", "pty", "file", "socket" };
static const char *const seccomp_names[] = { "on", "log", "off" };
static const char *const log_level_names[] = { "error", "warn", "info", "debug" };

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n ? names[v] : "?";
}

static int parse_name(const char *const *names, size_t n, const char *s, unsigned *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = (unsigned)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *vm_on_reboot_name(enum on_reboot v)
{
	return name_of(on_reboot_names, ARRAY_SIZE(on_reboot_names), v);
}

const char *vm_serial_name(enum vm_serial v)
{
	return name_of(serial_names, ARRAY_SIZE(serial_names), v);
}

const char *vm_seccomp_name(enum vm_seccomp v)
{
	return name_of(seccomp_names, ARRAY_SIZE(seccomp_names), v);
}

const char *vm_log_level_name(enum log_level v)
{
	return name_of(log_level_names, ARRAY_SIZE(log_level_names), v);
}

int vm_on_reboot_parse(const char *s, enum on_reboot *out)
{
	unsigned v;

	if (parse_name(on_reboot_names, ARRAY_SIZE(on_reboot_names), s, &v))
		return -EINVAL;
	*out = (enum on_reboot)v;
	return 0;
}

int vm_serial_parse(const char *s, enum vm_serial *out, const char **path)
{
	const char *eq = strchr(s, '=');
	size_t n = eq ? (size_t)(eq - s) : strlen(s);

	for (unsigned i = 0; i < ARRAY_SIZE(serial_names); i++) {
		bool with_path = i == VM_SERIAL_FILE || i == VM_SERIAL_SOCKET;

		if (strlen(serial_names[i]) != n || strncmp(s, serial_names[i], n))
			continue;
		if (with_path != !!eq)
			return -EINVAL;
		*out = (enum vm_serial)i;
		*path = eq ? eq + 1 : NULL;
		return 0;
	}
	return -EINVAL;
}

void vm_serial_format(enum vm_serial v, const char *path, char *buf, size_t len)
{
	if (path)
		snprintf(buf, len, "%s=%s", vm_serial_name(v), path);
	else
		snprintf(buf, len, "%s", vm_serial_name(v));
}

int vm_seccomp_parse(const char *s, enum vm_seccomp *out)
{
	unsigned v;

	if (parse_name(seccomp_names, ARRAY_SIZE(seccomp_names), s, &v))
		return -EINVAL;
	*out = (enum vm_seccomp)v;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vm_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t m[6];

	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]);
		int lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

void vm_mac_format(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

/* Validation: messages start with the field's JSON path. */

/* Writes @s as a JSON-style quoted string, escaped and cut to fit a message. */
static const char *quote(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[o++] = '"';
	for (; *s && o + 12 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (*s) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

void vm_size_format(uint64_t v, char *buf, size_t len)
{
	if (v && !(v & ((1ULL << 40) - 1)))
		snprintf(buf, len, "%lluT", (unsigned long long)(v >> 40));
	else if (v && !(v & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
	else if (v && !(v & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

#define QBUF 80

static int check_path(const char *path, const char *v, size_t max, char *err, size_t errlen)
{
	char q[QBUF];
	size_t n = strlen(v);

	if (!n) {
		snprintf(err, errlen, "%s: empty path", path);
		return -EINVAL;
	}
	if (n > max) {
		snprintf(err, errlen, "%s: %s is %zu bytes long, at most %zu", path,
			 quote(v, q, sizeof(q)), n, max);
		return -EINVAL;
	}
	return 0;
}

/* Linux's dev_valid_name(): 1-15 bytes, not "." or "..", no '/', ':' or white space. */
static bool tap_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > VM_TAP_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
			return false;
	}
	return true;
}

static int check_disk(const struct vm_config *cfg, unsigned i, char *err, size_t errlen)
{
	const struct vm_disk *d = &cfg->disks[i];
	char path[32], q[QBUF];
	int ret;

	if (!d->path) {
		snprintf(err, errlen, "disks[%u].path: missing", i);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "disks[%u].path", i);
	ret = check_path(path, d->path, VM_PATH_MAX, err, errlen);
	if (ret)
		return ret;
	if (d->id) {
		size_t n = strlen(d->id);

		if (!n || n > VM_DISK_ID_MAX) {
			snprintf(err, errlen, "disks[%u].id: %s is %zu bytes long (1-%d)", i,
				 quote(d->id, q, sizeof(q)), n, VM_DISK_ID_MAX);
			return -EINVAL;
		}
		for (const char *p = d->id; *p; p++) {
			if (*p <= ' ' || *p >= 0x7f) {
				snprintf(err, errlen,
					 "disks[%u].id: %s has a character that is not printable "
					 "ASCII or is a space",
					 i, quote(d->id, q, sizeof(q)));
				return -EINVAL;
			}
		}
	}
	for (unsigned j = 0; j < i; j++) {
		const struct vm_disk *o = &cfg->disks[j];

		if (!strcmp(o->path, d->path)) {
			snprintf(err, errlen, "disks[%u].path: %s is also disks[%u].path", i,
				 quote(d->path, q, sizeof(q)), j);
			return -EINVAL;
		}
		if (d->id && o->id && !strcmp(o->id, d->id)) {
			snprintf(err, errlen, "disks[%u].id: %s is also disks[%u].id", i,
				 quote(d->id, q, sizeof(q)), j);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_net(const struct vm_config *cfg, unsigned i, char *err, size_t errlen)
{
	const struct vm_net *n = &cfg->nets[i];
	char q[QBUF], mac[18];

	if (!n->tap) {
		snprintf(err, errlen, "nets[%u].tap: missing", i);
		return -EINVAL;
	}
	if (!tap_name_ok(n->tap)) {
		snprintf(err, errlen,
			 "nets[%u].tap: %s is not an interface name (1-%d bytes, no '/', ':' or "
			 "spaces, not . or ..)",
			 i, quote(n->tap, q, sizeof(q)), VM_TAP_NAME_MAX);
		return -EINVAL;
	}
	if (n->has_mac) {
		static const uint8_t zero[6];

		vm_mac_format(n->mac, mac, sizeof(mac));
		if (n->mac[0] & 1) {
			snprintf(err, errlen, "nets[%u].mac: %s is a multicast address", i, mac);
			return -EINVAL;
		}
		if (!memcmp(n->mac, zero, sizeof(zero))) {
			snprintf(err, errlen, "nets[%u].mac: %s is all zeros", i, mac);
			return -EINVAL;
		}
	}
	for (unsigned j = 0; j < i; j++) {
		const struct vm_net *o = &cfg->nets[j];

		if (!strcmp(o->tap, n->tap)) {
			snprintf(err, errlen, "nets[%u].tap: %s is also nets[%u].tap", i,
				 quote(n->tap, q, sizeof(q)), j);
			return -EINVAL;
		}
		if (n->has_mac && o->has_mac && !memcmp(o->mac, n->mac, sizeof(n->mac))) {
			snprintf(err, errlen, "nets[%u].mac: %s is also nets[%u].mac", i, mac, j);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_irqchip(const struct irqchip_pref *p, char *err, size_t errlen)
{
	if (!p->n || p->n > IRQCHIP_LIST_MAX) {
		snprintf(err, errlen, "machine.irqchip: %u entries (expected 1-%d)", p->n,
			 IRQCHIP_LIST_MAX);
		return -EINVAL;
	}
	for (unsigned i = 0; i < p->n; i++) {
		if ((unsigned)p->kind[i] >= IRQCHIP_KIND_NR) {
			snprintf(err, errlen, "machine.irqchip[%u]: invalid kind %d", i,
				 p->kind[i]);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++) {
			if (p->kind[j] == p->kind[i]) {
				snprintf(err, errlen,
					 "machine.irqchip[%u]: \"%s\" is listed twice", i,
					 irqchip_kind_name(p->kind[i]));
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Files kestrel writes must not be one of the files it reads, nor each other. */
static int check_outputs(const struct vm_config *cfg, char *err, size_t errlen)
{
	struct named {
		const char *path;
		const char *v;
	} files[2 + VM_MAX_DISKS + 4];
	static const char *const disk_paths[VM_MAX_DISKS] = {
		"disks[0].path", "disks[1].path", "disks[2].path", "disks[3].path",
		"disks[4].path", "disks[5].path", "disks[6].path", "disks[7].path",
	};
	size_t n = 0, first_out;
	char q[QBUF];

	files[n++] = (struct named){ "kernel.path", cfg->kernel };
	files[n++] = (struct named){ "kernel.initrd", cfg->initrd };
	for (unsigned i = 0; i < cfg->nr_disks; i++)
		files[n++] = (struct named){ disk_paths[i], cfg->disks[i].path };
	first_out = n;
	files[n++] = (struct named){ "debug.dump_dtb", cfg->dump_dtb };
	files[n++] = (struct named){ "log.file", cfg->log_file };
	files[n++] = (struct named){ "api.socket", cfg->api_socket };
	files[n++] = (struct named){ "serial", cfg->serial_path };
	for (size_t i = first_out; i < n; i++) {
		if (!files[i].v)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j == i || !files[j].v || strcmp(files[i].v, files[j].v))
				continue;
			snprintf(err, errlen, "%s: %s is also %s", files[i].path,
				 quote(files[i].v, q, sizeof(q)), files[j].path);
			return -EINVAL;
		}
	}
	return 0;
}

int vm_config_validate(const struct vm_config *cfg, enum vm_config_check check, char *err,
		       size_t errlen)
{
	char q[QBUF], sz[32];
	int ret;

	if (!cfg->kernel) {
		if (check == VM_CHECK_WHOLE) {
			snprintf(err, errlen, "kernel.path: missing");
			return -EINVAL;
		}
	} else {
		ret = check_path("kernel.path", cfg->kernel, VM_PATH_MAX, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->initrd) {
		ret = check_path("kernel.initrd", cfg->initrd, VM_PATH_MAX, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->cmdline && strlen(cfg->cmdline) > VM_CMDLINE_MAX) {
		snprintf(err, errlen, "kernel.cmdline: %s is %zu bytes long, at most %d",
			 quote(cfg->cmdline, q, sizeof(q)), strlen(cfg->cmdline), VM_CMDLINE_MAX);
		return -EINVAL;
	}
	if (cfg->cpus < 1 || cfg->cpus > VM_MAX_CPUS) {
		snprintf(err, errlen, "machine.cpus: %u is out of range (1-%d)", cfg->cpus,
			 VM_MAX_CPUS);
		return -EINVAL;
	}
	vm_size_format(cfg->memory, sz, sizeof(sz));
	if (cfg->memory < VM_MIN_MEMORY) {
		snprintf(err, errlen, "machine.memory: %s is less than the minimum 64M", sz);
		return -EINVAL;
	}
	if (cfg->memory > VM_MAX_MEMORY) {
		snprintf(err, errlen, "machine.memory: %s is more than the maximum 4096T", sz);
		return -EINVAL;
	}
	if (cfg->memory % VM_MEMORY_ALIGN) {
		snprintf(err, errlen, "machine.memory: %s is not a multiple of 2M", sz);
		return -EINVAL;
	}
	ret = check_irqchip(&cfg->irqchip, err, errlen);
	if (ret)
		return ret;
	if ((unsigned)cfg->on_reboot >= ARRAY_SIZE(on_reboot_names)) {
		snprintf(err, errlen, "machine.on_reboot: invalid value %d", cfg->on_reboot);
		return -EINVAL;
	}
	if (cfg->shutdown_timeout > VM_MAX_SHUTDOWN_TIMEOUT) {
		snprintf(err, errlen, "machine.shutdown_timeout: %u is out of range (0-%d)",
			 cfg->shutdown_timeout, VM_MAX_SHUTDOWN_TIMEOUT);
		return -EINVAL;
	}
	if (cfg->nr_disks > VM_MAX_DISKS) {
		snprintf(err, errlen, "disks: %u entries, at most %d", cfg->nr_disks, VM_MAX_DISKS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < cfg->nr_disks; i++) {
		ret = check_disk(cfg, i, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->nr_nets > VM_MAX_NETS) {
		snprintf(err, errlen, "nets: %u entries, at most %d", cfg->nr_nets, VM_MAX_NETS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < cfg->nr_nets; i++) {
		ret = check_net(cfg, i, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->vsock.enabled &&
	    (cfg->vsock.cid < VM_VSOCK_CID_MIN || cfg->vsock.cid > VM_VSOCK_CID_MAX)) {
		snprintf(err, errlen, "vsock.cid: %u is out of range (%d-%u)", cfg->vsock.cid,
			 VM_VSOCK_CID_MIN, VM_VSOCK_CID_MAX);
		return -EINVAL;
	}
	if ((unsigned)cfg->serial >= ARRAY_SIZE(serial_names)) {
		snprintf(err, errlen, "serial: invalid value %d", cfg->serial);
		return -EINVAL;
	}
	if (cfg->serial == VM_SERIAL_FILE || cfg->serial == VM_SERIAL_SOCKET) {
		if (!cfg->serial_path) {
			snprintf(err, errlen, "serial: \"%s\" needs a path (%s=PATH)",
				 vm_serial_name(cfg->serial), vm_serial_name(cfg->serial));
			return -EINVAL;
		}
		ret = check_path("serial", cfg->serial_path,
				 cfg->serial == VM_SERIAL_FILE ? VM_PATH_MAX : VM_SOCKET_PATH_MAX,
				 err, errlen);
		if (ret)
			return ret;
	} else if (cfg->serial_path) {
		snprintf(err, errlen, "serial: \"%s\" takes no path", vm_serial_name(cfg->serial));
		return -EINVAL;
	}
	if ((unsigned)cfg->seccomp >= ARRAY_SIZE(seccomp_names)) {
		snprintf(err, errlen, "seccomp: invalid value %d", cfg->seccomp);
		return -EINVAL;
	}
	if ((unsigned)cfg->log_level >= ARRAY_SIZE(log_level_names)) {
		snprintf(err, errlen, "log.level: invalid value %d", cfg->log_level);
		return -EINVAL;
	}
	if (cfg->log_file) {
		ret = check_path("log.file", cfg->log_file, VM_PATH_MAX, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->api_socket) {
		ret = check_path("api.socket", cfg->api_socket, VM_SOCKET_PATH_MAX, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->dump_dtb) {
		ret = check_path("debug.dump_dtb", cfg->dump_dtb, VM_PATH_MAX, err, errlen);
		if (ret)
			return ret;
	}
	return check_outputs(cfg, err, errlen);
}
