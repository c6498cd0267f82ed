/* node/agent_report.c — writes this node's PodNetworkNode report (see
 * agent_report.h). One request at a time: GET the Node (its uid for the
 * ownerReference), GET the report, then create it or update it (with the
 * resourceVersion read) when what it says differs. The report is read back
 * at every periodic evaluation, so one deleted or edited behind the agent's
 * back is put right within a period. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/informer.h"
#include "kube/ops.h"
#include "agent/agent_avail.h"
#include "agent/agent_report.h"
#include "podnet/provider.h"

_Static_assert(PN_AVAIL_NO_PROVIDER == PN_AGENT_SERVE_NO_PROVIDER && PN_AVAIL_NOT_READY == PN_AGENT_SERVE_NOT_READY &&
		       PN_AVAIL_REFUSED == PN_AGENT_SERVE_REFUSED,
	       "agent_avail.h and agent.h agree on the answers");

#define SOON 0.3    /* gathers a burst of PodNetwork/CNIConfig events */
#define RETRY 5.0   /* after a failed read or write */

static const struct pn_kube_resource res_podnetworks = {"podnet.dev", "v1alpha1", "podnetworks", 0};
static const struct pn_kube_resource res_cniconfigs = {"podnet.dev", "v1alpha1", "cniconfigs", 0};
static const struct pn_kube_resource res_reports = {"podnet.dev", "v1alpha1", "podnetworknodes", 0};

enum step { IDLE, GET_NODE, GET_REPORT, WRITE };

struct pn_report {
	struct pn_agent *agent;
	struct ev_loop *loop;
	struct pn_kube_client *client;
	char *node;
	double period;
	struct pn_informer *nets, *ccs;
	ev_timer soon, tick;
	enum step step;   /* the request in flight */
	int again;        /* evaluate again when it is done */
	char *node_uid;   /* NULL until read */
	int known;        /* cur says what the server has */
	json_t *cur;      /* the report as the server has it, or NULL (none) */
	struct pn_avail_report pending; /* what the write in flight says */

	pthread_mutex_t mu;
	struct pn_report_stats st;
};

static void run(struct pn_report *r);

static void later(struct pn_report *r, double after)
{
	if (ev_is_active(&r->soon) && ev_timer_remaining(r->loop, &r->soon) <= after)
		return;
	ev_timer_stop(r->loop, &r->soon);
	ev_timer_set(&r->soon, after, 0.);
	ev_timer_start(r->loop, &r->soon);
}

static void count(struct pn_report *r, unsigned long *what)
{
	pthread_mutex_lock(&r->mu);
	(*what)++;
	pthread_mutex_unlock(&r->mu);
}

static void failed(struct pn_report *r, const char *what, int rc, const struct pn_kube_status *st)
{
	/* a Node that does not exist (yet) is asked about once a period */
	double after = rc == -PN_KUBE_ENOTFOUND ? r->period : RETRY;

	pn_agent_log(PODNET_LOG_WARNING, "PodNetworkNode %s: %s: %s (HTTP %ld)%s%s; retrying in %.0f s", r->node, what,
		     strerror(rc < 0 ? -rc : rc), st ? st->http : 0L, st && st->message[0] ? ": " : "",
		     st ? st->message : "", after);
	count(r, &r->st.errors);
	r->known = 0;
	later(r, after);
}

static void node_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_report *r = ud;
	const char *uid = json_string_value(json_object_get(json_object_get(body, "metadata"), "uid"));

	r->step = IDLE;
	if (rc < 0 || !uid) {
		failed(r, "cannot read its Node", rc < 0 ? rc : -EBADMSG, st);
		return;
	}
	free(r->node_uid);
	r->node_uid = strdup(uid);
	run(r);
}

static void report_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_report *r = ud;

	r->step = IDLE;
	if (rc < 0 && rc != -PN_KUBE_ENOTFOUND) {
		failed(r, "cannot read the report", rc, st);
		return;
	}
	json_decref(r->cur);
	r->cur = rc < 0 ? NULL : json_incref(body);
	r->known = 1;
	run(r);
}

static void write_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_report *r = ud;
	int create = r->cur == NULL;

	r->step = IDLE;
	if (rc < 0) {
		/* 409: someone else wrote it (or a stale resourceVersion): read again */
		if (rc == -PN_KUBE_ECONFLICT || rc == -PN_KUBE_EEXISTS) {
			r->known = 0;
			r->again = 1;
		} else {
			failed(r, create ? "cannot create the report" : "cannot update the report", rc, st);
		}
	} else {
		size_t avail = 0;

		for (size_t i = 0; i < r->pending.n; i++)
			avail += r->pending.v[i].available;
		pthread_mutex_lock(&r->mu);
		r->st.writes++;
		r->st.networks = r->pending.n;
		r->st.available = avail;
		pthread_mutex_unlock(&r->mu);
		pn_agent_log(PODNET_LOG_INFO, "PodNetworkNode %s %s: %zu of %zu networks available", r->node,
			     create ? "created" : "updated", avail, r->pending.n);
		json_decref(r->cur);
		r->cur = json_incref(body);
	}
	pn_avail_report_clear(&r->pending);
	if (r->again) {
		r->again = 0;
		run(r);
	}
}

