// SPDX-License-Identifier: GPL-2.0-only
/*
 * The main thread's event loop (lib/event_loop.h). Sources:
 * - for the session (registered once by main_loop_init() and by the
 *   components that live as long as the process: the serial console's fds,
 *   vmm/serial_out.h; the API socket): the host signals through a
 *   signalfd, and the two timers of a graceful stop;
 * - for the VM being run (added and removed by vm_main_loop()): its stop
 *   eventfd (any thread's vm_request_stop() ends the loop) and the UART's
 *   rx eventfd (room again in the receive FIFO: console input resumes).
 * The RTC ticks at least once a second. Nothing here polls for interrupts:
 * the userspace GIC's lines are applied by the vCPU threads themselves.
 *
 * Graceful stop: SIGTERM (or the API's SendCtrlAltDel, through
 * vm_request_shutdown()) presses the PL061 power button for 100 ms, like a
 * finger would (Linux's gpio-keys debounces for 5 ms), and arms the
 * shutdown timer; a guest that powers off in time ends with status 0, one
 * that does not is stopped hard at the deadline (status 4, EXIT_STOPPED).
 * A second SIGTERM, SIGINT and SIGHUP stop at once.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "arch/arm64/layout.h"
#include "lib/log.h"
#include "vmm/seccomp.h"
#include "vmm/vm_priv.h"

#define TICK_MS 1000
#define BUTTON_PRESS_MS 100

static void arm_timer(int tfd, uint64_t ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (timerfd_settime(tfd, 0, &its, NULL))
		log_err("timerfd_settime: %s", strerror(errno));
}

static void drain_timer(int tfd)
{
	uint64_t n;

	if (read(tfd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("read(timerfd): %s", strerror(errno));
}

/* Any VM stop: the host side of a graceful stop is over. */
static void stop_now(struct vm_session *s)
{
	if (s->vm)
		vm_request_stop(s->vm, VM_STOP_QUIT);
}

void vm_request_shutdown(struct vm_session *s)
{
	struct vm *vm = s->vm;

	if (!vm || s->shutting_down || !vm->gpio_ready || !s->cfg->shutdown_timeout) {
		stop_now(s);
		return;
	}
	if (atomic_load(&vm->pause)) {	/* a paused guest cannot see the button */
		vcpus_resume(vm);
		vm_api_set_state(s, false);
	}
	s->shutting_down = true;
	log_info("asking the guest to power off (power button), %u s before a hard stop",
		 s->cfg->shutdown_timeout);
	pl061_set_input(&vm->gpio, LAYOUT_GPIO_POWER_PIN, true);
	arm_timer(s->button_tfd, BUTTON_PRESS_MS);
	arm_timer(s->shutdown_tfd, (uint64_t)s->cfg->shutdown_timeout * 1000);
}

/*
 * The button is held for BUTTON_PRESS_MS and until the guest has read the
 * pin pressed: Linux's gpio-keys reads the level after its debounce delay,
 * which on a slow (nested, emulated, overcommitted) host can come later
 * than 100 ms of wall-clock time. The shutdown timeout bounds the hold.
 */
static void on_button_release(void *ctx, int fd, short revents)
{
	struct vm_session *s = ctx;

	drain_timer(fd);
	if (!s->vm || !s->vm->gpio_ready)
		return;
	if (!pl061_input_sampled(&s->vm->gpio, LAYOUT_GPIO_POWER_PIN)) {
		arm_timer(s->button_tfd, BUTTON_PRESS_MS);
		return;
	}
	pl061_set_input(&s->vm->gpio, LAYOUT_GPIO_POWER_PIN, false);
}

static void on_shutdown_timeout(void *ctx, int fd, short revents)
{
	struct vm_session *s = ctx;

	drain_timer(fd);
	if (!s->shutting_down)
		return;
	log_warn("the guest did not power off within %u s: stopping it", s->cfg->shutdown_timeout);
	stop_now(s);
}

static void on_signal(void *ctx, int fd, short revents)
{
	struct vm_session *s = ctx;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	s->host_signal = (int)si.ssi_signo;
	if (si.ssi_signo == SIGTERM && !s->shutting_down) {
		log_info("%s", strsignal((int)si.ssi_signo));
		vm_request_shutdown(s);
		return;
	}
	log_info("%s: stopping the VM", strsignal((int)si.ssi_signo));
	stop_now(s);
}

static void on_rx_space(void *ctx, int fd, short revents)
{
	struct vm *vm = ctx;
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("read(rx eventfd): %s", strerror(errno));
	if (vm->s->serial_ready)
		serial_out_input_space(&vm->s->serial);
}

/* The stop request itself is read from vm->stop; this only wakes poll(). */
static void on_stop(void *ctx, int fd, short revents)
{
}

int main_loop_init(struct vm_session *s)
{
	int ret;

	event_loop_init(&s->el);
	s->shutdown_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	s->button_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->shutdown_tfd < 0 || s->button_tfd < 0) {
		ret = -errno;
		log_err("timerfd_create: %s", strerror(-ret));
		return ret;
	}
	ret = event_loop_add(&s->el, s->sig_fd, POLLIN, on_signal, s);
	if (!ret)
		ret = event_loop_add(&s->el, s->shutdown_tfd, POLLIN, on_shutdown_timeout, s);
	if (!ret)
		ret = event_loop_add(&s->el, s->button_tfd, POLLIN, on_button_release, s);
	if (ret)
		log_err("event loop: %s", strerror(-ret));
	return ret;
}

void main_loop_destroy(struct vm_session *s)
{
	if (s->shutdown_tfd >= 0)
		close(s->shutdown_tfd);
	if (s->button_tfd >= 0)
		close(s->button_tfd);
	s->shutdown_tfd = s->button_tfd = -1;
}

void vm_main_loop(struct vm *vm)
{
	struct vm_session *s = vm->s;
	int ret;

	ret = event_loop_add(&s->el, vm->stop_efd, POLLIN, on_stop, vm);
	if (!ret)
		ret = event_loop_add(&s->el, vm->rx_efd, POLLIN, on_rx_space, vm);
	if (ret) {
		log_err("event loop: %s", strerror(-ret));
		vm_request_stop(vm, VM_STOP_FAILURE);
	}
	s->vm = vm;
	while (atomic_load(&vm->stop) == VM_RUNNING) {
		seccomp_test_violation(s->seccomp, SECCOMP_ROLE_MAIN); /* test builds only */
		ret = event_loop_run_once(&s->el, TICK_MS);
		if (ret < 0) {
			log_err("poll: %s", strerror(-ret));
			vm_request_stop(vm, VM_STOP_FAILURE);
			break;
		}
		pl031_tick(&vm->rtc);
	}
	s->vm = NULL;
	event_loop_remove(&s->el, vm->stop_efd);
	event_loop_remove(&s->el, vm->rx_efd);
}
