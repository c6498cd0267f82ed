/* pools.c — address allocation over the IPPools found in podnetctl's files
 * (pn/ipam.h): fixed addresses are checked and reserved first, then each
 * planned attachment is filled by the controller's own pn_plan_allocate(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pn/ipam.h"

struct cli_pool {
	const struct cli_object *src;
	struct pn_ipam_pool *ipam; /* NULL when the IPPool is invalid */
};

struct cli_pools {
	struct cli_pool *v;
	size_t n;
};

/* The ipam pool of a valid IPPool (the controller's own builder); NULL
 * when it cannot be built. */
static struct pn_ipam_pool *pool_build(const struct pn_ippool *p)
{
	struct pn_ipam_pool *pool = NULL;

	return pn_ippool_ipam(p, &pool) == 0 ? pool : NULL;
}

struct cli_pools *cli_pools_new(struct cli_set *set)
{
	struct cli_pools *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return NULL;
	for (size_t i = 0; i < set->n_objs; i++) {
		const struct cli_object *o = &set->objs[i];
		struct cli_pool *v;

		if (o->obj.kind != PN_KIND_IPPOOL || !o->obj.u.ippool)
			continue;
		v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
		if (!v) {
			cli_pools_free(ps);
			return NULL;
		}
		ps->v = v;
		ps->v[ps->n++] = (struct cli_pool){
			.src = o,
			.ipam = o->ps.n ? NULL : pool_build(o->obj.u.ippool),
		};
	}
	return ps;
}

void cli_pools_free(struct cli_pools *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++)
		pn_ipam_pool_free(ps->v[i].ipam);
	free(ps->v);
	free(ps);
}

static struct cli_pool *pool_find(struct cli_pools *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].src->name, name))
			return &ps->v[i];
	return NULL;
}

int cli_pools_reserve(struct cli_pools *ps, const char *name, const char *addr, const char *owner,
		      char *msg, size_t msglen)
{
	struct cli_pool *p = pool_find(ps, name);
	struct pn_ip ip;
	const char *other;
	int r;

	if (!p)
		return 0;
	if (!p->ipam)
		return 1;
	if (pn_ip_parse(addr, &ip) < 0) {
		snprintf(msg, msglen, "\"%s\" is not an IP address", addr);
		return -EINVAL;
	}
	other = pn_ipam_owner(p->ipam, &ip);
	r = pn_ipam_alloc_addr(p->ipam, &ip, owner, NULL);
	switch (r) {
	case 0:
	case 1:
		return 0;
	case -ERANGE:
		snprintf(msg, msglen, "%s is outside IPPool \"%s\" (in no range, or outside start..end)",
			 addr, name);
		return r;
	case -EPERM:
		snprintf(msg, msglen,
			 "%s is reserved in IPPool \"%s\" (excluded, the gateway, or a network or "
			 "broadcast address)", addr, name);
		return r;
	case -EEXIST:
		snprintf(msg, msglen, "%s is already taken in IPPool \"%s\" by %s", addr, name,
			 other ? other : "another Pod");
		return r;
	default:
		snprintf(msg, msglen, "%s cannot be reserved in IPPool \"%s\": %s", addr, name,
			 strerror(-r));
		return r;
	}
}

int cli_pools_allocate(struct cli_pools *ps, struct pn_plan_attachment *a, const char *owner,
		       struct pn_problems *problems)
{
	struct cli_pool *p;

	if (!a->ippool)
		return 0;
	p = pool_find(ps, a->ippool);
	if (!p || !p->ipam) {
		char path[64];

		if (a->request_index >= 0)
			snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%ld]", a->request_index);
		else
			snprintf(path, sizeof(path), "%s", PN_NETWORKS_PATH);
		return pn_problems_add(problems, path,
				       "IPPool \"%s\" is invalid: no address can be allocated",
				       a->ippool) < 0 ? -ENOMEM : 1;
	}
	return pn_plan_allocate(a, p->ipam, p->src->obj.u.ippool, owner, problems);
}
