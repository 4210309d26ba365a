// SPDX-License-Identifier: GPL-2.0-only
#include "lib/guest_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The value of "@key:" in /proc/meminfo text (the first number after it). */
static bool meminfo_value(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = text;
	char *end;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			errno = 0;
			*out = strtoull(p + klen + 1, &end, 10);
			return !errno && end != p + klen + 1;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

int guest_mem_hugepages_parse(const char *meminfo, struct guest_mem_hugepages *out)
{
	uint64_t kb;

	memset(out, 0, sizeof(*out));
	if (!meminfo_value(meminfo, "Hugepagesize", &kb) || !kb || kb > (UINT64_MAX >> 10))
		return -ENOENT;
	out->page_size = kb << 10;
	if (!meminfo_value(meminfo, "HugePages_Free", &out->free))
		out->free = 0;
	return 0;
}

int guest_mem_hugepages_check(const char *meminfo, uint64_t size, uint64_t *page_size, char *err,
			      size_t errlen)
{
	struct guest_mem_hugepages hp;

	if (guest_mem_hugepages_parse(meminfo, &hp)) {
		snprintf(err, errlen,
			 "--hugepages: this host has no huge pages "
			 "(no Hugepagesize in /proc/meminfo)");
		return -ENOENT;
	}
	if (size % hp.page_size) {
		snprintf(err, errlen,
			 "--hugepages: --memory %llu MiB is not a multiple of the %llu kB huge "
			 "page size",
			 (unsigned long long)(size >> 20),
			 (unsigned long long)(hp.page_size >> 10));
		return -EINVAL;
	}
	if (hp.free < size / hp.page_size) {
		snprintf(err, errlen,
			 "--hugepages: no free %llu kB huge pages for %llu MiB (HugePages_Free "
			 "%llu, "
			 "%llu needed)",
			 (unsigned long long)(hp.page_size >> 10), (unsigned long long)(size >> 20),
			 (unsigned long long)hp.free, (unsigned long long)(size / hp.page_size));
		return -ENOMEM;
	}
	*page_size = hp.page_size;
	return 0;
}

int guest_mem_init(struct guest_mem *mem, gpa_t base, uint64_t size, uint64_t huge_page_size)
{
	uint64_t align = huge_page_size ? huge_page_size : (uint64_t)sysconf(_SC_PAGESIZE);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	memset(mem, 0, sizeof(*mem));
	if (!align || (align & (align - 1)) || !size || size % align || base % align ||
	    base + size < base)
		return -EINVAL;
	if (size > SIZE_MAX)
		return -ENOMEM;
	/*
	 * Huge pages are reserved at mmap (no MAP_NORESERVE): without enough
	 * free ones mmap fails with ENOMEM instead of the first touch dying
	 * with SIGBUS. Normal pages are taken lazily.
	 */
	if (huge_page_size)
		flags |= MAP_HUGETLB | (__builtin_ctzll(huge_page_size) << MAP_HUGE_SHIFT);
	else
		flags |= MAP_NORESERVE;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	mem->base = base;
	mem->size = size;
	mem->host = p;
	mem->hugepages = huge_page_size != 0;
	return 0;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	if (mem->host)
		munmap(mem->host, (size_t)mem->size);
	mem->host = NULL;
	mem->size = 0;
}

bool guest_mem_in_range(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	if (!mem->host || gpa < mem->base)
		return false;
	gpa -= mem->base;
	return gpa <= mem->size && len <= mem->size - gpa;
}

void *guest_mem_ptr(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	if (!guest_mem_in_range(mem, gpa, len))
		return NULL;
	return mem->host + (gpa - mem->base);
}

int guest_mem_read(const struct guest_mem *mem, gpa_t gpa, void *buf, uint64_t len)
{
	const void *p = guest_mem_ptr(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, (size_t)len);
	return 0;
}

int guest_mem_write(const struct guest_mem *mem, gpa_t gpa, const void *buf, uint64_t len)
{
	void *p = guest_mem_ptr(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, (size_t)len);
	return 0;
}

int guest_mem_clear(struct guest_mem *mem)
{
	if (!mem->host)
		return -EINVAL;
	if (madvise(mem->host, (size_t)mem->size, MADV_DONTNEED))
		return -errno;
	return 0;
}
