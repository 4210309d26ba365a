// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API socket's HTTP server: see vmm/api_server.h.
 */
#include "vmm/api_server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CONN_BUF (HTTP_HEADER_MAX + HTTP_BODY_MAX)
#define API_SERVER_BACKLOG 64 /* clients waiting to be accepted */
#define TAG_LISTEN 0
#define TAG_TIMER 1
#define TAG_CONN0 2

struct api_conn {
	int fd; /* -1: free slot */
	char *in; /* CONN_BUF bytes */
	size_t in_len;
	char *out; /* response being written, NULL when none */
	size_t out_len, out_off;
	uint32_t events; /* what epoll waits for */
	bool close_after; /* close once out is written */
	bool continue_sent; /* "100 Continue" sent for the request being read */
	bool eof; /* the client shut its side down */
	uint64_t deadline; /* CLOCK_MONOTONIC ns */
};

struct api_server {
	struct event_loop *el;
	int listen_fd, epfd, timer_fd;
	bool accepting;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	unsigned timeout_ms, max_conns, nr_conns;
	api_handler_fn handler;
	void *handler_ctx;
	struct api_conn conns[API_SERVER_MAX_CONNS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int ep_set(struct api_server *s, int op, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	return epoll_ctl(s->epfd, op, fd, &ev) ? -errno : 0;
}

static void set_accepting(struct api_server *s, bool on)
{
	if (s->accepting == on)
		return;
	if (!ep_set(s, EPOLL_CTL_MOD, s->listen_fd, on ? EPOLLIN : 0, TAG_LISTEN))
		s->accepting = on;
}

static void conn_close(struct api_server *s, struct api_conn *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	s->nr_conns--;
	set_accepting(s, true);
}

static void conn_want(struct api_server *s, struct api_conn *c, uint32_t events)
{
	if (c->events != events &&
	    !ep_set(s, EPOLL_CTL_MOD, c->fd, events, TAG_CONN0 + (c - s->conns)))
		c->events = events;
}

/* Queues @status with @body (taken over; may be NULL). Returns 0 or -ENOMEM. */
static int conn_queue(struct api_conn *c, int status, char *body, bool close_after)
{
	size_t blen = body ? strlen(body) : 0;
	char head[256];
	int hlen = http_response_head(head, sizeof(head), status, blen, close_after);

	free(c->out);
	c->out = NULL;
	if (hlen < 0 || !(c->out = malloc((size_t)hlen + blen))) {
		free(body);
		return -ENOMEM;
	}
	memcpy(c->out, head, (size_t)hlen);
	if (blen)
		memcpy(c->out + hlen, body, blen);
	free(body);
	c->out_len = (size_t)hlen + blen;
	c->out_off = 0;
	c->close_after = close_after;
	return 0;
}

static int conn_queue_fault(struct api_conn *c, int status, const char *msg)
{
	return conn_queue(c, status, http_fault_body(msg), true);
}

/* Writes what it can of c->out. Returns 0 (done or would block) or -errno. */
static int conn_flush(struct api_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return 0;
}

static void conn_serve(struct api_server *s, struct api_conn *c, const struct http_request *req,
		       long size)
{
	struct http_response resp = {.status = 400, .body = NULL};
	bool close_after = !req->keep_alive;

	s->handler(s->handler_ctx, req, &resp);
	if (resp.status < 200 || resp.status > 499) {
		free(resp.body);
		resp.status = 400;
		resp.body = http_fault_body("internal error: the handler gave no valid status");
	}
	if (resp.status == 204) {
		free(resp.body);
		resp.body = NULL;
	}
	memmove(c->in, c->in + size, c->in_len - (size_t)size);
	c->in_len -= (size_t)size;
	c->continue_sent = false;
	if (conn_queue(c, resp.status, resp.body, close_after))
		c->close_after = true;
}

/*
 * Moves connection @c on as far as it can: writes pending output, parses
 * and answers buffered requests one at a time. Closes it when done with it.
 */
static void conn_progress(struct api_server *s, struct api_conn *c)
{
	char err[256];

	for (;;) {
		struct http_request req;
		long r;

		if (c->out) {
			if (conn_flush(c)) {
				conn_close(s, c);
				return;
			}
			if (c->out) {
				conn_want(s, c, EPOLLOUT);
				return;
			}
			if (c->close_after) {
				conn_close(s, c);
				return;
			}
			if (!c->continue_sent || !c->in_len)
				c->deadline = now_ns() + (uint64_t)s->timeout_ms * 1000000ULL;
		}
		if (c->close_after) {
			/* a response could not be queued (out of memory) */
			conn_close(s, c);
			return;
		}
		r = http_request_parse(c->in, c->in_len, &req, err, sizeof(err));
		if (r > 0) {
			conn_serve(s, c, &req, r);
			continue;
		}
		if (r < 0) {
			if (conn_queue_fault(c, (int)-r, err))
				c->close_after = true;
			continue;
		}
		if (c->in_len == CONN_BUF) {
			/* cannot happen with the parser's limits; stay bounded anyway */
			if (conn_queue_fault(c, 400, "request too large"))
				c->close_after = true;
			continue;
		}
		if (req.header_len && req.expect_continue && !c->continue_sent) {
			c->continue_sent = true;
			if (conn_queue(c, 100, NULL, false))
				c->close_after = true;
			continue;
		}
		if (c->eof) {
			conn_close(s, c);
			return;
		}
		conn_want(s, c, EPOLLIN | EPOLLRDHUP);
		return;
	}
}

static void conn_event(struct api_server *s, struct api_conn *c, uint32_t events)
{
	if (events & EPOLLERR) {
		conn_close(s, c);
		return;
	}
	if (!c->out && (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))) {
		ssize_t n;

		do
			n = read(c->fd, c->in + c->in_len, CONN_BUF - c->in_len);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			c->eof = true;
		} else if (n < 0 && errno != EAGAIN) {
			conn_close(s, c);
			return;
		} else if (n > 0) {
			c->in_len += (size_t)n;
		}
	}
	conn_progress(s, c);
}

