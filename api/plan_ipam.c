/* plan_ipam.c — filling a plan attachment's addresses from an IPPool with
 * pn/ipam.h: requested addresses checked (inside the pool and free), the
 * other families allocated lowest-free, idempotent per owner. */
#include "model_priv.h"
#include "pn/ipam.h"
#include "pn/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pn_ippool_ipam(const struct pn_ippool *p, struct pn_ipam_pool **out)
{
	struct pn_ipam_range_spec *specs = NULL;
	struct pn_prefix *ex = NULL;
	size_t n_ex = 0, k = 0;
	int r = -EINVAL;

	*out = NULL;
	if (!p->spec.n_ranges || p->spec.n_ranges > PN_IPAM_RANGES_MAX)
		return -EINVAL;
	for (size_t i = 0; i < p->spec.n_ranges; i++)
		n_ex += p->spec.ranges[i].n_exclude;
	specs = calloc(p->spec.n_ranges, sizeof(*specs));
	ex = calloc(n_ex + 1, sizeof(*ex));
	if (!specs || !ex) {
		r = -ENOMEM;
		goto free_specs;
	}
	for (size_t i = 0; i < p->spec.n_ranges; i++) {
		const struct pn_ippool_range *rg = &p->spec.ranges[i];
		struct pn_ipam_range_spec *s = &specs[i];

		if (!rg->cidr || pn_prefix_parse(rg->cidr, &s->cidr) < 0)
			goto free_specs;
		s->has_start = rg->start != NULL;
		s->has_end = rg->end != NULL;
		s->has_gateway = rg->gateway != NULL;
		if ((rg->start && pn_ip_parse(rg->start, &s->start) < 0) ||
		    (rg->end && pn_ip_parse(rg->end, &s->end) < 0) ||
		    (rg->gateway && pn_ip_parse(rg->gateway, &s->gateway) < 0))
			goto free_specs;
		s->exclude = &ex[k];
		for (size_t j = 0; j < rg->n_exclude; j++, k++) {
			if (pn_prefix_parse(rg->exclude[j], &ex[k]) < 0)
				goto free_specs;
			s->n_exclude++;
		}
	}
	r = pn_ipam_pool_new(specs, p->spec.n_ranges, out);
free_specs:
	free(specs);
	free(ex);
	return r;
}

/* What owner holds in the pool (at most a few addresses). */
struct held {
	const char *owner;
	struct pn_ip ip[8];
	size_t range[8];
	size_t n;
};

static int collect_held(const struct pn_ip *ip, const char *owner, size_t range, void *ud)
{
	struct held *h = ud;

	if (strcmp(owner, h->owner) != 0 || h->n == 8)
		return 0;
	h->ip[h->n] = *ip;
	h->range[h->n++] = range;
	return 0;
}

/* The address in CIDR form with its range's prefix length, and the range's
 * gateway (when it has one and it is not listed yet). */
