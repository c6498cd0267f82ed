/* convert.c — `podnetctl convert`: Multus NetworkAttachmentDefinitions
 * into CNIConfig + IPPool + PodNetwork objects, and the Multus annotation
 * k8s.v1.cni.cncf.io/networks of Pods and workloads into
 * podnet.dev/networks. What has no podnet place is reported, one line per
 * field: "KIND NS/NAME: PATH: message". */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pn/ipam.h"

#define MULTUS_NETWORKS  "k8s.v1.cni.cncf.io/networks"
#define MULTUS_DEFAULT   "v1.multus-cni.io/default-network"
#define MULTUS_RESOURCE  "k8s.v1.cni.cncf.io/resourceName"
#define NAD_API_VERSION  "k8s.cni.cncf.io/v1"
#define NAD_KIND         "NetworkAttachmentDefinition"
#define CNI_PROVIDER     "podnet.dev/cni"

/* A NAD of the input. */
struct conv_net {
	const json_t *root;       /* borrowed */
	const char *ns, *name;    /* borrowed from root */
	char *pn;                 /* the PodNetwork's name */
	bool usable;              /* has a config: objects are written */
	bool has_pool;            /* an IPPool was written */
	bool ips_cap;             /* a plugin declares the ips capability */
	json_t *ranges;           /* the IPPool's spec.ranges (owned), or NULL */
};

struct conv {
	FILE *err;
	int n_reports;
	struct conv_net *nets;
	size_t n_nets;
	json_t *out;              /* the objects written, in order */
	bool nomem;
};

static void report(struct conv *c, const char *kind, const char *ns, const char *name,
		   const char *path, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void report(struct conv *c, const char *kind, const char *ns, const char *name,
		   const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->err, "%s %s%s%s: %s: ", kind, ns ? ns : "", ns ? "/" : "",
		name && *name ? name : "-", path);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	c->n_reports++;
}

static const char *str_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *meta_str(const json_t *root, const char *key)
{
	return str_of(json_object_get(root, "metadata"), key);
}

static void add_out(struct conv *c, json_t *obj)
{
	if (!obj || json_array_append_new(c->out, obj) < 0)
		c->nomem = true;
}

/* ---- addresses ---------------------------------------------------------- */

/* Parses "ADDR/LEN" (host bits allowed): the address and its prefix with
 * the host bits cleared. Returns 0 or -EINVAL. */
