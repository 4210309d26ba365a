// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the split virtqueue (devices/virtio_queue.c), with the fake
 * driver of tests/fakes/virtq_driver.h writing good and malicious rings.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_queue.h"
#include "tests/fakes/fuzz_replay.h"
#include "tests/fakes/virtq_driver.h"
#include "lib/guest_mem.h"

/* The fuzz target, replayed on its kept crashers at the end. */
#define LLVMFuzzerTestOneInput fuzz_virtio_queue_one
#include "tests/fuzz/fuzz_virtio_queue.c"
#undef LLVMFuzzerTestOneInput

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x100000ULL
#define DATA (RAM_BASE + 0x10000) /* buffers live from here */
#define RAM_END (RAM_BASE + RAM_SIZE)

#define F_INDIRECT VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX)

struct fixture {
	struct guest_mem mem;
	struct vqd_queue d;
	struct virtq vq;
	struct virtq_seg segs[VIRTQ_MAX_SIZE];
	struct virtq_chain chain;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || guest_mem_init(&fx->mem, RAM_BASE, RAM_SIZE, false))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	guest_mem_destroy(&fx->mem);
	free(fx);
	return 0;
}

/* A ready queue of @num entries laid out at RAM_BASE by the fake driver. */
static void make_vq(struct fixture *fx, uint16_t num, uint64_t features)
{
	vqd_init(&fx->d, &fx->mem, num, RAM_BASE);
	assert_int_equal(virtq_init(&fx->vq, &fx->mem, VIRTQ_MAX_SIZE), 0);
	fx->vq.num = num;
	fx->vq.desc_gpa = fx->d.desc;
	fx->vq.avail_gpa = fx->d.avail;
	fx->vq.used_gpa = fx->d.used;
	assert_int_equal(virtq_enable(&fx->vq), 0);
	virtq_set_features(&fx->vq, features);
}

static int pop(struct fixture *fx)
{
	return virtq_pop(&fx->vq, fx->segs, VIRTQ_MAX_SIZE, &fx->chain);
}

/* Pops expecting -EBADMSG for @why, then checks the queue stays broken. */
static void expect_bad(struct fixture *fx, enum virtq_bad why)
{
	uint64_t popped = fx->vq.popped;

	assert_int_equal(pop(fx), -EBADMSG);
	assert_true(fx->vq.broken);
	assert_int_equal(fx->vq.bad, why);
	assert_string_not_equal(virtq_bad_str(why), "unknown");
	assert_int_equal(pop(fx), -EBADMSG);
	assert_int_equal(fx->vq.popped, popped);
}

static void test_init_and_enable_checks(void **state)
{
	struct fixture *fx = *state;
	struct virtq *vq = &fx->vq;

	assert_int_equal(virtq_init(vq, &fx->mem, 0), -EINVAL);
	assert_int_equal(virtq_init(vq, &fx->mem, 96), -EINVAL);
	assert_int_equal(virtq_init(vq, &fx->mem, 512), -EINVAL);
	assert_int_equal(virtq_init(vq, &fx->mem, 64), 0);
	assert_int_equal(vq->num, 64);

	vq->desc_gpa = RAM_BASE;
	vq->avail_gpa = RAM_BASE + 0x1000;
	vq->used_gpa = RAM_BASE + 0x2000;
	/* Size: zero, not a power of two, above the maximum. */
	vq->num = 0;
	assert_int_equal(virtq_enable(vq), -EINVAL);
	vq->num = 48;
	assert_int_equal(virtq_enable(vq), -EINVAL);
	vq->num = 128;
	assert_int_equal(virtq_enable(vq), -EINVAL);
	vq->num = 64;
	/* Alignment of each area. */
	vq->desc_gpa = RAM_BASE + 8;
	assert_int_equal(virtq_enable(vq), -EINVAL);
	vq->desc_gpa = RAM_BASE;
	vq->avail_gpa = RAM_BASE + 0x1001;
	assert_int_equal(virtq_enable(vq), -EINVAL);
	vq->avail_gpa = RAM_BASE + 0x1000;
	vq->used_gpa = RAM_BASE + 0x2002;
	assert_int_equal(virtq_enable(vq), -EINVAL);
	/* Outside guest RAM, wholly or by the last bytes, or wrapping. */
	vq->used_gpa = 0x1000;
	assert_int_equal(virtq_enable(vq), -EFAULT);
	vq->used_gpa = RAM_END - VIRTQ_USED_BYTES(64) + 2; /* 4-aligned, 2 bytes over */
	assert_int_equal(virtq_enable(vq), -EFAULT);
	vq->used_gpa = RAM_BASE + 0x2000;
	vq->desc_gpa = 0xfffffffffffffff0ULL;
	assert_int_equal(virtq_enable(vq), -EFAULT);
	vq->desc_gpa = RAM_END - VIRTQ_DESC_BYTES(64) + 16;
	assert_int_equal(virtq_enable(vq), -EFAULT);
	vq->avail_gpa = RAM_END - 2;
	vq->desc_gpa = RAM_BASE;
	assert_int_equal(virtq_enable(vq), -EFAULT);
	assert_false(vq->ready);
	assert_int_equal(pop(fx), 0); /* not ready: nothing, no crash */

	vq->avail_gpa = RAM_BASE + 0x1000;
	assert_int_equal(virtq_enable(vq), 0);
	assert_true(vq->ready);
	virtq_disable(vq);
	assert_false(vq->ready);
	assert_int_equal(virtq_push(vq, 0, 0), -EINVAL);
}

