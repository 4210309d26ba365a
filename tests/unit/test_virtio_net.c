// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: virtio-net (devices/virtio_net.c) with a SOCK_SEQPACKET
 * socketpair standing in for the tap (one datagram = one frame, as a tap
 * reads and writes), brought up through the virtio-mmio transport with the
 * fake driver while the device's worker thread runs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arch/arm64/layout.h"
#include "devices/virtio_net.h"
#include "tests/fakes/recording_irq_line.h"
#include "tests/fakes/virtq_driver.h"
#include "lib/guest_mem.h"

#define RAM_BASE LAYOUT_RAM_BASE
#define RAM_SIZE 0x400000ULL
#define QSIZE 64
#define RX_BUFS (RAM_BASE + 0x10000) /* 2 KiB each */
#define TX_BUFS (RAM_BASE + 0x100000)
#define WAIT_MS 5000

#define F(bit) VIRTIO_BIT(VIRTIO_NET_F_##bit)

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

struct fixture {
	struct guest_mem mem;
	struct irq_recorder irq;
	struct virtio_net net;
	struct vqd_queue rx, tx;
	int sv[2]; /* sv[0]: the device's "tap", sv[1]: the host network */
	unsigned int offload_calls, offload_flags;
	uint64_t features;
};

static int fake_set_offload(void *ctx, unsigned int flags)
{
	struct fixture *fx = ctx;

	fx->offload_calls++;
	fx->offload_flags = flags;
	return 0;
}

static int start(void **state, bool vnet_hdr)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct virtio_net_config cfg;

	if (!fx || guest_mem_init(&fx->mem, RAM_BASE, RAM_SIZE, false) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fx->sv))
		return -1;
	irq_recorder_init(&fx->irq);
	cfg = (struct virtio_net_config){
		.mem = &fx->mem,
		.irq = recording_irq_line(&fx->irq, LAYOUT_VIRTIO_INTID(0)),
		.tap_fd = fx->sv[0],
		.vnet_hdr = vnet_hdr,
		.set_offload = fake_set_offload,
		.offload_ctx = fx,
	};
	memcpy(cfg.mac, mac, 6);
	if (virtio_net_init(&fx->net, &cfg))
		return -1;
	vqd_init(&fx->rx, &fx->mem, QSIZE, RAM_BASE);
	vqd_init(&fx->tx, &fx->mem, QSIZE, RAM_BASE + 0x4000);
	if (!vmmio_negotiate(&fx->net.mmio, ~0ULL, &fx->features) ||
	    !vmmio_setup_queue(&fx->net.mmio, VIRTIO_NET_RXQ, &fx->rx) ||
	    !vmmio_setup_queue(&fx->net.mmio, VIRTIO_NET_TXQ, &fx->tx))
		return -1;
	vmmio_driver_ok(&fx->net.mmio);
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return start(state, true);
}

static int setup_no_hdr(void **state)
{
	return start(state, false);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	virtio_net_destroy(&fx->net);
	close(fx->sv[0]);
	if (fx->sv[1] >= 0)
		close(fx->sv[1]);
	irq_recorder_destroy(&fx->irq);
	guest_mem_destroy(&fx->mem);
	free(fx);
	return 0;
}

/* The recorder's raise count, read under its lock; waits up to @ms for it to reach @min. */
static unsigned int irq_raises_wait(struct irq_recorder *rec, unsigned int min, int ms)
{
	unsigned int n;

	for (;;) {
		pthread_mutex_lock(&rec->lock);
		n = rec->raises;
		pthread_mutex_unlock(&rec->lock);
		if (n >= min || ms-- <= 0)
			return n;
		usleep(1000);
	}
}

static uint8_t *ram(struct fixture *fx, gpa_t gpa, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&fx->mem, gpa, len);

	assert_non_null(p);
	return p;
}

/* A frame of @len bytes whose content depends on @seed. */
static void make_frame(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i);
}

/* What the host side receives next, with a timeout. */
static ssize_t host_recv(struct fixture *fx, uint8_t *buf, size_t len)
{
	struct pollfd p = {.fd = fx->sv[1], .events = POLLIN};

	if (poll(&p, 1, WAIT_MS) != 1)
		return -ETIMEDOUT;
	return recv(fx->sv[1], buf, len, 0);
}

