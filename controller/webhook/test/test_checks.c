/* test_checks.c — each admission rule of podnet-webhook, on reviews built
 * here and a small world of cached objects. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "webhook/checks.h"

static json_t *jq(const char *s)
{
	char *t = strdup(s);
	json_error_t e;
	json_t *j;

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(t, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON: %s: %s", e.text, s);
	free(t);
	return j;
}

/* ---- the world: PodNetworks, attachments, namespace labels ------------------------ */

static json_t *world_nets, *world_pnas, *world_labels;

static json_t *w_net(void *ud, const char *name)
{
	return json_object_get(world_nets, name);
}

static json_t *w_pna(void *ud, const char *ns, const char *name)
{
	char k[300];

	snprintf(k, sizeof(k), "%s/%s", ns, name);
	return json_object_get(world_pnas, k);
}

static json_t *w_labels(void *ud, const char *ns)
{
	return json_object_get(world_labels, ns);
}

static const struct pn_wh_lookup lk = { w_net, w_pna, w_labels, NULL };
static const char *const users[] = { PN_WH_CONTROLLER_USER };
static const char *const groups[] = { PN_WH_CONTROLLER_GROUP };
static const char *const agent_users[] = { PN_WH_AGENT_USER };
static const char *const agent_groups[] = { PN_WH_AGENT_GROUP };
static const struct pn_wh_config cfg = { .controller_users = users, .n_users = 1,
					 .controller_groups = groups, .n_groups = 1,
					 .agent_users = agent_users, .n_agent_users = 1,
					 .agent_groups = agent_groups, .n_agent_groups = 1 };

static int setup(void **state)
{
	world_nets = jq("{'default':{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
			"'metadata':{'name':'default'},'spec':{}},"
			"'data':{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
			"'metadata':{'name':'data'},'spec':{'provider':'podnet.dev/cni'}},"
			"'storage':{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
			"'metadata':{'name':'storage'},'spec':{'provider':'podnet.dev/cni',"
			"'namespaceSelector':{'matchLabels':{'podnet.dev/tenant':'storage'}}}}}");
	world_pnas = jq("{'tenant-a/stor':{'apiVersion':'podnet.dev/v1alpha1',"
			"'kind':'PodNetworkAttachment','metadata':{'name':'stor','namespace':'tenant-a'},"
			"'spec':{'podNetworkName':'storage'}},"
			"'tenant-a/def':{'apiVersion':'podnet.dev/v1alpha1',"
			"'kind':'PodNetworkAttachment','metadata':{'name':'def','namespace':'tenant-a'},"
			"'spec':{'podNetworkName':'default'}}}");
	world_labels = jq("{'tenant-a':{'team':'a'},'storage-ns':{'podnet.dev/tenant':'storage'}}");
	return 0;
}

static int teardown(void **state)
{
	json_decref(world_nets);
	json_decref(world_pnas);
	json_decref(world_labels);
	return 0;
}

/* check KIND-GROUP OP NS USER OBJECT OLD: the verdict's message ("" when allowed) */
struct req {
	const char *group, *kind, *op, *ns, *name, *user, *sub, *obj, *old;
	const char *groups; /* JSON array text or NULL */
};

static int run(const struct req *q, struct pn_wh_verdict *v)
{
	json_t *rev = json_pack("{s:s,s:s,s:{s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s,s:{s:s}}}",
				"apiVersion", "admission.k8s.io/v1", "kind", "AdmissionReview",
				"request", "uid", "u", "kind", "group", q->group, "kind", q->kind,
				"operation", q->op, "namespace", q->ns ? q->ns : "", "name",
				q->name ? q->name : "", "subResource", q->sub ? q->sub : "",
				"userInfo", "username", q->user ? q->user : "alice");
	json_t *r = json_object_get(rev, "request");
	struct pn_wh_review rv;
	char err[256], *text;
	int ret;

	if (q->obj)
		json_object_set_new(r, "object", jq(q->obj));
	if (q->old)
		json_object_set_new(r, "oldObject", jq(q->old));
	if (q->groups)
		json_object_set_new(json_object_get(r, "userInfo"), "groups", jq(q->groups));
	text = json_dumps(rev, 0);
	json_decref(rev);
	if (pn_wh_review_decode(text, strlen(text), &rv, err, sizeof(err)) < 0)
		fail_msg("review: %s", err);
	free(text);
	ret = pn_wh_check(&rv, &cfg, &lk, v);
	pn_wh_review_clear(&rv);
	return ret;
}