static int ask(void *ctx, const char *provider, const char *network, const char *params_json, int *err,
	       char *message, size_t mlen)
{
	return pn_agent_can_serve(ctx, provider, network, params_json, err, message, mlen);
}

/* status.providers: what is loaded here and the kinds each declares. */
static json_t *providers_json(struct pn_agent *a)
{
	json_t *list = json_array();
	const char *name, *version;
	const char *const *kinds;
	size_t n;

	for (int i = 0; list && (name = pn_agent_provider_at(a, i, &version, &kinds, &n)); i++) {
		json_t *o = json_pack("{ss ss}", "name", name, "version", version), *k = json_array();

		for (size_t j = 0; k && j < n; j++)
			json_array_append_new(k, json_string(kinds[j]));
		if (!o || !k || (n && json_object_set(o, "parameterKinds", k) < 0) || json_array_append(list, o) < 0) {
			json_decref(list);
			list = NULL;
		}
		json_decref(k);
		json_decref(o);
	}
	return list;
}

static const char *owner_uid(const json_t *obj)
{
	json_t *refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences");

	return json_string_value(json_object_get(json_array_get(refs, 0), "uid"));
}

/* Loop thread: one step further. */
static void run(struct pn_report *r)
{
	struct pn_avail_report rep;
	char now[40];
	json_t *obj;
	const char *cur_owner;
	int rc;

	if (r->step != IDLE) {
		r->again = 1;
		return;
	}
	if (!pn_informer_has_synced(r->nets) || !pn_informer_has_synced(r->ccs))
		return; /* on_synced runs it */
	if (!r->node_uid) {
		r->step = GET_NODE;
		rc = pn_kube_get(r->client, &pn_kube_res_nodes, NULL, r->node, node_done, r);
		if (rc < 0) {
			r->step = IDLE;
			failed(r, "cannot read its Node", rc, NULL);
		}
		return;
	}
	if (!r->known) {
		r->step = GET_REPORT;
		rc = pn_kube_get(r->client, &res_reports, NULL, r->node, report_done, r);
		if (rc < 0) {
			r->step = IDLE;
			failed(r, "cannot read the report", rc, NULL);
		}
		return;
	}
	rc = pn_avail_evaluate(pn_informer_store(r->nets), pn_informer_store(r->ccs), ask, r->agent, &rep);
	if (rc < 0) {
		pn_agent_log(PODNET_LOG_WARNING, "PodNetworkNode %s: cannot evaluate: %s", r->node, strerror(-rc));
		count(r, &r->st.errors);
		return;
	}
	rep.providers = providers_json(r->agent);
	if (!rep.providers) {
		pn_avail_report_clear(&rep);
		count(r, &r->st.errors);
		return;
	}
	count(r, &r->st.evaluations);
	cur_owner = owner_uid(r->cur);
	if (r->cur && pn_avail_status_matches(r->cur, &rep) && cur_owner && !strcmp(cur_owner, r->node_uid)) {
		pn_avail_report_clear(&rep);
		return; /* says what the server has: no write */
	}
	pn_kube_format_time(now, sizeof(now), ev_now(r->loop), 0);
	obj = pn_avail_object(r->node, r->node_uid, &rep, now);
	if (!obj) {
		pn_avail_report_clear(&rep);
		count(r, &r->st.errors);
		return;
	}
	r->step = WRITE;
	r->pending = rep;
	if (r->cur) {
		json_t *rv = json_object_get(json_object_get(r->cur, "metadata"), "resourceVersion");

		if (rv)
			json_object_set(json_object_get(obj, "metadata"), "resourceVersion", rv);
		rc = pn_kube_update(r->client, &res_reports, NULL, obj, NULL, write_done, r);
	} else {
		rc = pn_kube_create(r->client, &res_reports, NULL, obj, write_done, r);
	}
	json_decref(obj);
	if (rc < 0) {
		r->step = IDLE;
		pn_avail_report_clear(&r->pending);
		failed(r, "cannot write the report", rc, NULL);
	}
}

static void soon_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	run(w->data);
}

/* The period: read the report back too (deleted or edited meanwhile). */
static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_report *r = w->data;
	(void)loop;
	(void)revents;

	if (r->step == IDLE)
		r->known = 0;
	run(r);
}

static void changed(struct pn_report *r)
{
	later(r, SOON);
}

static void on_add(void *ud, json_t *obj)
{
	(void)obj;
	changed(ud);
}

