// SPDX-License-Identifier: GPL-2.0-only
#include "vmm/serial_out.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "vmm/serial_endpoint.h"

/* Bounded work per callback, so a fast sink and a flooding guest do not starve the loop. */
#define DRAIN_ROUNDS 16

static void on_fd(void *ctx, int fd, short revents);
void serial_out_write(struct serial_out *so, const uint8_t *buf, size_t len)
{
	uint64_t one = 1;
	bool wake;

	if (so->mode == VM_SERIAL_OFF || !len)
		return;
	pthread_mutex_lock(&so->lock);
	so->bytes_in += len;
	so->dropped += byte_ring_put(&so->ring, buf, len);
	wake = so->draining && !so->wake_pending;
	if (wake)
		so->wake_pending = true;
	pthread_mutex_unlock(&so->lock);
	/* EAGAIN only if the counter is near overflow: the loop is due to wake anyway */
	if (wake && write(so->wake_fd, &one, sizeof(one)) < 0)
		return;
}

/* ---- event registration (loop thread) ---- */

static short events_for(const struct serial_out *so, int fd)
{
	short ev = 0;

	if (fd < 0)
		return 0;
	if (fd == so->in_fd && !so->in_blocked)
		ev |= POLLIN;
	if (fd == so->out_fd && so->pollout)
		ev |= POLLOUT;
	return ev;
}

static void update_events(struct serial_out *so)
{
	if (so->in_fd >= 0)
		event_loop_set_events(so->el, so->in_fd, events_for(so, so->in_fd));
	if (so->out_fd >= 0 && so->out_fd != so->in_fd)
		event_loop_set_events(so->el, so->out_fd, events_for(so, so->out_fd));
}

static void set_pollout(struct serial_out *so, bool on)
{
	if (so->pollout == on)
		return;
	so->pollout = on;
	update_events(so);
}

/* Whether the loop has an output fd; writers wake it only then. */
static void set_draining(struct serial_out *so, bool on)
{
	pthread_mutex_lock(&so->lock);
	so->draining = on;
	so->wake_pending = false;
	pthread_mutex_unlock(&so->lock);
}

/* ---- output (loop thread) ---- */

