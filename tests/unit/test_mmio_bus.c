// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: the MMIO bus (lib/mmio_bus.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lib/mmio_bus.h"

/* A device that records its last access and answers reads with a pattern. */
struct probe_dev {
	unsigned int reads, writes;
	int vcpu;
	uint64_t offset;
	uint32_t len;
	uint8_t wdata[8];
	uint8_t fill;
};

static void probe_read(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct probe_dev *d = ctx;

	d->reads++;
	d->vcpu = vcpu;
	d->offset = offset;
	d->len = len;
	memset(data, d->fill, len);
}

static void probe_write(void *ctx, int vcpu, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct probe_dev *d = ctx;

	d->writes++;
	d->vcpu = vcpu;
	d->offset = offset;
	d->len = len;
	memcpy(d->wdata, data, len);
}

static const struct mmio_ops probe_ops = {.read = probe_read, .write = probe_write};
static const struct mmio_ops null_ops = {0};

static void test_insert_sorted_and_find(void **state)
{
	struct mmio_bus bus;
	struct probe_dev a = {0}, b = {0}, c = {0};
	const struct mmio_region *r;

	mmio_bus_init(&bus);
	assert_null(mmio_bus_find(&bus, 0x1000));
	/* Out of order on purpose. */
	assert_int_equal(mmio_bus_insert(&bus, 0x9000000, 0x1000, &probe_ops, &b, "uart"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0xa000000, 0x200, &probe_ops, &c, "virtio0"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x8000000, 0x10000, &probe_ops, &a, "gicd"), 0);
	assert_int_equal(mmio_bus_count(&bus), 3);

	assert_int_equal(mmio_bus_region(&bus, 0)->base, 0x8000000);
	assert_string_equal(mmio_bus_region(&bus, 0)->name, "gicd");
	assert_int_equal(mmio_bus_region(&bus, 1)->base, 0x9000000);
	assert_int_equal(mmio_bus_region(&bus, 2)->base, 0xa000000);
	assert_null(mmio_bus_region(&bus, 3));

	r = mmio_bus_find(&bus, 0x9000000);
	assert_non_null(r);
	assert_ptr_equal(r->ctx, &b);
	r = mmio_bus_find(&bus, 0x9000fff);
	assert_non_null(r);
	assert_ptr_equal(r->ctx, &b);
	assert_null(mmio_bus_find(&bus, 0x9001000));
	assert_null(mmio_bus_find(&bus, 0x7ffffff));
	assert_ptr_equal(mmio_bus_find(&bus, 0x800ffff)->ctx, &a);
	assert_ptr_equal(mmio_bus_find(&bus, 0xa0001ff)->ctx, &c);
	assert_null(mmio_bus_find(&bus, 0xa000200));
	assert_null(mmio_bus_find(&bus, UINT64_MAX));
}

static void test_insert_overlap(void **state)
{
	struct mmio_bus bus;
	int dummy;

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0x1000, &probe_ops, &dummy, "a"), 0);
	/* Same range, straddling either end, inside, enclosing. */
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0x1000, &probe_ops, &dummy, "x"), -EEXIST);
	assert_int_equal(mmio_bus_insert(&bus, 0x0800, 0x0801, &probe_ops, &dummy, "x"), -EEXIST);
	assert_int_equal(mmio_bus_insert(&bus, 0x1fff, 0x10, &probe_ops, &dummy, "x"), -EEXIST);
	assert_int_equal(mmio_bus_insert(&bus, 0x1100, 0x10, &probe_ops, &dummy, "x"), -EEXIST);
	assert_int_equal(mmio_bus_insert(&bus, 0x0, 0x10000, &probe_ops, &dummy, "x"), -EEXIST);
	assert_int_equal(mmio_bus_count(&bus), 1);
	/* Touching on either side is not an overlap. */
	assert_int_equal(mmio_bus_insert(&bus, 0x0800, 0x0800, &probe_ops, &dummy, "below"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x2000, 0x1000, &probe_ops, &dummy, "above"), 0);
	assert_int_equal(mmio_bus_count(&bus), 3);
	assert_string_equal(mmio_bus_find(&bus, 0x0fff)->name, "below");
	assert_string_equal(mmio_bus_find(&bus, 0x1000)->name, "a");
	assert_string_equal(mmio_bus_find(&bus, 0x2000)->name, "above");
	/* A gap between two regions can still be filled exactly. */
	assert_int_equal(mmio_bus_insert(&bus, 0x4000, 0x1000, &probe_ops, &dummy, "far"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x3000, 0x1001, &probe_ops, &dummy, "x"), -EEXIST);
	assert_int_equal(mmio_bus_insert(&bus, 0x3000, 0x1000, &probe_ops, &dummy, "gap"), 0);
}

