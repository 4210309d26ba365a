// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the guest console's host side (vmm/serial_out.c): a writer that
 * never waits, drop counting and order, and each mode's fds (stdio on pipes,
 * file, pty, socket) driven through a real event loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devices/uart_16550.h"
#include "lib/util.h"
#include "vmm/serial_out.h"

/* ---- fixtures ---- */

struct sink {
	uint8_t got[8192]; /* input handed to the guest */
	size_t len;
	size_t space; /* how much input() takes before refusing; SIZE_MAX: all */
	int quits;
};

static size_t sink_input(void *ctx, const uint8_t *buf, size_t len)
{
	struct sink *s = ctx;
	size_t n = len < s->space ? len : s->space;

	if (n > sizeof(s->got) - s->len)
		n = sizeof(s->got) - s->len;
	memcpy(s->got + s->len, buf, n);
	s->len += n;
	if (s->space != SIZE_MAX)
		s->space -= n;
	return n;
}

static void sink_quit(void *ctx)
{
	struct sink *s = ctx;

	s->quits++;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the loop until @done(@arg) or 5 s passed; returns done's last answer. */
static bool run_until(struct event_loop *el, bool (*done)(void *arg), void *arg)
{
	int64_t end = now_ms() + 5000;

	while (!done(arg)) {
		if (now_ms() > end)
			return false;
		assert_true(event_loop_run_once(el, 50) >= 0);
	}
	return true;
}

static bool sink_has(void *arg)
{
	struct sink *s = arg;

	return s->len > 0;
}

/* Reads from @fd until @want bytes came or 5 s passed; returns the count. */
static size_t read_for(int fd, uint8_t *buf, size_t want)
{
	int64_t end = now_ms() + 5000;
	size_t got = 0;

	while (got < want && now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, buf + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* Reads what non-blocking @fd holds now; returns the count. */
static size_t read_all(int fd, uint8_t *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while ((n = read(fd, buf, size)) > 0)
		got += (size_t)n;
	return got;
}

static struct serial_out_config base_config(struct sink *s, enum vm_serial mode)
{
	return (struct serial_out_config){
		.mode = mode,
		.in_fd = -1,
		.out_fd = -1,
		.info_fd = -1,
		.input = sink_input,
		.quit = sink_quit,
		.ctx = s,
	};
}

/* ---- a writer that never waits ---- */

struct flood {
	struct serial_out *so;
	size_t total, chunk;
	atomic_bool done;
};

static void *flood_thread(void *arg)
{
	struct flood *f = arg;
	uint8_t buf[512];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	for (size_t sent = 0; sent < f->total; sent += f->chunk)
		serial_out_write(f->so, buf, f->chunk);
	atomic_store(&f->done, true);
	return NULL;
}

/* Joins @t, failing the test if it has not finished within 10 s. */
static void join_bounded(pthread_t t)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	if (pthread_timedjoin_np(t, NULL, &dl))
		fail_msg("the writer blocked");
}

static void test_flood_nobody_drains(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_STDIO);
	struct flood f = {.total = 64 << 20, .chunk = 256};
	struct serial_out_stats st;
	struct event_loop el;
	struct serial_out so;
	int out[2];
	pthread_t t;

	/* stdout is a pipe nobody reads, and the loop does not even run */
	assert_int_equal(pipe(out), 0);
	cfg.out_fd = out[1];
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	f.so = &so;
	assert_int_equal(pthread_create(&t, NULL, flood_thread, &f), 0);
	join_bounded(t);
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.bytes_in, f.total);
	assert_int_equal(st.dropped, f.total - SERIAL_OUT_RING_DEFAULT);
	assert_int_equal(st.bytes_out, 0);
	/* one wake-up for the whole flood: the writers made a single eventfd write */
	{
		uint64_t v = 0;

		assert_int_equal(read(so.wake_fd, &v, sizeof(v)), sizeof(v));
		assert_int_equal(v, 1);
	}
	serial_out_destroy(&so);
	close(out[0]);
	close(out[1]);
}

static bool flood_done(void *arg)
{
	struct flood *f = arg;

	return atomic_load(&f->done);
}