static int parse_cidr(const char *s, struct pn_ip *ip, struct pn_prefix *p)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char buf[64], *end;
	size_t nbytes;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(buf) || !isdigit((unsigned char)slash[1]))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = 0;
	if (pn_ip_parse(buf, ip) < 0)
		return -EINVAL;
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 0 || len > (ip->family == PN_IP_FAMILY_V4 ? 32 : 128))
		return -EINVAL;
	p->addr = *ip;
	p->len = (uint8_t)len;
	nbytes = ip->family == PN_IP_FAMILY_V4 ? 4 : 16;
	for (size_t i = 0; i < nbytes; i++) {
		long bits = len - 8 * (long)i;

		p->addr.bytes[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
	return 0;
}

static json_t *ip_json(const struct pn_ip *ip)
{
	char buf[PN_IP_STRLEN];

	return pn_ip_format(ip, buf, sizeof(buf)) < 0 ? NULL : json_string(buf);
}

static json_t *prefix_json(const struct pn_prefix *p)
{
	char buf[PN_PREFIX_STRLEN];

	return pn_prefix_format(p, buf, sizeof(buf)) < 0 ? NULL : json_string(buf);
}

/* "10.1.1.5/24" or "10.1.1.5": the address alone, canonical, or NULL. */
static json_t *addr_only(const char *s)
{
	struct pn_ip ip;
	struct pn_prefix p;

	if (s && strchr(s, '/'))
		return parse_cidr(s, &ip, &p) < 0 ? NULL : ip_json(&ip);
	return s && pn_ip_parse(s, &ip) == 0 ? ip_json(&ip) : NULL;
}

/* ---- one NAD's ipam into IPPool ranges ------------------------------------ */

struct ipam_ctx {
	struct conv *c;
	const struct conv_net *net;
	const char *base;         /* path of the ipam block */
	json_t *ranges, *routes;  /* the IPPool's spec, being built */
	bool bad;                 /* a value could not be read: keep the ipam */
};

static void ipam_report(struct ipam_ctx *x, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ipam_report(struct ipam_ctx *x, const char *field, const char *fmt, ...)
{
	char path[256], *msg = NULL;
	va_list ap;
	int r;

	snprintf(path, sizeof(path), "%s%s%s", x->base, *field && *field != '[' ? "." : "", field);
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		x->c->nomem = true;
		return;
	}
	report(x->c, NAD_KIND, x->net->ns, x->net->name, path, "%s", msg);
	free(msg);
}

static bool family_taken(const json_t *ranges, int family)
{
	size_t i;
	json_t *r;

	json_array_foreach (ranges, i, r) {
		struct pn_ip ip;
		struct pn_prefix p;

		if (parse_cidr(str_of(r, "cidr"), &ip, &p) == 0 && ip.family == family)
			return true;
	}
	return false;
}

/* Adds one range: cidr (host bits allowed; with no start, an address with
 * host bits is the first one handed out, as Whereabouts reads it), and
 * the optional start, end, gateway, exclude. field names the source. */
static void add_range(struct ipam_ctx *x, const char *field, const char *cidr, const char *start,
		      const char *end, const char *gateway, const json_t *exclude)
{
	struct pn_ip ip;
	struct pn_prefix p;
	json_t *r = json_object();

	if (!r) {
		x->c->nomem = true;
		return;
	}
	if (parse_cidr(cidr, &ip, &p) < 0) {
		ipam_report(x, field, "\"%s\" is not an address range (ADDRESS/LENGTH)",
			    cidr ? cidr : "");
		x->bad = true;
		json_decref(r);
		return;
	}
	json_object_set_new(r, "cidr", prefix_json(&p));
	if (!start && pn_ip_cmp(&ip, &p.addr) != 0)
		json_object_set_new(r, "start", ip_json(&ip));
	const char *const keys[] = { "start", "end", "gateway" };
	const char *const vals[] = { start, end, gateway };
	for (size_t i = 0; i < 3; i++) {
		json_t *a;

		if (!vals[i])
			continue;
		a = addr_only(vals[i]);
		if (!a) {
			ipam_report(x, field, "%s \"%s\" is not an address", keys[i], vals[i]);
			x->bad = true;
			continue;
		}
		json_object_set_new(r, keys[i], a);
	}
	if (json_array_size(exclude)) {
		json_t *ex = json_array(), *e;
		size_t i;

		json_array_foreach (exclude, i, e) {
			struct pn_ip eip;
			struct pn_prefix ep;

			if (parse_cidr(json_string_value(e), &eip, &ep) < 0) {
				ipam_report(x, "exclude", "entry %zu is not an address range", i);
				x->bad = true;
				continue;
			}
			json_array_append_new(ex, prefix_json(&ep));
		}
		json_object_set_new(r, "exclude", ex);
	}
	if (json_array_append_new(x->ranges, r) < 0)
		x->c->nomem = true;
}

static void add_routes(struct ipam_ctx *x, const json_t *routes)
{
	size_t i;
	json_t *rt;

	json_array_foreach (routes, i, rt) {
		char field[64];
		struct pn_ip ip;
		struct pn_prefix p;
		const char *gw = str_of(rt, "gw");
		json_t *o;

		snprintf(field, sizeof(field), "routes[%zu]", i);
		if (parse_cidr(str_of(rt, "dst"), &ip, &p) < 0) {
			ipam_report(x, field, "dst is not an address range");
			x->bad = true;
			continue;
		}
		if (p.len == 0) {
			ipam_report(x, field, "a default route has no place in an IPPool: podnet "
					      "puts it on the interface whose request has isDefaultGW4/"
					      "isDefaultGW6 (Multus' default-route); dropped");
			continue;
		}
		o = json_pack("{s:o}", "dst", prefix_json(&p));
		if (o && gw) {
			json_t *g = addr_only(gw);

			if (!g) {
				ipam_report(x, field, "gw \"%s\" is not an address", gw);
				x->bad = true;
			} else {
				json_object_set_new(o, "gw", g);
			}
		}
		if (!o || json_array_append_new(x->routes, o) < 0)
			x->c->nomem = true;
	}
}

static bool in_list(const char *k, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(k, list[i]))
			return true;
	return false;
}

/* Keys of ipam other than known and quiet are reported as dropped. */
static void extra_keys(struct ipam_ctx *x, const json_t *ipam, const char *const *known,
		       const char *const *quiet)
{
	const char *k;
	json_t *v;

	json_object_foreach ((json_t *)ipam, k, v)
		if (!in_list(k, known) && !(quiet && in_list(k, quiet)))
			ipam_report(x, k, "has no podnet equivalent; dropped");
}

static void whereabouts(struct ipam_ctx *x, const json_t *ipam)
{
	static const char *const known[] = { "type", "range", "range_start", "range_end",
					     "gateway", "exclude", "routes", "ipRanges", NULL };
	/* Whereabouts' own operation: meaningless once it is gone */
	static const char *const quiet[] = { "log_file", "log_level", "kubernetes", "datastore",
					     "etcd_host", "etcd_username", "etcd_password",
					     "etcd_key_file", "etcd_cert_file", "etcd_ca_cert_file",
					     "configuration_path", "leader_leaseDuration",
					     "leader_renewDeadline", "leader_retryPeriod",
					     "reconciler_cron_expression", "sleep_for_race", NULL };
	const json_t *ipr = json_object_get(ipam, "ipRanges"), *r;
	size_t i;

	extra_keys(x, ipam, known, quiet);
	if (json_object_get(ipam, "range")) {
		const char *range = str_of(ipam, "range");
		const char *dash = range ? strchr(range, '-') : NULL;
		char *start = NULL, *cidr = NULL;

		if (dash) {
			/* "10.0.0.10-10.0.0.99/24": start, then end with the length */
			start = strndup(range, dash - range);
			cidr = strdup(dash + 1);
		}
		if (dash && (!start || !cidr)) {
			x->c->nomem = true;
		} else if (dash) {
			char *slash = strchr(cidr, '/');
			char *end = slash ? strndup(cidr, slash - cidr) : NULL;
			const char *rs = str_of(ipam, "range_start");

			add_range(x, "range", cidr, rs ? rs : start, str_of(ipam, "range_end") ?
					str_of(ipam, "range_end") : end, str_of(ipam, "gateway"),
				  json_object_get(ipam, "exclude"));
			free(end);
		} else {
			add_range(x, "range", range, str_of(ipam, "range_start"),
				  str_of(ipam, "range_end"), str_of(ipam, "gateway"),
				  json_object_get(ipam, "exclude"));
		}
		free(start);
		free(cidr);
	}
	json_array_foreach (ipr, i, r) {
		char field[64];

		snprintf(field, sizeof(field), "ipRanges[%zu].range", i);
		add_range(x, field, str_of(r, "range"), str_of(r, "range_start"),
			  str_of(r, "range_end"), str_of(r, "gateway"), json_object_get(r, "exclude"));
	}
	if (!json_array_size(x->ranges) && !x->bad) {
		ipam_report(x, "range", "absent: no addresses to put in an IPPool");
		x->bad = true;
	}
	add_routes(x, json_object_get(ipam, "routes"));
}

