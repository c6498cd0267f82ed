/* plan_codec.c — the plan annotation (podnet.dev/plan) and the
 * network-status annotation, to and from JSON. */
#include "model_priv.h"
#include "pn/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- plan: encoding -------------------------------------------------------- */

static json_t *attachment_encode(const struct pn_plan_attachment *a)
{
	json_t *o = json_object();
	int r = 0;

	if (!o)
		return NULL;
	r |= pn_json_set_str(o, "network", a->network);
	r |= pn_json_set_str(o, "interface", a->interface);
	if (a->provider) {
		r |= pn_json_set_str(o, "provider", a->provider);
		r |= json_object_set_new(o, "params",
					 a->params ? json_deep_copy(a->params) : json_null());
		r |= json_object_set_new(o, "ips", pn_strv_json(a->ips, a->n_ips));
		r |= json_object_set_new(o, "gateways", pn_strv_json(a->gateways, a->n_gateways));
		r |= json_object_set_new(o, "routes", pn_routes_encode(a->routes, a->n_routes, NULL));
		r |= json_object_set_new(o, "mac", a->mac ? json_string(a->mac) : json_null());
		if (a->n_refs)
			r |= json_object_set_new(o, "parametersRefs", pn_refs_encode(a->refs, a->n_refs, NULL));
	}
	if (a->gw4)
		r |= json_object_set_new(o, "gw4", json_true());
	if (a->gw6)
		r |= json_object_set_new(o, "gw6", json_true());
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *pn_plan_encode(const struct pn_plan *plan)
{
	json_t *o = json_object(), *list = json_array();

	if (!o || !list)
		goto fail;
	if (json_object_set_new(o, "v", json_integer(plan->version ? plan->version
								     : PN_PLAN_VERSION)) < 0)
		goto fail;
	for (size_t i = 0; i < plan->n; i++)
		if (json_array_append_new(list, attachment_encode(&plan->v[i])) < 0)
			goto fail;
	if (json_object_set_new(o, "attachments", list) < 0) {
		list = NULL;
		goto fail;
	}
	return o;
fail:
	json_decref(list);
	json_decref(o);
	return NULL;
}

char *pn_plan_dumps(const struct pn_plan *plan)
{
	json_t *j = pn_plan_encode(plan);
	char *s;

	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

bool pn_plan_equal(const struct pn_plan *a, const struct pn_plan *b)
{
	json_t *ja = pn_plan_encode(a), *jb = pn_plan_encode(b);
	bool eq = ja && jb && json_equal(ja, jb);

	json_decref(ja);
	json_decref(jb);
	return eq;
}

/* ---- plan: decoding -------------------------------------------------------- */

static void strings_checked(struct pn_dec *d, const json_t *o, const char *prefix,
			    const char *key, bool cidr, char ***out, size_t *n)
{
	char path[PN_PATH_MAX], ip[PN_PATH_MAX];

	pn_get_strings(d, o, prefix, key, PN_MAX_IPS * 4, out, n);
	pn_pkey(path, prefix, key);
	for (size_t i = 0; i < *n; i++) {
		pn_pidx(ip, path, i);
		if (cidr ? !pn_cidr_family((*out)[i]) : !pn_ip_family((*out)[i]))
			pn_dec_problem(d, ip, "must be %s, not \"%s\"",
				       cidr ? "an address with prefix length (a.b.c.d/len)"
					    : "an IP address",
				       (*out)[i]);
	}
}

static void attachment_decode(struct pn_dec *d, const json_t *o, const char *p,
			      struct pn_plan_attachment *a)
{
	char path[PN_PATH_MAX], rp[PN_PATH_MAX];
	const json_t *routes;
	json_t *params, *v;
	size_t i;

	a->request_index = -1;
	pn_get_string(d, o, p, "network", true, PN_MAX_NAME, &a->network);
	if (pn_get_string(d, o, p, "interface", true, PN_MAX_STRING, &a->interface) &&
	    !pn_is_ifname(a->interface)) {
		pn_pkey(path, p, "interface");
		pn_dec_problem(d, path, PN_MSG_IFNAME);
	}
	pn_get_string(d, o, p, "provider", false, PN_MAX_PROVIDER, &a->provider);
	params = json_object_get(o, "params");
	if (params && !json_is_null(params)) {
		if (json_is_object(params)) {
			a->params = json_incref(params);
		} else {
			pn_pkey(path, p, "params");
			pn_dec_problem(d, path, "must be an object, not %s", pn_json_type_name(params));
		}
	}
	strings_checked(d, o, p, "ips", true, &a->ips, &a->n_ips);
	strings_checked(d, o, p, "gateways", false, &a->gateways, &a->n_gateways);
	routes = pn_get_array(d, o, p, "routes", false, PN_MAX_ROUTES);
	pn_pkey(path, p, "routes");
	json_array_foreach(routes, i, v) {
		char *dst = NULL, *gw = NULL;

		pn_pidx(rp, path, i);
		if (!json_is_object(v)) {
			pn_dec_problem(d, rp, "must be an object, not %s", pn_json_type_name(v));
			continue;
		}
		pn_get_string(d, v, rp, "dst", true, 64, &dst);
		pn_get_string(d, v, rp, "gw", false, 64, &gw);
		if (dst && pn_plan_attachment_add_route(a, dst, gw) < 0)
			d->err = -ENOMEM;
		free(dst);
		free(gw);
	}
	if (pn_get_string(d, o, p, "mac", false, 64, &a->mac) && !pn_is_unicast_mac(a->mac)) {
		pn_pkey(path, p, "mac");
		pn_dec_problem(d, path, "must be a unicast MAC address");
	}
	pn_refs_decode(d, o, p, &a->refs, &a->n_refs);
	pn_get_bool(d, o, p, "gw4", &a->gw4);
	pn_get_bool(d, o, p, "gw6", &a->gw6);
}

int pn_plan_decode(const json_t *j, struct pn_plan *out, struct pn_problems *ps)
{
	char path[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	const json_t *list;
	int64_t v = 0;
	size_t i;
	json_t *e;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		pn_dec_problem(&d, "", "must be an object, not %s", pn_json_type_name(j));
		return pn_dec_result(&d);
	}
	if (!json_object_get(j, "v"))
		pn_dec_problem(&d, "v", "is required");
	else if (pn_get_int64(&d, j, "", "v", &v) && v != PN_PLAN_VERSION)
		pn_dec_problem(&d, "v", "plan version %lld is not supported (this reader knows %d)",
			       (long long)v, PN_PLAN_VERSION);
	out->version = PN_PLAN_VERSION;
	list = pn_get_array(&d, j, "", "attachments", true, PN_MAX_NETWORKS + 1);
	if (list) {
		out->v = calloc(json_array_size(list) + 1, sizeof(*out->v));
		if (!out->v)
			return -ENOMEM;
		json_array_foreach(list, i, e) {
			pn_pidx(path, "attachments", i);
			if (!json_is_object(e)) {
				pn_dec_problem(&d, path, "must be an object, not %s",
					       pn_json_type_name(e));
				continue;
			}
			attachment_decode(&d, e, path, &out->v[out->n++]);
		}
	}
	/* Names and interfaces unique, one holder per default route. */
	for (i = 0; i < out->n; i++)
		for (size_t k = 0; k < i; k++) {
			const struct pn_plan_attachment *a = &out->v[i], *b = &out->v[k];

			pn_pidx(path, "attachments", i);
			if (a->network && b->network && !strcmp(a->network, b->network))
				pn_dec_problem(&d, path, "network \"%s\" appears twice", a->network);
			if (a->interface && b->interface && !strcmp(a->interface, b->interface))
				pn_dec_problem(&d, path, "interface \"%s\" appears twice", a->interface);
			if ((a->gw4 && b->gw4) || (a->gw6 && b->gw6))
				pn_dec_problem(&d, path, "a default route has two holders");
		}
	if (d.err) {
		pn_plan_clear(out);
		return d.err;
	}
	return d.n;
}

int pn_plan_loads(const char *text, size_t len, struct pn_plan *out, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	json_error_t je;
	json_t *j;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > PN_MAX_PLAN) {
		pn_dec_problem(&d, "", "plan is %zu bytes, more than the %d accepted", len,
			       PN_MAX_PLAN);
		return pn_dec_result(&d);
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		pn_dec_problem(&d, "", "plan is not valid JSON: %s (column %d)", je.text, je.column);
		return pn_dec_result(&d);
	}
	r = pn_plan_decode(j, out, ps);
	json_decref(j);
	return r;
}

/* ---- network-status -------------------------------------------------------- */

void pn_netstatus_clear(struct pn_netstatuses *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		struct pn_netstatus *s = &st->v[i];

		free(s->name);
		free(s->interface);
		pn_strv_free(s->ips, s->n_ips);
		free(s->mac);
		json_decref(s->dns);
		pn_strv_free(s->gateway, s->n_gateway);
	}
	free(st->v);
	memset(st, 0, sizeof(*st));
}

