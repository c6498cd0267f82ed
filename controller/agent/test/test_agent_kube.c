/* Unit tests of node/agent_kube.c's decisions: what the transform keeps of
 * a Pod, which plan door each Pod add, update and delete goes through, and
 * which plans are refused (not signed for that Pod with a known key, or
 * older than one verified).
 * The plan doors are stubs that record the calls; the watch and the
 * network-status PATCHes themselves run against the real cluster
 * (test/agent-kube.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../agent_kube.c"

static char last_call[64], last_arg[1024];
static int calls;

static void record(const char *what, const char *arg)
{
	calls++;
	snprintf(last_call, sizeof(last_call), "%s", what);
	snprintf(last_arg, sizeof(last_arg), "%s", arg ? arg : "(null)");
}

int pn_agent_plan_set(struct pn_agent *a, const char *ns, const char *name, const char *uid, const char *plan_json)
{
	(void)a, (void)ns, (void)name, (void)uid;
	record("set", plan_json);
	return 0;
}

int pn_agent_plan_pending(struct pn_agent *a, const char *ns, const char *name, const char *uid)
{
	(void)a, (void)ns, (void)name;
	record("pending", uid);
	return 0;
}

int pn_agent_plan_default_new(struct pn_agent *a, const char *ns, const char *name, const char *uid)
{
	(void)a, (void)ns, (void)name;
	record("default_new", uid);
	return 0;
}

int pn_agent_plan_invalid(struct pn_agent *a, const char *ns, const char *name, const char *uid, const char *message)
{
	(void)a, (void)ns, (void)name, (void)uid;
	record("invalid", message);
	return 0;
}

void pn_agent_plan_forget(struct pn_agent *a, const char *ns, const char *name)
{
	(void)a, (void)ns;
	record("forget", name);
}

void pn_agent_set_status_sink(struct pn_agent *a, pn_agent_status_fn *fn, void *ctx)
{
	(void)a, (void)fn, (void)ctx;
}

void pn_agent_set_event_sink(struct pn_agent *a, pn_agent_event_fn *fn, void *ctx)
{
	(void)a, (void)fn, (void)ctx;
}

/* The PodNetworkNode report has its own test (test_avail.c); not started here. */
struct pn_report *pn_report_new(struct pn_agent *a, struct ev_loop *loop, struct pn_kube_client *c, const char *node,
				double period)
{
	(void)a, (void)loop, (void)c, (void)node, (void)period;
	return NULL;
}
int pn_report_start(struct pn_report *r) { (void)r; return 0; }
void pn_report_stop(struct pn_report *r) { (void)r; }
void pn_report_free(struct pn_report *r) { (void)r; }
void pn_report_metrics(struct pn_report *r, FILE *out) { (void)r, (void)out; }

void pn_agent_log(int level, const char *fmt, ...)
{
	(void)level, (void)fmt;
}

static json_t *pod(const char *annotations_json, int host)
{
	json_error_t e;
	json_t *ann = json_loads(annotations_json, 0, &e);
	json_t *p;

	assert_non_null(ann);
	p = json_pack("{s{ss ss ss ss s{ss} so} s{sb ss s[]} s{ss s[]}}", "metadata", "namespace", "team-a", "name",
		      "web-0", "uid", "u-1", "resourceVersion", "7", "labels", "app", "web", "annotations", ann, "spec",
		      "hostNetwork", host, "nodeName", "n1", "containers", "status", "phase", "Running", "conditions");
	assert_non_null(p);
	return p;
}

static struct pn_agent_kube the_k;
static struct pn_plan_key *the_key, *other_key;

static void fake_clear(void)
{
	pn_plan_keyring_clear(&the_k.keys);
	while (the_k.seen) {
		struct seen_pod *s = the_k.seen;

		the_k.seen = s->next;
		free(s->uid);
		free(s);
	}
}

