// SPDX-License-Identifier: GPL-2.0-only
#include "lib/guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_2M (2ULL << 20)

int guest_mem_init(struct guest_mem *mem, gpa_t base, uint64_t size, bool hugepages)
{
	uint64_t align = hugepages ? HUGE_2M : (uint64_t)sysconf(_SC_PAGESIZE);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;

	memset(mem, 0, sizeof(*mem));
	if (!size || size % align || base % align || base + size < base)
		return -EINVAL;
	if (size > SIZE_MAX)
		return -ENOMEM;
	if (hugepages)
		flags |= MAP_HUGETLB;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	mem->base = base;
	mem->size = size;
	mem->host = p;
	mem->hugepages = hugepages;
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
