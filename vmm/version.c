// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/version.h"

#include <errno.h>
#include <stdio.h>

static const char *flag(bool on)
{
	return on ? "+" : "-";
}

int version_format(const struct build_features *f, char *buf, size_t len)
{
	int n;

	/*
	 * The API server (vmm/api_server.c, vmm/http_request.c) and the block
	 * device's synchronous preadv/pwritev are always built in: no
	 * libmicrohttpd, no io_uring.
	 */
	n = snprintf(buf, len,
		     "kestrel %s\n"
		     "features: %skvm %sseccomp +api %sstatic %stest-hooks\n"
		     "api: Firecracker-style HTTP/1.1 on a unix socket (built in)\n"
		     "io engines: sync\n"
		     "irqchips: %s\n",
		     f->version, flag(f->kvm), flag(f->seccomp), flag(f->static_link),
		     flag(f->test_hooks),
		     f->kvm ? "kvm-v3 kvm-v2 user" : "none (not an arm64 build)");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}
