/* test_filter.c — the scheduler extender's filter: ExtenderArgs decoding and
 * the decision per node, on a small world of PodNetworks, attachments and
 * PodNetworkNode reports built here. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "webhook/filter.h"

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

/* ---- the world ------------------------------------------------------------------------ */

static json_t *world_nets, *world_pnas, *world_labels, *world_reports;

static json_t *w_net(void *ud, const char *name) { return json_object_get(world_nets, name); }
static json_t *w_labels(void *ud, const char *ns) { return json_object_get(world_labels, ns); }
static json_t *w_report(void *ud, const char *node) { return json_object_get(world_reports, node); }

static json_t *w_pna(void *ud, const char *ns, const char *name)
{
	char k[300];

	snprintf(k, sizeof(k), "%s/%s", ns, name);
	return json_object_get(world_pnas, k);
}

static const struct pn_wh_lookup lk = { w_net, w_pna, w_labels, NULL };
static const struct pn_wh_config cfg = { 0 };
static struct pn_wh_filter_world world = { &lk, w_report, NULL, true };

#define NET(name, status, reason, extra)                                                        \
	"'" name "':{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'" \
	name "'},'spec':{'provider':'podnet.dev/cni'" extra "},'status':{'conditions':[{'type':"  \
	"'Ready','status':'" status "','reason':'" reason "'}]}}"

static int setup(void **state)
{
	world_nets = jq("{'default':{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
			"'metadata':{'name':'default'},'spec':{},'status':{'conditions':[{'type':"
			"'Ready','status':'True','reason':'Ready'}]}}," NET("data", "True", "Ready", "")
			"," NET("macvlan", "True", "Ready", "")
			"," NET("off", "False", "AdministrativelyDisabled", ",'enabled':false")
			"," NET("storage", "True", "Ready",
				",'namespaceSelector':{'matchLabels':{'tenant':'storage'}}")
			",'fresh':{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork',"
			"'metadata':{'name':'fresh'},'spec':{'provider':'podnet.dev/cni'}}}");
	world_pnas = jq("{'ns1/mv':{'metadata':{'name':'mv','namespace':'ns1'},"
			"'spec':{'podNetworkName':'macvlan'},'status':{'conditions':[{'type':'Ready',"
			"'status':'True','reason':'Ready'}]}},"
			"'ns1/broken':{'metadata':{'name':'broken','namespace':'ns1'},"
			"'spec':{'podNetworkName':'macvlan'},'status':{'conditions':[{'type':'Ready',"
			"'status':'False','reason':'PodNetworkNotReady'}]}}}");
	world_labels = jq("{'ns1':{'team':'a'},'stor':{'tenant':'storage'}}");
	world_reports = jq("{'node-1':{'metadata':{'name':'node-1'},'status':{'networks':["
			   "{'name':'data','available':true},"
			   "{'name':'macvlan','available':false,'reason':'ParentLinkMissing',"
			   "'message':'link \\'eth9\\' (macvlan master) does not exist on node node-1'}]}},"
			   "'node-2':{'metadata':{'name':'node-2'},'status':{'networks':["
			   "{'name':'data','available':true},{'name':'macvlan','available':true}]}}}");
	return 0;
}

static int teardown(void **state)
{
	json_decref(world_nets);
	json_decref(world_pnas);
	json_decref(world_labels);
	json_decref(world_reports);
	return 0;
}

/* The ExtenderArgs of a Pod in ns1 asking for `request` (NULL: nothing) on
 * node-1, node-2, node-3. */
static char *args_for(const char *ns, const char *request)
{
	json_t *pod = json_pack("{s:{s:s,s:s,s:s}, s:{s:[{s:s,s:s}]}}", "metadata", "name", "p",
				"namespace", ns, "uid", "u1", "spec", "containers", "name", "c",
				"image", "busybox");
	json_t *doc;
	char *t;

	if (request)
		json_object_set_new(json_object_get(pod, "metadata"), "annotations",
				    json_pack("{s:s}", "podnet.dev/networks", request));
	doc = json_pack("{s:o, s:n, s:[s,s,s]}", "Pod", pod, "Nodes", "NodeNames", "node-1",
			"node-2", "node-3");
	t = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return t;
}

/* Runs the filter; the answer, decoded. */
static json_t *run_text(const char *text, struct pn_wh_filter_outcome *o)
{
	struct pn_wh_filter_args a;
	char err[256], *ans;
	json_t *j;

	assert_int_equal(pn_wh_filter_decode(text, strlen(text), &a, err, sizeof(err)), 0);
	ans = pn_wh_filter_run(&a, &cfg, &world, o);
	assert_non_null(ans);
	j = json_loads(ans, 0, NULL);
	assert_non_null(j);
	free(ans);
	pn_wh_filter_clear(&a);
	return j;
}