static void test_direct_chain(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf bufs[] = {{DATA, 16, false},
				       {DATA + 0x100, 100, false},
				       {DATA + 0x1000, 512, true},
				       {DATA + 0x2000, 1, true}};
	uint32_t id, len;
	uint16_t head;

	make_vq(fx, 16, 0);
	assert_int_equal(pop(fx), 0);
	head = vqd_add(&fx->d, bufs, 4);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.head, head);
	assert_int_equal(fx->chain.nr_segs, 4);
	assert_int_equal(fx->chain.nr_readable, 2);
	assert_int_equal(fx->chain.readable_len, 116);
	assert_int_equal(fx->chain.writable_len, 513);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fx->segs[i].gpa, bufs[i].gpa);
		assert_int_equal(fx->segs[i].len, bufs[i].len);
		assert_int_equal(fx->segs[i].write, bufs[i].write);
	}
	assert_int_equal(pop(fx), 0);

	assert_int_equal(virtq_push(&fx->vq, head, 513), 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(id, head);
	assert_int_equal(len, 513);
	assert_false(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(virtq_push(&fx->vq, 16, 0), -EINVAL);
	assert_int_equal(fx->vq.popped, 1);
	assert_int_equal(fx->vq.pushed, 1);
}

static void test_indirect_chain(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf bufs[] = {
		{DATA, 16, false}, {DATA + 0x1000, 4096, true}, {DATA + 0x3000, 1, true}};
	const gpa_t table = DATA + 0x8000;

	make_vq(fx, 4, F_INDIRECT);
	vqd_add_indirect(&fx->d, table, bufs, 3);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 3);
	assert_int_equal(fx->chain.nr_readable, 1);
	assert_int_equal(fx->segs[1].gpa, DATA + 0x1000);
	assert_int_equal(fx->chain.writable_len, 4097);

	/* A direct descriptor, then an indirect one ending the chain: allowed. */
	vqd_desc_at(&fx->d, table + 0x100, 0, DATA + 0x1000, 4096,
		    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	vqd_desc_at(&fx->d, table + 0x100, 1, DATA + 0x3000, 1, VIRTQ_DESC_F_WRITE, 0);
	vqd_desc(&fx->d, 2, DATA, 16, VIRTQ_DESC_F_NEXT, 3);
	vqd_desc(&fx->d, 3, table + 0x100, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 2);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 3);
	assert_int_equal(fx->chain.nr_readable, 1);
	assert_int_equal(fx->chain.writable_len, 4097);

	/* The WRITE flag on the descriptor pointing at the table is ignored. */
	vqd_desc(&fx->d, 0, table, 48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&fx->d, 0);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_readable, 1);
	/* The queue's size bounds an indirect table: 4 entries in a 4-queue are fine. */
	vqd_desc_at(&fx->d, table, 2, DATA + 0x3000, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	vqd_desc_at(&fx->d, table, 3, DATA + 0x3001, 1, VIRTQ_DESC_F_WRITE, 0);
	vqd_desc(&fx->d, 1, table, 64, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 1);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 4);
}

