// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: device tree builder (arch/arm64/fdt.c). Each tree is built and
 * then read back with libfdt's read-only API.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "arch/arm64/fdt.h"
#include "arch/arm64/layout.h"

#define BUFSZ (64 * 1024)
#define NVIRTIO 3

struct fx {
	uint64_t mpidr[32];
	struct fdt_mmio_dev virtio[NVIRTIO];
	struct fdt_desc d;
	uint8_t buf[BUFSZ];
};

/* MPIDR as KVM builds it (16 vCPUs per Aff1 cluster), with RES1 bit 31 set. */
static uint64_t kvm_mpidr(uint32_t i)
{
	return (1ULL << 31) | ((uint64_t)(i / 16) << 8) | (i % 16);
}

static void fill_desc(struct fx *f, enum fdt_gic_version gic, uint32_t ncpus)
{
	struct fdt_desc *d = &f->d;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < sizeof(f->mpidr) / sizeof(f->mpidr[0]); i++)
		f->mpidr[i] = kvm_mpidr(i);
	for (i = 0; i < NVIRTIO; i++) {
		f->virtio[i].base = LAYOUT_VIRTIO_BASE + i * LAYOUT_VIRTIO_SIZE;
		f->virtio[i].size = LAYOUT_VIRTIO_SIZE;
		f->virtio[i].intid = LAYOUT_VIRTIO_INTID(i);
	}
	d->ncpus = ncpus;
	d->mpidr = f->mpidr;
	d->mem_base = LAYOUT_RAM_BASE;
	d->mem_size = 512ULL << 20;
	d->gic = gic;
	d->gicd_base = LAYOUT_GICD_BASE;
	if (gic == FDT_GIC_V3) {
		d->gicd_size = LAYOUT_GICD_V3_SIZE;
		d->gicr_base = LAYOUT_GICR_BASE;
		d->gicr_size = ncpus * LAYOUT_GICR_STRIDE;
		d->its = true;
		d->its_base = LAYOUT_ITS_BASE;
		d->its_size = LAYOUT_ITS_SIZE;
	} else {
		d->gicd_size = LAYOUT_GICD_V2_SIZE;
		d->gicc_base = LAYOUT_GICC_BASE;
		d->gicc_size = LAYOUT_GICC_SIZE;
	}
	d->pmu = true;
	d->bootargs = "console=ttyS0 panic=-1";
	d->initrd_start = 0x84000000;
	d->initrd_end = 0x84123456;
	d->kaslr_seed = 0x0123456789abcdefULL;
	d->has_rng_seed = true;
	for (i = 0; i < FDT_RNG_SEED_SIZE; i++)
		d->rng_seed[i] = (uint8_t)(0xa0 + i);
	d->uart = (struct fdt_mmio_dev){ LAYOUT_UART_BASE, LAYOUT_UART_SIZE, LAYOUT_UART_INTID };
	d->rtc = (struct fdt_mmio_dev){ LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE, LAYOUT_RTC_INTID };
	d->gpio = (struct fdt_mmio_dev){ LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE, LAYOUT_GPIO_INTID };
	d->gpio_power_pin = LAYOUT_GPIO_POWER_PIN;
	d->virtio = f->virtio;
	d->nvirtio = NVIRTIO;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Property @name of node @path: its length must be @len; returns the value. */
static const void *prop(const void *fdt, const char *path, const char *name, int len)
{
	int off = fdt_path_offset(fdt, path), plen = -1;
	const void *p;

	if (off < 0)
		fail_msg("node %s missing (%s)", path, fdt_strerror(off));
	p = fdt_getprop(fdt, off, name, &plen);
	if (!p)
		fail_msg("%s:%s missing", path, name);
	if (len >= 0 && plen != len)
		fail_msg("%s:%s has %d bytes, expected %d", path, name, plen, len);
	return p;
}

static uint32_t cell(const void *p, int i)
{
	return fdt32_to_cpu(((const fdt32_t *)p)[i]);
}

