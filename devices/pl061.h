/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ARM PrimeCell PL061 GPIO controller (8 pins), as Linux's gpio-pl061 driver
 * and the AMBA bus (which matches the driver on the PrimeCell ID registers)
 * use it. kestrel wires one input pin to a power button described by a
 * gpio-keys node in the device tree; the VMM drives that pin with
 * pl061_set_input().
 *
 * Registers (all 8 bits wide, one per 32-bit word, bit N = pin N):
 *   0x000-0x3FC GPIODATA, address-masked: offset bits [9:2] select which
 *               pins an access sees. A read returns the pin levels ANDed
 *               with that mask; a write changes only the masked pins that
 *               are outputs (writes to input pins are dropped).
 *   0x400 GPIODIR  1 = output          0x404 GPIOIS  1 = level, 0 = edge
 *   0x408 GPIOIBE  1 = both edges      0x40C GPIOIEV 1 = rising/high, 0 = falling/low
 *   0x410 GPIOIE   1 = unmasked        0x414 GPIORIS raw status (read-only)
 *   0x418 GPIOMIS  RIS & IE (read-only) 0x41C GPIOIC write 1 clears a latched edge
 *   0x420 GPIOAFSEL stored, no effect (no alternate functions here)
 *   0xFE0-0xFFC PeriphID0-3 = 0x61 0x10 0x04 0x00, PCellID0-3 = 0x0D 0xF0 0x05 0xB1
 * Everything resets to 0: all pins inputs, edge-sensitive on falling edges,
 * masked.
 *
 * Pin level: an output pin is its GPIODATA bit, an input pin the level last
 * given by pl061_set_input() (0 at init). Interrupt detection watches these
 * levels, whatever changes them (pl061_set_input(), a GPIODATA or GPIODIR
 * write). Edge-sensitive pins (GPIOIS = 0) latch their GPIORIS bit on a
 * rising (GPIOIEV = 1) or falling (0) edge, or on either when GPIOIBE = 1;
 * the bit stays set until GPIOIC clears it (or GPIOIS turns the pin
 * level-sensitive). Level-sensitive pins have GPIORIS set while the pin
 * equals GPIOIEV; GPIOIC does not clear them. The interrupt output is one
 * level line, asserted while GPIOMIS != 0; irq_line_set() is called only
 * when that level changes.
 *
 * Power button: Linux's gpio-keys asks for both edges and reads the pin after
 * a debounce delay (5 ms by default), so a press must hold the pin high for
 * longer than that in guest time before releasing it; QEMU's virt board
 * holds it 100 ms. A press and release in the same instant is lost.
 *
 * Memory: struct pl061 lives in caller storage; init copies the config;
 * nothing is allocated.
 *
 * Threads and locking: @lock guards every field below it. vCPU threads enter
 * through pl061_mmio_ops (register with ctx = the struct pl061), any other
 * thread (signal handling, the API, the event loop) through
 * pl061_set_input(), the VM builder through init/reset/destroy. irq_line_set()
 * runs with the lock held: the PL061 lock comes before the interrupt
 * controller's, and the line callback must not call back in.
 *
 * Guest access widths: 1-, 2- and 4-byte accesses at a 4-byte-aligned offset
 * reach a register (Linux uses byte accesses for the registers and 32-bit
 * ones for the IDs); a read returns the 8-bit register zero-extended to the
 * access width, a write uses the lowest byte. Any other width or alignment,
 * writes to read-only registers, reads of GPIOIC and every reserved offset
 * read as zero and ignore writes (counted in ignored_accesses).
 */
#ifndef KESTREL_DEVICES_PL061_H
#define KESTREL_DEVICES_PL061_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/irq_line.h"
#include "lib/mmio_bus.h"

#define PL061_MMIO_SIZE 0x1000 /* one 4 KiB PrimeCell frame */
#define PL061_NR_PINS 8

#define PL061_GPIODATA 0x000 /* 0x000-0x3fc, offset bits [9:2] are the mask */
#define PL061_GPIODATA_END 0x3fc
#define PL061_GPIODIR 0x400
#define PL061_GPIOIS 0x404
#define PL061_GPIOIBE 0x408
#define PL061_GPIOIEV 0x40c
#define PL061_GPIOIE 0x410
#define PL061_GPIORIS 0x414
#define PL061_GPIOMIS 0x418
#define PL061_GPIOIC 0x41c
#define PL061_GPIOAFSEL 0x420
#define PL061_PERIPH_ID0 0xfe0 /* 0xFE0-0xFEC periph ID, 0xFF0-0xFFC cell ID */
#define PL061_CELL_ID0 0xff0

/* GPIODATA offset through which a read or write sees exactly @pins (a bit mask). */
#define PL061_DATA_OFFSET(pins) (((uint64_t)(pins)&0xff) << 2)

struct pl061_config {
	struct irq_line irq; /* copied */
};

struct pl061 {
	struct pl061_config cfg; /* set by init, read-only after */
	pthread_mutex_t lock;

	/* Guarded by lock. */
	uint8_t data; /* output latch (GPIODATA bits of output pins) */
	uint8_t in; /* input levels from pl061_set_input() */
	uint8_t dir, is, ibe, iev, ie, afsel;
	uint8_t edge_ris; /* latched edge interrupts */
	uint8_t pins; /* pin levels at the last update (edge detection) */
	bool irq_level; /* last level given to irq_line_set() */
	uint8_t sampled; /* inputs the guest read (GPIODATA) since their last change */
	uint64_t ignored_accesses;
};

/*
 * Sets up @gpio with @cfg copied, every register at its reset value and
 * every input low. Returns 0 or -errno from pthread_mutex_init().
 */
int pl061_init(struct pl061 *gpio, const struct pl061_config *cfg);

/*
 * Whether the guest has read input @pin through GPIODATA (while it was an
 * input: an output pin reads its latch) since its level
 * last changed (pl061_set_input()): a button can be held until the guest
 * has seen it pressed, however slowly the guest runs. Any thread.
 */
bool pl061_input_sampled(struct pl061 *gpio, unsigned int pin);

/*
 * Reboot in place: the registers return to their reset values, latched
 * interrupts are dropped and the line deasserted. The input levels are kept
 * (they are the outside world's, e.g. a button still held). Any thread.
 */
void pl061_reset(struct pl061 *gpio);

/* Releases the lock. No MMIO or pl061_set_input() may be running or follow. */
void pl061_destroy(struct pl061 *gpio);

/*
 * Drives input pin @pin (0..7) to @level, as the board wiring would; any
 * thread. Detects the edge, if any, and updates the interrupt line. While
 * the guest has the pin configured as an output the level is recorded and
 * takes effect when the pin becomes an input again. Returns 0, or -EINVAL
 * when @pin >= PL061_NR_PINS.
 */
int pl061_set_input(struct pl061 *gpio, unsigned int pin, bool level);

/* MMIO handlers; register with ctx = the struct pl061. */
extern const struct mmio_ops pl061_mmio_ops;

#endif
