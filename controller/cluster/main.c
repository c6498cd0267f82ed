/* main.c — podnet-controller: flags, informers, the work queue, leader
 * election and the rebuild of the address state when leadership starts. */
#include "cluster/ctl.h"

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
#include "pn/version.h"

const struct pn_kube_resource pn_res_podnetworks = { PN_GROUP, PN_VERSION, "podnetworks", 0 };
const struct pn_kube_resource pn_res_attachments = { PN_GROUP, PN_VERSION,
						     "podnetworkattachments", 1 };
const struct pn_kube_resource pn_res_cniconfigs = { PN_GROUP, PN_VERSION, "cniconfigs", 0 };
const struct pn_kube_resource pn_res_ippools = { PN_GROUP, PN_VERSION, "ippools", 0 };
const struct pn_kube_resource pn_res_nads = { PN_NAD_GROUP, "v1", "network-attachment-definitions",
					      1 };

static const char *const inf_kind[PN_INF_N] = { "pod", "net", "pna", "cni", "pool", "nad",
						"ns", "pnnode", "node" };

void pn_ctl_log(struct pn_ctl *ctl, int level, const char *fmt, ...)
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (level > ctl->verbosity)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld podnet-controller: ", ts, now.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool pn_ctl_provider_ours(const struct pn_ctl *ctl, const char *provider)
{
	for (size_t i = 0; i < ctl->n_providers; i++)
		if (provider && !strcmp(provider, ctl->providers[i]))
			return true;
	return false;
}

void pn_ctl_enqueue(struct pn_ctl *ctl, const char *kind, const char *key)
{
	char k[600];

	if (snprintf(k, sizeof(k), "%s/%s", kind, key) >= (int)sizeof(k))
		return;
	pn_workqueue_add(ctl->q, k);
}

void pn_ctl_enqueue_all(struct pn_ctl *ctl, enum pn_inf which, const char *kind)
{
	const char *key;
	json_t *v;

	if (!ctl->inf[which])
		return;
	json_object_foreach(pn_informer_store(ctl->inf[which]), key, v)
		pn_ctl_enqueue(ctl, kind, key);
}

bool pn_ctl_busy(struct pn_ctl *ctl, const char *key)
{
	return pn_strmap_get(&ctl->busy, key) != NULL;
}

void pn_ctl_set_busy(struct pn_ctl *ctl, const char *key, bool busy)
{
	if (busy) {
		if (pn_strmap_put(&ctl->busy, key, (void *)1) == 0)
			ctl->inflight++;
	} else if (pn_strmap_del(&ctl->busy, key)) {
		ctl->inflight--;
		/* the key may have changed meanwhile: look again */
		pn_workqueue_add(ctl->q, key);
		if (!ev_is_active(&ctl->drain))
			ev_idle_start(ctl->loop, &ctl->drain);
	}
}

/* ---- the work queue -------------------------------------------------------- */

static int dispatch(struct pn_ctl *ctl, const char *key)
{
	char buf[600], *ns, *name;
	const char *rest = strchr(key, '/');

	if (!rest)
		return 0;
	snprintf(buf, sizeof(buf), "%s", rest + 1);
	if (!strncmp(key, "pod/", 4) || !strncmp(key, "pna/", 4)) {
		ns = buf;
		name = strchr(buf, '/');
		if (!name)
			return 0;
		*name++ = 0;
		if (key[1] == 'o') {
			ctl->m.reconciles[0]++;
			return pn_ctl_reconcile_pod(ctl, ns, name);
		}
		ctl->m.reconciles[2]++;
		return pn_ctl_reconcile_attachment(ctl, ns, name);
	}
	if (!strncmp(key, "net/", 4)) {
		ctl->m.reconciles[1]++;
		return pn_ctl_reconcile_network(ctl, buf);
	}
	if (!strncmp(key, "cni/", 4)) {
		ctl->m.reconciles[3]++;
		return pn_ctl_reconcile_cniconfig(ctl, buf);
	}
	if (!strncmp(key, "pool/", 5)) {
		ctl->m.reconciles[4]++;
		return pn_ctl_reconcile_ippool(ctl, buf);
	}
	if (!strncmp(key, "pnnode/", 7))
		return pn_ctl_reconcile_report(ctl, buf);
	if (!strncmp(key, "nad/", 4)) {
		/* NADs have no status: their users are re-evaluated. */
		ctl->m.reconciles[5]++;
		pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
		pn_ctl_enqueue_all(ctl, PN_INF_ATTACHMENTS, "pna");
		return 0;
	}
	return 0;
}

