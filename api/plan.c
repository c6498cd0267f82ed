/* plan.c — from what a Pod asks for to its attachment plan: resolving
 * attachments to networks, checking what needs other objects, resolving
 * parameters, naming interfaces and choosing the default routes. */
#include "model_priv.h"
#include "pn/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void attachment_clear(struct pn_plan_attachment *a)
{
	free(a->network);
	free(a->interface);
	free(a->provider);
	json_decref(a->params);
	pn_strv_free(a->ips, a->n_ips);
	pn_strv_free(a->gateways, a->n_gateways);
	for (size_t i = 0; i < a->n_routes; i++) {
		free(a->routes[i].dst);
		free(a->routes[i].gw);
	}
	free(a->routes);
	free(a->mac);
	free(a->attachment);
	free(a->ippool);
	pn_strv_free(a->requested_ips, a->n_requested_ips);
	pn_refs_free(a->refs, a->n_refs);
	memset(a, 0, sizeof(*a));
}

void pn_plan_clear(struct pn_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n; i++)
		attachment_clear(&plan->v[i]);
	free(plan->v);
	memset(plan, 0, sizeof(*plan));
}

static char *dup_or_null(const char *s, int *err)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		*err = -ENOMEM;
	return c;
}

int pn_plan_attachment_add_ip(struct pn_plan_attachment *a, const char *cidr)
{
	return pn_strv_push(&a->ips, &a->n_ips, cidr);
}

int pn_plan_attachment_add_gateway(struct pn_plan_attachment *a, const char *addr)
{
	return pn_strv_push(&a->gateways, &a->n_gateways, addr);
}

int pn_plan_attachment_add_route(struct pn_plan_attachment *a, const char *dst, const char *gw)
{
	struct pn_route *v = realloc(a->routes, (a->n_routes + 1) * sizeof(*v));
	int err = 0;

	if (!v)
		return -ENOMEM;
	a->routes = v;
	v[a->n_routes].dst = dup_or_null(dst, &err);
	v[a->n_routes].gw = dup_or_null(gw, &err);
	if (err) {
		free(v[a->n_routes].dst);
		free(v[a->n_routes].gw);
		return err;
	}
	a->n_routes++;
	return 0;
}

/* ---- interface naming ------------------------------------------------------ */

static bool ifname_taken(const struct pn_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].interface && !strcmp(plan->v[i].interface, name))
			return true;
	return false;
}

int pn_plan_name_interfaces(struct pn_plan *plan)
{
	unsigned next = 1;
	char name[16];

	/* First the default network on eth0, when it did not ask for a name. */
	for (size_t i = 0; i < plan->n; i++) {
		struct pn_plan_attachment *a = &plan->v[i];

		if (!a->interface && a->network && !strcmp(a->network, PN_DEFAULT_NETWORK) &&
		    !ifname_taken(plan, "eth0")) {
			a->interface = strdup("eth0");
			if (!a->interface)
				return -ENOMEM;
		}
	}
	/* Then net1, net2, ... in list order, skipping names already taken. */
	for (size_t i = 0; i < plan->n; i++) {
		struct pn_plan_attachment *a = &plan->v[i];

		if (a->interface)
			continue;
		do
			snprintf(name, sizeof(name), "net%u", next++);
		while (ifname_taken(plan, name));
		a->interface = strdup(name);
		if (!a->interface)
			return -ENOMEM;
	}
	return 0;
}

/* ---- default routes -------------------------------------------------------- */

static void choose_routes(struct pn_plan *plan, const struct pn_netreqs *reqs)
{
	long flagged4 = -1, flagged6 = -1, def = -1;
	bool off4 = false, off6 = false;

	for (size_t i = 0; i < plan->n; i++) {
		const struct pn_plan_attachment *a = &plan->v[i];
		const struct pn_netreq *r =
			reqs && a->request_index >= 0 ? &reqs->v[a->request_index] : NULL;

		if (!strcmp(a->network, PN_DEFAULT_NETWORK)) {
			def = (long)i;
			/* default said "not me": no fallback for that family */
			off4 = r && r->gw4 == PN_FLAG_FALSE;
			off6 = r && r->gw6 == PN_FLAG_FALSE;
		}
		if (r && r->gw4 == PN_FLAG_TRUE && flagged4 < 0)
			flagged4 = (long)i;
		if (r && r->gw6 == PN_FLAG_TRUE && flagged6 < 0)
			flagged6 = (long)i;
	}
	if (flagged4 >= 0)
		plan->v[flagged4].gw4 = true;
	else if (def >= 0 && !off4)
		plan->v[def].gw4 = true;
	if (flagged6 >= 0)
		plan->v[flagged6].gw6 = true;
	else if (def >= 0 && !off6)
		plan->v[def].gw6 = true;
}

