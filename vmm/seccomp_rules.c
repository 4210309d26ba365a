// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seccomp allowlists' one table: see vmm/seccomp_rules.h.
 * docs/security.md gives the same lists with their reasons; keep both in
 * step.
 */
#include "vmm/seccomp_rules.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vhost.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>

#define VCPU SECCOMP_ROLE_BIT(SECCOMP_ROLE_VCPU)
#define IO SECCOMP_ROLE_BIT(SECCOMP_ROLE_IO_WORKER)
#define DEV SECCOMP_ROLE_BIT(SECCOMP_ROLE_DEVICE)
#define MAIN SECCOMP_ROLE_BIT(SECCOMP_ROLE_MAIN)
#define ALL (VCPU | IO | DEV)	/* and main, which takes every rule */

#define EQ(i, v) { .arg = (i), .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)(v) }
#define MASKED(i, m, v) \
	{ .arg = (i), .op = SCMP_CMP_MASKED_EQ, .datum_a = (scmp_datum_t)(m), \
	  .datum_b = (scmp_datum_t)(v) }
#define ANY(name, r) { .nr = SCMP_SYS(name), .roles = (r) }
#define ARG1(name, r, a0) { .nr = SCMP_SYS(name), .roles = (r), .nargs = 1, .arg = { a0 } }
#define ARG2(name, r, a0, a1) \
	{ .nr = SCMP_SYS(name), .roles = (r), .nargs = 2, .arg = { a0, a1 } }
#define IOCTL(req, r) ARG1(ioctl, r, EQ(1, req))

/* Flags that make an open write or create something. */
#define OPEN_WRITE_MASK \
	(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | (O_TMPFILE & ~O_DIRECTORY))
/* A thread, not a process: shares memory, files, signal handlers; no new namespace. */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define CLONE_NS_FLAGS \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
	 CLONE_NEWNET | CLONE_NEWCGROUP)

