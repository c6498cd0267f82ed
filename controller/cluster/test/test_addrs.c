/* test_addrs.c — the controller's address state: holds, pools, allocation
 * with rollback, rebuild, conflicts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/addrs.h"

static struct pn_ippool *pool_spec(const char *json)
{
	struct pn_problems ps = { 0 };
	struct pn_ippool *p = NULL;
	json_t *j = json_loads(json, 0, NULL);

	assert_non_null(j);
	assert_int_equal(pn_ippool_decode(j, &p, &ps), 0);
	assert_int_equal(pn_ippool_validate(p, &ps), 0);
	pn_ippool_default(p);
	json_decref(j);
	pn_problems_clear(&ps);
	return p;
}

#define POOL_24 "{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":\"IPPool\"," \
	"\"metadata\":{\"name\":\"p\"},\"spec\":{\"ranges\":[{\"cidr\":\"10.0.0.0/29\"," \
	"\"gateway\":\"10.0.0.1\"}]}}"

static struct pn_hold hold(const char *pool, const char *net, const char *ip)
{
	struct pn_hold h = { .pool = (char *)pool, .network = (char *)net };

	assert_int_equal(pn_ip_parse(ip, &h.ip), 0);
	return h;
}

/* A plan with one attachment on network net from pool p. */
static void plan1(struct pn_plan *plan, const char *net, const char *fixed)
{
	memset(plan, 0, sizeof(*plan));
	plan->version = PN_PLAN_VERSION;
	plan->v = calloc(1, sizeof(*plan->v));
	plan->n = 1;
	plan->v[0].network = strdup(net);
	plan->v[0].interface = strdup("net1");
	plan->v[0].ippool = strdup("p");
	plan->v[0].request_index = 0;
	if (fixed) {
		plan->v[0].requested_ips = calloc(1, sizeof(char *));
		plan->v[0].requested_ips[0] = strdup(fixed);
		plan->v[0].n_requested_ips = 1;
	}
}

static size_t allocated(struct pn_addrs *a)
{
	return pn_addrs_allocated(a);
}

static void unit__addrs__lowest_free_and_release(void **st)
{
	struct pn_addrs a;
	struct pn_problems ps = { 0 };
	struct pn_plan plan;
	struct pn_addrs_pod *p1, *p2;

	pn_addrs_init(&a);
	assert_int_equal(pn_addrs_pool_set(&a, "p", pool_spec(POOL_24)), 0);
	p1 = pn_addrs_pod(&a, "uid-1", true);
	p2 = pn_addrs_pod(&a, "uid-2", true);
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, p1, &plan, &ps), 0);
	assert_string_equal(plan.v[0].ips[0], "10.0.0.2/29");
	assert_int_equal(p1->n, 1);
	pn_plan_clear(&plan);
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, p2, &plan, &ps), 0);
	assert_string_equal(plan.v[0].ips[0], "10.0.0.3/29");
	pn_plan_clear(&plan);
	assert_int_equal(allocated(&a), 2);
	pn_addrs_pod_release(&a, "uid-1");
	assert_int_equal(allocated(&a), 1);
	assert_null(pn_addrs_pod(&a, "uid-1", false));
	pn_addrs_clear(&a);
}

static void unit__addrs__again_same_owner_is_idempotent(void **st)
{
	struct pn_addrs a;
	struct pn_problems ps = { 0 };
	struct pn_plan plan;
	struct pn_addrs_pod *p1;

	pn_addrs_init(&a);
	pn_addrs_pool_set(&a, "p", pool_spec(POOL_24));
	p1 = pn_addrs_pod(&a, "uid-1", true);
	for (int i = 0; i < 3; i++) {
		plan1(&plan, "n", NULL);
		assert_int_equal(pn_addrs_allocate(&a, p1, &plan, &ps), 0);
		assert_string_equal(plan.v[0].ips[0], "10.0.0.2/29");
		pn_plan_clear(&plan);
	}
	assert_int_equal(p1->n, 1);
	assert_int_equal(allocated(&a), 1);
	pn_addrs_clear(&a);
}

