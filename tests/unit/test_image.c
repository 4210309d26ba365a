// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: arm64 Image loader (arch/arm64/image.c). Kernel images are
 * synthetic (a 64-byte header and a byte pattern), gzip data is made here
 * with zlib, guest RAM is a real guest_mem mapping.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arch/arm64/image.h"
#include "arch/arm64/layout.h"
#include "lib/guest_mem.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A synthetic Image of @len bytes: header fields as given, then a pattern. */
static uint8_t *make_image(size_t len, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 12));
	if (len >= ARM64_IMAGE_HDR_SIZE) {
		memset(p, 0, ARM64_IMAGE_HDR_SIZE);
		put_le32(p, 0x91005a4d); /* code0 ("MZ" + add), as EFI-stub kernels */
		put_le32(p + 4, 0x14000000); /* code1: a branch */
		put_le64(p + 8, text_offset);
		put_le64(p + 16, image_size);
		put_le64(p + 24, flags);
		put_le32(p + 56, ARM64_IMAGE_MAGIC);
	}
	return p;
}

/* gzip @len bytes at @in into a new buffer. */
static uint8_t *gzip_buf(const void *in, size_t len, size_t *out_len)
{
	z_stream zs;
	size_t cap = len + len / 100 + 1024;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

/* ---- header parsing ---- */

static void test_parse_good(void **state)
{
	uint64_t flags = (1ULL << ARM64_IMAGE_FLAG_PAGE_SHIFT) | ARM64_IMAGE_FLAG_PHYS_ANY;
	uint8_t *img = make_image(4096, 0, 16 * MIB, flags);
	struct arm64_image_info info;

	assert_int_equal(arm64_image_parse(img, 4096, &info), 0);
	assert_int_equal(info.text_offset, 0);
	assert_int_equal(info.image_size, 16 * MIB);
	assert_int_equal(info.flags, flags);
	assert_int_equal(info.page_size, 4096);
	assert_true(info.phys_anywhere);
	assert_false(info.legacy);
	free(img);
}

static void test_parse_page_sizes(void **state)
{
	static const uint32_t expect[4] = {0, 4096, 16384, 65536};
	struct arm64_image_info info;

	for (uint64_t f = 0; f < 4; f++) {
		uint8_t *img = make_image(128, 0x80000, MIB, f << ARM64_IMAGE_FLAG_PAGE_SHIFT);

		assert_int_equal(arm64_image_parse(img, 128, &info), 0);
		assert_int_equal(info.page_size, expect[f]);
		assert_false(info.phys_anywhere);
		assert_int_equal(info.text_offset, 0x80000);
		free(img);
	}
}

static void test_parse_bad_magic(void **state)
{
	uint8_t *img = make_image(4096, 0, MIB, 0);
	struct arm64_image_info info;

	img[56] ^= 0xff;
	assert_int_equal(arm64_image_parse(img, 4096, &info), -ENOEXEC);
	/* An ELF file is not an Image either. */
	memcpy(img,
	       "\x7f"
	       "ELF",
	       4);
	put_le32(img + 56, 0);
	assert_int_equal(arm64_image_parse(img, 4096, &info), -ENOEXEC);
	free(img);
}

static void test_parse_truncated(void **state)
{
	uint8_t *img = make_image(64, 0, MIB, 0);
	struct arm64_image_info info;

	assert_int_equal(arm64_image_parse(img, 64, &info), 0);
	assert_int_equal(arm64_image_parse(img, 63, &info), -EINVAL);
	assert_int_equal(arm64_image_parse(img, 0, &info), -EINVAL);
	assert_int_equal(arm64_image_parse(NULL, 0, &info), -EINVAL);
	free(img);
}

static void test_parse_big_endian(void **state)
{
	uint8_t *img = make_image(4096, 0, MIB, ARM64_IMAGE_FLAG_BE);
	struct arm64_image_info info;

	assert_int_equal(arm64_image_parse(img, 4096, &info), -ENOEXEC);
	free(img);
}

static void test_parse_legacy(void **state)
{
	/* image_size 0: text_offset field and flags are not trusted. */
	uint8_t *img = make_image(8192, 0x12340000, 0, ARM64_IMAGE_FLAG_BE);
	struct arm64_image_info info;

	assert_int_equal(arm64_image_parse(img, 8192, &info), 0);
	assert_true(info.legacy);
	assert_int_equal(info.text_offset, ARM64_IMAGE_LEGACY_TEXT_OFFSET);
	assert_int_equal(info.image_size, 8192);
	assert_int_equal(info.flags, 0);
	free(img);
}

static void test_parse_sizes(void **state)
{
	struct arm64_image_info info;
	uint8_t *img;

	/* image_size below the data length: everything copied is reserved. */
	img = make_image(8192, 0, 4096, 0);
	assert_int_equal(arm64_image_parse(img, 8192, &info), 0);
	assert_int_equal(info.image_size, 8192);
	free(img);

	img = make_image(128, UINT64_MAX - 10, 100, 0);
	assert_int_equal(arm64_image_parse(img, 128, &info), -EINVAL);
	free(img);
}

/* ---- gzip ---- */

static void test_gunzip_good(void **state)
{
	size_t len = 3 * MIB + 123, zlen, outlen;
	uint8_t *img = make_image(len, 0, 8 * MIB, 0);
	uint8_t *gz = gzip_buf(img, len, &zlen);
	const char *msg = "x";
	void *out;

	assert_true(arm64_image_is_gzip(gz, zlen));
	assert_false(arm64_image_is_gzip(img, len));
	assert_int_equal(arm64_image_gunzip(gz, zlen, 256 * MIB, &out, &outlen, &msg), 0);
	assert_null(msg);
	assert_int_equal(outlen, len);
	assert_memory_equal(out, img, len);
	free(out);

	/* A cap of exactly the output size is enough, one byte less is not. */
	assert_int_equal(arm64_image_gunzip(gz, zlen, len, &out, &outlen, NULL), 0);
	assert_int_equal(outlen, len);
	free(out);
	assert_int_equal(arm64_image_gunzip(gz, zlen, len - 1, &out, &outlen, &msg), -EFBIG);
	assert_null(out);
	assert_non_null(msg);
	free(gz);
	free(img);
}

static void test_gunzip_members_and_padding(void **state)
{
	size_t alen = 5000, blen = 7000, za, zb, outlen;
	uint8_t *a = make_image(alen, 0, MIB, 0), *b = make_image(blen, 1, 2, 3);
	uint8_t *ga = gzip_buf(a, alen, &za), *gb = gzip_buf(b, blen, &zb);
	uint8_t *cat = calloc(1, za + zb + 512);
	uint8_t *out;

	memcpy(cat, ga, za);
	memcpy(cat + za, gb, zb);
	/* Two members, then 512 zero bytes of padding (ignored). */
	assert_int_equal(arm64_image_gunzip(cat, za + zb + 512, MIB, (void **)&out, &outlen, NULL),
			 0);
	assert_int_equal(outlen, alen + blen);
	assert_memory_equal(out, a, alen);
	assert_memory_equal(out + alen, b, blen);
	free(out);
	free(cat);
	free(ga);
	free(gb);
	free(a);
	free(b);
}

static void test_gunzip_corrupt(void **state)
{
	size_t len = 256 * 1024, zlen, outlen;
	uint8_t *img = make_image(len, 0, MIB, 0);
	uint8_t *gz = gzip_buf(img, len, &zlen);
	const char *msg;
	void *out;

	/* Wrong CRC32 in the trailer. */
	gz[zlen - 8] ^= 0x55;
	assert_int_equal(arm64_image_gunzip(gz, zlen, 256 * MIB, &out, &outlen, &msg), -EINVAL);
	assert_null(out);
	assert_string_equal(msg, "corrupt gzip data");
	gz[zlen - 8] ^= 0x55;

	/* Bad compression method in the gzip header. */
	gz[2] = 7;
	assert_int_equal(arm64_image_gunzip(gz, zlen, 256 * MIB, &out, &outlen, &msg), -EINVAL);
	assert_string_equal(msg, "corrupt gzip data");
	gz[2] = 8;

	/* Sanity: restored data inflates again. */
	assert_int_equal(arm64_image_gunzip(gz, zlen, 256 * MIB, &out, &outlen, NULL), 0);
	free(out);

	/* Not gzip at all. */
	assert_int_equal(arm64_image_gunzip(img, len, 256 * MIB, &out, &outlen, NULL), -EINVAL);
	free(gz);
	free(img);
}

static void test_gunzip_truncated(void **state)
{
	size_t len = 256 * 1024, zlen, outlen;
	uint8_t *img = make_image(len, 0, MIB, 0);
	uint8_t *gz = gzip_buf(img, len, &zlen);
	const char *msg;
	void *out;

	assert_int_equal(arm64_image_gunzip(gz, zlen / 2, 256 * MIB, &out, &outlen, &msg), -EINVAL);
	assert_null(out);
	assert_string_equal(msg, "truncated gzip data");
	/* Trailer cut off: data complete, CRC/size missing. */
	assert_int_equal(arm64_image_gunzip(gz, zlen - 4, 256 * MIB, &out, &outlen, &msg), -EINVAL);
	assert_string_equal(msg, "truncated gzip data");
	/* Header only. */
	assert_int_equal(arm64_image_gunzip(gz, 10, 256 * MIB, &out, &outlen, &msg), -EINVAL);
	free(gz);
	free(img);
}

/* ---- placement ---- */

struct fixture {
	struct guest_mem mem;
};

static int setup_64m(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || guest_mem_init(&f->mem, LAYOUT_RAM_BASE, 64 * MIB, false))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	guest_mem_destroy(&f->mem);
	free(f);
	return 0;
}

