/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one description of a VM, filled from command-line flags (vmm/cli.c)
 * and JSON config files (vmm/config_json.c), checked by vm_config_validate()
 * and handed to vm_run(). docs/config.md describes every field; the
 * functions below live in vmm/vm_config.c and are pure (no I/O, any thread
 * on a config it alone uses).
 *
 * Strings: every `const char *` member is NULL (unset), a string literal
 * (the default cmdline) or a copy owned by the config itself, made with
 * vm_config_strdup(); vm_config_free() releases those copies. Nothing points
 * into argv or into a parsed JSON document, so a config outlives both.
 * Replacing a string (a flag overriding a file value) leaves the old copy in
 * the config's store until vm_config_free(). A struct copy shares the store:
 * free exactly one of the copies, and only after the others are done.
 *
 * Threads: filled and validated by the main thread before the VM is built;
 * read-only afterwards, so any thread may read it then.
 */
#ifndef KESTREL_VMM_VM_CONFIG_H
#define KESTREL_VMM_VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irqchip/irqchip_select.h"
#include "lib/log.h"

enum on_reboot { ON_REBOOT_RESTART, ON_REBOOT_EXIT };

/* Where the guest's serial port goes (vmm/serial_out.h). */
enum vm_serial {
	VM_SERIAL_STDIO,	/* kestrel's stdin and stdout */
	VM_SERIAL_OFF,		/* nowhere */
	VM_SERIAL_PTY,		/* a new pseudo-terminal */
	VM_SERIAL_FILE,		/* appended to serial_path */
	VM_SERIAL_SOCKET,	/* a Unix socket at serial_path, one client at a time */
};

/* The VMM's seccomp filter: enforced, logging only, or not installed. */
enum vm_seccomp { VM_SECCOMP_ON, VM_SECCOMP_LOG, VM_SECCOMP_OFF };

#ifdef KESTREL_TEST_HOOKS
/* Test builds only: --test-seccomp-violation=vcpu|main (vmm/seccomp.h). */
enum vm_test_violation { VM_TEST_VIOLATION_NONE, VM_TEST_VIOLATION_VCPU, VM_TEST_VIOLATION_MAIN };
#endif

/* Exit statuses of `kestrel` (documented in --help and README). */
enum kestrel_exit {
	EXIT_POWEROFF = 0,	/* guest powered off */
	EXIT_FAILURE_VMM = 1,	/* VMM or guest failure */
	EXIT_USAGE = 2,		/* usage or config error */
	EXIT_GUEST_RESET = 3,	/* guest reset with --on-reboot exit */
	EXIT_STOPPED = 4,	/* stopped from outside: a signal, Ctrl-a x, the API */
};

#define VM_DEFAULT_CPUS 1
#define VM_MAX_CPUS 4096	/* before the host is asked; KVM's own limit is checked later */
#define VM_DEFAULT_MEMORY (256ULL << 20)
#define VM_MIN_MEMORY (64ULL << 20)
#define VM_MAX_MEMORY (1ULL << 52)	/* 4096T: the largest arm64 IPA space */
#define VM_MEMORY_ALIGN (2ULL << 20)
#define VM_DEFAULT_CMDLINE "console=ttyS0 earlycon=uart,mmio,0x09000000 panic=-1"
#define VM_CMDLINE_MAX 2047	/* arm64 COMMAND_LINE_SIZE less the NUL */
#define VM_PATH_MAX 4095	/* PATH_MAX less the NUL */
#define VM_SOCKET_PATH_MAX 107	/* sizeof(sun_path) less the NUL */

#define VM_MAX_DISKS 8
#define VM_DISK_ID_MAX 20	/* virtio-blk serial (VIRTIO_BLK_ID_BYTES), no NUL needed */
#define VM_MAX_NETS 4
#define VM_TAP_NAME_MAX 15	/* IFNAMSIZ - 1 */
#define VM_VSOCK_CID_MIN 3	/* 0-2 are the hypervisor, local and host */
#define VM_VSOCK_CID_MAX 0xfffffffeU /* 0xffffffff is VMADDR_CID_ANY */

struct vm_disk {
	const char *path;	/* image file, required */
	const char *id;		/* virtio-blk serial, NULL for none; 1-20 printable ASCII */
	bool readonly;
};

struct vm_net {
	const char *tap;	/* host tap interface, 1-15 bytes, required */
	uint8_t mac[6];		/* guest MAC when has_mac: unicast, not all zero */
	bool has_mac;		/* false: the device picks one */
};

struct vm_vsock {
	bool enabled;
	uint32_t cid;		/* guest context ID when enabled */
};

struct vm_config_str;		/* the config's string store (vm_config_strdup) */

