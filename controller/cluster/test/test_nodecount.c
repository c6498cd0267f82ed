/* Unit tests of nodecount.c: a PodNetwork's status.nodes from the
 * PodNetworkNode reports, and reports whose Node is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cluster/nodecount.h"

static json_t *report(const char *node, const char *networks_json)
{
	json_t *r = json_pack("{s{ss} s{so}}", "metadata", "name", node, "status", "networks",
			      json_loads(networks_json, 0, NULL));
	assert_non_null(r);
	return r;
}

static json_t *store(void)
{
	json_t *s = json_object();

	json_object_set_new(s, "node-1", report("node-1", "[{\"name\":\"default\",\"available\":true},"
							  "{\"name\":\"mv\",\"available\":false,\"reason\":\"ParentLinkMissing\"}]"));
	json_object_set_new(s, "node-2", report("node-2", "[{\"name\":\"default\",\"available\":true},"
							  "{\"name\":\"mv\",\"available\":true}]"));
	/* an agent that has not seen mv yet; junk entries are skipped */
	json_object_set_new(s, "node-3", report("node-3", "[7,{\"name\":\"default\",\"available\":true}]"));
	return s;
}

static void check(json_t *got, long total, long available)
{
	assert_non_null(got);
	assert_int_equal(json_integer_value(json_object_get(got, "total")), total);
	assert_int_equal(json_integer_value(json_object_get(got, "available")), available);
	json_decref(got);
}

static void unit__counts__total_reports_and_available_entries(void **state)
{
	json_t *s = store();
	(void)state;

	check(pn_nodecount(s, NULL, "mv"), 3, 1);
	check(pn_nodecount(s, NULL, "default"), 3, 3);
	check(pn_nodecount(s, NULL, "unknown"), 3, 0);
	json_decref(s);
}

static void unit__gone_nodes__not_counted_and_orphans(void **state)
{
	json_t *s = store();
	json_t *nodes = json_pack("{s{} s{}}", "node-2", "node-3");
	(void)state;

	check(pn_nodecount(s, nodes, "mv"), 2, 1);
	check(pn_nodecount(s, nodes, "default"), 2, 2);
	assert_true(pn_nodecount_orphan(json_object_get(s, "node-1"), nodes));
	assert_false(pn_nodecount_orphan(json_object_get(s, "node-2"), nodes));
	/* Nodes not known yet: nothing is an orphan */
	assert_false(pn_nodecount_orphan(json_object_get(s, "node-1"), NULL));
	json_decref(nodes);
	json_decref(s);
}

static void unit__no_reports__zero_of_zero(void **state)
{
	json_t *s = json_object();
	(void)state;

	check(pn_nodecount(s, NULL, "mv"), 0, 0);
	json_decref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__counts__total_reports_and_available_entries),
		cmocka_unit_test(unit__gone_nodes__not_counted_and_orphans),
		cmocka_unit_test(unit__no_reports__zero_of_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