/* A watch whose keys are known: the_key is trusted, other_key is not. */
static struct pn_agent_kube *fake_kube(void)
{
	fake_clear();
	memset(&the_k, 0, sizeof(the_k));
	pthread_mutex_init(&the_k.mu, NULL);
	if (!the_key)
		the_key = pn_plan_key_generate(NULL, 0);
	if (!other_key)
		other_key = pn_plan_key_generate(NULL, 0);
	assert_non_null(the_key);
	assert_int_equal(pn_plan_keyring_add(&the_k.keys, the_key), 0);
	the_k.keys_known = 1;
	calls = 0;
	last_call[0] = '\0';
	return &the_k;
}

static int teardown(void **state)
{
	(void)state;
	fake_clear();
	pn_plan_key_free(the_key);
	pn_plan_key_free(other_key);
	return 0;
}

/* Puts plan and its signature (key, uid, seq) on the Pod. */
static void sign_as(json_t *p, const struct pn_plan_key *key, const char *uid, uint64_t seq, const char *plan)
{
	json_t *ann = json_object_get(json_object_get(p, "metadata"), "annotations");
	char *sig = pn_plan_sign(key, uid, seq, plan);

	assert_non_null(sig);
	json_object_set_new(ann, "podnet.dev/plan", json_string(plan));
	json_object_set_new(ann, "podnet.dev/plan-signature", json_string(sig));
	free(sig);
}

static void sign(json_t *p, uint64_t seq, const char *plan)
{
	sign_as(p, the_key, "u-1", seq, plan);
}

static void unit__transform__keeps_only_what_the_agent_needs(void **state)
{
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\",\"podnet.dev/plan\":\"{}\","
			"\"podnet.dev/plan-signature\":\"v1.x\",\"k8s.v1.cni.cncf.io/network-status\":\"[]\","
			"\"other\":\"x\"}", 1);
	json_t *s = slim_pod(NULL, p);
	json_t *md = json_object_get(s, "metadata");
	(void)state;

	assert_non_null(s);
	assert_string_equal(json_string_value(json_object_get(md, "uid")), "u-1");
	assert_string_equal(json_string_value(json_object_get(md, "resourceVersion")), "7");
	assert_null(json_object_get(md, "labels"));
	assert_int_equal(json_object_size(json_object_get(md, "annotations")), 4);
	assert_null(json_object_get(json_object_get(md, "annotations"), "other"));
	assert_true(json_is_true(json_object_get(json_object_get(s, "spec"), "hostNetwork")));
	assert_null(json_object_get(json_object_get(s, "spec"), "containers"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "status"), "phase")), "Running");
	assert_null(json_object_get(json_object_get(s, "status"), "conditions"));
	json_decref(s);
	json_decref(p);
}

static void unit__pod_without_request__default_only(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{}", 0);
	(void)state;

	on_add(k, p);
	assert_string_equal(last_call, "set");
	assert_string_equal(last_arg, "(null)");
	json_decref(p);
}

static void unit__empty_network_list__default_only(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\" [ ]\\n\"}", 0);
	(void)state;

	on_add(k, p);
	assert_string_equal(last_call, "set");
	assert_string_equal(last_arg, "(null)");
	json_decref(p);
}

static void unit__request_without_plan__pending(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	(void)state;

	on_add(k, p);
	assert_string_equal(last_call, "pending");
	assert_string_equal(last_arg, "u-1");
	json_decref(p);
}

static void unit__plan__set_with_its_text(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	(void)state;

	sign(p, 1, "{\"v\":1,\"attachments\":[]}");
	on_add(k, p);
	assert_string_equal(last_call, "set");
	assert_string_equal(last_arg, "{\"v\":1,\"attachments\":[]}");
	json_decref(p);
}

static void unit__undecodable_plan__invalid_with_message(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	(void)state;

	sign(p, 1, "{\"v\":1,"); /* signed, but not JSON: a controller bug, said as today */
	on_add(k, p);
	assert_string_equal(last_call, "invalid");
	assert_non_null(strstr(last_arg, "podnet.dev/plan annotation does not decode"));
	json_decref(p);
}

