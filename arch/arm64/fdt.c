// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device tree builder (libfdt sequential-write API). The contract and the
 * shape of the tree are in fdt.h.
 *
 * All writes go through a small writer with a sticky error: the first libfdt
 * failure is kept and every later call becomes a no-op, so each node is
 * written as a straight list of properties and checked once at the end.
 */
#include "arch/arm64/fdt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "arch/arm64/layout.h"

#define GIC_SPI 0
#define GIC_PPI 1
#define APB_CLK_HZ 24000000
#define UART_CLK_HZ 1843200
#define GPIO_ACTIVE_HIGH 0
#define W_MAX_CELLS 12	/* longest cell list written: the timer's 4 specifiers */

struct fdt_writer {
	void *fdt;
	int err;	/* first libfdt error (negative FDT_ERR_*), 0 while all went well */
};

static void w_check(struct fdt_writer *w, int ret)
{
	if (ret < 0 && !w->err)
		w->err = ret;
}

__attribute__((format(printf, 2, 3)))
static void w_begin(struct fdt_writer *w, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	w_check(w, fdt_begin_node(w->fdt, name));
}

static void w_end(struct fdt_writer *w)
{
	if (!w->err)
		w_check(w, fdt_end_node(w->fdt));
}

static void w_prop(struct fdt_writer *w, const char *name, const void *val, size_t len)
{
	if (!w->err)
		w_check(w, fdt_property(w->fdt, name, val, (int)len));
}

/* A property of several strings, given as one literal with embedded NULs. */
#define W_STRLIST(w, name, lit) w_prop((w), (name), (lit), sizeof(lit))

static void w_empty(struct fdt_writer *w, const char *name)
{
	w_prop(w, name, NULL, 0);
}

static void w_str(struct fdt_writer *w, const char *name, const char *s)
{
	w_prop(w, name, s, strlen(s) + 1);
}

static void w_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	fdt32_t be = cpu_to_fdt32(v);

	w_prop(w, name, &be, sizeof(be));
}

static void w_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	fdt64_t be = cpu_to_fdt64(v);

	w_prop(w, name, &be, sizeof(be));
}

/* @n cells (at most W_MAX_CELLS) in host order. */
static void w_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, size_t n)
{
	fdt32_t be[W_MAX_CELLS];
	size_t i;

	if (n > W_MAX_CELLS) {
		w_check(w, -FDT_ERR_INTERNAL);
		return;
	}

	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	w_prop(w, name, be, n * sizeof(be[0]));
}

/* reg = <base size> with two address and two size cells. */
static void w_reg(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	uint32_t c[4] = { base >> 32, (uint32_t)base, size >> 32, (uint32_t)size };

	w_cells(w, "reg", c, 4);
}

static void w_reg2(struct fdt_writer *w, uint64_t b0, uint64_t s0, uint64_t b1, uint64_t s1)
{
	uint32_t c[8] = { b0 >> 32, (uint32_t)b0, s0 >> 32, (uint32_t)s0,
			  b1 >> 32, (uint32_t)b1, s1 >> 32, (uint32_t)s1 };

	w_cells(w, "reg", c, 8);
}

/* interrupts = <0 INTID-32 flags> for an SPI. */
static void w_spi(struct fdt_writer *w, uint32_t intid, uint32_t flags)
{
	uint32_t c[3] = { GIC_SPI, intid - LAYOUT_SPI_BASE, flags };

	w_cells(w, "interrupts", c, 3);
}

/* The flags of a level PPI: on a GICv2 they also carry the target CPU mask. */
static uint32_t ppi_flags(const struct fdt_desc *d)
{
	uint32_t flags = FDT_IRQ_LEVEL_HIGH;

	if (d->gic == FDT_GIC_V2)
		flags |= ((1U << d->ncpus) - 1) << 8;
	return flags;
}

static int validate(const struct fdt_desc *d)
{
	uint32_t i;

	if (!d->ncpus || !d->mpidr || !d->mem_size)
		return -EINVAL;
	if (d->gic != FDT_GIC_V3 && d->gic != FDT_GIC_V2)
		return -EINVAL;
	if (d->gic == FDT_GIC_V2 && (d->ncpus > FDT_GICV2_MAX_CPUS || d->its))
		return -EINVAL;
	if (d->initrd_end && d->initrd_end <= d->initrd_start)
		return -EINVAL;
	if ((d->uart.size && d->uart.intid < LAYOUT_SPI_BASE) ||
	    (d->rtc.size && d->rtc.intid < LAYOUT_SPI_BASE) ||
	    (d->gpio.size && (d->gpio.intid < LAYOUT_SPI_BASE || d->gpio_power_pin > 7)))
		return -EINVAL;
	if (d->nvirtio && !d->virtio)
		return -EINVAL;
	for (i = 0; i < d->nvirtio; i++)
		if (!d->virtio[i].size || d->virtio[i].intid < LAYOUT_SPI_BASE)
			return -EINVAL;
	return 0;
}

