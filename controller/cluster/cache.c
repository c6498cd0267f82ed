/* cache.c — decoded objects from the informer caches, cached by
 * resourceVersion, and the planner's resolver over them. */
#include "cluster/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pn_decoded {
	struct pn_object obj;
	int problems;     /* decode + validate */
	char *rv;
};

static void decoded_free(struct pn_decoded *d)
{
	if (!d)
		return;
	pn_object_release(&d->obj);
	free(d->rv);
	free(d);
}

void pn_ctl_forget_decoded(struct pn_ctl *ctl, const char *kind, const char *key)
{
	char k[600];

	snprintf(k, sizeof(k), "%s/%s", kind, key);
	decoded_free(pn_strmap_del(&ctl->decoded, k));
}

static const char *rv_of(json_t *o)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), "resourceVersion"));
}

/* The decoded, defaulted form of an informer object, or NULL when absent. */
static struct pn_decoded *decoded(struct pn_ctl *ctl, enum pn_inf which, const char *kind,
				  const char *ns, const char *name)
{
	char k[600];
	json_t *o;
	const char *rv;
	struct pn_decoded *d;
	struct pn_problems ps = { 0 };
	int r;

	if (!ctl->inf[which])
		return NULL;
	o = pn_informer_get(ctl->inf[which], ns, name);
	if (!o)
		return NULL;
	rv = rv_of(o) ?: "";
	snprintf(k, sizeof(k), "%s/%s%s%s", kind, ns ? ns : "", ns ? "/" : "", name);
	d = pn_strmap_get(&ctl->decoded, k);
	if (d && !strcmp(d->rv, rv))
		return d;
	decoded_free(pn_strmap_del(&ctl->decoded, k));
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->rv = strdup(rv);
	if (which == PN_INF_NETWORKS || which == PN_INF_ATTACHMENTS) {
		json_t *eff = pn_ctl_effective(o, which == PN_INF_NETWORKS);

		r = eff ? pn_object_decode(eff, NULL, &d->obj, &ps) : -ENOMEM;
		json_decref(eff);
	} else {
		r = pn_object_decode(o, NULL, &d->obj, &ps);
	}
	if (r >= 0 && d->obj.kind != PN_KIND_UNKNOWN) {
		pn_object_default(&d->obj);
		r += pn_object_validate(&d->obj, &ps);
	}
	d->problems = r < 0 ? 1 : (int)ps.n;
	pn_problems_clear(&ps);
	if (!d->rv || d->obj.kind == PN_KIND_UNKNOWN || pn_strmap_put(&ctl->decoded, k, d) < 0) {
		decoded_free(d);
		ctl->m.errors_decode++;
		return NULL;
	}
	return d;
}

json_t *pn_ctl_effective(json_t *obj, bool keep_enabled)
{
	json_t *ann = json_object_get(json_object_get(obj, "metadata"), "annotations");
	const char *text = json_string_value(json_object_get(ann, PN_ANNOTATION_ACCEPTED));
	json_t *acc, *eff, *enabled, *selector;

	if (!text || strlen(text) > PN_MAX_ANNOTATION)
		return json_incref(obj);
	acc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(acc)) {
		json_decref(acc);
		return json_incref(obj);
	}
	eff = json_deep_copy(obj);
	if (!eff) {
		json_decref(acc);
		return NULL;
	}
	enabled = json_object_get(json_object_get(obj, "spec"), "enabled");
	selector = json_object_get(json_object_get(obj, "spec"), "namespaceSelector");
	json_object_del(acc, "enabled");
	json_object_del(acc, "namespaceSelector");
	/* The mutable fields of a PodNetwork follow the object. */
	if (keep_enabled && enabled)
		json_object_set(acc, "enabled", enabled);
	if (keep_enabled && selector)
		json_object_set(acc, "namespaceSelector", selector);
	json_object_set_new(eff, "spec", acc);
	return eff;
}

const struct pn_podnetwork *pn_ctl_network(struct pn_ctl *ctl, const char *name)
{
	struct pn_decoded *d = decoded(ctl, PN_INF_NETWORKS, "net", NULL, name);

	return d ? d->obj.u.podnetwork : NULL;
}

