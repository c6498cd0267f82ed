/* lease.c: leader election on a Lease. */
#include "kube/lease.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kube/ops.h"

struct pn_lease {
	struct pn_kube_client *c;
	struct pn_lease_opts o;
	char *ns, *name, *id;
	int running;
	int leader;
	struct pn_kube_req *req;    /* in-flight GET */
	struct attempt *inflight;   /* in-flight write, detached on free */
	int busy;                   /* an attempt is in flight */
	unsigned gen;               /* stops stale completions after stop/lost */
	char observed[512];         /* holder|renewTime|duration of the last record seen */
	char holder[256];
	double observed_at;         /* monotonic time the record last changed */
	double last_renew;          /* monotonic time of our last successful write */
	ev_timer tick;              /* next attempt */
	ev_timer deadline;          /* renew deadline while leading */
};

struct attempt {
	struct pn_lease *l;
	unsigned gen;
	int release;
};

static double mono(struct pn_lease *l)
{
	(void)l;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void schedule_tick(struct pn_lease *l, double d)
{
	struct ev_loop *loop = pn_kube_client_loop(l->c);
	ev_timer_stop(loop, &l->tick);
	ev_timer_set(&l->tick, d, 0.);
	ev_timer_start(loop, &l->tick);
}

static void lose(struct pn_lease *l)
{
	if (!l->leader)
		return;
	l->leader = 0;
	l->gen++;
	ev_timer_stop(pn_kube_client_loop(l->c), &l->deadline);
	if (l->o.on_stopped)
		l->o.on_stopped(l->o.ud);
}

static void deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct pn_lease *l = t->data;
	(void)loop;
	(void)revents;
	/* No renewal for renew_deadline: stop leading now. */
	lose(l);
	if (l->running)
		schedule_tick(l, l->o.retry_period);
}

static void observe(struct pn_lease *l, json_t *spec)
{
	char rec[512];
	const char *h = json_string_value(json_object_get(spec, "holderIdentity"));
	const char *rt = json_string_value(json_object_get(spec, "renewTime"));
	json_int_t d = json_integer_value(json_object_get(spec, "leaseDurationSeconds"));
	snprintf(rec, sizeof(rec), "%s|%s|%lld", h ? h : "", rt ? rt : "", (long long)d);
	if (strcmp(rec, l->observed) != 0) {
		snprintf(l->observed, sizeof(l->observed), "%s", rec);
		l->observed_at = mono(l);
		if (strcmp(l->holder, h ? h : "") != 0) {
			snprintf(l->holder, sizeof(l->holder), "%s", h ? h : "");
			if (l->o.on_new_leader)
				l->o.on_new_leader(l->o.ud, l->holder);
		}
	}
}

static void written(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct attempt *a = ud;
	struct pn_lease *l = a->l;
	(void)st;
	if (!l) { /* the lease object was freed meanwhile */
		free(a);
		return;
	}
	l->busy = 0;
	l->inflight = NULL;
	if (a->gen != l->gen || !l->running || a->release) {
		free(a);
		return;
	}
	free(a);
	if (rc == 0) {
		observe(l, json_object_get(body, "spec"));
		l->last_renew = mono(l);
		struct ev_loop *loop = pn_kube_client_loop(l->c);
		ev_timer_stop(loop, &l->deadline);
		ev_timer_set(&l->deadline, l->o.renew_deadline, 0.);
		ev_timer_start(loop, &l->deadline);
		if (!l->leader) {
			l->leader = 1;
			if (l->o.on_started)
				l->o.on_started(l->o.ud);
		}
	}
	/* On failure (409: someone else wrote first) we try again later; a
	 * leader keeps leading until its renew deadline passes. */
	schedule_tick(l, l->o.retry_period * (l->leader ? 1.0 : 1.0 + 0.2 * pn_kube_client_random(l->c)));
}

static json_t *make_spec(struct pn_lease *l, json_t *old_spec, int take)
{
	char now[64];
	pn_kube_format_time(now, sizeof(now), wall(), 1);
	json_t *spec = old_spec ? json_deep_copy(old_spec) : json_object();
	if (!spec)
		return NULL;
	const char *h = json_string_value(json_object_get(spec, "holderIdentity"));
	int mine = h && strcmp(h, l->id) == 0;
	json_object_set_new(spec, "holderIdentity", json_string(l->id));
	json_object_set_new(spec, "leaseDurationSeconds", json_integer((json_int_t)(l->o.lease_duration + 0.5)));
	json_object_set_new(spec, "renewTime", json_string(now));
	if (take && !mine) {
		json_int_t tr = json_integer_value(json_object_get(spec, "leaseTransitions"));
		json_object_set_new(spec, "acquireTime", json_string(now));
		json_object_set_new(spec, "leaseTransitions", json_integer(old_spec ? tr + 1 : 0));
	}
	return spec;
}

