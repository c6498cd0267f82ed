/* srcmap.c — positions of the nodes of one document, found by field path
 * (see pn/doc.h and pn/problem.h for the path syntax).
 *
 * The map is a tree stored in one array, linked by first-child/next-sibling
 * indexes, so it costs one small record per node whatever the depth: paths
 * are never stored, only matched piece by piece when a problem is resolved. */
#include "srcmap.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct srcnode {
	int parent;
	int first, last, next; /* children and sibling; -1 when none */
	int is_item;           /* a sequence item (no key) */
	char *key;             /* owned; NULL for items */
	size_t keylen;
	struct pn_srcpos pos;
};

struct pn_srcmap {
	struct srcnode *v;
	size_t n, cap;
	char *root_path;
};

struct pn_srcmap *pn_srcmap_new(const char *root_path)
{
	struct pn_srcmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->root_path = strdup(root_path ? root_path : "");
	if (!m->root_path) {
		free(m);
		return NULL;
	}
	return m;
}

void pn_srcmap_free(struct pn_srcmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].key);
	free(m->v);
	free(m->root_path);
	free(m);
}

size_t pn_srcmap_size(const struct pn_srcmap *m)
{
	return m ? m->n : 0;
}

int pn_srcmap_add(struct pn_srcmap *m, int parent, const char *key, size_t keylen,
		  const struct pn_srcpos *pos)
{
	struct srcnode *nd;
	char *k = NULL;

	if ((parent < 0) != (m->n == 0) || parent >= (int)m->n)
		return -EINVAL;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct srcnode *v;

		if (cap > (size_t)INT_MAX)
			return -ENOMEM;
		v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	if (key) {
		k = malloc(keylen + 1);
		if (!k)
			return -ENOMEM;
		memcpy(k, key, keylen);
		k[keylen] = '\0';
	}
	nd = &m->v[m->n];
	*nd = (struct srcnode){
		.parent = parent, .first = -1, .last = -1, .next = -1,
		.is_item = key == NULL, .key = k, .keylen = keylen, .pos = *pos,
	};
	if (parent >= 0) {
		struct srcnode *p = &m->v[parent];

		if (p->last >= 0)
			m->v[p->last].next = (int)m->n;
		else
			p->first = (int)m->n;
		p->last = (int)m->n;
	}
	return (int)m->n++;
}

/* The same test pn_path_key() uses to choose between .key and ["key"]. */
static int plain_key(const char *key, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_' && key[i] != '-')
			return 0;
	return 1;
}

static int at_boundary(const char *p)
{
	return *p == '\0' || *p == '.' || *p == '[';
}

/* Length of path text matched by child nd's path piece at p, or 0. */
static size_t match_key(const struct srcnode *nd, const char *p, int prefix_empty)
{
	size_t n = 0;

	if (plain_key(nd->key, nd->keylen)) {
		if (!prefix_empty) {
			if (*p != '.')
				return 0;
			n = 1;
		}
		if (strncmp(p + n, nd->key, nd->keylen) != 0)
			return 0;
		n += nd->keylen;
	} else {
		if (strncmp(p, "[\"", 2) != 0 || strncmp(p + 2, nd->key, nd->keylen) != 0 ||
		    strncmp(p + 2 + nd->keylen, "\"]", 2) != 0)
			return 0;
		n = nd->keylen + 4;
	}
	return at_boundary(p + n) ? n : 0;
}

int pn_srcmap_find(const struct pn_srcmap *m, const char *path, struct pn_srcpos *out)
{
	size_t rlen;
	int cur = 0;
	const char *p = path ? path : "";
	int prefix_empty;

	if (!m || m->n == 0)
		return -ENOENT;
	rlen = strlen(m->root_path);
	if (strncmp(p, m->root_path, rlen) != 0 || (rlen && !at_boundary(p + rlen)))
		return -ENOENT;
	p += rlen;
	prefix_empty = rlen == 0;
	while (*p) {
		const struct srcnode *cn = &m->v[cur];
		int found = -1;
		size_t used = 0;

		if (p[0] == '[' && isdigit((unsigned char)p[1])) {
			char *end;
			unsigned long idx = strtoul(p + 1, &end, 10);

			if (*end != ']' || !at_boundary(end + 1))
				break;
			for (int c = cn->first; c >= 0; c = m->v[c].next) {
				if (!m->v[c].is_item)
					break;
				if (idx-- == 0) {
					found = c;
					break;
				}
			}
			used = (size_t)(end + 1 - p);
		} else {
			for (int c = cn->first; c >= 0; c = m->v[c].next) {
				if (m->v[c].is_item)
					break;
				used = match_key(&m->v[c], p, prefix_empty);
				if (used) {
					found = c;
					break;
				}
			}
		}
		if (found < 0)
			break;
		cur = found;
		p += used;
		prefix_empty = 0;
	}
	if (out) {
		*out = m->v[cur].pos;
		/* A mapping or list, or the parent of a missing node: its key
		 * ("spec:") reads better than its first child's position. */
		if ((*p || out->style == PN_STYLE_NONE) && out->key_line > 0) {
			out->line = out->key_line;
			out->col = out->key_col;
		}
	}
	return *p ? 0 : 1;
}

void pn_srcmap_resolve(const struct pn_srcmap *m, struct pn_problems *ps, size_t from)
{
	for (size_t i = from; i < ps->n; i++) {
		struct pn_srcpos pos;

		if (ps->v[i].line > 0)
			continue;
		if (pn_srcmap_find(m, ps->v[i].path, &pos) < 0)
			continue;
		ps->v[i].line = pos.line;
		ps->v[i].col = pos.col;
	}
}
