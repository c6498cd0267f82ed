/* test_model.c — decoders, encoders (unknown fields kept), defaulting, name
 * checks, and hostile values. */
#include "test_model_util.h"

#include "pn/plan.h"

/* ---- name and value checks ------------------------------------------------- */

static void unit__model__dns_names(void **state)
{
	char s[300];

	assert_true(pn_is_dns1123_subdomain("a"));
	assert_true(pn_is_dns1123_subdomain("media-net"));
	assert_true(pn_is_dns1123_subdomain("a.b-c.d1"));
	assert_true(pn_is_dns1123_subdomain("0abc"));
	assert_false(pn_is_dns1123_subdomain(""));
	assert_false(pn_is_dns1123_subdomain(NULL));
	assert_false(pn_is_dns1123_subdomain("-a"));
	assert_false(pn_is_dns1123_subdomain("a-"));
	assert_false(pn_is_dns1123_subdomain("a..b"));
	assert_false(pn_is_dns1123_subdomain("a.-b"));
	assert_false(pn_is_dns1123_subdomain("a-.b"));
	assert_false(pn_is_dns1123_subdomain(".a"));
	assert_false(pn_is_dns1123_subdomain("A"));
	assert_false(pn_is_dns1123_subdomain("a_b"));
	assert_false(pn_is_dns1123_subdomain("a b"));
	memset(s, 'a', sizeof(s));
	s[253] = 0;
	assert_true(pn_is_dns1123_subdomain(s));
	s[253] = 'a';
	s[254] = 0;
	assert_false(pn_is_dns1123_subdomain(s));

	assert_true(pn_is_dns1123_label("team-a"));
	assert_false(pn_is_dns1123_label("team.a"));
	assert_false(pn_is_dns1123_label("Team"));
	s[63] = 0;
	assert_true(pn_is_dns1123_label(s));
	s[63] = 'a';
	s[64] = 0;
	assert_false(pn_is_dns1123_label(s));
}

static void unit__model__provider_names(void **state)
{
	assert_true(pn_is_provider_name("podnet.dev/cni"));
	assert_true(pn_is_provider_name("acme.io/foo"));
	assert_true(pn_is_provider_name("acme.io/foo/Bar_2.x"));
	assert_false(pn_is_provider_name("acme.io"));
	assert_false(pn_is_provider_name("acme/foo"));
	assert_false(pn_is_provider_name("acme.io/"));
	assert_false(pn_is_provider_name("acme.io/a//b"));
	assert_false(pn_is_provider_name("acme.io/a/../b"));
	assert_false(pn_is_provider_name("ACME.io/a"));
	assert_false(pn_is_provider_name(""));
	assert_false(pn_is_provider_name(NULL));
}

static void unit__model__ifnames(void **state)
{
	assert_true(pn_is_ifname("eth0"));
	assert_true(pn_is_ifname("net1"));
	assert_true(pn_is_ifname("a"));
	assert_true(pn_is_ifname("abcdefghijklmno"));
	assert_true(pn_is_ifname("eth0.100"));
	assert_true(pn_is_ifname("..."));
	assert_false(pn_is_ifname("abcdefghijklmnop"));
	assert_false(pn_is_ifname(""));
	assert_false(pn_is_ifname(NULL));
	assert_false(pn_is_ifname("."));
	assert_false(pn_is_ifname(".."));
	assert_false(pn_is_ifname("a/b"));
	assert_false(pn_is_ifname("a:b"));
	assert_false(pn_is_ifname("a b"));
	assert_false(pn_is_ifname("a\tb"));
	assert_false(pn_is_ifname("a\x01"));
}