static int add_address(struct pn_plan_attachment *a, const struct pn_ipam_pool *pool,
		       const struct pn_ip *ip, size_t range)
{
	const struct pn_prefix *cidr = pn_ipam_range_cidr(pool, range);
	const struct pn_ip *gw = pn_ipam_range_gateway(pool, range);
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

static void entry_path(char *buf, const struct pn_plan_attachment *a)
{
	if (a->request_index < 0)
		snprintf(buf, PN_PATH_MAX, "%s", PN_NETWORKS_PATH);
	else
		pn_pidx(buf, PN_NETWORKS_PATH, (size_t)a->request_index);
}

int pn_plan_allocate(struct pn_plan_attachment *a, struct pn_ipam_pool *pool,
		     const struct pn_ippool *spec, const char *owner, struct pn_problems *ps)
{
	char ep[PN_PATH_MAX], path[PN_PATH_MAX], ipp[PN_PATH_MAX];
	const char *pname = spec && spec->meta.name ? spec->meta.name : (a->ippool ? a->ippool : "");
	struct pn_dec d = { .ps = ps };
	struct pn_plan_attachment work = { 0 };
	struct held held = { .owner = owner };
	struct pn_ip taken[PN_MAX_IPS + 2];
	size_t n_taken = 0;
	bool fam_done[2] = { false, false };
	int r;

	entry_path(ep, a);
	pn_pkey(path, ep, "ips");
	r = pn_ipam_foreach_owner(pool, owner, collect_held, &held);
	if (r < 0)
		return r;

	/* Requested addresses first. */
	for (size_t k = 0; k < a->n_requested_ips && !d.err; k++) {
		struct pn_ip ip;
		size_t range = 0;

		pn_pidx(ipp, path, k);
		if (pn_ip_parse(a->requested_ips[k], &ip) < 0) {
			pn_dec_problem(&d, ipp, "must be an IP address, not \"%s\"", a->requested_ips[k]);
			continue;
		}
		r = pn_ipam_alloc_addr(pool, &ip, owner, &range);
		switch (r) {
		case 0:
			if (n_taken < PN_MAX_IPS + 2)
				taken[n_taken++] = ip;
			/* fall through */
		case 1:
			fam_done[ip.family == PN_IP_FAMILY_V6] = true;
			if (add_address(&work, pool, &ip, range) < 0)
				d.err = -ENOMEM;
			break;
		case -ERANGE:
			pn_dec_problem(&d, ipp, "%s is not inside IPPool \"%s\" (outside every range "
						"or its start..end)", a->requested_ips[k], pname);
			break;
		case -EPERM:
			pn_dec_problem(&d, ipp, "%s is reserved in IPPool \"%s\" (excluded, the "
						"gateway, or the network/broadcast address)",
				       a->requested_ips[k], pname);
			break;
		case -EEXIST: {
			const char *other = pn_ipam_owner(pool, &ip);

			pn_dec_problem(&d, ipp, "%s is already allocated in IPPool \"%s\" to %s",
				       a->requested_ips[k], pname, other ? other : "another attachment");
			break;
		}
		default:
			d.err = r;
			break;
		}
	}

	/* One address for every other family the pool has. */
	for (size_t i = 0; i < pn_ipam_pool_nranges(pool) && !d.err && !d.n; i++) {
		int fam = pn_ipam_range_cidr(pool, i)->addr.family;
		struct pn_ip ip;
		size_t range = 0;
		bool reused = false;

		if (fam_done[fam == PN_IP_FAMILY_V6])
			continue;
		fam_done[fam == PN_IP_FAMILY_V6] = true;
		for (size_t h = 0; h < held.n; h++)
			if (held.ip[h].family == fam) {
				ip = held.ip[h];
				range = held.range[h];
				reused = true;
				break;
			}
		if (!reused) {
			r = pn_ipam_alloc(pool, fam, owner, &ip, &range);
			if (r == -ENOSPC) {
				pn_dec_problem(&d, ep, "IPPool \"%s\" has no free IPv%d address left",
					       pname, fam);
				break;
			}
			if (r < 0) {
				d.err = r;
				break;
			}
			if (n_taken < PN_MAX_IPS + 2)
				taken[n_taken++] = ip;
		}
		if (add_address(&work, pool, &ip, range) < 0)
			d.err = -ENOMEM;
	}

	if (d.err || d.n) {
		for (size_t i = 0; i < n_taken; i++)
			pn_ipam_release(pool, &taken[i], owner);
		goto clear_work;
	}
	/* Owner now holds exactly work.ips: release what it held before and
	 * no longer uses. */
	for (size_t h = 0; h < held.n; h++) {
		char buf[PN_IP_STRLEN];
		size_t n;
		bool kept = false;

		if (pn_ip_format(&held.ip[h], buf, sizeof(buf)) < 0)
			continue;
		n = strlen(buf);
		for (size_t i = 0; i < work.n_ips && !kept; i++)
			kept = !strncmp(work.ips[i], buf, n) && work.ips[i][n] == '/';
		if (!kept)
			pn_ipam_release(pool, &held.ip[h], owner);
	}
	/* Hand the result over, with the pool's routes. */
	for (size_t i = 0; spec && i < spec->spec.n_routes && !d.err; i++)
		if (pn_plan_attachment_add_route(&work, spec->spec.routes[i].dst,
						 spec->spec.routes[i].gw) < 0)
			d.err = -ENOMEM;
	if (d.err)
		goto clear_work;
	pn_strv_free(a->ips, a->n_ips);
	pn_strv_free(a->gateways, a->n_gateways);
	for (size_t i = 0; i < a->n_routes; i++) {
		free(a->routes[i].dst);
		free(a->routes[i].gw);
	}
	free(a->routes);
	a->ips = work.ips;
	a->n_ips = work.n_ips;
	a->gateways = work.gateways;
	a->n_gateways = work.n_gateways;
	a->routes = work.routes;
	a->n_routes = work.n_routes;
	return 0;
clear_work:
	pn_strv_free(work.ips, work.n_ips);
	pn_strv_free(work.gateways, work.n_gateways);
	for (size_t i = 0; i < work.n_routes; i++) {
		free(work.routes[i].dst);
		free(work.routes[i].gw);
	}
	free(work.routes);
	return pn_dec_result(&d);
}
