// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the API router (vmm/api_router.c): every endpoint with good
 * and bad bodies and in the wrong state, against a fake struct api_ops
 * that records its calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/api_router.h"
#include "tests/fakes/fuzz_replay.h"

#define LLVMFuzzerTestOneInput fuzz_api_one
#include "tests/fuzz/fuzz_api.c"

struct fake {
	int starts, pauses, resumes, cads, drive_updates, logger_applies;
	unsigned drive_index;
	char drive_path[256];
	struct api_logger logger;
	int fail; /* next op returns -EIO with "fake failure" */
};

static int fake_result(struct fake *f, char *err, size_t len)
{
	if (!f->fail)
		return 0;
	f->fail = 0;
	snprintf(err, len, "fake failure");
	return -EIO;
}

static int fake_start(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	f->starts++;
	return fake_result(f, err, len);
}

static int fake_pause(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	f->pauses++;
	return fake_result(f, err, len);
}

static int fake_resume(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	f->resumes++;
	return fake_result(f, err, len);
}

static int fake_cad(void *ctx, char *err, size_t len)
{
	struct fake *f = ctx;

	f->cads++;
	return fake_result(f, err, len);
}

static int fake_drive(void *ctx, unsigned index, const char *path, char *err, size_t len)
{
	struct fake *f = ctx;

	f->drive_updates++;
	f->drive_index = index;
	snprintf(f->drive_path, sizeof(f->drive_path), "%s", path);
	return fake_result(f, err, len);
}

static int fake_logger(void *ctx, const struct api_logger *lg, char *err, size_t len)
{
	struct fake *f = ctx;

	f->logger_applies++;
	f->logger = *lg;
	return fake_result(f, err, len);
}

static json_t *fake_irqchip(void *ctx, char *err, size_t len)
{
	return json_pack("{s:s}", "irqchip", "gicv3-kvm");
}

static const struct api_ops fake_ops = {
	.instance_start = fake_start,
	.pause = fake_pause,
	.resume = fake_resume,
	.send_ctrl_alt_del = fake_cad,
	.drive_update = fake_drive,
	.logger_apply = fake_logger,
	.irqchip_info = fake_irqchip,
	/* .stats left NULL: the endpoint says it is not supported */
};

struct t {
	struct vm_config cfg;
	struct fake fake;
	struct api_router r;
	struct http_response resp;
	json_t *json; /* the last response's body, parsed */
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct api_router_params p = {
		.ops = &fake_ops,
		.vmm_version = "0.1.0",
		.state = API_VM_NOT_STARTED,
	};

	vm_config_defaults(&t->cfg);
	p.cfg = &t->cfg;
	p.ctx = &t->fake;
	api_router_init(&t->r, &p);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	free(t->resp.body);
	json_decref(t->json);
	vm_config_free(&t->cfg);
	free(t);
	return 0;
}

/* Sends a request; returns the status; t->json holds the body (or NULL). */
static int req(struct t *t, const char *method, const char *path, const char *body)
{
	free(t->resp.body);
	json_decref(t->json);
	t->json = NULL;
	api_router_handle(&t->r, method, path, body, body ? strlen(body) : 0, &t->resp);
	if (t->resp.body) {
		t->json = json_loads(t->resp.body, 0, NULL);
		assert_non_null(t->json);
	}
	if (t->resp.status == 204)
		assert_null(t->resp.body);
	return t->resp.status;
}

/* The fault_message of the last (error) response. */
static const char *fault(struct t *t)
{
	assert_int_equal(t->resp.status, 400);
	assert_non_null(t->json);
	assert_int_equal(json_object_size(t->json), 1);
	return json_string_value(json_object_get(t->json, "fault_message"));
}

#define assert_fault_has(t, text)                                                        \
	do {                                                                             \
		const char *m_ = fault(t);                                               \
		if (!m_ || !strstr(m_, text))                                            \
			fail_msg("fault \"%s\" lacks \"%s\"", m_ ? m_ : "(null)", text); \
	} while (0)

static void boot(struct t *t)
{
	assert_int_equal(
		req(t, "PUT", "/boot-source",
		    "{\"kernel_image_path\": \"/k/Image\", \"boot_args\": \"console=ttyS0\"}"),
		204);
	assert_int_equal(req(t, "PUT", "/actions", "{\"action_type\": \"InstanceStart\"}"), 204);
}

