/* node/agent_avail.c — which PodNetworks this node can serve (see
 * agent_avail.h). The parameters of each network are resolved by the same
 * planner the controller uses (pn_plan_build), for a Pod that asks for
 * that network alone: what the node is asked about is what a plan would
 * carry. The planner's admission rules (spec.enabled, deletion,
 * spec.namespaceSelector) are not this report's business: a disabled
 * network is reported by what the node could do, so the resolver hands the
 * planner a copy of each network with those rules lifted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_avail.h"
#include "pn/model.h"
#include "pn/plan.h"
#include "pn/problem.h"

struct objs {
	struct pn_podnetwork **nets;
	size_t n_nets;
	struct pn_cniconfig **ccs;
	size_t n_ccs;
	struct pn_podnetwork open; /* the network being resolved, rules lifted */
};

static int by_name(const void *x, const void *y)
{
	const struct pn_podnetwork *a = *(struct pn_podnetwork *const *)x, *b = *(struct pn_podnetwork *const *)y;

	return strcmp(a->meta.name, b->meta.name);
}

static const struct pn_podnetwork *r_network(void *ctx, const char *name)
{
	struct objs *o = ctx;

	return o->open.meta.name && !strcmp(o->open.meta.name, name) ? &o->open : NULL;
}

static const struct pn_cniconfig *r_cniconfig(void *ctx, const char *name)
{
	struct objs *o = ctx;

	for (size_t i = 0; i < o->n_ccs; i++)
		if (!strcmp(o->ccs[i]->meta.name, name))
			return o->ccs[i];
	return NULL;
}

/* The agent does not read IPPools: addresses are the controller's, and the
 * planner only needs to know the reference is there. */
static const struct pn_ippool *r_ippool(void *ctx, const char *name)
{
	static const struct pn_ippool any;
	(void)ctx;
	(void)name;
	return &any;
}

/* Calls fn on every object of a store (object of objects) or array. */
#define EACH_OBJ(container, it, body)                                                                      \
	do {                                                                                               \
		if (json_is_array(container)) {                                                            \
			size_t i_;                                                                         \
			json_array_foreach(container, i_, it) body                                         \
		} else if (json_is_object(container)) {                                                    \
			const char *k_;                                                                    \
			json_object_foreach((json_t *)(container), k_, it) body                            \
		}                                                                                          \
	} while (0)

static int load(const json_t *networks, const json_t *cniconfigs, struct objs *o)
{
	size_t cap_n = json_is_array(networks) ? json_array_size(networks) : json_object_size(networks);
	size_t cap_c = json_is_array(cniconfigs) ? json_array_size(cniconfigs) : json_object_size(cniconfigs);
	json_t *it;

	if (cap_n > PN_AVAIL_MAX_NETWORKS)
		return -E2BIG;
	o->nets = calloc(cap_n ? cap_n : 1, sizeof(*o->nets));
	o->ccs = calloc(cap_c ? cap_c : 1, sizeof(*o->ccs));
	if (!o->nets || !o->ccs)
		return -ENOMEM;
	EACH_OBJ(networks, it, {
		struct pn_problems ps = {0};
		struct pn_podnetwork *pn = NULL;

		if (pn_podnetwork_decode(it, &pn, &ps) == 0 && pn && pn->meta.name && o->n_nets < cap_n) {
			pn_podnetwork_default(pn);
			o->nets[o->n_nets++] = pn;
		} else {
			pn_podnetwork_free(pn);
		}
		pn_problems_clear(&ps);
	});
	EACH_OBJ(cniconfigs, it, {
		struct pn_problems ps = {0};
		struct pn_cniconfig *cc = NULL;

		/* an invalid CNIConfig resolves to nothing, as for the controller */
		if (pn_cniconfig_decode(it, &cc, &ps) == 0 && cc && cc->meta.name &&
		    pn_cniconfig_validate(cc, &ps) == 0 && o->n_ccs < cap_c)
			o->ccs[o->n_ccs++] = cc;
		else
			pn_cniconfig_free(cc);
		pn_problems_clear(&ps);
	});
	qsort(o->nets, o->n_nets, sizeof(*o->nets), by_name);
	return 0;
}

