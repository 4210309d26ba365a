// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: virtio-blk (devices/virtio_blk.c) on a temporary image file,
 * brought up through the virtio-mmio transport with the fake driver, its
 * worker threads running as in the VMM.
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
#include <unistd.h>

#include "arch/arm64/layout.h"
#include "devices/virtio_blk.h"
#include "tests/fakes/fuzz_replay.h"
#include "tests/fakes/recording_irq_line.h"
#include "tests/fakes/virtq_driver.h"
#include "lib/guest_mem.h"

#define LLVMFuzzerTestOneInput fuzz_virtio_blk_one
#include "tests/fuzz/fuzz_virtio_blk.c"
#undef LLVMFuzzerTestOneInput

#define RAM_BASE LAYOUT_RAM_BASE
#define RAM_SIZE 0x200000ULL
#define QSIZE 256 /* rings end before HDRS */
#define HDRS (RAM_BASE + 0x10000) /* 32 bytes per request slot */
#define STATUS (RAM_BASE + 0x18000) /* 1 byte per slot */
#define DATA (RAM_BASE + 0x20000) /* data buffers */
#define DISK_SECTORS 2048 /* 1 MiB */
#define WAIT_MS 5000

struct fixture {
	struct guest_mem mem;
	struct irq_recorder irq;
	struct virtio_blk blk;
	struct vqd_queue d;
	char path[4096];
	int fd;
	uint64_t features;
};

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 9));
}

/* A 1 MiB image with a known pattern in $TMPDIR (or /tmp); @ro opens it read-only. */
static int open_image(struct fixture *fx, bool ro)
{
	const char *dir = getenv("TMPDIR");
	uint8_t buf[4096];
	uint64_t off;
	size_t i;

	snprintf(fx->path, sizeof(fx->path), "%s/kestrel-blk-XXXXXX", dir && *dir ? dir : "/tmp");
	fx->fd = mkstemp(fx->path);
	if (fx->fd < 0)
		return -1;
	for (off = 0; off < DISK_SECTORS * 512ULL; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = pattern(off + i);
		if (pwrite(fx->fd, buf, sizeof(buf), (off_t)off) != sizeof(buf))
			return -1;
	}
	if (ro) {
		close(fx->fd);
		fx->fd = open(fx->path, O_RDONLY);
	}
	return fx->fd < 0 ? -1 : 0;
}

static int start(void **state, bool ro)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct virtio_blk_config cfg;

	if (!fx || guest_mem_init(&fx->mem, RAM_BASE, RAM_SIZE, false) || open_image(fx, ro))
		return -1;
	irq_recorder_init(&fx->irq);
	cfg = (struct virtio_blk_config){
		.mem = &fx->mem,
		.irq = recording_irq_line(&fx->irq, LAYOUT_VIRTIO_INTID(1)),
		.fd = fx->fd,
		.read_only = ro,
		.serial = "kestrel-disk-0001",
		.nr_workers = 3,
	};
	if (virtio_blk_init(&fx->blk, &cfg))
		return -1;
	/* Linux's bring-up. */
	vqd_init(&fx->d, &fx->mem, QSIZE, RAM_BASE);
	if (!vmmio_negotiate(&fx->blk.mmio, ~0ULL, &fx->features) ||
	    !vmmio_setup_queue(&fx->blk.mmio, 0, &fx->d))
		return -1;
	vmmio_driver_ok(&fx->blk.mmio);
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return start(state, false);
}

static int setup_ro(void **state)
{
	return start(state, true);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	virtio_blk_destroy(&fx->blk);
	irq_recorder_destroy(&fx->irq);
	guest_mem_destroy(&fx->mem);
	close(fx->fd);
	unlink(fx->path);
	free(fx);
	return 0;
}

/* The recorder's raise count, read under its lock; waits up to @ms for it to reach @min. */
static unsigned int irq_raises_wait(struct irq_recorder *rec, unsigned int min, int ms)
{
	unsigned int n;

	for (;;) {
		pthread_mutex_lock(&rec->lock);
		n = rec->raises;
		pthread_mutex_unlock(&rec->lock);
		if (n >= min || ms-- <= 0)
			return n;
		usleep(1000);
	}
}