static uint64_t cells64(const void *p, int i)
{
	return (uint64_t)cell(p, i) << 32 | cell(p, i + 1);
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
	return cell(prop(fdt, path, name, 4), 0);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
	return cells64(prop(fdt, path, name, 8), 0);
}

static void check_reg(const void *fdt, const char *path, uint64_t base, uint64_t size)
{
	const void *r = prop(fdt, path, "reg", 16);

	assert_int_equal(cells64(r, 0), base);
	assert_int_equal(cells64(r, 2), size);
}

static void check_spi(const void *fdt, const char *path, uint32_t intid, uint32_t flags)
{
	const void *r = prop(fdt, path, "interrupts", 12);

	assert_int_equal(cell(r, 0), 0);
	assert_int_equal(cell(r, 1), intid - 32);
	assert_int_equal(cell(r, 2), flags);
}

static bool has_node(const void *fdt, const char *path)
{
	return fdt_path_offset(fdt, path) >= 0;
}

static void check_cpus(const void *fdt, const struct fdt_desc *d)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node;
	uint32_t n = 0;

	assert_true(cpus >= 0);
	assert_int_equal(prop_u32(fdt, "/cpus", "#address-cells"), 2);
	assert_int_equal(prop_u32(fdt, "/cpus", "#size-cells"), 0);
	fdt_for_each_subnode(node, fdt, cpus) {
		const char *dt = fdt_getprop(fdt, node, "device_type", NULL);
		const void *reg;
		uint64_t aff;
		int len;

		if (!dt || strcmp(dt, "cpu"))
			continue;
		assert_true(n < d->ncpus);
		reg = fdt_getprop(fdt, node, "reg", &len);
		assert_non_null(reg);
		assert_int_equal(len, 8);
		aff = d->mpidr[n] & FDT_MPIDR_AFF_MASK;
		assert_int_equal(cell(reg, 0), aff >> 32);
		assert_int_equal(cell(reg, 1), (uint32_t)aff);
		assert_int_equal(fdt_node_check_compatible(fdt, node, "arm,arm-v8"), 0);
		assert_string_equal(fdt_getprop(fdt, node, "enable-method", NULL), "psci");
		n++;
	}
	assert_int_equal(n, d->ncpus);
}

/*
 * The PL061 and its gpio-keys power button, laid out as on QEMU's virt board:
 * a PrimeCell with the APB clock, a 2-cell GPIO controller, and a KEY_POWER
 * key on pin @pin, active high.
 */
static void check_gpio(const void *fdt, uint32_t pin)
{
	const void *p;
	int off, clk, keys;

	off = fdt_path_offset(fdt, "/gpio@9020000");
	assert_true(off >= 0);
	assert_int_equal(fdt_node_check_compatible(fdt, off, "arm,pl061"), 0);
	assert_int_equal(fdt_node_check_compatible(fdt, off, "arm,primecell"), 0);
	check_reg(fdt, "/gpio@9020000", LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE);
	check_spi(fdt, "/gpio@9020000", LAYOUT_GPIO_INTID, 4);
	assert_non_null(fdt_getprop(fdt, off, "gpio-controller", NULL));
	assert_int_equal(prop_u32(fdt, "/gpio@9020000", "#gpio-cells"), 2);
	assert_string_equal(prop(fdt, "/gpio@9020000", "clock-names", -1), "apb_pclk");
	clk = fdt_node_offset_by_phandle(fdt, prop_u32(fdt, "/gpio@9020000", "clocks"));
	assert_int_equal(clk, fdt_path_offset(fdt, "/apb-pclk"));
	assert_int_equal(fdt_node_check_compatible(fdt, clk, "fixed-clock"), 0);

	keys = fdt_path_offset(fdt, "/gpio-keys");
	assert_true(keys >= 0);
	assert_int_equal(fdt_node_check_compatible(fdt, keys, "gpio-keys"), 0);
	p = prop(fdt, "/gpio-keys/button-power", "gpios", 12);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, cell(p, 0)), off);
	assert_int_equal(cell(p, 1), pin);
	assert_int_equal(cell(p, 2), 0); /* GPIO_ACTIVE_HIGH */
	assert_int_equal(prop_u32(fdt, "/gpio-keys/button-power", "linux,code"), 116);
	assert_non_null(prop(fdt, "/gpio-keys/button-power", "label", -1));
}