static ssize_t out_write(struct serial_out *so, const uint8_t *buf, size_t len)
{
	if (so->out_is_sock)
		return send(so->out_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	return write(so->out_fd, buf, len);
}

static void client_drop(struct serial_out *so);

/* The output failed for good (EPIPE, EIO...): drop what was taken, keep the guest going. */
static void output_failed(struct serial_out *so, int err)
{
	size_t lost = so->drain_len - so->drain_off;

	if (so->mode == VM_SERIAL_SOCKET) {
		client_drop(so);
		return;
	}
	if (!so->out_error_logged) {
		log_warn("serial: output: %s; the guest's output is dropped from now on",
			 strerror(err));
		so->out_error_logged = true;
	}
	so->drain_off = so->drain_len = 0;
	set_pollout(so, false);
	if (so->out_fd != so->in_fd)
		event_loop_remove(so->el, so->out_fd);
	if (so->own_out && so->out_fd != so->in_fd)
		close(so->out_fd);
	so->own_out = false;
	so->out_fd = -1;
	set_draining(so, false);
	pthread_mutex_lock(&so->lock);
	so->dropped += lost;
	pthread_mutex_unlock(&so->lock);
}

/*
 * Writes the ring out until it is empty (POLLOUT off), the fd would block
 * (POLLOUT on), or DRAIN_ROUNDS chunks went (POLLOUT on, to come back).
 * Returns true when everything was written.
 */
static bool drain(struct serial_out *so)
{
	for (int round = 0; round < DRAIN_ROUNDS; round++) {
		ssize_t n;

		if (so->out_fd < 0)
			return false;
		if (so->drain_off == so->drain_len) {
			pthread_mutex_lock(&so->lock);
			so->drain_len = byte_ring_take(&so->ring, so->drain, sizeof(so->drain));
			so->drain_off = 0;
			if (!so->drain_len)
				so->wake_pending = false;	/* writers wake us from now on */
			pthread_mutex_unlock(&so->lock);
			if (!so->drain_len) {
				set_pollout(so, false);
				return true;
			}
		}
		n = out_write(so, so->drain + so->drain_off, so->drain_len - so->drain_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			output_failed(so, n < 0 ? errno : EIO);
			return false;
		}
		so->drain_off += (size_t)n;
		so->bytes_out += (uint64_t)n;
	}
	pthread_mutex_lock(&so->lock);
	so->wake_pending = true;	/* POLLOUT brings us back */
	pthread_mutex_unlock(&so->lock);
	set_pollout(so, true);
	return false;
}

/* ---- input (loop thread) ---- */

/* Hands held input to the guest; true when all was taken. */
static bool input_push(struct serial_out *so)
{
	while (so->in_off < so->in_len) {
		size_t n = so->cfg.input ? so->cfg.input(so->cfg.ctx, so->in_buf + so->in_off,
							 so->in_len - so->in_off)
					 : so->in_len - so->in_off;

		if (!n)
			return false;
		if (n > so->in_len - so->in_off)
			n = so->in_len - so->in_off;
		so->in_off += n;
	}
	so->in_off = so->in_len = 0;
	return true;
}

void serial_out_input_space(struct serial_out *so)
{
	bool was = so->in_blocked;

	if (so->mode == VM_SERIAL_OFF)
		return;
	so->in_blocked = !input_push(so);
	if (was != so->in_blocked)
		update_events(so);
}

/* Stops reading @so->in_fd (end of input on stdin or the pty). */
static void input_end(struct serial_out *so)
{
	if (so->in_fd != so->out_fd)
		event_loop_remove(so->el, so->in_fd);
	if (so->own_in && so->in_fd != so->out_fd)
		close(so->in_fd);
	so->own_in = false;
	so->in_fd = -1;
	update_events(so);
}

static void on_input(struct serial_out *so)
{
	uint8_t raw[SERIAL_OUT_CHUNK];
	bool quit = false;
	ssize_t r;

	if (so->in_blocked)
		return;
	r = read(so->in_fd, raw, sizeof(raw));
	if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (r <= 0) {
		if (so->mode == VM_SERIAL_SOCKET)
			client_drop(so);
		else
			input_end(so);	/* the guest runs on without input */
		return;
	}
	so->input += (uint64_t)r;
	if (so->mode == VM_SERIAL_STDIO && so->cfg.console) {
		so->in_len = console_filter(so->cfg.console, raw, (size_t)r, so->in_buf, &quit);
	} else {
		memcpy(so->in_buf, raw, (size_t)r);
		so->in_len = (size_t)r;
	}
	so->in_off = 0;
	if (!input_push(so)) {
		so->in_blocked = true;
		update_events(so);
	}
	/* the bytes typed before Ctrl-a x went to the guest, as in the old loop */
	if (quit && so->cfg.quit)
		so->cfg.quit(so->cfg.ctx);
}

/* ---- socket mode (loop thread) ---- */

static void client_drop(struct serial_out *so)
{
	int fd = so->out_fd;
	size_t lost = so->drain_len - so->drain_off;

	if (fd < 0)
		return;
	event_loop_remove(so->el, fd);
	close(fd);
	so->out_fd = so->in_fd = -1;
	so->pollout = false;
	so->in_blocked = false;
	so->in_off = so->in_len = 0;
	/* what was taken for the gone client is lost; the ring waits for the next */
	so->drain_off = so->drain_len = 0;
	set_draining(so, false);
	pthread_mutex_lock(&so->lock);
	so->dropped += lost;
	pthread_mutex_unlock(&so->lock);
	log_debug("serial: socket client gone");
}

static void on_accept(struct serial_out *so)
{
	int fd = accept4(so->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int ret;

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("serial: accept4(%s): %s", so->path, strerror(errno));
		return;
	}
	if (so->out_fd >= 0) {	/* one client at a time */
		close(fd);
		so->refused++;
		return;
	}
	ret = event_loop_add(so->el, fd, 0, on_fd, so);
	if (ret) {
		log_warn("serial: socket client: event loop: %s", strerror(-ret));
		close(fd);
		so->refused++;
		return;
	}
	so->out_fd = so->in_fd = fd;
	so->out_is_sock = true;	/* send(MSG_NOSIGNAL): a gone client is no SIGPIPE */
	so->clients++;
	set_draining(so, true);
	update_events(so);
	drain(so);	/* what the ring held while nobody listened */
}

/* ---- dispatch ---- */

static void on_wake(struct serial_out *so)
{
	uint64_t v;

	if (read(so->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("serial: read(eventfd): %s", strerror(errno));
	drain(so);
}

static void on_fd(void *ctx, int fd, short revents)
{
	struct serial_out *so = ctx;

	if (fd == so->wake_fd) {
		on_wake(so);
		return;
	}
	if (fd == so->listen_fd) {
		on_accept(so);
		return;
	}
	if (fd == so->out_fd && (revents & POLLOUT))
		drain(so);
	/* drain() may have dropped a socket client: check the fd again */
	if (fd == so->in_fd && (revents & (POLLIN | POLLHUP | POLLERR)))
		on_input(so);
	else if (fd == so->out_fd && (revents & (POLLERR | POLLNVAL)) && fd != so->in_fd)
		output_failed(so, EIO);
	else if (fd == so->out_fd && so->mode == VM_SERIAL_SOCKET && (revents & POLLHUP))
		client_drop(so);
}

static int register_fds(struct serial_out *so)
{
	int fds[] = { so->wake_fd, so->listen_fd, so->in_fd, so->out_fd };
	short ev[] = { POLLIN, POLLIN, 0, 0 };
	int ret;

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] < 0 || (i == 3 && fds[i] == so->in_fd))
			continue;
		ret = event_loop_add(so->el, fds[i], ev[i], on_fd, so);
		if (ret) {
			log_err("serial: event loop: %s", strerror(-ret));
			return ret;
		}
	}
	update_events(so);
	return 0;
}

