// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building and running a VM (KVM glue). The order, also in docs/design.md:
 *
 *   1. check the configuration against the host (vCPUs, memory, IPA)   -> 2
 *   2. read the kernel and initrd files                               -> 2
 *   3. for each irqchip in the preference list that the probe allows:
 *      a. KVM_CREATE_VM with the IPA size the memory map needs
 *      b. guest RAM: mmap + KVM_SET_USER_MEMORY_REGION
 *      c. every vCPU: KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT, read MPIDR
 *      d. irqchip: vGIC create, addresses, NR_IRQS, CTRL_INIT, ITS init
 *         (or the userspace GICv2 on the MMIO bus)
 *      e. PMU per vCPU (after the vGIC)
 *      any failure in a-e: log it, throw the whole VM away, next irqchip
 *   4. devices on the MMIO bus (UART, RTC), wired to irqchip lines
 *   5. load kernel + initrd, build the FDT into guest RAM, boot registers
 *   6. start one thread per vCPU; the main thread runs the event loop
 *      (stdin -> UART, stop requests, the RTC tick)
 *   7. on a stop request: immediate_exit + SIGUSR1 to every vCPU, join,
 *      tear down in reverse; a guest reset with --on-reboot restart goes
 *      back to 3 with the same irqchip, keeping the console and the files.
 */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "arch/arm64/fdt.h"
#include "arch/arm64/image.h"
#include "arch/arm64/layout.h"
#include "arch/arm64/vcpu.h"
#include "devices/pl031.h"
#include "devices/uart_16550.h"
#include "irqchip/gicv2_user.h"
#include "irqchip/irqchip.h"
#include "irqchip/vgic_kvm.h"
#include "vmm/console.h"
#include "lib/guest_mem.h"
#include "lib/log.h"
#include "lib/mmio_bus.h"
#include "vmm/vm_virtio.h"
#include "vmm/seccomp.h"

#define VCPU_KICK_SIGNAL SIGUSR1

enum vm_stop {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,
	VM_STOP_RESET,
	VM_STOP_FAILURE,
	VM_STOP_QUIT,		/* user escape or host signal */
};

/* What survives a guest reset: the configuration and the console. */
struct vm_session {
	const struct vm_config *cfg;
	const struct host_caps *caps;
	struct arm64_boot_files files;	/* read at start, freed after the first load */
	struct console console;
	struct vm_backends backends;	/* disk and tap fds, kept across reboots */
	int kvm_fd;
	size_t run_size;
	unsigned ipa_bits;
	int host_signal;	/* the SIGTERM/SIGINT/SIGHUP that stopped us, or 0 */
	struct seccomp_filters *seccomp;	/* seccomp (issue 8): NULL with --seccomp off */
};

struct vm {
	struct vm_session *s;
	enum irqchip_kind kind;
	int vm_fd;
	struct guest_mem mem;
	struct mmio_bus bus;
	struct irqchip *chip;
	unsigned nr_vcpus;
	struct vcpu *vcpus;
	struct uart_16550 uart;
	bool uart_ready;
	struct pl031 rtc;
	bool rtc_ready;
	struct vm_virtio virtio;
	struct arm64_boot_layout boot;
	_Atomic int stop;	/* enum vm_stop; the first request wins */
	int stop_efd;		/* wakes the event loop */
	int rx_efd;		/* UART has room again */
	pthread_mutex_t live_lock;	/* guards live_vcpus */
	pthread_cond_t live_cond;
	unsigned live_vcpus;	/* vCPU threads still in their run loop */
};

static void kick_handler(int sig)
{
}

/* Records why the VM must stop (first reason wins) and wakes the event loop. */
static void vm_request_stop(struct vm *vm, enum vm_stop why)
{
	int expected = VM_RUNNING;
	uint64_t one = 1;

	if (atomic_compare_exchange_strong(&vm->stop, &expected, (int)why))
		if (write(vm->stop_efd, &one, sizeof(one)) < 0)
			log_err("write(stop eventfd): %s", strerror(errno));
}

/* ---- devices' callbacks ---- */

static void uart_out(void *ctx, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* nobody reads the console: drop, as a real UART would */
		buf += n;
		len -= (size_t)n;
	}
}

static void uart_rx_space(void *ctx)
{
	struct vm *vm = ctx;
	uint64_t one = 1;

	if (write(vm->rx_efd, &one, sizeof(one)) < 0)
		log_debug("write(rx eventfd): %s", strerror(errno));
}