static void test_zero_length_descriptors(void **state)
{
	struct fixture *fx = *state;

	make_vq(fx, 8, 0);
	/* Zero-length buffers are skipped, even at an address outside RAM. */
	vqd_desc(&fx->d, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, 0xdead0000, 0, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc(&fx->d, 2, DATA + 0x100, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	/* Readable but empty after a writable one: no ordering issue. */
	vqd_desc(&fx->d, 3, DATA + 0x200, 0, VIRTQ_DESC_F_NEXT, 4);
	vqd_desc(&fx->d, 4, DATA + 0x300, 1, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&fx->d, 0);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 2);
	assert_int_equal(fx->chain.nr_readable, 1);
	assert_int_equal(fx->segs[1].gpa, DATA + 0x300);

	/* A chain of nothing but a zero-length descriptor: an empty chain. */
	vqd_desc(&fx->d, 5, DATA, 0, 0, 0);
	vqd_publish(&fx->d, 5);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 0);
	assert_int_equal(fx->chain.readable_len + fx->chain.writable_len, 0);
}

static void test_loops_rejected(void **state)
{
	struct fixture *fx = *state;

	/* A descriptor pointing at itself. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 3, DATA, 8, VIRTQ_DESC_F_NEXT, 3);
	vqd_publish(&fx->d, 3);
	expect_bad(fx, VIRTQ_BAD_TOO_LONG);

	/* A longer cycle, entered from a tail: 0 -> 1 -> 2 -> 1. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, DATA, 8, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc(&fx->d, 2, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_TOO_LONG);

	/* A cycle inside an indirect table. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc_at(&fx->d, DATA + 0x8000, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc_at(&fx->d, DATA + 0x8000, 1, DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	vqd_desc(&fx->d, 0, DATA + 0x8000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_TOO_LONG);

	/* Zero-length descriptors in a cycle still count: the walk still ends. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, 0, 0, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, 0, 0, VIRTQ_DESC_F_NEXT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_TOO_LONG);
}

static void test_chain_longer_than_queue(void **state)
{
	struct fixture *fx = *state;
	struct vqd_buf bufs[9];
	unsigned int i;

	for (i = 0; i < 9; i++)
		bufs[i] = (struct vqd_buf){DATA + 0x100 * i, 64, i >= 5};

	/* Eight in an indirect table of a queue of 8: fine. Nine: too long. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_add_indirect(&fx->d, DATA + 0x8000, bufs + 1, 8);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 8);
	vqd_add_indirect(&fx->d, DATA + 0x9000, bufs, 9);
	expect_bad(fx, VIRTQ_BAD_TOO_LONG);

	/* Direct and indirect descriptors add up: 2 direct + 7 in the table = 9 > 8. */
	make_vq(fx, 8, F_INDIRECT);
	for (i = 0; i < 7; i++)
		vqd_desc_at(&fx->d, DATA + 0x8000, i, DATA, 8, i < 6 ? VIRTQ_DESC_F_NEXT : 0,
			    (uint16_t)(i + 1));
	vqd_desc(&fx->d, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, DATA, 8, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc(&fx->d, 2, DATA + 0x8000, 7 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_TOO_LONG);

	/* Exactly the queue size in direct descriptors is fine. */
	make_vq(fx, 8, 0);
	vqd_add(&fx->d, bufs, 8);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.nr_segs, 8);
}