static void test_flood_stalled_stdout(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_STDIO);
	struct flood f = {.total = 32 << 20, .chunk = 128};
	struct serial_out_stats st;
	struct event_loop el;
	struct serial_out so;
	uint8_t *buf = malloc(1 << 20);
	size_t in_pipe;
	int out[2], ret = -1;
	pthread_t t;

	/* the loop runs, stdout (a pipe) fills up and stays full */
	assert_non_null(buf);
	assert_int_equal(pipe(out), 0);
	cfg.out_fd = out[1];
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	/* stdout's own open file description is left blocking (a reopened fd is used) */
	assert_false(fcntl(out[1], F_GETFL) & O_NONBLOCK);
	f.so = &so;
	assert_int_equal(pthread_create(&t, NULL, flood_thread, &f), 0);
	assert_true(run_until(&el, flood_done, &f));
	join_bounded(t);
	/* the loop is not stuck either: it goes on returning */
	assert_true(event_loop_run_once(&el, 0) >= 0);
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.bytes_in, f.total);
	assert_true(st.dropped > 0);
	assert_true(st.bytes_out > 0);
	/* nothing lost uncounted: what is in the pipe, plus dropped, plus what waits */
	assert_int_equal(fcntl(out[0], F_SETFL, O_NONBLOCK), 0);
	in_pipe = read_all(out[0], buf, 1 << 20);
	assert_int_equal(in_pipe, st.bytes_out);
	assert_true(st.bytes_in - st.bytes_out - st.dropped <=
		    SERIAL_OUT_RING_DEFAULT + SERIAL_OUT_CHUNK);
	/* with a reader again, flushing writes out the rest and the sums close */
	for (int i = 0; i < 1000 && ret; i++) {
		ret = serial_out_flush(&so, 0);
		in_pipe += read_all(out[0], buf, 1 << 20);
	}
	assert_int_equal(ret, 0);
	serial_out_get_stats(&so, &st);
	assert_int_equal(in_pipe, st.bytes_out);
	assert_int_equal(st.bytes_out + st.dropped, st.bytes_in);
	serial_out_destroy(&so);
	close(out[0]);
	close(out[1]);
	free(buf);
}

/* ---- the guest's UART to a stalled stdout: what a vCPU thread does ---- */

struct uart_guest {
	struct uart_16550 *u;
	size_t total;
};

/* The UART's output callback, as vmm/vm.c wires it (UART lock held). */
static void uart_to_serial(void *ctx, const uint8_t *buf, size_t len)
{
	serial_out_write(ctx, buf, len);
}

/* A guest writing THR a byte at a time and polling LSR, like a console driver. */
static void *uart_guest_thread(void *arg)
{
	struct uart_guest *g = arg;
	uint8_t lsr;

	for (size_t i = 0; i < g->total; i++) {
		uint8_t b = (uint8_t)('a' + i % 26);

		uart_16550_mmio_ops.read(g->u, 0, UART_LSR, &lsr, 1);
		uart_16550_mmio_ops.write(g->u, 0, UART_THR, &b, 1);
	}
	return NULL;
}

static void test_uart_stalled_stdout(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_STDIO);
	/* 1 MiB: many times the pipe and the ring, yet quick under TSan too */
	struct uart_guest g = {.total = 1 << 20};
	struct serial_out_stats st;
	struct event_loop el;
	struct serial_out so;
	struct uart_16550 u;
	struct timespec t0, t1;
	int out[2];
	pthread_t t;

	/* stdout is a pipe nobody reads: it fills after 64 KiB and stays full */
	assert_int_equal(pipe(out), 0);
	cfg.out_fd = out[1];
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	assert_int_equal(uart_16550_init(&u, &(struct uart_16550_config){.out = uart_to_serial,
									 .cb_ctx = &so}),
			 0);
	g.u = &u;
	assert_int_equal(pthread_create(&t, NULL, uart_guest_thread, &g), 0);
	/* the loop thread drains what it can meanwhile; it must not block either */
	for (int i = 0; i < 200; i++)
		assert_true(event_loop_run_once(&el, 1) >= 0);
	join_bounded(t); /* the "vCPU" finished all of it */
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.bytes_in, g.total);
	assert_true(st.dropped > 0);
	/* what left went into the pipe, and the pipe holds no more than its size */
	assert_true(st.bytes_out <= (uint64_t)fcntl(out[1], F_GETPIPE_SZ));
	/* the exit's flush is bounded too: it gives up on the stalled reader */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(serial_out_flush(&so, 200) != 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	uart_16550_destroy(&u);
	serial_out_destroy(&so);
	close(out[0]);
	close(out[1]);
}

/* ---- order and dropping the oldest ---- */