int serial_out_init(struct serial_out *so, const struct serial_out_config *cfg,
		    struct event_loop *el)
{
	int ret;

	memset(so, 0, sizeof(*so));
	so->wake_fd = so->out_fd = so->in_fd = so->listen_fd = so->slave_fd = -1;
	so->restore_fd = -1;
	so->mode = cfg->mode;
	so->cfg = *cfg;
	so->el = el;
	so->cfg.path = NULL;
	if (cfg->mode == VM_SERIAL_OFF)
		return 0;
	if ((cfg->mode == VM_SERIAL_FILE || cfg->mode == VM_SERIAL_SOCKET) &&
	    (!cfg->path || !*cfg->path))
		return -EINVAL;
	if (cfg->mode == VM_SERIAL_STDIO && cfg->out_fd < 0)
		return -EINVAL;
	if (cfg->path) {
		if (strlen(cfg->path) >= sizeof(so->path))
			return -ENAMETOOLONG;
		memcpy(so->path, cfg->path, strlen(cfg->path) + 1);
	}
	ret = pthread_mutex_init(&so->lock, NULL);
	if (ret)
		return -ret;
	ret = byte_ring_init(&so->ring, cfg->ring_size ? cfg->ring_size : SERIAL_OUT_RING_DEFAULT);
	if (ret)
		goto err_mutex;
	so->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (so->wake_fd < 0) {
		ret = -errno;
		log_err("serial: eventfd: %s", strerror(-ret));
		goto err_close;
	}
	ret = serial_endpoint_open(so);
	if (!ret)
		ret = register_fds(so);
	if (ret)
		goto err_close;
	set_draining(so, so->out_fd >= 0);
	return 0;
err_close:
	serial_endpoint_close(so);
	byte_ring_destroy(&so->ring);
err_mutex:
	pthread_mutex_destroy(&so->lock);
	so->mode = VM_SERIAL_OFF;
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int serial_out_flush(struct serial_out *so, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int ret = 0;

	if (so->mode == VM_SERIAL_OFF)
		return 0;
	for (;;) {
		struct pollfd p;
		int64_t left;

		if (so->out_fd < 0) {
			ret = -ENOTCONN;
			break;
		}
		if (drain(so))
			break;
		if (so->out_fd < 0)
			continue;
		left = deadline - now_ms();
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		p = (struct pollfd){ .fd = so->out_fd, .events = POLLOUT };
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
	}
	if (so->restore_fd >= 0) {
		fcntl(so->restore_fd, F_SETFL, so->restore_flags);
		so->restore_fd = -1;
	}
	return ret;
}

void serial_out_get_stats(struct serial_out *so, struct serial_out_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (so->mode == VM_SERIAL_OFF)
		return;
	pthread_mutex_lock(&so->lock);
	st->bytes_in = so->bytes_in;
	st->dropped = so->dropped;
	pthread_mutex_unlock(&so->lock);
	st->bytes_out = so->bytes_out;
	st->input = so->input;
	st->clients = so->clients;
	st->refused = so->refused;
}

const char *serial_out_pty_path(const struct serial_out *so)
{
	return so->mode == VM_SERIAL_PTY ? so->path : NULL;
}

void serial_out_destroy(struct serial_out *so)
{
	if (so->mode == VM_SERIAL_OFF)
		return;
	serial_endpoint_close(so);
	byte_ring_destroy(&so->ring);
	pthread_mutex_destroy(&so->lock);
	so->mode = VM_SERIAL_OFF;
}
