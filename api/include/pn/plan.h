/* pn/plan.h — the attachment plan of a Pod (annotation podnet.dev/plan) and
 * the network-status entries the agent writes back.
 *
 * Planning turns what a Pod asks for (pn/model.h, struct pn_netreqs) into
 * the list of attachments: which PodNetwork, which interface name, which
 * provider with which resolved parameters, which default routes. Objects the
 * plan depends on come through a resolver (callbacks), so the controller
 * plugs in its informer caches and podnetctl the objects read from files.
 *
 * Addresses are allocated by the caller with pn/ipam.h: the planner only
 * records, per attachment, the IPPool to allocate from and the addresses the
 * Pod asked for; the caller fills ips/gateways/routes before encoding.
 *
 * Wire format (compact JSON, API.md):
 *   {"v":1,"attachments":[
 *    {"network":"default","interface":"eth0","gw4":true,"gw6":true},
 *    {"network":"media-net","interface":"net1","provider":"podnet.dev/cni",
 *     "params":{...},"ips":["172.16.1.101/24"],"gateways":["172.16.1.1"],
 *     "routes":[],"mac":null}]}
 * An attachment without provider (the default network: the node's primary
 * CNI) carries network, interface and the gw flags only; gw4/gw6 are written
 * only when true. Routes are {"dst":CIDR[,"gw":addr]}.
 */
#ifndef PN_PLAN_H
#define PN_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pn/model.h"
#include "pn/problem.h"

#define PN_PLAN_VERSION 1
#define PN_MAX_PLAN     (256 * 1024) /* bytes of plan JSON we accept */

struct pn_plan_attachment {
	char *network;               /* PodNetwork name */
	char *interface;             /* interface name in the Pod */
	char *provider;              /* NULL for the default network */
	json_t *params;              /* resolved parameters (CNI conflist) or NULL */
	char **ips;                  /* CIDR form "a.b.c.d/len" */
	size_t n_ips;
	char **gateways;
	size_t n_gateways;
	struct pn_route *routes;
	size_t n_routes;
	char *mac;                   /* NULL = none */
	bool gw4;                    /* holds the IPv4 default route */
	bool gw6;                    /* holds the IPv6 default route */
	/* parametersRefs of kinds podnet does not resolve (a provider's own,
	 * see pn_param_ref_supported_by), for the provider: effective ones
	 * (an attachment's replace the network's of the same group/kind).
	 * Encoded as "parametersRefs" only when there are some. */
	struct pn_param_ref *refs;
	size_t n_refs;

	/* Planning facts, not encoded. */
	char *attachment;            /* PodNetworkAttachment name, or NULL */
	char *ippool;                /* IPPool to allocate from, or NULL */
	char **requested_ips;        /* fixed addresses asked for (no /len) */
	size_t n_requested_ips;
	long request_index;          /* entry in the request list, -1 when implicit */
};

struct pn_plan {
	int version;                 /* PN_PLAN_VERSION */
	struct pn_plan_attachment *v;
	size_t n;
};

/* How the planner finds other objects. Every callback may be NULL (= nothing
 * found). Returned objects are borrowed: they must stay valid until
 * pn_plan_build returns. nad_config returns a new reference (the parsed
 * spec.config of a NetworkAttachmentDefinition) or NULL. */
struct pn_resolver {
	void *ctx;
	const struct pn_podnetwork *(*network)(void *ctx, const char *name);
	const struct pn_attachment *(*attachment)(void *ctx, const char *ns, const char *name);
	const struct pn_cniconfig *(*cniconfig)(void *ctx, const char *name);
	const struct pn_ippool *(*ippool)(void *ctx, const char *name);
	json_t *(*nad_config)(void *ctx, const char *ns, const char *name);
	/* The labels of Namespace ns: a JSON object ({} when it has none), or
	 * NULL when the namespace is not known (not in the cache yet, or not
	 * among podnetctl's input files). A network whose
	 * spec.namespaceSelector has terms is refused from an unknown
	 * namespace (fail closed; the controller plans the Pod again when
	 * the Namespace shows up). A NULL callback knows no namespace. */
	const json_t *(*namespace_labels)(void *ctx, const char *ns);
	/* The plan the Pod has now, or NULL. Networks in it are not checked
	 * against spec.namespaceSelector again: access is checked when an
	 * attachment is planned, and narrowing it leaves running Pods their
	 * attachments. Only a plan podnet itself wrote may be passed here. */
	const struct pn_plan *current;
	/* Whether PodNetworkAttachment pna (of namespace ns) is Ready: true, or
	 * false with its Ready reason (CamelCase) and a message. A Pod never
	 * attaches through an attachment that is not Ready. NULL reads the
	 * attachment's own status.conditions: refused when its Ready condition
	 * is there and not True; an attachment nobody judged yet (no Ready
	 * condition, as in podnetctl's files) is taken as it is. */
	bool (*attachment_ready)(void *ctx, const char *ns, const struct pn_attachment *pna,
				 char *reason, size_t rlen, char *msg, size_t mlen);
};