/* Posts @n rx buffers of 2 KiB, each split 100 + rest, and kicks. */
static void post_rx(struct fixture *fx, unsigned int first, unsigned int n)
{
	struct vqd_buf b[2];
	unsigned int i;

	for (i = first; i < first + n; i++) {
		b[0] = (struct vqd_buf){RX_BUFS + 2048ULL * (i % 32), 100, true};
		b[1] = (struct vqd_buf){RX_BUFS + 2048ULL * (i % 32) + 100, 1948, true};
		vqd_add(&fx->rx, b, 2);
	}
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_RXQ);
}

static void test_config_and_offloads(void **state)
{
	struct fixture *fx = *state;
	uint8_t m[6];
	uint16_t status;

	vmmio_config(&fx->net.mmio, VIRTIO_NET_CFG_MAC, m, 6);
	vmmio_config(&fx->net.mmio, VIRTIO_NET_CFG_STATUS, &status, 2);
	assert_memory_equal(m, mac, 6);
	assert_int_equal(status, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(vmmio_rd(&fx->net.mmio, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	assert_true(fx->features & F(MAC));
	assert_true(fx->features & F(STATUS));
	assert_true(fx->features & (F(CSUM) | F(GUEST_CSUM) | F(HOST_TSO4) | F(GUEST_TSO6)));
	assert_false(fx->features & F(MRG_RXBUF));
	/* DRIVER_OK told the tap what it may send us. */
	assert_int_equal(fx->offload_calls, 1);
	assert_int_equal(fx->offload_flags, VIRTIO_NET_OFFLOAD_CSUM | VIRTIO_NET_OFFLOAD_TSO4 |
						    VIRTIO_NET_OFFLOAD_TSO6);
	assert_true(virtio_mmio_kick_fd(&fx->net.mmio, 0) >= 0);
	assert_true(virtio_mmio_kick_fd(&fx->net.mmio, 1) >= 0);

	/* A driver taking only checksum offload: CSUM alone for the tap. */
	assert_true(vmmio_negotiate(&fx->net.mmio, VIRTIO_BIT(VIRTIO_F_VERSION_1) | F(GUEST_CSUM),
				    NULL));
	assert_true(vmmio_setup_queue(&fx->net.mmio, 0, &fx->rx));
	vmmio_driver_ok(&fx->net.mmio);
	assert_int_equal(fx->offload_flags, VIRTIO_NET_OFFLOAD_CSUM);
	/* Dependencies: TSO without checksum offload is refused. */
	assert_false(vmmio_negotiate(&fx->net.mmio, VIRTIO_BIT(VIRTIO_F_VERSION_1) | F(GUEST_TSO4),
				     NULL));
	assert_false(vmmio_negotiate(&fx->net.mmio, VIRTIO_BIT(VIRTIO_F_VERSION_1) | F(HOST_TSO6),
				     NULL));
	assert_true(vmmio_negotiate(&fx->net.mmio,
				    VIRTIO_BIT(VIRTIO_F_VERSION_1) | F(HOST_TSO6) | F(CSUM), NULL));
}

static void test_tx_reaches_tap(void **state)
{
	struct fixture *fx = *state;
	uint8_t *hdr = ram(fx, TX_BUFS, 12), *frame = ram(fx, TX_BUFS + 0x100, 1500);
	uint8_t got[2048];
	uint32_t id = 0, len = 99;
	unsigned int i;

	/* virtio_net_hdr_v1 with a checksum request, then a 60-byte frame in two parts. */
	memset(hdr, 0, 12);
	hdr[0] = 1; /* NEEDS_CSUM */
	hdr[6] = 34; /* csum_start */
	hdr[8] = 16; /* csum_offset */
	make_frame(frame, 60, 1);
	vqd_add(&fx->tx,
		(struct vqd_buf[]){{TX_BUFS, 12, false},
				   {TX_BUFS + 0x100, 20, false},
				   {TX_BUFS + 0x114, 40, false}},
		3);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	assert_int_equal(host_recv(fx, got, sizeof(got)), 72);
	assert_memory_equal(got, hdr, 12); /* the header passes through unchanged */
	assert_memory_equal(got + 12, frame, 60);
	assert_true(vqd_wait_used(&fx->tx, fx->tx.avail_idx, WAIT_MS));
	assert_true(vqd_get_used(&fx->tx, &id, &len));
	assert_int_equal(len, 0);

	/* Several frames, one kick, in order. */
	for (i = 0; i < 5; i++) {
		make_frame(ram(fx, TX_BUFS + 0x1000 * (i + 1), 1000), 1000, 10 + i);
		memset(ram(fx, TX_BUFS + 0x1000 * (i + 1) - 12, 12), 0, 12);
		vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS + 0x1000 * (i + 1) - 12, 1012, false},
			1);
	}
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	for (i = 0; i < 5; i++) {
		assert_int_equal(host_recv(fx, got, sizeof(got)), 1012);
		assert_memory_equal(got + 12, ram(fx, TX_BUFS + 0x1000 * (i + 1), 1000), 1000);
	}
	assert_true(vqd_wait_used(&fx->tx, fx->tx.avail_idx, WAIT_MS));
	assert_int_equal(fx->net.tx_packets, 6);

	/* A chain shorter than the header is dropped, not sent. */
	vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS, 8, false}, 1);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	assert_true(vqd_wait_used(&fx->tx, fx->tx.avail_idx, WAIT_MS));
	assert_int_equal(fx->net.tx_dropped, 1);
}