static void drain_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct pn_ctl *ctl = w->data;
	const char *key;
	int budget = 256;

	if (ctl->state != PN_CTL_LEADING) {
		ev_idle_stop(loop, w);
		return;
	}
	while (budget-- > 0 && ctl->inflight < ctl->max_inflight) {
		int r = pn_workqueue_get(ctl->q, &key);
		double t0, t1;

		if (r <= 0) {
			ev_idle_stop(loop, w);
			return;
		}
		t0 = ev_time();
		r = dispatch(ctl, key);
		t1 = ev_time();
		pn_ctl_metrics_observe(ctl, t1 - t0);
		if (r < 0 && r != -EAGAIN) {
			pn_ctl_log(ctl, 2, "%s: %s (retrying)", key, strerror(-r));
			pn_workqueue_add_rate_limited(ctl->q, key);
		} else if (r == -EAGAIN) {
			pn_workqueue_add_after(ctl->q, key, 1.0);
		} else {
			pn_workqueue_forget(ctl->q, key);
		}
		pn_workqueue_done(ctl->q, key);
	}
	if (ctl->inflight >= ctl->max_inflight)
		ev_idle_stop(loop, w); /* set_busy(false) restarts it */
}

static void ready_cb(void *ud)
{
	struct pn_ctl *ctl = ud;

	if (ctl->state == PN_CTL_LEADING && !ev_is_active(&ctl->drain))
		ev_idle_start(ctl->loop, &ctl->drain);
}

/* ---- informer handlers ------------------------------------------------------ */

struct inf_ud {
	struct pn_ctl *ctl;
	enum pn_inf which;
};
static struct inf_ud inf_uds[PN_INF_N];

static void obj_key(json_t *obj, char *buf, size_t len)
{
	if (pn_informer_key(obj, buf, len) < 0)
		buf[0] = 0;
}

static void enqueue_refs_diff(struct pn_ctl *ctl, json_t *old_obj, json_t *new_obj)
{
	json_t *on = json_array(), *op = json_array(), *nn = json_array(), *np = json_array();
	size_t i;
	json_t *v;

	if (old_obj)
		pn_ctl_pod_refs(old_obj, on, op);
	if (new_obj)
		pn_ctl_pod_refs(new_obj, nn, np);
	if (!json_equal(on, nn)) {
		json_array_foreach(on, i, v)
			pn_ctl_enqueue(ctl, "net", json_string_value(v));
		json_array_foreach(nn, i, v)
			pn_ctl_enqueue(ctl, "net", json_string_value(v));
	}
	if (!json_equal(op, np)) {
		json_array_foreach(op, i, v)
			pn_ctl_enqueue(ctl, "pna", json_string_value(v));
		json_array_foreach(np, i, v)
			pn_ctl_enqueue(ctl, "pna", json_string_value(v));
	}
	json_decref(on);
	json_decref(op);
	json_decref(nn);
	json_decref(np);
}

/* Whether what others depend on changed: spec (generation), deletion,
 * annotations (the accepted spec), finalizers aside. */
static bool spec_changed(json_t *o, json_t *n)
{
	json_t *om, *nm;

	if (!o || !n)
		return true;
	om = json_object_get(o, "metadata");
	nm = json_object_get(n, "metadata");
	return !json_equal(json_object_get(om, "generation"), json_object_get(nm, "generation")) ||
	       !json_equal(json_object_get(om, "deletionTimestamp"),
			   json_object_get(nm, "deletionTimestamp")) ||
	       !json_equal(json_object_get(om, "annotations"), json_object_get(nm, "annotations")) ||
	       !json_equal(json_object_get(o, "spec"), json_object_get(n, "spec"));
}

