/* model_objects.c — decoding, encoding and freeing PodNetwork,
 * PodNetworkAttachment, CNIConfig and IPPool. */
#include "model_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const api_both[] = { PN_API_VERSION, PN_K8S_API_VERSION, NULL };
static const char *const api_ours[] = { PN_API_VERSION, NULL };

/* Common start of every decoder: allocates and checks the top level. */
static void *decode_start(struct pn_dec *d, const json_t *j, size_t size)
{
	void *o = calloc(1, size);

	if (!o) {
		d->err = -ENOMEM;
		return NULL;
	}
	if (!json_is_object(j))
		pn_dec_problem(d, "", "must be an object, not %s", pn_json_type_name(j));
	return o;
}

static int conditions_decode(struct pn_dec *d, const json_t *status, json_t **out)
{
	return pn_get_json(d, status, "status", "conditions", JSON_ARRAY, out);
}

/* ---- PodNetwork ------------------------------------------------------------ */

int pn_podnetwork_decode(const json_t *j, struct pn_podnetwork **out, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	struct pn_podnetwork *pn = decode_start(&d, j, sizeof(*pn));
	const json_t *spec, *status;

	*out = NULL;
	if (!pn)
		return -ENOMEM;
	if (!json_is_object(j))
		goto done;
	pn->raw = json_incref((json_t *)j);
	pn_meta_decode(&d, j, api_both, "PodNetwork", &pn->meta);
	spec = pn_get_object(&d, j, "", "spec", false);
	if (spec) {
		pn->spec.enabled_set = pn_get_bool(&d, spec, "spec", "enabled", &pn->spec.enabled);
		pn_get_string(&d, spec, "spec", "provider", false, PN_MAX_STRING,
			      &pn->spec.provider);
		pn_refs_decode(&d, spec, "spec", &pn->spec.refs, &pn->spec.n_refs);
		pn_label_selector_decode_at(&d, spec, "spec", "namespaceSelector",
					    &pn->spec.namespace_selector);
	}
	status = pn_get_object(&d, j, "", "status", false);
	if (status) {
		pn_get_int64(&d, status, "status", "observedGeneration",
			     &pn->status.observed_generation);
		conditions_decode(&d, status, &pn->status.conditions);
	}
done:
	if (d.err) {
		pn_podnetwork_free(pn);
		return d.err;
	}
	*out = pn;
	return d.n;
}

/* Writes the typed status fields; unknown status fields are kept, and no
 * status is created when there is nothing to write. */
static int status_encode(json_t *obj, int64_t observed, json_t *conditions, json_t *ranges,
			 bool has_ranges)
{
	json_t *st = json_object_get(obj, "status");
	int r = 0;

	if (!json_is_object(st)) {
		if (!observed && !conditions && !ranges) {
			json_object_del(obj, "status");
			return 0;
		}
		st = pn_json_child(obj, "status");
		if (!st)
			return -ENOMEM;
	}
	if (observed)
		r |= pn_json_set_new(st, "observedGeneration", json_integer(observed));
	else
		json_object_del(st, "observedGeneration");
	r |= pn_json_set_new(st, "conditions", conditions ? json_deep_copy(conditions) : NULL);
	if (has_ranges)
		r |= pn_json_set_new(st, "ranges", ranges ? json_deep_copy(ranges) : NULL);
	return r ? -ENOMEM : 0;
}

