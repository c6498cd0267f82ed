/* test_plan.c — planning (resolving, interface names, default routes), the
 * plan wire format and its decoder, and network-status entries. */
#include "test_model_util.h"

#include "pn/plan.h"

/* ---- a resolver over decoded objects -------------------------------------- */

struct store {
	struct pn_object o[24];
	size_t n;
	json_t *nad; /* config returned for NAD ns/nad */
	json_t *namespaces; /* {ns: labels} the resolver knows, or NULL */
	const struct pn_plan *current;
};

static void store_add(struct store *s, const char *text)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq(text);

	assert_true(s->n < 16);
	assert_int_equal(pn_object_decode(j, NULL, &s->o[s->n], &ps), 0);
	expect_clean(&ps);
	pn_object_default(&s->o[s->n]);
	s->n++;
	json_decref(j);
}

static void store_clear(struct store *s)
{
	for (size_t i = 0; i < s->n; i++)
		pn_object_release(&s->o[i]);
	json_decref(s->nad);
	json_decref(s->namespaces);
	memset(s, 0, sizeof(*s));
}

static const void *store_find(struct store *s, enum pn_kind k, const char *ns, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct pn_meta *m = pn_object_meta(&s->o[i]);

		if (s->o[i].kind == k && !strcmp(m->name, name) &&
		    (!ns || pn_streq_test(m->namespace, ns)))
			return s->o[i].u.any;
	}
	return NULL;
}

static const struct pn_podnetwork *r_network(void *ctx, const char *name)
{
	return store_find(ctx, PN_KIND_PODNETWORK, NULL, name);
}

static const struct pn_attachment *r_attachment(void *ctx, const char *ns, const char *name)
{
	return store_find(ctx, PN_KIND_PODNETWORKATTACHMENT, ns, name);
}

static const struct pn_cniconfig *r_cniconfig(void *ctx, const char *name)
{
	return store_find(ctx, PN_KIND_CNICONFIG, NULL, name);
}

static const struct pn_ippool *r_ippool(void *ctx, const char *name)
{
	return store_find(ctx, PN_KIND_IPPOOL, NULL, name);
}

static json_t *r_nad(void *ctx, const char *ns, const char *name)
{
	struct store *s = ctx;

	if (s->nad && !strcmp(ns, "ns") && !strcmp(name, "nad"))
		return json_incref(s->nad);
	return NULL;
}

#define NET(name, spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'" name "'},'spec':" spec "}"
#define REF(g, k, n) "{'group':'" g "','kind':'" k "','name':'" n "'}"

/* The objects of API.md. */
static void store_example(struct store *s)
{
	store_add(s, NET("default", "{}"));
	store_add(s, NET("media-net", "{'provider':'podnet.dev/cni','parametersRefs':["
			 REF("podnet.dev", "CNIConfig", "macvlan-media") ","
			 REF("podnet.dev", "IPPool", "media-pool") "]}"));
	store_add(s, NET("fast-net", "{'provider':'podnet.dev/cni','parametersRefs':["
			 REF("podnet.dev", "CNIConfig", "macvlan-media") "]}"));
	store_add(s, NET("signaling", "{'provider':'podnet.dev/cni','parametersRefs':["
			 REF("podnet.dev", "CNIConfig", "macvlan-media") ","
			 REF("podnet.dev", "IPPool", "signal-pool") "]}"));
	store_add(s, NET("off-net", "{'enabled':false,'provider':'podnet.dev/cni'}"));
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'gone-net',"
		     "'deletionTimestamp':'2026-11-28T00:00:00Z'},'spec':{'provider':'podnet.dev/cni'}}");
	store_add(s, NET("nad-net", "{'provider':'podnet.dev/cni','parametersRefs':[{'group':'k8s.cni.cncf.io',"
			 "'kind':'NetworkAttachmentDefinition','namespace':'ns','name':'nad'}]}"));
	store_add(s, NET("broken-net", "{'provider':'podnet.dev/cni','parametersRefs':["
			 REF("podnet.dev", "CNIConfig", "missing") "]}"));
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':"
		     "{'name':'fast-media','namespace':'team-a'},'spec':{'podNetworkName':'fast-net',"
		     "'parametersRefs':[" REF("podnet.dev", "IPPool", "media-pool") "]}}");
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':"
		     "{'name':'media-again','namespace':'team-a'},'spec':{'podNetworkName':'media-net',"
		     "'parametersRefs':[" REF("podnet.dev", "IPPool", "signal-pool") "]}}");
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'CNIConfig','metadata':{'name':'macvlan-media'},"
		     "'spec':{'plugins':[{'type':'macvlan','master':'eth0','mode':'bridge'}]}}");
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'media-pool'},"
		     "'spec':{'ranges':[{'cidr':'172.16.1.0/24'}]}}");
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'signal-pool'},"
		     "'spec':{'ranges':[{'cidr':'172.16.2.0/24'}]}}");
	s->nad = jq("{'cniVersion':'0.4.0','type':'bridge'}");
}

static const json_t *r_ns_labels(void *ctx, const char *ns)
{
	struct store *s = ctx;

	return json_object_get(s->namespaces, ns);
}

static const struct pn_resolver *resolver(struct store *s)
{
	static struct pn_resolver r;

	r = (struct pn_resolver){ .ctx = s, .network = r_network, .attachment = r_attachment,
				  .cniconfig = r_cniconfig, .ippool = r_ippool,
				  .nad_config = r_nad, .namespace_labels = r_ns_labels,
				  .current = s->current };
	return &r;
}

/* Plans a request list given as JSON (' for "); returns the problem count. */
static int plan(struct store *s, const char *reqs, struct pn_plan *out, struct pn_problems *ps)
{
	struct pn_netreqs q = { 0 };
	json_t *j = reqs ? jq(reqs) : NULL;
	int r;

	if (j) {
		assert_int_equal(pn_netreqs_decode(j, "podnet.dev/networks", &q, ps), 0);
		json_decref(j);
	}
	r = pn_plan_build(reqs ? &q : NULL, "team-a", false, resolver(s), out, ps);
	pn_netreqs_clear(&q);
	return r;
}

