// SPDX-License-Identifier: GPL-2.0-only
#include "lib/mmio_bus.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void mmio_bus_init(struct mmio_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

/* Index of the first region whose base is above @gpa (nr_regions if none). */
static size_t mmio_bus_upper(const struct mmio_bus *bus, gpa_t gpa)
{
	size_t lo = 0, hi = bus->nr_regions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->regions[mid].base <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int mmio_bus_insert(struct mmio_bus *bus, gpa_t base, uint64_t len, const struct mmio_ops *ops,
		    void *ctx, const char *name)
{
	struct mmio_region *r;
	gpa_t end = base + len;
	size_t i;

	/* Every stored region has base + len representable: end never wraps. */
	if (!len || !ops || end < base)
		return -EINVAL;

	i = mmio_bus_upper(bus, base);
	if (i > 0) {
		const struct mmio_region *prev = &bus->regions[i - 1];

		if (prev->base + prev->len > base)
			return -EEXIST;
	}
	if (i < bus->nr_regions && bus->regions[i].base < end)
		return -EEXIST;
	if (bus->nr_regions == MMIO_BUS_MAX_REGIONS)
		return -ENOSPC;

	memmove(&bus->regions[i + 1], &bus->regions[i],
		(bus->nr_regions - i) * sizeof(bus->regions[0]));
	r = &bus->regions[i];
	r->base = base;
	r->len = len;
	r->ops = ops;
	r->ctx = ctx;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	bus->nr_regions++;
	return 0;
}

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, gpa_t gpa)
{
	size_t i = mmio_bus_upper(bus, gpa);
	const struct mmio_region *r;

	if (i == 0)
		return NULL;
	r = &bus->regions[i - 1];
	return gpa - r->base < r->len ? r : NULL;
}

int mmio_bus_dispatch(const struct mmio_bus *bus, int vcpu, gpa_t gpa, uint8_t *data, uint32_t len,
		      bool is_write)
{
	const struct mmio_region *r;
	uint64_t offset;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		if (!is_write)
			memset(data, 0, len);
		return -EINVAL;
	}

	r = mmio_bus_find(bus, gpa);
	/* The whole access must fit in the region: a device sees only its own offsets. */
	if (!r || len > r->len - (gpa - r->base)) {
		if (!is_write)
			memset(data, 0, len);
		return -ENOENT;
	}

	offset = gpa - r->base;
	if (is_write) {
		if (r->ops->write)
			r->ops->write(r->ctx, vcpu, offset, data, len);
	} else if (r->ops->read) {
		r->ops->read(r->ctx, vcpu, offset, data, len);
	} else {
		memset(data, 0, len);
	}
	return 0;
}

size_t mmio_bus_count(const struct mmio_bus *bus)
{
	return bus->nr_regions;
}

const struct mmio_region *mmio_bus_region(const struct mmio_bus *bus, size_t index)
{
	return index < bus->nr_regions ? &bus->regions[index] : NULL;
}

int mmio_bus_for_each(const struct mmio_bus *bus,
		      int (*fn)(void *arg, const struct mmio_region *region), void *arg)
{
	size_t i;
	int ret;

	for (i = 0; i < bus->nr_regions; i++) {
		ret = fn(arg, &bus->regions[i]);
		if (ret)
			return ret;
	}
	return 0;
}
