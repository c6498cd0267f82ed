/* server.c — the HTTPS server (see server.h). */
#include "webhook/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kube/buf.h"
#include "kube/prom.h"
#include "webhook/filter.h"
#include "webhook/review.h"

/* TLS 1.2 and 1.3 only (GnuTLS priority string): what API servers and
 * kubelets speak. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct daemon_ref {
	struct MHD_Daemon *d;
	char *cert, *key; /* must outlive the daemon */
};

struct pn_wh_server {
	struct ev_loop *loop;
	ev_async wake;
	int fd;
	int port;
	double timeout;
	pn_wh_review_fn fn;
	void *ud;
	struct daemon_ref cur;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pn_wh_job *queue;  /* jobs for the loop (mu) */
	int ready;                /* (mu) */
	int closing;              /* (mu) */
	struct pn_wh_server_stats st; /* (mu) */
	/* review and filter latencies, request in to answer out (mu) */
	uint64_t dur_counts[2][PN_PROM_CALL_BUCKETS_N + 1];
	struct pn_prom_hist dur[2];
};

struct pn_wh_job {
	struct pn_wh_server *s;
	struct pn_wh_job *next;
	char *body;
	size_t len;
	char *answer;
	enum pn_wh_route route;
	int done;
	int refs;                 /* the connection and the loop (mu) */
};

struct conn {
	struct pn_buf body;
	int too_big;
};

enum pn_wh_route pn_wh_job_route(const struct pn_wh_job *j)
{
	return j->route;
}

static void job_unref_locked(struct pn_wh_job *j)
{
	if (--j->refs > 0)
		return;
	free(j->body);
	free(j->answer);
	free(j);
}

void pn_wh_job_answer(struct pn_wh_job *j, char *text)
{
	struct pn_wh_server *s = j->s;

	pthread_mutex_lock(&s->mu);
	j->answer = text;
	j->done = 1;
	pthread_cond_broadcast(&s->cv);
	job_unref_locked(j);
	pthread_mutex_unlock(&s->mu);
}

static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct pn_wh_server *s = w->data;
	struct pn_wh_job *q, *next, *rev = NULL;

	pthread_mutex_lock(&s->mu);
	q = s->queue;
	s->queue = NULL;
	pthread_mutex_unlock(&s->mu);
	for (; q; q = next) { /* oldest first */
		next = q->next;
		q->next = rev;
		rev = q;
	}
	for (q = rev; q; q = next) {
		next = q->next;
		s->fn(s->ud, q, q->body, q->len);
	}
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned code, const char *type,
			       char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result review(struct pn_wh_server *s, struct MHD_Connection *c, struct conn *cn,
			      enum pn_wh_route route)
{
	struct pn_wh_job *j = calloc(1, sizeof(*j));
	struct timespec until;
	char *answer = NULL;
	int closing;

