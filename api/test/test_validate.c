/* test_validate.c — every rule of API.md, good and bad, with the exact path
 * of each problem. */
#include "test_model_util.h"

/* Decodes any object by kind, then validates it; problems of both land in ps. */
static void check(const char *text, struct pn_problems *ps)
{
	json_t *j = jq(text);
	struct pn_object o;
	int r = pn_object_decode(j, NULL, &o, ps);

	assert_true(r >= 0);
	if (o.kind != PN_KIND_UNKNOWN)
		assert_true(pn_object_validate(&o, ps) >= 0);
	pn_object_release(&o);
	json_decref(j);
}

static void check_clean(const char *text)
{
	struct pn_problems ps = { 0 };

	check(text, &ps);
	expect_clean(&ps);
	pn_problems_clear(&ps);
}

static void check_one(const char *text, const char *path, const char *needle)
{
	struct pn_problems ps = { 0 };

	check(text, &ps);
	expect_only(&ps, path, needle);
	pn_problems_clear(&ps);
}

#define PN_HEAD "'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'media-net'}"
#define PN(spec) "{" PN_HEAD ",'spec':" spec "}"
#define REF(g, k, n) "{'group':'" g "','kind':'" k "','name':'" n "'}"

/* ---- PodNetwork ------------------------------------------------------------ */

static void unit__validate__podnetwork_good(void **state)
{
	check_clean(PN("{'enabled':true,'provider':'podnet.dev/cni','parametersRefs':["
		       REF("podnet.dev", "CNIConfig", "macvlan-media") ","
		       REF("podnet.dev", "IPPool", "media-pool") "]}"));
	check_clean("{'apiVersion':'networking.k8s.io/v1alpha1','kind':'PodNetwork',"
		    "'metadata':{'name':'a.b-c'},'spec':{'provider':'acme.io/foo/bar'}}");
	check_clean("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
		    "'metadata':{'name':'default'},'spec':{'enabled':true}}");
	check_clean("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
		    "'metadata':{'name':'default'}}");
	check_clean(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'k8s.cni.cncf.io',"
		       "'kind':'NetworkAttachmentDefinition','namespace':'ns','name':'nad'}]}"));
	check_clean(PN("{'provider':'acme.io/x','parametersRefs':[" REF("acme.io", "Foo", "a") ","
		       REF("acme.io", "Bar2", "a") "]}"));
}

static void unit__validate__podnetwork_name(void **state)
{
	char big[400];

	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':"
		  "{'name':'Media_Net'},'spec':{'provider':'podnet.dev/cni'}}",
		  "metadata.name", "DNS-1123 subdomain");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{},"
		  "'spec':{'provider':'podnet.dev/cni'}}",
		  "metadata.name", "is required");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':"
		  "{'name':'a','namespace':'x'},'spec':{'provider':'podnet.dev/cni'}}",
		  "metadata.namespace", "cluster-scoped");
	/* 253 characters is the limit */
	memset(big, 'a', sizeof(big));
	strcpy(big, "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'");
	size_t n = strlen(big);
	memset(big + n, 'a', 253);
	strcpy(big + n + 253, "'},'spec':{'provider':'podnet.dev/cni'}}");
	check_clean(big);
	memset(big + n, 'a', 254);
	strcpy(big + n + 254, "'},'spec':{'provider':'podnet.dev/cni'}}");
	check_one(big, "metadata.name", "at most 253");
}

static void unit__validate__podnetwork_provider(void **state)
{
	static const char *const bad[] = { "cni", "acme/foo", "acme.io/", "Acme.io/foo",
					   "acme.io//x", "/foo", "acme.io/a b", "-acme.io/x",
					   "acme.io/..", NULL };
	char text[512];

	check_one(PN("{'enabled':true}"), "spec.provider", "is required");
	check_one(PN("{'provider':''}"), "spec.provider", "is required");
	for (const char *const *b = bad; *b; b++) {
		snprintf(text, sizeof(text), PN("{'provider':'%s'}"), *b);
		check_one(text, "spec.provider", "domain-prefixed path");
	}
	check_one(PN("{'provider':5}"), "spec.provider", "must be a string, not a number");
	/* default may have none, and cannot be disabled */
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
		  "'metadata':{'name':'default'},'spec':{'enabled':false}}",
		  "spec.enabled", "cannot be disabled");
	check_one(PN("{'provider':'podnet.dev/cni','enabled':'yes'}"), "spec.enabled",
		  "must be a boolean, not a string");
}

static void unit__validate__podnetwork_provider_length(void **state)
{
	char text[1024], prov[300];

	memset(prov, 0, sizeof(prov));
	strcpy(prov, "acme.io/");
	memset(prov + 8, 'x', 245); /* 253 */
	snprintf(text, sizeof(text), PN("{'provider':'%s'}"), prov);
	check_clean(text);
	prov[253] = 'x';
	snprintf(text, sizeof(text), PN("{'provider':'%s'}"), prov);
	check_one(text, "spec.provider", "1-253");
}

