/* pods.c — the Pod reconciler: what a Pod asks for, resolved, checked,
 * given addresses and written as its plan with one guarded PATCH; and the
 * address holds kept in step with what the Pods' objects say.
 *
 * Lost updates and lost responses: the plan PATCH is a JSON patch whose
 * first operation tests metadata.resourceVersion, so it applies only to the
 * version the plan was computed from. Whatever the outcome of a write (even
 * an error whose request may have been applied), its addresses stay held
 * until the Pod is observed at a resourceVersion past that version: such an
 * observation shows whether the plan is there, and only then are addresses
 * that are not in it released.
 *
 * Signed plans: every plan written carries podnet.dev/plan-signature, the
 * signature of (Pod UID, seq, plan text) with the key of keys.c, in the same
 * patch. A plan on a Pod that does not verify against the key ring was not
 * written by podnet-controller: its addresses are never held (at rebuild or
 * in any observation), a Warning Event PlanRejected says why, and it is
 * replaced by the controller's own signed plan, or removed with its
 * signature when the Pod asks for nothing. */
#include "cluster/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/ops.h"
#include "pn/doc.h"

#define REFS_KEY "podnetRefs" /* computed by the transform, only in our cache */

static const char *meta_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), k));
}

static const char *annotation(json_t *o, const char *k)
{
	return json_string_value(
		json_object_get(json_object_get(json_object_get(o, "metadata"), "annotations"), k));
}

static uint64_t rv_num(const char *rv)
{
	return rv ? strtoull(rv, NULL, 10) : 0;
}

static bool terminal(json_t *pod)
{
	const char *ph = json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));

	return ph && (!strcmp(ph, "Succeeded") || !strcmp(ph, "Failed"));
}

json_t *pn_ctl_parse_networks(const char *text, size_t len, char *err, size_t errlen, void *ctx)
{
	struct pn_problems ps = { 0 };
	struct pn_doc doc = { 0 };
	json_t *root = NULL;

	if (pn_doc_load_value(text, len, NULL, PN_NETWORKS_PATH, &doc, &ps) < 0) {
		snprintf(err, errlen, "%s", ps.n ? ps.v[0].message : "invalid YAML");
		if (ps.n && ps.v[0].line)
			snprintf(err, errlen, "line %d column %d: %s", ps.v[0].line, ps.v[0].col,
				 ps.v[0].message);
	} else {
		root = json_incref(doc.root);
	}
	pn_doc_clear(&doc);
	pn_problems_clear(&ps);
	return root;
}

/* The networks and attachments a request list and a plan name. */
static void refs_of(json_t *slim, const char *ns, json_t *nets, json_t *pnas)
{
	const char *text = annotation(slim, PN_ANNOTATION_NETWORKS);
	const char *plan = annotation(slim, PN_ANNOTATION_PLAN);
	char err[128], buf[600];
	size_t i;
	json_t *e, *list, *p;

	if (text && strlen(text) <= PN_MAX_ANNOTATION) {
		list = pn_ctl_parse_networks(text, strlen(text), err, sizeof(err), NULL);
		json_array_foreach(list, i, e) {
			const char *n = json_string_value(json_object_get(e, "podNetworkName"));
			const char *a = json_string_value(json_object_get(e, "podNetworkAttachmentName"));

			if (!n)
				n = json_string_value(json_object_get(e, "name"));
			if (!a)
				a = json_string_value(json_object_get(e, "attachmentName"));
			if (n)
				json_array_append_new(nets, json_string(n));
			if (a && snprintf(buf, sizeof(buf), "%s/%s", ns, a) < (int)sizeof(buf))
				json_array_append_new(pnas, json_string(buf));
		}
		json_decref(list);
	}
	if (plan && strlen(plan) <= PN_MAX_PLAN) {
		p = json_loads(plan, 0, NULL);
		json_array_foreach(json_object_get(p, "attachments"), i, e) {
			const char *n = json_string_value(json_object_get(e, "network"));

			if (n)
				json_array_append_new(nets, json_string(n));
		}
		json_decref(p);
	}
}

static void uniq_strings(json_t *arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		for (size_t j = json_array_size(arr); j-- > i + 1;)
			if (json_equal(json_array_get(arr, i), json_array_get(arr, j)))
				json_array_remove(arr, j);
}

