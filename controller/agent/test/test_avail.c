/* Unit tests of node/agent_avail.c: the agent's per-node availability
 * report, without a cluster and without providers (the node is asked through
 * a stub): parameters resolved by the planner, the reasons, networks the
 * planner would refuse Pods for, the object written and the change check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_avail.h"

#define NET(name, extra) \
	"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"PodNetwork\",\"metadata\":{\"name\":\"" name "\"" extra
#define CNIREF(cc) "\"parametersRefs\":[{\"group\":\"podnet.dev\",\"kind\":\"CNIConfig\",\"name\":\"" cc "\"}]"

/* The stub node: answers by provider and by what the params carry; counts
 * and keeps the questions. */
struct node {
	int calls;
	char providers[16][64];
	char networks[16][64];
	char params[16][1024];
	int params_null[16];
};

static int ask(void *ctx, const char *provider, const char *network, const char *params, int *err, char *message,
	       size_t mlen)
{
	struct node *n = ctx;
	int i = n->calls++;

	if (i < 16) {
		snprintf(n->providers[i], sizeof(n->providers[i]), "%s", provider);
		snprintf(n->networks[i], sizeof(n->networks[i]), "%s", network);
		snprintf(n->params[i], sizeof(n->params[i]), "%s", params ? params : "");
		n->params_null[i] = params == NULL;
	}
	if (!strcmp(provider, "acme.io/absent")) {
		snprintf(message, mlen, "provider acme.io/absent is not loaded on this node");
		return PN_AVAIL_NO_PROVIDER;
	}
	if (!strcmp(provider, "acme.io/slow")) {
		snprintf(message, mlen, "warming up");
		return PN_AVAIL_NOT_READY;
	}
	if (params && strstr(params, "\"eth9\"")) {
		*err = -ENODEV;
		snprintf(message, mlen, "link \"eth9\" (macvlan master) does not exist on this node");
		return PN_AVAIL_REFUSED;
	}
	if (params && strstr(params, "\"tuning\"")) {
		*err = -ENOENT;
		snprintf(message, mlen, "CNI plugin tuning (plugins[1]) not found in /opt/cni/bin\nsecond line");
		return PN_AVAIL_REFUSED;
	}
	if (!strcmp(provider, "acme.io/vf")) {
		*err = -EBUSY;
		snprintf(message, mlen, "VfsExhausted: no free VF on ens1f0");
		return PN_AVAIL_REFUSED;
	}
	return 0;
}

static json_t *array_of(const char *const *docs)
{
	json_t *a = json_array();

	for (; *docs; docs++) {
		json_error_t e;
		json_t *o = json_loads(*docs, 0, &e);
		if (!o)
			fail_msg("bad test JSON: %s: %s", e.text, *docs);
		json_array_append_new(a, o);
	}
	return a;
}

static const struct pn_avail_net *entry(const struct pn_avail_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	fail_msg("no entry for %s", name);
	return NULL;
}

static const char *const CNICONFIGS[] = {
	"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"CNIConfig\",\"metadata\":{\"name\":\"mv-eth9\"},"
	"\"spec\":{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth9\",\"mode\":\"bridge\"}]}}",
	"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"CNIConfig\",\"metadata\":{\"name\":\"mv-eth0\"},"
	"\"spec\":{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth0\"}]}}",
	"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"CNIConfig\",\"metadata\":{\"name\":\"br-tuning\"},"
	"\"spec\":{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"tuning\"}]}}",
	/* invalid (no plugins): resolves to nothing, as for the controller */
	"{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"CNIConfig\",\"metadata\":{\"name\":\"broken\"},"
	"\"spec\":{\"cniVersion\":\"1.0.0\",\"plugins\":[]}}",
	NULL,
};