static void unit__validate__parameters_refs(void **state)
{
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[" REF("podnet.dev", "CNIConfig",
		     "a") ",{'kind':'IPPool','name':'p'}]}"),
		  "spec.parametersRefs[1].group", "is required");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'podnet.dev','name':'p'}]}"),
		  "spec.parametersRefs[0].kind", "is required");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'podnet.dev','kind':'IPPool'}]}"),
		  "spec.parametersRefs[0].name", "is required");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[" REF("podnet.dev", "CNIConfig",
		     "a") "," REF("podnet.dev", "Bridge", "b") "]}"),
		  "spec.parametersRefs[1].kind", "must be CNIConfig or IPPool");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[" REF("k8s.cni.cncf.io",
		     "NetworkAttachmentDefinition", "nad") "]}"),
		  "spec.parametersRefs[0].namespace", "is required");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'k8s.cni.cncf.io',"
		     "'kind':'Nad','name':'nad','namespace':'ns'}]}"),
		  "spec.parametersRefs[0].kind", "must be NetworkAttachmentDefinition");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'podnet.dev',"
		     "'kind':'IPPool','name':'p','namespace':'x'}]}"),
		  "spec.parametersRefs[0].namespace", "cluster-scoped");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[" REF("podnet.dev", "IPPool",
		     "a") "," REF("podnet.dev", "IPPool", "b") "]}"),
		  "spec.parametersRefs[1]", "only one IPPool");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[" REF("podnet.dev", "CNIConfig",
		     "a") ",{'group':'k8s.cni.cncf.io','kind':'NetworkAttachmentDefinition',"
		     "'namespace':'n','name':'b'}]}"),
		  "spec.parametersRefs[1]", "only one CNIConfig");
	check_one(PN("{'provider':'acme.io/x','parametersRefs':[" REF("acme.io", "Foo", "a") ","
		     REF("acme.io", "Foo", "a") "]}"),
		  "spec.parametersRefs[1]", "duplicates spec.parametersRefs[0]");
	check_one(PN("{'provider':'acme.io/x','parametersRefs':[" REF("acme.io", "foo", "a") "]}"),
		  "spec.parametersRefs[0].kind", "kind name");
	check_one(PN("{'provider':'acme.io/x','parametersRefs':[" REF("Acme_io", "Foo", "a") "]}"),
		  "spec.parametersRefs[0].group", "DNS-1123");
	check_one(PN("{'provider':'acme.io/x','parametersRefs':[" REF("acme.io", "Foo", "A") "]}"),
		  "spec.parametersRefs[0].name", "DNS-1123");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'podnet.dev',"
		     "'kind':'IPPool','name':7}]}"),
		  "spec.parametersRefs[0].name", "must be a string, not a number");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':{}}"),
		  "spec.parametersRefs", "must be a list, not an object");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':['x']}"),
		  "spec.parametersRefs[0]", "must be an object, not a string");
	check_one(PN("{'provider':'podnet.dev/cni','parametersRefs':[{'group':'k8s.cni.cncf.io',"
		     "'kind':'NetworkAttachmentDefinition','name':'n','namespace':'Bad_Ns'}]}"),
		  "spec.parametersRefs[0].namespace", "DNS-1123 label");
}

static void unit__validate__kinds_and_versions(void **state)
{
	check_one("{'apiVersion':'podnet.dev/v1','kind':'PodNetwork','metadata':{'name':'a'},"
		  "'spec':{'provider':'podnet.dev/cni'}}",
		  "apiVersion", "must be podnet.dev/v1alpha1 or networking.k8s.io/v1alpha1");
	check_one("{'apiVersion':'networking.k8s.io/v1alpha1','kind':'IPPool','metadata':{'name':'a'},"
		  "'spec':{'ranges':[{'cidr':'10.0.0.0/24'}]}}",
		  "apiVersion", "must be podnet.dev/v1alpha1 for kind IPPool");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'Frobnicator','metadata':{'name':'a'}}",
		  "kind", "unknown kind \"Frobnicator\"");
	check_one("{'kind':'PodNetwork','metadata':{'name':'a'}}", "apiVersion", "is required");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','metadata':{'name':'a'}}", "kind",
		  "is required");
	check_one("{'apiVersion':5,'kind':'PodNetwork'}", "apiVersion", "must be a string");
	check_one("{'apiVersion':'apps/v1','kind':'Pod','metadata':{'name':'a'}}", "apiVersion",
		  "must be v1 for kind Pod");
	check_one("[1,2]", "", "must be an object, not a list");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'a'},"
		  "'spec':[]}", "spec", "must be an object, not a list");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':'a',"
		  "'spec':{'provider':'podnet.dev/cni'}}", "metadata", "must be an object");
}

static void unit__validate__kind_mismatch_on_typed_decoder(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'a'}}");
	struct pn_podnetwork *pn = NULL;

	assert_int_equal(pn_podnetwork_decode(j, &pn, &ps), 1);
	expect_only(&ps, "kind", "must be PodNetwork, not \"IPPool\"");
	pn_podnetwork_free(pn);
	pn_problems_clear(&ps);
	json_decref(j);
}