	if (!j)
		return MHD_NO;
	j->s = s;
	j->route = route;
	j->body = cn->body.data;
	j->len = cn->body.len;
	cn->body.data = NULL;
	pn_buf_free(&cn->body);
	j->refs = 2;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)s->timeout;
	pthread_mutex_lock(&s->mu);
	if (route == PN_WH_ROUTE_FILTER)
		s->st.filters++;
	else
		s->st.reviews++;
	closing = s->closing;
	if (!closing) {
		j->next = s->queue;
		s->queue = j;
	} else {
		j->refs = 1;
	}
	pthread_mutex_unlock(&s->mu);
	if (!closing)
		ev_async_send(s->loop, &s->wake);
	pthread_mutex_lock(&s->mu);
	while (!j->done && !s->closing)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
			break;
	if (j->done) {
		answer = j->answer;
		j->answer = NULL;
	} else if (!s->closing) {
		s->st.timeouts++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pn_prom_hist_observe(&s->dur[route == PN_WH_ROUTE_FILTER],
			     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	job_unref_locked(j);
	pthread_mutex_unlock(&s->mu);
	if (!answer)
		return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
			       strdup("podnet-webhook: no answer in time\n"));
	return respond(c, MHD_HTTP_OK, "application/json", answer);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct pn_wh_server *s = cls;
	struct conn *cn = *con_cls;
	enum pn_wh_route route;
	int ready;

	if (!cn) {
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		/* without nodeCacheCapable, the scheduler sends whole Node objects */
		pn_buf_init(&cn->body, strcmp(url, "/scheduler/filter") ? PN_WH_MAX_BODY :
			    PN_WH_FILTER_MAX_BODY);
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cn->too_big && pn_buf_append(&cn->body, upload, *upload_size) < 0)
			cn->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(method, "GET") && !strcmp(url, "/healthz"))
		return respond(c, MHD_HTTP_OK, "text/plain", strdup("ok\n"));
	if (!strcmp(method, "GET") && !strcmp(url, "/metrics"))
		return respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4", pn_wh_server_metrics(s));
	if (!strcmp(method, "GET") && !strcmp(url, "/readyz")) {
		pthread_mutex_lock(&s->mu);
		ready = s->ready && !s->closing;
		pthread_mutex_unlock(&s->mu);
		return respond(c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
			       strdup(ready ? "ok\n" : "not ready\n"));
	}
	if (!strcmp(url, "/validate"))
		route = PN_WH_ROUTE_REVIEW;
	else if (!strcmp(url, "/scheduler/filter"))
		route = PN_WH_ROUTE_FILTER;
	else
		return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", strdup("not found\n"));
	if (strcmp(method, "POST") != 0)
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("POST only\n"));
	if (cn->too_big) {
		pthread_mutex_lock(&s->mu);
		s->st.too_big++;
		pthread_mutex_unlock(&s->mu);
		return respond(c, 413, "text/plain",
			       strdup("podnet-webhook: request too large\n"));
	}
	return review(s, c, cn, route);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	if (cn) {
		pn_buf_free(&cn->body);
		free(cn);
		*con_cls = NULL;
	}
}