static void check_common(const void *fdt, const struct fdt_desc *d)
{
	int gic, off, n;

	assert_int_equal(fdt_check_header(fdt), 0);
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);
	assert_string_equal(prop(fdt, "/", "compatible", -1), "linux,dummy-virt");
	assert_string_equal(prop(fdt, "/", "model", -1), "kestrel");
	assert_int_equal(prop_u32(fdt, "/", "#address-cells"), 2);
	assert_int_equal(prop_u32(fdt, "/", "#size-cells"), 2);

	/* interrupt-parent points at the GIC node. */
	gic = fdt_path_offset(fdt, "/intc@8000000");
	assert_true(gic >= 0);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, prop_u32(fdt, "/", "interrupt-parent")),
			 gic);
	assert_non_null(fdt_getprop(fdt, gic, "interrupt-controller", NULL));
	assert_int_equal(prop_u32(fdt, "/intc@8000000", "#interrupt-cells"), 3);

	check_cpus(fdt, d);
	assert_int_equal(fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/psci"),
						   "arm,psci-0.2"), 0);
	assert_int_equal(fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/psci"), "arm,psci"),
			 0);
	assert_string_equal(prop(fdt, "/psci", "method", -1), "hvc");

	assert_string_equal(prop(fdt, "/memory@80000000", "device_type", -1), "memory");
	check_reg(fdt, "/memory@80000000", d->mem_base, d->mem_size);

	/* Serial, RTC with its bus clock, GPIO power button. */
	assert_string_equal(prop(fdt, "/serial@9000000", "compatible", -1), "ns16550a");
	check_reg(fdt, "/serial@9000000", LAYOUT_UART_BASE, LAYOUT_UART_SIZE);
	check_spi(fdt, "/serial@9000000", LAYOUT_UART_INTID, 4);
	assert_int_equal(prop_u32(fdt, "/serial@9000000", "clock-frequency"), 1843200);

	off = fdt_path_offset(fdt, "/rtc@9010000");
	assert_int_equal(fdt_node_check_compatible(fdt, off, "arm,pl031"), 0);
	assert_int_equal(fdt_node_check_compatible(fdt, off, "arm,primecell"), 0);
	check_reg(fdt, "/rtc@9010000", LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE);
	check_spi(fdt, "/rtc@9010000", LAYOUT_RTC_INTID, 4);
	assert_string_equal(prop(fdt, "/rtc@9010000", "clock-names", -1), "apb_pclk");
	off = fdt_node_offset_by_phandle(fdt, prop_u32(fdt, "/rtc@9010000", "clocks"));
	assert_true(off >= 0);
	assert_int_equal(fdt_node_check_compatible(fdt, off, "fixed-clock"), 0);
	assert_int_equal(cell(fdt_getprop(fdt, off, "#clock-cells", NULL), 0), 0);

	check_gpio(fdt, LAYOUT_GPIO_POWER_PIN);

	/* virtio-mmio transports. */
	n = 0;
	fdt_for_each_subnode(off, fdt, 0) {
		char path[64];

		if (fdt_node_check_compatible(fdt, off, "virtio,mmio"))
			continue;
		assert_true(n < NVIRTIO);
		snprintf(path, sizeof(path), "/virtio_mmio@%llx",
			 (unsigned long long)d->virtio[n].base);
		assert_int_equal(fdt_path_offset(fdt, path), off);
		check_reg(fdt, path, d->virtio[n].base, LAYOUT_VIRTIO_SIZE);
		check_spi(fdt, path, LAYOUT_VIRTIO_INTID(n), 1);
		assert_non_null(fdt_getprop(fdt, off, "dma-coherent", NULL));
		n++;
	}
	assert_int_equal(n, NVIRTIO);

	/* chosen and aliases. */
	assert_string_equal(prop(fdt, "/chosen", "bootargs", -1), d->bootargs);
	assert_string_equal(prop(fdt, "/chosen", "stdout-path", -1), "/serial@9000000");
	assert_int_equal(fdt_path_offset(fdt, prop(fdt, "/chosen", "stdout-path", -1)),
			 fdt_path_offset(fdt, "/serial@9000000"));
	assert_string_equal(prop(fdt, "/aliases", "serial0", -1), "/serial@9000000");
	assert_int_equal(prop_u64(fdt, "/chosen", "linux,initrd-start"), 0x84000000);
	assert_int_equal(prop_u64(fdt, "/chosen", "linux,initrd-end"), 0x84123456);
	assert_int_equal(prop_u64(fdt, "/chosen", "kaslr-seed"), 0x0123456789abcdefULL);
	assert_memory_equal(prop(fdt, "/chosen", "rng-seed", FDT_RNG_SEED_SIZE), d->rng_seed,
			    FDT_RNG_SEED_SIZE);
}