static void test_instance_info(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "GET", "/", NULL), 200);
	assert_string_equal(json_string_value(json_object_get(t->json, "state")), "Not started");
	assert_string_equal(json_string_value(json_object_get(t->json, "id")),
			    "anonymous-instance");
	assert_string_equal(json_string_value(json_object_get(t->json, "vmm_version")), "0.1.0");
	assert_string_equal(json_string_value(json_object_get(t->json, "app_name")), "kestrel");
	boot(t);
	assert_int_equal(req(t, "GET", "/", NULL), 200);
	assert_string_equal(json_string_value(json_object_get(t->json, "state")), "Running");
}

static void test_boot_source(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "PUT", "/boot-source",
			     "{\"kernel_image_path\": \"/k/Image\", \"boot_args\": \"a=1\", "
			     "\"initrd_path\": \"/k/initrd\"}"),
			 204);
	assert_string_equal(t->cfg.kernel, "/k/Image");
	assert_string_equal(t->cfg.cmdline, "a=1");
	assert_string_equal(t->cfg.initrd, "/k/initrd");
	/* PUT replaces: no boot_args means the default, no initrd_path none */
	assert_int_equal(req(t, "PUT", "/boot-source", "{\"kernel_image_path\": \"/k/I2\"}"), 204);
	assert_string_equal(t->cfg.cmdline, VM_DEFAULT_CMDLINE);
	assert_null(t->cfg.initrd);
	/* null for an optional field is absent */
	assert_int_equal(req(t, "PUT", "/boot-source",
			     "{\"kernel_image_path\": \"/k/I3\", \"initrd_path\": null}"),
			 204);

	req(t, "PUT", "/boot-source", "{\"boot_args\": \"x\"}");
	assert_fault_has(t, "kernel_image_path: missing");
	req(t, "PUT", "/boot-source", "{\"kernel_image_path\": 3}");
	assert_fault_has(t, "kernel_image_path: a string is expected");
	req(t, "PUT", "/boot-source", "{\"kernel_image_path\": \"/k\", \"extra\": 1}");
	assert_fault_has(t, "unknown field \"extra\"");
	req(t, "PUT", "/boot-source", "{\"kernel_image_path\": \"\"}");
	assert_fault_has(t, "kernel.path"); /* vm_config_validate's words */
	assert_string_equal(t->cfg.kernel, "/k/I3"); /* refused: unchanged */
	req(t, "PUT", "/boot-source", "{\"kernel_image_path\": ");
	assert_fault_has(t, "malformed JSON body");
	req(t, "PUT", "/boot-source", "[1]");
	assert_fault_has(t, "must be a JSON object");
	req(t, "PUT", "/boot-source", NULL);
	assert_fault_has(t, "body is required");
	req(t, "PUT", "/boot-source",
	    "{\"kernel_image_path\": \"/a\", \"kernel_image_path\": \"/b\"}");
	assert_fault_has(t, "malformed JSON body");
}

