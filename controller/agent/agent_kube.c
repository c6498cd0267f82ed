/* node/agent_kube.c — the Pod watch and the network-status writer, and the
 * check that a Pod's plan was written by podnet-controller.
 *
 * Signed plans (pn/plan_sign.h): the agent acts only on a plan whose
 * podnet.dev/plan-signature verifies, with a key of the ConfigMap
 * podnet-system/podnet-plan-keys (watched; or --plan-keys-file), for the
 * Pod's UID as the API server gave it, with a seq not lower than the last one
 * verified for that UID. A plan that does not verify is ignored as if absent,
 * except that it never detaches anything: a Pod that had a verified plan
 * keeps it; one that asks for nothing gets default at sandbox creation only;
 * one that asks for networks waits for a real plan. A Warning Event
 * PlanRejected says why, once per distinct plan. */
#include <errno.h>
#include <ev.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"
#include "kube/events.h"
#include "kube/ops.h"
#include "kube/prom.h"
#include "agent/agent_kube.h"
#include "agent/agent_report.h"
#include "pn/plan_sign.h"
#include "podnet/provider.h"

#define ANN_NETWORKS "podnet.dev/networks"
#define ANN_PLAN     "podnet.dev/plan"
#define ANN_STATUS   "k8s.v1.cni.cncf.io/network-status"
#define ANN_SIG      PN_ANNOTATION_PLAN_SIGNATURE

#define MAX_ANNOTATION (256u << 10) /* a larger value is refused, not parsed */
#define MAX_STATUS_ENTRIES 4096     /* Pods with a network-status waiting to be written */
#define RETRY_MIN 0.5
#define RETRY_MAX 30.0
#define REFUSED_MAX 4 /* retries of a write the server refused (409/422) */
#define MAX_QUEUED_EVENTS 1024 /* Events from the core waiting for the loop */

/* One Pod's network-status to write. Shared between the sink (any thread)
 * and the loop under k->mu; requests in flight hold a pointer, so an entry
 * is unlinked only when no request is in flight. */
struct status_entry {
	char *key; /* ns/name */
	char *ns, *name;
	char *uid;
	char *value;      /* latest value from the core */
	char *written;    /* last value the API server accepted */
	unsigned long gen, sent_gen;
	int inflight;
	void *req;        /* the struct patch_req in flight */
	int dead;         /* Pod gone: unlink when idle */
	int attempts;
	double next_at;   /* ev_now after which a retry may go */
	struct status_entry *next;
};

/* An Event from the core (any thread) waiting for the loop's recorder. */
struct queued_event {
	char *ns, *name, *uid, *type, *reason, *message;
	struct queued_event *next;
};

/* What the agent verified of one Pod (by UID). Loop thread only. */
struct seen_pod {
	char *uid;
	uint64_t seq;           /* last verified seq (0: none yet) */
	int verified;           /* a verified plan was handed to the core */
	uint64_t rejected;      /* hash of the last plan refused (Event once) */
	struct seen_pod *next;
};

struct pn_agent_kube {
	struct pn_agent *agent;
	char *node;
	struct pn_kube_config *cfg;
	struct ev_loop *loop;
	struct pn_kube_client *client;
	struct pn_informer *pods;
	struct pn_informer *keys_inf; /* the ConfigMap of public keys; NULL with a keys file */
	struct pn_report *report;     /* this node's PodNetworkNode (agent_report.c) */
	struct pn_kube_recorder *rec;
	struct pn_plan_keyring keys;  /* loop thread only */
	int keys_known;               /* a ConfigMap (or the file) was read */
	struct seen_pod *seen;
	ev_async wake, stop;
	ev_timer retry, tick;
	pthread_t thread;
	int running;

	pthread_mutex_t mu; /* entries, events, stats, stopped */
	struct status_entry *entries;
	int n_entries;
	struct queued_event *events, **events_tail;
	int n_events;
	int stopped;
	struct pn_agent_kube_stats st;
};

/* ---- the transform: what the agent keeps of a Pod ---------------------------- */

static void copy_str(json_t *dst, json_t *src, const char *key)
{
	json_t *v = json_object_get(src, key);

	if (json_is_string(v))
		json_object_set(dst, key, v);
}

static json_t *slim_pod(void *ud, json_t *obj)
{
	json_t *md = json_object_get(obj, "metadata"), *ann = json_object_get(md, "annotations");
	json_t *out = json_object(), *m = json_object(), *a = json_object(), *spec = json_object(),
	       *status = json_object();
	static const char *const keep[] = {ANN_NETWORKS, ANN_PLAN, ANN_SIG, ANN_STATUS};
	(void)ud;

	if (!out || !m || !a || !spec || !status) {
		json_decref(out);
		json_decref(m);
		json_decref(a);
		json_decref(spec);
		json_decref(status);
		return NULL;
	}
	copy_str(m, md, "namespace");
	copy_str(m, md, "name");
	copy_str(m, md, "uid");
	copy_str(m, md, "resourceVersion");
	copy_str(m, md, "deletionTimestamp");
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		copy_str(a, ann, keep[i]);
	json_object_set_new(m, "annotations", a);
	if (json_is_true(json_object_get(json_object_get(obj, "spec"), "hostNetwork")))
		json_object_set_new(spec, "hostNetwork", json_true());
	copy_str(status, json_object_get(obj, "status"), "phase");
	json_object_set_new(out, "metadata", m);
	json_object_set_new(out, "spec", spec);
	json_object_set_new(out, "status", status);
	return out;
}

