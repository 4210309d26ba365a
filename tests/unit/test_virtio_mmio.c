// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the virtio-mmio transport (devices/virtio_mmio.c), driven
 * through the MMIO bus the way Linux's virtio_mmio driver drives it, with a
 * recording device model behind it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arch/arm64/layout.h"
#include "devices/virtio_mmio.h"
#include "tests/fakes/recording_irq_line.h"
#include "tests/fakes/virtq_driver.h"
#include "lib/guest_mem.h"
#include "lib/log.h"
#include "lib/mmio_bus.h"
#include "tests/fakes/fuzz_replay.h"

/* The fuzz target, renamed: its seeds and kept inputs are replayed at the end. */
#define LLVMFuzzerTestOneInput fuzz_virtio_mmio_one
#include "tests/fuzz/fuzz_virtio_mmio.c"

#define RAM_BASE LAYOUT_RAM_BASE
#define RAM_SIZE 0x100000ULL
#define SLOT 3
#define BASE (LAYOUT_VIRTIO_BASE + SLOT * LAYOUT_VIRTIO_SIZE)
#define DEV_ID 42
#define F_DEV0 VIRTIO_BIT(0)
#define F_DEV40 VIRTIO_BIT(40)
#define F_V1 VIRTIO_BIT(VIRTIO_F_VERSION_1)

/* A device model that records what the transport asks of it. */
struct fake_dev {
	unsigned int activates, resets, config_reads, config_writes, notifies[2];
	uint64_t act_features;
	int activate_ret;
	bool veto;
	uint8_t config[16];
	uint32_t last_off, last_len;
};

struct fixture {
	struct guest_mem mem;
	struct mmio_bus bus;
	struct virtio_mmio t;
	struct irq_recorder irq;
	struct fake_dev dev;
	struct vqd_queue q0, q1;
};

static bool fd_features_ok(void *ctx, uint64_t f)
{
	struct fake_dev *d = ctx;

	return !d->veto;
}

static void fd_config_read(void *ctx, uint32_t off, uint8_t *data, uint32_t len)
{
	struct fake_dev *d = ctx;

	d->config_reads++;
	d->last_off = off;
	d->last_len = len;
	memcpy(data, d->config + off, len);
}

static void fd_config_write(void *ctx, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct fake_dev *d = ctx;

	d->config_writes++;
	d->last_off = off;
	d->last_len = len;
	memcpy(d->config + off, data, len);
}

static int fd_activate(void *ctx, uint64_t features)
{
	struct fake_dev *d = ctx;

	d->activates++;
	d->act_features = features;
	return d->activate_ret;
}

static void fd_reset(void *ctx)
{
	struct fake_dev *d = ctx;

	d->resets++;
}

static void fd_queue_notify(void *ctx, uint16_t q)
{
	struct fake_dev *d = ctx;

	d->notifies[q]++;
}

static const struct virtio_dev_ops fake_ops = {
	.features_ok = fd_features_ok,
	.config_read = fd_config_read,
	.config_write = fd_config_write,
	.activate = fd_activate,
	.reset = fd_reset,
	.queue_notify = fd_queue_notify,
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct virtio_mmio_config cfg;
	int i;

	if (!fx || guest_mem_init(&fx->mem, RAM_BASE, RAM_SIZE, false))
		return -1;
	irq_recorder_init(&fx->irq);
	for (i = 0; i < 16; i++)
		fx->dev.config[i] = (uint8_t)(0xa0 + i);
	cfg = (struct virtio_mmio_config){
		.mem = &fx->mem,
		.device_id = DEV_ID,
		.num_queues = 2,
		.queue_num_max = 64,
		.features = F_DEV0 | F_DEV40,
		.config_size = 16,
		.ops = &fake_ops,
		.ctx = &fx->dev,
		.irq = recording_irq_line(&fx->irq, LAYOUT_VIRTIO_INTID(SLOT)),
	};
	if (virtio_mmio_init(&fx->t, &cfg))
		return -1;
	mmio_bus_init(&fx->bus);
	if (mmio_bus_insert(&fx->bus, BASE, LAYOUT_VIRTIO_SIZE, &virtio_mmio_ops, &fx->t, "virtio"))
		return -1;
	vqd_init(&fx->q0, &fx->mem, 64, RAM_BASE);
	vqd_init(&fx->q1, &fx->mem, 16, RAM_BASE + 0x4000);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	virtio_mmio_destroy(&fx->t);
	irq_recorder_destroy(&fx->irq);
	guest_mem_destroy(&fx->mem);
	free(fx);
	return 0;
}

