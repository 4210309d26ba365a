/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A GICv2 emulated in userspace (distributor + one CPU interface per vCPU),
 * for hosts where no in-kernel vGIC can be created (KVM_CAP_ARM_USER_IRQ).
 * It models what a Linux guest uses, per the GICv2 architecture (IHI 0048B)
 * without the Security Extensions:
 *
 *   - up to 8 vCPUs (GICv2 has 8 CPU interfaces), nr_irqs a multiple of 32
 *     from 32 to 992 (SPIs = nr_irqs - 32); GICD_TYPER says so;
 *   - per interrupt: inactive / pending / active / active+pending, pending =
 *     latch | (line level if level-sensitive); an edge latches; IAR clears
 *     the latch; ICPENDR clears only the latch, so a level interrupt whose
 *     line is high stays pending; SGIs pending per (target, source), active
 *     per (target, SGI); SGIs, PPIs, their enables, priorities, groups banked
 *     per CPU; SPIs go to the CPUs in ITARGETSR (1-of-N, first IAR wins);
 *   - 5 priority bits (32 levels, mask 0xf8; the low 3 bits of IPRIORITYR
 *     and PMR read as zero), GICC_BPR from 2 (its minimum with 5 bits) to 7;
 *     the running priority comes from the active-priority bitmap
 *     (GICC_APR0, bit n = group priority n << 3) and an interrupt preempts
 *     only with a strictly higher group priority;
 *   - GICC_CTLR.CBPR (bit 4, reset 0): 1 makes GICC_BPR the binary point of
 *     both groups; 0 gives Group 1 its own, GICC_ABPR (3 to 7, reset 3;
 *     as the spec's aliased binary point it applies its value minus one);
 *     ABPR reads and writes its value whatever CBPR;
 *   - the Group 1 aliases, as for a GIC without Security Extensions:
 *     GICC_AIAR acknowledges the signalled interrupt like IAR when it is
 *     Group 1 (whatever AckCtl) and returns 1023 when it is Group 0 or there
 *     is none; GICC_AHPPIR is HPPIR for a Group 1 interrupt and 1023 for a
 *     Group 0 one; GICC_AEOIR is EOIR for Group 1 interrupts and ignores a
 *     Group 0 INTID (UNPREDICTABLE in the spec);
 *   - uniprocessor (1 vCPU): every GICD_ITARGETSR (SGI/PPI bytes too) is
 *     RAZ/WI and every SPI goes to CPU 0, as the GICv2 spec says;
 *   - groups (IGROUPR) gate on GICD_CTLR/GICC_CTLR EnableGrp0/1; both are
 *     signalled as IRQ (FIQEn is RAZ/WI; there is no FIQ output); IAR
 *     returns 1022 for a Group 1 interrupt while GICC_CTLR.AckCtl is 0;
 *   - GICC_CTLR.EOImode (bit 9): EOIR only drops priority and DIR
 *     deactivates; with EOImode 0 EOIR does both and DIR is ignored;
 *   - PPIs are level-sensitive only (ICFGR1 reads 0, writes ignored): the
 *     timer and PMU outputs KVM reports are levels; SGIs are edge (ICFGR0
 *     reads 0xaaaaaaaa); SPIs are configurable and read back what was set.
 *   - Wrong access widths, misaligned and reserved offsets, INTIDs beyond
 *     nr_irqs: RAZ/WI, counted, logged at debug rate-limited, never fatal.
 *
 * Input: device lines (irqchip_set_level()) and the guest's pending changes
 * (GICD_ISPENDR, ICPENDR, SGIR, SPENDSGIR, CPENDSGIR) take one path, the
 * class set_pending ops through irqchip_set_pending().
 *
 * Output: each vCPU's IRQ input is driven through cfg->set_cpu_irq(), only
 * when the computed level changes. Every guest register access that can
 * change whether an interrupt is deliverable ends in exactly one
 * irqchip_queue() (a class's queue op) or irqchip_queue_cpu() (a change of
 * a CPU interface or of the distributor as a whole), however many INTIDs it
 * touched; that re-evaluates the affected vCPUs: there is no other delivery
 * path, and a failing set_cpu_irq() is reported through the irqchip error
 * sink like any other queue failure.
 *
 * Memory: gicv2_user_create() allocates the GIC and its struct irqchip;
 * irqchip_destroy() frees both. gicv2_user_of() gives the GIC back from the
 * chip, for the MMIO bus registration (ctx of the mmio_ops below).
 *
 * Threads and locking: one mutex guards all GIC state. MMIO handlers run on
 * the accessing vCPU's thread, injections on any thread; all may run at
 * once. Lock order: GIC mutex -> whatever set_cpu_irq() takes (it must not
 * call back into the GIC). The mutex is never held while calling into the
 * irqchip front end's latch and queue primitives.
 */
#ifndef KESTREL_IRQCHIP_GICV2_USER_H
#define KESTREL_IRQCHIP_GICV2_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "irqchip/irqchip.h"
#include "lib/mmio_bus.h"

#define GICV2_USER_MAX_VCPUS 8
#define GICV2_USER_MAX_IRQS 992	/* largest multiple of 32 below 1020 */
#define GICV2_USER_DIST_SIZE 0x1000u
#define GICV2_USER_CPU_SIZE 0x2000u

struct gicv2_user;

/*
 * Creates the GIC in its reset state and its chip, for @cfg: 1 to 8 vCPUs,
 * nr_irqs a multiple of 32 in [32, 992], set_cpu_irq given (the addresses
 * are not used: the FDT node is written by arch/arm64/fdt.c). Returns 0 with
 * *@out set, -E2BIG for too many vCPUs (logged as such), -EINVAL for
 * another bad @cfg, -ENOMEM, or a pthread_mutex_init() error.
 */
int gicv2_user_create(const struct irqchip_config *cfg, struct irqchip **out);

/* Returns the GIC behind @chip, or NULL when @chip is not a userspace GICv2. */
struct gicv2_user *gicv2_user_of(struct irqchip *chip);

/*
 * Guest accesses, as from the MMIO bus: @offset from the GICD (4 KiB) or
 * GICC (8 KiB) base, @data the little-endian bytes of a @len-byte access,
 * @vcpu the accessing vCPU (selects banked registers and the CPU interface;
 * out of range: reads give zeroes, writes are ignored). Reads always fill
 * @len bytes. Nothing is returned: guest mistakes are RAZ/WI.
 */
void gicv2_user_dist_read(struct gicv2_user *gic, int vcpu, uint64_t offset, uint8_t *data,
			  uint32_t len);
void gicv2_user_dist_write(struct gicv2_user *gic, int vcpu, uint64_t offset, const uint8_t *data,
			   uint32_t len);
void gicv2_user_cpu_read(struct gicv2_user *gic, int vcpu, uint64_t offset, uint8_t *data,
			 uint32_t len);
void gicv2_user_cpu_write(struct gicv2_user *gic, int vcpu, uint64_t offset, const uint8_t *data,
			  uint32_t len);

/* The same, shaped for mmio_bus_insert() with ctx = the struct gicv2_user. */
extern const struct mmio_ops gicv2_user_dist_mmio_ops;
extern const struct mmio_ops gicv2_user_cpu_mmio_ops;

/* Returns the IRQ line level last set for @vcpu (false for a bad index). For tests and stats. */
bool gicv2_user_cpu_line(struct gicv2_user *gic, int vcpu);

#endif
