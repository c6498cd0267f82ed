/* test_plan_ipam.c — filling plan attachments from IPPools: requested
 * addresses inside the pool and free, lowest free per family, idempotence,
 * moving a changed request, rollback on problems. */
#include "test_model_util.h"

#include "pn/ipam.h"
#include "pn/plan.h"

static struct pn_ippool *pool_spec(const char *spec)
{
	struct pn_problems ps = { 0 };
	char text[2048];
	struct pn_ippool *p;
	json_t *j;

	snprintf(text, sizeof(text), "{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool',"
		 "'metadata':{'name':'media-pool'},'spec':%s}", spec);
	j = jq(text);
	assert_int_equal(pn_ippool_decode(j, &p, &ps), 0);
	assert_int_equal(pn_ippool_validate(p, &ps), 0);
	json_decref(j);
	return p;
}

static void att_init(struct pn_plan_attachment *a, long index, const char *ip)
{
	memset(a, 0, sizeof(*a));
	a->network = strdup("media-net");
	a->interface = strdup("net1");
	a->provider = strdup("podnet.dev/cni");
	a->ippool = strdup("media-pool");
	a->request_index = index;
	if (ip)
		assert_int_equal(pn_strv_push_test(&a->requested_ips, &a->n_requested_ips, ip), 0);
}

static void att_clear(struct pn_plan_attachment *a)
{
	struct pn_plan p = { .v = a, .n = 1 };
	struct pn_plan_attachment *copy = malloc(sizeof(*copy));

	*copy = *a;
	p.v = copy;
	pn_plan_clear(&p);
	memset(a, 0, sizeof(*a));
}

static void unit__plan_ipam__dual_stack_lowest_free(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_ippool *spec = pool_spec("{'ranges':[{'cidr':'172.16.1.0/24','start':'172.16.1.100',"
					   "'end':'172.16.1.200','gateway':'172.16.1.1','exclude':['172.16.1.100/32']},"
					   "{'cidr':'fd00:10::/64','gateway':'fd00:10::1'}],"
					   "'routes':[{'dst':'10.20.0.0/16'}]}");
	struct pn_ipam_pool *pool;
	struct pn_plan_attachment a, b;

	assert_int_equal(pn_ippool_ipam(spec, &pool), 0);
	att_init(&a, 1, NULL);
	assert_int_equal(pn_plan_allocate(&a, pool, spec, "uid-a/media-net", &ps), 0);
	expect_clean(&ps);
	assert_int_equal(a.n_ips, 2);
	assert_string_equal(a.ips[0], "172.16.1.101/24");
	assert_string_equal(a.ips[1], "fd00:10::2/64");
	assert_int_equal(a.n_gateways, 2);
	assert_string_equal(a.gateways[0], "172.16.1.1");
	assert_string_equal(a.gateways[1], "fd00:10::1");
	assert_int_equal(a.n_routes, 1);
	assert_string_equal(a.routes[0].dst, "10.20.0.0/16");
	/* again for the same owner: the same addresses, nothing new taken */
	assert_int_equal(pn_plan_allocate(&a, pool, spec, "uid-a/media-net", &ps), 0);
	assert_int_equal(a.n_ips, 2);
	assert_string_equal(a.ips[0], "172.16.1.101/24");
	assert_int_equal(a.n_routes, 1);
	assert_int_equal(pn_ipam_pool_nallocated(pool), 2);
	/* another owner gets the next ones */
	att_init(&b, 0, NULL);
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "uid-b/media-net", &ps), 0);
	assert_string_equal(b.ips[0], "172.16.1.102/24");
	assert_string_equal(b.ips[1], "fd00:10::3/64");
	assert_int_equal(pn_ipam_pool_nallocated(pool), 4);
	att_clear(&a);
	att_clear(&b);
	pn_ipam_pool_free(pool);
	pn_ippool_free(spec);
}