static void check_layout(const struct guest_mem *mem, const struct arm64_boot_layout *l,
			 size_t initrd_len)
{
	uint64_t ram_end = mem->base + mem->size;

	assert_int_equal(l->kernel_base % SZ_2M, 0);
	assert_true(l->kernel_base >= mem->base);
	assert_true(l->kernel_base - mem->base < SZ_2M); /* as low as possible */
	assert_int_equal(l->kernel_entry, l->kernel_base + l->image.text_offset);
	assert_true(l->kernel_size >= l->kernel_len);

	assert_int_equal(l->dtb_addr % 8, 0);
	assert_int_equal(l->dtb_addr / SZ_2M, (l->dtb_addr + l->dtb_max - 1) / SZ_2M);
	assert_true(l->dtb_addr + l->dtb_max <= ram_end);
	assert_true(l->dtb_addr >= l->kernel_entry + l->kernel_size);

	if (!initrd_len) {
		assert_int_equal(l->initrd_start, 0);
		assert_int_equal(l->initrd_end, 0);
		return;
	}
	assert_int_equal(l->initrd_start % SZ_4K, 0);
	assert_int_equal(l->initrd_end - l->initrd_start, initrd_len);
	assert_true(l->initrd_start >= l->kernel_entry + l->kernel_size);
	assert_true(l->initrd_end <= l->dtb_addr);
}