/* run_text over test JSON written with single quotes */
static json_t *run_q(const char *q, struct pn_wh_filter_outcome *o)
{
	char *t = strdup(q);
	json_t *j;

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = run_text(t, o);
	free(t);
	return j;
}

static json_t *run(const char *ns, const char *request, struct pn_wh_filter_outcome *o)
{
	char *t = args_for(ns, request);
	json_t *j = run_text(t, o);

	free(t);
	return j;
}

static const char *failed_msg(json_t *ans, const char *node)
{
	return json_string_value(json_object_get(json_object_get(ans, "FailedNodes"), node));
}

static size_t passed(json_t *ans)
{
	return json_array_size(json_object_get(ans, "NodeNames"));
}

static const char *passed_at(json_t *ans, size_t i)
{
	return json_string_value(json_array_get(json_object_get(ans, "NodeNames"), i));
}

/* ---- decisions ------------------------------------------------------------------------- */

static void filter__pod_asking_nothing__every_node_passes(void **state)
{
	struct pn_wh_filter_outcome o;
	json_t *ans = run("ns1", NULL, &o);

	assert_int_equal(passed(ans), 3);
	assert_int_equal(json_object_size(json_object_get(ans, "FailedNodes")), 0);
	assert_string_equal(json_string_value(json_object_get(ans, "Error")), "");
	assert_false(o.asked);
	json_decref(ans);
	/* an empty list is asking for nothing too */
	ans = run("ns1", "[]", &o);
	assert_int_equal(passed(ans), 3);
	json_decref(ans);
}

static void filter__host_network_pod__every_node_passes(void **state)
{
	json_t *ans = run_q("{'Pod':{'metadata':{'name':'h','namespace':'ns1','annotations':{"
			    "'podnet.dev/networks':'[]'}},"
			    "'spec':{'hostNetwork':true}},'NodeNames':['node-1']}", NULL);

	assert_int_equal(passed(ans), 1);
	json_decref(ans);
}

static void filter__invalid_request__every_node_fails_naming_annotation(void **state)
{
	json_t *ans = run("ns1", "- podNetworkName: data\n  podNetworkAttachmentName: mv", NULL);

	assert_int_equal(passed(ans), 0);
	for (int i = 1; i <= 3; i++) {
		char node[16];

		snprintf(node, sizeof(node), "node-%d", i);
		assert_non_null(failed_msg(ans, node));
		assert_non_null(strstr(failed_msg(ans, node), "podnet: invalid podnet.dev/networks: "));
	}
	/* 1.21+ reads the unresolvable map: the same nodes */
	assert_int_equal(json_object_size(json_object_get(ans, "FailedAndUnresolvableNodes")), 3);
	json_decref(ans);
	ans = run("ns1", "not: [a list", NULL);
	assert_int_equal(passed(ans), 0);
	assert_non_null(strstr(failed_msg(ans, "node-2"), "podnet.dev/networks"));
	json_decref(ans);
}

static void filter__disabled_network__every_node_fails_with_reason(void **state)
{
	struct pn_wh_filter_outcome o;
	json_t *ans = run("ns1", "- podNetworkName: off", &o);

	assert_int_equal(passed(ans), 0);
	assert_string_equal(failed_msg(ans, "node-1"),
			    "podnet: PodNetwork \"off\" is not Ready (AdministrativelyDisabled)");
	assert_string_equal(failed_msg(ans, "node-3"),
			    "podnet: PodNetwork \"off\" is not Ready (AdministrativelyDisabled)");
	assert_true(o.asked);
	assert_int_equal(o.failed, 3);
	assert_string_equal(o.first, "podnet: PodNetwork \"off\" is not Ready (AdministrativelyDisabled)");
	json_decref(ans);
}

static void filter__missing_or_unconditioned_network__fails(void **state)
{
	json_t *ans = run("ns1", "- podNetworkName: nosuch", NULL);

	assert_string_equal(failed_msg(ans, "node-2"),
			    "podnet: PodNetwork \"nosuch\" is not Ready (NotFound)");
	json_decref(ans);
	ans = run("ns1", "- podNetworkName: fresh", NULL);
	assert_string_equal(failed_msg(ans, "node-2"),
			    "podnet: PodNetwork \"fresh\" is not Ready (NoReadyCondition)");
	json_decref(ans);
}

