/* addrs.h — the controller's central address state: which addresses each Pod
 * holds in which IPPool (the "holds"), and one IPAM pool per IPPool derived
 * from them. Pure logic (no I/O, no clock), unit-tested.
 *
 * The holds are the truth the controller keeps between observations; the
 * IPAM pools are an index over them, rebuilt whenever a pool's spec changes
 * and when the controller becomes leader (after reading every Pod's plan).
 * A Pod holds:
 *   - the addresses of its observed plan,
 *   - addresses of attachments removed from the plan that the agent still
 *     reports in network-status (released once it no longer does),
 *   - the addresses of a plan write whose outcome is not known yet: they are
 *     released only when an observation of the Pod at a resourceVersion past
 *     the write's precondition shows they are not in its plan (see pods.c).
 * Owners in IPAM are "<pod-uid>/<network>". */
#ifndef PN_CLUSTER_ADDRS_H
#define PN_CLUSTER_ADDRS_H

#include <stdbool.h>
#include <stdint.h>

#include "cluster/strmap.h"
#include "pn/ipam.h"
#include "pn/model.h"
#include "pn/plan.h"

struct pn_hold {
	char *pool;    /* IPPool name */
	char *network; /* PodNetwork name (owner is uid/network) */
	struct pn_ip ip;
};

struct pn_addrs_pod {
	char *uid;
	char *key;          /* the controller's: "ns/name", for sweeping */
	double stamp;       /* the controller's: last observation */
	double last_write;  /* the controller's: last plan write started */
	unsigned inflight;  /* plan writes not completed */
	uint64_t min_rv;    /* observations below this resourceVersion are stale */
	uint64_t seq;       /* the controller's: highest plan seq verified or written */
	struct pn_hold *v;
	size_t n, cap;
};

struct pn_addrs_pool {
	char *name;
	struct pn_ipam_pool *ipam;  /* NULL while the IPPool is missing or invalid */
	struct pn_ippool *spec;     /* the decoded IPPool the pool was built from */
	bool dirty;                 /* status needs writing */
};

struct pn_addrs {
	struct pn_strmap pods;   /* uid -> struct pn_addrs_pod */
	struct pn_strmap pools;  /* name -> struct pn_addrs_pool */
	unsigned long conflicts; /* addresses found held twice (should stay 0) */
};

void pn_addrs_init(struct pn_addrs *a);
void pn_addrs_clear(struct pn_addrs *a);

/* Sets (spec != NULL; ownership of spec passes to the state) or removes the
 * IPAM pool of an IPPool; rebuilds its allocations from every hold naming it.
 * Returns the number of conflicts found (duplicates), -EINVAL for a spec
 * the IPAM cannot use (the pool then stays without IPAM), -ENOMEM. */
int pn_addrs_pool_set(struct pn_addrs *a, const char *name, struct pn_ippool *spec);
struct pn_addrs_pool *pn_addrs_pool(const struct pn_addrs *a, const char *name);

/* The Pod's state, created when create is true. NULL on ENOMEM / absent. */
struct pn_addrs_pod *pn_addrs_pod(struct pn_addrs *a, const char *uid, bool create);
/* Releases every hold of the Pod and forgets it. */
void pn_addrs_pod_release(struct pn_addrs *a, const char *uid);

/* Makes the Pod's holds exactly want[0..n) (duplicates in want ignored).
 * Holds that are added are allocated in their pool when it has IPAM; an
 * address held by another owner is counted as a conflict and not held.
 * keep_extra: only add, release nothing. Returns the number of conflicts or
 * -ENOMEM. */
int pn_addrs_pod_sync(struct pn_addrs *a, struct pn_addrs_pod *p, const struct pn_hold *want,
		      size_t n, bool keep_extra);

/* Allocates the addresses of every attachment of plan that has an ippool
 * (lowest free, or the requested ones), for Pod p. On success the Pod's
 * holds gain the plan's addresses (and lose others of the same
 * pool/network); on a problem nothing changes. Problems carry the paths of
 * pn_plan_allocate (networks[i], networks[i].ips[k]). */
int pn_addrs_allocate(struct pn_addrs *a, struct pn_addrs_pod *p, struct pn_plan *plan,
		      struct pn_problems *ps);

/* Rebuilds every pool from the holds (after loading the holds of all Pods
 * with pn_addrs_pod_sync on pools without IPAM, or to check). Returns the
 * number of conflicts. */
int pn_addrs_rebuild(struct pn_addrs *a);

/* Total allocations across pools, for metrics and tests. */
size_t pn_addrs_allocated(const struct pn_addrs *a);

#endif
