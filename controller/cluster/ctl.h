/* ctl.h — podnet-controller's shared state: informers, the work queue, the
 * leader lease, the address state and the reconcilers (cross-file
 * internals of controller/cluster/). Everything runs on one libev loop. */
#ifndef PN_CLUSTER_CTL_H
#define PN_CLUSTER_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>
#include <jansson.h>

#include "cluster/addrs.h"
#include "cluster/strmap.h"
#include "kube/client.h"
#include "kube/events.h"
#include "kube/informer.h"
#include "kube/lease.h"
#include "kube/prom.h"
#include "kube/workqueue.h"
#include "pn/model.h"
#include "pn/plan.h"
#include "pn/plan_sign.h"

#define PN_FINALIZER       "podnet.dev/in-use"
#define PN_ANNOTATION_ACCEPTED "podnet.dev/accepted-spec"
#define PN_CTL_MAX_PROVIDERS 16

extern const struct pn_kube_resource pn_res_podnetworks;
extern const struct pn_kube_resource pn_res_attachments;
extern const struct pn_kube_resource pn_res_cniconfigs;
extern const struct pn_kube_resource pn_res_ippools;
extern const struct pn_kube_resource pn_res_nads;
extern const struct pn_kube_resource pn_res_reports; /* podnetworknodes */

enum pn_inf {
	PN_INF_PODS,
	PN_INF_NETWORKS,
	PN_INF_ATTACHMENTS,
	PN_INF_CNICONFIGS,
	PN_INF_IPPOOLS,
	PN_INF_NADS,
	PN_INF_NAMESPACES,  /* slim: name and labels, for spec.namespaceSelector */
	PN_INF_REPORTS,     /* PodNetworkNode: the agents' availability reports */
	PN_INF_NODES,       /* slim: name and uid, whose reports are not orphans */
	PN_INF_N
};

enum pn_ctl_state {
	PN_CTL_STANDBY,   /* not leading: caches only */
	PN_CTL_REBUILD,   /* leading, reading every Pod's plan */
	PN_CTL_LEADING,   /* leading, reconciling */
};

/* Histogram of reconcile latencies (seconds). */
#define PN_HIST_N 12
struct pn_metrics {
	unsigned long reconciles[8];       /* by kind: pod, net, pna, cni, pool, nad */
	uint64_t hist_counts[PN_HIST_N + 1];
	struct pn_prom_hist hist;          /* reconcile latencies */
	uint64_t plan_write_counts[PN_PROM_CALL_BUCKETS_N + 1];
	struct pn_prom_hist plan_write;    /* plan PATCH latencies, sent to answered */
	unsigned long plans_written;
	unsigned long plan_conflicts;      /* plan PATCH refused (stale resourceVersion) */
	unsigned long plan_failures;       /* Pods with a problem (Warning Event) */
	unsigned long errors_write;        /* failed writes other than conflicts */
	unsigned long errors_decode;
	unsigned long status_writes;
};

struct pn_ctl {
	struct ev_loop *loop;
	struct pn_kube_client *c;
	struct pn_informer *inf[PN_INF_N];
	bool nad_enabled;
	struct pn_workqueue *q;
	struct pn_lease *lease;
	struct pn_kube_recorder *rec;
	enum pn_ctl_state state;
	bool leader_elect;
	bool native_networks;        /* read Pod spec.networks (prototype API servers) */
	const char *providers[PN_CTL_MAX_PROVIDERS];
	size_t n_providers;
	int verbosity;
	unsigned max_inflight;
	unsigned inflight;           /* writes in flight */
	ev_idle drain;
	ev_timer tick;               /* 1 s: pools' status, metrics, waiting Pods */
	bool requeue_waiting;
	unsigned long ticks;        /* addresses freed or objects changed */

	struct pn_addrs addrs;
	struct pn_strmap busy;       /* key -> (void *)1 while a write is in flight */
	struct pn_strmap waiting;    /* pod key -> strdup'ed last problem message */
	struct pn_strmap warned;     /* "Kind/key/reason" -> last Warning message */
	struct pn_strmap decoded;    /* "kind/key" -> struct pn_decoded (cache) */

	/* the fresh LIST at leadership */
	char list_continue[2048];
	unsigned long list_items;
	double leader_since;
	double default_create_failed; /* loop time of the last refused create of `default` */

	struct pn_metrics m;
	void *metrics_srv;           /* metrics.c */
	/* keys.c: the signing key (from the Secret) and the keys plans are
	 * checked against (the ConfigMap's, ours included); set before the
	 * rebuild reads any plan */
	struct pn_plan_key *plan_key;
	struct pn_plan_keyring plan_keys;
	bool synced;
};