static void test_rx_lands_in_guest(void **state)
{
	struct fixture *fx = *state;
	uint8_t pkt[1200];
	uint32_t id = 0, len = 0;
	uint8_t *buf;
	uint16_t nb;

	post_rx(fx, 0, 4);
	/* What a tap with a vnet header gives: 12 bytes (num_buffers left unset) + frame. */
	memset(pkt, 0, 12);
	pkt[0] = 2; /* DATA_VALID */
	pkt[10] = 0xaa;
	pkt[11] = 0xbb;
	make_frame(pkt + 12, 1000, 7);
	assert_int_equal(send(fx->sv[1], pkt, 1012, 0), 1012);
	assert_true(vqd_wait_used(&fx->rx, 1, WAIT_MS));
	assert_true(vqd_get_used(&fx->rx, &id, &len));
	assert_int_equal(id, 0);
	assert_int_equal(len, 1012);
	buf = ram(fx, RX_BUFS, 2048);
	assert_int_equal(buf[0], 2);
	memcpy(&nb, buf + VIRTIO_NET_HDR_NUM_BUFFERS, 2);
	assert_int_equal(nb, 1);
	/* The frame spans the two descriptors (100 + rest). */
	assert_memory_equal(buf + 12, pkt + 12, 1000);
	assert_true(irq_raises_wait(&fx->irq, 1, WAIT_MS) >= 1);

	/* Three more back to back. */
	for (int i = 0; i < 3; i++) {
		make_frame(pkt + 12, 60 + i, 20 + i);
		assert_int_equal(send(fx->sv[1], pkt, 72 + i, 0), 72 + i);
	}
	assert_true(vqd_wait_used(&fx->rx, 4, WAIT_MS));
	for (int i = 0; i < 3; i++) {
		assert_true(vqd_get_used(&fx->rx, &id, &len));
		assert_int_equal(len, 72 + i);
	}
	assert_int_equal(fx->net.rx_packets, 4);
}

static void test_rx_waits_for_buffers(void **state)
{
	struct fixture *fx = *state;
	uint8_t pkt[100] = {0};
	uint32_t id = 0, len = 0;
	unsigned int i;

	/* Packets arrive before any buffer: they wait in the tap. */
	for (i = 0; i < 3; i++) {
		make_frame(pkt + 12, 80, i);
		assert_int_equal(send(fx->sv[1], pkt, sizeof(pkt), 0), sizeof(pkt));
	}
	usleep(20000);
	assert_int_equal(vqd_used_idx(&fx->rx), 0);
	/* One buffer: one packet; then the rest when more buffers come. */
	post_rx(fx, 0, 1);
	assert_true(vqd_wait_used(&fx->rx, 1, WAIT_MS));
	usleep(20000);
	assert_int_equal(vqd_used_idx(&fx->rx), 1);
	post_rx(fx, 1, 2);
	assert_true(vqd_wait_used(&fx->rx, 3, WAIT_MS));
	for (i = 0; i < 3; i++) {
		assert_true(vqd_get_used(&fx->rx, &id, &len));
		assert_int_equal(len, sizeof(pkt));
		assert_int_equal(ram(fx, RX_BUFS + 2048ULL * i + 12, 1)[0], (uint8_t)(i * 31));
	}

	/* A buffer too small for the header comes back empty, the packet waits. */
	vqd_add(&fx->rx, &(struct vqd_buf){RX_BUFS, 8, true}, 1);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_RXQ);
	assert_true(vqd_wait_used(&fx->rx, 4, WAIT_MS));
	assert_true(vqd_get_used(&fx->rx, &id, &len));
	assert_int_equal(len, 0);
	assert_int_equal(send(fx->sv[1], pkt, sizeof(pkt), 0), sizeof(pkt));
	post_rx(fx, 3, 1);
	assert_true(vqd_wait_used(&fx->rx, 5, WAIT_MS));
	assert_true(vqd_get_used(&fx->rx, &id, &len));
	assert_int_equal(len, sizeof(pkt));
}