/* Builds the plan of a request list read from a Pod in namespace ns.
 * Checks the list (pn_netreqs_validate) and what needs other objects:
 * every network and attachment exists, networks are enabled and not being
 * deleted, the namespace may use each network (spec.namespaceSelector, see
 * pn_podnetwork_check_namespace; not for networks in r->current; the
 * problem is at podnet.dev/networks[i]), a PodNetwork at most once after resolving
 * attachments, every attachment Ready (attachment_ready above), `default`
 * on eth0 also when reached through an attachment, a requested fixed
 * address only on a network with an IPPool. Problems have paths
 * "podnet.dev/networks[i].field". Returns the number of problems (the plan is filled
 * only when 0), or -errno. reqs may be NULL or empty: default on eth0 (and
 * an empty plan for a hostNetwork Pod, which has no network of its own). */
int pn_plan_build(const struct pn_netreqs *reqs, const char *ns, bool host_network,
		  const struct pn_resolver *r, struct pn_plan *out, struct pn_problems *ps);
/* The same for a decoded Pod (its namespace, hostNetwork and requests;
 * problems at spec.networks[i] when the list came from a native
 * spec.networks). An attachment's parametersRefs replace the network's refs
 * of the same group/kind. */
int pn_plan_build_pod(const struct pn_pod *pod, const struct pn_resolver *r, struct pn_plan *out,
		      struct pn_problems *ps);
/* true when p is a refusal of namespace access by pn_plan_build (its
 * message says 'PodNetwork "N" may not be used from namespace "NS": ...'),
 * for callers that report those apart (Event reason NetworkNotAllowed). */
bool pn_problem_is_access(const struct pn_problem *p);

/* Whether podnet itself resolves parameters of ref's group and kind
 * (podnet.dev CNIConfig and IPPool, k8s.cni.cncf.io
 * NetworkAttachmentDefinition). Any other kind is refused with msg
 * ("parameters of kind G/K are not supported by podnet"). Callers that know
 * the nodes' reports use pn_param_ref_supported_by. */
bool pn_param_ref_supported(const struct pn_param_ref *ref, char *msg, size_t mlen);

/* Whether ref is usable for a network of `provider`: a kind podnet resolves
 * itself (pn_param_ref_supported), or one that provider declares (provider
 * ABI 1.3, podnet_provider_ops.param_kinds) on at least one node, as the
 * nodes' PodNetworkNode reports say in status.providers[] ({name,
 * parameterKinds: ["group/Kind", ...]}). `reports` is a JSON array of
 * PodNetworkNode objects or an object whose values are (an informer
 * store); NULL knows no report. Malformed entries are skipped. The
 * controller (ParamsNotReady) and podnetctl plan (its input files and
 * --provider-kinds) ask this one function. On false, msg says why
 * ("parameters of kind G/K are not supported by podnet, and provider P
 * declares it on no node"). */
bool pn_param_ref_supported_by(const struct pn_param_ref *ref, const char *provider,
			       const json_t *reports, char *msg, size_t mlen);
/* Whether PodNetworkNode `report` says provider declares group/kind. */
bool pn_report_declares_kind(const json_t *report, const char *provider, const char *group,
			     const char *kind);
/* Whether s is a well-formed parameters kind "group/Kind": group a DNS
 * subdomain with at least one dot (at most 253 characters), Kind a letter
 * A-Z then letters and digits (at most 63). On false, why says what is
 * wrong (why may be NULL). */
