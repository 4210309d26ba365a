/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VM's parts, shared by the files of the VMM core (private to vmm/):
 *
 *   session.c    vm_run(): the session (files, console, signals, seccomp),
 *                the irqchip fallback walk and the reboot path
 *   vm.c         vm_build(): the boot order, and vm_destroy()
 *   vcpu_loop.c  one thread per vCPU: KVM_RUN and its exits; start, stop
 *   main_loop.c  the main thread's event loop: console input, host
 *                signals, stop requests, the RTC tick
 *
 * Threads: the main thread builds, runs the event loop and tears down; each
 * vCPU thread only touches its own struct vcpu, the MMIO bus (read-only) and
 * the devices through their locked interfaces; vm_request_stop() is the one
 * function every thread may call.
 */
#ifndef KESTREL_VMM_VM_PRIV_H
#define KESTREL_VMM_VM_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arch/arm64/host_caps.h"
#include "arch/arm64/image.h"
#include "arch/arm64/vcpu.h"
#include "devices/pl031.h"
#include "devices/pl061.h"
#include "devices/uart_16550.h"
#include "irqchip/irqchip_select.h"
#include "irqchip/user_lines.h"
#include "lib/event_loop.h"
#include "lib/guest_mem.h"
#include "lib/mmio_bus.h"
#include "vmm/api_router.h"
#include "vmm/console.h"
#include "vmm/serial_out.h"
#include "vmm/vm_config.h"
#include "vmm/vm_virtio.h"

enum vm_stop {
	VM_RUNNING = 0,
	VM_STOP_POWEROFF,
	VM_STOP_RESET,
	VM_STOP_FAILURE,
	VM_STOP_QUIT, /* user escape or host signal */
};

/* What survives a guest reset: the configuration, the console, the files. */
struct vm_session {
	struct vm_config *cfg; /* the API may fill it before the start */
	const struct host_caps *caps;
	struct arm64_boot_files files; /* open at start; contents freed after each load */
	struct console console;
	struct vm_backends backends; /* disk and tap fds, kept across reboots */
	int kvm_fd;
	size_t run_size;
	unsigned ipa_bits;
	uint64_t huge_page_size; /* with --hugepages: /proc/meminfo's Hugepagesize */
	int host_signal; /* the SIGTERM/SIGINT/SIGHUP that stopped us, or 0 */
	struct seccomp_filters *seccomp; /* NULL with --seccomp off */
	/* the main thread's event loop and what lives as long as the process */
	struct event_loop el;
	int sig_fd;
	int log_fd; /* --log-file, or -1 */
	struct serial_out serial;
	bool serial_ready;
	struct vm *vm; /* the VM being run, NULL between builds */
	/* graceful stop (main_loop.c): power button, then a hard stop at the deadline */
	int shutdown_tfd; /* timerfd: the shutdown timeout */
	int button_tfd; /* timerfd: releases the power button */
	bool shutting_down;
	/* the API socket (vm_api.c), NULL without --api-socket */
	struct api_server *api;
	struct api_router router;
	bool start; /* InstanceStart was accepted */
};

/* One build of the VM: thrown away on a reset and built again. */
struct vm {
	struct vm_session *s;
	enum irqchip_kind kind;
	int vm_fd;
	struct guest_mem mem;
	struct mmio_bus bus;
	struct irqchip *chip;
	struct user_lines lines; /* userspace GIC only */
	unsigned nr_vcpus;
	struct vcpu *vcpus;
	struct uart_16550 uart;
	bool uart_ready;
	struct pl031 rtc;
	bool rtc_ready;
	struct pl061 gpio; /* the power button */
	bool gpio_ready;
	struct vm_virtio virtio;
	struct arm64_boot_layout boot;
	_Atomic int stop; /* enum vm_stop; the first request wins */
	int stop_efd; /* wakes the event loop */
	int rx_efd; /* UART has room again */
	pthread_mutex_t live_lock; /* guards live_vcpus */
	pthread_cond_t live_cond;
	unsigned live_vcpus; /* vCPU threads still in their run loop */
	/* pause (vcpu_loop.c), guarded by live_lock */
	atomic_bool pause; /* asked: vCPUs park at their next exit */
	unsigned parked; /* vCPU threads parked */
	pthread_cond_t park_cond; /* parked changed, or pause cleared */
	/* guest errors, counted for the log's rate limit (lib/log.h log_count()) */
	uint64_t unmapped_accesses; /* decodable, no device: read as zero, write ignored */
	uint64_t nisv_accesses;	    /* not decodable: external abort injected */
};

/*
 * session.c. After the session's loop is up: host checks, kernel and
 * initrd, backends, /dev/kvm, seccomp compilation. Returns 0 or an exit
 * status (the reason logged); what it opened is closed by vm_run().
 */
int session_prepare(struct vm_session *s);

/* vm_api.c. Main thread: the API socket on the session's loop. 0 or -errno (logged). */
int vm_api_open(struct vm_session *s);
void vm_api_close(struct vm_session *s);
/* The VMM paused or resumed the VM by itself: tell the API. */
void vm_api_set_state(struct vm_session *s, bool paused);

/* Any thread: records why the VM must stop (first reason wins), wakes the loop. */
void vm_request_stop(struct vm *vm, enum vm_stop why);

/*
 * vm.c. Builds a VM with irqchip @kind. Returns 0, -EAGAIN when the irqchip
 * could not be set up (reason in @why; try the next), -EINVAL for a user
 * error, other -errno for a host failure. vm_destroy() afterwards in every
 * case (also after a failure: it undoes what was built).
 */
int vm_build(struct vm *vm, struct vm_session *s, enum irqchip_kind kind, char *why,
	     size_t why_len);
void vm_destroy(struct vm *vm);

/* vcpu_loop.c. Main thread. 0 or -errno (a stop was requested then). */
int vcpus_start(struct vm *vm);
/* Main thread, after a stop request: every vCPU thread leaves and is joined. */
void vcpus_stop(struct vm *vm);
/* Main thread, after vcpus_stop(): per-vCPU exit counts for --stats. */
void vcpus_stats_print(const struct vm *vm, FILE *f);

/*
 * vcpu_loop.c. Main thread. vcpus_pause() returns once every vCPU thread is
 * parked outside KVM_RUN (or left its loop); vcpus_resume() lets them run.
 */
void vcpus_pause(struct vm *vm);
void vcpus_resume(struct vm *vm);

/*
 * main_loop.c. Main thread. main_loop_init() sets up the session's loop
 * (host signals, the shutdown timers) once; vm_main_loop() runs it for @vm
 * until a stop was requested; main_loop_destroy() at the end.
 */
int main_loop_init(struct vm_session *s);
void vm_main_loop(struct vm *vm);
void main_loop_destroy(struct vm_session *s);

/*
 * Main thread: asks the guest to power off through the power button and
 * stops it hard after cfg->shutdown_timeout seconds (or at once when a
 * graceful stop is already under way).
 */
void vm_request_shutdown(struct vm_session *s);

#endif