static void test_addresses_outside_ram(void **state)
{
	struct fixture *fx = *state;

	/* Below RAM. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, 0x1000, 16, 0, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ADDR);

	/* Straddling the end of RAM by one byte. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, RAM_END - 16, 17, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ADDR);

	/* gpa + len overflowing 64 bits. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, 0xfffffffffffff000ULL, 0x2000, 0, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ADDR_WRAP);

	/* The last descriptor of an otherwise good chain. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, RAM_END, 1, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ADDR);

	/* Exactly up to the end is fine. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, RAM_END - 16, 16, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&fx->d, 0);
	assert_int_equal(pop(fx), 1);

	/* Indirect table outside RAM, or wrapping. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc(&fx->d, 0, RAM_END - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ADDR);
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc(&fx->d, 0, 0xfffffffffffffff0ULL, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ADDR_WRAP);
}

static void test_length_overflow(void **state)
{
	struct fixture *fx = *state;
	struct guest_mem big;
	struct virtq vq;
	struct vqd_queue d;
	const uint32_t chunk = 0x7fff0000; /* three of them pass 4 GiB */

	/* A 2 GiB guest, mapped but never touched beyond the rings. */
	assert_int_equal(guest_mem_init(&big, RAM_BASE, 0x80000000ULL, false), 0);
	vqd_init(&d, &big, 8, RAM_BASE);
	assert_int_equal(virtq_init(&vq, &big, 8), 0);
	vq.desc_gpa = d.desc;
	vq.avail_gpa = d.avail;
	vq.used_gpa = d.used;
	assert_int_equal(virtq_enable(&vq), 0);
	vqd_desc(&d, 0, RAM_BASE + 0x10000, chunk, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&d, 1, RAM_BASE + 0x10000, chunk, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc(&d, 2, RAM_BASE + 0x10000, chunk, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&d, 0);
	assert_int_equal(virtq_pop(&vq, fx->segs, VIRTQ_MAX_SIZE, &fx->chain), -EBADMSG);
	assert_int_equal(vq.bad, VIRTQ_BAD_LEN_OVERFLOW);

	/* Two are fine (just under 4 GiB). */
	virtq_reset(&vq);
	vqd_init(&d, &big, 8, RAM_BASE);
	vq.num = 8;
	vq.desc_gpa = d.desc;
	vq.avail_gpa = d.avail;
	vq.used_gpa = d.used;
	assert_int_equal(virtq_enable(&vq), 0);
	vqd_desc(&d, 0, RAM_BASE + 0x10000, chunk, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&d, 1, RAM_BASE + 0x10000, chunk, VIRTQ_DESC_F_WRITE, 0);
	vqd_publish(&d, 0);
	assert_int_equal(virtq_pop(&vq, fx->segs, VIRTQ_MAX_SIZE, &fx->chain), 1);
	assert_int_equal(fx->chain.readable_len, chunk);
	assert_int_equal(fx->chain.writable_len, chunk);
	guest_mem_destroy(&big);
}

static void test_indirect_rules(void **state)
{
	struct fixture *fx = *state;
	const gpa_t table = DATA + 0x8000;

	/* Not negotiated. */
	make_vq(fx, 8, 0);
	vqd_desc_at(&fx->d, table, 0, DATA, 16, 0, 0);
	vqd_desc(&fx->d, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_INDIRECT_FEATURE);

	/* Indirect inside indirect. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc_at(&fx->d, table, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc_at(&fx->d, table, 1, table + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_desc_at(&fx->d, table + 0x100, 0, DATA, 16, 0, 0);
	vqd_desc(&fx->d, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_INDIRECT_NESTED);

	/* Zero-length table. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc(&fx->d, 0, table, 0, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_INDIRECT_LEN);

	/* Length not a multiple of 16. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc_at(&fx->d, table, 0, DATA, 16, 0, 0);
	vqd_desc(&fx->d, 0, table, 24, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_INDIRECT_LEN);

	/* INDIRECT together with NEXT. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc(&fx->d, 0, table, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, DATA, 16, 0, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_INDIRECT_NEXT);

	/* next beyond the table (2 entries, next = 2). */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc_at(&fx->d, table, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	vqd_desc_at(&fx->d, table, 1, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	vqd_desc_at(&fx->d, table, 2, DATA, 16, 0, 0);
	vqd_desc(&fx->d, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_NEXT);
}

static void test_bad_indices(void **state)
{
	struct fixture *fx = *state;

	/* avail->idx more than num ahead. */
	make_vq(fx, 8, 0);
	vqd_set_avail_idx(&fx->d, 9);
	expect_bad(fx, VIRTQ_BAD_AVAIL_IDX);
	make_vq(fx, 8, 0);
	vqd_set_avail_idx(&fx->d, 0xffff); /* "behind": the same as far ahead */
	expect_bad(fx, VIRTQ_BAD_AVAIL_IDX);

	/* Exactly num ahead is a full ring: fine. */
	make_vq(fx, 8, 0);
	for (uint16_t i = 0; i < 8; i++) {
		vqd_desc(&fx->d, i, DATA, 1, VIRTQ_DESC_F_WRITE, 0);
		vqd_publish(&fx->d, i);
	}
	for (int i = 0; i < 8; i++)
		assert_int_equal(pop(fx), 1);
	assert_int_equal(pop(fx), 0);

	/* A head out of range. */
	make_vq(fx, 8, 0);
	vqd_publish(&fx->d, 8);
	expect_bad(fx, VIRTQ_BAD_HEAD);

	/* A next out of range. */
	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 200);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_NEXT);
}

static void test_order_violation(void **state)
{
	struct fixture *fx = *state;

	make_vq(fx, 8, 0);
	vqd_desc(&fx->d, 0, DATA, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	vqd_desc(&fx->d, 1, DATA + 0x100, 16, 0, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ORDER);

	/* Also across the indirect boundary. */
	make_vq(fx, 8, F_INDIRECT);
	vqd_desc(&fx->d, 0, DATA, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	vqd_desc_at(&fx->d, DATA + 0x8000, 0, DATA, 16, 0, 0);
	vqd_desc(&fx->d, 1, DATA + 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vqd_publish(&fx->d, 0);
	expect_bad(fx, VIRTQ_BAD_ORDER);
}

static void test_broken_until_reset(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf good = {DATA, 16, true};

	make_vq(fx, 8, 0);
	vqd_publish(&fx->d, 100);
	expect_bad(fx, VIRTQ_BAD_HEAD);
	assert_false(virtq_enable_notify(&fx->vq));
	/* The transport resets the queue; the driver sets it up again. */
	virtq_reset(&fx->vq);
	assert_false(fx->vq.broken);
	assert_int_equal(fx->vq.bad, VIRTQ_OK);
	assert_false(fx->vq.ready);
	make_vq(fx, 8, 0);
	vqd_add(&fx->d, &good, 1);
	assert_int_equal(pop(fx), 1);
}

static void test_segment_array_too_small(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf bufs[] = {
		{DATA, 16, false}, {DATA + 16, 16, false}, {DATA + 32, 1, true}};
	uint32_t id, len;

	make_vq(fx, 8, 0);
	vqd_add(&fx->d, bufs, 3);
	assert_int_equal(virtq_pop(&fx->vq, fx->segs, 2, &fx->chain), -ENOBUFS);
	assert_false(fx->vq.broken);
	assert_int_equal(fx->chain.head, 0);
	assert_int_equal(fx->chain.nr_segs, 2);
	assert_int_equal(virtq_push(&fx->vq, fx->chain.head, 0), 0);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 0);
	/* The queue goes on. */
	vqd_add(&fx->d, bufs, 3);
	assert_int_equal(pop(fx), 1);
}

static void test_unpop(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf a = {DATA, 16, true}, b = {DATA + 0x100, 32, true};
	uint16_t ha, hb;

	make_vq(fx, 8, 0);
	ha = vqd_add(&fx->d, &a, 1);
	hb = vqd_add(&fx->d, &b, 1);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.head, ha);
	virtq_unpop(&fx->vq);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.head, ha);
	assert_int_equal(pop(fx), 1);
	assert_int_equal(fx->chain.head, hb);
	assert_int_equal(fx->vq.popped, 2);
}

static void test_index_wraparound(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf b = {DATA, 64, true};
	uint32_t id, len;
	unsigned int i;

	/* 70000 round trips: both 16-bit indices wrap. */
	make_vq(fx, 4, F_EVENT_IDX);
	for (i = 0; i < 70000; i++) {
		vqd_set_used_event(&fx->d, (uint16_t)i); /* wake me for this one */
		vqd_add(&fx->d, &b, 1);
		assert_int_equal(pop(fx), 1);
		assert_int_equal(virtq_push(&fx->vq, fx->chain.head, 7), 0);
		assert_true(vqd_get_used(&fx->d, &id, &len));
		assert_int_equal(id, fx->chain.head);
		assert_int_equal(len, 7);
		assert_true(virtq_need_notify(&fx->vq));
	}
	assert_int_equal(fx->vq.used_idx, (uint16_t)70000);
}

static void test_notify_no_event_idx(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf b = {DATA, 64, true};

	make_vq(fx, 8, 0);
	vqd_add(&fx->d, &b, 1);
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0);
	assert_true(virtq_need_notify(&fx->vq));
	vqd_set_avail_flags(&fx->d, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_need_notify(&fx->vq));

	/* Kick suppression through used->flags. */
	virtq_disable_notify(&fx->vq);
	assert_int_equal(vqd_used_flags(&fx->d), VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_enable_notify(&fx->vq));
	assert_int_equal(vqd_used_flags(&fx->d), 0);
	vqd_add(&fx->d, &b, 1);
	assert_true(virtq_enable_notify(&fx->vq)); /* arrived meanwhile: pop again */
}