static void unit__validate__podnetwork_immutable(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *a = jq(PN("{'enabled':true,'provider':'podnet.dev/cni','parametersRefs':["
			  REF("podnet.dev", "IPPool", "p") "]}"));
	json_t *b = jq(PN("{'enabled':false,'provider':'podnet.dev/cni','parametersRefs':["
			  REF("podnet.dev", "IPPool", "p") "]}"));
	json_t *c = jq(PN("{'enabled':true,'provider':'acme.io/x','parametersRefs':["
			  REF("podnet.dev", "IPPool", "q") "]}"));
	struct pn_podnetwork *pa, *pb, *pc;

	assert_int_equal(pn_podnetwork_decode(a, &pa, &ps), 0);
	assert_int_equal(pn_podnetwork_decode(b, &pb, &ps), 0);
	assert_int_equal(pn_podnetwork_decode(c, &pc, &ps), 0);
	assert_int_equal(pn_podnetwork_immutable(pa, pb, &ps), 0); /* enabled may change */
	expect_clean(&ps);
	assert_int_equal(pn_podnetwork_immutable(pa, pc, &ps), 2);
	expect_problem(&ps, "spec.provider", "is immutable");
	expect_problem(&ps, "spec.parametersRefs", "is immutable");
	pn_podnetwork_free(pa);
	pn_podnetwork_free(pb);
	pn_podnetwork_free(pc);
	pn_problems_clear(&ps);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* ---- PodNetworkAttachment -------------------------------------------------- */

#define PNA(md, spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':" md ",'spec':" spec "}"

static void unit__validate__attachment(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *a, *b;
	struct pn_attachment *pa, *pb;

	check_clean(PNA("{'name':'fast-media','namespace':'team-a'}",
			"{'podNetworkName':'media-net','parametersRefs':[" REF("podnet.dev", "IPPool", "p") "]}"));
	check_clean("{'apiVersion':'networking.k8s.io/v1alpha1','kind':'PodNetworkAttachment',"
		    "'metadata':{'name':'x'},'spec':{'podNetworkName':'m'}}");
	check_one(PNA("{'name':'fast-media','namespace':'team-a'}", "{}"), "spec.podNetworkName",
		  "is required");
	check_one(PNA("{'name':'fast-media','namespace':'team-a'}", "{'podNetworkName':'Bad!'}"),
		  "spec.podNetworkName", "DNS-1123");
	check_one(PNA("{'name':'fast-media','namespace':'Team_A'}", "{'podNetworkName':'m'}"),
		  "metadata.namespace", "DNS-1123 label");
	check_one(PNA("{'name':'fast-media'}", "{'podNetworkName':true}"), "spec.podNetworkName",
		  "must be a string, not a boolean");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment','metadata':"
		  "{'name':'x'}}", "spec", "is required");
	check_one(PNA("{'name':'x'}", "{'podNetworkName':'m','parametersRefs':[" REF("podnet.dev",
		      "IPPool", "p") "," REF("podnet.dev", "IPPool", "q") "]}"),
		  "spec.parametersRefs[1]", "only one IPPool");

	a = jq(PNA("{'name':'x'}", "{'podNetworkName':'m'}"));
	b = jq(PNA("{'name':'x'}", "{'podNetworkName':'n','parametersRefs':[" REF("podnet.dev", "IPPool", "p") "]}"));
	assert_int_equal(pn_attachment_decode(a, &pa, &ps), 0);
	assert_int_equal(pn_attachment_decode(b, &pb, &ps), 0);
	assert_int_equal(pn_attachment_immutable(pa, pa, &ps), 0);
	assert_int_equal(pn_attachment_immutable(pa, pb, &ps), 2);
	expect_problem(&ps, "spec.podNetworkName", "is immutable (was \"m\")");
	expect_problem(&ps, "spec.parametersRefs", "is immutable");
	pn_attachment_free(pa);
	pn_attachment_free(pb);
	pn_problems_clear(&ps);
	json_decref(a);
	json_decref(b);
}

/* ---- CNIConfig ------------------------------------------------------------- */

#define CNI(spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'CNIConfig','metadata':{'name':'macvlan-media'},'spec':" spec "}"

static void unit__validate__cniconfig(void **state)
{
	check_clean(CNI("{'cniVersion':'1.0.0','plugins':[{'type':'macvlan','master':'eth0',"
			"'mode':'bridge'},{'type':'tuning','mtu':9000}]}"));
	check_clean(CNI("{'plugins':[{'type':'bridge'}]}"));
	check_clean(CNI("{'cniVersion':'0.4.0','plugins':[{'type':'bridge'}]}"));
	check_one(CNI("{'cniVersion':'2.0.0','plugins':[{'type':'bridge'}]}"), "spec.cniVersion",
		  "known CNI version");
	check_one(CNI("{'cniVersion':1,'plugins':[{'type':'bridge'}]}"), "spec.cniVersion",
		  "must be a string, not a number");
	check_one(CNI("{}"), "spec.plugins", "is required");
	check_one(CNI("{'plugins':[]}"), "spec.plugins", "at least one");
	check_one(CNI("{'plugins':{'type':'x'}}"), "spec.plugins", "must be a list");
	check_one(CNI("{'plugins':[{'type':'bridge'},'tuning']}"), "spec.plugins[1]",
		  "must be an object, not a string");
	check_one(CNI("{'plugins':[{'mtu':1500}]}"), "spec.plugins[0].type", "is required");
	check_one(CNI("{'plugins':[{'type':5}]}"), "spec.plugins[0].type",
		  "must be a string, not a number");
	check_one(CNI("{'plugins':[{'type':'bridge'},{'type':'../../bin/sh'}]}"),
		  "spec.plugins[1].type", "CNI plugin name");
	check_one(CNI("{'plugins':[{'type':''}]}"), "spec.plugins[0].type", "CNI plugin name");
	check_one("{'apiVersion':'podnet.dev/v1alpha1','kind':'CNIConfig','metadata':{'name':'a'}}",
		  "spec", "is required");
}

