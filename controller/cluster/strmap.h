/* strmap.h — a hash map from strings (copied) to borrowed pointers, for the
 * controller's per-Pod and per-pool state. */
#ifndef PN_CLUSTER_STRMAP_H
#define PN_CLUSTER_STRMAP_H

#include <stddef.h>

struct pn_strmap_ent {
	char *key;
	void *val;
	struct pn_strmap_ent *next;
};

struct pn_strmap {
	struct pn_strmap_ent **b;
	size_t nb;
	size_t n;
};

/* Zero-initialised maps are valid and empty. */
void *pn_strmap_get(const struct pn_strmap *m, const char *key);
/* Sets key -> val (replacing). 0 or -ENOMEM. */
int pn_strmap_put(struct pn_strmap *m, const char *key, void *val);
/* Removes key; returns its value or NULL. */
void *pn_strmap_del(struct pn_strmap *m, const char *key);
/* Visits every entry; the callback may not change the map. Stops on non-zero. */
int pn_strmap_foreach(const struct pn_strmap *m, int (*fn)(const char *key, void *val, void *ud),
		      void *ud);
/* Frees the entries (not the values). */
void pn_strmap_clear(struct pn_strmap *m);

#endif
