// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the split virtqueue (devices/virtio_queue.c) against a
 * ring the fuzzer writes. Input: byte 0 picks the queue size (2^(b % 9)),
 * byte 1 the ring features (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX), byte 2
 * the caller's segment array size; the rest is the ring (tests/fuzz/fuzz_ring.h).
 * Pops until the ring is empty or broken, checking what pop promises about
 * every chain it returns, and uses the byte-stream helpers on it.
 * Built by scripts/fuzz.sh; tests/unit/test_virtio_queue.c replays
 * tests/fuzz/regress/fuzz_virtio_queue/ through the same entry point.
 *
 * fuzz-sources: devices/virtio_queue.c lib/guest_mem.c lib/log.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_queue.h"
#include "tests/fuzz/fuzz_ring.h"
#include "lib/guest_mem.h"

#define FQ_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* What virtq_pop() promises about a chain it hands out. */
static void fq_check_chain(const struct guest_mem *mem, const struct virtq *vq,
			   const struct virtq_seg *segs, const struct virtq_chain *c)
{
	uint64_t r = 0, w = 0;
	unsigned int i;
	uint8_t byte;
	struct iovec iov[4];
	int n;

	FQ_CHECK(c->head < vq->num && c->nr_segs <= vq->num && c->nr_readable <= c->nr_segs);
	for (i = 0; i < c->nr_segs; i++) {
		FQ_CHECK(segs[i].len && guest_mem_in_range(mem, segs[i].gpa, segs[i].len));
		FQ_CHECK(segs[i].write == (i >= c->nr_readable));
		if (segs[i].write)
			w += segs[i].len;
		else
			r += segs[i].len;
	}
	FQ_CHECK(r == c->readable_len && w == c->writable_len);
	/* The byte-stream helpers, as device models use them. */
	if (c->readable_len)
		FQ_CHECK(virtq_segs_read(mem, segs, c->nr_readable, c->readable_len - 1, &byte,
					 1) == 0);
	if (c->writable_len) {
		byte = 0xa5;
		FQ_CHECK(virtq_segs_write(mem, segs + c->nr_readable,
					  (unsigned int)(c->nr_segs - c->nr_readable),
					  c->writable_len - 1, &byte, 1) == 0);
	}
	FQ_CHECK(virtq_segs_read(mem, segs, c->nr_readable, c->readable_len, &byte, 1) == -ERANGE);
	n = virtq_segs_iov(mem, segs, c->nr_segs, 0, (uint64_t)c->readable_len + c->writable_len,
			   iov, 4);
	FQ_CHECK(n == -ENOBUFS || (n >= 0 && n <= 4 && (n > 0) == (c->nr_segs > 0)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtq_seg segs[VIRTQ_MAX_SIZE];
	struct guest_mem mem;
	struct virtq_chain chain;
	struct virtq vq;
	unsigned int max_segs, rounds;
	uint64_t features;
	uint16_t num;
	int ret;

	if (size < 3)
		return 0;
	num = (uint16_t)(1u << (data[0] % 9));
	features = (data[1] & 1 ? VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) : 0) |
		   (data[1] & 2 ? VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) : 0);
	max_segs = 1 + data[2] % VIRTQ_MAX_SIZE;
	if (fuzz_ring_setup(&mem, &vq, num, features, data + 3, size - 3)) {
		guest_mem_destroy(&mem);
		return 0;
	}
	/* At most num chains can be available; a few more rounds test the empty path. */
	for (rounds = 0; rounds < 2u * num + 2; rounds++) {
		ret = virtq_pop(&vq, segs, max_segs, &chain);
		if (ret == 1) {
			fq_check_chain(&mem, &vq, segs, &chain);
			FQ_CHECK(virtq_push(&vq, chain.head, chain.writable_len) == 0);
		} else if (ret == -ENOBUFS) {
			FQ_CHECK(chain.head < vq.num && chain.nr_segs == max_segs);
			FQ_CHECK(virtq_push(&vq, chain.head, 0) == 0);
		} else if (ret == 0) {
			if (!virtq_enable_notify(&vq))
				break;
		} else {
			FQ_CHECK(ret == -EBADMSG && vq.broken && vq.bad != VIRTQ_OK);
			FQ_CHECK(virtq_pop(&vq, segs, max_segs, &chain) == -EBADMSG);
			break;
		}
		(void)virtq_need_notify(&vq);
	}
	guest_mem_destroy(&mem);
	return 0;
}
