/* lease.h: leader election on a coordination.k8s.io/v1 Lease, with client-go's
 * semantics:
 * - a candidate tries every retry_period (with jitter); it takes the Lease when
 *   it does not exist, is held by nobody, or its holder has not renewed it for
 *   lease_duration as observed on this candidate's own monotonic clock (so
 *   clock skew between machines does not matter);
 * - writes carry the Lease's resourceVersion, so two candidates never both win;
 * - the leader renews every retry_period; if no renewal succeeds for
 *   renew_deadline (< lease_duration) it stops leading: is_leader() turns
 *   false and on_stopped runs at once; the caller must stop writing;
 * - stop() while leading releases the Lease (empty holder) when asked so the
 *   next candidate does not wait for the lease to expire. */
#ifndef PN_KUBE_LEASE_H
#define PN_KUBE_LEASE_H

#include "kube/client.h"

struct pn_lease_opts {
	const char *ns;
	const char *name;
	const char *identity;
	double lease_duration;   /* default 15 s */
	double renew_deadline;   /* default 10 s */
	double retry_period;     /* default 2 s */
	int release_on_stop;
	void (*on_started)(void *ud);                       /* became leader */
	void (*on_stopped)(void *ud);                       /* lost or released */
	void (*on_new_leader)(void *ud, const char *identity); /* observed holder changed */
	void *ud;
};

struct pn_lease;

struct pn_lease *pn_lease_new(struct pn_kube_client *c, const struct pn_lease_opts *o);
int pn_lease_start(struct pn_lease *l);
/* Stops trying; releases the Lease if leading and asked to (asynchronously;
 * run the loop a little before freeing the client). */
void pn_lease_stop(struct pn_lease *l);
void pn_lease_free(struct pn_lease *l);
int pn_lease_is_leader(const struct pn_lease *l);
/* Holder last observed ("" when none). */
const char *pn_lease_holder(const struct pn_lease *l);

#endif
