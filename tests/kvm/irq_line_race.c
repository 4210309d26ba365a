// SPDX-License-Identifier: GPL-2.0-only
/*
 * irq_line_race: a standalone reproducer for lost wake-ups of a vCPU in WFI
 * with a userspace irqchip on arm64 KVM (docs/kvm-irq-line-race.md).
 *
 * A VM without any in-kernel GIC, one vCPU (preferred target, PSCI 0.2), and
 * a guest (irq_line_race_guest.S) that unmasks IRQs and loops on WFI; its
 * IRQ handler stores to an unmapped address (an MMIO exit: "IRQ taken") and
 * returns. The program drives the vCPU's CPU IRQ line
 * (KVM_ARM_IRQ_TYPE_CPU << 24 | 0 << 16 | KVM_ARM_IRQ_CPU_IRQ) and counts
 * the wake-ups that never come. Modes:
 *
 *   cross  a toggler thread raises the line with KVM_IRQ_LINE while the vCPU
 *          thread is inside KVM_RUN; the vCPU thread lowers it when it sees
 *          the "IRQ taken" exit. The old kestrel scheme.
 *   owner  the toggler only stores the wanted level and kicks the vCPU
 *          (immediate_exit, then a signal); the vCPU thread issues
 *          KVM_IRQ_LINE itself before KVM_RUN when the wanted level differs
 *          from the level it last applied. No KVM_IRQ_LINE is ever issued
 *          while the vCPU is inside KVM_RUN. The new kestrel scheme.
 *   timer  no other thread touches the line: the guest arms its EL1 virtual
 *          timer and waits in WFI; the vCPU thread applies the line from the
 *          timer level KVM reports in kvm_run (device_irq_level), as a
 *          userspace irqchip does. Counts timer ticks that never wake WFI.
 *
 * A wait longer than the timeout counts as lost; the toggler then kicks the
 * vCPU and counts whether the IRQ came within another timeout after the kick
 * alone (recovered_by_kick) or not even then (dropped: the vCPU thread then
 * re-asserts the line itself so that the run can go on). A kicked vCPU
 * re-enters the guest with whatever HCR_EL2.VI KVM holds, so "dropped" means
 * the kernel lost the raised line, while "recovered_by_kick" is a missed or
 * merely slow wake-up (an emulated host stalls now and then: see the doc).
 * max_wait_us is the longest wait that ended with the IRQ taken.
 *
 * Usage: irq-line-race MODE [N] [TIMEOUT_MS] [--expect-zero] [--busy]
 *                      [--jitter-us U] [--period-us P]
 * Prints one line "mode=M toggles=N lost=K recovered_by_kick=R dropped=D
 * ..." and exits 0; 1 with --expect-zero when K > 0; 2 on bad arguments;
 * 3 when the VM cannot be set up or the vCPU misbehaves.
 *
 * Threads: main (the toggler), the vCPU thread, and with --busy a spinner
 * sharing the vCPU thread's CPU (more preemptions, so more vcpu loads). The
 * vCPU thread alone issues KVM_RUN; in owner and timer modes it alone issues
 * KVM_IRQ_LINE. Shared fields are C11 atomics; struct race is owned by main
 * and outlives both threads. Raw ioctls only: no kestrel code.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUEST_BASE 0x40000000ULL
#define GUEST_SIZE 0x10000ULL
#define MMIO_BASE 0x10000000ULL /* unmapped: stores there exit to userspace */
#define MMIO_IRQ (MMIO_BASE + 0x0)
#define MMIO_BAD (MMIO_BASE + 0x8)
#define KICK_SIGNAL SIGUSR1
#define CPU_IRQ_LINE ((KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT) | KVM_ARM_IRQ_CPU_IRQ)

extern const unsigned char irq_race_guest_start[];
extern const unsigned char irq_race_guest_end[];

enum mode { MODE_CROSS, MODE_OWNER, MODE_TIMER };

