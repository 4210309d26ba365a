/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest RAM: one contiguous region of guest physical addresses backed by an
 * anonymous mapping in the VMM (optionally MAP_HUGETLB).
 *
 * guest_mem_read(), guest_mem_write() and guest_mem_ptr() are the only ways
 * into guest RAM: every access is checked against the region, with overflow
 * of gpa + len taken care of. The struct is filled once by guest_mem_init()
 * and only read afterwards, so any thread may call the accessors; the
 * contents of guest RAM are of course shared with the running guest.
 */
#ifndef KESTREL_LIB_GUEST_MEM_H
#define KESTREL_LIB_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t gpa_t;

struct guest_mem {
	gpa_t base; /* first guest physical address */
	uint64_t size; /* bytes */
	uint8_t *host; /* host address of base */
	bool hugepages;
};

/*
 * Map @size bytes for guest addresses [@base, @base + @size): with huge
 * pages of @huge_page_size bytes (0: normal pages, taken lazily), reserved
 * at mmap. @size and @base must be multiples of the page size in use.
 * Returns 0 or -errno (-EINVAL for a zero, unaligned or overflowing range;
 * mmap's errno else: -ENOMEM when there are not enough free huge pages).
 */
int guest_mem_init(struct guest_mem *mem, gpa_t base, uint64_t size, uint64_t huge_page_size);

/* What /proc/meminfo says about the default huge page size. */
struct guest_mem_hugepages {
	uint64_t page_size; /* bytes: Hugepagesize (2 MiB; 512 MiB on 64 KiB-page hosts) */
	uint64_t free; /* HugePages_Free (0 when absent) */
};

/* Parse the text of /proc/meminfo. Returns 0, or -ENOENT without Hugepagesize. */
int guest_mem_hugepages_parse(const char *meminfo, struct guest_mem_hugepages *out);

/*
 * Whether @size bytes of guest RAM can be backed by huge pages according to
 * the text of /proc/meminfo: sets *@page_size and returns 0, or returns
 * -ENOENT (no huge pages), -EINVAL (@size not a multiple of the huge page
 * size), -ENOMEM (not enough free) with one line naming the problem in @err.
 */
int guest_mem_hugepages_check(const char *meminfo, uint64_t size, uint64_t *page_size, char *err,
			      size_t errlen);

/* Unmaps the region; safe on a zeroed or already destroyed struct. */
void guest_mem_destroy(struct guest_mem *mem);

/* True when [gpa, gpa + len) lies inside guest RAM (len 0 is in range when gpa is). */
bool guest_mem_in_range(const struct guest_mem *mem, gpa_t gpa, uint64_t len);

/*
 * Host pointer to [gpa, gpa + len) or NULL when any byte of it is outside
 * guest RAM. The pointer stays valid until guest_mem_destroy().
 */
void *guest_mem_ptr(const struct guest_mem *mem, gpa_t gpa, uint64_t len);

/* Copy out of / into guest RAM. 0 or -EFAULT when out of range (nothing copied). */
int guest_mem_read(const struct guest_mem *mem, gpa_t gpa, void *buf, uint64_t len);
int guest_mem_write(const struct guest_mem *mem, gpa_t gpa, const void *buf, uint64_t len);

/* Zero the whole region (for reset in place: MADV_DONTNEED, pages come back zeroed). */
int guest_mem_clear(struct guest_mem *mem);

#endif
