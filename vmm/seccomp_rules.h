/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The seccomp allowlists as one const table, for vmm/seccomp.c, which
 * compiles a filter per thread role from it. Each rule allows one system
 * call (optionally with one or two argument checks) for the roles it
 * names; the main role takes every rule (vmm/seccomp.h says why). The
 * rules are in the order of docs/security.md, which gives their reasons.
 *
 * This is the one glue file outside arch/arm64/ that includes
 * <linux/kvm.h>, for the ioctl numbers of the KVM rules
 * (tests/layering.sh lists it). Read-only data; any thread.
 */
#ifndef KESTREL_VMM_SECCOMP_RULES_H
#define KESTREL_VMM_SECCOMP_RULES_H

#include <seccomp.h>
#include <stddef.h>

#include "vmm/seccomp.h"

/* A rule's bit in seccomp_rule.roles for @role (enum seccomp_role). */
#define SECCOMP_ROLE_BIT(role) (1u << (role))

/* Where arg[0]'s datum comes from when it is only known at run time. */
enum seccomp_arg_from {
	SECCOMP_FROM_TABLE,
	SECCOMP_FROM_PID, /* getpid() of kestrel */
	SECCOMP_FROM_CONSOLE_FD, /* the raw console's fd; rule dropped without one */
};

/* When a rule applies besides its roles. */
enum seccomp_rule_when {
	SECCOMP_WHEN_ALWAYS,
	SECCOMP_WHEN_DUMP_DTB, /* --dump-dtb: the DTB is written again on every rebuild */
	SECCOMP_WHEN_UNIX_SOCKET, /* --serial socket= or --api-socket: accept, unlink at exit */
	SECCOMP_WHEN_API_SOCKET, /* --api-socket: run-time requests (PATCH /drives) */
};

struct seccomp_rule {
	int nr; /* SCMP_SYS(name) */
	unsigned int roles; /* SECCOMP_ROLE_BIT()s */
	enum seccomp_rule_when when;
	enum seccomp_arg_from from;
	unsigned int nargs;
	struct scmp_arg_cmp arg[2];
};

/* The table, seccomp_nr_rules entries; one syscall may have several rules. */
extern const struct seccomp_rule seccomp_rules[];
extern const size_t seccomp_nr_rules;

#endif
