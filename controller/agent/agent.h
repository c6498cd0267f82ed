/* node/agent.h — the core of podnet-agent, without Kubernetes.
 *
 * The core serves the shim (requests in, CNI answers out), calls providers,
 * records what it attached on local disk, and knows Pods only through two
 * narrow doors, so that the Kubernetes side (a watch of the node's Pods,
 * added with libpnkube) plugs in without touching the rest:
 *
 *   plans in      pn_agent_plan_set / _pending / _invalid / _forget
 *                 (the watch calls these from its own thread when a Pod of
 *                 this node appears, changes or goes away; without a watch,
 *                 --plans-dir files stand in)
 *   status out    a pn_agent_status_fn set with pn_agent_set_status_sink:
 *                 called after each successful ADD with the Pod's
 *                 k8s.v1.cni.cncf.io/network-status value (JSON text), from a
 *                 worker thread; the Kubernetes side queues the patch to its
 *                 own loop (ev_async) and returns at once.
 *
 * Threads: pn_agent_handle may be called from any number of threads;
 * requests for the same Pod are serialized inside, GC excludes everything
 * else, and the number of workers bounds concurrent provider calls.
 */
#ifndef PN_NODE_AGENT_H
#define PN_NODE_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pn_agent;

struct pn_agent_config {
	const char *state_dir;     /* records/, providers/<name>/, status/ (default /var/lib/podnet) */
	const char *providers_dir; /* root-owned directory of provider .so files */
	const char *plans_dir;     /* --no-kube: plans from <ns>_<pod>.json; NULL: none */
	const char *primary_conflist; /* the node's primary CNI config (default network) */
	const char *cni_path;      /* plugin directories, ':'-separated */
	const char *host_root;     /* the node's root as this process sees it ("/host"
	                              in the DaemonSet): providers run the node's
	                              plugins chrooted there; NULL or "/": none */
	const char *default_provider; /* provider of the default network (default podnet.dev/cni) */
	int plan_wait_ms;          /* how long ADD waits for a pending plan (default 30000) */
	int op_timeout_ms;         /* deadline given to providers per call (default 120000) */
	int write_status_files;    /* --no-kube: network-status into state_dir/status/ */
	/* With a Pod watch: an ADD for a Pod the watch has not delivered yet waits
	 * (plan_wait_ms) instead of getting default only, so a lagging watch never
	 * gives a Pod that asked for networks the wrong interfaces. */
	int wait_for_unknown_pods;
};

/* Loads providers (refusing a directory or file not owned by root or
 * writable by others), prepares the state directory. */
int pn_agent_new(const struct pn_agent_config *cfg, struct pn_agent **out, char *err, size_t errlen);
void pn_agent_free(struct pn_agent *a);

/* ---- plans in --------------------------------------------------------------- */

/* The Pod's current plan (the podnet.dev/plan annotation, JSON text).
 * plan_json NULL means the Pod asked for nothing: it gets default only. */
int pn_agent_plan_set(struct pn_agent *a, const char *ns, const char *name, const char *uid, const char *plan_json);
/* The Pod asked for networks but has no plan yet: ADD waits (plan_wait_ms). */
int pn_agent_plan_pending(struct pn_agent *a, const char *ns, const char *name, const char *uid);
/* The Pod gets default only when its sandbox is created, but a running Pod
 * is not hot-plugged (nothing it has is detached): for a Pod whose plan was
 * refused and that asks for nothing. */
int pn_agent_plan_default_new(struct pn_agent *a, const char *ns, const char *name, const char *uid);
/* The Pod's request is invalid: ADD fails with this message. */
int pn_agent_plan_invalid(struct pn_agent *a, const char *ns, const char *name, const char *uid, const char *message);
/* The Pod is gone from the API (its records stay until DEL/GC). */
void pn_agent_plan_forget(struct pn_agent *a, const char *ns, const char *name);