json_t *pn_ctl_pod_transform(void *ud, json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata"), *ann = json_object_get(md, "annotations");
	json_t *spec = json_object_get(obj, "spec"), *st = json_object_get(obj, "status");
	json_t *out, *m, *a = json_object(), *refs;
	static const char *const keep[] = { "name", "namespace", "uid", "resourceVersion",
					    "deletionTimestamp", "generation" };
	static const char *const keep_ann[] = { PN_ANNOTATION_NETWORKS, PN_ANNOTATION_PLAN,
						PN_ANNOTATION_PLAN_SIGNATURE, PN_ANNOTATION_STATUS };

	m = json_object();
	out = json_pack("{ss ss so s{} s{}}", "apiVersion", "v1", "kind", "Pod", "metadata", m,
			"spec", "status");
	if (!out || !a) {
		json_decref(out);
		json_decref(a);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_get(md, keep[i]))
			json_object_set(m, keep[i], json_object_get(md, keep[i]));
	for (size_t i = 0; i < sizeof(keep_ann) / sizeof(keep_ann[0]); i++)
		if (json_object_get(ann, keep_ann[i]))
			json_object_set(a, keep_ann[i], json_object_get(ann, keep_ann[i]));
	if (json_object_size(a))
		json_object_set(m, "annotations", a);
	json_decref(a);
	if (json_object_get(spec, "nodeName"))
		json_object_set(json_object_get(out, "spec"), "nodeName",
				json_object_get(spec, "nodeName"));
	if (json_is_true(json_object_get(spec, "hostNetwork")))
		json_object_set_new(json_object_get(out, "spec"), "hostNetwork", json_true());
	if (json_object_get(spec, "networks"))
		json_object_set(json_object_get(out, "spec"), "networks",
				json_object_get(spec, "networks"));
	if (json_object_get(st, "phase"))
		json_object_set(json_object_get(out, "status"), "phase", json_object_get(st, "phase"));
	/* an unscheduled Pod keeps its PodScheduled condition (schedule.c) */
	if (!json_object_get(spec, "nodeName")) {
		json_t *c;
		size_t i;

		json_array_foreach(json_object_get(st, "conditions"), i, c) {
			const char *type = json_string_value(json_object_get(c, "type"));

			if (type && !strcmp(type, "PodScheduled"))
				json_object_set_new(json_object_get(out, "status"), "conditions",
						    json_pack("[{s:O?,s:O?,s:O?}]", "type",
							      json_object_get(c, "type"), "status",
							      json_object_get(c, "status"), "reason",
							      json_object_get(c, "reason")));
		}
	}
	refs = json_pack("{s[] s[]}", "nets", "pnas");
	if (refs && !terminal(out)) {
		refs_of(out, meta_str(out, "namespace") ?: "default", json_object_get(refs, "nets"),
			json_object_get(refs, "pnas"));
		uniq_strings(json_object_get(refs, "nets"));
		uniq_strings(json_object_get(refs, "pnas"));
	}
	if (refs)
		json_object_set_new(out, REFS_KEY, refs);
	return out;
}

int pn_ctl_pod_refs(json_t *pod, json_t *nets, json_t *pnas)
{
	json_t *refs = json_object_get(pod, REFS_KEY);

	json_array_extend(nets, json_object_get(refs, "nets"));
	json_array_extend(pnas, json_object_get(refs, "pnas"));
	return 0;
}

/* ---- which pool an address of a plan or network-status belongs to ---------------- */

static const char *ippool_ref(const struct pn_param_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].group && !strcmp(refs[i].group, PN_GROUP) && refs[i].kind &&
		    !strcmp(refs[i].kind, "IPPool"))
			return refs[i].name;
	return NULL;
}

static bool pool_has(struct pn_ctl *ctl, const char *pool, const struct pn_ip *ip, int *known)
{
	struct pn_addrs_pool *pl = pn_addrs_pool(&ctl->addrs, pool);

	if (!pl || !pl->ipam)
		return false;
	(*known)++;
	return pn_ipam_check(pl->ipam, ip) != -ERANGE;
}

/* Candidates: the pool of the attachment the Pod asks for, the network's,
 * then those of every attachment of the namespace on that network. */
