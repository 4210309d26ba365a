/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 Linux kernel loader, after the kernel's
 * Documentation/arch/arm64/booting.rst.
 *
 * It takes a kernel (a raw "Image", or that Image gzip-compressed as
 * "Image.gz") and an optional initrd, places both in guest RAM through
 * guest_mem_write() and says where they landed; it sets no register (the
 * caller puts kernel_entry in PC and dtb_addr in X0) and writes no device tree
 * (the caller builds one into the slot at dtb_addr, at most dtb_max bytes).
 *
 * Placement, for RAM [B, E):
 *   kernel  at K + text_offset, K = B rounded up to 2 MiB; image_size bytes
 *           from there belong to the kernel (text, data, bss);
 *   DTB     in the top 2 MiB-aligned 2 MiB slot of RAM (8-byte aligned, never
 *           crossing a 2 MiB boundary, as booting.rst asks);
 *   initrd  page-aligned, right below the DTB slot, and inside the 32 GiB
 *           window starting at the 1 GiB boundary at or below the kernel
 *           (booting.rst: "a 1 GB aligned physical memory window of up to
 *           32 GB in size that fully covers the kernel Image as well").
 *
 * Memory: arm64_image_parse() and arm64_image_gunzip() are pure (no I/O);
 * arm64_image_load() only borrows its inputs. arm64_boot_files owns the file
 * contents it read, as read (still compressed), and keeps the files open, so
 * a VM can load the same files again on reboot even if they were replaced or
 * went away meanwhile; arm64_image_load_file() instead re-reads the paths on
 * every call. Nothing here keeps state between calls; any thread may call
 * any function on its own objects.
 *
 * Errors are 0 or -errno. When a function takes err/errlen it also writes a
 * one-line message naming the file and the problem (err may be NULL).
 * The codes that mean "the user gave us something unusable" (exit status 2)
 * are those for which arm64_image_err_is_user() is true:
 *   -ENOEXEC  not an arm64 Image (bad magic), or a big-endian one;
 *   -EINVAL   truncated or inconsistent header, corrupt/truncated gzip data,
 *             empty initrd (also returned, with a message, for a caller's
 *             mistake: dtb_max out of range, guest memory not set up);
 *   -EFBIG    too large: gzip data inflates beyond the cap, a file larger
 *             than allowed, or kernel + initrd + DTB do not fit in RAM;
 *   -ENOENT, -EACCES, -EISDIR, ... from open()/read() of a file.
 * Everything else (-ENOMEM, -EIO, -EFAULT) is a host failure.
 */
#ifndef KESTREL_ARCH_ARM64_IMAGE_H
#define KESTREL_ARCH_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/guest_mem.h"

#define ARM64_IMAGE_HDR_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241U /* "ARM\x64", LE u32 at offset 56 */
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL /* image_size == 0 (before v3.17) */
#define ARM64_IMAGE_MAX_SIZE (256ULL << 20) /* cap on a (decompressed) kernel */
#define ARM64_DTB_MAX_SIZE (2ULL << 20) /* booting.rst: DTB at most 2 MiB */

/* flags field (LE u64 at offset 24), meaningful when image_size != 0 */
#define ARM64_IMAGE_FLAG_BE (1ULL << 0) /* kernel is big-endian */
#define ARM64_IMAGE_FLAG_PAGE_SHIFT 1 /* bits 1-2: page size */
#define ARM64_IMAGE_FLAG_PAGE_MASK 3ULL
#define ARM64_IMAGE_FLAG_PHYS_ANY (1ULL << 3) /* 2 MiB base may be anywhere in RAM */

/* What the 64-byte header says, decoded. */
struct arm64_image_info {
	uint64_t text_offset; /* load offset from a 2 MiB-aligned base */
	uint64_t image_size; /* bytes from the load address the kernel owns;
				 * never smaller than the Image itself */
	uint64_t flags; /* raw flags field (0 for legacy images) */
	uint32_t page_size; /* 4096, 16384, 65536, or 0 when unspecified */
	bool phys_anywhere; /* flags bit 3 */
	bool legacy; /* header had image_size 0: text_offset assumed */
};

/* A kernel and an initrd in host memory, borrowed (not owned). */
struct arm64_boot_src {
	const char *kernel_name; /* for messages, e.g. the path */
	const void *kernel; /* Image or Image.gz */
	size_t kernel_len;
	const char *initrd_name; /* for messages; may be NULL without initrd */
	const void *initrd; /* NULL: no initrd */
	size_t initrd_len;
};

/* Where things landed in guest physical memory. */
struct arm64_boot_layout {
	gpa_t kernel_base; /* 2 MiB-aligned base */
	gpa_t kernel_entry; /* kernel_base + text_offset: PC at boot */
	uint64_t kernel_size; /* bytes reserved from kernel_entry (image_size) */
	uint64_t kernel_len; /* bytes of Image actually copied */
	gpa_t dtb_addr; /* X0 at boot; 2 MiB aligned */
	uint64_t dtb_max; /* bytes the DTB may use at dtb_addr */
	gpa_t initrd_start; /* 0 and 0 when there is no initrd */
	gpa_t initrd_end; /* exclusive */
	struct arm64_image_info image;
};

/*
 * The boot files, open for the VM's lifetime, and their contents when read:
 * src points into the owned buffers. A reboot reads the kept fds again
 * (arm64_boot_files_reread()), never the paths: a file renamed over or
 * removed meanwhile does not change what boots.
 */
struct arm64_boot_files {
	struct arm64_boot_src src;
	void *kernel_buf;
	void *initrd_buf;
	char *kernel_path;
	char *initrd_path;
	int kernel_fd; /* -1 when none */
	int initrd_fd; /* -1 without initrd */
	uint64_t max_size; /* the limit given to arm64_boot_files_read() */
};

/*
 * Decode the header of a raw (uncompressed) Image of @len bytes at @buf into
 * @out. Returns 0; -EINVAL when @len is shorter than the header or when
 * text_offset + image_size overflows 64 bits; -ENOEXEC when the magic is
 * wrong or flags bit 0 says big-endian. For a legacy header (image_size 0)
 * text_offset is taken as 0x80000, the flags as 0 and image_size as @len.
 * An image_size smaller than @len (data appended to the Image) is raised to
 * @len, so that everything copied is also reserved.
 */
int arm64_image_parse(const void *buf, size_t len, struct arm64_image_info *out);

/* True when @len bytes at @buf start with the gzip magic 1f 8b. */
bool arm64_image_is_gzip(const void *buf, size_t len);

/*
 * Inflate the gzip data @buf/@len (one or more members; bytes after the last
 * member that do not start another one are ignored, as gzip(1) does) into a
 * new malloc()ed buffer of at most @cap bytes, returned in *@out / *@out_len
 * (free() it). Returns 0; -EINVAL for corrupt or truncated data or output of
 * 0 bytes; -EFBIG when the output would exceed @cap; -ENOMEM. On error *@out
 * is NULL. When @msg is not NULL it is set to a static description.
 */
int arm64_image_gunzip(const void *buf, size_t len, size_t cap, void **out, size_t *out_len,
		       const char **msg);

/*
 * Place @src in @mem as described at the top (decompressing an Image.gz into
 * a temporary buffer of at most ARM64_IMAGE_MAX_SIZE), and fill @out.
 * @dtb_max is the DTB size the caller will need, 1..ARM64_DTB_MAX_SIZE.
 * Guest RAM outside the copied bytes is not touched (the kernel clears its
 * own bss). Returns 0 or an error from the list at the top; on error @mem may
 * hold part of the kernel and @out is unspecified.
 */
int arm64_image_load(struct guest_mem *mem, const struct arm64_boot_src *src, uint64_t dtb_max,
		     struct arm64_boot_layout *out, char *err, size_t errlen);

/*
 * Read @kernel_path and, when not NULL, @initrd_path whole into @files
 * (which needs no initialisation; call arm64_boot_files_free() after success
 * only). Each file may be at most @max_size bytes (pass the RAM size; the
 * kernel file is also capped at ARM64_IMAGE_MAX_SIZE). Contents are not
 * checked here. Returns 0; -errno of open()/read() (-ENOENT, -EACCES,
 * -EISDIR, ...); -EFBIG for a file over the limit; -ENOMEM.
 */
int arm64_boot_files_read(struct arm64_boot_files *files, const char *kernel_path,
			  const char *initrd_path, uint64_t max_size, char *err, size_t errlen);

/*
 * Read the kept fds again from their start, with the limits of
 * arm64_boot_files_read() (no path is opened: only fstat, lseek, read).
 * Returns as arm64_boot_files_read() does.
 */
int arm64_boot_files_reread(struct arm64_boot_files *files, char *err, size_t errlen);

/* Free the contents only (src then empty); the fds stay for a reread. */
void arm64_boot_files_release(struct arm64_boot_files *files);

/* Free and close what arm64_boot_files_read() made; safe on a zeroed struct, idempotent. */
void arm64_boot_files_free(struct arm64_boot_files *files);

/*
 * arm64_boot_files_read() + arm64_image_load() + arm64_boot_files_free():
 * re-reads the files on every call. Returns as those two do.
 */
int arm64_image_load_file(struct guest_mem *mem, const char *kernel_path, const char *initrd_path,
			  uint64_t dtb_max, struct arm64_boot_layout *out, char *err,
			  size_t errlen);

/* True when @err (negative) is one of the "bad user input" codes listed above. */
bool arm64_image_err_is_user(int err);

#endif
