/* buf.h: a growable byte buffer with a hard cap (every buffer fed from the
 * network or a file has one). The contents are always NUL-terminated. */
#ifndef PN_KUBE_BUF_H
#define PN_KUBE_BUF_H

#include <stddef.h>

struct pn_buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap; /* hard limit on len */
};

/* An empty buffer that will refuse to grow beyond cap bytes. */
void pn_buf_init(struct pn_buf *b, size_t cap);
/* Appends n bytes; -EMSGSIZE past the cap (buffer unchanged), -ENOMEM. */
int pn_buf_append(struct pn_buf *b, const void *p, size_t n);
/* Drops the first n bytes. */
void pn_buf_consume(struct pn_buf *b, size_t n);
void pn_buf_reset(struct pn_buf *b);
void pn_buf_free(struct pn_buf *b);
/* Reads a whole file into b (respecting its cap). */
int pn_buf_read_file(struct pn_buf *b, const char *path);

#endif
