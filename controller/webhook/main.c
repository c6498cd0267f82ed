/* main.c — podnet-webhook: flags, the caches the checks read (PodNetworks,
 * PodNetworkAttachments, Namespaces, PodNetworkNode reports), the review and
 * scheduler-filter dispatch on the loop and the paged LIST of Pods that a
 * DELETE of `default` needs. */
#include "webhook/webhook.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/config.h"
#include "kube/ops.h"
#include "pn/model.h"
#include "pn/version.h"
#include "webhook/filter.h"
#include "webhook/review.h"

static const struct pn_kube_resource res_podnetworks = { PN_GROUP, PN_VERSION, "podnetworks", 0 };
static const struct pn_kube_resource res_attachments = { PN_GROUP, PN_VERSION,
							 "podnetworkattachments", 1 };
static const struct pn_kube_resource res_reports = { PN_GROUP, PN_VERSION, "podnetworknodes", 0 };

void pn_wh_log(struct pn_wh *wh, int level, const char *fmt, ...)
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (level > wh->verbosity)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld podnet-webhook: ", ts, now.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- the caches ------------------------------------------------------------------- */

static json_t *lk_net(void *ud, const char *name)
{
	struct pn_wh *wh = ud;

	return pn_informer_get(wh->nets, NULL, name);
}

static json_t *lk_pna(void *ud, const char *ns, const char *name)
{
	struct pn_wh *wh = ud;

	return pn_informer_get(wh->pnas, ns, name);
}

static json_t *lk_labels(void *ud, const char *ns)
{
	struct pn_wh *wh = ud;
	json_t *l = json_object_get(json_object_get(pn_informer_get(wh->nss, NULL, ns), "metadata"),
				    "labels");

	return json_is_object(l) ? l : NULL;
}

/* Namespaces: their name, version and labels are all the checks read. */
static json_t *ns_transform(void *ud, json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");

	return json_pack("{s:{s:O?,s:O?,s:O?}}", "metadata", "name", json_object_get(md, "name"),
			 "resourceVersion", json_object_get(md, "resourceVersion"), "labels",
			 json_object_get(md, "labels"));
}

static json_t *lk_report(void *ud, const char *node)
{
	struct pn_wh *wh = ud;

	return pn_informer_get(wh->reports, NULL, node);
}

/* PodNetworkNode reports: the name and the networks' availability. */
static json_t *report_transform(void *ud, json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");

	return json_pack("{s:{s:O?,s:O?}, s:{s:O?}}", "metadata", "name",
			 json_object_get(md, "name"), "resourceVersion",
			 json_object_get(md, "resourceVersion"), "status", "networks",
			 json_object_get(json_object_get(obj, "status"), "networks"));
}

static struct pn_informer *start_cache(struct pn_wh *wh, const struct pn_kube_resource *res,
				       pn_informer_transform_fn tf)
{
	struct pn_informer_opts o = { 0 };
	struct pn_informer *inf;

	o.watch.res = res;
	o.transform = tf;
	inf = pn_informer_new(wh->c, &o);
	if (inf && pn_informer_start(inf) < 0) {
		pn_informer_free(inf);
		return NULL;
	}
	return inf;
}

/* ---- reviews ---------------------------------------------------------------------------- */

struct count {
	struct pn_wh *wh;
	struct pn_wh_job *job;
	struct pn_wh_lookup lk;
	char uid[130];
	char example[512];
	size_t n;
	size_t pages;
};

static void answer(struct pn_wh *wh, struct pn_wh_job *job, const char *uid,
		   const struct pn_wh_verdict *v, const char *what)
{
	pn_wh_log(wh, v->allowed ? 2 : 1, "%s: %s%s%s", what, v->allowed ? "allowed" : "denied",
		  v->allowed ? "" : ": ", v->message);
	pn_wh_job_answer(job, pn_wh_review_answer(uid, v->allowed, v->code, v->message));
}

static void list_page(struct count *ct, const char *cont);

