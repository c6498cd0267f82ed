/* buf.c: the capped byte buffer. */
#include "kube/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pn_buf_init(struct pn_buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

int pn_buf_append(struct pn_buf *b, const void *p, size_t n)
{
	if (n > b->cap || b->len > b->cap - n)
		return -EMSGSIZE;
	if (b->len + n + 1 > b->alloc) {
		size_t want = b->alloc ? b->alloc : 256;
		while (want < b->len + n + 1)
			want *= 2;
		if (want > b->cap + 1)
			want = b->cap + 1;
		char *d = realloc(b->data, want);
		if (!d)
			return -ENOMEM;
		b->data = d;
		b->alloc = want;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void pn_buf_consume(struct pn_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	if (b->data)
		b->data[b->len] = '\0';
}

void pn_buf_reset(struct pn_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void pn_buf_free(struct pn_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

int pn_buf_read_file(struct pn_buf *b, const char *path)
{
	char tmp[4096];
	int r = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		r = pn_buf_append(b, tmp, (size_t)n);
		if (r < 0)
			break;
	}
	close(fd);
	if (r == 0 && !b->data)
		r = pn_buf_append(b, "", 0);
	return r;
}
