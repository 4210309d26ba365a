// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-thread seccomp allowlists, compiled from the one table of rules in
 * vmm/seccomp_rules.c; each rule names the roles it is for, and the main
 * role takes every rule (see vmm/seccomp.h for why).
 */
#include "vmm/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "lib/log.h"
#include "vmm/seccomp_rules.h"


static const char *const role_names[SECCOMP_NR_ROLES] = {
	[SECCOMP_ROLE_MAIN] = "main",
	[SECCOMP_ROLE_VCPU] = "vcpu",
	[SECCOMP_ROLE_IO_WORKER] = "io-worker",
	[SECCOMP_ROLE_DEVICE] = "device",
};

struct seccomp_filters {
	struct sock_fprog prog[SECCOMP_NR_ROLES];
#ifdef KESTREL_TEST_HOOKS
	int test_role;		/* -1: no test violation */
	atomic_bool test_fired;
#endif
};

/*
 * ---- What the SIGSYS handler reads: process-wide, written only by
 * seccomp_filters_create() on the main thread before any filter is
 * installed, read-only afterwards (the only mutable file-scope data). ----
 */
#define NAME_NR_MAX 512		/* aarch64 has about 450 syscalls */
#define NAME_POOL_SIZE 8192
static struct {
	uint16_t off[NAME_NR_MAX];	/* into pool; 0: unknown */
	char pool[NAME_POOL_SIZE];
	bool console;		/* restore @termios on @fd */
	int fd;
	struct termios termios;
} handler_state;
/* The calling thread's role name, set by seccomp_install(). */
static _Thread_local const char *thread_role;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

const char *seccomp_role_name(enum seccomp_role role)
{
	return (unsigned int)role < SECCOMP_NR_ROLES ? role_names[role] : "unknown";
}

/* Resolves every syscall name now: libseccomp allocates, a signal handler must not. */
static void names_init(void)
{
	size_t used = 1;	/* offset 0 means "no name" */

	for (int nr = 0; nr < NAME_NR_MAX; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		size_t len = name ? strlen(name) + 1 : 0;

		if (name && used + len <= sizeof(handler_state.pool)) {
			memcpy(handler_state.pool + used, name, len);
			handler_state.off[nr] = (uint16_t)used;
			used += len;
		}
		free(name);
	}
}

static void put_str(char *buf, size_t size, size_t *n, const char *s)
{
	while (*s && *n < size)
		buf[(*n)++] = *s++;
}

static void put_uint(char *buf, size_t size, size_t *n, unsigned long v)
{
	char digits[24];
	size_t i = 0;

	do {
		digits[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i && *n < size)
		buf[(*n)++] = digits[--i];
}

/* Async-signal-safe: formats into a stack buffer, write(2), tcsetattr(3), _exit(2). */
static void sigsys_handler(int sig, siginfo_t *si, void *uctx)
{
	int nr = si->si_syscall;
	const char *role = thread_role ? thread_role : "unknown";
	const char *name = "?";
	char line[160];
	size_t n = 0;

	if (nr >= 0 && nr < NAME_NR_MAX && handler_state.off[nr])
		name = handler_state.pool + handler_state.off[nr];
	put_str(line, sizeof(line) - 1, &n, "kestrel: seccomp: ");
	put_str(line, sizeof(line) - 1, &n, role);
	put_str(line, sizeof(line) - 1, &n, " thread: forbidden syscall ");
	put_str(line, sizeof(line) - 1, &n, name);
	put_str(line, sizeof(line) - 1, &n, " (");
	put_uint(line, sizeof(line) - 1, &n, (unsigned long)(unsigned int)nr);
	put_str(line, sizeof(line) - 1, &n, ")");
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nothing left to report to */
	}
	/* after the report: it must get out even if this went wrong */
	if (handler_state.console)
		tcsetattr(handler_state.fd, TCSANOW, &handler_state.termios);
	_exit(EXIT_FAILURE_VMM);
}

static int install_sigsys_handler(void)
{
	struct sigaction sa = { .sa_sigaction = sigsys_handler, .sa_flags = SA_SIGINFO };

	sigfillset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL)) {
		int err = errno;

		log_err("seccomp: sigaction(SIGSYS): %s", strerror(err));
		return -err;
	}
	return 0;
}