static void unit__parent_link_missing__reason_and_message_from_the_provider(void **state)
{
	static const char *const nets[] = {
		NET("mv-a", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth9") "}}"),
		NET("mv-b", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth0") "}}"),
		NULL,
	};
	json_t *n = array_of(nets), *c = array_of(CNICONFIGS);
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r), 0);
	assert_int_equal(r.n, 2);
	assert_false(entry(&r, "mv-a")->available);
	assert_string_equal(entry(&r, "mv-a")->reason, "ParentLinkMissing");
	assert_string_equal(entry(&r, "mv-a")->message, "link \"eth9\" (macvlan master) does not exist on this node");
	assert_true(entry(&r, "mv-b")->available);
	assert_null(entry(&r, "mv-b")->reason);
	/* the node was asked with the CNIConfig's chain, as a plan carries it */
	assert_int_equal(node.calls, 2);
	assert_string_equal(node.providers[0], "podnet.dev/cni");
	assert_non_null(strstr(node.params[0], "\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth9\""));
	assert_non_null(strstr(node.params[0], "\"cniVersion\":\"1.0.0\""));
	pn_avail_report_clear(&r);
	json_decref(n);
	json_decref(c);
}

static void unit__params_not_resolved__planner_message_and_no_question(void **state)
{
	static const char *const nets[] = {
		NET("gone", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("no-such") "}}"),
		NET("bad", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("broken") "}}"),
		NULL,
	};
	json_t *n = array_of(nets), *c = array_of(CNICONFIGS);
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r), 0);
	assert_int_equal(node.calls, 0);
	assert_string_equal(entry(&r, "gone")->reason, "ParamsNotResolved");
	assert_non_null(strstr(entry(&r, "gone")->message, "CNIConfig \"no-such\""));
	assert_non_null(strstr(entry(&r, "gone")->message, "not found"));
	assert_string_equal(entry(&r, "bad")->reason, "ParamsNotResolved");
	assert_non_null(strstr(entry(&r, "bad")->message, "CNIConfig \"broken\""));
	pn_avail_report_clear(&r);
	json_decref(n);
	json_decref(c);
}

static void unit__provider_missing_not_ready_plugin_and_own_reason(void **state)
{
	static const char *const nets[] = {
		NET("n-absent", "},\"spec\":{\"provider\":\"acme.io/absent\"}}"),
		NET("n-slow", "},\"spec\":{\"provider\":\"acme.io/slow\"}}"),
		NET("n-tuning", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("br-tuning") "}}"),
		NET("n-vf", "},\"spec\":{\"provider\":\"acme.io/vf\"}}"),
		NULL,
	};
	json_t *n = array_of(nets), *c = array_of(CNICONFIGS);
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r), 0);
	assert_string_equal(entry(&r, "n-absent")->reason, "ProviderMissing");
	assert_string_equal(entry(&r, "n-absent")->message, "provider acme.io/absent is not loaded on this node");
	assert_string_equal(entry(&r, "n-slow")->reason, "ProviderNotReady");
	assert_string_equal(entry(&r, "n-slow")->message, "warming up");
	assert_string_equal(entry(&r, "n-tuning")->reason, "PluginMissing");
	/* one line */
	assert_string_equal(entry(&r, "n-tuning")->message,
			    "CNI plugin tuning (plugins[1]) not found in /opt/cni/bin second line");
	assert_string_equal(entry(&r, "n-vf")->reason, "VfsExhausted");
	assert_string_equal(entry(&r, "n-vf")->message, "no free VF on ens1f0");
	/* a vendor network without podnet parameters: asked with "{}" */
	for (int i = 0; i < node.calls; i++)
		if (!strcmp(node.networks[i], "n-vf"))
			assert_string_equal(node.params[i], "{}");
	pn_avail_report_clear(&r);
	json_decref(n);
	json_decref(c);
}

static void unit__disabled_deleted_or_selective_networks__still_reported(void **state)
{
	static const char *const nets[] = {
		NET("off", "},\"spec\":{\"enabled\":false,\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth0") "}}"),
		NET("leaving", ",\"deletionTimestamp\":\"2026-12-03T16:00:00Z\",\"finalizers\":[\"podnet.dev/in-use\"]},"
			       "\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth9") "}}"),
		NET("few", "},\"spec\":{\"provider\":\"podnet.dev/cni\",\"namespaceSelector\":{\"matchLabels\":"
			   "{\"team\":\"x\"}}," CNIREF("mv-eth0") "}}"),
		NULL,
	};
	json_t *n = array_of(nets), *c = array_of(CNICONFIGS);
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r), 0);
	assert_int_equal(node.calls, 3);
	assert_true(entry(&r, "off")->available);
	assert_string_equal(entry(&r, "leaving")->reason, "ParentLinkMissing");
	assert_true(entry(&r, "few")->available);
	pn_avail_report_clear(&r);
	json_decref(n);
	json_decref(c);
}

