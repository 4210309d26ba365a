/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MMIO bus: a fixed-capacity table of guest physical address ranges, each
 * claimed by one device, kept sorted by base so a lookup is a binary search.
 * A device registers {base, len, ops, ctx, name}; on an MMIO exit the bus finds
 * the region holding the address and calls the device's ops with the offset
 * from the region's base, never the guest physical address.
 *
 * Memory: the bus lives in caller storage (usually inside struct vm) and
 * allocates nothing, neither at insert nor on dispatch. The ops table and ctx
 * belong to the device and must outlive the bus; the name is copied.
 *
 * Threads and locking: the VM builder fills the bus (mmio_bus_init(),
 * mmio_bus_insert()) before any vCPU thread starts; from then on the bus is
 * read-only, so mmio_bus_find(), mmio_bus_dispatch() and the iterators run
 * from any number of threads without a lock. Inserting while vCPUs run is not
 * allowed. The device's own ops are called from the accessing vCPU's thread
 * and do their own locking.
 *
 * Data: MMIO data is the little-endian byte image KVM gives in kvm_run->mmio
 * (data[0] is the byte at the lowest address); the bus never interprets it.
 */
#ifndef KESTREL_LIB_MMIO_BUS_H
#define KESTREL_LIB_MMIO_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/guest_mem.h"

/* Room for the GIC frames, the platform devices and every virtio-mmio slot. */
#define MMIO_BUS_MAX_REGIONS 64
#define MMIO_BUS_NAME_LEN 32

/*
 * A device's MMIO handlers. @offset is relative to the region's base, @len is
 * 1, 2, 4 or 8 and the access lies wholly inside the region (the bus checks
 * both). @vcpu is the accessing vCPU's index, -1 when unknown. read() must
 * fill all @len bytes of @data. Either handler may be NULL: reads then return
 * zeroes and writes are ignored.
 */
struct mmio_ops {
	void (*read)(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len);
	void (*write)(void *ctx, int vcpu, uint64_t offset, const uint8_t *data, uint32_t len);
};

struct mmio_region {
	gpa_t base;
	uint64_t len;
	const struct mmio_ops *ops;
	void *ctx;
	char name[MMIO_BUS_NAME_LEN];
};

struct mmio_bus {
	struct mmio_region regions[MMIO_BUS_MAX_REGIONS]; /* sorted by base, disjoint */
	size_t nr_regions;
};

/* Empties the bus. Cannot fail. */
void mmio_bus_init(struct mmio_bus *bus);

/*
 * Claims [@base, @base + @len) for a device. @name (may be NULL) is copied,
 * truncated to MMIO_BUS_NAME_LEN - 1 characters. Returns 0, -EINVAL for a
 * zero @len, a NULL @ops or a range that wraps past the top of the address
 * space, -EEXIST when the range overlaps a registered one (touching ranges
 * are fine), -ENOSPC when all MMIO_BUS_MAX_REGIONS slots are taken.
 */
int mmio_bus_insert(struct mmio_bus *bus, gpa_t base, uint64_t len, const struct mmio_ops *ops,
		    void *ctx, const char *name);

/* The region holding @gpa, or NULL when no device claims it. */
const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, gpa_t gpa);

/*
 * Routes one guest access of @len bytes at @gpa to the device that claims it,
 * with the offset from that device's base. @data holds @len bytes.
 * Returns 0 when a device handled it, -EINVAL when @len is not 1, 2, 4 or 8,
 * -ENOENT when no single region holds all of [@gpa, @gpa + @len). On any
 * failed read, dispatch itself zero-fills @data, so the caller only logs
 * (at debug: the guest caused it) and completes the access: unclaimed
 * addresses read as zero and ignore writes.
 */
int mmio_bus_dispatch(const struct mmio_bus *bus, int vcpu, gpa_t gpa, uint8_t *data, uint32_t len,
		      bool is_write);

/* Number of registered regions. */
size_t mmio_bus_count(const struct mmio_bus *bus);

/* The @index-th region in ascending address order, or NULL past the end. */
const struct mmio_region *mmio_bus_region(const struct mmio_bus *bus, size_t index);

/*
 * Calls @fn for each region in ascending address order (for the FDT builder
 * and the docs). Stops at the first non-zero return of @fn and returns it;
 * returns 0 when every call returned 0.
 */
int mmio_bus_for_each(const struct mmio_bus *bus,
		      int (*fn)(void *arg, const struct mmio_region *region), void *arg);

#endif