static void pods_listed(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct count *ct = ud;
	struct pn_wh_verdict v = { 0 };
	const char *cont;
	size_t i;
	json_t *pod;

	if (rc < 0) {
		v.code = 500;
		snprintf(v.message, sizeof(v.message),
			 "podnet-webhook cannot tell which Pods use PodNetwork \"default\": listing "
			 "Pods failed: %s", st->message[0] ? st->message : strerror(-rc));
		answer(ct->wh, ct->job, ct->uid, &v, "DELETE PodNetwork default");
		free(ct);
		return;
	}
	json_array_foreach(json_object_get(body, "items"), i, pod) {
		if (!pn_wh_pod_uses_default(pod, &ct->wh->cfg, &ct->lk))
			continue;
		if (!ct->n++) {
			json_t *md = json_object_get(pod, "metadata");

			snprintf(ct->example, sizeof(ct->example), "%s/%s",
				 json_string_value(json_object_get(md, "namespace")) ?: "",
				 json_string_value(json_object_get(md, "name")) ?: "");
		}
	}
	cont = json_string_value(json_object_get(json_object_get(body, "metadata"), "continue"));
	if (cont && *cont && ++ct->pages < 10000) {
		list_page(ct, cont);
		return;
	}
	pn_wh_default_in_use(&v, ct->n, ct->example);
	answer(ct->wh, ct->job, ct->uid, &v, "DELETE PodNetwork default");
	free(ct);
}

static void list_page(struct count *ct, const char *cont)
{
	char path[4096] = "/api/v1/pods";
	struct pn_kube_status st = { 0 };

	if (pn_kube_query_add(path, sizeof(path), "limit", "500") < 0 ||
	    (cont && pn_kube_query_add(path, sizeof(path), "continue", cont) < 0) ||
	    pn_kube_request(ct->wh->c, "GET", path, NULL, NULL, 0, pods_listed, ct, NULL) < 0) {
		snprintf(st.message, sizeof(st.message), "cannot start the request");
		pods_listed(ct, -ENOMEM, &st, NULL);
	}
}

/* POST /scheduler/filter: kube-scheduler's extender call. */
static void on_filter(struct pn_wh *wh, struct pn_wh_job *job, const char *body, size_t len)
{
	struct pn_wh_lookup lk = { lk_net, lk_pna, lk_labels, wh };
	struct pn_wh_filter_world w = { &lk, lk_report, wh, pn_informer_has_synced(wh->reports) };
	struct pn_wh_filter_outcome o;
	struct pn_wh_filter_args a;
	json_t *md;
	char err[512], msg[600];

	if (pn_wh_filter_decode(body, len, &a, err, sizeof(err)) < 0) {
		pn_wh_log(wh, 0, "bad ExtenderArgs: %s", err);
		snprintf(msg, sizeof(msg), "podnet: bad ExtenderArgs: %s", err);
		pn_wh_job_answer(job, pn_wh_filter_error(msg));
		return;
	}
	pn_wh_job_answer(job, pn_wh_filter_run(&a, &wh->cfg, &w, &o));
	md = json_object_get(a.pod, "metadata");
	if (o.asked)
		pn_wh_log(wh, o.failed ? 1 : 2, "filter %s/%s: %zu of %zu nodes pass%s%s%s",
			  json_string_value(json_object_get(md, "namespace")) ?: "?",
			  json_string_value(json_object_get(md, "name")) ?: "?", o.passed,
			  o.passed + o.failed, o.first[0] ? " (" : "", o.first,
			  o.first[0] ? ")" : "");
	pn_wh_filter_clear(&a);
}