static const char *md_str(json_t *pod, const char *key)
{
	return json_string_value(json_object_get(json_object_get(pod, "metadata"), key));
}

static const char *annotation(json_t *pod, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(pod, "metadata"), "annotations"), key));
}

static int str_eq(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/* A networks annotation that is absent, blank or an empty list asks for
 * nothing (API.md: the Pod gets default only). */
static int asks_for_networks(const char *text)
{
	const char *p = text;

	if (!text)
		return 0;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (!*p)
		return 0;
	if (*p == '[') {
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == ']') {
			p++;
			while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
				p++;
			return *p != '\0';
		}
	}
	return 1;
}

/* ---- plans in ------------------------------------------------------------------ */

static struct seen_pod *seen_get(struct pn_agent_kube *k, const char *uid, int create)
{
	struct seen_pod *s;

	if (!uid || !*uid)
		return NULL;
	for (s = k->seen; s; s = s->next)
		if (!strcmp(s->uid, uid))
			return s;
	if (!create || !(s = calloc(1, sizeof(*s))))
		return NULL;
	if (!(s->uid = strdup(uid))) {
		free(s);
		return NULL;
	}
	s->next = k->seen;
	k->seen = s;
	return s;
}

static void seen_drop(struct pn_agent_kube *k, const char *uid)
{
	for (struct seen_pod **pp = &k->seen, *s; uid && (s = *pp); pp = &s->next)
		if (!strcmp(s->uid, uid)) {
			*pp = s->next;
			free(s->uid);
			free(s);
			return;
		}
}

