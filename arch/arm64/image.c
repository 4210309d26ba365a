// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 Linux kernel loader: Image header, Image.gz, placement in guest RAM.
 * The contract is in image.h.
 */
#include "arch/arm64/image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "arch/arm64/layout.h"
#include "lib/log.h"

#define SZ_1G (1ULL << 30)
#define INITRD_WINDOW (32ULL << 30) /* booting.rst: initrd + kernel in 32 GiB */
#define GUNZIP_FIRST_CHUNK (1ULL << 20)

/* Offsets inside the 64-byte header. */
#define HDR_TEXT_OFFSET 8
#define HDR_IMAGE_SIZE 16
#define HDR_FLAGS 24
#define HDR_MAGIC 56

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t mib_round_up(uint64_t bytes)
{
	return (bytes >> 20) + !!(bytes & ((1ULL << 20) - 1));
}

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
							  ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* arm64_image_parse() with a reason for the caller's message. */
static int parse_header(const void *buf, size_t len, struct arm64_image_info *out, const char **why)
{
	const uint8_t *h = buf;
	uint64_t page;

	memset(out, 0, sizeof(*out));
	if (!buf || len < ARM64_IMAGE_HDR_SIZE) {
		*why = "truncated: shorter than the 64-byte arm64 Image header";
		return -EINVAL;
	}
	if (get_le32(h + HDR_MAGIC) != ARM64_IMAGE_MAGIC) {
		*why = "not an arm64 Image (bad magic)";
		return -ENOEXEC;
	}

	out->image_size = get_le64(h + HDR_IMAGE_SIZE);
	if (!out->image_size) {
		/*
		 * Before v3.17 text_offset had no defined endianness and
		 * flags did not exist; such kernels expect 0x80000.
		 */
		out->legacy = true;
		out->text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		out->image_size = len;
	} else {
		out->text_offset = get_le64(h + HDR_TEXT_OFFSET);
		out->flags = get_le64(h + HDR_FLAGS);
		if (out->flags & ARM64_IMAGE_FLAG_BE) {
			*why = "big-endian arm64 Image; only little-endian kernels run";
			return -ENOEXEC;
		}
		page = (out->flags >> ARM64_IMAGE_FLAG_PAGE_SHIFT) & ARM64_IMAGE_FLAG_PAGE_MASK;
		out->page_size = page ? 4096U << (2 * (page - 1)) : 0;
		out->phys_anywhere = out->flags & ARM64_IMAGE_FLAG_PHYS_ANY;
		if (out->image_size < len)
			out->image_size = len;
	}
	if (out->text_offset > UINT64_MAX - out->image_size) {
		*why = "bad header: text_offset + image_size overflow";
		return -EINVAL;
	}
	return 0;
}

int arm64_image_parse(const void *buf, size_t len, struct arm64_image_info *out)
{
	const char *why;

	return parse_header(buf, len, out, &why);
}

bool arm64_image_is_gzip(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	return buf && len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Make room for more output: grow *dst up to cap + 1 bytes (one past = too big). */
static int gunzip_grow(z_stream *zs, uint8_t **dst, size_t *dst_size, size_t cap)
{
	size_t done = (size_t)(zs->next_out - *dst);
	size_t size = *dst_size;
	uint8_t *p;

	if (size > cap)
		return -EFBIG;
	size = size > (cap + 1) / 2 ? cap + 1 : size * 2;
	p = realloc(*dst, size);
	if (!p)
		return -ENOMEM;
	*dst = p;
	*dst_size = size;
	zs->next_out = p + done;
	zs->avail_out = (uInt)(size - done > UINT_MAX ? UINT_MAX : size - done);
	return 0;
}

int arm64_image_gunzip(const void *buf, size_t len, size_t cap, void **out, size_t *out_len,
		       const char **msg)
{
	const uint8_t *in = buf;
	size_t in_left = len;
	size_t dst_size, chunk, done;
	uint8_t *dst = NULL;
	const char *why = NULL;
	z_stream zs;
	int zret, ret;

	*out = NULL;
	*out_len = 0;
	if (!arm64_image_is_gzip(buf, len) || !cap || cap == SIZE_MAX) {
		why = "not gzip data";
		ret = -EINVAL;
		goto out;
	}

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		why = "out of memory";
		ret = -ENOMEM;
		goto out;
	}
	dst_size = cap < GUNZIP_FIRST_CHUNK ? cap : GUNZIP_FIRST_CHUNK;
	dst = malloc(dst_size);
	if (!dst) {
		why = "out of memory";
		ret = -ENOMEM;
		goto err_end;
	}
	zs.next_out = dst;
	zs.avail_out = (uInt)(dst_size > UINT_MAX ? UINT_MAX : dst_size);

	for (;;) {
		if (!zs.avail_in && in_left) {
			chunk = in_left > UINT_MAX ? UINT_MAX : in_left;
			zs.next_in = (Bytef *)in;
			zs.avail_in = (uInt)chunk;
			in += chunk;
			in_left -= chunk;
		}
		if (!zs.avail_out) {
			ret = gunzip_grow(&zs, &dst, &dst_size, cap);
			if (ret) {
				why = ret == -EFBIG ? "decompressed size over the limit"
						    : "out of memory";
				goto err_free;
			}
		}
		zret = inflate(&zs, Z_NO_FLUSH);
		if (zret == Z_STREAM_END) {
			/* Another member follows? (gzip(1) concatenates them.) */
			if ((size_t)zs.avail_in + in_left >= 2 && zs.next_in[0] == 0x1f &&
			    zs.next_in[1] == 0x8b) {
				if (inflateReset(&zs) != Z_OK) {
					why = "corrupt gzip data";
					ret = -EINVAL;
					goto err_free;
				}
				continue;
			}
			break;
		}
		if (zret == Z_OK)
			continue;
		if (zret == Z_BUF_ERROR && zs.avail_out)
			why = "truncated gzip data";
		else if (zret == Z_BUF_ERROR)
			continue; /* output full: grow and go on */
		else if (zret == Z_MEM_ERROR)
			why = "out of memory";
		else
			why = "corrupt gzip data";
		ret = zret == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
		goto err_free;
	}

	done = (size_t)(zs.next_out - dst);
	if (done > cap) {
		why = "decompressed size over the limit";
		ret = -EFBIG;
		goto err_free;
	}
	if (!done) {
		why = "gzip data decompresses to nothing";
		ret = -EINVAL;
		goto err_free;
	}
	inflateEnd(&zs);
	*out = dst;
	*out_len = done;
	ret = 0;
	goto out;

err_free:
	free(dst);
err_end:
	inflateEnd(&zs);
out:
	if (msg)
		*msg = why;
	return ret;
}