static void expect_att(const struct pn_plan *p, size_t i, const char *network, const char *ifname,
		       bool gw4, bool gw6)
{
	assert_true(i < p->n);
	assert_string_equal(p->v[i].network, network);
	assert_string_equal(p->v[i].interface, ifname);
	assert_int_equal(p->v[i].gw4, gw4);
	assert_int_equal(p->v[i].gw6, gw6);
}

static void expect_json(const struct pn_plan *p, const char *want)
{
	char *got = pn_plan_dumps(p);
	char *w = strdup(want);

	for (char *c = w; *c; c++)
		if (*c == '\'')
			*c = '"';
	assert_non_null(got);
	assert_string_equal(got, w);
	free(got);
	free(w);
}

/* ---- planning ------------------------------------------------------------- */

static void unit__plan__no_request_is_default_on_eth0(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	assert_int_equal(plan(&s, NULL, &p, &ps), 0);
	expect_json(&p, "{'v':1,'attachments':[{'network':'default','interface':'eth0','gw4':true,'gw6':true}]}");
	pn_plan_clear(&p);
	assert_int_equal(plan(&s, "[]", &p, &ps), 0);
	expect_json(&p, "{'v':1,'attachments':[{'network':'default','interface':'eth0','gw4':true,'gw6':true}]}");
	pn_plan_clear(&p);
	assert_int_equal(pn_plan_default(&p), 0);
	expect_json(&p, "{'v':1,'attachments':[{'network':'default','interface':'eth0','gw4':true,'gw6':true}]}");
	pn_plan_clear(&p);
	expect_clean(&ps);
}

static void unit__plan__api_example(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	store_example(&s);
	assert_int_equal(plan(&s, "[{'podNetworkName':'default'},"
				  "{'podNetworkName':'media-net','interfaceName':'net1'},"
				  "{'podNetworkAttachmentName':'fast-media','isDefaultGW4':true},"
				  "{'podNetworkName':'signaling','ips':['172.16.2.50'],'mac':'02:00:00:00:00:01'}]",
			 &p, &ps), 0);
	expect_clean(&ps);
	assert_int_equal(p.n, 4);
	expect_att(&p, 0, "default", "eth0", false, true);
	expect_att(&p, 1, "media-net", "net1", false, false);
	expect_att(&p, 2, "fast-net", "net2", true, false);
	expect_att(&p, 3, "signaling", "net3", false, false);
	assert_null(p.v[0].provider);
	assert_string_equal(p.v[1].provider, "podnet.dev/cni");
	assert_string_equal(p.v[1].ippool, "media-pool");
	/* the attachment adds a pool to a network that has none */
	assert_string_equal(p.v[2].attachment, "fast-media");
	assert_string_equal(p.v[2].ippool, "media-pool");
	assert_string_equal(p.v[3].ippool, "signal-pool");
	assert_int_equal(p.v[3].n_requested_ips, 1);
	assert_string_equal(p.v[3].requested_ips[0], "172.16.2.50");
	assert_string_equal(p.v[3].mac, "02:00:00:00:00:01");
	assert_string_equal(json_string_value(json_object_get(p.v[1].params, "name")), "media-net");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(p.v[1].params, "plugins"), 0), "type")),
			    "macvlan");
	assert_int_equal(p.v[2].request_index, 2);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[2]);
	assert_ptr_equal(pn_plan_find(&p, "signaling"), &p.v[3]);
	assert_null(pn_plan_find(&p, "nope"));
	pn_plan_clear(&p);
	store_clear(&s);
}

static void unit__plan__interface_names(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	store_example(&s);
	/* requested net1 taken: the unnamed one before it gets net2 */
	assert_int_equal(plan(&s, "[{'podNetworkName':'default'},{'podNetworkName':'media-net'},"
				  "{'podNetworkName':'signaling','interfaceName':'net1'}]", &p, &ps), 0);
	expect_att(&p, 0, "default", "eth0", true, true);
	expect_att(&p, 1, "media-net", "net2", false, false);
	expect_att(&p, 2, "signaling", "net1", false, false);
	pn_plan_clear(&p);
	/* default not first, others in list order */
	assert_int_equal(plan(&s, "[{'podNetworkName':'media-net'},{'podNetworkName':'signaling'},"
				  "{'podNetworkName':'default'}]", &p, &ps), 0);
	expect_att(&p, 0, "media-net", "net1", false, false);
	expect_att(&p, 1, "signaling", "net2", false, false);
	expect_att(&p, 2, "default", "eth0", true, true);
	pn_plan_clear(&p);
	/* default named eth0 as it must be; others skip every taken name */
	assert_int_equal(plan(&s, "[{'podNetworkName':'default','interfaceName':'eth0'},"
				  "{'podNetworkName':'media-net'},{'podNetworkName':'signaling','interfaceName':'net1'},"
				  "{'podNetworkName':'fast-net'}]", &p, &ps), 0);
	expect_att(&p, 0, "default", "eth0", true, true);
	expect_att(&p, 1, "media-net", "net2", false, false);
	expect_att(&p, 2, "signaling", "net1", false, false);
	expect_att(&p, 3, "fast-net", "net3", false, false);
	pn_plan_clear(&p);
	expect_clean(&ps);
	store_clear(&s);
}

static void unit__plan__name_interfaces_directly(void **state)
{
	struct pn_plan_attachment v[5] = { { 0 } };
	struct pn_plan p = { .version = 1, .v = v, .n = 5 };
	const char *nets[] = { "x", "default", "y", "z", "w" };
	const char *want[] = { "net2", "eth0", "net1", "net3", "net4" };

	for (int i = 0; i < 5; i++)
		v[i].network = (char *)nets[i];
	v[2].interface = strdup("net1");
	v[3].interface = strdup("net3");
	assert_int_equal(pn_plan_name_interfaces(&p), 0);
	for (int i = 0; i < 5; i++) {
		assert_string_equal(v[i].interface, want[i]);
		free(v[i].interface);
	}
}