static void test_drain_order(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_STDIO);
	struct serial_out_stats st;
	struct event_loop el;
	struct serial_out so;
	uint8_t buf[64];
	int out[2];

	assert_int_equal(pipe(out), 0);
	cfg.out_fd = out[1];
	cfg.ring_size = 16;
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);

	serial_out_write(&so, (const uint8_t *)"0123456789", 10);
	serial_out_write(&so, (const uint8_t *)"abcdefghij", 10);
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.dropped, 4);
	/* one wake-up drains it all, oldest first */
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(read_for(out[0], buf, 16), 16);
	assert_memory_equal(buf, "456789abcdefghij", 16);

	/* after a drain, the next write wakes the loop again */
	serial_out_write(&so, (const uint8_t *)"xyz", 3);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(read_for(out[0], buf, 3), 3);
	assert_memory_equal(buf, "xyz", 3);

	/* one write larger than the ring keeps its newest bytes */
	serial_out_write(&so, (const uint8_t *)"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(read_for(out[0], buf, 16), 16);
	assert_memory_equal(buf, "KLMNOPQRSTUVWXYZ", 16);
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.dropped, 4 + 10);
	assert_int_equal(st.bytes_in, 49);
	assert_int_equal(st.bytes_out, 35);
	/* nothing pending: no POLLOUT armed, the loop times out */
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	serial_out_destroy(&so);
	assert_int_equal(el.n, 0); /* every fd left the loop */
	close(out[0]);
	close(out[1]);
}

/* ---- stdio input ---- */

static void test_stdio_input(void **state)
{
	struct sink s = {.space = 3};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_STDIO);
	struct console con = {.is_tty = true};
	struct event_loop el;
	struct serial_out so;
	int in[2], out[2];

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	cfg.in_fd = in[0];
	cfg.out_fd = out[1];
	cfg.console = &con;
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);

	/* the guest takes 3 bytes: the rest waits, reading pauses */
	assert_int_equal(write(in[1], "hello", 5), 5);
	assert_true(run_until(&el, sink_has, &s));
	assert_int_equal(s.len, 3);
	assert_memory_equal(s.got, "hel", 3);
	assert_int_equal(write(in[1], "!", 1), 1);
	assert_int_equal(event_loop_run_once(&el, 0), 0); /* stdin not polled */
	s.space = SIZE_MAX;
	serial_out_input_space(&so);
	assert_int_equal(s.len, 5);
	assert_true(event_loop_run_once(&el, 1000) > 0); /* reading again */
	assert_int_equal(s.len, 6);
	assert_memory_equal(s.got, "hello!", 6);

	/* the terminal's escape sequence: bytes before it pass, then quit */
	assert_int_equal(write(in[1], "ab\x01x", 4), 4);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(s.quits, 1);
	assert_int_equal(s.len, 8);
	assert_memory_equal(s.got + 6, "ab", 2);

	/* end of input: stdin leaves the loop, output goes on */
	close(in[1]);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(so.in_fd, -1);
	serial_out_write(&so, (const uint8_t *)"out", 3);
	assert_int_equal(serial_out_flush(&so, 1000), 0);
	serial_out_destroy(&so);
	close(in[0]);
	close(out[0]);
	close(out[1]);
}

static void test_stdio_closed_stdout(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_STDIO);
	struct serial_out_stats st;
	struct event_loop el;
	struct serial_out so;
	int p[2];

	/* a daemon started with stdout closed: runs, keeps and drops the output */
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	close(p[1]);
	cfg.out_fd = p[1];
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	serial_out_write(&so, (const uint8_t *)"x", 1);
	assert_int_equal(event_loop_run_once(&el, 0), 0); /* no wake-up for nothing */
	assert_int_equal(serial_out_flush(&so, 0), -ENOTCONN);
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.bytes_in, 1);
	serial_out_destroy(&so);
	assert_int_equal(el.n, 0);
}

/* ---- file ---- */