static void test_notify_event_idx(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf b = {DATA, 64, true};
	int i;

	make_vq(fx, 16, F_EVENT_IDX);
	for (i = 0; i < 10; i++)
		vqd_add(&fx->d, &b, 1);

	/* The very first notification decision always says yes. */
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0); /* used 1 */
	assert_true(virtq_need_notify(&fx->vq));

	/* The driver wants to hear when entry 3 (the 4th) is used. */
	vqd_set_used_event(&fx->d, 3);
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0); /* used 2: entry 1 */
	assert_false(virtq_need_notify(&fx->vq));
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0); /* used 3: entry 2 */
	assert_false(virtq_need_notify(&fx->vq));
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0); /* used 4: entry 3 crosses */
	assert_true(virtq_need_notify(&fx->vq));
	assert_false(virtq_need_notify(&fx->vq)); /* nothing new */

	/* Several pushes before one decision: crossing anywhere in the batch counts. */
	vqd_set_used_event(&fx->d, 5);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pop(fx), 1);
		virtq_push(&fx->vq, fx->chain.head, 0); /* entries 4, 5, 6 */
	}
	assert_true(virtq_need_notify(&fx->vq));
	/* An old used_event (already passed) means no more interrupts. */
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0);
	assert_false(virtq_need_notify(&fx->vq));
	/* NO_INTERRUPT is ignored with EVENT_IDX. */
	vqd_set_avail_flags(&fx->d, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vqd_set_used_event(&fx->d, 8);
	assert_int_equal(pop(fx), 1);
	virtq_push(&fx->vq, fx->chain.head, 0);
	assert_true(virtq_need_notify(&fx->vq));

	/* avail_event: published by enable_notify, equal to our position. */
	virtq_disable_notify(&fx->vq); /* a no-op with EVENT_IDX */
	assert_int_equal(vqd_used_flags(&fx->d), 0);
	assert_true(virtq_enable_notify(&fx->vq)); /* one still waiting */
	assert_int_equal(vqd_avail_event(&fx->d), 9);
	assert_int_equal(pop(fx), 1);
	assert_false(virtq_enable_notify(&fx->vq));
	assert_int_equal(vqd_avail_event(&fx->d), 10);
}

