/* libFuzzer harness: PodNetworks and CNIConfigs as the API server hands
 * them to the agent (outside input), through the availability evaluation
 * (decoding, the planner's resolution, the report object). The input is a
 * JSON object {"networks": [...], "cniconfigs": [...]}; the node is a stub
 * that refuses every third question with a reason of its own. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_avail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ask(void *ctx, const char *provider, const char *network, const char *params, int *err, char *message,
	       size_t mlen)
{
	unsigned *n = ctx;

	(void)provider;
	(void)network;
	if (params && strlen(params) > (1u << 20))
		abort(); /* the planner never hands more than it was given */
	if ((*n)++ % 3 == 2) {
		*err = -ENODEV;
		snprintf(message, mlen, "Custom: %s", network);
		return PN_AVAIL_REFUSED;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct pn_avail_report r;
	unsigned n = 0;

	if (in && pn_avail_evaluate(json_object_get(in, "networks"), json_object_get(in, "cniconfigs"), ask, &n, &r) == 0) {
		json_t *obj = pn_avail_object("node", "uid", &r, "2026-01-01T00:00:00Z");

		if (!obj || !pn_avail_status_matches(obj, &r))
			abort(); /* what is written reads back as the same report */
		json_decref(obj);
		pn_avail_report_clear(&r);
	}
	json_decref(in);
	return 0;
}