static void got(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_lease *l = ud;
	struct attempt *a = NULL;
	json_t *obj = NULL, *spec = NULL;
	int r;
	(void)st;
	l->req = NULL;
	l->busy = 0;
	if (!l->running)
		return;
	a = calloc(1, sizeof(*a));
	if (!a)
		goto retry;
	a->l = l;
	a->gen = l->gen;
	if (rc == -PN_KUBE_ENOTFOUND) {
		spec = make_spec(l, NULL, 1);
		obj = json_pack("{s:s,s:s,s:{s:s,s:s},s:o}", "apiVersion", "coordination.k8s.io/v1",
				"kind", "Lease", "metadata", "name", l->name, "namespace", l->ns, "spec", spec);
		if (!obj)
			goto retry;
		r = pn_kube_create(l->c, &pn_kube_res_leases, l->ns, obj, written, a);
	} else if (rc == 0) {
		json_t *old = json_object_get(body, "spec");
		observe(l, old);
		const char *h = json_string_value(json_object_get(old, "holderIdentity"));
		int mine = h && strcmp(h, l->id) == 0;
		if (l->leader && !mine) {
			/* Someone else holds it: we lost it. */
			lose(l);
			goto retry;
		}
		if (!mine && h && *h && l->observed_at + l->o.lease_duration > mono(l))
			goto retry; /* held and not expired */
		spec = make_spec(l, old, 1);
		obj = json_deep_copy(body);
		if (!spec || !obj) {
			json_decref(spec);
			goto retry;
		}
		json_object_set_new(obj, "spec", spec);
		r = pn_kube_update(l->c, &pn_kube_res_leases, l->ns, obj, NULL, written, a);
	} else {
		goto retry;
	}
	json_decref(obj);
	if (r < 0)
		goto retry;
	l->busy = 1;
	l->inflight = a;
	return;
retry:
	free(a);
	json_decref(obj);
	schedule_tick(l, l->o.retry_period * (1.0 + 0.2 * pn_kube_client_random(l->c)));
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct pn_lease *l = t->data;
	(void)loop;
	(void)revents;
	if (!l->running || l->busy)
		return;
	char path[1024];
	l->busy = 1;
	if (pn_kube_path(path, sizeof(path), &pn_kube_res_leases, l->ns, l->name, NULL) < 0 ||
	    pn_kube_request(l->c, "GET", path, NULL, NULL, 0, got, l, &l->req) < 0) {
		l->busy = 0;
		schedule_tick(l, l->o.retry_period);
	}
}

struct pn_lease *pn_lease_new(struct pn_kube_client *c, const struct pn_lease_opts *o)
{
	struct pn_lease *l;
	if (!o->ns || !o->name || !o->identity || !*o->identity)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->c = c;
	l->o = *o;
	if (l->o.lease_duration <= 0)
		l->o.lease_duration = 15;
	if (l->o.renew_deadline <= 0)
		l->o.renew_deadline = 10;
	if (l->o.retry_period <= 0)
		l->o.retry_period = 2;
	if (l->o.renew_deadline >= l->o.lease_duration)
		l->o.renew_deadline = l->o.lease_duration * 2 / 3;
	l->ns = strdup(o->ns);
	l->name = strdup(o->name);
	l->id = strdup(o->identity);
	ev_timer_init(&l->tick, tick_cb, 0., 0.);
	l->tick.data = l;
	ev_timer_init(&l->deadline, deadline_cb, 0., 0.);
	l->deadline.data = l;
	if (!l->ns || !l->name || !l->id) {
		pn_lease_free(l);
		return NULL;
	}
	return l;
}

int pn_lease_start(struct pn_lease *l)
{
	if (l->running)
		return -EALREADY;
	l->running = 1;
	schedule_tick(l, 0);
	return 0;
}

static void released(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	(void)ud;
	(void)rc;
	(void)st;
	(void)body;
}

void pn_lease_stop(struct pn_lease *l)
{
	struct ev_loop *loop;
	if (!l)
		return;
	loop = pn_kube_client_loop(l->c);
	int was = l->leader;
	l->running = 0;
	l->gen++;
	ev_timer_stop(loop, &l->tick);
	if (l->req) {
		pn_kube_req_cancel(l->req);
		l->req = NULL;
	}
	lose(l);
	if (was && l->o.release_on_stop) {
		/* Empty holder, conditional on our being the holder (JSON patch test). */
		char patch[1024];
		json_t *p = json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]",
				      "op", "test", "path", "/spec/holderIdentity", "value", l->id,
				      "op", "replace", "path", "/spec/holderIdentity", "value", "");
		char *s = p ? json_dumps(p, JSON_COMPACT) : NULL;
		if (s && strlen(s) < sizeof(patch))
			pn_kube_patch(l->c, &pn_kube_res_leases, l->ns, l->name, NULL, PN_KUBE_PATCH_JSON,
				      s, released, NULL);
		free(s);
		json_decref(p);
	}
}

void pn_lease_free(struct pn_lease *l)
{
	if (!l)
		return;
	if (l->running)
		pn_lease_stop(l);
	if (l->req)
		pn_kube_req_cancel(l->req);
	if (l->inflight)
		l->inflight->l = NULL;
	ev_timer_stop(pn_kube_client_loop(l->c), &l->tick);
	ev_timer_stop(pn_kube_client_loop(l->c), &l->deadline);
	free(l->ns);
	free(l->name);
	free(l->id);
	free(l);
}

int pn_lease_is_leader(const struct pn_lease *l)
{
	return l->leader;
}

const char *pn_lease_holder(const struct pn_lease *l)
{
	return l->holder;
}