/* Reads the BPF program libseccomp exported into @fd. Returns 0 or -errno. */
static int read_prog(int fd, struct sock_fprog *prog)
{
	size_t max = (BPF_MAXINSNS + 1) * sizeof(struct sock_filter), len = 0;
	uint8_t *buf = malloc(max);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r = read(fd, buf + len, max - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN) {
			int err = errno;

			free(buf);
			return -err;
		}
		if (r <= 0 || len + (size_t)r == max) {
			if (r > 0)
				len += (size_t)r;
			break;
		}
		len += (size_t)r;
	}
	if (!len || len % sizeof(struct sock_filter) ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		free(buf);
		return -E2BIG;
	}
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)buf;
	return 0;
}

/* Adds @r to @ctx with its run-time data. Returns 0 or libseccomp's -errno. */
static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *r, int con_fd)
{
	struct scmp_arg_cmp arg[2];

	memcpy(arg, r->arg, sizeof(arg));
	if (r->from == SECCOMP_FROM_PID)
		arg[0].datum_a = (scmp_datum_t)getpid();
	else if (r->from == SECCOMP_FROM_CONSOLE_FD)
		arg[0].datum_a = (scmp_datum_t)con_fd;
	return seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW, r->nr, r->nargs, arg);
}

static bool rule_applies(const struct seccomp_rule *r, enum seccomp_role role,
			 const struct vm_config *cfg, int con_fd)
{
	if (role != SECCOMP_ROLE_MAIN && !(r->roles & SECCOMP_ROLE_BIT(role)))
		return false;
	if (r->when == SECCOMP_WHEN_UNIX_SOCKET && cfg->serial != VM_SERIAL_SOCKET &&
	    !cfg->api_socket)
		return false;
	if (r->when == SECCOMP_WHEN_DUMP_DTB && !cfg->dump_dtb)
		return false;
	if (r->when == SECCOMP_WHEN_API_SOCKET && !cfg->api_socket)
		return false;
	return r->from != SECCOMP_FROM_CONSOLE_FD || con_fd >= 0;
}

/* Number of distinct syscalls @role allows (the size given in docs/security.md). */
static unsigned int role_size(enum seccomp_role role, const struct vm_config *cfg)
{
	unsigned int n = 0;

	for (size_t i = 0; i < seccomp_nr_rules; i++) {
		bool seen = false;

		if (!rule_applies(&seccomp_rules[i], role, cfg, 0))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = seccomp_rules[j].nr == seccomp_rules[i].nr && rule_applies(&seccomp_rules[j], role, cfg, 0);
		n += !seen;
	}
	return n;
}

/* Compiles @role's filter into @prog. Returns 0 or -errno (logged). */
static int compile_role(enum seccomp_role role, const struct vm_config *cfg, int con_fd,
			struct sock_fprog *prog)
{
	uint32_t def = cfg->seccomp == VM_SECCOMP_LOG ? SCMP_ACT_LOG : SCMP_ACT_TRAP;
	int pipe_fd[2] = { -1, -1 };
	scmp_filter_ctx ctx;
	const char *what;
	int ret;

	ctx = seccomp_init(def);
	if (!ctx) {
		log_err("seccomp: seccomp_init for the %s role failed", role_names[role]);
		return -ENOMEM;
	}
	what = "seccomp_attr_set(ACT_BADARCH)";
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; !ret && i < seccomp_nr_rules; i++) {
		if (!rule_applies(&seccomp_rules[i], role, cfg, con_fd))
			continue;
		what = "seccomp_rule_add";
		ret = add_rule(ctx, &seccomp_rules[i], con_fd);
	}
	/* glibc tries clone3 first (its flags are out of the filter's sight) and
	 * falls back to clone on ENOSYS. */
	if (!ret && role == SECCOMP_ROLE_MAIN) {
		what = "seccomp_rule_add(clone3)";
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	}
	if (!ret) {
		what = "pipe2";
		ret = pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK) ? -errno : 0;
	}
	if (!ret) {
		what = "seccomp_export_bpf";
		ret = seccomp_export_bpf(ctx, pipe_fd[1]);
	}
	if (!ret) {
		what = "reading the BPF program";
		ret = read_prog(pipe_fd[0], prog);
	}
	if (ret)
		log_err("seccomp: %s role: %s: %s", role_names[role], what, strerror(-ret));
	if (pipe_fd[0] >= 0)
		close(pipe_fd[0]);
	if (pipe_fd[1] >= 0)
		close(pipe_fd[1]);
	seccomp_release(ctx);
	return ret;
}

