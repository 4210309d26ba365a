// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: guest memory bounds checks (lib/guest_mem.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/guest_mem.h"

#define BASE 0x80000000ULL
#define SIZE (4ULL << 20)

static void test_init_errors(void **state)
{
	struct guest_mem m;

	assert_int_equal(guest_mem_init(&m, BASE, 0, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, BASE, 4095, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, BASE + 1, SIZE, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, UINT64_MAX - 4095, SIZE, false), -EINVAL);
	assert_int_equal(guest_mem_init(&m, BASE, 4096, 2 << 20), -EINVAL); /* not 2 MiB */
	assert_int_equal(guest_mem_init(&m, BASE, 6 << 20, 3 << 20),
			 -EINVAL); /* not a power of 2 */
	guest_mem_destroy(&m);
	guest_mem_destroy(&m);
}

static void test_bounds(void **state)
{
	struct guest_mem m;
	uint8_t buf[16] = {1, 2, 3, 4}, back[16];

	assert_int_equal(guest_mem_init(&m, BASE, SIZE, false), 0);
	assert_true(guest_mem_in_range(&m, BASE, SIZE));
	assert_true(guest_mem_in_range(&m, BASE + SIZE, 0));
	assert_false(guest_mem_in_range(&m, BASE + SIZE, 1));
	assert_false(guest_mem_in_range(&m, BASE - 1, 1));
	assert_false(guest_mem_in_range(&m, BASE, SIZE + 1));
	assert_false(guest_mem_in_range(&m, BASE + 8, UINT64_MAX));
	assert_false(guest_mem_in_range(&m, UINT64_MAX, 2));
	assert_null(guest_mem_ptr(&m, 0, 16));
	assert_null(guest_mem_ptr(&m, BASE + SIZE - 8, 16));
	assert_ptr_equal(guest_mem_ptr(&m, BASE + 16, 16), m.host + 16);

	assert_int_equal(guest_mem_write(&m, BASE + SIZE - 16, buf, 16), 0);
	assert_int_equal(guest_mem_read(&m, BASE + SIZE - 16, back, 16), 0);
	assert_memory_equal(buf, back, 16);
	assert_int_equal(guest_mem_write(&m, BASE + SIZE - 15, buf, 16), -EFAULT);
	assert_int_equal(guest_mem_read(&m, BASE - 16, back, 16), -EFAULT);
	/* a failed write touches nothing */
	assert_int_equal(m.host[SIZE - 1], 0);

	assert_int_equal(guest_mem_clear(&m), 0);
	assert_int_equal(m.host[SIZE - 16], 0);
	guest_mem_destroy(&m);
	assert_null(guest_mem_ptr(&m, BASE, 1));
}

static const char meminfo_x86[] = "MemTotal:       16318412 kB\n"
				  "AnonHugePages:   1800192 kB\n"
				  "HugePages_Total:       0\n"
				  "HugePages_Free:        0\n"
				  "HugePages_Rsvd:        0\n"
				  "Hugepagesize:       2048 kB\n"
				  "Hugetlb:               0 kB\n";

/* A 64 KiB-page arm64 host with some huge pages reserved. */
static const char meminfo_64k[] = "MemTotal:       65536000 kB\n"
				  "HugePages_Total:       4\n"
				  "HugePages_Free:        3\n"
				  "Hugepagesize:     524288 kB\n";

static void test_hugepages_parse(void **state)
{
	struct guest_mem_hugepages hp;

	assert_int_equal(guest_mem_hugepages_parse(meminfo_x86, &hp), 0);
	assert_int_equal(hp.page_size, 2ULL << 20);
	assert_int_equal(hp.free, 0);
	assert_int_equal(guest_mem_hugepages_parse(meminfo_64k, &hp), 0);
	assert_int_equal(hp.page_size, 512ULL << 20);
	assert_int_equal(hp.free, 3);
	/* no huge pages at all (kernel without hugetlbfs) */
	assert_int_equal(guest_mem_hugepages_parse("MemTotal: 1000 kB\n", &hp), -ENOENT);
	assert_int_equal(guest_mem_hugepages_parse("", &hp), -ENOENT);
	assert_int_equal(guest_mem_hugepages_parse("Hugepagesize: kB\n", &hp), -ENOENT);
	/* a key that only starts like it does not count */
	assert_int_equal(guest_mem_hugepages_parse("Hugepagesizes: 4 kB\n", &hp), -ENOENT);
}

static void test_hugepages_check(void **state)
{
	uint64_t ps = 0;
	char err[256];

	/* none free: refused, naming the size, the RAM and the count */
	assert_int_equal(
		guest_mem_hugepages_check(meminfo_x86, 256ULL << 20, &ps, err, sizeof(err)),
		-ENOMEM);
	assert_string_equal(err, "--hugepages: no free 2048 kB huge pages for 256 MiB "
				 "(HugePages_Free 0, 128 needed)");
	/* 64 KiB pages: 512 MiB huge pages; 1 GiB fits in 3 free, 100 MiB is not a multiple */
	assert_int_equal(guest_mem_hugepages_check(meminfo_64k, 1ULL << 30, &ps, err, sizeof(err)),
			 0);
	assert_int_equal(ps, 512ULL << 20);
	assert_int_equal(
		guest_mem_hugepages_check(meminfo_64k, 100ULL << 20, &ps, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "not a multiple of the 524288 kB huge page size"));
	assert_int_equal(guest_mem_hugepages_check(meminfo_64k, 2ULL << 30, &ps, err, sizeof(err)),
			 -ENOMEM);
	assert_int_equal(
		guest_mem_hugepages_check("MemTotal: 1 kB\n", 2ULL << 20, &ps, err, sizeof(err)),
		-ENOENT);
	assert_non_null(strstr(err, "no huge pages"));
}

/* More huge pages than are free: mmap fails with ENOMEM (no SIGBUS at the first touch). */
static void test_hugepages_not_enough(void **state)
{
	struct guest_mem_hugepages hp;
	struct guest_mem m;
	char text[8192];
	FILE *f = fopen("/proc/meminfo", "r");
	size_t n;
	int ret;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if (guest_mem_hugepages_parse(text, &hp) || hp.free > 64)
		skip(); /* no hugetlb here, or too many free to ask for more */
	ret = guest_mem_init(&m, BASE, (hp.free + 1) * hp.page_size, hp.page_size);
	if (!ret) {
		/* what the old MAP_NORESERVE mapping did: the touch would be a SIGBUS */
		guest_mem_destroy(&m);
		fail_msg("huge page mapping beyond HugePages_Free %llu succeeded",
			 (unsigned long long)hp.free);
	}
	assert_int_equal(ret, -ENOMEM);
	assert_null(m.host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_errors),	     cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_hugepages_parse),	     cmocka_unit_test(test_hugepages_check),
		cmocka_unit_test(test_hugepages_not_enough),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
