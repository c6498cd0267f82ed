/* host/provider_host.h — loading providers (.so) and calling them through the
 * podnet provider ABI (provider-sdk/include/podnet/provider.h).
 *
 * A struct pn_provider is one loaded, initialised provider. The agent loads
 * every *.so of one directory, which must be owned by root and writable by
 * nobody else, as must each file; the conformance kit loads a single file
 * given on its command line without that check.
 */
#ifndef PN_PSDK_PROVIDER_HOST_H
#define PN_PSDK_PROVIDER_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <podnet/provider.h>

struct pn_provider;

/* Where the host's log lines go: level is PODNET_LOG_*, provider the
 * provider's path or name. Must be thread-safe. NULL: lines are dropped. */
typedef void pn_provider_log_fn(void *ctx, int level, const char *provider, const char *msg);

struct pn_provider_opts {
	const char *config_json; /* handed to init; NULL: "{}" */
	pn_provider_log_fn *log;
	void *log_ctx;
	/* Tests only: pretend to be a host of this ABI major (0: the real one). */
	uint32_t fake_host_major;
};

#define PN_PROVIDER_CHECK_OWNER 0x1u /* refuse files not root-owned / writable by others */

/* Loads one provider: open, ownership check (with PN_PROVIDER_CHECK_OWNER),
 * dlopen(RTLD_NOW|RTLD_LOCAL), handshake, version checks, init. On failure
 * returns -errno and writes the reason into err (always NUL-terminated). */
int pn_provider_load(const char *path, unsigned flags, const struct pn_provider_opts *opts,
		     struct pn_provider **out, char *err, size_t errlen);

/* Verifies that dir is a directory owned by root and not writable by group or
 * others. Returns 0, or -EPERM/-errno with the reason in err. */
int pn_provider_dir_check(const char *dir, char *err, size_t errlen);

/* Calls fini, dlcloses, frees. NULL is a no-op. */
void pn_provider_free(struct pn_provider *p);

/* The provider's ops->name / ->version / path; ABI minor it was built for. */
const char *pn_provider_name(const struct pn_provider *p);
const char *pn_provider_version(const struct pn_provider *p);
const char *pn_provider_path(const struct pn_provider *p);
uint32_t pn_provider_abi_minor(const struct pn_provider *p);

/* The operations. Each zeroes *res and sets its size before calling the
 * provider, sets req->size, and turns a provider's positive return into
 * -EPROTO. Returns the provider's result (0 or -errno). */
int pn_provider_attach(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res);
int pn_provider_detach(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res);
int pn_provider_check(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res);
int pn_provider_gc(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res);
/* 0 ready; -EAGAIN not ready (reason in res->message). */
int pn_provider_status(struct pn_provider *p, struct podnet_result *res);

/* ABI v1.2: whether this node can serve req->attachment (no pod, no
 * sandbox). 0: it can, or the provider has no can_serve slot (older minor:
 * available whenever status says ready); -errno with the reason in
 * res->message. */
int pn_provider_can_serve(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res);
/* Non-zero when the provider fills the can_serve slot. */
int pn_provider_has_can_serve(const struct pn_provider *p);

/* ABI v1.3: the parameters kinds ("group/Kind") the provider declares,
 * well-formed and distinct (malformed ones were logged as warnings at load
 * and left out). Returns how many; *kinds points into the provider. */
size_t pn_provider_param_kinds(const struct pn_provider *p, const char *const **kinds);
/* The provider's ops->param_kinds as it gave it (NULL-terminated, or NULL),
 * for the conformance kit to judge. */
const char *const *pn_provider_declared_kinds(const struct pn_provider *p);
/* 0 when s is a well-formed parameters kind "group/Kind" (group a
 * lower-case DNS subdomain with a dot, at most 253 characters; Kind A-Z then
 * letters and digits, at most 63), else -EINVAL with the reason in why. */
int pn_provider_kind_check(const char *s, char *why, size_t wlen);

/* CLOCK_MONOTONIC in ms, as host->now_ms reports it. */
uint64_t pn_provider_now_ms(void);

#endif
