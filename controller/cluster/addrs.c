/* addrs.c — per-Pod address holds and the IPAM pools derived from them. */
#include "cluster/addrs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pn_addrs_init(struct pn_addrs *a)
{
	memset(a, 0, sizeof(*a));
}

static void pod_free(struct pn_addrs_pod *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].pool);
		free(p->v[i].network);
	}
	free(p->v);
	free(p->uid);
	free(p->key);
	free(p);
}

static void pool_free(struct pn_addrs_pool *pl)
{
	if (!pl)
		return;
	pn_ipam_pool_free(pl->ipam);
	pn_ippool_free(pl->spec);
	free(pl->name);
	free(pl);
}

static int free_pod_cb(const char *k, void *v, void *ud)
{
	pod_free(v);
	return 0;
}

static int free_pool_cb(const char *k, void *v, void *ud)
{
	pool_free(v);
	return 0;
}

void pn_addrs_clear(struct pn_addrs *a)
{
	pn_strmap_foreach(&a->pods, free_pod_cb, NULL);
	pn_strmap_foreach(&a->pools, free_pool_cb, NULL);
	pn_strmap_clear(&a->pods);
	pn_strmap_clear(&a->pools);
	a->conflicts = 0;
}

struct pn_addrs_pool *pn_addrs_pool(const struct pn_addrs *a, const char *name)
{
	return pn_strmap_get(&a->pools, name);
}

static int owner_of(char *buf, size_t len, const char *uid, const char *network)
{
	int n = snprintf(buf, len, "%s/%s", uid, network);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

struct collect {
	const char *pool;
	struct pn_ipam_use *uses;
	char **owners;
	size_t n, cap;
	int err;
};

static int collect_cb(const char *uid, void *v, void *ud)
{
	struct pn_addrs_pod *p = v;
	struct collect *c = ud;
	char owner[PN_IPAM_OWNER_MAX];

	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].pool, c->pool) != 0)
			continue;
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			struct pn_ipam_use *u = realloc(c->uses, cap * sizeof(*u));
			char **o;

			if (!u) {
				c->err = -ENOMEM;
				return 1;
			}
			c->uses = u;
			o = realloc(c->owners, cap * sizeof(*o));
			if (!o) {
				c->err = -ENOMEM;
				return 1;
			}
			c->owners = o;
			c->cap = cap;
		}
		if (owner_of(owner, sizeof(owner), p->uid, p->v[i].network) < 0)
			continue;
		c->owners[c->n] = strdup(owner);
		if (!c->owners[c->n]) {
			c->err = -ENOMEM;
			return 1;
		}
		c->uses[c->n].ip = p->v[i].ip;
		c->uses[c->n].owner = c->owners[c->n];
		c->n++;
	}
	return 0;
}

static int rebuild_pool(struct pn_addrs *a, struct pn_addrs_pool *pl)
{
	struct collect c = { .pool = pl->name };
	int r;

	if (!pl->ipam)
		return 0;
	pn_strmap_foreach(&a->pods, collect_cb, &c);
	r = c.err;
	if (!r) {
		r = pn_ipam_rebuild(pl->ipam, c.uses, c.n, NULL, 0);
		if (r > 0)
			a->conflicts += (unsigned long)r;
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.owners[i]);
	free(c.owners);
	free(c.uses);
	pl->dirty = true;
	return r;
}

int pn_addrs_pool_set(struct pn_addrs *a, const char *name, struct pn_ippool *spec)
{
	struct pn_addrs_pool *pl = pn_strmap_get(&a->pools, name);
	struct pn_ipam_pool *ipam = NULL;
	int r;

	if (!spec) {
		pool_free(pn_strmap_del(&a->pools, name));
		return 0;
	}
	if (!pl) {
		pl = calloc(1, sizeof(*pl));
		if (!pl || !(pl->name = strdup(name)) || pn_strmap_put(&a->pools, name, pl) < 0) {
			if (pl)
				free(pl->name);
			free(pl);
			pn_ippool_free(spec);
			return -ENOMEM;
		}
	}
	r = pn_ippool_ipam(spec, &ipam);
	pn_ippool_free(pl->spec);
	pl->spec = spec;
	pn_ipam_pool_free(pl->ipam);
	pl->ipam = r < 0 ? NULL : ipam;
	pl->dirty = true;
	if (r < 0)
		return r;
	return rebuild_pool(a, pl);
}

