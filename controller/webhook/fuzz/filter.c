/* Fuzz harness: an ExtenderArgs body as kube-scheduler would POST it to
 * /scheduler/filter, decoded and decided against a small world (one Ready
 * network, one disabled, one attachment, a report for node "a" only; the
 * Pod's annotation is decoded inside), and the answer encoded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webhook/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *world; /* built once, kept for the life of the process */

static json_t *w_net(void *ud, const char *name)
{
	return json_object_get(json_object_get(world, "nets"), name);
}

static json_t *w_pna(void *ud, const char *ns, const char *name)
{
	return json_object_get(json_object_get(world, "pnas"), name);
}

static json_t *w_labels(void *ud, const char *ns)
{
	return NULL;
}

static json_t *w_report(void *ud, const char *node)
{
	return json_object_get(json_object_get(world, "reports"), node);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pn_wh_lookup lk = { w_net, w_pna, w_labels, NULL };
	const struct pn_wh_config cfg = { .native_networks = size % 2 == 1 };
	const struct pn_wh_filter_world w = { &lk, w_report, NULL, size % 3 != 0 };
	struct pn_wh_filter_args a;
	struct pn_wh_filter_outcome o;
	char err[256] = "", *ans;

	if (!world)
		world = json_loads(
			"{\"nets\":{\"data\":{\"apiVersion\":\"podnet.dev/v1alpha1\",\"kind\":"
			"\"PodNetwork\",\"metadata\":{\"name\":\"data\"},\"spec\":{\"provider\":"
			"\"podnet.dev/cni\"},\"status\":{\"conditions\":[{\"type\":\"Ready\","
			"\"status\":\"True\",\"reason\":\"Ready\"}]}},\"off\":{\"apiVersion\":"
			"\"podnet.dev/v1alpha1\",\"kind\":\"PodNetwork\",\"metadata\":{\"name\":"
			"\"off\"},\"spec\":{\"provider\":\"podnet.dev/cni\",\"enabled\":false},"
			"\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}},"
			"\"pnas\":{\"att\":{\"spec\":{\"podNetworkName\":\"data\"},\"status\":"
			"{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}},"
			"\"reports\":{\"a\":{\"status\":{\"networks\":[{\"name\":\"data\","
			"\"available\":false,\"reason\":\"ParentLinkMissing\",\"message\":\"x\"}]}}}}",
			0, NULL);
	if (pn_wh_filter_decode((const char *)data, size, &a, err, sizeof(err)) == 0) {
		ans = pn_wh_filter_run(&a, &cfg, &w, &o);
		free(ans);
		pn_wh_filter_clear(&a);
	}
	ans = pn_wh_filter_error(err);
	free(ans);
	return 0;
}