void seccomp_filters_destroy(struct seccomp_filters *f)
{
	if (!f)
		return;
	for (unsigned int i = 0; i < SECCOMP_NR_ROLES; i++)
		free(f->prog[i].filter);
	free(f);
}

int seccomp_filters_create(const struct vm_config *cfg, const struct console *con,
			   struct seccomp_filters **out)
{
	int con_fd = con && con->raw ? con->in_fd : -1;
	struct seccomp_filters *f;
	int ret;

	*out = NULL;
	if (cfg->seccomp == VM_SECCOMP_OFF)
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f) {
		log_err("seccomp: out of memory");
		return -ENOMEM;
	}
#ifdef KESTREL_TEST_HOOKS
	switch (cfg->test_seccomp_violation) {
	case VM_TEST_VIOLATION_VCPU:
		f->test_role = SECCOMP_ROLE_VCPU;
		break;
	case VM_TEST_VIOLATION_MAIN:
		f->test_role = SECCOMP_ROLE_MAIN;
		break;
	default:
		f->test_role = -1;
		break;
	}
#endif
	for (unsigned int i = 0; i < SECCOMP_NR_ROLES; i++) {
		ret = compile_role((enum seccomp_role)i, cfg, con_fd, &f->prog[i]);
		if (ret)
			goto err_free;
	}
	pthread_once(&names_once, names_init);
	handler_state.console = con_fd >= 0;
	if (handler_state.console) {
		handler_state.fd = con_fd;
		handler_state.termios = con->saved;
	}
	if (cfg->seccomp == VM_SECCOMP_ON) {
		ret = install_sigsys_handler();
		if (ret)
			goto err_free;
	}
	log_debug("seccomp (%s): syscalls allowed: main %u, vcpu %u, io-worker %u, device %u",
		  vm_seccomp_name(cfg->seccomp), role_size(SECCOMP_ROLE_MAIN, cfg),
		  role_size(SECCOMP_ROLE_VCPU, cfg), role_size(SECCOMP_ROLE_IO_WORKER, cfg),
		  role_size(SECCOMP_ROLE_DEVICE, cfg));
	*out = f;
	return 0;

err_free:
	seccomp_filters_destroy(f);
	return ret;
}

int seccomp_install(struct seccomp_filters *f, enum seccomp_role role)
{
	sigset_t sys;
	int err;

	if (!f)
		return 0;
	if ((unsigned int)role >= SECCOMP_NR_ROLES) {
		log_err("seccomp: no role %d", (int)role);
		return -EINVAL;
	}
	thread_role = role_names[role];
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &sys, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		err = errno;
		log_err("seccomp: prctl(PR_SET_NO_NEW_PRIVS) in the %s thread: %s",
			role_names[role], strerror(err));
		return -err;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &f->prog[role])) {
		err = errno;
		log_err("seccomp: loading the %s filter: %s", role_names[role], strerror(err));
		return -err;
	}
	return 0;
}

#ifdef KESTREL_TEST_HOOKS
void seccomp_test_violation(struct seccomp_filters *f, enum seccomp_role role)
{
	int fd;

	if (!f || f->test_role != (int)role || atomic_exchange(&f->test_fired, true))
		return;
	fd = openat(AT_FDCWD, "/etc/hostname", O_RDWR | O_CLOEXEC);
	/* reached only when the call was allowed (--seccomp log) */
	log_info("seccomp test hook: %s thread: openat(\"/etc/hostname\", O_RDWR) returned %d",
		 role_names[role], fd);
	if (fd >= 0)
		close(fd);
}
#endif