struct race {
	enum mode mode;
	unsigned long toggles;
	unsigned long timeout_ms;
	unsigned long jitter_us;
	unsigned long period_us;
	bool expect_zero;
	bool busy;

	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	void *mem;
	pthread_t vcpu_thread;
	pthread_t busy_thread;

	/* set by the toggler, read by the vCPU thread */
	atomic_uint wanted; /* owner mode: the level the line should have */
	atomic_bool reassert; /* recovery: the vCPU thread raises the line itself */
	atomic_bool stop;
	/* set by the vCPU thread, read by the toggler */
	atomic_ulong taken; /* "IRQ taken" exits seen */
	atomic_int failed; /* the vCPU thread hit an error: 3 */
	pthread_mutex_t lock; /* with cond: the toggler sleeps until taken moves */
	pthread_cond_t cond;

	/* vCPU thread only */
	unsigned int applied; /* the level it last gave KVM_IRQ_LINE */

	/* results (toggler only) */
	unsigned long lost;
	unsigned long recovered;
	unsigned long dropped;
	unsigned long kicks;
	uint64_t max_wait_us;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void noop_handler(int sig)
{
	(void)sig;
}

/* Returns 0, or -1 with errno set. Any thread. */
static int irq_line(struct race *r, unsigned int level)
{
	struct kvm_irq_level il = {.irq = CPU_IRQ_LINE, .level = level};

	return ioctl(r->vm_fd, KVM_IRQ_LINE, &il);
}

/*
 * Make the vCPU thread leave (or not enter) KVM_RUN: immediate_exit covers a
 * vCPU about to enter, the signal one inside. Toggler only.
 */
static void kick(struct race *r)
{
	__atomic_store_n(&r->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(r->vcpu_thread, KICK_SIGNAL);
	r->kicks++;
}

static void report_taken(struct race *r)
{
	pthread_mutex_lock(&r->lock);
	atomic_fetch_add(&r->taken, 1);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static void vcpu_fail(struct race *r, const char *what)
{
	fprintf(stderr, "irq-line-race: vcpu: %s: %s\n", what, strerror(errno));
	atomic_store(&r->failed, 1);
	report_taken(r); /* wake the toggler */
}

/* Applies LEVEL to the line from the vCPU thread. Returns 0 or -1. */
static int vcpu_apply(struct race *r, unsigned int level)
{
	if (irq_line(r, level) < 0) {
		vcpu_fail(r, "KVM_IRQ_LINE");
		return -1;
	}
	r->applied = level;
	return 0;
}

static void *vcpu_main(void *arg)
{
	struct race *r = arg;
	struct kvm_run *run = r->run;

	for (;;) {
		/* clear first: a kick after this point re-sets it */
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (atomic_load(&r->stop))
			break;
		if (r->mode == MODE_OWNER) {
			unsigned int w = atomic_load(&r->wanted);

			if (w != r->applied && vcpu_apply(r, w) < 0)
				break;
		} else if (r->mode == MODE_TIMER) {
			unsigned int lvl =
				!!(run->s.regs.device_irq_level & KVM_ARM_DEV_EL1_VTIMER);

			if (lvl != r->applied && vcpu_apply(r, lvl) < 0)
				break;
		}
		if (atomic_exchange(&r->reassert, false) && vcpu_apply(r, 1) < 0)
			break;

		if (ioctl(r->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_fail(r, "KVM_RUN");
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (run->mmio.phys_addr == MMIO_IRQ && run->mmio.is_write) {
				/* line modes: lower the line before the guest resumes */
				if (r->mode == MODE_OWNER)
					atomic_store(&r->wanted, 0);
				if (r->mode != MODE_TIMER && vcpu_apply(r, 0) < 0)
					goto out;
				report_taken(r);
				continue;
			}
			errno = EPROTO;
			if (run->mmio.phys_addr == MMIO_BAD) {
				uint64_t esr;

				memcpy(&esr, run->mmio.data, sizeof(esr));
				fprintf(stderr, "irq-line-race: guest exception, ESR_EL1 0x%llx\n",
					(unsigned long long)esr);
			}
			vcpu_fail(r, "unexpected MMIO exit");
			goto out;
		case KVM_EXIT_INTR:
			/* timer level change (userspace irqchip) or a kick */
			continue;
		default:
			fprintf(stderr, "irq-line-race: exit reason %u\n", run->exit_reason);
			errno = EPROTO;
			vcpu_fail(r, "unexpected exit");
			goto out;
		}
	}
out:
	return NULL;
}

static void *busy_main(void *arg)
{
	struct race *r = arg;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed))
		;
	return NULL;
}

static void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * Waits until the "IRQ taken" count exceeds OLD or TIMEOUT_US pass.
 * Returns true when it moved. Toggler only.
 */
static bool wait_taken(struct race *r, unsigned long old, uint64_t timeout_us)
{
	uint64_t start = now_us(), end = start + timeout_us;
	struct timespec ts;
	bool moved;

	/* spin a little first: the usual answer comes within a millisecond */
	while (now_us() < start + 2000 && now_us() < end) {
		if (atomic_load(&r->taken) > old || atomic_load(&r->failed))
			goto done;
	}
	pthread_mutex_lock(&r->lock);
	while (atomic_load(&r->taken) <= old && !atomic_load(&r->failed) && now_us() < end) {
		uint64_t rt;

		clock_gettime(CLOCK_REALTIME, &ts);
		rt = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000 + (end - now_us());
		ts.tv_sec = (time_t)(rt / 1000000);
		ts.tv_nsec = (long)(rt % 1000000) * 1000;
		pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
done:
	moved = atomic_load(&r->taken) > old;
	if (moved && now_us() - start > r->max_wait_us)
		r->max_wait_us = now_us() - start;
	return moved;
}

/* Busy-waits 0..jitter_us microseconds (sweeps the raise across vcpu loads). */
static void jitter(struct race *r, unsigned int *seed)
{
	uint64_t end;

	if (!r->jitter_us)
		return;
	end = now_us() + (uint64_t)rand_r(seed) % (r->jitter_us + 1);
	while (now_us() < end)
		;
}

/*
 * One toggle: raise the line (mode's way), wait for "IRQ taken"; on timeout
 * kick, then re-assert. Returns 0, or -1 when the vCPU failed or never took
 * the IRQ even after re-asserting it.
 */
static int toggle(struct race *r, unsigned int *seed)
{
	unsigned long old = atomic_load(&r->taken);
	uint64_t timeout = r->timeout_ms * 1000;

	if (r->mode == MODE_TIMER) {
		timeout += r->period_us; /* the guest re-arms itself */
	} else {
		jitter(r, seed);
		if (r->mode == MODE_CROSS) {
			if (irq_line(r, 1) < 0) {
				perror("irq-line-race: KVM_IRQ_LINE");
				return -1;
			}
		} else {
			atomic_store(&r->wanted, 1);
			kick(r);
		}
	}
	if (wait_taken(r, old, timeout))
		return 0;
	if (atomic_load(&r->failed))
		return -1;
	r->lost++;
	kick(r);
	if (wait_taken(r, old, timeout)) {
		r->recovered++;
		return 0;
	}
	if (atomic_load(&r->failed))
		return -1;
	r->dropped++;
	atomic_store(&r->reassert, true);
	kick(r);
	if (wait_taken(r, old, timeout < 5000000 ? 5000000 : timeout))
		return 0;
	fprintf(stderr, "irq-line-race: the vCPU does not take its IRQ even re-asserted\n");
	return -1;
}

static int set_reg(struct race *r, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = {.id = id, .addr = (uint64_t)(uintptr_t)&val};

	return ioctl(r->vcpu_fd, KVM_SET_ONE_REG, &reg);
}

#define CORE_REG(field)                                        \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, field) / sizeof(uint32_t)))

/* Builds the VM and its vCPU. Returns 0, or -1 after printing why. */
static int setup(struct race *r)
{
	struct kvm_userspace_memory_region region;
	struct kvm_vcpu_init init;
	size_t len = (size_t)(irq_race_guest_end - irq_race_guest_start);
	uint64_t frq, ticks;
	int mmap_size;

	r->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (r->kvm_fd < 0) {
		perror("irq-line-race: /dev/kvm");
		return -1;
	}
	if (ioctl(r->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_USER_IRQ) <= 0) {
		fprintf(stderr, "irq-line-race: no KVM_CAP_ARM_USER_IRQ\n");
		return -1;
	}
	r->vm_fd = ioctl(r->kvm_fd, KVM_CREATE_VM, 0);
	if (r->vm_fd < 0) {
		perror("irq-line-race: KVM_CREATE_VM");
		return -1;
	}
	r->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->mem == MAP_FAILED) {
		perror("irq-line-race: mmap");
		return -1;
	}
	if (len > GUEST_SIZE) {
		fprintf(stderr, "irq-line-race: guest image too large\n");
		return -1;
	}
	memcpy(r->mem, irq_race_guest_start, len);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = GUEST_BASE,
		.memory_size = GUEST_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)r->mem,
	};
	if (ioctl(r->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		perror("irq-line-race: KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	r->vcpu_fd = ioctl(r->vm_fd, KVM_CREATE_VCPU, 0);
	if (r->vcpu_fd < 0) {
		perror("irq-line-race: KVM_CREATE_VCPU");
		return -1;
	}
	mmap_size = ioctl(r->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		perror("irq-line-race: KVM_GET_VCPU_MMAP_SIZE");
		return -1;
	}
	r->run_size = (size_t)mmap_size;
	r->run = mmap(NULL, r->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vcpu_fd, 0);
	if (r->run == MAP_FAILED) {
		perror("irq-line-race: mmap kvm_run");
		return -1;
	}
	memset(&init, 0, sizeof(init));
	if (ioctl(r->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		perror("irq-line-race: KVM_ARM_PREFERRED_TARGET");
		return -1;
	}
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(r->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		perror("irq-line-race: KVM_ARM_VCPU_INIT");
		return -1;
	}
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
	ticks = frq * r->period_us / 1000000;
	if (!ticks)
		ticks = 1;
	if (set_reg(r, CORE_REG(regs.pc), GUEST_BASE) < 0 ||
	    set_reg(r, CORE_REG(regs.regs[0]), MMIO_BASE) < 0 ||
	    set_reg(r, CORE_REG(regs.regs[2]), r->mode == MODE_TIMER) < 0 ||
	    set_reg(r, CORE_REG(regs.regs[3]), ticks) < 0) {
		perror("irq-line-race: KVM_SET_ONE_REG");
		return -1;
	}
	return 0;
}

static void teardown(struct race *r)
{
	if (r->run && r->run != MAP_FAILED)
		munmap(r->run, r->run_size);
	if (r->vcpu_fd >= 0)
		close(r->vcpu_fd);
	if (r->vm_fd >= 0)
		close(r->vm_fd);
	if (r->kvm_fd >= 0)
		close(r->kvm_fd);
	if (r->mem && r->mem != MAP_FAILED)
		munmap(r->mem, GUEST_SIZE);
}

static int parse_ulong(const char *name, const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "irq-line-race: bad %s '%s'\n", name, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(struct race *r, int argc, char **argv)
{
	int pos = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--expect-zero")) {
			r->expect_zero = true;
		} else if (!strcmp(a, "--busy")) {
			r->busy = true;
		} else if (!strcmp(a, "--jitter-us") && i + 1 < argc) {
			if (parse_ulong("jitter", argv[++i], 1000000, &r->jitter_us) < 0)
				return -1;
		} else if (!strcmp(a, "--period-us") && i + 1 < argc) {
			if (parse_ulong("period", argv[++i], 10000000, &r->period_us) < 0)
				return -1;
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "irq-line-race: bad option '%s'\n", a);
			return -1;
		} else if (pos == 0) {
			if (!strcmp(a, "cross")) {
				r->mode = MODE_CROSS;
			} else if (!strcmp(a, "owner")) {
				r->mode = MODE_OWNER;
			} else if (!strcmp(a, "timer")) {
				r->mode = MODE_TIMER;
			} else {
				fprintf(stderr, "irq-line-race: bad mode '%s'\n", a);
				return -1;
			}
			pos++;
		} else if (pos == 1) {
			if (parse_ulong("toggles", a, 100000000, &r->toggles) < 0 || !r->toggles)
				return -1;
			pos++;
		} else if (pos == 2) {
			if (parse_ulong("timeout", a, 600000, &r->timeout_ms) < 0 || !r->timeout_ms)
				return -1;
			pos++;
		} else {
			fprintf(stderr, "irq-line-race: extra argument '%s'\n", a);
			return -1;
		}
	}
	if (pos == 0) {
		fprintf(stderr, "usage: irq-line-race cross|owner|timer [N] [TIMEOUT_MS] "
				"[--expect-zero] [--busy] [--jitter-us U] [--period-us P]\n");
		return -1;
	}
	return 0;
}

static const char *mode_name(enum mode m)
{
	return m == MODE_CROSS ? "cross" : m == MODE_OWNER ? "owner" : "timer";
}

int main(int argc, char **argv)
{
	struct race r = {
		.toggles = 2000,
		.timeout_ms = 200,
		.jitter_us = 100,
		.period_us = 1000,
		.kvm_fd = -1,
		.vm_fd = -1,
		.vcpu_fd = -1,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct sigaction sa;
	unsigned int seed = 12345;
	unsigned long done = 0;
	uint64_t start;
	int status = 3;

	if (parse_args(&r, argc, argv) < 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = noop_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0) {
		perror("irq-line-race: sigaction");
		return 3;
	}
	if (setup(&r) < 0)
		goto out;
	if (r.busy) {
		/* the vCPU thread inherits CPU 0; the spinner shares it */
		pin_self(0);
		if (pthread_create(&r.busy_thread, NULL, busy_main, &r)) {
			fprintf(stderr, "irq-line-race: cannot start the busy thread\n");
			goto out;
		}
	}
	if (pthread_create(&r.vcpu_thread, NULL, vcpu_main, &r)) {
		fprintf(stderr, "irq-line-race: cannot start the vCPU thread\n");
		goto out_busy;
	}
	if (r.busy)
		pin_self(1);

	start = now_us();
	for (; done < r.toggles; done++) {
		if (toggle(&r, &seed) < 0)
			break;
	}
	atomic_store(&r.stop, true);
	kick(&r);
	pthread_join(r.vcpu_thread, NULL);
	if (done == r.toggles && !atomic_load(&r.failed)) {
		printf("mode=%s toggles=%lu lost=%lu recovered_by_kick=%lu dropped=%lu "
		       "max_wait_us=%llu secs=%.1f busy=%d\n",
		       mode_name(r.mode), r.toggles, r.lost, r.recovered, r.dropped,
		       (unsigned long long)r.max_wait_us, (double)(now_us() - start) / 1e6, r.busy);
		status = r.expect_zero && r.lost ? 1 : 0;
	} else {
		fprintf(stderr, "irq-line-race: stopped after %lu of %lu toggles (lost %lu)\n",
			done, r.toggles, r.lost);
	}
out_busy:
	if (r.busy) {
		atomic_store(&r.stop, true);
		pthread_join(r.busy_thread, NULL);
	}
out:
	fflush(stdout);
	teardown(&r);
	return status;
}
