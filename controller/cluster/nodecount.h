/* nodecount.h — counting the PodNetworkNode reports into a PodNetwork's
 * status.nodes. Pure (no loop, no network). */
#ifndef PN_CLUSTER_NODECOUNT_H
#define PN_CLUSTER_NODECOUNT_H

#include <jansson.h>
#include <stdbool.h>

/* {"total": reports of known nodes, "available": those whose entry for
 * network says available: true} (new reference, NULL when out of memory).
 * reports: the informer store of PodNetworkNodes (key -> object); nodes:
 * the store of Nodes keyed by name, or NULL when not known yet (every
 * report counts then). A report without an entry for the network counts in
 * total, not in available (its agent has not seen the network yet). */
json_t *pn_nodecount(const json_t *reports, const json_t *nodes, const char *network);
/* Whether report belongs to a Node that is gone (nodes known, name absent). */
bool pn_nodecount_orphan(const json_t *report, const json_t *nodes);

#endif
