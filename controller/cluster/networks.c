/* networks.c — PodNetwork, PodNetworkAttachment, CNIConfig and IPPool
 * reconcilers: conditions, the in-use finalizer, the `default` network,
 * rejection of immutable changes, IPPool status. */
#include "cluster/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/ops.h"
#include "pn/condition.h"

static const char *meta_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), k));
}

static bool has_finalizer(json_t *o)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(json_object_get(o, "metadata"), "finalizers"), i, v)
		if (!strcmp(json_string_value(v) ?: "", PN_FINALIZER))
			return true;
	return false;
}

/* The finalizer list with ours added or removed. */
static json_t *finalizers_with(json_t *o, bool want)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(json_object_get(o, "metadata"), "finalizers"), i, v)
		if (strcmp(json_string_value(v) ?: "", PN_FINALIZER) != 0)
			json_array_append(out, v);
	if (want)
		json_array_append_new(out, json_string(PN_FINALIZER));
	return out;
}

/* Checks one parameters reference of a network of provider (handled by
 * podnet). */
static bool ref_ready(struct pn_ctl *ctl, const struct pn_param_ref *ref, const char *ns, const char *provider,
		      char *msg, size_t mlen)
{
	int problems = 0;

	if (!ref->group || !ref->kind || !ref->name) {
		snprintf(msg, mlen, "a parametersRef lacks group, kind or name");
		return false;
	}
	if (!strcmp(ref->group, PN_GROUP) && !strcmp(ref->kind, "CNIConfig")) {
		if (!pn_ctl_cniconfig(ctl, ref->name, &problems)) {
			snprintf(msg, mlen, "CNIConfig \"%s\" not found", ref->name);
			return false;
		}
		if (problems) {
			snprintf(msg, mlen, "CNIConfig \"%s\" is invalid", ref->name);
			return false;
		}
		return true;
	}
	if (!strcmp(ref->group, PN_GROUP) && !strcmp(ref->kind, "IPPool")) {
		struct pn_addrs_pool *pl;

		if (!pn_ctl_ippool(ctl, ref->name, &problems)) {
			snprintf(msg, mlen, "IPPool \"%s\" not found", ref->name);
			return false;
		}
		pl = pn_addrs_pool(&ctl->addrs, ref->name);
		if (problems || (ctl->state == PN_CTL_LEADING && (!pl || !pl->ipam))) {
			snprintf(msg, mlen, "IPPool \"%s\" is invalid", ref->name);
			return false;
		}
		return true;
	}
	if (!strcmp(ref->group, PN_NAD_GROUP) && !strcmp(ref->kind, PN_NAD_KIND)) {
		const char *rns = ref->namespace ? ref->namespace : ns;
		json_t *conf;

		if (!ctl->nad_enabled) {
			snprintf(msg, mlen, "%s \"%s\": the CRD is not installed", PN_NAD_KIND,
				 ref->name);
			return false;
		}
		if (!rns) {
			snprintf(msg, mlen, "%s \"%s\" needs a namespace", PN_NAD_KIND, ref->name);
			return false;
		}
		conf = pn_ctl_nad_config(ctl, rns, ref->name);
		if (!conf) {
			snprintf(msg, mlen, "%s \"%s/%s\" not found or its spec.config is invalid",
				 PN_NAD_KIND, rns, ref->name);
			return false;
		}
		json_decref(conf);
		return true;
	}
	/* Not a kind of ours: the provider's own when a node's report says the
	 * provider declares it (the same answer as podnetctl plan's). */
	return pn_param_ref_supported_by(ref, provider,
					 ctl->inf[PN_INF_REPORTS] ? pn_informer_store(ctl->inf[PN_INF_REPORTS]) : NULL,
					 msg, mlen);
}

static bool refs_ready(struct pn_ctl *ctl, const struct pn_param_ref *refs, size_t n,
		       const char *ns, const char *provider, char *msg, size_t mlen)
{
	for (size_t i = 0; i < n; i++)
		if (!ref_ready(ctl, &refs[i], ns, provider, msg, mlen))
			return false;
	return true;
}

