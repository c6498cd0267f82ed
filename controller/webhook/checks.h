/* checks.h: what podnet-webhook decides about one admission request. Pure:
 * the objects it needs beyond the request (PodNetworks, attachments,
 * namespace labels) come through a lookup table the caller fills from its
 * caches; no network, no clock.
 *
 * Messages have the form of `podnetctl validate`, "FIELD.PATH: message",
 * several joined by "; ". Codes: 400 for an invalid object, 403 for a write
 * the user may not make (a plan annotation, a network the namespace may not
 * use, deleting `default` while Pods use it). */
#ifndef PN_WEBHOOK_CHECKS_H
#define PN_WEBHOOK_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "pn/plan_sign.h"
#include "webhook/review.h"

#define PN_WH_CONTROLLER_USER  "system:serviceaccount:podnet-system:podnet-controller"
#define PN_WH_CONTROLLER_GROUP "podnet:controllers"
#define PN_WH_AGENT_USER       "system:serviceaccount:podnet-system:podnet-agent"
#define PN_WH_AGENT_GROUP      "podnet:agents"

struct pn_wh_lookup {
	/* The cached object or NULL; borrowed. */
	json_t *(*podnetwork)(void *ud, const char *name);
	json_t *(*attachment)(void *ud, const char *ns, const char *name);
	/* The namespace's labels (an object), NULL when it has none or is not known. */
	json_t *(*namespace_labels)(void *ud, const char *ns);
	void *ud;
};

struct pn_wh_config {
	const char *const *controller_users;  /* may write the plan annotations */
	size_t n_users;
	const char *const *controller_groups; /* members may too */
	size_t n_groups;
	const char *const *agent_users;       /* may write network-status */
	size_t n_agent_users;
	const char *const *agent_groups;      /* members may too */
	size_t n_agent_groups;
	bool native_networks;                 /* Pods ask through spec.networks */
};

struct pn_wh_verdict {
	bool allowed;
	int code;
	char message[PN_WH_MAX_MSG];
};

enum {
	PN_WH_DECIDED = 0,
	/* DELETE of the default PodNetwork: the caller lists the Pods, counts
	 * those pn_wh_pod_uses_default() says use it and calls
	 * pn_wh_default_in_use(). */
	PN_WH_COUNT_DEFAULT_USERS = 1,
};

/* Decides rv into v. Returns PN_WH_DECIDED or PN_WH_COUNT_DEFAULT_USERS. */
/* May namespace ns use PodNetwork network (its spec.namespaceSelector
 * against the namespace's labels)? 0 allowed (or the network does not
 * exist: the controller reports it later), 1 refused with the reason in msg,
 * -errno. Admission and the scheduler filter both ask it. */
int pn_wh_access_of(const struct pn_wh_lookup *lk, const char *network, const char *ns,
		    char *msg, size_t len);

int pn_wh_check(const struct pn_wh_review *rv, const struct pn_wh_config *cfg,
		const struct pn_wh_lookup *lk, struct pn_wh_verdict *v);
/* Whether a Pod (as listed) uses the default PodNetwork: not hostNetwork,
 * not terminal, and either asking for nothing or naming `default` (directly
 * or through an attachment of its namespace). A Pod whose request cannot be
 * read counts as a user (the safe side). */
bool pn_wh_pod_uses_default(json_t *pod, const struct pn_wh_config *cfg,
			    const struct pn_wh_lookup *lk);
/* The verdict for the DELETE once counted: refused when n > 0, naming one
 * Pod (ns/name); allowed otherwise. */
void pn_wh_default_in_use(struct pn_wh_verdict *v, size_t n, const char *example);
/* Whether the user is one of the controller / agent identities. */
bool pn_wh_is_controller(const struct pn_wh_review *rv, const struct pn_wh_config *cfg);
bool pn_wh_is_agent(const struct pn_wh_review *rv, const struct pn_wh_config *cfg);

#endif