static void static_ipam(struct ipam_ctx *x, const json_t *ipam)
{
	static const char *const known[] = { "type", "addresses", "routes", NULL };
	const json_t *addrs = json_object_get(ipam, "addresses"), *a;
	size_t i;

	extra_keys(x, ipam, known, NULL);
	if (!json_array_size(addrs)) {
		ipam_report(x, "addresses", "absent: the addresses come from each Pod's ips "
					    "(Multus' ips capability); an IPPool with their range must "
					    "be written by hand; the ipam is kept in the CNI config");
		x->bad = true;
		return;
	}
	json_array_foreach (addrs, i, a) {
		char field[64];
		struct pn_ip ip;
		struct pn_prefix p;
		const char *addr = str_of(a, "address");

		snprintf(field, sizeof(field), "addresses[%zu]", i);
		if (parse_cidr(addr, &ip, &p) < 0) {
			ipam_report(x, field, "address is not ADDRESS/LENGTH");
			x->bad = true;
			continue;
		}
		if (family_taken(x->ranges, ip.family)) {
			ipam_report(x, field, "a second address of one family: podnet gives an "
					      "attachment one address per family; dropped");
			continue;
		}
		/* the one address, handed to one Pod at a time */
		add_range(x, field, addr, addr, addr, str_of(a, "gateway"), NULL);
	}
	add_routes(x, json_object_get(ipam, "routes"));
}

static void host_local(struct ipam_ctx *x, const json_t *ipam)
{
	static const char *const known[] = { "type", "ranges", "subnet", "rangeStart",
					     "rangeEnd", "gateway", "routes", NULL };
	const json_t *sets = json_object_get(ipam, "ranges"), *set;
	size_t i;

	extra_keys(x, ipam, known, NULL);
	if (str_of(ipam, "subnet"))
		add_range(x, "subnet", str_of(ipam, "subnet"), str_of(ipam, "rangeStart"),
			  str_of(ipam, "rangeEnd"), str_of(ipam, "gateway"), NULL);
	json_array_foreach (sets, i, set) {
		size_t j;
		json_t *r;
		int family = 0;
		json_t *before = json_deep_copy(x->ranges);

		json_array_foreach (set, j, r) {
			char field[64];
			struct pn_ip ip;
			struct pn_prefix p;

			snprintf(field, sizeof(field), "ranges[%zu][%zu]", i, j);
			if (parse_cidr(str_of(r, "subnet"), &ip, &p) == 0) {
				if (!family && family_taken(before, ip.family)) {
					ipam_report(x, field, "a second range set of one family: "
							      "podnet gives an attachment one "
							      "address per family; dropped");
					break;
				}
				family = ip.family;
			}
			add_range(x, field, str_of(r, "subnet"), str_of(r, "rangeStart"),
				  str_of(r, "rangeEnd"), str_of(r, "gateway"), NULL);
		}
		json_decref(before);
	}
	if (!json_array_size(x->ranges) && !x->bad) {
		ipam_report(x, "ranges", "absent: no addresses to put in an IPPool");
		x->bad = true;
	}
	add_routes(x, json_object_get(ipam, "routes"));
}

/* ---- NADs ------------------------------------------------------------------ */

static const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

static json_t *meta_name(const char *name)
{
	return json_pack("{s:s}", "name", name);
}