static void on_review(void *ud, struct pn_wh_job *job, const char *body, size_t len)
{
	struct pn_wh *wh = ud;
	struct pn_wh_lookup lk = { lk_net, lk_pna, lk_labels, wh };
	struct pn_wh_review rv;
	struct pn_wh_verdict v = { 0 };
	char err[512], what[700];
	struct count *ct;

	if (pn_wh_job_route(job) == PN_WH_ROUTE_FILTER) {
		on_filter(wh, job, body, len);
		return;
	}

	if (pn_wh_review_decode(body, len, &rv, err, sizeof(err)) < 0) {
		pn_wh_log(wh, 0, "bad AdmissionReview: %s", err);
		pn_wh_job_answer(job, pn_wh_review_answer(rv.uid ? rv.uid : "", false, 400, err));
		pn_wh_review_clear(&rv);
		return;
	}
	snprintf(what, sizeof(what), "%s %s%s%s%s%s by %s", (const char *[]){ "", "CREATE", "UPDATE",
		 "DELETE", "CONNECT" }[rv.op], rv.kind, rv.namespace[0] ? " " : " ",
		 rv.namespace, rv.namespace[0] ? "/" : "", rv.name[0] ? rv.name : "(new)",
		 rv.username[0] ? rv.username : "?");
	if (pn_wh_check(&rv, &wh->cfg, &lk, &v) == PN_WH_COUNT_DEFAULT_USERS) {
		ct = calloc(1, sizeof(*ct));
		if (!ct) {
			pn_wh_job_answer(job, NULL);
		} else {
			ct->wh = wh;
			ct->job = job;
			ct->lk = lk;
			snprintf(ct->uid, sizeof(ct->uid), "%s", rv.uid);
			list_page(ct, NULL);
		}
	} else {
		answer(wh, job, rv.uid, &v, what);
	}
	pn_wh_review_clear(&rv);
}

/* ---- the 1 s tick: readiness --------------------------------------------------------- */

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_wh *wh = w->data;

	pn_wh_server_set_ready(wh->srv, wh->served_crt && pn_informer_has_synced(wh->nets) &&
					pn_informer_has_synced(wh->pnas) &&
					pn_informer_has_synced(wh->nss));
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* ---- flags -------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podnet-webhook [options]\n"
		"  --kubeconfig PATH        kubeconfig; without it $KUBECONFIG (':'-separated\n"
		"                           files, merged), then the Pod's service account,\n"
		"                           then ~/.kube/config\n"
		"  --context NAME           kubeconfig context\n"
		"  --listen ADDR            HTTPS address (default :8443): /validate\n"
		"                           /scheduler/filter /healthz /readyz\n"
		"  --namespace NS           namespace of the Service and the Secret (default podnet-system)\n"
		"  --service NAME           the Service the API server calls (default podnet-webhook)\n"
		"  --secret NAME            the TLS Secret podnet keeps (default podnet-webhook-tls)\n"
		"  --webhook-config NAME    ValidatingWebhookConfiguration whose caBundle podnet\n"
		"                           keeps (default podnet-webhook)\n"
		"  --ca-validity DUR        life of a new CA (default 3650d; DUR: N, Ns, Nm, Nh, Nd)\n"
		"  --cert-validity DUR      life of a new serving certificate (default 365d)\n"
		"  --renew-fraction F       renew with less than F of the life left (default 0.33)\n"
		"  --check-period DUR       how often the Secret is read (default 60s)\n"
		"  --controller-user NAME   may write podnet.dev/plan (repeatable; default\n"
		"                           " PN_WH_CONTROLLER_USER ")\n"
		"  --controller-group NAME  members may too (repeatable; default " PN_WH_CONTROLLER_GROUP ")\n"
		"  --agent-user NAME        may write k8s.v1.cni.cncf.io/network-status (repeatable;\n"
		"                           default " PN_WH_AGENT_USER ")\n"
		"  --agent-group NAME       members may too (repeatable; default " PN_WH_AGENT_GROUP ")\n"
		"  --native-networks[=BOOL] Pods ask through spec.networks instead of the annotation\n"
		"  --qps N --burst N        client rate limit (default 50/100)\n"
		"  -v N, --v N              log verbosity (0..3, default 1; 2 logs every review)\n"
		"  --version                print \"podnet-webhook VERSION\" and exit\n");
}

