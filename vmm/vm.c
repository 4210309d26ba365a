// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building one VM, in the order of docs/design.md (vm_build() reads as it):
 *
 *   1. KVM_CREATE_VM with the IPA size the memory map needs
 *   2. guest RAM: mmap + KVM_SET_USER_MEMORY_REGION
 *   3. every vCPU: KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT, MPIDR (before the vGIC)
 *   4. the irqchip: vGIC create, addresses, NR_IRQS, CTRL_INIT, ITS init, or
 *      the userspace GICv2 on the MMIO bus with its line driver; then the
 *      PMU per vCPU. A failure here throws the VM away (-EAGAIN: the caller
 *      tries the next irqchip on a fresh VM)
 *   5. devices on the MMIO bus (UART, RTC, virtio), wired to irqchip lines
 *   6. kernel + initrd into RAM, the FDT, the boot registers
 * then the caller starts the vCPU threads (vcpu_loop.c) and runs the main
 * loop (main_loop.c). vm_destroy() undoes it in reverse, after the vCPU
 * threads and then the device threads stopped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "arch/arm64/fdt.h"
#include "arch/arm64/kvm.h"
#include "arch/arm64/layout.h"
#include "irqchip/gicv2_user.h"
#include "irqchip/irqchip.h"
#include "irqchip/vgic_kvm.h"
#include "lib/log.h"
#include "vmm/vm_priv.h"

void vm_request_stop(struct vm *vm, enum vm_stop why)
{
	int expected = VM_RUNNING;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->stop, &expected, (int)why))
		if (write(vm->stop_efd, &one, sizeof(one)) < 0)
			log_err("write(stop eventfd): %s", strerror(errno));
}

/* ---- devices' callbacks ---- */

/* vCPU threads, UART lock held: never waits for the host (vmm/serial_out.h). */
static void uart_out(void *ctx, const uint8_t *buf, size_t len)
{
	struct vm *vm = ctx;

	if (vm->s->serial_ready)
		serial_out_write(&vm->s->serial, buf, len);
}

static void uart_rx_space(void *ctx)
{
	struct vm *vm = ctx;
	uint64_t one = 1;

	if (write(vm->rx_efd, &one, sizeof(one)) < 0)
		log_debug("write(rx eventfd): %s", strerror(errno));
}

/* ---- building ---- */

/* Steps 1-3: host failures (not the irqchip's): -errno, the call logged. */
static int vm_create_machine(struct vm *vm)
{
	struct vm_session *s = vm->s;
	const struct host_caps *caps = s->caps;
	struct arm64_vcpu_features feat = {
		.pmu = caps->pmu_v3,
		.ptrauth = caps->ptrauth,
	};
	int ret;

	vm->vm_fd = kvm_create_vm(s->kvm_fd, caps->ipa_limit ? s->ipa_bits : 0);
	if (vm->vm_fd < 0) {
		ret = vm->vm_fd;
		log_err("KVM_CREATE_VM(IPA %u bits): %s", s->ipa_bits, strerror(-ret));
		return ret;
	}
	/* guest accesses KVM cannot decode come to the vCPU loop (docs/memory-map.md) */
	ret = kvm_enable_nisv_to_user(vm->vm_fd);
	if (ret)
		log_debug("KVM_CAP_ARM_NISV_TO_USER: %s (an undecodable access ends the VM)",
			  strerror(-ret));
	ret = guest_mem_init(&vm->mem, LAYOUT_RAM_BASE, s->cfg->memory,
			     s->cfg->hugepages ? s->huge_page_size : 0);
	if (ret) {
		log_err("mmap of %llu MiB guest RAM%s: %s",
			(unsigned long long)(s->cfg->memory >> 20),
			s->cfg->hugepages ? " (huge pages)" : "", strerror(-ret));
		return ret;
	}
	ret = kvm_set_memory(vm->vm_fd, 0, vm->mem.base, vm->mem.size, vm->mem.host);
	if (ret) {
		log_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
		return ret;
	}
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		log_err("out of memory for %u vCPUs", vm->nr_vcpus);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		arm64_vcpu_prepare(&vm->vcpus[i]);
		vm->vcpus[i].vm = vm;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		ret = arm64_vcpu_create(&vm->vcpus[i], vm->vm_fd, i, s->run_size);
		if (!ret)
			ret = arm64_vcpu_init(&vm->vcpus[i], vm->vm_fd, &feat);
		if (ret)
			return ret; /* the failing call is logged */
	}
	return 0;
}