struct pn_addrs_pod *pn_addrs_pod(struct pn_addrs *a, const char *uid, bool create)
{
	struct pn_addrs_pod *p = pn_strmap_get(&a->pods, uid);

	if (p || !create)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->uid = strdup(uid)) || pn_strmap_put(&a->pods, uid, p) < 0) {
		if (p)
			free(p->uid);
		free(p);
		return NULL;
	}
	return p;
}

static void hold_release(struct pn_addrs *a, const char *uid, const struct pn_hold *h)
{
	struct pn_addrs_pool *pl = pn_strmap_get(&a->pools, h->pool);
	char owner[PN_IPAM_OWNER_MAX];

	if (!pl || !pl->ipam || owner_of(owner, sizeof(owner), uid, h->network) < 0)
		return;
	if (pn_ipam_release(pl->ipam, &h->ip, owner) == 0)
		pl->dirty = true;
}

void pn_addrs_pod_release(struct pn_addrs *a, const char *uid)
{
	struct pn_addrs_pod *p = pn_strmap_del(&a->pods, uid);

	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		hold_release(a, p->uid, &p->v[i]);
	pod_free(p);
}

static bool hold_eq(const struct pn_hold *x, const struct pn_hold *y)
{
	return !strcmp(x->pool, y->pool) && !strcmp(x->network, y->network) &&
	       pn_ip_cmp(&x->ip, &y->ip) == 0;
}

static bool hold_in(const struct pn_hold *h, const struct pn_hold *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (hold_eq(h, &v[i]))
			return true;
	return false;
}

/* Appends h to p's holds, allocating it in its pool: 0 added, 1 conflict. */
static int hold_add(struct pn_addrs *a, struct pn_addrs_pod *p, const struct pn_hold *h)
{
	struct pn_addrs_pool *pl = pn_strmap_get(&a->pools, h->pool);
	char owner[PN_IPAM_OWNER_MAX];
	struct pn_hold nh;

	if (hold_in(h, p->v, p->n))
		return 0;
	if (owner_of(owner, sizeof(owner), p->uid, h->network) < 0)
		return 1;
	if (pl && pl->ipam) {
		int r = pn_ipam_alloc_addr(pl->ipam, &h->ip, owner, NULL);

		if (r == -ENOMEM)
			return -ENOMEM;
		if (r == -EEXIST) {
			a->conflicts++;
			return 1;
		}
		/* -ERANGE/-EPERM: the pool changed under the plan; keep the hold
		 * so that it is not lost, it blocks nothing. */
		if (r == 0)
			pl->dirty = true;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;
		struct pn_hold *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	nh.ip = h->ip;
	nh.pool = strdup(h->pool);
	nh.network = strdup(h->network);
	if (!nh.pool || !nh.network) {
		free(nh.pool);
		free(nh.network);
		return -ENOMEM;
	}
	p->v[p->n++] = nh;
	return 0;
}

static void hold_drop(struct pn_addrs *a, struct pn_addrs_pod *p, size_t i)
{
	hold_release(a, p->uid, &p->v[i]);
	free(p->v[i].pool);
	free(p->v[i].network);
	p->v[i] = p->v[--p->n];
}

int pn_addrs_pod_sync(struct pn_addrs *a, struct pn_addrs_pod *p, const struct pn_hold *want,
		      size_t n, bool keep_extra)
{
	int conflicts = 0;

	if (!keep_extra)
		for (size_t i = p->n; i-- > 0;)
			if (!hold_in(&p->v[i], want, n))
				hold_drop(a, p, i);
	for (size_t i = 0; i < n; i++) {
		int r = hold_add(a, p, &want[i]);

		if (r < 0)
			return r;
		conflicts += r;
	}
	return conflicts;
}

/* Drops p's holds for (pool, network) without releasing them in IPAM
 * (pn_plan_allocate has moved them already), then records ips. */
static int holds_replace(struct pn_addrs_pod *p, const char *pool, const char *network,
			 const struct pn_plan_attachment *at)
{
	for (size_t i = p->n; i-- > 0;)
		if (!strcmp(p->v[i].pool, pool) && !strcmp(p->v[i].network, network)) {
			free(p->v[i].pool);
			free(p->v[i].network);
			p->v[i] = p->v[--p->n];
		}
	for (size_t k = 0; k < at->n_ips; k++) {
		struct pn_prefix pfx;
		struct pn_hold h;
		char addr[PN_PREFIX_STRLEN];
		char *slash;

		snprintf(addr, sizeof(addr), "%s", at->ips[k]);
		slash = strchr(addr, '/');
		if (slash)
			*slash = 0;
		if (pn_ip_parse(addr, &pfx.addr) < 0)
			continue;
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 4;
			struct pn_hold *v = realloc(p->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			p->v = v;
			p->cap = cap;
		}
		h.ip = pfx.addr;
		h.pool = strdup(pool);
		h.network = strdup(network);
		if (!h.pool || !h.network) {
			free(h.pool);
			free(h.network);
			return -ENOMEM;
		}
		p->v[p->n++] = h;
	}
	return 0;
}

/* Puts back what p held for (pool, network) before an allocation failed. */
static void restore(struct pn_addrs *a, struct pn_addrs_pod *p, const char *pool,
		    const char *network)
{
	struct pn_addrs_pool *pl = pn_strmap_get(&a->pools, pool);
	char owner[PN_IPAM_OWNER_MAX];

	if (!pl || !pl->ipam || owner_of(owner, sizeof(owner), p->uid, network) < 0)
		return;
	pn_ipam_release_owner(pl->ipam, owner);
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].pool, pool) && !strcmp(p->v[i].network, network))
			pn_ipam_alloc_addr(pl->ipam, &p->v[i].ip, owner, NULL);
}