static void unit__model__addresses(void **state)
{
	assert_int_equal(pn_ip_family("10.0.0.1"), 4);
	assert_int_equal(pn_ip_family("fd00::1"), 6);
	assert_int_equal(pn_ip_family("::ffff:10.0.0.1"), 6);
	assert_int_equal(pn_ip_family("10.0.0"), 0);
	assert_int_equal(pn_ip_family("10.0.0.256"), 0);
	assert_int_equal(pn_ip_family("10.0.0.1/32"), 0);
	assert_int_equal(pn_ip_family(""), 0);
	assert_int_equal(pn_ip_family("fd00::1%eth0"), 0);
	assert_int_equal(pn_cidr_family("10.0.0.0/8"), 4);
	assert_int_equal(pn_cidr_family("10.0.0.0/32"), 4);
	assert_int_equal(pn_cidr_family("10.0.0.0/33"), 0);
	assert_int_equal(pn_cidr_family("fd00::/128"), 6);
	assert_int_equal(pn_cidr_family("fd00::/129"), 0);
	assert_int_equal(pn_cidr_family("10.0.0.0/"), 0);
	assert_int_equal(pn_cidr_family("10.0.0.0/-1"), 0);
	assert_int_equal(pn_cidr_family("10.0.0.0/8x"), 0);
	assert_int_equal(pn_cidr_family("10.0.0.0"), 0);
	assert_int_equal(pn_cidr_family("10.0.0.0/024"), 0);
	assert_int_equal(pn_cidr_family("0.0.0.0/0"), 4);
	assert_int_equal(pn_ip_family("010.0.0.1"), 0);
	assert_int_equal(pn_ip_family("1.2.3.4 "), 0);
	assert_true(pn_is_unicast_mac("02:00:00:00:00:01"));
	assert_false(pn_is_unicast_mac("01:00:00:00:00:01"));
}

static void unit__model__kinds(void **state)
{
	json_t *a = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool'}");
	json_t *b = jq("{'apiVersion':'networking.k8s.io/v1alpha1','kind':'PodNetwork'}");
	json_t *c = jq("{'apiVersion':'networking.k8s.io/v1alpha1','kind':'CNIConfig'}");
	json_t *d = jq("{'apiVersion':'v1','kind':'Pod'}");
	json_t *e = jq("{'apiVersion':'v1','kind':5}");

	assert_int_equal(pn_kind_of(a), PN_KIND_IPPOOL);
	assert_int_equal(pn_kind_of(b), PN_KIND_PODNETWORK);
	assert_int_equal(pn_kind_of(c), PN_KIND_UNKNOWN);
	assert_int_equal(pn_kind_of(d), PN_KIND_POD);
	assert_int_equal(pn_kind_of(e), PN_KIND_UNKNOWN);
	assert_string_equal(pn_kind_name(PN_KIND_PODNETWORKATTACHMENT), "PodNetworkAttachment");
	assert_string_equal(pn_kind_name(PN_KIND_UNKNOWN), "");
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
	json_decref(e);
}

/* ---- decoding -------------------------------------------------------------- */

static void unit__model__podnetwork_fields(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'media-net',"
		       "'uid':'u-1','generation':3,'resourceVersion':'77','finalizers':['podnet.dev/in-use'],"
		       "'labels':{'a':'b'},'annotations':{'x':'y'},'deletionTimestamp':'2026-01-01T00:00:00Z'},"
		       "'spec':{'enabled':false,'provider':'podnet.dev/cni','parametersRefs':["
		       "{'group':'k8s.cni.cncf.io','kind':'NetworkAttachmentDefinition','namespace':'ns','name':'nad'}]},"
		       "'status':{'observedGeneration':2,'conditions':[{'type':'Ready','status':'True'}]}}");
	struct pn_podnetwork *pn;

	assert_int_equal(pn_podnetwork_decode(j, &pn, &ps), 0);
	expect_clean(&ps);
	assert_string_equal(pn->meta.name, "media-net");
	assert_null(pn->meta.namespace);
	assert_string_equal(pn->meta.uid, "u-1");
	assert_int_equal(pn->meta.generation, 3);
	assert_string_equal(pn->meta.resource_version, "77");
	assert_int_equal(pn->meta.n_finalizers, 1);
	assert_string_equal(pn->meta.finalizers[0], "podnet.dev/in-use");
	assert_string_equal(json_string_value(json_object_get(pn->meta.labels, "a")), "b");
	assert_string_equal(pn->meta.deletion_timestamp, "2026-01-01T00:00:00Z");
	assert_true(pn->spec.enabled_set);
	assert_false(pn->spec.enabled);
	assert_string_equal(pn->spec.provider, "podnet.dev/cni");
	assert_int_equal(pn->spec.n_refs, 1);
	assert_string_equal(pn->spec.refs[0].namespace, "ns");
	assert_string_equal(pn->spec.refs[0].kind, "NetworkAttachmentDefinition");
	assert_int_equal(pn->status.observed_generation, 2);
	assert_int_equal(json_array_size(pn->status.conditions), 1);
	pn_podnetwork_free(pn);
	json_decref(j);
	pn_podnetwork_free(NULL);
	pn_attachment_free(NULL);
	pn_cniconfig_free(NULL);
	pn_ippool_free(NULL);
	pn_pod_free(NULL);
}

