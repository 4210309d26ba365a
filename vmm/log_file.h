/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --log-file: opens the log file the way kestrel writes it, for
 * log_set_output() (lib/log.h), which takes the fd and adds timestamps.
 * Main thread, before any thread starts and before the seccomp filter.
 */
#ifndef KESTREL_VMM_LOG_FILE_H
#define KESTREL_VMM_LOG_FILE_H

/*
 * Opens @path for appending (O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
 * created with mode 0600: the log names paths and guest events). Returns the
 * fd, owned by the caller, or -errno; the message naming the call and path
 * goes to the log's current output (stderr).
 */
int log_file_open(const char *path);

#endif