static void unit__validate__cniconfig_default(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq(CNI("{'plugins':[{'type':'bridge'}]}"));
	struct pn_cniconfig *c;
	json_t *conf;

	assert_int_equal(pn_cniconfig_decode(j, &c, &ps), 0);
	assert_null(c->spec.cni_version);
	pn_cniconfig_default(c);
	assert_string_equal(c->spec.cni_version, "1.0.0");
	conf = pn_cniconfig_conflist(c, "media-net");
	assert_non_null(conf);
	assert_string_equal(json_string_value(json_object_get(conf, "name")), "media-net");
	assert_string_equal(json_string_value(json_object_get(conf, "cniVersion")), "1.0.0");
	assert_int_equal(json_array_size(json_object_get(conf, "plugins")), 1);
	json_decref(conf);
	pn_cniconfig_free(c);
	json_decref(j);
	assert_true(pn_cni_version_known("1.1.0"));
	assert_false(pn_cni_version_known("1.0"));
	assert_false(pn_cni_version_known(NULL));
}

/* ---- IPPool ---------------------------------------------------------------- */

#define POOL(spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'media-pool'},'spec':" spec "}"

static void unit__validate__ippool_good(void **state)
{
	check_clean(POOL("{'ranges':[{'cidr':'172.16.1.0/24','start':'172.16.1.100',"
			 "'end':'172.16.1.200','gateway':'172.16.1.1','exclude':['172.16.1.150/32']},"
			 "{'cidr':'fd00:10::/64'}],'routes':[{'dst':'10.20.0.0/16'}]}"));
	check_clean(POOL("{'ranges':[{'cidr':'fd00:10::/64','start':'fd00:10::10','end':'fd00:10::ff',"
			 "'gateway':'fd00:10::1','exclude':['fd00:10::80/124']}],"
			 "'routes':[{'dst':'fd00:20::/48','gw':'fd00:10::1'},{'dst':'0.0.0.0/0','gw':'10.0.0.1'}]}"));
	/* two ranges of one family that do not overlap */
	check_clean(POOL("{'ranges':[{'cidr':'10.0.0.0/24'},{'cidr':'10.0.1.0/24'}]}"));
	/* start == end is one address */
	check_clean(POOL("{'ranges':[{'cidr':'10.0.0.0/24','start':'10.0.0.5','end':'10.0.0.5'}]}"));
}

static void unit__validate__ippool_bad(void **state)
{
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/33'}]}"), "spec.ranges[0].cidr", "must be a CIDR");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/24'},{'cidr':'banana'}]}"), "spec.ranges[1].cidr",
		  "must be a CIDR");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.5/24'}]}"), "spec.ranges[0].cidr", "host bits zero");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','start':'172.16.2.1'}]}"),
		  "spec.ranges[0].start", "inside the cidr");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','end':'1.2.3'}]}"),
		  "spec.ranges[0].end", "must be an IP address");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','start':'172.16.1.200','end':'172.16.1.100'}]}"),
		  "spec.ranges[0].end", "must not be before start");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','gateway':'fd00::1'}]}"),
		  "spec.ranges[0].gateway", "IPv4 address like the cidr");
	check_one(POOL("{'ranges':[{'cidr':'fd00::/64','end':'fd01::1'}]}"),
		  "spec.ranges[0].end", "inside the cidr");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','exclude':['172.16.1.10/32','172.16.2.0/32']}]}"),
		  "spec.ranges[0].exclude[1]", "inside the range");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','exclude':['172.16.1.10']}]}"),
		  "spec.ranges[0].exclude[0]", "must be a CIDR");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','exclude':['172.16.1.150/30']}]}"),
		  "spec.ranges[0].exclude[0]", "host bits zero");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/24'}],'routes':[{'dst':'10.1.2.3/16'}]}"),
		  "spec.routes[0].dst", "host bits zero");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','exclude':['172.16.0.0/16']}]}"),
		  "spec.ranges[0].exclude[0]", "inside the range");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','exclude':['fd00::/128']}]}"),
		  "spec.ranges[0].exclude[0]", "IPv4 CIDR");
	check_one(POOL("{'ranges':[{'cidr':'172.16.1.0/24','exclude':[5]}]}"),
		  "spec.ranges[0].exclude[0]", "must be a string, not a number");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/16'},{'cidr':'10.0.3.0/24'}]}"),
		  "spec.ranges[1].cidr", "overlaps spec.ranges[0].cidr");
	/* /31, /32, /127, /128 are usable (point-to-point, single address) */
	check_clean(POOL("{'ranges':[{'cidr':'10.0.0.0/31'},{'cidr':'10.0.1.1/32'},{'cidr':'fd00::/127'},"
			 "{'cidr':'fd00:1::1/128'}]}"));
	check_one(POOL("{'ranges':[{'cidr':'fd00::1/64'}]}"), "spec.ranges[0].cidr", "host bits zero");
	check_one(POOL("{}"), "spec.ranges", "is required");
	check_one(POOL("{'ranges':[]}"), "spec.ranges", "at least one range");
	check_one(POOL("{'ranges':[{'start':'10.0.0.1'}]}"), "spec.ranges[0].cidr", "is required");
	check_one(POOL("{'ranges':[{'cidr':24}]}"), "spec.ranges[0].cidr", "must be a string, not a number");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/24'}],'routes':[{'dst':'10.1.0.0'}]}"),
		  "spec.routes[0].dst", "must be a CIDR");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/24'}],'routes':[{'dst':'10.1.0.0/16'},"
		       "{'dst':'10.2.0.0/16','gw':'fd00::1'}]}"),
		  "spec.routes[1].gw", "IPv4 address like dst");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/24'}],'routes':[{'gw':'10.0.0.1'}]}"),
		  "spec.routes[0].dst", "is required");
	check_one(POOL("{'ranges':[{'cidr':'10.0.0.0/24'}],'routes':'x'}"), "spec.routes",
		  "must be a list, not a string");
}