static void unit__addrs__exhausted_pool__problem_and_nothing_held(void **st)
{
	struct pn_addrs a;
	struct pn_problems ps = { 0 };
	struct pn_plan plan;
	char uid[16];

	pn_addrs_init(&a);
	pn_addrs_pool_set(&a, "p", pool_spec(POOL_24)); /* .2 .. .6: 5 addresses */
	for (int i = 0; i < 5; i++) {
		snprintf(uid, sizeof(uid), "u%d", i);
		plan1(&plan, "n", NULL);
		assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, uid, true), &plan, &ps), 0);
		pn_plan_clear(&plan);
	}
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u9", true), &plan, &ps), 1);
	assert_string_equal(ps.v[0].path, "podnet.dev/networks[0]");
	assert_int_equal(pn_addrs_pod(&a, "u9", false)->n, 0);
	assert_int_equal(allocated(&a), 5);
	pn_plan_clear(&plan);
	pn_problems_clear(&ps);
	/* one goes: the waiting one fits */
	pn_addrs_pod_release(&a, "u2");
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u9", false), &plan, &ps), 0);
	assert_string_equal(plan.v[0].ips[0], "10.0.0.4/29");
	pn_plan_clear(&plan);
	pn_addrs_clear(&a);
}

static void unit__addrs__fixed_taken__problem_no_duplicate(void **st)
{
	struct pn_addrs a;
	struct pn_problems ps = { 0 };
	struct pn_plan plan;

	pn_addrs_init(&a);
	pn_addrs_pool_set(&a, "p", pool_spec(POOL_24));
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u1", true), &plan, &ps), 0);
	pn_plan_clear(&plan);
	plan1(&plan, "n", "10.0.0.2");
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u2", true), &plan, &ps), 1);
	assert_string_equal(ps.v[0].path, "podnet.dev/networks[0].ips[0]");
	assert_int_equal(allocated(&a), 1);
	pn_plan_clear(&plan);
	pn_problems_clear(&ps);
	pn_addrs_clear(&a);
}

