/* events.c: the event recorder with aggregation of repeats. */
#include "kube/events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/ops.h"

#define MAX_ENTRIES 4096
#define MSG_MAX 1024
#define MAX_OBJECTS 4096
#define BURST 25
#define REFILL 10.0 /* seconds per token */

/* The token bucket of one involved object. */
struct bucket {
	char *key;
	double tokens, at;
};

/* One aggregated Event. */
struct entry {
	struct pn_kube_recorder *rec;  /* NULL once the recorder is gone */
	char *key;
	char *obj;                     /* the involved object's bucket key */
	char *ns;
	char *name;                    /* the Event object's name */
	json_t *event;                 /* the body to create */
	long count;                    /* occurrences so far */
	long sent;                     /* count the server has */
	double first, last;            /* wall clock */
	int inflight;
	int created;
};

struct pn_kube_recorder {
	struct pn_kube_client *c;
	char *component, *host;
	double window;
	json_t *entries;               /* key -> integer index into arr */
	struct entry **arr;
	size_t n, cap;
	unsigned pending;
	struct pn_kube_recorder_stats stats;
	json_t *bix;                   /* object key -> integer index into buckets */
	struct bucket *buckets;
	size_t nb, capb;
	int burst;
	double per;
	double (*now)(void);
};

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	free(e->key);
	free(e->obj);
	free(e->ns);
	free(e->name);
	json_decref(e->event);
	free(e);
}

static void flush(struct entry *e);

static void buckets_clear(struct pn_kube_recorder *rec)
{
	for (size_t i = 0; i < rec->nb; i++)
		free(rec->buckets[i].key);
	rec->nb = 0;
	json_object_clear(rec->bix);
}

/* Takes one token of the object's bucket: 1 when the write may go, 0 when
 * the object is over its cap (or memory ran out: best effort). */
static int take_token(struct pn_kube_recorder *rec, const char *obj)
{
	double now = rec->now ? rec->now() : wall();
	json_t *ix = json_object_get(rec->bix, obj);
	struct bucket *b;

	if (ix) {
		b = &rec->buckets[json_integer_value(ix)];
		b->tokens += (now - b->at) / rec->per;
		if (b->tokens > rec->burst)
			b->tokens = rec->burst;
		b->at = now;
	} else {
		if (rec->nb >= MAX_OBJECTS)
			buckets_clear(rec); /* full buckets again: a burst at worst */
		if (rec->nb == rec->capb) {
			size_t nc = rec->capb ? rec->capb * 2 : 64;
			struct bucket *nbk = realloc(rec->buckets, nc * sizeof(*nbk));
			if (!nbk)
				return 0;
			rec->buckets = nbk;
			rec->capb = nc;
		}
		b = &rec->buckets[rec->nb];
		b->key = strdup(obj);
		if (!b->key || json_object_set_new(rec->bix, obj, json_integer((json_int_t)rec->nb)) < 0) {
			free(b->key);
			return 0;
		}
		rec->nb++;
		b->tokens = rec->burst;
		b->at = now;
	}
	if (b->tokens < 1) {
		rec->stats.throttled++;
		return 0;
	}
	b->tokens -= 1;
	return 1;
}

static void sent_cb(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct entry *e = ud;
	struct pn_kube_recorder *rec = e->rec;
	(void)st;
	(void)body;
	e->inflight = 0;
	if (!rec) {
		entry_free(e); /* orphaned by pn_kube_recorder_free */
		return;
	}
	rec->pending--;
	if (rc == 0) {
		if (e->created)
			rec->stats.patched++;
		else
			rec->stats.created++;
		e->created = 1;
	} else if (rc == -PN_KUBE_ENOTFOUND && e->created) {
		/* The Event expired on the server: create it again. */
		e->created = 0;
		e->sent = 0;
	} else {
		rec->stats.failed++;
		e->sent = e->count; /* best effort: do not loop on a failing write */
		return;
	}
	if (e->sent < e->count)
		flush(e);
}

static void flush(struct entry *e)
{
	struct pn_kube_recorder *rec = e->rec;
	char ts[64];
	int r;
	if (e->inflight || e->sent == e->count)
		return;
	if (!take_token(rec, e->obj))
		return; /* the count goes out with the object's next allowed write */
	pn_kube_format_time(ts, sizeof(ts), e->last, 0);
	long count = e->count;
	if (!e->created) {
		json_object_set_new(e->event, "count", json_integer(count));
		json_object_set_new(e->event, "lastTimestamp", json_string(ts));
		r = pn_kube_create(rec->c, &pn_kube_res_events, e->ns, e->event, sent_cb, e);
	} else {
		char *p = NULL;
		json_t *patch = json_pack("{s:I,s:s}", "count", (json_int_t)count, "lastTimestamp", ts);
		p = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
		r = p ? pn_kube_patch(rec->c, &pn_kube_res_events, e->ns, e->name, NULL,
				      PN_KUBE_PATCH_MERGE, p, sent_cb, e)
		      : -ENOMEM;
		free(p);
		json_decref(patch);
	}
	if (r < 0) {
		rec->stats.failed++;
		return;
	}
	e->sent = count;
	e->inflight = 1;
	rec->pending++;
}

struct pn_kube_recorder *pn_kube_recorder_new(struct pn_kube_client *c, const char *component,
					      const char *host, double window)
{
	struct pn_kube_recorder *rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	rec->c = c;
	rec->component = strdup(component ? component : "podnet");
	rec->host = host ? strdup(host) : NULL;
	rec->window = window > 0 ? window : 600;
	rec->entries = json_object();
	rec->bix = json_object();
	rec->burst = BURST;
	rec->per = REFILL;
	if (!rec->component || (host && !rec->host) || !rec->entries || !rec->bix) {
		pn_kube_recorder_free(rec);
		return NULL;
	}
	return rec;
}