static void unit__plan__default_routes(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	store_example(&s);
	/* no default in the list and nothing flagged: no default route; the
	 * first is the primary, on eth0 (the runtime's interface) */
	assert_int_equal(plan(&s, "[{'podNetworkName':'media-net'},{'podNetworkName':'signaling'}]", &p, &ps), 0);
	expect_att(&p, 0, "media-net", "eth0", false, false);
	expect_att(&p, 1, "signaling", "net1", false, false);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[0]);
	pn_plan_clear(&p);
	/* isDefaultGW (both families) moves both routes off default */
	assert_int_equal(plan(&s, "[{'name':'default'},{'name':'media-net','isDefaultGW':true}]", &p, &ps), 0);
	expect_att(&p, 0, "default", "eth0", false, false);
	expect_att(&p, 1, "media-net", "net1", true, true);
	pn_plan_clear(&p);
	/* one family each */
	assert_int_equal(plan(&s, "[{'name':'default'},{'name':'media-net','isDefaultGW6':true}]", &p, &ps), 0);
	expect_att(&p, 0, "default", "eth0", true, false);
	expect_att(&p, 1, "media-net", "net1", false, true);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[0]);
	pn_plan_clear(&p);
	/* default refusing a family and nobody flagged: none for that family */
	assert_int_equal(plan(&s, "[{'name':'default','isDefaultGW4':false},{'name':'media-net'}]", &p, &ps), 0);
	expect_att(&p, 0, "default", "eth0", false, true);
	expect_att(&p, 1, "media-net", "net1", false, false);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[0]);
	pn_plan_clear(&p);
	/* flagged on a network without default in the list: it is eth0 */
	assert_int_equal(plan(&s, "[{'name':'media-net'},{'name':'signaling','isDefaultGW4':true}]", &p, &ps), 0);
	expect_att(&p, 0, "media-net", "net1", false, false);
	expect_att(&p, 1, "signaling", "eth0", true, false);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[1]);
	pn_plan_clear(&p);
	expect_clean(&ps);
	store_clear(&s);
}

static void unit__plan__no_default__primary_on_eth0(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	store_example(&s);
	/* one network only: it is eth0 and the primary */
	assert_int_equal(plan(&s, "[{'podNetworkName':'media-net'}]", &p, &ps), 0);
	assert_int_equal(p.n, 1);
	expect_att(&p, 0, "media-net", "eth0", false, false);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[0]);
	pn_plan_clear(&p);
	/* IPv4 route flagged: that one, even when others come first */
	assert_int_equal(plan(&s, "[{'name':'media-net','isDefaultGW6':true},{'name':'signaling'},"
				  "{'name':'fast-net','isDefaultGW4':true}]", &p, &ps), 0);
	expect_att(&p, 0, "media-net", "net1", false, true);
	expect_att(&p, 1, "signaling", "net2", false, false);
	expect_att(&p, 2, "fast-net", "eth0", true, false);
	assert_ptr_equal(pn_plan_primary(&p), &p.v[2]);
	pn_plan_clear(&p);
	/* only an IPv6 route: that one */
	assert_int_equal(plan(&s, "[{'name':'media-net'},{'name':'signaling','isDefaultGW6':true}]", &p, &ps), 0);
	expect_att(&p, 0, "media-net", "net1", false, false);
	expect_att(&p, 1, "signaling", "eth0", false, true);
	pn_plan_clear(&p);
	/* the primary asking for eth0 itself is fine; others keep their names */
	assert_int_equal(plan(&s, "[{'name':'media-net','interfaceName':'data0'},"
				  "{'name':'signaling','interfaceName':'eth0','isDefaultGW':true}]", &p, &ps), 0);
	expect_att(&p, 0, "media-net", "data0", false, false);
	expect_att(&p, 1, "signaling", "eth0", true, true);
	pn_plan_clear(&p);
	/* through an attachment */
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'fast-media'}]", &p, &ps), 0);
	expect_att(&p, 0, "fast-net", "eth0", false, false);
	pn_plan_clear(&p);
	/* with default in the list nothing changes: a flagged network keeps net1 */
	assert_int_equal(plan(&s, "[{'name':'default'},{'name':'media-net','isDefaultGW':true}]", &p, &ps), 0);
	expect_att(&p, 0, "default", "eth0", false, false);
	expect_att(&p, 1, "media-net", "net1", true, true);
	pn_plan_clear(&p);
	expect_clean(&ps);
	store_clear(&s);
}

static void plan_one_problem(struct store *s, const char *reqs, const char *path, const char *needle)
{
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	assert_int_equal(plan(s, reqs, &p, &ps), 1);
	expect_only(&ps, path, needle);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
	pn_problems_clear(&ps);
}

