/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host ends of the serial console, for vmm/serial_out.c only: opening
 * the output and input fds of --serial's stdio, file, pty and socket modes
 * (each mode's rules are in vmm/serial_out.h), and closing all of them.
 *
 * These work on the fd fields of a struct serial_out (out_fd, in_fd,
 * own_out, out_is_sock, restore_fd/restore_flags, slave_fd, listen_fd,
 * socket_bound, path); serial_out.c owns the struct and everything else in
 * it. Errors are logged here, with the call and path that failed.
 *
 * Threads: the event loop's thread, in serial_out_init() (before any
 * writer runs and before a seccomp filter forbids open/socket/bind) and in
 * serial_out_destroy() (after every writer stopped).
 */
#ifndef KESTREL_VMM_SERIAL_ENDPOINT_H
#define KESTREL_VMM_SERIAL_ENDPOINT_H

#include "vmm/serial_out.h"

/*
 * Opens the fds for so->cfg.mode (so->path already holds the file or
 * socket path; the pty's slave path is written there) and prints the pty's
 * path to so->cfg.info_fd. Registers nothing with the event loop. Returns
 * 0, or -errno: -EEXIST, -EADDRINUSE, -ENAMETOOLONG in socket mode, -EINVAL
 * for the off mode. On failure what was opened stays recorded in @so for
 * serial_endpoint_close().
 */
int serial_endpoint_open(struct serial_out *so);

/*
 * Removes every fd of @so (the wake-up eventfd too) from so->el when set,
 * closes those @so owns (never stdin, stdout or cfg.info_fd), restores
 * stdout's flags in the fallback case and unlinks a bound socket. Leaves
 * every fd field -1. Safe to call again.
 */
void serial_endpoint_close(struct serial_out *so);

#endif
