/* nodes.c — the agents' PodNetworkNode reports on the controller's side:
 * each PodNetwork's status.nodes (counted by nodecount.c, written by
 * networks.c with the conditions, so one status write carries both), and
 * reports whose Node is gone deleted (the garbage collector does it through
 * the ownerReference too; this covers a report written without one, or a
 * cluster without the collector). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/ctl.h"
#include "cluster/nodecount.h"
#include "kube/ops.h"

const struct pn_kube_resource pn_res_reports = { PN_GROUP, PN_VERSION, "podnetworknodes", 0 };

static const json_t *synced_store(struct pn_ctl *ctl, enum pn_inf which)
{
	struct pn_informer *inf = ctl->inf[which];

	return inf && pn_informer_has_synced(inf) ? pn_informer_store(inf) : NULL;
}

json_t *pn_ctl_network_nodes(struct pn_ctl *ctl, const char *name)
{
	const json_t *reports = synced_store(ctl, PN_INF_REPORTS);

	if (!reports)
		return NULL; /* not known yet: what the object has stays */
	return pn_nodecount(reports, synced_store(ctl, PN_INF_NODES), name);
}

json_t *pn_ctl_node_transform(json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata");

	return json_pack("{ss ss s{sO? sO? sO?}}", "apiVersion", "v1", "kind", "Node", "metadata", "name",
			 json_object_get(md, "name"), "uid", json_object_get(md, "uid"), "resourceVersion",
			 json_object_get(md, "resourceVersion"));
}

struct del_ctx {
	struct pn_ctl *ctl;
	char key[600];
};

static void delete_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct del_ctx *d = ud;
	(void)body;

	if (rc < 0 && rc != -PN_KUBE_ENOTFOUND && rc != -PN_KUBE_ECONFLICT) {
		d->ctl->m.errors_write++;
		pn_ctl_log(d->ctl, 0, "%s: delete failed: %s (%s)", d->key, st->reason[0] ? st->reason : strerror(-rc),
			   st->message);
	} else if (rc == 0) {
		pn_ctl_log(d->ctl, 1, "%s: deleted, its Node is gone", d->key);
	}
	pn_ctl_set_busy(d->ctl, d->key, false);
	free(d);
}

int pn_ctl_reconcile_report(struct pn_ctl *ctl, const char *name)
{
	json_t *rep = ctl->inf[PN_INF_REPORTS] ? pn_informer_get(ctl->inf[PN_INF_REPORTS], NULL, name) : NULL;
	const json_t *nodes = synced_store(ctl, PN_INF_NODES);
	const char *uid;
	struct del_ctx *d;
	int r;

	if (!rep || !nodes || !pn_nodecount_orphan(rep, nodes))
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ctl = ctl;
	snprintf(d->key, sizeof(d->key), "pnnode/%s", name);
	if (pn_ctl_busy(ctl, d->key)) {
		free(d);
		return 0;
	}
	/* the uid precondition: never a report the agent of a new Node of
	 * that name wrote meanwhile */
	uid = json_string_value(json_object_get(json_object_get(rep, "metadata"), "uid"));
	r = pn_kube_delete(ctl->c, &pn_res_reports, NULL, name, uid, NULL, delete_done, d);
	if (r < 0) {
		free(d);
		return r;
	}
	pn_ctl_set_busy(ctl, d->key, true);
	return 0;
}

void pn_ctl_reports_changed(struct pn_ctl *ctl, enum pn_inf which, json_t *old_obj, json_t *new_obj)
{
	const char *key;
	json_t *v;

	if (ctl->state == PN_CTL_STANDBY)
		return;
	if (which == PN_INF_REPORTS) {
		json_t *o = json_object_get(old_obj, "status"), *n = json_object_get(new_obj, "status");
		json_t *obj = new_obj ? new_obj : old_obj;
		const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
		bool kinds;

		if (name)
			pn_ctl_enqueue(ctl, "pnnode", name);
		kinds = !old_obj || !new_obj ||
			!json_equal(json_object_get(o, "providers"), json_object_get(n, "providers"));
		if (!kinds && json_equal(json_object_get(o, "networks"), json_object_get(n, "networks")))
			return; /* observedTime or metadata only: no count changes */
		pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
		/* the kinds providers declare make parameters ready or not */
		if (kinds)
			pn_ctl_enqueue_all(ctl, PN_INF_ATTACHMENTS, "pna");
		return;
	}
	/* a Node added or removed: totals change, orphans appear */
	if (old_obj && new_obj)
		return;
	pn_ctl_enqueue_all(ctl, PN_INF_NETWORKS, "net");
	if (ctl->inf[PN_INF_REPORTS])
		json_object_foreach(pn_informer_store(ctl->inf[PN_INF_REPORTS]), key, v)
			pn_ctl_enqueue(ctl, "pnnode", key);
}