json_t *pn_podnetwork_encode(const struct pn_podnetwork *pn)
{
	json_t *o = pn_json_base(pn->raw), *spec;
	int r = 0;

	if (!o)
		return NULL;
	r |= pn_meta_encode(&pn->meta, o);
	spec = pn_json_child(o, "spec");
	if (!spec)
		goto fail;
	if (pn->spec.enabled_set)
		r |= pn_json_set_new(spec, "enabled", json_boolean(pn->spec.enabled));
	else
		json_object_del(spec, "enabled");
	r |= pn_json_set_str(spec, "provider", pn->spec.provider);
	if (pn->spec.n_refs)
		r |= pn_json_set_new(spec, "parametersRefs",
				     pn_refs_encode(pn->spec.refs, pn->spec.n_refs,
						    json_object_get(spec, "parametersRefs")));
	else if (json_is_array(json_object_get(spec, "parametersRefs")))
		r |= pn_json_set_new(spec, "parametersRefs", json_array());
	/* Absent stays absent (and a null stays null): the selector is written
	 * only when one was decoded. */
	if (pn->spec.namespace_selector)
		r |= pn_json_set_new(spec, "namespaceSelector",
				     pn_label_selector_encode(pn->spec.namespace_selector));
	r |= status_encode(o, pn->status.observed_generation, pn->status.conditions, NULL,
			    false);
	if (r)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

void pn_podnetwork_free(struct pn_podnetwork *pn)
{
	if (!pn)
		return;
	json_decref(pn->raw);
	pn_meta_clear(&pn->meta);
	free(pn->spec.provider);
	pn_refs_free(pn->spec.refs, pn->spec.n_refs);
	pn_label_selector_free(pn->spec.namespace_selector);
	json_decref(pn->status.conditions);
	free(pn);
}

int pn_podnetwork_immutable(const struct pn_podnetwork *old, const struct pn_podnetwork *new_,
			    struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };

	/* spec.namespaceSelector is not compared: narrowing or widening access
	 * is a normal operation (planned Pods keep their attachments). */
	if (!pn_streq(old->spec.provider, new_->spec.provider))
		pn_dec_problem(&d, "spec.provider",
			       "is immutable (was \"%s\"); only spec.enabled and "
			       "spec.namespaceSelector may change",
			       old->spec.provider ? old->spec.provider : "");
	if (!pn_refs_equal(old->spec.refs, old->spec.n_refs, new_->spec.refs, new_->spec.n_refs))
		pn_dec_problem(&d, "spec.parametersRefs",
			       "is immutable; only spec.enabled and spec.namespaceSelector "
			       "may change");
	return pn_dec_result(&d);
}

/* ---- PodNetworkAttachment -------------------------------------------------- */

int pn_attachment_decode(const json_t *j, struct pn_attachment **out, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	struct pn_attachment *a = decode_start(&d, j, sizeof(*a));
	const json_t *spec, *status;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	if (!json_is_object(j))
		goto done;
	a->raw = json_incref((json_t *)j);
	pn_meta_decode(&d, j, api_both, "PodNetworkAttachment", &a->meta);
	spec = pn_get_object(&d, j, "", "spec", true);
	if (spec) {
		pn_get_string(&d, spec, "spec", "podNetworkName", true, PN_MAX_STRING,
			      &a->spec.pod_network_name);
		pn_refs_decode(&d, spec, "spec", &a->spec.refs, &a->spec.n_refs);
	}
	status = pn_get_object(&d, j, "", "status", false);
	if (status)
		conditions_decode(&d, status, &a->status.conditions);
done:
	if (d.err) {
		pn_attachment_free(a);
		return d.err;
	}
	*out = a;
	return d.n;
}

json_t *pn_attachment_encode(const struct pn_attachment *a)
{
	json_t *o = pn_json_base(a->raw), *spec;
	int r = 0;

	if (!o)
		return NULL;
	r |= pn_meta_encode(&a->meta, o);
	spec = pn_json_child(o, "spec");
	if (!spec)
		goto fail;
	r |= pn_json_set_str(spec, "podNetworkName", a->spec.pod_network_name);
	if (a->spec.n_refs)
		r |= pn_json_set_new(spec, "parametersRefs",
				     pn_refs_encode(a->spec.refs, a->spec.n_refs,
						    json_object_get(spec, "parametersRefs")));
	else if (json_is_array(json_object_get(spec, "parametersRefs")))
		r |= pn_json_set_new(spec, "parametersRefs", json_array());
	r |= status_encode(o, 0, a->status.conditions, NULL, false);
	if (r)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

void pn_attachment_free(struct pn_attachment *a)
{
	if (!a)
		return;
	json_decref(a->raw);
	pn_meta_clear(&a->meta);
	free(a->spec.pod_network_name);
	pn_refs_free(a->spec.refs, a->spec.n_refs);
	json_decref(a->status.conditions);
	free(a);
}

int pn_attachment_immutable(const struct pn_attachment *old, const struct pn_attachment *new_,
			    struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };

	if (!pn_streq(old->spec.pod_network_name, new_->spec.pod_network_name))
		pn_dec_problem(&d, "spec.podNetworkName", "is immutable (was \"%s\")",
			       old->spec.pod_network_name ? old->spec.pod_network_name : "");
	if (!pn_refs_equal(old->spec.refs, old->spec.n_refs, new_->spec.refs, new_->spec.n_refs))
		pn_dec_problem(&d, "spec.parametersRefs", "is immutable");
	return pn_dec_result(&d);
}

/* ---- CNIConfig ------------------------------------------------------------- */

