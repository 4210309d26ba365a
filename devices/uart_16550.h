/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 16550A UART as Linux's 8250 driver drives it (console=ttyS0,
 * earlycon=uart,mmio,0x09000000): eight byte registers at offsets 0-7
 * (register shift 0), DLAB-switched divisor latch, FIFO control, the line
 * and modem status registers, interrupt identification with the 16550
 * priorities, scratch, and loopback. Transmission is instantaneous: a THR
 * write hands the byte to the out() callback at once, so LSR.THRE and
 * LSR.TEMT always read 1.
 *
 * Memory: struct uart_16550 lives in caller storage (usually inside struct
 * vm); uart_16550_init() copies the config; nothing is allocated. The
 * receive side is a 1 KiB buffer (UART_16550_RX_BUF_SIZE) standing in for the
 * 16-byte hardware FIFO; the guest cannot tell the difference.
 *
 * Threads and locking: @lock guards every field below it. vCPU threads enter
 * through uart_16550_mmio_ops (register on the bus with ctx = the uart), the
 * event-loop thread through uart_16550_receive(), the VM builder through
 * init/reset/destroy (no vCPU running). Lock order: the UART lock is taken
 * before the interrupt controller's; irq_line_set() is called with the UART
 * lock held, and the irq line never calls back into the UART.
 *
 * Callbacks:
 *   out(ctx, buf, len)  one transmitted byte (or a small batch); called from
 *                       the vCPU thread WITH the UART lock held, which keeps
 *                       output in THR order. It may block (that paces the
 *                       guest, like a slow line) but must not call into the
 *                       UART. May be NULL: output is discarded.
 *   rx_space(ctx)       the receive buffer had refused bytes and has since
 *                       been drained to half empty (or emptied by a FIFO
 *                       reset or uart_16550_reset()): call uart_16550_receive()
 *                       again. Called WITHOUT the UART lock held, from a vCPU
 *                       thread or the caller of reset, so it may call into
 *                       the UART; it must be thread safe (typically it writes
 *                       an eventfd the event loop polls). May be NULL.
 *
 * Interrupt: a level line. Whenever the interrupt-pending state computed from
 * IIR changes, the UART calls irq_line_set(line, level). Sources, highest
 * priority first: receiver line status (overrun; loopback only), received
 * data available, THR empty, modem status (loopback only). Received data is
 * reported as soon as one byte waits, whatever the FCR trigger level (as if
 * the character timeout expired at once); IIR never reads 0x0C.
 *
 * THR empty interrupt: latched when IER.ETBEI goes from 0 to 1 (the THR is
 * always empty) and each time a THR write is transmitted; cleared by reading
 * IIR while it reports THR empty, or by a THR write (which, the transmitter
 * being instantaneous, immediately empties the THR and latches it again).
 * Linux's 8250 startup test for UART_BUG_THRE therefore passes.
 *
 * Guest access widths: registers are bytes. A wider access at a register's
 * offset uses the low byte (data[0]) of a write and returns the register in
 * data[0] of a read with the other bytes zero. Offsets 8 and above in the
 * region read as zero and ignore writes.
 */
#ifndef KESTREL_DEVICES_UART_16550_H
#define KESTREL_DEVICES_UART_16550_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/irq_line.h"
#include "lib/mmio_bus.h"

#define UART_16550_RX_BUF_SIZE 1024

/* Register offsets (shift 0). DLAB = LCR bit 7 selects DLL/DLM at 0/1. */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI 0x01 /* received data available */
#define UART_IER_ETBEI 0x02 /* THR empty */
#define UART_IER_ELSI 0x04 /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_FIFO_ENABLED 0xc0

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RCVR 0x02
#define UART_FCR_CLEAR_XMIT 0x04

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

struct uart_16550_config {
	struct irq_line irq; /* copied */
	void (*out)(void *ctx, const uint8_t *buf, size_t len);
	void (*rx_space)(void *ctx);
	void *cb_ctx; /* passed to out() and rx_space() */
};

struct uart_16550 {
	struct uart_16550_config cfg; /* set by init, read-only after */
	pthread_mutex_t lock;

	/* Guarded by lock. */
	uint8_t ier, lcr, mcr, msr, scr, dll, dlm;
	bool fifo_enabled;
	bool overrun; /* LSR.OE, cleared by reading LSR */
	bool thre_pending; /* THR-empty interrupt latch */
	bool irq_level; /* last level given to irq_line_set() */
	bool rx_waiting; /* receive() refused bytes; rx_space() owed */
	uint8_t rx_buf[UART_16550_RX_BUF_SIZE];
	size_t rx_head, rx_count;
	uint64_t tx_bytes, rx_bytes, ignored_accesses;
};

/*
 * Sets up @u in its reset state with @cfg copied. The line starts (and is
 * assumed) deasserted. Returns 0 or -errno from pthread_mutex_init().
 */
int uart_16550_init(struct uart_16550 *u, const struct uart_16550_config *cfg);

/*
 * Back to the power-on state for a reboot in place: registers cleared,
 * receive buffer emptied, line deasserted if it was asserted, rx_space()
 * called if a delivery was waiting. Takes the lock; any thread.
 */
void uart_16550_reset(struct uart_16550 *u);

/* Releases the lock. No vCPU or event-loop call may be running or follow. */
void uart_16550_destroy(struct uart_16550 *u);

/*
 * Host input for the guest (event-loop thread). Copies as many bytes of @buf
 * as fit in the receive buffer and returns how many it took (0..@len). When
 * it takes fewer than @len, rx_space() is called once there is room again.
 * In loopback mode the bytes are still buffered (the guest reads them after
 * leaving loopback).
 */
size_t uart_16550_receive(struct uart_16550 *u, const uint8_t *buf, size_t len);

/* MMIO handlers; register with ctx = the struct uart_16550. */
extern const struct mmio_ops uart_16550_mmio_ops;

#endif