static void test_load_raw(void **state)
{
	struct fixture *f = *state;
	size_t klen = MIB + 100, ilen = 3 * MIB + 17;
	uint8_t *img = make_image(klen, 0, 8 * MIB, 2);
	uint8_t *initrd = make_image(ilen, 0, 0, 0);
	struct arm64_boot_src src = {
		.kernel_name = "Image",
		.kernel = img,
		.kernel_len = klen,
		.initrd_name = "initrd.img",
		.initrd = initrd,
		.initrd_len = ilen,
	};
	struct arm64_boot_layout l;
	char err[256] = "";

	assert_int_equal(arm64_image_load(&f->mem, &src, 64 * 1024, &l, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	check_layout(&f->mem, &l, ilen);
	assert_int_equal(l.kernel_base, LAYOUT_RAM_BASE);
	assert_int_equal(l.kernel_entry, LAYOUT_RAM_BASE);
	assert_int_equal(l.kernel_size, 8 * MIB);
	assert_int_equal(l.kernel_len, klen);
	assert_int_equal(l.dtb_addr, LAYOUT_RAM_BASE + 62 * MIB);
	assert_int_equal(l.dtb_max, 64 * 1024);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.kernel_entry, klen), img, klen);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.initrd_start, ilen), initrd, ilen);
	free(img);
	free(initrd);
}