static void test_file_appends(void **state)
{
	char dir[] = "/tmp/kestrel-test-serial-XXXXXX", path[64], text[64];
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_FILE);
	mode_t old_umask = umask(022);
	struct event_loop el;
	struct serial_out so;
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/console.log", dir);
	cfg.path = path;
	event_loop_init(&el);

	/* created 0600 */
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	serial_out_write(&so, (const uint8_t *)"one\n", 4);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	serial_out_destroy(&so);
	/* appended to by the next run */
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	serial_out_write(&so, (const uint8_t *)"two\n", 4);
	assert_int_equal(serial_out_flush(&so, 1000), 0);
	serial_out_destroy(&so);

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, text, sizeof(text)), 8);
	assert_memory_equal(text, "one\ntwo\n", 8);
	close(fd);
	unlink(path);

	/* a missing directory fails with the errno */
	snprintf(path, sizeof(path), "%s/no/console.log", dir);
	assert_int_equal(serial_out_init(&so, &cfg, &el), -ENOENT);
	assert_int_equal(el.n, 0);
	serial_out_destroy(&so); /* harmless after a failed init */
	rmdir(dir);
	umask(old_umask);
}

/* ---- off ---- */

static void test_off_discards(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_OFF);
	struct serial_out_stats st;
	struct event_loop el;
	struct serial_out so;

	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	assert_int_equal(el.n, 0); /* no fd at all */
	serial_out_write(&so, (const uint8_t *)"lost", 4);
	serial_out_input_space(&so);
	assert_int_equal(serial_out_flush(&so, 0), 0);
	serial_out_get_stats(&so, &st);
	assert_int_equal(st.bytes_in + st.bytes_out + st.dropped, 0);
	assert_null(serial_out_pty_path(&so));
	serial_out_destroy(&so);
}

/* ---- pty ---- */

static void test_pty(void **state)
{
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_PTY);
	char line[128], want[128];
	struct event_loop el;
	struct serial_out so;
	uint8_t buf[16];
	int info[2], slave;
	ssize_t n;

	assert_int_equal(pipe(info), 0);
	cfg.info_fd = info[1];
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	assert_non_null(serial_out_pty_path(&so));
	/* the path is printed as one line */
	n = read(info[0], line, sizeof(line) - 1);
	assert_true(n > 0);
	line[n] = '\0';
	snprintf(want, sizeof(want), "kestrel: serial: pty %s\n", serial_out_pty_path(&so));
	assert_string_equal(line, want);
	assert_int_equal(strncmp(serial_out_pty_path(&so), "/dev/pts/", 9), 0);

	/* written before anyone attached: still delivered */
	serial_out_write(&so, (const uint8_t *)"boot\n", 5);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	slave = open(serial_out_pty_path(&so), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(read_for(slave, buf, 5), 5);
	assert_memory_equal(buf, "boot\n", 5); /* raw: no "\r\n" */

	/* input from the slave side reaches the guest, and output was not echoed */
	assert_int_equal(write(slave, "ls\r", 3), 3);
	assert_true(run_until(&el, sink_has, &s));
	assert_int_equal(s.len, 3);
	assert_memory_equal(s.got, "ls\r", 3);
	/* the reader goes away: the master does not hang up, output still goes */
	close(slave);
	serial_out_write(&so, (const uint8_t *)"more", 4);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(event_loop_run_once(&el, 0), 0); /* nothing busy-loops */
	serial_out_destroy(&so);
	close(info[0]);
	close(info[1]);
}

/* ---- socket ---- */

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Reads @want bytes from socket @fd while running the loop (at most 5 s); returns the count. */
static size_t read_looping(struct event_loop *el, int fd, uint8_t *buf, size_t want)
{
	int64_t end = now_ms() + 5000;
	size_t got = 0;

	while (got < want && now_ms() < end) {
		ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);

		if (n > 0)
			got += (size_t)n;
		else
			assert_true(event_loop_run_once(el, 10) >= 0);
	}
	return got;
}

struct counter_arg {
	struct serial_out *so;
	uint64_t want_clients, want_refused;
};

static bool counters_reached(void *arg)
{
	struct counter_arg *a = arg;
	struct serial_out_stats st;

	serial_out_get_stats(a->so, &st);
	return st.clients >= a->want_clients && st.refused >= a->want_refused;
}

static bool no_client(void *arg)
{
	struct serial_out *so = arg;

	return so->out_fd < 0;
}

