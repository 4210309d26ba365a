// SPDX-License-Identifier: GPL-2.0-only
#include "devices/virtio_queue.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

/* Field offsets inside the areas (virtio 1.x split virtqueue layout). */
#define AVAIL_FLAGS 0
#define AVAIL_IDX 2
#define AVAIL_RING 4
#define USED_FLAGS 0
#define USED_IDX 2
#define USED_RING 4
#define USED_ELEM_SIZE 8

/* One descriptor as read from guest RAM, host byte order. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/*
 * Ring fields are naturally aligned (virtq_enable() checks the areas' gpa
 * alignment and guest RAM is page aligned on the host), so they can be
 * accessed with atomics; the driver writes them concurrently.
 */
static uint16_t ring_load16(const uint8_t *p, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, order));
}

static void ring_store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), order);
}

static void ring_store32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, htole32(v), __ATOMIC_RELAXED);
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Reads descriptor @i of the table at @table once; all checks use the copy. */
static void desc_read(const uint8_t *table, uint32_t i, struct virtq_desc *d)
{
	uint8_t raw[VIRTQ_DESC_SIZE];
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;

	memcpy(raw, table + (size_t)i * VIRTQ_DESC_SIZE, sizeof(raw));
	memcpy(&addr, raw, 8);
	memcpy(&len, raw + 8, 4);
	memcpy(&flags, raw + 12, 2);
	memcpy(&next, raw + 14, 2);
	d->addr = le64toh(addr);
	d->len = le32toh(len);
	d->flags = le16toh(flags);
	d->next = le16toh(next);
}

int virtq_init(struct virtq *vq, const struct guest_mem *mem, uint16_t num_max)
{
	memset(vq, 0, sizeof(*vq));
	if (!is_pow2(num_max) || num_max > VIRTQ_MAX_SIZE)
		return -EINVAL;
	vq->mem = mem;
	vq->num_max = num_max;
	vq->num = num_max;
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	const struct guest_mem *mem = vq->mem;
	uint16_t num_max = vq->num_max;

	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->num_max = num_max;
	vq->num = num_max;
}

/* Host pointer of an area, or NULL when misaligned or not wholly in guest RAM. */
static uint8_t *area_ptr(const struct virtq *vq, gpa_t gpa, uint64_t len, uint64_t align, int *err)
{
	uint8_t *p;

	if (gpa % align) {
		*err = -EINVAL;
		return NULL;
	}
	p = guest_mem_ptr(vq->mem, gpa, len);
	if (!p)
		*err = -EFAULT;
	return p;
}

int virtq_enable(struct virtq *vq)
{
	uint8_t *desc, *avail, *used;
	int err = 0;

	if (!is_pow2(vq->num) || vq->num > vq->num_max)
		return -EINVAL;
	desc = area_ptr(vq, vq->desc_gpa, VIRTQ_DESC_BYTES(vq->num), VIRTQ_DESC_ALIGN, &err);
	if (!desc)
		return err;
	avail = area_ptr(vq, vq->avail_gpa, VIRTQ_AVAIL_BYTES(vq->num), VIRTQ_AVAIL_ALIGN, &err);
	if (!avail)
		return err;
	used = area_ptr(vq, vq->used_gpa, VIRTQ_USED_BYTES(vq->num), VIRTQ_USED_ALIGN, &err);
	if (!used)
		return err;
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	vq->ready = true;
	return 0;
}

void virtq_disable(struct virtq *vq)
{
	vq->ready = false;
}

void virtq_set_features(struct virtq *vq, uint64_t features)
{
	vq->indirect = features & VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	vq->event_idx = features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
}

static int virtq_break(struct virtq *vq, enum virtq_bad bad)
{
	vq->broken = true;
	vq->bad = bad;
	return -EBADMSG;
}