static bool parse_bool(const char *s)
{
	return !(s && (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no")));
}

/* "90", "90s", "15m", "12h", "365d"; < 0 when invalid. */
static double parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	switch (*end) {
	case 0: case 's': break;
	case 'm': v *= 60; break;
	case 'h': v *= 3600; break;
	case 'd': v *= 86400; break;
	default: return -1;
	}
	return end[0] && end[1] ? -1 : v;
}

int main(int argc, char **argv)
{
	static struct pn_wh wh_s;
	struct pn_wh *wh = &wh_s;
	const char *kubeconfig = NULL, *context = NULL, *listen = ":8443", *service = "podnet-webhook";
	struct pn_kube_client_opts co = { .qps = 50, .burst = 100 };
	struct pn_kube_config *cfg = NULL;
	char err[1024], dns[3][300];
	ev_signal sigterm, sigint;
	ev_timer tick;
	int r, opt;
	enum { O_KC = 256, O_CTX, O_LISTEN, O_NS, O_SVC, O_SECRET, O_VWC, O_CAV, O_CERTV, O_FRAC,
	       O_PERIOD, O_USER, O_GROUP, O_AUSER, O_AGROUP, O_NATIVE, O_QPS, O_BURST, O_VERSION };
	static const struct option lopts[] = {
		{ "kubeconfig", required_argument, NULL, O_KC },
		{ "context", required_argument, NULL, O_CTX },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "namespace", required_argument, NULL, O_NS },
		{ "service", required_argument, NULL, O_SVC },
		{ "secret", required_argument, NULL, O_SECRET },
		{ "webhook-config", required_argument, NULL, O_VWC },
		{ "ca-validity", required_argument, NULL, O_CAV },
		{ "cert-validity", required_argument, NULL, O_CERTV },
		{ "renew-fraction", required_argument, NULL, O_FRAC },
		{ "check-period", required_argument, NULL, O_PERIOD },
		{ "controller-user", required_argument, NULL, O_USER },
		{ "controller-group", required_argument, NULL, O_GROUP },
		{ "agent-user", required_argument, NULL, O_AUSER },
		{ "agent-group", required_argument, NULL, O_AGROUP },
		{ "native-networks", optional_argument, NULL, O_NATIVE },
		{ "qps", required_argument, NULL, O_QPS },
		{ "burst", required_argument, NULL, O_BURST },
		{ "v", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	size_t n_users = 0, n_groups = 0, n_ausers = 0, n_agroups = 0;

	wh->verbosity = 1;
	wh->ns = "podnet-system";
	wh->secret = "podnet-webhook-tls";
	wh->vwc = "podnet-webhook";
	wh->policy.ca_validity = 3650 * 86400.;
	wh->policy.cert_validity = 365 * 86400.;
	wh->policy.renew_fraction = 0.33;
	wh->check_period = 60;
	while ((opt = getopt_long(argc, argv, "v:h", lopts, NULL)) != -1) {
		switch (opt) {
		case O_KC: kubeconfig = optarg; break;
		case O_CTX: context = optarg; break;
		case O_LISTEN: listen = optarg; break;
		case O_NS: wh->ns = optarg; break;
		case O_SVC: service = optarg; break;
		case O_SECRET: wh->secret = optarg; break;
		case O_VWC: wh->vwc = optarg; break;
		case O_CAV: wh->policy.ca_validity = parse_duration(optarg); break;
		case O_CERTV: wh->policy.cert_validity = parse_duration(optarg); break;
		case O_FRAC: wh->policy.renew_fraction = atof(optarg); break;
		case O_PERIOD: wh->check_period = parse_duration(optarg); break;
		case O_USER:
			if (n_users == PN_WH_MAX_IDS)
				goto bad;
			wh->users[n_users++] = optarg;
			break;
		case O_GROUP:
			if (n_groups == PN_WH_MAX_IDS)
				goto bad;
			wh->groups[n_groups++] = optarg;
			break;
		case O_AUSER:
			if (n_ausers == PN_WH_MAX_IDS)
				goto bad;
			wh->agent_users[n_ausers++] = optarg;
			break;
		case O_AGROUP:
			if (n_agroups == PN_WH_MAX_IDS)
				goto bad;
			wh->agent_groups[n_agroups++] = optarg;
			break;
		case O_NATIVE: wh->cfg.native_networks = parse_bool(optarg); break;
		case O_QPS: co.qps = atof(optarg); break;
		case O_BURST: co.burst = atoi(optarg); break;
		case 'v': wh->verbosity = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		case O_VERSION: printf("podnet-webhook %s\n", pn_version()); return 0;
		default: goto bad;
		}
	}
	if (optind != argc || wh->policy.ca_validity < 60 || wh->policy.cert_validity < 60 ||
	    wh->policy.cert_validity > wh->policy.ca_validity || wh->check_period <= 0 ||
	    !(wh->policy.renew_fraction > 0 && wh->policy.renew_fraction < 1))
		goto bad;
	if (!n_users)
		wh->users[n_users++] = PN_WH_CONTROLLER_USER;
	if (!n_groups)
		wh->groups[n_groups++] = PN_WH_CONTROLLER_GROUP;
	if (!n_ausers)
		wh->agent_users[n_ausers++] = PN_WH_AGENT_USER;
	if (!n_agroups)
		wh->agent_groups[n_agroups++] = PN_WH_AGENT_GROUP;
	wh->cfg.agent_users = wh->agent_users;
	wh->cfg.n_agent_users = n_ausers;
	wh->cfg.agent_groups = wh->agent_groups;
	wh->cfg.n_agent_groups = n_agroups;
	wh->cfg.controller_users = wh->users;
	wh->cfg.n_users = n_users;
	wh->cfg.controller_groups = wh->groups;
	wh->cfg.n_groups = n_groups;
	snprintf(dns[0], sizeof(dns[0]), "%s.%s.svc", service, wh->ns);
	snprintf(dns[1], sizeof(dns[1]), "%s.%s.svc.cluster.local", service, wh->ns);
	snprintf(dns[2], sizeof(dns[2]), "%s.%s", service, wh->ns);
	for (int i = 0; i < 3; i++)
		wh->dns[i] = dns[i];
	wh->policy.dns = wh->dns;
	wh->policy.n_dns = 3;

	r = pn_kube_config_resolve(PN_KUBE_CONFIG_DAEMON, kubeconfig, context, &cfg, NULL, 0,
				   err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "podnet-webhook: kubeconfig: %s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	wh->loop = EV_DEFAULT;
	wh->c = pn_kube_client_new(wh->loop, cfg, &co);
	if (!wh->c) {
		fprintf(stderr, "podnet-webhook: cannot create the client\n");
		return 1;
	}
	wh->srv = pn_wh_server_new(wh->loop, listen, 9.0, on_review, wh, err, sizeof(err));
	if (!wh->srv) {
		fprintf(stderr, "podnet-webhook: %s\n", err);
		return 1;
	}
	wh->nets = start_cache(wh, &res_podnetworks, NULL);
	wh->pnas = start_cache(wh, &res_attachments, NULL);
	wh->nss = start_cache(wh, &pn_kube_res_namespaces, ns_transform);
	/* Until this cache has synced (the CRD may not be installed), the
	 * filter checks readiness only. */
	wh->reports = start_cache(wh, &res_reports, report_transform);
	if (!wh->nets || !wh->pnas || !wh->nss || !wh->reports) {
		fprintf(stderr, "podnet-webhook: cannot start the caches\n");
		return 1;
	}
	pn_wh_log(wh, 0, "starting %s on %s for %s; Secret %s/%s, ValidatingWebhookConfiguration %s",
		  pn_version(), listen, dns[0], wh->ns, wh->secret, wh->vwc);
	pn_wh_tls_start(wh);
	ev_timer_init(&tick, tick_cb, 1.0, 1.0);
	tick.data = wh;
	ev_timer_start(wh->loop, &tick);
	ev_signal_init(&sigterm, signal_cb, SIGTERM);
	ev_signal_init(&sigint, signal_cb, SIGINT);
	ev_signal_start(wh->loop, &sigterm);
	ev_signal_start(wh->loop, &sigint);
	ev_run(wh->loop, 0);

	pn_wh_log(wh, 0, "shutting down");
	pn_wh_server_free(wh->srv);
	return 0;
bad:
	usage(stderr);
	return 2;
}
