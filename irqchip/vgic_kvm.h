/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel vGIC backends (KVM glue): GICv3 (with ITS when asked) and
 * GICv2, created with KVM_CREATE_DEVICE. SPIs go to KVM with KVM_IRQ_LINE
 * (set_pending); KVM itself delivers, so queue has nothing to do. SGIs,
 * the timer and PMU PPIs are KVM's own: asking to drive them is refused
 * (-EPERM) rather than passed to KVM_IRQ_LINE, which would ignore them
 * and return 0.
 *
 * Order (docs/design.md): vgic_kvm_create() after every vCPU is created
 * and initialised (sets addresses and NR_IRQS), then vgic_kvm_finalize()
 * (KVM_DEV_ARM_VGIC_CTRL_INIT, then the ITS's), then PMU set-up and irqfds.
 * A failed create cannot be undone in that VM: the caller must throw the VM
 * away before trying another backend. Main thread only, except the class
 * ops (any thread; KVM_IRQ_LINE needs no lock).
 */
#ifndef KESTREL_IRQCHIP_VGIC_KVM_H
#define KESTREL_IRQCHIP_VGIC_KVM_H

#include <stdbool.h>
#include <stddef.h>

#include "irqchip/irqchip.h"

/*
 * Creates the device (@v3: GICv3, else GICv2; @its: add an ITS, v3 only),
 * sets its addresses from @cfg and NR_IRQS. Returns 0 and *@out, or -errno
 * with the failing call and its error in @why.
 */
int vgic_kvm_create(int vm_fd, bool v3, bool its, const struct irqchip_config *cfg,
		    struct irqchip **out, char *why, size_t why_len);

/* CTRL_INIT of the GIC and of the ITS. Returns 0 or -errno with @why. */
int vgic_kvm_finalize(struct irqchip *chip, char *why, size_t why_len);

/* The vGIC device fd (for irqfd users, diagnostics). */
int vgic_kvm_device_fd(const struct irqchip *chip);

#endif