/* Writes the objects of one NAD: CNIConfig, IPPool, PodNetwork. */
static void convert_nad(struct conv *c, struct conv_net *net)
{
	const json_t *spec = json_object_get(net->root, "spec");
	const char *text = str_of(spec, "config");
	const char *ver;
	struct pn_problems ps = { 0 };
	json_t *cfg = NULL, *plugins = NULL, *first, *ipam, *cnic, *refs, *pnet;
	struct ipam_ctx x = { .c = c, .net = net, .base = "spec.config.ipam" };
	char *pool = NULL;
	const char *k;
	json_t *v;

	if (json_object_get(json_object_get(json_object_get(net->root, "metadata"),
					    "annotations"), MULTUS_RESOURCE))
		report(c, NAD_KIND, net->ns, net->name,
		       "metadata.annotations[\"" MULTUS_RESOURCE "\"]",
		       "device-plugin resource injection has no podnet equivalent; dropped "
		       "(request the resource in the Pods' containers)");
	if (!text || !*text) {
		report(c, NAD_KIND, net->ns, net->name, "spec.config",
		       "absent: Multus reads the CNI config from a file named after the NAD on "
		       "each node; podnet needs the config in an object; not converted");
		return;
	}
	if (pn_json_load(text, strlen(text), NULL, &cfg, &ps) < 0 || !json_is_object(cfg)) {
		report(c, NAD_KIND, net->ns, net->name, "spec.config", "not a JSON object: %s; "
		       "not converted", ps.n ? ps.v[0].message : "a list or a scalar");
		pn_problems_clear(&ps);
		json_decref(cfg);
		return;
	}
	if (json_is_array(json_object_get(cfg, "plugins"))) {
		plugins = json_deep_copy(json_object_get(cfg, "plugins"));
		x.base = "spec.config.plugins[0].ipam";
		json_object_foreach (cfg, k, v)
			if (strcmp(k, "cniVersion") && strcmp(k, "name") && strcmp(k, "plugins")) {
				char path[300];

				snprintf(path, sizeof(path), "spec.config.%s", k);
				report(c, NAD_KIND, net->ns, net->name, path, "has no podnet "
				       "equivalent; dropped");
			}
	} else {
		json_t *one = json_deep_copy(cfg);

		json_object_del(one, "cniVersion");
		json_object_del(one, "name");
		plugins = json_pack("[o]", one);
	}
	first = json_array_get(plugins, 0);
	if (!json_is_object(first) || !str_of(first, "type")) {
		report(c, NAD_KIND, net->ns, net->name, "spec.config",
		       "no plugin with a type; not converted");
		goto cleanup;
	}
	for (size_t i = 1; i < json_array_size(plugins); i++)
		if (json_object_get(json_array_get(plugins, i), "ipam"))
		{
			char path[64];

			snprintf(path, sizeof(path), "spec.config.plugins[%zu].ipam", i);
			report(c, NAD_KIND, net->ns, net->name, path, "podnet allocates for the "
			       "first plugin only; kept in the CNI config");
		}
	net->usable = true;
	for (size_t i = 0; i < json_array_size(plugins); i++)
		net->ips_cap |= json_is_true(json_object_get(
			json_object_get(json_array_get(plugins, i), "capabilities"), "ips"));
	ipam = json_object_get(first, "ipam");
	if (json_is_object(ipam)) {
		const char *type = str_of(ipam, "type");

		x.ranges = json_array();
		x.routes = json_array();
		if (type && !strcmp(type, "whereabouts"))
			whereabouts(&x, ipam);
		else if (type && !strcmp(type, "static"))
			static_ipam(&x, ipam);
		else if (type && !strcmp(type, "host-local"))
			host_local(&x, ipam);
		else {
			ipam_report(&x, "type", "\"%s\" has no podnet equivalent; kept in the CNI "
				    "config", type ? type : "");
			x.bad = true;
		}
		if (!x.bad) {
			net->has_pool = true;
			json_object_del(first, "ipam");
		}
	}
	ver = str_of(cfg, "cniVersion");
	cnic = json_pack("{s:s, s:s, s:o, s:{}}", "apiVersion", PN_API_VERSION, "kind",
			 "CNIConfig", "metadata", meta_name(net->pn), "spec");
	if (!cnic) {
		c->nomem = true;
		goto cleanup;
	}
	if (ver && in_list(ver, cni_versions))
		json_object_set_new(json_object_get(cnic, "spec"), "cniVersion", json_string(ver));
	else if (ver)
		report(c, NAD_KIND, net->ns, net->name, "spec.config.cniVersion",
		       "\"%s\" is not one podnet hands to plugins (0.3.0 to 1.1.0); 1.0.0 used",
		       ver);
	json_object_set(json_object_get(cnic, "spec"), "plugins", plugins);
	add_out(c, cnic);
	refs = json_pack("[{s:s, s:s, s:s}]", "group", PN_GROUP, "kind", "CNIConfig", "name",
			 net->pn);
	if (net->has_pool) {
		json_t *pspec = json_pack("{s:O}", "ranges", x.ranges);

		if (!pspec || asprintf(&pool, "%s-pool", net->pn) < 0) {
			json_decref(pspec);
			c->nomem = true;
			goto cleanup;
		}
		if (json_array_size(x.routes))
			json_object_set(pspec, "routes", x.routes);
		add_out(c, json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", PN_API_VERSION, "kind",
				     "IPPool", "metadata", meta_name(pool), "spec", pspec));
		json_array_append_new(refs, json_pack("{s:s, s:s, s:s}", "group", PN_GROUP, "kind",
						      "IPPool", "name", pool));
		net->ranges = json_incref(x.ranges);
	}
	pnet = json_pack("{s:s, s:s, s:o, s:{s:s, s:o}}", "apiVersion", PN_API_VERSION, "kind",
			 "PodNetwork", "metadata", meta_name(net->pn), "spec", "provider",
			 CNI_PROVIDER, "parametersRefs", refs);
	add_out(c, pnet);