static uint64_t fnv(uint64_t h, const char *t)
{
	for (; t && *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

/* The Warning Event and the log line of a refused plan, once per distinct
 * (plan, signature) of a Pod. */
static void rejected(struct pn_agent_kube *k, json_t *pod, struct seen_pod *s, const char *plan, const char *sig,
		     const char *why)
{
	const char *ns = md_str(pod, "namespace"), *name = md_str(pod, "name"), *uid = md_str(pod, "uid");
	uint64_t h = fnv(fnv(14695981039346656037ull, plan), sig);
	char msg[768];
	json_t *obj;

	if (s && s->rejected == h)
		return;
	if (s)
		s->rejected = h;
	snprintf(msg, sizeof(msg), "podnet.dev/plan ignored: %s%s", why,
		 s && s->verified ? "; the Pod keeps what its last verified plan attached" : "");
	pn_agent_log(PODNET_LOG_WARNING, "Pod %s/%s: %s", ns, name, msg);
	pthread_mutex_lock(&k->mu);
	k->st.plans_rejected++;
	pthread_mutex_unlock(&k->mu);
	obj = json_pack("{ss ss s{ss ss ss*}}", "apiVersion", "v1", "kind", "Pod", "metadata", "namespace", ns,
			"name", name, "uid", uid);
	if (obj && k->rec)
		pn_kube_recorder_event(k->rec, obj, "Warning", "PlanRejected", msg);
	json_decref(obj);
}

/* 0 when the plan may be acted on; else why (in why) it is refused:
 * -EAGAIN before the keys are known (no verdict, no Event). */
static int check_plan(struct pn_agent_kube *k, json_t *pod, struct seen_pod **sp, char *why, size_t len)
{
	const char *uid = md_str(pod, "uid"), *plan = annotation(pod, ANN_PLAN), *sig = annotation(pod, ANN_SIG);
	struct seen_pod *s = seen_get(k, uid, 1);
	uint64_t seq = 0;
	int r;

	*sp = s;
	if (!k->keys_known) {
		snprintf(why, len, "the public keys (ConfigMap %s/%s) are not known yet", PN_PLAN_KEY_NAMESPACE,
			 PN_PLAN_KEYS_CONFIGMAP);
		return -EAGAIN;
	}
	r = pn_plan_verify(&k->keys, uid, plan, sig, &seq, NULL, why, len);
	if (r < 0)
		return r;
	if (s && seq < s->seq) {
		snprintf(why, len, "%s: seq %llu is lower than %llu, that of the last plan verified for this Pod "
			 "(an older plan put back)", ANN_SIG, (unsigned long long)seq, (unsigned long long)s->seq);
		return -ESTALE;
	}
	if (s) {
		s->seq = seq;
		s->verified = 1;
	}
	return 0;
}

static void feed(struct pn_agent_kube *k, json_t *pod)
{
	const char *ns = md_str(pod, "namespace"), *name = md_str(pod, "name"), *uid = md_str(pod, "uid");
	const char *plan = annotation(pod, ANN_PLAN), *nets = annotation(pod, ANN_NETWORKS);
	int host = json_is_true(json_object_get(json_object_get(pod, "spec"), "hostNetwork"));

	if (!ns || !name)
		return;
	pthread_mutex_lock(&k->mu);
	k->st.plan_changes++;
	pthread_mutex_unlock(&k->mu);
	if (host) {
		/* the runtime never calls CNI for it */
		pn_agent_plan_set(k->agent, ns, name, uid, NULL);
		return;
	}
	if (plan) {
		json_error_t jerr;
		json_t *p;
		char msg[512];
		struct seen_pod *s = NULL;
		int v = check_plan(k, pod, &s, msg, sizeof(msg));

		if (v < 0) {
			if (v != -EAGAIN)
				rejected(k, pod, s, plan, annotation(pod, ANN_SIG), msg);
			if (s && s->verified)
				return; /* never detaches: the last verified plan stays */
			/* as if absent, without hot-plugging a running Pod */
			if (asks_for_networks(nets))
				pn_agent_plan_pending(k->agent, ns, name, uid);
			else
				pn_agent_plan_default_new(k->agent, ns, name, uid);
			return;
		}

		if (strlen(plan) > MAX_ANNOTATION) {
			pn_agent_plan_invalid(k->agent, ns, name, uid, "podnet.dev/plan annotation larger than the agent accepts");
			return;
		}
		p = json_loads(plan, JSON_REJECT_DUPLICATES, &jerr);
		if (!p) {
			snprintf(msg, sizeof(msg), "podnet.dev/plan annotation does not decode: %s (line %d, column %d)",
				 jerr.text, jerr.line, jerr.column);
			pn_agent_log(PODNET_LOG_WARNING, "Pod %s/%s: %s", ns, name, msg);
			pn_agent_plan_invalid(k->agent, ns, name, uid, msg);
			return;
		}
		json_decref(p);
		/* pn_agent_plan_set validates the shape and marks it invalid itself */
		pn_agent_plan_set(k->agent, ns, name, uid, plan);
		return;
	}
	if (asks_for_networks(nets))
		pn_agent_plan_pending(k->agent, ns, name, uid);
	else
		pn_agent_plan_set(k->agent, ns, name, uid, NULL);
}

static void on_add(void *ud, json_t *obj)
{
	struct pn_agent_kube *k = ud;

	pthread_mutex_lock(&k->mu);
	k->st.pod_events++;
	pthread_mutex_unlock(&k->mu);
	feed(k, obj);
}

static void on_update(void *ud, json_t *old, json_t *obj)
{
	struct pn_agent_kube *k = ud;

	pthread_mutex_lock(&k->mu);
	k->st.pod_events++;
	pthread_mutex_unlock(&k->mu);
	if (!str_eq(md_str(old, "uid"), md_str(obj, "uid")))
		seen_drop(k, md_str(old, "uid")); /* another Pod of that name now */
	/* Only what the plan depends on: kubelet's status updates and our own
	 * network-status writes must not queue hot-plug passes. */
	if (str_eq(md_str(old, "uid"), md_str(obj, "uid")) &&
	    str_eq(annotation(old, ANN_PLAN), annotation(obj, ANN_PLAN)) &&
	    str_eq(annotation(old, ANN_SIG), annotation(obj, ANN_SIG)) &&
	    str_eq(annotation(old, ANN_NETWORKS), annotation(obj, ANN_NETWORKS)) &&
	    json_is_true(json_object_get(json_object_get(old, "spec"), "hostNetwork")) ==
		    json_is_true(json_object_get(json_object_get(obj, "spec"), "hostNetwork")))
		return;
	feed(k, obj);
}

static void on_delete(void *ud, json_t *obj)
{
	struct pn_agent_kube *k = ud;
	const char *ns = md_str(obj, "namespace"), *name = md_str(obj, "name"), *uid = md_str(obj, "uid");
	char key[512];

	if (!ns || !name)
		return;
	pn_agent_plan_forget(k->agent, ns, name);
	seen_drop(k, uid);
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	pthread_mutex_lock(&k->mu);
	k->st.pod_events++;
	k->st.plan_changes++;
	for (struct status_entry *e = k->entries; e; e = e->next)
		if (!strcmp(e->key, key) && (!uid || !e->uid || !*e->uid || !strcmp(e->uid, uid)))
			e->dead = 1; /* not a newer Pod of the same name */
	pthread_mutex_unlock(&k->mu);
	ev_async_send(k->loop, &k->wake);
}

/* ---- the public keys ------------------------------------------------------------ */

/* Every Pod again through feed: plans that waited for keys, or that a
 * removed key no longer covers. */
static void refeed(struct pn_agent_kube *k)
{
	const char *key;
	json_t *v;

	json_object_foreach(pn_informer_store(k->pods), key, v) feed(k, v);
}

static void keys_from(struct pn_agent_kube *k, json_t *cm)
{
	char err[256];
	int n;

	pn_plan_keyring_clear(&k->keys);
	n = pn_plan_keyring_load_configmap(&k->keys, json_object_get(cm, "data"), err, sizeof(err));
	if (err[0])
		pn_agent_log(PODNET_LOG_WARNING, "%s", err);
	k->keys_known = 1;
	pthread_mutex_lock(&k->mu);
	k->st.plan_keys = k->keys.n;
	pthread_mutex_unlock(&k->mu);
	pn_agent_log(PODNET_LOG_INFO, "plan keys: %d from ConfigMap %s/%s", n < 0 ? 0 : n, PN_PLAN_KEY_NAMESPACE,
		     PN_PLAN_KEYS_CONFIGMAP);
	refeed(k);
}

static void keys_add(void *ud, json_t *obj)
{
	keys_from(ud, obj);
}

static void keys_update(void *ud, json_t *old, json_t *obj)
{
	(void)old;
	keys_from(ud, obj);
}

static void keys_delete(void *ud, json_t *obj)
{
	struct pn_agent_kube *k = ud;
	(void)obj;

	/* no verdict without keys: new Pods wait, running ones keep theirs */
	pn_plan_keyring_clear(&k->keys);
	k->keys_known = 0;
	pthread_mutex_lock(&k->mu);
	k->st.plan_keys = 0;
	pthread_mutex_unlock(&k->mu);
	pn_agent_log(PODNET_LOG_WARNING, "ConfigMap %s/%s deleted: plans cannot be verified until "
		     "podnet-controller publishes its key again", PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEYS_CONFIGMAP);
}

static void keys_synced(void *ud)
{
	struct pn_agent_kube *k = ud;

	if (!k->keys_known)
		pn_agent_log(PODNET_LOG_WARNING, "ConfigMap %s/%s not found: plans cannot be verified until "
			     "podnet-controller publishes its key", PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEYS_CONFIGMAP);
}

/* --plan-keys-file: one or more PEM public keys. */
static int keys_file(struct pn_agent_kube *k, const char *path, char *err, size_t errlen)
{
	static const char begin[] = "-----BEGIN PUBLIC KEY-----", end[] = "-----END PUBLIC KEY-----";
	char buf[PN_PLAN_MAX_KEYS * 256], *p, *e;
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f) {
		snprintf(err, errlen, "--plan-keys-file %s: %s", path, strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (p = strstr(buf, begin); p; p = strstr(e, begin)) {
		struct pn_plan_key *key;
		char e2[200];

		e = strstr(p, end);
		if (!e)
			break;
		e += strlen(end);
		key = pn_plan_key_from_pem(p, (size_t)(e - p), 0, e2, sizeof(e2));
		if (!key || pn_plan_keyring_add(&k->keys, key) < 0) {
			snprintf(err, errlen, "--plan-keys-file %s: %s", path, key ? "too many keys" : e2);
			pn_plan_key_free(key);
			return -EINVAL;
		}
		pn_plan_key_free(key);
	}
	if (!k->keys.n) {
		snprintf(err, errlen, "--plan-keys-file %s: no PEM public key in it", path);
		return -EINVAL;
	}
	k->keys_known = 1;
	k->st.plan_keys = k->keys.n;
	return 0;
}

/* ---- status out ------------------------------------------------------------------ */

static void entry_free(struct status_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->ns);
	free(e->name);
	free(e->uid);
	free(e->value);
	free(e->written);
	free(e);
}

static int set_str(char **dst, const char *src)
{
	char *c = strdup(src ? src : "");

	if (!c)
		return -ENOMEM;
	free(*dst);
	*dst = c;
	return 0;
}

/* The core's sink: any thread. Records the value and wakes the loop. */
static void status_sink(void *ctx, const char *ns, const char *name, const char *uid, const char *value)
{
	struct pn_agent_kube *k = ctx;
	struct status_entry *e;
	char key[512];
	int n = snprintf(key, sizeof(key), "%s/%s", ns, name);

	if (n < 0 || (size_t)n >= sizeof(key) || !value || strlen(value) > MAX_ANNOTATION)
		return;
	pthread_mutex_lock(&k->mu);
	if (k->stopped)
		goto out;
	for (e = k->entries; e; e = e->next)
		if (!strcmp(e->key, key))
			break;
	if (!e) {
		if (k->n_entries >= MAX_STATUS_ENTRIES) {
			pn_agent_log(PODNET_LOG_WARNING, "network-status of %s dropped: %d writes already waiting", key,
				     k->n_entries);
			goto out;
		}
		e = calloc(1, sizeof(*e));
		if (!e || set_str(&e->key, key) < 0 || set_str(&e->ns, ns) < 0 || set_str(&e->name, name) < 0) {
			entry_free(e);
			goto out;
		}
		e->next = k->entries;
		k->entries = e;
		k->n_entries++;
	}
	if (!str_eq(e->uid, uid ? uid : "")) {
		free(e->written); /* written to another Pod of that name */
		e->written = NULL;
	}
	if (set_str(&e->value, value) < 0 || set_str(&e->uid, uid) < 0)
		goto out;
	e->gen++;
	e->dead = 0;
	e->attempts = 0;
	e->next_at = 0;
	ev_async_send(k->loop, &k->wake);
out:
	pthread_mutex_unlock(&k->mu);
}

static void queued_event_free(struct queued_event *q)
{
	if (!q)
		return;
	free(q->ns);
	free(q->name);
	free(q->uid);
	free(q->type);
	free(q->reason);
	free(q->message);
	free(q);
}

/* The core's Event sink: any thread. Queues the Event and wakes the loop. */
static void event_sink(void *ctx, const char *ns, const char *name, const char *uid, const char *type,
		       const char *reason, const char *message)
{
	struct pn_agent_kube *k = ctx;
	struct queued_event *q = calloc(1, sizeof(*q));

	if (!q || set_str(&q->ns, ns) < 0 || set_str(&q->name, name) < 0 || set_str(&q->uid, uid) < 0 ||
	    set_str(&q->type, type) < 0 || set_str(&q->reason, reason) < 0 || set_str(&q->message, message) < 0) {
		queued_event_free(q);
		return;
	}
	pthread_mutex_lock(&k->mu);
	if (k->stopped || k->n_events >= MAX_QUEUED_EVENTS) {
		if (!k->stopped)
			k->st.events_dropped++;
		pthread_mutex_unlock(&k->mu);
		queued_event_free(q);
		return;
	}
	*k->events_tail = q;
	k->events_tail = &q->next;
	k->n_events++;
	ev_async_send(k->loop, &k->wake);
	pthread_mutex_unlock(&k->mu);
}

/* Loop thread: hands the queued Events to the recorder (which aggregates
 * repeats and caps each Pod's writes). */
static void drain_events(struct pn_agent_kube *k)
{
	struct queued_event *q;

	pthread_mutex_lock(&k->mu);
	q = k->events;
	k->events = NULL;
	k->events_tail = &k->events;
	k->n_events = 0;
	pthread_mutex_unlock(&k->mu);
	while (q) {
		struct queued_event *next = q->next;
		json_t *obj = json_pack("{ss ss s{ss ss ss*}}", "apiVersion", "v1", "kind", "Pod", "metadata",
					"namespace", q->ns, "name", q->name, "uid", *q->uid ? q->uid : NULL);

		if (obj)
			pn_kube_recorder_event(k->rec, obj, q->type, q->reason, q->message);
		json_decref(obj);
		queued_event_free(q);
		q = next;
	}
}

struct patch_req {
	struct pn_agent_kube *k;
	struct status_entry *e;
	unsigned long gen;
	char *value;
};

static void process(struct pn_agent_kube *k);

static void schedule_retry(struct pn_agent_kube *k, struct status_entry *e)
{
	double d = RETRY_MIN;

	for (int i = 0; i < e->attempts && d < RETRY_MAX; i++)
		d *= 2;
	if (d > RETRY_MAX)
		d = RETRY_MAX;
	e->attempts++;
	e->next_at = ev_now(k->loop) + d;
	k->st.status_retries++;
}

static void patch_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct patch_req *pr = ud;
	struct pn_agent_kube *k = pr->k;
	struct status_entry *e = pr->e;
	(void)body;

	pthread_mutex_lock(&k->mu);
	e->inflight = 0;
	e->req = NULL;
	if (rc == 0) {
		k->st.status_writes++;
		e->sent_gen = pr->gen;
		free(e->written);
		e->written = pr->value;
		pr->value = NULL;
		e->attempts = 0;
	} else if (rc == -PN_KUBE_ENOTFOUND ||
		   ((rc == -PN_KUBE_ECONFLICT || rc == -PN_KUBE_EINVALID) && e->attempts >= REFUSED_MAX)) {
		/* the Pod is gone; or the server keeps refusing the write (another
		 * Pod has its name now: the uid does not match) */
		pn_agent_log(PODNET_LOG_WARNING, "network-status of Pod %s dropped: %s", e->key,
			     st && st->message[0] ? st->message : strerror(-rc));
		k->st.status_dropped++;
		e->dead = 1;
	} else {
		pn_agent_log(PODNET_LOG_WARNING, "network-status of Pod %s: %s (HTTP %ld): %s; retrying", e->key,
			     strerror(-rc), st ? st->http : 0L, st ? st->message : "");
		schedule_retry(k, e);
	}
	pthread_mutex_unlock(&k->mu);
	free(pr->value);
	free(pr);
	process(k);
}

/* Under k->mu. Starts the PATCH of one entry; returns 0 or -errno. */
static int send_patch(struct pn_agent_kube *k, struct status_entry *e)
{
	json_t *md = json_pack("{s{ss}}", "annotations", ANN_STATUS, e->value);
	struct patch_req *pr = calloc(1, sizeof(*pr));
	char *body = NULL;
	int r = -ENOMEM;

	if (!md || !pr)
		goto fail;
	/* the uid makes the write apply to this Pod only (409 otherwise) */
	if (e->uid && *e->uid)
		json_object_set_new(md, "uid", json_string(e->uid));
	{
		json_t *whole = json_pack("{sO}", "metadata", md);

		body = whole ? json_dumps(whole, JSON_COMPACT) : NULL;
		json_decref(whole);
	}
	if (!body || !(pr->value = strdup(e->value)))
		goto fail;
	pr->k = k;
	pr->e = e;
	pr->gen = e->gen;
	r = pn_kube_patch(k->client, &pn_kube_res_pods, e->ns, e->name, NULL, PN_KUBE_PATCH_MERGE, body, patch_done,
			  pr);
	if (r < 0)
		goto fail;
	e->inflight = 1;
	e->req = pr;
	free(body);
	json_decref(md);
	return 0;
fail:
	if (pr)
		free(pr->value);
	free(pr);
	free(body);
	json_decref(md);
	return r;
}

/* Loop thread: starts every write that is due; arms the retry timer for
 * the earliest one that is not. */
static void process(struct pn_agent_kube *k)
{
	struct status_entry **pp, *e;
	double now = ev_now(k->loop), next = 0;

	pthread_mutex_lock(&k->mu);
	for (pp = &k->entries; (e = *pp);) {
		if (e->dead && !e->inflight) {
			*pp = e->next;
			k->n_entries--;
			entry_free(e);
			continue;
		}
		pp = &e->next;
		if (e->dead || e->inflight || e->sent_gen == e->gen)
			continue;
		if (e->next_at > now) {
			if (!next || e->next_at < next)
				next = e->next_at;
			continue;
		}
		{
			json_t *pod = pn_informer_get(k->pods, e->ns, e->name);
			const char *cached = pod ? annotation(pod, ANN_STATUS) : NULL;

			/* on the Pod already: we wrote it, or the cache shows it and
			 * no write of ours is newer than the cache */
			if ((e->written && !strcmp(e->written, e->value)) ||
			    (pod && str_eq(md_str(pod, "uid"), e->uid) && cached && !strcmp(cached, e->value) &&
			     (!e->written || !strcmp(e->written, cached)))) {
				e->sent_gen = e->gen; /* already there */
				k->st.status_skipped++;
				continue;
			}
		}
		if (send_patch(k, e) < 0) {
			schedule_retry(k, e);
			if (!next || e->next_at < next)
				next = e->next_at;
		}
	}
	pthread_mutex_unlock(&k->mu);
	ev_timer_stop(k->loop, &k->retry);
	if (next) {
		ev_timer_set(&k->retry, next - now > 0.01 ? next - now : 0.01, 0.);
		ev_timer_start(k->loop, &k->retry);
	}
}

static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	drain_events(w->data);
	process(w->data);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	process(w->data);
}