static const char *pool_for(struct pn_ctl *ctl, const char *ns, const char *network,
			    const struct pn_ip *ip, const struct pn_pod *pod)
{
	const char *cand[16];
	size_t n = 0;
	const struct pn_podnetwork *net = pn_ctl_network(ctl, network);
	const char *key;
	json_t *v;
	int known = 0;

	for (size_t i = 0; pod && i < pod->networks.n && n < 16; i++) {
		const struct pn_netreq *q = &pod->networks.v[i];
		const struct pn_attachment *a;

		if (!q->attachment)
			continue;
		a = pn_ctl_attachment(ctl, ns, q->attachment, NULL);
		if (a && a->spec.pod_network_name && !strcmp(a->spec.pod_network_name, network) &&
		    ippool_ref(a->spec.refs, a->spec.n_refs))
			cand[n++] = ippool_ref(a->spec.refs, a->spec.n_refs);
	}
	if (net && ippool_ref(net->spec.refs, net->spec.n_refs) && n < 16)
		cand[n++] = ippool_ref(net->spec.refs, net->spec.n_refs);
	json_object_foreach(pn_informer_store(ctl->inf[PN_INF_ATTACHMENTS]), key, v) {
		const struct pn_attachment *a;

		if (n == 16 || strncmp(key, ns, strlen(ns)) != 0 || key[strlen(ns)] != '/')
			continue;
		a = pn_ctl_attachment(ctl, ns, key + strlen(ns) + 1, NULL);
		if (a && a->spec.pod_network_name && !strcmp(a->spec.pod_network_name, network) &&
		    ippool_ref(a->spec.refs, a->spec.n_refs))
			cand[n++] = ippool_ref(a->spec.refs, a->spec.n_refs);
	}
	for (size_t i = 0; i < n; i++)
		if (pool_has(ctl, cand[i], ip, &known))
			return cand[i];
	/* no candidate's IPAM is known yet: the first one */
	return n && known == 0 ? cand[0] : NULL;
}

/* 0 when the Pod's plan was signed by a trusted key for this Pod; *seq and
 * keyid (PN_PLAN_KEYID_LEN+1 bytes, may be NULL) filled. */
static int plan_verified(struct pn_ctl *ctl, json_t *slim, uint64_t *seq, char *keyid, char *err,
			 size_t errlen)
{
	return pn_plan_verify(&ctl->plan_keys, meta_str(slim, "uid"),
			      annotation(slim, PN_ANNOTATION_PLAN),
			      annotation(slim, PN_ANNOTATION_PLAN_SIGNATURE), seq, keyid, err, errlen);
}

struct want {
	struct pn_hold *v;
	size_t n, cap;
};

static int want_add(struct want *w, const char *pool, const char *network, const struct pn_ip *ip)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].pool, pool) && !strcmp(w->v[i].network, network) &&
		    !pn_ip_cmp(&w->v[i].ip, ip))
			return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct pn_hold *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n].pool = (char *)pool;
	w->v[w->n].network = (char *)network;
	w->v[w->n].ip = *ip;
	w->n++;
	return 0;
}

/* Strings referenced by a want list live in these. */
struct want_store {
	struct pn_plan plan;
	struct pn_netstatuses st;
	struct pn_pod *pod;
};

static void want_store_clear(struct want_store *s)
{
	pn_plan_clear(&s->plan);
	pn_netstatus_clear(&s->st);
	pn_pod_free(s->pod);
}

static int add_addr(struct pn_ctl *ctl, struct want *w, const char *ns, const char *network,
		    const char *text, const struct pn_pod *pod)
{
	char buf[PN_PREFIX_STRLEN], *slash;
	struct pn_ip ip;
	const char *pool;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (pn_ip_parse(buf, &ip) < 0)
		return 0;
	pool = pool_for(ctl, ns, network, &ip, pod);
	return pool ? want_add(w, pool, network, &ip) : 0;
}

/* What the Pod object says it holds: its plan's addresses, plus those the
 * agent still reports attached, plus (on a bound Pod whose agent has not
 * reported yet) what it held for attachments no longer in the plan. */
