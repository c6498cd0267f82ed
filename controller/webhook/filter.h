/* filter.h: the kube-scheduler extender's filter (POST /scheduler/filter).
 * Pure: ExtenderArgs text in, ExtenderFilterResult text out; the objects it
 * needs (PodNetworks, attachments, namespace labels, PodNetworkNode reports)
 * come through lookups the caller fills from its caches; no network, no
 * clock.
 *
 * Wire format (k8s.io/kube-scheduler/extender/v1; the Go structs have no
 * JSON tags, so the scheduler writes the Go field names and reads any case):
 *   in   {"Pod": {...}, "Nodes": {"items": [...]} | null,
 *         "NodeNames": ["node-1", ...] | null}
 *   out  {"NodeNames": [...]  (or "Nodes": {"items": [...]} when the
 *         scheduler sent Nodes), "FailedNodes": {"node": "message"},
 *         "FailedAndUnresolvableNodes": {...} (1.21+; preemption cannot
 *         help), "Error": ""}
 *
 * The decision for a Pod:
 *   - hostNetwork, or asking for nothing: every node passes, nothing read;
 *   - a request that does not decode or validate: every node fails with
 *     "podnet: invalid podnet.dev/networks: PATH: message";
 *   - a network (named directly or through an attachment of the Pod's
 *     namespace) missing or whose Ready condition is not True: every node
 *     fails with "podnet: PodNetwork \"X\" is not Ready (Reason)" (the same
 *     for an attachment), or one the namespace may not use;
 *   - then per node, for every network but `default`: the node's
 *     PodNetworkNode report must list it available, else
 *     "podnet: PodNetwork \"X\" is not available on this node (Reason: message)"
 *     or "podnet: no podnet-agent report from this node". While the reports
 *     are not known (their cache has not synced: the CRD may be missing)
 *     this step is skipped. */
#ifndef PN_WEBHOOK_FILTER_H
#define PN_WEBHOOK_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "webhook/checks.h"

#define PN_WH_FILTER_MAX_BODY  (16 * 1024 * 1024) /* a Pod and, without nodeCacheCapable, Nodes */
#define PN_WH_FILTER_MAX_NODES 15000               /* more than Kubernetes supports */
#define PN_WH_FILTER_MAX_NAME  253

struct pn_wh_filter_args {
	json_t *root;       /* owned */
	json_t *pod;        /* borrowed from root: the Pod object */
	json_t *items;      /* Nodes.items (node objects), or NULL */
	json_t *names;      /* NodeNames (strings), or NULL */
	size_t n;           /* candidates */
};

/* Decodes ExtenderArgs. Keys are matched without regard to case, as Go's
 * decoder does; the same key twice (in any case) is refused. 0, or -EBADMSG
 * with err naming the field and the reason (out cleared). */
int pn_wh_filter_decode(const char *text, size_t len, struct pn_wh_filter_args *out, char *err,
			size_t errlen);
void pn_wh_filter_clear(struct pn_wh_filter_args *a);
/* The name of candidate i (0 <= i < n). */
const char *pn_wh_filter_node(const struct pn_wh_filter_args *a, size_t i);

struct pn_wh_filter_world {
	const struct pn_wh_lookup *lk;  /* PodNetworks, attachments, namespace labels */
	/* The PodNetworkNode of a node, or NULL; borrowed. */
	json_t *(*report)(void *ud, const char *node);
	void *ud;
	bool reports_known;             /* false: skip the per-node step */
};

struct pn_wh_filter_outcome {
	size_t passed, failed;
	bool asked;                     /* the Pod asked for networks */
	char first[512];                /* the first failure message, "" when none */
};

/* Decides and encodes the ExtenderFilterResult (malloc'd text, NULL when out
 * of memory). out (optional) tells what happened, for the log. */
char *pn_wh_filter_run(const struct pn_wh_filter_args *a, const struct pn_wh_config *cfg,
		       const struct pn_wh_filter_world *w, struct pn_wh_filter_outcome *out);
/* An ExtenderFilterResult carrying only Error (the scheduler then fails the
 * attempt, or skips the extender when it is ignorable). */
char *pn_wh_filter_error(const char *message);

#endif