/* Walks the chain at @head, checking every descriptor (see the header). */
static int virtq_walk(struct virtq *vq, uint16_t head, struct virtq_seg *segs,
		      unsigned int max_segs, struct virtq_chain *chain)
{
	const uint8_t *table = vq->desc;
	uint32_t table_len = vq->num, idx = head, visited = 0, nr = 0, nr_readable = 0;
	uint64_t rlen = 0, wlen = 0;
	bool in_indirect = false, seen_write = false;
	struct virtq_desc d;

	for (;;) {
		if (idx >= table_len)
			return virtq_break(vq, VIRTQ_BAD_NEXT);
		desc_read(table, idx, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* The pointer to the table is not a buffer: the table's entries count. */
			if (!vq->indirect)
				return virtq_break(vq, VIRTQ_BAD_INDIRECT_FEATURE);
			if (in_indirect)
				return virtq_break(vq, VIRTQ_BAD_INDIRECT_NESTED);
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return virtq_break(vq, VIRTQ_BAD_INDIRECT_NEXT);
			if (!d.len || d.len % VIRTQ_DESC_SIZE)
				return virtq_break(vq, VIRTQ_BAD_INDIRECT_LEN);
			if (d.addr + d.len < d.addr)
				return virtq_break(vq, VIRTQ_BAD_ADDR_WRAP);
			table = guest_mem_ptr(vq->mem, d.addr, d.len);
			if (!table)
				return virtq_break(vq, VIRTQ_BAD_ADDR);
			table_len = d.len / VIRTQ_DESC_SIZE;
			in_indirect = true;
			idx = 0;
			continue;
		}
		if (++visited > vq->num)
			return virtq_break(vq, VIRTQ_BAD_TOO_LONG);
		if (d.len) {
			if (d.addr + d.len < d.addr)
				return virtq_break(vq, VIRTQ_BAD_ADDR_WRAP);
			if (!guest_mem_in_range(vq->mem, d.addr, d.len))
				return virtq_break(vq, VIRTQ_BAD_ADDR);
			if (d.flags & VIRTQ_DESC_F_WRITE) {
				seen_write = true;
				wlen += d.len;
			} else {
				if (seen_write)
					return virtq_break(vq, VIRTQ_BAD_ORDER);
				rlen += d.len;
				nr_readable++;
			}
			if (rlen + wlen > UINT32_MAX)
				return virtq_break(vq, VIRTQ_BAD_LEN_OVERFLOW);
			if (nr < max_segs) {
				segs[nr].gpa = d.addr;
				segs[nr].len = d.len;
				segs[nr].write = d.flags & VIRTQ_DESC_F_WRITE;
			}
			nr++;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = d.next;
	}
	/* nr <= visited <= num <= VIRTQ_MAX_SIZE: the casts cannot truncate. */
	chain->head = head;
	chain->nr_segs = (uint16_t)(nr < max_segs ? nr : max_segs);
	chain->nr_readable = (uint16_t)(nr_readable < max_segs ? nr_readable : max_segs);
	chain->readable_len = (uint32_t)rlen;
	chain->writable_len = (uint32_t)wlen;
	return nr > max_segs ? -ENOBUFS : 1;
}

int virtq_pop(struct virtq *vq, struct virtq_seg *segs, unsigned int max_segs,
	      struct virtq_chain *chain)
{
	uint16_t avail_idx, head;
	int ret;

	memset(chain, 0, sizeof(*chain));
	if (vq->broken)
		return -EBADMSG;
	if (!vq->ready)
		return 0;
	/* Acquire: ring entries and descriptors are read after the index. */
	avail_idx = ring_load16(vq->avail + AVAIL_IDX, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail_idx)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail_idx) > vq->num)
		return virtq_break(vq, VIRTQ_BAD_AVAIL_IDX);
	head = ring_load16(vq->avail + AVAIL_RING + 2 * (vq->last_avail_idx % vq->num),
			   __ATOMIC_RELAXED);
	if (head >= vq->num)
		return virtq_break(vq, VIRTQ_BAD_HEAD);
	vq->last_avail_idx++;
	ret = virtq_walk(vq, head, segs, max_segs, chain);
	if (ret != -EBADMSG)
		vq->popped++;
	return ret;
}

void virtq_unpop(struct virtq *vq)
{
	vq->last_avail_idx--;
	vq->popped--;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint8_t *elem;

	if (!vq->ready || head >= vq->num)
		return -EINVAL;
	elem = vq->used + USED_RING + USED_ELEM_SIZE * (vq->used_idx % vq->num);
	ring_store32(elem, head);
	ring_store32(elem + 4, len);
	vq->used_idx++;
	/* Release: the element is visible before the index that covers it. */
	ring_store16(vq->used + USED_IDX, vq->used_idx, __ATOMIC_RELEASE);
	vq->pushed++;
	return 0;
}

