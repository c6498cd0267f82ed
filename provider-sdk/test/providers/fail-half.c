/* A provider whose attach fails halfway: it records its work in its state
 * directory, then "fails" at the second step and undoes the first, as every
 * provider must. In a plan it makes the agent roll back the attachments made
 * before it. detach/check/gc succeed; status reports ready. */
#include <podnet/provider.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char fh_dir[PODNET_PATH_LEN];

static int32_t fh_init(const struct podnet_host_api *host, const char *config_json, void **state,
		       struct podnet_result *res)
{
	const char *k = strstr(config_json, "\"stateDir\":\""), *e;

	(void)host;
	(void)res;
	*state = NULL;
	if (k && (e = strchr(k + 12, '"')) && (size_t)(e - k - 12) < sizeof(fh_dir)) {
		memcpy(fh_dir, k + 12, (size_t)(e - k - 12));
		fh_dir[e - k - 12] = '\0';
	}
	return 0;
}

static int32_t fh_attach(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	char path[PODNET_PATH_LEN * 2];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/%s-%s", fh_dir[0] ? fh_dir : "/tmp", req->sandbox->container_id,
		 req->attachment->interface);
	f = fopen(path, "we"); /* step 1 */
	if (f)
		fclose(f);
	unlink(path); /* step 2 fails: undo step 1 */
	snprintf(res->message, sizeof(res->message), "fail-half: attach of %s failed halfway (on purpose)",
		 req->attachment->interface);
	res->cni_code = 11;
	return -EIO;
}

static int32_t fh_ok(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	(void)state;
	(void)req;
	(void)res;
	return 0;
}

static int32_t fh_status(void *state, struct podnet_result *res)
{
	(void)state;
	(void)res;
	return 0;
}

/* ABI 1.3: one good kind, its duplicate, and malformed ones: the host keeps
 * the first only, the conformance kit fails the list. */
static const char *const fh_kinds[] = {"acme.io/AcmeNet", "acme.io/AcmeNet", "not-a-kind", "acme.io/lowerCase", NULL};

static const struct podnet_provider_ops fh_ops = {
	.size = sizeof(struct podnet_provider_ops),
	.abi_major = PODNET_ABI_MAJOR,
	.abi_minor = PODNET_ABI_MINOR,
	.name = "test.podnet.dev/fail-half",
	.version = "1.0.0",
	.init = fh_init,
	.attach = fh_attach,
	.detach = fh_ok,
	.check = fh_ok,
	.gc = fh_ok,
	.status = fh_status,
	.param_kinds = fh_kinds,
};

PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *podnet_provider_entry(const struct podnet_host_api *host)
{
	if (host->abi_major != PODNET_ABI_MAJOR)
		return NULL;
	return &fh_ops;
}