/* 32-bit accesses through the bus, as a vCPU's MMIO exit would arrive. */
static uint32_t rd(struct fixture *fx, uint32_t off)
{
	uint8_t b[4];

	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + off, b, 4, false), 0);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void wr(struct fixture *fx, uint32_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	assert_int_equal(mmio_bus_dispatch(&fx->bus, 1, BASE + off, b, 4, true), 0);
}

/* The full Linux bring-up: probe, both queues, DRIVER_OK. */
static void bring_up(struct fixture *fx)
{
	uint64_t f;

	assert_true(vmmio_negotiate(&fx->t, ~0ULL, &f));
	assert_int_equal(f, F_DEV0 | F_DEV40 | F_V1);
	assert_true(vmmio_setup_queue(&fx->t, 0, &fx->q0));
	assert_true(vmmio_setup_queue(&fx->t, 1, &fx->q1));
	vmmio_driver_ok(&fx->t);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS),
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void test_identity(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(rd(fx, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(fx, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_ID), DEV_ID);
	assert_int_equal(rd(fx, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR_KESTREL);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* No shared memory regions: length -1. */
	wr(fx, VIRTIO_MMIO_SHM_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	assert_int_equal(rd(fx, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
}

static void test_linux_bring_up(void **state)
{
	struct fixture *fx = *state;

	/* Device features through both selector values; VERSION_1 is bit 32. */
	wr(fx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_FEATURES), 1);
	wr(fx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_FEATURES), 1 | 1 << 8);
	wr(fx, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_DEVICE_FEATURES), 0);

	bring_up(fx);
	assert_int_equal(fx->dev.activates, 1);
	assert_int_equal(fx->dev.act_features, F_DEV0 | F_DEV40 | F_V1);
	assert_true(fx->t.vqs[0].ready);
	assert_int_equal(fx->t.vqs[0].num, 64);
	assert_int_equal(fx->t.vqs[0].desc_gpa, fx->q0.desc);
	assert_int_equal(fx->t.vqs[0].avail_gpa, fx->q0.avail);
	assert_int_equal(fx->t.vqs[0].used_gpa, fx->q0.used);
	assert_int_equal(fx->t.vqs[1].num, 16);
	assert_int_equal(fx->t.vqs[1].used_gpa, fx->q1.used);

	/* Notify without a kick fd: the device op, on this thread. */
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(fx->dev.notifies[0], 1);
	assert_int_equal(fx->dev.notifies[1], 2);
	/* An unknown queue index is ignored. */
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	assert_int_equal(fx->dev.notifies[0] + fx->dev.notifies[1], 3);
	assert_int_equal(virtio_mmio_kick_fd(&fx->t, 0), -ENOENT);

	/* Reset: device op (it was reset once by the probe), then power-on state. */
	assert_int_equal(fx->dev.resets, 1);
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(fx->dev.resets, 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
	assert_false(fx->t.vqs[0].ready);
	assert_false(fx->t.vqs[1].ready);
	assert_int_equal(fx->t.driver_features, 0);
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	/* Kicks before DRIVER_OK are dropped. */
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fx->dev.notifies[0], 1);
	/* And the device comes up again. */
	bring_up(fx);
	assert_int_equal(fx->dev.activates, 2);
}

static void test_features_ok_rules(void **state)
{
	struct fixture *fx = *state;
	uint64_t f;

	/* A legacy-minded driver that does not accept VERSION_1. */
	assert_false(vmmio_negotiate(&fx->t, ~F_V1, &f));
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* DRIVER_OK without FEATURES_OK does not stick and activates nothing. */
	vmmio_driver_ok(&fx->t);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK, 0);
	assert_int_equal(fx->dev.activates, 0);

	/* A bit that was never offered. */
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	vmmio_set_status(&fx->t, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, 1 | 1 << 20);
	vmmio_set_status(&fx->t, VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* Fixing the word makes it acceptable (still before FEATURES_OK). */
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	vmmio_set_status(&fx->t, VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK,
			 VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(fx->t.driver_features, F_V1);
	/* After FEATURES_OK, feature writes are ignored. */
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	assert_int_equal(fx->t.driver_features, F_V1);
	/* Selector values past 1 name no feature word. */
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 7);
	wr(fx, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	assert_int_equal(fx->t.driver_features, 0);

	/* The device model's veto. */
	fx->dev.veto = true;
	assert_false(vmmio_negotiate(&fx->t, ~0ULL, &f));
	fx->dev.veto = false;
	assert_true(vmmio_negotiate(&fx->t, F_V1, &f));
	assert_int_equal(f, F_V1);
}

static void test_status_rules(void **state)
{
	struct fixture *fx = *state;

	bring_up(fx);
	/* Clearing bits without writing 0 is ignored. */
	wr(fx, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK,
			 VIRTIO_STATUS_DRIVER_OK);
	/* The driver cannot set NEEDS_RESET itself; FAILED sticks. */
	vmmio_set_status(&fx->t, VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FAILED, VIRTIO_STATUS_FAILED);
	/* DRIVER_OK again does not activate twice. */
	vmmio_driver_ok(&fx->t);
	assert_int_equal(fx->dev.activates, 1);
	/* A failing activation marks the device broken. */
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	fx->dev.activate_ret = -ENOMEM;
	irq_recorder_clear(&fx->irq);
	assert_true(vmmio_negotiate(&fx->t, ~0ULL, NULL));
	assert_true(vmmio_setup_queue(&fx->t, 0, &fx->q0));
	vmmio_driver_ok(&fx->t); /* status shows DRIVER_OK... */
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK,
			 VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
			 VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(fx->irq.raises, 1);
	/* ...but the device is not active: kicks go nowhere. */
	wr(fx, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(fx->dev.notifies[0], 0);
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

/*
 * A guest that makes activation fail over and over (hostile guest: bad
 * rings, DRIVER_OK, reset, again) gets one log line, not one per try.
 */
static void test_activation_failure_logged_once(void **state)
{
	struct fixture *fx = *state;
	char buf[4096];
	int pipefd[2];
	ssize_t n;
	unsigned lines = 0;

	assert_int_equal(pipe(pipefd), 0);
	log_set_output(pipefd[1], false);
	fx->dev.activate_ret = -EIO;
	for (int i = 0; i < 5; i++) {
		wr(fx, VIRTIO_MMIO_STATUS, 0);
		assert_true(vmmio_negotiate(&fx->t, ~0ULL, NULL));
		assert_true(vmmio_setup_queue(&fx->t, 0, &fx->q0));
		vmmio_driver_ok(&fx->t);
		assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
				 VIRTIO_STATUS_NEEDS_RESET);
	}
	log_set_output(STDERR_FILENO, false);
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	buf[n] = 0;
	for (char *p = buf; (p = strstr(p, "activation failed")); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_int_equal(fx->dev.activates, 5);
	assert_int_equal(fx->t.activation_failures, 5);
}

static void test_queue_sel_out_of_range(void **state)
{
	struct fixture *fx = *state;
	const uint32_t bad[] = {2, 3, 0xffff, 0x10000, 0xffffffff};
	size_t i;

	assert_true(vmmio_negotiate(&fx->t, ~0ULL, NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wr(fx, VIRTIO_MMIO_QUEUE_SEL, bad[i]);
		assert_int_equal(fx->t.queue_sel, VIRTIO_MMIO_NO_QUEUE);
		/* Linux's probe for the queue count: NumMax 0 ends it. */
		assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
		assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
		/* Every queue write is ignored, nothing is touched. */
		wr(fx, VIRTIO_MMIO_QUEUE_NUM, 8);
		wr(fx, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1234);
		wr(fx, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0x1);
		wr(fx, VIRTIO_MMIO_QUEUE_USED_LOW, 0x5678);
		wr(fx, VIRTIO_MMIO_QUEUE_READY, 1);
		assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	}
	assert_int_equal(fx->t.vqs[0].num, 64);
	assert_int_equal(fx->t.vqs[0].desc_gpa, 0);
	assert_int_equal(fx->t.vqs[1].avail_gpa, 0);
	assert_int_equal(virtio_mmio_status(&fx->t) & VIRTIO_STATUS_NEEDS_RESET, 0);
	/* The valid ones still work afterwards. */
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
	assert_null(virtio_mmio_queue(&fx->t, 2));
	assert_non_null(virtio_mmio_queue(&fx->t, 1));
}

static void test_queue_setup_rules(void **state)
{
	struct fixture *fx = *state;

	assert_true(vmmio_negotiate(&fx->t, ~0ULL, NULL));
	/* A size above QueueNumMax: refused at QueueReady, device needs reset. */
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(fx, VIRTIO_MMIO_QUEUE_NUM, 128);
	wr(fx, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fx->q0.desc);
	wr(fx, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)fx->q0.avail);
	wr(fx, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)fx->q0.used);
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
			 VIRTIO_STATUS_NEEDS_RESET);
	/* Not yet DRIVER_OK: no interrupt for it. */
	assert_int_equal(fx->irq.calls, 0);

	/* Rings outside guest RAM (the high halves). */
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_true(vmmio_negotiate(&fx->t, ~0ULL, NULL));
	assert_true(vmmio_setup_queue(&fx->t, 0, &fx->q0));
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(fx, VIRTIO_MMIO_QUEUE_NUM, 16);
	wr(fx, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fx->q1.desc);
	wr(fx, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0x10);
	wr(fx, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)fx->q1.avail);
	wr(fx, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)fx->q1.used);
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(virtio_mmio_status(&fx->t) & VIRTIO_STATUS_NEEDS_RESET);

	/* A ready queue's configuration cannot change. */
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(fx, VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(fx, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	assert_int_equal(fx->t.vqs[0].num, 64);
	assert_int_equal(fx->t.vqs[0].desc_gpa, fx->q0.desc);
	/* QueueReady = 0 before DRIVER_OK turns it off. */
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 0);

	/* While active, QueueReady writes are ignored (no per-queue reset). */
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	bring_up(fx);
	wr(fx, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(fx, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_READY), 1);
}

static void test_interrupts(void **state)
{
	struct fixture *fx = *state;
	uint64_t v;
	int efd;

	bring_up(fx);
	irq_recorder_clear(&fx->irq);
	/* Used buffer: status bit 0, one edge. */
	virtio_mmio_notify_used(&fx->t, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(fx->irq.raises, 1);
	assert_int_equal(fx->irq.lowers, 1);
	assert_false(fx->irq.level);
	assert_int_equal(fx->irq.last_intid, LAYOUT_VIRTIO_INTID(SLOT));
	/* Config change: bit 1 too, and a new generation. */
	virtio_mmio_config_changed(&fx->t);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	assert_int_equal(rd(fx, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(fx->irq.raises, 2);
	/* vm_interrupt: read, acknowledge exactly what was read. */
	wr(fx, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(vmmio_ack_interrupt(&fx->t), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* InterruptStatus is read-only, InterruptACK write-only. */
	wr(fx, VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_ACK), 0);

	/* With an irqfd: the eventfd is written, the line left alone. */
	efd = eventfd(0, EFD_NONBLOCK);
	assert_true(efd >= 0);
	virtio_mmio_set_irqfd(&fx->t, efd);
	irq_recorder_clear(&fx->irq);
	virtio_mmio_notify_used(&fx->t, 1);
	virtio_mmio_notify_used(&fx->t, 1);
	assert_int_equal(fx->irq.calls, 0);
	assert_int_equal(read(efd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 2);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	virtio_mmio_set_irqfd(&fx->t, -1);
	close(efd);
}

static void test_needs_reset(void **state)
{
	struct fixture *fx = *state;
	unsigned int resets;

	/* Before DRIVER_OK: the bit, no interrupt. */
	virtio_mmio_fail(&fx->t);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(fx->irq.calls, 0);
	/* A status write keeps it (the driver's bits are or-ed in). */
	vmmio_set_status(&fx->t, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS),
			 VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_ACKNOWLEDGE);
	wr(fx, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);

	/* After DRIVER_OK: a configuration change interrupt, once. */
	bring_up(fx);
	irq_recorder_clear(&fx->irq);
	virtio_mmio_fail(&fx->t);
	virtio_mmio_fail(&fx->t);
	assert_int_equal(fx->irq.raises, 1);
	assert_int_equal(rd(fx, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_true(rd(fx, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	/* The VMM's reset (reboot in place) clears it too, through the device. */
	resets = fx->dev.resets;
	virtio_mmio_reset(&fx->t);
	assert_int_equal(rd(fx, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(fx->dev.resets, resets + 1);
}

static void test_access_widths_and_config(void **state)
{
	struct fixture *fx = *state;
	uint8_t b[8];
	uint64_t ignored;

	/* Control registers want 32-bit aligned accesses. */
	ignored = fx->t.ignored_accesses;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(
		mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_MAGIC_VALUE, b, 1, false), 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(
		mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_MAGIC_VALUE, b, 8, false), 0);
	assert_int_equal(b[0] | b[7], 0);
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + 2, b, 4, false), 0);
	b[0] = 0;
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_STATUS, b, 1, true), 0);
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_STATUS, b, 2, true), 0);
	/* Reserved offsets and write-only registers read as zero. */
	assert_int_equal(rd(fx, 0x018), 0);
	assert_int_equal(rd(fx, 0x0c0), 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_QUEUE_SEL), 0);
	wr(fx, 0x0f0, 1);
	wr(fx, VIRTIO_MMIO_MAGIC_VALUE, 0);
	assert_int_equal(rd(fx, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(fx->t.ignored_accesses, ignored + 10);
	assert_int_equal(fx->dev.resets, 0); /* the narrow status writes did nothing */

	/* Configuration space: any width, delegated with the offset from 0x100. */
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_CONFIG + 3, b, 1, false),
			 0);
	assert_int_equal(b[0], 0xa3);
	assert_int_equal(fx->dev.last_off, 3);
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_CONFIG + 4, b, 2, false),
			 0);
	assert_int_equal(b[0] | b[1] << 8, 0xa5a4);
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_CONFIG + 8, b, 8, false),
			 0);
	assert_int_equal(b[7], 0xaf);
	assert_int_equal(fx->dev.last_len, 8);
	b[0] = 0x11;
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_CONFIG + 1, b, 1, true),
			 0);
	assert_int_equal(fx->dev.config[1], 0x11);
	assert_int_equal(fx->dev.config_writes, 1);
	/* Past config_size (16): zeroes, device not asked. */
	memset(b, 0xee, sizeof(b));
	assert_int_equal(
		mmio_bus_dispatch(&fx->bus, 0, BASE + VIRTIO_MMIO_CONFIG + 12, b, 8, false), 0);
	assert_int_equal(b[0] | b[7], 0);
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + 0x1fc, b, 4, false), 0);
	assert_int_equal(fx->dev.config_reads, 3);
	assert_int_equal(mmio_bus_dispatch(&fx->bus, 0, BASE + 0x1fc, b, 4, true), 0);
	assert_int_equal(fx->dev.config_writes, 1);
}