/* The reasons are in docs/security.md, in this order. */
const struct seccomp_rule seccomp_rules[] = {
	/* every thread */
	ANY(write, ALL),
	ANY(futex, ALL),
	ANY(rt_sigprocmask, ALL),
	ANY(getpid, ALL),
	{ .nr = SCMP_SYS(tgkill), .roles = ALL, .from = SECCOMP_FROM_PID, .nargs = 1,
	  .arg = { EQ(0, 0) } },
	IOCTL(KVM_IRQ_LINE, ALL),
	{ .nr = SCMP_SYS(ioctl), .roles = ALL, .from = SECCOMP_FROM_CONSOLE_FD, .nargs = 2,
	  .arg = { EQ(0, 0), EQ(1, TCSETS) } },
	{ .nr = SCMP_SYS(ioctl), .roles = ALL, .from = SECCOMP_FROM_CONSOLE_FD, .nargs = 2,
	  .arg = { EQ(0, 0), EQ(1, TCGETS) } },	/* glibc's tcsetattr checks with TCGETS */
	ARG1(mmap, ALL, MASKED(2, PROT_EXEC, 0)),
	ARG1(mprotect, ALL, MASKED(2, PROT_EXEC, 0)),
	ANY(munmap, ALL),
	ANY(brk, ALL),
	ARG1(madvise, ALL, EQ(2, MADV_DONTNEED)),
	ANY(exit, ALL),
	ANY(exit_group, ALL),
	ANY(restart_syscall, ALL),
	/* vCPU threads (and some device threads) */
	IOCTL(KVM_RUN, VCPU),
	IOCTL(KVM_GET_ONE_REG, VCPU),
	/* hostile: an external abort for an access KVM cannot decode (vcpu_loop.c) */
	IOCTL(KVM_SET_VCPU_EVENTS, VCPU),
	ANY(rt_sigreturn, VCPU),
	ANY(clock_gettime, VCPU | DEV),
	ANY(read, VCPU | IO | DEV),
	ANY(getrandom, VCPU),
	/* virtio-vsock activation and reset on the vCPU that writes Status */
	IOCTL(VHOST_SET_FEATURES, VCPU),
	IOCTL(VHOST_SET_MEM_TABLE, VCPU),
	IOCTL(VHOST_SET_VRING_NUM, VCPU),
	IOCTL(VHOST_SET_VRING_BASE, VCPU),
	IOCTL(VHOST_SET_VRING_ADDR, VCPU),
	IOCTL(VHOST_SET_VRING_KICK, VCPU),
	IOCTL(VHOST_SET_VRING_CALL, VCPU),
	IOCTL(VHOST_VSOCK_SET_RUNNING, VCPU),
	/* virtio-net activation on the vCPU that writes Status: the tap's offloads */
	IOCTL(TUNSETOFFLOAD, VCPU),
	/* I/O workers and device threads */
	ANY(ppoll, IO | DEV),
	ANY(preadv, IO),
	ANY(pwritev, IO),
	ANY(fdatasync, IO),
	ARG1(fallocate, IO, EQ(1, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)),
	ARG1(fallocate, IO, EQ(1, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE)),
	ANY(readv, DEV),
	ANY(writev, DEV),
	/* the main thread only: rebuilding the VM, starting threads, teardown */
	ANY(close, MAIN),
	{ .nr = SCMP_SYS(openat), .roles = MAIN, .when = SECCOMP_WHEN_DUMP_DTB, .nargs = 1,
	  .arg = { MASKED(2, OPEN_WRITE_MASK, O_WRONLY | O_CREAT | O_TRUNC) } },
	ANY(newfstatat, MAIN),
	ANY(lseek, MAIN),
	ARG1(fcntl, MAIN, EQ(1, F_GETFL)),
	ARG1(fcntl, MAIN, EQ(1, F_SETFL)),
	ANY(eventfd2, MAIN),
	ANY(mremap, MAIN),
	ARG1(clone, MAIN, MASKED(0, CLONE_THREAD_FLAGS | CLONE_NS_FLAGS, CLONE_THREAD_FLAGS)),
	ANY(set_robust_list, MAIN),
	ARG1(rt_sigaction, MAIN, EQ(0, __SIGRTMIN + 1)),	/* glibc's SIGSETXID */
	ANY(rseq, MAIN),
	ARG2(prctl, MAIN, EQ(0, PR_SET_NO_NEW_PRIVS), EQ(1, 1)),
	ARG2(seccomp, MAIN, EQ(0, SECCOMP_SET_MODE_FILTER), EQ(1, 0)),
	IOCTL(KVM_CREATE_VM, MAIN),
	/* hostile: KVM_CAP_ARM_NISV_TO_USER on every VM build (vm.c) */
	IOCTL(KVM_ENABLE_CAP, MAIN),
	IOCTL(KVM_SET_USER_MEMORY_REGION, MAIN),
	IOCTL(KVM_CREATE_VCPU, MAIN),
	IOCTL(KVM_ARM_PREFERRED_TARGET, MAIN),
	IOCTL(KVM_ARM_VCPU_INIT, MAIN),
	IOCTL(KVM_SET_ONE_REG, MAIN),
	IOCTL(KVM_CREATE_DEVICE, MAIN),
	IOCTL(KVM_SET_DEVICE_ATTR, MAIN),
	IOCTL(KVM_IOEVENTFD, MAIN),	/* lead: virtio wiring on a rebuild (not vsock-specific) */
	IOCTL(KVM_IRQFD, MAIN),
	/* the main loop: graceful-stop timers, console output to a socket */
	ANY(timerfd_settime, MAIN),
	ARG1(sendto, MAIN, MASKED(3, MSG_DONTWAIT | MSG_NOSIGNAL, MSG_DONTWAIT | MSG_NOSIGNAL)),
	{ .nr = SCMP_SYS(accept4), .roles = MAIN, .when = SECCOMP_WHEN_UNIX_SOCKET },
	{ .nr = SCMP_SYS(unlinkat), .roles = MAIN, .when = SECCOMP_WHEN_UNIX_SOCKET },
	/* the API server (one epoll fd for its socket, clients and timer) */
	{ .nr = SCMP_SYS(epoll_pwait), .roles = MAIN, .when = SECCOMP_WHEN_UNIX_SOCKET },
	{ .nr = SCMP_SYS(epoll_ctl), .roles = MAIN, .when = SECCOMP_WHEN_UNIX_SOCKET },
	/*
	 * PATCH /drives/{id} (vm_api.c drive_update): the new image, opened
	 * read-write or read-only as the drive is, non-blocking (a FIFO must
	 * not block the loop), only with --api-socket. Separate from the
	 * general read-only openat above on purpose: it stays when that goes.
	 */
	{ .nr = SCMP_SYS(openat), .roles = MAIN, .when = SECCOMP_WHEN_API_SOCKET, .nargs = 1,
	  .arg = { EQ(2, O_RDWR | O_CLOEXEC | O_NONBLOCK) } },
	{ .nr = SCMP_SYS(openat), .roles = MAIN, .when = SECCOMP_WHEN_API_SOCKET, .nargs = 1,
	  .arg = { EQ(2, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } },
};

const size_t seccomp_nr_rules = sizeof(seccomp_rules) / sizeof(seccomp_rules[0]);