static void test_load_text_offset_and_legacy(void **state)
{
	struct fixture *f = *state;
	size_t klen = 300 * 1024;
	uint8_t *img = make_image(klen, 0x80000, 2 * MIB, 0);
	struct arm64_boot_src src = {.kernel_name = "Image", .kernel = img, .kernel_len = klen};
	struct arm64_boot_layout l;

	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, NULL, 0), 0);
	check_layout(&f->mem, &l, 0);
	assert_int_equal(l.kernel_entry, LAYOUT_RAM_BASE + 0x80000);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.kernel_entry, klen), img, klen);
	free(img);

	img = make_image(klen, 0xdeadbeef, 0, 0); /* legacy: text_offset is 0x80000 */
	src.kernel = img;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, NULL, 0), 0);
	assert_true(l.image.legacy);
	assert_int_equal(l.kernel_entry, LAYOUT_RAM_BASE + 0x80000);
	assert_int_equal(l.kernel_size, klen);
	free(img);
}

static void test_load_unaligned_ram(void **state)
{
	struct guest_mem mem;
	size_t klen = 4096;
	uint8_t *img = make_image(klen, 0, MIB, 0);
	struct arm64_boot_src src = {.kernel_name = "Image", .kernel = img, .kernel_len = klen};
	struct arm64_boot_layout l;

	/* RAM starting 4 KiB past a 2 MiB boundary, ending 4 KiB past one. */
	assert_int_equal(guest_mem_init(&mem, LAYOUT_RAM_BASE + SZ_4K, 16 * MIB, false), 0);
	assert_int_equal(arm64_image_load(&mem, &src, 4096, &l, NULL, 0), 0);
	check_layout(&mem, &l, 0);
	assert_int_equal(l.kernel_base, LAYOUT_RAM_BASE + SZ_2M);
	assert_int_equal(l.dtb_addr, LAYOUT_RAM_BASE + 14 * MIB);
	guest_mem_destroy(&mem);
	free(img);
}

static void test_load_gzip(void **state)
{
	struct fixture *f = *state;
	size_t klen = 2 * MIB + 5, zlen, ilen = 8192;
	uint8_t *img = make_image(klen, 0, 6 * MIB, 0);
	uint8_t *gz = gzip_buf(img, klen, &zlen);
	uint8_t *initrd = make_image(ilen, 0, 0, 0);
	struct arm64_boot_src src = {
		.kernel_name = "Image.gz",
		.kernel = gz,
		.kernel_len = zlen,
		.initrd_name = "initrd",
		.initrd = initrd,
		.initrd_len = ilen,
	};
	struct arm64_boot_layout l;
	char err[256] = "";

	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), 0);
	check_layout(&f->mem, &l, ilen);
	assert_int_equal(l.kernel_len, klen);
	assert_int_equal(l.kernel_size, 6 * MIB);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.kernel_entry, klen), img, klen);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.initrd_start, ilen), initrd, ilen);

	/* Corrupt and truncated Image.gz: bad user input, message names the file. */
	gz[zlen - 8] ^= 1;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "kernel Image.gz: corrupt gzip data");
	gz[zlen - 8] ^= 1;
	src.kernel_len = zlen / 3;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "kernel Image.gz: truncated gzip data");
	assert_true(arm64_image_err_is_user(-EINVAL));

	/* gzip of something that is not an Image. */
	free(gz);
	initrd[56] = 0;
	gz = gzip_buf(initrd, ilen, &zlen);
	src.kernel = gz;
	src.kernel_len = zlen;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -ENOEXEC);
	assert_string_equal(err, "kernel Image.gz: not an arm64 Image (bad magic)");
	free(gz);
	free(img);
	free(initrd);
}

