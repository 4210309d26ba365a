// SPDX-License-Identifier: GPL-2.0-only
/*
 * The main thread's event loop (lib/event_loop.h) while the guest runs:
 * - the stop eventfd: any thread's vm_request_stop() ends the loop;
 * - the host signals (SIGTERM, SIGINT, SIGHUP) through a signalfd;
 * - console input: stdin, through the escape filter (Ctrl-a x), into the
 *   UART's receive FIFO; while the FIFO is full stdin is not polled and the
 *   UART's rx eventfd says when there is room again (back-pressure);
 * - the RTC tick, at least once a second.
 * Nothing here polls for interrupts: the userspace GIC's lines are applied
 * by the vCPU threads themselves (irqchip/user_lines.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/event_loop.h"
#include "lib/log.h"
#include "vmm/seccomp.h"
#include "vmm/vm_priv.h"

#define TICK_MS 1000

struct main_loop {
	struct vm *vm;
	struct event_loop el;
	uint8_t in[4096 + 1]; /* filtered console input not yet taken by the UART */
	size_t in_len, in_off;
	bool in_eof;
};

/* Pushes buffered console input into the UART; polls stdin again once all was taken. */
static void stdin_flush(struct main_loop *ml)
{
	while (ml->in_off < ml->in_len) {
		size_t n = uart_16550_receive(&ml->vm->uart, ml->in + ml->in_off,
					      ml->in_len - ml->in_off);

		if (!n)
			break;
		ml->in_off += n;
	}
	if (ml->in_off == ml->in_len)
		ml->in_off = ml->in_len = 0;
	event_loop_set_events(&ml->el, STDIN_FILENO, ml->in_eof || ml->in_len ? 0 : POLLIN);
}

static void on_stdin(void *ctx, int fd, short revents)
{
	struct main_loop *ml = ctx;
	uint8_t raw[4096];
	bool quit = false;
	ssize_t r = read(fd, raw, sizeof(raw));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		ml->in_eof = true; /* the guest runs on without input */
		event_loop_set_events(&ml->el, fd, 0);
		return;
	}
	ml->in_len = console_filter(&ml->vm->s->console, raw, (size_t)r, ml->in, &quit);
	ml->in_off = 0;
	if (quit) {
		log_info("escape sequence: quitting");
		vm_request_stop(ml->vm, VM_STOP_QUIT);
		return;
	}
	stdin_flush(ml);
}

static void on_rx_space(void *ctx, int fd, short revents)
{
	struct main_loop *ml = ctx;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("read(rx eventfd): %s", strerror(errno));
	stdin_flush(ml);
}

static void on_signal(void *ctx, int fd, short revents)
{
	struct main_loop *ml = ctx;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	ml->vm->s->host_signal = (int)si.ssi_signo;
	log_info("%s: stopping the VM", strsignal((int)si.ssi_signo));
	vm_request_stop(ml->vm, VM_STOP_QUIT);
}

/* The stop request itself is read from vm->stop; this only wakes poll(). */
static void on_stop(void *ctx, int fd, short revents)
{
}

void vm_main_loop(struct vm *vm, int sig_fd)
{
	struct main_loop ml = {.vm = vm};
	int ret;

	event_loop_init(&ml.el);
	ret = event_loop_add(&ml.el, vm->stop_efd, POLLIN, on_stop, &ml);
	if (!ret)
		ret = event_loop_add(&ml.el, vm->rx_efd, POLLIN, on_rx_space, &ml);
	if (!ret)
		ret = event_loop_add(&ml.el, sig_fd, POLLIN, on_signal, &ml);
	if (!ret)
		ret = event_loop_add(&ml.el, STDIN_FILENO, POLLIN, on_stdin, &ml);
	if (ret) {
		log_err("event loop: %s", strerror(-ret));
		vm_request_stop(vm, VM_STOP_FAILURE);
		return;
	}
	while (atomic_load(&vm->stop) == VM_RUNNING) {
		seccomp_test_violation(vm->s->seccomp, SECCOMP_ROLE_MAIN); /* test builds only */
		ret = event_loop_run_once(&ml.el, TICK_MS);
		if (ret < 0) {
			log_err("poll: %s", strerror(-ret));
			vm_request_stop(vm, VM_STOP_FAILURE);
			break;
		}
		pl031_tick(&vm->rtc);
	}
}