/*
 * Step 4: the irqchip, then the PMU (which needs it). Returns 0, or -errno
 * with the reason in @why; the VM must then be thrown away.
 */
static int vm_create_irqchip(struct vm *vm, char *why, size_t why_len)
{
	const struct host_caps *caps = vm->s->caps;
	struct irqchip_config icfg = {
		.nr_vcpus = vm->nr_vcpus,
		.nr_irqs = LAYOUT_NR_IRQS,
		.dist_base = LAYOUT_GICD_BASE,
		.cpu_base = LAYOUT_GICC_BASE,
		.redist_base = LAYOUT_GICR_BASE,
		.its_base = caps->vgic_its ? LAYOUT_ITS_BASE : 0,
		.host = &vm->lines,
		.set_cpu_irq = user_lines_want,
		.enter_vcpu = user_lines_apply,
	};
	bool v3 = vm->kind == IRQCHIP_KVM_V3;
	int ret;

	switch (vm->kind) {
	case IRQCHIP_KVM_V3:
	case IRQCHIP_KVM_V2:
		ret = vgic_kvm_create(vm->vm_fd, v3, v3 && caps->vgic_its, &icfg, &vm->chip, why,
				      why_len);
		if (!ret)
			ret = vgic_kvm_finalize(vm->chip, why, why_len);
		break;
	case IRQCHIP_USER:
		ret = user_lines_init(&vm->lines, vm->vm_fd, vm->vcpus, vm->nr_vcpus);
		if (!ret)
			ret = gicv2_user_create(&icfg, &vm->chip);
		if (ret) {
			snprintf(why, why_len, "gicv2_user_create: %s", strerror(-ret));
			return ret;
		}
		ret = mmio_bus_insert(&vm->bus, LAYOUT_GICD_BASE, GICV2_USER_DIST_SIZE,
				      &gicv2_user_dist_mmio_ops, gicv2_user_of(vm->chip), "gicd");
		if (!ret)
			ret = mmio_bus_insert(&vm->bus, LAYOUT_GICC_BASE, GICV2_USER_CPU_SIZE,
					      &gicv2_user_cpu_mmio_ops, gicv2_user_of(vm->chip),
					      "gicc");
		if (ret)
			snprintf(why, why_len, "MMIO bus: %s", strerror(-ret));
		break;
	default:
		snprintf(why, why_len, "unknown irqchip");
		return -EINVAL;
	}
	if (ret || !caps->pmu_v3)
		return ret;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		ret = arm64_vcpu_pmu_init(&vm->vcpus[i],
					  vm->kind == IRQCHIP_USER ? 0 : LAYOUT_PPI_PMU);
		if (ret) {
			snprintf(why, why_len, "PMU set-up: %s", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Step 5. Returns 0 or -errno (logged). */
static int vm_create_devices(struct vm *vm)
{
	struct uart_16550_config ucfg = {
		.out = uart_out,
		.rx_space = uart_rx_space,
		.cb_ctx = vm,
	};
	struct pl031_config rcfg = {
		.now_sec = pl031_realtime_sec,
	};
	int ret;

	struct pl061_config gcfg;

	ret = irqchip_line(vm->chip, LAYOUT_UART_INTID, &ucfg.irq);
	if (!ret)
		ret = irqchip_line(vm->chip, LAYOUT_RTC_INTID, &rcfg.irq);
	if (!ret)
		ret = irqchip_line(vm->chip, LAYOUT_GPIO_INTID, &gcfg.irq);
	if (ret) {
		log_err("irqchip_line: %s", strerror(-ret));
		return ret;
	}
	ret = uart_16550_init(&vm->uart, &ucfg);
	if (ret) {
		log_err("uart_16550_init: %s", strerror(-ret));
		return ret;
	}
	vm->uart_ready = true;
	ret = pl031_init(&vm->rtc, &rcfg);
	if (ret) {
		log_err("pl031_init: %s", strerror(-ret));
		return ret;
	}
	vm->rtc_ready = true;
	ret = pl061_init(&vm->gpio, &gcfg);
	if (ret) {
		log_err("pl061_init: %s", strerror(-ret));
		return ret;
	}
	vm->gpio_ready = true;
	ret = mmio_bus_insert(&vm->bus, LAYOUT_UART_BASE, LAYOUT_UART_SIZE, &uart_16550_mmio_ops,
			      &vm->uart, "uart");
	if (!ret)
		ret = mmio_bus_insert(&vm->bus, LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE, &pl031_mmio_ops,
				      &vm->rtc, "rtc");
	if (!ret)
		ret = mmio_bus_insert(&vm->bus, LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE, &pl061_mmio_ops,
				      &vm->gpio, "gpio");
	if (ret) {
		log_err("mmio_bus_insert: %s", strerror(-ret));
		return ret;
	}
	return vm_virtio_create(&vm->virtio, vm->s->cfg, &vm->s->backends, &vm->mem, &vm->bus,
				vm->chip, vm->vm_fd, vm->kind != IRQCHIP_USER && vm->s->caps->irqfd,
				vm->s->seccomp);
}

/* Step 6. Returns 0, -EINVAL for a user error (message logged), other -errno. */
static int vm_load_and_describe(struct vm *vm)
{
	const struct vm_config *cfg = vm->s->cfg;
	uint64_t mpidr[vm->nr_vcpus];
	struct fdt_desc d;
	size_t dtb_size;
	char err[512];
	void *dtb;
	int ret;

	/*
	 * The first boot uses the files read (and checked) at start; the
	 * contents are freed right after, so a 32 MiB kernel does not stay in
	 * kestrel's RSS. A reboot reads the files kept open at start again,
	 * never their paths (no openat under the main filter, and a file
	 * swapped meanwhile does not boot).
	 */
	ret = 0;
	if (!vm->s->files.src.kernel)
		ret = arm64_boot_files_reread(&vm->s->files, err, sizeof(err));
	if (!ret)
		ret = arm64_image_load(&vm->mem, &vm->s->files.src, ARM64_DTB_MAX_SIZE, &vm->boot,
				       err, sizeof(err));
	arm64_boot_files_release(&vm->s->files);
	if (ret) {
		log_err("%s", err);
		return arm64_image_err_is_user(ret) ? -EINVAL : ret;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		mpidr[i] = vm->vcpus[i].mpidr;
	memset(&d, 0, sizeof(d));
	d.ncpus = vm->nr_vcpus;
	d.mpidr = mpidr;
	d.mem_base = vm->mem.base;
	d.mem_size = vm->mem.size;
	d.gicd_base = LAYOUT_GICD_BASE;
	if (vm->kind == IRQCHIP_KVM_V3) {
		d.gic = FDT_GIC_V3;
		d.gicd_size = LAYOUT_GICD_V3_SIZE;
		d.gicr_base = LAYOUT_GICR_BASE;
		d.gicr_size = LAYOUT_GICR_STRIDE * vm->nr_vcpus;
		d.its = vm->s->caps->vgic_its;
		d.its_base = LAYOUT_ITS_BASE;
		d.its_size = LAYOUT_ITS_SIZE;
	} else {
		d.gic = FDT_GIC_V2;
		d.gicd_size = LAYOUT_GICD_V2_SIZE;
		d.gicc_base = LAYOUT_GICC_BASE;
		d.gicc_size = LAYOUT_GICC_SIZE;
	}
	d.pmu = vm->s->caps->pmu_v3;
	d.bootargs = cfg->cmdline;
	d.initrd_start = vm->boot.initrd_start;
	d.initrd_end = vm->boot.initrd_end;
	if (getrandom(&d.kaslr_seed, sizeof(d.kaslr_seed), 0) != sizeof(d.kaslr_seed) ||
	    getrandom(d.rng_seed, sizeof(d.rng_seed), 0) != sizeof(d.rng_seed)) {
		log_err("getrandom: %s", strerror(errno));
		return -EIO;
	}
	d.has_rng_seed = true;
	d.uart = (struct fdt_mmio_dev){LAYOUT_UART_BASE, LAYOUT_UART_SIZE, LAYOUT_UART_INTID};
	d.rtc = (struct fdt_mmio_dev){LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE, LAYOUT_RTC_INTID};
	d.gpio = (struct fdt_mmio_dev){LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE, LAYOUT_GPIO_INTID};
	d.gpio_power_pin = LAYOUT_GPIO_POWER_PIN;
	d.virtio = vm->virtio.fdt;
	d.nvirtio = vm->virtio.nr;

	dtb = guest_mem_ptr(&vm->mem, vm->boot.dtb_addr, vm->boot.dtb_max);
	if (!dtb) {
		log_err("DTB slot 0x%llx outside guest RAM", (unsigned long long)vm->boot.dtb_addr);
		return -EFAULT;
	}
	ret = fdt_build(&d, dtb, vm->boot.dtb_max, &dtb_size);
	if (ret) {
		log_err("fdt_build: %s", strerror(-ret));
		return ret;
	}
	if (cfg->dump_dtb) {
		ret = fdt_write_file(dtb, cfg->dump_dtb);
		if (ret) {
			log_err("--dump-dtb: cannot write '%s': %s", cfg->dump_dtb, strerror(-ret));
			return -EINVAL;
		}
	}
	log_debug("kernel at 0x%llx, DTB at 0x%llx (%zu bytes), initrd 0x%llx-0x%llx",
		  (unsigned long long)vm->boot.kernel_entry, (unsigned long long)vm->boot.dtb_addr,
		  dtb_size, (unsigned long long)vm->boot.initrd_start,
		  (unsigned long long)vm->boot.initrd_end);
	return arm64_vcpu_set_boot_regs(&vm->vcpus[0], vm->boot.kernel_entry, vm->boot.dtb_addr);
}

void vm_destroy(struct vm *vm)
{
	/* nothing may raise an interrupt or kick a vCPU once these are gone */
	vcpus_stop(vm);
	vm_virtio_destroy(&vm->virtio); /* joins the device threads */
	if (vm->uart_ready)
		uart_16550_destroy(&vm->uart);
	if (vm->rtc_ready)
		pl031_destroy(&vm->rtc);
	if (vm->gpio_ready)
		pl061_destroy(&vm->gpio);
	irqchip_destroy(vm->chip);
	vm->chip = NULL;
	user_lines_destroy(&vm->lines);
	if (vm->vcpus) {
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			arm64_vcpu_destroy(&vm->vcpus[i]);
		free(vm->vcpus);
		vm->vcpus = NULL;
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vm_fd = -1;
	guest_mem_destroy(&vm->mem);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	if (vm->rx_efd >= 0)
		close(vm->rx_efd);
	vm->stop_efd = vm->rx_efd = -1;
	pthread_cond_destroy(&vm->live_cond);
	pthread_cond_destroy(&vm->park_cond);
	pthread_mutex_destroy(&vm->live_lock);
}

static int vm_init(struct vm *vm, struct vm_session *s, enum irqchip_kind kind)
{
	memset(vm, 0, sizeof(*vm));
	vm->s = s;
	vm->kind = kind;
	vm->vm_fd = -1;
	vm->nr_vcpus = s->cfg->cpus;
	mmio_bus_init(&vm->bus);
	pthread_mutex_init(&vm->live_lock, NULL);
	pthread_cond_init(&vm->live_cond, NULL);
	pthread_cond_init(&vm->park_cond, NULL);
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->rx_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0 || vm->rx_efd < 0) {
		int err = errno;

		log_err("eventfd: %s", strerror(err));
		return -err;
	}
	return 0;
}

/* The boot order. */
int vm_build(struct vm *vm, struct vm_session *s, enum irqchip_kind kind, char *why, size_t why_len)
{
	int ret;

	ret = vm_init(vm, s, kind);
	if (!ret)
		ret = vm_create_machine(vm); /* 1-3 */
	if (ret)
		return ret == -EINVAL || ret == -EAGAIN ? -EIO : ret;
	ret = vm_create_irqchip(vm, why, why_len); /* 4 */
	if (ret) {
		log_debug("irqchip %s: %s", irqchip_kind_name(kind), why);
		return -EAGAIN;
	}
	ret = vm_create_devices(vm); /* 5 */
	if (!ret)
		ret = vm_load_and_describe(vm); /* 6 */
	return ret;
}