/* ---- network requests ------------------------------------------------------ */

/* A Pod with the annotation value given as JSON text (' for "). */
static void pod_problems(const char *networks, bool host_network, struct pn_problems *ps)
{
	json_t *pod = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'team-a',"
			 "'annotations':{}},'spec':{}}");
	json_t *v = jq(networks);
	char *text = json_dumps(v, JSON_ENCODE_ANY);
	struct pn_pod *p;

	json_object_set_new(json_object_get(json_object_get(pod, "metadata"), "annotations"),
			    PN_ANNOTATION_NETWORKS, json_string(text));
	json_object_set_new(json_object_get(pod, "spec"), "hostNetwork", json_boolean(host_network));
	assert_true(pn_pod_decode(pod, NULL, &p, ps) >= 0);
	assert_true(p->networks.present);
	assert_true(pn_pod_validate(p, ps) >= 0);
	pn_pod_free(p);
	free(text);
	json_decref(v);
	json_decref(pod);
}

static void req_clean(const char *networks)
{
	struct pn_problems ps = { 0 };

	pod_problems(networks, false, &ps);
	expect_clean(&ps);
	pn_problems_clear(&ps);
}

static void req_one(const char *networks, const char *path, const char *needle)
{
	struct pn_problems ps = { 0 };

	pod_problems(networks, false, &ps);
	expect_only(&ps, path, needle);
	pn_problems_clear(&ps);
}

static void unit__validate__netreqs_good(void **state)
{
	req_clean("[{'podNetworkName':'default'},{'podNetworkName':'media-net','interfaceName':'net1'},"
		  "{'podNetworkAttachmentName':'fast-media','isDefaultGW4':true},"
		  "{'podNetworkName':'signaling','ips':['172.16.2.50'],'mac':'02:00:00:00:00:01'}]");
	req_clean("[{'name':'default','isDefaultGW':true},{'attachmentName':'x','interfaceName':'eth0.100'}]");
	req_clean("[{'podNetworkName':'a','ips':['10.0.0.1','fd00::1'],'mac':'02-00-00-00-00-0A'}]");
	req_clean("[]");
	req_clean("null");
	/* 15 bytes is the most */
	req_clean("[{'podNetworkName':'a','interfaceName':'abcdefghijklmno'}]");
	req_clean("[{'podNetworkName':'a','interfaceName':'...'}]");
	/* the same attachment twice is caught by the planner, after resolving */
	req_clean("[{'podNetworkAttachmentName':'x'},{'podNetworkAttachmentName':'y'}]");
}

