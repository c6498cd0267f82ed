/* schedule.c — telling kube-scheduler to try again.
 *
 * podnet-webhook's extender filter keeps a Pod Pending (PodScheduled False,
 * reason Unschedulable) while a network it asks for is not Ready or no node
 * can serve it. kube-scheduler parks such a Pod and retries it on cluster
 * events it knows (Nodes, Pods) or after a minute; a PodNetwork is not one
 * of them. An update of the Pod moves it back to the active queue at once,
 * so when a PodNetwork or an attachment becomes Ready, or the number of
 * nodes that can serve a Ready network changes (status.nodes.available),
 * the leader writes the annotation podnet.dev/schedule-retry (the time) on
 * the unscheduled Pods that ask for it. The write leaves the Pod's request
 * as it was, so podnet-webhook admits it as any other update of ours.
 * podnet-webhook's caches see the change a moment after ours: a Pod the
 * filter still refused then is touched once more 3 s later.
 * The other order happens too, and daily: `kubectl apply` of networks and
 * Pods at once, the networks turn Ready while the scheduler still refuses
 * the Pod, and the Pod is marked Unschedulable after the change. So when a
 * Pod turns Unschedulable while everything it asks for is already Ready
 * (and, but for default, served by some node), it is touched at once and
 * once more 3 s later. */
#include "cluster/ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PN_ANNOTATION_SCHEDULE_RETRY "podnet.dev/schedule-retry"
#define AGAIN_AFTER 3.0 /* seconds */

struct again {
	ev_timer t;
	struct pn_ctl *ctl;
	enum pn_inf which;
	char key[600]; /* the object's cache key */
};

static void run(struct pn_ctl *ctl, enum pn_inf which, json_t *obj, bool first);
static void stamp_now(char *stamp, size_t len);

static bool ready(json_t *obj)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));

		if (type && !strcmp(type, "Ready"))
			return json_is_string(json_object_get(c, "status")) &&
			       !strcmp(json_string_value(json_object_get(c, "status")), "True");
	}
	return false;
}

static json_t *available(json_t *obj)
{
	return json_object_get(json_object_get(json_object_get(obj, "status"), "nodes"), "available");
}

/* Whether more nodes can serve a network than before. */
static bool gained(json_t *before, json_t *after)
{
	if (json_is_integer(before) && json_is_integer(after))
		return json_integer_value(after) > json_integer_value(before);
	return !json_equal(before, after) && !(json_is_integer(after) && !json_integer_value(after));
}

/* Unscheduled and refused by the scheduler: no spec.nodeName, PodScheduled
 * False with reason Unschedulable (the slim Pod keeps that condition). */
static bool unschedulable(json_t *pod)
{
	json_t *c;
	size_t i;

	if (json_object_get(json_object_get(pod, "spec"), "nodeName") ||
	    json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
		return false;
	json_array_foreach(json_object_get(json_object_get(pod, "status"), "conditions"), i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *status = json_string_value(json_object_get(c, "status"));
		const char *reason = json_string_value(json_object_get(c, "reason"));

		if (type && !strcmp(type, "PodScheduled"))
			return status && !strcmp(status, "False") && reason &&
			       !strcmp(reason, "Unschedulable");
	}
	return false;
}

/* Patches the retry annotation on one unschedulable Pod (cache key pkey).
 * Returns 1 when a write went out, 0 otherwise. */
static size_t touch(struct pn_ctl *ctl, const char *pkey, json_t *pod, const char *stamp)
{
	json_t *md = json_object_get(pod, "metadata");
	char key[600];
	json_t *patch;
	size_t n = 0;

	if (!pod || !unschedulable(pod))
		return 0;
	snprintf(key, sizeof(key), "retry/%s", pkey);
	if (pn_ctl_busy(ctl, key))
		return 0;
	patch = json_pack("{s:{s:s}}", "annotations", PN_ANNOTATION_SCHEDULE_RETRY, stamp);
	if (patch && pn_ctl_write_meta(ctl, &pn_kube_res_pods,
				       json_string_value(json_object_get(md, "namespace")),
				       json_string_value(json_object_get(md, "name")), patch,
				       key) == 0)
		n = 1;
	json_decref(patch);
	return n;
}

/* Patches the retry annotation on the unschedulable Pods of one index value.
 * Returns how many. */
static size_t retry(struct pn_ctl *ctl, const char *index, const char *value, const char *stamp)
{
	json_t *keys = pn_informer_by_index(ctl->inf[PN_INF_PODS], index, value);
	const char *pkey;
	json_t *v;
	size_t n = 0;

	json_object_foreach(keys, pkey, v)
		n += touch(ctl, pkey, pn_informer_get_key(ctl->inf[PN_INF_PODS], pkey), stamp);
	return n;
}

/* Whether pod asks for networks at all, everything it asks for is Ready in
 * our caches and every network but default is served by at least one node
 * (when that is counted). A Pod that asks podnet for nothing is none of
 * podnet's business. */
static bool all_ready(struct pn_ctl *ctl, json_t *pod)
{
	json_t *nets = json_array(), *pnas = json_array(), *v;
	bool ok = nets && pnas;
	size_t i;

	if (ok)
		pn_ctl_pod_refs(pod, nets, pnas);
	if (!json_array_size(nets) && !json_array_size(pnas))
		ok = false;
	json_array_foreach(nets, i, v) {
		const char *name = json_string_value(v);
		json_t *n = name ? pn_informer_get_key(ctl->inf[PN_INF_NETWORKS], name) : NULL;
		json_t *av = available(n);

		if (!n || !ready(n) ||
		    (strcmp(name, "default") && json_is_integer(av) && json_integer_value(av) <= 0))
			ok = false;
	}
	json_array_foreach(pnas, i, v) {
		json_t *a = json_string_value(v) ?
			    pn_informer_get_key(ctl->inf[PN_INF_ATTACHMENTS], json_string_value(v)) :
			    NULL;

		if (!a || !ready(a))
			ok = false;
	}
	json_decref(nets);
	json_decref(pnas);
	return ok;
}

static void again_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct again *a = w->data;
	json_t *obj = pn_informer_get_key(a->ctl->inf[a->which], a->key);
	char stamp[40];

	if (a->which == PN_INF_PODS) {
		stamp_now(stamp, sizeof(stamp));
		if (obj && a->ctl->state == PN_CTL_LEADING && all_ready(a->ctl, obj) &&
		    touch(a->ctl, a->key, obj, stamp))
			pn_ctl_log(a->ctl, 1, "Pod %s is still Unschedulable with all it asks for "
				   "Ready: asked kube-scheduler to retry it (again)", a->key);
	} else if (obj && ready(obj)) {
		run(a->ctl, a->which, obj, false);
	}
	free(a);
}