static void changed(struct inf_ud *u, json_t *old_obj, json_t *new_obj, bool deleted)
{
	struct pn_ctl *ctl = u->ctl;
	char key[512];

	obj_key(new_obj ? new_obj : old_obj, key, sizeof(key));
	if (!key[0])
		return;
	if (u->which == PN_INF_NAMESPACES) {
		/* Nothing reconciles a Namespace: its labels decide which
		 * networks its Pods may use, so Pods waiting for access (or
		 * for the Namespace to be known) are tried again. */
		json_t *ol = json_object_get(json_object_get(old_obj, "metadata"), "labels");
		json_t *nl = json_object_get(json_object_get(new_obj, "metadata"), "labels");

		if (ctl->state != PN_CTL_STANDBY && (deleted || !old_obj || !json_equal(ol, nl)))
			ctl->requeue_waiting = true;
		return;
	}
	if (u->which == PN_INF_REPORTS || u->which == PN_INF_NODES) {
		pn_ctl_reports_changed(ctl, u->which, old_obj, deleted ? NULL : new_obj);
		return;
	}
	if (u->which == PN_INF_PODS) {
		if (ctl->state == PN_CTL_STANDBY)
			return;
		enqueue_refs_diff(ctl, old_obj, deleted ? NULL : new_obj);
		if (!deleted)
			pn_ctl_schedule_pod_changed(ctl, old_obj, new_obj);
		if (deleted) {
			pn_ctl_pod_deleted(ctl, old_obj);
			return;
		}
		pn_ctl_enqueue(ctl, "pod", key);
		return;
	}
	pn_ctl_forget_decoded(ctl, inf_kind[u->which], key);
	if (ctl->state == PN_CTL_STANDBY)
		return;
	pn_ctl_enqueue(ctl, inf_kind[u->which], key);
	if (u->which == PN_INF_NETWORKS || u->which == PN_INF_ATTACHMENTS)
		pn_ctl_schedule_changed(ctl, u->which, old_obj, deleted ? NULL : new_obj);
	if (!spec_changed(old_obj, deleted ? NULL : new_obj))
		return; /* a status write: nothing depends on it */
	/* a change of any object a plan depends on: networks and their
	 * attachments are re-evaluated, and waiting Pods retried */
	if (u->which == PN_INF_CNICONFIGS || u->which == PN_INF_IPPOOLS) {
		pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
		pn_ctl_enqueue_all(ctl, PN_INF_ATTACHMENTS, "pna");
	}
	if (u->which == PN_INF_NETWORKS)
		pn_ctl_enqueue_all(ctl, PN_INF_ATTACHMENTS, "pna");
	if (u->which == PN_INF_ATTACHMENTS) {
		/* an attachment keeps its PodNetwork in use */
		json_t *objs[2] = { old_obj, new_obj };

		for (int i = 0; i < 2; i++) {
			const char *net = json_string_value(json_object_get(
				json_object_get(objs[i], "spec"), "podNetworkName"));

			if (net)
				pn_ctl_enqueue(ctl, "net", net);
		}
	}
	ctl->requeue_waiting = true;
}

static void on_add(void *ud, json_t *obj)
{
	changed(ud, NULL, obj, false);
}

static void on_update(void *ud, json_t *o, json_t *n)
{
	changed(ud, o, n, false);
}

static void on_delete(void *ud, json_t *obj)
{
	changed(ud, obj, NULL, true);
}

static int index_pod_nets(void *ud, json_t *obj, json_t *vals)
{
	json_t *p = json_array();
	int r = pn_ctl_pod_refs(obj, vals, p);

	json_decref(p);
	return r;
}

static int index_pod_pnas(void *ud, json_t *obj, json_t *vals)
{
	json_t *n = json_array();
	int r = pn_ctl_pod_refs(obj, n, vals);

	json_decref(n);
	return r;
}