static void unit__validate__netreqs_names(void **state)
{
	req_one("[{'podNetworkName':'a'},{'interfaceName':'net1'}]", "podnet.dev/networks[1]",
		"exactly one of podNetworkName and podNetworkAttachmentName");
	req_one("[{'podNetworkName':'a','podNetworkAttachmentName':'b'}]",
		"podnet.dev/networks[0].podNetworkAttachmentName", "together with podNetworkName");
	req_one("[{'podNetworkName':'a'},{'podNetworkName':'b'},{'podNetworkName':'a'}]",
		"podnet.dev/networks[2].podNetworkName", "already requested by podnet.dev/networks[0]");
	req_one("[{'podNetworkName':'Bad_Name'}]", "podnet.dev/networks[0].podNetworkName", "DNS-1123");
	req_one("[{'podNetworkAttachmentName':'Bad Name'}]", "podnet.dev/networks[0].podNetworkAttachmentName",
		"DNS-1123");
	req_one("[{'podNetworkName':'a','name':'b'}]", "podnet.dev/networks[0].name", "alias of podNetworkName");
	req_one("[{'podNetworkAttachmentName':'a','attachmentName':'a'}]", "podnet.dev/networks[0].attachmentName",
		"alias of podNetworkAttachmentName");
	req_one("[{'podNetworkName':5}]", "podnet.dev/networks[0].podNetworkName", "must be a string, not a number");
	req_one("[{'podNetworkName':'a','interfaceName':true}]", "podnet.dev/networks[0].interfaceName",
		"must be a string, not a boolean");
	req_one("[{'podNetworkName':'a'},'b']", "podnet.dev/networks[1]", "must be an object, not a string");
	req_one("{'podNetworkName':'a'}", "podnet.dev/networks", "must be a list, not an object");
}

static void unit__validate__netreqs_interface_names(void **state)
{
	static const char *const bad[] = { "", "a/b", "a:b", "a b", "a\\tb", "a\\nb", ".", "..",
					   "abcdefghijklmnop", /* 16 bytes */
					   "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9", /* 16 bytes, 8 chars */
					   NULL };
	char text[256];

	for (const char *const *b = bad; *b; b++) {
		snprintf(text, sizeof(text), "[{'podNetworkName':'default'},{'podNetworkName':'a','interfaceName':'%s'}]", *b);
		req_one(text, "podnet.dev/networks[1].interfaceName", PN_MSG_IFNAME);
	}
	/* 7 two-byte characters = 14 bytes: fine */
	req_clean("[{'podNetworkName':'a','interfaceName':'\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9'}]");
	req_one("[{'podNetworkName':'a','interfaceName':'net1'},{'podNetworkName':'b','interfaceName':'net1'}]",
		"podnet.dev/networks[1].interfaceName", "already used by podnet.dev/networks[0]");
}

static void unit__validate__netreqs_default_routes(void **state)
{
	struct pn_problems ps = { 0 };

	req_one("[{'podNetworkName':'a','isDefaultGW4':true},{'podNetworkName':'b'},"
		"{'podNetworkName':'c','isDefaultGW4':true}]",
		"podnet.dev/networks[2].isDefaultGW4", "only one network may hold the IPv4 default route");
	req_one("[{'podNetworkName':'a','isDefaultGW6':true},{'podNetworkName':'c','isDefaultGW6':true}]",
		"podnet.dev/networks[1].isDefaultGW6", "IPv6");
	/* one per family is fine */
	req_clean("[{'podNetworkName':'a','isDefaultGW4':true},{'podNetworkName':'c','isDefaultGW6':true}]");
	/* isDefaultGW counts for both families */
	pod_problems("[{'podNetworkName':'a','isDefaultGW':true},{'podNetworkName':'c','isDefaultGW':true}]",
		     false, &ps);
	assert_int_equal(ps.n, 2);
	expect_problem(&ps, "podnet.dev/networks[1].isDefaultGW4", "IPv4");
	expect_problem(&ps, "podnet.dev/networks[1].isDefaultGW6", "IPv6");
	pn_problems_clear(&ps);
	req_one("[{'podNetworkName':'a','isDefaultGW':true,'isDefaultGW4':false}]",
		"podnet.dev/networks[0].isDefaultGW4", "contradicts isDefaultGW");
	req_clean("[{'podNetworkName':'a','isDefaultGW':true,'isDefaultGW4':true}]");
	req_one("[{'podNetworkName':'a','isDefaultGW4':'true'}]", "podnet.dev/networks[0].isDefaultGW4",
		"must be a boolean, not a string");
}

static void unit__validate__netreqs_host_network(void **state)
{
	struct pn_problems ps = { 0 };

	pod_problems("[{'podNetworkName':'a'}]", true, &ps);
	expect_only(&ps, "podnet.dev/networks", "hostNetwork");
	pn_problems_clear(&ps);
	pod_problems("[]", true, &ps);
	expect_clean(&ps);
	pn_problems_clear(&ps);
}

static void unit__validate__netreqs_mac(void **state)
{
	static const char *const bad[] = { "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff",
					   "00:00:00:00:00:00", "02:00-00:00:00:01", "02:00:00:00:00",
					   "zz:00:00:00:00:01", "02:00:00:00:00:01:02", "0200.0000.0001",
					   "03:00:00:00:00:01", NULL };
	char text[256];

	for (const char *const *b = bad; *b; b++) {
		snprintf(text, sizeof(text), "[{'podNetworkName':'a','mac':'%s'}]", *b);
		req_one(text, "podnet.dev/networks[0].mac", "unicast MAC");
	}
	req_clean("[{'podNetworkName':'a','mac':'02:00:00:00:00:01'}]");
	req_clean("[{'podNetworkName':'a','mac':'00:1A:2b:3c:4d:5e'}]");
	req_one("[{'podNetworkName':'a','mac':2}]", "podnet.dev/networks[0].mac", "must be a string");
}