/* ---- vCPU threads ---- */

static void vcpu_handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t len = run->mmio.len;
	int ret;

	ret = mmio_bus_dispatch(&vcpu->vm->bus, (int)vcpu->index, run->mmio.phys_addr,
				run->mmio.data, len, run->mmio.is_write);
	if (ret)
		log_debug("vCPU %u: %s of %u bytes at 0x%llx: no device (%s)", vcpu->index,
			  run->mmio.is_write ? "write" : "read", len,
			  (unsigned long long)run->mmio.phys_addr, strerror(-ret));
}

/* Returns true when the vCPU thread must stop. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vm *vm = vcpu->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(vcpu);
		return false;
	case KVM_EXIT_INTR:
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			log_info("guest powered off");
			vm_request_stop(vm, VM_STOP_POWEROFF);
			return true;
		case KVM_SYSTEM_EVENT_RESET:
			log_info("guest reset");
			vm_request_stop(vm, VM_STOP_RESET);
			return true;
		case KVM_SYSTEM_EVENT_CRASH:
			log_err("guest crashed (PSCI SYSTEM_EVENT_CRASH)");
			vm_request_stop(vm, VM_STOP_FAILURE);
			return true;
		default:
			log_warn("vCPU %u: system event %u ignored", vcpu->index,
				 run->system_event.type);
			return false;
		}
	case KVM_EXIT_FAIL_ENTRY:
		log_err("vCPU %u: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx", vcpu->index,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		arm64_vcpu_dump(vcpu, stderr);
		vm_request_stop(vm, VM_STOP_FAILURE);
		return true;
	case KVM_EXIT_INTERNAL_ERROR:
		log_err("vCPU %u: KVM_EXIT_INTERNAL_ERROR, suberror %u", vcpu->index,
			run->internal.suberror);
		arm64_vcpu_dump(vcpu, stderr);
		vm_request_stop(vm, VM_STOP_FAILURE);
		return true;
	default:
		log_err("vCPU %u: unexpected exit reason %u", vcpu->index, run->exit_reason);
		arm64_vcpu_dump(vcpu, stderr);
		vm_request_stop(vm, VM_STOP_FAILURE);
		return true;
	}
}

/*
 * User irqchip: KVM reports the arch timers' and the PMU's output levels in
 * kvm_run->s.regs.device_irq_level after every KVM_RUN (also on EINTR).
 * Changes become level changes of the PPIs in the userspace GIC, through the
 * same irqchip entry point as every other interrupt source.
 */
static void vcpu_sync_user_irqs(struct vcpu *vcpu)
{
	static const struct {
		uint32_t bit;
		uint32_t intid;
	} map[] = {
		{ KVM_ARM_DEV_EL1_VTIMER, LAYOUT_PPI_VTIMER },
		{ KVM_ARM_DEV_EL1_PTIMER, LAYOUT_PPI_PTIMER },
		{ KVM_ARM_DEV_PMU, LAYOUT_PPI_PMU },
	};
	uint32_t now = (uint32_t)vcpu->run->s.regs.device_irq_level;
	uint32_t changed = now ^ vcpu->irq_level;

	if (!changed)
		return;
	vcpu->irq_level = now;
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (changed & map[i].bit)
			irqchip_set_level(vcpu->vm->chip, (int)vcpu->index, map[i].intid,
					  now & map[i].bit);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	bool user_irqs = vm->kind == IRQCHIP_USER;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* seccomp (issue 8): this thread's own filter, before the guest runs */
	if (seccomp_install(vm->s->seccomp, SECCOMP_ROLE_VCPU))
		vm_request_stop(vm, VM_STOP_FAILURE);
	vcpu->self = pthread_self();
	atomic_store(&vcpu->kickable, true);

	while (atomic_load(&vm->stop) == VM_RUNNING) {
		int r = ioctl(vcpu->fd, KVM_RUN, 0);

		seccomp_test_violation(vm->s->seccomp, SECCOMP_ROLE_VCPU); /* test builds only */
		if (user_irqs)
			vcpu_sync_user_irqs(vcpu);
		if (r < 0) {
			int err = errno;

			if (err == EINTR || err == EAGAIN) {
				vcpu->run->immediate_exit = 0;
				continue;
			}
			log_err("vCPU %u: KVM_RUN: %s", vcpu->index, strerror(err));
			arm64_vcpu_dump(vcpu, stderr);
			vm_request_stop(vm, VM_STOP_FAILURE);
			break;
		}
		if (vcpu_handle_exit(vcpu))
			break;
	}
	atomic_store(&vcpu->kickable, false);
	pthread_mutex_lock(&vm->live_lock);
	vm->live_vcpus--;
	pthread_cond_signal(&vm->live_cond);
	pthread_mutex_unlock(&vm->live_lock);
	return NULL;
}

