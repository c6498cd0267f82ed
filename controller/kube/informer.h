/* informer.h: a cache of one resource kept current by a pn_watch.
 *
 * - Objects are stored by key "namespace/name" ("name" when cluster-scoped),
 *   after the caller's transform (which decides the fields kept).
 * - Indexes the caller declares map a value (for example a node name) to the
 *   keys of the objects that carry it.
 * - Handlers receive add(new), update(old, new) and delete(last) with the
 *   cached objects; a relist is turned into the adds, updates and deletes that
 *   bring the cache to the LIST, and an event carrying a resourceVersion already
 *   in the cache is not delivered again.
 * - "synced" becomes true after the first complete LIST (and the on_synced
 *   callbacks run once); resync_period > 0 re-delivers every object as
 *   update(obj, obj) periodically.
 * Objects passed to handlers and returned by lookups are borrowed: incref to
 * keep them beyond the call. */
#ifndef PN_KUBE_INFORMER_H
#define PN_KUBE_INFORMER_H

#include "kube/watch.h"

#define PN_INFORMER_MAX_HANDLERS 8
#define PN_INFORMER_MAX_INDEXES 8

struct pn_informer_handlers {
	void (*on_add)(void *ud, json_t *obj);
	void (*on_update)(void *ud, json_t *old_obj, json_t *new_obj);
	void (*on_delete)(void *ud, json_t *obj);
	void *ud;
};

/* Appends the index values of obj (strings) to the array vals. */
typedef int (*pn_informer_index_fn)(void *ud, json_t *obj, json_t *vals);
/* Returns a new reference holding what the cache keeps of obj. */
typedef json_t *(*pn_informer_transform_fn)(void *ud, json_t *obj);
typedef void (*pn_informer_synced_fn)(void *ud);

struct pn_informer_opts {
	struct pn_watch_opts watch;
	double resync_period;              /* seconds; 0: never */
	pn_informer_transform_fn transform; /* NULL: keep everything */
	void *transform_ud;
};

struct pn_informer;

struct pn_informer *pn_informer_new(struct pn_kube_client *c, const struct pn_informer_opts *o);
/* Before start. */
int pn_informer_add_index(struct pn_informer *inf, const char *name, pn_informer_index_fn fn, void *ud);
int pn_informer_add_handlers(struct pn_informer *inf, const struct pn_informer_handlers *h);
int pn_informer_on_synced(struct pn_informer *inf, pn_informer_synced_fn fn, void *ud);
int pn_informer_start(struct pn_informer *inf);
void pn_informer_stop(struct pn_informer *inf);
void pn_informer_free(struct pn_informer *inf);

int pn_informer_has_synced(const struct pn_informer *inf);
size_t pn_informer_count(const struct pn_informer *inf);
/* Borrowed; NULL when absent. ns NULL for cluster-scoped. */
json_t *pn_informer_get(const struct pn_informer *inf, const char *ns, const char *name);
json_t *pn_informer_get_key(const struct pn_informer *inf, const char *key);
/* The store: a JSON object key -> object (borrowed, do not modify). */
json_t *pn_informer_store(const struct pn_informer *inf);
/* Keys carrying value in index name: a JSON object key -> true (borrowed), or
 * NULL when none. */
json_t *pn_informer_by_index(const struct pn_informer *inf, const char *name, const char *value);
struct pn_watch *pn_informer_watch(const struct pn_informer *inf);

/* The cache key of an object ("ns/name" or "name") into buf. */
int pn_informer_key(json_t *obj, char *buf, size_t len);

#endif