static void unit__plan_ipam__requested_addresses(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_ippool *spec = pool_spec("{'ranges':[{'cidr':'172.16.2.0/24','gateway':'172.16.2.1',"
					   "'exclude':['172.16.2.128/25']}]}");
	struct pn_ipam_pool *pool;
	struct pn_plan_attachment a, b;

	assert_int_equal(pn_ippool_ipam(spec, &pool), 0);
	att_init(&a, 3, "172.16.2.50");
	assert_int_equal(pn_plan_allocate(&a, pool, spec, "uid-a/signaling", &ps), 0);
	assert_int_equal(a.n_ips, 1);
	assert_string_equal(a.ips[0], "172.16.2.50/24");
	assert_string_equal(pn_ipam_owner(pool, &(struct pn_ip){ .family = 4, .bytes = { 172, 16, 2, 50 } }),
			    "uid-a/signaling");

	/* taken by someone else */
	att_init(&b, 2, "172.16.2.50");
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "uid-b/signaling", &ps), 1);
	expect_only(&ps, "podnet.dev/networks[2].ips[0]", "already allocated in IPPool \"media-pool\" to uid-a/signaling");
	assert_int_equal(b.n_ips, 0);
	pn_problems_clear(&ps);
	att_clear(&b);
	/* outside */
	att_init(&b, 0, "10.9.9.9");
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "uid-b/signaling", &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0].ips[0]", "not inside IPPool");
	pn_problems_clear(&ps);
	att_clear(&b);
	/* reserved: excluded, gateway, broadcast */
	att_init(&b, 0, "172.16.2.200");
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "uid-b/signaling", &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0].ips[0]", "reserved");
	pn_problems_clear(&ps);
	att_clear(&b);
	att_init(&b, 0, "172.16.2.1");
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "uid-b/signaling", &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0].ips[0]", "reserved");
	pn_problems_clear(&ps);
	att_clear(&b);
	/* a family the pool does not have */
	att_init(&b, 0, "fd00::5");
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "uid-b/signaling", &ps), 1);
	expect_only(&ps, "podnet.dev/networks[0].ips[0]", "not inside");
	pn_problems_clear(&ps);
	att_clear(&b);
	assert_int_equal(pn_ipam_pool_nallocated(pool), 1);

	/* the request changes: the address moves, the old one is freed */
	free(a.requested_ips[0]);
	a.requested_ips[0] = strdup("172.16.2.60");
	assert_int_equal(pn_plan_allocate(&a, pool, spec, "uid-a/signaling", &ps), 0);
	assert_int_equal(a.n_ips, 1);
	assert_string_equal(a.ips[0], "172.16.2.60/24");
	assert_int_equal(pn_ipam_pool_nallocated(pool), 1);
	assert_null(pn_ipam_owner(pool, &(struct pn_ip){ .family = 4, .bytes = { 172, 16, 2, 50 } }));
	att_clear(&a);
	pn_ipam_pool_free(pool);
	pn_ippool_free(spec);
}

