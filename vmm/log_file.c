// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "lib/log.h"

int log_file_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0) {
		int err = errno;

		log_err("open(%s): %s", path, strerror(err));
		return -err;
	}
	return fd;
}