static void unit__plan__problems(void **state)
{
	struct store s = { 0 };

	store_example(&s);
	plan_one_problem(&s, "[{'podNetworkName':'media-net'},{'podNetworkAttachmentName':'media-again'}]",
			 "podnet.dev/networks[1].podNetworkAttachmentName", "\"media-net\" is already requested by podnet.dev/networks[0]");
	plan_one_problem(&s, "[{'podNetworkAttachmentName':'fast-media'},{'podNetworkName':'fast-net'}]",
			 "podnet.dev/networks[1].podNetworkName", "already requested by podnet.dev/networks[0]");
	plan_one_problem(&s, "[{'podNetworkName':'nowhere'}]", "podnet.dev/networks[0].podNetworkName",
			 "PodNetwork \"nowhere\" not found");
	plan_one_problem(&s, "[{'podNetworkAttachmentName':'nope'}]", "podnet.dev/networks[0].podNetworkAttachmentName",
			 "PodNetworkAttachment \"team-a/nope\" not found");
	plan_one_problem(&s, "[{'podNetworkName':'default'},{'podNetworkName':'off-net'}]",
			 "podnet.dev/networks[1].podNetworkName", "is disabled");
	plan_one_problem(&s, "[{'podNetworkName':'gone-net'}]", "podnet.dev/networks[0].podNetworkName",
			 "is being deleted");
	plan_one_problem(&s, "[{'podNetworkName':'broken-net'}]", "podnet.dev/networks[0]",
			 "CNIConfig \"missing\" (referenced by PodNetwork \"broken-net\") not found");
	plan_one_problem(&s, "[{'podNetworkName':'fast-net','ips':['10.0.0.1']}]", "podnet.dev/networks[0].ips",
			 "need a PodNetwork with an IPPool");
	plan_one_problem(&s, "[{'podNetworkName':'default','mac':'02:00:00:00:00:01'}]", "podnet.dev/networks[0].mac",
			 "default network");
	/* no default: eth0 must stay free for the primary, which must not be
	 * named otherwise (the runtime would never find its interface) */
	plan_one_problem(&s, "[{'podNetworkName':'media-net','interfaceName':'data0'}]",
			 "podnet.dev/networks[0].interfaceName",
			 "is \"data0\", but with no \"default\" network in the list the interface "
			 "holding the default route (else the first one) must be eth0 or unnamed: "
			 "the container runtime needs eth0");
	plan_one_problem(&s, "[{'name':'media-net'},{'name':'signaling','isDefaultGW4':true,"
			 "'interfaceName':'sig0'}]", "podnet.dev/networks[1].interfaceName", "must be eth0 or unnamed");
	plan_one_problem(&s, "[{'name':'media-net','interfaceName':'eth0'},{'name':'signaling',"
			 "'isDefaultGW4':true}]", "podnet.dev/networks[0].interfaceName",
			 "with no \"default\" network in the list, eth0 is for the interface holding "
			 "the default route (else the first one), podnet.dev/networks[1]: the container runtime "
			 "needs eth0 there");
	/* list rules run first */
	plan_one_problem(&s, "[{'podNetworkName':'media-net','interfaceName':'a:b'}]",
			 "podnet.dev/networks[0].interfaceName", "Linux interface name");
	store_clear(&s);
}

static void unit__plan__host_network(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_netreqs none = { 0 };
	struct pn_netreqs q = { 0 };
	json_t *j = jq("[{'podNetworkName':'media-net'}]");
	struct pn_plan p;

	store_example(&s);
	assert_int_equal(pn_plan_build(&none, "team-a", true, resolver(&s), &p, &ps), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(pn_netreqs_decode(j, "podnet.dev/networks", &q, &ps), 0);
	assert_int_equal(pn_plan_build(&q, "team-a", true, resolver(&s), &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks", "hostNetwork");
	pn_netreqs_clear(&q);
	pn_problems_clear(&ps);
	json_decref(j);
	store_clear(&s);
}

static void unit__plan__nad_and_missing_resolver(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	store_example(&s);
	assert_int_equal(plan(&s, "[{'podNetworkName':'nad-net'}]", &p, &ps), 0);
	assert_string_equal(json_string_value(json_object_get(p.v[0].params, "type")), "bridge");
	assert_null(p.v[0].ippool);
	pn_plan_clear(&p);
	json_decref(s.nad);
	s.nad = NULL;
	assert_int_equal(plan(&s, "[{'podNetworkName':'nad-net'}]", &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0]", "NetworkAttachmentDefinition \"ns/nad\"");
	pn_problems_clear(&ps);
	store_clear(&s);
	/* without a resolver only default exists */
	assert_int_equal(pn_plan_build(NULL, NULL, false, NULL, &p, &ps), 0);
	assert_int_equal(p.n, 1);
	pn_plan_clear(&p);
}

static void unit__plan__from_pod(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'team-a',"
		       "'annotations':{'podnet.dev/networks':'[{\\'podNetworkAttachmentName\\':\\'fast-media\\'}]'}}}");
	struct pn_pod *pod;
	struct pn_plan p;

	store_example(&s);
	/* native spec.networks: problems carry that path */
	{
		struct pn_pod_decode_opts opts = { .native_networks = true };
		json_t *n = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'team-a'},"
			       "'spec':{'networks':[{'podNetworkName':'default'},{'podNetworkName':'nowhere'}]}}");

		assert_int_equal(pn_pod_decode(n, &opts, &pod, &ps), 0);
		assert_int_equal(pn_plan_build_pod(pod, resolver(&s), &p, &ps), 1);
		expect_only(&ps, "spec.networks[1].podNetworkName", "not found");
		pn_problems_clear(&ps);
		pn_pod_free(pod);
		json_decref(n);
	}
	assert_int_equal(pn_pod_decode(j, NULL, &pod, &ps), 0);
	assert_int_equal(pn_plan_build_pod(pod, resolver(&s), &p, &ps), 0);
	assert_int_equal(p.n, 1);
	/* no default in the list: the only attachment is eth0 */
	expect_att(&p, 0, "fast-net", "eth0", false, false);
	pn_plan_clear(&p);
	pn_pod_free(pod);
	/* the eth0 rule names the native path too */
	{
		struct pn_pod_decode_opts opts = { .native_networks = true };
		json_t *n = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'team-a'},"
			       "'spec':{'networks':[{'podNetworkName':'media-net','interfaceName':'m0'}]}}");

		assert_int_equal(pn_pod_decode(n, &opts, &pod, &ps), 0);
		assert_int_equal(pn_plan_build_pod(pod, resolver(&s), &p, &ps), 1);
		expect_only(&ps, "spec.networks[0].interfaceName", "must be eth0 or unnamed");
		pn_problems_clear(&ps);
		pn_pod_free(pod);
		json_decref(n);
	}
	json_decref(j);
	store_clear(&s);
}

/* ---- the wire format ------------------------------------------------------ */

