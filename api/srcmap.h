/* srcmap.h — building a source map (internal to the source layer; readers
 * use pn/doc.h). A map is a tree of nodes in document order; node 0 is the
 * document's root. */
#ifndef PN_SRCMAP_INTERNAL_H
#define PN_SRCMAP_INTERNAL_H

#include <stddef.h>

#include "pn/doc.h"

/* A new, empty map whose root node will have the path root_path (NULL or
 * "" for a top-level document). NULL on allocation failure. */
struct pn_srcmap *pn_srcmap_new(const char *root_path);
void pn_srcmap_free(struct pn_srcmap *map);

/* Adds a node under parent (-1 for the root, which must be added first and
 * once): key/keylen for a mapping value, key NULL for the next sequence
 * item. Returns the node's index (>= 0) or -ENOMEM. */
int pn_srcmap_add(struct pn_srcmap *map, int parent, const char *key, size_t keylen,
		  const struct pn_srcpos *pos);

#endif