/* A Namespace as the cache keeps it: name, resourceVersion and labels
 * (always an object). */
static json_t *namespace_transform(json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");
	json_t *labels = json_object_get(md, "labels");
	json_t *slim = json_pack("{s:s,s:s,s:{s:O?,s:O?,s:O?}}", "apiVersion", "v1", "kind",
				 "Namespace", "metadata", "name", json_object_get(md, "name"),
				 "uid", json_object_get(md, "uid"), "resourceVersion",
				 json_object_get(md, "resourceVersion"));
	json_t *smd = json_object_get(slim, "metadata");

	if (!slim)
		return NULL;
	json_object_set_new(smd, "labels",
			    json_is_object(labels) ? json_deep_copy(labels) : json_object());
	return slim;
}

static json_t *slim_transform(void *ud, json_t *obj)
{
	struct inf_ud *u = ud;
	static const char *const api[PN_INF_N] = { "v1", PN_API_VERSION, PN_API_VERSION,
						   PN_API_VERSION, PN_API_VERSION,
						   "k8s.cni.cncf.io/v1", "v1", PN_API_VERSION, "v1" };
	static const char *const kinds[PN_INF_N] = { "Pod", "PodNetwork", "PodNetworkAttachment",
						     "CNIConfig", "IPPool",
						     "NetworkAttachmentDefinition", "Namespace",
						     "PodNetworkNode", "Node" };
	json_t *md = json_object_get(obj, "metadata");

	if (u->which == PN_INF_PODS)
		return pn_ctl_pod_transform(ud, obj);
	if (u->which == PN_INF_NAMESPACES)
		return namespace_transform(obj);
	if (u->which == PN_INF_NODES)
		return pn_ctl_node_transform(obj);
	json_incref(obj);
	json_object_set_new(obj, "apiVersion", json_string(api[u->which]));
	json_object_set_new(obj, "kind", json_string(kinds[u->which]));
	if (md)
		json_object_del(md, "managedFields");
	return obj;
}

static void synced_cb(void *ud)
{
	struct pn_ctl *ctl = ud;
	bool all = true;

	/* The availability reports are not waited for: nothing the
	 * controller decides depends on them (status.nodes is written once
	 * they are known), and a cluster whose PodNetworkNode CRD is not
	 * installed yet must still get plans. */
	for (int i = 0; i < PN_INF_N; i++)
		if (ctl->inf[i] && i != PN_INF_REPORTS && !pn_informer_has_synced(ctl->inf[i]))
			all = false;
	if (all && !ctl->synced) {
		ctl->synced = true;
		pn_ctl_log(ctl, 1, "caches synced (%zu Pods)", pn_informer_count(ctl->inf[PN_INF_PODS]));
	}
}

static int start_informer(struct pn_ctl *ctl, enum pn_inf which, const struct pn_kube_resource *res)
{
	struct pn_informer_opts o = { 0 };
	struct pn_informer_handlers h = { on_add, on_update, on_delete, &inf_uds[which] };

	inf_uds[which].ctl = ctl;
	inf_uds[which].which = which;
	o.watch.res = res;
	o.transform = slim_transform;
	o.transform_ud = &inf_uds[which];
	ctl->inf[which] = pn_informer_new(ctl->c, &o);
	if (!ctl->inf[which])
		return -ENOMEM;
	if (which == PN_INF_PODS) {
		pn_informer_add_index(ctl->inf[which], "net", index_pod_nets, ctl);
		pn_informer_add_index(ctl->inf[which], "pna", index_pod_pnas, ctl);
	}
	pn_informer_add_handlers(ctl->inf[which], &h);
	pn_informer_on_synced(ctl->inf[which], synced_cb, ctl);
	return pn_informer_start(ctl->inf[which]);
}

/* ---- leadership --------------------------------------------------------------- */

static void list_page(struct pn_ctl *ctl);
static void begin_rebuild(struct pn_ctl *ctl);