static void test_machine_config(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "PUT", "/machine-config",
			     "{\"vcpu_count\": 2, \"mem_size_mib\": 1024, \"smt\": false, "
			     "\"track_dirty_pages\": false, \"cpu_template\": \"None\", "
			     "\"huge_pages\": \"2M\"}"),
			 204);
	assert_int_equal(t->cfg.cpus, 2);
	assert_int_equal(t->cfg.memory, 1024ULL << 20);
	assert_true(t->cfg.hugepages);
	assert_int_equal(req(t, "GET", "/machine-config", NULL), 200);
	assert_int_equal(json_integer_value(json_object_get(t->json, "vcpu_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(t->json, "mem_size_mib")), 1024);
	assert_true(json_is_false(json_object_get(t->json, "smt")));
	assert_string_equal(json_string_value(json_object_get(t->json, "huge_pages")), "2M");

	/* PATCH changes only what it names */
	assert_int_equal(req(t, "PATCH", "/machine-config", "{\"vcpu_count\": 4}"), 204);
	assert_int_equal(t->cfg.cpus, 4);
	assert_int_equal(t->cfg.memory, 1024ULL << 20);
	assert_true(t->cfg.hugepages);
	/* PUT resets huge_pages */
	assert_int_equal(
		req(t, "PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 256}"),
		204);
	assert_false(t->cfg.hugepages);

	req(t, "PUT", "/machine-config", "{\"vcpu_count\": 1}");
	assert_fault_has(t, "mem_size_mib: missing");
	req(t, "PUT", "/machine-config",
	    "{\"vcpu_count\": 2, \"mem_size_mib\": 256, \"smt\": true}");
	assert_fault_has(t, "smt");
	req(t, "PUT", "/machine-config",
	    "{\"vcpu_count\": 2, \"mem_size_mib\": 256, \"track_dirty_pages\": true}");
	assert_fault_has(t, "track_dirty_pages");
	req(t, "PUT", "/machine-config",
	    "{\"vcpu_count\": 2, \"mem_size_mib\": 256, \"cpu_template\": \"V1N1\"}");
	assert_fault_has(t, "cpu_template: \"V1N1\"");
	req(t, "PUT", "/machine-config",
	    "{\"vcpu_count\": 2, \"mem_size_mib\": 256, \"huge_pages\": \"1G\"}");
	assert_fault_has(t, "huge_pages");
	req(t, "PUT", "/machine-config", "{\"vcpu_count\": -1, \"mem_size_mib\": 256}");
	assert_fault_has(t, "vcpu_count: an integer");
	req(t, "PUT", "/machine-config", "{\"vcpu_count\": 1.5, \"mem_size_mib\": 256}");
	assert_fault_has(t, "vcpu_count: an integer");
	req(t, "PUT", "/machine-config", "{\"vcpu_count\": 0, \"mem_size_mib\": 256}");
	assert_fault_has(t, "machine.cpus");
	req(t, "PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 32}");
	assert_fault_has(t, "machine.memory");
	req(t, "PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 257}");
	assert_fault_has(t, "machine.memory");
	req(t, "PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 256, \"x\": 0}");
	assert_fault_has(t, "unknown field \"x\"");
	assert_int_equal(t->cfg.cpus, 1);
	assert_int_equal(t->cfg.memory, 256ULL << 20);
}

static void test_drives(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "PUT", "/drives/scratch",
			     "{\"drive_id\": \"scratch\", \"path_on_host\": \"/d/s.img\", "
			     "\"is_root_device\": false, \"is_read_only\": true}"),
			 204);
	assert_int_equal(req(t, "PUT", "/drives/rootfs",
			     "{\"drive_id\": \"rootfs\", \"path_on_host\": \"/d/root.ext4\", "
			     "\"is_root_device\": true, \"is_read_only\": false, "
			     "\"cache_type\": \"Unsafe\", \"io_engine\": \"Sync\", "
			     "\"partuuid\": null, \"rate_limiter\": null}"),
			 204);
	/* the root drive goes first, as /dev/vda */
	assert_int_equal(t->cfg.nr_disks, 2);
	assert_string_equal(t->cfg.disks[0].id, "rootfs");
	assert_string_equal(t->cfg.disks[1].id, "scratch");
	assert_true(t->cfg.disks[1].readonly);
	/* a second PUT of an id replaces that drive */
	assert_int_equal(req(t, "PUT", "/drives/scratch",
			     "{\"drive_id\": \"scratch\", \"path_on_host\": \"/d/s2.img\", "
			     "\"is_root_device\": false}"),
			 204);
	assert_int_equal(t->cfg.nr_disks, 2);
	assert_string_equal(t->cfg.disks[1].path, "/d/s2.img");
	assert_false(t->cfg.disks[1].readonly);

	req(t, "PUT", "/drives/other",
	    "{\"drive_id\": \"other\", \"path_on_host\": \"/d/o\", \"is_root_device\": true}");
	assert_fault_has(t, "is_root_device: drive \"rootfs\" is already the root device");
	req(t, "PUT", "/drives/a",
	    "{\"drive_id\": \"b\", \"path_on_host\": \"/d/o\", "
	    "\"is_root_device\": false}");
	assert_fault_has(t, "not the id in the path");
	req(t, "PUT", "/drives/a-b",
	    "{\"drive_id\": \"a-b\", \"path_on_host\": \"/d/o\", "
	    "\"is_root_device\": false}");
	assert_fault_has(t, "drive_id: \"a-b\" may hold only");
	req(t, "PUT", "/drives/a", "{\"drive_id\": \"a\", \"path_on_host\": \"/d/o\"}");
	assert_fault_has(t, "is_root_device: missing");
	req(t, "PUT", "/drives/a",
	    "{\"drive_id\": \"a\", \"path_on_host\": \"/d/o\", "
	    "\"is_root_device\": false, \"partuuid\": \"1234\"}");
	assert_fault_has(t, "partuuid: not supported");
	req(t, "PUT", "/drives/a",
	    "{\"drive_id\": \"a\", \"path_on_host\": \"/d/o\", "
	    "\"is_root_device\": false, \"io_engine\": \"Async\"}");
	assert_fault_has(t, "io_engine: \"Async\"");
	req(t, "PUT", "/drives/a",
	    "{\"drive_id\": \"a\", \"path_on_host\": \"/d/o\", "
	    "\"is_root_device\": false, \"rate_limiter\": {}}");
	assert_fault_has(t, "rate_limiter: not supported");
	req(t, "PUT", "/drives/a",
	    "{\"drive_id\": \"a\", \"path_on_host\": \"/d/o\", "
	    "\"is_root_device\": false, \"socket\": \"/s\"}");
	assert_fault_has(t, "socket: not supported");
	/* two drives on one file: vm_config_validate's check */
	req(t, "PUT", "/drives/dup",
	    "{\"drive_id\": \"dup\", \"path_on_host\": \"/d/s2.img\", "
	    "\"is_root_device\": false}");
	assert_fault_has(t, "disks[2]");
	/* a drive_id longer than the virtio-blk serial */
	req(t, "PUT", "/drives/abcdefghijklmnopqrstu",
	    "{\"drive_id\": \"abcdefghijklmnopqrstu\", \"path_on_host\": \"/d/l\", "
	    "\"is_root_device\": false}");
	assert_fault_has(t, "disks[2].id");
	assert_int_equal(t->cfg.nr_disks, 2);
	/* no path id */
	req(t, "PUT", "/drives/", "{}");
	assert_fault_has(t, "invalid request method and/or path");
	req(t, "PUT", "/drives/a/b", "{}");
	assert_fault_has(t, "invalid request method and/or path");

	/* the root drive puts root=/dev/vda on the command line at start */
	boot(t);
	assert_string_equal(t->cfg.cmdline, "console=ttyS0 root=/dev/vda rw");
}