static void filter__network_on_some_nodes__only_those_pass(void **state)
{
	struct pn_wh_filter_outcome o;
	json_t *ans = run("ns1", "- podNetworkName: macvlan", &o);

	assert_int_equal(passed(ans), 1);
	assert_string_equal(passed_at(ans, 0), "node-2");
	assert_string_equal(failed_msg(ans, "node-1"),
			    "podnet: PodNetwork \"macvlan\" is not available on this node "
			    "(ParentLinkMissing: link \"eth9\" (macvlan master) does not exist on "
			    "node node-1)");
	assert_string_equal(failed_msg(ans, "node-3"), "podnet: no podnet-agent report from this node");
	assert_null(failed_msg(ans, "node-2"));
	assert_int_equal(o.passed, 1);
	assert_int_equal(o.failed, 2);
	json_decref(ans);
	/* data is on both reported nodes */
	ans = run("ns1", "- podNetworkName: data", NULL);
	assert_int_equal(passed(ans), 2);
	json_decref(ans);
}

static void filter__default_needs_no_report(void **state)
{
	json_t *ans = run("ns1", "- podNetworkName: default", NULL);

	assert_int_equal(passed(ans), 3);
	json_decref(ans);
}

static void filter__reports_unknown__only_readiness_counts(void **state)
{
	json_t *ans;

	world.reports_known = false;
	ans = run("ns1", "- podNetworkName: macvlan", NULL);
	assert_int_equal(passed(ans), 3);
	json_decref(ans);
	ans = run("ns1", "- podNetworkName: off", NULL);
	assert_int_equal(passed(ans), 0);
	json_decref(ans);
	world.reports_known = true;
}

static void filter__network_not_reported_by_node__fails_with_reason(void **state)
{
	json_t *ans = run("ns1", "- podNetworkName: storage", NULL);

	/* ns1 may not use storage: every node, whatever the reports say */
	assert_int_equal(passed(ans), 0);
	assert_non_null(strstr(failed_msg(ans, "node-2"),
			       "podnet: PodNetwork \"storage\" is not allowed in namespace ns1"));
	json_decref(ans);
	ans = run("stor", "- podNetworkName: storage", NULL);
	assert_int_equal(passed(ans), 0);
	assert_string_equal(failed_msg(ans, "node-2"),
			    "podnet: PodNetwork \"storage\" is not available on this node "
			    "(NotReported: its podnet-agent has not evaluated it yet)");
	json_decref(ans);
}

static void filter__attachments__ready_and_network_checked(void **state)
{
	json_t *ans = run("ns1", "- podNetworkAttachmentName: mv", NULL);

	assert_int_equal(passed(ans), 1);
	assert_string_equal(passed_at(ans, 0), "node-2");
	json_decref(ans);
	ans = run("ns1", "- podNetworkAttachmentName: broken", NULL);
	assert_string_equal(failed_msg(ans, "node-2"),
			    "podnet: PodNetworkAttachment \"broken\" is not Ready (PodNetworkNotReady)");
	json_decref(ans);
	ans = run("ns1", "- podNetworkAttachmentName: gone", NULL);
	assert_string_equal(failed_msg(ans, "node-2"), "podnet: PodNetworkAttachment \"gone\" is "
			    "not Ready (NotFound in namespace ns1)");
	json_decref(ans);
}

static void filter__several_networks__first_failing_named(void **state)
{
	json_t *ans = run("ns1", "- podNetworkName: data\n- podNetworkName: off", NULL);

	assert_string_equal(failed_msg(ans, "node-2"),
			    "podnet: PodNetwork \"off\" is not Ready (AdministrativelyDisabled)");
	json_decref(ans);
	ans = run("ns1", "[{\"podNetworkName\":\"data\"},{\"podNetworkName\":\"macvlan\"}]", NULL);
	assert_int_equal(passed(ans), 1);
	assert_non_null(strstr(failed_msg(ans, "node-1"), "\"macvlan\" is not available"));
	json_decref(ans);
}

static void filter__nodes_mode__answers_node_objects(void **state)
{
	json_t *ans = run_q("{'pod':{'metadata':{'name':'p','namespace':'ns1','annotations':{"
			       "'podnet.dev/networks':'- podNetworkName: macvlan'}}},"
			       "'nodes':{'items':[{'metadata':{'name':'node-1'}},"
			       "{'metadata':{'name':'node-2','labels':{'x':'y'}}}]}}", NULL);
	json_t *items = json_object_get(json_object_get(ans, "Nodes"), "items");

	assert_null(json_object_get(ans, "NodeNames"));
	assert_int_equal(json_array_size(items), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
		json_array_get(items, 0), "metadata"), "labels"), "x")), "y");
	assert_non_null(failed_msg(ans, "node-1"));
	json_decref(ans);
}

