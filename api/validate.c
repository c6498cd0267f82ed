/* validate.c — the rules of API.md on one object at a time. Every problem
 * carries the field path it concerns. */
#include "model_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_SUBDOMAIN                                                                      \
	"must be a DNS-1123 subdomain: at most 253 characters of lower-case letters, "     \
	"digits, '-' and '.', starting and ending with a letter or digit"
#define MSG_LABEL                                                                          \
	"must be a DNS-1123 label: at most 63 characters of lower-case letters, digits "   \
	"and '-', starting and ending with a letter or digit"
#define MSG_PROVIDER                                                                       \
	"must be a domain-prefixed path of 1-253 characters, like acme.io/foo"

/* ---- metadata -------------------------------------------------------------- */

void pn_meta_validate(struct pn_dec *d, const struct pn_meta *m, bool namespaced)
{
	if (!m->name)
		pn_dec_problem(d, "metadata.name", "is required");
	else if (!pn_is_dns1123_subdomain(m->name))
		pn_dec_problem(d, "metadata.name", MSG_SUBDOMAIN);
	if (namespaced) {
		if (m->namespace && !pn_is_dns1123_label(m->namespace))
			pn_dec_problem(d, "metadata.namespace", MSG_LABEL);
	} else if (m->namespace && *m->namespace) {
		pn_dec_problem(d, "metadata.namespace",
			       "must not be set: %s is cluster-scoped", m->kind ? m->kind : "the kind");
	}
}

/* ---- parametersRefs -------------------------------------------------------- */