static void test_drive_limit(void **state)
{
	struct t *t = *state;
	char path[64], body[256];

	for (int i = 0; i <= VM_MAX_DISKS; i++) {
		snprintf(path, sizeof(path), "/drives/d%d", i);
		snprintf(body, sizeof(body),
			 "{\"drive_id\": \"d%d\", \"path_on_host\": \"/d/%d\", "
			 "\"is_root_device\": false}",
			 i, i);
		req(t, "PUT", path, body);
		if (i < VM_MAX_DISKS)
			assert_int_equal(t->resp.status, 204);
		else
			assert_fault_has(t, "at most 8 drives");
	}
}

static void test_patch_drive(void **state)
{
	struct t *t = *state;
	const char *patch = "{\"drive_id\": \"scratch\", \"path_on_host\": \"/d/new.img\"}";

	assert_int_equal(req(t, "PUT", "/drives/scratch",
			     "{\"drive_id\": \"scratch\", \"path_on_host\": \"/d/s.img\", "
			     "\"is_root_device\": false}"),
			 204);
	req(t, "PATCH", "/drives/scratch", patch);
	assert_fault_has(t, "before starting the microVM");
	boot(t);
	assert_int_equal(req(t, "PATCH", "/drives/scratch", patch), 204);
	assert_int_equal(t->fake.drive_updates, 1);
	assert_int_equal(t->fake.drive_index, 0);
	assert_string_equal(t->fake.drive_path, "/d/new.img");
	assert_string_equal(t->cfg.disks[0].path, "/d/new.img");
	/* no path: nothing to do */
	assert_int_equal(req(t, "PATCH", "/drives/scratch", "{\"drive_id\": \"scratch\"}"), 204);
	assert_int_equal(t->fake.drive_updates, 1);

	req(t, "PATCH", "/drives/nope", "{\"drive_id\": \"nope\", \"path_on_host\": \"/x\"}");
	assert_fault_has(t, "no drive \"nope\"");
	req(t, "PATCH", "/drives/scratch", "{\"drive_id\": \"scratch\", \"is_read_only\": true}");
	assert_fault_has(t, "unknown field \"is_read_only\"");
	t->fake.fail = 1;
	req(t, "PATCH", "/drives/scratch",
	    "{\"drive_id\": \"scratch\", \"path_on_host\": \"/d/3\"}");
	/* the op's failure: 400 naming the drive with the op's words; the path stays */
	assert_fault_has(t, "PATCH /drives/scratch: fake failure");
	assert_int_equal(t->fake.drive_updates, 2);
	assert_string_equal(t->cfg.disks[0].path, "/d/new.img");
	/* a path failing the config checks never reaches the op */
	assert_int_equal(req(t, "PATCH", "/drives/scratch",
			     "{\"drive_id\": \"scratch\", \"path_on_host\": \"\"}"),
			 400);
	assert_int_equal(t->fake.drive_updates, 2);
	assert_string_equal(t->cfg.disks[0].path, "/d/new.img");
	/* a drive PUT after start is refused */
	req(t, "PUT", "/drives/scratch",
	    "{\"drive_id\": \"scratch\", \"path_on_host\": \"/d/s.img\", \"is_root_device\": "
	    "false}");
	assert_fault_has(t, "after starting the microVM");
}

