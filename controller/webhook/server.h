/* server.h: the HTTPS server of podnet-webhook (libmicrohttpd with GnuTLS).
 *
 * Connections run on libmicrohttpd's threads; a review is handed to the loop
 * thread (ev_async) as a job, and the connection's thread waits for the
 * loop's answer (bounded); so is a scheduler extender's filter request. /healthz answers 200 while the loop is alive; /metrics has the counters;
 * /readyz 200 once the caller said ready. A new certificate starts a new
 * daemon on the same listening socket and retires the old one (it finishes
 * its connections on a thread of its own), so a reload drops nothing. */
#ifndef PN_WEBHOOK_SERVER_H
#define PN_WEBHOOK_SERVER_H

#include <stddef.h>
#include <ev.h>

struct pn_wh_server;
struct pn_wh_job;

/* What a job asks: an AdmissionReview (POST /validate) or a scheduler
 * extender's filter (POST /scheduler/filter, ExtenderArgs). */
enum pn_wh_route { PN_WH_ROUTE_REVIEW = 0, PN_WH_ROUTE_FILTER = 1 };

/* Called on the loop thread for each request; the callee answers the job
 * (now or later, on the loop thread) with pn_wh_job_answer(). */
typedef void (*pn_wh_review_fn)(void *ud, struct pn_wh_job *job, const char *body, size_t len);

/* Listens on addr (":8443", "127.0.0.1:8443"); nothing is served before the
 * first pn_wh_server_load(). NULL with err filled. */
struct pn_wh_server *pn_wh_server_new(struct ev_loop *loop, const char *addr, double timeout,
				      pn_wh_review_fn fn, void *ud, char *err, size_t len);
/* Serves with this certificate (PEM) and key from now on. */
int pn_wh_server_load(struct pn_wh_server *s, const char *cert, const char *key, char *err,
		      size_t len);
void pn_wh_server_set_ready(struct pn_wh_server *s, int ready);
/* The bound port (for tests, with ":0"). */
int pn_wh_server_port(const struct pn_wh_server *s);
/* Stops serving; waiting connections get 503. */
void pn_wh_server_free(struct pn_wh_server *s);

enum pn_wh_route pn_wh_job_route(const struct pn_wh_job *job);

/* The answer (JSON text, taken; NULL: 500). Loop thread; once per job. */
void pn_wh_job_answer(struct pn_wh_job *job, char *text);

/* Counters for the log. */
struct pn_wh_server_stats {
	unsigned long reviews, filters, timeouts, too_big, reloads;
};
void pn_wh_server_stats(struct pn_wh_server *s, struct pn_wh_server_stats *out);
/* The /metrics text (Prometheus 0.0.4, malloc'd; NULL: out of memory),
 * also served at GET /metrics. */
char *pn_wh_server_metrics(struct pn_wh_server *s);

#endif