static void unit__model__ippool_fields(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'media-pool'},"
		       "'spec':{'ranges':[{'cidr':'172.16.1.0/24','start':'172.16.1.100','end':'172.16.1.200',"
		       "'gateway':'172.16.1.1','exclude':['172.16.1.150/32']},{'cidr':'fd00:10::/64'}],"
		       "'routes':[{'dst':'10.20.0.0/16'},{'dst':'10.30.0.0/16','gw':'172.16.1.254'}]},"
		       "'status':{'ranges':[{'cidr':'172.16.1.0/24','size':100,'allocated':42}]}}");
	struct pn_ippool *p;

	assert_int_equal(pn_ippool_decode(j, &p, &ps), 0);
	expect_clean(&ps);
	assert_int_equal(p->spec.n_ranges, 2);
	assert_string_equal(p->spec.ranges[0].start, "172.16.1.100");
	assert_string_equal(p->spec.ranges[0].end, "172.16.1.200");
	assert_string_equal(p->spec.ranges[0].gateway, "172.16.1.1");
	assert_int_equal(p->spec.ranges[0].n_exclude, 1);
	assert_null(p->spec.ranges[1].start);
	assert_int_equal(p->spec.n_routes, 2);
	assert_null(p->spec.routes[0].gw);
	assert_string_equal(p->spec.routes[1].gw, "172.16.1.254");
	assert_int_equal(json_array_size(p->status.ranges), 1);
	pn_ippool_free(p);
	json_decref(j);
}

