// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMM's side of the API (vmm/api_router.h's struct api_ops): what the
 * Firecracker-style requests do to the session and the running VM. Every
 * op runs on the main thread, from the event loop that serves the socket.
 *
 * - InstanceStart: the session's preparation (host checks, files, backends,
 *   seccomp compilation) runs now, so its errors reach the client; the VM
 *   itself is built when the request has been answered.
 * - Pause / Resume: every vCPU parks outside KVM_RUN (vcpus_pause()), then
 *   the devices stop (vm_virtio_pause()): the virtio-blk and -net workers
 *   finish the request or frames they hold (its interrupt stays pending for
 *   the parked vCPU) and take no other; vhost-vsock is stopped
 *   (VHOST_VSOCK_SET_RUNNING 0). Resume starts the devices, then the
 *   vCPUs. The guest's
 *   counter keeps running: after a resume the guest sees the time that
 *   passed, as with Firecracker.
 * - PATCH /drives: the new image is opened here (O_NONBLOCK, so that a FIFO
 *   cannot block the loop; cleared after) and checked to be a regular file
 *   or a block device, then handed to virtio_blk_set_backing(); the old fd
 *   is closed. Any failure leaves the old image in place. The backend fd
 *   is replaced too, so a guest reboot keeps the new image.
 * - SendCtrlAltDel: the power button (vm_request_shutdown()).
 * - GET /kestrel/irqchip, /kestrel/stats: JSON built here.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "irqchip/irqchip.h"
#include "lib/log.h"
#include "vmm/api_router.h"
#include "vmm/api_server.h"
#include "vmm/log_file.h"
#include "vmm/vm.h"
#include "vmm/vm_priv.h"

static int instance_start(void *ctx, char *err, size_t errlen)
{
	struct vm_session *s = ctx;
	int status = session_prepare(s);

	if (status) {
		snprintf(err, errlen, "InstanceStart: %s (see kestrel's log)",
			 status == EXIT_USAGE ? "the configuration does not work on this host"
					      : "host failure");
		return -EINVAL;
	}
	s->start = true;
	return 0;
}

static int pause_vm(void *ctx, char *err, size_t errlen)
{
	struct vm_session *s = ctx;

	if (!s->vm) {
		snprintf(err, errlen, "no VM is running");
		return -EINVAL;
	}
	vcpus_pause(s->vm);
	log_info("VM paused");
	return 0;
}

static int resume_vm(void *ctx, char *err, size_t errlen)
{
	struct vm_session *s = ctx;

	if (!s->vm) {
		snprintf(err, errlen, "no VM is running");
		return -EINVAL;
	}
	vcpus_resume(s->vm);
	log_info("VM resumed");
	return 0;
}

/* A regular file or a block device: what a disk may be backed by. */
static bool disk_file_type(mode_t m)
{
	return S_ISREG(m) || S_ISBLK(m);
}

static int drive_update(void *ctx, unsigned index, const char *path, char *err, size_t errlen)
{
	struct vm_session *s = ctx;
	bool ro = s->cfg->disks[index].readonly;
	struct virtio_blk *blk;
	struct stat st;
	int fd, old, ret, flags;

	if (!s->vm || index >= s->vm->virtio.nr ||
	    s->vm->virtio.devs[index].kind != VM_VIRTIO_BLK) {
		snprintf(err, errlen, "no VM is running");
		return -EINVAL;
	}
	blk = s->vm->virtio.devs[index].dev;
	/* Refused before open(): opening a character device may act on it. */
	if (stat(path, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "path_on_host %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!disk_file_type(st.st_mode))
		goto bad_type;
	fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "path_on_host %s: %s", path, strerror(-ret));
		return ret;
	}
	/* The file opened may not be the one stat() saw. */
	if (fstat(fd, &st) < 0 || !disk_file_type(st.st_mode)) {
		close(fd);
		goto bad_type;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		ret = -errno;
		close(fd);
		snprintf(err, errlen, "path_on_host %s: fcntl: %s", path, strerror(-ret));
		return ret;
	}
	ret = virtio_blk_set_backing(blk, fd, &old);
	if (ret) {
		close(fd);
		snprintf(err, errlen, "path_on_host %s: %s", path, strerror(-ret));
		return ret;
	}
	s->backends.disk_fd[index] = fd; /* the device had it: it is the old one */
	close(old);
	log_info("disk %u: now %s (%llu sectors)", index, path, (unsigned long long)blk->capacity);
	return 0;

bad_type:
	snprintf(err, errlen, "path_on_host %s: not a regular file or block device", path);
	return -EINVAL;
}

static int ctrl_alt_del(void *ctx, char *err, size_t errlen)
{
	struct vm_session *s = ctx;

	if (!s->vm) {
		snprintf(err, errlen, "no VM is running");
		return -EINVAL;
	}
	vm_request_shutdown(s);
	return 0;
}

static int logger_apply(void *ctx, const struct api_logger *lg, char *err, size_t errlen)
{
	struct vm_session *s = ctx;
	int fd;

	if (lg->show_level || lg->show_log_origin) {
		snprintf(err, errlen, "show_level and show_log_origin: not supported by kestrel");
		return -EINVAL;
	}
	if (lg->log_path) {
		fd = log_file_open(lg->log_path);
		if (fd < 0) {
			snprintf(err, errlen, "log_path: %s: %s", lg->log_path, strerror(-fd));
			return fd;
		}
		log_set_output(fd, true);
		if (s->log_fd >= 0)
			close(s->log_fd);
		s->log_fd = fd;
	}
	log_set_level(lg->level);
	return 0;
}

