/* plan.c — `podnetctl plan`: the plan the controller would write for each
 * Pod of the files, with the objects of the files as the only cluster. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pn/ipam.h"

/* Only objects without problems of their own are handed to the planner. */
static const void *find_valid(struct cli_set *set, enum pn_kind kind, const char *ns,
			      const char *name)
{
	const struct cli_object *o = cli_find(set, kind, ns, name);

	return o && !o->ps.n ? o->obj.u.any : NULL;
}

static const struct pn_podnetwork *r_network(void *ctx, const char *name)
{
	return find_valid(ctx, PN_KIND_PODNETWORK, NULL, name);
}

static const struct pn_attachment *r_attachment(void *ctx, const char *ns, const char *name)
{
	return find_valid(ctx, PN_KIND_PODNETWORKATTACHMENT, ns, name);
}

static const struct pn_cniconfig *r_cniconfig(void *ctx, const char *name)
{
	return find_valid(ctx, PN_KIND_CNICONFIG, NULL, name);
}

static const struct pn_ippool *r_ippool(void *ctx, const char *name)
{
	return find_valid(ctx, PN_KIND_IPPOOL, NULL, name);
}

static const json_t *r_ns_labels(void *ctx, const char *ns)
{
	return cli_namespace_labels(ctx, ns);
}

/* The controller marks a network (or attachment) whose parametersRefs name
 * a kind podnet does not resolve, and its provider declares on no node,
 * ParamsNotReady and holds its Pods (NetworkNotReady); the same problem
 * here, in the controller's words, from the same function: the reports are
 * the PodNetworkNode objects of the files and --provider-kinds. */
static int params_supported(struct cli_set *set, struct cli_plan *p)
{
	for (size_t k = 0; k < p->plan.n; k++) {
		const struct pn_plan_attachment *a = &p->plan.v[k];
		const struct pn_podnetwork *net = r_network(set, a->network);
		const struct pn_attachment *pna =
			a->attachment ? r_attachment(set, p->pod->obj.u.pod->meta.namespace ?
							       p->pod->obj.u.pod->meta.namespace : "default",
						     a->attachment)
				      : NULL;
		char path[256], msg[512];
		size_t from = p->pod->ps.n;
		int r = 0;

		if (a->request_index >= 0)
			snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%ld]", a->request_index);
		else
			snprintf(path, sizeof(path), "%s", PN_NETWORKS_PATH);
		for (size_t i = 0; net && i < net->spec.n_refs && !r && p->pod->ps.n == from; i++)
			if (!pn_param_ref_supported_by(&net->spec.refs[i], net->spec.provider, cli_reports(set), msg,
						       sizeof(msg)))
				r = cli_object_problem(p->pod, path, "PodNetwork \"%s\": %s (ParamsNotReady)",
						       a->network, msg);
		for (size_t i = 0; pna && i < pna->spec.n_refs && !r && p->pod->ps.n == from; i++)
			if (!pn_param_ref_supported_by(&pna->spec.refs[i], net ? net->spec.provider : NULL,
						       cli_reports(set), msg, sizeof(msg)))
				r = cli_object_problem(p->pod, path,
						       "PodNetworkAttachment \"%s\" is not Ready "
						       "(ParamsNotReady: %s)", a->attachment, msg);
		if (r < 0)
			return r;
	}
	return 0;
}

int cli_plan_all(struct cli_set *set, struct cli_plan **out, size_t *n_out)
{
	const struct pn_resolver res = {
		.ctx = set, .network = r_network, .attachment = r_attachment,
		.cniconfig = r_cniconfig, .ippool = r_ippool, .namespace_labels = r_ns_labels,
	};
	struct cli_plan *plans = NULL;
	struct cli_pools *pools = NULL;
	size_t n = 0;
	int r = 0;

	*out = NULL;
	*n_out = 0;
	for (size_t i = 0; i < set->n_objs; i++)
		n += set->objs[i].obj.kind == PN_KIND_POD && set->objs[i].obj.u.pod &&
		     !set->objs[i].workload;
	plans = calloc(n ? n : 1, sizeof(*plans));
	pools = cli_pools_new(set);
	if (!plans || !pools) {
		r = -ENOMEM;
		goto cleanup;
	}
	n = 0;
	/* 1. the plans, without addresses */
	for (size_t i = 0; i < set->n_objs; i++) {
		struct cli_object *o = &set->objs[i];
		struct cli_plan *p;
		size_t from;

		if (o->obj.kind != PN_KIND_POD || !o->obj.u.pod || o->workload)
			continue; /* workloads: their Pods are planned, not the template */
		p = &plans[n++];
		p->pod = o;
		if (o->ps.n)
			continue; /* its own problems are printed already */
		from = o->ps.n;
		r = pn_plan_build_pod(o->obj.u.pod, &res, &p->plan, &o->ps);
		if (r < 0)
			goto cleanup;
		if (o->ps.n > from) {
			cli_object_place(o, from);
			continue;
		}
		p->ok = true;
		r = params_supported(set, p);
		if (r < 0)
			goto cleanup;
		if (o->ps.n > from) {
			cli_object_place(o, from);
			p->ok = false;
		}
	}
	/* 2. fixed addresses first, in file order */
	for (size_t i = 0; i < n; i++) {
		struct cli_plan *p = &plans[i];

		for (size_t k = 0; p->ok && k < p->plan.n; k++) {
			struct pn_plan_attachment *a = &p->plan.v[k];
			char owner[PN_IPAM_OWNER_MAX], msg[512], path[256];

			if (!a->ippool)
				continue;
			cli_owner(owner, sizeof(owner), p->pod, a->network);
			for (size_t j = 0; j < a->n_requested_ips; j++) {
				int rv = cli_pools_reserve(pools, a->ippool, a->requested_ips[j], owner,
							   msg, sizeof(msg));

				if (rv == -ENOMEM) {
					r = rv;
					goto cleanup;
				}
				if (rv == 0)
					continue;
				if (rv == 1)
					snprintf(msg, sizeof(msg), "IPPool \"%s\" is invalid",
						 a->ippool);
				snprintf(path, sizeof(path), PN_NETWORKS_PATH "[%ld].ips[%zu]",
					 a->request_index, j);
				r = cli_object_problem(p->pod, path, "%s", msg);
				if (r < 0)
					goto cleanup;
				p->ok = false;
			}
		}
	}
	/* 3. one lowest-free address per family, in file order */
	for (size_t i = 0; i < n; i++) {
		struct cli_plan *p = &plans[i];

		for (size_t k = 0; p->ok && k < p->plan.n; k++) {
			struct pn_plan_attachment *a = &p->plan.v[k];
			char owner[PN_IPAM_OWNER_MAX];
			size_t from = p->pod->ps.n;
			int rv;

			cli_owner(owner, sizeof(owner), p->pod, a->network);
			rv = cli_pools_allocate(pools, a, owner, &p->pod->ps);
			if (rv < 0) {
				r = rv;
				goto cleanup;
			}
			if (rv > 0) {
				cli_object_place(p->pod, from);
				p->ok = false;
			}
		}
	}
	*out = plans;
	*n_out = n;
	plans = NULL;
	r = 0;
cleanup:
	cli_pools_free(pools);
	if (plans)
		cli_plans_free(plans, n);
	return r;
}

void cli_plans_free(struct cli_plan *plans, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pn_plan_clear(&plans[i].plan);
	free(plans);
}