static void test_load_bad_input(void **state)
{
	struct fixture *f = *state;
	uint8_t *img = make_image(4096, 0, MIB, 0);
	uint8_t initrd[16] = {0};
	struct arm64_boot_src src = {.kernel_name = "/x", .kernel = img, .kernel_len = 4096};
	struct arm64_boot_layout l;
	char err[256];

	img[57] = 'X';
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -ENOEXEC);
	assert_string_equal(err, "kernel /x: not an arm64 Image (bad magic)");
	assert_true(arm64_image_err_is_user(-ENOEXEC));
	put_le32(img + 56, ARM64_IMAGE_MAGIC);

	put_le64(img + 24, ARM64_IMAGE_FLAG_BE);
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "kernel /x: big-endian"));
	put_le64(img + 24, 0);

	src.kernel_len = 40;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kernel /x: truncated"));
	src.kernel_len = 4096;

	src.initrd_name = "/empty";
	src.initrd = initrd;
	src.initrd_len = 0;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "initrd /empty: empty file");
	src.initrd = NULL;

	assert_int_equal(arm64_image_load(&f->mem, &src, 0, &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M + 1, &l, err, sizeof(err)), -EINVAL);
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, NULL, 0), 0);
	free(img);
}

static void test_load_does_not_fit(void **state)
{
	struct fixture *f = *state;
	size_t klen = 4096, ilen = 60 * MIB;
	uint8_t *img = make_image(klen, 0, 4 * MIB, 0);
	uint8_t *initrd = calloc(1, ilen);
	struct arm64_boot_src src = {
		.kernel_name = "k",
		.kernel = img,
		.kernel_len = klen,
		.initrd_name = "big.cpio",
		.initrd = initrd,
		.initrd_len = ilen,
	};
	struct arm64_boot_layout l;
	char err[256];

	assert_non_null(initrd);
	/* 4 MiB kernel + 60 MiB initrd + 2 MiB DTB slot > 64 MiB. */
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "kernel k (4 MiB) + initrd big.cpio (60 MiB) + "
				 "device tree (2 MiB) do not fit in 64 MiB of memory");
	assert_true(arm64_image_err_is_user(-EFBIG));

	/* 58 MiB of initrd fits exactly: it ends where the DTB slot starts. */
	src.initrd_len = 58 * MIB;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), 0);
	check_layout(&f->mem, &l, 58 * MIB);
	assert_int_equal(l.initrd_start, LAYOUT_RAM_BASE + 4 * MIB);
	assert_int_equal(l.initrd_end, l.dtb_addr);

	/* Kernel alone too large for RAM. */
	put_le64(img + 16, 63 * MIB);
	src.initrd = NULL;
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "kernel k (63 MiB) + device tree (2 MiB) "
				 "do not fit in 64 MiB of memory");
	/* Absurd text_offset: does not fit either. */
	put_le64(img + 8, 1ULL << 40);
	put_le64(img + 16, MIB);
	assert_int_equal(arm64_image_load(&f->mem, &src, SZ_2M, &l, err, sizeof(err)), -EFBIG);
	free(img);
	free(initrd);
}

static void test_load_initrd_window(void **state)
{
	struct guest_mem mem;
	size_t klen = 4096, ilen = MIB;
	uint8_t *img = make_image(klen, 0, MIB, 0);
	uint8_t *initrd = make_image(ilen, 0, 0, 0);
	struct arm64_boot_src src = {
		.kernel_name = "k",
		.kernel = img,
		.kernel_len = klen,
		.initrd_name = "i",
		.initrd = initrd,
		.initrd_len = ilen,
	};
	struct arm64_boot_layout l;

	/* 40 GiB of RAM (reserved lazily): the initrd must stay in the first 32 GiB window. */
	if (guest_mem_init(&mem, LAYOUT_RAM_BASE, 40 * GIB, false)) {
		free(img);
		free(initrd);
		skip();
	}
	assert_int_equal(arm64_image_load(&mem, &src, SZ_2M, &l, NULL, 0), 0);
	check_layout(&mem, &l, ilen);
	assert_int_equal(l.dtb_addr, LAYOUT_RAM_BASE + 40 * GIB - SZ_2M);
	assert_int_equal(l.initrd_end, LAYOUT_RAM_BASE + 32 * GIB);
	assert_memory_equal(guest_mem_ptr(&mem, l.initrd_start, ilen), initrd, ilen);
	guest_mem_destroy(&mem);
	free(img);
	free(initrd);
}

