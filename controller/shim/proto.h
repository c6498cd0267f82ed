/* node/proto.h — the framing between podnet-cni and podnet-agent on the unix
 * socket (see controller/shim/PROTOCOL.md): a 4-byte big-endian length, then
 * that many bytes of JSON. One request and one response per connection. */
#ifndef PN_NODE_PROTO_H
#define PN_NODE_PROTO_H

#include <stddef.h>

#define PN_PROTO_VERSION 1
#define PN_PROTO_MAX_FRAME (1u << 20) /* 1 MiB, both directions */

/* Writes one frame; returns 0 or -errno. Never raises SIGPIPE. */
int pn_proto_write(int fd, const char *data, size_t len, int timeout_ms);
/* Reads one frame of at most cap bytes into a malloc'd NUL-terminated
 * buffer; returns 0, -EMSGSIZE (too large), -ECONNRESET (peer closed early),
 * -ETIMEDOUT or -errno. */
int pn_proto_read(int fd, char **out, size_t *len, size_t cap, int timeout_ms);

#endif