#define POD(ann) "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'tenant-a'," \
		 "'annotations':" ann "},'spec':{'containers':[{'name':'c','image':'i'}]}}"
#define NETS(text) "{'podnet.dev/networks':'" text "'}"

static void expect_denied(const struct req *q, int code, const char *msg)
{
	struct pn_wh_verdict v;

	assert_int_equal(run(q, &v), PN_WH_DECIDED);
	if (v.allowed)
		fail_msg("allowed, wanted %d %s", code, msg);
	assert_int_equal(v.code, code);
	if (strcmp(v.message, msg) != 0)
		fail_msg("message\n  %s\nwanted\n  %s", v.message, msg);
}

static void expect_allowed(const struct req *q)
{
	struct pn_wh_verdict v;

	assert_int_equal(run(q, &v), PN_WH_DECIDED);
	if (!v.allowed)
		fail_msg("denied: %d %s", v.code, v.message);
}

/* ---- Pods -------------------------------------------------------------------------------- */

static void unit__pod__invalid_request_refused_with_field_path(void **state)
{
	const struct req q = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
			       POD(NETS("[{\\\"podNetworkName\\\":\\\"data\\\",\\\"interfaceName\\\":"
					"\\\"sig0\\\"},{\\\"podNetworkName\\\":\\\"signaling\\\","
					"\\\"interfaceName\\\":\\\"sig0\\\"}]")), NULL, NULL };

	expect_denied(&q, 400, "podnet.dev/networks[1].interfaceName: interface name \"sig0\" is already used by podnet.dev/networks[0]");
}

static void unit__pod__yaml_request_read_like_the_controller(void **state)
{
	const struct req ok = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
				POD(NETS("- podNetworkName: data\\n  interfaceName: data0\\n")), NULL, NULL };
	const struct req bad = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
				 POD(NETS("- podNetworkName: data\\n  interfaceName: a/b\\n")), NULL, NULL };
	struct pn_wh_verdict v;

	expect_allowed(&ok);
	run(&bad, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 400);
	assert_non_null(strstr(v.message, "podnet.dev/networks[0].interfaceName: "));
}

static void unit__pod__without_request_allowed(void **state)
{
	const struct req q = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL, POD("{}"), NULL, NULL };

	expect_allowed(&q);
}

static void unit__pod__missing_network_not_refused(void **state)
{
	const struct req q = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
			       POD(NETS("[{\\\"podNetworkName\\\":\\\"later\\\"}]")), NULL, NULL };

	expect_allowed(&q);
}

static void unit__pod__namespace_access_refused(void **state)
{
	const struct req direct = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
				    POD(NETS("[{\\\"podNetworkName\\\":\\\"data\\\"},"
					     "{\\\"podNetworkName\\\":\\\"storage\\\"}]")), NULL, NULL };
	const struct req via = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
				 POD(NETS("[{\\\"podNetworkAttachmentName\\\":\\\"stor\\\"}]")), NULL, NULL };
	const struct req allowed = { "", "Pod", "CREATE", "storage-ns", "p", NULL, NULL,
				     POD(NETS("[{\\\"podNetworkName\\\":\\\"storage\\\"}]")), NULL, NULL };
	struct pn_wh_verdict v;

	run(&direct, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 403);
	assert_non_null(strstr(v.message, "podnet.dev/networks[1].podNetworkName: PodNetwork \"storage\" may not be "
				"used from namespace \"tenant-a\""));
	run(&via, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 403);
	assert_non_null(strstr(v.message, "podnet.dev/networks[0].podNetworkAttachmentName: PodNetwork \"storage\""));
	expect_allowed(&allowed);
}