static void unit__host_network_pod__default_only(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 1);
	(void)state;

	on_add(k, p);
	assert_string_equal(last_call, "set");
	assert_string_equal(last_arg, "(null)");
	json_decref(p);
}

static void unit__update_of_other_fields__no_plan_call(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *a = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	json_t *b = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\",\"k8s.v1.cni.cncf.io/network-status\":\"[]\"}", 0);
	(void)state;

	json_object_set_new(json_object_get(b, "metadata"), "resourceVersion", json_string("8"));
	on_update(k, a, b);
	assert_int_equal(calls, 0);
	assert_int_equal(k->st.pod_events, 1);
	json_decref(a);
	json_decref(b);
}

static void unit__update_of_plan__hands_the_new_plan(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *a = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	json_t *b = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	(void)state;

	sign(b, 1, "{\"v\":1}");
	on_update(k, a, b);
	assert_int_equal(calls, 1);
	assert_string_equal(last_call, "set");
	assert_string_equal(last_arg, "{\"v\":1}");
	json_decref(a);
	json_decref(b);
}

static void unit__update_with_new_uid__fed_again(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *a = pod("{}", 0);
	json_t *b = pod("{}", 0);
	(void)state;

	json_object_set_new(json_object_get(b, "metadata"), "uid", json_string("u-2"));
	on_update(k, a, b);
	assert_int_equal(calls, 1);
	json_decref(a);
	json_decref(b);
}

#define PLAN_A "{\"v\":1,\"attachments\":[{\"network\":\"a\",\"interface\":\"net1\"}]}"
#define PLAN_B "{\"v\":1,\"attachments\":[{\"network\":\"b\",\"interface\":\"net1\"}]}"

static void unit__unsigned_plan__ignored_waits_event_once(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\",\"podnet.dev/plan\":\"{\\\"v\\\":1,\\\"attachments\\\":[]}\"}", 0);
	(void)state;

	on_add(k, p);
	assert_string_equal(last_call, "pending"); /* as if absent: waits for a real plan */
	assert_int_equal(k->st.plans_rejected, 1);
	on_add(k, p);
	assert_string_equal(last_call, "pending");
	assert_int_equal(k->st.plans_rejected, 1); /* the same plan: one Event */
	json_decref(p);
}

static void unit__forged_plan__asking_nothing__default_without_hotplug(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{}", 0);
	(void)state;

	sign_as(p, other_key, "u-1", 1, PLAN_A); /* someone else's key */
	on_add(k, p);
	assert_string_equal(last_call, "default_new");
	assert_int_equal(k->st.plans_rejected, 1);
	json_decref(p);
}

static void unit__plan_of_another_pod__refused(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	(void)state;

	sign_as(p, the_key, "u-other", 1, PLAN_A); /* copied from another Pod */
	on_add(k, p);
	assert_string_equal(last_call, "pending");
	assert_int_equal(k->st.plans_rejected, 1);
	/* the text altered after signing */
	sign(p, 2, PLAN_A);
	json_object_set_new(json_object_get(json_object_get(p, "metadata"), "annotations"), "podnet.dev/plan",
			    json_string(PLAN_B));
	on_add(k, p);
	assert_string_equal(last_call, "pending");
	assert_int_equal(k->st.plans_rejected, 2);
	json_decref(p);
}

static void unit__rejected_plan_on_running_pod__detaches_nothing(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *a = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	json_t *b = pod("{}", 0);
	(void)state;

	sign(a, 3, PLAN_A);
	on_add(k, a);
	assert_string_equal(last_call, "set");
	assert_string_equal(last_arg, PLAN_A);
	/* the request removed and a forged plan put in: no door is called, so
	 * the core keeps the verified plan and hot-plugs nothing */
	json_object_set_new(json_object_get(json_object_get(b, "metadata"), "annotations"), "podnet.dev/plan",
			    json_string(PLAN_B));
	calls = 0;
	on_update(k, a, b);
	assert_int_equal(calls, 0);
	assert_int_equal(k->st.plans_rejected, 1);
	json_decref(a);
	json_decref(b);
}