bool pn_ctl_network_ready(struct pn_ctl *ctl, const char *name, char *reason, size_t rlen,
			  char *msg, size_t mlen)
{
	const struct pn_podnetwork *n = pn_ctl_network(ctl, name);

	if (!n) {
		snprintf(reason, rlen, "NotFound");
		snprintf(msg, mlen, "PodNetwork \"%s\" not found", name);
		return false;
	}
	if (strcmp(name, PN_DEFAULT_NETWORK) != 0 && !pn_ctl_provider_ours(ctl, n->spec.provider)) {
		snprintf(reason, rlen, "OtherProvider");
		snprintf(msg, mlen, "PodNetwork \"%s\" has provider \"%s\", which this controller "
			 "does not handle", name, n->spec.provider ? n->spec.provider : "");
		return false;
	}
	if (n->meta.deletion_timestamp) {
		snprintf(reason, rlen, "DeleteInProgress");
		snprintf(msg, mlen, "PodNetwork \"%s\" is being deleted and takes no new Pods", name);
		return false;
	}
	if (n->spec.enabled_set && !n->spec.enabled && strcmp(name, PN_DEFAULT_NETWORK) != 0) {
		snprintf(reason, rlen, "AdministrativelyDisabled");
		snprintf(msg, mlen, "PodNetwork \"%s\" is disabled", name);
		return false;
	}
	if (!refs_ready(ctl, n->spec.refs, n->spec.n_refs, NULL, n->spec.provider, msg, mlen)) {
		char inner[400];

		snprintf(inner, sizeof(inner), "%s", msg);
		snprintf(reason, rlen, "ParamsNotReady");
		snprintf(msg, mlen, "PodNetwork \"%s\": %s", name, inner);
		return false;
	}
	snprintf(reason, rlen, "Ready");
	msg[0] = 0;
	return true;
}

/* ---- writes ------------------------------------------------------------------- */

struct wctx {
	struct pn_ctl *ctl;
	char key[600];
	bool status;
};

static void write_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct wctx *w = ud;
	struct pn_ctl *ctl = w->ctl;

	if (rc < 0) {
		if (rc != -PN_KUBE_ECONFLICT && rc != -PN_KUBE_ENOTFOUND)
			ctl->m.errors_write++;
		pn_ctl_log(ctl, rc == -PN_KUBE_ECONFLICT ? 2 : 0, "%s: write failed: %s (%s)", w->key,
			   st->reason[0] ? st->reason : strerror(-rc), st->message);
	} else if (w->status) {
		ctl->m.status_writes++;
	}
	pn_ctl_set_busy(ctl, w->key, false);
	free(w);
}

static int patch(struct pn_ctl *ctl, const struct pn_kube_resource *res, const char *ns,
		 const char *name, const char *sub, json_t *body, const char *key)
{
	enum pn_kube_patch_type type = json_is_array(body) ? PN_KUBE_PATCH_JSON : PN_KUBE_PATCH_MERGE;
	struct wctx *w;
	char *text = json_dumps(body, JSON_COMPACT);
	int r;

	if (!text)
		return -ENOMEM;
	w = calloc(1, sizeof(*w));
	if (!w) {
		free(text);
		return -ENOMEM;
	}
	pn_ctl_log(ctl, 4, "PATCH %s%s%s: %s", key, sub ? "/" : "", sub ? sub : "", text);
	w->ctl = ctl;
	w->status = sub != NULL;
	snprintf(w->key, sizeof(w->key), "%s", key);
	r = pn_kube_patch(ctl->c, res, ns, name, sub, type, text, write_done, w);
	free(text);
	if (r < 0) {
		free(w);
		return r;
	}
	pn_ctl_set_busy(ctl, key, true);
	return 0;
}

/* A JSON patch that sets the whole status (podnet owns the status of the
 * objects it reconciles): no merge semantics on lists of conditions. */