static void report_no_fit(const struct arm64_boot_src *src, const struct guest_mem *mem,
			  uint64_t kernel_bytes, char *err, size_t errlen)
{
	const char *kname = src->kernel_name ? src->kernel_name : "(kernel)";
	const char *iname = src->initrd_name ? src->initrd_name : "(initrd)";

	if (src->initrd)
		set_err(err, errlen,
			"kernel %s (%llu MiB) + initrd %s (%llu MiB) + device tree (2 MiB) do not "
			"fit in %llu MiB of memory",
			kname, (unsigned long long)mib_round_up(kernel_bytes), iname,
			(unsigned long long)mib_round_up(src->initrd_len),
			(unsigned long long)(mem->size >> 20));
	else
		set_err(err, errlen,
			"kernel %s (%llu MiB) + device tree (2 MiB) do not fit in %llu MiB of "
			"memory",
			kname, (unsigned long long)mib_round_up(kernel_bytes),
			(unsigned long long)(mem->size >> 20));
}

/*
 * Compute the placement of a kernel described by @info (plus an initrd of
 * @initrd_len bytes, 0 for none) in @mem into @out. 0 or -EFBIG.
 */
static int place(const struct guest_mem *mem, const struct arm64_image_info *info,
		 uint64_t initrd_len, struct arm64_boot_layout *out)
{
	uint64_t ram_lo = mem->base, ram_hi = mem->base + mem->size;
	uint64_t kbase, kend, slot_top, top, window;

	if (ram_lo > UINT64_MAX - (SZ_2M - 1))
		return -EFBIG;
	kbase = align_down(ram_lo + SZ_2M - 1, SZ_2M);
	if (kbase >= ram_hi || info->text_offset > ram_hi - kbase ||
	    info->image_size > ram_hi - kbase - info->text_offset)
		return -EFBIG;
	kend = kbase + info->text_offset + info->image_size;

	slot_top = align_down(ram_hi, SZ_2M);
	if (slot_top < kend || slot_top - kend < SZ_2M)
		return -EFBIG;
	out->dtb_addr = slot_top - SZ_2M;

	if (initrd_len) {
		top = out->dtb_addr;
		window = align_down(kbase, SZ_1G);
		if (window <= UINT64_MAX - INITRD_WINDOW && window + INITRD_WINDOW < top)
			top = window + INITRD_WINDOW;
		if (top < kend || initrd_len > top - kend)
			return -EFBIG;
		out->initrd_start = align_down(top - initrd_len, SZ_4K);
		if (out->initrd_start < kend)
			return -EFBIG;
		out->initrd_end = out->initrd_start + initrd_len;
	}

	out->kernel_base = kbase;
	out->kernel_entry = kbase + info->text_offset;
	out->kernel_size = info->image_size;
	out->image = *info;
	return 0;
}