cleanup:
	free(pool);
	json_decref(x.ranges);
	json_decref(x.routes);
	json_decref(plugins);
	json_decref(cfg);
}

static bool is_nad(const json_t *root)
{
	const char *api = str_of(root, "apiVersion"), *kind = str_of(root, "kind");

	return api && kind && !strcmp(kind, NAD_KIND) && !strncmp(api, "k8s.cni.cncf.io/", 16);
}

static const char *ns_of(const json_t *root)
{
	const char *ns = meta_str(root, "namespace");

	return ns && *ns ? ns : "default";
}

/* Collects the NADs and names their PodNetworks: the NAD's name, or
 * NAMESPACE-NAME when another namespace of the input has a NAD of that
 * name (PodNetworks are cluster-scoped) or when the name is "default". */
static int collect_nads(struct conv *c, json_t *const *objs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct conv_net *v;

		if (!is_nad(objs[i]))
			continue;
		v = realloc(c->nets, (c->n_nets + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->nets = v;
		v[c->n_nets++] = (struct conv_net){ .root = objs[i], .ns = ns_of(objs[i]),
						    .name = meta_str(objs[i], "name") };
	}
	for (size_t i = 0; i < c->n_nets; i++) {
		struct conv_net *a = &c->nets[i];
		bool clash = a->name && !strcmp(a->name, "default");
		int r;

		for (size_t j = 0; j < c->n_nets && a->name && !clash; j++)
			clash = j != i && c->nets[j].name && !strcmp(c->nets[j].name, a->name) &&
				strcmp(c->nets[j].ns, a->ns) != 0;
		r = clash ? asprintf(&a->pn, "%s-%s", a->ns, a->name)
			  : asprintf(&a->pn, "%s", a->name ? a->name : "");
		if (r < 0) {
			a->pn = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

static struct conv_net *find_net(struct conv *c, const char *ns, const char *name)
{
	for (size_t i = 0; i < c->n_nets; i++)
		if (c->nets[i].name && !strcmp(c->nets[i].name, name) && !strcmp(c->nets[i].ns, ns))
			return &c->nets[i];
	return NULL;
}

/* ---- the Multus annotation -------------------------------------------------- */

/* One request, as the podnet entry is built. */
struct req {
	char *ns, *name, *ifname;
	json_t *ips;       /* array of address strings, or NULL */
	char *mac;
	bool gw4, gw6;
	char gw[2][PN_IP_STRLEN]; /* the default-route gateways, IPv4 and IPv6 */
};

/* Appends s to the flow text: plain when it is a simple word that starts
 * with a letter, else single-quoted. */
static int put_scalar(char **buf, const char *s)
{
	bool plain = isalpha((unsigned char)s[0]);
	char *q, *o;
	int r;

	for (const char *p = s; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || strchr("._-", *p);
	if (plain)
		return asprintf(&q, "%s%s", *buf, s) < 0 ? -ENOMEM : (free(*buf), *buf = q, 0);
	o = malloc(2 * strlen(s) + 3);
	if (!o)
		return -ENOMEM;
	q = o;
	*q++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			*q++ = '\'';
		*q++ = *p;
	}
	*q++ = '\'';
	*q = 0;
	r = asprintf(&q, "%s%s", *buf, o);
	free(o);
	if (r < 0)
		return -ENOMEM;
	free(*buf);
	*buf = q;
	return 0;
}

static int put(char **buf, const char *s)
{
	char *q;

	if (asprintf(&q, "%s%s", *buf, s) < 0)
		return -ENOMEM;
	free(*buf);
	*buf = q;
	return 0;
}

struct who {
	const char *kind, *ns, *name;
	char path[200];   /* of the annotation */
};

static void req_clear(struct req *q)
{
	free(q->ns);
	free(q->name);
	free(q->ifname);
	free(q->mac);
	json_decref(q->ips);
	*q = (struct req){ 0 };
}

/* "ns/name@ifname", trimmed. Returns 0, -EINVAL (reported) or -ENOMEM. */
static int parse_short(struct conv *c, const struct who *w, size_t i, const char *item,
		       size_t len, const char *pod_ns, struct req *q)
{
	char *s = strndup(item, len), *at, *slash, *name;

	if (!s)
		return -ENOMEM;
	at = strchr(s, '@');
	if (at) {
		*at = 0;
		q->ifname = strdup(at + 1);
	}
	slash = strchr(s, '/');
	name = slash ? slash + 1 : s;
	if (slash)
		*slash = 0;
	q->ns = strdup(slash ? s : pod_ns);
	q->name = strdup(name);
	free(s);
	if (!q->ns || !q->name || (at && !q->ifname))
		return -ENOMEM;
	if (!*q->name || !*q->ns || (at && !*q->ifname)) {
		char path[256];

		snprintf(path, sizeof(path), "%s[%zu]", w->path, i);
		report(c, w->kind, w->ns, w->name, path, "\"%.*s\" is not NAMESPACE/NAME@IFNAME",
		       (int)len, item);
		return -EINVAL;
	}
	return 0;
}

static int parse_json_entry(struct conv *c, const struct who *w, size_t i, const json_t *e,
			    const char *pod_ns, struct req *q)
{
	char path[256];
	const char *k;
	json_t *v;

	snprintf(path, sizeof(path), "%s[%zu]", w->path, i);
	if (!json_is_object(e) || !str_of(e, "name") || !*str_of(e, "name")) {
		report(c, w->kind, w->ns, w->name, path, "an entry needs a name; dropped");
		return -EINVAL;
	}
	q->name = strdup(str_of(e, "name"));
	q->ns = strdup(str_of(e, "namespace") && *str_of(e, "namespace") ? str_of(e, "namespace")
									: pod_ns);
	if (!q->name || !q->ns)
		return -ENOMEM;
	json_object_foreach ((json_t *)e, k, v) {
		char fp[300];

		snprintf(fp, sizeof(fp), "%s.%s", path, k);
		if (!strcmp(k, "name") || !strcmp(k, "namespace"))
			continue;
		if (!strcmp(k, "interface") && json_is_string(v)) {
			q->ifname = strdup(json_string_value(v));
		} else if (!strcmp(k, "mac") && json_is_string(v)) {
			q->mac = strdup(json_string_value(v));
		} else if (!strcmp(k, "ips") && json_is_array(v)) {
			size_t j;
			json_t *a;

			q->ips = json_array();
			json_array_foreach (v, j, a) {
				json_t *ip = addr_only(json_string_value(a));

				if (!ip) {
					report(c, w->kind, w->ns, w->name, fp,
					       "entry %zu is not an address; dropped", j);
					continue;
				}
				json_array_append_new(q->ips, ip);
			}
		} else if (!strcmp(k, "default-route") && json_is_array(v)) {
			size_t j;
			json_t *a;

			json_array_foreach (v, j, a) {
				struct pn_ip ip;

				if (!json_is_string(a) || pn_ip_parse(json_string_value(a), &ip)) {
					report(c, w->kind, w->ns, w->name, fp,
					       "entry %zu is not an address; dropped", j);
					continue;
				}
				if (ip.family == PN_IP_FAMILY_V4)
					q->gw4 = true;
				else
					q->gw6 = true;
				pn_ip_format(&ip, q->gw[ip.family == PN_IP_FAMILY_V6],
					     sizeof(q->gw[0]));
			}
		} else {
			report(c, w->kind, w->ns, w->name, fp, "has no podnet equivalent in a "
			       "request (put such settings in the network's CNIConfig); dropped");
		}
	}
	return 0;
}

/* Whether gw (text) is the gateway of a range of the network's pool. */
static bool pool_has_gateway(const struct conv_net *net, int family, char *which, size_t len)
{
	size_t i;
	json_t *r;

	snprintf(which, len, "none");
	json_array_foreach (net->ranges, i, r) {
		struct pn_ip ip;
		struct pn_prefix p;

		if (parse_cidr(str_of(r, "cidr"), &ip, &p) < 0 || ip.family != family)
			continue;
		if (str_of(r, "gateway")) {
			snprintf(which, len, "%s", str_of(r, "gateway"));
			return true;
		}
	}
	return false;
}

/* Adds q as one flow mapping to text; reports what cannot go. */
static int put_req(struct conv *c, const struct who *w, size_t i, struct req *q, char **text)
{
	struct conv_net *net = find_net(c, q->ns, q->name);
	const char *pn = net ? net->pn : q->name;
	char path[256], ips_path[300], gw_path[300];
	int r;

	snprintf(path, sizeof(path), "%s[%zu]", w->path, i);
	snprintf(ips_path, sizeof(ips_path), "%s.ips", path);
	snprintf(gw_path, sizeof(gw_path), "%s.default-route", path);
	if (net && !net->usable) {
		report(c, w->kind, w->ns, w->name, path, "NetworkAttachmentDefinition %s/%s was not "
		       "converted; its PodNetwork \"%s\" must be written by hand", q->ns, q->name, pn);
	}
	if (q->ips && json_array_size(q->ips) && net && net->usable && !net->has_pool) {
		report(c, w->kind, w->ns, w->name, ips_path, "network %s/%s has no IPPool after "
		       "conversion (its ipam could not become one): podnet "
		       "takes fixed addresses from an IPPool only; dropped", q->ns, q->name);
		json_decref(q->ips);
		q->ips = NULL;
	} else if (q->ips && json_array_size(q->ips) && net && net->usable && !net->ips_cap) {
		report(c, w->kind, w->ns, w->name, ips_path, "no plugin of %s/%s declares the ips "
		       "capability, so Multus did not hand them over and the Pod got its address "
		       "from the ipam; dropped", q->ns, q->name);
		json_decref(q->ips);
		q->ips = NULL;
	}
	for (int fam = 4; fam <= 6; fam += 2) {
		char gw[PN_IP_STRLEN + 8];

		if (!(fam == 4 ? q->gw4 : q->gw6) || !net || !net->usable)
			continue;
		if (!net->has_pool || !pool_has_gateway(net, fam == 4 ? PN_IP_FAMILY_V4 :
							PN_IP_FAMILY_V6, gw, sizeof(gw)))
			report(c, w->kind, w->ns, w->name, gw_path, "podnet routes through the "
			       "gateway of the network's IPPool range, and %s has none for IPv%d; "
			       "isDefaultGW%d set, %s dropped", pn, fam, fam, q->gw[fam == 6]);
		else if (strcmp(gw, q->gw[fam == 6]) != 0)
			report(c, w->kind, w->ns, w->name, gw_path, "podnet routes through the "
			       "gateway of the network's IPPool range, %s, not %s; isDefaultGW%d set",
			       gw, q->gw[fam == 6], fam);
	}
	r = put(text, ", {podNetworkName: ");
	if (r == 0)
		r = put_scalar(text, pn);
	if (r == 0 && q->ifname)
		r = put(text, ", interfaceName: ") ?: put_scalar(text, q->ifname);
	if (r == 0 && q->ips && json_array_size(q->ips)) {
		size_t j;
		json_t *a;

		r = put(text, ", ips: [");
		json_array_foreach (q->ips, j, a)
			if (r == 0)
				r = (j ? put(text, ", ") : 0) ?: put_scalar(text, json_string_value(a));
		if (r == 0)
			r = put(text, "]");
	}
	if (r == 0 && q->mac)
		r = put(text, ", mac: ") ?: put_scalar(text, q->mac);
	if (r == 0 && q->gw4)
		r = put(text, ", isDefaultGW4: true");
	if (r == 0 && q->gw6)
		r = put(text, ", isDefaultGW6: true");
	return r == 0 ? put(text, "}") : r;
}

/* The podnet value for one Multus annotation value: "[{podNetworkName:
 * default}, ...]" (the cluster network first, as Multus always adds it),
 * or NULL on ENOMEM. */
static char *convert_value(struct conv *c, const struct who *w, const char *val, const char *pod_ns)
{
	char *text = strdup("[{podNetworkName: default}");
	const char *p = val;
	size_t n = 0;
	json_t *list = NULL;
	char **seen = NULL;
	size_t n_seen = 0;
	int r = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		struct pn_problems ps = { 0 };

		if (pn_json_load(p, strlen(p), NULL, &list, &ps) < 0 || !json_is_array(list)) {
			report(c, w->kind, w->ns, w->name, w->path, "not a JSON list: %s; not "
			       "converted", ps.n ? ps.v[0].message : "");
			pn_problems_clear(&ps);
			json_decref(list);
			free(text);
			return strdup("");
		}
		n = json_array_size(list);
	}
	for (size_t i = 0; text && r == 0; i++) {
		struct req q = { 0 };
		int e;

		if (list) {
			if (i >= n)
				break;
			e = parse_json_entry(c, w, i, json_array_get(list, i), pod_ns, &q);
		} else {
			const char *comma;
			size_t len;

			while (isspace((unsigned char)*p))
				p++;
			if (!*p)
				break;
			comma = strchr(p, ',');
			len = comma ? (size_t)(comma - p) : strlen(p);
			while (len && isspace((unsigned char)p[len - 1]))
				len--;
			e = parse_short(c, w, i, p, len, pod_ns, &q);
			p = comma ? comma + 1 : p + strlen(p);
		}
		if (e == 0 && !q.ifname && asprintf(&q.ifname, "net%zu", i + 1) < 0) {
			q.ifname = NULL;
			e = -ENOMEM;
		}
		if (e == 0) {
			bool dup = false;
			char *key = NULL;

			if (asprintf(&key, "%s/%s", q.ns, q.name) < 0)
				e = -ENOMEM;
			for (size_t j = 0; e == 0 && j < n_seen && !dup; j++)
				dup = !strcmp(seen[j], key);
			if (e == 0 && dup) {
				char path[256];

				snprintf(path, sizeof(path), "%s[%zu]", w->path, i);
				report(c, w->kind, w->ns, w->name, path, "asks for %s a second time: "
				       "podnet attaches a network once per Pod; dropped", key);
				free(key);
			} else if (e == 0) {
				char **v = realloc(seen, (n_seen + 1) * sizeof(*v));

				if (!v) {
					free(key);
					e = -ENOMEM;
				} else {
					seen = v;
					seen[n_seen++] = key;
					e = put_req(c, w, i, &q, &text);
				}
			}
		}
		req_clear(&q);
		if (e == -ENOMEM)
			r = -ENOMEM;
	}
	for (size_t j = 0; j < n_seen; j++)
		free(seen[j]);
	free(seen);
	json_decref(list);
	if (r < 0 || !text || put(&text, "]") < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Replaces the Multus annotation of the annotations object at path (in
 * place, keeping the order of the others). */
static void convert_annotations(struct conv *c, const char *kind, const char *ns, const char *name,
				const char *base, json_t *meta, const char *pod_ns)
{
	json_t *ann = json_object_get(meta, "annotations"), *fresh;
	const char *val = str_of(ann, MULTUS_NETWORKS);
	struct who w = { .kind = kind, .ns = ns, .name = name };
	const char *k;
	json_t *v;
	char *text;

	if (str_of(ann, MULTUS_DEFAULT)) {
		snprintf(w.path, sizeof(w.path), "%sannotations[\"%s\"]", base, MULTUS_DEFAULT);
		report(c, kind, ns, name, w.path, "replacing the cluster network has no podnet "
		       "equivalent (default is always the node's primary CNI config); kept");
	}
	if (!val)
		return;
	snprintf(w.path, sizeof(w.path), "%sannotations[\"%s\"]", base, MULTUS_NETWORKS);
	if (json_object_get(ann, PN_ANNOTATION_NETWORKS)) {
		report(c, kind, ns, name, w.path, "the object has " PN_ANNOTATION_NETWORKS
		       " already; left as it is");
		return;
	}
	text = convert_value(c, &w, val, pod_ns);
	if (!text) {
		c->nomem = true;
		return;
	}
	if (!*text) {
		free(text);
		return;
	}
	fresh = json_object();
	json_object_foreach (ann, k, v) {
		if (!strcmp(k, MULTUS_NETWORKS))
			json_object_set_new(fresh, PN_ANNOTATION_NETWORKS, json_string(text));
		else
			json_object_set(fresh, k, v);
	}
	free(text);
	if (!fresh || json_object_set_new(meta, "annotations", fresh) < 0)
		c->nomem = true;
}

/* The pod template's metadata of a workload, and the path of its
 * annotations, or NULL when kind is not one. */
static json_t *template_meta(json_t *root, const char **base)
{
	const char *api = str_of(root, "apiVersion"), *kind = str_of(root, "kind");
	json_t *spec = json_object_get(root, "spec");

	if (!api || !kind)
		return NULL;
	if (!strcmp(api, "apps/v1") && (!strcmp(kind, "Deployment") ||
					!strcmp(kind, "StatefulSet") ||
					!strcmp(kind, "DaemonSet") || !strcmp(kind, "ReplicaSet"))) {
		*base = "spec.template.metadata.";
	} else if (!strcmp(api, "batch/v1") && !strcmp(kind, "Job")) {
		*base = "spec.template.metadata.";
	} else if (!strncmp(api, "batch/", 6) && !strcmp(kind, "CronJob")) {
		*base = "spec.jobTemplate.spec.template.metadata.";
		spec = json_object_get(json_object_get(spec, "jobTemplate"), "spec");
	} else {
		return NULL;
	}
	return json_object_get(json_object_get(spec, "template"), "metadata");
}

static void convert_object(struct conv *c, json_t *root)
{
	const char *api = str_of(root, "apiVersion"), *kind = str_of(root, "kind");
	const char *name = meta_str(root, "name");
	const char *base = NULL;
	json_t *copy, *meta;

	if (is_nad(root)) {
		for (size_t i = 0; i < c->n_nets; i++)
			if (c->nets[i].root == root)
				convert_nad(c, &c->nets[i]);
		return;
	}
	if (api && kind && !strcmp(api, "v1") && !strcmp(kind, "Pod")) {
		copy = json_deep_copy(root);
		meta = json_object_get(copy, "metadata");
		if (json_is_object(meta))
			convert_annotations(c, kind, ns_of(root), name, "metadata.", meta,
					    ns_of(root));
		add_out(c, copy);
		return;
	}
	copy = json_deep_copy(root);
	meta = template_meta(copy, &base);
	if (base) {
		if (json_is_object(meta))
			convert_annotations(c, kind, ns_of(root), name, base, meta, ns_of(root));
		add_out(c, copy);
		return;
	}
	json_decref(copy);
	if (api && !strcmp(api, PN_API_VERSION)) {
		add_out(c, json_deep_copy(root));
		return;
	}
	if (api && kind && !strcmp(api, "v1") && !strcmp(kind, "Namespace")) {
		add_out(c, json_deep_copy(root));
		return;
	}
	report(c, kind ? kind : "-", json_is_object(json_object_get(root, "metadata")) &&
	       meta_str(root, "namespace") ? meta_str(root, "namespace") : NULL, name, "kind",
	       "not a NetworkAttachmentDefinition, a workload or a podnet object; left out");
}

/* Appends the objects of root to v: the items of a List, else root. */
static int flatten(json_t *root, json_t ***v, size_t *n)
{
	const char *kind = str_of(root, "kind");
	json_t **nv;

	if (kind && !strcmp(kind, "List") && json_is_array(json_object_get(root, "items"))) {
		size_t i;
		json_t *it;

		json_array_foreach (json_object_get(root, "items"), i, it)
			if (flatten(it, v, n) < 0)
				return -ENOMEM;
		return 0;
	}
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = root;
	return 0;
}

int cli_convert(json_t *const *roots, size_t n_roots, json_t *out, FILE *err)
{
	struct conv c = { .err = err, .out = out };
	json_t **objs = NULL;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < n_roots && r == 0; i++)
		r = flatten(roots[i], &objs, &n);
	if (r == 0)
		r = collect_nads(&c, objs, n);
	for (size_t i = 0; i < n && r == 0 && !c.nomem; i++)
		if (json_is_object(objs[i]))
			convert_object(&c, objs[i]);
		else
			report(&c, "-", NULL, NULL, "-", "not an object; left out");
	for (size_t i = 0; i < c.n_nets; i++) {
		free(c.nets[i].pn);
		json_decref(c.nets[i].ranges);
	}
	free(c.nets);
	free(objs);
	if (r == 0 && c.nomem)
		r = -ENOMEM;
	return r < 0 ? r : c.n_reports;
}
