/* metrics.c — /metrics (Prometheus text), /healthz and /readyz, served by
 * libmicrohttpd on its own thread. The loop renders a snapshot every second;
 * the server thread only copies it under a mutex. */
#include "cluster/ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/buf.h"
#include "pn/version.h"

static const double bounds[PN_HIST_N] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
					  0.01, 0.025, 0.05, 0.1, 0.5, 1 };

struct msrv {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	char *text;       /* the last snapshot */
	int ready;        /* caches synced (leading or standing by) */
	double beat;      /* last snapshot time (the loop is alive) */
};

void pn_ctl_metrics_observe(struct pn_ctl *ctl, double s)
{
	int i;

	for (i = 0; i < PN_HIST_N && s > bounds[i]; i++)
		;
	ctl->m.hist[i]++;
	ctl->m.hist_sum += s;
	ctl->m.hist_count++;
}

static void add(struct pn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct pn_buf *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		pn_buf_append(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static int pool_cb(const char *name, void *v, void *ud)
{
	struct pn_addrs_pool *pl = v;
	struct pn_buf *b = ud;
	char cidr[PN_PREFIX_STRLEN];

	if (!pl->ipam)
		return 0;
	for (size_t i = 0; i < pn_ipam_pool_nranges(pl->ipam); i++) {
		uint64_t size = 0, alloc = 0;

		pn_ipam_range_stats(pl->ipam, i, &size, &alloc);
		pn_prefix_format(pn_ipam_range_cidr(pl->ipam, i), cidr, sizeof(cidr));
		add(b, "podnet_controller_ipam_size{pool=\"%s\",cidr=\"%s\"} %llu\n", name, cidr,
		    (unsigned long long)size);
		add(b, "podnet_controller_ipam_allocated{pool=\"%s\",cidr=\"%s\"} %llu\n", name, cidr,
		    (unsigned long long)alloc);
	}
	return 0;
}

char *pn_ctl_metrics_render(struct pn_ctl *ctl)
{
	static const char *const kinds[6] = { "Pod", "PodNetwork", "PodNetworkAttachment",
					      "CNIConfig", "IPPool", "NetworkAttachmentDefinition" };
	static const char *const res[PN_INF_N] = { "pods", "podnetworks", "podnetworkattachments",
						   "cniconfigs", "ippools",
						   "network-attachment-definitions", "namespaces",
						   "podnetworknodes", "nodes" };
	struct pn_buf b;
	unsigned long cum = 0;

	pn_buf_init(&b, 4u << 20);
	add(&b, PN_BUILD_INFO_METRIC_FMT, pn_version(), "controller");
	add(&b, "# TYPE podnet_controller_leader gauge\npodnet_controller_leader %d\n",
	    ctl->state == PN_CTL_LEADING);
	add(&b, "# TYPE podnet_controller_queue_depth gauge\npodnet_controller_queue_depth %zu\n",
	    pn_workqueue_len(ctl->q) + pn_workqueue_waiting(ctl->q));
	add(&b, "# TYPE podnet_controller_writes_in_flight gauge\n"
		"podnet_controller_writes_in_flight %u\n", ctl->inflight);
	add(&b, "# TYPE podnet_controller_reconciles_total counter\n");
	for (int i = 0; i < 6; i++)
		add(&b, "podnet_controller_reconciles_total{kind=\"%s\"} %lu\n", kinds[i],
		    ctl->m.reconciles[i]);
	add(&b, "# TYPE podnet_controller_reconcile_duration_seconds histogram\n");
	for (int i = 0; i < PN_HIST_N; i++) {
		cum += ctl->m.hist[i];
		add(&b, "podnet_controller_reconcile_duration_seconds_bucket{le=\"%g\"} %lu\n",
		    bounds[i], cum);
	}
	add(&b, "podnet_controller_reconcile_duration_seconds_bucket{le=\"+Inf\"} %lu\n",
	    ctl->m.hist_count);
	add(&b, "podnet_controller_reconcile_duration_seconds_sum %.6f\n", ctl->m.hist_sum);
	add(&b, "podnet_controller_reconcile_duration_seconds_count %lu\n", ctl->m.hist_count);
	add(&b, "# TYPE podnet_controller_watch_restarts_total counter\n");
	for (int i = 0; i < PN_INF_N; i++) {
		struct pn_watch_stats ws;

		if (!ctl->inf[i])
			continue;
		pn_watch_get_stats(pn_informer_watch(ctl->inf[i]), &ws);
		add(&b, "podnet_controller_watch_restarts_total{resource=\"%s\"} %lu\n", res[i],
		    ws.resumes + ws.relists);
	}
	add(&b, "# TYPE podnet_controller_plans_written_total counter\n"
		"podnet_controller_plans_written_total %lu\n", ctl->m.plans_written);
	add(&b, "# TYPE podnet_controller_pods_waiting gauge\npodnet_controller_pods_waiting %zu\n",
	    ctl->waiting.n);
	add(&b, "# TYPE podnet_controller_ipam_size gauge\n"
		"# TYPE podnet_controller_ipam_allocated gauge\n");
	pn_strmap_foreach(&ctl->addrs.pools, pool_cb, &b);
	add(&b, "# TYPE podnet_controller_ipam_conflicts_total counter\n"
		"podnet_controller_ipam_conflicts_total %lu\n", ctl->addrs.conflicts);
	add(&b, "# TYPE podnet_controller_errors_total counter\n");
	add(&b, "podnet_controller_errors_total{reason=\"PlanConflict\"} %lu\n", ctl->m.plan_conflicts);
	add(&b, "podnet_controller_errors_total{reason=\"InvalidRequest\"} %lu\n",
	    ctl->m.plan_failures);
	add(&b, "podnet_controller_errors_total{reason=\"WriteFailed\"} %lu\n", ctl->m.errors_write);
	add(&b, "podnet_controller_errors_total{reason=\"DecodeFailed\"} %lu\n", ctl->m.errors_decode);
	return b.data;
}

void pn_ctl_metrics_update(struct pn_ctl *ctl)
{
	struct msrv *s = ctl->metrics_srv;
	char *text;

	if (!s)
		return;
	text = pn_ctl_metrics_render(ctl);
	pthread_mutex_lock(&s->mu);
	free(s->text);
	s->text = text;
	s->ready = ctl->synced && (ctl->state == PN_CTL_LEADING || ctl->state == PN_CTL_STANDBY);
	s->beat = ev_time();
	pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned code, const char *type,
			       char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
								 MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **con_cls)
{
	struct msrv *s = cls;
	char *body = NULL;
	unsigned code = 200;
	const char *type = "text/plain; charset=utf-8";

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond(conn, 405, type, strdup("method not allowed\n"));
	pthread_mutex_lock(&s->mu);
	if (!strcmp(url, "/metrics")) {
		type = "text/plain; version=0.0.4; charset=utf-8";
		body = strdup(s->text ? s->text : "");
	} else if (!strcmp(url, "/healthz")) {
		bool alive = ev_time() - s->beat < 30;

		code = alive ? 200 : 500;
		body = strdup(alive ? "ok\n" : "event loop stalled\n");
	} else if (!strcmp(url, "/readyz")) {
		code = s->ready ? 200 : 503;
		body = strdup(s->ready ? "ok\n" : "caches not synced or rebuilding\n");
	} else {
		code = 404;
		body = strdup("not found\n");
	}
	pthread_mutex_unlock(&s->mu);
	if (!body)
		return MHD_NO;
	return respond(conn, code, type, body);
}

int pn_ctl_metrics_start(struct pn_ctl *ctl, const char *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *colon = strrchr(addr, ':');
	char host[64] = "";
	struct msrv *s;
	long port;

	if (!colon)
		return -EINVAL;
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535 || (size_t)(colon - addr) >= sizeof(host))
		return -EINVAL;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = 0;
	sin.sin_port = htons((uint16_t)port);
	if (!host[0] || !strcmp(host, "0.0.0.0"))
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!strcmp(host, "localhost"))
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	s->beat = ev_time();
	ctl->metrics_srv = s;
	pn_ctl_metrics_update(ctl);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, handler,
				s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				MHD_OPTION_CONNECTION_LIMIT, 64, MHD_OPTION_CONNECTION_TIMEOUT, 10,
				MHD_OPTION_END);
	if (!s->d) {
		ctl->metrics_srv = NULL;
		free(s->text);
		free(s);
		return -EADDRINUSE;
	}
	return 0;
}

void pn_ctl_metrics_stop(struct pn_ctl *ctl)
{
	struct msrv *s = ctl->metrics_srv;

	if (!s)
		return;
	MHD_stop_daemon(s->d);
	free(s->text);
	pthread_mutex_destroy(&s->mu);
	free(s);
	ctl->metrics_srv = NULL;
}