int arm64_image_load(struct guest_mem *mem, const struct arm64_boot_src *src, uint64_t dtb_max,
		     struct arm64_boot_layout *out, char *err, size_t errlen)
{
	const char *kname = src->kernel_name ? src->kernel_name : "(kernel)";
	const char *iname = src->initrd_name ? src->initrd_name : "(initrd)";
	struct arm64_image_info info;
	const void *kimg = src->kernel;
	size_t klen = src->kernel_len;
	void *unpacked = NULL;
	const char *why;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!mem->host || !mem->size) {
		set_err(err, errlen, "no guest memory to load kernel %s into", kname);
		return -EINVAL;
	}
	if (!dtb_max || dtb_max > ARM64_DTB_MAX_SIZE) {
		set_err(err, errlen, "device tree size %llu is not in 1..2 MiB",
			(unsigned long long)dtb_max);
		return -EINVAL;
	}

	if (arm64_image_is_gzip(kimg, klen)) {
		ret = arm64_image_gunzip(kimg, klen, ARM64_IMAGE_MAX_SIZE, &unpacked, &klen, &why);
		if (ret == -EFBIG)
			set_err(err, errlen, "kernel %s: decompresses to more than %llu MiB", kname,
				ARM64_IMAGE_MAX_SIZE >> 20);
		else if (ret)
			set_err(err, errlen, "kernel %s: %s", kname, why);
		if (ret)
			goto out;
		kimg = unpacked;
	} else if (klen > ARM64_IMAGE_MAX_SIZE) {
		set_err(err, errlen, "kernel %s: larger than %llu MiB", kname,
			ARM64_IMAGE_MAX_SIZE >> 20);
		ret = -EFBIG;
		goto out;
	}

	ret = parse_header(kimg, klen, &info, &why);
	if (ret) {
		set_err(err, errlen, "kernel %s: %s", kname, why);
		goto out;
	}
	if (src->initrd && !src->initrd_len) {
		set_err(err, errlen, "initrd %s: empty file", iname);
		ret = -EINVAL;
		goto out;
	}

	ret = place(mem, &info, src->initrd ? src->initrd_len : 0, out);
	if (ret) {
		report_no_fit(src, mem, info.text_offset + info.image_size, err, errlen);
		goto out;
	}
	out->kernel_len = klen;
	out->dtb_max = dtb_max;

	ret = guest_mem_write(mem, out->kernel_entry, kimg, klen);
	if (!ret && src->initrd)
		ret = guest_mem_write(mem, out->initrd_start, src->initrd, src->initrd_len);
	if (ret) {
		set_err(err, errlen, "kernel %s: copy into guest memory failed: %s", kname,
			strerror(-ret));
		goto out;
	}
	log_debug("kernel %s: entry 0x%llx, %llu bytes reserved; dtb 0x%llx; initrd 0x%llx-0x%llx",
		  kname, (unsigned long long)out->kernel_entry,
		  (unsigned long long)out->kernel_size, (unsigned long long)out->dtb_addr,
		  (unsigned long long)out->initrd_start, (unsigned long long)out->initrd_end);
out:
	free(unpacked);
	return ret;
}

/*
 * Read all of the open file @fd from its start (at most @max bytes) into a
 * new buffer. Only lseek, fstat and read: no path is opened. 0 or -errno.
 */
static int read_fd(int fd, uint64_t max, void **out, size_t *out_len)
{
	size_t size, done = 0, limit;
	uint8_t *buf = NULL, *p;
	struct stat st;
	ssize_t n;
	int ret;

	*out = NULL;
	*out_len = 0;
	limit = max >= SIZE_MAX ? SIZE_MAX - 1 : (size_t)max;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > limit)
		return -EFBIG;
	if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	/* One byte more than expected, so EOF is seen without a realloc. */
	size = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	if (size > limit + 1)
		size = limit + 1;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (done == size) {
			if (size > limit) {
				ret = -EFBIG;
				goto err_free;
			}
			size = size > (limit + 1) / 2 ? limit + 1 : size * 2;
			p = realloc(buf, size);
			if (!p) {
				ret = -ENOMEM;
				goto err_free;
			}
			buf = p;
		}
		n = read(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto err_free;
		}
		if (!n)
			break;
		done += (size_t)n;
	}
	*out = buf;
	*out_len = done;
	return 0;

err_free:
	free(buf);
	return ret;
}

