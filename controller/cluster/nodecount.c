/* nodecount.c — a PodNetwork's status.nodes from the PodNetworkNode reports
 * (pure: no loop, no network; unit-tested in test/test_nodecount.c). */
#include <string.h>

#include "cluster/nodecount.h"

static bool node_known(const json_t *nodes, const char *name)
{
	return !nodes || json_object_get(nodes, name) != NULL;
}

json_t *pn_nodecount(const json_t *reports, const json_t *nodes, const char *network)
{
	const char *key;
	json_t *rep;
	long total = 0, available = 0;

	json_object_foreach((json_t *)reports, key, rep) {
		const char *name = json_string_value(json_object_get(json_object_get(rep, "metadata"), "name"));
		json_t *list = json_object_get(json_object_get(rep, "status"), "networks"), *e;
		size_t i;

		if (!name || !node_known(nodes, name))
			continue; /* a report whose Node is gone counts for nothing */
		total++;
		json_array_foreach(list, i, e) {
			if (!json_is_object(e))
				continue;
			if (!strcmp(json_string_value(json_object_get(e, "name")) ?: "", network)) {
				available += json_is_true(json_object_get(e, "available"));
				break;
			}
		}
	}
	return json_pack("{sI sI}", "total", (json_int_t)total, "available", (json_int_t)available);
}

bool pn_nodecount_orphan(const json_t *report, const json_t *nodes)
{
	const char *name = json_string_value(json_object_get(json_object_get(report, "metadata"), "name"));

	return name && nodes && !json_object_get(nodes, name);
}
