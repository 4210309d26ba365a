// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host ends of the serial console: see vmm/serial_endpoint.h.
 */
#include "vmm/serial_endpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/log.h"

/*
 * stdio output: a non-blocking fd for @fd without touching the flags of its
 * open file description (see the header).
 */
static int open_stdout(struct serial_out *so, int fd)
{
	char proc[32];
	struct stat st;
	int flags, nfd;

	if (fstat(fd, &st) < 0) {
		int err = errno;

		if (err == EBADF) {	/* started with stdout closed: output kept, then dropped */
			log_warn("serial: stdout is closed; the guest's output is dropped");
			return 0;
		}
		log_err("serial: fstat(stdout): %s", strerror(err));
		return -err;
	}
	so->out_fd = fd;
	if (S_ISREG(st.st_mode))
		return 0;
	if (S_ISSOCK(st.st_mode)) {
		so->out_is_sock = true;
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	nfd = open(proc, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (nfd >= 0) {
		so->out_fd = nfd;
		so->own_out = true;
		return 0;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		int err = errno;

		log_err("serial: fcntl(stdout, O_NONBLOCK): %s", strerror(err));
		return -err;
	}
	if (!(flags & O_NONBLOCK)) {
		so->restore_fd = fd;
		so->restore_flags = flags;
	}
	return 0;
}

static int open_file(struct serial_out *so)
{
	int fd = open(so->path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		      0600);

	if (fd < 0) {
		int err = errno;

		log_err("serial: open(%s): %s", so->path, strerror(err));
		return -err;
	}
	so->out_fd = fd;
	so->own_out = true;
	return 0;
}

static int open_pty(struct serial_out *so)
{
	struct termios t;
	const char *call;
	int fd, err;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		call = "posix_openpt";
		goto err;
	}
	so->out_fd = so->in_fd = fd;
	so->own_out = true;
	call = "grantpt";
	if (grantpt(fd) < 0)
		goto err;
	call = "unlockpt";
	if (unlockpt(fd) < 0)
		goto err;
	call = "ptsname_r";
	errno = ptsname_r(fd, so->path, sizeof(so->path));
	if (errno)
		goto err;
	call = "open(pty slave)";
	so->slave_fd = open(so->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (so->slave_fd < 0)
		goto err;
	call = "tcgetattr(pty slave)";
	if (tcgetattr(so->slave_fd, &t) < 0)
		goto err;
	cfmakeraw(&t);
	call = "tcsetattr(pty slave)";
	if (tcsetattr(so->slave_fd, TCSANOW, &t) < 0)
		goto err;
	call = "fcntl(pty, O_NONBLOCK)";
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto err;
	if (so->cfg.info_fd >= 0)
		dprintf(so->cfg.info_fd, "kestrel: serial: pty %s\n", so->path);
	return 0;
err:
	err = errno ? errno : EIO;
	log_err("serial: %s: %s", call, strerror(err));
	return -err;	/* the caller closes what was opened */
}

/* An existing @path: refused unless it is a socket nobody listens on, which is unlinked. */
static int clear_stale_socket(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("serial: %s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (!ret) {
		log_err("serial: %s: another process listens on it", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		log_err("serial: unlink(%s): %s", path, strerror(-ret));
		return ret;
	}
	return 0;
}

static int open_socket(struct serial_out *so)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *call;
	int ret;

	if (strlen(so->path) >= sizeof(sa.sun_path)) {
		log_err("serial: socket path %s is too long", so->path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, so->path, strlen(so->path) + 1);
	ret = clear_stale_socket(so->path, &sa);
	if (ret)
		return ret;
	so->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	call = "socket";
	if (so->listen_fd < 0)
		goto err;
	call = "bind";
	if (bind(so->listen_fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err;
	so->socket_bound = true;
	call = "chmod";	/* before listen(): nobody can connect yet */
	if (chmod(so->path, 0600) < 0)
		goto err;
	call = "listen";
	if (listen(so->listen_fd, 1) < 0)
		goto err;
	return 0;
err:
	ret = -errno;
	log_err("serial: %s(%s): %s", call, so->path, strerror(-ret));
	return ret;
}

int serial_endpoint_open(struct serial_out *so)
{
	int ret;

	switch (so->cfg.mode) {
	case VM_SERIAL_STDIO:
		so->in_fd = so->cfg.in_fd;
		ret = open_stdout(so, so->cfg.out_fd);
		break;
	case VM_SERIAL_FILE:
		ret = open_file(so);
		break;
	case VM_SERIAL_PTY:
		ret = open_pty(so);
		break;
	case VM_SERIAL_SOCKET:
		ret = open_socket(so);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	return ret;
}

void serial_endpoint_close(struct serial_out *so)
{
	int fds[] = { so->wake_fd, so->listen_fd, so->in_fd, so->out_fd };

	if (so->el)
		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				event_loop_remove(so->el, fds[i]);
	if (so->restore_fd >= 0) {
		fcntl(so->restore_fd, F_SETFL, so->restore_flags);
		so->restore_fd = -1;
	}
	if (so->own_in && so->in_fd >= 0 && so->in_fd != so->out_fd)
		close(so->in_fd);
	if ((so->own_out || so->mode == VM_SERIAL_SOCKET) && so->out_fd >= 0)
		close(so->out_fd);
	if (so->slave_fd >= 0)
		close(so->slave_fd);
	if (so->listen_fd >= 0)
		close(so->listen_fd);
	if (so->socket_bound)
		unlink(so->path);
	if (so->wake_fd >= 0)
		close(so->wake_fd);
	so->in_fd = so->out_fd = so->slave_fd = so->listen_fd = so->wake_fd = -1;
	so->own_in = so->own_out = so->socket_bound = false;
}