/* A failure on the second attachment undoes the first one. */
static void unit__addrs__second_attachment_fails__first_rolled_back(void **st)
{
	struct pn_addrs a;
	struct pn_problems ps = { 0 };
	struct pn_plan plan;

	pn_addrs_init(&a);
	pn_addrs_pool_set(&a, "p", pool_spec(POOL_24));
	plan1(&plan, "x", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u1", true), &plan, &ps), 0);
	pn_plan_clear(&plan);
	memset(&plan, 0, sizeof(plan));
	plan.version = 1;
	plan.n = 2;
	plan.v = calloc(2, sizeof(*plan.v));
	plan.v[0].network = strdup("a");
	plan.v[0].ippool = strdup("p");
	plan.v[1].network = strdup("b");
	plan.v[1].ippool = strdup("p");
	plan.v[1].request_index = 1;
	plan.v[1].requested_ips = calloc(1, sizeof(char *));
	plan.v[1].requested_ips[0] = strdup("10.0.0.2"); /* held by u1 */
	plan.v[1].n_requested_ips = 1;
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u2", true), &plan, &ps), 1);
	assert_int_equal(allocated(&a), 1);
	assert_int_equal(pn_addrs_pod(&a, "u2", false)->n, 0);
	pn_plan_clear(&plan);
	pn_problems_clear(&ps);
	pn_addrs_clear(&a);
}

static void unit__addrs__sync__conflict_counted_not_held(void **st)
{
	struct pn_addrs a;
	struct pn_hold h1 = hold("p", "n", "10.0.0.5"), h2 = hold("p", "m", "10.0.0.5");

	pn_addrs_init(&a);
	pn_addrs_pool_set(&a, "p", pool_spec(POOL_24));
	assert_int_equal(pn_addrs_pod_sync(&a, pn_addrs_pod(&a, "u1", true), &h1, 1, false), 0);
	assert_int_equal(pn_addrs_pod_sync(&a, pn_addrs_pod(&a, "u2", true), &h2, 1, false), 1);
	assert_int_equal(a.conflicts, 1);
	assert_int_equal(pn_addrs_pod(&a, "u2", false)->n, 0);
	/* syncing again the same is a no-op for u1 */
	assert_int_equal(pn_addrs_pod_sync(&a, pn_addrs_pod(&a, "u1", false), &h1, 1, false), 0);
	assert_int_equal(allocated(&a), 1);
	pn_addrs_clear(&a);
}

static void unit__addrs__sync_keep_extra__releases_nothing(void **st)
{
	struct pn_addrs a;
	struct pn_hold h1 = hold("p", "n", "10.0.0.5"), h2 = hold("p", "n", "10.0.0.6");
	struct pn_addrs_pod *p;

	pn_addrs_init(&a);
	pn_addrs_pool_set(&a, "p", pool_spec(POOL_24));
	p = pn_addrs_pod(&a, "u1", true);
	pn_addrs_pod_sync(&a, p, &h1, 1, false);
	pn_addrs_pod_sync(&a, p, &h2, 1, true);
	assert_int_equal(p->n, 2);
	assert_int_equal(allocated(&a), 2);
	pn_addrs_pod_sync(&a, p, &h2, 1, false);
	assert_int_equal(p->n, 1);
	assert_int_equal(allocated(&a), 1);
	pn_addrs_clear(&a);
}

/* Holds loaded before the pool exists are allocated when it appears; a
 * changed pool spec is rebuilt from the holds. */
static void unit__addrs__pool_appears__rebuilt_from_holds(void **st)
{
	struct pn_addrs a;
	struct pn_hold h[2] = { hold("p", "n", "10.0.0.3"), hold("p", "m", "10.0.0.4") };
	struct pn_problems ps = { 0 };
	struct pn_plan plan;

	pn_addrs_init(&a);
	assert_int_equal(pn_addrs_pod_sync(&a, pn_addrs_pod(&a, "u1", true), h, 2, false), 0);
	assert_int_equal(allocated(&a), 0);
	assert_int_equal(pn_addrs_pool_set(&a, "p", pool_spec(POOL_24)), 0);
	assert_int_equal(allocated(&a), 2);
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u2", true), &plan, &ps), 0);
	assert_string_equal(plan.v[0].ips[0], "10.0.0.2/29");
	pn_plan_clear(&plan);
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u3", true), &plan, &ps), 0);
	assert_string_equal(plan.v[0].ips[0], "10.0.0.5/29");
	pn_plan_clear(&plan);
	assert_int_equal(pn_addrs_pool_set(&a, "p", pool_spec(POOL_24)), 0);
	assert_int_equal(allocated(&a), 4);
	assert_int_equal(pn_addrs_rebuild(&a), 0);
	assert_int_equal(pn_addrs_pool_set(&a, "p", NULL), 0);
	assert_null(pn_addrs_pool(&a, "p"));
	pn_addrs_clear(&a);
}

static void unit__addrs__missing_pool__problem(void **st)
{
	struct pn_addrs a;
	struct pn_problems ps = { 0 };
	struct pn_plan plan;

	pn_addrs_init(&a);
	plan1(&plan, "n", NULL);
	assert_int_equal(pn_addrs_allocate(&a, pn_addrs_pod(&a, "u1", true), &plan, &ps), 1);
	assert_non_null(strstr(ps.v[0].message, "not ready"));
	pn_plan_clear(&plan);
	pn_problems_clear(&ps);
	pn_addrs_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__addrs__lowest_free_and_release),
		cmocka_unit_test(unit__addrs__again_same_owner_is_idempotent),
		cmocka_unit_test(unit__addrs__exhausted_pool__problem_and_nothing_held),
		cmocka_unit_test(unit__addrs__fixed_taken__problem_no_duplicate),
		cmocka_unit_test(unit__addrs__second_attachment_fails__first_rolled_back),
		cmocka_unit_test(unit__addrs__sync__conflict_counted_not_held),
		cmocka_unit_test(unit__addrs__sync_keep_extra__releases_nothing),
		cmocka_unit_test(unit__addrs__pool_appears__rebuilt_from_holds),
		cmocka_unit_test(unit__addrs__missing_pool__problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