/* True when @event lies in [old, new): the driver asked to hear about it. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_need_notify(struct virtq *vq)
{
	uint16_t old_idx, event;
	bool valid;

	if (!vq->ready)
		return false;
	/* used->idx must be visible before we read what the driver asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(ring_load16(vq->avail + AVAIL_FLAGS, __ATOMIC_RELAXED) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	old_idx = vq->signalled_used;
	valid = vq->signalled_used_valid;
	vq->signalled_used = vq->used_idx;
	vq->signalled_used_valid = true;
	if (!valid)
		return true;
	event = ring_load16(vq->avail + AVAIL_RING + 2 * vq->num, __ATOMIC_RELAXED);
	return need_event(event, vq->used_idx, old_idx);
}

void virtq_disable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->event_idx)
		return;
	ring_store16(vq->used + USED_FLAGS, VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

bool virtq_enable_notify(struct virtq *vq)
{
	if (!vq->ready || vq->broken)
		return false;
	if (vq->event_idx)
		ring_store16(vq->used + USED_RING + USED_ELEM_SIZE * vq->num, vq->last_avail_idx,
			     __ATOMIC_RELAXED);
	else
		ring_store16(vq->used + USED_FLAGS, 0, __ATOMIC_RELAXED);
	/* Publish the request before looking again, or a kick could be lost. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ring_load16(vq->avail + AVAIL_IDX, __ATOMIC_ACQUIRE) != vq->last_avail_idx;
}

const char *virtq_bad_str(enum virtq_bad bad)
{
	switch (bad) {
	case VIRTQ_OK:
		return "ok";
	case VIRTQ_BAD_AVAIL_IDX:
		return "avail idx jumped past the queue size";
	case VIRTQ_BAD_HEAD:
		return "head index out of range";
	case VIRTQ_BAD_NEXT:
		return "next index out of range";
	case VIRTQ_BAD_TOO_LONG:
		return "chain longer than the queue (loop?)";
	case VIRTQ_BAD_ADDR:
		return "buffer outside guest RAM";
	case VIRTQ_BAD_ADDR_WRAP:
		return "buffer address + length wraps";
	case VIRTQ_BAD_LEN_OVERFLOW:
		return "chain length beyond 4 GiB";
	case VIRTQ_BAD_ORDER:
		return "readable descriptor after a writable one";
	case VIRTQ_BAD_INDIRECT_FEATURE:
		return "indirect descriptor not negotiated";
	case VIRTQ_BAD_INDIRECT_NESTED:
		return "indirect descriptor inside an indirect table";
	case VIRTQ_BAD_INDIRECT_NEXT:
		return "indirect descriptor with NEXT";
	case VIRTQ_BAD_INDIRECT_LEN:
		return "indirect table length zero or not a multiple of 16";
	}
	return "unknown";
}

/*
 * Finds the segment holding stream offset @offset; on return *@i is its
 * index and *@skip the offset inside it. Returns false past the end.
 */
static bool segs_seek(const struct virtq_seg *segs, unsigned int nr, uint64_t offset,
		      unsigned int *i, uint64_t *skip)
{
	unsigned int k;

	for (k = 0; k < nr; k++) {
		if (offset < segs[k].len) {
			*i = k;
			*skip = offset;
			return true;
		}
		offset -= segs[k].len;
	}
	*i = nr;
	*skip = offset;
	return offset == 0;
}

/* Bytes in segs[0, nr), to check ranges before touching anything. */
static uint64_t segs_total(const struct virtq_seg *segs, unsigned int nr)
{
	uint64_t total = 0;
	unsigned int k;

	for (k = 0; k < nr; k++)
		total += segs[k].len;
	return total;
}

static int segs_copy(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		     uint64_t offset, uint8_t *buf, uint64_t len, bool to_guest)
{
	uint64_t skip, chunk;
	unsigned int i;
	uint8_t *p;

	if (offset > segs_total(segs, nr) || len > segs_total(segs, nr) - offset)
		return -ERANGE;
	if (!len)
		return 0;
	segs_seek(segs, nr, offset, &i, &skip);
	for (; len; i++, skip = 0) {
		chunk = segs[i].len - skip;
		if (chunk > len)
			chunk = len;
		p = guest_mem_ptr(mem, segs[i].gpa + skip, chunk);
		if (!p)
			return -EFAULT;
		if (to_guest)
			memcpy(p, buf, (size_t)chunk);
		else
			memcpy(buf, p, (size_t)chunk);
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int virtq_segs_read(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		    uint64_t offset, void *buf, uint64_t len)
{
	return segs_copy(mem, segs, nr, offset, buf, len, false);
}

int virtq_segs_write(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		     uint64_t offset, const void *buf, uint64_t len)
{
	/* segs_copy() only reads from @buf when copying to the guest. */
	return segs_copy(mem, segs, nr, offset, (uint8_t *)(uintptr_t)buf, len, true);
}

int virtq_segs_iov(const struct guest_mem *mem, const struct virtq_seg *segs, unsigned int nr,
		   uint64_t offset, uint64_t len, struct iovec *iov, unsigned int max_iov)
{
	uint64_t skip, chunk;
	unsigned int i, n = 0;
	void *p;

	if (offset > segs_total(segs, nr) || len > segs_total(segs, nr) - offset)
		return -ERANGE;
	if (!len)
		return 0;
	segs_seek(segs, nr, offset, &i, &skip);
	for (; len; i++, skip = 0) {
		if (n == max_iov)
			return -ENOBUFS;
		chunk = segs[i].len - skip;
		if (chunk > len)
			chunk = len;
		p = guest_mem_ptr(mem, segs[i].gpa + skip, chunk);
		if (!p)
			return -EFAULT;
		iov[n].iov_base = p;
		iov[n].iov_len = (size_t)chunk;
		n++;
		len -= chunk;
	}
	return (int)n;
}