/* Timer: PPIs 13, 14, 11, 10 with @flags; PMU PPI 7. */
static void check_timer_pmu(const void *fdt, uint32_t flags)
{
	static const uint32_t ppis[4] = { 13, 14, 11, 10 };
	const void *t = prop(fdt, "/timer", "interrupts", 48);
	const void *p = prop(fdt, "/pmu", "interrupts", 12);

	assert_int_equal(fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/timer"),
						   "arm,armv8-timer"), 0);
	assert_non_null(prop(fdt, "/timer", "always-on", 0));
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cell(t, 3 * i), 1);
		assert_int_equal(cell(t, 3 * i + 1), ppis[i]);
		assert_int_equal(cell(t, 3 * i + 2), flags);
	}
	assert_int_equal(fdt_node_check_compatible(fdt, fdt_path_offset(fdt, "/pmu"),
						   "arm,armv8-pmuv3"), 0);
	assert_int_equal(cell(p, 0), 1);
	assert_int_equal(cell(p, 1), 7);
	assert_int_equal(cell(p, 2), flags);
}

static void test_v3_its(void **state)
{
	struct fx *f = *state;
	const void *r;
	size_t size = 0;

	fill_desc(f, FDT_GIC_V3, 20);	/* crosses into Aff1 = 1 */
	f->mpidr[19] |= 2ULL << 32;	/* one vCPU with Aff3 = 2 */
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), &size), 0);
	assert_int_equal(size, fdt_totalsize(f->buf));
	assert_true(size <= sizeof(f->buf));
	check_common(f->buf, &f->d);
	assert_true(has_node(f->buf, "/cpus/cpu@0"));
	assert_true(has_node(f->buf, "/cpus/cpu@102"));
	assert_true(has_node(f->buf, "/cpus/cpu@200000103"));
	r = prop(f->buf, "/cpus/cpu@200000103", "reg", 8);
	assert_int_equal(cell(r, 0), 2);
	assert_int_equal(cell(r, 1), 0x103);

	assert_string_equal(prop(f->buf, "/intc@8000000", "compatible", -1), "arm,gic-v3");
	r = prop(f->buf, "/intc@8000000", "reg", 32);
	assert_int_equal(cells64(r, 0), LAYOUT_GICD_BASE);
	assert_int_equal(cells64(r, 2), LAYOUT_GICD_V3_SIZE);
	assert_int_equal(cells64(r, 4), LAYOUT_GICR_BASE);
	assert_int_equal(cells64(r, 6), 20 * LAYOUT_GICR_STRIDE);
	assert_int_equal(prop_u32(f->buf, "/intc@8000000", "#redistributor-regions"), 1);

	/* ITS child whose reg translates through an identity "ranges". */
	assert_non_null(prop(f->buf, "/intc@8000000", "ranges", 0));
	assert_int_equal(prop_u32(f->buf, "/intc@8000000", "#address-cells"), 2);
	assert_int_equal(prop_u32(f->buf, "/intc@8000000", "#size-cells"), 2);
	assert_string_equal(prop(f->buf, "/intc@8000000/its@8080000", "compatible", -1),
			    "arm,gic-v3-its");
	assert_non_null(prop(f->buf, "/intc@8000000/its@8080000", "msi-controller", 0));
	assert_int_equal(prop_u32(f->buf, "/intc@8000000/its@8080000", "#msi-cells"), 1);
	check_reg(f->buf, "/intc@8000000/its@8080000", LAYOUT_ITS_BASE, LAYOUT_ITS_SIZE);

	check_timer_pmu(f->buf, 4);	/* GICv3: no CPU mask */
}

