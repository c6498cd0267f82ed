/* Fuzz harness: an AdmissionReview body as the API server would POST it,
 * decoded and then decided against an empty world (the checks decode the
 * Pod, PodNetwork or attachment inside, and the network request inside the
 * Pod's annotation), and the answer encoded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "webhook/checks.h"
#include "webhook/review.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *none_net(void *ud, const char *name) { return NULL; }
static json_t *none_pna(void *ud, const char *ns, const char *name) { return NULL; }
static json_t *none_labels(void *ud, const char *ns) { return NULL; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const users[] = { PN_WH_CONTROLLER_USER };
	static const char *const groups[] = { PN_WH_CONTROLLER_GROUP };
	static const char *const agent_users[] = { PN_WH_AGENT_USER };
	static const char *const agent_groups[] = { PN_WH_AGENT_GROUP };
	const struct pn_wh_config cfg = { .controller_users = users, .n_users = 1,
					  .controller_groups = groups, .n_groups = 1,
					  .agent_users = agent_users, .n_agent_users = 1,
					  .agent_groups = agent_groups, .n_agent_groups = 1,
					  .native_networks = size % 2 == 1 };
	const struct pn_wh_lookup lk = { none_net, none_pna, none_labels, NULL };
	struct pn_wh_review rv;
	struct pn_wh_verdict v;
	char err[256], *a;

	if (pn_wh_review_decode((const char *)data, size, &rv, err, sizeof(err)) == 0) {
		if (pn_wh_check(&rv, &cfg, &lk, &v) == PN_WH_COUNT_DEFAULT_USERS)
			pn_wh_default_in_use(&v, 2, "a/b");
		if (rv.object)
			(void)pn_wh_pod_uses_default(rv.object, &cfg, &lk);
		a = pn_wh_review_answer(rv.uid, v.allowed, v.code, v.message);
		free(a);
	}
	pn_wh_review_clear(&rv);
	return 0;
}