static void unit__validate__netreqs_ips(void **state)
{
	req_one("[{'podNetworkName':'a','ips':['172.16.2.50/24']}]", "podnet.dev/networks[0].ips[0]",
		"without prefix length");
	req_one("[{'podNetworkName':'a','ips':['1.2.3']}]", "podnet.dev/networks[0].ips[0]", "IP address");
	req_one("[{'podNetworkName':'a','ips':['10.0.0.1','10.0.0.2']}]", "podnet.dev/networks[0].ips[1]",
		"one address per family");
	req_one("[{'podNetworkName':'a','ips':['fd00::1','10.0.0.1','fd00::2']}]", "podnet.dev/networks[0].ips[2]",
		"only IPv6 address");
	req_one("[{'podNetworkName':'a','ips':'10.0.0.1'}]", "podnet.dev/networks[0].ips", "must be a list, not a string");
	req_one("[{'podNetworkName':'a','ips':[10]}]", "podnet.dev/networks[0].ips[0]", "must be a string, not a number");
	req_one("[{'podNetworkName':'a','ips':['10.0.0.1','10.0.0.2','10.0.0.3','10.0.0.4','10.0.0.5',"
		"'10.0.0.6','10.0.0.7','10.0.0.8','10.0.0.9']}]", "podnet.dev/networks[0].ips", "at most 8");
}

static void unit__validate__netreqs_many(void **state)
{
	char text[8192] = "[";

	for (int i = 0; i < 33; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s{'podNetworkName':'n%d'}",
			 i ? "," : "", i);
	strcat(text, "]");
	req_one(text, "podnet.dev/networks", "at most 32 entries");
}

static void unit__validate__annotation_errors(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *pod = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':"
			 "{'podnet.dev/networks':'[{oops'}}}");
	json_t *pod2 = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':"
			  "{'podnet.dev/networks':5}}}");
	json_t *pod3 = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':"
			  "{'podnet.dev/networks':'  \\n'}}}");
	struct pn_pod *p;

	assert_int_equal(pn_pod_decode(pod, NULL, &p, &ps), 1);
	expect_only(&ps, "metadata.annotations[\"podnet.dev/networks\"]", "cannot be parsed");
	pn_pod_free(p);
	pn_problems_clear(&ps);
	assert_int_equal(pn_pod_decode(pod2, NULL, &p, &ps), 1);
	expect_only(&ps, "metadata.annotations[\"podnet.dev/networks\"]", "must be a string, not a number");
	pn_pod_free(p);
	pn_problems_clear(&ps);
	assert_int_equal(pn_pod_decode(pod3, NULL, &p, &ps), 0);
	assert_true(p->networks.present);
	assert_int_equal(p->networks.n, 0);
	pn_pod_free(p);
	json_decref(pod);
	json_decref(pod2);
	json_decref(pod3);
}

static void unit__validate__native_networks(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_pod_decode_opts opts = { .native_networks = true };
	json_t *pod = jq("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','annotations':"
			 "{'podnet.dev/networks':'[{\\'podNetworkName\\':\\'ignored\\'}]'}},"
			 "'spec':{'networks':[{'podNetworkName':'a','interfaceName':'x/y'}]}}");
	struct pn_pod *p;

	assert_int_equal(pn_pod_decode(pod, &opts, &p, &ps), 0);
	assert_int_equal(p->networks.n, 1);
	assert_string_equal(p->networks.v[0].network, "a");
	assert_string_equal(p->networks_source, "spec.networks");
	assert_int_equal(pn_pod_validate(p, &ps), 1);
	expect_only(&ps, "spec.networks[0].interfaceName", "Linux interface name");
	pn_pod_free(p);
	pn_problems_clear(&ps);
	json_decref(pod);
}

/* The agent attaches `default` on eth0, always: a list with `default` that
 * names it otherwise, or gives eth0 to another network, is refused. */
static void unit__validate__netreqs_default_keeps_eth0(void **state)
{
	req_one("[{'podNetworkName':'default'},{'podNetworkName':'a','interfaceName':'eth0'}]",
		"podnet.dev/networks[1].interfaceName",
		"\"eth0\" is the runtime's interface, reserved for default (podnet.dev/networks[0])");
	req_one("[{'podNetworkName':'a','interfaceName':'eth0'},{'podNetworkName':'default'}]",
		"podnet.dev/networks[0].interfaceName", "reserved for default (podnet.dev/networks[1])");
	req_one("[{'podNetworkName':'default','interfaceName':'net7'},{'podNetworkName':'a'}]",
		"podnet.dev/networks[0].interfaceName",
		"\"net7\" cannot be default's interface: the default network is always attached on eth0");
	req_one("[{'name':'default','interfaceName':'net7'}]", "podnet.dev/networks[0].interfaceName",
		"cannot be default's interface");
	/* eth0 written out for default is fine; without default, eth0 is the
	 * primary's business (the planner's rule) */
	req_clean("[{'podNetworkName':'default','interfaceName':'eth0'},{'podNetworkName':'a'}]");
	req_clean("[{'podNetworkName':'a','interfaceName':'eth0'},{'podNetworkName':'b'}]");
}