/* Open @path (kept in *@fd) and read it whole. 0 or -errno, *@fd -1 on failure. */
static int read_file(const char *path, uint64_t max, int *fd, void **out, size_t *out_len)
{
	int ret;

	*out = NULL;
	*out_len = 0;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	ret = read_fd(*fd, max, out, out_len);
	if (ret) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

static void read_err(int ret, const char *what, const char *path, uint64_t max, char *err,
		     size_t errlen)
{
	if (ret == -EFBIG)
		set_err(err, errlen, "%s %s: larger than %llu MiB", what, path,
			(unsigned long long)(max >> 20));
	else if (ret)
		set_err(err, errlen, "%s %s: %s", what, path, strerror(-ret));
}

static int read_one(const char *what, const char *path, uint64_t max, int *fd, void **buf,
		    size_t *len, char *err, size_t errlen)
{
	int ret = read_file(path, max, fd, buf, len);

	read_err(ret, what, path, max, err, errlen);
	return ret;
}

int arm64_boot_files_read(struct arm64_boot_files *files, const char *kernel_path,
			  const char *initrd_path, uint64_t max_size, char *err, size_t errlen)
{
	uint64_t kmax = max_size < ARM64_IMAGE_MAX_SIZE ? max_size : ARM64_IMAGE_MAX_SIZE;
	int ret;

	memset(files, 0, sizeof(*files));
	files->kernel_fd = files->initrd_fd = -1;
	files->max_size = max_size;
	files->kernel_path = strdup(kernel_path);
	if (initrd_path)
		files->initrd_path = strdup(initrd_path);
	if (!files->kernel_path || (initrd_path && !files->initrd_path)) {
		set_err(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto err_free;
	}
	ret = read_one("kernel", kernel_path, kmax, &files->kernel_fd, &files->kernel_buf,
		       &files->src.kernel_len, err, errlen);
	if (ret)
		goto err_free;
	files->src.kernel = files->kernel_buf;
	files->src.kernel_name = files->kernel_path;
	if (initrd_path) {
		ret = read_one("initrd", initrd_path, max_size, &files->initrd_fd,
			       &files->initrd_buf, &files->src.initrd_len, err, errlen);
		if (ret)
			goto err_free;
		files->src.initrd = files->initrd_buf;
		files->src.initrd_name = files->initrd_path;
	}
	return 0;

err_free:
	arm64_boot_files_free(files);
	return ret;
}

int arm64_boot_files_reread(struct arm64_boot_files *files, char *err, size_t errlen)
{
	uint64_t kmax =
		files->max_size < ARM64_IMAGE_MAX_SIZE ? files->max_size : ARM64_IMAGE_MAX_SIZE;
	int ret;

	if (files->kernel_fd < 0) {
		set_err(err, errlen, "kernel: no file kept to read again");
		return -EBADF;
	}
	arm64_boot_files_release(files);
	ret = read_fd(files->kernel_fd, kmax, &files->kernel_buf, &files->src.kernel_len);
	if (ret) {
		read_err(ret, "kernel", files->kernel_path, kmax, err, errlen);
		return ret;
	}
	files->src.kernel = files->kernel_buf;
	if (files->initrd_fd >= 0) {
		ret = read_fd(files->initrd_fd, files->max_size, &files->initrd_buf,
			      &files->src.initrd_len);
		if (ret) {
			read_err(ret, "initrd", files->initrd_path, files->max_size, err, errlen);
			arm64_boot_files_release(files);
			return ret;
		}
		files->src.initrd = files->initrd_buf;
	}
	return 0;
}

void arm64_boot_files_release(struct arm64_boot_files *files)
{
	free(files->kernel_buf);
	free(files->initrd_buf);
	files->kernel_buf = files->initrd_buf = NULL;
	files->src.kernel = files->src.initrd = NULL;
	files->src.kernel_len = files->src.initrd_len = 0;
}

void arm64_boot_files_free(struct arm64_boot_files *files)
{
	arm64_boot_files_release(files);
	/* a zeroed struct has fd 0 here: only close what was opened */
	if (files->kernel_path && files->kernel_fd >= 0)
		close(files->kernel_fd);
	if (files->initrd_path && files->initrd_fd >= 0)
		close(files->initrd_fd);
	free(files->kernel_path);
	free(files->initrd_path);
	memset(files, 0, sizeof(*files));
}

int arm64_image_load_file(struct guest_mem *mem, const char *kernel_path, const char *initrd_path,
			  uint64_t dtb_max, struct arm64_boot_layout *out, char *err, size_t errlen)
{
	struct arm64_boot_files files;
	int ret;

	if (!mem->host || !mem->size) {
		set_err(err, errlen, "no guest memory to load kernel %s into", kernel_path);
		return -EINVAL;
	}
	ret = arm64_boot_files_read(&files, kernel_path, initrd_path, mem->size, err, errlen);
	if (ret)
		return ret;
	ret = arm64_image_load(mem, &files.src, dtb_max, out, err, errlen);
	arm64_boot_files_free(&files);
	return ret;
}

bool arm64_image_err_is_user(int err)
{
	switch (-err) {
	case ENOEXEC:
	case EINVAL:
	case EFBIG:
	case ENOENT:
	case EACCES:
	case EPERM:
	case EISDIR:
	case ENOTDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case ENXIO:
		return true;
	default:
		return false;
	}
}
