/* node/agent_plan.c — the plans the agent knows, by Pod: fed by the
 * Kubernetes watch (pn_agent_plan_*), or read from --plans-dir files named
 * <ns>_<pod>.json when there is no watch. */
#include "agent/agent_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pn/plan.h"

int pn_plan_store_init(struct pn_plan_store *s, const char *dir)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->changed, NULL);
	if (dir && !(s->dir = strdup(dir)))
		return -ENOMEM;
	return 0;
}

static void entry_free(struct pn_plan_entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->uid);
	free(e->message);
	json_decref(e->plan);
	free(e);
}

void pn_plan_store_clear(struct pn_plan_store *s)
{
	struct pn_plan_entry *e, *n;

	for (e = s->head; e; e = n) {
		n = e->next;
		entry_free(e);
	}
	s->head = NULL;
	free(s->dir);
	s->dir = NULL;
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->mu);
}

static int str_list_ok(const json_t *v, size_t max)
{
	size_t i;
	json_t *it;

	if (!v || json_is_null(v))
		return 1;
	if (!json_is_array(v) || json_array_size(v) > max)
		return 0;
	json_array_foreach(v, i, it)
	if (!json_is_string(it) || json_string_length(it) >= 64)
		return 0;
	return 1;
}

int pn_plan_validate(const json_t *plan, char *err, size_t errlen)
{
	const json_t *atts = json_object_get(plan, "attachments");
	size_t i;
	json_t *a;

	if (!json_is_object(plan) || !json_is_array(atts)) {
		snprintf(err, errlen, "plan: not an object with an \"attachments\" list");
		return -EINVAL;
	}
	if (json_integer_value(json_object_get(plan, "v")) != 1) {
		snprintf(err, errlen, "plan: unsupported version (want \"v\":1)");
		return -EINVAL;
	}
	if (json_array_size(atts) > PN_AGENT_MAX_ATTACHMENTS) {
		snprintf(err, errlen, "plan: more than %d attachments", PN_AGENT_MAX_ATTACHMENTS);
		return -EINVAL;
	}
	/* The shared codec (api/) is the reference for the wire format. */
	{
		struct pn_problems ps = {0};
		struct pn_plan decoded;
		int r = pn_plan_decode(plan, &decoded, &ps);

		if (r != 0) {
			if (ps.n > 0)
				snprintf(err, errlen, "plan: %s%s%s", ps.v[0].path, ps.v[0].path[0] ? ": " : "",
					 ps.v[0].message);
			else
				snprintf(err, errlen, "plan: cannot decode (%d)", r);
			pn_problems_clear(&ps);
			if (r == 0 || r > 0)
				pn_plan_clear(&decoded);
			return r < 0 && r != -EINVAL ? r : -EINVAL;
		}
		pn_plan_clear(&decoded);
		pn_problems_clear(&ps);
	}
	json_array_foreach(atts, i, a)
	{
		const json_t *net = json_object_get(a, "network"), *ifn = json_object_get(a, "interface");
		const json_t *routes = json_object_get(a, "routes"), *r;
		size_t k;

		if (!json_is_object(a) || !json_is_string(net) || !json_string_length(net) || !json_is_string(ifn) ||
		    json_string_length(ifn) == 0 || json_string_length(ifn) > 15) {
			snprintf(err, errlen, "plan: attachments[%zu]: needs \"network\" and a valid \"interface\"", i);
			return -EINVAL;
		}
		if (!str_list_ok(json_object_get(a, "ips"), 8) || !str_list_ok(json_object_get(a, "gateways"), 4)) {
			snprintf(err, errlen, "plan: attachments[%zu]: bad \"ips\" or \"gateways\"", i);
			return -EINVAL;
		}
		if (routes && !json_is_null(routes)) {
			if (!json_is_array(routes) || json_array_size(routes) > 32) {
				snprintf(err, errlen, "plan: attachments[%zu].routes: not a list of at most 32", i);
				return -EINVAL;
			}
			json_array_foreach(routes, k, r) if (!json_is_string(json_object_get(r, "dst")))
			{
				snprintf(err, errlen, "plan: attachments[%zu].routes[%zu]: no \"dst\"", i, k);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static struct pn_plan_entry *find(struct pn_plan_store *s, const char *key)
{
	for (struct pn_plan_entry *e = s->head; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

static int make_key(char *buf, size_t len, const char *ns, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", ns, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Sets an entry (creating it) under the lock; takes plan's reference. */
static int store_set(struct pn_plan_store *s, const char *ns, const char *name, const char *uid,
		     enum pn_plan_state state, json_t *plan, const char *message)
{
	char key[512];
	struct pn_plan_entry *e;
	int r = 0;

	if (make_key(key, sizeof(key), ns, name) < 0) {
		json_decref(plan);
		return -ENAMETOOLONG;
	}
	pthread_mutex_lock(&s->mu);
	e = find(s, key);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(key))) {
			free(e);
			json_decref(plan);
			r = -ENOMEM;
			goto out;
		}
		e->next = s->head;
		s->head = e;
	}
	free(e->uid);
	e->uid = uid ? strdup(uid) : NULL;
	free(e->message);
	e->message = message ? strdup(message) : NULL;
	json_decref(e->plan);
	e->plan = plan;
	e->state = state;
	pthread_cond_broadcast(&s->changed);
out:
	pthread_mutex_unlock(&s->mu);
	return r;
}

int pn_agent_plan_set(struct pn_agent *a, const char *ns, const char *name, const char *uid, const char *plan_json)
{
	json_t *plan;
	char err[256];

	int r;

	if (!plan_json) {
		r = store_set(&a->plans, ns, name, uid, PN_PLAN_DEFAULT, NULL, NULL);
		if (r == 0)
			pn_agent_replan(a, ns, name);
		return r;
	}
	if (strlen(plan_json) > PN_AGENT_MAX_PLAN)
		return store_set(&a->plans, ns, name, uid, PN_PLAN_INVALID, NULL, "plan larger than the agent accepts");
	plan = json_loads(plan_json, 0, NULL);
	if (!plan || pn_plan_validate(plan, err, sizeof(err)) < 0) {
		json_decref(plan);
		return store_set(&a->plans, ns, name, uid, PN_PLAN_INVALID, NULL, plan ? err : "plan is not valid JSON");
	}
	r = store_set(&a->plans, ns, name, uid, PN_PLAN_READY, plan, NULL);
	if (r == 0)
		pn_agent_replan(a, ns, name); /* hot-plug a running Pod */
	return r;
}

int pn_agent_plan_default_new(struct pn_agent *a, const char *ns, const char *name, const char *uid)
{
	return store_set(&a->plans, ns, name, uid, PN_PLAN_DEFAULT, NULL, NULL); /* no replan */
}

int pn_agent_plan_pending(struct pn_agent *a, const char *ns, const char *name, const char *uid)
{
	return store_set(&a->plans, ns, name, uid, PN_PLAN_PENDING, NULL, NULL);
}

int pn_agent_plan_invalid(struct pn_agent *a, const char *ns, const char *name, const char *uid, const char *message)
{
	return store_set(&a->plans, ns, name, uid, PN_PLAN_INVALID, NULL, message);
}

void pn_agent_plan_forget(struct pn_agent *a, const char *ns, const char *name)
{
	struct pn_plan_store *s = &a->plans;
	struct pn_plan_entry **pp, *e;
	char key[512];

	if (make_key(key, sizeof(key), ns, name) < 0)
		return;
	pthread_mutex_lock(&s->mu);
	for (pp = &s->head; (e = *pp); pp = &e->next)
		if (!strcmp(e->key, key)) {
			*pp = e->next;
			entry_free(e);
			break;
		}
	pthread_mutex_unlock(&s->mu);
}

static int name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 253)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

/* --plans-dir: <dir>/<ns>_<name>.json; -ENOENT when there is no file. */
static int load_file(const char *dir, const char *ns, const char *name, json_t **plan, char *err, size_t errlen)
{
	char path[1024];
	json_error_t je;
	json_t *p;

	if (!name_ok(ns) || !name_ok(name))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s_%s.json", dir, ns, name);
	p = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!p) {
		FILE *f = fopen(path, "re");
		if (!f)
			return -ENOENT;
		fclose(f);
		snprintf(err, errlen, "plan file %s: %s (line %d)", path, je.text, je.line);
		return -EINVAL;
	}
	if (pn_plan_validate(p, err, errlen) < 0) {
		json_decref(p);
		return -EINVAL;
	}
	*plan = p;
	return 0;
}

int pn_plan_store_get(struct pn_plan_store *s, const char *ns, const char *name, int wait_ms, json_t **plan,
		      char *err, size_t errlen)
{
	struct timespec until;
	char key[512];
	int r = 0;

	*plan = NULL;
	if (!ns || !name || !*ns || !*name)
		return 0; /* no Pod identity (not a Kubernetes sandbox): default only */
	if (s->dir) {
		r = load_file(s->dir, ns, name, plan, err, errlen);
		if (r != -ENOENT)
			return r;
	}
	if (make_key(key, sizeof(key), ns, name) < 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct pn_plan_entry *e = find(s, key);

		if (!e && s->wait_unknown) {
			/* the watch has not shown this Pod yet: wait for it */
			if (pthread_cond_timedwait(&s->changed, &s->mu, &until) == ETIMEDOUT) {
				snprintf(err, errlen, "Pod %s/%s not seen by the agent's Pod watch after %d ms", ns, name,
					 wait_ms);
				r = -ETIMEDOUT;
				break;
			}
			continue;
		}
		if (!e || e->state == PN_PLAN_DEFAULT || e->state == PN_PLAN_NONE) {
			r = 0;
			break;
		}
		if (e->state == PN_PLAN_READY) {
			*plan = json_incref(e->plan);
			r = 0;
			break;
		}
		if (e->state == PN_PLAN_INVALID) {
			snprintf(err, errlen, "%s", e->message ? e->message : "invalid network request");
			r = -EINVAL;
			break;
		}
		/* pending */
		if (pthread_cond_timedwait(&s->changed, &s->mu, &until) == ETIMEDOUT) {
			snprintf(err, errlen, "no attachment plan for Pod %s/%s after %d ms (the controller has not planned it yet)",
				 ns, name, wait_ms);
			r = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}