#define PLAN_ANN "{'podnet.dev/plan':'{}'}"

static void unit__pod__plan_annotation_only_from_the_controller(void **state)
{
	const char *msg = "metadata.annotations[podnet.dev/plan]: written only by podnet-controller";
	struct req q = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL, POD(PLAN_ANN), NULL, NULL };

	expect_denied(&q, 403, msg);
	/* the controller's service account, and members of the controller group */
	q.user = PN_WH_CONTROLLER_USER;
	expect_allowed(&q);
	q.user = "podnet-test-controller";
	q.groups = "['system:authenticated','podnet:controllers']";
	expect_allowed(&q);
	q.groups = "['system:authenticated']";
	expect_denied(&q, 403, msg);
	/* another service account of the same namespace is not the controller */
	q.user = "system:serviceaccount:podnet-system:podnet-agent";
	q.groups = NULL;
	expect_denied(&q, 403, msg);
}

static void unit__pod__plan_annotation_changes_refused(void **state)
{
	const char *msg = "metadata.annotations[podnet.dev/plan]: written only by podnet-controller";
	const char *sig = "metadata.annotations[podnet.dev/plan-signature]: written only by podnet-controller";
	struct req add = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL, POD(PLAN_ANN), POD("{}"), NULL };
	struct req mod = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL,
			   POD("{'podnet.dev/plan':'{\\\"x\\\":1}'}"), POD(PLAN_ANN), NULL };
	struct req del = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL, POD("{}"), POD(PLAN_ANN), NULL };
	struct req same = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL,
			    POD("{'podnet.dev/plan':'{}','team':'x'}"), POD(PLAN_ANN), NULL };
	struct req sg = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL,
			  POD("{'podnet.dev/plan-signature':'abc'}"), POD("{}"), NULL };
	struct req status = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, "status", POD(PLAN_ANN),
			      POD("{}"), NULL };

	expect_denied(&add, 403, msg);
	expect_denied(&mod, 403, msg);
	expect_denied(&del, 403, msg);
	expect_allowed(&same);
	expect_denied(&sg, 403, sig);
	expect_denied(&status, 403, msg);
	mod.user = PN_WH_CONTROLLER_USER;
	expect_allowed(&mod);
}

static void unit__pod__network_status_only_from_the_agent(void **state)
{
	/* the controller keeps addresses network-status reports: a tenant's
	 * own network-status would hold pool addresses */
	const char *msg = "metadata.annotations[k8s.v1.cni.cncf.io/network-status]: written only by podnet-agent";
	struct req create = { "", "Pod", "CREATE", "tenant-a", "p", NULL, NULL,
			      POD("{'k8s.v1.cni.cncf.io/network-status':'[]'}"), NULL, NULL };
	struct req mod = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL,
			   POD("{'k8s.v1.cni.cncf.io/network-status':'[{\\\"ips\\\":[\\\"10.0.0.9\\\"]}]'}"),
			   POD("{'k8s.v1.cni.cncf.io/network-status':'[]'}"), NULL };
	struct req other = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL,
			     POD("{'k8s.v1.cni.cncf.io/network-status':'[]','team':'x'}"),
			     POD("{'k8s.v1.cni.cncf.io/network-status':'[]'}"), NULL };

	expect_denied(&create, 403, msg);
	expect_denied(&mod, 403, msg);
	expect_allowed(&other); /* left as it was */
	/* the controller may not write it either */
	mod.user = PN_WH_CONTROLLER_USER;
	expect_denied(&mod, 403, msg);
	mod.user = PN_WH_AGENT_USER;
	expect_allowed(&mod);
	mod.user = "podnet-agent";
	mod.groups = "['system:authenticated','podnet:agents']";
	expect_allowed(&mod);
}