static uint8_t *ram(struct fixture *fx, gpa_t gpa, uint64_t len)
{
	uint8_t *p = guest_mem_ptr(&fx->mem, gpa, len);

	assert_non_null(p);
	return p;
}

/* Writes request slot @slot's header. */
static void put_hdr(struct fixture *fx, unsigned int slot, uint32_t type, uint64_t sector)
{
	uint8_t *h = ram(fx, HDRS + 32ULL * slot, 16);

	memset(h, 0, 16);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
	*ram(fx, STATUS + slot, 1) = 0xee;
}

/* Queues hdr + @nd data buffers + status for @slot (no kick). */
static void queue_req(struct fixture *fx, unsigned int slot, uint32_t type, uint64_t sector,
		      const struct vqd_buf *data, unsigned int nd)
{
	struct vqd_buf bufs[8];
	unsigned int i, n = 0;

	put_hdr(fx, slot, type, sector);
	bufs[n++] = (struct vqd_buf){HDRS + 32ULL * slot, 16, false};
	for (i = 0; i < nd; i++)
		bufs[n++] = data[i];
	bufs[n++] = (struct vqd_buf){STATUS + slot, 1, true};
	vqd_add(&fx->d, bufs, n);
}

/* Kicks and waits for every queued chain to come back. */
static void kick_wait(struct fixture *fx)
{
	vmmio_kick(&fx->blk.mmio, 0);
	assert_true(vqd_wait_used(&fx->d, fx->d.avail_idx, WAIT_MS));
}

/* One request, synchronously. Returns its status byte; *@used gets the used length. */
static uint8_t req(struct fixture *fx, uint32_t type, uint64_t sector, const struct vqd_buf *data,
		   unsigned int nd, uint32_t *used)
{
	uint32_t id = 0, len = 0;

	queue_req(fx, 0, type, sector, data, nd);
	kick_wait(fx);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	if (used)
		*used = len;
	return *ram(fx, STATUS, 1);
}

static void check_file(struct fixture *fx, uint64_t off, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len);

	assert_non_null(got);
	assert_int_equal(pread(fx->fd, got, len, (off_t)off), (ssize_t)len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_config_and_features(void **state)
{
	struct fixture *fx = *state;
	uint64_t cap;
	uint32_t seg_max, blk_size;

	vmmio_config(&fx->blk.mmio, VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
	vmmio_config(&fx->blk.mmio, VIRTIO_BLK_CFG_SEG_MAX, &seg_max, 4);
	vmmio_config(&fx->blk.mmio, VIRTIO_BLK_CFG_BLK_SIZE, &blk_size, 4);
	assert_int_equal(cap, DISK_SECTORS);
	assert_int_equal(seg_max, VIRTQ_MAX_SIZE - 2);
	assert_int_equal(blk_size, 512);
	assert_true(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	assert_true(fx->features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	assert_false(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	/* Offered exactly when the probe found support (ext4 and tmpfs punch holes). */
	assert_int_equal(!!(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)), fx->blk.can_discard);
	assert_int_equal(!!(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES)),
			 fx->blk.can_write_zeroes);
	assert_true(fx->blk.active);
	assert_int_equal(fx->blk.nr_threads, 3);
	/* The probe left the image alone. */
	assert_int_equal(lseek(fx->fd, 0, SEEK_END), DISK_SECTORS * 512);
}

static void test_write_read_back(void **state)
{
	struct fixture *fx = *state;
	uint8_t *src = ram(fx, DATA, 2048), *dst = ram(fx, DATA + 0x10000, 2048);
	/* Data split unevenly over three descriptors, in both directions. */
	const struct vqd_buf out[] = {
		{DATA, 512, false}, {DATA + 512, 1000, false}, {DATA + 1512, 536, false}};
	const struct vqd_buf in[] = {{DATA + 0x10000, 100, true},
				     {DATA + 0x10064, 1900, true},
				     {DATA + 0x10000 + 2000, 48, true}};
	uint32_t used;
	size_t i;

	for (i = 0; i < 2048; i++)
		src[i] = (uint8_t)(i ^ 0x5a);
	assert_int_equal(req(fx, VIRTIO_BLK_T_OUT, 100, out, 3, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1);
	check_file(fx, 100 * 512, src, 2048);

	memset(dst, 0, 2048);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 100, in, 3, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 2048 + 1);
	assert_memory_equal(dst, src, 2048);

	/* The last sector of the disk. */
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, in, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, DISK_SECTORS - 4, in, 3, NULL), VIRTIO_BLK_S_OK);
	for (i = 0; i < 2048; i++)
		assert_int_equal(dst[i], pattern((DISK_SECTORS - 4) * 512ULL + i));

	/* A zero-length read is a no-op that succeeds. */
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 0, NULL, 0, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1);
	assert_true(irq_raises_wait(&fx->irq, 1, WAIT_MS) >= 1);
}