/*
 * Stops every vCPU thread. A vCPU thread may signal another one (see
 * gicv2_set_cpu_irq()), so no thread is joined before all of them have left
 * their run loop: only then can no pthread_kill() target a joined thread.
 */
static void vcpus_stop(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->thread_started)
			continue;
		v->run->immediate_exit = 1;
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	pthread_mutex_lock(&vm->live_lock);
	while (vm->live_vcpus)
		pthread_cond_wait(&vm->live_cond, &vm->live_lock);
	pthread_mutex_unlock(&vm->live_lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->thread_started)
			continue;
		pthread_join(v->thread, NULL);
		v->thread_started = false;
	}
}

/* ---- building ---- */

static unsigned ipa_bits_for(uint64_t top)
{
	unsigned bits = 32;

	while (bits < 64 && (1ULL << bits) < top)
		bits++;
	return bits;
}

static int set_user_memory(struct vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = vm->mem.base,
		.memory_size = vm->mem.size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem.host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		int err = errno;

		log_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(err));
		return -err;
	}
	return 0;
}

static int gicv2_set_cpu_irq(void *host, int vcpu, bool level)
{
	struct vm *vm = host;
	struct kvm_irq_level irq = {
		.irq = KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT |
		       ((uint32_t)vcpu & KVM_ARM_IRQ_VCPU_MASK) << KVM_ARM_IRQ_VCPU_SHIFT |
		       KVM_ARM_IRQ_CPU_IRQ,
		.level = level,
	};

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	/*
	 * KVM kicks the vCPU itself, but a vCPU blocked in WFI was seen (on the
	 * 6.1 test host, about 1 boot in 25 with 4 vCPUs) to sleep on with its
	 * line high. A signal always ends the wait: KVM_RUN returns EINTR and
	 * the next entry takes the interrupt. Only for a rising line, and only
	 * towards another vCPU's thread.
	 */
	if (level && vcpu >= 0 && (unsigned)vcpu < vm->nr_vcpus) {
		struct vcpu *v = &vm->vcpus[vcpu];

		if (atomic_load(&v->kickable) && !pthread_equal(v->self, pthread_self()))
			pthread_kill(v->self, VCPU_KICK_SIGNAL);
	}
	return 0;
}

/*
 * Step 3d: the irqchip. Returns 0, or -errno with the reason in @why; the VM
 * must then be thrown away (a vGIC create cannot be undone).
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
		.host = vm,
		.set_cpu_irq = gicv2_set_cpu_irq,
	};
	int ret;

	switch (vm->kind) {
	case IRQCHIP_KVM_V3:
	case IRQCHIP_KVM_V2:
		ret = vgic_kvm_create(vm->vm_fd, vm->kind == IRQCHIP_KVM_V3,
				      vm->kind == IRQCHIP_KVM_V3 && caps->vgic_its, &icfg,
				      &vm->chip, why, why_len);
		if (!ret)
			ret = vgic_kvm_finalize(vm->chip, why, why_len);
		return ret;
	case IRQCHIP_USER:
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
		return ret;
	default:
		snprintf(why, why_len, "unknown irqchip");
		return -EINVAL;
	}
}

/* Steps 3a-3e. Returns 0 or -errno with @why set. */
static int vm_create_machine(struct vm *vm, char *why, size_t why_len)
{
	struct vm_session *s = vm->s;
	const struct host_caps *caps = s->caps;
	struct arm64_vcpu_features feat = {
		.pmu = caps->pmu_v3,
		.ptrauth = caps->ptrauth,
	};
	unsigned long type = 0;
	int ret;

	if (caps->ipa_limit)
		type = KVM_VM_TYPE_ARM_IPA_SIZE(s->ipa_bits);
	vm->vm_fd = ioctl(s->kvm_fd, KVM_CREATE_VM, type);
	if (vm->vm_fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "KVM_CREATE_VM(IPA %u bits): %s", s->ipa_bits,
			 strerror(-ret));
		return ret;
	}
	ret = guest_mem_init(&vm->mem, LAYOUT_RAM_BASE, s->cfg->memory, s->cfg->hugepages);
	if (ret) {
		snprintf(why, why_len, "mmap of %llu MiB guest RAM%s: %s",
			 (unsigned long long)(s->cfg->memory >> 20),
			 s->cfg->hugepages ? " (huge pages)" : "", strerror(-ret));
		return ret;
	}
	ret = set_user_memory(vm);
	if (ret) {
		snprintf(why, why_len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(-ret));
		return ret;
	}
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].fd = -1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i].vm = vm;
		ret = arm64_vcpu_create(&vm->vcpus[i], vm->vm_fd, i, s->run_size);
		if (!ret)
			ret = arm64_vcpu_init(&vm->vcpus[i], vm->vm_fd, &feat);
		if (ret) {
			snprintf(why, why_len, "vCPU %u set-up: %s", i, strerror(-ret));
			return ret;
		}
	}
	ret = vm_create_irqchip(vm, why, why_len);
	if (ret)
		return ret;
	if (feat.pmu) {
		uint32_t ppi = vm->kind == IRQCHIP_USER ? 0 : LAYOUT_PPI_PMU;

		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			ret = arm64_vcpu_pmu_init(&vm->vcpus[i], ppi);
			if (ret) {
				snprintf(why, why_len, "PMU set-up: %s", strerror(-ret));
				return ret;
			}
		}
	}
	return 0;
}

