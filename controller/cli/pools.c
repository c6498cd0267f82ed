/* pools.c — address allocation over the IPPools found in podnetctl's files
 * (pn/ipam.h): fixed addresses are checked and reserved, then each planned
 * attachment gets one lowest-free address per family of its pool. */
#include <errno.h>
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

/* Builds the ipam pool of a valid IPPool; NULL when it cannot be built. */
static struct pn_ipam_pool *pool_build(const struct pn_ippool *p)
{
	struct pn_ipam_range_spec *specs = NULL;
	struct pn_prefix *ex = NULL;
	struct pn_ipam_pool *pool = NULL;
	size_t n_ex = 0, k = 0;

	if (!p->spec.n_ranges || p->spec.n_ranges > PN_IPAM_RANGES_MAX)
		return NULL;
	for (size_t i = 0; i < p->spec.n_ranges; i++)
		n_ex += p->spec.ranges[i].n_exclude;
	specs = calloc(p->spec.n_ranges, sizeof(*specs));
	ex = calloc(n_ex ? n_ex : 1, sizeof(*ex));
	if (!specs || !ex)
		goto cleanup;
	for (size_t i = 0; i < p->spec.n_ranges; i++) {
		const struct pn_ippool_range *r = &p->spec.ranges[i];
		struct pn_ipam_range_spec *s = &specs[i];

		if (!r->cidr || pn_prefix_parse(r->cidr, &s->cidr) < 0)
			goto cleanup;
		if (r->start && (s->has_start = true) && pn_ip_parse(r->start, &s->start) < 0)
			goto cleanup;
		if (r->end && (s->has_end = true) && pn_ip_parse(r->end, &s->end) < 0)
			goto cleanup;
		if (r->gateway && (s->has_gateway = true) && pn_ip_parse(r->gateway, &s->gateway) < 0)
			goto cleanup;
		s->exclude = &ex[k];
		for (size_t j = 0; j < r->n_exclude; j++, k++) {
			if (pn_prefix_parse(r->exclude[j], &ex[k]) < 0)
				goto cleanup;
			s->n_exclude++;
		}
	}
	if (pn_ipam_pool_new(specs, p->spec.n_ranges, &pool) < 0)
		pool = NULL;
cleanup:
	free(specs);
	free(ex);
	return pool;
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

static int add_ip(struct cli_pool *p, struct pn_plan_attachment *a, const struct pn_ip *ip,
		  size_t range)
{
	const struct pn_prefix *cidr = pn_ipam_range_cidr(p->ipam, range);
	const struct pn_ip *gw = pn_ipam_range_gateway(p->ipam, range);
	struct pn_prefix pf;
	char buf[PN_PREFIX_STRLEN];
	int r;

	if (!cidr)
		return -EINVAL;
	pf = (struct pn_prefix){ .addr = *ip, .len = cidr->len };
	if (pn_prefix_format(&pf, buf, sizeof(buf)) < 0)
		return -EINVAL;
	r = pn_plan_attachment_add_ip(a, buf);
	if (r < 0 || !gw)
		return r;
	if (pn_ip_format(gw, buf, sizeof(buf)) < 0)
		return -EINVAL;
	for (size_t i = 0; i < a->n_gateways; i++)
		if (!strcmp(a->gateways[i], buf))
			return 0;
	return pn_plan_attachment_add_gateway(a, buf);
}

int cli_pools_fill(struct cli_pools *ps, struct pn_plan_attachment *a, const char *owner,
		   char *err, size_t errlen)
{
	struct cli_pool *p;
	const struct pn_ippool *ip;
	bool fam_done[2] = { false, false };
	int r;

	if (!a->ippool)
		return 0;
	p = pool_find(ps, a->ippool);
	if (!p || !p->ipam) {
		snprintf(err, errlen, "IPPool \"%s\" is invalid: no address can be allocated",
			 a->ippool);
		return -EINVAL;
	}
	for (size_t i = 0; i < a->n_requested_ips; i++) {
		struct pn_ip addr;
		size_t range;

		if (pn_ip_parse(a->requested_ips[i], &addr) < 0) {
			snprintf(err, errlen, "\"%s\" is not an IP address", a->requested_ips[i]);
			return -EINVAL;
		}
		r = pn_ipam_alloc_addr(p->ipam, &addr, owner, &range);
		if (r < 0) {
			snprintf(err, errlen, "%s cannot be reserved in IPPool \"%s\"",
				 a->requested_ips[i], a->ippool);
			return r;
		}
		r = add_ip(p, a, &addr, range);
		if (r < 0)
			return r;
		fam_done[addr.family == PN_IP_FAMILY_V6] = true;
	}
	for (size_t i = 0; i < pn_ipam_pool_nranges(p->ipam); i++) {
		int fam = pn_ipam_range_cidr(p->ipam, i)->addr.family;
		struct pn_ip addr;
		size_t range;

		if (fam_done[fam == PN_IP_FAMILY_V6])
			continue;
		fam_done[fam == PN_IP_FAMILY_V6] = true;
		r = pn_ipam_alloc(p->ipam, fam, owner, &addr, &range);
		if (r == -ENOSPC) {
			snprintf(err, errlen, "IPPool \"%s\" has no free IPv%d address left", a->ippool,
				 fam);
			return r;
		}
		if (r < 0) {
			snprintf(err, errlen, "allocation from IPPool \"%s\" failed: %s", a->ippool,
				 strerror(-r));
			return r;
		}
		r = add_ip(p, a, &addr, range);
		if (r < 0)
			return r;
	}
	ip = p->src->obj.u.ippool;
	for (size_t i = 0; i < ip->spec.n_routes; i++) {
		r = pn_plan_attachment_add_route(a, ip->spec.routes[i].dst, ip->spec.routes[i].gw);
		if (r < 0)
			return r;
	}
	return 0;
}
