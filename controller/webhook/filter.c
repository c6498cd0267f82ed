/* filter.c — the scheduler extender's filter (see filter.h). */
#include "webhook/filter.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pn/doc.h"
#include "pn/model.h"
#include "pn/problem.h"

#define MAX_REASON 128
#define MAX_MSG    1024

void pn_wh_filter_clear(struct pn_wh_filter_args *a)
{
	json_decref(a->root);
	memset(a, 0, sizeof(*a));
}

/* A member whose key equals name in any case; -1 when two keys do. */
static int member_ci(json_t *o, const char *name, json_t **out)
{
	const char *k;
	json_t *v;

	*out = NULL;
	json_object_foreach(o, k, v) {
		if (strcasecmp(k, name) != 0)
			continue;
		if (*out)
			return -1;
		*out = v;
	}
	if (*out && json_is_null(*out))
		*out = NULL;
	return 0;
}

static bool good_name(json_t *s)
{
	size_t len;

	if (!json_is_string(s))
		return false;
	len = json_string_length(s);
	return len > 0 && len <= PN_WH_FILTER_MAX_NAME && strlen(json_string_value(s)) == len;
}

static json_t *item_name(json_t *item)
{
	return json_object_get(json_object_get(item, "metadata"), "name");
}

int pn_wh_filter_decode(const char *text, size_t len, struct pn_wh_filter_args *out, char *err,
			size_t errlen)
{
	json_error_t je;
	json_t *nodes, *v;
	const char *what;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len > PN_WH_FILTER_MAX_BODY) {
		snprintf(err, errlen, "ExtenderArgs of %zu bytes, more than the %d allowed", len,
			 PN_WH_FILTER_MAX_BODY);
		return -EBADMSG;
	}
	out->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!out->root) {
		snprintf(err, errlen, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
		return -EBADMSG;
	}
	what = "ExtenderArgs: must be an object";
	if (!json_is_object(out->root))
		goto bad;
	what = "Pod: required object";
	if (member_ci(out->root, "Pod", &out->pod) < 0 || !json_is_object(out->pod))
		goto bad;
	what = "Nodes: must be a NodeList object with an items list";
	if (member_ci(out->root, "Nodes", &nodes) < 0)
		goto bad;
	if (nodes) {
		out->items = json_object_get(nodes, "items");
		if (!json_is_object(nodes) || (out->items && !json_is_array(out->items) &&
					       !json_is_null(out->items)))
			goto bad;
		if (!json_is_array(out->items))
			out->items = NULL;
	}
	what = "NodeNames: must be a list of node names";
	if (member_ci(out->root, "NodeNames", &out->names) < 0)
		goto bad;
	if (out->names && !json_is_array(out->names))
		goto bad;
	what = "NodeNames or Nodes: one of them is required";
	if (!out->names && !nodes)
		goto bad;
	if (out->names) {
		out->items = NULL; /* nodeCacheCapable: the names are what counts */
		out->n = json_array_size(out->names);
		json_array_foreach(out->names, i, v)
			if (!good_name(v)) {
				snprintf(err, errlen, "NodeNames[%zu]: must be a node name of 1 to %d "
					 "bytes", i, PN_WH_FILTER_MAX_NAME);
				goto bad_err;
			}
	} else {
		out->n = json_array_size(out->items);
		json_array_foreach(out->items, i, v)
			if (!json_is_object(v) || !good_name(item_name(v))) {
				snprintf(err, errlen, "Nodes.items[%zu].metadata.name: must be a node "
					 "name of 1 to %d bytes", i, PN_WH_FILTER_MAX_NAME);
				goto bad_err;
			}
	}
	if (out->n > PN_WH_FILTER_MAX_NODES) {
		snprintf(err, errlen, "%zu candidate nodes, more than the %d allowed", out->n,
			 PN_WH_FILTER_MAX_NODES);
		goto bad_err;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s", what);
bad_err:
	pn_wh_filter_clear(out);
	return -EBADMSG;
}

const char *pn_wh_filter_node(const struct pn_wh_filter_args *a, size_t i)
{
	if (a->names)
		return json_string_value(json_array_get(a->names, i));
	return json_string_value(item_name(json_array_get(a->items, i)));
}

/* ---- reading the cached objects --------------------------------------------------- */

/* A bounded copy of a string member, or def. */
static void copy_str(char *dst, size_t len, json_t *s, const char *def)
{
	snprintf(dst, len, "%s", json_is_string(s) ? json_string_value(s) : def);
}

/* Whether obj's Ready condition is True; reason gets the condition's reason
 * ("NoReadyCondition" when the object has none yet). */
static bool ready_of(json_t *obj, char *reason, size_t rlen)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(obj, "status"), "conditions"), i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *status = json_string_value(json_object_get(c, "status"));

		if (!type || strcmp(type, "Ready") != 0)
			continue;
		copy_str(reason, rlen, json_object_get(c, "reason"), status ? status : "Unknown");
		if (!reason[0])
			snprintf(reason, rlen, "%s", status ? status : "Unknown");
		return status && !strcmp(status, "True");
	}
	snprintf(reason, rlen, "NoReadyCondition");
	return false;
}

