// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the virtio-net request paths (net_tx / net_rx of
 * devices/virtio_net.c, included here so the static paths are reachable)
 * on fuzzer-written rings, with a SOCK_SEQPACKET socketpair as the tap. The
 * device is built by virtio_net_init() but never activated, so its worker
 * stays parked and the paths run deterministically on the fuzzing thread,
 * as the worker would run them (a few tx/rx passes, each as after a kick).
 *
 * Input: byte 0 flags (bit 0 vnet header on the tap, bit 1 INDIRECT_DESC,
 * bit 2 EVENT_IDX, bit 3 the tap's peer is closed after the rx frames
 * were queued), byte 1 the queue size of both queues (2^(b % 5)); then, as
 * in tests/fuzz/fuzz_ring.h but for two queues, each section as long as the
 * input allows: tx avail ring, tx descriptor table, rx avail ring, rx
 * descriptor table, 8 KiB of buffers; the rest is rx frames, each a byte of
 * length (x 8) followed by that many bytes (the tap's side).
 *
 * Guest RAM (64 KiB at 0x10000): +0x0000 tx avail, +0x1000 tx descriptors,
 * +0x2000 rx avail, +0x3000 rx descriptors, +0x4000 buffers, +0xc000 tx
 * used, +0xd000 rx used.
 *
 * Checks: the paths return 0 or -EBADMSG; each used ring entry written
 * names a descriptor of the queue and a length within guest RAM; the
 * device counters agree with what the tap's peer saw (frames and bytes
 * sent, no more frames received than written); and everything ASan/UBSan
 * check. Built by scripts/fuzz.sh; tests/unit/test_virtio_net.c replays
 * tests/fuzz/corpus/fuzz_virtio_net/ and tests/fuzz/regress/fuzz_virtio_net/.
 *
 * fuzz-sources: devices/virtio_mmio.c devices/virtio_queue.c lib/guest_mem.c lib/log.c
 * fuzz-sources: lib/work_gate.c
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/virtio_net.c"

#define FN_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FN_RAM_BASE 0x10000ULL
#define FN_RAM_SIZE 0x10000ULL
#define FN_TX_AVAIL (FN_RAM_BASE + 0x0000)
#define FN_TX_DESC (FN_RAM_BASE + 0x1000)
#define FN_RX_AVAIL (FN_RAM_BASE + 0x2000)
#define FN_RX_DESC (FN_RAM_BASE + 0x3000)
#define FN_BUFS (FN_RAM_BASE + 0x4000)
#define FN_BUFS_SIZE 0x2000
#define FN_TX_USED (FN_RAM_BASE + 0xc000)
#define FN_RX_USED (FN_RAM_BASE + 0xd000)
#define FN_PASSES 4

static struct guest_mem *fn_mem(void)
{
	static struct guest_mem mem;
	static bool done;

	if (!done) {
		FN_CHECK(guest_mem_init(&mem, FN_RAM_BASE, FN_RAM_SIZE, false) == 0);
		done = true;
	}
	memset(guest_mem_ptr(&mem, FN_RAM_BASE, FN_RAM_SIZE), 0, FN_RAM_SIZE);
	return &mem;
}

static void fn_copy(struct guest_mem *mem, gpa_t gpa, uint64_t max, const uint8_t **data,
		    size_t *size)
{
	size_t n = *size < max ? *size : (size_t)max;

	memcpy(guest_mem_ptr(mem, gpa, n), *data, n);
	*data += n;
	*size -= n;
}

static void fn_queue(struct virtq *vq, uint16_t num, gpa_t desc, gpa_t avail, gpa_t used,
		     uint64_t features)
{
	vq->num = num;
	vq->desc_gpa = desc;
	vq->avail_gpa = avail;
	vq->used_gpa = used;
	FN_CHECK(virtq_enable(vq) == 0);
	virtq_set_features(vq, features);
}

/* Every used entry the device wrote: a descriptor of the queue, a length inside RAM. */
static void fn_check_used(struct guest_mem *mem, const struct virtq *vq, gpa_t used, bool tx)
{
	const uint8_t *u = guest_mem_ptr(mem, used, VIRTQ_USED_BYTES(vq->num));
	uint16_t idx = (uint16_t)(u[2] | u[3] << 8);

	FN_CHECK(idx == vq->used_idx);
	for (uint32_t i = 0; i < vq->pushed && i < vq->num; i++) {
		const uint8_t *e = u + 4 + 8 * ((uint16_t)(idx - 1 - i) % vq->num);
		uint32_t id = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
			      (uint32_t)e[3] << 24;
		uint32_t len = (uint32_t)e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 |
			       (uint32_t)e[7] << 24;

		FN_CHECK(id < vq->num);
		FN_CHECK(tx ? len == 0 : len <= FN_RAM_SIZE);
	}
}

