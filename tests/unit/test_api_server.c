// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the API socket server (vmm/api_server.c) on a real Unix
 * socket in a temporary folder, driven through lib/event_loop by the test
 * itself, with an echo handler in place of the router.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/api_server.h"

#define WAIT_MS 5000 /* longest any step may take before the test fails */

struct t {
	char dir[64];
	char path[128];
	struct event_loop el;
	struct api_server *s;
	unsigned handled;
};

/* 200 {"method", "path", "len"}; "/204" gives 204. */
static void echo(void *ctx, const struct http_request *req, struct http_response *resp)
{
	struct t *t = ctx;
	json_t *j;

	t->handled++;
	if (!strcmp(req->path, "/204")) {
		resp->status = 204;
		return;
	}
	j = json_pack("{s:s, s:s, s:I}", "method", req->method, "path", req->path, "len",
		      (json_int_t)req->body_len);
	resp->status = 200;
	resp->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int start(struct t *t, unsigned timeout_ms, unsigned max_conns)
{
	struct api_server_params p = {
		.path = t->path,
		.idle_timeout_ms = timeout_ms,
		.max_conns = max_conns,
		.handler = echo,
		.handler_ctx = t,
	};
	char err[256];

	return api_server_create(&t->el, &p, &t->s, err, sizeof(err));
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	strcpy(t->dir, "/tmp/kestrel-api-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/api.sock", t->dir);
	event_loop_init(&t->el);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	api_server_destroy(t->s);
	unlink(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

static int client(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		assert_true(w > 0);
		s += w;
		n -= (size_t)w;
	}
}

/* Length of the first complete response in @buf, or 0. */
static size_t response_len(const char *buf, size_t n)
{
	const char *end = memmem(buf, n, "\r\n\r\n", 4), *cl;
	size_t head, body = 0;

	if (!end)
		return 0;
	head = (size_t)(end - buf) + 4;
	cl = memmem(buf, head, "Content-Length: ", 16);
	if (cl)
		body = strtoul(cl + 16, NULL, 10);
	return n >= head + body ? head + body : 0;
}

struct reader {
	char buf[8192];
	size_t n;
	bool eof;
};

/* Reads what is there without blocking. */
static void pull(int fd, struct reader *r)
{
	for (;;) {
		ssize_t got = recv(fd, r->buf + r->n, sizeof(r->buf) - 1 - r->n, MSG_DONTWAIT);

		if (got == 0) {
			r->eof = true;
			return;
		}
		if (got < 0) {
			assert_true(errno == EAGAIN || errno == ECONNRESET);
			if (errno == ECONNRESET)
				r->eof = true;
			return;
		}
		r->n += (size_t)got;
		r->buf[r->n] = '\0';
	}
}

/*
 * Runs the loop until the client on @fd has a whole response (returns its
 * length, the text at r->buf) or end of file (returns 0).
 */
static size_t await_response(struct t *t, int fd, struct reader *r)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	size_t len;

	for (;;) {
		pull(fd, r);
		len = response_len(r->buf, r->n);
		if (len || r->eof)
			return len;
		assert_true(now_ms() < deadline);
		assert_true(event_loop_run_once(&t->el, 50) >= 0);
	}
}

/* Drops the first @len bytes of @r. */
static void consume(struct reader *r, size_t len)
{
	memmove(r->buf, r->buf + len, r->n - len);
	r->n -= len;
	r->buf[r->n] = '\0';
}

static void await_eof(struct t *t, int fd, struct reader *r)
{
	uint64_t deadline = now_ms() + WAIT_MS;

	while (!r->eof) {
		assert_true(now_ms() < deadline);
		assert_true(event_loop_run_once(&t->el, 50) >= 0);
		pull(fd, r);
	}
}

static void assert_fault(const char *resp, const char *status_line)
{
	const char *body = strstr(resp, "\r\n\r\n");
	json_t *j;

	if (strncmp(resp, status_line, strlen(status_line)))
		fail_msg("response \"%.40s\" is not \"%s\"", resp, status_line);
	assert_non_null(strstr(resp, "Content-Type: application/json\r\n"));
	assert_non_null(body);
	j = json_loads(body + 4, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(j);
	assert_true(json_is_string(json_object_get(j, "fault_message")));
	json_decref(j);
}

static void test_socket_mode(void **state)
{
	struct t *t = *state;
	struct stat st;

	umask(0022);
	assert_int_equal(start(t, 0, 0), 0);
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* the umask is put back */
	assert_int_equal(umask(0022), 0022);
	api_server_destroy(t->s);
	t->s = NULL;
	assert_int_equal(lstat(t->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_existing_paths(void **state)
{
	struct t *t = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	/* a regular file is refused and left alone */
	fd = open(t->path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(start(t, 0, 0), -EEXIST);
	assert_null(t->s);
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(t->path);

	/* a socket somebody listens on is refused */
	strcpy(sa.sun_path, t->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(start(t, 0, 0), -EADDRINUSE);
	/* once it is closed the socket file is stale: replaced */
	close(fd);
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(start(t, 0, 0), 0);
	{
		struct reader r = {0};
		int c = client(t->path);

		send_all(c, "GET / HTTP/1.1\r\n\r\n", 18);
		assert_true(await_response(t, c, &r) > 0);
		assert_non_null(strstr(r.buf, "HTTP/1.1 200 OK\r\n"));
		close(c);
	}
}

static void test_requests(void **state)
{
	struct t *t = *state;
	const char *two = "PUT /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
			  "GET /204 HTTP/1.1\r\nHost: localhost\r\n\r\n";
	struct reader r = {0};
	size_t len;
	int c;

	assert_int_equal(start(t, 0, 0), 0);
	c = client(t->path);
	/* two pipelined requests, answered in order on one connection */
	send_all(c, two, strlen(two));
	len = await_response(t, c, &r);
	assert_true(len > 0);
	assert_non_null(strstr(r.buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(r.buf, "{\"method\":\"PUT\",\"path\":\"/a\",\"len\":2}"));
	consume(&r, len);
	len = await_response(t, c, &r);
	assert_true(len > 0);
	assert_int_equal(strncmp(r.buf, "HTTP/1.1 204 No Content\r\n", 25), 0);
	assert_null(strstr(r.buf, "Content-Length"));
	consume(&r, len);
	assert_int_equal(t->handled, 2);
	assert_int_equal(api_server_nr_conns(t->s), 1);

	/* Expect: 100-continue gets the interim response before the body is sent */
	send_all(c, "PUT /b HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", 60);
	len = await_response(t, c, &r);
	assert_int_equal(strncmp(r.buf, "HTTP/1.1 100 Continue\r\n\r\n", len), 0);
	consume(&r, len);
	send_all(c, "abc", 3);
	len = await_response(t, c, &r);
	assert_non_null(strstr(r.buf, "\"len\":3"));
	consume(&r, len);

	/* Connection: close is honoured */
	send_all(c, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 37);
	assert_true(await_response(t, c, &r) > 0);
	assert_non_null(strstr(r.buf, "Connection: close\r\n"));
	await_eof(t, c, &r);
	close(c);
	assert_int_equal(api_server_nr_conns(t->s), 0);
}

static void test_bad_requests(void **state)
{
	struct t *t = *state;
	struct reader r = {0};
	char head[128];
	int c;

	assert_int_equal(start(t, 0, 0), 0);

	/* a body over 64 KiB: 413 at once, before the body is sent, then closed */
	c = client(t->path);
	snprintf(head, sizeof(head), "PUT /x HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
		 HTTP_BODY_MAX + 1);
	send_all(c, head, strlen(head));
	assert_true(await_response(t, c, &r) > 0);
	assert_fault(r.buf, "HTTP/1.1 413 ");
	await_eof(t, c, &r);
	close(c);

	/* malformed HTTP: 400, closed */
	memset(&r, 0, sizeof(r));
	c = client(t->path);
	send_all(c, "HELLO THERE\r\n\r\n", 15);
	assert_true(await_response(t, c, &r) > 0);
	assert_fault(r.buf, "HTTP/1.1 400 ");
	await_eof(t, c, &r);
	close(c);

	/* binary garbage without any line end is refused at once too */
	memset(&r, 0, sizeof(r));
	c = client(t->path);
	send_all(c, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
	assert_true(await_response(t, c, &r) > 0);
	assert_fault(r.buf, "HTTP/1.1 400 ");
	close(c);

	/* a header section over the limit: 431 */
	memset(&r, 0, sizeof(r));
	c = client(t->path);
	send_all(c, "GET / HTTP/1.1\r\n", 16);
	for (int i = 0; i < HTTP_HEADER_MAX / 64 + 1 && !r.eof; i++) {
		char line[65];

		memset(line, 'a', 64);
		memcpy(line, "X-Pad: ", 7);
		line[62] = '\r';
		line[63] = '\n';
		send_all(c, line, 64);
		pull(c, &r);
	}
	assert_true(await_response(t, c, &r) > 0);
	assert_fault(r.buf, "HTTP/1.1 431 ");
	close(c);
	assert_int_equal(t->handled, 0);
}

static void test_idle_timeout(void **state)
{
	struct t *t = *state;
	struct reader r = {0}, r2 = {0};
	uint64_t t0;
	int c, c2;

	assert_int_equal(start(t, 150, 0), 0);
	t0 = now_ms();
	c = client(t->path); /* sends nothing */
	c2 = client(t->path);
	send_all(c2, "PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\n{", 39); /* never finishes */
	await_eof(t, c, &r);
	assert_true(now_ms() - t0 >= 150);
	assert_int_equal(r.n, 0);
	/* the slow one gets a 408 on its way out */
	await_eof(t, c2, &r2);
	assert_fault(r2.buf, "HTTP/1.1 408 ");
	assert_int_equal(api_server_nr_conns(t->s), 0);
	close(c);
	close(c2);

	/* a busy client is not dropped: each request restarts its time */
	c = client(t->path);
	for (int i = 0; i < 3; i++) {
		uint64_t until = now_ms() + 100;
		size_t len;

		while (now_ms() < until)
			event_loop_run_once(&t->el, 20);
		send_all(c, "GET / HTTP/1.1\r\n\r\n", 18);
		memset(&r, 0, sizeof(r));
		len = await_response(t, c, &r);
		assert_true(len > 0);
	}
	close(c);
	assert_int_equal(t->handled, 3);
}

/* @n clients, each sending @per requests one after another on its own connection. */
static void concurrent(struct t *t, int n, int per, unsigned max_conns)
{
	int fds[16], sent[16] = {0}, done[16] = {0}, total = 0;
	struct reader *r = calloc((size_t)n, sizeof(*r));
	uint64_t deadline = now_ms() + 4 * WAIT_MS;
	char req[64];

	for (int i = 0; i < n; i++) {
		fds[i] = client(t->path);
		snprintf(req, sizeof(req), "GET /c%d/0 HTTP/1.1\r\n\r\n", i);
		send_all(fds[i], req, strlen(req));
		sent[i] = 1;
	}
	while (total < n * per) {
		assert_true(now_ms() < deadline);
		assert_true(event_loop_run_once(&t->el, 50) >= 0);
		assert_true(api_server_nr_conns(t->s) <= max_conns);
		for (int i = 0; i < n; i++) {
			size_t len;
			char want[64];

			if (fds[i] < 0)
				continue;
			pull(fds[i], &r[i]);
			assert_false(r[i].eof);
			len = response_len(r[i].buf, r[i].n);
			if (!len)
				continue;
			snprintf(want, sizeof(want), "\"path\":\"/c%d/%d\"", i, done[i]);
			assert_non_null(strstr(r[i].buf, want));
			consume(&r[i], len);
			done[i]++;
			total++;
			if (sent[i] < per) {
				snprintf(req, sizeof(req), "GET /c%d/%d HTTP/1.1\r\n\r\n", i,
					 sent[i]);
				send_all(fds[i], req, strlen(req));
				sent[i]++;
			} else {
				/* done: leave, making room for a waiting client */
				close(fds[i]);
				fds[i] = -1;
			}
		}
	}
	for (int i = 0; i < n; i++)
		assert_int_equal(done[i], per);
	free(r);
	assert_int_equal(t->handled, (unsigned)(n * per));
}

static void test_concurrent_clients(void **state)
{
	struct t *t = *state;

	assert_int_equal(start(t, 0, 0), 0);
	concurrent(t, 10, 10, API_SERVER_MAX_CONNS);
}

/* More clients than the connection limit: the others wait in the backlog, all are answered. */
static void test_connection_limit(void **state)
{
	struct t *t = *state;

	assert_int_equal(start(t, 0, 4), 0);
	concurrent(t, 10, 10, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_socket_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