static void test_network(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "PUT", "/network-interfaces/eth0",
			     "{\"iface_id\": \"eth0\", \"host_dev_name\": \"tap0\", "
			     "\"guest_mac\": \"06:00:AC:10:00:02\"}"),
			 204);
	assert_int_equal(t->cfg.nr_nets, 1);
	assert_string_equal(t->cfg.nets[0].tap, "tap0");
	assert_true(t->cfg.nets[0].has_mac);
	assert_int_equal(t->cfg.nets[0].mac[5], 2);
	/* same id: replaced */
	assert_int_equal(req(t, "PUT", "/network-interfaces/eth0",
			     "{\"iface_id\": \"eth0\", \"host_dev_name\": \"tap1\"}"),
			 204);
	assert_int_equal(t->cfg.nr_nets, 1);
	assert_string_equal(t->cfg.nets[0].tap, "tap1");
	assert_false(t->cfg.nets[0].has_mac);
	assert_int_equal(req(t, "PUT", "/network-interfaces/eth1",
			     "{\"iface_id\": \"eth1\", \"host_dev_name\": \"tap2\", "
			     "\"rx_rate_limiter\": null}"),
			 204);
	assert_int_equal(t->cfg.nr_nets, 2);

	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth2\", \"host_dev_name\": \"tap1\"}");
	assert_fault_has(t, "nets[2]"); /* two nets on one tap */
	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth2\", \"host_dev_name\": \"tap3\", \"guest_mac\": \"zz\"}");
	assert_fault_has(t, "guest_mac: \"zz\"");
	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth2\", \"host_dev_name\": \"tap3\", \"guest_mac\": "
	    "\"01:00:00:00:00:01\"}");
	assert_fault_has(t, "nets[2].mac"); /* multicast */
	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth2\", \"host_dev_name\": \"tap3\", \"tx_rate_limiter\": {}}");
	assert_fault_has(t, "tx_rate_limiter: not supported");
	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth2\", \"host_dev_name\": \"tap3\", \"mtu\": 9000}");
	assert_fault_has(t, "mtu: not supported");
	req(t, "PATCH", "/network-interfaces/eth0", "{\"iface_id\": \"eth0\"}");
	assert_fault_has(t, "no network rate limiting");
	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth3\", \"host_dev_name\": \"t\"}");
	assert_fault_has(t, "not the id in the path");
	req(t, "PUT", "/network-interfaces/eth2", "{\"iface_id\": \"eth2\"}");
	assert_fault_has(t, "host_dev_name: missing");
	req(t, "PUT", "/network-interfaces/eth2",
	    "{\"iface_id\": \"eth2\", \"host_dev_name\": \"0123456789abcdef\"}");
	assert_fault_has(t, "nets[2].tap");
	assert_int_equal(t->cfg.nr_nets, 2);
}

