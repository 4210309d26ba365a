// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: virtio-blk request parsing and execution
 * (virtio_blk_handle) on chains popped from a fuzzer-written ring, against
 * a 64 KiB memfd image. Input: byte 0 picks negotiated features and
 * read-only mode (bit 0 DISCARD, bit 1 WRITE_ZEROES, bit 2 read-only),
 * byte 1 the queue size (2^(b % 9)); the rest is the ring
 * (tests/fuzz/fuzz_ring.h). No worker threads: requests run on the fuzzing thread.
 * Checks: every request ends with a valid status or -EBADMSG, the used
 * length never exceeds the writable bytes, the image never changes size and
 * is never written in read-only mode. Built by scripts/fuzz.sh;
 * tests/unit/test_virtio_blk.c replays tests/fuzz/regress/fuzz_virtio_blk/.
 *
 * fuzz-sources: devices/virtio_blk.c devices/virtio_mmio.c devices/virtio_queue.c
 * fuzz-sources: lib/guest_mem.c lib/log.c lib/work_gate.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_queue.h"
#include "tests/fuzz/fuzz_ring.h"
#include "lib/guest_mem.h"

#define FB_DISK_SIZE 0x10000

#define FB_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

/* A disk whose every byte is known, so writes in read-only mode are caught. */
static int fb_make_disk(void)
{
	uint8_t buf[FB_DISK_SIZE];
	int fd = memfd_create("fuzz-blk", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool fb_disk_untouched(int fd)
{
	uint8_t buf[FB_DISK_SIZE];
	size_t i;

	if (pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		return false;
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0x5a)
			return false;
	return true;
}

static void fb_run(struct virtio_blk *blk, struct virtq *vq)
{
	struct virtq_seg segs[VIRTQ_MAX_SIZE];
	struct iovec iov[VIRTQ_MAX_SIZE];
	struct virtq_chain chain;
	unsigned int rounds;
	uint32_t used;
	int ret;

	for (rounds = 0; rounds < 2u * vq->num + 2; rounds++) {
		ret = virtq_pop(vq, segs, VIRTQ_MAX_SIZE, &chain);
		if (ret != 1)
			break;
		ret = virtio_blk_handle(blk, segs, &chain, iov, &used);
		FB_CHECK(ret == -EBADMSG || (ret >= VIRTIO_BLK_S_OK && ret <= VIRTIO_BLK_S_UNSUPP));
		FB_CHECK(ret == -EBADMSG ? used == 0 : (used >= 1 && used <= chain.writable_len));
		FB_CHECK(virtq_push(vq, chain.head, used) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_blk_config cfg;
	struct guest_mem mem;
	struct virtio_blk *blk;
	struct virtq vq;
	struct stat st;
	int fd;

	if (size < 2)
		return 0;
	if (fuzz_ring_setup(&mem, &vq, (uint16_t)(1u << (data[1] % 9)),
			    VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC), data + 2, size - 2)) {
		guest_mem_destroy(&mem);
		return 0;
	}
	fd = fb_make_disk();
	blk = calloc(1, sizeof(*blk));
	FB_CHECK(fd >= 0 && blk);
	cfg = (struct virtio_blk_config){.mem = &mem, .fd = fd, .serial = "fuzz"};
	FB_CHECK(virtio_blk_init(blk, &cfg) == 0);
	/* What negotiation and the read-only switch would have left (no workers run). */
	blk->cfg.read_only = data[0] & 4;
	blk->features = (data[0] & 1 ? VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) : 0) |
			(data[0] & 2 ? VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES) : 0);
	fb_run(blk, &vq);

	FB_CHECK(fstat(fd, &st) == 0 && st.st_size == FB_DISK_SIZE);
	if (blk->cfg.read_only)
		FB_CHECK(fb_disk_untouched(fd));
	virtio_blk_destroy(blk);
	free(blk);
	close(fd);
	guest_mem_destroy(&mem);
	return 0;
}
