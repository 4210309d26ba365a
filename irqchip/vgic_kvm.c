// SPDX-License-Identifier: GPL-2.0-only
#include "irqchip/vgic_kvm.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/arm64/kvm.h"
#include "arch/arm64/layout.h"
#include "irqchip/irqchip_backend.h"

struct vgic_kvm {
	int vm_fd;
	int dev_fd;
	int its_fd;
	bool v3;
};

static const struct irqchip_backend_ops vgic_v3_ops;
static const struct irqchip_backend_ops vgic_v2_ops;

static struct vgic_kvm *priv_of(const struct irqchip *chip)
{
	return irqchip_priv(chip);
}

static bool kernel_owned_ppi(uint32_t intid)
{
	return intid == LAYOUT_PPI_VTIMER || intid == LAYOUT_PPI_PTIMER ||
	       intid == LAYOUT_PPI_HTIMER || intid == LAYOUT_PPI_SPTIMER ||
	       intid == LAYOUT_PPI_PMU || intid == 25 /* vGIC maintenance */;
}

/* KVM_IRQ_LINE drives lines only: software pends belong to the guest's own vGIC accesses. */
static int spi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			   const struct irq_input *in)
{
	if (in->kind != IRQ_INPUT_LINE)
		return -EOPNOTSUPP;
	return kvm_irq_line_spi(priv_of(chip)->vm_fd, intid, in->level);
}

static int ppi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			   const struct irq_input *in)
{
	if (in->kind != IRQ_INPUT_LINE)
		return -EOPNOTSUPP;
	if (kernel_owned_ppi(intid))
		return -EPERM;
	return kvm_irq_line_ppi(priv_of(chip)->vm_fd, vcpu < 0 ? 0 : (unsigned)vcpu, intid,
				in->level);
}

/* KVM delivers what KVM_IRQ_LINE latched: nothing left to queue. */
static int kvm_queue(struct irqchip *chip, int vcpu, uint32_t intid)
{
	return 0;
}

static const struct irq_class_ops vgic_spi_ops = {
	.set_pending = spi_set_pending,
	.queue = kvm_queue,
};

static const struct irq_class_ops vgic_ppi_ops = {
	.set_pending = ppi_set_pending,
	.queue = kvm_queue,
};

static void vgic_destroy(struct irqchip *chip)
{
	struct vgic_kvm *v = priv_of(chip);

	if (!v)
		return;
	if (v->its_fd >= 0)
		close(v->its_fd);
	if (v->dev_fd >= 0)
		close(v->dev_fd);
	free(v);
}

static const struct irqchip_backend_ops vgic_v3_ops = {
	.name = "kvm-v3",
	.destroy = vgic_destroy,
	.classes = { [IRQ_CLASS_PPI] = &vgic_ppi_ops, [IRQ_CLASS_SPI] = &vgic_spi_ops },
};

static const struct irqchip_backend_ops vgic_v2_ops = {
	.name = "kvm-v2",
	.destroy = vgic_destroy,
	.fdt_ppi_cpu_mask = true,
	.classes = { [IRQ_CLASS_PPI] = &vgic_ppi_ops, [IRQ_CLASS_SPI] = &vgic_spi_ops },
};

/* Names the failed call in @why; returns @ret. */
static int fail(int ret, const char *what, char *why, size_t why_len)
{
	if (ret < 0)
		snprintf(why, why_len, "%s: %s", what, strerror(-ret));
	return ret;
}

int vgic_kvm_create(int vm_fd, bool v3, bool its, const struct irqchip_config *cfg,
		    struct irqchip **out, char *why, size_t why_len)
{
	struct vgic_kvm *v;
	uint64_t dist = cfg->dist_base, cpu = cfg->cpu_base, redist = cfg->redist_base;
	uint64_t its_base = cfg->its_base;
	uint32_t nr_irqs = cfg->nr_irqs;
	int ret;

	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	v->vm_fd = vm_fd;
	v->v3 = v3;
	v->its_fd = -1;
	v->dev_fd = fail(kvm_vgic_create(vm_fd, v3 ? KVM_VGIC_V3 : KVM_VGIC_V2, false),
			 v3 ? "KVM_CREATE_DEVICE(VGIC_V3)" : "KVM_CREATE_DEVICE(VGIC_V2)", why,
			 why_len);
	if (v->dev_fd < 0) {
		ret = v->dev_fd;
		goto err_free;
	}
	if (v3) {
		ret = fail(kvm_vgic_set_addr(v->dev_fd, KVM_VGIC_ADDR_V3_DIST, dist),
			   "KVM_SET_DEVICE_ATTR(V3_ADDR_TYPE_DIST)", why, why_len);
		if (!ret)
			ret = fail(kvm_vgic_set_addr(v->dev_fd, KVM_VGIC_ADDR_V3_REDIST, redist),
				   "KVM_SET_DEVICE_ATTR(V3_ADDR_TYPE_REDIST)", why, why_len);
	} else {
		ret = fail(kvm_vgic_set_addr(v->dev_fd, KVM_VGIC_ADDR_V2_DIST, dist),
			   "KVM_SET_DEVICE_ATTR(V2_ADDR_TYPE_DIST)", why, why_len);
		if (!ret)
			ret = fail(kvm_vgic_set_addr(v->dev_fd, KVM_VGIC_ADDR_V2_CPU, cpu),
				   "KVM_SET_DEVICE_ATTR(V2_ADDR_TYPE_CPU)", why, why_len);
	}
	if (!ret)
		ret = fail(kvm_vgic_set_nr_irqs(v->dev_fd, nr_irqs), "KVM_SET_DEVICE_ATTR(NR_IRQS)",
			   why, why_len);
	if (ret)
		goto err_close;
	if (v3 && its) {
		v->its_fd = fail(kvm_vgic_create(vm_fd, KVM_VGIC_ITS, false),
				 "KVM_CREATE_DEVICE(VGIC_ITS)", why, why_len);
		if (v->its_fd < 0) {
			ret = v->its_fd;
			v->its_fd = -1;
			goto err_close;
		}
		ret = fail(kvm_vgic_set_addr(v->its_fd, KVM_VGIC_ADDR_ITS, its_base),
			   "KVM_SET_DEVICE_ATTR(ITS_ADDR_TYPE)", why, why_len);
		if (ret)
			goto err_close;
	}
	ret = irqchip_new(v3 ? &vgic_v3_ops : &vgic_v2_ops, v, cfg->nr_vcpus, cfg->nr_irqs, out);
	if (ret) {
		snprintf(why, why_len, "irqchip_new: %s", strerror(-ret));
		goto err_close;
	}
	return 0;

err_close:
	if (v->its_fd >= 0)
		close(v->its_fd);
	close(v->dev_fd);
err_free:
	free(v);
	return ret;
}

int vgic_kvm_finalize(struct irqchip *chip, char *why, size_t why_len)
{
	struct vgic_kvm *v = priv_of(chip);
	int ret;

	ret = fail(kvm_vgic_init(v->dev_fd), "KVM_SET_DEVICE_ATTR(VGIC CTRL_INIT)", why, why_len);
	if (!ret && v->its_fd >= 0)
		ret = fail(kvm_vgic_init(v->its_fd), "KVM_SET_DEVICE_ATTR(ITS CTRL_INIT)", why,
			   why_len);
	return ret;
}

int vgic_kvm_device_fd(const struct irqchip *chip)
{
	return priv_of(chip)->dev_fd;
}