static void unit__model__pod_fields(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'team-a','uid':'u',"
		       "'annotations':{'podnet.dev/networks':'[{\\'name\\':\\'a\\',\\'attachmentName\\':null,"
		       "\\'isDefaultGW\\':true,\\'interfaceName\\':\\'x1\\',\\'ips\\':[\\'10.0.0.1\\'],"
		       "\\'mac\\':\\'02:00:00:00:00:01\\'},{\\'attachmentName\\':\\'b\\',\\'isDefaultGW6\\':false}]'}},"
		       "'spec':{'nodeName':'node-1','hostNetwork':false},'status':{'phase':'Succeeded'}}");
	struct pn_pod *pod;
	json_t *enc;
	char *s;

	assert_int_equal(pn_pod_decode(j, NULL, &pod, &ps), 0);
	expect_clean(&ps);
	assert_string_equal(pod->node_name, "node-1");
	assert_false(pod->host_network);
	assert_true(pn_pod_terminal(pod));
	assert_string_equal(pod->networks_source, "metadata.annotations[\"podnet.dev/networks\"]");
	assert_int_equal(pod->networks.n, 2);
	assert_string_equal(pod->networks.v[0].network, "a");
	assert_null(pod->networks.v[0].attachment);
	assert_int_equal(pod->networks.v[0].gw4, PN_FLAG_TRUE);
	assert_int_equal(pod->networks.v[0].gw6, PN_FLAG_TRUE);
	assert_string_equal(pod->networks.v[0].interface, "x1");
	assert_string_equal(pod->networks.v[0].ips[0], "10.0.0.1");
	assert_string_equal(pod->networks.v[0].mac, "02:00:00:00:00:01");
	assert_string_equal(pod->networks.v[1].attachment, "b");
	assert_int_equal(pod->networks.v[1].gw4, PN_FLAG_UNSET);
	assert_int_equal(pod->networks.v[1].gw6, PN_FLAG_FALSE);
	/* canonical names when encoded */
	enc = pn_netreqs_encode(&pod->networks);
	s = json_dumps(enc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "[{\"podNetworkName\":\"a\",\"interfaceName\":\"x1\",\"isDefaultGW4\":true,"
			       "\"isDefaultGW6\":true,\"ips\":[\"10.0.0.1\"],\"mac\":\"02:00:00:00:00:01\"},"
			       "{\"podNetworkAttachmentName\":\"b\",\"isDefaultGW6\":false}]");
	free(s);
	json_decref(enc);
	pn_pod_free(pod);
	json_decref(j);

	/* no annotation: not present */
	j = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'status':{'phase':'Running'}}");
	assert_int_equal(pn_pod_decode(j, NULL, &pod, &ps), 0);
	assert_false(pod->networks.present);
	assert_false(pn_pod_terminal(pod));
	assert_null(pod->networks_source);
	pn_pod_free(pod);
	json_decref(j);
}

static json_t *yaml_stub(const char *text, size_t len, char *err, size_t errlen, void *ctx)
{
	int *calls = ctx;

	(*calls)++;
	if (len == 3 && !memcmp(text, "bad", 3)) {
		snprintf(err, errlen, "line 1: stub refuses");
		return NULL;
	}
	return jq("[{'podNetworkName':'from-parser'}]");
}

static void unit__model__pod_annotation_parser_hook(void **state)
{
	struct pn_problems ps = { 0 };
	int calls = 0;
	struct pn_pod_decode_opts opts = { .parse = yaml_stub, .parse_ctx = &calls };
	json_t *j = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':"
		       "{'podnet.dev/networks':'- podNetworkName: x'}}}");
	json_t *k = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':"
		       "{'podnet.dev/networks':'bad'}}}");
	struct pn_pod *pod;

	assert_int_equal(pn_pod_decode(j, &opts, &pod, &ps), 0);
	assert_int_equal(calls, 1);
	assert_string_equal(pod->networks.v[0].network, "from-parser");
	pn_pod_free(pod);
	assert_int_equal(pn_pod_decode(k, &opts, &pod, &ps), 1);
	expect_only(&ps, "metadata.annotations[\"podnet.dev/networks\"]", "stub refuses");
	pn_pod_free(pod);
	pn_problems_clear(&ps);
	json_decref(j);
	json_decref(k);
}

static void unit__model__wrong_types_everywhere(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':1,"
		       "'generation':'3','finalizers':'x','labels':[],'uid':{}},"
		       "'spec':{'enabled':1,'provider':['a'],'parametersRefs':[{'group':false,'kind':{},"
		       "'name':1.5,'namespace':[]}]},'status':{'observedGeneration':1.5,'conditions':{}}}");
	struct pn_podnetwork *pn;

	assert_int_equal(pn_podnetwork_decode(j, &pn, &ps), 13);
	expect_problem(&ps, "metadata.name", "must be a string, not a number");
	expect_problem(&ps, "metadata.generation", "must be an integer, not a string");
	expect_problem(&ps, "metadata.finalizers", "must be a list, not a string");
	expect_problem(&ps, "metadata.labels", "must be an object, not a list");
	expect_problem(&ps, "metadata.uid", "must be a string, not an object");
	expect_problem(&ps, "spec.enabled", "must be a boolean, not a number");
	expect_problem(&ps, "spec.provider", "must be a string, not a list");
	expect_problem(&ps, "spec.parametersRefs[0].group", "must be a string, not a boolean");
	expect_problem(&ps, "spec.parametersRefs[0].kind", "must be a string, not an object");
	expect_problem(&ps, "spec.parametersRefs[0].name", "must be a string, not a number");
	expect_problem(&ps, "spec.parametersRefs[0].namespace", "must be a string, not a list");
	expect_problem(&ps, "status.observedGeneration", "must be an integer, not a number");
	expect_problem(&ps, "status.conditions", "must be a list, not an object");
	assert_false(pn->spec.enabled_set);
	assert_null(pn->spec.provider);
	/* the validator adds nothing at paths already reported */
	assert_true(pn_podnetwork_validate(pn, &ps) > 0);
	assert_int_equal(ps.n, 13);
	pn_podnetwork_free(pn);
	pn_problems_clear(&ps);
	json_decref(j);
}