struct vm_config {
	/* kernel */
	const char *kernel;	/* Image path, required to run */
	const char *initrd;	/* NULL: none */
	const char *cmdline;
	/* machine */
	uint32_t cpus;
	uint64_t memory;	/* bytes, VM_MIN_MEMORY-VM_MAX_MEMORY, multiple of VM_MEMORY_ALIGN */
	bool hugepages;
	struct irqchip_pref irqchip;
	enum on_reboot on_reboot;
	/* devices */
	struct vm_disk disks[VM_MAX_DISKS];
	unsigned nr_disks;
	struct vm_net nets[VM_MAX_NETS];
	unsigned nr_nets;
	bool rng;
	struct vm_vsock vsock;
	enum vm_serial serial;
	const char *serial_path;	/* file and socket modes only, else NULL */
	/* VMM */
	enum vm_seccomp seccomp;
	enum log_level log_level;
	const char *log_file;	/* NULL: stderr */
	const char *api_socket;	/* NULL: no API socket */
	unsigned shutdown_timeout; /* s: power button (SIGTERM) to hard stop */
#ifdef KESTREL_TEST_HOOKS
	enum vm_test_violation test_seccomp_violation;	/* hidden flag, test builds only */
#endif
	/* debugging */
	const char *dump_dtb;	/* NULL: do not write the DTB out */
	bool stats;

	struct vm_config_str *strings; /* owned copies, see the top of this file */
};

/* Which requirements vm_config_validate() applies besides consistency. */
enum vm_config_check {
	VM_CHECK_PART,	/* a part that later flags may complete: kernel may be unset */
	VM_CHECK_WHOLE,	/* ready to run: kernel set */
};

#define VM_DEFAULT_SHUTDOWN_TIMEOUT 30 /* s */
#define VM_MAX_SHUTDOWN_TIMEOUT 3600 /* s */

/* Fills @cfg with the defaults (docs/config.md); it owns no strings yet. */
void vm_config_defaults(struct vm_config *cfg);

/*
 * Frees the strings @cfg owns and resets it to vm_config_defaults(), so a
 * second call is harmless. Any pointer taken from @cfg is then invalid.
 */
void vm_config_free(struct vm_config *cfg);

/*
 * Copies @len bytes of @s plus a NUL into @cfg's store. Returns the copy,
 * owned by @cfg until vm_config_free(), or NULL when out of memory.
 */
const char *vm_config_strdup(struct vm_config *cfg, const char *s, size_t len);

/*
 * Checks every field's range and format and the settings against each other
 * (two disks on one path or with one id, two nets on one tap or with one
 * MAC, ...). Pure, touches no file. Returns 0, or -EINVAL with one line
 * "PATH: message" in @err, PATH being the field's JSON path as in
 * docs/config.md (e.g. "disks[1].id: \"root\" is also disks[0].id").
 */
int vm_config_validate(const struct vm_config *cfg, enum vm_config_check check, char *err,
		       size_t errlen);

/* Names as in the JSON document and the flags: "restart", "stdio", "log", ... */
const char *vm_on_reboot_name(enum on_reboot v);
const char *vm_serial_name(enum vm_serial v);
const char *vm_seccomp_name(enum vm_seccomp v);
const char *vm_log_level_name(enum log_level v);
/* Parse those names: 0, or -EINVAL for any other text. */
int vm_on_reboot_parse(const char *s, enum on_reboot *out);
/*
 * "stdio", "off", "pty", "file=PATH" or "socket=PATH": 0 with *@path pointing
 * into @s after the '=' (possibly empty; validation refuses that) or NULL,
 * or -EINVAL for any other text.
 */
int vm_serial_parse(const char *s, enum vm_serial *out, const char **path);
/* Writes the value as vm_serial_parse() reads it: "stdio", "file=PATH"... */
void vm_serial_format(enum vm_serial v, const char *path, char *buf, size_t len);
/* The accepted forms, for messages. */
#define VM_SERIAL_EXPECTED "stdio, off, pty, file=PATH or socket=PATH"
int vm_seccomp_parse(const char *s, enum vm_seccomp *out);

/* "52:54:00:12:34:56" (hex, either case, exactly 17 characters): 0 or -EINVAL. */
int vm_mac_parse(const char *s, uint8_t mac[6]);
/* Writes "52:54:00:12:34:56" into @buf (at least 18 bytes). */
void vm_mac_format(const uint8_t mac[6], char *buf, size_t len);

/* Writes @bytes as "1T", "2G" or "256M" when a whole number of those, else as plain bytes. */
void vm_size_format(uint64_t bytes, char *buf, size_t len);

#endif
