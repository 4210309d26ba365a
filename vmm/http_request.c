// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API socket's HTTP/1.1 request parser: see vmm/http_request.h.
 */
#include "vmm/http_request.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

__attribute__((format(printf, 4, 5))) static long fail(int status, char *err, size_t errlen,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -status;
}

/* RFC 9110 tchar */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

/*
 * Finds the CRLF ending the line at @p (at most @avail bytes). Returns the
 * line's length without CRLF, -1 when the line is incomplete, -2 for a bare
 * CR or LF.
 */
static long line_end(const char *p, size_t avail)
{
	for (size_t i = 0; i < avail; i++) {
		if (p[i] == '\n')
			return -2;
		if (p[i] == '\r') {
			if (i + 1 == avail)
				return -1;
			return p[i + 1] == '\n' ? (long)i : -2;
		}
	}
	return -1;
}

/*
 * Refuses the start of a request line that no request line can continue:
 * a method byte other than A-Z, or a control or non-ASCII byte.
 */
static long check_partial_line(const char *p, size_t n, char *err, size_t errlen)
{
	size_t i = 0;

	while (i < n && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	if (i < n && p[i] != ' ')
		return fail(400, err, errlen, "malformed request line: bad method");
	for (; i < n; i++)
		if ((unsigned char)p[i] < ' ' && p[i] != '\r')
			return fail(400, err, errlen, "malformed request line: control byte");
		else if ((unsigned char)p[i] >= 0x7f)
			return fail(400, err, errlen, "malformed request line: non-ASCII byte");
	return 0;
}

static long parse_request_line(const char *p, size_t n, struct http_request *req, bool *http10,
			       char *err, size_t errlen)
{
	size_t i = 0, start;

	while (i < n && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	if (i == 0 || i >= n || p[i] != ' ')
		return fail(400, err, errlen, "malformed request line: bad method");
	if (i > HTTP_METHOD_MAX)
		return fail(400, err, errlen, "malformed request line: method longer than %d bytes",
			    HTTP_METHOD_MAX);
	memcpy(req->method, p, i);
	req->method[i] = '\0';
	start = ++i;
	if (i >= n || p[i] != '/')
		return fail(400, err, errlen,
			    "malformed request line: the target must start with /");
	while (i < n && (unsigned char)p[i] > ' ' && (unsigned char)p[i] < 0x7f)
		i++;
	if (i - start > HTTP_TARGET_MAX)
		return fail(414, err, errlen, "request target longer than %d bytes",
			    HTTP_TARGET_MAX);
	if (i >= n || p[i] != ' ')
		return fail(400, err, errlen, "malformed request line: bad target");
	memcpy(req->path, p + start, i - start);
	req->path[i - start] = '\0';
	i++;
	if (n - i == 8 && !memcmp(p + i, "HTTP/1.1", 8)) {
		*http10 = false;
		return 0;
	}
	if (n - i == 8 && !memcmp(p + i, "HTTP/1.0", 8)) {
		*http10 = true;
		return 0;
	}
	return fail(400, err, errlen, "malformed request line: HTTP/1.1 or HTTP/1.0 expected");
}

/* Whether the comma-separated list @v (@n bytes) holds the token @tok (any case). */
static bool has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && !strncasecmp(v + s, tok, tl))
			return true;
	}
	return false;
}

struct hdr_state {
	bool have_length;
	bool http10;
	bool connection_keep_alive;
	bool connection_close;
	size_t content_length;
};

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