static void stamp_now(char *stamp, size_t len)
{
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), len - strlen(stamp), ".%03ldZ", now.tv_nsec / 1000000);
}

/* Once more, AGAIN_AFTER from now, for the object of which/key (see again_cb). */
static void arm_again(struct pn_ctl *ctl, enum pn_inf which, const char *key)
{
	struct again *a = calloc(1, sizeof(*a));

	if (!a)
		return;
	a->ctl = ctl;
	a->which = which;
	snprintf(a->key, sizeof(a->key), "%s", key);
	ev_timer_init(&a->t, again_cb, AGAIN_AFTER, 0.);
	a->t.data = a;
	ev_timer_start(ctl->loop, &a->t);
}

static void run(struct pn_ctl *ctl, enum pn_inf which, json_t *obj, bool first)
{
	json_t *md = json_object_get(obj, "metadata");
	const char *name = json_string_value(json_object_get(md, "name"));
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	char stamp[40], key[600];
	size_t n = 0;

	if (ctl->state != PN_CTL_LEADING || !name)
		return;
	stamp_now(stamp, sizeof(stamp));
	if (which == PN_INF_NETWORKS) {
		const char *akey;
		json_t *at;

		snprintf(key, sizeof(key), "%s", name);
		n += retry(ctl, "net", name, stamp);
		/* and the Pods that ask through an attachment of it */
		json_object_foreach(pn_informer_store(ctl->inf[PN_INF_ATTACHMENTS]), akey, at) {
			const char *net = json_string_value(json_object_get(json_object_get(at, "spec"),
									    "podNetworkName"));

			if (net && !strcmp(net, name) && ready(at))
				n += retry(ctl, "pna", akey, stamp);
		}
		if (n)
			pn_ctl_log(ctl, 1, "PodNetwork %s is Ready (nodes available: %lld): asked "
				   "kube-scheduler to retry %zu Pending Pod%s%s", name,
				   json_is_integer(available(obj)) ?
				   (long long)json_integer_value(available(obj)) : -1LL, n,
				   n == 1 ? "" : "s", first ? "" : " (again)");
	} else if (which == PN_INF_ATTACHMENTS && ns) {
		snprintf(key, sizeof(key), "%s/%s", ns, name);
		n = retry(ctl, "pna", key, stamp);
		if (n)
			pn_ctl_log(ctl, 1, "PodNetworkAttachment %s is Ready: asked kube-scheduler to "
				   "retry %zu Pending Pod%s%s", key, n, n == 1 ? "" : "s",
				   first ? "" : " (again)");
	} else {
		return;
	}
	if (first && n)
		arm_again(ctl, which, key);
}

void pn_ctl_schedule_changed(struct pn_ctl *ctl, enum pn_inf which, json_t *old_obj,
			     json_t *new_obj)
{
	if (ctl->state != PN_CTL_LEADING || !new_obj || !ready(new_obj))
		return;
	if (old_obj && ready(old_obj) && !gained(available(old_obj), available(new_obj)))
		return; /* nothing a waiting Pod could gain */
	run(ctl, which, new_obj, true);
}

void pn_ctl_schedule_pod_changed(struct pn_ctl *ctl, json_t *old_pod, json_t *new_pod)
{
	char stamp[40], key[600];

	if (ctl->state != PN_CTL_LEADING || !new_pod || !unschedulable(new_pod) ||
	    (old_pod && unschedulable(old_pod)))
		return; /* only when it turns Unschedulable */
	if (pn_informer_key(new_pod, key, sizeof(key)) < 0 || !all_ready(ctl, new_pod))
		return;
	stamp_now(stamp, sizeof(stamp));
	if (!touch(ctl, key, new_pod, stamp))
		return;
	pn_ctl_log(ctl, 1, "Pod %s turned Unschedulable with all it asks for Ready: asked "
		   "kube-scheduler to retry it", key);
	arm_again(ctl, PN_INF_PODS, key);
}