static void unit__plan__encode_exactly_as_api_md(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p, back;
	char *text;

	store_example(&s);
	assert_int_equal(plan(&s, "[{'podNetworkName':'default'},{'podNetworkName':'media-net'}]", &p, &ps), 0);
	/* the caller allocated an address */
	assert_int_equal(pn_plan_attachment_add_ip(&p.v[1], "172.16.1.101/24"), 0);
	assert_int_equal(pn_plan_attachment_add_gateway(&p.v[1], "172.16.1.1"), 0);
	expect_json(&p, "{'v':1,'attachments':["
			"{'network':'default','interface':'eth0','gw4':true,'gw6':true},"
			"{'network':'media-net','interface':'net1','provider':'podnet.dev/cni',"
			"'params':{'cniVersion':'1.0.0','name':'media-net','plugins':[{'type':'macvlan',"
			"'master':'eth0','mode':'bridge'}]},"
			"'ips':['172.16.1.101/24'],'gateways':['172.16.1.1'],'routes':[],'mac':null}]}");
	/* round trip */
	assert_int_equal(pn_plan_attachment_add_route(&p.v[1], "10.20.0.0/16", NULL), 0);
	assert_int_equal(pn_plan_attachment_add_route(&p.v[1], "10.30.0.0/16", "172.16.1.254"), 0);
	p.v[1].mac = strdup("02:00:00:00:00:01");
	text = pn_plan_dumps(&p);
	assert_non_null(text);
	assert_int_equal(pn_plan_loads(text, strlen(text), &back, &ps), 0);
	expect_clean(&ps);
	assert_true(pn_plan_equal(&p, &back));
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[1].routes[1].gw, "172.16.1.254");
	assert_null(back.v[1].routes[0].gw);
	assert_string_equal(back.v[1].mac, "02:00:00:00:00:01");
	assert_true(back.v[0].gw4 && back.v[0].gw6);
	assert_null(back.v[0].provider);
	/* a change is seen */
	back.v[1].gw4 = true;
	assert_false(pn_plan_equal(&p, &back));
	free(text);
	pn_plan_clear(&back);
	pn_plan_clear(&p);
	store_clear(&s);
}

static void loads_one(const char *text, const char *path, const char *needle)
{
	struct pn_problems ps = { 0 };
	struct pn_plan p;
	char *t = strdup(text);

	for (char *c = t; *c; c++)
		if (*c == '\'')
			*c = '"';
	assert_true(pn_plan_loads(t, strlen(t), &p, &ps) >= 1);
	expect_only(&ps, path, needle);
	pn_plan_clear(&p);
	pn_problems_clear(&ps);
	free(t);
}

static void unit__plan__decode_problems(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_plan p;
	char *big;

	loads_one("{'v':2,'attachments':[]}", "v", "plan version 2 is not supported");
	loads_one("{'attachments':[]}", "v", "is required");
	loads_one("{'v':'1','attachments':[]}", "v", "must be an integer, not a string");
	loads_one("{'v':1}", "attachments", "is required");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'a/b'}]}", "attachments[0].interface",
		  "Linux interface name");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','ips':['10.0.0.1']}]}",
		  "attachments[0].ips[0]", "prefix length");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','gateways':['x']}]}",
		  "attachments[0].gateways[0]", "IP address");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','params':[]}]}",
		  "attachments[0].params", "must be an object");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','routes':[{'gw':'1.2.3.4'}]}]}",
		  "attachments[0].routes[0].dst", "is required");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','mac':'01:00:00:00:00:00'}]}",
		  "attachments[0].mac", "unicast");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','gw4':1}]}",
		  "attachments[0].gw4", "must be a boolean");
	loads_one("{'v':1,'attachments':[{'interface':'net1'}]}", "attachments[0].network", "is required");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1'},{'network':'b','interface':'net1'}]}",
		  "attachments[1]", "interface \"net1\" appears twice");
	loads_one("{'v':1,'attachments':[{'network':'a','interface':'net1','gw4':true},"
		  "{'network':'b','interface':'net2','gw4':true}]}", "attachments[1]", "two holders");
	loads_one("{'v':1,'attachments':[5]}", "attachments[0]", "must be an object, not a number");
	loads_one("{'v':1,", "", "not valid JSON");
	loads_one("{'v':1,'v':1,'attachments':[]}", "", "not valid JSON");
	loads_one("[]", "", "must be an object, not a list");
	big = calloc(PN_MAX_PLAN + 2, 1);
	memset(big, ' ', PN_MAX_PLAN + 1);
	assert_int_equal(pn_plan_loads(big, PN_MAX_PLAN + 1, &p, &ps), 1);
	expect_only(&ps, "", "more than");
	pn_problems_clear(&ps);
	free(big);
}

/* ---- network-status ------------------------------------------------------- */

static void unit__plan__network_status(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_netstatuses st, back;
	const char *text = "[{\"name\":\"default\",\"interface\":\"eth0\",\"ips\":[\"10.244.0.5\"],"
			   "\"mac\":\"0a:58:0a:f4:00:05\",\"default\":true,\"dns\":{}},"
			   "{\"name\":\"media-net\",\"interface\":\"net1\",\"ips\":[\"172.16.1.101\"],"
			   "\"mac\":\"02:00:00:00:00:01\",\"dns\":{\"nameservers\":[\"10.0.0.10\"]},"
			   "\"gateway\":[\"172.16.1.1\"],\"device-info\":{\"type\":\"pci\"}}]";
	json_t *enc, *orig;

	assert_int_equal(pn_netstatus_loads(text, strlen(text), &st, &ps), 0);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.v[0].name, "default");
	assert_true(st.v[0].is_default);
	assert_false(st.v[1].is_default);
	assert_string_equal(st.v[1].interface, "net1");
	assert_string_equal(st.v[1].ips[0], "172.16.1.101");
	assert_string_equal(st.v[1].gateway[0], "172.16.1.1");
	assert_non_null(st.v[1].dns);
	enc = pn_netstatus_encode(&st);
	orig = json_loads(text, 0, NULL);
	/* everything but the device-info we do not model comes back */
	json_object_del(json_array_get(orig, 1), "device-info");
	assert_true(json_equal(enc, orig));
	assert_int_equal(pn_netstatus_decode(enc, &back, &ps), 0);
	assert_int_equal(back.n, 2);
	pn_netstatus_clear(&back);
	json_decref(enc);
	json_decref(orig);
	pn_netstatus_clear(&st);

	assert_int_equal(pn_netstatus_loads("[{\"interface\":5}]", 17, &st, &ps), 2);
	expect_problem(&ps, "[0].name", "is required");
	expect_problem(&ps, "[0].interface", "must be a string, not a number");
	pn_netstatus_clear(&st);
	pn_problems_clear(&ps);
	assert_int_equal(pn_netstatus_loads("{}", 2, &st, &ps), 1);
	expect_only(&ps, "", "must be a list");
	pn_problems_clear(&ps);
	assert_int_equal(pn_netstatus_loads("[", 1, &st, &ps), 1);
	expect_only(&ps, "", "not valid JSON");
	pn_problems_clear(&ps);
}


