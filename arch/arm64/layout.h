/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest physical memory map of a kestrel microVM (arm64).
 *
 * One table, used by the VM builder, the MMIO bus registrations and the FDT
 * builder alike, so the three can never disagree. docs/memory-map.md draws it.
 *
 *   0x0000_0000 - 0x07ff_ffff  unused (no flash, no boot ROM)
 *   0x0800_0000 +64 KiB        GIC distributor (v2: 4 KiB used, v3: 64 KiB)
 *   0x0801_0000 +8 KiB         GICv2 CPU interface (kvm-v2 and user)
 *   0x0808_0000 +128 KiB       GICv3 ITS
 *   0x0900_0000 +4 KiB         16550A UART (SPI 1 = INTID 33)
 *   0x0901_0000 +4 KiB         PL031 RTC (SPI 2 = INTID 34)
 *   0x0902_0000 +4 KiB         PL061 GPIO, power button on pin 3 (SPI 3 = INTID 35)
 *   0x0a00_0000 +512 B each    virtio-mmio slots (SPI 16 + slot)
 *   0x1000_0000 +128 KiB/vCPU  GICv3 redistributors (up to 4096 vCPUs)
 *   0x8000_0000 ...            RAM (2 GiB base, up to the IPA limit)
 */
#ifndef KESTREL_ARCH_ARM64_LAYOUT_H
#define KESTREL_ARCH_ARM64_LAYOUT_H

#define SZ_4K 0x1000ULL
#define SZ_64K 0x10000ULL
#define SZ_2M 0x200000ULL

#define LAYOUT_GICD_BASE 0x08000000ULL
#define LAYOUT_GICD_V2_SIZE 0x1000ULL
#define LAYOUT_GICD_V3_SIZE 0x10000ULL
#define LAYOUT_GICC_BASE 0x08010000ULL
#define LAYOUT_GICC_SIZE 0x2000ULL
#define LAYOUT_ITS_BASE 0x08080000ULL
#define LAYOUT_ITS_SIZE 0x20000ULL
#define LAYOUT_GICR_BASE 0x10000000ULL
#define LAYOUT_GICR_STRIDE 0x20000ULL
#define LAYOUT_GICR_MAX_SIZE 0x20000000ULL

#define LAYOUT_UART_BASE 0x09000000ULL
#define LAYOUT_UART_SIZE 0x1000ULL
#define LAYOUT_RTC_BASE 0x09010000ULL
#define LAYOUT_RTC_SIZE 0x1000ULL
#define LAYOUT_GPIO_BASE 0x09020000ULL
#define LAYOUT_GPIO_SIZE 0x1000ULL
/* PL061 pin wired to the gpio-keys KEY_POWER button (pin 3, as on QEMU's virt board). */
#define LAYOUT_GPIO_POWER_PIN 3
#define LAYOUT_VIRTIO_BASE 0x0a000000ULL
#define LAYOUT_VIRTIO_SIZE 0x200ULL
#define LAYOUT_VIRTIO_SLOTS 32

#define LAYOUT_RAM_BASE 0x80000000ULL

/* INTIDs of the platform devices (SPI number + 32). */
#define LAYOUT_SPI_BASE 32
#define LAYOUT_UART_INTID (LAYOUT_SPI_BASE + 1)
#define LAYOUT_RTC_INTID (LAYOUT_SPI_BASE + 2)
#define LAYOUT_GPIO_INTID (LAYOUT_SPI_BASE + 3)
#define LAYOUT_VIRTIO_INTID(slot) (LAYOUT_SPI_BASE + 16 + (slot))

/* Interrupts the in-kernel vGIC is asked to provide (multiple of 32). */
#define LAYOUT_NR_IRQS 128

/* Architected timer / PMU PPIs (INTIDs). */
#define LAYOUT_PPI_VTIMER 27
#define LAYOUT_PPI_PTIMER 30
#define LAYOUT_PPI_HTIMER 26
#define LAYOUT_PPI_SPTIMER 29
#define LAYOUT_PPI_PMU 23

#endif
