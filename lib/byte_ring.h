/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A bounded byte ring that never refuses a write: when full, the oldest
 * bytes are dropped to make room for the newest (a console's history, say,
 * where the latest output matters most), and the caller learns how many.
 *
 * Memory: struct byte_ring lives in caller storage; byte_ring_init()
 * allocates the buffer and byte_ring_destroy() frees it.
 *
 * Threads: no lock of its own; the owner serializes every call (e.g.
 * vmm/serial_out.c holds its mutex around put and take).
 */
#ifndef KESTREL_LIB_BYTE_RING_H
#define KESTREL_LIB_BYTE_RING_H

#include <stddef.h>
#include <stdint.h>

struct byte_ring {
	uint8_t *buf; /* size bytes; NULL when not initialized or destroyed */
	size_t size; /* capacity */
	size_t head; /* index of the oldest byte */
	size_t len; /* bytes held */
};

/* An empty ring of @size (> 0) bytes. Returns 0, -EINVAL for size 0, or -ENOMEM. */
int byte_ring_init(struct byte_ring *r, size_t size);

/*
 * Appends @len bytes of @buf, dropping the oldest held bytes (and, when
 * @len exceeds the capacity, the first bytes of @buf) as needed. Returns
 * how many bytes were dropped in all.
 */
size_t byte_ring_put(struct byte_ring *r, const uint8_t *buf, size_t len);

/* Moves up to @max of the oldest bytes into @dst. Returns how many. */
size_t byte_ring_take(struct byte_ring *r, uint8_t *dst, size_t max);

/* The bytes held. */
size_t byte_ring_len(const struct byte_ring *r);

/* Frees the buffer; the ring is then empty with no capacity. Safe to repeat, and on a zeroed ring. */
void byte_ring_destroy(struct byte_ring *r);

#endif
