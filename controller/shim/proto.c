/* node/proto.c — length-prefixed frames on a stream socket; see proto.h. */
#include "shim/proto.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short ev, long long deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = ev};
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

static int write_all(int fd, const char *p, size_t n, long long deadline)
{
	while (n > 0) {
		ssize_t w;
		int r = wait_fd(fd, POLLOUT, deadline);

		if (r < 0)
			return r;
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, char *p, size_t n, long long deadline)
{
	while (n > 0) {
		ssize_t got;
		int r = wait_fd(fd, POLLIN, deadline);

		if (r < 0)
			return r;
		got = recv(fd, p, n, MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (got == 0)
			return -ECONNRESET;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int pn_proto_write(int fd, const char *data, size_t len, int timeout_ms)
{
	unsigned char hdr[4];
	long long deadline = now_ms() + timeout_ms;
	int r;

	if (len == 0 || len > PN_PROTO_MAX_FRAME)
		return -EMSGSIZE;
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	r = write_all(fd, (const char *)hdr, 4, deadline);
	if (r < 0)
		return r;
	return write_all(fd, data, len, deadline);
}

int pn_proto_read(int fd, char **out, size_t *len, size_t cap, int timeout_ms)
{
	unsigned char hdr[4];
	long long deadline = now_ms() + timeout_ms;
	uint32_t n;
	char *buf;
	int r;

	*out = NULL;
	*len = 0;
	if (cap > PN_PROTO_MAX_FRAME)
		cap = PN_PROTO_MAX_FRAME;
	r = read_all(fd, (char *)hdr, 4, deadline);
	if (r < 0)
		return r;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	if (n == 0 || n > cap)
		return -EMSGSIZE;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return -ENOMEM;
	r = read_all(fd, buf, n, deadline);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