static json_t *irqchip_info(void *ctx, char *err, size_t errlen)
{
	struct vm_session *s = ctx;
	char list[64];

	if (!s->vm || !s->vm->chip) {
		snprintf(err, errlen, "no VM is running");
		return NULL;
	}
	irqchip_pref_format(&s->cfg->irqchip, list, sizeof(list));
	return json_pack("{s:s, s:s, s:i}", "irqchip", irqchip_name(s->vm->chip), "preference",
			 list, "vcpus", (int)s->vm->nr_vcpus);
}

/* Each virtio-net device's counters, in slot order. */
static json_t *net_stats(const struct vm_virtio *vv)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < vv->nr; i++) {
		const struct virtio_net *n = vv->devs[i].dev;

		if (vv->devs[i].kind != VM_VIRTIO_NET)
			continue;
		json_array_append_new(
			a,
			json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "slot", (int)i,
				  "rx_packets",
				  (json_int_t)__atomic_load_n(&n->rx_packets, __ATOMIC_RELAXED),
				  "rx_bytes",
				  (json_int_t)__atomic_load_n(&n->rx_bytes, __ATOMIC_RELAXED),
				  "rx_dropped",
				  (json_int_t)__atomic_load_n(&n->rx_dropped, __ATOMIC_RELAXED),
				  "rx_oversize",
				  (json_int_t)__atomic_load_n(&n->rx_oversize, __ATOMIC_RELAXED),
				  "tx_packets",
				  (json_int_t)__atomic_load_n(&n->tx_packets, __ATOMIC_RELAXED),
				  "tx_bytes",
				  (json_int_t)__atomic_load_n(&n->tx_bytes, __ATOMIC_RELAXED),
				  "tx_dropped",
				  (json_int_t)__atomic_load_n(&n->tx_dropped, __ATOMIC_RELAXED)));
	}
	return a;
}

static json_t *stats(void *ctx, char *err, size_t errlen)
{
	struct vm_session *s = ctx;
	json_t *o, *cls;

	if (!s->vm || !s->vm->chip) {
		snprintf(err, errlen, "no VM is running");
		return NULL;
	}
	o = json_object();
	cls = json_object();
	for (int c = 0; c < IRQ_CLASS_NR; c++) {
		struct irqchip_counts n;

		if (irqchip_counts_class(s->vm->chip, (enum irq_class)c, &n))
			continue;
		json_object_set_new(cls, irq_class_name((enum irq_class)c),
				    json_pack("{s:I, s:I, s:I}", "set_pending",
					      (json_int_t)n.set_pending, "delivered",
					      (json_int_t)n.delivered, "errors",
					      (json_int_t)n.errors));
	}
	json_object_set_new(o, "irqchip", json_string(irqchip_name(s->vm->chip)));
	json_object_set_new(o, "classes", cls);
	json_object_set_new(o, "net", net_stats(&s->vm->virtio));
	if (s->serial_ready) {
		struct serial_out_stats st;

		serial_out_get_stats(&s->serial, &st);
		json_object_set_new(o, "serial",
				    json_pack("{s:I, s:I, s:I}", "bytes_in",
					      (json_int_t)st.bytes_in, "bytes_out",
					      (json_int_t)st.bytes_out, "dropped",
					      (json_int_t)st.dropped));
	}
	return o;
}

static const struct api_ops vm_api_ops = {
	.instance_start = instance_start,
	.pause = pause_vm,
	.resume = resume_vm,
	.send_ctrl_alt_del = ctrl_alt_del,
	.drive_update = drive_update,
	.logger_apply = logger_apply,
	.irqchip_info = irqchip_info,
	.stats = stats,
};

int vm_api_open(struct vm_session *s)
{
	struct api_router_params rp = {
		.cfg = s->cfg,
		.ops = &vm_api_ops,
		.ctx = s,
		.vmm_version = KESTREL_VERSION,
		.state = s->cfg->kernel ? API_VM_RUNNING : API_VM_NOT_STARTED,
	};
	struct api_server_params sp = {
		.path = s->cfg->api_socket,
		.handler = api_router_serve,
		.handler_ctx = &s->router,
	};
	char err[256];
	int ret;

	/*
	 * jansson seeds its hash function from /dev/urandom (open + read) when
	 * the first JSON object is made. A run-time request (GET /kestrel/stats
	 * of a VM booted at start) may make that first object after the main
	 * thread's seccomp filter is in, which allows no such openat: seed now.
	 */
	json_object_seed(0);
	api_router_init(&s->router, &rp);
	ret = api_server_create(&s->el, &sp, &s->api, err, sizeof(err));
	if (ret)
		log_err("--api-socket: %s", err);
	return ret;
}

void vm_api_close(struct vm_session *s)
{
	if (s->api)
		api_server_destroy(s->api);
	s->api = NULL;
}

void vm_api_set_state(struct vm_session *s, bool paused)
{
	if (s->api)
		api_router_set_state(&s->router, paused ? API_VM_PAUSED : API_VM_RUNNING);
}