static void test_tx_backpressure(void **state)
{
	struct fixture *fx = *state;
	const unsigned int n = 40; /* more than the socket queues (max_dgram_qlen) */
	uint8_t got[2048];
	unsigned int i;

	for (i = 0; i < n; i++) {
		gpa_t b = TX_BUFS + 0x800ULL * i;

		memset(ram(fx, b, 12), 0, 12);
		make_frame(ram(fx, b + 12, 500), 500, i);
		vqd_add(&fx->tx, &(struct vqd_buf){b, 512, false}, 1);
	}
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	usleep(20000);
	/* The host reads slowly; every frame arrives, in order, none lost. */
	for (i = 0; i < n; i++) {
		assert_int_equal(host_recv(fx, got, sizeof(got)), 512);
		assert_int_equal(got[12], (uint8_t)(i * 31));
		if (i % 8 == 0)
			usleep(2000);
	}
	assert_true(vqd_wait_used(&fx->tx, n, WAIT_MS));
	assert_int_equal(fx->net.tx_packets, n);
	assert_int_equal(fx->net.tx_dropped, 0);
}

static void test_no_vnet_hdr(void **state)
{
	struct fixture *fx = *state;
	uint8_t got[2048], pkt[64];
	uint32_t id = 0, len = 0;
	uint8_t zero[10] = {0};
	uint16_t nb;

	/* No offloads without a vnet header on the tap. */
	assert_false(fx->features & (F(CSUM) | F(GUEST_CSUM) | F(HOST_TSO4) | F(GUEST_TSO4)));
	assert_int_equal(fx->offload_flags, 0);

	/* tx: the guest's header is stripped. */
	memset(ram(fx, TX_BUFS, 12), 0x33, 12);
	make_frame(ram(fx, TX_BUFS + 12, 60), 60, 3);
	vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS, 72, false}, 1);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	assert_int_equal(host_recv(fx, got, sizeof(got)), 60);
	assert_memory_equal(got, ram(fx, TX_BUFS + 12, 60), 60);

	/* rx: a zero header (num_buffers 1) is written in front of the frame. */
	memset(ram(fx, RX_BUFS, 12), 0xff, 12);
	post_rx(fx, 0, 1);
	make_frame(pkt, sizeof(pkt), 4);
	assert_int_equal(send(fx->sv[1], pkt, sizeof(pkt), 0), sizeof(pkt));
	assert_true(vqd_wait_used(&fx->rx, 1, WAIT_MS));
	assert_true(vqd_get_used(&fx->rx, &id, &len));
	assert_int_equal(len, 12 + sizeof(pkt));
	assert_memory_equal(ram(fx, RX_BUFS, 10), zero, 10);
	memcpy(&nb, ram(fx, RX_BUFS + 10, 2), 2);
	assert_int_equal(nb, 1);
	assert_memory_equal(ram(fx, RX_BUFS + 12, sizeof(pkt)), pkt, sizeof(pkt));
}