/* ---- namespace access (spec.namespaceSelector) ------------------------------ */

#define STORAGE_MSG                                                                        \
	"PodNetwork \"storage\" may not be used from namespace \"team-a\": "                 \
	"spec.namespaceSelector (matchLabels podnet.dev/tenant=storage) does not select it"

static void store_access(struct store *s, const char *team_a_labels)
{
	store_example(s);
	store_add(s, NET("storage", "{'provider':'podnet.dev/cni','namespaceSelector':"
			 "{'matchLabels':{'podnet.dev/tenant':'storage'}},'parametersRefs':["
			 REF("podnet.dev", "CNIConfig", "macvlan-media") ","
			 REF("podnet.dev", "IPPool", "media-pool") "]}"));
	store_add(s, NET("open-net", "{'provider':'podnet.dev/cni','namespaceSelector':{}}"));
	store_add(s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':"
		     "{'name':'store-att','namespace':'team-a'},'spec':{'podNetworkName':'storage'}}");
	if (team_a_labels) {
		char text[256];

		snprintf(text, sizeof(text), "{'team-a':%s}", team_a_labels);
		s->namespaces = jq(text);
	}
}

static void unit__plan__namespace_refused_direct(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	(void)state;
	store_access(&s, "{'podnet.dev/tenant':'media'}");
	assert_int_equal(plan(&s, "[{'podNetworkName':'media-net'},{'podNetworkName':'storage'}]",
			      &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks[1]", STORAGE_MSG);
	assert_true(pn_problem_is_access(&ps.v[0]));
	assert_int_equal(p.n, 0);
	pn_problems_clear(&ps);
	/* other problems are not access refusals */
	assert_int_equal(plan(&s, "[{'podNetworkName':'off-net'}]", &p, &ps), 1);
	assert_false(pn_problem_is_access(&ps.v[0]));
	pn_problems_clear(&ps);
	/* networks without a selector, or with {}, stay open to every namespace */
	assert_int_equal(plan(&s, "[{'podNetworkName':'media-net'},{'podNetworkName':'open-net'}]",
			      &p, &ps), 0);
	expect_clean(&ps);
	pn_plan_clear(&p);
	store_clear(&s);
}

static void unit__plan__namespace_refused_through_attachment(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	(void)state;
	store_access(&s, "{}");
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'store-att'}]", &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0]", STORAGE_MSG);
	pn_problems_clear(&ps);
	store_clear(&s);
}

static void unit__plan__namespace_allowed(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	(void)state;
	store_access(&s, "{'podnet.dev/tenant':'storage','other':'x'}");
	assert_int_equal(plan(&s, "[{'podNetworkName':'storage'}]", &p, &ps), 0);
	expect_clean(&ps);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].ippool, "media-pool");
	pn_plan_clear(&p);
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'store-att'}]", &p, &ps), 0);
	expect_clean(&ps);
	pn_plan_clear(&p);
	store_clear(&s);
}

static void unit__plan__namespace_unknown_refused(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p;

	(void)state;
	store_access(&s, NULL);
	assert_int_equal(plan(&s, "[{'podNetworkName':'storage'}]", &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0]", "the Namespace is not known, so spec.namespaceSelector "
					"cannot select it");
	pn_problems_clear(&ps);
	/* an open network does not need the Namespace */
	assert_int_equal(plan(&s, "[{'podNetworkName':'open-net'}]", &p, &ps), 0);
	pn_plan_clear(&p);
	store_clear(&s);
}

static void unit__plan__namespace_planned_network_kept(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan before, p;

	(void)state;
	/* planned while team-a was selected */
	store_access(&s, "{'podnet.dev/tenant':'storage'}");
	assert_int_equal(plan(&s, "[{'podNetworkName':'storage'}]", &before, &ps), 0);
	/* the namespace loses the label: the planned Pod keeps storage ... */
	json_decref(s.namespaces);
	s.namespaces = jq("{'team-a':{}}");
	s.current = &before;
	assert_int_equal(plan(&s, "[{'podNetworkName':'storage'}]", &p, &ps), 0);
	expect_clean(&ps);
	assert_true(pn_plan_equal(&p, &before));
	pn_plan_clear(&p);
	/* ... through an attachment too, but a new network is still checked */
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'store-att'}]", &p, &ps), 0);
	pn_plan_clear(&p);
	s.current = NULL;
	assert_int_equal(plan(&s, "[{'podNetworkName':'storage'}]", &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0]", STORAGE_MSG);
	pn_problems_clear(&ps);
	pn_plan_clear(&before);
	store_clear(&s);
}

#define PNA(name, net, status) "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment'," \
	"'metadata':{'name':'" name "','namespace':'team-a'},'spec':{'podNetworkName':'" net "'}" status "}"
#define READY(st, reason) ",'status':{'conditions':[{'type':'Ready','status':'" st "','reason':'" \
	reason "','message':'IPPool gone not found','lastTransitionTime':'2026-12-03T00:00:00Z'}]}"

/* An attachment that resolves to `default` is held to eth0 like a listed
 * `default` (pn_netreqs_validate cannot see through attachments). */
static void unit__plan__default_through_attachment_keeps_eth0(void **state)
{
	struct store s = { 0 };

	store_example(&s);
	store_add(&s, PNA("to-default", "default", ""));
	plan_one_problem(&s, "[{'podNetworkAttachmentName':'to-default','interfaceName':'net7'}]",
			 "podnet.dev/networks[0].interfaceName",
			 "\"net7\" cannot be default's interface");
	plan_one_problem(&s, "[{'podNetworkName':'media-net','interfaceName':'eth0'},"
			 "{'podNetworkAttachmentName':'to-default'}]",
			 "podnet.dev/networks[0].interfaceName",
			 "\"eth0\" is the runtime's interface, reserved for default (podnet.dev/networks[1])");
	store_clear(&s);
}

