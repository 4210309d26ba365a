// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the API socket's HTTP/1.1 request parser (vmm/http_request.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/http_request.h"

static long parse(const char *s, struct http_request *req, char *err)
{
	return http_request_parse(s, strlen(s), req, err, 256);
}

static void test_complete(void **state)
{
	const char *s = "PUT /drives/root HTTP/1.1\r\nHost: localhost\r\n"
			"Content-Type: application/json\r\nContent-Length: 4\r\n\r\n{}  GET";
	struct http_request req;
	char err[256];

	assert_int_equal(parse(s, &req, err), (long)strlen(s) - 3);
	assert_string_equal(req.method, "PUT");
	assert_string_equal(req.path, "/drives/root");
	assert_int_equal(req.body_len, 4);
	assert_memory_equal(req.body, "{}  ", 4);
	assert_true(req.keep_alive);
	assert_false(req.expect_continue);

	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &req, err), 18);
	assert_null(req.body);
	assert_int_equal(req.body_len, 0);
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req, err), 18);
	assert_false(req.keep_alive);
	assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req, err) > 0);
	assert_true(req.keep_alive);
	assert_true(parse("GET / HTTP/1.1\r\nconnection: foo, close\r\n\r\n", &req, err) > 0);
	assert_false(req.keep_alive);
}

static void test_incomplete(void **state)
{
	const char *s =
		"PUT /actions HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n{\"a\"";
	struct http_request req;
	char err[256];

	/* every prefix is incomplete, never an error */
	for (size_t n = 0; n < strlen(s); n++)
		assert_int_equal(http_request_parse(s, n, &req, err, sizeof(err)), 0);
	assert_int_equal(parse(s, &req, err), 0);
	assert_int_not_equal(req.header_len, 0);
	assert_true(req.expect_continue);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &req, err), 0);
	assert_int_equal(req.header_len, 0);
}

static void expect_error(const char *s, long status, const char *text)
{
	struct http_request req;
	char err[256];

	assert_int_equal(parse(s, &req, err), -status);
	if (!strstr(err, text))
		fail_msg("\"%s\" lacks \"%s\"", err, text);
}

static void test_errors(void **state)
{
	char *big;

	expect_error("get / HTTP/1.1\r\n", 400, "bad method");
	expect_error("GET\r\n", 400, "bad method");
	expect_error("GET x HTTP/1.1\r\n", 400, "must start with /");
	expect_error("GET / HTTP/2\r\n", 400, "HTTP/1.1 or HTTP/1.0");
	expect_error("GET /  HTTP/1.1\r\n", 400, "HTTP/1.1 or HTTP/1.0");
	expect_error("GET /\x01 HTTP/1.1\r\n", 400, "bad target");
	expect_error("GET / HTTP/1.1\n", 400, "bare CR or LF");
	expect_error("GET / HTTP/1.1\rx", 400, "bare CR or LF");
	expect_error("GET / HTTP/1.1\r\nHost: x\n", 400, "bare CR or LF");
	expect_error("GET / HTTP/1.1\r\n folded\r\n", 400, "folding");
	expect_error("GET / HTTP/1.1\r\nNo colon\r\n", 400, "malformed header");
	expect_error("GET / HTTP/1.1\r\n: v\r\n", 400, "malformed header");
	expect_error("GET / HTTP/1.1\r\nX: a\x01"
		     "b\r\n",
		     400, "control byte");
	expect_error("PUT / HTTP/1.1\r\nContent-Length: 1x\r\n", 400, "Content-Length");
	expect_error("PUT / HTTP/1.1\r\nContent-Length: -1\r\n", 400, "Content-Length");
	expect_error("PUT / HTTP/1.1\r\nContent-Length:\r\n", 400, "Content-Length");
	expect_error("PUT / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n", 400, "twice");
	expect_error("PUT / HTTP/1.1\r\nContent-Length: 65537\r\n", 413, "at most 65536");
	expect_error("PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n", 413,
		     "Content-Length");
	expect_error("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n", 411, "Content-Length");
	expect_error("PUT / HTTP/1.1\r\nExpect: 200-ok\r\n", 417, "100-continue");
	expect_error("ABCDEFGHIJKLMNOP / HTTP/1.1\r\n", 400, "method longer");
	/* an incomplete line is refused as soon as it cannot become a request line */
	expect_error("\x16\x03\x01", 400, "bad method");
	expect_error("get", 400, "bad method");
	expect_error("GET /\x01", 400, "control byte");
	expect_error("GET /\xff", 400, "non-ASCII");

	big = malloc(HTTP_HEADER_MAX + 64);
	memset(big, 'a', HTTP_HEADER_MAX + 63);
	big[HTTP_HEADER_MAX + 63] = '\0';
	memcpy(big, "GET /", 5);
	expect_error(big, 431, "header section longer");
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	expect_error(big, 431, "header section longer");
	/* a long target: 414 */
	memset(big, 'a', HTTP_HEADER_MAX + 63);
	memcpy(big, "GET /", 5);
	memcpy(big + 5 + HTTP_TARGET_MAX, " HTTP/1.1\r\n", 12);
	expect_error(big, 414, "request target longer");
	free(big);

	{
		char many[HTTP_HEADER_MAX];
		size_t n = 0;

		n += (size_t)sprintf(many, "GET / HTTP/1.1\r\n");
		for (int i = 0; i <= HTTP_HEADERS_MAX; i++)
			n += (size_t)sprintf(many + n, "X: 1\r\n");
		expect_error(many, 431, "header lines");
	}
}

static void test_response(void **state)
{
	char buf[256], *fault;

	assert_true(http_response_head(buf, sizeof(buf), 200, 12, false) > 0);
	assert_non_null(strstr(buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(buf, "Content-Length: 12\r\n"));
	assert_null(strstr(buf, "Connection: close"));
	assert_true(http_response_head(buf, sizeof(buf), 204, 0, true) > 0);
	assert_non_null(strstr(buf, "HTTP/1.1 204 No Content\r\n"));
	assert_null(strstr(buf, "Content-Length"));
	assert_non_null(strstr(buf, "Connection: close\r\n\r\n"));
	assert_int_equal(http_response_head(buf, 10, 200, 12, false), -1);

	fault = http_fault_body("bad \"x\"\x01\xff");
	assert_string_equal(fault, "{\"fault_message\":\"bad \\\"x\\\"??\"}");
	free(fault);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