/* ---- the primary interface of a Pod without `default` ------------------------ */

/* The runtime looks for its own interface name, eth0, in the CNI result,
 * and the agent returns the primary attachment's (the one holding the
 * IPv4 default route, else IPv6, else the first). With `default` in the
 * list that is default's business (eth0 unless asked otherwise, as
 * before). Without it the primary becomes eth0 when it asked for no name;
 * a name that keeps eth0 off it is a problem: such a Pod would never
 * start (containerd: "failed to find network info for sandbox"). */
static void name_primary(struct pn_plan *plan, const char *prefix, struct pn_dec *d)
{
	struct pn_plan_attachment *p;
	char ep[PN_PATH_MAX], path[PN_PATH_MAX];

	if (pn_plan_find(plan, PN_DEFAULT_NETWORK) || !plan->n)
		return;
	p = &plan->v[pn_plan_primary(plan) - plan->v];
	if (p->interface) {
		if (strcmp(p->interface, "eth0") != 0) {
			pn_pidx(ep, prefix, (size_t)p->request_index);
			pn_pkey(path, ep, "interfaceName");
			pn_dec_problem(d, path,
				       "is \"%s\", but with no \"default\" network in the list the "
				       "interface holding the default route (else the first one) must "
				       "be eth0 or unnamed: the container runtime needs eth0",
				       p->interface);
		}
		return;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].interface && !strcmp(plan->v[i].interface, "eth0")) {
			pn_pidx(ep, prefix, (size_t)plan->v[i].request_index);
			pn_pkey(path, ep, "interfaceName");
			pn_dec_problem(d, path,
				       "with no \"default\" network in the list, eth0 is for the "
				       "interface holding the default route (else the first one), "
				       "%s[%ld]: the container runtime needs eth0 there",
				       prefix, p->request_index);
			return;
		}
	p->interface = strdup("eth0");
	if (!p->interface)
		d->err = -ENOMEM;
}

/* ---- default on the runtime's interface -------------------------------------- */

/* pn_netreqs_validate holds a listed `default` to eth0; an attachment that
 * resolves to `default` is only known here, so the same rule again. */
static void default_on_eth0(const struct pn_plan *plan, const struct pn_netreqs *reqs,
			    const char *prefix, struct pn_dec *d)
{
	const struct pn_plan_attachment *def = pn_plan_find(plan, PN_DEFAULT_NETWORK);
	char ep[PN_PATH_MAX], path[PN_PATH_MAX];

	if (!def)
		return;
	for (size_t i = 0; i < plan->n; i++) {
		const struct pn_plan_attachment *a = &plan->v[i];
		const char *ifname = a->request_index >= 0 && reqs
					     ? reqs->v[a->request_index].interface
					     : NULL;

		if (!ifname)
			continue;
		pn_pidx(ep, prefix, (size_t)a->request_index);
		pn_pkey(path, ep, "interfaceName");
		pn_default_ifname_problem(d, path, ifname, a == def, prefix, def->request_index);
	}
}

/* ---- building -------------------------------------------------------------- */

