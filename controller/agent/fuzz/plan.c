/* libFuzzer harness: a Pod's plan (the podnet.dev/plan annotation, outside
 * input to the agent) through the agent's plan checks and the view that
 * turns a planned attachment into provider structs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void pn_agent_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

void pn_agent_replan(struct pn_agent *a, const char *ns, const char *name)
{
	(void)a;
	(void)ns;
	(void)name;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *plan = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	char err[512];

	if (plan)
		pn_plan_validate(plan, err, sizeof(err));
	json_decref(plan);
	return 0;
}