static void unit__plan_ipam__exhausted_rolls_back(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_ippool *spec = pool_spec("{'ranges':[{'cidr':'fd00::/120','start':'fd00::10','end':'fd00::11'},"
					   "{'cidr':'10.0.0.0/30','start':'10.0.0.1','end':'10.0.0.1'}]}");
	struct pn_ipam_pool *pool;
	struct pn_plan_attachment a, b;

	assert_int_equal(pn_ippool_ipam(spec, &pool), 0);
	att_init(&a, -1, NULL);
	assert_int_equal(pn_plan_allocate(&a, pool, spec, "a", &ps), 0);
	assert_int_equal(a.n_ips, 2);
	assert_string_equal(a.ips[0], "fd00::10/120");
	assert_string_equal(a.ips[1], "10.0.0.1/30");
	/* b gets fd00::11, then finds IPv4 full: the IPv6 one is given back */
	att_init(&b, 4, NULL);
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "b", &ps), 1);
	expect_only(&ps, "podnet.dev/networks[4]", "IPPool \"media-pool\" has no free IPv4 address left");
	assert_int_equal(b.n_ips, 0);
	assert_int_equal(pn_ipam_pool_nallocated(pool), 2);
	assert_null(pn_ipam_owner(pool, &(struct pn_ip){ .family = 6, .bytes = { 0xfd, [15] = 0x11 } }));
	pn_problems_clear(&ps);
	/* implicit entries (the default network) report at "podnet.dev/networks" */
	b.request_index = -1;
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "b", &ps), 1);
	expect_only(&ps, "podnet.dev/networks", "no free IPv4");
	pn_problems_clear(&ps);
	/* once a is gone, b fits */
	assert_int_equal(pn_ipam_release_owner(pool, "a"), 2);
	assert_int_equal(pn_plan_allocate(&b, pool, spec, "b", &ps), 0);
	assert_string_equal(b.ips[0], "fd00::10/120");
	assert_string_equal(b.ips[1], "10.0.0.1/30");
	att_clear(&a);
	att_clear(&b);
	pn_ipam_pool_free(pool);
	pn_ippool_free(spec);
}

static void unit__plan_ipam__bad_spec(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'IPPool','metadata':{'name':'p'},"
		       "'spec':{'ranges':[{'cidr':'10.0.0.5/24'}]}}");
	struct pn_ippool *p;
	struct pn_ipam_pool *pool;

	assert_int_equal(pn_ippool_decode(j, &p, &ps), 0);
	assert_int_equal(pn_ippool_ipam(p, &pool), -EINVAL);
	assert_null(pool);
	pn_ippool_free(p);
	json_decref(j);
}

/* Every IPPool the validator accepts can be built into an IPAM pool. */
static void unit__plan_ipam__valid_pools_build(void **state)
{
	static const char *const specs[] = {
		"{'ranges':[{'cidr':'172.16.1.0/24','start':'172.16.1.100','end':'172.16.1.200',"
		"'gateway':'172.16.1.1','exclude':['172.16.1.150/32']},{'cidr':'fd00:10::/64'}]}",
		"{'ranges':[{'cidr':'fd00:10::/64','start':'fd00:10::10','end':'fd00:10::ff',"
		"'gateway':'fd00:10::1','exclude':['fd00:10::80/124']}]}",
		"{'ranges':[{'cidr':'10.0.0.0/24'},{'cidr':'10.0.1.0/24'}]}",
		"{'ranges':[{'cidr':'10.0.0.0/24','start':'10.0.0.5','end':'10.0.0.5'}]}",
		"{'ranges':[{'cidr':'10.0.0.0/31'},{'cidr':'10.0.1.1/32'},{'cidr':'fd00::/127'},"
		"{'cidr':'fd00:1::1/128'}]}",
		"{'ranges':[{'cidr':'10.0.0.0/8','gateway':'10.0.0.1','exclude':['10.0.0.0/16']}]}",
		"{'ranges':[{'cidr':'::ffff:10.0.0.0/120'}]}",
		NULL,
	};

	for (const char *const *sp = specs; *sp; sp++) {
		struct pn_ippool *spec = pool_spec(*sp);
		struct pn_ipam_pool *pool = NULL;

		if (pn_ippool_ipam(spec, &pool) != 0)
			fail_msg("valid IPPool refused by IPAM: %s", *sp);
		pn_ipam_pool_free(pool);
		pn_ippool_free(spec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__plan_ipam__dual_stack_lowest_free),
		cmocka_unit_test(unit__plan_ipam__requested_addresses),
		cmocka_unit_test(unit__plan_ipam__exhausted_rolls_back),
		cmocka_unit_test(unit__plan_ipam__bad_spec),
		cmocka_unit_test(unit__plan_ipam__valid_pools_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
