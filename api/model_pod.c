/* model_pod.c — what a Pod asks for: the network request list (annotation
 * podnet.dev/networks or a native spec.networks) and the Pod fields podnet
 * reads. */
#include "model_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ANNOTATION_PATH "metadata.annotations[\"" PN_ANNOTATION_NETWORKS "\"]"

/* Reads a field that has a KEP alias: podNetworkName / name. */
static void get_aliased(struct pn_dec *d, const json_t *o, const char *prefix, const char *key,
			const char *alias, char **out)
{
	char path[PN_PATH_MAX];
	json_t *a = json_object_get(o, alias), *k = json_object_get(o, key);

	if (k && !json_is_null(k) && a && !json_is_null(a)) {
		pn_pkey(path, prefix, alias);
		pn_dec_problem(d, path, "is an alias of %s; give only one of them", key);
	}
	if (!pn_get_string(d, o, prefix, key, false, PN_MAX_STRING, out))
		pn_get_string(d, o, prefix, alias, false, PN_MAX_STRING, out);
}

static void get_gw(struct pn_dec *d, const json_t *o, const char *prefix, const char *key,
		   bool both_set, bool both, enum pn_flag *out)
{
	char path[PN_PATH_MAX];
	bool v = false;

	if (pn_get_bool(d, o, prefix, key, &v)) {
		*out = v ? PN_FLAG_TRUE : PN_FLAG_FALSE;
		if (both_set && v != both) {
			pn_pkey(path, prefix, key);
			pn_dec_problem(d, path, "contradicts isDefaultGW");
		}
	} else if (both_set) {
		*out = both ? PN_FLAG_TRUE : PN_FLAG_FALSE;
	}
}

/* The keys an entry may hold (docs/api-reference.md, the request table). */
static const char *const netreq_keys[] = {
	"podNetworkName", "name", "podNetworkAttachmentName", "attachmentName",
	"interfaceName", "isDefaultGW4", "isDefaultGW6", "isDefaultGW", "ips", "mac", NULL,
};

/* Edit distance of a and b, case-insensitive, capped at cap + 1. */
static size_t distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 64 || lb >= 64)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], sub = diag + (tolower((unsigned char)a[i - 1]) !=
							  tolower((unsigned char)b[j - 1]));

			row[j] = sub;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
			if (row[j] < best)
				best = row[j];
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

/* The accepted key closest to key (case first, then up to 2 edits), or NULL. */
static const char *closest_key(const char *key)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (const char *const *k = netreq_keys; *k; k++) {
		size_t dist;

		if (!strcasecmp(key, *k))
			return *k;
		dist = distance(key, *k, 2);
		if (dist < best_d) {
			best_d = dist;
			best = *k;
		}
	}
	return best;
}

/* A misspelt key would be ignored and the Pod would get something it did
 * not ask for: every key must be one of netreq_keys. */
static void unknown_keys(struct pn_dec *d, const json_t *o, const char *prefix)
{
	char path[PN_PATH_MAX];
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		const char *const *k = netreq_keys;
		const char *near;

		while (*k && strcmp(*k, key) != 0)
			k++;
		if (*k)
			continue;
		pn_pkey(path, prefix, key);
		near = closest_key(key);
		if (near)
			pn_dec_problem(d, path, "is not a field of a network request (did you mean "
						"\"%s\"?)", near);
		else
			pn_dec_problem(d, path, "is not a field of a network request (the fields: "
						"podNetworkName, podNetworkAttachmentName, "
						"interfaceName, isDefaultGW4, isDefaultGW6, "
						"isDefaultGW, ips, mac)");
	}
}