static void test_malformed_tx_chain(void **state)
{
	struct fixture *fx = *state;
	int i;

	vqd_desc(&fx->tx, 0, TX_BUFS, 12, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->tx, 1, RAM_BASE + RAM_SIZE - 8, 64, 0, 0); /* runs off the end of RAM */
	vqd_publish(&fx->tx, 0);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	for (i = 0; i < WAIT_MS && !(virtio_mmio_status(&fx->net.mmio) & VIRTIO_STATUS_NEEDS_RESET);
	     i++)
		usleep(1000);
	assert_true(virtio_mmio_status(&fx->net.mmio) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(fx->net.mmio.vqs[VIRTIO_NET_TXQ].bad, VIRTQ_BAD_ADDR);
	/* Nothing went out. */
	struct pollfd p = {.fd = fx->sv[1], .events = POLLIN};
	assert_int_equal(poll(&p, 1, 20), 0);
	/* The reset joins the parked worker; bring-up works again. */
	vqd_init(&fx->tx, &fx->mem, QSIZE, RAM_BASE + 0x4000);
	vqd_init(&fx->rx, &fx->mem, QSIZE, RAM_BASE);
	assert_true(vmmio_negotiate(&fx->net.mmio, ~0ULL, NULL));
	assert_false(fx->net.running);
	assert_true(vmmio_setup_queue(&fx->net.mmio, 0, &fx->rx));
	assert_true(vmmio_setup_queue(&fx->net.mmio, 1, &fx->tx));
	vmmio_driver_ok(&fx->net.mmio);
	assert_true(fx->net.running);
	post_rx(fx, 0, 1);
	assert_int_equal(send(fx->sv[1], "0123456789abcdefghij", 20, 0), 20);
	assert_true(vqd_wait_used(&fx->rx, 1, WAIT_MS));
}

static void test_tap_hangup(void **state)
{
	struct fixture *fx = *state;

	/* The host side goes away: the worker stops polling it and still resets. */
	post_rx(fx, 0, 2);
	close(fx->sv[1]);
	fx->sv[1] = -1;
	usleep(20000);
	vmmio_wr(&fx->net.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_false(fx->net.running);
}

/* While paused, a kicked tx frame is not sent and not completed; resume sends it. */
static void test_pause(void **state)
{
	struct fixture *fx = *state;
	struct pollfd p = {.fd = fx->sv[1], .events = POLLIN};
	uint8_t got[2048];

	virtio_net_pause(&fx->net);
	memset(ram(fx, TX_BUFS, 12), 0, 12);
	make_frame(ram(fx, TX_BUFS + 12, 100), 100, 7);
	vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS, 112, false}, 1);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	/* nothing may happen: give the worker time to do it wrongly */
	assert_int_equal(poll(&p, 1, 200), 0);
	assert_false(vqd_wait_used(&fx->tx, fx->tx.avail_idx, 10));
	virtio_net_resume(&fx->net);
	assert_int_equal(host_recv(fx, got, sizeof(got)), 112);
	assert_memory_equal(got + 12, ram(fx, TX_BUFS + 12, 100), 100);
	assert_true(vqd_wait_used(&fx->tx, fx->tx.avail_idx, WAIT_MS));
	/* a reset while paused does not hang on the closed gate */
	virtio_net_pause(&fx->net);
	vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS, 112, false}, 1);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	vmmio_wr(&fx->net.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_false(fx->net.running);
}

/* Only the header (an empty frame) is dropped and counted, never written to the tap. */
static void test_tx_empty_frame(void **state)
{
	struct fixture *fx = *state;
	uint8_t got[2048];

	memset(ram(fx, TX_BUFS, 12), 0, 12);
	vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS, 12, false}, 1);
	memset(ram(fx, TX_BUFS + 0x1000, 12), 0, 12);
	make_frame(ram(fx, TX_BUFS + 0x1000 + 12, 60), 60, 5);
	vqd_add(&fx->tx, &(struct vqd_buf){TX_BUFS + 0x1000, 72, false}, 1);
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	/* The first datagram the host sees is the real frame. */
	assert_int_equal(host_recv(fx, got, sizeof(got)), 72);
	assert_int_equal(got[12], (uint8_t)(5 * 31));
	assert_true(vqd_wait_used(&fx->tx, 2, WAIT_MS));
	assert_int_equal(__atomic_load_n(&fx->net.tx_dropped, __ATOMIC_RELAXED), 1);
	assert_int_equal(__atomic_load_n(&fx->net.tx_packets, __ATOMIC_RELAXED), 1);
}

/* A frame bigger than the guest's buffer is dropped and counted, not truncated. */
static void test_rx_oversize_dropped(void **state)
{
	struct fixture *fx = *state;
	static uint8_t big[3000];
	uint8_t small[100] = {0};
	uint32_t id = 0, len = 0;

	make_frame(big + 12, sizeof(big) - 12, 8);
	make_frame(small + 12, sizeof(small) - 12, 9);
	assert_int_equal(send(fx->sv[1], big, sizeof(big), 0), sizeof(big));
	assert_int_equal(send(fx->sv[1], small, sizeof(small), 0), sizeof(small));
	post_rx(fx, 0, 1); /* one 2 KiB buffer */
	assert_true(vqd_wait_used(&fx->rx, 1, WAIT_MS));
	assert_true(vqd_get_used(&fx->rx, &id, &len));
	/* The buffer holds the small frame; the big one never reached the guest. */
	assert_int_equal(len, sizeof(small));
	assert_memory_equal(ram(fx, RX_BUFS + 12, sizeof(small) - 12), small + 12,
			    sizeof(small) - 12);
	assert_int_equal(__atomic_load_n(&fx->net.rx_dropped, __ATOMIC_RELAXED), 1);
	assert_int_equal(__atomic_load_n(&fx->net.rx_oversize, __ATOMIC_RELAXED), 1);
	assert_int_equal(__atomic_load_n(&fx->net.rx_packets, __ATOMIC_RELAXED), 1);
}

