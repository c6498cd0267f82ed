/* node/agent_avail.h — per-node availability: which PodNetworks this node
 * can serve, and why not, as the PodNetworkNode report of the node.
 *
 * Pure logic, no Kubernetes and no provider: the PodNetworks and CNIConfigs
 * come in as JSON (the agent's informer caches), each network's parameters
 * are resolved by the planner of api/ (pn_plan_build, as the controller
 * builds params for a plan), and the node is asked through a callback (the
 * agent's is pn_agent_can_serve). agent_kube.c writes the result. */
#ifndef PN_NODE_AGENT_AVAIL_H
#define PN_NODE_AGENT_AVAIL_H

#include "pn/limits.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* buffers for the CRD's limits (pn/limits.h), each with its NUL */
#define PN_AVAIL_MAX_NETWORKS PN_MAX_NODE_NETWORKS
#define PN_AVAIL_REASON_LEN (PN_MAX_NODE_REASON + 1)
#define PN_AVAIL_MESSAGE_LEN (PN_MAX_NODE_MESSAGE + 1)

/* One entry of status.networks. */
struct pn_avail_net {
	char *name;
	bool available;
	char *reason;  /* NULL when available */
	char *message; /* NULL or one line */
};

struct pn_avail_report {
	struct pn_avail_net *v; /* sorted by name */
	size_t n;
	/* status.providers: [{name, version, parameterKinds: ["group/Kind"]}]
	 * of the providers loaded on this node (owned; NULL: left out). The
	 * controller and podnetctl plan read the declared kinds
	 * (pn_param_ref_supported_by). */
	json_t *providers;
};

/* The node's answer about one network: 0 available, else one of these, with
 * err the provider's -errno for PN_AVAIL_REFUSED and a one-line message.
 * params_json NULL: the provider's readiness only (no can_serve). */
#define PN_AVAIL_NO_PROVIDER 1 /* provider not loaded */
#define PN_AVAIL_NOT_READY 2   /* its status says not ready */
#define PN_AVAIL_REFUSED 3     /* its can_serve said no */
typedef int pn_avail_ask_fn(void *ctx, const char *provider, const char *network, const char *params_json,
			    int *err, char *message, size_t mlen);

/* The report of every PodNetwork in networks (a JSON object of objects, as
 * an informer's store, or an array), with the CNIConfigs of cniconfigs (the
 * same shapes; NULL: none). provider "" is the default network's (the
 * agent's default provider decides); params "{}" when a network has none.
 * A network whose parameters do not resolve is ParamsNotResolved with the
 * planner's message; one whose parameters come from a
 * NetworkAttachmentDefinition (the agent does not read those) is asked
 * about its provider's readiness only (params_json NULL).
 * Objects that do not decode are left out. Returns 0 or -ENOMEM/-E2BIG. */
int pn_avail_evaluate(const json_t *networks, const json_t *cniconfigs, pn_avail_ask_fn *ask, void *ctx,
		      struct pn_avail_report *out);

/* The reason of an answer (ask's return, err, message) into reason; *msg
 * points into message past a provider's own "Reason: " prefix. */
void pn_avail_reason(int verdict, int err, const char *message, char *reason, size_t rlen, const char **msg);

/* status of the report: {"observedTime":T,"networks":[...],"providers":[...]}
 * (new reference). */
json_t *pn_avail_status(const struct pn_avail_report *r, const char *observed_time);
/* The whole PodNetworkNode object of node (owner: the Node of that uid). */
json_t *pn_avail_object(const char *node, const char *node_uid, const struct pn_avail_report *r,
			const char *observed_time);
/* true when the networks and providers of an object's status (as read back
 * from the API server) say what r says. */
bool pn_avail_status_matches(const json_t *obj, const struct pn_avail_report *r);

void pn_avail_report_clear(struct pn_avail_report *r);

#endif
