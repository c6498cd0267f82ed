/* checks.c — the admission rules of podnet-webhook (see checks.h). */
#include "webhook/checks.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pn/doc.h"
#include "pn/model.h"
#include "pn/problem.h"

static void allow(struct pn_wh_verdict *v)
{
	v->allowed = true;
	v->code = 200;
	v->message[0] = 0;
}

static void deny(struct pn_wh_verdict *v, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void deny(struct pn_wh_verdict *v, int code, const char *fmt, ...)
{
	va_list ap;

	v->allowed = false;
	v->code = code;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

/* "path: message; path: message" */
static void deny_problems(struct pn_wh_verdict *v, int code, const struct pn_problems *ps)
{
	size_t off = 0;

	v->allowed = false;
	v->code = code;
	v->message[0] = 0;
	for (size_t i = 0; i < ps->n && off < sizeof(v->message); i++) {
		int n = snprintf(v->message + off, sizeof(v->message) - off, "%s%s%s%s",
				 i ? "; " : "", ps->v[i].path, ps->v[i].path[0] ? ": " : "",
				 ps->v[i].message);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void deny_errno(struct pn_wh_verdict *v, int r)
{
	deny(v, 500, "podnet-webhook: %s", strerror(-r));
}

static bool one_of(const struct pn_wh_review *rv, const char *const *users, size_t n_users,
		   const char *const *groups, size_t n_groups)
{
	size_t i;
	json_t *g;

	for (size_t k = 0; k < n_users; k++)
		if (!strcmp(rv->username, users[k]))
			return true;
	json_array_foreach(rv->groups, i, g)
		for (size_t k = 0; k < n_groups; k++)
			if (json_string_value(g) && !strcmp(json_string_value(g), groups[k]))
				return true;
	return false;
}

bool pn_wh_is_controller(const struct pn_wh_review *rv, const struct pn_wh_config *cfg)
{
	return one_of(rv, cfg->controller_users, cfg->n_users, cfg->controller_groups,
		      cfg->n_groups);
}

bool pn_wh_is_agent(const struct pn_wh_review *rv, const struct pn_wh_config *cfg)
{
	return one_of(rv, cfg->agent_users, cfg->n_agent_users, cfg->agent_groups,
		      cfg->n_agent_groups);
}

static json_t *annotation(json_t *obj, const char *key)
{
	return json_object_get(json_object_get(json_object_get(obj, "metadata"), "annotations"), key);
}

/* Whether a member differs between two objects (absent = null). */
static bool changed(json_t *a, json_t *b)
{
	if (!a || json_is_null(a))
		return b && !json_is_null(b);
	return !b || !json_equal(a, b);
}

/* ---- namespace access ------------------------------------------------------------- */

int pn_wh_access_of(const struct pn_wh_lookup *lk, const char *network, const char *ns,
		     char *msg, size_t len)
{
	json_t *raw = lk->podnetwork ? lk->podnetwork(lk->ud, network) : NULL;
	struct pn_problems ps = { 0 };
	struct pn_podnetwork *n = NULL;
	int r;

	if (!raw)
		return 0;
	r = pn_podnetwork_decode(raw, &n, &ps);
	pn_problems_clear(&ps);
	if (r < 0 || !n) {
		pn_podnetwork_free(n);
		return r < 0 ? r : -ENOMEM;
	}
	r = pn_podnetwork_check_namespace(n, ns,
					  lk->namespace_labels ? lk->namespace_labels(lk->ud, ns) :
					  NULL, msg, len);
	pn_podnetwork_free(n);
	return r;
}

/* The PodNetwork an attachment of ns names, or NULL. */
static const char *attachment_network(const struct pn_wh_lookup *lk, const char *ns,
				      const char *name)
{
	json_t *pna = lk->attachment ? lk->attachment(lk->ud, ns, name) : NULL;

	return json_string_value(json_object_get(json_object_get(pna, "spec"), "podNetworkName"));
}

/* ---- Pods ---------------------------------------------------------------------------- */

static bool plan_changed(const struct pn_wh_review *rv, const char *key)
{
	return changed(annotation(rv->old_object, key), annotation(rv->object, key));
}

static json_t *request_of(json_t *pod, bool native)
{
	if (native)
		return json_object_get(json_object_get(pod, "spec"), "networks");
	return annotation(pod, PN_ANNOTATION_NETWORKS);
}

static void check_pod(const struct pn_wh_review *rv, const struct pn_wh_config *cfg,
		      const struct pn_wh_lookup *lk, struct pn_wh_verdict *v)
{
	static const char *const plan_keys[] = { PN_ANNOTATION_PLAN, PN_ANNOTATION_PLAN_SIGNATURE };
	struct pn_pod_decode_opts opts = { .parse = pn_doc_parse_value,
					    .native_networks = cfg->native_networks };
	const char *prefix = cfg->native_networks ? "spec.networks" : PN_NETWORKS_PATH;
	struct pn_problems ps = { 0 };
	struct pn_pod *pod = NULL;
	char msg[1024], path[64];
	int r;

	allow(v);
	if (rv->op != PN_WH_CREATE && rv->op != PN_WH_UPDATE)
		return;
	if (!pn_wh_is_controller(rv, cfg))
		for (size_t i = 0; i < 2; i++)
			if (plan_changed(rv, plan_keys[i])) {
				deny(v, 403, "metadata.annotations[%s]: written only by podnet-controller",
				     plan_keys[i]);
				return;
			}
	/* The controller keeps an address the agent reports attached: a
	 * network-status written by someone else would hold pool addresses. */
	if (!pn_wh_is_agent(rv, cfg) && plan_changed(rv, PN_ANNOTATION_STATUS)) {
		deny(v, 403, "metadata.annotations[%s]: written only by podnet-agent",
		     PN_ANNOTATION_STATUS);
		return;
	}
	if (rv->sub_resource[0])
		return;
	/* An update that leaves the request as it was is not judged again:
	 * the controller's and the agent's own writes on a Pod admitted while
	 * the webhook was down must go through. */
	if (rv->op == PN_WH_UPDATE && !changed(request_of(rv->old_object, cfg->native_networks),
					       request_of(rv->object, cfg->native_networks)))
		return;
	r = pn_pod_decode(rv->object, &opts, &pod, &ps);
	if (r == 0 && pod)
		r = pn_pod_validate(pod, &ps);
	if (r < 0) {
		deny_errno(v, r);
		goto out;
	}
	if (r > 0 || ps.n) {
		deny_problems(v, 400, &ps);
		goto out;
	}
	for (size_t i = 0; i < pod->networks.n; i++) {
		const struct pn_netreq *q = &pod->networks.v[i];
		const char *net = q->network;
		const char *leaf = "podNetworkName";

		if (!net && q->attachment) {
			net = attachment_network(lk, rv->namespace, q->attachment);
			leaf = "podNetworkAttachmentName";
		}
		if (!net)
			continue;
		r = pn_wh_access_of(lk, net, rv->namespace, msg, sizeof(msg));
		if (r < 0) {
			deny_errno(v, r);
			goto out;
		}
		if (r > 0) {
			pn_path_index(path, sizeof(path), prefix, i);
			deny(v, 403, "%s.%s: %s", path, leaf, msg);
			goto out;
		}
	}
out:
	pn_problems_clear(&ps);
	pn_pod_free(pod);
}

bool pn_wh_pod_uses_default(json_t *pod, const struct pn_wh_config *cfg,
			    const struct pn_wh_lookup *lk)
{
	struct pn_pod_decode_opts opts = { .parse = pn_doc_parse_value,
					    .native_networks = cfg->native_networks };
	struct pn_problems ps = { 0 };
	struct pn_pod *p = NULL;
	bool uses = true;
	int r = pn_pod_decode(pod, &opts, &p, &ps);

	if (r < 0 || !p)
		goto out;
	if (p->host_network || pn_pod_terminal(p)) {
		uses = false;
		goto out;
	}
	if (r > 0 || !p->networks.present || !p->networks.n)
		goto out; /* unreadable, or asks for nothing: default */
	uses = false;
	for (size_t i = 0; i < p->networks.n && !uses; i++) {
		const char *net = p->networks.v[i].network;

		if (!net && p->networks.v[i].attachment)
			net = attachment_network(lk, p->meta.namespace ? p->meta.namespace : "",
						 p->networks.v[i].attachment);
		uses = net && !strcmp(net, PN_DEFAULT_NETWORK);
	}
out:
	pn_problems_clear(&ps);
	pn_pod_free(p);
	return uses;
}

void pn_wh_default_in_use(struct pn_wh_verdict *v, size_t n, const char *example)
{
	if (!n) {
		allow(v);
		return;
	}
	deny(v, 403,
	     "PodNetwork \"default\" is used by %zu Pod%s (for example %s): the default network "
	     "cannot be deleted while Pods use it",
	     n, n == 1 ? "" : "s", example ? example : "?");
}

/* ---- PodNetworks and attachments ------------------------------------------------------- */

static void check_podnetwork(const struct pn_wh_review *rv, struct pn_wh_verdict *v, int *ret)
{
	struct pn_problems ps = { 0 };
	struct pn_podnetwork *n = NULL, *old = NULL;
	int r;

	allow(v);
	if (rv->op == PN_WH_DELETE) {
		if (!strcmp(rv->name, PN_DEFAULT_NETWORK))
			*ret = PN_WH_COUNT_DEFAULT_USERS;
		return;
	}
	if (rv->sub_resource[0] || (rv->op != PN_WH_CREATE && rv->op != PN_WH_UPDATE))
		return;
	/* metadata-only updates (finalizers, labels) are not judged: the
	 * controller must be able to finish what exists */
	if (rv->op == PN_WH_UPDATE && !changed(json_object_get(rv->old_object, "spec"),
					       json_object_get(rv->object, "spec")))
		return;
	r = pn_podnetwork_decode(rv->object, &n, &ps);
	if (r == 0 && n)
		r = pn_podnetwork_validate(n, &ps);
	if (r >= 0 && n && rv->op == PN_WH_UPDATE) {
		struct pn_problems ops = { 0 };
		int ro = pn_podnetwork_decode(rv->old_object, &old, &ops);

		pn_problems_clear(&ops);
		if (ro >= 0 && old)
			r += pn_podnetwork_immutable(old, n, &ps);
	}
	if (r < 0)
		deny_errno(v, r);
	else if (ps.n)
		deny_problems(v, 400, &ps);
	pn_problems_clear(&ps);
	pn_podnetwork_free(n);
	pn_podnetwork_free(old);
}

static void check_attachment(const struct pn_wh_review *rv, const struct pn_wh_lookup *lk,
			     struct pn_wh_verdict *v)
{
	struct pn_problems ps = { 0 };
	struct pn_attachment *a = NULL, *old = NULL;
	char msg[1024];
	int r;

	allow(v);
	if (rv->sub_resource[0] || (rv->op != PN_WH_CREATE && rv->op != PN_WH_UPDATE))
		return;
	if (rv->op == PN_WH_UPDATE && !changed(json_object_get(rv->old_object, "spec"),
					       json_object_get(rv->object, "spec")))
		return;
	r = pn_attachment_decode(rv->object, &a, &ps);
	if (r == 0 && a)
		r = pn_attachment_validate(a, &ps);
	if (r >= 0 && a && rv->op == PN_WH_UPDATE) {
		struct pn_problems ops = { 0 };
		int ro = pn_attachment_decode(rv->old_object, &old, &ops);

		pn_problems_clear(&ops);
		if (ro >= 0 && old)
			r += pn_attachment_immutable(old, a, &ps);
	}
	if (r < 0) {
		deny_errno(v, r);
	} else if (ps.n) {
		deny_problems(v, 400, &ps);
	} else if (a->spec.pod_network_name) {
		r = pn_wh_access_of(lk, a->spec.pod_network_name, rv->namespace, msg, sizeof(msg));
		if (r < 0)
			deny_errno(v, r);
		else if (r > 0)
			deny(v, 403, "spec.podNetworkName: %s", msg);
	}
	pn_problems_clear(&ps);
	pn_attachment_free(a);
	pn_attachment_free(old);
}

int pn_wh_check(const struct pn_wh_review *rv, const struct pn_wh_config *cfg,
		const struct pn_wh_lookup *lk, struct pn_wh_verdict *v)
{
	int ret = PN_WH_DECIDED;

	allow(v);
	if (!rv->group[0] && !strcmp(rv->kind, "Pod"))
		check_pod(rv, cfg, lk, v);
	else if (!strcmp(rv->group, PN_GROUP) && !strcmp(rv->kind, "PodNetwork"))
		check_podnetwork(rv, v, &ret);
	else if (!strcmp(rv->group, PN_GROUP) && !strcmp(rv->kind, "PodNetworkAttachment"))
		check_attachment(rv, lk, v);
	return ret;
}