int pn_ctl_write_status(struct pn_ctl *ctl, const struct pn_kube_resource *res, const char *ns,
			const char *name, json_t *status, const char *key)
{
	json_t *body = json_pack("[{ss ss sO}]", "op", "add", "path", "/status", "value", status);
	int r = body ? patch(ctl, res, ns, name, "status", body, key) : -ENOMEM;

	json_decref(body);
	return r;
}

int pn_ctl_write_meta(struct pn_ctl *ctl, const struct pn_kube_resource *res, const char *ns,
		      const char *name, json_t *meta_patch, const char *key)
{
	json_t *body = json_pack("{sO}", "metadata", meta_patch);
	int r = body ? patch(ctl, res, ns, name, NULL, body, key) : -ENOMEM;

	json_decref(body);
	return r;
}

/* ---- conditions ----------------------------------------------------------------- */

struct cond {
	const char *type;
	bool status;
	const char *reason;
	const char *message;
};

/* The status.conditions array after setting conds; *changed tells whether
 * it differs from the object's. NULL on failure. */
static json_t *conditions(json_t *obj, const struct cond *conds, size_t n, int64_t gen,
			  bool *changed)
{
	json_t *cur = json_object_get(json_object_get(obj, "status"), "conditions");
	struct pn_conditions l = { .n = 0 };
	json_t *out = NULL;
	int64_t now = (int64_t)time(NULL);

	*changed = false;
	if (pn_conditions_from_json(cur, &l, NULL, "status.conditions") < 0)
		pn_conditions_clear(&l); /* start over from a broken list */
	for (size_t i = 0; i < n; i++) {
		int r = pn_conditions_set(&l, conds[i].type,
					  conds[i].status ? PN_CONDITION_TRUE : PN_CONDITION_FALSE,
					  conds[i].reason, conds[i].message, gen, now);

		if (r < 0)
			goto out;
		if (r > 0)
			*changed = true;
	}
	out = pn_conditions_to_json(&l);
out:
	pn_conditions_clear(&l);
	return out;
}

static int write_conditions(struct pn_ctl *ctl, const struct pn_kube_resource *res, json_t *obj,
			    const struct cond *conds, size_t n, bool with_generation, json_t *extra,
			    const char *key)
{
	json_t *md = json_object_get(obj, "metadata");
	int64_t gen = json_integer_value(json_object_get(md, "generation"));
	json_t *st = json_object_get(obj, "status");
	bool changed;
	json_t *cl = conditions(obj, conds, n, gen, &changed), *status, *nodes = NULL;
	int r = 0;

	if (!cl)
		return -ENOMEM;
	if (with_generation &&
	    json_integer_value(json_object_get(st, "observedGeneration")) != gen)
		changed = true;
	if (extra && !json_equal(json_object_get(st, "ranges"), extra))
		changed = true;
	/* a PodNetwork's status.nodes (nodes.c): what the reports say, else
	 * what the object has (a status write replaces the whole status) */
	if (res == &pn_res_podnetworks) {
		nodes = pn_ctl_network_nodes(ctl, meta_str(obj, "name"));
		if (nodes && !json_equal(json_object_get(st, "nodes"), nodes))
			changed = true;
		if (!nodes)
			nodes = json_incref(json_object_get(st, "nodes"));
	}
	if (changed) {
		status = json_pack("{sO}", "conditions", cl);
		if (with_generation)
			json_object_set_new(status, "observedGeneration", json_integer(gen));
		if (extra)
			json_object_set(status, "ranges", extra);
		if (nodes)
			json_object_set(status, "nodes", nodes);
		r = pn_ctl_write_status(ctl, res, meta_str(obj, "namespace"), meta_str(obj, "name"),
					status, key);
		json_decref(status);
	}
	json_decref(nodes);
	json_decref(cl);
	return r;
}

/* ---- the accepted spec and the finalizer ------------------------------------------ */

/* Writes what metadata should hold (accepted spec, finalizer) when it does
 * not. Returns 1 when a write started (the reconcile ends there). */