static void test_segs_helpers(void **state)
{
	struct fixture *fx = *state;
	const struct virtq_seg segs[] = {
		{DATA, 3, false}, {DATA + 0x100, 5, false}, {DATA + 0x200, 8, false}};
	uint8_t *ram = guest_mem_ptr(&fx->mem, DATA, 0x300);
	uint8_t buf[16];
	struct iovec iov[3];
	int i;

	memcpy(ram, "abc", 3);
	memcpy(ram + 0x100, "defgh", 5);
	memcpy(ram + 0x200, "ijklmnop", 8);
	/* A header straddling all three segments. */
	assert_int_equal(virtq_segs_read(&fx->mem, segs, 3, 1, buf, 10), 0);
	assert_memory_equal(buf, "bcdefghijk", 10);
	assert_int_equal(virtq_segs_read(&fx->mem, segs, 3, 16, buf, 0), 0);
	assert_int_equal(virtq_segs_read(&fx->mem, segs, 3, 15, buf, 2), -ERANGE);
	assert_int_equal(virtq_segs_read(&fx->mem, segs, 3, 17, buf, 0), -ERANGE);
	assert_int_equal(virtq_segs_read(&fx->mem, segs, 3, UINT64_MAX, buf, 2), -ERANGE);
	/* A status byte at the very end. */
	assert_int_equal(virtq_segs_write(&fx->mem, segs, 3, 15, "Z", 1), 0);
	assert_int_equal(ram[0x207], 'Z');
	assert_int_equal(virtq_segs_write(&fx->mem, segs, 3, 2, "XY", 2), 0);
	assert_int_equal(ram[2], 'X');
	assert_int_equal(ram[0x100], 'Y');

	i = virtq_segs_iov(&fx->mem, segs, 3, 2, 10, iov, 3);
	assert_int_equal(i, 3);
	assert_ptr_equal(iov[0].iov_base, ram + 2);
	assert_int_equal(iov[0].iov_len, 1);
	assert_int_equal(iov[1].iov_len, 5);
	assert_ptr_equal(iov[2].iov_base, ram + 0x200);
	assert_int_equal(iov[2].iov_len, 4);
	assert_int_equal(virtq_segs_iov(&fx->mem, segs, 3, 0, 16, iov, 2), -ENOBUFS);
	assert_int_equal(virtq_segs_iov(&fx->mem, segs, 3, 8, 9, iov, 3), -ERANGE);
	assert_int_equal(virtq_segs_iov(&fx->mem, segs, 3, 16, 0, iov, 3), 0);
	assert_int_equal(virtq_segs_iov(&fx->mem, segs, 3, 8, 8, iov, 3), 1);
	assert_ptr_equal(iov[0].iov_base, ram + 0x200);
}