static int wanted(struct pn_ctl *ctl, struct pn_addrs_pod *p, json_t *slim, struct want *w,
		  struct want_store *s)
{
	const char *ns = meta_str(slim, "namespace") ?: "default";
	const char *plan = annotation(slim, PN_ANNOTATION_PLAN);
	const char *status = annotation(slim, PN_ANNOTATION_STATUS);
	struct pn_pod_decode_opts opts = { .parse = pn_ctl_parse_networks,
					    .native_networks = ctl->native_networks };
	struct pn_problems ps = { 0 };
	int r = 0;

	pn_pod_decode(slim, &opts, &s->pod, &ps);
	pn_problems_clear(&ps);
	if (plan) {
		/* a plan we did not sign holds nothing */
		char err[256];
		uint64_t seq = 0;

		if (plan_verified(ctl, slim, &seq, NULL, err, sizeof(err)) < 0)
			plan = NULL;
		else if (p && seq > p->seq)
			p->seq = seq;
	}
	if (plan && pn_plan_loads(plan, strlen(plan), &s->plan, &ps) < 0)
		memset(&s->plan, 0, sizeof(s->plan));
	pn_problems_clear(&ps);
	if (status && pn_netstatus_loads(status, strlen(status), &s->st, &ps) < 0)
		memset(&s->st, 0, sizeof(s->st));
	pn_problems_clear(&ps);
	for (size_t i = 0; i < s->plan.n && r >= 0; i++)
		for (size_t k = 0; k < s->plan.v[i].n_ips && r >= 0; k++)
			r = add_addr(ctl, w, ns, s->plan.v[i].network, s->plan.v[i].ips[k], s->pod);
	for (size_t i = 0; i < s->st.n && r >= 0; i++)
		for (size_t k = 0; s->st.v[i].name && k < s->st.v[i].n_ips && r >= 0; k++)
			r = add_addr(ctl, w, ns, s->st.v[i].name, s->st.v[i].ips[k], s->pod);
	if (!status && json_object_get(json_object_get(slim, "spec"), "nodeName") && p)
		for (size_t i = 0; i < p->n && r >= 0; i++)
			if (!pn_plan_find(&s->plan, p->v[i].network))
				r = want_add(w, p->v[i].pool, p->v[i].network, &p->v[i].ip);
	return r;
}

/* Brings the Pod's holds in step with an observation of its object. */
static int observe(struct pn_ctl *ctl, struct pn_addrs_pod *p, json_t *slim)
{
	struct want w = { 0 };
	struct want_store s = { 0 };
	uint64_t rv = rv_num(meta_str(slim, "resourceVersion"));
	bool authoritative = p->inflight == 0 && rv >= p->min_rv;
	size_t before = p->n;
	int r = wanted(ctl, p, slim, &w, &s);

	if (r >= 0)
		r = pn_addrs_pod_sync(&ctl->addrs, p, w.v, w.n, !authoritative);
	if (r > 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%d address(es) of this Pod's plan are held by another "
			 "Pod", r);
		pn_ctl_log(ctl, 0, "Pod %s/%s: %s", meta_str(slim, "namespace"),
			   meta_str(slim, "name"), msg);
		pn_kube_recorder_event(ctl->rec, slim, "Warning", "AddressConflict", msg);
	}
	if (p->n < before)
		ctl->requeue_waiting = true;
	free(w.v);
	want_store_clear(&s);
	return r < 0 ? r : 0;
}

static struct pn_addrs_pod *pod_state(struct pn_ctl *ctl, json_t *slim)
{
	const char *uid = meta_str(slim, "uid");
	struct pn_addrs_pod *p;

	if (!uid)
		return NULL;
	p = pn_addrs_pod(&ctl->addrs, uid, true);
	if (!p)
		return NULL;
	if (!p->key) {
		char key[512];

		if (pn_informer_key(slim, key, sizeof(key)) == 0)
			p->key = strdup(key);
	}
	p->stamp = ev_now(ctl->loop);
	return p;
}

int pn_ctl_pod_load(struct pn_ctl *ctl, json_t *slim)
{
	struct pn_addrs_pod *p;

	if (terminal(slim))
		return 0;
	p = pod_state(ctl, slim);
	if (!p)
		return -ENOMEM;
	p->min_rv = rv_num(meta_str(slim, "resourceVersion"));
	return observe(ctl, p, slim);
}

static void waiting_clear(struct pn_ctl *ctl, const char *key)
{
	free(pn_strmap_del(&ctl->waiting, key));
}

