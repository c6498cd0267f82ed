/* A provider claiming ABI major 2: the agent must refuse it with a message
 * that names both versions. (It accepts any host itself, so the refusal
 * shown is the agent's.) */
#include <podnet/provider.h>

static int32_t xm_op(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	(void)state;
	(void)req;
	(void)res;
	return 0;
}

static const struct podnet_provider_ops xm_ops = {
	.size = sizeof(struct podnet_provider_ops),
	.abi_major = PODNET_ABI_MAJOR + 1,
	.abi_minor = 0,
	.name = "test.podnet.dev/other-major",
	.version = "2.0.0",
	.attach = xm_op,
	.detach = xm_op,
	.check = xm_op,
	.gc = xm_op,
};

PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *podnet_provider_entry(const struct podnet_host_api *host)
{
	(void)host;
	return &xm_ops;
}