static void unit__default_nad_and_bad_objects(void **state)
{
	static const char *const nets[] = {
		NET("default", "},\"spec\":{}}"),
		NET("nad-net", "},\"spec\":{\"provider\":\"podnet.dev/cni\",\"parametersRefs\":[{\"group\":"
			       "\"k8s.cni.cncf.io\",\"kind\":\"NetworkAttachmentDefinition\",\"name\":\"x\","
			       "\"namespace\":\"team\"}]}}"),
		"{\"kind\":\"PodNetwork\",\"metadata\":{\"name\":\"junk\"},\"spec\":\"not an object\"}",
		NULL,
	};
	json_t *n = array_of(nets);
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, NULL, ask, &node, &r), 0);
	assert_int_equal(r.n, 2); /* junk left out */
	assert_string_equal(r.v[0].name, "default");
	assert_true(r.v[0].available);
	assert_string_equal(r.v[1].name, "nad-net");
	assert_true(r.v[1].available);
	assert_int_equal(node.calls, 2);
	/* default: the agent's default provider ("") and no parameters */
	assert_string_equal(node.providers[0], "");
	assert_string_equal(node.params[0], "{}");
	/* a NAD's parameters are per namespace: the provider's readiness only */
	assert_true(node.params_null[1]);
	pn_avail_report_clear(&r);
	json_decref(n);
}

static void unit__store_input__sorted_by_name(void **state)
{
	json_t *store = json_object();
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	json_object_set_new(store, "zeta", json_loads(NET("zeta", "},\"spec\":{\"provider\":\"acme.io/vf\"}}"), 0, NULL));
	json_object_set_new(store, "alpha", json_loads(NET("alpha", "},\"spec\":{\"provider\":\"acme.io/x\"}}"), 0, NULL));
	json_object_set_new(store, "mid", json_loads(NET("mid", "},\"spec\":{\"provider\":\"acme.io/x\"}}"), 0, NULL));
	assert_int_equal(pn_avail_evaluate(store, NULL, ask, &node, &r), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0].name, "alpha");
	assert_string_equal(r.v[1].name, "mid");
	assert_string_equal(r.v[2].name, "zeta");
	pn_avail_report_clear(&r);
	json_decref(store);
}

static void unit__reason_mapping(void **state)
{
	char reason[PN_AVAIL_REASON_LEN];
	const char *m;
	(void)state;

	pn_avail_reason(PN_AVAIL_REFUSED, -ENOENT, "CNI plugin x not found", reason, sizeof(reason), &m);
	assert_string_equal(reason, "PluginMissing");
	assert_string_equal(m, "CNI plugin x not found"); /* "CNI plugin" is no reason prefix */
	pn_avail_reason(PN_AVAIL_REFUSED, -ENODEV, "no eth9", reason, sizeof(reason), &m);
	assert_string_equal(reason, "ParentLinkMissing");
	pn_avail_reason(PN_AVAIL_REFUSED, -EINVAL, "params are not a JSON object", reason, sizeof(reason), &m);
	assert_string_equal(reason, "ParamsNotResolved");
	pn_avail_reason(PN_AVAIL_REFUSED, -EIO, "broken", reason, sizeof(reason), &m);
	assert_string_equal(reason, "NotAvailable");
	pn_avail_reason(PN_AVAIL_REFUSED, -ENOENT, "NoLicence: seat limit", reason, sizeof(reason), &m);
	assert_string_equal(reason, "NoLicence");
	assert_string_equal(m, "seat limit");
	pn_avail_reason(PN_AVAIL_REFUSED, -ENOENT, "Bad-Reason: x", reason, sizeof(reason), &m);
	assert_string_equal(reason, "PluginMissing");
	pn_avail_reason(PN_AVAIL_NO_PROVIDER, 0, "x", reason, sizeof(reason), &m);
	assert_string_equal(reason, "ProviderMissing");
	pn_avail_reason(PN_AVAIL_NOT_READY, 0, "x", reason, sizeof(reason), &m);
	assert_string_equal(reason, "ProviderNotReady");
}