static void start_leading(struct pn_ctl *ctl)
{
	ctl->state = PN_CTL_LEADING;
	ctl->requeue_waiting = false;
	pn_ctl_log(ctl, 0, "leading: address state rebuilt from %lu Pods in %.2fs (%zu addresses "
		   "held, %lu conflicts)", ctl->list_items, ev_time() - ctl->leader_since,
		   pn_addrs_allocated(&ctl->addrs), ctl->addrs.conflicts);
	pn_ctl_enqueue(ctl, "net", PN_DEFAULT_NETWORK);
	pn_ctl_enqueue_all(ctl, PN_INF_IPPOOLS, "pool");
	pn_ctl_enqueue_all(ctl, PN_INF_CNICONFIGS, "cni");
	pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
	pn_ctl_enqueue_all(ctl, PN_INF_ATTACHMENTS, "pna");
	pn_ctl_enqueue_all(ctl, PN_INF_PODS, "pod");
	ev_idle_start(ctl->loop, &ctl->drain);
}

static void list_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_ctl *ctl = ud;
	const char *cont;
	size_t i;
	json_t *item;

	if (rc < 0) {
		pn_ctl_log(ctl, 0, "listing Pods for the address state: %s (%s); retrying",
			   strerror(-rc), st->message);
		ev_sleep(1.0);
		begin_rebuild(ctl);
		return;
	}
	json_array_foreach(json_object_get(body, "items"), i, item) {
		json_t *slim = pn_ctl_pod_transform(NULL, item);

		if (slim && pn_ctl_pod_load(ctl, slim) < 0)
			pn_ctl_log(ctl, 0, "loading a Pod's plan: out of memory");
		json_decref(slim);
		ctl->list_items++;
	}
	cont = json_string_value(json_object_get(json_object_get(body, "metadata"), "continue"));
	if (cont && *cont) {
		snprintf(ctl->list_continue, sizeof(ctl->list_continue), "%s", cont);
		list_page(ctl);
		return;
	}
	start_leading(ctl);
}

static void list_page(struct pn_ctl *ctl)
{
	char path[3072];
	int r;

	pn_kube_path(path, sizeof(path), &pn_kube_res_pods, NULL, NULL, NULL);
	pn_kube_query_add(path, sizeof(path), "limit", "500");
	if (ctl->list_continue[0])
		pn_kube_query_add(path, sizeof(path), "continue", ctl->list_continue);
	r = pn_kube_request(ctl->c, "GET", path, NULL, NULL, 0, list_done, ctl, NULL);
	if (r < 0)
		pn_ctl_log(ctl, 0, "cannot list Pods: %s", strerror(-r));
}

/* Every IPPool known now gets its IPAM before the Pods' holds load. */
static void load_pools(struct pn_ctl *ctl)
{
	const char *key;
	json_t *v;

	json_object_foreach(pn_informer_store(ctl->inf[PN_INF_IPPOOLS]), key, v) {
		struct pn_problems ps = { 0 };
		struct pn_ippool *p = NULL;

		if (pn_ippool_decode(v, &p, &ps) == 0 && pn_ippool_validate(p, &ps) == 0) {
			pn_ippool_default(p);
			pn_addrs_pool_set(&ctl->addrs, key, p);
		} else {
			pn_ippool_free(p);
		}
		pn_problems_clear(&ps);
	}
}

static void begin_rebuild(struct pn_ctl *ctl)
{
	ctl->state = PN_CTL_REBUILD;
	ctl->leader_since = ev_time();
	ctl->list_items = 0;
	ctl->list_continue[0] = 0;
	pn_addrs_clear(&ctl->addrs);
	load_pools(ctl);
	/* A fresh LIST (a quorum read), not the cache: it holds every plan the
	 * previous leader wrote before it stopped. */
	list_page(ctl);
}

static ev_timer wait_sync;

static void wait_sync_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_ctl *ctl = w->data;

	if (!ctl->synced)
		return;
	ev_timer_stop(loop, w);
	/* plans are read and written only with the signing key in hand */
	pn_ctl_keys_ensure(ctl, begin_rebuild);
}

