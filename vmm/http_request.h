/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A strict, bounded HTTP/1.1 request parser for the API socket
 * (vmm/api_server.c). It reads one request from the start of a buffer the
 * caller owns and accepts only what the API's clients (curl, Firecracker
 * SDKs) send: "METHOD /target HTTP/1.1" (or 1.0), header lines ending in
 * CRLF, and a body framed by Content-Length. Everything else is refused
 * with a 4xx status and a one-line reason: bare LF or CR, control bytes,
 * obsolete line folding, chunked or other transfer codings (411), a header
 * section over HTTP_HEADER_MAX bytes (431), a body over HTTP_BODY_MAX
 * bytes (413), a target over HTTP_TARGET_MAX bytes (414). docs/api.md says
 * why kestrel parses HTTP itself instead of using libmicrohttpd.
 *
 * Memory: only http_fault_body() allocates; struct http_request holds NUL-terminated
 * copies of the method and target and a pointer to the body inside the
 * caller's buffer (valid while that buffer is unchanged).
 *
 * Threads: pure functions, any thread.
 */
#ifndef KESTREL_VMM_HTTP_REQUEST_H
#define KESTREL_VMM_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEADER_MAX 8192 /* request line + header lines + the empty line */
#define HTTP_BODY_MAX 65536 /* largest Content-Length accepted */
#define HTTP_TARGET_MAX 1024 /* longest request target */
#define HTTP_METHOD_MAX 15 /* longest method name */
#define HTTP_HEADERS_MAX 64 /* most header lines */

struct http_request {
	char method[HTTP_METHOD_MAX + 1]; /* "GET", "PUT", ... */
	char path[HTTP_TARGET_MAX + 1]; /* the request target, e.g. "/drives/root" */
	const char *body; /* into the parsed buffer; NULL when body_len is 0 */
	size_t body_len;
	size_t header_len; /* bytes up to and including the empty line; 0 until complete */
	bool keep_alive; /* HTTP/1.1 without "Connection: close" */
	bool expect_continue; /* "Expect: 100-continue" was sent */
};

/* A response to send: @status and an optional JSON text @body owned by whoever filled it. */
struct http_response {
	int status;
	char *body; /* malloc()ed NUL-terminated JSON, or NULL for none */
};

/*
 * Parses the request at the start of @buf (@len bytes received so far).
 * Returns the request's total size in bytes (header section + body) when it
 * is complete, with *@req filled; 0 when more bytes are needed (then
 * req->header_len is non-zero once the header section is complete, so the
 * caller may answer "Expect: 100-continue"); or minus an HTTP status (-400,
 * -411, -413, -414, -417, -431) with a one-line reason in @err. Lines are
 * checked as soon as they are complete, so garbage is refused without
 * waiting for the rest.
 */
long http_request_parse(const char *buf, size_t len, struct http_request *req, char *err,
			size_t errlen);

/* The reason phrase of @status ("OK", "Bad Request", ...; "Unknown" otherwise). */
const char *http_status_text(int status);

/*
 * Formats the status line and headers of a response into @buf: status,
 * Server, and for a body Content-Type application/json and Content-Length
 * @body_len (204 and 100 have none), plus "Connection: close" when
 * @close. Returns the length written, or -1 when @buf is too small.
 */
int http_response_head(char *buf, size_t size, int status, size_t body_len, bool close);

/*
 * The JSON error body {"fault_message": @msg} (compact, malloc()ed), or
 * NULL when out of memory. Bytes of @msg outside printable ASCII become '?'.
 */
char *http_fault_body(const char *msg);

#endif