/* Step 4. Returns 0 or -errno (logged). */
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

	ret = irqchip_line(vm->chip, LAYOUT_UART_INTID, &ucfg.irq);
	if (!ret)
		ret = irqchip_line(vm->chip, LAYOUT_RTC_INTID, &rcfg.irq);
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
	ret = mmio_bus_insert(&vm->bus, LAYOUT_UART_BASE, LAYOUT_UART_SIZE, &uart_16550_mmio_ops,
			      &vm->uart, "uart");
	if (!ret)
		ret = mmio_bus_insert(&vm->bus, LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE, &pl031_mmio_ops,
				      &vm->rtc, "rtc");
	if (ret) {
		log_err("mmio_bus_insert: %s", strerror(-ret));
		return ret;
	}
	return vm_virtio_create(&vm->virtio, vm->s->cfg, &vm->s->backends, &vm->mem, &vm->bus,
				vm->chip, vm->vm_fd,
				vm->kind != IRQCHIP_USER && vm->s->caps->irqfd, vm->s->seccomp);
}

/* Step 5. Returns 0, -EINVAL for a user error (message logged), other -errno. */
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
	 * The first boot uses the files read (and checked) at start; they are
	 * freed right after, so a 32 MiB kernel does not stay in kestrel's RSS.
	 * A reboot reads them again.
	 */
	if (vm->s->files.src.kernel) {
		ret = arm64_image_load(&vm->mem, &vm->s->files.src, ARM64_DTB_MAX_SIZE, &vm->boot,
				       err, sizeof(err));
		arm64_boot_files_free(&vm->s->files);
	} else {
		ret = arm64_image_load_file(&vm->mem, cfg->kernel, cfg->initrd, ARM64_DTB_MAX_SIZE,
					    &vm->boot, err, sizeof(err));
	}
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
	d.uart = (struct fdt_mmio_dev){ LAYOUT_UART_BASE, LAYOUT_UART_SIZE, LAYOUT_UART_INTID };
	d.rtc = (struct fdt_mmio_dev){ LAYOUT_RTC_BASE, LAYOUT_RTC_SIZE, LAYOUT_RTC_INTID };
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

static void vm_destroy(struct vm *vm)
{
	vcpus_stop(vm);
	if (vm->vcpus) {
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			arm64_vcpu_destroy(&vm->vcpus[i]);
		free(vm->vcpus);
		vm->vcpus = NULL;
	}
	vm_virtio_destroy(&vm->virtio);
	if (vm->uart_ready)
		uart_16550_destroy(&vm->uart);
	if (vm->rtc_ready)
		pl031_destroy(&vm->rtc);
	irqchip_destroy(vm->chip);
	vm->chip = NULL;
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
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->rx_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0 || vm->rx_efd < 0) {
		int err = errno;

		log_err("eventfd: %s", strerror(err));
		return -err;
	}
	return 0;
}

