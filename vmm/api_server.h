/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The API socket: an HTTP/1.1 server on a Unix stream socket, served from
 * the main thread's event loop (lib/event_loop.h) with no thread of its
 * own. It frames requests (vmm/http_request.h), hands each complete one to
 * a handler (normally api_router_serve(), vmm/api_router.h) and writes the
 * handler's response back; it never interprets a request itself.
 *
 * Bounds: a request's header section is at most HTTP_HEADER_MAX bytes and
 * its body HTTP_BODY_MAX bytes (413 beyond); at most max_conns clients are
 * served at once (the others wait in the listen backlog); a connection must
 * deliver each whole request, and read each response, within
 * idle_timeout_ms, else it is dropped (with a 408 if it had sent part of a
 * request). Every error the server produces is a 4xx with the JSON body
 * {"fault_message": "..."}, followed by closing the connection.
 *
 * The socket: created with mode 0600 (umask is set to 0177 around bind(),
 * so create the server before other threads create files). An existing
 * path is refused unless it is a stale socket (a socket nobody listens
 * on), which is replaced. api_server_destroy() removes the socket file if
 * it is still the one created here.
 *
 * Event loop: the server takes ONE slot of the loop (an epoll fd holding
 * the listening socket, a timerfd for the time limits and the clients), so
 * the clients do not use up EVENT_LOOP_MAX. System calls it makes, for the
 * seccomp filter of the main thread: socket, bind, listen, connect (stale
 * check), lstat/newfstatat, unlink, umask, chmod-free; epoll_create1,
 * epoll_ctl, epoll_wait/epoll_pwait, timerfd_create, timerfd_settime,
 * clock_gettime, accept4, read, write/sendto (MSG_NOSIGNAL), close.
 *
 * Memory: the server is malloc()ed by api_server_create() and freed by
 * api_server_destroy(); each connection owns a buffer of
 * HTTP_HEADER_MAX + HTTP_BODY_MAX bytes while it is open.
 *
 * Threads: every function, and the handler, runs on the thread that runs
 * the event loop.
 */
#ifndef KESTREL_VMM_API_SERVER_H
#define KESTREL_VMM_API_SERVER_H

#include <stddef.h>

#include "lib/event_loop.h"
#include "vmm/http_request.h"

#define API_SERVER_TIMEOUT_MS 5000 /* default per-request time limit */
#define API_SERVER_MAX_CONNS 16 /* default and largest number of open clients */

/*
 * Answers one request: fills @resp->status (200-499) and @resp->body
 * (malloc()ed JSON or NULL; the server frees it). Runs on the loop's thread.
 */
typedef void (*api_handler_fn)(void *ctx, const struct http_request *req,
			       struct http_response *resp);

struct api_server_params {
	const char *path; /* socket path, at most 107 bytes */
	unsigned idle_timeout_ms; /* 0: API_SERVER_TIMEOUT_MS */
	unsigned max_conns; /* 0: API_SERVER_MAX_CONNS; at most API_SERVER_MAX_CONNS */
	api_handler_fn handler;
	void *handler_ctx;
};

struct api_server;

/*
 * Creates the socket at @p->path, listens, and registers the server with
 * @el (one slot). Returns 0 with *@out set, or -errno with one line in
 * @err: -EEXIST (the path exists and is not a socket), -EADDRINUSE (a live
 * socket is there), -ENAMETOOLONG, -EINVAL (bad params), -ENOSPC (loop
 * full), or what socket/bind/listen/epoll/timerfd returned.
 */
int api_server_create(struct event_loop *el, const struct api_server_params *p,
		      struct api_server **out, char *err, size_t errlen);

/*
 * Closes every client, removes the server from its loop, closes the
 * listening socket and unlinks its path (when it is still ours), frees
 * the server. NULL is ignored.
 */
void api_server_destroy(struct api_server *s);

/* Number of clients connected now (for tests and stats). */
unsigned api_server_nr_conns(const struct api_server *s);

#endif