static void write_chosen(struct fdt_writer *w, const struct fdt_desc *d, const char *stdout_path)
{
	w_begin(w, "chosen");
	if (d->bootargs)
		w_str(w, "bootargs", d->bootargs);
	if (stdout_path)
		w_str(w, "stdout-path", stdout_path);
	if (d->initrd_end) {
		w_u64(w, "linux,initrd-start", d->initrd_start);
		w_u64(w, "linux,initrd-end", d->initrd_end);
	}
	if (d->kaslr_seed)
		w_u64(w, "kaslr-seed", d->kaslr_seed);
	if (d->has_rng_seed)
		w_prop(w, "rng-seed", d->rng_seed, sizeof(d->rng_seed));
	w_end(w);
}

static void write_cpus(struct fdt_writer *w, const struct fdt_desc *d)
{
	uint64_t aff;
	uint32_t i, reg[2];

	w_begin(w, "cpus");
	w_u32(w, "#address-cells", 2);
	w_u32(w, "#size-cells", 0);
	for (i = 0; i < d->ncpus; i++) {
		aff = d->mpidr[i] & FDT_MPIDR_AFF_MASK;
		reg[0] = (uint32_t)(aff >> 32);
		reg[1] = (uint32_t)aff;
		w_begin(w, "cpu@%llx", (unsigned long long)aff);
		w_str(w, "device_type", "cpu");
		w_str(w, "compatible", "arm,arm-v8");
		w_str(w, "enable-method", "psci");
		w_cells(w, "reg", reg, 2);
		w_end(w);
	}
	w_end(w);
}

static void write_gic(struct fdt_writer *w, const struct fdt_desc *d)
{
	w_begin(w, "intc@%llx", (unsigned long long)d->gicd_base);
	if (d->gic == FDT_GIC_V3) {
		w_str(w, "compatible", "arm,gic-v3");
		w_reg2(w, d->gicd_base, d->gicd_size, d->gicr_base, d->gicr_size);
		w_u32(w, "#redistributor-regions", 1);
	} else {
		w_str(w, "compatible", "arm,cortex-a15-gic");
		w_reg2(w, d->gicd_base, d->gicd_size, d->gicc_base, d->gicc_size);
	}
	w_u32(w, "#interrupt-cells", 3);
	w_empty(w, "interrupt-controller");
	w_u32(w, "phandle", FDT_PHANDLE_GIC);
	if (d->its) {
		/* Identity ranges so the ITS reg translates to the root's space. */
		w_u32(w, "#address-cells", 2);
		w_u32(w, "#size-cells", 2);
		w_empty(w, "ranges");
		w_begin(w, "its@%llx", (unsigned long long)d->its_base);
		w_str(w, "compatible", "arm,gic-v3-its");
		w_empty(w, "msi-controller");
		w_u32(w, "#msi-cells", 1);
		w_reg(w, d->its_base, d->its_size);
		w_end(w);
	} else {
		/* No children; dtc wants #address-cells on interrupt providers. */
		w_u32(w, "#address-cells", 0);
	}
	w_end(w);
}

static void write_timer_pmu(struct fdt_writer *w, const struct fdt_desc *d)
{
	uint32_t flags = ppi_flags(d);
	uint32_t timer[12] = {
		GIC_PPI, LAYOUT_PPI_SPTIMER - 16, flags,
		GIC_PPI, LAYOUT_PPI_PTIMER - 16, flags,
		GIC_PPI, LAYOUT_PPI_VTIMER - 16, flags,
		GIC_PPI, LAYOUT_PPI_HTIMER - 16, flags,
	};
	uint32_t pmu[3] = { GIC_PPI, LAYOUT_PPI_PMU - 16, flags };

	w_begin(w, "timer");
	w_str(w, "compatible", "arm,armv8-timer");
	w_cells(w, "interrupts", timer, 12);
	w_empty(w, "always-on");
	w_end(w);
	if (d->pmu) {
		w_begin(w, "pmu");
		w_str(w, "compatible", "arm,armv8-pmuv3");
		w_cells(w, "interrupts", pmu, 3);
		w_end(w);
	}
}

static void write_uart(struct fdt_writer *w, const struct fdt_desc *d)
{
	w_begin(w, "serial@%llx", (unsigned long long)d->uart.base);
	w_str(w, "compatible", "ns16550a");
	w_reg(w, d->uart.base, d->uart.size);
	w_spi(w, d->uart.intid, FDT_IRQ_LEVEL_HIGH);
	w_u32(w, "clock-frequency", UART_CLK_HZ);
	w_end(w);
}

static void write_apb_clock(struct fdt_writer *w)
{
	w_begin(w, "apb-pclk");
	w_str(w, "compatible", "fixed-clock");
	w_u32(w, "#clock-cells", 0);
	w_u32(w, "clock-frequency", APB_CLK_HZ);
	w_str(w, "clock-output-names", "clk24mhz");
	w_u32(w, "phandle", FDT_PHANDLE_APB_CLK);
	w_end(w);
}