static void test_flush_and_get_id(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf id = {DATA, 20, true}, short_id = {DATA + 0x100, 8, true};
	uint32_t used;

	assert_int_equal(req(fx, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1);

	memset(ram(fx, DATA, 20), 0xff, 20);
	assert_int_equal(req(fx, VIRTIO_BLK_T_GET_ID, 0, &id, 1, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 21);
	assert_memory_equal(ram(fx, DATA, 20), "kestrel-disk-0001\0\0\0", 20);
	/* A smaller buffer gets what fits. */
	assert_int_equal(req(fx, VIRTIO_BLK_T_GET_ID, 0, &short_id, 1, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 9);
	assert_memory_equal(ram(fx, DATA + 0x100, 8), "kestrel-", 8);

	/* Unknown types: UNSUPP. */
	assert_int_equal(req(fx, 99, 0, NULL, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(req(fx, 10 /* GET_LIFETIME */, 0, &id, 1, NULL), VIRTIO_BLK_S_UNSUPP);
}

static void test_range_checks(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf two = {DATA, 1024, true}, odd = {DATA, 700, true},
			     wtwo = {DATA, 1024, false};

	/* Past the end, straddling it, overflowing, not whole sectors. */
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, DISK_SECTORS, &two, 1, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, &two, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, UINT64_MAX, &two, 1, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_OUT, UINT64_MAX - 1, &wtwo, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_OUT, 1ULL << 55, &wtwo, 1, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 0, &odd, 1, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_OUT, DISK_SECTORS - 2, &wtwo, 1, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(fx->blk.io_errors, 6);
	/* The device is still fine. */
	assert_int_equal(virtio_mmio_status(&fx->blk.mmio) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_read_only(void **state)
{
	struct fixture *fx = *state;
	uint8_t before[1024];
	const struct vqd_buf w = {DATA, 1024, false}, r = {DATA + 0x1000, 1024, true};
	uint8_t seg[16] = {0};
	const struct vqd_buf dseg = {DATA + 0x2000, 16, false};
	size_t i;

	assert_true(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	assert_false(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
	assert_false(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	assert_int_equal(pread(fx->fd, before, sizeof(before), 0), sizeof(before));
	memset(ram(fx, DATA, 1024), 0x77, 1024);
	assert_int_equal(req(fx, VIRTIO_BLK_T_OUT, 0, &w, 1, NULL), VIRTIO_BLK_S_IOERR);
	check_file(fx, 0, before, sizeof(before));
	/* Discard / write-zeroes were not negotiated: UNSUPP, file untouched. */
	seg[8] = 2;
	memcpy(ram(fx, DATA + 0x2000, 16), seg, 16);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &dseg, 1, NULL), VIRTIO_BLK_S_UNSUPP);
	check_file(fx, 0, before, sizeof(before));
	/* Reads and flushes work. */
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 0, &r, 1, NULL), VIRTIO_BLK_S_OK);
	for (i = 0; i < 1024; i++)
		assert_int_equal(ram(fx, DATA + 0x1000, 1024)[i], pattern(i));
	assert_int_equal(req(fx, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), VIRTIO_BLK_S_OK);
}

/* One discard / write-zeroes segment at DATA + 0x3000 + 16 * i. */
static struct vqd_buf dwz_seg(struct fixture *fx, unsigned int i, uint64_t sector, uint32_t n,
			      uint32_t flags)
{
	uint8_t *p = ram(fx, DATA + 0x3000 + 16ULL * i, 16);

	memcpy(p, &sector, 8);
	memcpy(p + 8, &n, 4);
	memcpy(p + 12, &flags, 4);
	return (struct vqd_buf){DATA + 0x3000 + 16ULL * i, 16, false};
}

static void test_discard_write_zeroes(void **state)
{
	struct fixture *fx = *state;
	const struct vqd_buf r = {DATA, 4096, true};
	struct vqd_buf s, two[2], many;
	bool wz = fx->features & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	uint8_t zero[4096] = {0};
	uint8_t *p;
	unsigned int i;

	if (!(fx->features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD))) {
		print_message("discard not supported by this file system: skipped\n");
		return;
	}
	/* Discard 8 sectors (4 KiB, aligned): they read back as zeroes on ext4/tmpfs. */
	s = dwz_seg(fx, 0, 8, 8, 0);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &s, 1, NULL), VIRTIO_BLK_S_OK);
	check_file(fx, 8 * 512, zero, 4096);
	assert_int_equal(lseek(fx->fd, 0, SEEK_END), DISK_SECTORS * 512); /* size kept */
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 8, &r, 1, NULL), VIRTIO_BLK_S_OK);
	assert_memory_equal(ram(fx, DATA, 4096), zero, 4096);
	/* Neighbours untouched. */
	p = ram(fx, DATA, 512);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 16, &(struct vqd_buf){DATA, 512, true}, 1, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(p[0], pattern(16 * 512));

	/* Discard with the unmap flag, or unknown flags: UNSUPP. */
	s = dwz_seg(fx, 0, 32, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &s, 1, NULL), VIRTIO_BLK_S_UNSUPP);
	s = dwz_seg(fx, 0, 32, 8, 0x80);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &s, 1, NULL), VIRTIO_BLK_S_UNSUPP);
	/* Out of range, too long, bad payload sizes: IOERR, nothing done. */
	two[0] = dwz_seg(fx, 0, 40, 8, 0);
	two[1] = dwz_seg(fx, 1, DISK_SECTORS - 4, 8, 0);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, two, 2, NULL), VIRTIO_BLK_S_IOERR);
	p = ram(fx, DATA, 512);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 40, &(struct vqd_buf){DATA, 512, true}, 1, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(p[0], pattern(40 * 512)); /* the good segment was not executed either */
	s = dwz_seg(fx, 0, 0, VIRTIO_BLK_MAX_DWZ_SECTORS + 1, 0);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &s, 1, NULL), VIRTIO_BLK_S_IOERR);
	s = (struct vqd_buf){DATA + 0x3000, 12, false};
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &s, 1, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, NULL, 0, NULL), VIRTIO_BLK_S_IOERR);
	for (i = 0; i <= VIRTIO_BLK_MAX_DWZ_SEGS; i++)
		dwz_seg(fx, i, 100, 1, 0);
	many = (struct vqd_buf){DATA + 0x3000, 16 * (VIRTIO_BLK_MAX_DWZ_SEGS + 1), false};
	assert_int_equal(req(fx, VIRTIO_BLK_T_DISCARD, 0, &many, 1, NULL), VIRTIO_BLK_S_IOERR);

	if (!wz) {
		print_message("write-zeroes not supported by this file system: skipped\n");
		return;
	}
	/* Write zeroes, with and without unmap; two segments in one request. */
	two[0] = dwz_seg(fx, 0, 64, 8, 0);
	two[1] = dwz_seg(fx, 1, 80, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	assert_int_equal(req(fx, VIRTIO_BLK_T_WRITE_ZEROES, 0, two, 2, NULL), VIRTIO_BLK_S_OK);
	check_file(fx, 64 * 512, zero, 4096);
	check_file(fx, 80 * 512, zero, 4096);
	p = ram(fx, DATA, 512);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, 72, &(struct vqd_buf){DATA, 512, true}, 1, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(p[1], pattern(72 * 512 + 1));
	s = dwz_seg(fx, 0, 64, 8, 2);
	assert_int_equal(req(fx, VIRTIO_BLK_T_WRITE_ZEROES, 0, &s, 1, NULL), VIRTIO_BLK_S_UNSUPP);
}