bool pn_is_kind_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PN_MAX_LABEL || !((s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

enum ref_class { REF_OTHER, REF_CONFIG, REF_POOL };

void pn_refs_validate(struct pn_dec *d, const struct pn_param_ref *refs, size_t n,
		      const char *prefix)
{
	char base[PN_PATH_MAX], path[PN_PATH_MAX], ip[PN_PATH_MAX];
	long config_at = -1, pool_at = -1;

	pn_pkey(base, prefix, "parametersRefs");
	for (size_t i = 0; i < n; i++) {
		const struct pn_param_ref *r = &refs[i];
		enum ref_class cls = REF_OTHER;
		bool ours = r->group && !strcmp(r->group, PN_GROUP);
		bool nad = r->group && !strcmp(r->group, PN_NAD_GROUP);

		pn_pidx(ip, base, i);
		pn_pkey(path, ip, "group");
		if (!r->group || !*r->group)
			pn_dec_problem(d, path, "is required");
		else if (!pn_is_dns1123_subdomain(r->group))
			pn_dec_problem(d, path, MSG_SUBDOMAIN);

		pn_pkey(path, ip, "kind");
		if (!r->kind || !*r->kind) {
			pn_dec_problem(d, path, "is required");
		} else if (ours) {
			if (!strcmp(r->kind, "CNIConfig"))
				cls = REF_CONFIG;
			else if (!strcmp(r->kind, "IPPool"))
				cls = REF_POOL;
			else
				pn_dec_problem(d, path,
					       "must be CNIConfig or IPPool for group %s, not \"%s\"",
					       PN_GROUP, r->kind);
		} else if (nad) {
			if (!strcmp(r->kind, PN_NAD_KIND))
				cls = REF_CONFIG;
			else
				pn_dec_problem(d, path, "must be %s for group %s, not \"%s\"",
					       PN_NAD_KIND, PN_NAD_GROUP, r->kind);
		} else if (!pn_is_kind_name(r->kind)) {
			pn_dec_problem(d, path,
				       "must be a kind name: an upper-case letter followed by "
				       "letters and digits, at most 63");
		}

		pn_pkey(path, ip, "name");
		if (!r->name || !*r->name)
			pn_dec_problem(d, path, "is required");
		else if (!pn_is_dns1123_subdomain(r->name))
			pn_dec_problem(d, path, MSG_SUBDOMAIN);

		pn_pkey(path, ip, "namespace");
		if (ours && r->namespace && *r->namespace)
			pn_dec_problem(d, path, "must not be set: %s is cluster-scoped",
				       r->kind ? r->kind : "the kind");
		else if (nad && (!r->namespace || !*r->namespace))
			pn_dec_problem(d, path, "is required for a %s", PN_NAD_KIND);
		else if (r->namespace && *r->namespace && !pn_is_dns1123_label(r->namespace))
			pn_dec_problem(d, path, MSG_LABEL);

		/* One configuration and one pool per network. */
		if (cls == REF_CONFIG) {
			if (config_at >= 0)
				pn_dec_problem(d, ip,
					       "only one CNIConfig or %s may be referenced "
					       "(%s[%ld] is one already)",
					       PN_NAD_KIND, base, config_at);
			else
				config_at = (long)i;
		} else if (cls == REF_POOL) {
			if (pool_at >= 0)
				pn_dec_problem(d, ip,
					       "only one IPPool may be referenced: an attachment "
					       "takes one address per family from one pool "
					       "(%s[%ld] is one already)",
					       base, pool_at);
			else
				pool_at = (long)i;
		}
		for (size_t k = 0; k < i; k++)
			if (cls == REF_OTHER && pn_streq(refs[k].group, r->group) &&
			    pn_streq(refs[k].kind, r->kind) && pn_streq(refs[k].name, r->name) &&
			    pn_streq(refs[k].namespace, r->namespace)) {
				pn_dec_problem(d, ip, "duplicates %s[%zu]", base, k);
				break;
			}
	}
}

/* ---- PodNetwork ------------------------------------------------------------ */

int pn_podnetwork_validate(const struct pn_podnetwork *pn, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	bool is_default = pn->meta.name && !strcmp(pn->meta.name, PN_DEFAULT_NETWORK);

	pn_meta_validate(&d, &pn->meta, false);
	if (!pn->spec.provider || !*pn->spec.provider) {
		if (!is_default)
			pn_dec_problem(&d, "spec.provider",
				       "is required (only the default PodNetwork has none)");
	} else if (strlen(pn->spec.provider) > PN_MAX_PROVIDER ||
		   !pn_is_provider_name(pn->spec.provider)) {
		pn_dec_problem(&d, "spec.provider", MSG_PROVIDER);
	}
	if (is_default && pn->spec.enabled_set && !pn->spec.enabled)
		pn_dec_problem(&d, "spec.enabled", "cannot be false: the default PodNetwork cannot be disabled");
	pn_refs_validate(&d, pn->spec.refs, pn->spec.n_refs, "spec");
	if (is_default && !pn_label_selector_empty(pn->spec.namespace_selector))
		pn_dec_problem(&d, "spec.namespaceSelector",
			       "cannot be set on the default PodNetwork: every Pod that asks "
			       "for nothing is attached to it");
	pn_label_selector_check(&d, pn->spec.namespace_selector, "spec.namespaceSelector");
	return pn_dec_result(&d);
}

/* ---- PodNetworkAttachment -------------------------------------------------- */

int pn_attachment_validate(const struct pn_attachment *a, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };

	pn_meta_validate(&d, &a->meta, true);
	if (!a->spec.pod_network_name || !*a->spec.pod_network_name)
		pn_dec_problem(&d, "spec.podNetworkName", "is required");
	else if (!pn_is_dns1123_subdomain(a->spec.pod_network_name))
		pn_dec_problem(&d, "spec.podNetworkName", MSG_SUBDOMAIN);
	pn_refs_validate(&d, a->spec.refs, a->spec.n_refs, "spec");
	return pn_dec_result(&d);
}

/* ---- CNIConfig ------------------------------------------------------------- */

bool pn_cni_version_known(const char *v)
{
	static const char *const known[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

	for (const char *const *k = known; v && *k; k++)
		if (!strcmp(v, *k))
			return true;
	return false;
}

/* A plugin type is the name of an executable in the CNI bin dir. */
bool pn_is_plugin_type(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PN_MAX_PLUGIN_TYPE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' || c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int pn_cniconfig_validate(const struct pn_cniconfig *c, struct pn_problems *ps)
{
	char path[PN_PATH_MAX], tpath[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	size_t i;
	json_t *p;

	pn_meta_validate(&d, &c->meta, false);
	if (c->spec.cni_version && !pn_cni_version_known(c->spec.cni_version))
		pn_dec_problem(&d, "spec.cniVersion",
			       "must be a known CNI version (0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0), "
			       "not \"%s\"", c->spec.cni_version);
	if (!c->spec.plugins)
		return pn_dec_result(&d); /* "is required" came from the decoder */
	if (json_array_size(c->spec.plugins) < PN_MIN_PLUGINS)
		pn_dec_problem(&d, "spec.plugins", "must have at least one plugin");
	json_array_foreach(c->spec.plugins, i, p) {
		json_t *t;

		pn_pidx(path, "spec.plugins", i);
		pn_pkey(tpath, path, "type");
		if (!json_is_object(p)) {
			pn_dec_problem(&d, path, "must be an object, not %s", pn_json_type_name(p));
			continue;
		}
		t = json_object_get(p, "type");
		if (!t)
			pn_dec_problem(&d, tpath, "is required");
		else if (!json_is_string(t))
			pn_dec_problem(&d, tpath, "must be a string, not %s", pn_json_type_name(t));
		else if (strlen(json_string_value(t)) != json_string_length(t) ||
			 !pn_is_plugin_type(json_string_value(t)))
			pn_dec_problem(&d, tpath,
				       "must be a CNI plugin name (1-255 bytes, no '/', no white "
				       "space, not '.' or '..')");
	}
	return pn_dec_result(&d);
}

/* ---- IPPool ---------------------------------------------------------------- */

/* Checks an address field of a range: valid, same family, inside the CIDR. */
static bool range_addr(struct pn_dec *d, const char *prefix, const char *key, const char *v,
		       int fam, const unsigned char *net, int plen, unsigned char *out)
{
	char path[PN_PATH_MAX];
	int f;

	if (!v)
		return false;
	pn_pkey(path, prefix, key);
	f = pn_addr_parse(v, out);
	if (!f) {
		pn_dec_problem(d, path, "must be an IP address, not \"%s\"", v);
		return false;
	}
	if (!fam)
		return false;
	if (f != fam) {
		pn_dec_problem(d, path, "must be an IPv%d address like the cidr", fam);
		return false;
	}
	if (!pn_addr_in_prefix(out, net, plen)) {
		pn_dec_problem(d, path, "must be inside the cidr");
		return false;
	}
	return true;
}

static bool host_bits_zero(const unsigned char *a, int fam, int plen)
{
	int bytes = fam == 4 ? 4 : 16;

	for (int bit = plen; bit < bytes * 8; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

int pn_ippool_validate(const struct pn_ippool *p, struct pn_problems *ps)
{
	char rp[PN_PATH_MAX], path[PN_PATH_MAX], xp[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	unsigned char (*nets)[16] = NULL;
	int *plens = NULL, *fams = NULL;

	pn_meta_validate(&d, &p->meta, false);
	if (p->spec.ranges && p->spec.n_ranges < PN_MIN_RANGES)
		pn_dec_problem(&d, "spec.ranges", "must have at least one range");
	nets = calloc(p->spec.n_ranges + 1, sizeof(*nets));
	plens = calloc(p->spec.n_ranges + 1, sizeof(*plens));
	fams = calloc(p->spec.n_ranges + 1, sizeof(*fams));
	if (!nets || !plens || !fams) {
		d.err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p->spec.n_ranges; i++) {
		const struct pn_ippool_range *r = &p->spec.ranges[i];
		unsigned char s[16], e[16], g[16], x[16];
		bool have_s, have_e;
		int fam = 0, plen = 0, xl;

		pn_pidx(rp, "spec.ranges", i);
		pn_pkey(path, rp, "cidr");
		if (r->cidr) {
			fam = pn_addr_cidr_parse(r->cidr, nets[i], &plen);
			if (!fam)
				pn_dec_problem(&d, path, "must be a CIDR like 10.0.0.0/24 or fd00::/64, not \"%s\"", r->cidr);
			else if (!host_bits_zero(nets[i], fam, plen))
				pn_dec_problem(&d, path, "must be a network address (host bits zero)");
			else if (plen < (fam == 4 ? PN_MIN_POOL_PREFIX4 : PN_MIN_POOL_PREFIX6))
				pn_dec_problem(&d, path,
					       "is \"%s\": a pool's prefix must be at least /%d for "
					       "IPv%d: a Pod interface on /%d would hold a connected route "
					       "to %s",
					       r->cidr, fam == 4 ? PN_MIN_POOL_PREFIX4 : PN_MIN_POOL_PREFIX6,
					       fam, plen, plen == 0 ? "every address (a second default "
								      "route)" : "a large part of the "
								      "address space");
		}
		plens[i] = plen;
		fams[i] = fam;
		have_s = range_addr(&d, rp, "start", r->start, fam, nets[i], plen, s);
		have_e = range_addr(&d, rp, "end", r->end, fam, nets[i], plen, e);
		if (have_s && have_e && pn_addr_cmp(s, e, fam) > 0) {
			pn_pkey(path, rp, "end");
			pn_dec_problem(&d, path, "must not be before start");
		}
		range_addr(&d, rp, "gateway", r->gateway, fam, nets[i], plen, g);
		pn_pkey(path, rp, "exclude");
		for (size_t k = 0; k < r->n_exclude; k++) {
			int xf;

			pn_pidx(xp, path, k);
			xf = pn_addr_cidr_parse(r->exclude[k], x, &xl);
			if (!xf)
				pn_dec_problem(&d, xp, "must be a CIDR like 10.0.0.5/32, not \"%s\"",
					       r->exclude[k]);
			else if (!host_bits_zero(x, xf, xl))
				pn_dec_problem(&d, xp, "must be a network address (host bits zero)");
			else if (fam && xf != fam)
				pn_dec_problem(&d, xp, "must be an IPv%d CIDR like the range", fam);
			else if (fam && (xl < plen || !pn_addr_in_prefix(x, nets[i], plen)))
				pn_dec_problem(&d, xp, "must be inside the range's cidr");
		}
		/* Ranges of one family must not overlap: they share one address space. */
		for (size_t k = 0; fam && k < i; k++) {
			int m = plens[k] < plen ? plens[k] : plen;

			if (fams[k] == fam && pn_addr_in_prefix(nets[i], nets[k], m)) {
				pn_pkey(path, rp, "cidr");
				pn_dec_problem(&d, path, "overlaps spec.ranges[%zu].cidr", k);
				break;
			}
		}
	}
	for (size_t i = 0; i < p->spec.n_routes; i++) {
		const struct pn_route *rt = &p->spec.routes[i];
		unsigned char a[16];
		int fam = 0, plen;

		pn_pidx(rp, "spec.routes", i);
		pn_pkey(path, rp, "dst");
		if (rt->dst) {
			fam = pn_addr_cidr_parse(rt->dst, a, &plen);
			if (!fam)
				pn_dec_problem(&d, path, "must be a CIDR like 10.20.0.0/16, not \"%s\"", rt->dst);
			else if (!host_bits_zero(a, fam, plen))
				pn_dec_problem(&d, path, "must be a network address (host bits zero)");
		}
		pn_pkey(path, rp, "gw");
		if (rt->gw) {
			int gf = pn_addr_parse(rt->gw, a);

			if (!gf)
				pn_dec_problem(&d, path, "must be an IP address, not \"%s\"", rt->gw);
			else if (fam && gf != fam)
				pn_dec_problem(&d, path, "must be an IPv%d address like dst", fam);
		}
	}
out:
	free(nets);
	free(plens);
	free(fams);
	return pn_dec_result(&d);
}

/* ---- network requests ------------------------------------------------------ */

/* The agent attaches `default` on the runtime's own interface, eth0, always
 * (the runtime reads the Pod IP there): with `default` in the list, it may
 * only be named eth0 and no other entry may take eth0. Adds the problem at
 * path and returns true when ifname breaks that rule; is_default says
 * whether the entry is default's, default_at where default is listed. */
bool pn_default_ifname_problem(struct pn_dec *d, const char *path, const char *ifname,
			       bool is_default, const char *prefix, long default_at)
{
	if (is_default && strcmp(ifname, PN_DEFAULT_IFNAME) != 0) {
		pn_dec_problem(d, path,
			       "\"%s\" cannot be default's interface: the default network is "
			       "always attached on %s, the runtime's interface (leave "
			       "interfaceName out or write %s)",
			       ifname, PN_DEFAULT_IFNAME, PN_DEFAULT_IFNAME);
		return true;
	}
	if (!is_default && !strcmp(ifname, PN_DEFAULT_IFNAME)) {
		pn_dec_problem(d, path,
			       "\"%s\" is the runtime's interface, reserved for default "
			       "(%s[%ld])", ifname, prefix, default_at);
		return true;
	}
	return false;
}

int pn_netreqs_validate(const struct pn_netreqs *reqs, bool host_network, const char *prefix,
			struct pn_problems *ps)
{
	char ep[PN_PATH_MAX], path[PN_PATH_MAX], ipp[PN_PATH_MAX];
	struct pn_dec d = { .ps = ps };
	long gw4_at = -1, gw6_at = -1, default_at = -1;

	if (host_network && reqs->n > 0) {
		pn_dec_problem(&d, prefix, "must be empty on a hostNetwork Pod: it has no network "
					   "namespace of its own to attach to");
		return pn_dec_result(&d);
	}
	for (size_t i = 0; i < reqs->n; i++)
		if (reqs->v[i].network && !strcmp(reqs->v[i].network, PN_DEFAULT_NETWORK)) {
			default_at = (long)i;
			break;
		}
	for (size_t i = 0; i < reqs->n; i++) {
		const struct pn_netreq *r = &reqs->v[i];
		int fam_seen[2] = { -1, -1 };

		pn_pidx(ep, prefix, i);
		if (!r->network && !r->attachment) {
			pn_dec_problem(&d, ep, "exactly one of podNetworkName and "
					       "podNetworkAttachmentName is required");
		} else if (r->network && r->attachment) {
			pn_pkey(path, ep, "podNetworkAttachmentName");
			pn_dec_problem(&d, path, "must not be given together with podNetworkName "
						 "(exactly one of them)");
		}
		if (r->network) {
			pn_pkey(path, ep, "podNetworkName");
			if (!pn_is_dns1123_subdomain(r->network))
				pn_dec_problem(&d, path, MSG_SUBDOMAIN);
			for (size_t k = 0; k < i; k++)
				if (reqs->v[k].network && !strcmp(reqs->v[k].network, r->network)) {
					pn_dec_problem(&d, path,
						       "PodNetwork \"%s\" is already requested by "
						       "%s[%zu]: a PodNetwork at most once per Pod",
						       r->network, prefix, k);
					break;
				}
		}
		if (r->attachment) {
			pn_pkey(path, ep, "podNetworkAttachmentName");
			if (!pn_is_dns1123_subdomain(r->attachment))
				pn_dec_problem(&d, path, MSG_SUBDOMAIN);
		}
		if (r->interface) {
			pn_pkey(path, ep, "interfaceName");
			if (!pn_is_ifname(r->interface)) {
				pn_dec_problem(&d, path, PN_MSG_IFNAME);
			} else if (default_at >= 0 &&
				   pn_default_ifname_problem(&d, path, r->interface,
							     (long)i == default_at, prefix,
							     default_at)) {
				/* the agent could not honour it */
			} else {
				for (size_t k = 0; k < i; k++)
					if (reqs->v[k].interface &&
					    !strcmp(reqs->v[k].interface, r->interface)) {
						pn_dec_problem(&d, path,
							       "interface name \"%s\" is already "
							       "used by %s[%zu]",
							       r->interface, prefix, k);
						break;
					}
			}
		}
		if (r->gw4 == PN_FLAG_TRUE) {
			pn_pkey(path, ep, "isDefaultGW4");
			if (gw4_at >= 0)
				pn_dec_problem(&d, path,
					       "only one network may hold the IPv4 default route "
					       "(%s[%ld] already does)", prefix, gw4_at);
			else
				gw4_at = (long)i;
		}
		if (r->gw6 == PN_FLAG_TRUE) {
			pn_pkey(path, ep, "isDefaultGW6");
			if (gw6_at >= 0)
				pn_dec_problem(&d, path,
					       "only one network may hold the IPv6 default route "
					       "(%s[%ld] already does)", prefix, gw6_at);
			else
				gw6_at = (long)i;
		}
		pn_pkey(path, ep, "ips");
		for (size_t k = 0; k < r->n_ips; k++) {
			int fam;

			pn_pidx(ipp, path, k);
			fam = pn_ip_family(r->ips[k]);
			if (!fam) {
				pn_dec_problem(&d, ipp, "must be an IP address without prefix length, "
							"not \"%s\"", r->ips[k]);
				continue;
			}
			if (fam_seen[fam == 6] >= 0)
				pn_dec_problem(&d, ipp, "must be the only IPv%d address: one address "
							"per family per attachment (%s[%d] is one)",
					       fam, path, fam_seen[fam == 6]);
			else
				fam_seen[fam == 6] = (int)k;
		}
		if (r->mac) {
			pn_pkey(path, ep, "mac");
			if (!pn_is_unicast_mac(r->mac))
				pn_dec_problem(&d, path,
					       "must be a unicast MAC address like 02:00:00:00:00:01 "
					       "(six hex pairs, multicast bit clear, not all zero)");
		}
	}
	return pn_dec_result(&d);
}

/* ---- Pod ------------------------------------------------------------------- */

int pn_pod_validate(const struct pn_pod *pod, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	const char *prefix = pod->networks_source && !strcmp(pod->networks_source, "spec.networks")
				     ? "spec.networks"
				     : PN_NETWORKS_PATH;
	int r;

	if (pod->meta.name && !pn_is_dns1123_subdomain(pod->meta.name))
		pn_dec_problem(&d, "metadata.name", MSG_SUBDOMAIN);
	if (pod->meta.namespace && !pn_is_dns1123_label(pod->meta.namespace))
		pn_dec_problem(&d, "metadata.namespace", MSG_LABEL);
	r = pn_netreqs_validate(&pod->networks, pod->host_network, prefix, ps);
	if (r < 0)
		return r;
	return d.err ? d.err : d.n + r;
}
