/* check.c — the cross-object checks of `podnetctl validate`, as far as the
 * files allow. An object the files do not hold may exist in the cluster, so
 * a missing PodNetwork, attachment or parameter object is never an error
 * here; what the files do hold is checked against each other:
 *   - the same object (kind, namespace, name) defined twice;
 *   - a Pod asking for one PodNetwork twice once attachments are resolved;
 *   - a Pod asking for a PodNetwork that is disabled;
 *   - fixed addresses (ips) on a PodNetwork that has no IPPool, or that are
 *     outside the IPPool, reserved in it, or already asked for by an
 *     earlier Pod (file order). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pn/ipam.h"

void cli_owner(char *buf, size_t len, const struct cli_object *pod, const char *network)
{
	snprintf(buf, len, "Pod %s/%s (%s)", pod->ns ? pod->ns : "default", pod->name, network);
}

const char *cli_ref_pool(const struct pn_param_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].group && refs[i].kind && refs[i].name &&
		    !strcmp(refs[i].group, PN_GROUP) && !strcmp(refs[i].kind, "IPPool"))
			return refs[i].name;
	return NULL;
}

static int check_duplicates(struct cli_set *set)
{
	json_t *seen = json_object();
	int r = 0;

	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < set->n_objs && r >= 0; i++) {
		struct cli_object *o = &set->objs[i];
		bool nsd = o->obj.kind == PN_KIND_PODNETWORKATTACHMENT || o->obj.kind == PN_KIND_POD;
		const json_t *prev;
		char *key = NULL;

		if (o->obj.kind == PN_KIND_UNKNOWN || !*o->name)
			continue;
		if (asprintf(&key, "%d/%s/%s/%s", (int)o->obj.kind, o->workload ? o->kind : "",
			     nsd ? (o->ns ? o->ns : "default") : "", o->name) < 0)
			return json_decref(seen), -ENOMEM;
		prev = json_object_get(seen, key);
		if (prev) {
			const struct cli_object *p = &set->objs[json_integer_value(prev)];

			r = cli_object_problem(o, "metadata.name",
					       "%s \"%s\" is defined twice (also at %s:%d:%d)",
					       o->workload ? o->kind : pn_kind_name(o->obj.kind), o->name,
					       set->files[p->file].name, p->line, p->col);
		} else if (json_object_set_new(seen, key, json_integer((json_int_t)i)) < 0) {
			r = -ENOMEM;
		}
		free(key);
	}
	json_decref(seen);
	return r < 0 ? r : 0;
}

/* Whether o already has a problem at path or below it. */
static bool has_problem_under(const struct cli_object *o, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < o->ps.n; i++) {
		const char *p = o->ps.v[i].path;

		if (!strncmp(p, path, n) && (p[n] == '\0' || p[n] == '.' || p[n] == '['))
			return true;
	}
	return false;
}

static int check_pod(struct cli_set *set, struct cli_object *o, struct cli_pools *pools)
{
	const struct pn_pod *pod = o->obj.u.pod;
	const char **names;
	int r = 0;

	if (!pod->networks.n)
		return 0;
	names = calloc(pod->networks.n, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < pod->networks.n && r >= 0; i++) {
		const struct pn_netreq *q = &pod->networks.v[i];
		const struct cli_object *pna_o = NULL, *net_o = NULL;
		const struct pn_attachment *pna = NULL;
		const struct pn_podnetwork *net = NULL;
		const char *name = q->network;
		const char *field = "podNetworkName";
		const char *pool = NULL;
		char path[256], owner[PN_IPAM_OWNER_MAX];

		if (q->attachment) {
			field = "podNetworkAttachmentName";
			name = NULL;
			pna_o = cli_find(set, PN_KIND_PODNETWORKATTACHMENT, o->ns, q->attachment);
			if (pna_o) {
				pna = pna_o->obj.u.attachment;
				name = pna->spec.pod_network_name;
			}
		}
		if (!name)
			continue; /* an attachment the files do not hold */
		names[i] = name;
		snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%zu].%s", i, field);
		/* direct repeats are the model's (pn_netreqs_validate) */
		for (size_t k = 0; k < i && q->attachment; k++)
			if (names[k] && !strcmp(names[k], name)) {
				r = cli_object_problem(o, path,
						       "PodNetwork \"%s\" is already requested by "
						       PN_NETWORKS_PATH "[%zu]: a PodNetwork at most once per Pod",
						       name, k);
				break;
			}
		net_o = cli_find(set, PN_KIND_PODNETWORK, NULL, name);
		net = net_o ? net_o->obj.u.podnetwork : NULL;
		if (net && net->spec.enabled_set && !net->spec.enabled && r >= 0)
			r = cli_object_problem(o, path,
					       "PodNetwork \"%s\" is disabled (spec.enabled is false)",
					       name);
		/* namespace access, when the files hold the Namespace too */
		if (net && r >= 0 && !pn_label_selector_empty(net->spec.namespace_selector)) {
			const char *ns = o->ns ? o->ns : "default";
			const json_t *labels = cli_namespace_labels(set, ns);
			char msg[1024], epath[64];

			snprintf(epath, sizeof(epath), PN_NETWORKS_PATH "[%zu]", i);
			if (labels &&
			    pn_podnetwork_check_namespace(net, ns, labels, msg, sizeof(msg)) != 0)
				r = cli_object_problem(o, epath, "%s", msg);
		}
		if (!q->n_ips || r < 0)
			continue;
		if (pna)
			pool = cli_ref_pool(pna->spec.refs, pna->spec.n_refs);
		if (!pool && net)
			pool = cli_ref_pool(net->spec.refs, net->spec.n_refs);
		if (!pool) {
			if (net) {
				snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%zu].ips", i);
				r = cli_object_problem(o, path,
						       "fixed addresses need a PodNetwork with an IPPool "
						       "in its parametersRefs (\"%s\" has none)", name);
			}
			continue;
		}
		/* addresses the model already refused are not checked again */
		snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%zu].ips", i);
		if (has_problem_under(o, path))
			continue;
		cli_owner(owner, sizeof(owner), o, name);
		for (size_t k = 0; k < q->n_ips && r >= 0; k++) {
			char msg[512];
			int rv = cli_pools_reserve(pools, pool, q->ips[k], owner, msg, sizeof(msg));

			if (rv == -ENOMEM)
				r = rv;
			else if (rv < 0) {
				snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%zu].ips[%zu]", i, k);
				r = cli_object_problem(o, path, "%s", msg);
			}
		}
	}
	free(names);
	return r < 0 ? r : 0;
}

int cli_check_set(struct cli_set *set)
{
	struct cli_pools *pools;
	int r;

	r = check_duplicates(set);
	if (r < 0)
		return r;
	pools = cli_pools_new(set);
	if (!pools)
		return -ENOMEM;
	for (size_t i = 0; i < set->n_objs && r >= 0; i++) {
		struct cli_object *o = &set->objs[i];

		if (o->obj.kind == PN_KIND_POD && o->obj.u.pod)
			r = check_pod(set, o, pools);
	}
	cli_pools_free(pools);
	return r;
}