static void unload(struct objs *o)
{
	for (size_t i = 0; i < o->n_nets; i++)
		pn_podnetwork_free(o->nets[i]);
	for (size_t i = 0; i < o->n_ccs; i++)
		pn_cniconfig_free(o->ccs[i]);
	free(o->nets);
	free(o->ccs);
}

static bool eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool uses_nad(const struct pn_podnetwork *pn)
{
	for (size_t i = 0; i < pn->spec.n_refs; i++)
		if (eq(pn->spec.refs[i].group, PN_NAD_GROUP) && eq(pn->spec.refs[i].kind, PN_NAD_KIND))
			return true;
	return false;
}

/* One line: newlines and tabs become spaces, the length is capped. */
static char *one_line(const char *s)
{
	size_t n = strlen(s);
	char *c;

	if (n >= PN_AVAIL_MESSAGE_LEN)
		n = PN_AVAIL_MESSAGE_LEN - 1;
	c = malloc(n + 1);
	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++)
		c[i] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
	c[n] = '\0';
	return c;
}

static int set_no(struct pn_avail_net *e, const char *reason, const char *message)
{
	e->available = false;
	e->reason = strdup(reason);
	e->message = one_line(message ? message : "");
	return e->reason && e->message ? 0 : -ENOMEM;
}

void pn_avail_reason(int verdict, int err, const char *message, char *reason, size_t rlen, const char **msg)
{
	const char *r = "NotAvailable";
	size_t k = 0;

	*msg = message ? message : "";
	switch (verdict) {
	case PN_AVAIL_NO_PROVIDER:
		snprintf(reason, rlen, "ProviderMissing");
		return;
	case PN_AVAIL_NOT_READY:
		snprintf(reason, rlen, "ProviderNotReady");
		return;
	default:
		break;
	}
	/* a provider's own reason: "CamelCase: the rest" */
	if (message && message[0] >= 'A' && message[0] <= 'Z') {
		while (k < PN_AVAIL_REASON_LEN - 1 &&
		       ((message[k] >= 'A' && message[k] <= 'Z') || (message[k] >= 'a' && message[k] <= 'z') ||
			(message[k] >= '0' && message[k] <= '9')))
			k++;
		if (message[k] == ':' && message[k + 1] == ' ' && k < rlen) {
			snprintf(reason, rlen, "%.*s", (int)k, message);
			*msg = message + k + 2;
			return;
		}
	}
	if (err == -ENOENT)
		r = "PluginMissing";
	else if (err == -ENODEV)
		r = "ParentLinkMissing";
	else if (err == -EINVAL)
		r = "ParamsNotResolved";
	snprintf(reason, rlen, "%s", r);
}

/* Fills e for network pn. */
static int evaluate_one(struct objs *o, const struct pn_podnetwork *pn, pn_avail_ask_fn *ask, void *ctx,
			struct pn_avail_net *e)
{
	struct pn_netreq req = {.network = pn->meta.name};
	struct pn_netreqs reqs = {.v = &req, .n = 1, .present = true};
	struct pn_resolver r = {.ctx = o, .network = r_network, .cniconfig = r_cniconfig, .ippool = r_ippool};
	struct pn_problems ps = {0};
	struct pn_plan plan = {0};
	const struct pn_plan_attachment *a;
	char message[PN_AVAIL_MESSAGE_LEN] = "", reason[PN_AVAIL_REASON_LEN], *params = NULL;
	const char *rest;
	int rc, err = 0, verdict;