int pn_cniconfig_decode(const json_t *j, struct pn_cniconfig **out, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	struct pn_cniconfig *c = decode_start(&d, j, sizeof(*c));
	const json_t *spec, *status, *plugins;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	if (!json_is_object(j))
		goto done;
	c->raw = json_incref((json_t *)j);
	pn_meta_decode(&d, j, api_ours, "CNIConfig", &c->meta);
	spec = pn_get_object(&d, j, "", "spec", true);
	if (spec) {
		pn_get_string(&d, spec, "spec", "cniVersion", false, PN_MAX_STRING,
			      &c->spec.cni_version);
		plugins = pn_get_array(&d, spec, "spec", "plugins", true, PN_MAX_PLUGINS);
		if (plugins)
			c->spec.plugins = json_incref((json_t *)plugins);
	}
	status = pn_get_object(&d, j, "", "status", false);
	if (status)
		conditions_decode(&d, status, &c->status.conditions);
done:
	if (d.err) {
		pn_cniconfig_free(c);
		return d.err;
	}
	*out = c;
	return d.n;
}

json_t *pn_cniconfig_encode(const struct pn_cniconfig *c)
{
	json_t *o = pn_json_base(c->raw), *spec;
	int r = 0;

	if (!o)
		return NULL;
	r |= pn_meta_encode(&c->meta, o);
	spec = pn_json_child(o, "spec");
	if (!spec)
		goto fail;
	r |= pn_json_set_str(spec, "cniVersion", c->spec.cni_version);
	r |= pn_json_set_new(spec, "plugins",
			     c->spec.plugins ? json_deep_copy(c->spec.plugins) : NULL);
	r |= status_encode(o, 0, c->status.conditions, NULL, false);
	if (r)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

void pn_cniconfig_free(struct pn_cniconfig *c)
{
	if (!c)
		return;
	json_decref(c->raw);
	pn_meta_clear(&c->meta);
	free(c->spec.cni_version);
	json_decref(c->spec.plugins);
	json_decref(c->status.conditions);
	free(c);
}

json_t *pn_cniconfig_conflist(const struct pn_cniconfig *c, const char *network)
{
	json_t *o = json_object();
	int r = 0;

	if (!o)
		return NULL;
	r |= pn_json_set_str(o, "cniVersion",
			     c->spec.cni_version ? c->spec.cni_version : PN_DEFAULT_CNI_VERSION);
	r |= pn_json_set_str(o, "name", network);
	r |= pn_json_set_new(o, "plugins",
			     c->spec.plugins ? json_deep_copy(c->spec.plugins) : json_array());
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- IPPool ---------------------------------------------------------------- */

static void range_clear(struct pn_ippool_range *r)
{
	free(r->cidr);
	free(r->start);
	free(r->end);
	free(r->gateway);
	pn_strv_free(r->exclude, r->n_exclude);
}

int pn_ippool_decode(const json_t *j, struct pn_ippool **out, struct pn_problems *ps)
{
	char path[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	struct pn_ippool *p = decode_start(&d, j, sizeof(*p));
	const json_t *spec, *status, *a;
	size_t i;
	json_t *v;

	*out = NULL;
	if (!p)
		return -ENOMEM;
	if (!json_is_object(j))
		goto done;
	p->raw = json_incref((json_t *)j);
	pn_meta_decode(&d, j, api_ours, "IPPool", &p->meta);
	spec = pn_get_object(&d, j, "", "spec", true);
	if (!spec)
		goto status;
	a = pn_get_array(&d, spec, "spec", "ranges", true, PN_MAX_RANGES);
	if (a) {
		p->spec.ranges = calloc(json_array_size(a) + 1, sizeof(*p->spec.ranges));
		if (!p->spec.ranges) {
			d.err = -ENOMEM;
			goto done;
		}
		json_array_foreach(a, i, v) {
			struct pn_ippool_range *r = &p->spec.ranges[p->spec.n_ranges];

			pn_pidx(path, "spec.ranges", i);
			if (!json_is_object(v)) {
				pn_dec_problem(&d, path, "must be an object, not %s",
					       pn_json_type_name(v));
				continue;
			}
			pn_get_string(&d, v, path, "cidr", true, 64, &r->cidr);
			pn_get_string(&d, v, path, "start", false, 64, &r->start);
			pn_get_string(&d, v, path, "end", false, 64, &r->end);
			pn_get_string(&d, v, path, "gateway", false, 64, &r->gateway);
			pn_get_strings(&d, v, path, "exclude", PN_MAX_EXCLUDES, &r->exclude,
				       &r->n_exclude);
			p->spec.n_ranges++;
		}
	}
	a = pn_get_array(&d, spec, "spec", "routes", false, PN_MAX_ROUTES);
	if (a) {
		p->spec.routes = calloc(json_array_size(a) + 1, sizeof(*p->spec.routes));
		if (!p->spec.routes) {
			d.err = -ENOMEM;
			goto done;
		}
		json_array_foreach(a, i, v) {
			struct pn_route *r = &p->spec.routes[p->spec.n_routes];

			pn_pidx(path, "spec.routes", i);
			if (!json_is_object(v)) {
				pn_dec_problem(&d, path, "must be an object, not %s",
					       pn_json_type_name(v));
				continue;
			}
			pn_get_string(&d, v, path, "dst", true, 64, &r->dst);
			pn_get_string(&d, v, path, "gw", false, 64, &r->gw);
			p->spec.n_routes++;
		}
	}
status:
	status = pn_get_object(&d, j, "", "status", false);
	if (status) {
		conditions_decode(&d, status, &p->status.conditions);
		pn_get_json(&d, status, "status", "ranges", JSON_ARRAY, &p->status.ranges);
	}
done:
	if (d.err) {
		pn_ippool_free(p);
		return d.err;
	}
	*out = p;
	return d.n;
}

json_t *pn_routes_encode(const struct pn_route *routes, size_t n, const json_t *orig)
{
	json_t *a = json_array();
	bool keep = json_is_array(orig) && json_array_size(orig) == n;

	for (size_t i = 0; a && i < n; i++) {
		json_t *e = keep ? json_array_get(orig, i) : NULL;
		json_t *o = json_is_object(e) ? json_deep_copy(e) : json_object();
		int r = 0;

		if (!o)
			goto fail;
		r |= pn_json_set_str(o, "dst", routes[i].dst);
		r |= pn_json_set_str(o, "gw", routes[i].gw);
		if (json_array_append_new(a, o) < 0 || r)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

json_t *pn_ippool_encode(const struct pn_ippool *p)
{
	json_t *o = pn_json_base(p->raw), *spec, *ranges, *old;
	int r = 0;

	if (!o)
		return NULL;
	r |= pn_meta_encode(&p->meta, o);
	spec = pn_json_child(o, "spec");
	if (!spec)
		goto fail;
	/* Keep unknown fields of each range: write over the original entry. */
	old = json_object_get(spec, "ranges");
	ranges = json_array();
	if (!ranges)
		goto fail;
	for (size_t i = 0; i < p->spec.n_ranges; i++) {
		const struct pn_ippool_range *rg = &p->spec.ranges[i];
		json_t *e = json_is_array(old) && json_array_size(old) == p->spec.n_ranges &&
					json_is_object(json_array_get(old, i))
				    ? json_deep_copy(json_array_get(old, i))
				    : json_object();

		if (!e || json_array_append_new(ranges, e) < 0) {
			json_decref(ranges);
			goto fail;
		}
		r |= pn_json_set_str(e, "cidr", rg->cidr);
		r |= pn_json_set_str(e, "start", rg->start);
		r |= pn_json_set_str(e, "end", rg->end);
		r |= pn_json_set_str(e, "gateway", rg->gateway);
		r |= pn_json_set_new(e, "exclude",
				     rg->n_exclude ? pn_strv_json(rg->exclude, rg->n_exclude) : NULL);
	}
	r |= pn_json_set_new(spec, "ranges", ranges);
	if (p->spec.n_routes)
		r |= pn_json_set_new(spec, "routes", pn_routes_encode(p->spec.routes, p->spec.n_routes,
								  json_object_get(spec, "routes")));
	else if (json_is_array(json_object_get(spec, "routes")))
		r |= pn_json_set_new(spec, "routes", json_array());
	r |= status_encode(o, 0, p->status.conditions, p->status.ranges, true);
	if (r)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

void pn_ippool_free(struct pn_ippool *p)
{
	if (!p)
		return;
	json_decref(p->raw);
	pn_meta_clear(&p->meta);
	for (size_t i = 0; i < p->spec.n_ranges; i++)
		range_clear(&p->spec.ranges[i]);
	free(p->spec.ranges);
	for (size_t i = 0; i < p->spec.n_routes; i++) {
		free(p->spec.routes[i].dst);
		free(p->spec.routes[i].gw);
	}
	free(p->spec.routes);
	json_decref(p->status.conditions);
	json_decref(p->status.ranges);
	free(p);
}