static void unit__older_plan_put_back__refused(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *old = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	json_t *cur = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	json_t *next = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	(void)state;

	sign(old, 4, PLAN_A);
	sign(cur, 5, PLAN_B);
	sign(next, 6, PLAN_A);
	on_add(k, cur);
	assert_string_equal(last_arg, PLAN_B);
	calls = 0;
	on_update(k, cur, old); /* a plan the controller really signed, but older */
	assert_int_equal(calls, 0);
	assert_int_equal(k->st.plans_rejected, 1);
	on_update(k, old, cur); /* the same seq again is fine */
	assert_int_equal(calls, 1);
	assert_string_equal(last_arg, PLAN_B);
	on_update(k, cur, next);
	assert_int_equal(calls, 2);
	assert_string_equal(last_arg, PLAN_A);
	/* a new Pod of that name (another uid) starts from nothing */
	json_object_set_new(json_object_get(old, "metadata"), "uid", json_string("u-2"));
	sign_as(old, the_key, "u-2", 1, PLAN_A);
	on_add(k, old);
	assert_string_equal(last_call, "set");
	json_decref(old);
	json_decref(cur);
	json_decref(next);
}

static void unit__keys_unknown__no_verdict_yet(void **state)
{
	struct pn_agent_kube *k = fake_kube();
	json_t *p = pod("{\"podnet.dev/networks\":\"- podNetworkName: a\"}", 0);
	json_t *q = pod("{}", 0);
	(void)state;

	pn_plan_keyring_clear(&k->keys);
	k->keys_known = 0;
	sign(p, 1, PLAN_A);
	on_add(k, p);
	assert_string_equal(last_call, "pending"); /* waits (bounded) */
	sign(q, 1, PLAN_A);
	json_object_set_new(json_object_get(q, "metadata"), "name", json_string("web-1"));
	on_add(k, q);
	assert_string_equal(last_call, "default_new");
	assert_int_equal(k->st.plans_rejected, 0); /* no Event: nothing was refused */
	json_decref(p);
	json_decref(q);
}

static void unit__asks_for_networks__blank_and_empty_lists_ask_nothing(void **state)
{
	(void)state;
	assert_false(asks_for_networks(NULL));
	assert_false(asks_for_networks(""));
	assert_false(asks_for_networks(" \n"));
	assert_false(asks_for_networks("[]"));
	assert_false(asks_for_networks("[ ]\n"));
	assert_true(asks_for_networks("[] x"));
	assert_true(asks_for_networks("- podNetworkName: a"));
	assert_true(asks_for_networks("[{\"podNetworkName\":\"a\"}]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__transform__keeps_only_what_the_agent_needs),
		cmocka_unit_test(unit__pod_without_request__default_only),
		cmocka_unit_test(unit__empty_network_list__default_only),
		cmocka_unit_test(unit__request_without_plan__pending),
		cmocka_unit_test(unit__plan__set_with_its_text),
		cmocka_unit_test(unit__undecodable_plan__invalid_with_message),
		cmocka_unit_test(unit__host_network_pod__default_only),
		cmocka_unit_test(unit__update_of_other_fields__no_plan_call),
		cmocka_unit_test(unit__update_of_plan__hands_the_new_plan),
		cmocka_unit_test(unit__update_with_new_uid__fed_again),
		cmocka_unit_test(unit__asks_for_networks__blank_and_empty_lists_ask_nothing),
		cmocka_unit_test(unit__unsigned_plan__ignored_waits_event_once),
		cmocka_unit_test(unit__forged_plan__asking_nothing__default_without_hotplug),
		cmocka_unit_test(unit__plan_of_another_pod__refused),
		cmocka_unit_test(unit__rejected_plan_on_running_pod__detaches_nothing),
		cmocka_unit_test(unit__older_plan_put_back__refused),
		cmocka_unit_test(unit__keys_unknown__no_verdict_yet),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