static void test_insert_invalid(void **state)
{
	struct mmio_bus bus;
	int dummy;

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0, &probe_ops, &dummy, "zero"), -EINVAL);
	assert_int_equal(
		mmio_bus_insert(&bus, UINT64_MAX - 0xff, 0x200, &probe_ops, &dummy, "wrap"),
		-EINVAL);
	assert_int_equal(mmio_bus_insert(&bus, UINT64_MAX, 1, &probe_ops, &dummy, "top"), -EINVAL);
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0x10, NULL, &dummy, "noops"), -EINVAL);
	assert_int_equal(mmio_bus_count(&bus), 0);
	/* Just below the top is fine. */
	assert_int_equal(mmio_bus_insert(&bus, UINT64_MAX - 0xff, 0xff, &probe_ops, &dummy, "hi"),
			 0);
	assert_non_null(mmio_bus_find(&bus, UINT64_MAX - 1));
	assert_null(mmio_bus_find(&bus, UINT64_MAX));
}

static void test_insert_full(void **state)
{
	struct mmio_bus bus;
	int dummy;
	size_t i;

	mmio_bus_init(&bus);
	/* Descending order exercises the memmove on every insert. */
	for (i = 0; i < MMIO_BUS_MAX_REGIONS; i++)
		assert_int_equal(mmio_bus_insert(&bus, 0x100000 - (i + 1) * 0x100, 0x100,
						 &probe_ops, &dummy, "r"),
				 0);
	assert_int_equal(mmio_bus_count(&bus), MMIO_BUS_MAX_REGIONS);
	assert_int_equal(mmio_bus_insert(&bus, 0x200000, 0x100, &probe_ops, &dummy, "extra"),
			 -ENOSPC);
	/* Overlap is reported before fullness. */
	assert_int_equal(mmio_bus_insert(&bus, 0xfff00, 0x100, &probe_ops, &dummy, "dup"), -EEXIST);
	for (i = 1; i < MMIO_BUS_MAX_REGIONS; i++)
		assert_true(mmio_bus_region(&bus, i - 1)->base < mmio_bus_region(&bus, i)->base);
}

static void test_name_truncated(void **state)
{
	struct mmio_bus bus;
	char longname[100];
	int dummy;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0x10, &probe_ops, &dummy, longname), 0);
	assert_int_equal(strlen(mmio_bus_region(&bus, 0)->name), MMIO_BUS_NAME_LEN - 1);
	assert_int_equal(mmio_bus_insert(&bus, 0x2000, 0x10, &probe_ops, &dummy, NULL), 0);
	assert_string_equal(mmio_bus_region(&bus, 1)->name, "");
}

static void test_dispatch_offsets(void **state)
{
	struct mmio_bus bus;
	struct probe_dev a = {.fill = 0xaa}, b = {.fill = 0xbb};
	uint8_t data[8];
	const uint8_t wr[4] = {1, 2, 3, 4};

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x9000000, 0x1000, &probe_ops, &a, "a"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x9001000, 0x1000, &probe_ops, &b, "b"), 0);

	memset(data, 0, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 3, 0x9000005, data, 1, false), 0);
	assert_int_equal(a.reads, 1);
	assert_int_equal(a.offset, 5);
	assert_int_equal(a.len, 1);
	assert_int_equal(a.vcpu, 3);
	assert_int_equal(data[0], 0xaa);
	assert_int_equal(data[1], 0); /* only len bytes touched */

	memcpy(data, wr, sizeof(wr));
	assert_int_equal(mmio_bus_dispatch(&bus, -1, 0x9001ffc, data, 4, true), 0);
	assert_int_equal(b.writes, 1);
	assert_int_equal(b.offset, 0xffc);
	assert_int_equal(b.len, 4);
	assert_int_equal(b.vcpu, -1);
	assert_memory_equal(b.wdata, wr, 4);
	assert_int_equal(a.writes, 0);

	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x9001ff8, data, 8, false), 0);
	assert_int_equal(b.offset, 0xff8);
	assert_int_equal(data[7], 0xbb);
}

