/* A provider built against the frozen v1.0 header (no status slot, no
 * now_ms, no deadline): the current agent must load it, zero-fill what it
 * lacks, and treat it as ready. */
#include "provider-v1.0.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct podnet_host_api *om_host;

static int32_t om_init(const struct podnet_host_api *host, const char *config_json, void **state,
		       struct podnet_result *res)
{
	(void)config_json;
	(void)res;
	om_host = host;
	*state = NULL;
	host->log(host->host, PODNET_LOG_INFO, "old-minor provider initialised");
	return 0;
}

static void om_fini(void *state) { (void)state; }

static int32_t om_attach(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	(void)state;
	/* v1.0 knows the request up to n_keep; it never reads deadline_ms. */
	snprintf(res->interfaces[0].name, PODNET_IFNAME_LEN, "%s", req->attachment->interface);
	res->n_interfaces = 1;
	return 0;
}

static int32_t om_ok(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	(void)state;
	(void)req;
	(void)res;
	return 0;
}

static const struct podnet_provider_ops om_ops = {
	.size = sizeof(struct podnet_provider_ops),
	.abi_major = PODNET_ABI_MAJOR,
	.abi_minor = PODNET_ABI_MINOR,
	.name = "test.podnet.dev/old-minor",
	.version = "1.0.0",
	.init = om_init,
	.fini = om_fini,
	.attach = om_attach,
	.detach = om_ok,
	.check = om_ok,
	.gc = om_ok,
};

PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *podnet_provider_entry(const struct podnet_host_api *host)
{
	if (host->abi_major != PODNET_ABI_MAJOR)
		return NULL;
	return &om_ops;
}