static void drop_all(struct pn_kube_recorder *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct entry *e = rec->arr[i];
		if (e->inflight)
			e->rec = NULL; /* freed by its callback */
		else
			entry_free(e);
	}
	rec->n = 0;
	rec->pending = 0;
	json_object_clear(rec->entries);
}

void pn_kube_recorder_free(struct pn_kube_recorder *rec)
{
	if (!rec)
		return;
	drop_all(rec);
	free(rec->arr);
	json_decref(rec->entries);
	buckets_clear(rec);
	free(rec->buckets);
	json_decref(rec->bix);
	free(rec->component);
	free(rec->host);
	free(rec);
}

int pn_kube_recorder_event(struct pn_kube_recorder *rec, json_t *involved, const char *type,
			   const char *reason, const char *message)
{
	json_t *md = json_object_get(involved, "metadata");
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	const char *name = json_string_value(json_object_get(md, "name"));
	const char *uid = json_string_value(json_object_get(md, "uid"));
	const char *kind = json_string_value(json_object_get(involved, "kind"));
	const char *apiv = json_string_value(json_object_get(involved, "apiVersion"));
	char *key = NULL;
	double now = rec->now ? rec->now() : wall();
	struct entry *e = NULL;

	if (!name || !kind || !type || !reason || !message)
		return -EINVAL;
	if (!ns || !*ns)
		ns = "default";
	if (asprintf(&key, "%s|%s|%s|%s|%s|%s|%.*s", ns, kind, name, uid ? uid : "", type, reason,
		     MSG_MAX, message) < 0)
		return -ENOMEM;
	json_t *ix = json_object_get(rec->entries, key);
	if (ix) {
		e = rec->arr[json_integer_value(ix)];
		if (now - e->first > rec->window && !e->inflight) {
			/* Too old to aggregate into: start a new Event. */
			json_object_del(rec->entries, key);
			size_t i = (size_t)json_integer_value(ix);
			entry_free(e);
			rec->arr[i] = rec->arr[--rec->n];
			if (i < rec->n)
				json_object_set_new(rec->entries, rec->arr[i]->key, json_integer((json_int_t)i));
			e = NULL;
		}
	}
	if (e) {
		free(key);
		e->count++;
		e->last = now;
		flush(e);
		return 0;
	}
	if (rec->n >= MAX_ENTRIES)
		drop_all(rec);
	if (rec->n == rec->cap) {
		size_t nc = rec->cap ? rec->cap * 2 : 64;
		struct entry **na = realloc(rec->arr, nc * sizeof(*na));
		if (!na) {
			free(key);
			return -ENOMEM;
		}
		rec->arr = na;
		rec->cap = nc;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(key);
		return -ENOMEM;
	}
	e->rec = rec;
	e->key = key;
	if (asprintf(&e->obj, "%s|%s|%s|%s", ns, kind, name, uid ? uid : "") < 0)
		e->obj = NULL;
	e->ns = strdup(ns);
	if (asprintf(&e->name, "%s.%llx", name, (unsigned long long)(now * 1e9)) < 0)
		e->name = NULL;
	char ts[64];
	pn_kube_format_time(ts, sizeof(ts), now, 0);
	json_t *io = json_pack("{s:s,s:s,s:s,s:s}", "kind", kind, "name", name, "namespace", ns,
			       "apiVersion", apiv ? apiv : "v1");
	if (io && uid)
		json_object_set_new(io, "uid", json_string(uid));
	json_t *src = json_pack("{s:s}", "component", rec->component);
	if (src && rec->host)
		json_object_set_new(src, "host", json_string(rec->host));
	e->event = json_pack("{s:s,s:s,s:{s:s,s:s},s:o*,s:s,s:s%,s:s,s:o*,s:s,s:s,s:s}",
			     "apiVersion", "v1", "kind", "Event",
			     "metadata", "name", e->name ? e->name : "", "namespace", ns,
			     "involvedObject", io,
			     "reason", reason,
			     "message", message, strlen(message) > MSG_MAX ? (size_t)MSG_MAX : strlen(message),
			     "type", type,
			     "source", src,
			     "firstTimestamp", ts,
			     "lastTimestamp", ts,
			     "reportingComponent", rec->component);
	if (!e->obj || !e->ns || !e->name || !e->event) {
		entry_free(e);
		return -ENOMEM;
	}
	e->count = 1;
	e->first = e->last = now;
	rec->arr[rec->n] = e;
	json_object_set_new(rec->entries, e->key, json_integer((json_int_t)rec->n));
	rec->n++;
	flush(e);
	return 0;
}

void pn_kube_recorder_get_stats(const struct pn_kube_recorder *rec, struct pn_kube_recorder_stats *out)
{
	*out = rec->stats;
}

void pn_kube_recorder_set_limit(struct pn_kube_recorder *rec, int burst, double per_seconds)
{
	rec->burst = burst > 0 ? burst : BURST;
	rec->per = per_seconds > 0 ? per_seconds : REFILL;
}

void pn_kube_recorder_set_clock(struct pn_kube_recorder *rec, double (*now)(void))
{
	rec->now = now;
}

unsigned pn_kube_recorder_pending(const struct pn_kube_recorder *rec)
{
	return rec->pending;
}