static void on_started(void *ud)
{
	struct pn_ctl *ctl = ud;

	pn_ctl_log(ctl, 0, "became leader");
	wait_sync.data = ctl;
	ev_timer_init(&wait_sync, wait_sync_cb, 0.0, 0.1);
	ev_timer_start(ctl->loop, &wait_sync);
}

static void on_stopped(void *ud)
{
	struct pn_ctl *ctl = ud;

	if (ctl->state == PN_CTL_STANDBY)
		return;
	/* Writes must stop now; the next leader rebuilds from the plans. */
	pn_ctl_log(ctl, 0, "lost leadership: exiting");
	_exit(1);
}

static void on_new_leader(void *ud, const char *id)
{
	pn_ctl_log(ud, 1, "leader is now %s", id && *id ? id : "(none)");
}

/* ---- the 1 s tick -------------------------------------------------------------- */

static int pool_dirty_cb(const char *name, void *v, void *ud)
{
	struct pn_addrs_pool *pl = v;

	if (pl->dirty)
		pn_ctl_enqueue(ud, "pool", name);
	return 0;
}

static int waiting_cb(const char *key, void *v, void *ud)
{
	pn_ctl_enqueue(ud, "pod", key);
	return 0;
}

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_ctl *ctl = w->data;

	if (ctl->state == PN_CTL_LEADING) {
		pn_strmap_foreach(&ctl->addrs.pools, pool_dirty_cb, ctl);
		if (++ctl->ticks % 30 == 0)
			pn_ctl_sweep(ctl);
		if (ctl->requeue_waiting) {
			ctl->requeue_waiting = false;
			pn_strmap_foreach(&ctl->waiting, waiting_cb, ctl);
		}
	}
	pn_ctl_metrics_update(ctl);
}

static ev_signal sigterm, sigint;

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

/* Whether the NetworkAttachmentDefinition CRD is served. */
static bool nad_served(struct pn_kube_client *c)
{
	struct pn_kube_status st;
	json_t *body = NULL;
	bool found = false;
	size_t i;
	json_t *r;

	if (pn_kube_call(c, "GET", "/apis/k8s.cni.cncf.io/v1", NULL, NULL, &body, &st) < 0)
		return false;
	json_array_foreach(json_object_get(body, "resources"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "name")) ?: "",
			    "network-attachment-definitions"))
			found = true;
	json_decref(body);
	return found;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podnet-controller [options]\n"
		"  --kubeconfig PATH        kubeconfig; without it $KUBECONFIG (':'-separated\n"
		"                           files, merged), then the Pod's service account,\n"
		"                           then ~/.kube/config\n"
		"  --context NAME           kubeconfig context\n"
		"  --leader-elect BOOL      leader election (default true)\n"
		"  --lease-name NAME        Lease name (default podnet-controller)\n"
		"  --lease-namespace NS     Lease namespace (default podnet-system)\n"
		"  --lease-duration SEC     (default 15)\n"
		"  --renew-deadline SEC     (default 10)\n"
		"  --retry-period SEC       (default 2)\n"
		"  --identity ID            (default hostname_pid)\n"
		"  --providers LIST         comma-separated providers handled (default podnet.dev/cni)\n"
		"  --metrics-addr ADDR      host:port for /metrics /healthz /readyz (default :8080; "
		"\"0\" disables)\n"
		"  --qps N --burst N        client rate limit (default 200/400; qps<0 unlimited)\n"
		"  --max-inflight N         concurrent writes (default 64)\n"
		"  --native-networks[=BOOL] read Pod spec.networks instead of the annotation\n"
		"  -v N, --v N              log verbosity (0..4, default 1)\n"
		"  --version                print \"podnet-controller VERSION\" and exit\n");
}