static long parse_header(const char *p, size_t n, struct http_request *req, struct hdr_state *st,
			 char *err, size_t errlen)
{
	size_t i = 0, vs, ve;
	const char *v;

	if (n && (p[0] == ' ' || p[0] == '\t'))
		return fail(400, err, errlen, "malformed header: obsolete line folding");
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return fail(400, err, errlen, "malformed header line");
	vs = i + 1;
	for (size_t j = vs; j < n; j++) {
		unsigned char c = (unsigned char)p[j];

		if ((c < ' ' && c != '\t') || c == 0x7f)
			return fail(400, err, errlen, "malformed header: control byte in %.*s",
				    (int)i, p);
	}
	while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
		ve--;
	v = p + vs;

	if (name_is(p, i, "Content-Length")) {
		size_t len = 0;

		if (st->have_length)
			return fail(400, err, errlen, "Content-Length given twice");
		if (ve == vs || ve - vs > 10)
			return fail(ve == vs ? 400 : 413, err, errlen, "bad Content-Length");
		for (size_t j = 0; j < ve - vs; j++) {
			if (v[j] < '0' || v[j] > '9')
				return fail(400, err, errlen, "bad Content-Length");
			len = len * 10 + (size_t)(v[j] - '0');
		}
		if (len > HTTP_BODY_MAX)
			return fail(413, err, errlen, "body of %zu bytes, at most %d accepted", len,
				    HTTP_BODY_MAX);
		st->have_length = true;
		st->content_length = len;
	} else if (name_is(p, i, "Transfer-Encoding")) {
		return fail(
			411, err, errlen,
			"Transfer-Encoding is not supported: send the body with Content-Length");
	} else if (name_is(p, i, "Expect")) {
		if (ve - vs != 12 || strncasecmp(v, "100-continue", 12))
			return fail(417, err, errlen, "only \"Expect: 100-continue\" is supported");
		req->expect_continue = true;
	} else if (name_is(p, i, "Connection")) {
		if (has_token(v, ve - vs, "close"))
			st->connection_close = true;
		if (has_token(v, ve - vs, "keep-alive"))
			st->connection_keep_alive = true;
	}
	return 0;
}

long http_request_parse(const char *buf, size_t len, struct http_request *req, char *err,
			size_t errlen)
{
	struct hdr_state st = {0};
	size_t pos = 0, avail = len < HTTP_HEADER_MAX ? len : HTTP_HEADER_MAX;
	unsigned nr_headers = 0;
	long n, ret;

	memset(req, 0, sizeof(*req));
	if (err && errlen)
		err[0] = '\0';

	n = line_end(buf, avail);
	if (n == -2)
		return fail(400, err, errlen, "malformed request line: bare CR or LF");
	if (n < 0) {
		ret = check_partial_line(buf, avail, err, errlen);
		if (ret)
			return ret;
		goto incomplete;
	}
	ret = parse_request_line(buf, (size_t)n, req, &st.http10, err, errlen);
	if (ret)
		return ret;
	pos = (size_t)n + 2;

	for (;;) {
		n = line_end(buf + pos, avail - pos);
		if (n == -2)
			return fail(400, err, errlen, "malformed header: bare CR or LF");
		if (n < 0)
			goto incomplete;
		if (n == 0) {
			pos += 2;
			break;
		}
		if (++nr_headers > HTTP_HEADERS_MAX)
			return fail(431, err, errlen, "more than %d header lines",
				    HTTP_HEADERS_MAX);
		ret = parse_header(buf + pos, (size_t)n, req, &st, err, errlen);
		if (ret)
			return ret;
		pos += (size_t)n + 2;
	}

	req->header_len = pos;
	req->keep_alive =
		st.http10 ? st.connection_keep_alive && !st.connection_close : !st.connection_close;
	req->body_len = st.content_length;
	if (len - pos < st.content_length)
		return 0;
	req->body = st.content_length ? buf + pos : NULL;
	return (long)(pos + st.content_length);

incomplete:
	if (avail == HTTP_HEADER_MAX)
		return fail(431, err, errlen, "header section longer than %d bytes",
			    HTTP_HEADER_MAX);
	return 0;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 417:
		return "Expectation Failed";
	case 431:
		return "Request Header Fields Too Large";
	default:
		return "Unknown";
	}
}

int http_response_head(char *buf, size_t size, int status, size_t body_len, bool close)
{
	int n;

	if (status == 100)
		n = snprintf(buf, size, "HTTP/1.1 100 Continue\r\n\r\n");
	else if (status == 204)
		n = snprintf(buf, size, "HTTP/1.1 204 No Content\r\nServer: kestrel\r\n%s\r\n",
			     close ? "Connection: close\r\n" : "");
	else
		n = snprintf(buf, size,
			     "HTTP/1.1 %d %s\r\nServer: kestrel\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
			     status, http_status_text(status), body_len,
			     close ? "Connection: close\r\n" : "");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

char *http_fault_body(const char *msg)
{
	size_t n = strlen(msg);
	char *safe = malloc(n + 1), *text = NULL;
	json_t *o;

	if (!safe)
		return NULL;
	/* the message may quote a client's bytes: keep printable ASCII only (valid UTF-8) */
	for (size_t i = 0; i <= n; i++)
		safe[i] = i == n							 ? '\0'
			  : ((unsigned char)msg[i] < ' ' || (unsigned char)msg[i] > '~') ? '?'
											 : msg[i];
	o = json_object();
	if (o && !json_object_set_new(o, "fault_message", json_string(safe)))
		text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	free(safe);
	return text;
}