static void test_vsock_entropy(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "PUT", "/vsock", "{\"guest_cid\": 3}"), 204);
	assert_true(t->cfg.vsock.enabled);
	assert_int_equal(t->cfg.vsock.cid, 3);
	assert_int_equal(req(t, "PUT", "/vsock",
			     "{\"guest_cid\": 7, \"vsock_id\": \"v\", "
			     "\"uds_path\": null}"),
			 204);
	assert_int_equal(t->cfg.vsock.cid, 7);
	req(t, "PUT", "/vsock", "{\"guest_cid\": 3, \"uds_path\": \"/tmp/v.sock\"}");
	assert_fault_has(t, "uds_path: not supported by kestrel (kestrel's vsock is vhost-vsock");
	req(t, "PUT", "/vsock", "{\"guest_cid\": 2}");
	assert_fault_has(t, "vsock.cid");
	req(t, "PUT", "/vsock", "{\"guest_cid\": 4294967296}");
	assert_fault_has(t, "guest_cid: an integer");
	req(t, "PUT", "/vsock", "{}");
	assert_fault_has(t, "guest_cid: missing");
	assert_int_equal(t->cfg.vsock.cid, 7);

	assert_false(t->cfg.rng);
	assert_int_equal(req(t, "PUT", "/entropy", "{}"), 204);
	assert_true(t->cfg.rng);
	req(t, "PUT", "/entropy", "{\"rate_limiter\": {\"bandwidth\": {}}}");
	assert_fault_has(t, "rate_limiter: not supported");
}

static void test_logger(void **state)
{
	struct t *t = *state;

	assert_int_equal(req(t, "PUT", "/logger",
			     "{\"log_path\": \"/tmp/k.log\", \"level\": \"Debug\", "
			     "\"show_level\": false, \"show_log_origin\": false}"),
			 204);
	assert_string_equal(t->cfg.log_file, "/tmp/k.log");
	assert_int_equal(t->cfg.log_level, LOG_DEBUG);
	assert_int_equal(t->fake.logger_applies, 1);
	assert_int_equal(req(t, "PUT", "/logger", "{\"level\": \"warning\"}"), 204);
	assert_int_equal(t->cfg.log_level, LOG_WARN);

	req(t, "PUT", "/logger", "{\"level\": \"Trace\"}");
	assert_fault_has(t, "level: \"Trace\"");
	assert_null(t->fake.logger.log_path); /* not given this time */
	assert_false(t->fake.logger.show_level);
	/* Firecracker's getting-started body: the line format goes to the VMM */
	assert_int_equal(req(t, "PUT", "/logger",
			     "{\"log_path\": \"./firecracker.log\", \"level\": \"Debug\", "
			     "\"show_level\": true, \"show_log_origin\": true}"),
			 204);
	assert_string_equal(t->fake.logger.log_path, "./firecracker.log");
	assert_int_equal(t->fake.logger.level, LOG_DEBUG);
	assert_true(t->fake.logger.show_level);
	assert_true(t->fake.logger.show_log_origin);
	assert_int_equal(req(t, "PUT", "/logger", "{\"level\": \"Warning\"}"), 204);
	req(t, "PUT", "/logger", "{\"module\": \"api_server\"}");
	assert_fault_has(t, "module: not supported");
	/* the VMM could not open it: the config goes back */
	t->fake.fail = 1;
	req(t, "PUT", "/logger", "{\"log_path\": \"/nope/k.log\", \"level\": \"Error\"}");
	assert_fault_has(t, "fake failure");
	assert_string_equal(t->cfg.log_file, "./firecracker.log");
	assert_int_equal(t->cfg.log_level, LOG_WARN);
}

/* Without logger_apply, a line format cannot be honoured: refused. */
static void test_logger_without_op(void **state)
{
	struct t *t = *state;
	struct api_ops ops = fake_ops;
	struct api_router_params p = {.cfg = &t->cfg, .ops = &ops, .ctx = &t->fake};

	ops.logger_apply = NULL;
	api_router_init(&t->r, &p);
	assert_int_equal(req(t, "PUT", "/logger", "{\"log_path\": \"/l\", \"level\": \"Info\"}"),
			 204);
	assert_string_equal(t->cfg.log_file, "/l");
	req(t, "PUT", "/logger", "{\"show_level\": true}");
	assert_fault_has(t, "show_level: not supported");
	req(t, "PUT", "/logger", "{\"show_log_origin\": true}");
	assert_fault_has(t, "show_log_origin: not supported");
}

