/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `kestrel --version`: the version and what this build can do. main.c fills
 * struct build_features from its compile-time macros; the text is made here
 * so a unit test can check it.
 */
#ifndef KESTREL_VMM_VERSION_H
#define KESTREL_VMM_VERSION_H

#include <stdbool.h>
#include <stddef.h>

struct build_features {
	const char *version;
	bool kvm; /* aarch64 KVM glue (else: stubs, cannot run guests) */
	bool seccomp; /* the system call filter is compiled in */
	bool static_link; /* linked fully statically */
	bool test_hooks; /* hidden test-only flags compiled in */
};

/* Write the --version text into buf (NUL-terminated). 0, or -ENOSPC. */
int version_format(const struct build_features *f, char *buf, size_t len);

#endif
