/* Unit tests of node/agent_plan.c: plan validation and the plan store
 * (default, ready, invalid, pending with its bounded wait, files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "pn/limits.h"

void pn_agent_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* The hot-plug queue is not under test here: count what would be queued. */
static int replans;
void pn_agent_replan(struct pn_agent *a, const char *ns, const char *name)
{
	(void)a;
	(void)ns;
	(void)name;
	replans++;
}

static struct pn_agent *agent_new(const char *dir)
{
	struct pn_agent *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	assert_int_equal(pn_plan_store_init(&a->plans, dir), 0);
	return a;
}

static void agent_free(struct pn_agent *a)
{
	pn_plan_store_clear(&a->plans);
	free(a);
}

static const char *good = "{\"v\":1,\"attachments\":[{\"network\":\"default\",\"interface\":\"eth0\",\"gw4\":true},"
			  "{\"network\":\"media\",\"interface\":\"net1\",\"provider\":\"podnet.dev/cni\","
			  "\"ips\":[\"10.1.0.5/24\"],\"gateways\":[\"10.1.0.1\"],\"routes\":[{\"dst\":\"10.2.0.0/16\"}]}]}";

static void unit__valid_plan__accepted(void **state)
{
	json_t *p = json_loads(good, 0, NULL);
	char err[256];

	(void)state;
	assert_int_equal(pn_plan_validate(p, err, sizeof(err)), 0);
	json_decref(p);
}

static void unit__plan_with_bad_shapes__refused_with_reason(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"[]", "attachments"},
		{"{\"v\":2,\"attachments\":[]}", "version"},
		{"{\"v\":1,\"attachments\":[{\"network\":\"x\"}]}", "attachments[0]"},
		{"{\"v\":1,\"attachments\":[{\"network\":\"x\",\"interface\":\"a-very-long-name-0\"}]}", "interface"},
		{"{\"v\":1,\"attachments\":[{\"network\":\"x\",\"interface\":\"n\",\"ips\":\"10.0.0.1\"}]}", "ips"},
		{"{\"v\":1,\"attachments\":[{\"network\":\"x\",\"interface\":\"n\",\"routes\":[{\"gw\":\"1.1.1.1\"}]}]}",
		 "routes[0]"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *p = json_loads(cases[i].json, 0, NULL);
		char err[256] = "";
		assert_non_null(p);
		assert_int_equal(pn_plan_validate(p, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, cases[i].want));
		json_decref(p);
	}
}

/* a plan of the default network and N more: what a Pod asking for N
 * networks gets from the controller */
static json_t *plan_of_n(int n)
{
	json_t *atts = json_array();

	json_array_append_new(atts, json_pack("{s:s, s:s, s:b}", "network", "default", "interface", "eth0", "gw4", 1));
	for (int i = 1; i <= n; i++) {
		char net[16], ifn[16], ip[32];

		snprintf(net, sizeof(net), "n%d", i);
		snprintf(ifn, sizeof(ifn), "net%d", i);
		snprintf(ip, sizeof(ip), "10.%d.0.5/24", i);
		json_array_append_new(atts, json_pack("{s:s, s:s, s:s, s:[s]}", "network", net, "interface", ifn,
						      "provider", "podnet.dev/cni", "ips", ip));
	}
	return json_pack("{s:i, s:o}", "v", 1, "attachments", atts);
}

/* The API lets a Pod ask for PN_MAX_NETWORKS networks (16 bridges beside
 * the default is 17 attachments): the agent takes every plan the
 * controller can write, and refuses one more with the bound in the reason. */
static void unit__plan_with_as_many_networks_as_the_api_allows__accepted(void **state)
{
	json_t *p17 = plan_of_n(16), *pmax = plan_of_n(PN_MAX_NETWORKS), *over = plan_of_n(PN_MAX_NETWORKS + 1);
	char err[256] = "", want[64];

	(void)state;
	assert_int_equal(pn_plan_validate(p17, err, sizeof(err)), 0);
	assert_int_equal(pn_plan_validate(pmax, err, sizeof(err)), 0);
	assert_int_equal(pn_plan_validate(over, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "more than %d attachments", PN_MAX_NETWORKS + 1);
	assert_non_null(strstr(err, want));
	json_decref(p17);
	json_decref(pmax);
	json_decref(over);
}

static void unit__unknown_pod__gets_default_only(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	json_t *plan = (json_t *)1;
	char err[256];

	(void)state;
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "pod", 10, &plan, err, sizeof(err)), 0);
	assert_null(plan);
	agent_free(a);
}

static void unit__set_plan__returned_and_replaced(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	json_t *plan = NULL;
	char err[256];

	(void)state;
	replans = 0;
	assert_int_equal(pn_agent_plan_set(a, "ns", "pod", "u1", good), 0);
	assert_int_equal(replans, 1); /* a running Pod would be hot-plugged */
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "pod", 10, &plan, err, sizeof(err)), 0);
	assert_non_null(plan);
	assert_int_equal(json_array_size(json_object_get(plan, "attachments")), 2);
	json_decref(plan);
	assert_int_equal(pn_agent_plan_set(a, "ns", "pod", "u1", NULL), 0); /* asked for nothing now */
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "pod", 10, &plan, err, sizeof(err)), 0);
	assert_null(plan);
	pn_agent_plan_forget(a, "ns", "pod");
	agent_free(a);
}

