// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the FDT builder (arch/arm64/fdt.c) fed random valid
 * descriptions derived from the input: vCPU count and MPIDRs, memory, GIC
 * kind and addresses (GICv2, GICv3 with or without ITS), PMU, UART, RTC,
 * GPIO (power pin), virtio-mmio slots, initrd, KASLR and RNG seeds and the
 * command line bytes.
 *
 * Input: byte 0 flags (bit 0 GICv2, bit 1 ITS on a GICv3, bit 2 PMU, bit 3
 * RNG seed, bits 4-6 UART / RTC / GPIO present, bit 7 initrd), byte 1 the
 * vCPU count (1 + b % 8 on a GICv2, else % 64), byte 2 the virtio slot
 * count (b % 9), then 64 bytes of addresses, INTIDs, affinity and seeds;
 * the rest is the command line (up to its first NUL; none without one).
 *
 * Checks (abort on violation): fdt_build() accepts every valid description
 * and its output passes fdt_check_full(); no node has a property twice;
 * reading the tree back gives what was described: one cpu@ node per vCPU
 * with its MPIDR affinity as reg, in order; memory reg; the GIC's
 * compatible, reg and (GICv3) ITS child; timer PPIs with the GICv2 CPU
 * mask; the PMU; each device's node, reg and interrupt specifier (level
 * high, virtio edge rising); the power button's pin; /chosen bootargs,
 * stdout-path, initrd range, kaslr-seed and rng-seed. Built by
 * scripts/fuzz.sh; tests/unit/test_fuzz_replay.c replays its seeds and
 * regress folder.
 *
 * fuzz-sources: arch/arm64/fdt.c lib/log.c -lfdt
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "arch/arm64/fdt.h"

#define FF_CHECK(c)              \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

#define FF_PARAMS 64u
#define FF_MAX_CPUS 64u
#define FF_BUF_SIZE (64u * 1024)

struct ff_in {
	const uint8_t *p;
	size_t n;
};

static uint64_t ff_take(struct ff_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

/* A node at @path, which must exist. */
static int ff_node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	FF_CHECK(off >= 0);
	return off;
}

/* Whether property @name of node @off is exactly the big-endian cells @c. */
static bool ff_cells(const void *fdt, int off, const char *name, const uint32_t *c, int n)
{
	int len = -1;
	const fdt32_t *p = fdt_getprop(fdt, off, name, &len);

	if (!p || len != n * 4)
		return false;
	for (int i = 0; i < n; i++)
		if (fdt32_to_cpu(p[i]) != c[i])
			return false;
	return true;
}

static bool ff_reg(const void *fdt, int off, uint64_t base, uint64_t size)
{
	uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
			 (uint32_t)size};

	return ff_cells(fdt, off, "reg", c, 4);
}

static bool ff_u64(const void *fdt, int off, const char *name, uint64_t v)
{
	uint32_t c[2] = {(uint32_t)(v >> 32), (uint32_t)v};

	return ff_cells(fdt, off, name, c, 2);
}

static bool ff_str(const void *fdt, int off, const char *name, const char *s)
{
	int len = -1;
	const char *p = fdt_getprop(fdt, off, name, &len);

	return p && len == (int)strlen(s) + 1 && !memcmp(p, s, (size_t)len);
}

/* No node has a property twice (libfdt's checks allow it; Linux and dtc do not). */
static void ff_no_dup_props(const void *fdt)
{
	int node, a, b;

	for (node = 0; node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		fdt_for_each_property_offset(a, fdt, node)
		{
			const char *na, *nb;

			FF_CHECK(fdt_getprop_by_offset(fdt, a, &na, NULL));
			for (b = fdt_next_property_offset(fdt, a); b >= 0;
			     b = fdt_next_property_offset(fdt, b)) {
				FF_CHECK(fdt_getprop_by_offset(fdt, b, &nb, NULL));
				FF_CHECK(strcmp(na, nb) != 0);
			}
		}
	}
}

static void ff_dev(const void *fdt, const char *kind, const struct fdt_mmio_dev *dev,
		   uint32_t flags)
{
	char path[64];
	uint32_t irq[3] = {0, dev->intid - 32, flags};
	int off;

	snprintf(path, sizeof(path), "/%s@%llx", kind, (unsigned long long)dev->base);
	off = fdt_path_offset(fdt, path);
	if (!dev->size) {
		FF_CHECK(off < 0);
		return;
	}
	FF_CHECK(off >= 0);
	FF_CHECK(ff_reg(fdt, off, dev->base, dev->size));
	FF_CHECK(ff_cells(fdt, off, "interrupts", irq, 3));
}