static void on_update(void *ud, json_t *old, json_t *obj)
{
	json_t *a = json_object_get(old, "spec"), *b = json_object_get(obj, "spec");
	json_t *da = json_object_get(json_object_get(old, "metadata"), "deletionTimestamp");
	json_t *db = json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp");

	/* status writes of the controller change nothing the node is asked */
	if (json_equal(a, b) && !da == !db)
		return;
	changed(ud);
}

static void on_delete(void *ud, json_t *obj)
{
	(void)obj;
	changed(ud);
}

static void on_synced(void *ud)
{
	changed(ud);
}

/* Keeps metadata and spec (status is the controller's and churns). */
static json_t *slim(void *ud, json_t *obj)
{
	json_t *out = json_object();
	(void)ud;

	if (!out)
		return NULL;
	json_object_set(out, "apiVersion", json_object_get(obj, "apiVersion"));
	json_object_set(out, "kind", json_object_get(obj, "kind"));
	json_object_set(out, "metadata", json_object_get(obj, "metadata"));
	json_object_set(out, "spec", json_object_get(obj, "spec"));
	return out;
}

struct pn_report *pn_report_new(struct pn_agent *a, struct ev_loop *loop, struct pn_kube_client *c,
				const char *node, double period)
{
	struct pn_report *r = calloc(1, sizeof(*r));
	struct pn_informer_opts io;
	struct pn_informer_handlers h = {on_add, on_update, on_delete, NULL};

	if (!r)
		return NULL;
	pthread_mutex_init(&r->mu, NULL);
	r->agent = a;
	r->loop = loop;
	r->client = c;
	r->period = period > 0 ? period : 30.;
	r->node = strdup(node);
	h.ud = r;
	memset(&io, 0, sizeof(io));
	io.watch.res = &res_podnetworks;
	io.transform = slim;
	r->nets = pn_informer_new(c, &io);
	io.watch.res = &res_cniconfigs;
	r->ccs = pn_informer_new(c, &io);
	if (!r->node || !r->nets || !r->ccs) {
		pn_report_free(r);
		return NULL;
	}
	pn_informer_add_handlers(r->nets, &h);
	pn_informer_add_handlers(r->ccs, &h);
	pn_informer_on_synced(r->nets, on_synced, r);
	pn_informer_on_synced(r->ccs, on_synced, r);
	ev_init(&r->soon, soon_cb);
	r->soon.data = r;
	ev_timer_init(&r->tick, tick_cb, r->period, r->period);
	r->tick.data = r;
	return r;
}

int pn_report_start(struct pn_report *r)
{
	int rc = pn_informer_start(r->nets);

	if (rc == 0)
		rc = pn_informer_start(r->ccs);
	if (rc == 0)
		ev_timer_start(r->loop, &r->tick);
	return rc;
}

void pn_report_stop(struct pn_report *r)
{
	if (!r)
		return;
	pn_informer_stop(r->nets);
	pn_informer_stop(r->ccs);
	ev_timer_stop(r->loop, &r->soon);
	ev_timer_stop(r->loop, &r->tick);
}

void pn_report_free(struct pn_report *r)
{
	if (!r)
		return;
	pn_informer_free(r->nets);
	pn_informer_free(r->ccs);
	json_decref(r->cur);
	pn_avail_report_clear(&r->pending);
	free(r->node_uid);
	free(r->node);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

void pn_report_get_stats(struct pn_report *r, struct pn_report_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	*out = r->st;
	pthread_mutex_unlock(&r->mu);
}

void pn_report_metrics(struct pn_report *r, FILE *out)
{
	struct pn_report_stats s;

	pn_report_get_stats(r, &s);
	fprintf(out,
		"# HELP podnet_agent_availability_evaluations_total Availability reports computed for this node.\n"
		"# TYPE podnet_agent_availability_evaluations_total counter\n"
		"podnet_agent_availability_evaluations_total %lu\n"
		"# HELP podnet_agent_availability_writes_total PodNetworkNode creates and updates accepted.\n"
		"# TYPE podnet_agent_availability_writes_total counter\npodnet_agent_availability_writes_total %lu\n"
		"# HELP podnet_agent_availability_errors_total Failed reads and writes of the PodNetworkNode report.\n"
		"# TYPE podnet_agent_availability_errors_total counter\npodnet_agent_availability_errors_total %lu\n"
		"# HELP podnet_agent_networks_available PodNetworks this node can serve, as last written.\n"
		"# TYPE podnet_agent_networks_available gauge\npodnet_agent_networks_available %lu\n"
		"# HELP podnet_agent_networks PodNetworks in the last report written.\n"
		"# TYPE podnet_agent_networks gauge\npodnet_agent_networks %lu\n",
		s.evaluations, s.writes, s.errors, s.available, s.networks);
}