static void unit__invalid_plan_or_request__fails_with_message(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	json_t *plan = NULL;
	char err[256];

	(void)state;
	assert_int_equal(pn_agent_plan_invalid(a, "ns", "pod", "u", "networks[1].interfaceName: taken"), 0);
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "pod", 10, &plan, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "networks[1].interfaceName: taken");
	assert_int_equal(pn_agent_plan_set(a, "ns", "p2", "u", "{not json"), 0);
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "p2", 10, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON"));
	agent_free(a);
}

static void unit__pending_plan__times_out_after_the_bound(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	json_t *plan = NULL;
	char err[256];

	(void)state;
	assert_int_equal(pn_agent_plan_pending(a, "ns", "pod", "u"), 0);
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "pod", 50, &plan, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "no attachment plan for Pod ns/pod"));
	agent_free(a);
}

struct later {
	struct pn_agent *a;
};

static void *set_later(void *arg)
{
	struct later *l = arg;

	usleep(50000);
	pn_agent_plan_set(l->a, "ns", "pod", "u", good);
	return NULL;
}

static void unit__pending_plan__wakes_when_the_plan_arrives(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	struct later l = {a};
	json_t *plan = NULL;
	pthread_t t;
	char err[256];

	(void)state;
	assert_int_equal(pn_agent_plan_pending(a, "ns", "pod", "u"), 0);
	assert_int_equal(pthread_create(&t, NULL, set_later, &l), 0);
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "pod", 5000, &plan, err, sizeof(err)), 0);
	assert_non_null(plan);
	json_decref(plan);
	pthread_join(t, NULL);
	agent_free(a);
}

static void unit__unknown_pod_with_a_watch__waits_then_times_out(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	json_t *plan = NULL;
	char err[256];

	(void)state;
	a->plans.wait_unknown = 1;
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "late", 50, &plan, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "not seen by the agent's Pod watch"));
	agent_free(a);
}

static void *set_default_later(void *arg)
{
	struct later *l = arg;

	usleep(50000);
	pn_agent_plan_set(l->a, "ns", "late", "u", NULL);
	return NULL;
}

static void unit__unknown_pod_with_a_watch__wakes_when_the_pod_arrives(void **state)
{
	struct pn_agent *a = agent_new(NULL);
	struct later l = {a};
	json_t *plan = (json_t *)1;
	pthread_t t;
	char err[256];

	(void)state;
	a->plans.wait_unknown = 1;
	assert_int_equal(pthread_create(&t, NULL, set_default_later, &l), 0);
	assert_int_equal(pn_plan_store_get(&a->plans, "ns", "late", 5000, &plan, err, sizeof(err)), 0);
	assert_null(plan); /* it asked for nothing: default only */
	pthread_join(t, NULL);
	agent_free(a);
}

static void unit__plans_dir__file_read_and_bad_file_reported(void **state)
{
	char dir[] = "/tmp/pnt-plans-XXXXXX", path[128];
	struct pn_agent *a;
	json_t *plan = NULL;
	char err[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	a = agent_new(dir);
	snprintf(path, sizeof(path), "%s/team-a_pod1.json", dir);
	f = fopen(path, "w");
	fputs(good, f);
	fclose(f);
	assert_int_equal(pn_plan_store_get(&a->plans, "team-a", "pod1", 10, &plan, err, sizeof(err)), 0);
	assert_non_null(plan);
	json_decref(plan);
	plan = NULL;
	snprintf(path, sizeof(path), "%s/team-a_pod2.json", dir);
	f = fopen(path, "w");
	fputs("{\"v\":1,", f);
	fclose(f);
	assert_int_equal(pn_plan_store_get(&a->plans, "team-a", "pod2", 10, &plan, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "team-a_pod2.json"));
	/* names that are not DNS labels never reach the file system */
	assert_int_equal(pn_plan_store_get(&a->plans, "../x", "pod1", 10, &plan, err, sizeof(err)), 0);
	assert_null(plan);
	unlink(path);
	snprintf(path, sizeof(path), "%s/team-a_pod1.json", dir);
	unlink(path);
	rmdir(dir);
	agent_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__valid_plan__accepted),
		cmocka_unit_test(unit__plan_with_bad_shapes__refused_with_reason),
		cmocka_unit_test(unit__plan_with_as_many_networks_as_the_api_allows__accepted),
		cmocka_unit_test(unit__unknown_pod__gets_default_only),
		cmocka_unit_test(unit__set_plan__returned_and_replaced),
		cmocka_unit_test(unit__invalid_plan_or_request__fails_with_message),
		cmocka_unit_test(unit__pending_plan__times_out_after_the_bound),
		cmocka_unit_test(unit__pending_plan__wakes_when_the_plan_arrives),
		cmocka_unit_test(unit__unknown_pod_with_a_watch__waits_then_times_out),
		cmocka_unit_test(unit__unknown_pod_with_a_watch__wakes_when_the_pod_arrives),
		cmocka_unit_test(unit__plans_dir__file_read_and_bad_file_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