static bool parse_bool(const char *s)
{
	return !(s && (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no")));
}

int main(int argc, char **argv)
{
	static struct pn_ctl ctl_s;
	struct pn_ctl *ctl = &ctl_s;
	const char *kubeconfig = NULL, *context = NULL, *lease_name = "podnet-controller";
	const char *lease_ns = "podnet-system", *metrics_addr = ":8080";
	char identity[256] = "", host[200], err[1024], *providers = strdup(PN_DEFAULT_PROVIDER);
	double lease_duration = 15, renew_deadline = 10, retry_period = 2;
	struct pn_kube_client_opts co = { .qps = 200, .burst = 400 };
	struct pn_kube_config *cfg = NULL;
	int r, opt;
	enum { O_KC = 256, O_CTX, O_LE, O_LN, O_LNS, O_LD, O_RD, O_RP, O_ID, O_PROV, O_MET, O_QPS,
	       O_BURST, O_MAXF, O_NATIVE, O_VERSION };
	static const struct option lopts[] = {
		{ "kubeconfig", required_argument, NULL, O_KC },
		{ "context", required_argument, NULL, O_CTX },
		{ "leader-elect", optional_argument, NULL, O_LE },
		{ "lease-name", required_argument, NULL, O_LN },
		{ "lease-namespace", required_argument, NULL, O_LNS },
		{ "lease-duration", required_argument, NULL, O_LD },
		{ "renew-deadline", required_argument, NULL, O_RD },
		{ "retry-period", required_argument, NULL, O_RP },
		{ "identity", required_argument, NULL, O_ID },
		{ "providers", required_argument, NULL, O_PROV },
		{ "metrics-addr", required_argument, NULL, O_MET },
		{ "qps", required_argument, NULL, O_QPS },
		{ "burst", required_argument, NULL, O_BURST },
		{ "max-inflight", required_argument, NULL, O_MAXF },
		{ "native-networks", optional_argument, NULL, O_NATIVE },
		{ "v", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};

	ctl->verbosity = 1;
	ctl->leader_elect = true;
	ctl->max_inflight = 64;
	while ((opt = getopt_long(argc, argv, "v:h", lopts, NULL)) != -1) {
		switch (opt) {
		case O_KC: kubeconfig = optarg; break;
		case O_CTX: context = optarg; break;
		case O_LE: ctl->leader_elect = parse_bool(optarg); break;
		case O_LN: lease_name = optarg; break;
		case O_LNS: lease_ns = optarg; break;
		case O_LD: lease_duration = atof(optarg); break;
		case O_RD: renew_deadline = atof(optarg); break;
		case O_RP: retry_period = atof(optarg); break;
		case O_ID: snprintf(identity, sizeof(identity), "%s", optarg); break;
		case O_PROV: free(providers); providers = strdup(optarg); break;
		case O_MET: metrics_addr = optarg; break;
		case O_QPS: co.qps = atof(optarg); break;
		case O_BURST: co.burst = atoi(optarg); break;
		case O_MAXF: ctl->max_inflight = (unsigned)atoi(optarg); break;
		case O_NATIVE: ctl->native_networks = parse_bool(optarg); break;
		case 'v': ctl->verbosity = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		case O_VERSION:
			printf("podnet-controller %s\n", pn_version());
			free(providers);
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !providers || !ctl->max_inflight) {
		usage(stderr);
		return 2;
	}
	for (char *save = NULL, *t = strtok_r(providers, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (ctl->n_providers == PN_CTL_MAX_PROVIDERS || !pn_is_provider_name(t)) {
			fprintf(stderr, "podnet-controller: bad --providers entry \"%s\"\n", t);
			return 2;
		}
		ctl->providers[ctl->n_providers++] = t;
	}
	if (!identity[0]) {
		if (gethostname(host, sizeof(host)) < 0)
			snprintf(host, sizeof(host), "podnet-controller");
		host[sizeof(host) - 1] = 0;
		snprintf(identity, sizeof(identity), "%s_%ld", host, (long)getpid());
	}
	r = pn_kube_config_resolve(PN_KUBE_CONFIG_DAEMON, kubeconfig, context, &cfg, NULL, 0,
				   err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "podnet-controller: kubeconfig: %s\n", err);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	ctl->loop = EV_DEFAULT;
	ctl->c = pn_kube_client_new(ctl->loop, cfg, &co);
	if (!ctl->c) {
		fprintf(stderr, "podnet-controller: cannot create the client\n");
		return 1;
	}
	pn_addrs_init(&ctl->addrs);
	ctl->q = pn_workqueue_new(ctl->loop, NULL);
	ctl->rec = pn_kube_recorder_new(ctl->c, "podnet-controller", host, 600);
	if (!ctl->q || !ctl->rec)
		return 1;
	pn_workqueue_set_ready(ctl->q, ready_cb, ctl);
	ev_idle_init(&ctl->drain, drain_cb);
	ctl->drain.data = ctl;
	ev_timer_init(&ctl->tick, tick_cb, 1.0, 1.0);
	ctl->tick.data = ctl;
	ev_timer_start(ctl->loop, &ctl->tick);
	ev_signal_init(&sigterm, signal_cb, SIGTERM);
	ev_signal_init(&sigint, signal_cb, SIGINT);
	ev_signal_start(ctl->loop, &sigterm);
	ev_signal_start(ctl->loop, &sigint);

	ctl->nad_enabled = nad_served(ctl->c);
	pn_ctl_log(ctl, 1, "starting as %s; providers %s; NetworkAttachmentDefinitions %s",
		   identity, PN_DEFAULT_PROVIDER, ctl->nad_enabled ? "watched" : "not served");
	if (start_informer(ctl, PN_INF_PODS, &pn_kube_res_pods) < 0 ||
	    start_informer(ctl, PN_INF_NETWORKS, &pn_res_podnetworks) < 0 ||
	    start_informer(ctl, PN_INF_ATTACHMENTS, &pn_res_attachments) < 0 ||
	    start_informer(ctl, PN_INF_CNICONFIGS, &pn_res_cniconfigs) < 0 ||
	    start_informer(ctl, PN_INF_IPPOOLS, &pn_res_ippools) < 0 ||
	    (ctl->nad_enabled && start_informer(ctl, PN_INF_NADS, &pn_res_nads) < 0) ||
	    start_informer(ctl, PN_INF_NAMESPACES, &pn_kube_res_namespaces) < 0 ||
	    start_informer(ctl, PN_INF_REPORTS, &pn_res_reports) < 0 ||
	    start_informer(ctl, PN_INF_NODES, &pn_kube_res_nodes) < 0) {
		fprintf(stderr, "podnet-controller: cannot start the informers\n");
		return 1;
	}
	if (strcmp(metrics_addr, "0") != 0 && pn_ctl_metrics_start(ctl, metrics_addr) < 0) {
		fprintf(stderr, "podnet-controller: cannot serve metrics on %s\n", metrics_addr);
		return 1;
	}
	if (ctl->leader_elect) {
		struct pn_lease_opts lo = {
			.ns = lease_ns, .name = lease_name, .identity = identity,
			.lease_duration = lease_duration, .renew_deadline = renew_deadline,
			.retry_period = retry_period, .release_on_stop = 1,
			.on_started = on_started, .on_stopped = on_stopped,
			.on_new_leader = on_new_leader, .ud = ctl,
		};

		ctl->lease = pn_lease_new(ctl->c, &lo);
		if (!ctl->lease || pn_lease_start(ctl->lease) < 0) {
			fprintf(stderr, "podnet-controller: cannot start leader election\n");
			return 1;
		}
	} else {
		on_started(ctl);
	}
	ev_run(ctl->loop, 0);

	pn_ctl_log(ctl, 0, "shutting down");
	ctl->state = PN_CTL_STANDBY;
	if (ctl->lease) {
		pn_lease_stop(ctl->lease);
		for (int i = 0; i < 20; i++)
			ev_run(ctl->loop, EVRUN_NOWAIT | EVRUN_ONCE), usleep(10000);
	}
	pn_ctl_metrics_stop(ctl);
	return 0;
}
