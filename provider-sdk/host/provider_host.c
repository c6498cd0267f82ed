/* host/provider_host.c — the host side of the provider ABI: opening a
 * provider file safely, the handshake, version checks and the call wrappers. */
#include "host/provider_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The v1.0 ops end after gc; anything shorter is not a provider. */
#define PN_OPS_V1_0_SIZE (offsetof(struct podnet_provider_ops, gc) + sizeof(void *))

struct podnet_host {
	struct pn_provider *p;
};

struct pn_provider {
	struct podnet_host host;
	struct podnet_host_api api;
	struct podnet_provider_ops ops; /* host-sized copy, zero-filled */
	void *dl;
	void *state;
	int initialised;
	char *path;
	pn_provider_log_fn *log;
	void *log_ctx;
	/* ABI v1.3: the well-formed, distinct entries of ops.param_kinds */
	const char *kinds[PODNET_MAX_PARAM_KINDS];
	size_t n_kinds;
};

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

uint64_t pn_provider_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void host_log(struct podnet_host *h, int32_t level, const char *msg)
{
	struct pn_provider *p = h ? h->p : NULL;
	const char *who = p ? (p->ops.name ? p->ops.name : p->path) : "?";

	if (!msg)
		return;
	/* Library code prints nothing: without a sink the line is dropped. */
	if (p && p->log)
		p->log(p->log_ctx, level, who, msg);
}

static void *host_alloc(struct podnet_host *h, uint64_t size)
{
	(void)h;
	if (size > SIZE_MAX)
		return NULL;
	return malloc(size ? (size_t)size : 1);
}

static void host_free(struct podnet_host *h, void *ptr)
{
	(void)h;
	free(ptr);
}

static uint64_t host_now_ms(struct podnet_host *h)
{
	(void)h;
	return pn_provider_now_ms();
}