/* ---- running ---- */

struct stdin_buf {
	uint8_t data[4096 + 1];
	size_t len, off;
	bool eof;
};

/* Pushes buffered console input into the UART; true when all was taken. */
static bool stdin_flush(struct vm *vm, struct stdin_buf *b)
{
	while (b->off < b->len) {
		size_t n = uart_16550_receive(&vm->uart, b->data + b->off, b->len - b->off);

		if (!n)
			return false;
		b->off += n;
	}
	b->off = b->len = 0;
	return true;
}

/*
 * User irqchip: a vCPU blocked in WFI depends on KVM to come back to
 * userspace when its timer fires or its IRQ line rises. On the 6.1 test
 * host that was seen to fail now and then (about 2 boots in 100 with 2
 * vCPUs, even with the signal on a rising line): both vCPUs in WFI, one with
 * its line high in our model but apparently not in KVM's. So while the event
 * loop is idle, every USER_IRQ_KICK_MS it drives each CPU's line again to the
 * model's level (KVM_IRQ_LINE with an unchanged level is a no-op, a lost one
 * is restored with a kick) and kicks every vCPU: KVM_RUN returns EINTR, the
 * vCPU thread reads the timer level again and re-enters.
 * A bounded cost (50 exits a second per idle vCPU) for a bounded wake-up
 * latency, in the fallback mode only.
 */
#define USER_IRQ_KICK_MS 20

static void vcpus_kick(struct vm *vm)
{
	int ret = gicv2_user_resync_lines(gicv2_user_of(vm->chip));

	if (ret)
		log_debug("gicv2-user: line resync: %s", strerror(-ret));
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (atomic_load(&v->kickable))
			pthread_kill(v->self, VCPU_KICK_SIGNAL);
	}
}

/* The event loop of the main thread; returns when a stop was requested. */
static void vm_event_loop(struct vm *vm, int sig_fd)
{
	struct console *con = &vm->s->console;
	struct stdin_buf in = { .eof = false };
	bool waiting_space = false;

	while (atomic_load(&vm->stop) == VM_RUNNING) {
		struct pollfd p[4] = {
			{ .fd = vm->stop_efd, .events = POLLIN },
			{ .fd = vm->rx_efd, .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = (in.eof || waiting_space) ? -1 : STDIN_FILENO, .events = POLLIN },
		};
		int n;

		seccomp_test_violation(vm->s->seccomp, SECCOMP_ROLE_MAIN); /* test builds only */
		n = poll(p, 4, vm->kind == IRQCHIP_USER ? USER_IRQ_KICK_MS : 1000);

		if (n < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			vm_request_stop(vm, VM_STOP_FAILURE);
			break;
		}
		pl031_tick(&vm->rtc);
		if (n == 0 && vm->kind == IRQCHIP_USER)
			vcpus_kick(vm);
		if (n <= 0)
			continue;
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				vm->s->host_signal = (int)si.ssi_signo;
				log_info("%s: stopping the VM", strsignal((int)si.ssi_signo));
				vm_request_stop(vm, VM_STOP_QUIT);
			}
		}
		if (p[1].revents & POLLIN) {
			uint64_t v;

			if (read(vm->rx_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				log_debug("read(rx eventfd): %s", strerror(errno));
			waiting_space = !stdin_flush(vm, &in);
		}
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR)) {
			uint8_t raw[4096];
			ssize_t r = read(STDIN_FILENO, raw, sizeof(raw));
			bool quit = false;

			if (r <= 0) {
				if (r < 0 && (errno == EINTR || errno == EAGAIN))
					continue;
				in.eof = true;	/* the guest runs on without input */
				continue;
			}
			in.len = console_filter(con, raw, (size_t)r, in.data, &quit);
			in.off = 0;
			if (quit) {
				log_info("escape sequence: quitting");
				vm_request_stop(vm, VM_STOP_QUIT);
				break;
			}
			waiting_space = !stdin_flush(vm, &in);
		}
	}
}

static int vm_start_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		int ret;

		pthread_mutex_lock(&vm->live_lock);
		vm->live_vcpus++;
		pthread_mutex_unlock(&vm->live_lock);
		ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret) {
			pthread_mutex_lock(&vm->live_lock);
			vm->live_vcpus--;
			pthread_mutex_unlock(&vm->live_lock);
			log_err("pthread_create(vCPU %u): %s", i, strerror(ret));
			vm_request_stop(vm, VM_STOP_FAILURE);
			return -ret;
		}
		v->thread_started = true;
	}
	return 0;
}