static void test_fuzz_regressions(void **state)
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int i;
	/* Hand-made hostile inputs, as the fuzzer sees them, plus any kept crashers. */
	/* [3 control bytes][avail ring of 8: 22 bytes][8 descriptors: 128 bytes] */
	uint8_t in[3 + 22 + 128];
	uint8_t *avail = in + 3, *desc = in + 3 + 22;
	const uint64_t buf = FUZZ_BUFS;
	const uint16_t flags = VIRTQ_DESC_F_NEXT;
	int n;

	memset(in, 0, sizeof(in));
	in[0] = 3; /* num 8 */
	in[1] = 3; /* indirect, event idx */
	in[2] = 255;
	/* desc 0 -> itself, a 16-byte buffer; avail idx 1, ring[0] = 0. */
	memcpy(desc, &buf, 8);
	desc[8] = 16;
	memcpy(desc + 12, &flags, 2);
	avail[2] = 1;
	assert_int_equal(fuzz_virtio_queue_one(in, sizeof(in)), 0);
	avail[2] = 200; /* idx jump */
	assert_int_equal(fuzz_virtio_queue_one(in, sizeof(in)), 0);
	/* A good chain: no NEXT. */
	avail[2] = 1;
	desc[12] = 0;
	assert_int_equal(fuzz_virtio_queue_one(in, sizeof(in)), 0);
	assert_int_equal(fuzz_virtio_queue_one(in, 2), 0);

	for (i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], "fuzz_virtio_queue");
		n = fuzz_replay_dir(dir, fuzz_virtio_queue_one);
		assert_true(n >= 0);
		print_message("replayed %d input(s) from %s\n", n, dir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_and_enable_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_descriptors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loops_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_longer_than_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addresses_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_length_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_indices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_until_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_array_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_no_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segs_helpers, setup, teardown),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