int pn_addrs_allocate(struct pn_addrs *a, struct pn_addrs_pod *p, struct pn_plan *plan,
		      struct pn_problems *ps)
{
	char owner[PN_IPAM_OWNER_MAX];
	int problems = 0, r = 0;

	for (size_t i = 0; i < plan->n; i++) {
		struct pn_plan_attachment *at = &plan->v[i];
		struct pn_addrs_pool *pl;
		char path[64];

		if (!at->ippool)
			continue;
		pl = pn_strmap_get(&a->pools, at->ippool);
		if (!pl || !pl->ipam || !pl->spec) {
			snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%ld]", at->request_index);
			r = pn_problems_add(ps, path, "IPPool \"%s\" is not ready", at->ippool);
			if (r < 0)
				break;
			problems++;
			continue;
		}
		if (owner_of(owner, sizeof(owner), p->uid, at->network) < 0) {
			r = -ENAMETOOLONG;
			break;
		}
		r = pn_plan_allocate(at, pl->ipam, pl->spec, owner, ps);
		if (r < 0)
			break;
		problems += r;
		pl->dirty = true;
	}
	if (r < 0 || problems) {
		/* Undo: every pool/network touched goes back to the holds. */
		for (size_t i = 0; i < plan->n; i++)
			if (plan->v[i].ippool)
				restore(a, p, plan->v[i].ippool, plan->v[i].network);
		return r < 0 ? r : problems;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].ippool) {
			r = holds_replace(p, plan->v[i].ippool, plan->v[i].network, &plan->v[i]);
			if (r < 0)
				return r;
		}
	return 0;
}

static int rebuild_cb(const char *k, void *v, void *ud)
{
	struct pn_addrs *a = ud;
	int r = rebuild_pool(a, v);

	return r < 0 ? r : 0;
}

int pn_addrs_rebuild(struct pn_addrs *a)
{
	unsigned long before = a->conflicts;
	int r = pn_strmap_foreach(&a->pools, rebuild_cb, a);

	return r < 0 ? r : (int)(a->conflicts - before);
}

static int count_cb(const char *k, void *v, void *ud)
{
	struct pn_addrs_pool *pl = v;

	if (pl->ipam)
		*(size_t *)ud += pn_ipam_pool_nallocated(pl->ipam);
	return 0;
}

size_t pn_addrs_allocated(const struct pn_addrs *a)
{
	size_t n = 0;

	pn_strmap_foreach(&a->pools, count_cb, &n);
	return n;
}