/* ---- decoding ------------------------------------------------------------------------------ */

static void decode_expect(const char *text, const char *want)
{
	struct pn_wh_filter_args a;
	char err[256], *t = strdup(text);

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	assert_int_equal(pn_wh_filter_decode(t, strlen(t), &a, err, sizeof(err)), -EBADMSG);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	assert_null(a.root);
	free(t);
}

static void decode__bad_args__field_and_reason(void **state)
{
	decode_expect("[", "not JSON");
	decode_expect("[]", "ExtenderArgs: must be an object");
	decode_expect("{'NodeNames':['a']}", "Pod: required object");
	decode_expect("{'Pod':[],'NodeNames':['a']}", "Pod: required object");
	decode_expect("{'Pod':{},'pod':{},'NodeNames':['a']}", "Pod: required object");
	decode_expect("{'Pod':{}}", "NodeNames or Nodes: one of them is required");
	decode_expect("{'Pod':{},'NodeNames':'a'}", "NodeNames: must be a list");
	decode_expect("{'Pod':{},'NodeNames':['a',3]}", "NodeNames[1]: must be a node name");
	decode_expect("{'Pod':{},'NodeNames':['']}", "NodeNames[0]");
	decode_expect("{'Pod':{},'Nodes':{'items':[{'metadata':{}}]}}",
		      "Nodes.items[0].metadata.name");
	decode_expect("{'Pod':{},'Nodes':{'items':{}}}", "Nodes: must be a NodeList");
	decode_expect("{'Pod':{},'NodeNames':['a\\u0000b']}", "not JSON");
}

static void decode__too_many_nodes__refused(void **state)
{
	json_t *names = json_array();
	json_t *doc;
	struct pn_wh_filter_args a;
	char err[256], *t;

	for (int i = 0; i <= PN_WH_FILTER_MAX_NODES; i++)
		json_array_append_new(names, json_string("n"));
	doc = json_pack("{s:{}, s:o}", "Pod", "NodeNames", names);
	t = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(pn_wh_filter_decode(t, strlen(t), &a, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "candidate nodes, more than"));
	free(t);
	json_decref(doc);
}

static void decode__go_field_case__accepted(void **state)
{
	struct pn_wh_filter_args a;
	const char *t = "{\"pod\":{},\"nodes\":null,\"nodenames\":[\"x\",\"y\"]}";
	char err[256];

	assert_int_equal(pn_wh_filter_decode(t, strlen(t), &a, err, sizeof(err)), 0);
	assert_int_equal(a.n, 2);
	assert_string_equal(pn_wh_filter_node(&a, 1), "y");
	pn_wh_filter_clear(&a);
}

static void error_answer__carries_message(void **state)
{
	char *t = pn_wh_filter_error("podnet: busy");
	json_t *j = json_loads(t, 0, NULL);

	assert_string_equal(json_string_value(json_object_get(j, "Error")), "podnet: busy");
	assert_true(json_is_null(json_object_get(j, "NodeNames")));
	json_decref(j);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filter__pod_asking_nothing__every_node_passes),
		cmocka_unit_test(filter__host_network_pod__every_node_passes),
		cmocka_unit_test(filter__invalid_request__every_node_fails_naming_annotation),
		cmocka_unit_test(filter__disabled_network__every_node_fails_with_reason),
		cmocka_unit_test(filter__missing_or_unconditioned_network__fails),
		cmocka_unit_test(filter__network_on_some_nodes__only_those_pass),
		cmocka_unit_test(filter__default_needs_no_report),
		cmocka_unit_test(filter__reports_unknown__only_readiness_counts),
		cmocka_unit_test(filter__network_not_reported_by_node__fails_with_reason),
		cmocka_unit_test(filter__attachments__ready_and_network_checked),
		cmocka_unit_test(filter__several_networks__first_failing_named),
		cmocka_unit_test(filter__nodes_mode__answers_node_objects),
		cmocka_unit_test(decode__bad_args__field_and_reason),
		cmocka_unit_test(decode__too_many_nodes__refused),
		cmocka_unit_test(decode__go_field_case__accepted),
		cmocka_unit_test(error_answer__carries_message),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