const struct pn_cniconfig *pn_ctl_cniconfig(struct pn_ctl *ctl, const char *name, int *problems)
{
	struct pn_decoded *d = decoded(ctl, PN_INF_CNICONFIGS, "cni", NULL, name);

	if (problems)
		*problems = d ? d->problems : 0;
	return d ? d->obj.u.cniconfig : NULL;
}

const struct pn_ippool *pn_ctl_ippool(struct pn_ctl *ctl, const char *name, int *problems)
{
	struct pn_decoded *d = decoded(ctl, PN_INF_IPPOOLS, "pool", NULL, name);

	if (problems)
		*problems = d ? d->problems : 0;
	return d ? d->obj.u.ippool : NULL;
}

const struct pn_attachment *pn_ctl_attachment(struct pn_ctl *ctl, const char *ns,
					      const char *name, int *problems)
{
	struct pn_decoded *d = decoded(ctl, PN_INF_ATTACHMENTS, "pna", ns, name);

	if (problems)
		*problems = d ? d->problems : 0;
	return d ? d->obj.u.attachment : NULL;
}

json_t *pn_ctl_nad_config(struct pn_ctl *ctl, const char *ns, const char *name)
{
	json_t *o, *conf;
	const char *text;

	if (!ctl->inf[PN_INF_NADS])
		return NULL;
	o = pn_informer_get(ctl->inf[PN_INF_NADS], ns, name);
	text = json_string_value(json_object_get(json_object_get(o, "spec"), "config"));
	if (!text || strlen(text) > PN_MAX_ANNOTATION)
		return NULL;
	conf = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(conf)) {
		json_decref(conf);
		return NULL;
	}
	return conf;
}

/* ---- resolver ----------------------------------------------------------------- */

static const struct pn_podnetwork *r_network(void *ud, const char *name)
{
	return pn_ctl_network(ud, name);
}

static const struct pn_attachment *r_attachment(void *ud, const char *ns, const char *name)
{
	return pn_ctl_attachment(ud, ns, name, NULL);
}

static const struct pn_cniconfig *r_cniconfig(void *ud, const char *name)
{
	int problems;
	const struct pn_cniconfig *c = pn_ctl_cniconfig(ud, name, &problems);

	return problems ? NULL : c;
}

static const struct pn_ippool *r_ippool(void *ud, const char *name)
{
	int problems;
	const struct pn_ippool *p = pn_ctl_ippool(ud, name, &problems);

	return problems ? NULL : p;
}

static json_t *r_nad(void *ud, const char *ns, const char *name)
{
	return pn_ctl_nad_config(ud, ns, name);
}

/* The labels of a Namespace in the cache (the transform gives every one a
 * labels object), NULL when the cache does not have it. */
static const json_t *r_ns_labels(void *ud, const char *ns)
{
	struct pn_ctl *ctl = ud;
	json_t *o = ctl->inf[PN_INF_NAMESPACES]
			    ? pn_informer_get(ctl->inf[PN_INF_NAMESPACES], NULL, ns)
			    : NULL;
	json_t *labels = json_object_get(json_object_get(o, "metadata"), "labels");

	return json_is_object(labels) ? labels : NULL;
}

/* Judged live, as the attachment's Ready condition is written: a Pod does not
 * wait for the status write, and is tried again when what the attachment
 * depends on changes (main.c requeues waiting Pods then). */
static bool r_attachment_ready(void *ud, const char *ns, const struct pn_attachment *a,
			       char *reason, size_t rlen, char *msg, size_t mlen)
{
	return pn_ctl_attachment_ready(ud, ns, a, reason, rlen, msg, mlen);
}

void pn_ctl_resolver(struct pn_ctl *ctl, const struct pn_plan *current, struct pn_resolver *r)
{
	*r = (struct pn_resolver){ .ctx = ctl, .network = r_network, .attachment = r_attachment,
				   .cniconfig = r_cniconfig, .ippool = r_ippool,
				   .nad_config = r_nad, .namespace_labels = r_ns_labels,
				   .current = current, .attachment_ready = r_attachment_ready };
}