static int meta_sync(struct pn_ctl *ctl, const struct pn_kube_resource *res, json_t *obj,
		     bool want_finalizer, const char *key)
{
	json_t *md = json_object_get(obj, "metadata");
	json_t *ann = json_object_get(md, "annotations");
	json_t *patchm = json_object();
	bool need = false;
	int r;

	if (!json_object_get(ann, PN_ANNOTATION_ACCEPTED) && !json_object_get(md, "deletionTimestamp")) {
		json_t *spec = json_deep_copy(json_object_get(obj, "spec"));
		char *text;

		if (!spec)
			spec = json_object();
		/* the mutable fields are not part of the accepted spec */
		json_object_del(spec, "enabled");
		json_object_del(spec, "namespaceSelector");
		text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(spec);
		if (!text) {
			json_decref(patchm);
			return -ENOMEM;
		}
		json_object_set_new(patchm, "annotations",
				    json_pack("{ss}", PN_ANNOTATION_ACCEPTED, text));
		free(text);
		need = true;
	}
	if (has_finalizer(obj) != want_finalizer) {
		json_object_set_new(patchm, "finalizers", finalizers_with(obj, want_finalizer));
		need = true;
	}
	if (!need) {
		json_decref(patchm);
		return 0;
	}
	json_object_set_new(patchm, "resourceVersion", json_string(meta_str(obj, "resourceVersion")));
	r = pn_ctl_write_meta(ctl, res, meta_str(obj, "namespace"), meta_str(obj, "name"), patchm, key);
	json_decref(patchm);
	return r < 0 ? r : 1;
}

/* Problems of immutable fields changed since the accepted spec, as one
 * message ("" when none). */