/*
 * Builds a VM with irqchip @kind. Returns 0, -EAGAIN when the irqchip could
 * not be set up (reason logged; try the next), -EINVAL for a user error,
 * other -errno for a host failure.
 */
static int vm_build(struct vm *vm, struct vm_session *s, enum irqchip_kind kind, char *why,
		    size_t why_len)
{
	int ret;

	ret = vm_init(vm, s, kind);
	if (ret)
		return ret;
	ret = vm_create_machine(vm, why, why_len);
	if (ret) {
		log_debug("irqchip %s: %s", irqchip_kind_name(kind), why);
		return -EAGAIN;
	}
	ret = vm_create_devices(vm);
	if (!ret)
		ret = vm_load_and_describe(vm);
	return ret;
}

static int setup_signals(sigset_t *old)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigset_t set;
	int fd;

	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL)) {
		log_err("sigaction: %s", strerror(errno));
		return -1;
	}
	/* vCPU threads inherit this mask and unblock only the kick signal */
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		log_err("signalfd: %s", strerror(errno));
	return fd;
}

/* Step 1: checks that need the host. Returns 0 or EXIT_USAGE (message logged). */
static int check_against_host(const struct vm_config *cfg, const struct host_caps *caps,
			      unsigned *ipa_bits)
{
	uint64_t top = LAYOUT_RAM_BASE + cfg->memory;
	unsigned limit = caps->ipa_limit ? (unsigned)caps->ipa_limit : 40;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	if ((int)cfg->cpus > caps->max_vcpus) {
		log_err("--cpus: %u is more than this host's KVM allows (%d)", cfg->cpus,
			caps->max_vcpus);
		return EXIT_USAGE;
	}
	if (cfg->cpus * LAYOUT_GICR_STRIDE > LAYOUT_GICR_MAX_SIZE) {
		log_err("--cpus: %u is more than kestrel's memory map holds (%llu)", cfg->cpus,
			LAYOUT_GICR_MAX_SIZE / LAYOUT_GICR_STRIDE);
		return EXIT_USAGE;
	}
	*ipa_bits = ipa_bits_for(top);
	if (*ipa_bits < 40)
		*ipa_bits = 40;
	if (top < LAYOUT_RAM_BASE || ipa_bits_for(top) > limit) {
		log_err("--memory: %llu MiB does not fit in this host's %u-bit guest address space",
			(unsigned long long)(cfg->memory >> 20), limit);
		return EXIT_USAGE;
	}
	if (*ipa_bits > limit)
		*ipa_bits = limit;
	if (pages > 0 && psize > 0 && cfg->memory > (uint64_t)pages * (uint64_t)psize) {
		log_err("--memory: %llu MiB is more than this host's RAM (%llu MiB)",
			(unsigned long long)(cfg->memory >> 20),
			(unsigned long long)((uint64_t)pages * (uint64_t)psize >> 20));
		return EXIT_USAGE;
	}
	return 0;
}