int pn_plan_default(struct pn_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->version = PN_PLAN_VERSION;
	out->v = calloc(1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	out->n = 1;
	out->v[0].network = strdup(PN_DEFAULT_NETWORK);
	out->v[0].interface = strdup("eth0");
	out->v[0].request_index = -1;
	out->v[0].gw4 = out->v[0].gw6 = true;
	if (!out->v[0].network || !out->v[0].interface) {
		pn_plan_clear(out);
		return -ENOMEM;
	}
	return 0;
}

/* The parameter references in effect: the network's, except those whose
 * group/kind the attachment also names (the attachment's replace them).
 * Returns NULL for a network ref that is overridden. */
static const struct pn_param_ref *effective_ref(const struct pn_podnetwork *net,
						const struct pn_attachment *pna, size_t i_net)
{
	const struct pn_param_ref *r = &net->spec.refs[i_net];

	for (size_t k = 0; pna && k < pna->spec.n_refs; k++)
		if (pn_streq(pna->spec.refs[k].group, r->group) &&
		    pn_streq(pna->spec.refs[k].kind, r->kind))
			return NULL;
	return r;
}

struct resolve_ctx {
	struct pn_dec *d;
	const struct pn_resolver *r;
	const char *ns;
	const char *path;      /* networks[i] */
	const char *network;
	struct pn_plan_attachment *a;
};

static void use_ref(struct resolve_ctx *c, const struct pn_param_ref *ref, const char *owner)
{
	const struct pn_resolver *r = c->r;

	if (!ref->group || !ref->kind || !ref->name)
		return;
	if (!strcmp(ref->group, PN_GROUP) && !strcmp(ref->kind, "CNIConfig")) {
		const struct pn_cniconfig *cc = r->cniconfig ? r->cniconfig(r->ctx, ref->name) : NULL;

		if (!cc) {
			pn_dec_problem(c->d, c->path, "CNIConfig \"%s\" (referenced by %s) not found",
				       ref->name, owner);
			return;
		}
		json_decref(c->a->params);
		c->a->params = pn_cniconfig_conflist(cc, c->network);
		if (!c->a->params)
			c->d->err = -ENOMEM;
	} else if (!strcmp(ref->group, PN_GROUP) && !strcmp(ref->kind, "IPPool")) {
		const struct pn_ippool *p = r->ippool ? r->ippool(r->ctx, ref->name) : NULL;

		if (!p) {
			pn_dec_problem(c->d, c->path, "IPPool \"%s\" (referenced by %s) not found",
				       ref->name, owner);
			return;
		}
		free(c->a->ippool);
		c->a->ippool = strdup(ref->name);
		if (!c->a->ippool)
			c->d->err = -ENOMEM;
	} else if (!strcmp(ref->group, PN_NAD_GROUP) && !strcmp(ref->kind, PN_NAD_KIND)) {
		const char *ns = ref->namespace ? ref->namespace : c->ns;
		json_t *conf = r->nad_config && ns ? r->nad_config(r->ctx, ns, ref->name) : NULL;

		if (!conf) {
			pn_dec_problem(c->d, c->path,
				       "%s \"%s/%s\" (referenced by %s) not found or invalid",
				       PN_NAD_KIND, ns ? ns : "", ref->name, owner);
			return;
		}
		json_decref(c->a->params);
		c->a->params = conf;
	} else {
		/* Another kind: its provider resolves it (ABI 1.3 param_refs). */
		struct pn_param_ref *v = realloc(c->a->refs, (c->a->n_refs + 1) * sizeof(*v)), *e;

		if (!v) {
			c->d->err = -ENOMEM;
			return;
		}
		c->a->refs = v;
		e = &v[c->a->n_refs];
		memset(e, 0, sizeof(*e));
		e->group = strdup(ref->group);
		e->kind = strdup(ref->kind);
		e->name = strdup(ref->name);
		e->namespace = ref->namespace ? strdup(ref->namespace) : NULL;
		c->a->n_refs++;
		if (!e->group || !e->kind || !e->name || (ref->namespace && !e->namespace))
			c->d->err = -ENOMEM;
	}
}

bool pn_param_ref_supported(const struct pn_param_ref *ref, char *msg, size_t mlen)
{
	const char *g = ref->group ? ref->group : "", *k = ref->kind ? ref->kind : "";

	if ((!strcmp(g, PN_GROUP) && (!strcmp(k, "CNIConfig") || !strcmp(k, "IPPool"))) ||
	    (!strcmp(g, PN_NAD_GROUP) && !strcmp(k, PN_NAD_KIND)))
		return true;
	snprintf(msg, mlen, "parameters of kind %s/%s are not supported by podnet", g, k);
	return false;
}

bool pn_param_kind_valid(const char *s, char *why, size_t wlen)
{
	const char *slash = s ? strchr(s, '/') : NULL, *g, *k;
	size_t glen, klen;
	bool dot = false, label_start = true;
	char tmp[8];

	if (!why) {
		why = tmp;
		wlen = sizeof(tmp);
	}
	if (!slash) {
		snprintf(why, wlen, "must be group/Kind (e.g. acme.io/AcmeNet)");
		return false;
	}
	g = s;
	glen = (size_t)(slash - s);
	k = slash + 1;
	klen = strlen(k);
	if (glen == 0 || glen > 253) {
		snprintf(why, wlen, "the group must have 1 to 253 characters");
		return false;
	}
	for (size_t i = 0; i < glen; i++) {
		char c = g[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (c == '.') {
			if (label_start || i + 1 == glen || g[i - 1] == '-')
				goto badgroup;
			dot = true;
			label_start = true;
		} else if (alnum || (c == '-' && !label_start && i + 1 < glen && g[i + 1] != '.')) {
			label_start = false;
		} else {
			goto badgroup;
		}
	}
	if (!dot)
		goto badgroup;
	if (klen == 0 || klen > 63 || !(k[0] >= 'A' && k[0] <= 'Z')) {
		snprintf(why, wlen, "the kind must start with A-Z and have 1 to 63 characters");
		return false;
	}
	for (size_t i = 0; i < klen; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9'))) {
			snprintf(why, wlen, "the kind may hold letters and digits only");
			return false;
		}
	return true;
badgroup:
	snprintf(why, wlen, "the group must be a DNS subdomain with at least one dot (lower case)");
	return false;
}

bool pn_is_param_kind(const char *s)
{
	return pn_param_kind_valid(s, NULL, 0);
}

bool pn_report_declares_kind(const json_t *report, const char *provider, const char *group,
			     const char *kind)
{
	const json_t *providers = json_object_get(json_object_get(report, "status"), "providers");
	size_t i, j, glen = group ? strlen(group) : 0;
	json_t *p, *k;

	if (!provider || !group || !kind || !json_is_array(providers))
		return false;
	json_array_foreach(providers, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (!name || strcmp(name, provider) != 0)
			continue;
		json_array_foreach(json_object_get(p, "parameterKinds"), j, k) {
			const char *s = json_string_value(k);

			if (s && !strncmp(s, group, glen) && s[glen] == '/' && !strcmp(s + glen + 1, kind) &&
			    pn_param_kind_valid(s, NULL, 0))
				return true;
		}
	}
	return false;
}

bool pn_param_ref_supported_by(const struct pn_param_ref *ref, const char *provider,
			       const json_t *reports, char *msg, size_t mlen)
{
	const char *g = ref->group ? ref->group : "", *k = ref->kind ? ref->kind : "";
	const char *key;
	size_t i;
	json_t *v;

	if (pn_param_ref_supported(ref, msg, mlen))
		return true;
	if (provider && provider[0]) {
		if (json_is_array(reports)) {
			json_array_foreach(reports, i, v) if (pn_report_declares_kind(v, provider, g, k)) return true;
		} else if (json_is_object(reports)) {
			json_object_foreach((json_t *)reports, key, v) if (pn_report_declares_kind(v, provider, g, k))
				return true;
		}
	}
	snprintf(msg, mlen,
		 "parameters of kind %s/%s are not supported by podnet, and provider %s declares it on no node "
		 "(PodNetworkNode status.providers[].parameterKinds)",
		 g, k, provider && provider[0] ? provider : "(none)");
	return false;
}

static bool network_usable(struct pn_dec *d, const char *path, const char *name,
			   const struct pn_podnetwork *net)
{
	if (net->spec.enabled_set && !net->spec.enabled) {
		pn_dec_problem(d, path, "PodNetwork \"%s\" is disabled (spec.enabled is false)",
			       name);
		return false;
	}
	if (net->meta.deletion_timestamp) {
		pn_dec_problem(d, path, "PodNetwork \"%s\" is being deleted and takes no new Pods",
			       name);
		return false;
	}
	return true;
}

/* The Ready condition written in the attachment's status, when there is one. */
static bool stored_ready(const struct pn_attachment *pna, char *reason, size_t rlen, char *msg,
			 size_t mlen)
{
	size_t i;
	json_t *c;

	json_array_foreach(pna->status.conditions, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *status = json_string_value(json_object_get(c, "status"));
		const char *rs = json_string_value(json_object_get(c, "reason"));
		const char *m = json_string_value(json_object_get(c, "message"));

		if (!type || strcmp(type, "Ready") != 0)
			continue;
		if (status && !strcmp(status, "True"))
			return true;
		snprintf(reason, rlen, "%s", rs && *rs ? rs : "NotReady");
		snprintf(msg, mlen, "%s", m ? m : "");
		return false;
	}
	return true; /* not judged yet */
}

static bool attachment_ready(struct pn_dec *d, const char *path, const struct pn_resolver *r,
			     const char *ns, const char *name, const struct pn_attachment *pna)
{
	char reason[128] = "", msg[512] = "";
	bool ok = r->attachment_ready
			  ? r->attachment_ready(r->ctx, ns, pna, reason, sizeof(reason), msg,
						sizeof(msg))
			  : stored_ready(pna, reason, sizeof(reason), msg, sizeof(msg));

	if (ok)
		return true;
	pn_dec_problem(d, path, "PodNetworkAttachment \"%s\" is not Ready (%s%s%s)", name,
		       reason[0] ? reason : "NotReady", msg[0] ? ": " : "", msg);
	return false;
}

#define ACCESS_MARK "\" may not be used from namespace \""

bool pn_problem_is_access(const struct pn_problem *p)
{
	return p && p->message && !strncmp(p->message, "PodNetwork \"", 12) &&
	       strstr(p->message, ACCESS_MARK);
}

/* Whether namespace ns may use net (name); a problem at path when not. */
static bool namespace_allowed(struct pn_dec *d, const char *path, const struct pn_resolver *r,
			      const char *ns, const char *name, const struct pn_podnetwork *net)
{
	char msg[1024];
	const json_t *labels;

	if (pn_label_selector_empty(net->spec.namespace_selector))
		return true;
	if (r->current && pn_plan_find(r->current, name))
		return true; /* planned before: kept whatever the selector says now */
	labels = r->namespace_labels && ns ? r->namespace_labels(r->ctx, ns) : NULL;
	if (!labels) {
		pn_dec_problem(d, path,
			       "PodNetwork \"%s\" may not be used from namespace \"%s\": the "
			       "Namespace is not known, so spec.namespaceSelector cannot select it",
			       name, ns ? ns : "");
		return false;
	}
	if (pn_podnetwork_check_namespace(net, ns, labels, msg, sizeof(msg)) == 0)
		return true;
	pn_dec_problem(d, path, "%s", msg);
	return false;
}

static int plan_build(const struct pn_netreqs *reqs, const char *prefix, const char *ns,
		      bool host_network, const struct pn_resolver *r, struct pn_plan *out,
		      struct pn_problems *ps)
{
	static const struct pn_resolver none = { 0 };
	char ep[PN_PATH_MAX], path[PN_PATH_MAX], owner[PN_PATH_MAX + 64];
	struct pn_dec d = { .ps = ps };
	struct pn_plan plan = { .version = PN_PLAN_VERSION };
	int rv;

	memset(out, 0, sizeof(*out));
	if (!r)
		r = &none;
	if (!reqs || reqs->n == 0) {
		if (host_network)
			return 0; /* no plan at all: the Pod uses the host's network */
		return pn_plan_default(out);
	}
	rv = pn_netreqs_validate(reqs, host_network, prefix, ps);
	if (rv != 0)
		return rv;
	plan.v = calloc(reqs->n, sizeof(*plan.v));
	if (!plan.v)
		return -ENOMEM;
	for (size_t i = 0; i < reqs->n && !d.err; i++) {
		const struct pn_netreq *q = &reqs->v[i];
		struct pn_plan_attachment *a = &plan.v[plan.n];
		const struct pn_attachment *pna = NULL;
		const struct pn_podnetwork *net = NULL;
		const char *name = q->network;
		struct resolve_ctx c;
		int err = 0;

		pn_pidx(ep, prefix, i);
		if (q->attachment) {
			pn_pkey(path, ep, "podNetworkAttachmentName");
			pna = r->attachment && ns ? r->attachment(r->ctx, ns, q->attachment) : NULL;
			if (!pna) {
				pn_dec_problem(&d, path, "PodNetworkAttachment \"%s/%s\" not found",
					       ns ? ns : "", q->attachment);
				continue;
			}
			if (pna->meta.deletion_timestamp) {
				pn_dec_problem(&d, path,
					       "PodNetworkAttachment \"%s\" is being deleted and takes "
					       "no new Pods", q->attachment);
				continue;
			}
			if (!attachment_ready(&d, path, r, ns, q->attachment, pna))
				continue;
			name = pna->spec.pod_network_name;
			if (!name) {
				pn_dec_problem(&d, path,
					       "PodNetworkAttachment \"%s\" names no PodNetwork",
					       q->attachment);
				continue;
			}
		} else {
			pn_pkey(path, ep, "podNetworkName");
		}
		net = r->network ? r->network(r->ctx, name) : NULL;
		if (!net && strcmp(name, PN_DEFAULT_NETWORK) != 0) {
			if (pna)
				pn_dec_problem(&d, path, "PodNetwork \"%s\" (of PodNetworkAttachment "
							 "\"%s\") not found", name, q->attachment);
			else
				pn_dec_problem(&d, path, "PodNetwork \"%s\" not found", name);
			continue;
		}
		if (net && !network_usable(&d, path, name, net))
			continue;
		if (net && !namespace_allowed(&d, ep, r, ns, name, net))
			continue;
		/* A PodNetwork at most once, attachments resolved. */
		for (size_t k = 0; k < plan.n; k++)
			if (!strcmp(plan.v[k].network, name)) {
				pn_dec_problem(&d, path,
					       "PodNetwork \"%s\" is already requested by "
					       "%s[%ld]: a PodNetwork at most once per Pod",
					       name, prefix, plan.v[k].request_index);
				name = NULL;
				break;
			}
		if (!name)
			continue;

		a->request_index = (long)i;
		a->network = dup_or_null(name, &err);
		a->interface = dup_or_null(q->interface, &err);
		a->attachment = dup_or_null(q->attachment, &err);
		a->mac = dup_or_null(q->mac, &err);
		if (net && net->spec.provider && *net->spec.provider)
			a->provider = dup_or_null(net->spec.provider, &err);
		for (size_t k = 0; k < q->n_ips && !err; k++)
			err = pn_strv_push(&a->requested_ips, &a->n_requested_ips, q->ips[k]);
		plan.n++;
		if (err) {
			d.err = err;
			break;
		}
		c = (struct resolve_ctx){ .d = &d, .r = r, .ns = ns, .path = ep, .network = name,
					  .a = a };
		for (size_t k = 0; net && k < net->spec.n_refs; k++) {
			const struct pn_param_ref *ref = effective_ref(net, pna, k);

			snprintf(owner, sizeof(owner), "PodNetwork \"%s\"", name);
			if (ref)
				use_ref(&c, ref, owner);
		}
		for (size_t k = 0; pna && k < pna->spec.n_refs; k++) {
			snprintf(owner, sizeof(owner), "PodNetworkAttachment \"%s\"", q->attachment);
			use_ref(&c, &pna->spec.refs[k], owner);
		}
		if (a->n_requested_ips && !a->ippool) {
			pn_pkey(path, ep, "ips");
			pn_dec_problem(&d, path,
				       "fixed addresses need a PodNetwork with an IPPool in its "
				       "parametersRefs (\"%s\" has none)", name);
		}
		if (!a->provider && (a->mac || a->n_requested_ips) &&
		    !strcmp(name, PN_DEFAULT_NETWORK)) {
			pn_pkey(path, ep, a->mac ? "mac" : "ips");
			pn_dec_problem(&d, path,
				       "cannot be set for the default network: the node's primary "
				       "CNI chooses it");
		}
	}
	if (!d.err && !d.n)
		default_on_eth0(&plan, reqs, prefix, &d);
	if (!d.err && !d.n) {
		choose_routes(&plan, reqs);
		name_primary(&plan, prefix, &d);
	}
	if (d.err || d.n) {
		pn_plan_clear(&plan);
		return pn_dec_result(&d);
	}
	rv = pn_plan_name_interfaces(&plan);
	if (rv < 0) {
		pn_plan_clear(&plan);
		return rv;
	}
	*out = plan;
	return 0;
}

int pn_plan_build(const struct pn_netreqs *reqs, const char *ns, bool host_network,
		  const struct pn_resolver *r, struct pn_plan *out, struct pn_problems *ps)
{
	return plan_build(reqs, PN_NETWORKS_PATH, ns, host_network, r, out, ps);
}

int pn_plan_build_pod(const struct pn_pod *pod, const struct pn_resolver *r, struct pn_plan *out,
		      struct pn_problems *ps)
{
	bool native = pod->networks_source && !strcmp(pod->networks_source, "spec.networks");

	return plan_build(&pod->networks, native ? "spec.networks" : PN_NETWORKS_PATH,
			  pod->meta.namespace ? pod->meta.namespace : "default", pod->host_network, r,
			  out, ps);
}

const struct pn_plan_attachment *pn_plan_primary(const struct pn_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].gw4)
			return &plan->v[i];
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].gw6)
			return &plan->v[i];
	return plan->n ? &plan->v[0] : NULL;
}

const struct pn_plan_attachment *pn_plan_find(const struct pn_plan *plan, const char *network)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].network && network && !strcmp(plan->v[i].network, network))
			return &plan->v[i];
	return NULL;
}