static void test_dispatch_unclaimed(void **state)
{
	struct mmio_bus bus;
	struct probe_dev a = {.fill = 0xaa};
	uint8_t data[8];

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x9000000, 0x1000, &probe_ops, &a, "a"), 0);

	memset(data, 0x5a, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x8fffff8, data, 8, false), -ENOENT);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(data[i], 0);

	memset(data, 0x5a, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x9001000, data, 4, false), -ENOENT);
	assert_int_equal(data[0] | data[1] | data[2] | data[3], 0);
	assert_int_equal(data[4], 0x5a); /* only len bytes */

	/* Straddling the end of a region: no single device claims it. */
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x9000ffc, data, 8, false), -ENOENT);
	assert_int_equal(data[0] | data[7], 0);
	assert_int_equal(a.reads, 0);

	/* Writes to nowhere change nothing and leave data alone. */
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x100, data, 4, true), -ENOENT);
	assert_int_equal(data[0], 0x5a);
	assert_int_equal(a.writes, 0);

	/* Empty bus. */
	mmio_bus_init(&bus);
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x9000000, data, 2, false), -ENOENT);
	assert_int_equal(data[0] | data[1], 0);
}

static void test_dispatch_bad_len(void **state)
{
	struct mmio_bus bus;
	struct probe_dev a = {.fill = 0xaa};
	uint8_t data[16];
	const uint32_t bad[] = {0, 3, 5, 6, 7, 16};

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x9000000, 0x1000, &probe_ops, &a, "a"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(data, 0x5a, sizeof(data));
		assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x9000000, data, bad[i], false),
				 -EINVAL);
		for (uint32_t j = 0; j < bad[i]; j++)
			assert_int_equal(data[j], 0);
		assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x9000000, data, bad[i], true),
				 -EINVAL);
	}
	assert_int_equal(a.reads + a.writes, 0);
}

static void test_dispatch_null_ops(void **state)
{
	struct mmio_bus bus;
	uint8_t data[4];

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0x100, &null_ops, NULL, "hole"), 0);
	memset(data, 0x5a, sizeof(data));
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x1010, data, 4, false), 0);
	assert_int_equal(data[0] | data[1] | data[2] | data[3], 0);
	assert_int_equal(mmio_bus_dispatch(&bus, 0, 0x1010, data, 4, true), 0);
}

struct walk {
	gpa_t bases[4];
	size_t n;
	size_t stop_after;
};

static int walk_fn(void *arg, const struct mmio_region *r)
{
	struct walk *w = arg;

	w->bases[w->n++] = r->base;
	return w->n == w->stop_after ? -ECANCELED : 0;
}

static void test_for_each(void **state)
{
	struct mmio_bus bus;
	struct walk w = {.stop_after = 0};
	int dummy;

	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_for_each(&bus, walk_fn, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x3000, 0x10, &probe_ops, &dummy, "c"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x1000, 0x10, &probe_ops, &dummy, "a"), 0);
	assert_int_equal(mmio_bus_insert(&bus, 0x2000, 0x10, &probe_ops, &dummy, "b"), 0);
	assert_int_equal(mmio_bus_for_each(&bus, walk_fn, &w), 0);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.bases[0], 0x1000);
	assert_int_equal(w.bases[1], 0x2000);
	assert_int_equal(w.bases[2], 0x3000);

	w.n = 0;
	w.stop_after = 2;
	assert_int_equal(mmio_bus_for_each(&bus, walk_fn, &w), -ECANCELED);
	assert_int_equal(w.n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_sorted_and_find),
		cmocka_unit_test(test_insert_overlap),
		cmocka_unit_test(test_insert_invalid),
		cmocka_unit_test(test_insert_full),
		cmocka_unit_test(test_name_truncated),
		cmocka_unit_test(test_dispatch_offsets),
		cmocka_unit_test(test_dispatch_unclaimed),
		cmocka_unit_test(test_dispatch_bad_len),
		cmocka_unit_test(test_dispatch_null_ops),
		cmocka_unit_test(test_for_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