int pn_netreqs_decode(const json_t *list, const char *prefix, struct pn_netreqs *out,
		      struct pn_problems *ps)
{
	char path[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	size_t i;
	json_t *v;

	memset(out, 0, sizeof(*out));
	out->present = true;
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		pn_dec_problem(&d, prefix, "must be a list, not %s", pn_json_type_name(list));
		return pn_dec_result(&d);
	}
	if (json_array_size(list) > PN_MAX_NETWORKS) {
		pn_dec_problem(&d, prefix, "must have at most %d entries (has %zu)", PN_MAX_NETWORKS,
			       json_array_size(list));
		return pn_dec_result(&d);
	}
	out->v = calloc(json_array_size(list) + 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	json_array_foreach(list, i, v) {
		struct pn_netreq *r = &out->v[out->n];
		bool both = false, both_set;

		pn_pidx(path, prefix, i);
		if (!json_is_object(v)) {
			pn_dec_problem(&d, path, "must be an object, not %s", pn_json_type_name(v));
			/* keep indexes aligned with the input: an empty entry */
			out->n++;
			continue;
		}
		unknown_keys(&d, v, path);
		get_aliased(&d, v, path, "podNetworkName", "name", &r->network);
		get_aliased(&d, v, path, "podNetworkAttachmentName", "attachmentName",
			    &r->attachment);
		pn_get_string(&d, v, path, "interfaceName", false, PN_MAX_STRING, &r->interface);
		both_set = pn_get_bool(&d, v, path, "isDefaultGW", &both);
		get_gw(&d, v, path, "isDefaultGW4", both_set, both, &r->gw4);
		get_gw(&d, v, path, "isDefaultGW6", both_set, both, &r->gw6);
		pn_get_strings(&d, v, path, "ips", PN_MAX_IPS, &r->ips, &r->n_ips);
		pn_get_string(&d, v, path, "mac", false, 64, &r->mac);
		out->n++;
	}
	if (d.err) {
		pn_netreqs_clear(out);
		return d.err;
	}
	return d.n;
}

json_t *pn_netreqs_encode(const struct pn_netreqs *reqs)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < reqs->n; i++) {
		const struct pn_netreq *r = &reqs->v[i];
		json_t *o = json_object();
		int e = 0;

		if (!o || json_array_append_new(a, o) < 0)
			goto fail;
		e |= pn_json_set_str(o, "podNetworkName", r->network);
		e |= pn_json_set_str(o, "podNetworkAttachmentName", r->attachment);
		e |= pn_json_set_str(o, "interfaceName", r->interface);
		if (r->gw4 != PN_FLAG_UNSET)
			e |= pn_json_set_new(o, "isDefaultGW4", json_boolean(r->gw4 == PN_FLAG_TRUE));
		if (r->gw6 != PN_FLAG_UNSET)
			e |= pn_json_set_new(o, "isDefaultGW6", json_boolean(r->gw6 == PN_FLAG_TRUE));
		if (r->n_ips)
			e |= pn_json_set_new(o, "ips", pn_strv_json(r->ips, r->n_ips));
		e |= pn_json_set_str(o, "mac", r->mac);
		if (e)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

void pn_netreqs_clear(struct pn_netreqs *reqs)
{
	if (!reqs)
		return;
	for (size_t i = 0; i < reqs->n; i++) {
		struct pn_netreq *r = &reqs->v[i];

		free(r->network);
		free(r->attachment);
		free(r->interface);
		pn_strv_free(r->ips, r->n_ips);
		free(r->mac);
	}
	free(reqs->v);
	memset(reqs, 0, sizeof(*reqs));
}

/* ---- Pod ------------------------------------------------------------------- */

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static void decode_annotation(struct pn_dec *d, const struct pn_pod_decode_opts *opts,
			      struct pn_pod *pod)
{
	json_t *v = json_object_get(pod->meta.annotations, PN_ANNOTATION_NETWORKS);
	const char *text;
	size_t len;
	json_t *list = NULL;
	char err[256] = "";
	int r;

	if (!v)
		return;
	pod->networks_source = ANNOTATION_PATH;
	pod->networks.present = true;
	if (!json_is_string(v)) {
		pn_dec_problem(d, ANNOTATION_PATH, "must be a string, not %s", pn_json_type_name(v));
		return;
	}
	text = json_string_value(v);
	len = json_string_length(v);
	if (len > PN_MAX_ANNOTATION) {
		pn_dec_problem(d, ANNOTATION_PATH, "must be at most %d bytes long (is %zu)",
			       PN_MAX_ANNOTATION, len);
		return;
	}
	if (blank(text, len))
		return;
	if (opts && opts->parse) {
		list = opts->parse(text, len, err, sizeof(err), opts->parse_ctx);
	} else {
		json_error_t je;

		list = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
		if (!list)
			snprintf(err, sizeof(err), "line %d column %d: %s", je.line, je.column,
				 je.text);
	}
	if (!list) {
		pn_dec_problem(d, ANNOTATION_PATH, "cannot be parsed: %s", err[0] ? err : "invalid");
		return;
	}
	r = pn_netreqs_decode(list, PN_NETWORKS_PATH, &pod->networks, d->ps);
	if (r < 0)
		d->err = r;
	else
		d->n += r;
	json_decref(list);
}

int pn_pod_decode(const json_t *j, const struct pn_pod_decode_opts *opts, struct pn_pod **out,
		  struct pn_problems *ps)
{
	static const char *const apis[] = { "v1", NULL };
	struct pn_dec d = { .ps = ps };
	struct pn_pod *pod = calloc(1, sizeof(*pod));
	const json_t *spec, *status;
	int r;

	*out = NULL;
	if (!pod)
		return -ENOMEM;
	if (!json_is_object(j)) {
		pn_dec_problem(&d, "", "must be an object, not %s", pn_json_type_name(j));
		goto done;
	}
	pod->raw = json_incref((json_t *)j);
	pn_meta_decode(&d, j, apis, "Pod", &pod->meta);
	spec = pn_get_object(&d, j, "", "spec", false);
	pn_get_string(&d, spec, "spec", "nodeName", false, PN_MAX_STRING, &pod->node_name);
	pn_get_bool(&d, spec, "spec", "hostNetwork", &pod->host_network);
	status = pn_get_object(&d, j, "", "status", false);
	pn_get_string(&d, status, "status", "phase", false, PN_MAX_STRING, &pod->phase);
	if (opts && opts->native_networks) {
		json_t *list = spec ? json_object_get(spec, "networks") : NULL;

		if (list) {
			pod->networks_source = "spec.networks";
			r = pn_netreqs_decode(list, "spec.networks", &pod->networks, ps);
			if (r < 0)
				d.err = r;
			else
				d.n += r;
		}
	} else {
		decode_annotation(&d, opts, pod);
	}
done:
	if (d.err) {
		pn_pod_free(pod);
		return d.err;
	}
	*out = pod;
	return d.n;
}

bool pn_pod_terminal(const struct pn_pod *pod)
{
	return pod->phase && (!strcmp(pod->phase, "Succeeded") || !strcmp(pod->phase, "Failed"));
}

void pn_pod_free(struct pn_pod *pod)
{
	if (!pod)
		return;
	json_decref(pod->raw);
	pn_meta_clear(&pod->meta);
	free(pod->node_name);
	free(pod->phase);
	pn_netreqs_clear(&pod->networks);
	free(pod);
}
