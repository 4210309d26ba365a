// SPDX-License-Identifier: GPL-2.0-only
#include "devices/uart_16550.h"

#include <errno.h>
#include <string.h>

#define UART_NR_REGS 8
#define UART_IER_MASK 0x0f
#define UART_MCR_MASK 0x1f
#define UART_MSR_DELTAS (UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_TERI | UART_MSR_DDCD)
/* Modem inputs when not in loopback: a connected terminal (carrier, DSR, CTS). */
#define UART_MSR_IDLE (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)

/* What the guest may be told after the lock is dropped. */
struct uart_after {
	bool rx_space;
};

/* Modem status inputs (MSR bits 7:4) as MCR drives them. */
static uint8_t uart_msr_status(uint8_t mcr)
{
	uint8_t s = 0;

	if (!(mcr & UART_MCR_LOOP))
		return UART_MSR_IDLE;
	/* Loopback wiring: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	if (mcr & UART_MCR_DTR)
		s |= UART_MSR_DSR;
	if (mcr & UART_MCR_RTS)
		s |= UART_MSR_CTS;
	if (mcr & UART_MCR_OUT1)
		s |= UART_MSR_RI;
	if (mcr & UART_MCR_OUT2)
		s |= UART_MSR_DCD;
	return s;
}

/* Interrupt identification, 16550 priority order (lock held). */
static uint8_t uart_iir_id(const struct uart_16550 *u)
{
	if ((u->ier & UART_IER_ELSI) && u->overrun)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && (u->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* Drives the line when the pending state changed (lock held; lock order uart -> irqchip). */
static void uart_update_irq(struct uart_16550 *u)
{
	bool level = uart_iir_id(u) != UART_IIR_NO_INT;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	irq_line_set(&u->cfg.irq, level);
}

static void uart_rx_clear(struct uart_16550 *u, struct uart_after *after)
{
	u->rx_head = 0;
	u->rx_count = 0;
	if (u->rx_waiting) {
		u->rx_waiting = false;
		after->rx_space = true;
	}
}

static bool uart_rx_push(struct uart_16550 *u, uint8_t byte)
{
	if (u->rx_count == UART_16550_RX_BUF_SIZE)
		return false;
	u->rx_buf[(u->rx_head + u->rx_count) % UART_16550_RX_BUF_SIZE] = byte;
	u->rx_count++;
	return true;
}

static uint8_t uart_rx_pop(struct uart_16550 *u, struct uart_after *after)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx_buf[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_16550_RX_BUF_SIZE;
	u->rx_count--;
	/* Wake the event loop at half empty, not per byte. */
	if (u->rx_waiting && u->rx_count <= UART_16550_RX_BUF_SIZE / 2) {
		u->rx_waiting = false;
		after->rx_space = true;
	}
	return byte;
}

/* New modem status inputs: latch the delta bits as a 16550 does (lock held). */
static void uart_set_mcr(struct uart_16550 *u, uint8_t mcr)
{
	uint8_t old = u->msr, now = uart_msr_status(mcr);
	uint8_t delta = 0;

	if ((old ^ now) & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if ((old ^ now) & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old ^ now) & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		delta |= UART_MSR_TERI; /* trailing edge of RI */
	u->mcr = mcr & UART_MCR_MASK;
	u->msr = now | (old & UART_MSR_DELTAS) | delta;
}

static void uart_reset_locked(struct uart_16550 *u, struct uart_after *after)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->msr = uart_msr_status(0);
	u->scr = 0;
	u->dll = 0;
	u->dlm = 0;
	u->fifo_enabled = false;
	u->overrun = false;
	u->thre_pending = false;
	uart_rx_clear(u, after);
}

static void uart_after_unlock(struct uart_16550 *u, const struct uart_after *after)
{
	if (after->rx_space && u->cfg.rx_space)
		u->cfg.rx_space(u->cfg.cb_ctx);
}

int uart_16550_init(struct uart_16550 *u, const struct uart_16550_config *cfg)
{
	struct uart_after after = {0};
	int ret;

	memset(u, 0, sizeof(*u));
	ret = pthread_mutex_init(&u->lock, NULL);
	if (ret)
		return -ret;
	u->cfg = *cfg;
	uart_reset_locked(u, &after);
	return 0;
}

void uart_16550_reset(struct uart_16550 *u)
{
	struct uart_after after = {0};

	pthread_mutex_lock(&u->lock);
	uart_reset_locked(u, &after);
	uart_update_irq(u);
	u->tx_bytes = 0;
	u->rx_bytes = 0;
	u->ignored_accesses = 0;
	pthread_mutex_unlock(&u->lock);
	uart_after_unlock(u, &after);
}

void uart_16550_destroy(struct uart_16550 *u)
{
	pthread_mutex_destroy(&u->lock);
}

size_t uart_16550_receive(struct uart_16550 *u, const uint8_t *buf, size_t len)
{
	size_t taken = 0;

	pthread_mutex_lock(&u->lock);
	while (taken < len && uart_rx_push(u, buf[taken]))
		taken++;
	if (taken < len)
		u->rx_waiting = true;
	u->rx_bytes += taken;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return taken;
}

/* A byte leaves through THR (lock held). */
static void uart_transmit(struct uart_16550 *u, uint8_t byte)
{
	u->thre_pending = false;
	if (u->mcr & UART_MCR_LOOP) {
		/* Looped back into the receiver; a full receiver overruns. */
		if (!uart_rx_push(u, byte))
			u->overrun = true;
	} else {
		if (u->cfg.out)
			u->cfg.out(u->cfg.cb_ctx, &byte, 1);
		u->tx_bytes++;
	}
	/* Transmission is instantaneous: THR is empty again, which raises THRE. */
	u->thre_pending = true;
}

static uint8_t uart_read_reg(struct uart_16550 *u, unsigned int reg, struct uart_after *after)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : uart_rx_pop(u, after);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir_id(u);
		/* Reading IIR acknowledges THR empty when that is what it reports. */
		if (v == UART_IIR_THRI)
			u->thre_pending = false;
		return v | (u->fifo_enabled ? UART_IIR_FIFO_ENABLED : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT;
		if (u->rx_count)
			v |= UART_LSR_DR;
		if (u->overrun)
			v |= UART_LSR_OE;
		u->overrun = false;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~UART_MSR_DELTAS;
		return v;
	case UART_SCR:
		return u->scr;
	}
	return 0;
}

static void uart_write_reg(struct uart_16550 *u, unsigned int reg, uint8_t v,
			   struct uart_after *after)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t old;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		old = u->ier;
		u->ier = v & UART_IER_MASK;
		/* Enabling ETBEI with the THR empty (always) raises THRE. */
		if (!(old & UART_IER_ETBEI) && (u->ier & UART_IER_ETBEI))
			u->thre_pending = true;
		break;
	case UART_FCR:
		/* Toggling FIFO enable clears both FIFOs, as on a 16550A. */
		if ((v & UART_FCR_CLEAR_RCVR) || !(v & UART_FCR_ENABLE) != !u->fifo_enabled)
			uart_rx_clear(u, after);
		/* The transmitter holds nothing: CLEAR_XMIT has nothing to drop. */
		u->fifo_enabled = v & UART_FCR_ENABLE;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		uart_set_mcr(u, v);
		break;
	case UART_LSR:
	case UART_MSR:
		/* Read-only (factory test writes): ignored. */
		break;
	case UART_SCR:
		u->scr = v;
		break;
	}
}

static void uart_16550_mmio_read(void *ctx, int vcpu, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct uart_16550 *u = ctx;
	struct uart_after after = {0};

	if (!len)
		return;
	memset(data, 0, len);
	pthread_mutex_lock(&u->lock);
	if (offset < UART_NR_REGS) {
		data[0] = uart_read_reg(u, (unsigned int)offset, &after);
		uart_update_irq(u);
	} else {
		u->ignored_accesses++;
	}
	pthread_mutex_unlock(&u->lock);
	uart_after_unlock(u, &after);
}

static void uart_16550_mmio_write(void *ctx, int vcpu, uint64_t offset, const uint8_t *data,
				  uint32_t len)
{
	struct uart_16550 *u = ctx;
	struct uart_after after = {0};

	if (!len)
		return;
	pthread_mutex_lock(&u->lock);
	if (offset < UART_NR_REGS) {
		uart_write_reg(u, (unsigned int)offset, data[0], &after);
		uart_update_irq(u);
	} else {
		u->ignored_accesses++;
	}
	pthread_mutex_unlock(&u->lock);
	uart_after_unlock(u, &after);
}

const struct mmio_ops uart_16550_mmio_ops = {
	.read = uart_16550_mmio_read,
	.write = uart_16550_mmio_write,
};