void pn_ctl_pod_deleted(struct pn_ctl *ctl, json_t *pod)
{
	const char *uid = meta_str(pod, "uid");
	char key[512];

	if (pn_informer_key(pod, key, sizeof(key)) == 0) {
		char wkey[600];

		waiting_clear(ctl, key);
		snprintf(wkey, sizeof(wkey), "Pod/%s/PlanRejected", key);
		free(pn_strmap_del(&ctl->warned, wkey));
	}
	if (uid && pn_addrs_pod(&ctl->addrs, uid, false)) {
		pn_addrs_pod_release(&ctl->addrs, uid);
		ctl->requeue_waiting = true;
	}
}

/* ---- problems ---------------------------------------------------------------------- */

static void report(struct pn_ctl *ctl, json_t *slim, const char *key, const char *reason,
		   const struct pn_problems *ps)
{
	char msg[2048];
	size_t off = 0;
	char *old = pn_strmap_get(&ctl->waiting, key), *dup;

	msg[0] = 0;
	for (size_t i = 0; i < ps->n && off < sizeof(msg); i++) {
		int n = snprintf(msg + off, sizeof(msg) - off, "%s%s%s%s", i ? "; " : "",
				 ps->v[i].path, ps->v[i].path[0] ? ": " : "", ps->v[i].message);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (old && !strcmp(old, msg))
		return; /* said already */
	ctl->m.plan_failures++;
	pn_ctl_log(ctl, 2, "Pod %s: %s: %s", key, reason, msg);
	pn_kube_recorder_event(ctl->rec, slim, "Warning", reason, msg);
	dup = strdup(msg);
	if (dup && pn_strmap_put(&ctl->waiting, key, dup) == 0)
		free(old);
	else
		free(dup);
}

/* A plan on the Pod that is not ours: said once per distinct reason. */
static void reject(struct pn_ctl *ctl, json_t *slim, const char *pkey, const char *why)
{
	char wkey[600], msg[768], *old, *dup;

	snprintf(wkey, sizeof(wkey), "Pod/%s/PlanRejected", pkey);
	snprintf(msg, sizeof(msg), "podnet.dev/plan not written by podnet-controller, ignored and "
		 "replaced: %s", why);
	old = pn_strmap_get(&ctl->warned, wkey);
	if (old && !strcmp(old, msg))
		return;
	pn_ctl_log(ctl, 0, "Pod %s: %s", pkey, msg);
	pn_kube_recorder_event(ctl->rec, slim, "Warning", "PlanRejected", msg);
	dup = strdup(msg);
	if (dup && pn_strmap_put(&ctl->warned, wkey, dup) == 0)
		free(old);
	else
		free(dup);
}

/* ---- the plan write ------------------------------------------------------------------- */

struct pwrite {
	struct pn_ctl *ctl;
	char key[600];   /* "pod/ns/name" */
	char pkey[512];  /* "ns/name" */
	char *uid;
	double sent;     /* ev_time() when the PATCH went */
};

static void plan_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pwrite *w = ud;
	struct pn_ctl *ctl = w->ctl;
	struct pn_addrs_pod *p = pn_addrs_pod(&ctl->addrs, w->uid, false);

	if (p && p->inflight)
		p->inflight--;
	pn_ctl_metrics_plan_write(ctl, ev_time() - w->sent);
	if (rc == 0) {
		ctl->m.plans_written++;
		waiting_clear(ctl, w->pkey);
		if (p && body) {
			json_t *slim = pn_ctl_pod_transform(NULL, body);
			uint64_t rv = rv_num(meta_str(body, "resourceVersion"));

			if (rv > p->min_rv)
				p->min_rv = rv;
			if (slim)
				observe(ctl, p, slim);
			json_decref(slim);
		}
	} else if (rc == -PN_KUBE_EINVALID || rc == -PN_KUBE_ECONFLICT) {
		ctl->m.plan_conflicts++; /* the Pod changed: planned again from the new version */
		pn_ctl_log(ctl, 3, "Pod %s: plan not written: %s", w->pkey, st->message);
	} else if (rc != -PN_KUBE_ENOTFOUND) {
		ctl->m.errors_write++;
		pn_ctl_log(ctl, 0, "Pod %s: writing the plan: %s (%s)", w->pkey, strerror(-rc),
			   st->message);
	}
	/* On failure the addresses stay held: the next observation of the Pod
	 * past the precondition's version decides (see the top of this file). */
	pn_ctl_set_busy(ctl, w->key, false);
	free(w->uid);
	free(w);
}

