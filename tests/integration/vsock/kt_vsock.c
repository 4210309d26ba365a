// SPDX-License-Identifier: GPL-2.0-only
/*
 * kt-vsock: a tiny AF_VSOCK stream tool for the vsock integration scenario,
 * built static for aarch64 and copied into the emulated host (/kt/kt-vsock)
 * and the nested guest (/bin/kt-vsock).
 *
 *   kt-vsock listen PORT           accept one connection, read a line, reply
 *                                  "pong:<line>", read until EOF
 *   kt-vsock connect CID PORT MSG  send MSG and a newline, print the reply line
 *   kt-vsock echo PORT             accept one connection, send every byte back
 *                                  until EOF
 *   kt-vsock bulk CID PORT BYTES   send BYTES bytes of a fixed pseudo-random
 *                                  stream to an echo server while reading the
 *                                  echo back; check length and checksum
 *   kt-vsock cid                   print this side's CID (/dev/vsock)
 *   kt-vsock unix PATH             (not vsock: the serial-socket scenario)
 *                                  connect to the Unix stream socket PATH and
 *                                  copy what it sends to stdout until EOF
 *
 * Markers on stdout (line buffered), for scripts to wait on:
 *   KT-VSOCK-LISTENING port=P      (listen, echo: ready for a connection)
 *   KT-VSOCK-ACCEPTED cid=C port=P (the peer's address)
 *   KT-VSOCK-GOT <line>            (listen: the line received)
 *   pong:<line>                    (connect: the reply, as received)
 *   KT-VSOCK-ECHO bytes=N sum=X    (echo: what went through)
 *   KT-VSOCK-BULK ok bytes=N sum=X ms=T   or   KT-VSOCK-BULK BAD ...
 *   KT-VSOCK-CID N
 * Exit status: 0 on success, 1 on any failure (message on stderr), 2 for
 * bad arguments. Every mode gives up after KT_VSOCK_TIMEOUT seconds (SIGALRM).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* After sys/socket.h: it uses struct sockaddr and sa_family_t. */
#include <linux/vm_sockets.h>

#define KT_VSOCK_TIMEOUT 120 /* seconds, whole run */
#define KT_CONNECT_TRIES 25 /* 200 ms apart: the listener may be a moment late */
#define KT_LINE_MAX 4096
#define KT_CHUNK 65536

/* FNV-1a 64 over a byte stream, and the bulk pattern (xorshift64). */
struct kt_sum {
	uint64_t h;
	uint64_t bytes;
};

static void sum_init(struct kt_sum *s)
{
	s->h = 0xcbf29ce484222325ULL;
	s->bytes = 0;
}

static void sum_add(struct kt_sum *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->h ^= p[i];
		s->h *= 0x100000001b3ULL;
	}
	s->bytes += n;
}

static void pattern_fill(uint64_t *state, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t x = *state;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*state = x;
		p[i] = (uint8_t)(x >> 24);
	}
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "kt-vsock: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Writes all of @buf (blocking socket). 0 or -1 with errno. */
static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one line (without the newline) into @line. Returns its length or -1. */
static ssize_t read_line(int fd, char *line, size_t max)
{
	size_t len = 0;

	while (len + 1 < max) {
		char c;
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0 || c == '\n')
			break;
		line[len++] = c;
	}
	line[len] = '\0';
	return (ssize_t)len;
}

static int vsock_socket(void)
{
	return socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

/* Listens on @port and accepts one connection. Returns the connected fd or -1. */
static int listen_one(uint32_t port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	struct sockaddr_vm peer;
	socklen_t plen = sizeof(peer);
	int lfd, fd;

	lfd = vsock_socket();
	if (lfd < 0) {
		fail("socket(AF_VSOCK)");
		return -1;
	}
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1)) {
		fail("bind/listen");
		close(lfd);
		return -1;
	}
	printf("KT-VSOCK-LISTENING port=%" PRIu32 "\n", port);
	do {
		fd = accept(lfd, (struct sockaddr *)&peer, &plen);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		fail("accept");
	else
		printf("KT-VSOCK-ACCEPTED cid=%u port=%u\n", peer.svm_cid, peer.svm_port);
	close(lfd);
	return fd;
}

/* Connects to @cid:@port, retrying while nobody listens yet. Returns the fd or -1. */
static int connect_to(uint32_t cid, uint32_t port)
{
	struct sockaddr_vm addr = {
		.svm_family = AF_VSOCK,
		.svm_cid = cid,
		.svm_port = port,
	};
	/* The emulated test bed is slow: the default 2 s connect timeout is not enough. */
	struct timeval tv = {.tv_sec = 30};

	for (int i = 0; i < KT_CONNECT_TRIES; i++) {
		int fd = vsock_socket();

		if (fd < 0) {
			fail("socket(AF_VSOCK)");
			return -1;
		}
		setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv));
		if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
			return fd;
		if (errno != ECONNRESET && errno != ECONNREFUSED && errno != EINTR) {
			fail("connect");
			close(fd);
			return -1;
		}
		close(fd);
		usleep(200000);
	}
	fail("connect (no listener)");
	return -1;
}

static int do_listen(uint32_t port)
{
	char line[KT_LINE_MAX], reply[KT_LINE_MAX + 8];
	uint8_t buf[4096];
	int fd, ret = 1;
	ssize_t n;

	fd = listen_one(port);
	if (fd < 0)
		return 1;
	if (read_line(fd, line, sizeof(line)) < 0) {
		fail("read");
		goto out;
	}
	printf("KT-VSOCK-GOT %s\n", line);
	snprintf(reply, sizeof(reply), "pong:%s\n", line);
	if (write_all(fd, reply, strlen(reply))) {
		fail("write");
		goto out;
	}
	do {
		n = read(fd, buf, sizeof(buf));
	} while (n > 0 || (n < 0 && errno == EINTR));
	ret = n < 0 ? fail("read") : 0;
out:
	close(fd);
	return ret;
}