/* Reads what the device sent to the tap (nothing when the peer is closed). */
static void fn_drain(int fd, uint8_t *buf, size_t size, uint64_t *frames, uint64_t *bytes)
{
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = recv(fd, buf, size, MSG_DONTWAIT)) >= 0) {
		FN_CHECK((size_t)n < size); /* bigger than the socket can carry */
		(*frames)++;
		*bytes += (uint64_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_config cfg = {0};
	struct net_state st = {0};
	struct guest_mem *mem;
	struct virtio_net *net;
	uint64_t features, sent_frames = 0, sent_bytes = 0, rx_written = 0;
	static uint8_t frame[1 << 18];
	uint16_t num;
	uint8_t flags;
	int sv[2];

	if (size < 2)
		return 0;
	signal(SIGPIPE, SIG_IGN); /* as in the VMM: a closed tap gives EPIPE */
	flags = data[0];
	features = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		   (data[0] & 2 ? VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) : 0) |
		   (data[0] & 4 ? VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) : 0);
	num = (uint16_t)(1u << (data[1] % 5));
	mem = fn_mem();
	FN_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
	cfg.mem = mem;
	cfg.tap_fd = sv[0];
	cfg.vnet_hdr = data[0] & 1;
	cfg.queue_size = 16;
	net = calloc(1, sizeof(*net));
	FN_CHECK(net && virtio_net_init(net, &cfg) == 0);
	net->features = features;

	data += 2;
	size -= 2;
	fn_copy(mem, FN_TX_AVAIL, VIRTQ_AVAIL_BYTES(num), &data, &size);
	fn_copy(mem, FN_TX_DESC, VIRTQ_DESC_BYTES(num), &data, &size);
	fn_copy(mem, FN_RX_AVAIL, VIRTQ_AVAIL_BYTES(num), &data, &size);
	fn_copy(mem, FN_RX_DESC, VIRTQ_DESC_BYTES(num), &data, &size);
	fn_copy(mem, FN_BUFS, FN_BUFS_SIZE, &data, &size);
	fn_queue(&net->mmio.vqs[VIRTIO_NET_TXQ], num, FN_TX_DESC, FN_TX_AVAIL, FN_TX_USED,
		 features);
	fn_queue(&net->mmio.vqs[VIRTIO_NET_RXQ], num, FN_RX_DESC, FN_RX_AVAIL, FN_RX_USED,
		 features);

	/* The tap's side: rx frames, as many as the socket takes. */
	while (size) {
		size_t len = (size_t)data[0] * 8;

		data++;
		size--;
		if (len > size)
			len = size;
		if (send(sv[1], data, len, MSG_DONTWAIT) < 0)
			break;
		rx_written++;
		data += len;
		size -= len;
	}
	if (flags & 8) {
		close(sv[1]); /* a dead tap: queued frames, then end of file / EPIPE */
		sv[1] = -1;
	}

	for (int pass = 0; pass < FN_PASSES; pass++) {
		int ret = net_tx(net, &st);

		FN_CHECK(ret == 0 || ret == -EBADMSG);
		if (ret)
			break;
		ret = net_rx(net, &st);
		FN_CHECK(ret == 0 || ret == -EBADMSG);
		if (ret)
			break;
		/* What the worker would see next: a kick, the tap writable again. */
		st.rx_wait_kick = false;
		st.tx_blocked = false;
		fn_drain(sv[1], frame, sizeof(frame), &sent_frames, &sent_bytes);
	}
	fn_drain(sv[1], frame, sizeof(frame), &sent_frames, &sent_bytes);

	fn_check_used(mem, &net->mmio.vqs[VIRTIO_NET_TXQ], FN_TX_USED, true);
	fn_check_used(mem, &net->mmio.vqs[VIRTIO_NET_RXQ], FN_RX_USED, false);
	/* Every frame counted reached the tap, and only those (empty frames are dropped). */
	FN_CHECK(net->tx_bytes == sent_bytes && sent_frames == net->tx_packets);
	FN_CHECK(net->rx_packets <= rx_written);

	virtio_net_destroy(net);
	free(net);
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return 0;
}