/* ---- the decision ------------------------------------------------------------------- */

struct net {
	const char *name;   /* borrowed from the decoded Pod or the attachment */
};

struct decision {
	char pod_fail[MAX_MSG]; /* every node fails with this; "" when none */
	struct net nets[PN_MAX_NETWORKS];
	size_t n_nets;          /* networks that need a report (not default) */
	bool asked;
};

static void fail_all(struct decision *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail_all(struct decision *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->pod_fail, sizeof(d->pod_fail), fmt, ap);
	va_end(ap);
}

static void problems_text(char *dst, size_t len, const struct pn_problems *ps)
{
	size_t off = 0;

	dst[0] = 0;
	for (size_t i = 0; i < ps->n && off < len; i++) {
		int n = snprintf(dst + off, len - off, "%s%s%s%s", i ? "; " : "", ps->v[i].path,
				 ps->v[i].path[0] ? ": " : "", ps->v[i].message);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void add_net(struct decision *d, const char *name)
{
	if (!strcmp(name, PN_DEFAULT_NETWORK))
		return;
	for (size_t i = 0; i < d->n_nets; i++)
		if (!strcmp(d->nets[i].name, name))
			return;
	if (d->n_nets < PN_MAX_NETWORKS)
		d->nets[d->n_nets++].name = name;
}

/* The network behind one request, checked; NULL with d->pod_fail set. */
static const char *resolve(struct decision *d, const struct pn_netreq *q, const char *ns,
			   const struct pn_wh_lookup *lk)
{
	char reason[MAX_REASON];
	const char *name = q->network;
	json_t *obj;

	if (!name) {
		obj = lk->attachment ? lk->attachment(lk->ud, ns, q->attachment) : NULL;
		if (!obj) {
			fail_all(d, "podnet: PodNetworkAttachment \"%s\" is not Ready (NotFound in "
				 "namespace %s)", q->attachment, ns);
			return NULL;
		}
		if (!ready_of(obj, reason, sizeof(reason))) {
			fail_all(d, "podnet: PodNetworkAttachment \"%s\" is not Ready (%s)",
				 q->attachment, reason);
			return NULL;
		}
		name = json_string_value(json_object_get(json_object_get(obj, "spec"),
							 "podNetworkName"));
		if (!name) {
			fail_all(d, "podnet: PodNetworkAttachment \"%s\" names no PodNetwork",
				 q->attachment);
			return NULL;
		}
	}
	obj = lk->podnetwork ? lk->podnetwork(lk->ud, name) : NULL;
	if (!obj) {
		fail_all(d, "podnet: PodNetwork \"%s\" is not Ready (NotFound)", name);
		return NULL;
	}
	if (!ready_of(obj, reason, sizeof(reason))) {
		fail_all(d, "podnet: PodNetwork \"%s\" is not Ready (%s)", name, reason);
		return NULL;
	}
	return name;
}

/* Namespace access: 0 allowed, 1 refused (d->pod_fail set), -errno. */
static int check_access(struct decision *d, const char *name, const char *ns,
			const struct pn_wh_lookup *lk)
{
	char msg[600];
	int r = pn_wh_access_of(lk, name, ns, msg, sizeof(msg));

	if (r > 0)
		fail_all(d, "podnet: PodNetwork \"%s\" is not allowed in namespace %s (%s)", name,
			 ns, msg);
	return r;
}

/* What the Pod asks and whether it can go anywhere. pod is kept for the
 * names borrowed in d. */
static int decide_pod(const struct pn_wh_filter_args *a, const struct pn_wh_config *cfg,
		      const struct pn_wh_lookup *lk, struct decision *d, struct pn_pod **pod)
{
	struct pn_pod_decode_opts opts = { .parse = pn_doc_parse_value,
					    .native_networks = cfg->native_networks };
	const char *src = cfg->native_networks ? "spec.networks" : PN_ANNOTATION_NETWORKS;
	struct pn_problems ps = { 0 };
	char text[MAX_MSG - 100];
	json_t *copy = NULL;
	const char *ns;
	int r;

	/* Pods from the scheduler's informer carry no apiVersion and kind. */
	if (!json_object_get(a->pod, "apiVersion") || !json_object_get(a->pod, "kind")) {
		copy = json_copy(a->pod);
		if (!copy || json_object_set_new(copy, "apiVersion", json_string("v1")) < 0 ||
		    json_object_set_new(copy, "kind", json_string("Pod")) < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = pn_pod_decode(copy ? copy : a->pod, &opts, pod, &ps);
	if (r < 0)
		goto out;
	if (!*pod) {
		r = -ENOMEM;
		goto out;
	}
	if ((*pod)->host_network && !ps.n)
		goto out;
	if (!ps.n && (!(*pod)->networks.present || !(*pod)->networks.n))
		goto out; /* asks for nothing: default, planned by the agent */
	d->asked = true;
	if (!ps.n && (r = pn_pod_validate(*pod, &ps)) < 0)
		goto out;
	if (ps.n) {
		problems_text(text, sizeof(text), &ps);
		fail_all(d, "podnet: invalid %s: %s", src, text);
		r = 0;
		goto out;
	}
	ns = (*pod)->meta.namespace ? (*pod)->meta.namespace : "";
	for (size_t i = 0; i < (*pod)->networks.n; i++) {
		const char *name = resolve(d, &(*pod)->networks.v[i], ns, lk);

		if (!name)
			break;
		r = check_access(d, name, ns, lk);
		if (r != 0)
			break;
		add_net(d, name);
	}
	if (r > 0)
		r = 0;
out:
	json_decref(copy); /* the decoded Pod holds its own reference */
	pn_problems_clear(&ps);
	return r;
}

/* The failure of one node, "" when it passes. */
static void decide_node(const struct decision *d, const struct pn_wh_filter_world *w,
			const char *node, char *msg, size_t len)
{
	json_t *rep, *e;
	size_t i;

	msg[0] = 0;
	if (d->pod_fail[0]) {
		snprintf(msg, len, "%s", d->pod_fail);
		return;
	}
	if (!d->n_nets || !w->reports_known)
		return;
	rep = w->report ? w->report(w->ud, node) : NULL;
	if (!rep) {
		snprintf(msg, len, "podnet: no podnet-agent report from this node");
		return;
	}
	for (size_t k = 0; k < d->n_nets; k++) {
		const char *name = d->nets[k].name;
		json_t *found = NULL;

		json_array_foreach(json_object_get(json_object_get(rep, "status"), "networks"), i, e) {
			const char *n = json_string_value(json_object_get(e, "name"));

			if (n && !strcmp(n, name)) {
				found = e;
				break;
			}
		}
		if (!found) {
			snprintf(msg, len, "podnet: PodNetwork \"%s\" is not available on this node "
				 "(NotReported: its podnet-agent has not evaluated it yet)", name);
			return;
		}
		if (!json_is_true(json_object_get(found, "available"))) {
			char reason[MAX_REASON], why[MAX_MSG / 2];

			copy_str(reason, sizeof(reason), json_object_get(found, "reason"),
				 "NotAvailable");
			copy_str(why, sizeof(why), json_object_get(found, "message"), "");
			snprintf(msg, len, "podnet: PodNetwork \"%s\" is not available on this node "
				 "(%s%s%s)", name, reason[0] ? reason : "NotAvailable",
				 why[0] ? ": " : "", why);
			return;
		}
	}
}

char *pn_wh_filter_error(const char *message)
{
	json_t *doc = json_pack("{s:n, s:{}, s:s}", "NodeNames", "FailedNodes", "Error",
				message && message[0] ? message : "podnet: error");
	char *text;

	if (!doc)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

char *pn_wh_filter_run(const struct pn_wh_filter_args *a, const struct pn_wh_config *cfg,
		       const struct pn_wh_filter_world *w, struct pn_wh_filter_outcome *out)
{
	static struct pn_wh_lookup none;
	const struct pn_wh_lookup *lk = w->lk ? w->lk : &none;
	struct pn_wh_filter_outcome o = { 0 };
	struct decision *d = calloc(1, sizeof(*d));
	json_t *doc = NULL, *passed = NULL, *failed = NULL, *unres = NULL;
	struct pn_pod *pod = NULL;
	char *text = NULL, msg[MAX_MSG];
	int r;

	if (!d)
		return NULL;
	r = decide_pod(a, cfg, lk, d, &pod);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "podnet: cannot decide: %s", strerror(-r));
		text = pn_wh_filter_error(msg);
		snprintf(o.first, sizeof(o.first), "%s", msg);
		goto out;
	}
	o.asked = d->asked;
	passed = json_array();
	failed = json_object();
	unres = json_object();
	if (!passed || !failed || !unres)
		goto out;
	for (size_t i = 0; i < a->n; i++) {
		const char *node = pn_wh_filter_node(a, i);

		decide_node(d, w, node, msg, sizeof(msg));
		if (!msg[0]) {
			o.passed++;
			if (json_array_append(passed, a->names ? json_array_get(a->names, i) :
					      json_array_get(a->items, i)) < 0)
				goto out;
			continue;
		}
		o.failed++;
		if (!o.first[0])
			snprintf(o.first, sizeof(o.first), "%s", msg);
		/* Preemption frees no network: the node is unresolvable for this Pod
		 * (1.21+ reads that map; 1.20 reads FailedNodes). */
		if (json_object_set_new(failed, node, json_string(msg)) < 0 ||
		    json_object_set_new(unres, node, json_string(msg)) < 0)
			goto out;
	}
	if (a->names)
		doc = json_pack("{s:O, s:O, s:O, s:s}", "NodeNames", passed, "FailedNodes", failed,
				"FailedAndUnresolvableNodes", unres, "Error", "");
	else
		doc = json_pack("{s:{s:O}, s:O, s:O, s:s}", "Nodes", "items", passed, "FailedNodes",
				failed, "FailedAndUnresolvableNodes", unres, "Error", "");
	if (doc)
		text = json_dumps(doc, JSON_COMPACT);
out:
	if (out)
		*out = o;
	json_decref(doc);
	json_decref(passed);
	json_decref(failed);
	json_decref(unres);
	pn_pod_free(pod);
	free(d);
	return text;
}