static void unit__model__not_objects(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *s = json_string("x");
	struct pn_podnetwork *pn;
	struct pn_attachment *pa;
	struct pn_cniconfig *c;
	struct pn_ippool *p;
	struct pn_pod *pod;
	struct pn_netreqs q;

	assert_int_equal(pn_podnetwork_decode(s, &pn, &ps), 1);
	assert_int_equal(pn_attachment_decode(s, &pa, &ps), 1);
	assert_int_equal(pn_cniconfig_decode(s, &c, &ps), 1);
	assert_int_equal(pn_ippool_decode(s, &p, &ps), 1);
	assert_int_equal(pn_pod_decode(s, NULL, &pod, &ps), 1);
	assert_int_equal(ps.n, 1); /* all at path "", reported once */
	expect_problem(&ps, "", "must be an object, not a string");
	/* the objects exist and encode to something valid */
	json_t *e = pn_podnetwork_encode(pn);
	assert_non_null(e);
	json_decref(e);
	pn_podnetwork_free(pn);
	pn_attachment_free(pa);
	pn_cniconfig_free(c);
	pn_ippool_free(p);
	pn_pod_free(pod);
	pn_problems_clear(&ps);
	assert_int_equal(pn_netreqs_decode(s, "podnet.dev/networks", &q, &ps), 1);
	expect_only(&ps, "podnet.dev/networks", "must be a list, not a string");
	pn_netreqs_clear(&q);
	pn_problems_clear(&ps);
	json_decref(s);
}

/* ---- unknown fields are kept ----------------------------------------------- */

static void unit__model__unknown_fields_survive_encode(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','x-top':{'deep':[1,2,{'z':null}]},"
		       "'metadata':{'name':'media-net','managedFields':[{'manager':'kubectl'}],'labels':{'l':'v'}},"
		       "'spec':{'provider':'podnet.dev/cni','futureField':42,'parametersRefs':[{'group':'podnet.dev',"
		       "'kind':'IPPool','name':'p','extra':'kept'}]},'status':{'conditions':[],'other':'s'}}");
	struct pn_podnetwork *pn;
	json_t *enc, *want;
	char *old;

	assert_int_equal(pn_podnetwork_decode(j, &pn, &ps), 0);
	/* unchanged: the encoding is the input */
	enc = pn_podnetwork_encode(pn);
	assert_true(json_equal(enc, j));
	json_decref(enc);
	/* defaulted and changed: typed fields written over, the rest kept */
	pn_podnetwork_default(pn);
	old = pn->spec.provider;
	pn->spec.provider = strdup("acme.io/x");
	free(old);
	free(pn->spec.refs[0].name);
	pn->spec.refs[0].name = strdup("q");
	enc = pn_podnetwork_encode(pn);
	want = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','x-top':{'deep':[1,2,{'z':null}]},"
		  "'metadata':{'name':'media-net','managedFields':[{'manager':'kubectl'}],'labels':{'l':'v'}},"
		  "'spec':{'provider':'acme.io/x','futureField':42,'enabled':true,'parametersRefs':[{'group':'podnet.dev',"
		  "'kind':'IPPool','name':'q','extra':'kept'}]},'status':{'conditions':[],'other':'s'}}");
	assert_true(json_equal(enc, want));
	json_decref(enc);
	/* typed status cleared: unknown status fields still kept */
	json_decref(pn->status.conditions);
	pn->status.conditions = NULL;
	enc = pn_podnetwork_encode(pn);
	assert_string_equal(json_string_value(json_object_get(json_object_get(enc, "status"), "other")), "s");
	assert_null(json_object_get(json_object_get(enc, "status"), "conditions"));
	/* the input was not touched */
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "spec"), "provider")),
			    "podnet.dev/cni");
	json_decref(enc);
	json_decref(want);
	pn_podnetwork_free(pn);
	json_decref(j);
}

