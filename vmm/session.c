// SPDX-License-Identifier: GPL-2.0-only
/*
 * The session around the VM (vm_run()): what lives as long as the process
 * does — the kernel and initrd read once, disk and tap fds, /dev/kvm, the
 * terminal, the host-signal fd, the seccomp filters — and the two walks
 * over VM builds:
 * - the irqchip fallback: each irqchip of the preference list that the probe
 *   allows is tried on a fresh VM until one builds (a vGIC create cannot be
 *   undone, so a failed attempt throws the whole VM away);
 * - the reboot path: a guest reset with --on-reboot restart tears the VM
 *   down and builds it again with the same irqchip, keeping the session.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "arch/arm64/kvm.h"
#include "arch/arm64/layout.h"
#include "irqchip/irqchip.h"
#include "lib/log.h"
#include "vmm/log_file.h"
#include "vmm/seccomp.h"
#include "vmm/vm.h"
#include "vmm/vm_priv.h"

static void kick_handler(int sig)
{
}

/* Console input for the guest (serial_out, loop thread): what the UART takes. */
static size_t serial_input(void *ctx, const uint8_t *buf, size_t len)
{
	struct vm_session *s = ctx;

	return s->vm ? uart_16550_receive(&s->vm->uart, buf, len) : 0;
}

/* The console's escape sequence (Ctrl-a x). */
static void serial_quit(void *ctx)
{
	struct vm_session *s = ctx;

	log_info("escape sequence: quitting");
	if (s->vm)
		vm_request_stop(s->vm, VM_STOP_QUIT);
}

/* The serial console's host side, for the process lifetime. 0 or -errno (logged). */
static int serial_open(struct vm_session *s)
{
	const struct vm_config *cfg = s->cfg;
	struct serial_out_config sc = {
		.mode = cfg->serial,
		.path = cfg->serial_path,
		.in_fd = STDIN_FILENO,
		.out_fd = STDOUT_FILENO,
		.console = &s->console,
		.info_fd = STDERR_FILENO,
		.input = serial_input,
		.quit = serial_quit,
		.ctx = s,
	};
	int ret = serial_out_init(&s->serial, &sc, &s->el);

	s->serial_ready = !ret;
	return ret;
}

static unsigned ipa_bits_for(uint64_t top)
{
	unsigned bits = 32;

	while (bits < 64 && (1ULL << bits) < top)
		bits++;
	return bits;
}

