/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device tree of a kestrel microVM, built with libfdt's sequential-write
 * API from a plain description (no KVM types): fdt_build() turns a
 * struct fdt_desc into a flattened tree in a caller-supplied buffer, ready to
 * be copied into the DTB slot arm64_image_load() reserved.
 *
 * The caller owns the description and the buffer; nothing is kept between
 * calls and there is no global state, so any thread may build a tree into its
 * own buffer. Addresses and INTIDs come from the caller (normally from
 * arch/arm64/layout.h), so this file never decides the memory map.
 *
 * Tree written (unit addresses in hex, no leading zeros):
 *   /                  #address-cells = #size-cells = 2, compatible
 *                      "linux,dummy-virt", model "kestrel", interrupt-parent
 *   /cpus/cpu@<mpidr>  #address-cells 2, #size-cells 0; reg = MPIDR affinity
 *                      (mask 0xff00ffffff: Aff3 in the first cell, Aff2..0 in
 *                      the second), "arm,arm-v8", enable-method "psci"
 *   /psci              "arm,psci-0.2", "arm,psci", method "hvc"
 *   /memory@<base>
 *   /intc@<gicd>       GICv3 ("arm,gic-v3", dist + one redistributor region,
 *                      optional its@<base> child "arm,gic-v3-its") or GICv2
 *                      ("arm,cortex-a15-gic", dist + cpu interface)
 *   /timer             "arm,armv8-timer", PPIs 13, 14, 11, 10, always-on
 *   /pmu               "arm,armv8-pmuv3", PPI 7 (INTID 23), when asked for
 *   /apb-pclk          fixed-clock (24 MHz) for the AMBA devices, when any
 *   /serial@<base>     "ns16550a", clock-frequency 1843200
 *   /rtc@<base>        "arm,pl031", "arm,primecell"
 *   /gpio@<base>       "arm,pl061", "arm,primecell", and /gpio-keys with a
 *                      KEY_POWER (116) button on one of its pins
 *   /virtio_mmio@<base> "virtio,mmio", dma-coherent, one per slot
 *   /chosen            bootargs, stdout-path, linux,initrd-start/-end,
 *                      kaslr-seed, rng-seed
 *   /aliases           serial0
 * Level-sensitive interrupts are written level-high (4), virtio-mmio
 * edge-rising (1). Interrupt specifiers are <0 INTID-32 flags> for SPIs and
 * <1 INTID-16 flags> for PPIs; with a GICv2, PPI flags also carry the CPU
 * mask ((1 << ncpus) - 1) << 8.
 */
#ifndef KESTREL_ARCH_ARM64_FDT_H
#define KESTREL_ARCH_ARM64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MPIDR_AFF_MASK 0xff00ffffffULL
#define FDT_GICV2_MAX_CPUS 8
#define FDT_KEY_POWER 116		/* linux,code of the power button */
#define FDT_RNG_SEED_SIZE 32

/* Phandles the builder assigns. */
#define FDT_PHANDLE_GIC 1
#define FDT_PHANDLE_APB_CLK 2
#define FDT_PHANDLE_GPIO 3

/* Interrupt specifier flags (include/dt-bindings/interrupt-controller/irq.h). */
#define FDT_IRQ_EDGE_RISING 1
#define FDT_IRQ_LEVEL_HIGH 4

enum fdt_gic_version {
	FDT_GIC_V3,
	FDT_GIC_V2,
};

/* One MMIO device: registers [base, base + size), interrupt INTID (an SPI, >= 32). */
struct fdt_mmio_dev {
	uint64_t base;
	uint64_t size;	/* 0: the device is absent (uart, rtc, gpio) */
	uint32_t intid;
};

struct fdt_desc {
	uint32_t ncpus;		/* >= 1; at most 8 with a GICv2 */
	const uint64_t *mpidr;	/* ncpus entries: MPIDR_EL1 of each vCPU, in order, distinct */

	uint64_t mem_base, mem_size;

	enum fdt_gic_version gic;
	uint64_t gicd_base, gicd_size;	/* distributor */
	uint64_t gicc_base, gicc_size;	/* GICv2 CPU interface */
	uint64_t gicr_base, gicr_size;	/* GICv3 redistributor region (all vCPUs) */
	bool its;			/* GICv3 only */
	uint64_t its_base, its_size;

	bool pmu;
	const char *bootargs;		/* NULL: no bootargs property */
	uint64_t initrd_start;		/* initrd_end == 0: no initrd */
	uint64_t initrd_end;		/* exclusive */
	uint64_t kaslr_seed;		/* 0: no kaslr-seed property */
	bool has_rng_seed;
	uint8_t rng_seed[FDT_RNG_SEED_SIZE];

	struct fdt_mmio_dev uart;	/* 16550A; stdout-path points here */
	struct fdt_mmio_dev rtc;	/* PL031 */
	struct fdt_mmio_dev gpio;	/* PL061 with the power button */
	uint32_t gpio_power_pin;	/* PL061 pin (0..7) wired to the button */

	const struct fdt_mmio_dev *virtio;	/* nvirtio virtio-mmio transports */
	uint32_t nvirtio;
};

/*
 * Build the tree described by @d into @buf (@bufsize bytes, at least the
 * 40-byte header; a tree takes about 3 KiB plus 100 bytes per CPU and per
 * virtio device, so the 2 MiB DTB limit is never the constraint). On success the tree
 * is finished (fdt_check_header() passes) and *@out_size (when not NULL) is
 * its total size, at most @bufsize. Returns 0; -EINVAL for an inconsistent
 * description (no CPUs, NULL mpidr, a GICv2 with more than 8 CPUs, ITS on a
 * GICv2, an SPI below 32, initrd_end < initrd_start, GPIO pin above 7,
 * nvirtio without a virtio array); -ENOSPC when @buf is too small.
 */
int fdt_build(const struct fdt_desc *d, void *buf, size_t bufsize, size_t *out_size);

/*
 * Write the finished tree @fdt (fdt_totalsize() bytes) to @path, created with
 * mode 0644 or truncated. Returns 0; -EINVAL when @fdt has no valid header;
 * -errno of open()/write()/close().
 */
int fdt_write_file(const void *fdt, const char *path);

#endif