/* Hot-plug. pn_agent_plan_set queues this by itself; --plans-dir mode calls
 * pn_agent_replan when a plan file changes. Queued requests are deduplicated
 * and run on the agent's hot-plug thread: each attached sandbox of the Pod is
 * brought to the current plan by attaching and detaching attachments other
 * than default in the recorded netns, then its network-status is emitted.
 * A pending or invalid plan leaves what is attached alone. */
void pn_agent_replan(struct pn_agent *a, const char *ns, const char *name);
/* The same, synchronously (returns -errno or the number of changes). */
int pn_agent_reconcile(struct pn_agent *a, const char *ns, const char *name);

/* ---- status out --------------------------------------------------------------- */

/* network_status_json: the annotation value (a JSON list). */
typedef void pn_agent_status_fn(void *ctx, const char *ns, const char *name, const char *uid,
				const char *network_status_json);
void pn_agent_set_status_sink(struct pn_agent *a, pn_agent_status_fn *fn, void *ctx);

/* ---- events out --------------------------------------------------------------- */

/* An Event about a Pod: type "Normal" or "Warning", a CamelCase reason and a
 * one-line message. Called from worker and hot-plug threads, after each
 * interface attached or detached (Normal AddedInterface / RemovedInterface)
 * and for each failed ADD, hot-plug attach and unplug (Warning AddFailed,
 * HotplugFailed, UnplugFailed); the Kubernetes side queues it to its loop
 * and returns at once. */
typedef void pn_agent_event_fn(void *ctx, const char *ns, const char *name, const char *uid, const char *type,
			       const char *reason, const char *message);
void pn_agent_set_event_sink(struct pn_agent *a, pn_agent_event_fn *fn, void *ctx);

/* ---- availability ----------------------------------------------------------------- */

/* Whether this node can serve a network of provider ("" or NULL: the default
 * network's provider) with these resolved parameters (NULL: the provider's
 * readiness only): 0 it can; PN_AGENT_SERVE_NO_PROVIDER (not loaded),
 * _NOT_READY (its status), _REFUSED (its can_serve: *err the -errno), each
 * with a one-line reason in message. Any thread; not while GC runs. */
#define PN_AGENT_SERVE_NO_PROVIDER 1
#define PN_AGENT_SERVE_NOT_READY 2
#define PN_AGENT_SERVE_REFUSED 3
int pn_agent_can_serve(struct pn_agent *a, const char *provider, const char *network, const char *params_json,
		       int *err, char *message, size_t mlen);

/* The i-th loaded provider (0 <= i): its name, version and the parameters
 * kinds it declares (ABI 1.3, well-formed ones), or NULL past the last. */
const char *pn_agent_provider_at(struct pn_agent *a, int i, const char **version, const char *const **kinds,
				 size_t *n_kinds);

/* ---- requests ------------------------------------------------------------------- */

/* Handles one shim request (PROTOCOL.md, JSON text) and returns the response
 * JSON text (malloc'd) in *response. Returns 0, or -ENOMEM. */
int pn_agent_handle(struct pn_agent *a, const char *request, size_t len, char **response);

/* Serves the unix socket at path (mode 0600, parent made 0700) with `workers`
 * threads until pn_agent_stop(); at most `workers` requests are handled at
 * once and at most a small fixed number wait in the queue. */
int pn_agent_serve(struct pn_agent *a, const char *path, int workers, char *err, size_t errlen);
void pn_agent_stop(struct pn_agent *a); /* async-signal-safe */

/* /healthz and /metrics over HTTP on addr ("127.0.0.1:9377"), own thread. */
int pn_agent_http_start(struct pn_agent *a, const char *addr, char *err, size_t errlen);
void pn_agent_http_stop(struct pn_agent *a);

/* More /metrics lines (Prometheus text) from another part of the agent, such
 * as the Pod watch; called on the HTTP thread. Set before pn_agent_http_start. */
typedef void pn_agent_metrics_fn(void *ctx, FILE *out);
void pn_agent_set_metrics_hook(struct pn_agent *a, pn_agent_metrics_fn *fn, void *ctx);

/* Log lines of the agent: level as PODNET_LOG_*. */
void pn_agent_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