static int setup_signals(sigset_t *old)
{
	struct sigaction sa = {.sa_handler = kick_handler};
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

/*
 * --hugepages: the huge page size and enough free ones for the RAM, from
 * /proc/meminfo (read here, before any seccomp filter). Returns 0 or
 * EXIT_USAGE (message logged).
 */
static int check_hugepages(const struct vm_config *cfg, uint64_t *page_size)
{
	char text[8192], err[256];
	ssize_t n = -1;
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	if (n < 0) {
		log_err("--hugepages: cannot read /proc/meminfo: %s", strerror(errno));
		return EXIT_USAGE;
	}
	text[n] = '\0';
	if (guest_mem_hugepages_check(text, cfg->memory, page_size, err, sizeof(err))) {
		log_err("%s", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* Step 1: checks that need the host. Returns 0 or EXIT_USAGE (message logged). */
static int check_against_host(const struct vm_config *cfg, const struct host_caps *caps,
			      unsigned *ipa_bits, uint64_t *huge_page_size)
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
	return cfg->hugepages ? check_hugepages(cfg, huge_page_size) : 0;
}

static int session_run(struct vm_session *s)
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
		log_err("--irqchip %s: no usable interrupt controller on this host (%s)", list,
			tried);
		return EXIT_USAGE;
	}
	log_info("irqchip: %s (first usable of %s%s%s), %u vCPU%s, %llu MiB",
		 irqchip_kind_name(kind), list, used ? "; " : "", tried, cfg->cpus,
		 cfg->cpus > 1 ? "s" : "", (unsigned long long)(cfg->memory >> 20));

	/*
	 * The main thread's seccomp filter, before the first vCPU
	 * thread starts; every thread created later inherits it (vmm/seccomp.h).
	 */
	if (seccomp_install(s->seccomp, SECCOMP_ROLE_MAIN)) {
		vm_destroy(&vm);
		return EXIT_FAILURE_VMM;
	}
	for (;;) {
		enum vm_stop why;

		if (vcpus_start(&vm) == 0)
			vm_main_loop(&vm);
		vcpus_stop(&vm);
		why = (enum vm_stop)atomic_load(&vm.stop);
		if (why == VM_STOP_POWEROFF) {
			/*
			 * The guest's last console bytes come before our line
			 * (the main thread drains the console: logging this
			 * from the vCPU thread split the guest's last line).
			 */
			if (s->serial_ready)
				serial_out_flush(&s->serial, 500);
			log_info("guest powered off");
		}
		if (why == VM_STOP_QUIT && log_get_level() >= LOG_DEBUG)
			for (unsigned i = 0; i < vm.nr_vcpus; i++)
				arm64_vcpu_dump(&vm.vcpus[i], stderr);
		if (cfg->stats && vm.chip) {
			irqchip_stats_print(vm.chip, stderr);
			vcpus_stats_print(&vm, stderr);
		}
		if (cfg->stats)
			vm_virtio_stats_print(&vm.virtio, stderr);
		vm_destroy(&vm);
		if (why == VM_STOP_POWEROFF) {
			status = EXIT_POWEROFF;
			break;
		}
		if (why == VM_STOP_QUIT) {
			status = EXIT_STOPPED;
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

int session_prepare(struct vm_session *s)
{
	const struct vm_config *cfg = s->cfg;
	char err[512];
	int ret, status, mmap_size;

	status = check_against_host(cfg, s->caps, &s->ipa_bits, &s->huge_page_size);
	if (status)
		return status;
	ret = arm64_boot_files_read(&s->files, cfg->kernel, cfg->initrd, cfg->memory, err,
				    sizeof(err));
	if (ret) {
		log_err("%s", err);
		return arm64_image_err_is_user(ret) ? EXIT_USAGE : EXIT_FAILURE_VMM;
	}
	ret = vm_backends_open(&s->backends, cfg, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		return EXIT_USAGE;
	}
	s->kvm_fd = kvm_open();
	if (s->kvm_fd < 0) {
		log_err("/dev/kvm: %s", strerror(-s->kvm_fd));
		return EXIT_FAILURE_VMM;
	}
	mmap_size = kvm_vcpu_mmap_size(s->kvm_fd);
	if (mmap_size < 0) {
		log_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(-mmap_size));
		return EXIT_FAILURE_VMM;
	}
	s->run_size = (size_t)mmap_size;
	/* seccomp filters: compiled before any thread exists */
	return seccomp_filters_create(cfg, &s->console, &s->seccomp) ? EXIT_FAILURE_VMM : 0;
}

/*
 * Started with --api-socket and no kernel: serve the API until a client's
 * InstanceStart was accepted (0), or a signal ends the wait (EXIT_STOPPED).
 */
static int wait_for_start(struct vm_session *s)
{
	log_info("waiting for InstanceStart on %s", s->cfg->api_socket);
	while (!s->start && !s->host_signal) {
		int ret = event_loop_run_once(&s->el, -1);

		if (ret < 0) {
			log_err("poll: %s", strerror(-ret));
			return EXIT_FAILURE_VMM;
		}
	}
	return s->start ? 0 : EXIT_STOPPED;
}

/* The serial console's last words, its counters, and its end. */
static void serial_close(struct vm_session *s)
{
	struct serial_out_stats st;

	if (!s->serial_ready)
		return;
	/* bounded: a stalled reader cannot hold up the exit */
	serial_out_flush(&s->serial, 500);
	if (s->cfg->stats) {
		serial_out_get_stats(&s->serial, &st);
		fprintf(stderr,
			"serial: in %llu out %llu dropped %llu input %llu clients %llu refused "
			"%llu\n",
			(unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
			(unsigned long long)st.dropped, (unsigned long long)st.input,
			(unsigned long long)st.clients, (unsigned long long)st.refused);
	}
	serial_out_destroy(&s->serial);
	s->serial_ready = false;
}

int vm_run(struct vm_config *cfg, const struct host_caps *caps)
{
	struct vm_session s = {
		.cfg = cfg,
		.caps = caps,
		.kvm_fd = -1,
		.shutdown_tfd = -1,
		.button_tfd = -1,
		.log_fd = -1,
		.sig_fd = -1,
	};
	sigset_t old;
	int ret, status = EXIT_FAILURE_VMM;

	for (unsigned i = 0; i < VM_MAX_DISKS; i++)
		s.backends.disk_fd[i] = -1;
	for (unsigned i = 0; i < VM_MAX_NETS; i++)
		s.backends.tap_fd[i] = -1;
	s.backends.vsock.fd = -1;
	if (!caps->arm64_kvm) {
		log_err("/dev/kvm here runs %s guests: kestrel needs an arm64 host",
			caps->host_arch);
		return EXIT_FAILURE_VMM;
	}
	/* a console or API reader that went away is an error on that fd, not a kill */
	signal(SIGPIPE, SIG_IGN);
	if (cfg->log_file) {
		s.log_fd = log_file_open(cfg->log_file);
		if (s.log_fd < 0) {
			log_err("--log-file %s: %s", cfg->log_file, strerror(-s.log_fd));
			return EXIT_USAGE;
		}
		log_set_output(s.log_fd, true);
	}
	s.sig_fd = setup_signals(&old);
	if (s.sig_fd < 0)
		goto out_log;
	if (main_loop_init(&s))
		goto out_loop;
	/* the terminal is the console only in stdio mode */
	if (cfg->serial == VM_SERIAL_STDIO) {
		ret = console_init(&s.console, STDIN_FILENO);
		if (ret)
			log_warn("console: cannot set raw mode: %s", strerror(-ret));
	}
	if (serial_open(&s))
		goto out_serial;
	if (cfg->api_socket && vm_api_open(&s)) {
		status = EXIT_USAGE;
		goto out_serial;
	}
	if (!cfg->kernel) {
		status = wait_for_start(&s); /* InstanceStart ran session_prepare() */
	} else {
		status = session_prepare(&s);
	}
	if (!status)
		status = session_run(&s);
	seccomp_filters_destroy(s.seccomp);
	vm_api_close(&s);
out_serial:
	serial_close(&s);
	console_restore(&s.console);
out_loop:
	main_loop_destroy(&s);
	close(s.sig_fd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (s.kvm_fd >= 0)
		close(s.kvm_fd);
	vm_backends_close(&s.backends);
	arm64_boot_files_free(&s.files);
out_log:
	if (s.log_fd >= 0) {
		log_set_output(STDERR_FILENO, false);
		close(s.log_fd);
	}
	return status;
}
