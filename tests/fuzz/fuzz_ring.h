/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the virtqueue fuzz targets: turns fuzz input into a guest RAM
 * holding a split virtqueue, compactly, so short inputs (libFuzzer's default
 * max_len is 4096) still reach every part of the ring:
 *
 *   input:  [avail ring: 6 + 2*num bytes][descriptor table: 16*num][buffers...]
 *   RAM (64 KiB at FUZZ_RAM_BASE):
 *     +0x0000 avail ring    +0x1000 descriptor table    +0x2000 buffers
 *     +0xc000 used ring (the device writes it)
 *
 * Missing input bytes stay zero. RAM starts at 64 KiB, so both addresses
 * below and above RAM are a few bytes away for the fuzzer. Header-only;
 * single-threaded; the caller owns the guest_mem and the virtq.
 */
#ifndef KESTREL_TESTS_FUZZ_FUZZ_RING_H
#define KESTREL_TESTS_FUZZ_FUZZ_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/virtio_queue.h"
#include "lib/guest_mem.h"

#define FUZZ_RAM_BASE 0x10000ULL
#define FUZZ_RAM_SIZE 0x10000ULL
#define FUZZ_AVAIL (FUZZ_RAM_BASE + 0x0000)
#define FUZZ_DESC (FUZZ_RAM_BASE + 0x1000)
#define FUZZ_BUFS (FUZZ_RAM_BASE + 0x2000)
#define FUZZ_BUFS_SIZE 0xa000
#define FUZZ_USED (FUZZ_RAM_BASE + 0xc000)

/* Copies up to @max bytes of the input to @gpa; advances the input. */
static inline void fuzz_ring_copy(struct guest_mem *mem, gpa_t gpa, uint64_t max,
				  const uint8_t **data, size_t *size)
{
	size_t n = *size < max ? *size : (size_t)max;

	memcpy(guest_mem_ptr(mem, gpa, n), *data, n);
	*data += n;
	*size -= n;
}

/*
 * Maps guest RAM, lays the input out as above for a queue of @num entries
 * and enables @vq with @features. Returns 0, or -1 when the host is out of
 * memory (the input is then skipped).
 */
static inline int fuzz_ring_setup(struct guest_mem *mem, struct virtq *vq, uint16_t num,
				  uint64_t features, const uint8_t *data, size_t size)
{
	if (guest_mem_init(mem, FUZZ_RAM_BASE, FUZZ_RAM_SIZE, false))
		return -1;
	fuzz_ring_copy(mem, FUZZ_AVAIL, VIRTQ_AVAIL_BYTES(num), &data, &size);
	fuzz_ring_copy(mem, FUZZ_DESC, VIRTQ_DESC_BYTES(num), &data, &size);
	fuzz_ring_copy(mem, FUZZ_BUFS, FUZZ_BUFS_SIZE, &data, &size);
	if (virtq_init(vq, mem, VIRTQ_MAX_SIZE) != 0)
		return -1;
	vq->num = num;
	vq->desc_gpa = FUZZ_DESC;
	vq->avail_gpa = FUZZ_AVAIL;
	vq->used_gpa = FUZZ_USED;
	if (virtq_enable(vq) != 0)
		return -1;
	virtq_set_features(vq, features);
	return 0;
}

#endif