/* Copies the watch's counters for /metrics (they belong to the loop). */
static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_agent_kube *k = w->data;
	struct pn_watch_stats ws;
	struct pn_kube_recorder_stats rs;
	(void)loop;
	(void)revents;

	pn_watch_get_stats(pn_informer_watch(k->pods), &ws);
	pn_kube_recorder_get_stats(k->rec, &rs);
	pthread_mutex_lock(&k->mu);
	k->st.events_created = rs.created;
	k->st.events_patched = rs.patched;
	k->st.events_throttled = rs.throttled;
	k->st.events_failed = rs.failed;
	k->st.lists = ws.lists;
	k->st.watches = ws.watches;
	k->st.watch_errors = ws.errors;
	k->st.pods = pn_informer_count(k->pods);
	k->st.synced = pn_informer_has_synced(k->pods);
	pthread_mutex_unlock(&k->mu);
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct pn_agent_kube *k = w->data;
	(void)revents;

	pn_informer_stop(k->pods);
	if (k->keys_inf)
		pn_informer_stop(k->keys_inf);
	pn_report_stop(k->report);
	ev_timer_stop(loop, &k->retry);
	ev_timer_stop(loop, &k->tick);
	ev_async_stop(loop, &k->wake);
	ev_async_stop(loop, &k->stop);
	ev_break(loop, EVBREAK_ALL);
}