void pn_ctl_log(struct pn_ctl *ctl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* keys: "pod/NS/NAME", "net/NAME", "pna/NS/NAME", "cni/NAME", "pool/NAME",
 * "nad/NS/NAME", "pnnode/NAME" */
void pn_ctl_enqueue(struct pn_ctl *ctl, const char *kind, const char *key);
void pn_ctl_enqueue_all(struct pn_ctl *ctl, enum pn_inf which, const char *kind);
bool pn_ctl_busy(struct pn_ctl *ctl, const char *key);
void pn_ctl_set_busy(struct pn_ctl *ctl, const char *key, bool busy);
bool pn_ctl_provider_ours(const struct pn_ctl *ctl, const char *provider);

/* Decoded objects, cached by resourceVersion. Borrowed; valid until the next
 * event for the object. */
const struct pn_cniconfig *pn_ctl_cniconfig(struct pn_ctl *ctl, const char *name, int *problems);
const struct pn_ippool *pn_ctl_ippool(struct pn_ctl *ctl, const char *name, int *problems);
const struct pn_attachment *pn_ctl_attachment(struct pn_ctl *ctl, const char *ns,
					      const char *name, int *problems);
json_t *pn_ctl_nad_config(struct pn_ctl *ctl, const char *ns, const char *name);
void pn_ctl_forget_decoded(struct pn_ctl *ctl, const char *kind, const char *key);
/* The effective PodNetwork: the spec the controller accepted (kept in the
 * annotation podnet.dev/accepted-spec; only spec.enabled follows the object)
 * with the current metadata. The same for a PodNetworkAttachment. */
const struct pn_podnetwork *pn_ctl_network(struct pn_ctl *ctl, const char *name);
/* Builds that effective object from an informer object (new reference). */
json_t *pn_ctl_effective(json_t *obj, bool keep_enabled);
/* Whether a network takes Pods: handled by us, enabled, parameters ready.
 * Fills reason (API.md's) and message when not. */
/* Whether attachment a (of namespace ns) is Ready as the cache shows it now,
 * the reason and message of its Ready condition when not. */
bool pn_ctl_attachment_ready(struct pn_ctl *ctl, const char *ns, const struct pn_attachment *a,
			     char *reason, size_t rlen, char *msg, size_t mlen);
bool pn_ctl_network_ready(struct pn_ctl *ctl, const char *name, char *reason, size_t rlen,
			  char *msg, size_t mlen);
/* The planner's resolver over the caches; current is the Pod's plan in
 * effect (its networks are not checked against spec.namespaceSelector
 * again) or NULL. */
void pn_ctl_resolver(struct pn_ctl *ctl, const struct pn_plan *current, struct pn_resolver *r);

/* networks.c */
int pn_ctl_reconcile_network(struct pn_ctl *ctl, const char *name);
int pn_ctl_reconcile_attachment(struct pn_ctl *ctl, const char *ns, const char *name);
int pn_ctl_reconcile_cniconfig(struct pn_ctl *ctl, const char *name);
int pn_ctl_reconcile_ippool(struct pn_ctl *ctl, const char *name);

/* nodes.c: the PodNetworkNode reports */
/* A PodNetwork's status.nodes {total, available} (new reference), or NULL
 * while the reports are not known yet. */
json_t *pn_ctl_network_nodes(struct pn_ctl *ctl, const char *name);
/* Deletes the report of a Node that is gone. */
int pn_ctl_reconcile_report(struct pn_ctl *ctl, const char *name);
/* Informer events of PN_INF_REPORTS and PN_INF_NODES. */
void pn_ctl_reports_changed(struct pn_ctl *ctl, enum pn_inf which, json_t *old_obj, json_t *new_obj);
json_t *pn_ctl_node_transform(json_t *obj);

/* pods.c */
int pn_ctl_reconcile_pod(struct pn_ctl *ctl, const char *ns, const char *name);
void pn_ctl_pod_deleted(struct pn_ctl *ctl, json_t *pod);
/* Index function: "net" and "pna" values of a Pod (none when terminal). */
int pn_ctl_pod_refs(json_t *pod, json_t *nets, json_t *pnas);
json_t *pn_ctl_pod_transform(void *ud, json_t *obj);
/* Loads the holds of one LISTed Pod (leadership start). */
int pn_ctl_pod_load(struct pn_ctl *ctl, json_t *pod);
/* Releases the holds of Pods gone from the cache for 30 s. */
void pn_ctl_sweep(struct pn_ctl *ctl);
json_t *pn_ctl_parse_networks(const char *text, size_t len, char *err, size_t errlen, void *ctx);

/* schedule.c: after a PodNetwork's or an attachment's update (new_obj NULL
 * when deleted), asks kube-scheduler to retry the unscheduled Pods that wait
 * for it when it became Ready or more nodes can serve it (leader only). */
void pn_ctl_schedule_changed(struct pn_ctl *ctl, enum pn_inf which, json_t *old_obj,
			     json_t *new_obj);
/* schedule.c: after a Pod's update; when it turned Unschedulable although
 * everything it asks for is Ready (the network became Ready first), asks
 * kube-scheduler to retry it (leader only). */
void pn_ctl_schedule_pod_changed(struct pn_ctl *ctl, json_t *old_pod, json_t *new_pod);

/* keys.c: makes sure the signing key exists and is published, then calls
 * done (retries every 2 s until it can). */
void pn_ctl_keys_ensure(struct pn_ctl *ctl, void (*done)(struct pn_ctl *ctl));

/* status.c: status writes shared by the reconcilers */
int pn_ctl_write_status(struct pn_ctl *ctl, const struct pn_kube_resource *res, const char *ns,
			const char *name, json_t *status, const char *key);
int pn_ctl_write_meta(struct pn_ctl *ctl, const struct pn_kube_resource *res, const char *ns,
		      const char *name, json_t *meta_patch, const char *key);

/* metrics.c */
/* The /metrics text of the moment (owned; NULL when out of memory). */
char *pn_ctl_metrics_render(struct pn_ctl *ctl);
int pn_ctl_metrics_start(struct pn_ctl *ctl, const char *addr);
void pn_ctl_metrics_update(struct pn_ctl *ctl);
void pn_ctl_metrics_stop(struct pn_ctl *ctl);
void pn_ctl_metrics_observe(struct pn_ctl *ctl, double seconds);
/* A plan PATCH answered, seconds after it was sent. */
void pn_ctl_metrics_plan_write(struct pn_ctl *ctl, double seconds);

#endif