static int check_owner(const struct stat *st, const char *what, const char *path, char *err, size_t errlen)
{
	if (st->st_uid != 0) {
		errf(err, errlen, "refusing %s %s: owned by uid %u, not root", what, path, (unsigned)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		errf(err, errlen, "refusing %s %s: writable by group or others (mode %04o)", what, path,
		     (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int pn_provider_dir_check(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		int e = errno;
		errf(err, errlen, "provider directory %s: %s", dir, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		errf(err, errlen, "provider directory %s: not a directory", dir);
		return -ENOTDIR;
	}
	return check_owner(&st, "provider directory", dir, err, errlen);
}

void pn_provider_free(struct pn_provider *p)
{
	if (!p)
		return;
	if (p->initialised && p->ops.fini)
		p->ops.fini(p->state);
	if (p->dl)
		dlclose(p->dl);
	free(p->path);
	free(p);
}

int pn_provider_kind_check(const char *s, char *why, size_t wlen)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t glen, klen;
	int dot = 0, start = 1;

	errf(why, wlen, "must be group/Kind, e.g. acme.io/AcmeNet");
	if (!slash)
		return -EINVAL;
	glen = (size_t)(slash - s);
	klen = strlen(slash + 1);
	if (glen == 0 || glen > 253) {
		errf(why, wlen, "the group must have 1 to 253 characters");
		return -EINVAL;
	}
	for (size_t i = 0; i < glen; i++) {
		char c = s[i];

		if (c == '.') {
			if (start || i + 1 == glen || s[i - 1] == '-')
				goto badgroup;
			dot = 1;
			start = 1;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   (c == '-' && !start && i + 1 < glen && s[i + 1] != '.')) {
			start = 0;
		} else {
			goto badgroup;
		}
	}
	if (!dot)
		goto badgroup;
	if (klen == 0 || klen > 63 || slash[1] < 'A' || slash[1] > 'Z') {
		errf(why, wlen, "the kind must start with A-Z and have 1 to 63 characters");
		return -EINVAL;
	}
	for (size_t i = 1; i <= klen; i++) {
		char c = slash[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			errf(why, wlen, "the kind may hold letters and digits only");
			return -EINVAL;
		}
	}
	if (why && wlen)
		why[0] = '\0';
	return 0;
badgroup:
	errf(why, wlen, "the group must be a lower-case DNS subdomain with at least one dot");
	return -EINVAL;
}

/* Keeps the well-formed, distinct kinds of ops.param_kinds; says why
 * through the log for the others. */
static void take_kinds(struct pn_provider *p)
{
	const char *const *k = p->ops.param_kinds;
	char why[160], line[512];

	for (size_t i = 0; k && k[i]; i++) {
		int dup = 0;

		if (i >= PODNET_MAX_PARAM_KINDS) {
			snprintf(line, sizeof(line), "param_kinds: more than %d entries, the rest ignored",
				 PODNET_MAX_PARAM_KINDS);
			host_log(&p->host, PODNET_LOG_WARNING, line);
			break;
		}
		if (pn_provider_kind_check(k[i], why, sizeof(why)) < 0) {
			snprintf(line, sizeof(line), "param_kinds[%zu] \"%.200s\" ignored: %s", i, k[i], why);
			host_log(&p->host, PODNET_LOG_WARNING, line);
			continue;
		}
		for (size_t j = 0; j < p->n_kinds; j++)
			dup |= !strcmp(p->kinds[j], k[i]);
		if (!dup)
			p->kinds[p->n_kinds++] = k[i];
	}
}

int pn_provider_load(const char *path, unsigned flags, const struct pn_provider_opts *opts,
		     struct pn_provider **out, char *err, size_t errlen)
{
	struct pn_provider *p = NULL;
	podnet_provider_entry_fn *entry;
	const struct podnet_provider_ops *ops;
	struct podnet_result *res = NULL;
	struct stat st;
	size_t n;
	int fd = -1, r;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
		errf(err, errlen, "cannot open provider %s: %s", path, strerror(-r));
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		errf(err, errlen, "cannot stat provider %s: %s", path, strerror(-r));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		errf(err, errlen, "refusing provider %s: not a regular file", path);
		goto fail;
	}
	if (flags & PN_PROVIDER_CHECK_OWNER) {
		r = check_owner(&st, "provider", path, err, errlen);
		if (r < 0)
			goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		r = -ENOMEM;
		errf(err, errlen, "out of memory");
		goto fail;
	}
	p->host.p = p;
	if (opts) {
		p->log = opts->log;
		p->log_ctx = opts->log_ctx;
	}
	/* dlopen by path (a /proc/self/fd name would be reused between loads and
	 * glibc matches loaded objects by name); then make sure the path still
	 * names the file whose owner and mode we checked. */
	if (!strchr(path, '/')) {
		/* a bare name would make dlopen search the library path */
		char *rel = NULL;
		if (asprintf(&rel, "./%s", path) < 0) {
			r = -ENOMEM;
			errf(err, errlen, "out of memory");
			goto fail;
		}
		p->dl = dlopen(rel, RTLD_NOW | RTLD_LOCAL);
		free(rel);
	} else {
		p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	}
	if (!p->dl) {
		const char *e = dlerror();
		r = -ENOEXEC;
		errf(err, errlen, "cannot load provider %s: %s", path, e ? e : "dlopen failed");
		goto fail;
	}
	{
		struct stat now;
		if (stat(path, &now) < 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
			r = -EPERM;
			errf(err, errlen, "refusing provider %s: the file changed while it was being loaded", path);
			goto fail;
		}
	}
	close(fd);
	fd = -1;
	*(void **)&entry = dlsym(p->dl, PODNET_PROVIDER_ENTRY_SYMBOL);
	if (!entry) {
		r = -ENOEXEC;
		errf(err, errlen, "refusing provider %s: it does not export %s", path, PODNET_PROVIDER_ENTRY_SYMBOL);
		goto fail;
	}
	p->api.size = sizeof(p->api);
	p->api.abi_major = opts && opts->fake_host_major ? opts->fake_host_major : PODNET_ABI_MAJOR;
	p->api.abi_minor = PODNET_ABI_MINOR;
	p->api.host = &p->host;
	p->api.log = host_log;
	p->api.alloc = host_alloc;
	p->api.free = host_free;
	p->api.now_ms = host_now_ms;
	ops = entry(&p->api);
	if (!ops) {
		r = -EPROTO;
		errf(err, errlen, "provider %s refused this agent (ABI %u.%u) in its entry point", path,
		     (unsigned)p->api.abi_major, (unsigned)p->api.abi_minor);
		goto fail;
	}
	if (ops->abi_major != p->api.abi_major) {
		r = -EPROTO;
		errf(err, errlen,
		     "refusing provider %s: built for provider ABI %u.%u, this agent speaks ABI %u.x (up to %u.%u); "
		     "rebuild it against a podnet provider.h of major version %u",
		     path, (unsigned)ops->abi_major, (unsigned)ops->abi_minor, (unsigned)p->api.abi_major,
		     (unsigned)p->api.abi_major, (unsigned)PODNET_ABI_MINOR, (unsigned)p->api.abi_major);
		goto fail;
	}
	if (ops->size < PN_OPS_V1_0_SIZE) {
		r = -EPROTO;
		errf(err, errlen, "refusing provider %s: its ops struct is %u bytes, less than ABI 1.0's %zu", path,
		     (unsigned)ops->size, (size_t)PN_OPS_V1_0_SIZE);
		goto fail;
	}
	/* Copy what we know; what a provider of an older minor lacks stays zero. */
	n = ops->size < sizeof(p->ops) ? ops->size : sizeof(p->ops);
	memcpy(&p->ops, ops, n);
	p->ops.size = (uint32_t)n;
	if (!p->ops.name || !p->ops.name[0] || strlen(p->ops.name) > 253) {
		r = -EPROTO;
		errf(err, errlen, "refusing provider %s: it has no valid name", path);
		goto fail;
	}
	if (!p->ops.attach || !p->ops.detach || !p->ops.check || !p->ops.gc) {
		r = -EPROTO;
		errf(err, errlen, "refusing provider %s (%s): attach, detach, check and gc are required", path,
		     p->ops.name);
		goto fail;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		r = -ENOMEM;
		errf(err, errlen, "out of memory");
		goto fail;
	}
	res->size = sizeof(*res);
	if (p->ops.init) {
		r = p->ops.init(&p->api, opts && opts->config_json ? opts->config_json : "{}", &p->state, res);
		if (r != 0) {
			res->message[sizeof(res->message) - 1] = '\0';
			errf(err, errlen, "provider %s (%s) failed to initialise: %s", path, p->ops.name,
			     res->message[0] ? res->message : strerror(r < 0 ? -r : EPROTO));
			r = r < 0 ? r : -EPROTO;
			goto fail;
		}
	}
	take_kinds(p);
	p->initialised = 1;
	free(res);
	*out = p;
	return 0;
fail:
	free(res);
	if (fd >= 0)
		close(fd);
	pn_provider_free(p);
	return r;
}

const char *pn_provider_name(const struct pn_provider *p) { return p->ops.name; }
const char *pn_provider_version(const struct pn_provider *p) { return p->ops.version ? p->ops.version : ""; }
const char *pn_provider_path(const struct pn_provider *p) { return p->path; }
uint32_t pn_provider_abi_minor(const struct pn_provider *p) { return p->ops.abi_minor; }

typedef int32_t op_fn(void *state, const struct podnet_request *req, struct podnet_result *res);

static int call(struct pn_provider *p, op_fn *fn, struct podnet_request *req, struct podnet_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	res->size = sizeof(*res);
	req->size = sizeof(*req);
	r = fn(p->state, req, res);
	res->message[sizeof(res->message) - 1] = '\0';
	res->device_info[sizeof(res->device_info) - 1] = '\0';
	if (res->n_interfaces > PODNET_MAX_INTERFACES)
		res->n_interfaces = PODNET_MAX_INTERFACES;
	if (res->n_ips > PODNET_MAX_IPS)
		res->n_ips = PODNET_MAX_IPS;
	if (res->n_routes > PODNET_MAX_ROUTES)
		res->n_routes = PODNET_MAX_ROUTES;
	if (res->dns.n_nameservers > PODNET_MAX_DNS)
		res->dns.n_nameservers = PODNET_MAX_DNS;
	if (res->dns.n_search > PODNET_MAX_DNS)
		res->dns.n_search = PODNET_MAX_DNS;
	if (res->dns.n_options > PODNET_MAX_DNS)
		res->dns.n_options = PODNET_MAX_DNS;
	/* Every string the provider wrote is NUL-terminated from here on. */
	for (uint32_t i = 0; i < res->n_interfaces; i++) {
		res->interfaces[i].name[PODNET_IFNAME_LEN - 1] = '\0';
		res->interfaces[i].mac[PODNET_MAC_LEN - 1] = '\0';
		res->interfaces[i].sandbox[PODNET_PATH_LEN - 1] = '\0';
	}
	for (uint32_t i = 0; i < res->n_ips; i++) {
		res->ips[i].address[PODNET_ADDR_LEN - 1] = '\0';
		res->ips[i].gateway[PODNET_ADDR_LEN - 1] = '\0';
		if (res->ips[i].interface >= (int32_t)res->n_interfaces)
			res->ips[i].interface = -1;
	}
	for (uint32_t i = 0; i < res->n_routes; i++) {
		res->routes[i].dst[PODNET_ADDR_LEN - 1] = '\0';
		res->routes[i].gw[PODNET_ADDR_LEN - 1] = '\0';
	}
	for (uint32_t i = 0; i < PODNET_MAX_DNS; i++) {
		res->dns.nameservers[i][PODNET_ADDR_LEN - 1] = '\0';
		res->dns.search[i][PODNET_DOMAIN_LEN - 1] = '\0';
		res->dns.options[i][PODNET_ADDR_LEN - 1] = '\0';
	}
	res->dns.domain[PODNET_DOMAIN_LEN - 1] = '\0';
	if (r > 0)
		r = -EPROTO;
	return r;
}

int pn_provider_attach(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res)
{
	return call(p, p->ops.attach, req, res);
}

int pn_provider_detach(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res)
{
	return call(p, p->ops.detach, req, res);
}

int pn_provider_check(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res)
{
	return call(p, p->ops.check, req, res);
}

int pn_provider_gc(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res)
{
	return call(p, p->ops.gc, req, res);
}

int pn_provider_status(struct pn_provider *p, struct podnet_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	res->size = sizeof(*res);
	if (!p->ops.status)
		return 0; /* v1.0 provider: ready once initialised */
	r = p->ops.status(p->state, res);
	res->message[sizeof(res->message) - 1] = '\0';
	if (r > 0)
		r = -EPROTO;
	return r;
}

int pn_provider_can_serve(struct pn_provider *p, struct podnet_request *req, struct podnet_result *res)
{
	if (!p->ops.can_serve) {
		memset(res, 0, sizeof(*res));
		res->size = sizeof(*res);
		return 0; /* v1.0/v1.1 provider: available whenever ready */
	}
	return call(p, p->ops.can_serve, req, res);
}

int pn_provider_has_can_serve(const struct pn_provider *p)
{
	return p->ops.can_serve != NULL;
}

size_t pn_provider_param_kinds(const struct pn_provider *p, const char *const **kinds)
{
	*kinds = p->kinds;
	return p->n_kinds;
}

const char *const *pn_provider_declared_kinds(const struct pn_provider *p)
{
	return p->ops.param_kinds;
}