static void ff_check(const void *fdt, const struct fdt_desc *d)
{
	char path[64];
	uint32_t mask = d->gic == FDT_GIC_V2 ? ((1u << d->ncpus) - 1) << 8 : 0;
	uint32_t timer[12] = {1, 13, 4 | mask, 1, 14, 4 | mask, 1, 11, 4 | mask, 1, 10, 4 | mask};
	uint32_t pmu[3] = {1, 7, 4 | mask};
	int off, node, i = 0, chosen;

	/* CPUs: one node per vCPU, in order, reg = the affinity. */
	off = ff_node(fdt, "/cpus");
	fdt_for_each_subnode(node, fdt, off)
	{
		uint64_t aff;

		FF_CHECK((uint32_t)i < d->ncpus);
		aff = d->mpidr[i] & FDT_MPIDR_AFF_MASK;
		snprintf(path, sizeof(path), "cpu@%llx", (unsigned long long)aff);
		FF_CHECK(!strcmp(fdt_get_name(fdt, node, NULL), path));
		FF_CHECK(ff_u64(fdt, node, "reg", aff));
		FF_CHECK(ff_str(fdt, node, "device_type", "cpu"));
		i++;
	}
	FF_CHECK((uint32_t)i == d->ncpus);

	snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)d->mem_base);
	FF_CHECK(ff_reg(fdt, ff_node(fdt, path), d->mem_base, d->mem_size));

	snprintf(path, sizeof(path), "/intc@%llx", (unsigned long long)d->gicd_base);
	off = ff_node(fdt, path);
	FF_CHECK(fdt_node_check_compatible(fdt, off,
					   d->gic == FDT_GIC_V2 ? "arm,cortex-a15-gic"
								: "arm,gic-v3") == 0);
	FF_CHECK(fdt_get_phandle(fdt, off) == FDT_PHANDLE_GIC);
	{
		uint64_t b1 = d->gic == FDT_GIC_V2 ? d->gicc_base : d->gicr_base;
		uint64_t s1 = d->gic == FDT_GIC_V2 ? d->gicc_size : d->gicr_size;
		uint32_t c[8] = {(uint32_t)(d->gicd_base >> 32), (uint32_t)d->gicd_base,
				 (uint32_t)(d->gicd_size >> 32), (uint32_t)d->gicd_size,
				 (uint32_t)(b1 >> 32),		 (uint32_t)b1,
				 (uint32_t)(s1 >> 32),		 (uint32_t)s1};

		FF_CHECK(ff_cells(fdt, off, "reg", c, 8));
	}
	snprintf(path, sizeof(path), "its@%llx", (unsigned long long)d->its_base);
	node = fdt_subnode_offset(fdt, off, path);
	FF_CHECK(d->its ? node >= 0 && ff_reg(fdt, node, d->its_base, d->its_size) : node < 0);

	FF_CHECK(ff_cells(fdt, ff_node(fdt, "/timer"), "interrupts", timer, 12));
	off = fdt_path_offset(fdt, "/pmu");
	FF_CHECK(d->pmu ? off >= 0 && ff_cells(fdt, off, "interrupts", pmu, 3) : off < 0);

	ff_dev(fdt, "serial", &d->uart, 4);
	ff_dev(fdt, "rtc", &d->rtc, 4);
	ff_dev(fdt, "gpio", &d->gpio, 4);
	if (d->gpio.size) {
		off = ff_node(fdt, "/gpio-keys/button-power");
		FF_CHECK(ff_cells(fdt, off, "gpios",
				  (uint32_t[]){FDT_PHANDLE_GPIO, d->gpio_power_pin, 0}, 3));
	}
	for (uint32_t v = 0; v < d->nvirtio; v++)
		ff_dev(fdt, "virtio_mmio", &d->virtio[v], 1);

	chosen = ff_node(fdt, "/chosen");
	FF_CHECK(d->bootargs ? ff_str(fdt, chosen, "bootargs", d->bootargs)
			     : !fdt_getprop(fdt, chosen, "bootargs", NULL));
	snprintf(path, sizeof(path), "/serial@%llx", (unsigned long long)d->uart.base);
	FF_CHECK(d->uart.size ? ff_str(fdt, chosen, "stdout-path", path)
			      : !fdt_getprop(fdt, chosen, "stdout-path", NULL));
	if (d->initrd_end) {
		FF_CHECK(ff_u64(fdt, chosen, "linux,initrd-start", d->initrd_start));
		FF_CHECK(ff_u64(fdt, chosen, "linux,initrd-end", d->initrd_end));
	} else {
		FF_CHECK(!fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
	}
	FF_CHECK(d->kaslr_seed ? ff_u64(fdt, chosen, "kaslr-seed", d->kaslr_seed)
			       : !fdt_getprop(fdt, chosen, "kaslr-seed", NULL));
	{
		int len = -1;
		const void *p = fdt_getprop(fdt, chosen, "rng-seed", &len);

		FF_CHECK(d->has_rng_seed ? p && len == FDT_RNG_SEED_SIZE &&
						   !memcmp(p, d->rng_seed, FDT_RNG_SEED_SIZE)
					 : !p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[FF_BUF_SIZE];
	struct fdt_mmio_dev virtio[8];
	uint64_t mpidr[FF_MAX_CPUS], aff_hi;
	struct ff_in in;
	struct fdt_desc d;
	char *cmdline = NULL;
	size_t out_size = 0;
	uint8_t flags;

	if (size < 3 + FF_PARAMS)
		return 0;
	memset(&d, 0, sizeof(d));
	flags = data[0];
	d.gic = flags & 1 ? FDT_GIC_V2 : FDT_GIC_V3;
	d.ncpus = 1 + data[1] % (d.gic == FDT_GIC_V2 ? 8 : FF_MAX_CPUS);
	d.nvirtio = data[2] % 9;
	in = (struct ff_in){data + 3, FF_PARAMS};

	/* Distinct MPIDRs: Aff0 from the index, the rest shared, bits outside the mask too. */
	aff_hi = ff_take(&in, 5);
	for (uint32_t i = 0; i < d.ncpus; i++)
		mpidr[i] = (aff_hi << 8) | i;
	d.mpidr = mpidr;
	d.mem_base = ff_take(&in, 4) << 12;
	d.mem_size = (ff_take(&in, 3) + 1) << 12;
	d.gicd_base = ff_take(&in, 3) << 16;
	d.gicd_size = 0x10000;
	d.gicc_base = d.gicd_base + 0x10000;
	d.gicc_size = 0x2000;
	d.gicr_base = d.gicd_base + 0x10000;
	d.gicr_size = 0x20000ULL * d.ncpus;
	d.its = d.gic == FDT_GIC_V3 && (flags & 2);
	d.its_base = d.gicr_base + d.gicr_size;
	d.its_size = 0x20000;
	d.pmu = flags & 4;
	d.has_rng_seed = flags & 8;
	for (unsigned int i = 0; i < FDT_RNG_SEED_SIZE / 8; i++) {
		uint64_t v = ff_take(&in, 2) * 0x9e3779b97f4a7c15ULL;

		memcpy(d.rng_seed + 8 * i, &v, 8);
	}
	d.kaslr_seed = ff_take(&in, 4);
	d.uart = (struct fdt_mmio_dev){ff_take(&in, 3) << 12, flags & 16 ? 0x1000 : 0,
				       32 + (uint32_t)ff_take(&in, 1)};
	d.rtc = (struct fdt_mmio_dev){d.uart.base + 0x1000, flags & 32 ? 0x1000 : 0,
				      32 + (uint32_t)ff_take(&in, 1)};
	d.gpio = (struct fdt_mmio_dev){d.uart.base + 0x2000, flags & 64 ? 0x1000 : 0,
				       32 + (uint32_t)ff_take(&in, 1)};
	d.gpio_power_pin = (uint32_t)ff_take(&in, 1) % 8;
	{
		uint64_t vbase = ff_take(&in, 3) << 12;

		for (uint32_t v = 0; v < d.nvirtio; v++)
			virtio[v] = (struct fdt_mmio_dev){vbase + 0x200 * v, 0x200,
							  32 + (uint32_t)ff_take(&in, 1)};
	}
	d.virtio = d.nvirtio ? virtio : NULL;
	if (flags & 128) {
		d.initrd_start = ff_take(&in, 4) << 12;
		d.initrd_end = d.initrd_start + ff_take(&in, 3) + 1;
	}
	/* The command line: the rest, up to its NUL (none without one). */
	data += 3 + FF_PARAMS;
	size -= 3 + FF_PARAMS;
	if (memchr(data, 0, size)) {
		cmdline = strdup((const char *)data);
		FF_CHECK(cmdline);
		d.bootargs = cmdline;
	}

	FF_CHECK(fdt_build(&d, buf, sizeof(buf), &out_size) == 0);
	FF_CHECK(out_size && out_size <= sizeof(buf) && fdt_totalsize(buf) == out_size);
	FF_CHECK(fdt_check_full(buf, out_size) == 0);
	ff_no_dup_props(buf);
	ff_check(buf, &d);
	/* Too small a buffer is refused, never overrun. */
	FF_CHECK(fdt_build(&d, buf, out_size / 2 + 40, NULL) == -ENOSPC);
	free(cmdline);
	return 0;
}
