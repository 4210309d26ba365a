// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the 16550 UART (devices/uart_16550.c) driven by guest
 * register accesses (offsets 0-15, widths 1/2/4/8), host input and resets,
 * against a model of its receive FIFO and transmitter.
 *
 * Input: 4-byte steps: s[0] bits 0-1 kind (0 read, 1 write, 2 host input of
 * s[2] * 5 bytes, 3 reset), bits 2-5 offset, bits 6-7 width 1 << n; s[1]
 * the value written / first input byte; s[2] input length; s[3] unused.
 *
 * Checks (abort on violation): RBR returns the received (or looped-back)
 * bytes in order, and 0 when empty; host input is taken up to the 1 KiB
 * buffer, never more; THR bytes reach out() in order outside loopback, and
 * only from THR writes with DLAB clear, before the write returns;
 * rx_space() runs without the UART lock, and only after input was refused; LSR always
 * has THRE and TEMT and DR exactly when the model FIFO is not empty; a wide
 * read fills only data[0]; offsets 8-15 read zero; the interrupt line only
 * changes level, and after every step equals the IIR rules applied to the
 * UART's state. Built by scripts/fuzz.sh; tests/unit/test_uart_16550.c
 * replays tests/fuzz/corpus/fuzz_uart_16550/ and its regress folder.
 *
 * fuzz-sources: devices/uart_16550.c lib/log.c
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/uart_16550.h"

#define FU_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FU_STEP 4u
#define FU_MAX_STEPS 2048u

struct fu_model {
	struct uart_16550 *u;
	uint8_t fifo[UART_16550_RX_BUF_SIZE];
	size_t head, count;
	bool refused; /* input was refused: rx_space() may come */
	uint8_t expect_out; /* the byte out() must see next */
	bool out_expected;
	bool line;
};

static void fu_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct fu_model *m = ctx;

	FU_CHECK(m->out_expected && len == 1 && buf[0] == m->expect_out);
	m->out_expected = false;
}

static void fu_rx_space(void *ctx)
{
	struct fu_model *m = ctx;

	FU_CHECK(pthread_mutex_trylock(&m->u->lock) == 0);
	pthread_mutex_unlock(&m->u->lock);
	FU_CHECK(m->refused);
	m->refused = false;
}

static void fu_irq(void *ctx, uint32_t intid, bool level)
{
	struct fu_model *m = ctx;

	FU_CHECK(level != m->line);
	m->line = level;
}

static void fu_push(struct fu_model *m, uint8_t b)
{
	m->fifo[(m->head + m->count) % UART_16550_RX_BUF_SIZE] = b;
	m->count++;
}

static bool fu_pending(const struct uart_16550 *u)
{
	return ((u->ier & UART_IER_ELSI) && u->overrun) ||
	       ((u->ier & UART_IER_ERBFI) && u->rx_count) ||
	       ((u->ier & UART_IER_ETBEI) && u->thre_pending) ||
	       ((u->ier & UART_IER_EDSSI) && (u->msr & 0x0f));
}

static void fu_read(struct fu_model *m, unsigned int off, uint32_t len)
{
	struct uart_16550 *u = m->u;
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t buf[8];
	size_t before = m->count;

	memset(buf, 0xa5, sizeof(buf));
	uart_16550_mmio_ops.read(u, 0, off, buf, len);
	for (uint32_t i = 1; i < sizeof(buf); i++)
		FU_CHECK(buf[i] == (i < len ? 0 : 0xa5));
	if (off >= 8) {
		FU_CHECK(buf[0] == 0);
		return;
	}
	if (off == UART_RBR && !dlab) {
		if (before) {
			FU_CHECK(buf[0] == m->fifo[m->head]);
			m->head = (m->head + 1) % UART_16550_RX_BUF_SIZE;
			m->count--;
		} else {
			FU_CHECK(buf[0] == 0);
		}
	}
	if (off == UART_LSR) {
		FU_CHECK((buf[0] & (UART_LSR_THRE | UART_LSR_TEMT)) ==
			 (UART_LSR_THRE | UART_LSR_TEMT));
		FU_CHECK(!!(buf[0] & UART_LSR_DR) == (before != 0));
	}
}

static void fu_write(struct fu_model *m, unsigned int off, uint32_t len, uint8_t v)
{
	struct uart_16550 *u = m->u;
	bool dlab = u->lcr & UART_LCR_DLAB, loop = u->mcr & UART_MCR_LOOP;
	bool fifo_was = u->fifo_enabled;
	uint8_t buf[8] = {v, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	if (off == UART_THR && !dlab) {
		if (loop) {
			if (m->count < UART_16550_RX_BUF_SIZE)
				fu_push(m, v);
		} else {
			m->out_expected = true;
			m->expect_out = v;
		}
	}
	uart_16550_mmio_ops.write(u, 0, off, buf, len);
	FU_CHECK(!m->out_expected); /* transmitted at once */
	if (off == UART_FCR && ((v & UART_FCR_CLEAR_RCVR) || !(v & UART_FCR_ENABLE) != !fifo_was))
		m->head = m->count = 0;
}

static void fu_input(struct fu_model *m, uint8_t first, size_t len)
{
	uint8_t buf[255 * 5] = {0};
	size_t taken, room = UART_16550_RX_BUF_SIZE - m->count;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(first + i);
	if (len > room)
		m->refused = true;
	taken = uart_16550_receive(m->u, buf, len);
	FU_CHECK(taken == (len < room ? len : room));
	for (size_t i = 0; i < taken; i++)
		fu_push(m, buf[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fu_model *m = calloc(1, sizeof(*m));
	struct uart_16550 *u = calloc(1, sizeof(*u));
	struct uart_16550_config cfg;
	size_t steps = size / FU_STEP;

	FU_CHECK(m && u);
	m->u = u;
	cfg = (struct uart_16550_config){
		.irq = {.set = fu_irq, .ctx = m, .intid = 33},
		.out = fu_out,
		.rx_space = fu_rx_space,
		.cb_ctx = m,
	};
	FU_CHECK(uart_16550_init(u, &cfg) == 0);
	if (steps > FU_MAX_STEPS)
		steps = FU_MAX_STEPS;
	for (size_t i = 0; i < steps; i++) {
		const uint8_t *s = data + i * FU_STEP;
		unsigned int off = s[0] >> 2 & 15;
		uint32_t len = 1u << (s[0] >> 6);

		switch (s[0] & 3) {
		case 0:
			fu_read(m, off, len);
			break;
		case 1:
			fu_write(m, off, len, s[1]);
			break;
		case 2:
			fu_input(m, s[1], (size_t)s[2] * 5);
			break;
		default:
			uart_16550_reset(u); /* owes rx_space() if input was refused */
			m->head = m->count = 0;
			FU_CHECK(!m->refused);
			break;
		}
		FU_CHECK(u->rx_count == m->count);
		FU_CHECK(m->line == fu_pending(u) && m->line == u->irq_level);
	}
	uart_16550_destroy(u);
	free(u);
	free(m);
	return 0;
}
