// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: virtio-rng (devices/virtio_rng.c) with a deterministic fill op,
 * brought up through the virtio-mmio transport with the fake driver.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "devices/virtio_rng.h"
#include "tests/fakes/recording_irq_line.h"
#include "tests/fakes/virtq_driver.h"
#include "lib/guest_mem.h"

#define RAM_BASE LAYOUT_RAM_BASE
#define RAM_SIZE 0x100000ULL
#define DATA (RAM_BASE + 0x10000)

struct fixture {
	struct guest_mem mem;
	struct irq_recorder irq;
	struct virtio_rng rng;
	struct vqd_queue d;
	uint8_t next; /* the fake source emits 0, 1, 2, ... */
	unsigned int calls;
	ssize_t limit; /* > 0: at most this many bytes per call; < 0: fail with it */
};

static ssize_t fake_fill(void *ctx, void *buf, size_t len)
{
	struct fixture *fx = ctx;
	uint8_t *p = buf;
	size_t i;

	fx->calls++;
	if (fx->limit < 0)
		return fx->limit;
	if (fx->limit > 0 && len > (size_t)fx->limit)
		len = (size_t)fx->limit;
	for (i = 0; i < len; i++)
		p[i] = fx->next++;
	return (ssize_t)len;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct virtio_rng_config cfg;

	if (!fx || guest_mem_init(&fx->mem, RAM_BASE, RAM_SIZE, false))
		return -1;
	irq_recorder_init(&fx->irq);
	cfg = (struct virtio_rng_config){
		.mem = &fx->mem,
		.irq = recording_irq_line(&fx->irq, LAYOUT_VIRTIO_INTID(2)),
		.fill = fake_fill,
		.fill_ctx = fx,
		.queue_size = 16,
	};
	if (virtio_rng_init(&fx->rng, &cfg))
		return -1;
	vqd_init(&fx->d, &fx->mem, 16, RAM_BASE);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	virtio_rng_destroy(&fx->rng);
	irq_recorder_destroy(&fx->irq);
	guest_mem_destroy(&fx->mem);
	free(fx);
	return 0;
}

static void bring_up(struct fixture *fx)
{
	uint64_t f;

	assert_true(vmmio_negotiate(&fx->rng.mmio, ~0ULL, &f));
	assert_int_equal(f, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |
				    VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC));
	assert_true(vmmio_setup_queue(&fx->rng.mmio, 0, &fx->d));
	vmmio_driver_ok(&fx->rng.mmio);
}

static uint8_t *ram(struct fixture *fx, gpa_t gpa, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&fx->mem, gpa, len);

	assert_non_null(p);
	return p;
}

