/* node/agent_int.h — internals shared by the agent_*.c files. Not for the
 * Kubernetes side: that uses agent.h only. */
#ifndef PN_NODE_AGENT_INT_H
#define PN_NODE_AGENT_INT_H

#include <jansson.h>
#include <pthread.h>
#include <signal.h>

#include "agent/agent.h"
#include "kube/prom.h"
#include "pn/limits.h"
#include "host/provider_host.h"

#define PN_AGENT_MAX_PROVIDERS 32
/* what the plan codec (api/plan_codec.c) accepts: one attachment per
 * network request, and the default network when the Pod did not name it */
#define PN_AGENT_MAX_ATTACHMENTS (PN_MAX_NETWORKS + 1)
#define PN_AGENT_MAX_PLAN (256u << 10)

/* ---- plan store (agent_plan.c) ---------------------------------------------- */

enum pn_plan_state { PN_PLAN_NONE, PN_PLAN_DEFAULT, PN_PLAN_PENDING, PN_PLAN_READY, PN_PLAN_INVALID };

struct pn_plan_entry {
	char *key; /* "<ns>/<name>" */
	char *uid;
	enum pn_plan_state state;
	json_t *plan;  /* READY: the parsed plan */
	char *message; /* INVALID */
	struct pn_plan_entry *next;
};

struct pn_plan_store {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct pn_plan_entry *head;
	char *dir; /* --plans-dir, or NULL */
	int wait_unknown; /* a Pod the watch has not shown yet waits like a pending one */
};

int pn_plan_store_init(struct pn_plan_store *s, const char *dir);
void pn_plan_store_clear(struct pn_plan_store *s);
/* Validates a plan's shape; returns 0 or -EINVAL with err filled. */
int pn_plan_validate(const json_t *plan, char *err, size_t errlen);
/* The plan for a Pod: *plan gets a new reference (caller decrefs), or NULL
 * for "default only". Waits up to wait_ms for a pending plan. Returns 0,
 * -ETIMEDOUT (still pending), -EINVAL (invalid: message in err). */
int pn_plan_store_get(struct pn_plan_store *s, const char *ns, const char *name, int wait_ms, json_t **plan,
		      char *err, size_t errlen);

/* ---- records (agent_record.c) ------------------------------------------------ */

/* A record is a JSON object kept at <state>/records/<container id>.json:
 * {"v":1,"containerID","netns","ifname","podNamespace","podName","podUID",
 *  "cniVersion","state":"attaching"|"attached","attachments":[{... plan
 *  attachment fields ..., "providerName", "result":{CNI result}}]} */
int pn_record_save(const char *dir, const json_t *rec);
/* *rec gets the record or NULL when there is none (returns 0 then too). */
int pn_record_load(const char *dir, const char *cid, json_t **rec);
int pn_record_remove(const char *dir, const char *cid);
/* Removes the temporary files of saves cut short by a kill (at start only). */
void pn_record_drop_tmp(const char *dir);
/* Lists the container ids with a record; *ids is a JSON array of strings. */
int pn_record_list(const char *dir, json_t **ids);
int pn_record_valid_cid(const char *cid);

/* ---- the agent ------------------------------------------------------------------ */

struct pn_pod_lock {
	char *key;
	int busy;
	int waiters;
	struct pn_pod_lock *next;
};

struct pn_agent {
	struct pn_agent_config cfg;
	char *state_dir, *records_dir, *status_dir;
	char *primary_conflist, *cni_path, *host_root, *default_provider;
	struct pn_provider *providers[PN_AGENT_MAX_PROVIDERS];
	int n_providers;
	struct pn_plan_store plans;

	pthread_rwlock_t gc_lock; /* GC takes it for writing, the rest for reading */
	pthread_mutex_t locks_mu;
	pthread_cond_t locks_cv;
	struct pn_pod_lock *locks;

	pn_agent_status_fn *status_fn;
	void *status_ctx;
	pn_agent_event_fn *event_fn;
	void *event_ctx;
	pn_agent_metrics_fn *metrics_fn; /* set before pn_agent_http_start */
	void *metrics_ctx;

	/* hot-plug queue (agent_hotplug.c) */
	pthread_t hp_thread;
	int hp_started, hp_stop;
	pthread_mutex_t hp_mu;
	pthread_cond_t hp_cv;
	struct pn_hp_item *hp_head;

	/* /metrics counters, updated with atomics; the HTTP daemon (agent_http.c) */
	struct pn_agent_metrics {
		uint64_t requests[6][2]; /* [ADD DEL CHECK GC STATUS other][ok error] */
		uint64_t micros[6];
		/* provider attach (ADD) and detach (DEL) calls, by provider
		 * (index in providers) and op, under mu */
		pthread_mutex_t mu;
		uint64_t cni_counts[PN_AGENT_MAX_PROVIDERS][2][PN_PROM_CALL_BUCKETS_N + 1];
		struct pn_prom_hist cni[PN_AGENT_MAX_PROVIDERS][2];
	} metrics;
	void *http;

	volatile sig_atomic_t stopping;
	int listen_fd;
};

struct pn_provider *pn_agent_provider(struct pn_agent *a, const char *name);

struct pn_hp_item {
	char *ns, *name;
	struct pn_hp_item *next;
};
#define PN_METRIC_COMMANDS 6
void pn_metrics_count(struct pn_agent *a, const char *command, int ok, uint64_t micros);
/* One provider call: op 0 attach (ADD), 1 detach (DEL); seconds it took. */
void pn_metrics_provider_call(struct pn_agent *a, const struct pn_provider *p, int op, double seconds);

int pn_hotplug_start(struct pn_agent *a);
void pn_hotplug_stop(struct pn_agent *a);

#endif