/* The part every AMBA primecell node shares: reg, interrupt, bus clock. */
static void write_primecell_common(struct fdt_writer *w, const struct fdt_mmio_dev *dev)
{
	w_reg(w, dev->base, dev->size);
	w_spi(w, dev->intid, FDT_IRQ_LEVEL_HIGH);
	w_u32(w, "clocks", FDT_PHANDLE_APB_CLK);
	w_str(w, "clock-names", "apb_pclk");
}

static void write_rtc(struct fdt_writer *w, const struct fdt_desc *d)
{
	w_begin(w, "rtc@%llx", (unsigned long long)d->rtc.base);
	W_STRLIST(w, "compatible", "arm,pl031\0arm,primecell");
	write_primecell_common(w, &d->rtc);
	w_end(w);
}

static void write_gpio(struct fdt_writer *w, const struct fdt_desc *d)
{
	uint32_t gpios[3] = { FDT_PHANDLE_GPIO, d->gpio_power_pin, GPIO_ACTIVE_HIGH };

	w_begin(w, "gpio@%llx", (unsigned long long)d->gpio.base);
	W_STRLIST(w, "compatible", "arm,pl061\0arm,primecell");
	write_primecell_common(w, &d->gpio);
	w_empty(w, "gpio-controller");
	w_u32(w, "#gpio-cells", 2);
	w_u32(w, "phandle", FDT_PHANDLE_GPIO);
	w_end(w);

	w_begin(w, "gpio-keys");
	w_str(w, "compatible", "gpio-keys");
	w_begin(w, "button-power");
	w_str(w, "label", "Power");
	w_u32(w, "linux,code", FDT_KEY_POWER);
	w_cells(w, "gpios", gpios, 3);
	w_end(w);
	w_end(w);
}

static void write_virtio(struct fdt_writer *w, const struct fdt_mmio_dev *dev)
{
	w_begin(w, "virtio_mmio@%llx", (unsigned long long)dev->base);
	w_str(w, "compatible", "virtio,mmio");
	w_reg(w, dev->base, dev->size);
	w_spi(w, dev->intid, FDT_IRQ_EDGE_RISING);
	w_empty(w, "dma-coherent");
	w_end(w);
}

int fdt_build(const struct fdt_desc *d, void *buf, size_t bufsize, size_t *out_size)
{
	struct fdt_writer w = { .fdt = buf };
	char uart_path[64] = "";
	uint32_t i;
	int ret;

	ret = validate(d);
	if (ret)
		return ret;
	if (d->uart.size)
		snprintf(uart_path, sizeof(uart_path), "/serial@%llx",
			 (unsigned long long)d->uart.base);

	w_check(&w, fdt_create(buf, bufsize > INT_MAX ? INT_MAX : (int)bufsize));
	if (!w.err)
		w_check(&w, fdt_finish_reservemap(buf));

	w_begin(&w, "%s", "");	/* root */
	w_u32(&w, "#address-cells", 2);
	w_u32(&w, "#size-cells", 2);
	w_str(&w, "compatible", "linux,dummy-virt");
	w_str(&w, "model", "kestrel");
	w_u32(&w, "interrupt-parent", FDT_PHANDLE_GIC);

	write_chosen(&w, d, d->uart.size ? uart_path : NULL);
	if (d->uart.size) {
		w_begin(&w, "aliases");
		w_str(&w, "serial0", uart_path);
		w_end(&w);
	}
	write_cpus(&w, d);

	w_begin(&w, "psci");
	W_STRLIST(&w, "compatible", "arm,psci-0.2\0arm,psci");
	w_str(&w, "method", "hvc");
	w_end(&w);

	w_begin(&w, "memory@%llx", (unsigned long long)d->mem_base);
	w_str(&w, "device_type", "memory");
	w_reg(&w, d->mem_base, d->mem_size);
	w_end(&w);

	write_gic(&w, d);
	write_timer_pmu(&w, d);
	if (d->rtc.size || d->gpio.size)
		write_apb_clock(&w);
	if (d->uart.size)
		write_uart(&w, d);
	if (d->rtc.size)
		write_rtc(&w, d);
	if (d->gpio.size)
		write_gpio(&w, d);
	for (i = 0; i < d->nvirtio; i++)
		write_virtio(&w, &d->virtio[i]);

	w_end(&w);	/* root */
	if (!w.err)
		w_check(&w, fdt_finish(buf));
	if (w.err)
		return w.err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	if (out_size)
		*out_size = fdt_totalsize(buf);
	return 0;
}

int fdt_write_file(const void *fdt, const char *path)
{
	const uint8_t *p = fdt;
	size_t left, done = 0;
	ssize_t n;
	int fd, ret = 0;

	if (!fdt || fdt_check_header(fdt))
		return -EINVAL;
	left = fdt_totalsize(fdt);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (done < left) {
		n = write(fd, p + done, left - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out_close;
		}
		done += (size_t)n;
	}
out_close:
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}