static void unit__model__unknown_fields_other_kinds(void **state)
{
	static const char *const docs[] = {
		"{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':{'name':'a',"
		"'namespace':'n'},'spec':{'podNetworkName':'m','z':1,'parametersRefs':[{'group':'podnet.dev',"
		"'kind':'IPPool','name':'p','y':2}]},'extra':true}",
		"{'apiVersion':'podnet.dev/v1alpha1','kind':'CNIConfig','metadata':{'name':'c'},"
		"'spec':{'cniVersion':'0.4.0','plugins':[{'type':'bridge','ipam':{'type':'host-local',"
		"'ranges':[[{'subnet':'10.0.0.0/24'}]]}}],'disableCheck':true}}",
		"{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'p'},"
		"'spec':{'ranges':[{'cidr':'10.0.0.0/24','comment':'lab','exclude':['10.0.0.9/32']}],"
		"'routes':[{'dst':'10.1.0.0/16','metric':5}],'vendor':{}},'status':{'ranges':[{'cidr':'10.0.0.0/24',"
		"'size':253,'allocated':1}],'conditions':[{'type':'Ready'}]}}",
		NULL,
	};

	for (const char *const *d = docs; *d; d++) {
		struct pn_problems ps = { 0 };
		json_t *j = jq(*d), *enc;
		struct pn_object o;

		assert_int_equal(pn_object_decode(j, NULL, &o, &ps), 0);
		expect_clean(&ps);
		assert_int_equal(pn_object_validate(&o, &ps), 0);
		enc = pn_object_encode(&o);
		if (!json_equal(enc, j)) {
			char *s = json_dumps(enc, JSON_COMPACT | JSON_SORT_KEYS);
			fail_msg("encoding changed the object: %s", s);
		}
		json_decref(enc);
		pn_object_release(&o);
		pn_object_release(&o); /* twice is harmless */
		json_decref(j);
	}
}

static void unit__model__cniconfig_default_encodes(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'CNIConfig','metadata':{'name':'c'},"
		       "'spec':{'plugins':[{'type':'bridge'}]}}");
	struct pn_object o;
	json_t *enc;

	assert_int_equal(pn_object_decode(j, NULL, &o, &ps), 0);
	pn_object_default(&o);
	enc = pn_object_encode(&o);
	assert_string_equal(json_string_value(json_object_get(json_object_get(enc, "spec"), "cniVersion")),
			    "1.0.0");
	assert_string_equal(pn_object_meta(&o)->name, "c");
	json_decref(enc);
	pn_object_release(&o);
	json_decref(j);
}

/* ---- hostile values -------------------------------------------------------- */

