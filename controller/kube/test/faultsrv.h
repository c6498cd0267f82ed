/* faultsrv.h: a scripted, fault-injecting HTTP/1.1 server for the client's
 * unit tests (not a Kubernetes stand-in: it only replays the responses a test
 * scripts, byte for byte, and records the request lines it received).
 *
 * Each accepted request takes the next step of the script. A step sends a
 * status line and headers, then the body in chunked encoding split into pieces
 * of `chunk` bytes (1 = every byte its own chunk), and then ends the response,
 * cuts the connection mid-stream (truncated), or keeps it open without sending
 * anything more (hang). Requests beyond the script hang. Runs in a thread. */
#ifndef PN_KUBE_TEST_FAULTSRV_H
#define PN_KUBE_TEST_FAULTSRV_H

#include <stddef.h>

enum pn_faultsrv_end {
	FS_END = 0,   /* terminating chunk, then close */
	FS_TRUNCATE,  /* close without the terminating chunk */
	FS_HANG,      /* keep the connection open, silent */
};

struct pn_faultsrv_step {
	const char *status;   /* "200 OK" */
	const char *headers;  /* extra header lines each ending in \r\n, or NULL */
	const char *body;     /* may be NULL */
	size_t chunk;         /* piece size; 0: the whole body in one chunk */
	enum pn_faultsrv_end end;
	int headers_only;     /* FS_HANG before sending any body byte */
};

struct pn_faultsrv;

struct pn_faultsrv *pn_faultsrv_start(const struct pn_faultsrv_step *steps, size_t n);
int pn_faultsrv_port(const struct pn_faultsrv *s);
/* Request lines ("GET /api/v1/... HTTP/1.1") received so far. */
size_t pn_faultsrv_nreq(struct pn_faultsrv *s);
/* Copy of request line i into buf. */
void pn_faultsrv_req(struct pn_faultsrv *s, size_t i, char *buf, size_t len);
/* Body of request i (PUT/POST/PATCH) into buf. */
void pn_faultsrv_req_body(struct pn_faultsrv *s, size_t i, char *buf, size_t len);
/* Authorization header value of request i ("" when absent) into buf. */
void pn_faultsrv_req_auth(struct pn_faultsrv *s, size_t i, char *buf, size_t len);
void pn_faultsrv_stop(struct pn_faultsrv *s);

#endif