/* ---- files ---- */

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void test_load_file(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/kestrel-test-image-XXXXXX";
	char kpath[128], ipath[128], missing[128];
	size_t klen = 100000, ilen = 50000, zlen;
	uint8_t *img = make_image(klen, 0, 2 * MIB, 0);
	uint8_t *gz = gzip_buf(img, klen, &zlen);
	uint8_t *initrd = make_image(ilen, 0, 0, 0);
	struct arm64_boot_files files;
	struct arm64_boot_layout l, l2;
	char err[512];

	assert_non_null(mkdtemp(dir));
	snprintf(kpath, sizeof(kpath), "%s/Image.gz", dir);
	snprintf(ipath, sizeof(ipath), "%s/initrd", dir);
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	write_file(kpath, gz, zlen);
	write_file(ipath, initrd, ilen);

	assert_int_equal(arm64_image_load_file(&f->mem, kpath, ipath, SZ_2M, &l, err, sizeof(err)),
			 0);
	check_layout(&f->mem, &l, ilen);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.kernel_entry, klen), img, klen);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.initrd_start, ilen), initrd, ilen);

	/* Held contents reload the same kernel after the files are gone. */
	assert_int_equal(arm64_boot_files_read(&files, kpath, ipath, f->mem.size, err, sizeof(err)),
			 0);
	assert_int_equal(files.src.kernel_len, zlen);
	assert_int_equal(files.src.initrd_len, ilen);
	assert_int_equal(unlink(kpath), 0);
	assert_int_equal(unlink(ipath), 0);
	assert_int_equal(guest_mem_clear(&f->mem), 0);
	assert_int_equal(arm64_image_load(&f->mem, &files.src, SZ_2M, &l2, err, sizeof(err)), 0);
	assert_int_equal(l2.kernel_entry, l.kernel_entry);
	assert_int_equal(l2.kernel_size, l.kernel_size);
	assert_int_equal(l2.dtb_addr, l.dtb_addr);
	assert_int_equal(l2.initrd_start, l.initrd_start);
	assert_int_equal(l2.initrd_end, l.initrd_end);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.kernel_entry, klen), img, klen);
	arm64_boot_files_free(&files);
	arm64_boot_files_free(&files); /* idempotent */

	/* Missing file, directory, file over the limit. */
	assert_int_equal(arm64_image_load_file(&f->mem, missing, NULL, SZ_2M, &l, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, missing));
	assert_true(arm64_image_err_is_user(-ENOENT));
	assert_int_equal(arm64_image_load_file(&f->mem, dir, NULL, SZ_2M, &l, err, sizeof(err)),
			 -EISDIR);
	write_file(kpath, img, klen);
	write_file(ipath, initrd, ilen);
	assert_int_equal(arm64_boot_files_read(&files, kpath, ipath, 40000, err, sizeof(err)),
			 -EFBIG);
	assert_non_null(strstr(err, kpath));
	assert_int_equal(
		arm64_image_load_file(&f->mem, kpath, missing, SZ_2M, &l, err, sizeof(err)),
		-ENOENT);
	assert_non_null(strstr(err, "initrd"));
	assert_false(arm64_image_err_is_user(-ENOMEM));
	assert_false(arm64_image_err_is_user(-EIO));

	unlink(kpath);
	unlink(ipath);
	assert_int_equal(rmdir(dir), 0);
	free(img);
	free(gz);
	free(initrd);
}

