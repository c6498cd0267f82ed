/* informer.c: the watch-fed cache with indexes, handlers, synced and resync. */
#include "kube/informer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 512

struct index {
	char *name;
	pn_informer_index_fn fn;
	void *ud;
	json_t *map; /* value -> { key: true } */
};

struct synced_cb {
	pn_informer_synced_fn fn;
	void *ud;
};

struct pn_informer {
	struct pn_kube_client *c;
	struct pn_informer_opts o;
	struct pn_watch *w;
	json_t *store;
	struct index idx[PN_INFORMER_MAX_INDEXES];
	int nidx;
	struct pn_informer_handlers h[PN_INFORMER_MAX_HANDLERS];
	int nh;
	struct synced_cb sc[PN_INFORMER_MAX_HANDLERS];
	int nsc;
	int synced;
	ev_timer resync;
};

int pn_informer_key(json_t *obj, char *buf, size_t len)
{
	json_t *md = json_object_get(obj, "metadata");
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	const char *name = json_string_value(json_object_get(md, "name"));
	int n;
	if (!name)
		return -EINVAL;
	if (ns && *ns)
		n = snprintf(buf, len, "%s/%s", ns, name);
	else
		n = snprintf(buf, len, "%s", name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static const char *rv_of(json_t *obj)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
}

static void index_remove(struct pn_informer *inf, const char *key, json_t *obj)
{
	for (int i = 0; i < inf->nidx; i++) {
		json_t *vals = json_array(), *v;
		size_t k;
		if (!vals)
			continue;
		inf->idx[i].fn(inf->idx[i].ud, obj, vals);
		json_array_foreach(vals, k, v) {
			const char *s = json_string_value(v);
			json_t *set = s ? json_object_get(inf->idx[i].map, s) : NULL;
			if (!set)
				continue;
			json_object_del(set, key);
			if (json_object_size(set) == 0)
				json_object_del(inf->idx[i].map, s);
		}
		json_decref(vals);
	}
}

static void index_add(struct pn_informer *inf, const char *key, json_t *obj)
{
	for (int i = 0; i < inf->nidx; i++) {
		json_t *vals = json_array(), *v;
		size_t k;
		if (!vals)
			continue;
		inf->idx[i].fn(inf->idx[i].ud, obj, vals);
		json_array_foreach(vals, k, v) {
			const char *s = json_string_value(v);
			if (!s)
				continue;
			json_t *set = json_object_get(inf->idx[i].map, s);
			if (!set) {
				set = json_object();
				if (!set || json_object_set_new(inf->idx[i].map, s, set) < 0)
					continue;
			}
			json_object_set_new(set, key, json_true());
		}
		json_decref(vals);
	}
}

static void emit_add(struct pn_informer *inf, json_t *obj)
{
	for (int i = 0; i < inf->nh; i++)
		if (inf->h[i].on_add)
			inf->h[i].on_add(inf->h[i].ud, obj);
}

static void emit_update(struct pn_informer *inf, json_t *old, json_t *obj)
{
	for (int i = 0; i < inf->nh; i++)
		if (inf->h[i].on_update)
			inf->h[i].on_update(inf->h[i].ud, old, obj);
}

static void emit_delete(struct pn_informer *inf, json_t *obj)
{
	for (int i = 0; i < inf->nh; i++)
		if (inf->h[i].on_delete)
			inf->h[i].on_delete(inf->h[i].ud, obj);
}

/* Stores obj (a new reference is taken) and tells the handlers. */
static void upsert(struct pn_informer *inf, const char *key, json_t *obj)
{
	json_t *old = json_object_get(inf->store, key);
	if (old) {
		const char *a = rv_of(old), *b = rv_of(obj);
		if (a && b && strcmp(a, b) == 0)
			return; /* already seen: never deliver twice */
		json_incref(old);
		index_remove(inf, key, old);
	}
	json_object_set(inf->store, key, obj);
	index_add(inf, key, obj);
	if (old)
		emit_update(inf, old, obj);
	else
		emit_add(inf, obj);
	json_decref(old);
}

static void remove_key(struct pn_informer *inf, const char *key, json_t *last)
{
	json_t *old = json_object_get(inf->store, key);
	if (!old)
		return;
	json_incref(old);
	index_remove(inf, key, old);
	json_object_del(inf->store, key);
	emit_delete(inf, last ? last : old);
	json_decref(old);
}

static json_t *w_transform(void *ud, json_t *obj)
{
	struct pn_informer *inf = ud;
	if (inf->o.transform)
		return inf->o.transform(inf->o.transform_ud, obj);
	return json_incref(obj);
}

static void w_replace(void *ud, json_t *items, const char *rv)
{
	struct pn_informer *inf = ud;
	json_t *seen = json_object(), *it;
	size_t i;
	char key[KEY_MAX];
	(void)rv;
	if (!seen)
		return;
	json_array_foreach(items, i, it) {
		if (pn_informer_key(it, key, sizeof(key)) < 0)
			continue;
		json_object_set_new(seen, key, json_true());
		upsert(inf, key, it);
	}
	/* Objects gone while we were not watching. */
	json_t *gone = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(inf->store, k, v) {
		if (!json_object_get(seen, k))
			json_array_append_new(gone, json_string(k));
	}
	json_array_foreach(gone, i, it)
		remove_key(inf, json_string_value(it), NULL);
	json_decref(gone);
	json_decref(seen);
	if (!inf->synced) {
		inf->synced = 1;
		for (int j = 0; j < inf->nsc; j++)
			inf->sc[j].fn(inf->sc[j].ud);
	}
}

static void w_event(void *ud, enum pn_watch_type type, json_t *obj)
{
	struct pn_informer *inf = ud;
	char key[KEY_MAX];
	if (pn_informer_key(obj, key, sizeof(key)) < 0)
		return;
	if (type == PN_WATCH_DELETED)
		remove_key(inf, key, obj);
	else
		upsert(inf, key, obj);
}

static void resync_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct pn_informer *inf = t->data;
	const char *k;
	json_t *v;
	(void)loop;
	(void)revents;
	if (!inf->synced)
		return;
	json_t *snap = json_copy(inf->store); /* handlers may change the store */
	json_object_foreach(snap, k, v)
		emit_update(inf, v, v);
	json_decref(snap);
}

