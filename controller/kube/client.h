/* client.h: HTTP transport to the API server: libcurl multi driven by one
 * libev loop.
 *
 * - One loop thread owns the client and every request; callbacks run on it.
 * - HTTP/2 where the server offers it (streams multiplexed on one connection),
 *   connection reuse through the multi handle's cache.
 * - Every request first takes a token from the client's QPS/burst bucket.
 * - Ordinary requests are retried on 429, 5xx and connection errors with
 *   exponential backoff and jitter, or after the server's Retry-After.
 * - Response bodies are capped (max_body); streams deliver raw bytes.
 * - A write retried after a connection error may have been applied the first
 *   time: a retried CREATE can answer -PN_KUBE_EEXISTS, a retried UPDATE
 *   -PN_KUBE_ECONFLICT; callers read the object back (as after any conflict).
 *
 * Callbacks must not free the client. A request handle is valid until its done
 * callback returns or it is cancelled. */
#ifndef PN_KUBE_CLIENT_H
#define PN_KUBE_CLIENT_H

#include <stddef.h>
#include <ev.h>
#include <jansson.h>

#include "kube/config.h"
#include "kube/ratelimit.h"
#include "kube/status.h"

struct pn_kube_client_opts {
	double qps;              /* client-side rate limit; default 50, <0 unlimited */
	int burst;               /* default 100 */
	long timeout_ms;         /* whole ordinary request; default 30000 */
	long connect_timeout_ms; /* default 10000 */
	int max_retries;         /* retries after the first attempt; default 5 */
	size_t max_body;         /* response body cap; default 64 MiB */
	struct pn_backoff retry; /* default 0.2s doubling to 10s, jitter 0.5 */
	int max_retry_after;     /* Retry-After cap, seconds; default 60 */
	const char *user_agent;  /* default "podnet/0.1" */
	int no_compression;      /* do not ask for gzip (loopback, benchmarks) */
};

struct pn_kube_client;
struct pn_kube_req;

/* Done: rc is 0 on 2xx, else -errno (see status.h for the Kubernetes
 * meanings; -ETIMEDOUT, -ECONNREFUSED, -ECONNRESET, -EMSGSIZE, -EBADMSG for
 * transport failures). body is the decoded JSON response (borrowed; NULL when
 * empty or on failure). st always describes what happened. */
typedef void (*pn_kube_done_fn)(void *ud, int rc, const struct pn_kube_status *st, json_t *body);
/* Stream data: raw bytes of a 2xx response as they arrive. A non-zero return
 * (a -errno) aborts the request; done then gets that value. */
typedef int (*pn_kube_data_fn)(void *ud, const char *p, size_t n);

struct pn_kube_client *pn_kube_client_new(struct ev_loop *loop, struct pn_kube_config *cfg,
					  const struct pn_kube_client_opts *opts);
/* Cancels every request (no callbacks) and frees the client; the config stays
 * the caller's. */
void pn_kube_client_free(struct pn_kube_client *c);
struct ev_loop *pn_kube_client_loop(struct pn_kube_client *c);
const struct pn_kube_config *pn_kube_client_config(struct pn_kube_client *c);
/* Random number in [0,1) for jitter (one generator per client). */
double pn_kube_client_random(struct pn_kube_client *c);

/* Starts an ordinary request. path starts with '/' and carries the query.
 * body may be NULL. On success *out (if given) is the handle. */
int pn_kube_request(struct pn_kube_client *c, const char *method, const char *path,
		    const char *content_type, const char *body, size_t body_len,
		    pn_kube_done_fn done, void *ud, struct pn_kube_req **out);

/* Starts a streaming GET (a watch): no retries, no overall timeout; the
 * request fails with -ETIMEDOUT when no byte arrives for idle_timeout seconds
 * (0: never). */
int pn_kube_stream(struct pn_kube_client *c, const char *path, double idle_timeout,
		   pn_kube_data_fn data, pn_kube_done_fn done, void *ud,
		   struct pn_kube_req **out);

/* Cancels a request: neither callback is called afterwards. Safe from any
 * callback, including the request's own data callback. */
void pn_kube_req_cancel(struct pn_kube_req *r);

/* Runs the loop until the request completes: for tools, tests and start-up.
 * *body (if given) receives a new reference. Returns the request's rc. */
int pn_kube_call(struct pn_kube_client *c, const char *method, const char *path,
		 const char *content_type, const char *body, json_t **out,
		 struct pn_kube_status *st);

/* Counters, for tests and benchmarks. */
struct pn_kube_client_stats {
	unsigned long requests;   /* attempts sent */
	unsigned long retries;
	unsigned long throttled;  /* requests that waited for the rate limiter */
	unsigned long bytes_in;
	unsigned long http2;      /* attempts answered over HTTP/2 */
	unsigned long connects;   /* new connections opened (the rest reused one) */
};
void pn_kube_client_stats(struct pn_kube_client *c, struct pn_kube_client_stats *out);

/* ---- resources and paths ---------------------------------------------------- */

struct pn_kube_resource {
	const char *group;    /* "" for core */
	const char *version;  /* "v1" */
	const char *resource; /* plural: "pods" */
	int namespaced;
};

extern const struct pn_kube_resource pn_kube_res_configmaps;
extern const struct pn_kube_resource pn_kube_res_secrets;
extern const struct pn_kube_resource pn_kube_res_pods;
extern const struct pn_kube_resource pn_kube_res_nodes;
extern const struct pn_kube_resource pn_kube_res_events;
extern const struct pn_kube_resource pn_kube_res_leases;
extern const struct pn_kube_resource pn_kube_res_namespaces;

/* "/api/v1/namespaces/NS/pods/NAME/SUB"; ns/name/sub may be NULL. Names are
 * percent-escaped. -ENAMETOOLONG when it does not fit. */
int pn_kube_path(char *buf, size_t len, const struct pn_kube_resource *res,
		 const char *ns, const char *name, const char *sub);
/* Appends "&key=value" (or "?key=value" for the first) with value escaped. */
int pn_kube_query_add(char *buf, size_t len, const char *key, const char *value);

#endif