static int session_run(struct vm_session *s, int sig_fd)
{
	const struct vm_config *cfg = s->cfg;
	char list[64], tried[768] = "";
	size_t used = 0;
	int kind = -1, ret, status = EXIT_FAILURE_VMM;
	struct vm vm;

	irqchip_pref_format(&cfg->irqchip, list, sizeof(list));
	/* Step 3: walk the preference list; a later entry only after a full teardown. */
	for (unsigned i = 0; i < cfg->irqchip.n; i++) {
		enum irqchip_kind k = cfg->irqchip.kind[i];
		char why[256];

		if (irqchip_usable(s->caps, k, cfg->cpus, why, sizeof(why))) {
			ret = vm_build(&vm, s, k, why, sizeof(why));
			if (!ret) {
				kind = (int)k;
				break;
			}
			vm_destroy(&vm);
		} else {
			ret = -EAGAIN;
		}
		if (ret == -EINVAL)
			return EXIT_USAGE;
		if (ret != -EAGAIN)
			return EXIT_FAILURE_VMM;
		used += (size_t)snprintf(tried + used, sizeof(tried) - used, "%s%s: %s",
					 used ? "; " : "", irqchip_kind_name(k), why);
		if (used >= sizeof(tried))
			used = sizeof(tried) - 1;
	}
	if (kind < 0) {
		log_err("--irqchip %s: no usable interrupt controller on this host (%s)", list, tried);
		return EXIT_USAGE;
	}
	log_info("irqchip: %s (first usable of %s%s%s), %u vCPU%s, %llu MiB",
		 irqchip_kind_name(kind), list, used ? "; " : "", tried, cfg->cpus,
		 cfg->cpus > 1 ? "s" : "", (unsigned long long)(cfg->memory >> 20));

	/*
	 * seccomp (issue 8): the main thread's filter, before the first vCPU
	 * thread starts; every thread created later inherits it (vmm/seccomp.h).
	 */
	if (seccomp_install(s->seccomp, SECCOMP_ROLE_MAIN)) {
		vm_destroy(&vm);
		return EXIT_FAILURE_VMM;
	}
	for (;;) {
		enum vm_stop why;

		if (vm_start_vcpus(&vm) == 0)
			vm_event_loop(&vm, sig_fd);
		vcpus_stop(&vm);
		why = (enum vm_stop)atomic_load(&vm.stop);
		if (why == VM_STOP_QUIT && log_get_level() >= LOG_DEBUG)
			for (unsigned i = 0; i < vm.nr_vcpus; i++)
				arm64_vcpu_dump(&vm.vcpus[i], stderr);
		if (cfg->stats && vm.chip)
			irqchip_stats_print(vm.chip, stderr);
		vm_destroy(&vm);
		if (why == VM_STOP_POWEROFF) {
			status = EXIT_POWEROFF;
			break;
		}
		if (why != VM_STOP_RESET) {
			status = EXIT_FAILURE_VMM;
			break;
		}
		if (cfg->on_reboot == ON_REBOOT_EXIT) {
			status = EXIT_GUEST_RESET;
			break;
		}
		log_info("restarting the VM");
		ret = vm_build(&vm, s, (enum irqchip_kind)kind, tried, sizeof(tried));
		if (ret) {
			if (ret == -EAGAIN)
				log_err("restart: %s", tried);
			vm_destroy(&vm);
			status = ret == -EINVAL ? EXIT_USAGE : EXIT_FAILURE_VMM;
			break;
		}
	}
	return status;
}

int vm_run(const struct vm_config *cfg, const struct host_caps *caps)
{
	struct vm_session s = { .cfg = cfg, .caps = caps, .kvm_fd = -1 };
	char err[512];
	sigset_t old;
	int ret, sig_fd, status;
	int mmap_size;

	if (!caps->arm64_kvm) {
		log_err("/dev/kvm here runs %s guests: kestrel needs an arm64 host", caps->host_arch);
		return EXIT_FAILURE_VMM;
	}
	status = check_against_host(cfg, caps, &s.ipa_bits);
	if (status)
		return status;
	ret = arm64_boot_files_read(&s.files, cfg->kernel, cfg->initrd, cfg->memory, err,
				    sizeof(err));
	if (ret) {
		log_err("%s", err);
		return arm64_image_err_is_user(ret) ? EXIT_USAGE : EXIT_FAILURE_VMM;
	}
	ret = vm_backends_open(&s.backends, cfg, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		status = EXIT_USAGE;
		goto out_files;
	}
	s.kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (s.kvm_fd < 0) {
		log_err("/dev/kvm: %s", strerror(errno));
		status = EXIT_FAILURE_VMM;
		goto out_backends;
	}
	mmap_size = ioctl(s.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size <= 0) {
		log_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		status = EXIT_FAILURE_VMM;
		goto out_kvm;
	}
	s.run_size = (size_t)mmap_size;
	sig_fd = setup_signals(&old);
	if (sig_fd < 0) {
		status = EXIT_FAILURE_VMM;
		goto out_kvm;
	}
	ret = console_init(&s.console, STDIN_FILENO);
	if (ret)
		log_warn("console: cannot set raw mode: %s", strerror(-ret));

	/* seccomp (issue 8): compiled before any thread exists */
	ret = seccomp_filters_create(cfg, &s.console, &s.seccomp);
	status = ret ? EXIT_FAILURE_VMM : session_run(&s, sig_fd);
	seccomp_filters_destroy(s.seccomp);

	console_restore(&s.console);
	close(sig_fd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out_kvm:
	close(s.kvm_fd);
out_backends:
	vm_backends_close(&s.backends);
out_files:
	arm64_boot_files_free(&s.files);
	return status;
}
