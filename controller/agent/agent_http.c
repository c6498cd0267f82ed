/* node/agent_http.c — /healthz and /metrics of podnet-agent (libmicrohttpd,
 * its own thread). /healthz is 200 while the default network's provider is
 * ready, 503 with the reason otherwise; /metrics is the Prometheus text
 * format of the counters in struct pn_agent_metrics. */
#include "agent/agent_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>


void pn_metrics_count(struct pn_agent *a, const char *command, int ok, uint64_t micros)
{
	int i = !strcmp(command, "ADD") ? 0 : !strcmp(command, "DEL") ? 1 : !strcmp(command, "CHECK") ? 2
		: !strcmp(command, "GC") ? 3 : !strcmp(command, "STATUS") ? 4 : 5;

	__atomic_add_fetch(&a->metrics.requests[i][ok ? 0 : 1], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&a->metrics.micros[i], micros, __ATOMIC_RELAXED);
}

void pn_metrics_provider_call(struct pn_agent *a, const struct pn_provider *p, int op, double seconds)
{
	int i;

	for (i = 0; i < a->n_providers && a->providers[i] != p; i++)
		;
	if (i == a->n_providers || op < 0 || op > 1)
		return;
	pthread_mutex_lock(&a->metrics.mu);
	struct pn_prom_hist *h = &a->metrics.cni[i][op];
	h->bounds = pn_prom_call_buckets;
	h->nb = PN_PROM_CALL_BUCKETS_N;
	h->counts = a->metrics.cni_counts[i][op];
	pn_prom_hist_observe(h, seconds);
	pthread_mutex_unlock(&a->metrics.mu);
}

static const char *const cmd_names[PN_METRIC_COMMANDS] = {"ADD", "DEL", "CHECK", "GC", "STATUS", "other"};

