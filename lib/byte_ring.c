// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded, drop-oldest byte ring: see lib/byte_ring.h.
 */
#include "lib/byte_ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int byte_ring_init(struct byte_ring *r, size_t size)
{
	memset(r, 0, sizeof(*r));
	if (!size)
		return -EINVAL;
	r->buf = malloc(size);
	if (!r->buf)
		return -ENOMEM;
	r->size = size;
	return 0;
}

size_t byte_ring_put(struct byte_ring *r, const uint8_t *buf, size_t len)
{
	size_t cap = r->size, dropped = 0, tail, first;

	if (!cap)
		return len;
	if (len > cap) { /* only the newest bytes can stay */
		dropped += len - cap;
		buf += len - cap;
		len = cap;
	}
	if (len > cap - r->len) {
		size_t drop = len - (cap - r->len);

		r->head = (r->head + drop) % cap;
		r->len -= drop;
		dropped += drop;
	}
	tail = (r->head + r->len) % cap;
	first = cap - tail;
	if (first > len)
		first = len;
	memcpy(r->buf + tail, buf, first);
	memcpy(r->buf, buf + first, len - first);
	r->len += len;
	return dropped;
}

size_t byte_ring_take(struct byte_ring *r, uint8_t *dst, size_t max)
{
	size_t n = r->len < max ? r->len : max;
	size_t first = r->size - r->head;

	if (!n)
		return 0;
	if (first > n)
		first = n;
	memcpy(dst, r->buf + r->head, first);
	memcpy(dst + first, r->buf, n - first);
	r->head = (r->head + n) % r->size;
	r->len -= n;
	return n;
}

size_t byte_ring_len(const struct byte_ring *r)
{
	return r->len;
}

void byte_ring_destroy(struct byte_ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}