static void test_kick_eventfd(void **state)
{
	struct fixture *fx = *state;
	uint64_t v;
	int efd = eventfd(0, EFD_NONBLOCK);

	assert_true(efd >= 0);
	assert_int_equal(virtio_mmio_set_kick_fd(&fx->t, 2, efd), -EINVAL);
	assert_int_equal(virtio_mmio_set_kick_fd(&fx->t, 1, efd), 0);
	assert_int_equal(virtio_mmio_kick_fd(&fx->t, 1), efd);
	assert_int_equal(virtio_mmio_kick_fd(&fx->t, 0), -ENOENT);
	assert_int_equal(virtio_mmio_kick_fd(&fx->t, 9), -ENOENT);
	bring_up(fx);
	/* The kick reaches the eventfd, not the op (which a worker would read). */
	vmmio_kick(&fx->t, 1);
	vmmio_kick(&fx->t, 1);
	assert_int_equal(fx->dev.notifies[1], 0);
	assert_int_equal(read(efd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(v, 2);
	/* Queue 0 has none: the op. */
	vmmio_kick(&fx->t, 0);
	assert_int_equal(fx->dev.notifies[0], 1);
	virtio_mmio_set_kick_fd(&fx->t, 1, -1);
	close(efd);
}

static void test_init_checks(void **state)
{
	struct fixture *fx = *state;
	struct virtio_mmio t;
	struct virtio_mmio_config cfg = {
		.mem = &fx->mem, .device_id = 1, .num_queues = 1, .queue_num_max = 8};

	cfg.num_queues = 0;
	assert_int_equal(virtio_mmio_init(&t, &cfg), -EINVAL);
	cfg.num_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	assert_int_equal(virtio_mmio_init(&t, &cfg), -EINVAL);
	cfg.num_queues = 1;
	cfg.queue_num_max = 100;
	assert_int_equal(virtio_mmio_init(&t, &cfg), -EINVAL);
	cfg.queue_num_max = 8;
	cfg.config_size = 0x101;
	assert_int_equal(virtio_mmio_init(&t, &cfg), -EINVAL);
	cfg.config_size = 0;
	cfg.mem = NULL;
	assert_int_equal(virtio_mmio_init(&t, &cfg), -EINVAL);
	cfg.mem = &fx->mem;
	/* No ops at all is fine: a device that does nothing. */
	assert_int_equal(virtio_mmio_init(&t, &cfg), 0);
	assert_true(vmmio_negotiate(&t, ~0ULL, NULL));
	vmmio_driver_ok(&t);
	vmmio_kick(&t, 0);
	virtio_mmio_destroy(&t);
}

/*
 * The fuzz target's checks hold on its hand-made seeds (Linux's handshake
 * and queue setup, out-of-order status writes, reset during I/O, a failing
 * activate with an irqfd, bad widths) and on every input kept in
 * tests/fuzz/regress/fuzz_virtio_mmio/.
 */
static void test_fuzz_regressions(void **state)
{
	const char *kinds[] = {"corpus", "regress"};
	char dir[4096];
	int n, total = 0;

	(void)state;
	assert_int_equal(fuzz_virtio_mmio_one((const uint8_t *)"", 0), 0);
	for (size_t i = 0; i < 2; i++) {
		fuzz_replay_path(dir, sizeof(dir), TEST_DATA_DIR, kinds[i], "fuzz_virtio_mmio");
		n = fuzz_replay_dir(dir, fuzz_virtio_mmio_one);
		assert_true(n >= 0);
		total += n;
	}
	assert_true(total >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_bring_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features_ok_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activation_failure_logged_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_sel_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_setup_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_widths_and_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kick_eventfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
		cmocka_unit_test(test_fuzz_regressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
