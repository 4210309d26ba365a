/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-thread seccomp allowlists (KVM glue: built for aarch64 only, linked
 * with libseccomp). docs/security.md lists every system call of every role
 * with its reason.
 *
 * Roles: one allowlist per kind of thread. The vCPU, the I/O worker (block
 * I/O on a disk fd) and the device role (the virtio-net worker, the vsock
 * forwarder, other eventfd-driven device threads) are narrow. The main role is the union of every other
 * role plus what the main thread itself needs to rebuild the VM after a
 * guest reset (KVM_CREATE_VM, mmap, read-only open of the kernel and initrd,
 * thread creation, installing the other roles' filters, ...).
 *
 * Why main is a superset: a filter applies to the thread that installs it
 * and to every thread that thread creates afterwards, and filters only add
 * up (a syscall must pass every filter a thread carries). A thread created
 * by a filtered thread is therefore limited to its creator's list before it
 * installs its own. The main thread installs its filter before it starts the
 * first vCPU threads and creates every later thread (vCPUs after a rebuild,
 * device threads) under it, so its list must hold each other role's list
 * plus the thread start-up syscalls (set_robust_list, rseq) and
 * prctl/seccomp for the new thread's own install. Consequence for callers:
 * create a thread only from a thread whose role is a superset of the new
 * thread's role, that is from the main thread (or before any filter).
 * A vCPU thread must not create device threads: they would be confined to
 * the vCPU list.
 *
 * Order: seccomp_filters_create() on the main thread before any filter is
 * installed and before any thread is started (it compiles all the BPF
 * programs, so no thread ever calls into libseccomp or allocates to
 * install); seccomp_install() by each thread for itself, after its set-up
 * and before it touches guest-controlled data; seccomp_filters_destroy()
 * after every thread that may still install has been joined.
 *
 * Violations (--seccomp on, the default): SECCOMP_RET_TRAP. A SIGSYS handler
 * writes one line "kestrel: seccomp: vcpu thread: forbidden syscall openat
 * (56)" to stderr, puts the terminal back the way kestrel found it, and
 * exits with status 1 (EXIT_FAILURE_VMM). It only uses precomputed data and
 * async-signal-safe calls. seccomp_install() unblocks SIGSYS in the calling
 * thread: a thread that carries a filter with SIGSYS blocked (and never
 * called seccomp_install) dies by SIGSYS without the message.
 * --seccomp log: SECCOMP_RET_LOG, every syscall outside the list is allowed
 * and reported by the kernel's audit log (docs/security.md: how to read it).
 * --seccomp off: nothing is compiled or installed.
 *
 * Process-wide state (the SIGSYS handler needs it; written by
 * seccomp_filters_create() before any filter exists, read-only afterwards):
 * the syscall name table, the console's fd and saved termios, and a
 * thread-local pointer to the calling thread's role name.
 */
#ifndef KESTREL_VMM_SECCOMP_H
#define KESTREL_VMM_SECCOMP_H

#include "vmm/console.h"
#include "vmm/vm_config.h"

enum seccomp_role {
	SECCOMP_ROLE_MAIN,	/* event loop, VM (re)build, teardown */
	SECCOMP_ROLE_VCPU,	/* KVM_RUN loop and the MMIO devices it calls */
	SECCOMP_ROLE_IO_WORKER,	/* block I/O: preadv/pwritev/fdatasync/fallocate */
	SECCOMP_ROLE_DEVICE,	/* net worker, vsock forwarder: readv/writev/ppoll */
	SECCOMP_NR_ROLES,
};

struct seccomp_filters;		/* one compiled BPF program per role */

/*
 * Compiles the filters for @cfg->seccomp: *@out = NULL for VM_SECCOMP_OFF
 * (seccomp_install() is then a no-op). @con is the console whose terminal
 * the SIGSYS handler restores (NULL, or not in raw mode: none); its fd and
 * saved termios are copied. With @cfg->dump_dtb set, the main role may also
 * open a file with O_WRONLY | O_CREAT | O_TRUNC, since every rebuild writes
 * the DTB again. Installs the SIGSYS handler for VM_SECCOMP_ON.
 * Main thread, before any filter is installed. Returns 0, or -errno
 * (logged: -ENOMEM, or libseccomp's error).
 */
int seccomp_filters_create(const struct vm_config *cfg, const struct console *con,
			   struct seccomp_filters **out);

/*
 * Sets PR_SET_NO_NEW_PRIVS and loads @role's filter on the calling thread
 * (and on threads it creates later), after unblocking SIGSYS. @f may be
 * NULL (seccomp off): returns 0 and does nothing. Any thread, once per
 * thread; allocates nothing. Returns 0 or -errno (logged).
 */
int seccomp_install(struct seccomp_filters *f, enum seccomp_role role);

/* Frees @f (NULL is fine). Installed filters stay in force. */
void seccomp_filters_destroy(struct seccomp_filters *f);

/* "main", "vcpu", "io-worker", "device". */
const char *seccomp_role_name(enum seccomp_role role);

#ifdef KESTREL_TEST_HOOKS
/*
 * Test builds only (-Dtest_hooks=true): when --test-seccomp-violation names
 * @role, the first call for that role issues openat("/etc/hostname", O_RDWR),
 * which no role allows. No-op when @f is NULL.
 */
void seccomp_test_violation(struct seccomp_filters *f, enum seccomp_role role);
#else
static inline void seccomp_test_violation(struct seccomp_filters *f, enum seccomp_role role)
{
}
#endif

#endif