static void on_synced(void *ud)
{
	struct pn_agent_kube *k = ud;

	pn_agent_log(PODNET_LOG_INFO, "Pod watch of node %s synced: %zu Pods", k->node, pn_informer_count(k->pods));
	process(k); /* writes that waited for the cache */
}

static void *loop_thread(void *arg)
{
	struct pn_agent_kube *k = arg;

	ev_run(k->loop, 0);
	return NULL;
}

/* ---- life cycle ----------------------------------------------------------------- */

int pn_agent_kube_start(struct pn_agent *a, const struct pn_agent_kube_opts *o, struct pn_agent_kube **out,
			char *err, size_t errlen)
{
	struct pn_agent_kube *k;
	struct pn_informer_opts io;
	char sel[320];
	int r;

	*out = NULL;
	if (!o->node_name || !*o->node_name || strlen(o->node_name) > 253) {
		snprintf(err, errlen, "a node name is required (--node-name, $NODE_NAME or the hostname)");
		return -EINVAL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->agent = a;
	k->events_tail = &k->events;
	pthread_mutex_init(&k->mu, NULL);
	if (!(k->node = strdup(o->node_name))) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r = pn_kube_config_resolve(PN_KUBE_CONFIG_DAEMON, o->kubeconfig, NULL, &k->cfg, NULL, 0,
				   err, errlen);
	if (r < 0)
		goto fail;
	k->loop = ev_loop_new(EVFLAG_AUTO);
	if (!k->loop || !(k->client = pn_kube_client_new(k->loop, k->cfg, NULL))) {
		r = -ENOMEM;
		snprintf(err, errlen, "cannot start the Kubernetes client");
		goto fail;
	}
	snprintf(sel, sizeof(sel), "spec.nodeName=%s", o->node_name);
	memset(&io, 0, sizeof(io));
	io.watch.res = &pn_kube_res_pods;
	io.watch.field_selector = sel;
	io.transform = slim_pod;
	io.transform_ud = k;
	k->pods = pn_informer_new(k->client, &io);
	if (!k->pods) {
		r = -ENOMEM;
		snprintf(err, errlen, "cannot create the Pod informer");
		goto fail;
	}
	pn_informer_add_handlers(k->pods, &(struct pn_informer_handlers){on_add, on_update, on_delete, k});
	pn_informer_on_synced(k->pods, on_synced, k);
	k->rec = pn_kube_recorder_new(k->client, "podnet-agent", k->node, 600);
	if (!k->rec) {
		r = -ENOMEM;
		snprintf(err, errlen, "cannot create the Event recorder");
		goto fail;
	}
	if (o->plan_keys_file) {
		r = keys_file(k, o->plan_keys_file, err, errlen);
		if (r < 0)
			goto fail;
	} else {
		memset(&io, 0, sizeof(io));
		io.watch.res = &pn_kube_res_configmaps;
		io.watch.ns = PN_PLAN_KEY_NAMESPACE;
		io.watch.field_selector = "metadata.name=" PN_PLAN_KEYS_CONFIGMAP;
		k->keys_inf = pn_informer_new(k->client, &io);
		if (!k->keys_inf) {
			r = -ENOMEM;
			snprintf(err, errlen, "cannot create the plan keys informer");
			goto fail;
		}
		pn_informer_add_handlers(k->keys_inf,
					 &(struct pn_informer_handlers){keys_add, keys_update, keys_delete, k});
		pn_informer_on_synced(k->keys_inf, keys_synced, k);
	}
	ev_async_init(&k->wake, wake_cb);
	k->wake.data = k;
	ev_async_init(&k->stop, stop_cb);
	k->stop.data = k;
	ev_init(&k->retry, retry_cb);
	k->retry.data = k;
	ev_timer_init(&k->tick, tick_cb, 1., 1.);
	k->tick.data = k;
	ev_async_start(k->loop, &k->wake);
	ev_async_start(k->loop, &k->stop);
	ev_timer_start(k->loop, &k->tick);
	r = k->keys_inf ? pn_informer_start(k->keys_inf) : 0;
	if (r < 0) {
		snprintf(err, errlen, "cannot start the plan keys watch: %s", strerror(-r));
		goto fail;
	}
	r = pn_informer_start(k->pods);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the Pod watch: %s", strerror(-r));
		goto fail;
	}
	k->report = pn_report_new(a, k->loop, k->client, k->node, o->avail_period);
	r = k->report ? pn_report_start(k->report) : -ENOMEM;
	if (r < 0) {
		snprintf(err, errlen, "cannot start the PodNetworkNode report: %s", strerror(-r));
		goto fail;
	}
	pn_agent_set_status_sink(a, status_sink, k);
	pn_agent_set_event_sink(a, event_sink, k);
	r = -pthread_create(&k->thread, NULL, loop_thread, k);
	if (r < 0) {
		pn_agent_set_status_sink(a, NULL, NULL);
		pn_agent_set_event_sink(a, NULL, NULL);
		snprintf(err, errlen, "cannot start the watch thread: %s", strerror(-r));
		goto fail;
	}
	k->running = 1;
	pn_agent_log(PODNET_LOG_INFO, "watching Pods of node %s on %s", k->node, k->cfg->server);
	*out = k;
	return 0;
fail:
	pn_agent_kube_free(k);
	return r;
}