static char *render_metrics(struct pn_agent *a)
{
	char *buf = NULL, labels[512], e1[128], e2[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *ids = NULL;

	if (!f)
		return NULL;
	pn_prom_build_info(f, "agent");
	pn_prom_family(f, "podnet_agent_requests_total", "counter", "Shim requests handled, by command and outcome.");
	for (int i = 0; i < PN_METRIC_COMMANDS; i++)
		for (int k = 0; k < 2; k++) {
			snprintf(labels, sizeof(labels), "command=\"%s\",result=\"%s\"", cmd_names[i], k ? "error" : "ok");
			pn_prom_sample(f, "podnet_agent_requests_total", labels,
				       (double)__atomic_load_n(&a->metrics.requests[i][k], __ATOMIC_RELAXED));
		}
	pn_prom_family(f, "podnet_agent_request_seconds_total", "counter",
		       "Time spent handling shim requests, by command.");
	for (int i = 0; i < PN_METRIC_COMMANDS; i++) {
		snprintf(labels, sizeof(labels), "command=\"%s\"", cmd_names[i]);
		pn_prom_sample(f, "podnet_agent_request_seconds_total", labels,
			       (double)__atomic_load_n(&a->metrics.micros[i], __ATOMIC_RELAXED) / 1e6);
	}
	pn_prom_family(f, "podnet_agent_cni_duration_seconds", "histogram",
		       "Time of each provider call: op ADD attaches one interface, DEL detaches one.");
	pthread_mutex_lock(&a->metrics.mu);
	for (int i = 0; i < a->n_providers; i++)
		for (int op = 0; op < 2; op++) {
			uint64_t zero[PN_PROM_CALL_BUCKETS_N + 1] = {0};
			struct pn_prom_hist h = a->metrics.cni[i][op];

			if (!h.counts) { /* no call yet: zero buckets */
				h.bounds = pn_prom_call_buckets;
				h.nb = PN_PROM_CALL_BUCKETS_N;
				h.counts = zero;
			}
			snprintf(labels, sizeof(labels), "op=\"%s\",provider=\"%s\"", op ? "DEL" : "ADD",
				 pn_prom_escape(e1, sizeof(e1), pn_provider_name(a->providers[i])));
			pn_prom_hist_write(f, "podnet_agent_cni_duration_seconds", labels, &h);
		}
	pthread_mutex_unlock(&a->metrics.mu);
	pn_prom_family(f, "podnet_agent_providers", "gauge", "Providers loaded.");
	pn_prom_sample(f, "podnet_agent_providers", NULL, a->n_providers);
	pn_prom_family(f, "podnet_agent_provider_info", "gauge",
		       "Always 1 per provider loaded; the labels are its name, version and ABI.");
	for (int i = 0; i < a->n_providers; i++) {
		char e3[128];
		snprintf(labels, sizeof(labels), "name=\"%s\",version=\"%s\",abi=\"1.%u\"",
			 pn_prom_escape(e2, sizeof(e2), pn_provider_name(a->providers[i])),
			 pn_prom_escape(e3, sizeof(e3), pn_provider_version(a->providers[i])),
			 (unsigned)pn_provider_abi_minor(a->providers[i]));
		pn_prom_sample(f, "podnet_agent_provider_info", labels, 1);
	}
	if (pn_record_list(a->records_dir, &ids) == 0) {
		pn_prom_family(f, "podnet_agent_sandboxes", "gauge", "Sandboxes with an attachment record.");
		pn_prom_sample(f, "podnet_agent_sandboxes", NULL, (double)json_array_size(ids));
	}
	json_decref(ids);
	if (a->metrics_fn)
		a->metrics_fn(a->metrics_ctx, f);
	fclose(f);
	return buf;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct pn_agent *a = cls;
	struct MHD_Response *resp;
	unsigned status = MHD_HTTP_OK;
	char *body = NULL;
	enum MHD_Result r;

	(void)version;
	(void)data;
	(void)data_size;
	(void)con_cls;
	if (strcmp(method, "GET")) {
		body = strdup("method not allowed\n");
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (!strcmp(url, "/healthz")) {
		struct pn_provider *p = pn_agent_provider(a, a->default_provider);
		struct podnet_result *res = calloc(1, sizeof(*res));
		int e = !p ? -ENOENT : res ? pn_provider_status(p, res) : -ENOMEM;

		if (e == 0) {
			body = strdup("ok\n");
		} else {
			status = MHD_HTTP_SERVICE_UNAVAILABLE;
			if (asprintf(&body, "default network not ready: %s\n",
				     !p ? "its provider is not loaded" : res && res->message[0] ? res->message : strerror(-e)) < 0)
				body = NULL;
		}
		free(res);
	} else if (!strcmp(url, "/metrics")) {
		body = render_metrics(a);
	} else {
		body = strdup("not found\n");
		status = MHD_HTTP_NOT_FOUND;
	}
	if (!body)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
				!strcmp(url, "/metrics") ? "text/plain; version=0.0.4" : "text/plain");
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

void pn_agent_set_metrics_hook(struct pn_agent *a, pn_agent_metrics_fn *fn, void *ctx)
{
	a->metrics_fn = fn;
	a->metrics_ctx = ctx;
}

int pn_agent_http_start(struct pn_agent *a, const char *addr, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char host[64];
	const char *colon = strrchr(addr, ':');
	long port;

	if (!colon || (size_t)(colon - addr) >= sizeof(host)) {
		snprintf(err, errlen, "metrics address %s: want HOST:PORT", addr);
		return -EINVAL;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "metrics address %s: want IPv4:PORT", addr);
		return -EINVAL;
	}
	sa.sin_port = htons((uint16_t)port);
	a->http = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, on_request, a,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, 16u,
				   MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!a->http) {
		snprintf(err, errlen, "cannot serve /metrics and /healthz on %s", addr);
		return -EADDRINUSE;
	}
	pn_agent_log(PODNET_LOG_INFO, "serving /healthz and /metrics on http://%s", addr);
	return 0;
}

void pn_agent_http_stop(struct pn_agent *a)
{
	if (a->http)
		MHD_stop_daemon(a->http);
	a->http = NULL;
}