static bool judge_not_ready(void *ctx, const char *ns, const struct pn_attachment *a,
			    char *reason, size_t rlen, char *msg, size_t mlen)
{
	(void)ctx;
	(void)ns;
	if (strcmp(a->meta.name, "fast-media") != 0)
		return true;
	snprintf(reason, rlen, "PodNetworkNotReady");
	snprintf(msg, mlen, "PodNetwork \"fast-net\" is disabled");
	return false;
}

/* A Pod never attaches through a PodNetworkAttachment that is not Ready:
 * the stored Ready condition (podnetctl, the webhook) or the resolver's
 * live judgement (the controller). */
static void unit__plan__attachment_not_ready_refused(void **state)
{
	struct store s = { 0 };
	struct pn_resolver r;
	struct pn_problems ps = { 0 };
	struct pn_netreqs q = { 0 };
	struct pn_plan p;
	json_t *j;

	store_example(&s);
	store_add(&s, PNA("broken-att", "fast-net", READY("False", "ParamsNotReady")));
	store_add(&s, PNA("judging-att", "fast-net", READY("Unknown", "")));
	store_add(&s, PNA("good-att", "fast-net", READY("True", "Ready")));
	plan_one_problem(&s, "[{'podNetworkAttachmentName':'broken-att'}]",
			 "podnet.dev/networks[0].podNetworkAttachmentName",
			 "PodNetworkAttachment \"broken-att\" is not Ready (ParamsNotReady: IPPool "
			 "gone not found)");
	plan_one_problem(&s, "[{'podNetworkAttachmentName':'judging-att'}]",
			 "podnet.dev/networks[0].podNetworkAttachmentName",
			 "PodNetworkAttachment \"judging-att\" is not Ready (NotReady: ");
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'good-att'}]", &p, &ps), 0);
	expect_att(&p, 0, "fast-net", "eth0", false, false);
	pn_plan_clear(&p);
	/* not judged yet (no Ready condition): taken as it is */
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'fast-media'}]", &p, &ps), 0);
	pn_plan_clear(&p);
	expect_clean(&ps);
	/* the resolver's judgement wins over the stored condition */
	r = *resolver(&s);
	r.attachment_ready = judge_not_ready;
	j = jq("[{'podNetworkAttachmentName':'fast-media'}]");
	assert_int_equal(pn_netreqs_decode(j, "podnet.dev/networks", &q, &ps), 0);
	assert_int_equal(pn_plan_build(&q, "team-a", false, &r, &p, &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0].podNetworkAttachmentName",
		    "PodNetworkAttachment \"fast-media\" is not Ready (PodNetworkNotReady: "
		    "PodNetwork \"fast-net\" is disabled)");
	pn_netreqs_clear(&q);
	pn_problems_clear(&ps);
	json_decref(j);
	store_clear(&s);
}

/* The kinds podnet resolves itself; the controller and podnetctl plan
 * refuse the others with this message (ParamsNotReady). */