void pn_agent_kube_stop(struct pn_agent_kube *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stopped = 1;
	pthread_mutex_unlock(&k->mu);
	if (k->running) {
		ev_async_send(k->loop, &k->stop);
		pthread_join(k->thread, NULL);
		k->running = 0;
	}
}

void pn_agent_kube_free(struct pn_agent_kube *k)
{
	if (!k)
		return;
	pn_agent_kube_stop(k);
	pn_informer_free(k->pods);
	pn_informer_free(k->keys_inf);
	pn_report_free(k->report);
	pn_kube_recorder_free(k->rec);
	pn_kube_client_free(k->client); /* cancels PATCHes in flight without callbacks */
	pn_plan_keyring_clear(&k->keys);
	while (k->seen) {
		struct seen_pod *s = k->seen;

		k->seen = s->next;
		free(s->uid);
		free(s);
	}
	if (k->loop)
		ev_loop_destroy(k->loop);
	pn_kube_config_free(k->cfg);
	while (k->entries) {
		struct status_entry *e = k->entries;

		k->entries = e->next;
		if (e->req) { /* cancelled with the client: no callback will free it */
			free(((struct patch_req *)e->req)->value);
			free(e->req);
		}
		entry_free(e);
	}
	while (k->events) {
		struct queued_event *q = k->events;

		k->events = q->next;
		queued_event_free(q);
	}
	pthread_mutex_destroy(&k->mu);
	free(k->node);
	free(k);
}

