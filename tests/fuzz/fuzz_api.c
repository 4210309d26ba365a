// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the API request path as the socket sees it. The input
 * is a byte stream from one client: http_request_parse() frames it into
 * requests (pipelined), each goes through api_router_handle() with a fake
 * struct api_ops over a fresh config, until the stream ends or a framing
 * error (which ends the connection in the server too). Byte 0 picks the
 * VM's starting state and which ops fail. Checks: every answer is 200, 204
 * or 400 (framing errors: 4xx); a 200 body is JSON; a 400 body is exactly
 * {"fault_message": string}; the router's state only moves as the ops
 * allow; the config stays valid (vm_config_validate) after every request.
 * Built by scripts/fuzz.sh.
 *
 * fuzz-sources: vmm/http_request.c vmm/api_router.c vmm/api_call.c vmm/api_config.c vmm/fc_config.c
 * fuzz-sources: vmm/config_print.c vmm/vm_config.c
 * fuzz-sources: lib/util.c lib/log.c irqchip/irqchip_select.c -ljansson
 */
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/api_router.h"
#include "vmm/http_request.h"

struct fuzz_fake {
	uint8_t fail_mask; /* bit per op: that op fails */
};

static int fuzz_op(void *ctx, int bit, char *err, size_t len)
{
	struct fuzz_fake *f = ctx;

	if (!(f->fail_mask & (1u << bit)))
		return 0;
	snprintf(err, len, "fake failure");
	return -EIO;
}

static int fz_start(void *ctx, char *err, size_t len)
{
	return fuzz_op(ctx, 0, err, len);
}
static int fz_pause(void *ctx, char *err, size_t len)
{
	return fuzz_op(ctx, 1, err, len);
}
static int fz_resume(void *ctx, char *err, size_t len)
{
	return fuzz_op(ctx, 2, err, len);
}
static int fz_cad(void *ctx, char *err, size_t len)
{
	return fuzz_op(ctx, 3, err, len);
}
static int fz_logger(void *ctx, const struct api_logger *lg, char *err, size_t len)
{
	return fuzz_op(ctx, 4, err, len);
}

static int fz_drive(void *ctx, unsigned index, const char *path, char *err, size_t len)
{
	if (index >= VM_MAX_DISKS || !path)
		abort();
	return fuzz_op(ctx, 5, err, len);
}

static json_t *fz_info(void *ctx, char *err, size_t len)
{
	return fuzz_op(ctx, 6, err, len) ? NULL : json_pack("{s:i}", "n", 1);
}

static const struct api_ops fuzz_ops = {
	.instance_start = fz_start,
	.pause = fz_pause,
	.resume = fz_resume,
	.send_ctrl_alt_del = fz_cad,
	.logger_apply = fz_logger,
	.drive_update = fz_drive,
	.irqchip_info = fz_info,
	.stats = fz_info,
};

static void check_response(const struct http_response *resp)
{
	json_t *j;

	if (resp->status == 204) {
		if (resp->body)
			abort();
		return;
	}
	if (resp->status != 200 && resp->status != 400)
		abort();
	if (!resp->body)
		return; /* out of memory */
	j = json_loads(resp->body, 0, NULL);
	if (!j)
		abort();
	if (resp->status == 400 &&
	    (json_object_size(j) != 1 || !json_is_string(json_object_get(j, "fault_message"))))
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fake fake = {0};
	struct api_router_params p = {.ops = &fuzz_ops, .ctx = &fake, .vmm_version = "fuzz"};
	struct vm_config cfg;
	struct api_router r;
	char err[512];

	if (size < 1)
		return 0;
	fake.fail_mask = data[0] & 0x7f;
	p.state = (data[0] & 0x80) ? API_VM_RUNNING : API_VM_NOT_STARTED;
	data++;
	size--;
	vm_config_defaults(&cfg);
	p.cfg = &cfg;
	api_router_init(&r, &p);

	while (size) {
		struct http_request req;
		struct http_response resp = {0};
		enum api_vm_state before = api_router_state(&r);
		long n = http_request_parse((const char *)data, size, &req, err, sizeof(err));

		if (n < 0) {
			/* the server answers -n and closes: must be a 4xx with a one-line reason */
			if (n > -400 || n < -499 || !err[0] || strchr(err, '\n'))
				abort();
			resp.body = http_fault_body(err);
			free(resp.body);
			break;
		}
		if (n == 0)
			break;
		if ((size_t)n > size ||
		    (req.body_len && req.body != (const char *)data + req.header_len))
			abort();
		api_router_handle(&r, req.method, req.path, req.body, req.body_len, &resp);
		check_response(&resp);
		free(resp.body);
		/* state moves only on success, and never back to Not started */
		if (api_router_state(&r) != before &&
		    (resp.status != 204 || api_router_state(&r) == API_VM_NOT_STARTED))
			abort();
		if (vm_config_validate(&cfg, VM_CHECK_PART, err, sizeof(err)))
			abort();
		data += n;
		size -= (size_t)n;
	}
	vm_config_free(&cfg);
	return 0;
}