static void test_actions(void **state)
{
	struct t *t = *state;

	req(t, "PUT", "/actions", "{\"action_type\": \"InstanceStart\"}");
	assert_fault_has(t, "no kernel");
	assert_int_equal(t->fake.starts, 0);
	req(t, "PUT", "/actions", "{\"action_type\": \"SendCtrlAltDel\"}");
	assert_fault_has(t, "before starting the microVM");
	req(t, "PUT", "/actions", "{\"action_type\": \"FlushMetrics\"}");
	assert_fault_has(t, "FlushMetrics");
	req(t, "PUT", "/actions", "{\"action_type\": \"Reboot\"}");
	assert_fault_has(t, "action_type: \"Reboot\"");
	req(t, "PUT", "/actions", "{\"action_type\": \"InstanceStart\", \"now\": true}");
	assert_fault_has(t, "unknown field \"now\"");

	/* a failed start leaves the VM not started and can be retried */
	assert_int_equal(req(t, "PUT", "/boot-source", "{\"kernel_image_path\": \"/k/Image\"}"),
			 204);
	t->fake.fail = 1;
	req(t, "PUT", "/actions", "{\"action_type\": \"InstanceStart\"}");
	assert_fault_has(t, "InstanceStart: fake failure");
	assert_int_equal(api_router_state(&t->r), API_VM_NOT_STARTED);
	assert_int_equal(req(t, "PUT", "/actions", "{\"action_type\": \"InstanceStart\"}"), 204);
	assert_int_equal(t->fake.starts, 2);
	assert_int_equal(api_router_state(&t->r), API_VM_RUNNING);

	req(t, "PUT", "/actions", "{\"action_type\": \"InstanceStart\"}");
	assert_fault_has(t, "already started");
	assert_int_equal(t->fake.starts, 2);
	assert_int_equal(req(t, "PUT", "/actions", "{\"action_type\": \"SendCtrlAltDel\"}"), 204);
	assert_int_equal(t->fake.cads, 1);

	/* every pre-boot PUT is refused now */
	static const char *const preboot[][2] = {
		{"/boot-source", "{\"kernel_image_path\": \"/k\"}"},
		{"/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 256}"},
		{"/network-interfaces/e", "{\"iface_id\": \"e\", \"host_dev_name\": \"t\"}"},
		{"/vsock", "{\"guest_cid\": 3}"},
		{"/entropy", "{}"},
		{"/logger", "{\"level\": \"Info\"}"},
	};
	for (size_t i = 0; i < sizeof(preboot) / sizeof(preboot[0]); i++) {
		req(t, "PUT", preboot[i][0], preboot[i][1]);
		assert_fault_has(t, "after starting the microVM");
	}
	req(t, "PATCH", "/machine-config", "{\"vcpu_count\": 2}");
	assert_fault_has(t, "after starting the microVM");
}

static void test_pause_resume(void **state)
{
	struct t *t = *state;

	req(t, "PATCH", "/vm", "{\"state\": \"Paused\"}");
	assert_fault_has(t, "before starting the microVM");
	assert_int_equal(t->fake.pauses, 0);
	boot(t);
	assert_int_equal(req(t, "PATCH", "/vm", "{\"state\": \"Paused\"}"), 204);
	assert_int_equal(t->fake.pauses, 1);
	assert_int_equal(req(t, "GET", "/", NULL), 200);
	assert_string_equal(json_string_value(json_object_get(t->json, "state")), "Paused");
	/* pausing a paused VM is a no-op */
	assert_int_equal(req(t, "PATCH", "/vm", "{\"state\": \"Paused\"}"), 204);
	assert_int_equal(t->fake.pauses, 1);
	assert_int_equal(req(t, "PATCH", "/vm", "{\"state\": \"Resumed\"}"), 204);
	assert_int_equal(t->fake.resumes, 1);
	assert_int_equal(api_router_state(&t->r), API_VM_RUNNING);
	t->fake.fail = 1;
	req(t, "PATCH", "/vm", "{\"state\": \"Paused\"}");
	assert_fault_has(t, "fake failure");
	assert_int_equal(api_router_state(&t->r), API_VM_RUNNING);
	req(t, "PATCH", "/vm", "{\"state\": \"Stopped\"}");
	assert_fault_has(t, "state: \"Stopped\"");
	req(t, "PATCH", "/vm", "{\"state\": 1}");
	assert_fault_has(t, "state: a string");
	req(t, "PATCH", "/vm", "{}");
	assert_fault_has(t, "state: missing");
}