void pn_agent_kube_get_stats(struct pn_agent_kube *k, struct pn_agent_kube_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	*out = k->st;
	pthread_mutex_unlock(&k->mu);
}

void pn_agent_kube_metrics(void *ctx, FILE *out)
{
	struct pn_agent_kube_stats s;

	pn_agent_kube_get_stats(ctx, &s);
	fprintf(out,
		"# HELP podnet_agent_pod_events_total Pod adds, updates and deletes from the node's Pod watch.\n"
		"# TYPE podnet_agent_pod_events_total counter\npodnet_agent_pod_events_total %lu\n"
		"# HELP podnet_agent_plan_changes_total Plans handed to the core from the Pod watch.\n"
		"# TYPE podnet_agent_plan_changes_total counter\npodnet_agent_plan_changes_total %lu\n"
		"# HELP podnet_agent_watch_lists_total Complete LISTs of the node's Pods.\n"
		"# TYPE podnet_agent_watch_lists_total counter\npodnet_agent_watch_lists_total %lu\n"
		"# HELP podnet_agent_watch_requests_total WATCH requests started.\n"
		"# TYPE podnet_agent_watch_requests_total counter\npodnet_agent_watch_requests_total %lu\n"
		"# HELP podnet_agent_watch_errors_total Failed LIST/WATCH requests and bad watch events.\n"
		"# TYPE podnet_agent_watch_errors_total counter\npodnet_agent_watch_errors_total %lu\n"
		"# HELP podnet_agent_watch_synced Whether the Pod watch has completed its first LIST.\n"
		"# TYPE podnet_agent_watch_synced gauge\npodnet_agent_watch_synced %d\n"
		"# HELP podnet_agent_pods Pods of this node in the watch cache.\n"
		"# TYPE podnet_agent_pods gauge\npodnet_agent_pods %lu\n"
		"# HELP podnet_agent_plans_rejected_total Distinct plans ignored: not signed by podnet-controller "
		"for that Pod, or older than one seen.\n"
		"# TYPE podnet_agent_plans_rejected_total counter\npodnet_agent_plans_rejected_total %lu\n"
		"# HELP podnet_agent_plan_keys Public keys plans are checked with.\n"
		"# TYPE podnet_agent_plan_keys gauge\npodnet_agent_plan_keys %lu\n"
		"# HELP podnet_agent_status_writes_total network-status annotations written, by outcome.\n"
		"# TYPE podnet_agent_status_writes_total counter\n"
		"podnet_agent_status_writes_total{result=\"written\"} %lu\n"
		"podnet_agent_status_writes_total{result=\"unchanged\"} %lu\n"
		"podnet_agent_status_writes_total{result=\"retried\"} %lu\n"
		"podnet_agent_status_writes_total{result=\"dropped\"} %lu\n",
		s.pod_events, s.plan_changes, s.lists, s.watches, s.watch_errors, s.synced, s.pods, s.plans_rejected,
		s.plan_keys, s.status_writes,
		s.status_skipped, s.status_retries, s.status_dropped);
	pn_prom_family(out, "podnet_agent_events_total", "counter",
		       "Event writes about Pods, by outcome: created, patched (a repeat's count), throttled (held "
		       "back by the per-Pod cap), failed, dropped (queue full).");
	pn_prom_sample(out, "podnet_agent_events_total", "result=\"created\"", (double)s.events_created);
	pn_prom_sample(out, "podnet_agent_events_total", "result=\"patched\"", (double)s.events_patched);
	pn_prom_sample(out, "podnet_agent_events_total", "result=\"throttled\"", (double)s.events_throttled);
	pn_prom_sample(out, "podnet_agent_events_total", "result=\"failed\"", (double)s.events_failed);
	pn_prom_sample(out, "podnet_agent_events_total", "result=\"dropped\"", (double)s.events_dropped);
	pn_report_metrics(ctx ? ((struct pn_agent_kube *)ctx)->report : NULL, out);
}
