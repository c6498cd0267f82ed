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
	ctl->m.hist.bounds = bounds;
	ctl->m.hist.nb = PN_HIST_N;
	ctl->m.hist.counts = ctl->m.hist_counts;
	pn_prom_hist_observe(&ctl->m.hist, s);
}

void pn_ctl_metrics_plan_write(struct pn_ctl *ctl, double s)
{
	ctl->m.plan_write.bounds = pn_prom_call_buckets;
	ctl->m.plan_write.nb = PN_PROM_CALL_BUCKETS_N;
	ctl->m.plan_write.counts = ctl->m.plan_write_counts;
	pn_prom_hist_observe(&ctl->m.plan_write, s);
}

/* The samples of one ipam family (size or allocated) for one pool: every
 * sample of a family must follow its TYPE line, so each family walks the
 * pools once. */
static int pool_family(const char *name, struct pn_addrs_pool *pl, FILE *f, int allocated)
{
	char cidr[PN_PREFIX_STRLEN], esc[256];

	if (!pl->ipam)
		return 0;
	for (size_t i = 0; i < pn_ipam_pool_nranges(pl->ipam); i++) {
		uint64_t size = 0, alloc = 0;

		pn_ipam_range_stats(pl->ipam, i, &size, &alloc);
		pn_prefix_format(pn_ipam_range_cidr(pl->ipam, i), cidr, sizeof(cidr));
		fprintf(f, "podnet_controller_ipam_%s{pool=\"%s\",cidr=\"%s\"} %llu\n", allocated ? "allocated" : "size",
			pn_prom_escape(esc, sizeof(esc), name), cidr, (unsigned long long)(allocated ? alloc : size));
	}
	return 0;
}

static int pool_size_cb(const char *name, void *v, void *ud)
{
	return pool_family(name, v, ud, 0);
}

static int pool_alloc_cb(const char *name, void *v, void *ud)
{
	return pool_family(name, v, ud, 1);
}

char *pn_ctl_metrics_render(struct pn_ctl *ctl)
{
	static const char *const kinds[6] = { "Pod", "PodNetwork", "PodNetworkAttachment",
					      "CNIConfig", "IPPool", "NetworkAttachmentDefinition" };
	static const char *const res[PN_INF_N] = { "pods", "podnetworks", "podnetworkattachments",
						   "cniconfigs", "ippools",
						   "network-attachment-definitions", "namespaces",
						   "podnetworknodes", "nodes" };
	char *buf = NULL, labels[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pn_prom_hist h;
	uint64_t zero[PN_PROM_CALL_BUCKETS_N + 1] = { 0 };

	if (!f)
		return NULL;
	pn_prom_build_info(f, "controller");
	pn_prom_family(f, "podnet_controller_leader", "gauge", "1 while this replica holds the leader Lease.");
	pn_prom_sample(f, "podnet_controller_leader", NULL, ctl->state == PN_CTL_LEADING);
	pn_prom_family(f, "podnet_controller_queue_depth", "gauge",
		       "Keys waiting in the work queue, ready or delayed.");
	pn_prom_sample(f, "podnet_controller_queue_depth", NULL,
		       (double)(pn_workqueue_len(ctl->q) + pn_workqueue_waiting(ctl->q)));
	pn_prom_family(f, "podnet_controller_writes_in_flight", "gauge", "API writes sent and not answered yet.");
	pn_prom_sample(f, "podnet_controller_writes_in_flight", NULL, ctl->inflight);
	pn_prom_family(f, "podnet_controller_reconciles_total", "counter", "Reconciles run, by kind of object.");
	for (int i = 0; i < 6; i++) {
		snprintf(labels, sizeof(labels), "kind=\"%s\"", kinds[i]);
		pn_prom_sample(f, "podnet_controller_reconciles_total", labels, (double)ctl->m.reconciles[i]);
	}
	pn_prom_family(f, "podnet_controller_reconcile_duration_seconds", "histogram",
		       "Time of one reconcile on the loop (writes it starts are not waited for).");
	h = ctl->m.hist;
	h.bounds = bounds;
	h.nb = PN_HIST_N;
	h.counts = ctl->m.hist_counts;
	pn_prom_hist_write(f, "podnet_controller_reconcile_duration_seconds", NULL, &h);
	pn_prom_family(f, "podnet_controller_plan_write_duration_seconds", "histogram",
		       "Time from sending a Pod's plan PATCH to the API server's answer.");
	h = ctl->m.plan_write;
	if (!h.counts) {
		h.bounds = pn_prom_call_buckets;
		h.nb = PN_PROM_CALL_BUCKETS_N;
		h.counts = zero;
	}
	pn_prom_hist_write(f, "podnet_controller_plan_write_duration_seconds", NULL, &h);
	pn_prom_family(f, "podnet_controller_watch_restarts_total", "counter",
		       "Watches resumed or relisted, by resource.");
	for (int i = 0; i < PN_INF_N; i++) {
		struct pn_watch_stats ws;

		if (!ctl->inf[i])
			continue;
		pn_watch_get_stats(pn_informer_watch(ctl->inf[i]), &ws);
		snprintf(labels, sizeof(labels), "resource=\"%s\"", res[i]);
		pn_prom_sample(f, "podnet_controller_watch_restarts_total", labels, (double)(ws.resumes + ws.relists));
	}
	pn_prom_family(f, "podnet_controller_plans_written_total", "counter", "Pod plans written (PATCH accepted).");
	pn_prom_sample(f, "podnet_controller_plans_written_total", NULL, (double)ctl->m.plans_written);
	pn_prom_family(f, "podnet_controller_pods_waiting", "gauge", "Pods waiting for a plan.");
	pn_prom_sample(f, "podnet_controller_pods_waiting", NULL, (double)ctl->waiting.n);
	pn_prom_family(f, "podnet_controller_ipam_size", "gauge", "Addresses in each range of each IPPool.");
	pn_strmap_foreach(&ctl->addrs.pools, pool_size_cb, f);
	pn_prom_family(f, "podnet_controller_ipam_allocated", "gauge", "Addresses allocated in each range of each IPPool.");
	pn_strmap_foreach(&ctl->addrs.pools, pool_alloc_cb, f);
	pn_prom_family(f, "podnet_controller_ipam_conflicts_total", "counter",
		       "Addresses found held twice when plans were read back.");
	pn_prom_sample(f, "podnet_controller_ipam_conflicts_total", NULL, (double)ctl->addrs.conflicts);
	pn_prom_family(f, "podnet_controller_errors_total", "counter", "Failures, by reason.");
	pn_prom_sample(f, "podnet_controller_errors_total", "reason=\"PlanConflict\"", (double)ctl->m.plan_conflicts);
	pn_prom_sample(f, "podnet_controller_errors_total", "reason=\"InvalidRequest\"", (double)ctl->m.plan_failures);
	pn_prom_sample(f, "podnet_controller_errors_total", "reason=\"WriteFailed\"", (double)ctl->m.errors_write);
	pn_prom_sample(f, "podnet_controller_errors_total", "reason=\"DecodeFailed\"", (double)ctl->m.errors_decode);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
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