	e->name = strdup(pn->meta.name);
	if (!e->name)
		return -ENOMEM;
	/* the planner's admission rules lifted: this is about the node */
	o->open = *pn;
	o->open.spec.enabled = true;
	o->open.spec.enabled_set = true;
	o->open.meta.deletion_timestamp = NULL;
	o->open.spec.namespace_selector = NULL;
	rc = pn_plan_build(&reqs, "default", false, &r, &plan, &ps);
	memset(&o->open, 0, sizeof(o->open));
	if (rc < 0)
		goto out;
	if (rc > 0 && !uses_nad(pn)) {
		rc = set_no(e, "ParamsNotResolved", ps.n ? ps.v[0].message : "parameters do not resolve");
		goto out;
	}
	a = rc == 0 ? pn_plan_find(&plan, pn->meta.name) : NULL;
	if (a && a->params) {
		params = json_dumps(a->params, JSON_COMPACT);
		if (!params) {
			rc = -ENOMEM;
			goto out;
		}
	}
	verdict = ask(ctx, pn->spec.provider ? pn->spec.provider : "", pn->meta.name,
		      uses_nad(pn) ? NULL : params ? params : "{}", &err, message, sizeof(message));
	if (verdict == 0) {
		e->available = true;
		rc = 0;
		goto out;
	}
	pn_avail_reason(verdict, err, message, reason, sizeof(reason), &rest);
	rc = set_no(e, reason, rest);
out:
	free(params);
	pn_plan_clear(&plan);
	pn_problems_clear(&ps);
	return rc < 0 ? rc : 0;
}

int pn_avail_evaluate(const json_t *networks, const json_t *cniconfigs, pn_avail_ask_fn *ask, void *ctx,
		      struct pn_avail_report *out)
{
	struct objs o;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&o, 0, sizeof(o));
	r = load(networks, cniconfigs, &o);
	if (r < 0)
		goto out;
	out->v = calloc(o.n_nets ? o.n_nets : 1, sizeof(*out->v));
	if (!out->v) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < o.n_nets; i++) {
		r = evaluate_one(&o, o.nets[i], ask, ctx, &out->v[out->n++]);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	unload(&o);
	if (r < 0)
		pn_avail_report_clear(out);
	return r;
}

static json_t *networks_json(const struct pn_avail_report *r)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < r->n; i++) {
		const struct pn_avail_net *e = &r->v[i];
		json_t *o = json_pack("{ss sb}", "name", e->name, "available", e->available);

		if (o && e->reason)
			json_object_set_new(o, "reason", json_string(e->reason));
		if (o && e->message && e->message[0])
			json_object_set_new(o, "message", json_string(e->message));
		if (!o || json_array_append_new(list, o) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

json_t *pn_avail_status(const struct pn_avail_report *r, const char *observed_time)
{
	json_t *nets = networks_json(r);

	json_t *st = nets ? json_pack("{ss so}", "observedTime", observed_time, "networks", nets) : NULL;

	if (st && r->providers && json_object_set_new(st, "providers", json_deep_copy(r->providers)) < 0) {
		json_decref(st);
		return NULL;
	}
	return st;
}

json_t *pn_avail_object(const char *node, const char *node_uid, const struct pn_avail_report *r,
			const char *observed_time)
{
	json_t *st = pn_avail_status(r, observed_time);

	if (!st)
		return NULL;
	return json_pack("{ss ss s{ss s[{ss ss ss ss}]} so}", "apiVersion", "podnet.dev/v1alpha1", "kind",
			 "PodNetworkNode", "metadata", "name", node, "ownerReferences", "apiVersion", "v1", "kind",
			 "Node", "name", node, "uid", node_uid, "status", st);
}

bool pn_avail_status_matches(const json_t *obj, const struct pn_avail_report *r)
{
	json_t *want = networks_json(r);
	json_t *have = json_object_get(json_object_get(obj, "status"), "networks");
	bool eq;

	if (!have && r->n == 0)
		eq = true;
	else
		eq = want && have && json_equal(want, have);
	json_decref(want);
	if (eq) {
		json_t *hp = json_object_get(json_object_get(obj, "status"), "providers");

		eq = r->providers ? hp && json_equal(hp, r->providers) : !hp;
	}
	return eq;
}

void pn_avail_report_clear(struct pn_avail_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].reason);
		free(r->v[i].message);
	}
	free(r->v);
	json_decref(r->providers);
	memset(r, 0, sizeof(*r));
}