static void accept_clients(struct api_server *s)
{
	while (s->nr_conns < s->max_conns) {
		struct api_conn *c = NULL;
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or a client that left (ECONNABORTED): try later */
		for (unsigned i = 0; i < s->max_conns && !c; i++)
			if (s->conns[i].fd < 0)
				c = &s->conns[i];
		c->in = malloc(CONN_BUF);
		c->fd = fd;
		c->events = EPOLLIN | EPOLLRDHUP;
		if (!c->in || ep_set(s, EPOLL_CTL_ADD, fd, c->events, TAG_CONN0 + (c - s->conns))) {
			free(c->in);
			c->in = NULL;
			c->fd = -1;
			close(fd);
			continue;
		}
		c->deadline = now_ns() + (uint64_t)s->timeout_ms * 1000000ULL;
		s->nr_conns++;
	}
	/* full: leave the others in the backlog until a client leaves */
	set_accepting(s, false);
}

static void expire(struct api_server *s)
{
	uint64_t buf, now = now_ns();

	while (read(s->timer_fd, &buf, sizeof(buf)) < 0 && errno == EINTR)
		;
	for (unsigned i = 0; i < s->max_conns; i++) {
		struct api_conn *c = &s->conns[i];

		if (c->fd < 0 || c->deadline > now)
			continue;
		if (c->in_len && !c->out &&
		    !conn_queue_fault(c, 408, "request not received in time"))
			conn_flush(c); /* one try, the client is slow already */
		conn_close(s, c);
	}
}

static void rearm_timer(struct api_server *s)
{
	struct itimerspec its = {0};
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < s->max_conns; i++)
		if (s->conns[i].fd >= 0 && s->conns[i].deadline < next)
			next = s->conns[i].deadline;
	if (next != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ULL);
		its.it_value.tv_nsec = (long)(next % 1000000000ULL);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_epoll(void *ctx, int fd, short revents)
{
	struct api_server *s = ctx;
	struct epoll_event evs[API_SERVER_MAX_CONNS + 2];
	int n;

	n = epoll_wait(s->epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), 0);
	for (int i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;

		if (tag == TAG_LISTEN) {
			accept_clients(s);
		} else if (tag == TAG_TIMER) {
			expire(s);
		} else {
			struct api_conn *c = &s->conns[tag - TAG_CONN0];

			/* an earlier event of this batch may have closed it */
			if (c->fd >= 0)
				conn_event(s, c, evs[i].events);
		}
	}
	rearm_timer(s);
}