static void test_v3_without_its(void **state)
{
	struct fx *f = *state;
	int gic;

	fill_desc(f, FDT_GIC_V3, 1);
	f->d.its = false;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	check_common(f->buf, &f->d);
	gic = fdt_path_offset(f->buf, "/intc@8000000");
	assert_int_equal(fdt_first_subnode(f->buf, gic), -FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_node_offset_by_compatible(f->buf, -1, "arm,gic-v3-its"),
			 -FDT_ERR_NOTFOUND);
	assert_null(fdt_getprop(f->buf, gic, "ranges", NULL));
	assert_int_equal(prop_u32(f->buf, "/intc@8000000", "#address-cells"), 0);
}

static void test_v2(void **state)
{
	struct fx *f = *state;
	const void *r;

	fill_desc(f, FDT_GIC_V2, 3);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	check_common(f->buf, &f->d);
	assert_string_equal(prop(f->buf, "/intc@8000000", "compatible", -1), "arm,cortex-a15-gic");
	r = prop(f->buf, "/intc@8000000", "reg", 32);
	assert_int_equal(cells64(r, 0), LAYOUT_GICD_BASE);
	assert_int_equal(cells64(r, 2), 0x1000);
	assert_int_equal(cells64(r, 4), LAYOUT_GICC_BASE);
	assert_int_equal(cells64(r, 6), 0x2000);
	assert_int_equal(fdt_node_offset_by_compatible(f->buf, -1, "arm,gic-v3-its"),
			 -FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_node_offset_by_compatible(f->buf, -1, "arm,gic-v3"),
			 -FDT_ERR_NOTFOUND);
	check_timer_pmu(f->buf, 4 | (0x7 << 8));
	assert_int_equal(prop_u32(f->buf, "/intc@8000000", "#address-cells"), 0);

	fill_desc(f, FDT_GIC_V2, 8);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	check_common(f->buf, &f->d);
	check_timer_pmu(f->buf, 4 | (0xff << 8));
}