static void unit__pod__update_keeping_the_request_not_judged_again(void **state)
{
	/* a Pod admitted while the webhook was down, with an invalid request:
	 * the agent's network-status write must go through */
	const char *bad = NETS("[{\\\"podNetworkName\\\":\\\"BAD\\\"}]");
	struct req q = { "", "Pod", "UPDATE", "tenant-a", "p", "system:serviceaccount:podnet-system:podnet-agent",
			 NULL, POD("{'podnet.dev/networks':'[{\\\"podNetworkName\\\":\\\"BAD\\\"}]',"
				   "'k8s.v1.cni.cncf.io/network-status':'[]'}"), POD(NETS("[{\\\"podNetworkName\\\":\\\"BAD\\\"}]")), NULL };
	struct req changed = { "", "Pod", "UPDATE", "tenant-a", "p", NULL, NULL, POD(NETS(
				       "[{\\\"podNetworkName\\\":\\\"BAD\\\"}]")), POD("{}"), NULL };
	struct pn_wh_verdict v;

	(void)bad;
	expect_allowed(&q);
	run(&changed, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 400);
	assert_non_null(strstr(v.message, "podnet.dev/networks[0].podNetworkName: "));
}

static void unit__pod__uses_default(void **state)
{
	static const struct { const char *pod; bool uses; } cases[] = {
		{ POD("{}"), true },
		{ POD(NETS("[{\\\"podNetworkName\\\":\\\"data\\\"}]")), false },
		{ POD(NETS("[{\\\"podNetworkName\\\":\\\"default\\\"},{\\\"podNetworkName\\\":\\\"data\\\"}]")), true },
		{ POD(NETS("[{\\\"podNetworkAttachmentName\\\":\\\"def\\\"}]")), true },
		{ POD(NETS("[{\\\"podNetworkAttachmentName\\\":\\\"stor\\\"}]")), false },
		{ POD(NETS("[[[")), true },
		{ "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'h','namespace':'x'},"
		  "'spec':{'hostNetwork':true}}", false },
		{ "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'h','namespace':'x'},"
		  "'spec':{},'status':{'phase':'Succeeded'}}", false },
		{ "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'h','namespace':'x'},"
		  "'spec':{},'status':{'phase':'Running'}}", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *p = jq(cases[i].pod);

		if (pn_wh_pod_uses_default(p, &cfg, &lk) != cases[i].uses)
			fail_msg("case %zu: want %d", i, cases[i].uses);
		json_decref(p);
	}
}

/* ---- PodNetworks ----------------------------------------------------------------------------- */

#define NET(name, spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork'," \
			"'metadata':{'name':'" name "','finalizers':[]},'spec':" spec "}"

static void unit__podnetwork__spec_rules_without_cel(void **state)
{
	struct req q = { "podnet.dev", "PodNetwork", "CREATE", NULL, "x", NULL, NULL,
			 NET("x", "{'enabled':true}"), NULL, NULL };
	struct pn_wh_verdict v;

	run(&q, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 400);
	assert_non_null(strstr(v.message, "spec.provider: "));
	q.obj = NET("default", "{'enabled':false}");
	run(&q, &v);
	assert_false(v.allowed);
	assert_string_equal(v.message, "spec.enabled: cannot be false: the default PodNetwork cannot be disabled");
	q.obj = NET("default", "{}");
	expect_allowed(&q);
	q.obj = NET("x", "{'provider':'podnet.dev/cni','parametersRefs':[{'group':'podnet.dev','kind':'CNIConfig','name':'a'}]}");
	expect_allowed(&q);
}

static void unit__podnetwork__immutable_fields(void **state)
{
	struct req q = { "podnet.dev", "PodNetwork", "UPDATE", NULL, "x", NULL, NULL,
			 NET("x", "{'provider':'acme.io/other'}"), NET("x", "{'provider':'podnet.dev/cni'}"), NULL };
	struct pn_wh_verdict v;

	run(&q, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 400);
	assert_non_null(strstr(v.message, "spec.provider: is immutable (was \"podnet.dev/cni\")"));
	/* enabled may change; metadata-only updates pass even on a bad spec */
	q.obj = NET("x", "{'provider':'podnet.dev/cni','enabled':false}");
	expect_allowed(&q);
	q.obj = "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'x',"
		"'finalizers':['podnet.dev/in-use']},'spec':{'provider':'NOT VALID'}}";
	q.old = NET("x", "{'provider':'NOT VALID'}");
	expect_allowed(&q);
	/* status writes are not judged */
	q.sub = "status";
	q.obj = NET("x", "{'provider':'acme.io/other'}");
	q.old = NET("x", "{'provider':'podnet.dev/cni'}");
	expect_allowed(&q);
}

static void unit__podnetwork__delete_default_counts_its_pods(void **state)
{
	struct req q = { "podnet.dev", "PodNetwork", "DELETE", NULL, "default", NULL, NULL, NULL,
			 NET("default", "{}"), NULL };
	struct pn_wh_verdict v;

	assert_int_equal(run(&q, &v), PN_WH_COUNT_DEFAULT_USERS);
	pn_wh_default_in_use(&v, 3, "tenant-a/web-0");
	assert_false(v.allowed);
	assert_int_equal(v.code, 403);
	assert_string_equal(v.message, "PodNetwork \"default\" is used by 3 Pods (for example "
			    "tenant-a/web-0): the default network cannot be deleted while Pods use it");
	pn_wh_default_in_use(&v, 1, "a/b");
	assert_non_null(strstr(v.message, "by 1 Pod (for"));
	pn_wh_default_in_use(&v, 0, NULL);
	assert_true(v.allowed);
	q.name = "data";
	q.old = NET("data", "{'provider':'podnet.dev/cni'}");
	expect_allowed(&q);
}

/* ---- attachments --------------------------------------------------------------------------- */

#define PNA(spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetworkAttachment'," \
		  "'metadata':{'name':'a','namespace':'tenant-a'},'spec':" spec "}"

static void unit__attachment__validated_and_access_checked(void **state)
{
	struct req q = { "podnet.dev", "PodNetworkAttachment", "CREATE", "tenant-a", "a", NULL, NULL,
			 PNA("{}"), NULL, NULL };
	struct pn_wh_verdict v;

	run(&q, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 400);
	assert_non_null(strstr(v.message, "spec.podNetworkName: "));
	q.obj = PNA("{'podNetworkName':'storage'}");
	run(&q, &v);
	assert_false(v.allowed);
	assert_int_equal(v.code, 403);
	assert_non_null(strstr(v.message, "spec.podNetworkName: PodNetwork \"storage\" may not be used "
				"from namespace \"tenant-a\""));
	q.obj = PNA("{'podNetworkName':'data'}");
	expect_allowed(&q);
	q.op = "UPDATE";
	q.old = PNA("{'podNetworkName':'default'}");
	run(&q, &v);
	assert_false(v.allowed);
	assert_non_null(strstr(v.message, "spec.podNetworkName: is immutable"));
}

static void unit__other_kinds_allowed(void **state)
{
	const struct req q = { "apps", "Deployment", "CREATE", "x", "d", NULL, NULL, "{}", NULL, NULL };

	expect_allowed(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__pod__invalid_request_refused_with_field_path),
		cmocka_unit_test(unit__pod__yaml_request_read_like_the_controller),
		cmocka_unit_test(unit__pod__without_request_allowed),
		cmocka_unit_test(unit__pod__missing_network_not_refused),
		cmocka_unit_test(unit__pod__namespace_access_refused),
		cmocka_unit_test(unit__pod__plan_annotation_only_from_the_controller),
		cmocka_unit_test(unit__pod__plan_annotation_changes_refused),
		cmocka_unit_test(unit__pod__network_status_only_from_the_agent),
		cmocka_unit_test(unit__pod__update_keeping_the_request_not_judged_again),
		cmocka_unit_test(unit__pod__uses_default),
		cmocka_unit_test(unit__podnetwork__spec_rules_without_cel),
		cmocka_unit_test(unit__podnetwork__immutable_fields),
		cmocka_unit_test(unit__podnetwork__delete_default_counts_its_pods),
		cmocka_unit_test(unit__attachment__validated_and_access_checked),
		cmocka_unit_test(unit__other_kinds_allowed),
	};

	return cmocka_run_group_tests_name("webhook_checks", tests, setup, teardown);
}