static void test_malformed_requests(void **state)
{
	struct fixture *fx = *state;
	uint32_t id = 0, len = 0;
	uint64_t sector = 3;
	uint32_t type = VIRTIO_BLK_T_IN;
	uint8_t *h = ram(fx, HDRS, 16);

	/* Header split across two descriptors: fine. */
	memcpy(h, &type, 4);
	memset(h + 4, 0, 4);
	memcpy(h + 8, &sector, 8);
	vqd_add(&fx->d,
		(struct vqd_buf[]){{HDRS, 5, false},
				   {HDRS + 5, 11, false},
				   {DATA, 512, true},
				   {STATUS, 1, true}},
		4);
	kick_wait(fx);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 513);
	assert_int_equal(*ram(fx, STATUS, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(ram(fx, DATA, 1)[0], pattern(3 * 512));

	/* Header too short (8 bytes): IOERR, request failed, device fine. */
	*ram(fx, STATUS, 1) = 0xee;
	vqd_add(&fx->d, (struct vqd_buf[]){{HDRS, 8, false}, {STATUS, 1, true}}, 2);
	kick_wait(fx);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 1);
	assert_int_equal(*ram(fx, STATUS, 1), VIRTIO_BLK_S_IOERR);
	/* No header at all (only the status byte). */
	*ram(fx, STATUS, 1) = 0xee;
	vqd_add(&fx->d, (struct vqd_buf[]){{STATUS, 1, true}}, 1);
	kick_wait(fx);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(*ram(fx, STATUS, 1), VIRTIO_BLK_S_IOERR);
	assert_int_equal(virtio_mmio_status(&fx->blk.mmio) & VIRTIO_STATUS_NEEDS_RESET, 0);

	/* The status byte in a device-readable descriptor: no status to write. */
	irq_recorder_clear(&fx->irq);
	*ram(fx, STATUS, 1) = 0xee;
	vqd_add(&fx->d, (struct vqd_buf[]){{HDRS, 16, false}, {STATUS, 1, false}}, 2);
	kick_wait(fx);
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(len, 0);
	assert_int_equal(*ram(fx, STATUS, 1), 0xee); /* never written */
	assert_true(virtio_mmio_status(&fx->blk.mmio) & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(vmmio_rd(&fx->blk.mmio, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_true(__atomic_load_n(&fx->blk.malformed, __ATOMIC_RELAXED) >= 3);

	/* The driver resets and brings the device up again: it works. */
	vqd_init(&fx->d, &fx->mem, QSIZE, RAM_BASE);
	assert_true(vmmio_negotiate(&fx->blk.mmio, ~0ULL, NULL));
	assert_true(vmmio_setup_queue(&fx->blk.mmio, 0, &fx->d));
	vmmio_driver_ok(&fx->blk.mmio);
	assert_int_equal(virtio_mmio_status(&fx->blk.mmio) & VIRTIO_STATUS_NEEDS_RESET, 0);
	assert_int_equal(req(fx, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL), VIRTIO_BLK_S_OK);
}

static void test_malicious_chain(void **state)
{
	struct fixture *fx = *state;

	/* A descriptor loop: the queue breaks, the device asks for a reset, no hang. */
	vqd_desc(&fx->d, 5, HDRS, 16, VIRTQ_DESC_F_NEXT, 6);
	vqd_desc(&fx->d, 6, DATA, 16, VIRTQ_DESC_F_NEXT, 5);
	vqd_publish(&fx->d, 5);
	vmmio_kick(&fx->blk.mmio, 0);
	for (int i = 0;
	     i < WAIT_MS && !(virtio_mmio_status(&fx->blk.mmio) & VIRTIO_STATUS_NEEDS_RESET); i++)
		usleep(1000);
	assert_true(virtio_mmio_status(&fx->blk.mmio) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(fx->blk.mmio.vqs[0].bad, VIRTQ_BAD_TOO_LONG);
	/* More kicks change nothing; the reset joins the parked workers. */
	vmmio_kick(&fx->blk.mmio, 0);
	vmmio_wr(&fx->blk.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_false(fx->blk.active);
	pthread_mutex_lock(&fx->blk.run_lock);
	assert_int_equal(fx->blk.nr_parked, fx->blk.nr_threads);
	pthread_mutex_unlock(&fx->blk.run_lock);
	assert_false(fx->blk.mmio.vqs[0].broken);
}

static void test_many_in_flight(void **state)
{
	struct fixture *fx = *state;
	const unsigned int n = 64;
	struct vqd_buf b;
	uint32_t id = 0, len = 0;
	unsigned int i, seen = 0;
	uint8_t *p;

	/* 64 reads of 8 sectors each, queued at once, served by 3 workers in any order. */
	for (i = 0; i < n; i++) {
		b = (struct vqd_buf){DATA + 4096ULL * i, 4096, true};
		queue_req(fx, i, VIRTIO_BLK_T_IN, 8ULL * i, &b, 1);
	}
	kick_wait(fx);
	while (vqd_get_used(&fx->d, &id, &len)) {
		assert_int_equal(len, 4097);
		seen++;
	}
	assert_int_equal(seen, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(*ram(fx, STATUS + i, 1), VIRTIO_BLK_S_OK);
		p = ram(fx, DATA + 4096ULL * i, 4096);
		assert_int_equal(p[4095], pattern(8ULL * i * 512 + 4095));
	}

	/* A reset with requests still queued does not hang. */
	for (i = 0; i < n; i++) {
		b = (struct vqd_buf){DATA + 4096ULL * i, 4096, true};
		queue_req(fx, i, VIRTIO_BLK_T_IN, 8ULL * i, &b, 1);
	}
	vmmio_kick(&fx->blk.mmio, 0);
	vmmio_wr(&fx->blk.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_false(fx->blk.active);
	pthread_mutex_lock(&fx->blk.run_lock);
	assert_int_equal(fx->blk.nr_parked, fx->blk.nr_threads);
	pthread_mutex_unlock(&fx->blk.run_lock);
}

/* A second image: @sectors sectors of the byte @fill. Returns its fd (read-write). */
static int second_image(char *path, size_t len, uint64_t sectors, uint8_t fill)
{
	const char *dir = getenv("TMPDIR");
	uint8_t buf[4096];
	int fd;

	snprintf(path, len, "%s/kestrel-blk2-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(buf, fill, sizeof(buf));
	for (uint64_t off = 0; off < sectors * 512; off += sizeof(buf))
		assert_int_equal(pwrite(fd, buf, sizeof(buf), (off_t)off), sizeof(buf));
	return fd;
}

/*
 * PATCH /drives' swap with reads queued: every request completes, each
 * entirely from the old or entirely from the new image; then the new
 * capacity, a configuration change interrupt and a new ConfigGeneration.
 */
static void test_set_backing(void **state)
{
	struct fixture *fx = *state;
	const unsigned int n = 64;
	char path2[4096];
	uint32_t gen0, gen1, isr, id = 0, len = 0;
	unsigned int i, seen = 0, old_data = 0, new_data = 0, raises;
	uint64_t cap;
	struct vqd_buf b;
	int fd2, old = -1;
	uint8_t *p;

	fd2 = second_image(path2, sizeof(path2), DISK_SECTORS * 2, 0x5a);
	gen0 = vmmio_rd(&fx->blk.mmio, VIRTIO_MMIO_CONFIG_GENERATION);
	vmmio_ack_interrupt(&fx->blk.mmio);
	for (i = 0; i < n; i++) {
		b = (struct vqd_buf){DATA + 4096ULL * i, 4096, true};
		memset(ram(fx, DATA + 4096ULL * i, 4096), 0, 4096);
		queue_req(fx, i, VIRTIO_BLK_T_IN, 8ULL * i, &b, 1);
	}
	vmmio_kick(&fx->blk.mmio, 0);
	raises = irq_raises_wait(&fx->irq, 0, 0);
	assert_int_equal(virtio_blk_set_backing(&fx->blk, fd2, &old), 0);
	assert_int_equal(old, fx->fd);
	assert_true(vqd_wait_used(&fx->d, fx->d.avail_idx, WAIT_MS));
	while (vqd_get_used(&fx->d, &id, &len)) {
		assert_int_equal(len, 4097);
		seen++;
	}
	assert_int_equal(seen, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(*ram(fx, STATUS + i, 1), VIRTIO_BLK_S_OK);
		p = ram(fx, DATA + 4096ULL * i, 4096);
		if (p[0] == 0x5a) {
			for (unsigned int j = 0; j < 4096; j++)
				assert_int_equal(p[j], 0x5a);
			new_data++;
		} else {
			for (unsigned int j = 0; j < 4096; j++)
				assert_int_equal(p[j], pattern(8ULL * i * 512 + j));
			old_data++;
		}
	}
	assert_int_equal(old_data + new_data, n);
	/* the driver's view: new capacity, generation moved, config interrupt */
	vmmio_config(&fx->blk.mmio, VIRTIO_BLK_CFG_CAPACITY, &cap, 8);
	assert_int_equal(cap, DISK_SECTORS * 2);
	gen1 = vmmio_rd(&fx->blk.mmio, VIRTIO_MMIO_CONFIG_GENERATION);
	assert_int_not_equal(gen1, gen0);
	isr = vmmio_ack_interrupt(&fx->blk.mmio);
	assert_true(isr & VIRTIO_MMIO_INT_CONFIG);
	assert_true(irq_raises_wait(&fx->irq, raises + 1, WAIT_MS) > raises);
	/* a read past the old end, inside the new one, now works and sees the new image */
	b = (struct vqd_buf){DATA, 512, true};
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, DISK_SECTORS * 2 - 1, &b, 1, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(*ram(fx, DATA + 511, 1), 0x5a);
	assert_int_equal(req(fx, VIRTIO_BLK_T_IN, DISK_SECTORS * 2, &b, 1, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* a write goes to the new image, the old one is untouched */
	memset(ram(fx, DATA, 512), 0xc3, 512);
	b = (struct vqd_buf){DATA, 512, false};
	assert_int_equal(req(fx, VIRTIO_BLK_T_OUT, 3, &b, 1, NULL), VIRTIO_BLK_S_OK);
	{
		uint8_t got[512], want[512];

		assert_int_equal(pread(fd2, got, 512, 3 * 512), 512);
		memset(want, 0xc3, 512);
		assert_memory_equal(got, want, 512);
		assert_int_equal(pread(fx->fd, got, 512, 3 * 512), 512);
		assert_int_equal(got[0], pattern(3 * 512));
	}
	/* a bad fd changes nothing */
	assert_int_equal(virtio_blk_set_backing(&fx->blk, -1, &old), -EBADF);
	assert_int_equal(vmmio_rd(&fx->blk.mmio, VIRTIO_MMIO_CONFIG_GENERATION), gen1);
	assert_int_equal(fx->blk.cfg.fd, fd2);
	/* the fixture closes fx->fd: hand it the new one */
	close(fx->fd);
	fx->fd = fd2;
	unlink(fx->path);
	snprintf(fx->path, sizeof(fx->path), "%s", path2);
}

/* While paused, a queued and kicked request is not touched and raises nothing; resume serves it. */
static void test_pause(void **state)
{
	struct fixture *fx = *state;
	struct vqd_buf b = {DATA, 4096, true};
	uint32_t id = 0, len = 0;
	unsigned int raises;

	virtio_blk_pause(&fx->blk);
	virtio_blk_pause(&fx->blk); /* nests */
	raises = irq_raises_wait(&fx->irq, 0, 0);
	memset(ram(fx, DATA, 4096), 0, 4096);
	queue_req(fx, 0, VIRTIO_BLK_T_IN, 8, &b, 1);
	vmmio_kick(&fx->blk.mmio, 0);
	/* nothing may happen: give the workers time to do it wrongly */
	assert_false(vqd_wait_used(&fx->d, fx->d.avail_idx, 200));
	assert_int_equal(*ram(fx, STATUS, 1), 0xee);
	assert_int_equal(*ram(fx, DATA, 1), 0);
	assert_int_equal(irq_raises_wait(&fx->irq, 0, 0), raises);
	virtio_blk_resume(&fx->blk);
	assert_false(vqd_wait_used(&fx->d, fx->d.avail_idx, 100));
	virtio_blk_resume(&fx->blk);
	assert_true(vqd_wait_used(&fx->d, fx->d.avail_idx, WAIT_MS));
	assert_true(vqd_get_used(&fx->d, &id, &len));
	assert_int_equal(*ram(fx, STATUS, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(*ram(fx, DATA + 1, 1), pattern(8 * 512 + 1));
	assert_true(irq_raises_wait(&fx->irq, raises + 1, WAIT_MS) > raises);

	/* a reset (and destroy) while paused does not hang on the closed gate */
	virtio_blk_pause(&fx->blk);
	queue_req(fx, 0, VIRTIO_BLK_T_IN, 8, &b, 1);
	vmmio_kick(&fx->blk.mmio, 0);
	vmmio_wr(&fx->blk.mmio, VIRTIO_MMIO_STATUS, 0);
	assert_false(fx->blk.active);
}

static void test_init_checks(void **state)
{
	struct fixture *fx = *state;
	struct virtio_blk blk;
	struct virtio_blk_config cfg = {.mem = &fx->mem, .fd = -1};

	assert_int_equal(virtio_blk_init(&blk, &cfg), -EINVAL);
	cfg.fd = fx->fd;
	cfg.nr_workers = VIRTIO_BLK_MAX_WORKERS + 1;
	assert_int_equal(virtio_blk_init(&blk, &cfg), -EINVAL);
	cfg.nr_workers = 0;
	cfg.queue_size = 100;
	assert_int_equal(virtio_blk_init(&blk, &cfg), -EINVAL);
	cfg.queue_size = 0;
	/* A 20-byte serial exactly: no terminator. */
	cfg.serial = "01234567890123456789EXTRA";
	assert_int_equal(virtio_blk_init(&blk, &cfg), 0);
	assert_memory_equal(blk.serial, "01234567890123456789", 20);
	assert_int_equal(blk.cfg.nr_workers, VIRTIO_BLK_DEFAULT_WORKERS);
	virtio_blk_destroy(&blk);
	virtio_blk_destroy(&blk); /* twice is harmless */
}

/* The second worker's set-up (its seccomp filter in kestrel) fails; others succeed. */
static int init_calls;
static int failing_thread_init(void *ctx)
{
	return __atomic_add_fetch(&init_calls, 1, __ATOMIC_SEQ_CST) == 2 ? -EPERM : 0;
}

/* A worker that cannot confine itself fails init: no device, no thread left serving. */
static void test_worker_init_failure(void **state)
{
	struct fixture *fx = *state;
	struct virtio_blk blk;
	struct virtio_blk_config cfg = {
		.mem = &fx->mem,
		.fd = fx->fd,
		.nr_workers = 3,
		.thread_init = failing_thread_init,
	};

	__atomic_store_n(&init_calls, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(virtio_blk_init(&blk, &cfg), -EPERM);
	/* every worker ran its set-up before init returned, and all were joined */
	assert_int_equal(__atomic_load_n(&init_calls, __ATOMIC_SEQ_CST), 3);
	assert_int_equal(blk.nr_threads, 0);
	virtio_blk_destroy(&blk); /* harmless after a failed init */
}

static void test_fuzz_regressions(void **state)
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int i;
	uint8_t in[64] = {0};
	int n;

	assert_int_equal(fuzz_virtio_blk_one(in, sizeof(in)), 0);
	assert_int_equal(fuzz_virtio_blk_one(in, 1), 0);
	for (i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], "fuzz_virtio_blk");
		n = fuzz_replay_dir(dir, fuzz_virtio_blk_one);
		assert_true(n >= 0);
		print_message("replayed %d input(s) from %s\n", n, dir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_and_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_init_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_and_get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, teardown),
		cmocka_unit_test_setup_teardown(test_discard_write_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malicious_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_backing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