static int listen_on(const char *addr, int *port, char *err, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *colon = strrchr(addr, ':');
	char host[64] = "";
	socklen_t sl = sizeof(sin);
	int fd, one = 1;

	if (!colon || colon - addr >= (long)sizeof(host)) {
		snprintf(err, len, "bad address \"%s\" (want HOST:PORT or :PORT)", addr);
		return -EINVAL;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (host[0] && inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		snprintf(err, len, "bad address \"%s\"", addr);
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 128) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0) {
		int e = errno;

		snprintf(err, len, "cannot listen on %s: %s", addr, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

struct pn_wh_server *pn_wh_server_new(struct ev_loop *loop, const char *addr, double timeout,
				      pn_wh_review_fn fn, void *ud, char *err, size_t len)
{
	struct pn_wh_server *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	s->fd = listen_on(addr, &s->port, err, len);
	if (s->fd < 0) {
		free(s);
		return NULL;
	}
	s->loop = loop;
	for (int i = 0; i < 2; i++) {
		s->dur[i].bounds = pn_prom_call_buckets;
		s->dur[i].nb = PN_PROM_CALL_BUCKETS_N;
		s->dur[i].counts = s->dur_counts[i];
	}
	s->timeout = timeout > 0 ? timeout : 10;
	s->fn = fn;
	s->ud = ud;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	ev_async_init(&s->wake, wake_cb);
	s->wake.data = s;
	ev_async_start(loop, &s->wake);
	return s;
}

static void *retire(void *arg)
{
	struct daemon_ref *old = arg;

	MHD_stop_daemon(old->d);
	free(old->cert);
	free(old->key);
	free(old);
	return NULL;
}

int pn_wh_server_load(struct pn_wh_server *s, const char *cert, const char *key, char *err,
		      size_t len)
{
	struct daemon_ref n = { NULL, strdup(cert), strdup(key) };
	struct daemon_ref *old;
	pthread_t t;

	if (!n.cert || !n.key)
		goto nomem;
	n.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				       MHD_USE_TLS | MHD_USE_ITC,
			       0, NULL, NULL, handler, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
			       MHD_OPTION_HTTPS_MEM_KEY, n.key, MHD_OPTION_HTTPS_MEM_CERT, n.cert,
			       MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
			       MHD_OPTION_CONNECTION_LIMIT, 128, MHD_OPTION_CONNECTION_TIMEOUT,
			       (unsigned)(s->timeout + 5), MHD_OPTION_NOTIFY_COMPLETED, completed,
			       NULL, MHD_OPTION_END);
	if (!n.d) {
		snprintf(err, len, "libmicrohttpd refused the certificate or the socket");
		free(n.cert);
		free(n.key);
		return -EINVAL;
	}
	if (s->cur.d) {
		old = malloc(sizeof(*old));
		if (!old)
			goto nomem_started;
		*old = s->cur;
		MHD_quiesce_daemon(old->d);
		if (pthread_create(&t, NULL, retire, old) == 0)
			pthread_detach(t);
		else
			retire(old);
	}
	s->cur = n;
	pthread_mutex_lock(&s->mu);
	s->st.reloads++;
	pthread_mutex_unlock(&s->mu);
	return 0;
nomem_started:
	MHD_stop_daemon(n.d);
nomem:
	free(n.cert);
	free(n.key);
	snprintf(err, len, "out of memory");
	return -ENOMEM;
}

void pn_wh_server_set_ready(struct pn_wh_server *s, int ready)
{
	pthread_mutex_lock(&s->mu);
	s->ready = ready;
	pthread_mutex_unlock(&s->mu);
}

int pn_wh_server_port(const struct pn_wh_server *s)
{
	return s->port;
}

void pn_wh_server_stats(struct pn_wh_server *s, struct pn_wh_server_stats *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->st;
	pthread_mutex_unlock(&s->mu);
}

char *pn_wh_server_metrics(struct pn_wh_server *s)
{
	static const char *const routes[2] = { "validate", "filter" };
	struct pn_wh_server_stats st;
	char *buf = NULL, labels[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	pn_prom_build_info(f, "webhook");
	pthread_mutex_lock(&s->mu);
	st = s->st;
	pn_prom_family(f, "podnet_webhook_request_duration_seconds", "histogram",
		       "Time from a request's body to its answer, by route (validate: admission reviews; "
		       "filter: scheduler extender).");
	for (int i = 0; i < 2; i++) {
		snprintf(labels, sizeof(labels), "route=\"%s\"", routes[i]);
		pn_prom_hist_write(f, "podnet_webhook_request_duration_seconds", labels, &s->dur[i]);
	}
	pthread_mutex_unlock(&s->mu);
	pn_prom_family(f, "podnet_webhook_requests_total", "counter", "Requests handed to the loop, by route.");
	pn_prom_sample(f, "podnet_webhook_requests_total", "route=\"validate\"", (double)st.reviews);
	pn_prom_sample(f, "podnet_webhook_requests_total", "route=\"filter\"", (double)st.filters);
	pn_prom_family(f, "podnet_webhook_timeouts_total", "counter", "Requests the loop did not answer in time (503).");
	pn_prom_sample(f, "podnet_webhook_timeouts_total", NULL, (double)st.timeouts);
	pn_prom_family(f, "podnet_webhook_too_large_total", "counter", "Requests refused for their size (413).");
	pn_prom_sample(f, "podnet_webhook_too_large_total", NULL, (double)st.too_big);
	pn_prom_family(f, "podnet_webhook_certificate_loads_total", "counter", "Serving certificates loaded.");
	pn_prom_sample(f, "podnet_webhook_certificate_loads_total", NULL, (double)st.reloads);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void pn_wh_server_free(struct pn_wh_server *s)
{
	struct pn_wh_job *q, *next;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->closing = 1;
	q = s->queue;
	s->queue = NULL;
	for (; q; q = next) {
		next = q->next;
		job_unref_locked(q); /* the loop's reference */
	}
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->cur.d) {
		MHD_stop_daemon(s->cur.d); /* closes the listening socket */
		free(s->cur.cert);
		free(s->cur.key);
	} else {
		close(s->fd);
	}
	ev_async_stop(s->loop, &s->wake);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