static int do_connect(uint32_t cid, uint32_t port, const char *msg)
{
	char line[KT_LINE_MAX];
	int fd, ret = 1;

	fd = connect_to(cid, port);
	if (fd < 0)
		return 1;
	if (write_all(fd, msg, strlen(msg)) || write_all(fd, "\n", 1)) {
		fail("write");
		goto out;
	}
	if (read_line(fd, line, sizeof(line)) <= 0) {
		fprintf(stderr, "kt-vsock: no reply\n");
		goto out;
	}
	printf("%s\n", line);
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_echo(uint32_t port)
{
	uint8_t buf[KT_CHUNK];
	struct kt_sum s;
	int fd, ret = 1;

	sum_init(&s);
	fd = listen_one(port);
	if (fd < 0)
		return 1;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("read");
			goto out;
		}
		if (n == 0)
			break;
		sum_add(&s, buf, (size_t)n);
		if (write_all(fd, buf, (size_t)n)) {
			fail("write");
			goto out;
		}
	}
	printf("KT-VSOCK-ECHO bytes=%" PRIu64 " sum=%016" PRIx64 "\n", s.bytes, s.h);
	ret = 0;
out:
	close(fd);
	return ret;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Sends @total pattern bytes while reading the echo (non-blocking both ways,
 * so neither side's full buffer can deadlock the other), half-closes, reads
 * the rest. Compares what came back with what went out.
 */
static int do_bulk(uint32_t cid, uint32_t port, uint64_t total)
{
	uint8_t out[KT_CHUNK], in[KT_CHUNK];
	uint64_t state = 0x9e3779b97f4a7c15ULL, t0;
	size_t out_len = 0, out_off = 0;
	struct kt_sum sent, got;
	bool wr_done = false;
	int fd, ret = 1;

	sum_init(&sent);
	sum_init(&got);
	fd = connect_to(cid, port);
	if (fd < 0)
		return 1;
	t0 = now_ms();
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (wr_done ? 0 : POLLOUT)};
		ssize_t n;

		if (!wr_done && out_off == out_len && sent.bytes == total) {
			if (shutdown(fd, SHUT_WR)) {
				fail("shutdown");
				goto out;
			}
			wr_done = true;
			continue;
		}
		if (!wr_done && out_off == out_len) {
			out_len = total - sent.bytes < sizeof(out) ? (size_t)(total - sent.bytes)
								   : sizeof(out);
			pattern_fill(&state, out, out_len);
			sum_add(&sent, out, out_len);
			out_off = 0;
		}
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
			goto out;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
			if (n == 0)
				break;
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				fail("recv");
				goto out;
			}
			if (n > 0)
				sum_add(&got, in, (size_t)n);
		}
		if (!wr_done && (p.revents & POLLOUT) && out_off < out_len) {
			n = send(fd, out + out_off, out_len - out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				fail("send");
				goto out;
			}
			if (n > 0)
				out_off += (size_t)n;
		}
	}
	if (!wr_done || got.bytes != sent.bytes || got.h != sent.h) {
		printf("KT-VSOCK-BULK BAD sent=%" PRIu64 "/%016" PRIx64 " got=%" PRIu64
		       "/%016" PRIx64 "%s\n",
		       sent.bytes, sent.h, got.bytes, got.h, wr_done ? "" : " (EOF early)");
		goto out;
	}
	printf("KT-VSOCK-BULK ok bytes=%" PRIu64 " sum=%016" PRIx64 " ms=%" PRIu64 "\n", got.bytes,
	       got.h, now_ms() - t0);
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_cid(void)
{
	unsigned int cid = 0;
	int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail("/dev/vsock");
	if (ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid)) {
		close(fd);
		return fail("IOCTL_VM_SOCKETS_GET_LOCAL_CID");
	}
	close(fd);
	printf("KT-VSOCK-CID %u\n", cid);
	return 0;
}

static int do_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[4096];
	int fd, tries = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket");
	while (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (++tries >= KT_CONNECT_TRIES)
			return fail("connect");
		usleep(200000);
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("read");
		if (!n)
			break;
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return fail("write");
	}
	close(fd);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kt-vsock listen PORT | connect CID PORT MSG | echo PORT |"
			" bulk CID PORT BYTES | cid | unix PATH\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint32_t cid, port, bytes;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(KT_VSOCK_TIMEOUT);
	if (argc == 2 && !strcmp(argv[1], "cid"))
		return do_cid();
	if (argc == 3 && !strcmp(argv[1], "listen") && !parse_u32(argv[2], &port))
		return do_listen(port);
	if (argc == 3 && !strcmp(argv[1], "unix"))
		return do_unix(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "echo") && !parse_u32(argv[2], &port))
		return do_echo(port);
	if (argc == 5 && !strcmp(argv[1], "connect") && !parse_u32(argv[2], &cid) &&
	    !parse_u32(argv[3], &port))
		return do_connect(cid, port, argv[4]);
	if (argc == 5 && !strcmp(argv[1], "bulk") && !parse_u32(argv[2], &cid) &&
	    !parse_u32(argv[3], &port) && !parse_u32(argv[4], &bytes))
		return do_bulk(cid, port, bytes);
	return usage();
}