int pn_netstatus_decode(const json_t *list, struct pn_netstatuses *out, struct pn_problems *ps)
{
	char path[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	size_t i;
	json_t *e;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(list)) {
		pn_dec_problem(&d, "", "must be a list, not %s", pn_json_type_name(list));
		return pn_dec_result(&d);
	}
	if (json_array_size(list) > PN_MAX_NETWORKS * 2) {
		pn_dec_problem(&d, "", "must have at most %d entries", PN_MAX_NETWORKS * 2);
		return pn_dec_result(&d);
	}
	out->v = calloc(json_array_size(list) + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	json_array_foreach(list, i, e) {
		struct pn_netstatus *s;

		pn_pidx(path, "", i);
		if (!json_is_object(e)) {
			pn_dec_problem(&d, path, "must be an object, not %s", pn_json_type_name(e));
			continue;
		}
		s = &out->v[out->n++];
		pn_get_string(&d, e, path, "name", true, PN_MAX_STRING, &s->name);
		pn_get_string(&d, e, path, "interface", false, PN_MAX_STRING, &s->interface);
		pn_get_strings(&d, e, path, "ips", PN_MAX_IPS * 4, &s->ips, &s->n_ips);
		pn_get_string(&d, e, path, "mac", false, 64, &s->mac);
		pn_get_bool(&d, e, path, "default", &s->is_default);
		pn_get_json(&d, e, path, "dns", JSON_OBJECT, &s->dns);
		pn_get_strings(&d, e, path, "gateway", PN_MAX_IPS * 4, &s->gateway, &s->n_gateway);
	}
	if (d.err) {
		pn_netstatus_clear(out);
		return d.err;
	}
	return d.n;
}

int pn_netstatus_loads(const char *text, size_t len, struct pn_netstatuses *out,
		       struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	json_error_t je;
	json_t *j;
	int r;

	memset(out, 0, sizeof(*out));
	if (len > PN_MAX_ANNOTATION) {
		pn_dec_problem(&d, "", "network-status is %zu bytes, more than the %d accepted",
			       len, PN_MAX_ANNOTATION);
		return pn_dec_result(&d);
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		pn_dec_problem(&d, "", "network-status is not valid JSON: %s (column %d)", je.text,
			       je.column);
		return pn_dec_result(&d);
	}
	r = pn_netstatus_decode(j, out, ps);
	json_decref(j);
	return r;
}

json_t *pn_netstatus_encode(const struct pn_netstatuses *st)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < st->n; i++) {
		const struct pn_netstatus *s = &st->v[i];
		json_t *o = json_object();
		int r = 0;

		if (!o || json_array_append_new(a, o) < 0)
			goto fail;
		r |= pn_json_set_str(o, "name", s->name);
		r |= pn_json_set_str(o, "interface", s->interface);
		if (s->n_ips)
			r |= pn_json_set_new(o, "ips", pn_strv_json(s->ips, s->n_ips));
		r |= pn_json_set_str(o, "mac", s->mac);
		if (s->is_default)
			r |= pn_json_set_new(o, "default", json_true());
		r |= pn_json_set_new(o, "dns", s->dns ? json_deep_copy(s->dns) : json_object());
		if (s->n_gateway)
			r |= pn_json_set_new(o, "gateway", pn_strv_json(s->gateway, s->n_gateway));
		if (r)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}