static void immutable_message(json_t *obj, bool network, char *msg, size_t mlen)
{
	struct pn_problems ps = { 0 }, dps = { 0 };
	json_t *eff = pn_ctl_effective(obj, network);
	size_t off = 0;

	msg[0] = 0;
	if (!eff || eff == obj) {
		json_decref(eff);
		return;
	}
	if (network) {
		struct pn_podnetwork *old = NULL, *cur = NULL;

		if (pn_podnetwork_decode(eff, &old, &dps) >= 0 && pn_podnetwork_decode(obj, &cur, &dps) >= 0) {
			pn_podnetwork_default(old);
			pn_podnetwork_default(cur);
			pn_podnetwork_immutable(old, cur, &ps);
		}
		pn_podnetwork_free(old);
		pn_podnetwork_free(cur);
	} else {
		struct pn_attachment *old = NULL, *cur = NULL;

		if (pn_attachment_decode(eff, &old, &dps) >= 0 && pn_attachment_decode(obj, &cur, &dps) >= 0)
			pn_attachment_immutable(old, cur, &ps);
		pn_attachment_free(old);
		pn_attachment_free(cur);
	}
	for (size_t i = 0; i < ps.n && off < mlen; i++) {
		int n = snprintf(msg + off, mlen - off, "%s%s: %s", i ? "; " : "", ps.v[i].path,
				 ps.v[i].message);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (ps.n && off < mlen)
		snprintf(msg + off, mlen - off, " (change rejected; the accepted spec stays in use)");
	pn_problems_clear(&ps);
	pn_problems_clear(&dps);
	json_decref(eff);
}

/* Appends "; s" (or s to an empty message), truncating. */
static void msg_append(char *msg, size_t len, const char *s)
{
	size_t l = strlen(msg), n;

	if (!s[0])
		return;
	if (l && l + 2 < len) {
		memcpy(msg + l, "; ", 2);
		l += 2;
	}
	n = strlen(s);
	if (l + n >= len)
		n = len - l - 1;
	memcpy(msg + l, s, n);
	msg[l + n] = 0;
}

/* A Warning Event, once per object, reason and message (reconciles repeat). */
static void warn_once(struct pn_ctl *ctl, json_t *obj, const char *reason, const char *msg)
{
	char key[700], k[512];
	char *old, *dup;

	if (pn_informer_key(obj, k, sizeof(k)) < 0)
		return;
	snprintf(key, sizeof(key), "%s/%s/%s",
		 json_string_value(json_object_get(obj, "kind")) ?: "", k, reason);
	old = pn_strmap_get(&ctl->warned, key);
	if (old && !strcmp(old, msg))
		return;
	pn_kube_recorder_event(ctl->rec, obj, "Warning", reason, msg);
	dup = strdup(msg);
	if (dup && pn_strmap_put(&ctl->warned, key, dup) == 0)
		free(old);
	else
		free(dup);
}

/* ---- PodNetwork -------------------------------------------------------------------- */

static bool network_in_use(struct pn_ctl *ctl, const char *name)
{
	json_t *pods = pn_informer_by_index(ctl->inf[PN_INF_PODS], "net", name);
	const char *key;
	json_t *v;

	if (pods && json_object_size(pods))
		return true;
	json_object_foreach(pn_informer_store(ctl->inf[PN_INF_ATTACHMENTS]), key, v) {
		const char *n = json_string_value(json_object_get(json_object_get(v, "spec"),
								  "podNetworkName"));
		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

static void create_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct wctx *w = ud;

	if (rc < 0 && rc != -PN_KUBE_EEXISTS) {
		pn_ctl_log(w->ctl, 0, "creating PodNetwork default: %s (%s)", strerror(-rc),
			   st->message);
		w->ctl->default_create_failed = ev_now(w->ctl->loop);
	}
	else if (rc == 0)
		pn_ctl_log(w->ctl, 1, "created PodNetwork default");
	pn_ctl_set_busy(w->ctl, w->key, false);
	free(w);
}

static int create_default(struct pn_ctl *ctl, const char *key)
{
	json_t *obj = json_pack("{ss ss s{ss} s{sb}}", "apiVersion", PN_API_VERSION, "kind",
				"PodNetwork", "metadata", "name", PN_DEFAULT_NETWORK, "spec",
				"enabled", 1);
	struct wctx *w = calloc(1, sizeof(*w));
	int r;

	if (!obj || !w) {
		json_decref(obj);
		free(w);
		return -ENOMEM;
	}
	w->ctl = ctl;
	snprintf(w->key, sizeof(w->key), "%s", key);
	r = pn_kube_create(ctl->c, &pn_res_podnetworks, NULL, obj, create_done, w);
	json_decref(obj);
	if (r < 0) {
		free(w);
		return r;
	}
	pn_ctl_set_busy(ctl, key, true);
	return 0;
}

int pn_ctl_reconcile_network(struct pn_ctl *ctl, const char *name)
{
	char key[600], reason[64], msg[1024], imm[1024], pmsg[512];
	json_t *obj = pn_informer_get(ctl->inf[PN_INF_NETWORKS], NULL, name);
	const struct pn_podnetwork *n;
	bool in_use, hold, deleting, enabled, params, is_default = !strcmp(name, PN_DEFAULT_NETWORK);
	int r;

	snprintf(key, sizeof(key), "net/%s", name);
	if (pn_ctl_busy(ctl, key))
		return 0;
	if (!obj) {
		ctl->requeue_waiting = true;
		/* a refused create (an admission webhook not ready yet) is
		 * tried again a second later, not at once */
		if (is_default && ctl->default_create_failed &&
		    ev_now(ctl->loop) - ctl->default_create_failed < 1.0)
			return -EAGAIN;
		return is_default ? create_default(ctl, key) : 0;
	}
	n = pn_ctl_network(ctl, name);
	if (!n)
		return -ENOMEM;
	if (!is_default && !pn_ctl_provider_ours(ctl, n->spec.provider))
		return 0; /* another implementation's network */
	in_use = network_in_use(ctl, name);
	deleting = json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp") != NULL;

	if (is_default) {
		json_t *en = json_object_get(json_object_get(obj, "spec"), "enabled");

		if (json_is_false(en) && !deleting) {
			json_t *p = json_pack("{s{sb}}", "spec", "enabled", 1);

			warn_once(ctl, obj, "DefaultCannotBeDisabled",
				  "the default PodNetwork cannot be disabled; spec.enabled set back to true");
			r = p ? patch(ctl, &pn_res_podnetworks, NULL, name, NULL, p, key) : -ENOMEM;
			json_decref(p);
			return r;
		}
	}
	/* `default` is never held by its users: held, it would refuse every new
	 * Pod that names it until the last Pod using it is gone (the webhook
	 * refuses such a DELETE, but not when it is down, removed or bypassed).
	 * Let go, it goes at once and is created again below with the same
	 * meaning (the node's primary CNI), and the Pods using it keep their
	 * plans. */
	hold = in_use && !(is_default && deleting);
	r = meta_sync(ctl, &pn_res_podnetworks, obj, hold, key);
	if (r != 0)
		return r < 0 ? r : 0;
	if (deleting && !hold)
		return 0; /* the finalizer is gone; the object goes */

	immutable_message(obj, true, imm, sizeof(imm));
	if (imm[0])
		warn_once(ctl, obj, "ImmutableFieldChanged", imm);
	enabled = !(n->spec.enabled_set && !n->spec.enabled) || is_default;
	params = refs_ready(ctl, n->spec.refs, n->spec.n_refs, NULL, n->spec.provider, pmsg, sizeof(pmsg));
	if (deleting) {
		snprintf(reason, sizeof(reason), "DeleteInProgress");
		snprintf(msg, sizeof(msg), "being deleted while in use: takes no new Pods");
	} else if (!enabled) {
		snprintf(reason, sizeof(reason), "AdministrativelyDisabled");
		snprintf(msg, sizeof(msg), "spec.enabled is false");
	} else if (!params) {
		snprintf(reason, sizeof(reason), "ParamsNotReady");
		snprintf(msg, sizeof(msg), "%s", pmsg);
	} else {
		snprintf(reason, sizeof(reason), "Ready");
		msg[0] = 0;
	}
	msg_append(msg, sizeof(msg), imm);
	{
		bool ready = !strcmp(reason, "Ready");
		struct cond c[3] = {
			{ "Ready", ready, reason, msg },
			{ "ParamsReady", params, params ? "Ready" : "ParamsNotReady",
			  params ? "" : pmsg },
			{ "InUse", in_use, in_use ? "InUse" : "NotInUse",
			  in_use ? "referenced by a Pod or a PodNetworkAttachment" : "" },
		};

		return write_conditions(ctl, &pn_res_podnetworks, obj, c, 3, true, NULL, key);
	}
}

/* ---- PodNetworkAttachment ------------------------------------------------------------ */

/* The Ready condition of attachment a as the cache shows it now: reason
 * "Ready", or why not (the message in msg, the parameters' own in pmsg). */
static void attachment_judge(struct pn_ctl *ctl, const char *ns, const struct pn_attachment *a,
			     int problems, bool deleting, bool *params, char *reason, size_t rlen,
			     char *msg, size_t mlen, char *pmsg, size_t plen)
{
	char nreason[64], nmsg[512];
	bool net_ready;

	net_ready = a->spec.pod_network_name &&
		    pn_ctl_network_ready(ctl, a->spec.pod_network_name, nreason, sizeof(nreason),
					 nmsg, sizeof(nmsg));
	if (!a->spec.pod_network_name)
		snprintf(nmsg, sizeof(nmsg), "spec.podNetworkName is missing");
	{
		const struct pn_podnetwork *an =
			a->spec.pod_network_name ? pn_ctl_network(ctl, a->spec.pod_network_name) : NULL;

		*params = !problems && refs_ready(ctl, a->spec.refs, a->spec.n_refs, ns,
						  an ? an->spec.provider : NULL, pmsg, plen);
	}
	if (problems)
		snprintf(pmsg, plen, "the PodNetworkAttachment is invalid");
	if (deleting) {
		snprintf(reason, rlen, "DeleteInProgress");
		snprintf(msg, mlen, "being deleted while in use: takes no new Pods");
	} else if (!net_ready) {
		snprintf(reason, rlen, "PodNetworkNotReady");
		snprintf(msg, mlen, "%s", nmsg);
	} else if (!*params) {
		snprintf(reason, rlen, "ParamsNotReady");
		snprintf(msg, mlen, "%s", pmsg);
	} else {
		snprintf(reason, rlen, "Ready");
		msg[0] = 0;
	}
}

bool pn_ctl_attachment_ready(struct pn_ctl *ctl, const char *ns, const struct pn_attachment *a,
			     char *reason, size_t rlen, char *msg, size_t mlen)
{
	char pmsg[512];
	bool params;
	int problems = 0;

	if (a->meta.name)
		pn_ctl_attachment(ctl, ns, a->meta.name, &problems);
	attachment_judge(ctl, ns, a, problems, a->meta.deletion_timestamp != NULL, &params, reason,
			 rlen, msg, mlen, pmsg, sizeof(pmsg));
	return !strcmp(reason, "Ready");
}

int pn_ctl_reconcile_attachment(struct pn_ctl *ctl, const char *ns, const char *name)
{
	char key[600], ref[600], reason[64], msg[1024], imm[1024], pmsg[512];
	json_t *obj = pn_informer_get(ctl->inf[PN_INF_ATTACHMENTS], ns, name);
	const struct pn_attachment *a;
	const struct pn_podnetwork *n;
	json_t *pods;
	bool in_use, deleting, params;
	int r, problems;

	snprintf(key, sizeof(key), "pna/%s/%s", ns, name);
	if (pn_ctl_busy(ctl, key) || !obj)
		return 0;
	a = pn_ctl_attachment(ctl, ns, name, &problems);
	if (!a)
		return -ENOMEM;
	n = a->spec.pod_network_name ? pn_ctl_network(ctl, a->spec.pod_network_name) : NULL;
	if (n && strcmp(a->spec.pod_network_name, PN_DEFAULT_NETWORK) != 0 &&
	    !pn_ctl_provider_ours(ctl, n->spec.provider))
		return 0; /* attaches to another implementation's network */
	snprintf(ref, sizeof(ref), "%s/%s", ns, name);
	pods = pn_informer_by_index(ctl->inf[PN_INF_PODS], "pna", ref);
	in_use = pods && json_object_size(pods);
	deleting = json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp") != NULL;
	r = meta_sync(ctl, &pn_res_attachments, obj, in_use, key);
	if (r != 0)
		return r < 0 ? r : 0;
	if (deleting && !in_use)
		return 0;
	immutable_message(obj, false, imm, sizeof(imm));
	if (imm[0])
		warn_once(ctl, obj, "ImmutableFieldChanged", imm);
	attachment_judge(ctl, ns, a, problems, deleting, &params, reason, sizeof(reason), msg,
			 sizeof(msg), pmsg, sizeof(pmsg));
	msg_append(msg, sizeof(msg), imm);
	{
		bool ready = !strcmp(reason, "Ready");
		struct cond c[3] = {
			{ "Ready", ready, reason, msg },
			{ "ParamsReady", params, params ? "Ready" : "ParamsNotReady",
			  params ? "" : pmsg },
			{ "InUse", in_use, in_use ? "InUse" : "NotInUse",
			  in_use ? "referenced by a Pod" : "" },
		};

		return write_conditions(ctl, &pn_res_attachments, obj, c, 3, false, NULL, key);
	}
}

/* ---- CNIConfig and IPPool --------------------------------------------------------------- */

static void problems_message(json_t *obj, enum pn_kind kind, char *msg, size_t mlen)
{
	struct pn_problems ps = { 0 };
	struct pn_object o = { 0 };
	size_t off = 0;

	msg[0] = 0;
	if (pn_object_decode(obj, NULL, &o, &ps) >= 0 && o.kind == kind) {
		pn_object_default(&o);
		pn_object_validate(&o, &ps);
	}
	for (size_t i = 0; i < ps.n && off < mlen; i++) {
		int n = snprintf(msg + off, mlen - off, "%s%s: %s", i ? "; " : "", ps.v[i].path,
				 ps.v[i].message);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	pn_object_release(&o);
	pn_problems_clear(&ps);
}

int pn_ctl_reconcile_cniconfig(struct pn_ctl *ctl, const char *name)
{
	char key[600], msg[2048];
	json_t *obj = pn_informer_get(ctl->inf[PN_INF_CNICONFIGS], NULL, name);
	int problems;

	snprintf(key, sizeof(key), "cni/%s", name);
	if (pn_ctl_busy(ctl, key) || !obj)
		return 0;
	if (!pn_ctl_cniconfig(ctl, name, &problems))
		return -ENOMEM;
	msg[0] = 0;
	if (problems)
		problems_message(obj, PN_KIND_CNICONFIG, msg, sizeof(msg));
	{
		struct cond c[1] = { { "Ready", !problems, problems ? "Invalid" : "Ready", msg } };

		return write_conditions(ctl, &pn_res_cniconfigs, obj, c, 1, true, NULL, key);
	}
}

int pn_ctl_reconcile_ippool(struct pn_ctl *ctl, const char *name)
{
	char key[600], msg[2048], cidr[PN_PREFIX_STRLEN];
	json_t *obj = pn_informer_get(ctl->inf[PN_INF_IPPOOLS], NULL, name);
	struct pn_addrs_pool *pl = pn_addrs_pool(&ctl->addrs, name);
	json_t *ranges = NULL;
	int problems, r;
	bool ok;

	snprintf(key, sizeof(key), "pool/%s", name);
	if (!obj) {
		if (pl) {
			pn_addrs_pool_set(&ctl->addrs, name, NULL);
			pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
		}
		return 0;
	}
	if (pn_ctl_busy(ctl, key))
		return 0;
	if (!pn_ctl_ippool(ctl, name, &problems))
		return -ENOMEM;
	msg[0] = 0;
	if (!problems && (!pl || !pl->spec ||
			  !json_equal(json_object_get(obj, "spec"), json_object_get(pl->spec->raw, "spec")))) {
		struct pn_problems ps = { 0 };
		struct pn_ippool *spec = NULL;

		r = pn_ippool_decode(obj, &spec, &ps);
		pn_problems_clear(&ps);
		if (r < 0 || !spec) {
			pn_ippool_free(spec);
			return r < 0 ? r : -ENOMEM;
		}
		pn_ippool_default(spec);
		r = pn_addrs_pool_set(&ctl->addrs, name, spec);
		if (r == -EINVAL)
			snprintf(msg, sizeof(msg), "the ranges cannot be used (they overlap or their "
				 "start, end or gateway lie outside their cidr)");
		else if (r < 0)
			return r;
		else if (r > 0)
			pn_ctl_log(ctl, 0, "IPPool %s: %d addresses held twice", name, r);
		ctl->requeue_waiting = true;
		pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
		pn_ctl_enqueue_all(ctl, PN_INF_ATTACHMENTS, "pna");
		pl = pn_addrs_pool(&ctl->addrs, name);
	}
	if (problems)
		problems_message(obj, PN_KIND_IPPOOL, msg, sizeof(msg));
	ok = !problems && pl && pl->ipam && !msg[0];
	if (ok) {
		ranges = json_array();
		for (size_t i = 0; i < pn_ipam_pool_nranges(pl->ipam); i++) {
			uint64_t size = 0, alloc = 0;

			pn_ipam_range_stats(pl->ipam, i, &size, &alloc);
			pn_prefix_format(pn_ipam_range_cidr(pl->ipam, i), cidr, sizeof(cidr));
			json_array_append_new(ranges, json_pack("{ss sI sI}", "cidr", cidr, "size",
								(json_int_t)size, "allocated",
								(json_int_t)alloc));
		}
		pl->dirty = false;
	}
	{
		struct cond c[1] = { { "Ready", ok, ok ? "Ready" : "Invalid", msg } };

		r = write_conditions(ctl, &pn_res_ippools, obj, c, 1, true, ranges, key);
	}
	json_decref(ranges);
	return r;
}