/* A reboot reads the files kept open: a kernel renamed over or a removed initrd changes nothing. */
static void test_files_reread(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/kestrel-test-image-XXXXXX";
	char kpath[128], ipath[128], other[128];
	size_t klen = 100000, ilen = 50000, zlen;
	uint8_t *img = make_image(klen, 0, 2 * MIB, 0);
	uint8_t *gz = gzip_buf(img, klen, &zlen);
	uint8_t *initrd = make_image(ilen, 0, 0, 0);
	uint8_t *swapped = make_image(klen / 2, 0, 2 * MIB, 0);
	struct arm64_boot_files files;
	struct arm64_boot_layout l;
	char err[512];

	assert_non_null(mkdtemp(dir));
	snprintf(kpath, sizeof(kpath), "%s/Image.gz", dir);
	snprintf(ipath, sizeof(ipath), "%s/initrd", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	write_file(kpath, gz, zlen);
	write_file(ipath, initrd, ilen);
	assert_int_equal(arm64_boot_files_read(&files, kpath, ipath, f->mem.size, err, sizeof(err)),
			 0);
	assert_int_equal(arm64_image_load(&f->mem, &files.src, SZ_2M, &l, err, sizeof(err)), 0);
	arm64_boot_files_release(&files); /* what the first boot does */
	assert_null(files.src.kernel);

	/* Another kernel renamed over the path, the initrd removed. */
	memset(swapped + 64, 0x5a, klen / 2 - 64);
	write_file(other, swapped, klen / 2);
	assert_int_equal(rename(other, kpath), 0);
	assert_int_equal(unlink(ipath), 0);

	assert_int_equal(guest_mem_clear(&f->mem), 0);
	assert_int_equal(arm64_boot_files_reread(&files, err, sizeof(err)), 0);
	assert_int_equal(files.src.kernel_len, zlen);
	assert_memory_equal(files.src.kernel, gz, zlen);
	assert_int_equal(files.src.initrd_len, ilen);
	assert_int_equal(arm64_image_load(&f->mem, &files.src, SZ_2M, &l, err, sizeof(err)), 0);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.kernel_entry, klen), img, klen);
	assert_memory_equal(guest_mem_ptr(&f->mem, l.initrd_start, ilen), initrd, ilen);
	/* and again: each reread starts from the beginning */
	assert_int_equal(arm64_boot_files_reread(&files, err, sizeof(err)), 0);
	assert_memory_equal(files.src.kernel, gz, zlen);
	arm64_boot_files_free(&files);
	arm64_boot_files_free(&files); /* idempotent */

	unlink(kpath);
	assert_int_equal(rmdir(dir), 0);
	free(img);
	free(gz);
	free(initrd);
	free(swapped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_page_sizes),
		cmocka_unit_test(test_parse_bad_magic),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_big_endian),
		cmocka_unit_test(test_parse_legacy),
		cmocka_unit_test(test_parse_sizes),
		cmocka_unit_test(test_gunzip_good),
		cmocka_unit_test(test_gunzip_members_and_padding),
		cmocka_unit_test(test_gunzip_corrupt),
		cmocka_unit_test(test_gunzip_truncated),
		cmocka_unit_test_setup_teardown(test_load_raw, setup_64m, teardown),
		cmocka_unit_test_setup_teardown(test_load_text_offset_and_legacy, setup_64m,
						teardown),
		cmocka_unit_test(test_load_unaligned_ram),
		cmocka_unit_test_setup_teardown(test_load_gzip, setup_64m, teardown),
		cmocka_unit_test_setup_teardown(test_load_bad_input, setup_64m, teardown),
		cmocka_unit_test_setup_teardown(test_load_does_not_fit, setup_64m, teardown),
		cmocka_unit_test(test_load_initrd_window),
		cmocka_unit_test_setup_teardown(test_load_file, setup_64m, teardown),
		cmocka_unit_test_setup_teardown(test_files_reread, setup_64m, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
