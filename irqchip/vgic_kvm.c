// SPDX-License-Identifier: GPL-2.0-only
#include "irqchip/vgic_kvm.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

static int irq_line(struct vgic_kvm *v, uint32_t type, int vcpu, uint32_t num, bool level)
{
	uint32_t idx = vcpu < 0 ? 0 : (uint32_t)vcpu;
	struct kvm_irq_level irq = {
		.irq = type << KVM_ARM_IRQ_TYPE_SHIFT |
		       (idx & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT |
		       ((idx >> 8) & KVM_ARM_IRQ_VCPU2_MASK) << KVM_ARM_IRQ_VCPU2_SHIFT | num,
		.level = level,
	};

	return ioctl(v->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

/* KVM_IRQ_LINE drives lines only: software pends belong to the guest's own vGIC accesses. */
static int spi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			   const struct irq_input *in)
{
	if (in->kind != IRQ_INPUT_LINE)
		return -EOPNOTSUPP;
	return irq_line(priv_of(chip), KVM_ARM_IRQ_TYPE_SPI, 0, intid, in->level);
}

static int ppi_set_pending(struct irqchip *chip, int vcpu, uint32_t intid,
			   const struct irq_input *in)
{
	if (in->kind != IRQ_INPUT_LINE)
		return -EOPNOTSUPP;
	if (kernel_owned_ppi(intid))
		return -EPERM;
	return irq_line(priv_of(chip), KVM_ARM_IRQ_TYPE_PPI, vcpu, intid, in->level);
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

static int set_attr(int fd, uint32_t group, uint64_t attr, const void *val, const char *what,
		    char *why, size_t why_len)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	if (ioctl(fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		int err = errno;

		snprintf(why, why_len, "KVM_SET_DEVICE_ATTR(%s): %s", what, strerror(err));
		return -err;
	}
	return 0;
}

static int create_device(int vm_fd, uint32_t type, const char *what, char *why, size_t why_len)
{
	struct kvm_create_device dev = { .type = type };

	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev) < 0) {
		int err = errno;

		snprintf(why, why_len, "KVM_CREATE_DEVICE(%s): %s", what, strerror(err));
		return -err;
	}
	return (int)dev.fd;
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
	v->dev_fd = create_device(vm_fd, v3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2,
				  v3 ? "VGIC_V3" : "VGIC_V2", why, why_len);
	if (v->dev_fd < 0) {
		ret = v->dev_fd;
		goto err_free;
	}
	if (v3) {
		ret = set_attr(v->dev_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
			       &dist, "V3_ADDR_TYPE_DIST", why, why_len);
		if (!ret)
			ret = set_attr(v->dev_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				       KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
				       "V3_ADDR_TYPE_REDIST", why, why_len);
	} else {
		ret = set_attr(v->dev_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST,
			       &dist, "V2_ADDR_TYPE_DIST", why, why_len);
		if (!ret)
			ret = set_attr(v->dev_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				       KVM_VGIC_V2_ADDR_TYPE_CPU, &cpu, "V2_ADDR_TYPE_CPU",
				       why, why_len);
	}
	if (!ret)
		ret = set_attr(v->dev_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, "NR_IRQS",
			       why, why_len);
	if (ret)
		goto err_close;
	if (v3 && its) {
		v->its_fd = create_device(vm_fd, KVM_DEV_TYPE_ARM_VGIC_ITS, "VGIC_ITS", why,
					  why_len);
		if (v->its_fd < 0) {
			ret = v->its_fd;
			v->its_fd = -1;
			goto err_close;
		}
		ret = set_attr(v->its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_ITS_ADDR_TYPE,
			       &its_base, "ITS_ADDR_TYPE", why, why_len);
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

	ret = set_attr(v->dev_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL,
		       "VGIC CTRL_INIT", why, why_len);
	if (!ret && v->its_fd >= 0)
		ret = set_attr(v->its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT,
			       NULL, "ITS CTRL_INIT", why, why_len);
	return ret;
}

int vgic_kvm_device_fd(const struct irqchip *chip)
{
	return priv_of(chip)->dev_fd;
}