static void test_vm_config_and_kestrel(void **state)
{
	struct t *t = *state;
	json_t *kernel;

	assert_int_equal(req(t, "PUT", "/boot-source", "{\"kernel_image_path\": \"/k/Image\"}"),
			 204);
	assert_int_equal(req(t, "GET", "/vm/config", NULL), 200);
	kernel = json_object_get(t->json, "kernel");
	assert_string_equal(json_string_value(json_object_get(kernel, "path")), "/k/Image");

	req(t, "GET", "/kestrel/irqchip", NULL);
	assert_fault_has(t, "before starting");
	boot(t);
	assert_int_equal(req(t, "GET", "/kestrel/irqchip", NULL), 200);
	assert_string_equal(json_string_value(json_object_get(t->json, "irqchip")), "gicv3-kvm");
	req(t, "GET", "/kestrel/stats", NULL);
	assert_fault_has(t, "not supported by this kestrel");
}

static void test_unknown_and_refused(void **state)
{
	struct t *t = *state;

	req(t, "GET", "/nope", NULL);
	assert_fault_has(t, "invalid request method and/or path: GET /nope");
	req(t, "DELETE", "/boot-source", NULL);
	assert_fault_has(t, "invalid request method and/or path");
	req(t, "POST", "/actions", "{\"action_type\": \"InstanceStart\"}");
	assert_fault_has(t, "invalid request method and/or path");
	req(t, "PUT", "/balloon", "{\"amount_mib\": 1}");
	assert_fault_has(t, "no balloon device");
	req(t, "PUT", "/snapshot/create", "{}");
	assert_fault_has(t, "no snapshots");
	req(t, "PUT", "/pmem/p0", "{}");
	assert_fault_has(t, "no virtio-pmem");
	req(t, "PUT", "/mmds/config", "{}");
	assert_fault_has(t, "metadata service");
	req(t, "GET", "/machine-config?x=1", NULL);
	assert_fault_has(t, "invalid request method and/or path");
}

static void test_booted_from_flags(void **state)
{
	struct t *t = *state;
	struct api_router_params p = {
		.cfg = &t->cfg,
		.ops = &fake_ops,
		.ctx = &t->fake,
		.instance_id = "vm1",
		.state = API_VM_RUNNING,
	};

	t->cfg.disks[0].path = "/d/root";
	t->cfg.disks[0].id = "root";
	t->cfg.nr_disks = 1;
	api_router_init(&t->r, &p);
	assert_int_equal(req(t, "GET", "/", NULL), 200);
	assert_string_equal(json_string_value(json_object_get(t->json, "id")), "vm1");
	assert_string_equal(json_string_value(json_object_get(t->json, "state")), "Running");
	assert_int_equal(req(t, "PATCH", "/drives/root",
			     "{\"drive_id\": \"root\", \"path_on_host\": \"/d/r2\"}"),
			 204);
	assert_string_equal(t->fake.drive_path, "/d/r2");
	api_router_set_state(&t->r, API_VM_PAUSED);
	assert_int_equal(req(t, "PATCH", "/vm", "{\"state\": \"Resumed\"}"), 204);
	assert_int_equal(t->fake.resumes, 1);
}

static void test_string_budget(void **state)
{
	struct t *t = *state;
	char body[3200], name[3001];
	int i;

	memset(name, 'k', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"kernel_image_path\": \"/%s\"}", name);
	/* each accepted PUT stores ~3 KiB; the budget (1 MiB) runs out, and stays bounded */
	for (i = 0; i < 1000; i++)
		if (req(t, "PUT", "/boot-source", body) != 204)
			break;
	assert_true(i > 100 && i < 1000);
	assert_fault_has(t, "too many configuration changes");
}

/* The fuzz target's seeds and every input it kept pass its checks (tests/fuzz/). */
static void test_fuzz_regressions(void **state)
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int n, total = 0;

	for (size_t i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], "fuzz_api");
		n = fuzz_replay_dir(dir, fuzz_api_one);
		assert_true(n >= 0);
		total += n;
	}
	assert_true(total >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_instance_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drive_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patch_drive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vsock_entropy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logger_without_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_config_and_kestrel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_booted_from_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_budget, setup, teardown),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