bool pn_param_kind_valid(const char *s, char *why, size_t wlen);
/* The plan of a Pod that asks for nothing: default on eth0, both routes. */
int pn_plan_default(struct pn_plan *out);

/* Interface naming (done by pn_plan_build; exposed for tests): attachments
 * with interface == NULL get "eth0" for the default network, else net1,
 * net2, ... in order, skipping names already taken. */
int pn_plan_name_interfaces(struct pn_plan *plan);

/* Fillers for the caller that allocated addresses. Strings are copied. */
int pn_plan_attachment_add_ip(struct pn_plan_attachment *a, const char *cidr);
int pn_plan_attachment_add_gateway(struct pn_plan_attachment *a, const char *addr);
int pn_plan_attachment_add_route(struct pn_plan_attachment *a, const char *dst, const char *gw);

/* The attachment holding the IPv4 default route, else the IPv6 one, else
 * the first; NULL for an empty plan. */
const struct pn_plan_attachment *pn_plan_primary(const struct pn_plan *plan);
const struct pn_plan_attachment *pn_plan_find(const struct pn_plan *plan, const char *network);

json_t *pn_plan_encode(const struct pn_plan *plan);             /* new reference */
char *pn_plan_dumps(const struct pn_plan *plan);                /* compact, malloc'd */
int pn_plan_decode(const json_t *j, struct pn_plan *out, struct pn_problems *ps);
int pn_plan_loads(const char *text, size_t len, struct pn_plan *out, struct pn_problems *ps);
/* true when both encode to the same JSON. */
bool pn_plan_equal(const struct pn_plan *a, const struct pn_plan *b);
void pn_plan_clear(struct pn_plan *plan);

/* ---- addresses from an IPPool (pn/ipam.h) --------------------------------- */

struct pn_ipam_pool;

/* Builds the IPAM pool of an IPPool whose spec is valid (pn_ippool_validate).
 * Returns 0, -EINVAL (spec not usable) or -ENOMEM; *out is owned by the caller
 * (pn_ipam_pool_free). */
int pn_ippool_ipam(const struct pn_ippool *p, struct pn_ipam_pool **out);

/* Fills a->ips (CIDR form, the range's prefix length), a->gateways (the
 * ranges' gateways) and a->routes (the IPPool's spec.routes) from pool, for
 * owner (e.g. "<pod-uid>/<network>"):
 *   - each requested address must be inside the pool and free (or already
 *     held by owner): otherwise a problem at podnet.dev/networks[i].ips[k];
 *   - every family the pool has and no requested address covers gets the
 *     address owner already holds in that family, else the lowest free one;
 *     an exhausted family is a problem at podnet.dev/networks[i];
 *   - afterwards owner holds exactly the addresses in a->ips: others it held
 *     in this pool are released (a changed request moves the address).
 * On a problem nothing of this call stays allocated and a->ips is left as it
 * was. spec is the IPPool the pool was built from. Returns the number of
 * problems or -errno. Calling it again with the same owner is idempotent. */
int pn_plan_allocate(struct pn_plan_attachment *a, struct pn_ipam_pool *pool,
		     const struct pn_ippool *spec, const char *owner, struct pn_problems *ps);

/* ---- k8s.v1.cni.cncf.io/network-status ----------------------------------- */

struct pn_netstatus {
	char *name;                  /* the PodNetwork name */
	char *interface;
	char **ips;                  /* plain addresses */
	size_t n_ips;
	char *mac;
	bool is_default;             /* "default" */
	json_t *dns;                 /* object or NULL */
	char **gateway;
	size_t n_gateway;
};

struct pn_netstatuses {
	struct pn_netstatus *v;
	size_t n;
};

int pn_netstatus_decode(const json_t *list, struct pn_netstatuses *out, struct pn_problems *ps);
int pn_netstatus_loads(const char *text, size_t len, struct pn_netstatuses *out,
		       struct pn_problems *ps);
json_t *pn_netstatus_encode(const struct pn_netstatuses *st);
void pn_netstatus_clear(struct pn_netstatuses *st);

#endif