struct pn_informer *pn_informer_new(struct pn_kube_client *c, const struct pn_informer_opts *o)
{
	struct pn_informer *inf = calloc(1, sizeof(*inf));
	struct pn_watch_handlers wh = { w_transform, w_replace, w_event, NULL, NULL };
	if (!inf)
		return NULL;
	inf->c = c;
	inf->o = *o;
	wh.ud = inf;
	inf->store = json_object();
	inf->w = pn_watch_new(c, &o->watch, &wh);
	ev_timer_init(&inf->resync, resync_cb, o->resync_period, o->resync_period);
	inf->resync.data = inf;
	if (!inf->store || !inf->w) {
		pn_informer_free(inf);
		return NULL;
	}
	return inf;
}

int pn_informer_add_index(struct pn_informer *inf, const char *name, pn_informer_index_fn fn, void *ud)
{
	if (inf->nidx >= PN_INFORMER_MAX_INDEXES || !fn)
		return -ENOSPC;
	struct index *x = &inf->idx[inf->nidx];
	x->name = strdup(name);
	x->map = json_object();
	if (!x->name || !x->map) {
		free(x->name);
		json_decref(x->map);
		return -ENOMEM;
	}
	x->fn = fn;
	x->ud = ud;
	inf->nidx++;
	/* Index what is already cached. */
	const char *k;
	json_t *v;
	json_object_foreach(inf->store, k, v) {
		json_t *vals = json_array(), *e;
		size_t i;
		fn(ud, v, vals);
		json_array_foreach(vals, i, e) {
			const char *s = json_string_value(e);
			if (!s)
				continue;
			json_t *set = json_object_get(x->map, s);
			if (!set) {
				set = json_object();
				json_object_set_new(x->map, s, set);
			}
			json_object_set_new(set, k, json_true());
		}
		json_decref(vals);
	}
	return 0;
}

int pn_informer_add_handlers(struct pn_informer *inf, const struct pn_informer_handlers *h)
{
	if (inf->nh >= PN_INFORMER_MAX_HANDLERS)
		return -ENOSPC;
	inf->h[inf->nh++] = *h;
	return 0;
}

int pn_informer_on_synced(struct pn_informer *inf, pn_informer_synced_fn fn, void *ud)
{
	if (inf->nsc >= PN_INFORMER_MAX_HANDLERS)
		return -ENOSPC;
	inf->sc[inf->nsc].fn = fn;
	inf->sc[inf->nsc].ud = ud;
	inf->nsc++;
	return 0;
}

int pn_informer_start(struct pn_informer *inf)
{
	int r = pn_watch_start(inf->w);
	if (r < 0)
		return r;
	if (inf->o.resync_period > 0)
		ev_timer_again(pn_kube_client_loop(inf->c), &inf->resync);
	return 0;
}

void pn_informer_stop(struct pn_informer *inf)
{
	if (!inf)
		return;
	pn_watch_stop(inf->w);
	ev_timer_stop(pn_kube_client_loop(inf->c), &inf->resync);
}

void pn_informer_free(struct pn_informer *inf)
{
	if (!inf)
		return;
	pn_informer_stop(inf);
	pn_watch_free(inf->w);
	for (int i = 0; i < inf->nidx; i++) {
		free(inf->idx[i].name);
		json_decref(inf->idx[i].map);
	}
	json_decref(inf->store);
	free(inf);
}

int pn_informer_has_synced(const struct pn_informer *inf)
{
	return inf->synced;
}

size_t pn_informer_count(const struct pn_informer *inf)
{
	return json_object_size(inf->store);
}

json_t *pn_informer_get_key(const struct pn_informer *inf, const char *key)
{
	return json_object_get(inf->store, key);
}

json_t *pn_informer_get(const struct pn_informer *inf, const char *ns, const char *name)
{
	char key[KEY_MAX];
	int n = ns && *ns ? snprintf(key, sizeof(key), "%s/%s", ns, name)
			  : snprintf(key, sizeof(key), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	return json_object_get(inf->store, key);
}

json_t *pn_informer_store(const struct pn_informer *inf)
{
	return inf->store;
}

json_t *pn_informer_by_index(const struct pn_informer *inf, const char *name, const char *value)
{
	for (int i = 0; i < inf->nidx; i++)
		if (strcmp(inf->idx[i].name, name) == 0)
			return json_object_get(inf->idx[i].map, value);
	return NULL;
}

struct pn_watch *pn_informer_watch(const struct pn_informer *inf)
{
	return inf->w;
}