/* Misspelt keys are refused with a hint, never ignored. */
static void unit__validate__netreqs_unknown_keys(void **state)
{
	req_one("[{'podNetworkName':'a','interfacename':'x0'}]",
		"podnet.dev/networks[0].interfacename",
		"is not a field of a network request (did you mean \"interfaceName\"?)");
	req_one("[{'podNetworkName':'a','isDefaultGw':true}]", "podnet.dev/networks[0].isDefaultGw",
		"did you mean \"isDefaultGW\"?");
	req_one("[{'podNetworkName':'a','ip':['10.0.0.1']}]", "podnet.dev/networks[0].ip",
		"did you mean \"ips\"?");
	req_one("[{'podNetworkName':'a','isDefaultGW44':true}]", "podnet.dev/networks[0].isDefaultGW44",
		"did you mean \"isDefaultGW4\"?");
	req_one("[{'podNetworkName':'a','bandwidth':'1G'}]", "podnet.dev/networks[0].bandwidth",
		"is not a field of a network request (the fields: podNetworkName, "
		"podNetworkAttachmentName, interfaceName, isDefaultGW4, isDefaultGW6, isDefaultGW, "
		"ips, mac)");
	/* every documented key and alias is accepted */
	req_clean("[{'name':'a','interfaceName':'x0','isDefaultGW':true,'ips':['10.0.0.1'],"
		  "'mac':'02:00:00:00:00:01'},{'attachmentName':'b','isDefaultGW4':false,"
		  "'isDefaultGW6':false},{'podNetworkAttachmentName':'c'},{'podNetworkName':'d'}]");
}

/* Every problem about the annotation's content names the annotation. */
static void unit__validate__netreqs_paths_name_the_annotation(void **state)
{
	req_one("{'podNetworkName':'a'}", "podnet.dev/networks", "must be a list, not an object");
	req_one("[{'podNetworkName':5}]", "podnet.dev/networks[0].podNetworkName", "must be a string");
}

/* A pool of 0.0.0.0/0 handed out 0.0.0.1/0: too wide a prefix is refused. */
static void unit__validate__ippool_prefix_too_wide(void **state)
{
	check_one(POOL("{'ranges':[{'cidr':'0.0.0.0/0'}]}"), "spec.ranges[0].cidr",
		  "is \"0.0.0.0/0\": a pool's prefix must be at least /8 for IPv4: a Pod interface "
		  "on /0 would hold a connected route to every address (a second default route)");
	check_one(POOL("{'ranges':[{'cidr':'::/0'}]}"), "spec.ranges[0].cidr",
		  "must be at least /16 for IPv6");
	check_one(POOL("{'ranges':[{'cidr':'0.0.0.0/7'}]}"), "spec.ranges[0].cidr", "at least /8");
	check_one(POOL("{'ranges':[{'cidr':'fd00::/15'}]}"), "spec.ranges[0].cidr", "at least /16");
	check_clean(POOL("{'ranges':[{'cidr':'10.0.0.0/8'},{'cidr':'fd00::/16'}]}"));
	/* a default route in spec.routes is a route, not a pool */
	check_clean(POOL("{'ranges':[{'cidr':'10.0.0.0/24'}],'routes':[{'dst':'0.0.0.0/0'},"
			 "{'dst':'::/0'}]}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__validate__netreqs_default_keeps_eth0),
		cmocka_unit_test(unit__validate__netreqs_unknown_keys),
		cmocka_unit_test(unit__validate__netreqs_paths_name_the_annotation),
		cmocka_unit_test(unit__validate__ippool_prefix_too_wide),
		cmocka_unit_test(unit__validate__podnetwork_good),
		cmocka_unit_test(unit__validate__podnetwork_name),
		cmocka_unit_test(unit__validate__podnetwork_provider),
		cmocka_unit_test(unit__validate__podnetwork_provider_length),
		cmocka_unit_test(unit__validate__parameters_refs),
		cmocka_unit_test(unit__validate__kinds_and_versions),
		cmocka_unit_test(unit__validate__kind_mismatch_on_typed_decoder),
		cmocka_unit_test(unit__validate__podnetwork_immutable),
		cmocka_unit_test(unit__validate__attachment),
		cmocka_unit_test(unit__validate__cniconfig),
		cmocka_unit_test(unit__validate__cniconfig_default),
		cmocka_unit_test(unit__validate__ippool_good),
		cmocka_unit_test(unit__validate__ippool_bad),
		cmocka_unit_test(unit__validate__netreqs_good),
		cmocka_unit_test(unit__validate__netreqs_names),
		cmocka_unit_test(unit__validate__netreqs_interface_names),
		cmocka_unit_test(unit__validate__netreqs_default_routes),
		cmocka_unit_test(unit__validate__netreqs_host_network),
		cmocka_unit_test(unit__validate__netreqs_mac),
		cmocka_unit_test(unit__validate__netreqs_ips),
		cmocka_unit_test(unit__validate__netreqs_many),
		cmocka_unit_test(unit__validate__annotation_errors),
		cmocka_unit_test(unit__validate__native_networks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