/* The tap goes away: the guest's transmissions complete (dropped and counted). */
static void test_tx_dead_tap(void **state)
{
	struct fixture *fx = *state;
	const unsigned int n = 20;
	unsigned int i;

	post_rx(fx, 0, 2); /* the worker reads the end of file and marks the tap dead */
	close(fx->sv[1]);
	fx->sv[1] = -1;
	for (i = 0; i < n; i++) {
		gpa_t b = TX_BUFS + 0x800ULL * i;

		memset(ram(fx, b, 12), 0, 12);
		make_frame(ram(fx, b + 12, 100), 100, i);
		vqd_add(&fx->tx, &(struct vqd_buf){b, 112, false}, 1);
		vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
		assert_true(vqd_wait_used(&fx->tx, i + 1, WAIT_MS));
	}
	assert_int_equal(__atomic_load_n(&fx->net.tx_dropped, __ATOMIC_RELAXED), n);
	assert_int_equal(__atomic_load_n(&fx->net.tx_packets, __ATOMIC_RELAXED), 0);
}

/* The tap dies while tx waits for room in it: the waiting frames are dropped, not stuck. */
static void test_tx_blocked_then_dead(void **state)
{
	struct fixture *fx = *state;
	const unsigned int n = 60;
	int sndbuf = 8192; /* a few frames fill the "tap" */
	unsigned int i;

	assert_int_equal(setsockopt(fx->sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)), 0);

	for (i = 0; i < n; i++) {
		gpa_t b = TX_BUFS + 0x800ULL * i;

		memset(ram(fx, b, 12), 0, 12);
		make_frame(ram(fx, b + 12, 500), 500, i);
		vqd_add(&fx->tx, &(struct vqd_buf){b, 512, false}, 1);
	}
	vmmio_kick(&fx->net.mmio, VIRTIO_NET_TXQ);
	/* wait until the tap is full: some frames sent, the rest waiting */
	for (i = 0; i < WAIT_MS && __atomic_load_n(&fx->net.tx_packets, __ATOMIC_RELAXED) < 2; i++)
		usleep(1000);
	assert_true(vqd_used_idx(&fx->tx) < n);
	close(fx->sv[1]);
	fx->sv[1] = -1;
	assert_true(vqd_wait_used(&fx->tx, n, WAIT_MS));
	assert_int_equal(__atomic_load_n(&fx->net.tx_packets, __ATOMIC_RELAXED) +
				 __atomic_load_n(&fx->net.tx_dropped, __ATOMIC_RELAXED),
			 n);
}

static int failing_thread_init(void *ctx)
{
	__atomic_store_n((bool *)ctx, true, __ATOMIC_SEQ_CST);
	return -EPERM;
}

/* A worker that cannot confine itself (its seccomp filter) fails init: no device. */
static void test_worker_init_failure(void **state)
{
	struct fixture *fx = *state;
	struct virtio_net *net = calloc(1, sizeof(*net));
	bool ran = false;
	struct virtio_net_config cfg = {
		.mem = &fx->mem,
		.irq = recording_irq_line(&fx->irq, LAYOUT_VIRTIO_INTID(1)),
		.tap_fd = fx->sv[0],
		.vnet_hdr = true,
		.thread_init = failing_thread_init,
		.thread_ctx = &ran,
	};

	assert_non_null(net);
	assert_int_equal(virtio_net_init(net, &cfg), -EPERM);
	/* the set-up ran (and failed) before init returned; the worker was joined */
	assert_true(__atomic_load_n(&ran, __ATOMIC_SEQ_CST));
	assert_int_equal(net->stop_fd, -1);
	virtio_net_destroy(net); /* harmless after a failed init */
	free(net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_and_offloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_reaches_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_lands_in_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_waits_for_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vnet_hdr, setup_no_hdr, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_tx_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_hangup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_empty_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_oversize_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_dead_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_blocked_then_dead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_init_failure, setup, teardown),
	};

	/* a write to a vanished host side is an error, not a kill (as in kestrel) */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