/* Refuses a path that is not a socket; removes a socket nobody listens on. */
static int clear_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ret;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		snprintf(err, errlen, "api socket %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "api socket %s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "api socket %s: %s", path, strerror(-ret));
		return ret;
	}
	memcpy(sa.sun_path, path, strlen(path));
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	close(fd);
	if (ret == -ECONNREFUSED) {
		if (unlink(path) && errno != ENOENT) {
			ret = -errno;
			snprintf(err, errlen, "api socket %s: removing the stale socket: %s", path,
				 strerror(-ret));
			return ret;
		}
		return 0;
	}
	if (ret == 0 || ret == -EAGAIN) {
		snprintf(err, errlen, "api socket %s: another process is listening on it", path);
		return -EADDRINUSE;
	}
	snprintf(err, errlen, "api socket %s: %s", path, strerror(-ret));
	return ret;
}

static int open_socket(struct api_server *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int ret;

	ret = clear_stale(path, err, errlen);
	if (ret)
		return ret;
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0)
		goto fail;
	memcpy(sa.sun_path, path, strlen(path));
	old = umask(0177);
	ret = bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret)
		goto fail;
	if (stat(path, &st) || listen(s->listen_fd, API_SERVER_BACKLOG)) {
		ret = -errno;
		unlink(path);
		errno = -ret;
		goto fail;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	memcpy(s->path, path, strlen(path) + 1);
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "api socket %s: %s", path, strerror(-ret));
	return ret;
}

int api_server_create(struct event_loop *el, const struct api_server_params *p,
		      struct api_server **out, char *err, size_t errlen)
{
	struct api_server *s;
	int ret;

	*out = NULL;
	if (!el || !p || !p->path || !p->handler || p->max_conns > API_SERVER_MAX_CONNS) {
		snprintf(err, errlen, "api socket: bad parameters");
		return -EINVAL;
	}
	if (!p->path[0] || strlen(p->path) >= sizeof(s->path)) {
		snprintf(err, errlen, "api socket %s: path is empty or longer than %zu bytes",
			 p->path, sizeof(s->path) - 1);
		return -ENAMETOOLONG;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "api socket: out of memory");
		return -ENOMEM;
	}
	s->el = el;
	s->listen_fd = s->epfd = s->timer_fd = -1;
	s->timeout_ms = p->idle_timeout_ms ? p->idle_timeout_ms : API_SERVER_TIMEOUT_MS;
	s->max_conns = p->max_conns ? p->max_conns : API_SERVER_MAX_CONNS;
	s->handler = p->handler;
	s->handler_ctx = p->handler_ctx;
	for (unsigned i = 0; i < API_SERVER_MAX_CONNS; i++)
		s->conns[i].fd = -1;

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->epfd < 0 || s->timer_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "api socket: epoll/timerfd: %s", strerror(-ret));
		goto fail;
	}
	ret = open_socket(s, p->path, err, errlen);
	if (ret)
		goto fail;
	ret = ep_set(s, EPOLL_CTL_ADD, s->listen_fd, EPOLLIN, TAG_LISTEN);
	if (!ret)
		ret = ep_set(s, EPOLL_CTL_ADD, s->timer_fd, EPOLLIN, TAG_TIMER);
	if (ret) {
		snprintf(err, errlen, "api socket: epoll_ctl: %s", strerror(-ret));
		goto fail;
	}
	s->accepting = true;
	ret = event_loop_add(el, s->epfd, POLLIN, on_epoll, s);
	if (ret) {
		snprintf(err, errlen, "api socket: cannot register with the event loop: %s",
			 strerror(-ret));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	s->el = NULL;
	api_server_destroy(s);
	return ret;
}

void api_server_destroy(struct api_server *s)
{
	struct stat st;

	if (!s)
		return;
	for (unsigned i = 0; i < API_SERVER_MAX_CONNS; i++)
		if (s->conns[i].fd >= 0)
			conn_close(s, &s->conns[i]);
	if (s->el)
		event_loop_remove(s->el, s->epfd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		if (s->path[0] && !lstat(s->path, &st) && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			unlink(s->path);
	}
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}

unsigned api_server_nr_conns(const struct api_server *s)
{
	return s->nr_conns;
}
