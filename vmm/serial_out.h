/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host side of the guest's serial console, for the modes of --serial:
 * off, stdio, file=PATH, pty and socket=PATH (docs/config.md).
 *
 * Output (guest -> host). serial_out_write() is called by the UART's output
 * callback on vCPU threads, with the UART's lock held, so it never waits for
 * the host: it copies the bytes into a bounded ring (SERIAL_OUT_RING_DEFAULT)
 * under a small mutex; when the ring is full the oldest bytes are dropped and
 * counted. Its only system call, and only when the ring goes from drained to
 * non-empty while the event loop is not already due to look at it, is one
 * write to an eventfd. The event-loop thread drains the ring to the output
 * fd (non-blocking), waiting for POLLOUT only while data is pending. When
 * there is no output fd (socket mode with no client, an output that failed)
 * the bytes stay in the ring, oldest dropped: the guest never waits.
 *
 * The output fds, per mode:
 *   stdio   stdout is reopened through /proc/self/fd/1 with O_NONBLOCK when it
 *           is a terminal, pipe or FIFO: a new open file description, so the
 *           flag never reaches the shell or the other holders of the
 *           terminal (stdin and stderr usually share stdout's description,
 *           and a non-blocking stderr would lose log lines). A regular file
 *           is written as is (O_NONBLOCK means nothing there), a socket with
 *           send(MSG_DONTWAIT). If the reopen fails, O_NONBLOCK is set on
 *           stdout itself and the old flags are put back by serial_out_flush()
 *           and serial_out_destroy(). A closed stdout (EBADF) is no error:
 *           there is just no output fd.
 *   file    open(PATH, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK, 0600):
 *           appended to, created private to the user (console output can hold
 *           secrets); a FIFO without a reader fails with ENXIO instead of
 *           blocking. A slow disk can delay the event loop, never a vCPU.
 *   pty     a new pseudo-terminal (posix_openpt, grantpt, unlockpt); its slave
 *           is set raw (no echo of guest output back as input) and is kept
 *           open by kestrel so the master never hangs up while no one has it
 *           open; one line "kestrel: serial: pty /dev/pts/N" goes to
 *           cfg->info_fd. What the pty buffers while nobody reads it is
 *           delivered to the first reader.
 *   socket  a Unix stream socket bound at PATH, mode 0600 (chmod between bind
 *           and listen, so no one can connect before). An existing path that
 *           is not a socket is refused (-EEXIST), a socket that accepts
 *           connections is refused (-EADDRINUSE), a stale one is unlinked.
 *           One client at a time: a second one is accepted and closed at
 *           once (counted as refused). A new client first gets what the ring
 *           holds. The socket path is unlinked by serial_out_destroy().
 *
 * Input (host -> guest): bytes read from stdin (stdio), the pty or the
 * socket's client go to cfg->input(), which takes what it can (the UART's
 * receive buffer). When it takes fewer, the rest is held, reading pauses,
 * and serial_out_input_space() (the UART's rx_space, relayed to the event
 * loop thread) hands the rest over again. In stdio mode, a given console's
 * escape filter (vmm/console.h, Ctrl-a x on a terminal) runs first and calls
 * cfg->quit(). End of input (stdin closed, pty read error) stops reading; a
 * socket client that closes is dropped and the next one is accepted.
 *
 * Memory: struct serial_out lives in caller storage; the ring is allocated by
 * serial_out_init() and freed by serial_out_destroy(), which also closes every
 * fd the serial_out opened (never stdin, stdout, or cfg->info_fd).
 * The ring is a lib/byte_ring.h; the fds are opened and closed by
 * vmm/serial_endpoint.c.
 *
 * Threads and locks: serial_out_write() from any thread, at any time between
 * init and destroy. so->lock guards the ring, its counters (bytes_in,
 * dropped) and the flags wake_pending and draining; it is a leaf lock (taken
 * under the UART's lock, nothing taken under it). Everything else, including
 * the event-loop callbacks, is called from the thread that runs the event
 * loop given to serial_out_init(). No globals: several serial_outs may live
 * in one process.
 *
 * Seccomp: every file and socket is opened in serial_out_init(); afterwards
 * the loop thread needs read, write, sendto, accept4, close, poll and the
 * eventfd's read, the writers the eventfd's write and futex.
 */
#ifndef KESTREL_VMM_SERIAL_OUT_H
#define KESTREL_VMM_SERIAL_OUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/byte_ring.h"
#include "lib/event_loop.h"
#include "vmm/console.h"
#include "vmm/vm_config.h"

#define SERIAL_OUT_RING_DEFAULT (64 * 1024)
#define SERIAL_OUT_CHUNK 4096 /* bytes moved per write(2) and per read(2) */

struct serial_out_stats {
	uint64_t bytes_in;	/* bytes the guest wrote (serial_out_write) */
	uint64_t bytes_out;	/* bytes written to the host side */
	uint64_t dropped;	/* bytes lost: ring full, or the output failed */
	uint64_t input;		/* bytes read from the host side for the guest */
	uint64_t clients;	/* socket clients accepted */
	uint64_t refused;	/* socket clients closed because one was connected */
};

struct serial_out_config {
	enum vm_serial mode;
	const char *path;	/* file and socket modes; copied by init */
	int in_fd;		/* stdio: the input fd (normally 0), -1: none */
	int out_fd;		/* stdio: the output fd (normally 1) */
	struct console *console;	/* stdio: escape filter to apply, NULL: none */
	int info_fd;		/* pty: where its path is printed (normally 2), -1: nowhere */
	size_t ring_size;	/* 0: SERIAL_OUT_RING_DEFAULT */
	/* Input for the guest: takes 0..@len bytes, returns how many. Loop thread. */
	size_t (*input)(void *ctx, const uint8_t *buf, size_t len);
	/* The console's escape sequence was typed (stdio only), may be NULL. Loop thread. */
	void (*quit)(void *ctx);
	void *ctx;
};

struct serial_out {
	enum vm_serial mode;
	struct event_loop *el;
	struct serial_out_config cfg;
	char path[VM_PATH_MAX + 1];	/* file, socket: the path; pty: the slave's */
	int wake_fd;		/* eventfd: writers -> loop */
	int out_fd;		/* -1: none now (socket with no client, failed output) */
	int in_fd;		/* -1: none now */
	bool own_out, own_in;	/* close at destroy */
	bool out_is_sock;	/* write with send(MSG_DONTWAIT | MSG_NOSIGNAL) */
	int restore_fd;		/* stdio fallback: restore restore_flags on it, or -1 */
	int restore_flags;
	int listen_fd;		/* socket mode */
	int slave_fd;		/* pty mode: kept open */
	bool socket_bound;	/* unlink path at destroy */

	/* loop thread only */
	uint8_t drain[SERIAL_OUT_CHUNK];	/* taken from the ring, not yet written */
	size_t drain_off, drain_len;
	uint8_t in_buf[SERIAL_OUT_CHUNK + 1];	/* read, not yet taken by input() */
	size_t in_off, in_len;
	bool in_blocked;	/* input() took less: wait for serial_out_input_space() */
	bool pollout;		/* POLLOUT is armed on out_fd */
	bool out_error_logged;
	uint64_t bytes_out, input, clients, refused;

	/* guarded by lock */
	pthread_mutex_t lock;
	struct byte_ring ring;
	bool wake_pending;	/* the loop will look at the ring without a wake-up */
	bool draining;		/* there is an output fd: a wake-up is useful */
	uint64_t bytes_in, dropped;
};

/*
 * Opens the host side for @cfg->mode (see above), registers its fds with
 * @el and prints the pty's path. Call on the loop thread before any writer
 * runs and before a seccomp filter forbids open/socket/bind. Returns 0, or
 * -errno (logged with the call and path that failed): -EEXIST, -EADDRINUSE,
 * -ENAMETOOLONG in socket mode as said above, -EINVAL for a bad @cfg.
 */
int serial_out_init(struct serial_out *so, const struct serial_out_config *cfg,
		    struct event_loop *el);

/*
 * Queues @len bytes of guest output. Any thread; never blocks on the host
 * (at most one eventfd write). Off mode: does nothing.
 */
void serial_out_write(struct serial_out *so, const uint8_t *buf, size_t len);

/*
 * The guest can take input again (the UART's rx_space): hands held input
 * over and resumes reading. Loop thread.
 */
void serial_out_input_space(struct serial_out *so);

/*
 * Writes what is pending to the output, waiting at most @timeout_ms for it
 * to become writable (at exit, after the vCPUs stopped, so the guest's last
 * words are not lost), and restores stdout's flags in the fallback case.
 * Loop thread (or any thread once the loop no longer runs). Returns 0 when
 * all was written, -ETIMEDOUT, or -ENOTCONN when there is no output fd.
 */
int serial_out_flush(struct serial_out *so, int timeout_ms);

/* Fills @st with the counters. Loop thread (or once the loop has stopped). */
void serial_out_get_stats(struct serial_out *so, struct serial_out_stats *st);

/* Pty mode: the slave's path ("/dev/pts/N"); NULL in the other modes. */
const char *serial_out_pty_path(const struct serial_out *so);

/*
 * Removes the fds from the event loop, closes what init opened, unlinks the
 * socket, frees the ring, restores stdout's flags. Call after every writer
 * stopped, on the loop thread. Harmless on a zeroed or destroyed struct
 * only if serial_out_init() failed (it cleans up after itself).
 */
void serial_out_destroy(struct serial_out *so);

#endif
