// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the arm64 kernel loader (arch/arm64/image.c) on
 * arbitrary bytes: the Image header parser, the gzip inflater (Image.gz)
 * and the placement of kernel, initrd and DTB slot in a small guest RAM.
 *
 * Input: byte 0 bits 0-1 the RAM size ((2 + n) * 2 MiB), bit 2 a RAM base
 * that is not 2 MiB aligned, bit 3 an initrd, bit 4 inflate with a small
 * cap too; byte 1 the initrd length (b * 64, from the end of the input);
 * the rest is the kernel file (raw Image or gzip).
 *
 * Checks (abort on violation): every refusal is one of the documented
 * codes with a one-line message naming the kernel (or initrd); parse
 * agrees with load on raw Images; gunzip never returns more than its cap
 * and frees on error; on success the kernel base is 2 MiB aligned in RAM,
 * the entry is base + text_offset, kernel (image_size), DTB slot (2 MiB,
 * 2 MiB aligned, dtb_max fits) and initrd lie in RAM without overlapping,
 * the initrd is page aligned, guest RAM holds exactly the (inflated) Image
 * and the initrd there, and the bytes around them and the DTB slot are
 * untouched (the DTB slot's ends; RAM is kept filled with a pattern between runs). Built by
 * scripts/fuzz.sh; tests/unit/test_fuzz_replay.c replays its seeds and
 * regress folder.
 *
 * fuzz-sources: arch/arm64/image.c lib/guest_mem.c lib/log.c -lz
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/image.h"
#include "lib/guest_mem.h"

#define FI_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FI_MIB (1ULL << 20)
#define FI_RAM_BASE 0x40000000ULL
#define FI_FILL 0xa5

static bool fi_user_err(int ret)
{
	return ret == -ENOEXEC || ret == -EINVAL || ret == -EFBIG;
}

static bool fi_one_line(const char *err, const char *name)
{
	return err[0] && !strchr(err, '\n') && strstr(err, name);
}

/* Whether @len bytes at @gpa (clipped to RAM) still hold the fill pattern. */
static bool fi_untouched(struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	gpa_t lo = gpa < mem->base ? mem->base : gpa;
	gpa_t hi = gpa + len > mem->base + mem->size ? mem->base + mem->size : gpa + len;
	const uint8_t *p;

	if (hi <= lo)
		return true;
	p = guest_mem_ptr(mem, lo, hi - lo);
	for (uint64_t i = 0; i < hi - lo; i++)
		if (p[i] != FI_FILL)
			return false;
	return true;
}

static bool fi_inside(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	return gpa >= mem->base && len <= mem->size && gpa - mem->base <= mem->size - len;
}

static bool fi_disjoint(gpa_t a, uint64_t alen, gpa_t b, uint64_t blen)
{
	return !alen || !blen || a + alen <= b || b + blen <= a;
}

static void fi_check_layout(struct guest_mem *mem, const struct arm64_boot_layout *l,
			    const uint8_t *kimg, size_t klen, const uint8_t *initrd,
			    size_t initrd_len)
{
	FI_CHECK(l->kernel_base % (2 * FI_MIB) == 0 && l->kernel_base >= mem->base);
	FI_CHECK(l->kernel_entry == l->kernel_base + l->image.text_offset);
	FI_CHECK(l->kernel_len == klen && l->kernel_size >= klen);
	FI_CHECK(fi_inside(mem, l->kernel_entry, l->kernel_size));
	FI_CHECK(l->dtb_addr % (2 * FI_MIB) == 0 && l->dtb_max && l->dtb_max <= 2 * FI_MIB);
	FI_CHECK(fi_inside(mem, l->dtb_addr, 2 * FI_MIB));
	FI_CHECK(fi_disjoint(l->kernel_entry, l->kernel_size, l->dtb_addr, 2 * FI_MIB));
	FI_CHECK(!memcmp(guest_mem_ptr(mem, l->kernel_entry, klen), kimg, klen));
	FI_CHECK(fi_untouched(mem, l->kernel_entry - 64, 64));
	FI_CHECK(fi_untouched(mem, l->kernel_entry + klen,
			      64 < l->kernel_size - klen ? 64 : l->kernel_size - klen));
	FI_CHECK(fi_untouched(mem, l->dtb_addr, 4096));
	FI_CHECK(fi_untouched(mem, l->dtb_addr + 2 * FI_MIB - 4096, 4096));
	if (!initrd) {
		FI_CHECK(!l->initrd_start && !l->initrd_end);
		return;
	}
	FI_CHECK(l->initrd_start % 4096 == 0 && l->initrd_end - l->initrd_start == initrd_len);
	FI_CHECK(fi_inside(mem, l->initrd_start, initrd_len));
	FI_CHECK(fi_disjoint(l->initrd_start, initrd_len, l->kernel_entry, l->kernel_size));
	FI_CHECK(fi_disjoint(l->initrd_start, initrd_len, l->dtb_addr, 2 * FI_MIB));
	FI_CHECK(!memcmp(guest_mem_ptr(mem, l->initrd_start, initrd_len), initrd, initrd_len));
	FI_CHECK(fi_untouched(mem, l->initrd_start - 64, 64));
}

/*
 * The RAM of configuration @which (size and base from input byte 0), mapped
 * once and kept filled with FI_FILL: each successful load is undone by
 * fi_restore(), so every run starts from a filled RAM without a full memset.
 */
static struct guest_mem *fi_mem(unsigned int which)
{
	static struct guest_mem mems[8];
	static bool done[8];
	struct guest_mem *mem = &mems[which];

	if (!done[which]) {
		FI_CHECK(guest_mem_init(mem, FI_RAM_BASE + (which & 4 ? FI_MIB + 4096 : 0),
					(2 + (which & 3)) * 2 * FI_MIB, false) == 0);
		memset(guest_mem_ptr(mem, mem->base, mem->size), FI_FILL, mem->size);
		done[which] = true;
	}
	return mem;
}

/* Puts the fill pattern back where a successful load wrote. */
static void fi_restore(struct guest_mem *mem, const struct arm64_boot_layout *l, size_t initrd_len)
{
	memset(guest_mem_ptr(mem, l->kernel_entry, l->kernel_len), FI_FILL, l->kernel_len);
	if (initrd_len)
		memset(guest_mem_ptr(mem, l->initrd_start, initrd_len), FI_FILL, initrd_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arm64_boot_src src = {.kernel_name = "fuzz-Image", .initrd_name = "fuzz-initrd"};
	struct arm64_boot_layout layout;
	struct arm64_image_info info;
	struct guest_mem *mem;
	char err[256] = "";
	void *out = NULL;
	size_t out_len = 0, initrd_len = 0;
	const char *why = NULL;
	int ret, pret;

	if (size < 2)
		return 0;
	if (data[0] & 8) {
		initrd_len = (size_t)data[1] * 64;
		if (initrd_len > size - 2)
			initrd_len = size - 2;
		src.initrd = data + size - initrd_len;
		src.initrd_len = initrd_len;
	}
	src.kernel = data + 2;
	src.kernel_len = size - 2 - initrd_len;

	if (data[0] & 16) {
		ret = arm64_image_gunzip(src.kernel, src.kernel_len, 4096, &out, &out_len, &why);
		FI_CHECK(ret == 0 || ret == -EINVAL || ret == -EFBIG || ret == -ENOMEM);
		FI_CHECK(ret ? !out && why : out && out_len && out_len <= 4096);
		free(out);
	}

	mem = fi_mem(data[0] & 7);
	ret = arm64_image_load(mem, &src, 0x10000, &layout, err, sizeof(err));
	if (ret) {
		FI_CHECK(fi_user_err(ret) || ret == -ENOMEM);
		FI_CHECK(arm64_image_err_is_user(ret) == fi_user_err(ret));
		FI_CHECK(fi_one_line(err, "fuzz-Image") || fi_one_line(err, "fuzz-initrd"));
	} else if (arm64_image_is_gzip(src.kernel, src.kernel_len)) {
		FI_CHECK(arm64_image_gunzip(src.kernel, src.kernel_len, ARM64_IMAGE_MAX_SIZE, &out,
					    &out_len, &why) == 0);
		fi_check_layout(mem, &layout, out, out_len, src.initrd, initrd_len);
		fi_restore(mem, &layout, initrd_len);
		free(out);
	} else {
		fi_check_layout(mem, &layout, src.kernel, src.kernel_len, src.initrd, initrd_len);
		fi_restore(mem, &layout, initrd_len);
	}
	if (!arm64_image_is_gzip(src.kernel, src.kernel_len)) {
		/* The parser alone agrees with the loader on a raw Image's header. */
		pret = arm64_image_parse(src.kernel, src.kernel_len, &info);
		FI_CHECK(pret == 0 || pret == -EINVAL || pret == -ENOEXEC);
		if (!pret) {
			FI_CHECK(info.image_size >= src.kernel_len);
			FI_CHECK(info.text_offset <= UINT64_MAX - info.image_size);
			FI_CHECK(info.page_size == 0 || info.page_size == 4096 ||
				 info.page_size == 16384 || info.page_size == 65536);
			FI_CHECK(ret != -ENOEXEC && (ret || info.image_size == layout.kernel_size));
		} else {
			FI_CHECK(ret == pret);
		}
	}
	return 0;
}