static void test_minimal(void **state)
{
	struct fx *f = *state;
	int chosen;

	fill_desc(f, FDT_GIC_V3, 1);
	f->d.its = false;
	f->d.pmu = false;
	f->d.bootargs = NULL;
	f->d.initrd_start = f->d.initrd_end = 0;
	f->d.kaslr_seed = 0;
	f->d.has_rng_seed = false;
	f->d.uart.size = f->d.rtc.size = f->d.gpio.size = 0;
	f->d.nvirtio = 0;
	f->d.virtio = NULL;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	assert_int_equal(fdt_check_header(f->buf), 0);
	check_cpus(f->buf, &f->d);
	assert_true(has_node(f->buf, "/timer"));
	assert_false(has_node(f->buf, "/pmu"));
	assert_false(has_node(f->buf, "/serial@9000000"));
	assert_false(has_node(f->buf, "/rtc@9010000"));
	assert_false(has_node(f->buf, "/gpio@9020000"));
	assert_false(has_node(f->buf, "/gpio-keys"));
	assert_false(has_node(f->buf, "/apb-pclk"));
	assert_false(has_node(f->buf, "/aliases"));
	assert_int_equal(fdt_node_offset_by_compatible(f->buf, -1, "virtio,mmio"),
			 -FDT_ERR_NOTFOUND);
	chosen = fdt_path_offset(f->buf, "/chosen");
	assert_true(chosen >= 0);
	assert_null(fdt_getprop(f->buf, chosen, "bootargs", NULL));
	assert_null(fdt_getprop(f->buf, chosen, "stdout-path", NULL));
	assert_null(fdt_getprop(f->buf, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(f->buf, chosen, "kaslr-seed", NULL));
	assert_null(fdt_getprop(f->buf, chosen, "rng-seed", NULL));
}

/* The PL061 alone (no RTC) still gets the bus clock; the pin is the one asked for. */
static void test_gpio_only(void **state)
{
	struct fx *f = *state;

	fill_desc(f, FDT_GIC_V3, 1);
	f->d.rtc.size = 0;
	f->d.gpio_power_pin = 7;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	assert_int_equal(fdt_check_full(f->buf, fdt_totalsize(f->buf)), 0);
	assert_false(has_node(f->buf, "/rtc@9010000"));
	check_gpio(f->buf, 7);
	/* And the RTC alone has no power button. */
	fill_desc(f, FDT_GIC_V3, 1);
	f->d.gpio.size = 0;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	assert_true(has_node(f->buf, "/apb-pclk"));
	assert_false(has_node(f->buf, "/gpio@9020000"));
	assert_false(has_node(f->buf, "/gpio-keys"));
}

static void test_buffer_too_small(void **state)
{
	struct fx *f = *state;
	size_t size;
	uint8_t *exact;

	fill_desc(f, FDT_GIC_V3, 4);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), &size), 0);
	assert_int_equal(fdt_build(&f->d, f->buf, 10, NULL), -ENOSPC);
	assert_int_equal(fdt_build(&f->d, f->buf, 512, NULL), -ENOSPC);
	assert_int_equal(fdt_build(&f->d, f->buf, size - 1, NULL), -ENOSPC);
	/* Exactly the final size is enough (in a heap buffer, so ASan sees overruns). */
	exact = malloc(size);
	assert_non_null(exact);
	assert_int_equal(fdt_build(&f->d, exact, size, NULL), 0);
	assert_int_equal(fdt_check_header(exact), 0);
	assert_int_equal(fdt_totalsize(exact), size);
	check_common(exact, &f->d);
	free(exact);
}

static void test_bad_desc(void **state)
{
	struct fx *f = *state;

	fill_desc(f, FDT_GIC_V3, 0);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V3, 2);
	f->d.mpidr = NULL;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V2, FDT_GICV2_MAX_CPUS + 1);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V2, 2);
	f->d.its = true;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V3, 2);
	f->d.initrd_end = f->d.initrd_start - 1;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V3, 2);
	f->d.uart.intid = 27;	/* a PPI is not a device interrupt */
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V3, 2);
	f->d.gpio_power_pin = 8;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	fill_desc(f, FDT_GIC_V3, 2);
	f->d.gpio.intid = 3;	/* SGI */
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
	f->d.gpio.size = 0;	/* absent: its fields do not matter */
	f->d.gpio_power_pin = 99;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	fill_desc(f, FDT_GIC_V3, 2);
	f->d.virtio = NULL;
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), -EINVAL);
}

static void test_write_file(void **state)
{
	struct fx *f = *state;
	char path[] = "/tmp/kestrel-test-fdt-XXXXXX";
	uint8_t *back;
	size_t size;
	FILE *fp;
	int fd;

	fill_desc(f, FDT_GIC_V3, 2);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), &size), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(fdt_write_file(f->buf, path), 0);

	back = malloc(size + 1);
	assert_non_null(back);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, size + 1, fp), size);
	fclose(fp);
	assert_memory_equal(back, f->buf, size);
	free(back);
	unlink(path);

	memset(f->buf, 0, 64);
	assert_int_equal(fdt_write_file(f->buf, path), -EINVAL);
	fill_desc(f, FDT_GIC_V3, 2);
	assert_int_equal(fdt_build(&f->d, f->buf, sizeof(f->buf), NULL), 0);
	assert_int_equal(fdt_write_file(f->buf, "/nonexistent-dir/x.dtb"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v3_its, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_without_its, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpio_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_desc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
