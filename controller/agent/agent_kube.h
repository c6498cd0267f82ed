/* node/agent_kube.h — the agent's Kubernetes side: a watch of the Pods bound
 * to this node (libpnkube informer, field selector spec.nodeName) feeding
 * the core's plan doors, and the status sink that writes
 * k8s.v1.cni.cncf.io/network-status back to each Pod with a merge PATCH.
 *
 * It runs its own libev loop on its own thread; the core's worker and
 * hot-plug threads hand it network-status values through a locked table and
 * an ev_async. Everything else (the informer, the client, the PATCHes and
 * their retries) lives on that loop. */
#ifndef PN_NODE_AGENT_KUBE_H
#define PN_NODE_AGENT_KUBE_H

#include <stddef.h>
#include <stdio.h>

#include "agent/agent.h"

struct pn_agent_kube;

struct pn_agent_kube_opts {
	const char *kubeconfig; /* NULL: $KUBECONFIG, in-cluster, ~/.kube/config (pn_kube_config_resolve) */
	const char *node_name;  /* required */
	/* NULL: the public keys plans are checked with come from the ConfigMap
	 * podnet-system/podnet-plan-keys (watched); else from this file (one or
	 * more PEM public keys; tests that run no controller). */
	const char *plan_keys_file;
	/* Seconds between evaluations of this node's PodNetworkNode report
	 * (agent_report.h); 0: 30. */
	double avail_period;
};

/* Loads the config, starts the Pod informer and the loop thread, and sets
 * itself as a's status sink. The API server need not be reachable: the
 * watch retries with backoff and the core keeps serving. */
int pn_agent_kube_start(struct pn_agent *a, const struct pn_agent_kube_opts *o, struct pn_agent_kube **out,
			char *err, size_t errlen);
/* Stops the loop thread (pending writes are dropped). The sink stays
 * callable (it ignores values) until pn_agent_kube_free, so free the agent
 * first. */
void pn_agent_kube_stop(struct pn_agent_kube *k);
void pn_agent_kube_free(struct pn_agent_kube *k);

/* Counters for /metrics. */
struct pn_agent_kube_stats {
	unsigned long pod_events;    /* adds, updates and deletes delivered */
	unsigned long plan_changes;  /* calls into the plan doors */
	unsigned long status_writes; /* successful network-status PATCHes */
	unsigned long status_skipped;/* values already on the Pod */
	unsigned long status_retries;
	unsigned long status_dropped;/* Pod gone or replaced */
	unsigned long lists, watches, watch_errors;
	unsigned long pods;          /* Pods in the cache */
	unsigned long plans_rejected;/* plans that did not verify (distinct ones) */
	unsigned long plan_keys;     /* public keys known */
	unsigned long events_created, events_patched, events_throttled, events_failed;
	unsigned long events_dropped;/* queue from the core full */
	int synced;
};
void pn_agent_kube_get_stats(struct pn_agent_kube *k, struct pn_agent_kube_stats *out);

/* Writes the counters as Prometheus text (a pn_agent_metrics_fn). */
void pn_agent_kube_metrics(void *ctx, FILE *out);

#endif