static char *json_pointer_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += (*p == '~' || *p == '/') ? 2 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (o = out; *s; s++) {
		if (*s == '~') {
			*o++ = '~';
			*o++ = '0';
		} else if (*s == '/') {
			*o++ = '~';
			*o++ = '1';
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return out;
}

/* One guarded JSON patch: text and its signature together, or (text NULL)
 * the removal of both annotations. */
static int write_plan(struct pn_ctl *ctl, struct pn_addrs_pod *p, json_t *slim, const char *key,
		      const char *pkey, const char *text)
{
	const char *rv = meta_str(slim, "resourceVersion"), *uid = meta_str(slim, "uid");
	bool has_ann = json_object_get(json_object_get(slim, "metadata"), "annotations") != NULL;
	char path[128], spath[128], *esc = json_pointer_escape(PN_ANNOTATION_PLAN), *body = NULL;
	char *sesc = json_pointer_escape(PN_ANNOTATION_PLAN_SIGNATURE), *sig = NULL;
	uint64_t seq = p->seq + 1;
	json_t *ops;
	struct pwrite *w;
	int r;

	if (!esc || !sesc) {
		free(esc);
		free(sesc);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "/metadata/annotations/%s", esc);
	snprintf(spath, sizeof(spath), "/metadata/annotations/%s", sesc);
	free(esc);
	free(sesc);
	ops = json_pack("[{ss ss ss}]", "op", "test", "path", "/metadata/resourceVersion", "value",
			rv ?: "");
	if (!ops)
		return -ENOMEM;
	if (!text) {
		if (annotation(slim, PN_ANNOTATION_PLAN))
			json_array_append_new(ops, json_pack("{ss ss}", "op", "remove", "path", path));
		if (annotation(slim, PN_ANNOTATION_PLAN_SIGNATURE))
			json_array_append_new(ops, json_pack("{ss ss}", "op", "remove", "path", spath));
	} else {
		sig = ctl->plan_key && uid ? pn_plan_sign(ctl->plan_key, uid, seq, text) : NULL;
		if (!sig) {
			pn_ctl_log(ctl, 0, "Pod %s: cannot sign the plan (uid %s)", pkey, uid ?: "none");
			json_decref(ops);
			return -EINVAL;
		}
		if (has_ann) {
			json_array_append_new(ops, json_pack("{ss ss ss}", "op", "add", "path", path,
							     "value", text));
			json_array_append_new(ops, json_pack("{ss ss ss}", "op", "add", "path", spath,
							     "value", sig));
		} else {
			json_array_append_new(ops, json_pack("{ss ss s{ss ss}}", "op", "add", "path",
							     "/metadata/annotations", "value",
							     PN_ANNOTATION_PLAN, text,
							     PN_ANNOTATION_PLAN_SIGNATURE, sig));
		}
	}
	body = json_array_size(ops) > 1 ? json_dumps(ops, JSON_COMPACT) : NULL;
	json_decref(ops);
	free(sig);
	w = calloc(1, sizeof(*w));
	if (!body || !w || !(w->uid = strdup(p->uid))) {
		free(body);
		if (w)
			free(w->uid);
		free(w);
		return -ENOMEM;
	}
	w->ctl = ctl;
	w->sent = ev_time();
	snprintf(w->key, sizeof(w->key), "%s", key);
	snprintf(w->pkey, sizeof(w->pkey), "%s", pkey);
	r = pn_kube_patch(ctl->c, &pn_kube_res_pods, meta_str(slim, "namespace"),
			  meta_str(slim, "name"), NULL, PN_KUBE_PATCH_JSON, body, plan_done, w);
	free(body);
	if (r < 0) {
		free(w->uid);
		free(w);
		return r;
	}
	p->inflight++;
	if (text)
		p->seq = seq; /* never signed twice with one seq, whatever the outcome */
	p->last_write = ev_now(ctl->loop);
	if (rv_num(rv) + 1 > p->min_rv)
		p->min_rv = rv_num(rv) + 1;
	pn_ctl_set_busy(ctl, key, true);
	return 0;
}

/* ---- reconcile ------------------------------------------------------------------------ */

static bool default_only_plan(const char *plan)
{
	struct pn_plan pl = { 0 }, def = { 0 };
	struct pn_problems ps = { 0 };
	bool same = false;

	if (pn_plan_loads(plan, strlen(plan), &pl, &ps) == 0 && pn_plan_default(&def) == 0)
		same = pn_plan_equal(&pl, &def);
	pn_plan_clear(&pl);
	pn_plan_clear(&def);
	pn_problems_clear(&ps);
	return same;
}

/* The plan in effect on the Pod, as far as the controller takes it for its
 * own: networks in it were allowed when they were planned and stay when
 * a PodNetwork's spec.namespaceSelector narrows. A plan that does not
 * decode counts as none (every network is checked). This is the one place
 * that decides which plan is trusted for that: a plan the controller did
 * not write (one a user put on the Pod) must not get here, or it would
 * carry networks past the namespace check; once plans are authenticated,
 * only a plan that verifies for this Pod's UID may be returned. */
static void current_plan(const char *text, struct pn_plan *out)
{
	struct pn_problems ps = { 0 };

	memset(out, 0, sizeof(*out));
	if (text && pn_plan_loads(text, strlen(text), out, &ps) != 0) {
		pn_plan_clear(out);
		memset(out, 0, sizeof(*out));
	}
	pn_problems_clear(&ps);
}

/* Whether a namespace access refusal is among the planner's problems. */
static bool access_refused(const struct pn_problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		if (pn_problem_is_access(&ps->v[i]))
			return true;
	return false;
}

int pn_ctl_reconcile_pod(struct pn_ctl *ctl, const char *ns, const char *name)
{
	char key[600], pkey[512], reason[64], msg[512], path[64];
	json_t *slim = pn_informer_get(ctl->inf[PN_INF_PODS], ns, name);
	struct pn_pod_decode_opts opts = { .parse = pn_ctl_parse_networks,
					    .native_networks = ctl->native_networks };
	struct pn_problems ps = { 0 };
	struct pn_plan plan = { 0 }, current = { 0 };
	struct pn_resolver res;
	struct pn_pod *pod = NULL;
	struct pn_addrs_pod *p;
	const char *cur;
	char *text = NULL, cur_key[PN_PLAN_KEYID_LEN + 1] = "";
	bool forged = false;
	int r;

	snprintf(key, sizeof(key), "pod/%s/%s", ns, name);
	snprintf(pkey, sizeof(pkey), "%s/%s", ns, name);
	if (pn_ctl_busy(ctl, key) || !slim)
		return 0;
	if (terminal(slim)) {
		const char *uid = meta_str(slim, "uid");

		waiting_clear(ctl, pkey);
		if (uid && pn_addrs_pod(&ctl->addrs, uid, false)) {
			pn_addrs_pod_release(&ctl->addrs, uid);
			ctl->requeue_waiting = true;
		}
		return 0;
	}
	p = pod_state(ctl, slim);
	if (!p)
		return -ENOMEM;
	r = observe(ctl, p, slim);
	if (r < 0)
		return r;
	if (json_object_get(json_object_get(slim, "metadata"), "deletionTimestamp")) {
		waiting_clear(ctl, pkey);
		return 0; /* keeps its addresses until the object is gone */
	}
	/* The cache is older than a version we know exists (our own write, or
	 * the version a write was refused on): wait for the watch to bring it
	 * rather than write again from stale state. A write whose outcome is
	 * unknown and that changed nothing leaves no newer version: after 2 s
	 * the write is tried again (its resourceVersion test keeps it safe). */
	if (rv_num(meta_str(slim, "resourceVersion")) < p->min_rv &&
	    ev_now(ctl->loop) - p->last_write < 2.0)
		return -EAGAIN;
	cur = annotation(slim, PN_ANNOTATION_PLAN);
	if (cur && plan_verified(ctl, slim, NULL, cur_key, msg, sizeof(msg)) < 0) {
		reject(ctl, slim, pkey, msg);
		cur = NULL;
		forged = true;
	}
	r = pn_pod_decode(slim, &opts, &pod, &ps);
	if (r < 0)
		goto out;
	if (!pod->networks.present) {
		/* Asks for nothing: the agent plans it alone, unless we planned it
		 * before (the request was removed: back to the default). A plan
		 * that is not ours goes, with its signature. */
		if (forged) {
			r = write_plan(ctl, p, slim, key, pkey, NULL);
			goto out;
		}
		if (!cur || default_only_plan(cur)) {
			waiting_clear(ctl, pkey);
			goto out;
		}
	}
	if (r == 0)
		r = pn_pod_validate(pod, &ps);
	if (r > 0) {
		report(ctl, slim, pkey, "InvalidNetworks", &ps);
		r = 0;
		goto out;
	}
	current_plan(cur, &current);
	pn_ctl_resolver(ctl, &current, &res);
	r = pod->networks.present ? pn_plan_build_pod(pod, &res, &plan, &ps) : pn_plan_default(&plan);
	if (r > 0) {
		/* No plan, no address: the Pod waits, and is tried again when a
		 * Namespace's labels or a PodNetwork change. */
		report(ctl, slim, pkey, access_refused(&ps) ? "NetworkNotAllowed" : "InvalidNetworks",
		       &ps);
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < plan.n; i++) {
		/* `default` before the controller created it: the node's CNI */
		if (!strcmp(plan.v[i].network, PN_DEFAULT_NETWORK) &&
		    !pn_ctl_network(ctl, PN_DEFAULT_NETWORK))
			continue;
		if (pn_ctl_network_ready(ctl, plan.v[i].network, reason, sizeof(reason), msg,
					 sizeof(msg)))
			continue;
		if (plan.v[i].request_index >= 0)
			snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%ld]", plan.v[i].request_index);
		else
			snprintf(path, sizeof(path), "%s", PN_NETWORKS_PATH);
		pn_problems_add(&ps, path, "%s (%s)", msg, reason);
	}
	if (ps.n) {
		report(ctl, slim, pkey, "NetworkNotReady", &ps);
		goto out;
	}
	r = pn_addrs_allocate(&ctl->addrs, p, &plan, &ps);
	if (r > 0) {
		report(ctl, slim, pkey, "AddressAllocationFailed", &ps);
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	text = pn_plan_dumps(&plan);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	/* the same text under an older key is signed again with ours */
	if (cur && !strcmp(cur, text) && ctl->plan_key &&
	    !strcmp(cur_key, pn_plan_key_id(ctl->plan_key))) {
		waiting_clear(ctl, pkey);
		goto out;
	}
	r = write_plan(ctl, p, slim, key, pkey, text);
out:
	free(text);
	pn_plan_clear(&plan);
	pn_plan_clear(&current);
	pn_pod_free(pod);
	pn_problems_clear(&ps);
	return r;
}

/* Drops the holds of Pods that are no longer in the cache (missed deletes,
 * Pods deleted while their plan was read at leadership), after a grace time
 * so that a cache lagging a fresh LIST is not mistaken for a deletion. */
struct sweep {
	struct pn_ctl *ctl;
	char **uids;
	size_t n, cap;
};

static int sweep_cb(const char *uid, void *v, void *ud)
{
	struct pn_addrs_pod *p = v;
	struct sweep *s = ud;
	json_t *o;

	if (p->inflight || ev_now(s->ctl->loop) - p->stamp < 30)
		return 0;
	o = p->key ? pn_informer_get_key(s->ctl->inf[PN_INF_PODS], p->key) : NULL;
	if (o && !strcmp(meta_str(o, "uid") ?: "", uid) && !terminal(o))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		char **u = realloc(s->uids, cap * sizeof(*u));

		if (!u)
			return 1;
		s->uids = u;
		s->cap = cap;
	}
	s->uids[s->n] = strdup(uid);
	if (s->uids[s->n])
		s->n++;
	return 0;
}

void pn_ctl_sweep(struct pn_ctl *ctl)
{
	struct sweep s = { .ctl = ctl };

	pn_strmap_foreach(&ctl->addrs.pods, sweep_cb, &s);
	for (size_t i = 0; i < s.n; i++) {
		pn_ctl_log(ctl, 1, "releasing the addresses of Pod uid %s (gone)", s.uids[i]);
		pn_addrs_pod_release(&ctl->addrs, s.uids[i]);
		free(s.uids[i]);
	}
	if (s.n)
		ctl->requeue_waiting = true;
	free(s.uids);
}
