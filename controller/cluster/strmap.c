/* strmap.c — chained hash map with string keys (FNV-1a). */
#include "cluster/strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void *pn_strmap_get(const struct pn_strmap *m, const char *key)
{
	if (!m->nb)
		return NULL;
	for (struct pn_strmap_ent *e = m->b[hash(key) % m->nb]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e->val;
	return NULL;
}

static int grow(struct pn_strmap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64;
	struct pn_strmap_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < m->nb; i++) {
		struct pn_strmap_ent *e = m->b[i], *next;

		for (; e; e = next) {
			size_t k = hash(e->key) % nb;

			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

int pn_strmap_put(struct pn_strmap *m, const char *key, void *val)
{
	struct pn_strmap_ent *e;
	size_t k;

	if (m->nb) {
		for (e = m->b[hash(key) % m->nb]; e; e = e->next)
			if (!strcmp(e->key, key)) {
				e->val = val;
				return 0;
			}
	}
	if (m->n + 1 > m->nb && grow(m) < 0)
		return -ENOMEM;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->key = strdup(key);
	if (!e->key) {
		free(e);
		return -ENOMEM;
	}
	e->val = val;
	k = hash(key) % m->nb;
	e->next = m->b[k];
	m->b[k] = e;
	m->n++;
	return 0;
}

void *pn_strmap_del(struct pn_strmap *m, const char *key)
{
	struct pn_strmap_ent **pp;

	if (!m->nb)
		return NULL;
	for (pp = &m->b[hash(key) % m->nb]; *pp; pp = &(*pp)->next) {
		struct pn_strmap_ent *e = *pp;

		if (!strcmp(e->key, key)) {
			void *v = e->val;

			*pp = e->next;
			free(e->key);
			free(e);
			m->n--;
			return v;
		}
	}
	return NULL;
}

int pn_strmap_foreach(const struct pn_strmap *m, int (*fn)(const char *key, void *val, void *ud),
		      void *ud)
{
	for (size_t i = 0; i < m->nb; i++)
		for (struct pn_strmap_ent *e = m->b[i]; e; e = e->next) {
			int r = fn(e->key, e->val, ud);

			if (r)
				return r;
		}
	return 0;
}

void pn_strmap_clear(struct pn_strmap *m)
{
	for (size_t i = 0; i < m->nb; i++) {
		struct pn_strmap_ent *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}