static void test_fills_buffers(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf bufs[] = {
		{DATA, 8, false}, {DATA + 0x100, 16, true}, {DATA + 0x200, 16, true}};
	uint32_t id = 0, len = 0;
	int i;

	bring_up(fx);
	assert_int_equal(vmmio_rd(&fx->rng.mmio, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	memset(ram(fx, DATA, 8), 0xcc, 8);
	vqd_add(&fx->d, bufs, 3);
	irq_recorder_clear(&fx->irq);
	vmmio_kick(&fx->rng.mmio, 0);
	/* Served on the kicking thread: done when the write returns. */
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(id, 0);
	assert_int_equal(len, 32);
	for (i = 0; i < 16; i++) {
		assert_int_equal(ram(fx, DATA + 0x100, 16)[i], i);
		assert_int_equal(ram(fx, DATA + 0x200, 16)[i], 16 + i);
	}
	/* The readable buffer is not written. */
	assert_int_equal(ram(fx, DATA, 8)[0], 0xcc);
	assert_int_equal(fx->irq.raises, 1);
	assert_int_equal(vmmio_ack_interrupt(&fx->rng.mmio), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(fx->rng.bytes, 32);
	/* No ioeventfd for this device: it runs on the vCPU. */
	assert_int_equal(virtio_mmio_kick_fd(&fx->rng.mmio, 0), -ENOENT);
}

static void test_request_cap_and_short_source(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf big = {DATA, 2 * VIRTIO_RNG_MAX_REQUEST, true};
	const struct vqd_buf two[] = {{DATA, 100, true}, {DATA + 0x1000, 100, true}};
	uint32_t id = 0, len = 0;

	bring_up(fx);
	/* A huge buffer gets VIRTIO_RNG_MAX_REQUEST bytes. */
	vqd_add(&fx->d, &big, 1);
	vmmio_kick(&fx->rng.mmio, 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, VIRTIO_RNG_MAX_REQUEST);

	/* A source returning a little at a time is called until the buffer is full. */
	fx->limit = 7;
	vqd_add(&fx->d, two, 2);
	vmmio_kick(&fx->rng.mmio, 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 200);

	/* A failing source: the buffer comes back with what was written (nothing). */
	fx->limit = -EIO;
	vqd_add(&fx->d, two, 2);
	vmmio_kick(&fx->rng.mmio, 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 0);
	assert_int_equal(virtio_mmio_status(&fx->rng.mmio) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_buffers_before_driver_ok(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf b = {DATA, 64, true};
	uint32_t id = 0, len = 0;

	assert_true(vmmio_negotiate(&fx->rng.mmio, ~0ULL, NULL));
	assert_true(vmmio_setup_queue(&fx->rng.mmio, 0, &fx->d));
	vqd_add(&fx->d, &b, 1);
	vmmio_kick(&fx->rng.mmio, 0); /* too early: dropped */
	assert_false(vqd_get_used(&fx->d, &id, &len));
	vmmio_driver_ok(&fx->rng.mmio);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 64);
}

static void test_malformed_chain(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = 0, len = 0;

	bring_up(fx);
	vqd_desc(&fx->d, 0, DATA, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	vqd_publish(&fx->d, 0);
	irq_recorder_clear(&fx->irq);
	vmmio_kick(&fx->rng.mmio, 0);
	assert_false(vqd_get_used(&fx->d, &id, &len));
	assert_true(virtio_mmio_status(&fx->rng.mmio) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(vmmio_ack_interrupt(&fx->rng.mmio), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(fx->calls, 0);
	/* Reset and start over. */
	vqd_init(&fx->d, &fx->mem, 16, RAM_BASE);
	bring_up(fx);
	vqd_add(&fx->d, &(struct vqd_buf){DATA, 4, true}, 1);
	vmmio_kick(&fx->rng.mmio, 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 4);
}

static void test_event_idx_suppression(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf b = {DATA, 4, true};
	uint32_t id = 0, len = 0;

	bring_up(fx);
	vqd_add(&fx->d, &b, 1);
	vmmio_kick(&fx->rng.mmio, 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	/* used_event = 5: the next interrupt only once entry 5 is used. */
	vqd_set_used_event(&fx->d, 5);
	irq_recorder_clear(&fx->irq);
	for (int i = 1; i <= 5; i++) {
		vqd_add(&fx->d, &b, 1);
		vmmio_kick(&fx->rng.mmio, 0);
		assert_true(vqd_get_used(&fx->d, &id, &len));
		assert_int_equal(fx->irq.raises, i == 5 ? 1 : 0);
	}
	/* The device asks for a kick at the next buffer. */
	assert_int_equal(vqd_avail_event(&fx->d), 6);
}

static void test_getrandom_op(void **state)
{
	uint8_t buf[64] = {0}, zero[64] = {0};

	assert_int_equal(virtio_rng_getrandom(NULL, buf, sizeof(buf)), sizeof(buf));
	assert_memory_not_equal(buf, zero, sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fills_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_cap_and_short_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffers_before_driver_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_idx_suppression, setup, teardown),
		cmocka_unit_test(test_getrandom_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