static void test_socket(void **state)
{
	char dir[] = "/tmp/kestrel-test-serial-XXXXXX", path[64];
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_SOCKET);
	struct counter_arg ca;
	struct serial_out_stats st;
	struct flood f = {.total = 8 << 20, .chunk = 128};
	struct event_loop el;
	struct serial_out so;
	uint8_t buf[64];
	struct stat sb;
	int c1, c2, c3;
	pthread_t t;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/console.sock", dir);
	cfg.path = path;
	event_loop_init(&el);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);
	ca.so = &so;
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* output with nobody connected waits in the ring */
	serial_out_write(&so, (const uint8_t *)"early;", 6);
	assert_int_equal(event_loop_run_once(&el, 0), 0);
	c1 = connect_to(path);
	assert_true(c1 >= 0);
	ca.want_clients = 1;
	ca.want_refused = 0;
	assert_true(run_until(&el, counters_reached, &ca));
	assert_int_equal(read_for(c1, buf, 6), 6);
	assert_memory_equal(buf, "early;", 6);
	serial_out_write(&so, (const uint8_t *)"live", 4);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(read_for(c1, buf, 4), 4);
	assert_memory_equal(buf, "live", 4);

	/* the client's input goes to the guest */
	assert_int_equal(write(c1, "typed", 5), 5);
	assert_true(run_until(&el, sink_has, &s));
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.got, "typed", 5);

	/* a second client is closed at once; the first one stays */
	c2 = connect_to(path);
	assert_true(c2 >= 0);
	ca.want_refused = 1;
	assert_true(run_until(&el, counters_reached, &ca));
	assert_int_equal(read_for(c2, buf, 1), 0); /* EOF */
	close(c2);
	serial_out_write(&so, (const uint8_t *)"still", 5);
	assert_true(event_loop_run_once(&el, 1000) > 0);
	assert_int_equal(read_for(c1, buf, 5), 5);
	assert_memory_equal(buf, "still", 5);

	/* a client that stops reading does not stall the writer */
	f.so = &so;
	assert_int_equal(pthread_create(&t, NULL, flood_thread, &f), 0);
	assert_true(run_until(&el, flood_done, &f));
	join_bounded(t);
	serial_out_get_stats(&so, &st);
	assert_true(st.dropped > 0);

	/* the client goes: dropped, and writes go on without blocking */
	close(c1);
	assert_true(run_until(&el, no_client, &so));
	f.done = false;
	assert_int_equal(pthread_create(&t, NULL, flood_thread, &f), 0);
	join_bounded(t);
	assert_int_equal(serial_out_flush(&so, 0), -ENOTCONN);

	/* the next client gets the newest buffered bytes */
	serial_out_write(&so, (const uint8_t *)"<last>", 6);
	c3 = connect_to(path);
	assert_true(c3 >= 0);
	ca.want_clients = 2;
	assert_true(run_until(&el, counters_reached, &ca));
	{
		uint8_t *all = malloc(SERIAL_OUT_RING_DEFAULT);

		assert_non_null(all);
		assert_int_equal(read_looping(&el, c3, all, SERIAL_OUT_RING_DEFAULT),
				 SERIAL_OUT_RING_DEFAULT);
		assert_memory_equal(all + SERIAL_OUT_RING_DEFAULT - 6, "<last>", 6);
		free(all);
	}
	close(c3);

	/* destroy unlinks the socket */
	serial_out_destroy(&so);
	assert_int_equal(lstat(path, &sb), -1);
	assert_int_equal(el.n, 0);
	rmdir(dir);
}

static void test_socket_path_checks(void **state)
{
	char dir[] = "/tmp/kestrel-test-serial-XXXXXX", path[64];
	struct sink s = {.space = SIZE_MAX};
	struct serial_out_config cfg = base_config(&s, VM_SERIAL_SOCKET);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct event_loop el;
	struct serial_out so, other;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/console.sock", dir);
	cfg.path = path;
	event_loop_init(&el);

	/* an existing file that is not a socket is refused, and left alone */
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(serial_out_init(&so, &cfg, &el), -EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);

	/* a stale socket (nobody listens) is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(serial_out_init(&so, &cfg, &el), 0);

	/* a live one is not */
	assert_int_equal(serial_out_init(&other, &cfg, &el), -EADDRINUSE);
	serial_out_destroy(&so);
	assert_int_equal(el.n, 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_nobody_drains),
		cmocka_unit_test(test_flood_stalled_stdout),
		cmocka_unit_test(test_uart_stalled_stdout),
		cmocka_unit_test(test_drain_order),
		cmocka_unit_test(test_stdio_input),
		cmocka_unit_test(test_stdio_closed_stdout),
		cmocka_unit_test(test_file_appends),
		cmocka_unit_test(test_off_discards),
		cmocka_unit_test(test_pty),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_socket_path_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