static void unit__plan__param_kinds_supported(void **state)
{
	struct pn_param_ref ok[] = {
		{ .group = "podnet.dev", .kind = "CNIConfig", .name = "a" },
		{ .group = "podnet.dev", .kind = "IPPool", .name = "a" },
		{ .group = "k8s.cni.cncf.io", .kind = "NetworkAttachmentDefinition", .name = "a" },
	};
	struct pn_param_ref vendor = { .group = "acme.io", .kind = "AcmeNet", .name = "fast" };
	struct pn_param_ref ours_other = { .group = "podnet.dev", .kind = "Other", .name = "x" };
	char msg[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(pn_param_ref_supported(&ok[i], msg, sizeof(msg)));
	assert_false(pn_param_ref_supported(&vendor, msg, sizeof(msg)));
	assert_string_equal(msg, "parameters of kind acme.io/AcmeNet are not supported by podnet");
	assert_false(pn_param_ref_supported(&ours_other, msg, sizeof(msg)));
}

/* A provider's own kind (ABI 1.3) is supported for its networks once one
 * node's report declares it; for another provider, or with no report, the
 * same refusal names the provider. */
static void unit__plan__param_kinds_declared_by_provider(void **state)
{
	struct pn_param_ref vendor = { .group = "acme.io", .kind = "AcmeNet", .name = "fast" };
	struct pn_param_ref ours = { .group = "podnet.dev", .kind = "IPPool", .name = "a" };
	json_error_t e;
	json_t *reports = json_loads(
		"[{\"kind\":\"PodNetworkNode\",\"metadata\":{\"name\":\"n1\"},\"status\":{\"providers\":["
		"{\"name\":\"podnet.dev/cni\"},"
		"{\"name\":\"acme.io/other\",\"parameterKinds\":[\"acme.io/AcmeNet\"]}]}},"
		"{\"kind\":\"PodNetworkNode\",\"metadata\":{\"name\":\"n2\"},\"status\":{\"providers\":["
		"{\"name\":\"acme.io/fast\",\"parameterKinds\":[\"acme.io/Other\",\"acme.io/AcmeNet\"]}]}}]",
		0, &e);
	json_t *store = json_object(), *bad;
	char msg[512];

	assert_non_null(reports);
	assert_true(pn_param_ref_supported_by(&vendor, "acme.io/fast", reports, msg, sizeof(msg)));
	/* the informer store's shape: name -> object */
	json_object_set(store, "n2", json_array_get(reports, 1));
	assert_true(pn_param_ref_supported_by(&vendor, "acme.io/fast", store, msg, sizeof(msg)));
	/* declared by another provider only */
	assert_false(pn_param_ref_supported_by(&vendor, "acme.io/slow", reports, msg, sizeof(msg)));
	assert_string_equal(msg, "parameters of kind acme.io/AcmeNet are not supported by podnet, and provider "
				 "acme.io/slow declares it on no node (PodNetworkNode status.providers[].parameterKinds)");
	/* no reports: the provider's kind is unknown; podnet's own are fine */
	assert_false(pn_param_ref_supported_by(&vendor, "acme.io/fast", NULL, msg, sizeof(msg)));
	assert_true(pn_param_ref_supported_by(&ours, "acme.io/fast", NULL, msg, sizeof(msg)));
	/* a kind must match whole: group and kind, not a prefix */
	bad = json_loads("[{\"status\":{\"providers\":[{\"name\":\"acme.io/fast\",\"parameterKinds\":"
			 "[\"acme.io/AcmeNetX\",\"acme.iox/AcmeNet\",\"acme.io\",7,null]},\"junk\"]}},"
			 "{\"status\":{\"providers\":{\"name\":\"acme.io/fast\"}}}, 5]", 0, &e);
	assert_non_null(bad);
	assert_false(pn_param_ref_supported_by(&vendor, "acme.io/fast", bad, msg, sizeof(msg)));
	json_decref(bad);
	json_decref(store);
	json_decref(reports);
}

/* A provider's own kind reaches the plan as a reference (group, kind,
 * name), survives the wire format, and an attachment's ref of the same
 * group/kind replaces the network's. */
static void unit__plan__vendor_refs_carried(void **state)
{
	struct store s = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_plan p, back;
	const struct pn_plan_attachment *a, *b;
	json_t *j;

	store_add(&s, NET("default", "{}"));
	store_add(&s, NET("acme-net", "{'provider':'acme.io/fast','parametersRefs':["
			  REF("acme.io", "AcmeNet", "gold") "," REF("acme.io", "AcmeQos", "low") "]}"));
	store_add(&s, "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':"
		      "{'name':'acme-silver','namespace':'team-a'},'spec':{'podNetworkName':'acme-net',"
		      "'parametersRefs':[{'group':'acme.io','kind':'AcmeNet','name':'silver','namespace':'team-a'}]}}");
	assert_int_equal(plan(&s, "[{'podNetworkName':'acme-net'}]", &p, &ps), 0);
	a = pn_plan_find(&p, "acme-net");
	assert_non_null(a);
	assert_int_equal(a->n_refs, 2);
	assert_string_equal(a->refs[0].group, "acme.io");
	assert_string_equal(a->refs[0].kind, "AcmeNet");
	assert_string_equal(a->refs[0].name, "gold");
	assert_null(a->params);
	j = pn_plan_encode(&p);
	assert_non_null(j);
	assert_int_equal(pn_plan_decode(j, &back, &ps), 0);
	b = pn_plan_find(&back, "acme-net");
	assert_non_null(b);
	assert_true(pn_plan_equal(&p, &back));
	assert_int_equal(b->n_refs, 2);
	assert_string_equal(b->refs[1].kind, "AcmeQos");
	json_decref(j);
	pn_plan_clear(&back);
	pn_plan_clear(&p);
	/* through the attachment: its AcmeNet replaces the network's */
	assert_int_equal(plan(&s, "[{'podNetworkAttachmentName':'acme-silver'}]", &p, &ps), 0);
	expect_clean(&ps);
	a = pn_plan_find(&p, "acme-net");
	assert_non_null(a);
	assert_int_equal(a->n_refs, 2);
	assert_string_equal(a->refs[0].kind, "AcmeQos");
	assert_string_equal(a->refs[1].name, "silver");
	assert_string_equal(a->refs[1].namespace, "team-a");
	pn_plan_clear(&p);
	store_clear(&s);
}

static void unit__plan__param_kind_valid(void **state)
{
	const char *good[] = { "acme.io/AcmeNet", "a.b/K", "x-1.example.com/Net2" };
	const char *badv[] = { "", "acme.io", "/AcmeNet", "acme/AcmeNet", "acme.io/", "acme.io/acmeNet",
			       "Acme.io/AcmeNet", "acme..io/AcmeNet", ".acme.io/AcmeNet", "acme.io./AcmeNet",
			       "acme-.io/AcmeNet", "acme.io/Acme-Net", "acme.io/Acme/Net", "acme_x.io/AcmeNet" };
	char why[128];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(pn_param_kind_valid(good[i], why, sizeof(why)));
	for (size_t i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		why[0] = 0;
		if (pn_param_kind_valid(badv[i], why, sizeof(why)))
			fail_msg("\"%s\" taken as a kind", badv[i]);
		assert_true(why[0] != 0);
	}
	assert_false(pn_param_kind_valid(NULL, NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__plan__default_through_attachment_keeps_eth0),
		cmocka_unit_test(unit__plan__attachment_not_ready_refused),
		cmocka_unit_test(unit__plan__param_kinds_supported),
		cmocka_unit_test(unit__plan__param_kinds_declared_by_provider),
		cmocka_unit_test(unit__plan__param_kind_valid),
		cmocka_unit_test(unit__plan__vendor_refs_carried),
		cmocka_unit_test(unit__plan__no_request_is_default_on_eth0),
		cmocka_unit_test(unit__plan__api_example),
		cmocka_unit_test(unit__plan__interface_names),
		cmocka_unit_test(unit__plan__name_interfaces_directly),
		cmocka_unit_test(unit__plan__default_routes),
		cmocka_unit_test(unit__plan__no_default__primary_on_eth0),
		cmocka_unit_test(unit__plan__problems),
		cmocka_unit_test(unit__plan__host_network),
		cmocka_unit_test(unit__plan__nad_and_missing_resolver),
		cmocka_unit_test(unit__plan__from_pod),
		cmocka_unit_test(unit__plan__encode_exactly_as_api_md),
		cmocka_unit_test(unit__plan__decode_problems),
		cmocka_unit_test(unit__plan__network_status),
		cmocka_unit_test(unit__plan__namespace_refused_direct),
		cmocka_unit_test(unit__plan__namespace_refused_through_attachment),
		cmocka_unit_test(unit__plan__namespace_allowed),
		cmocka_unit_test(unit__plan__namespace_unknown_refused),
		cmocka_unit_test(unit__plan__namespace_planned_network_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