static void unit__object_and_change_check(void **state)
{
	static const char *const nets[] = {
		NET("mv-a", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth9") "}}"),
		NET("mv-b", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth0") "}}"),
		NULL,
	};
	json_t *n = array_of(nets), *c = array_of(CNICONFIGS), *obj, *other;
	struct pn_avail_report r, r2;
	struct node node = {0};
	char *text;
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r), 0);
	obj = pn_avail_object("node-2", "uid-2", &r, "2026-12-03T16:00:00Z");
	assert_non_null(obj);
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text,
			    "{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"PodNetworkNode\",\"metadata\":{\"name\":"
			    "\"node-2\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"node-2\","
			    "\"uid\":\"uid-2\"}]},\"status\":{\"networks\":[{\"available\":false,\"message\":\"link "
			    "\\\"eth9\\\" (macvlan master) does not exist on this node\",\"name\":\"mv-a\",\"reason\":"
			    "\"ParentLinkMissing\"},{\"available\":true,\"name\":\"mv-b\"}],\"observedTime\":"
			    "\"2026-12-03T16:00:00Z\"}}");
	free(text);
	/* what the server gives back (another observedTime) matches */
	json_object_set_new(json_object_get(obj, "status"), "observedTime", json_string("2026-12-03T17:00:00Z"));
	assert_true(pn_avail_status_matches(obj, &r));
	/* the link appears: the report changes */
	json_array_remove(n, 0);
	json_array_append_new(n, json_loads(NET("mv-a", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth0") "}}"),
					    0, NULL));
	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r2), 0);
	assert_false(pn_avail_status_matches(obj, &r2));
	other = pn_avail_object("node-2", "uid-2", &r2, "2026-12-03T16:00:30Z");
	assert_true(pn_avail_status_matches(other, &r2));
	/* no status at all matches only an empty report */
	json_object_del(other, "status");
	assert_false(pn_avail_status_matches(other, &r2));
	pn_avail_report_clear(&r2);
	assert_true(pn_avail_status_matches(other, &r2));
	json_decref(other);
	json_decref(obj);
	pn_avail_report_clear(&r);
	json_decref(n);
	json_decref(c);
}

/* status.providers (the kinds each provider declares, ABI 1.3) is written
 * and a change of it is a change of the report. */
static void unit__providers_declared_kinds__written_and_compared(void **state)
{
	static const char *const nets[] = {
		NET("mv-b", "},\"spec\":{\"provider\":\"podnet.dev/cni\"," CNIREF("mv-eth0") "}}"),
		NULL,
	};
	json_t *n = array_of(nets), *c = array_of(CNICONFIGS), *obj;
	struct pn_avail_report r;
	struct node node = {0};
	(void)state;

	assert_int_equal(pn_avail_evaluate(n, c, ask, &node, &r), 0);
	r.providers = json_loads("[{\"name\":\"acme.io/fast\",\"version\":\"1\",\"parameterKinds\":[\"acme.io/AcmeNet\"]}]",
				 0, NULL);
	assert_non_null(r.providers);
	obj = pn_avail_object("node-2", "uid-2", &r, "2026-12-03T16:00:00Z");
	assert_non_null(obj);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(json_object_get(
				json_object_get(obj, "status"), "providers"), 0), "parameterKinds"), 0)),
			    "acme.io/AcmeNet");
	assert_true(pn_avail_status_matches(obj, &r));
	/* the provider now declares another kind: write again */
	json_array_append_new(json_object_get(json_array_get(r.providers, 0), "parameterKinds"),
			      json_string("acme.io/AcmeQos"));
	assert_false(pn_avail_status_matches(obj, &r));
	/* a report written before providers existed differs too */
	json_object_del(json_object_get(obj, "status"), "providers");
	assert_false(pn_avail_status_matches(obj, &r));
	json_decref(obj);
	pn_avail_report_clear(&r);
	assert_null(r.providers);
	json_decref(n);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__parent_link_missing__reason_and_message_from_the_provider),
		cmocka_unit_test(unit__providers_declared_kinds__written_and_compared),
		cmocka_unit_test(unit__params_not_resolved__planner_message_and_no_question),
		cmocka_unit_test(unit__provider_missing_not_ready_plugin_and_own_reason),
		cmocka_unit_test(unit__disabled_deleted_or_selective_networks__still_reported),
		cmocka_unit_test(unit__default_nad_and_bad_objects),
		cmocka_unit_test(unit__store_input__sorted_by_name),
		cmocka_unit_test(unit__reason_mapping),
		cmocka_unit_test(unit__object_and_change_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