static void unit__model__huge_and_nul_strings(void **state)
{
	struct pn_problems ps = { 0 };
	size_t n = 1 << 20;
	char *big = malloc(n + 1);
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{},"
		       "'spec':{'provider':'podnet.dev/cni'}}");
	struct pn_podnetwork *pn;

	memset(big, 'a', n);
	big[n] = 0;
	json_object_set_new(json_object_get(j, "metadata"), "name", json_string(big));
	json_object_set_new(json_object_get(j, "spec"), "provider", json_stringn("podnet.dev/c\0ni", 15));
	assert_int_equal(pn_podnetwork_decode(j, &pn, &ps), 2);
	expect_problem(&ps, "metadata.name", "at most 4096 bytes");
	expect_problem(&ps, "spec.provider", "NUL");
	pn_podnetwork_free(pn);
	pn_problems_clear(&ps);
	json_decref(j);
	free(big);
}

static void unit__model__deep_unknown_values(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'CNIConfig','metadata':{'name':'c'},"
		       "'spec':{'plugins':[{'type':'bridge'}]}}");
	json_t *deep = json_array(), *cur = deep, *enc;
	struct pn_cniconfig *c;

	/* 10000 levels, built directly (a parser would refuse this depth) */
	for (int i = 0; i < 10000; i++) {
		json_t *n = json_array();
		json_array_append_new(cur, n);
		cur = n;
	}
	json_object_set_new(json_array_get(json_object_get(json_object_get(j, "spec"), "plugins"), 0),
			    "deep", deep);
	assert_int_equal(pn_cniconfig_decode(j, &c, &ps), 0);
	assert_int_equal(pn_cniconfig_validate(c, &ps), 0);
	enc = pn_cniconfig_encode(c);
	assert_non_null(enc);
	assert_true(json_equal(enc, j));
	json_decref(enc);
	pn_cniconfig_free(c);
	json_decref(j);
}

static void unit__model__too_many_entries(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'p'},"
		       "'spec':{'ranges':[]}}");
	json_t *ranges = json_object_get(json_object_get(j, "spec"), "ranges");
	struct pn_ippool *p;

	for (int i = 0; i < 65; i++)
		json_array_append_new(ranges, json_pack("{s:s}", "cidr", "10.0.0.0/24"));
	assert_int_equal(pn_ippool_decode(j, &p, &ps), 1);
	expect_only(&ps, "spec.ranges", "at most 64 entries (has 65)");
	pn_ippool_free(p);
	pn_problems_clear(&ps);
	json_decref(j);
}

static void unit__model__huge_annotation(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':{}}}");
	size_t n = PN_MAX_ANNOTATION + 1;
	char *big = malloc(n + 1);
	struct pn_pod *pod;

	memset(big, ' ', n);
	big[n] = 0;
	json_object_set_new(json_object_get(json_object_get(j, "metadata"), "annotations"),
			    PN_ANNOTATION_NETWORKS, json_string(big));
	assert_int_equal(pn_pod_decode(j, NULL, &pod, &ps), 1);
	expect_only(&ps, "metadata.annotations[\"podnet.dev/networks\"]", "at most");
	pn_pod_free(pod);
	pn_problems_clear(&ps);
	json_decref(j);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__model__dns_names),
		cmocka_unit_test(unit__model__provider_names),
		cmocka_unit_test(unit__model__ifnames),
		cmocka_unit_test(unit__model__addresses),
		cmocka_unit_test(unit__model__kinds),
		cmocka_unit_test(unit__model__podnetwork_fields),
		cmocka_unit_test(unit__model__ippool_fields),
		cmocka_unit_test(unit__model__pod_fields),
		cmocka_unit_test(unit__model__pod_annotation_parser_hook),
		cmocka_unit_test(unit__model__wrong_types_everywhere),
		cmocka_unit_test(unit__model__not_objects),
		cmocka_unit_test(unit__model__unknown_fields_survive_encode),
		cmocka_unit_test(unit__model__unknown_fields_other_kinds),
		cmocka_unit_test(unit__model__cniconfig_default_encodes),
		cmocka_unit_test(unit__model__huge_and_nul_strings),
		cmocka_unit_test(unit__model__deep_unknown_values),
		cmocka_unit_test(unit__model__too_many_entries),
		cmocka_unit_test(unit__model__huge_annotation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
