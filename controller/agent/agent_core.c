/* node/agent_core.c — what podnet-agent does with one shim request: plan
 * (default itself, or the Pod's plan), call providers in plan order with
 * rollback, record on disk before answering, DEL from the record, CHECK, GC,
 * STATUS; and the network-status value handed to the status sink. */
#include "agent/agent_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shim/proto.h"

/* ---- set-up -------------------------------------------------------------------- */

/* Seconds on the monotonic clock (provider call latencies). */
static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_or(const char *s, const char *dflt)
{
	return strdup(s && *s ? s : dflt);
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[1024];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static char *join(const char *a, const char *b)
{
	char *s = NULL;

	if (asprintf(&s, "%s/%s", a, b) < 0)
		return NULL;
	return s;
}

static void provider_log(void *ctx, int level, const char *provider, const char *msg)
{
	(void)ctx;
	pn_agent_log(level, "provider %s: %s", provider, msg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_providers(struct pn_agent *a, char *err, size_t errlen)
{
	const char *dir = a->cfg.providers_dir;
	char *names[PN_AGENT_MAX_PROVIDERS];
	int n = 0, r = 0;
	struct dirent *de;
	DIR *d;

	r = pn_provider_dir_check(dir, err, errlen);
	if (r < 0)
		return r;
	d = opendir(dir);
	if (!d) {
		r = -errno;
		snprintf(err, errlen, "cannot list provider directory %s: %s", dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 3, ".so") || de->d_name[0] == '.')
			continue;
		if (n == PN_AGENT_MAX_PROVIDERS) {
			pn_agent_log(PODNET_LOG_WARNING, "more than %d providers in %s; ignoring %s", PN_AGENT_MAX_PROVIDERS,
				     dir, de->d_name);
			continue;
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		char *path = NULL, *sdir = NULL, *cfg = NULL, base[256], perr[1024];
		struct pn_provider_opts o = {.log = provider_log};
		struct pn_provider *p = NULL;
		json_t *c;
		int e;

		if (!names[i])
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(strlen(names[i]) - 3), names[i]);
		path = join(dir, names[i]);
		sdir = join(a->state_dir, "providers");
		if (sdir)
			mkdir_p(sdir, 0700);
		free(sdir);
		sdir = NULL;
		if (asprintf(&sdir, "%s/providers/%s", a->state_dir, base) < 0)
			sdir = NULL;
		c = json_pack("{s:s, s:s, s:s, s:s}", "stateDir", sdir ? sdir : "", "cniPath", a->cni_path,
			      "primaryConfList", a->primary_conflist ? a->primary_conflist : "", "hostRoot",
			      a->host_root ? a->host_root : "");
		cfg = c ? json_dumps(c, JSON_COMPACT) : NULL;
		json_decref(c);
		o.config_json = cfg;
		e = path && cfg ? pn_provider_load(path, PN_PROVIDER_CHECK_OWNER, &o, &p, perr, sizeof(perr)) : -ENOMEM;
		if (e < 0) {
			pn_agent_log(PODNET_LOG_ERROR, "%s", e == -ENOMEM ? "out of memory" : perr);
		} else if (pn_agent_provider(a, pn_provider_name(p))) {
			pn_agent_log(PODNET_LOG_ERROR, "refusing %s: provider %s is already loaded", path,
				     pn_provider_name(p));
			pn_provider_free(p);
		} else {
			pn_agent_log(PODNET_LOG_INFO, "loaded provider %s %s from %s (ABI 1.%u)", pn_provider_name(p),
				     pn_provider_version(p), path, (unsigned)pn_provider_abi_minor(p));
			a->providers[a->n_providers++] = p;
		}
		free(path);
		free(sdir);
		free(cfg);
		free(names[i]);
	}
	return 0;
}

const char *pn_agent_provider_at(struct pn_agent *a, int i, const char **version, const char *const **kinds,
				 size_t *n_kinds)
{
	if (i < 0 || i >= a->n_providers)
		return NULL;
	*version = pn_provider_version(a->providers[i]);
	*n_kinds = pn_provider_param_kinds(a->providers[i], kinds);
	return pn_provider_name(a->providers[i]);
}

struct pn_provider *pn_agent_provider(struct pn_agent *a, const char *name)
{
	for (int i = 0; i < a->n_providers; i++)
		if (!strcmp(pn_provider_name(a->providers[i]), name))
			return a->providers[i];
	return NULL;
}

static void rollback_unfinished(struct pn_agent *a);

int pn_agent_new(const struct pn_agent_config *cfg, struct pn_agent **out, char *err, size_t errlen)
{
	struct pn_agent *a = calloc(1, sizeof(*a));
	int r;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->cfg = *cfg;
	a->listen_fd = -1;
	pthread_rwlock_init(&a->gc_lock, NULL);
	pthread_mutex_init(&a->locks_mu, NULL);
	pthread_mutex_init(&a->metrics.mu, NULL);
	pthread_cond_init(&a->locks_cv, NULL);
	a->state_dir = dup_or(cfg->state_dir, "/var/lib/podnet");
	a->cni_path = dup_or(cfg->cni_path, "/usr/lib/cni:/opt/cni/bin");
	a->host_root = cfg->host_root && *cfg->host_root ? strdup(cfg->host_root) : NULL;
	a->default_provider = dup_or(cfg->default_provider, "podnet.dev/cni");
	a->primary_conflist = cfg->primary_conflist ? strdup(cfg->primary_conflist) : NULL;
	a->records_dir = a->state_dir ? join(a->state_dir, "records") : NULL;
	a->status_dir = a->state_dir ? join(a->state_dir, "status") : NULL;
	if (a->cfg.plan_wait_ms <= 0)
		a->cfg.plan_wait_ms = 30000;
	if (a->cfg.op_timeout_ms <= 0)
		a->cfg.op_timeout_ms = 120000;
	r = pn_plan_store_init(&a->plans, cfg->plans_dir);
	a->plans.wait_unknown = cfg->wait_for_unknown_pods;
	if (r < 0 || !a->state_dir || !a->cni_path || !a->default_provider || !a->records_dir || !a->status_dir) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto fail;
	}
	if ((r = mkdir_p(a->state_dir, 0700)) < 0 || (r = mkdir_p(a->records_dir, 0700)) < 0 ||
	    (cfg->write_status_files && (r = mkdir_p(a->status_dir, 0755)) < 0)) {
		snprintf(err, errlen, "cannot create the state directory %s: %s", a->state_dir, strerror(-r));
		goto fail;
	}
	if (cfg->providers_dir) {
		r = load_providers(a, err, errlen);
		if (r < 0)
			goto fail;
	}
	if (!pn_agent_provider(a, a->default_provider))
		pn_agent_log(PODNET_LOG_WARNING, "the default network's provider %s is not loaded: ADD will fail",
			     a->default_provider);
	rollback_unfinished(a);
	r = pn_hotplug_start(a);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the hot-plug thread");
		goto fail;
	}
	*out = a;
	return 0;
fail:
	pn_agent_free(a);
	return r;
}

void pn_agent_free(struct pn_agent *a)
{
	if (!a)
		return;
	pn_agent_http_stop(a);
	pn_hotplug_stop(a);
	for (int i = 0; i < a->n_providers; i++)
		pn_provider_free(a->providers[i]);
	pn_plan_store_clear(&a->plans);
	while (a->locks) {
		struct pn_pod_lock *l = a->locks;
		a->locks = l->next;
		free(l->key);
		free(l);
	}
	pthread_cond_destroy(&a->locks_cv);
	pthread_mutex_destroy(&a->locks_mu);
	pthread_mutex_destroy(&a->metrics.mu);
	pthread_rwlock_destroy(&a->gc_lock);
	free(a->state_dir);
	free(a->records_dir);
	free(a->status_dir);
	free(a->primary_conflist);
	free(a->cni_path);
	free(a->host_root);
	free(a->default_provider);
	free(a);
}

void pn_agent_set_status_sink(struct pn_agent *a, pn_agent_status_fn *fn, void *ctx)
{
	a->status_fn = fn;
	a->status_ctx = ctx;
}

void pn_agent_set_event_sink(struct pn_agent *a, pn_agent_event_fn *fn, void *ctx)
{
	a->event_fn = fn;
	a->event_ctx = ctx;
}

/* ---- per-Pod serialization ------------------------------------------------------- */

static struct pn_pod_lock *pod_lock(struct pn_agent *a, const char *key)
{
	struct pn_pod_lock *l;

	pthread_mutex_lock(&a->locks_mu);
	for (l = a->locks; l; l = l->next)
		if (!strcmp(l->key, key))
			break;
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l || !(l->key = strdup(key))) {
			free(l);
			pthread_mutex_unlock(&a->locks_mu);
			return NULL;
		}
		l->next = a->locks;
		a->locks = l;
	}
	l->waiters++;
	while (l->busy)
		pthread_cond_wait(&a->locks_cv, &a->locks_mu);
	l->busy = 1;
	l->waiters--;
	pthread_mutex_unlock(&a->locks_mu);
	return l;
}

static void pod_unlock(struct pn_agent *a, struct pn_pod_lock *l)
{
	struct pn_pod_lock **pp;

	pthread_mutex_lock(&a->locks_mu);
	l->busy = 0;
	if (l->waiters == 0) {
		/* nobody waits: drop it, so memory stays flat */
		for (pp = &a->locks; *pp; pp = &(*pp)->next)
			if (*pp == l) {
				*pp = l->next;
				break;
			}
		free(l->key);
		free(l);
	} else {
		pthread_cond_broadcast(&a->locks_cv);
	}
	pthread_mutex_unlock(&a->locks_mu);
}

/* ---- requests ---------------------------------------------------------------------- */

struct req {
	const char *command, *cid, *netns, *ifname, *cni_version;
	char pod_ns[256], pod_name[256], pod_uid[128];
	json_t *config;
};

static json_t *error_resp(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *error_resp(int code, const char *fmt, ...)
{
	char m[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	return json_pack("{s:i, s:b, s:{s:i, s:s}}", "v", PN_PROTO_VERSION, "ok", 0, "error", "code", code, "msg", m);
}

static json_t *ok_resp(json_t *result /* stolen, may be NULL */)
{
	json_t *r = json_pack("{s:i, s:b}", "v", PN_PROTO_VERSION, "ok", 1);

	if (r && result)
		json_object_set_new(r, "result", result);
	else
		json_decref(result);
	return r;
}

/* K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;K8S_POD_UID=.. from CNI_ARGS. */
static void parse_args(const char *args, struct req *q)
{
	char buf[2048], *save = NULL, *kv;

	if (!args || strlen(args) >= sizeof(buf))
		return;
	strcpy(buf, args);
	for (kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(kv, "K8S_POD_NAMESPACE"))
			snprintf(q->pod_ns, sizeof(q->pod_ns), "%s", eq);
		else if (!strcmp(kv, "K8S_POD_NAME"))
			snprintf(q->pod_name, sizeof(q->pod_name), "%s", eq);
		else if (!strcmp(kv, "K8S_POD_UID"))
			snprintf(q->pod_uid, sizeof(q->pod_uid), "%s", eq);
	}
}

/* A podnet_attachment view of a plan/record attachment (pointers into att). */
struct att_view {
	struct podnet_attachment a;
	const char *ips[8];
	const char *gws[4];
	struct podnet_route routes[32];
	struct podnet_param_ref refs[16];
	char *params;
};

static void view_clear(struct att_view *v)
{
	free(v->params);
	v->params = NULL;
}

static int view_of(const json_t *att, const char *ifname_override, struct att_view *v)
{
	const json_t *x, *it;
	size_t i;

	memset(v, 0, sizeof(*v));
	v->a.size = sizeof(v->a);
	v->a.network = json_string_value(json_object_get(att, "network"));
	v->a.interface = ifname_override ? ifname_override : json_string_value(json_object_get(att, "interface"));
	v->a.provider = json_is_string(json_object_get(att, "provider")) ? json_string_value(json_object_get(att, "provider")) : "";
	if (json_is_true(json_object_get(att, "gw4")))
		v->a.flags |= PODNET_ATTACH_DEFAULT_GW4;
	if (json_is_true(json_object_get(att, "gw6")))
		v->a.flags |= PODNET_ATTACH_DEFAULT_GW6;
	json_array_foreach(json_object_get(att, "ips"), i, it) if (i < 8 && json_is_string(it)) v->ips[v->a.n_ips++] =
		json_string_value(it);
	json_array_foreach(json_object_get(att, "gateways"), i, it) if (i < 4 && json_is_string(it))
		v->gws[v->a.n_gateways++] = json_string_value(it);
	json_array_foreach(json_object_get(att, "routes"), i, it) if (i < 32)
	{
		v->routes[v->a.n_routes].dst = json_string_value(json_object_get(it, "dst"));
		v->routes[v->a.n_routes].gw = json_string_value(json_object_get(it, "gw"));
		if (v->routes[v->a.n_routes].dst)
			v->a.n_routes++;
	}
	v->a.ips = v->ips;
	v->a.gateways = v->gws;
	v->a.routes = v->routes;
	v->a.mac = json_string_value(json_object_get(att, "mac"));
	x = json_object_get(att, "params");
	v->params = json_is_object(x) ? json_dumps(x, JSON_COMPACT) : strdup("{}");
	v->a.params_json = v->params;
	/* ABI 1.3: the references of the provider's own kinds, as planned */
	json_array_foreach(json_object_get(att, "parametersRefs"), i, it) if (v->a.n_param_refs < 16)
	{
		struct podnet_param_ref *r = &v->refs[v->a.n_param_refs];
		const char *ns = json_string_value(json_object_get(it, "namespace"));

		r->group = json_string_value(json_object_get(it, "group"));
		r->kind = json_string_value(json_object_get(it, "kind"));
		r->name = json_string_value(json_object_get(it, "name"));
		r->ref_namespace = ns ? ns : "";
		if (r->group && r->kind && r->name)
			v->a.n_param_refs++;
	}
	v->a.param_refs = v->a.n_param_refs ? v->refs : NULL;
	if (!v->a.network || !v->a.interface || !v->params)
		return -EINVAL;
	return 0;
}

/* The provider an attachment goes to: its own, or the default network's. */
static const char *provider_of(struct pn_agent *a, const json_t *att)
{
	const char *p = json_string_value(json_object_get(att, "provider"));

	return p && *p ? p : a->default_provider;
}

/* CNI result (1.0 shape) from a podnet result. */
static json_t *result_json(const struct podnet_result *res, const char *cni_version)
{
	json_t *r = json_object(), *ifs = json_array(), *ips = json_array(), *routes = json_array();

	json_object_set_new(r, "cniVersion", json_string(cni_version));
	for (uint32_t i = 0; i < res->n_interfaces; i++) {
		json_t *o = json_pack("{s:s}", "name", res->interfaces[i].name);
		if (res->interfaces[i].mac[0])
			json_object_set_new(o, "mac", json_string(res->interfaces[i].mac));
		if (res->interfaces[i].sandbox[0])
			json_object_set_new(o, "sandbox", json_string(res->interfaces[i].sandbox));
		json_array_append_new(ifs, o);
	}
	for (uint32_t i = 0; i < res->n_ips; i++) {
		json_t *o = json_pack("{s:s}", "address", res->ips[i].address);
		if (res->ips[i].gateway[0])
			json_object_set_new(o, "gateway", json_string(res->ips[i].gateway));
		if (res->ips[i].interface >= 0)
			json_object_set_new(o, "interface", json_integer(res->ips[i].interface));
		json_array_append_new(ips, o);
	}
	for (uint32_t i = 0; i < res->n_routes; i++) {
		json_t *o = json_pack("{s:s}", "dst", res->routes[i].dst);
		if (res->routes[i].gw[0])
			json_object_set_new(o, "gw", json_string(res->routes[i].gw));
		json_array_append_new(routes, o);
	}
	json_object_set_new(r, "interfaces", ifs);
	json_object_set_new(r, "ips", ips);
	if (json_array_size(routes))
		json_object_set_new(r, "routes", routes);
	else
		json_decref(routes);
	if (res->dns.n_nameservers || res->dns.domain[0] || res->dns.n_search) {
		json_t *d = json_object(), *ns = json_array(), *se = json_array(), *op = json_array();
		for (uint32_t i = 0; i < res->dns.n_nameservers; i++)
			json_array_append_new(ns, json_string(res->dns.nameservers[i]));
		for (uint32_t i = 0; i < res->dns.n_search; i++)
			json_array_append_new(se, json_string(res->dns.search[i]));
		for (uint32_t i = 0; i < res->dns.n_options; i++)
			json_array_append_new(op, json_string(res->dns.options[i]));
		json_object_set_new(d, "nameservers", ns);
		if (res->dns.domain[0])
			json_object_set_new(d, "domain", json_string(res->dns.domain));
		json_object_set_new(d, "search", se);
		json_object_set_new(d, "options", op);
		json_object_set_new(r, "dns", d);
	} else {
		json_object_set_new(r, "dns", json_object());
	}
	if (res->device_info[0]) {
		json_t *di = json_loads(res->device_info, 0, NULL);
		if (json_is_object(di))
			json_object_set_new(r, "podnet.dev/device-info", di);
		else
			json_decref(di);
	}
	return r;
}

/* The k8s.v1.cni.cncf.io/network-status value from a record. */
static json_t *network_status(const json_t *rec)
{
	json_t *list = json_array(), *att;
	size_t i;

	json_array_foreach(json_object_get(rec, "attachments"), i, att)
	{
		const json_t *res = json_object_get(att, "result"), *it;
		const char *ifname = json_string_value(json_object_get(att, "interface"));
		json_t *e = json_pack("{s:s?, s:s?}", "name", json_string_value(json_object_get(att, "network")),
				      "interface", ifname);
		json_t *ips = json_array(), *gws = json_array();
		size_t k;
		json_int_t idx = -1;

		json_array_foreach(json_object_get(res, "interfaces"), k, it)
		{
			if (ifname && !strcmp(json_string_value(json_object_get(it, "name")) ?: "", ifname) &&
			    json_object_get(it, "sandbox")) {
				idx = (json_int_t)k;
				if (json_is_string(json_object_get(it, "mac")))
					json_object_set(e, "mac", json_object_get(it, "mac"));
			}
		}
		json_array_foreach(json_object_get(res, "ips"), k, it)
		{
			const char *addr = json_string_value(json_object_get(it, "address"));
			json_t *ifx = json_object_get(it, "interface");
			char buf[64];

			if (!addr || (ifx && idx >= 0 && json_integer_value(ifx) != idx))
				continue;
			snprintf(buf, sizeof(buf), "%s", addr);
			buf[strcspn(buf, "/")] = '\0';
			json_array_append_new(ips, json_string(buf));
			if (json_is_string(json_object_get(it, "gateway")))
				json_array_append(gws, json_object_get(it, "gateway"));
		}
		json_object_set_new(e, "ips", ips);
		if (json_array_size(gws))
			json_object_set_new(e, "gateway", gws);
		else
			json_decref(gws);
		json_object_set_new(e, "default", json_boolean(json_is_true(json_object_get(att, "gw4")) ||
								 json_is_true(json_object_get(att, "gw6"))));
		if (json_object_size(json_object_get(res, "dns")))
			json_object_set(e, "dns", json_object_get(res, "dns"));
		if (json_object_get(res, "podnet.dev/device-info"))
			json_object_set(e, "device-info", json_object_get(res, "podnet.dev/device-info"));
		json_array_append_new(list, e);
	}
	return list;
}

static void emit_status(struct pn_agent *a, const json_t *rec)
{
	const char *ns = json_string_value(json_object_get(rec, "podNamespace"));
	const char *name = json_string_value(json_object_get(rec, "podName"));
	const char *uid = json_string_value(json_object_get(rec, "podUID"));
	json_t *st;
	char *text;

	if (!ns || !name || !*ns || !*name)
		return;
	st = network_status(rec);
	text = st ? json_dumps(st, JSON_COMPACT) : NULL;
	json_decref(st);
	if (!text)
		return;
	if (a->status_fn)
		a->status_fn(a->status_ctx, ns, name, uid ? uid : "", text);
	if (a->cfg.write_status_files) {
		char path[1024], tmp[1100];
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s_%s.json", a->status_dir, ns, name);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		f = fopen(tmp, "we");
		if (f) {
			fputs(text, f);
			fputc('\n', f);
			if (fclose(f) == 0)
				rename(tmp, path);
			else
				unlink(tmp);
		}
	}
	free(text);
}

/* An Event about the record's Pod (no sink, or no Pod named: none). */
static void pod_event(struct pn_agent *a, const json_t *rec, const char *type, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void pod_event(struct pn_agent *a, const json_t *rec, const char *type, const char *reason, const char *fmt, ...)
{
	const char *ns = json_string_value(json_object_get(rec, "podNamespace"));
	const char *name = json_string_value(json_object_get(rec, "podName"));
	const char *uid = json_string_value(json_object_get(rec, "podUID"));
	char msg[1024];
	va_list ap;

	if (!a->event_fn || !ns || !name || !*ns || !*name)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->event_fn(a->event_ctx, ns, name, uid ? uid : "", type, reason, msg);
}

/* The addresses (with prefix) the attachment's result gave its interface,
 * comma-separated, or "no address". */
static void att_addrs(const json_t *att, char *buf, size_t len)
{
	const json_t *res = json_object_get(att, "result"), *it;
	const char *ifname = json_string_value(json_object_get(att, "interface"));
	json_int_t idx = -1;
	size_t k, used = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(res, "interfaces"), k, it)
	{
		if (ifname && !strcmp(json_string_value(json_object_get(it, "name")) ?: "", ifname) &&
		    json_object_get(it, "sandbox"))
			idx = (json_int_t)k;
	}
	json_array_foreach(json_object_get(res, "ips"), k, it)
	{
		const char *addr = json_string_value(json_object_get(it, "address"));
		json_t *ifx = json_object_get(it, "interface");
		int n;

		if (!addr || (ifx && idx >= 0 && json_integer_value(ifx) != idx))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", addr);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "no address");
}

/* Normal AddedInterface, as Multus users expect it, for one attachment. */
static void added_event(struct pn_agent *a, const json_t *rec, const json_t *att)
{
	char addrs[512];

	att_addrs(att, addrs, sizeof(addrs));
	pod_event(a, rec, "Normal", "AddedInterface", "podnet.dev/networks: attached %s (network %s) %s",
		  json_string_value(json_object_get(att, "interface")) ?: "?",
		  json_string_value(json_object_get(att, "network")) ?: "?", addrs);
}

static void fill_ids(const struct req *q, const json_t *rec, struct podnet_pod *pod, struct podnet_sandbox *sb,
		     const char *netns)
{
	pod->pod_namespace = json_string_value(json_object_get(rec, "podNamespace")) ?: q->pod_ns;
	pod->name = json_string_value(json_object_get(rec, "podName")) ?: q->pod_name;
	pod->uid = json_string_value(json_object_get(rec, "podUID")) ?: q->pod_uid;
	sb->container_id = json_string_value(json_object_get(rec, "containerID"));
	sb->netns_path = netns;
}

/* Detaches the record's attachments in reverse; those that fail stay in the
 * record. Returns 0 when everything went. */
/* The netns to undo in: the request's, else the recorded one; "" when gone. */
static const char *undo_netns(const struct req *q, const json_t *rec)
{
	const char *netns = q && q->netns && *q->netns ? q->netns : json_string_value(json_object_get(rec, "netns"));
	struct stat st;

	if (!netns || (netns[0] && stat(netns, &st) < 0))
		return ""; /* the namespace is gone: providers clean what they can */
	return netns;
}

/* Detaches one recorded attachment. */
static int detach_att(struct pn_agent *a, const struct req *q, const json_t *rec, const json_t *att, const char *netns,
		      struct podnet_result *res, char *why, size_t whylen)
{
	const char *pname = json_string_value(json_object_get(att, "providerName"));
	struct pn_provider *p = pname ? pn_agent_provider(a, pname) : NULL;
	struct podnet_pod pod;
	struct podnet_sandbox sb;
	struct podnet_request rq;
	struct att_view v;
	double t0;
	int e;

	if (!p) {
		snprintf(why, whylen, "provider %s of %s is not loaded", pname ? pname : "?",
			 json_string_value(json_object_get(att, "interface")));
		return -ENOENT;
	}
	if (view_of(att, NULL, &v) < 0) {
		view_clear(&v);
		snprintf(why, whylen, "recorded attachment is malformed");
		return -EINVAL;
	}
	fill_ids(q ? q : &(struct req){0}, rec, &pod, &sb, netns);
	memset(&rq, 0, sizeof(rq));
	rq.pod = &pod;
	rq.sandbox = &sb;
	rq.attachment = &v.a;
	rq.deadline_ms = pn_provider_now_ms() + (uint64_t)a->cfg.op_timeout_ms;
	t0 = mono_s();
	e = pn_provider_detach(p, &rq, res);
	pn_metrics_provider_call(a, p, 1, mono_s() - t0);
	view_clear(&v);
	if (e < 0) {
		snprintf(why, whylen, "detach of %s (%s) failed: %.300s", json_string_value(json_object_get(att, "interface")),
			 pname, res->message[0] ? res->message : strerror(-e));
		pn_agent_log(PODNET_LOG_ERROR, "container %s: %s", sb.container_id, why);
	}
	return e;
}

/* Detaches the record's attachments in reverse; those that fail stay in the
 * record. Returns 0 when everything went. */
static int detach_record(struct pn_agent *a, const struct req *q, json_t *rec, char *why, size_t whylen)
{
	json_t *atts = json_object_get(rec, "attachments");
	const char *netns = undo_netns(q, rec);
	struct podnet_result *res = calloc(1, sizeof(*res));
	int r = 0;

	if (!res)
		return -ENOMEM;
	for (size_t i = json_array_size(atts); i-- > 0;) {
		int e = detach_att(a, q, rec, json_array_get(atts, i), netns, res, why, whylen);
		if (e < 0) {
			r = e;
			continue;
		}
		json_array_remove(atts, i);
	}
	free(res);
	return r;
}

/* Attaches one planned attachment and appends it (with its result) to the
 * record. err gets the reason on failure; res->cni_code may be set. */
static int attach_att(struct pn_agent *a, json_t *rec, const json_t *att, const char *ifname_override,
		      const struct podnet_pod *pod, const struct podnet_sandbox *sb, const char *cni_version,
		      struct podnet_result *res, char *err, size_t errlen)
{
	const char *pname = provider_of(a, att);
	struct pn_provider *p = pn_agent_provider(a, pname);
	struct podnet_request rq;
	struct att_view v;
	json_t *done;
	double t0;
	int r;

	if (!p) {
		snprintf(err, errlen, "network %s: provider %s is not loaded on this node",
			 json_string_value(json_object_get(att, "network")), pname);
		res->cni_code = 50;
		return -ENOENT;
	}
	if (view_of(att, ifname_override, &v) < 0) {
		view_clear(&v);
		snprintf(err, errlen, "plan attachment of network %s is malformed",
			 json_string_value(json_object_get(att, "network")) ?: "?");
		res->cni_code = 7;
		return -EINVAL;
	}
	/* Written ahead: the attachment is in the record (and on disk) before
	 * the provider runs, so that a crash midway leaves DEL (or the
	 * rollback at start) something to undo; its result is null until the
	 * provider answers. A failed attach is undone at once (a DEL, which
	 * providers make idempotent); if that fails too, it stays for DEL. */
	done = json_deep_copy(att);
	if (!done) {
		view_clear(&v);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	json_object_set_new(done, "interface", json_string(v.a.interface));
	json_object_set_new(done, "providerName", json_string(pname));
	json_object_set_new(done, "result", json_null());
	json_array_append_new(json_object_get(rec, "attachments"), done);
	r = pn_record_save(a->records_dir, rec);
	if (r < 0) {
		snprintf(err, errlen, "cannot write the attachment record: %s", strerror(-r));
		res->cni_code = 5;
		view_clear(&v);
		return r;
	}
	memset(&rq, 0, sizeof(rq));
	rq.pod = pod;
	rq.sandbox = sb;
	rq.attachment = &v.a;
	rq.deadline_ms = pn_provider_now_ms() + (uint64_t)a->cfg.op_timeout_ms;
	t0 = mono_s();
	r = pn_provider_attach(p, &rq, res);
	pn_metrics_provider_call(a, p, 0, mono_s() - t0);
	if (r < 0) {
		struct podnet_result *dres = calloc(1, sizeof(*dres));
		json_t *atts = json_object_get(rec, "attachments");
		char why[512] = "";

		snprintf(err, errlen, "network %s (%s on %s): %s", v.a.network, v.a.interface, pname,
			 res->message[0] ? res->message : strerror(-r));
		view_clear(&v);
		if (dres && detach_att(a, NULL, rec, done, undo_netns(NULL, rec), dres, why, sizeof(why)) == 0) {
			json_array_remove(atts, json_array_size(atts) - 1);
			pn_record_save(a->records_dir, rec);
		}
		free(dres);
		return r;
	}
	json_object_set_new(done, "result", result_json(res, cni_version));
	view_clear(&v);
	return 0;
}

/* Records left in state "attaching" belong to ADDs the agent never answered
 * (it died midway): the runtime saw them fail and may never call DEL again
 * (it tears the sandbox down while the agent is away). Undo them at start. */
static void rollback_unfinished(struct pn_agent *a)
{
	json_t *ids = NULL, *id;
	size_t i;

	pn_record_drop_tmp(a->records_dir);
	if (pn_record_list(a->records_dir, &ids) < 0)
		return;
	json_array_foreach(ids, i, id)
	{
		const char *cid = json_string_value(id);
		json_t *rec = NULL;
		char why[512] = "";

		if (pn_record_load(a->records_dir, cid, &rec) < 0 || !rec)
			continue;
		if (strcmp(json_string_value(json_object_get(rec, "state")) ?: "", "attached") != 0) {
			if (detach_record(a, NULL, rec, why, sizeof(why)) == 0) {
				pn_record_remove(a->records_dir, cid);
				pn_agent_log(PODNET_LOG_INFO, "rolled back the unfinished ADD of container %s", cid);
			} else {
				pn_record_save(a->records_dir, rec);
				pn_agent_log(PODNET_LOG_WARNING, "container %s: unfinished ADD not fully rolled back: %s",
					     cid, why);
			}
		}
		json_decref(rec);
	}
	json_decref(ids);
}

static json_t *do_add(struct pn_agent *a, struct req *q)
{
	json_t *plan = NULL, *rec = NULL, *atts, *att, *resp = NULL, *primary = NULL, *existing = NULL;
	struct podnet_result *res = NULL;
	char err[1024] = "";
	size_t i;
	int r;

	if (!q->netns || !*q->netns)
		return error_resp(4, "ADD needs CNI_NETNS");
	r = pn_record_load(a->records_dir, q->cid, &existing);
	if (r == 0 && existing) {
		/* Same sandbox again: answer from the record. */
		if (!strcmp(json_string_value(json_object_get(existing, "state")) ?: "", "attached") &&
		    json_is_object(json_object_get(existing, "primaryResult"))) {
			json_t *out = json_deep_copy(json_object_get(existing, "primaryResult"));
			json_object_set_new(out, "cniVersion", json_string(q->cni_version));
			json_decref(existing);
			return ok_resp(out);
		}
		json_decref(existing);
		return error_resp(11, "container %s has an unfinished attachment record; DEL it first", q->cid);
	}
	r = pn_plan_store_get(&a->plans, q->pod_ns, q->pod_name, a->cfg.plan_wait_ms, &plan, err, sizeof(err));
	if (r == -ETIMEDOUT)
		return error_resp(11, "%s", err);
	if (r < 0)
		return error_resp(7, "%s", err);
	if (plan) {
		atts = json_deep_copy(json_object_get(plan, "attachments"));
	} else {
		atts = json_pack("[{s:s, s:s, s:b, s:b}]", "network", "default", "interface", q->ifname, "gw4", 1, "gw6", 1);
	}
	json_decref(plan);
	res = calloc(1, sizeof(*res));
	rec = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[]}", "v", 1, "containerID", q->cid, "netns",
			q->netns, "ifname", q->ifname, "podNamespace", q->pod_ns, "podName", q->pod_name, "podUID",
			q->pod_uid, "cniVersion", q->cni_version, "state", "attaching", "attachments");
	if (!atts || !res || !rec) {
		resp = error_resp(5, "out of memory");
		goto out;
	}
	/* No save here: attach_att writes each attachment ahead of its
	 * provider, so the record is on disk before the first provider runs
	 * and a crash midway leaves something DEL can undo; before that
	 * there is nothing to undo (one fsync'd write less per ADD). */
	/* default first, then plan order */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(atts, i, att)
		{
			int is_default = !strcmp(json_string_value(json_object_get(att, "network")) ?: "", "default");
			struct podnet_pod pod = {q->pod_ns, q->pod_name, q->pod_uid};
			struct podnet_sandbox sb = {q->cid, q->netns};

			if (is_default != (pass == 0))
				continue;
			r = attach_att(a, rec, att, is_default ? q->ifname : NULL, &pod, &sb, q->cni_version, res, err,
				       sizeof(err));
			if (r < 0)
				goto rollback;
			/* Its result reaches the disk with the next attachment's
			 * write-ahead save (attach_att), or the final save below. */
		}
	}
	/* The primary result: the attachment holding the IPv4 (else IPv6)
	 * default route, else default, else the first. */
	json_array_foreach(json_object_get(rec, "attachments"), i, att) if (!primary &&
									   json_is_true(json_object_get(att, "gw4"))) primary = att;
	json_array_foreach(json_object_get(rec, "attachments"), i, att) if (!primary &&
									   json_is_true(json_object_get(att, "gw6"))) primary = att;
	json_array_foreach(json_object_get(rec, "attachments"), i, att) if (
		!primary && !strcmp(json_string_value(json_object_get(att, "network")) ?: "", "default")) primary = att;
	if (!primary)
		primary = json_array_get(json_object_get(rec, "attachments"), 0);
	json_object_set_new(rec, "state", json_string("attached"));
	json_object_set(rec, "primaryResult", primary ? json_object_get(primary, "result") : json_object());
	r = pn_record_save(a->records_dir, rec);
	if (r < 0) {
		snprintf(err, sizeof(err), "cannot write the attachment record: %s", strerror(-r));
		res->cni_code = 5;
		goto rollback;
	}
	pn_agent_log(PODNET_LOG_INFO, "ADD %s (%s/%s): %zu attachments", q->cid, q->pod_ns, q->pod_name,
		     json_array_size(json_object_get(rec, "attachments")));
	emit_status(a, rec);
	json_array_foreach(json_object_get(rec, "attachments"), i, att)
		added_event(a, rec, att);
	resp = ok_resp(json_deep_copy(json_object_get(rec, "primaryResult")));
	goto out;
rollback:
	{
		char why[512] = "";
		int code = res->cni_code ? (int)res->cni_code : 11;
		int e = detach_record(a, q, rec, why, sizeof(why));

		pn_agent_log(PODNET_LOG_ERROR, "ADD %s failed: %s", q->cid, err);
		/* no container id in the message: the runtime's retries of the
		 * sandbox are one Event whose count grows */
		pod_event(a, rec, "Warning", "AddFailed", "podnet.dev/networks: ADD failed: %s", err);
		if (e == 0)
			pn_record_remove(a->records_dir, q->cid);
		else
			pn_record_save(a->records_dir, rec); /* what could not be undone stays for DEL */
		resp = error_resp(code, "%s%s%s", err, e ? "; rollback incomplete: " : "", e ? why : "");
	}
out:
	json_decref(atts);
	json_decref(rec);
	free(res);
	return resp;
}

static json_t *do_del(struct pn_agent *a, struct req *q)
{
	json_t *rec = NULL;
	char why[512] = "";
	int r;

	r = pn_record_load(a->records_dir, q->cid, &rec);
	if (r < 0)
		return error_resp(5, "cannot read the record of %s: %s", q->cid, strerror(-r));
	if (!rec) {
		/* Nothing recorded: a sandbox the runtime set up before podnet
		 * was in front of this node's network (podnet's own controller
		 * Pods among them, while the DaemonSet installs). Its one network
		 * is the primary's: the DEL goes there, as the runtime would have
		 * sent it without podnet (CNI DELs are idempotent, so a sandbox
		 * whose ADD never got that far is no harm). */
		rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:b, s:b}]}", "containerID", q->cid,
				"netns", q->netns ? q->netns : "", "ifname", q->ifname ? q->ifname : "eth0", "podNamespace", q->pod_ns,
				"podName", q->pod_name, "podUID", q->pod_uid, "attachments", "network", "default",
				"interface", q->ifname ? q->ifname : "eth0", "providerName", a->default_provider, "gw4", 1, "gw6", 1);
		if (!rec)
			return error_resp(5, "out of memory");
		r = detach_record(a, q, rec, why, sizeof(why));
		json_decref(rec);
		if (r < 0)
			return error_resp(11, "DEL of %s (not recorded) on the primary network failed, will be retried: %s",
					  q->cid, why);
		pn_agent_log(PODNET_LOG_INFO, "DEL %s: not recorded, passed to the primary network", q->cid);
		return ok_resp(NULL);
	}
	r = detach_record(a, q, rec, why, sizeof(why));
	if (r < 0) {
		pn_record_save(a->records_dir, rec);
		json_decref(rec);
		return error_resp(11, "DEL of %s incomplete, will be retried: %s", q->cid, why);
	}
	r = pn_record_remove(a->records_dir, q->cid);
	pn_agent_log(PODNET_LOG_INFO, "DEL %s: done", q->cid);
	json_decref(rec);
	if (r < 0)
		return error_resp(5, "cannot remove the record of %s: %s", q->cid, strerror(-r));
	return ok_resp(NULL);
}

static json_t *do_check(struct pn_agent *a, struct req *q)
{
	json_t *rec = NULL, *att;
	struct podnet_result *res;
	json_t *resp = NULL;
	size_t i;
	int r;

	r = pn_record_load(a->records_dir, q->cid, &rec);
	if (r < 0 || !rec)
		return error_resp(3, "no attachment record for container %s", q->cid);
	res = calloc(1, sizeof(*res));
	if (!res) {
		json_decref(rec);
		return error_resp(5, "out of memory");
	}
	json_array_foreach(json_object_get(rec, "attachments"), i, att)
	{
		const char *pname = json_string_value(json_object_get(att, "providerName"));
		struct pn_provider *p = pname ? pn_agent_provider(a, pname) : NULL;
		struct podnet_pod pod;
		struct podnet_sandbox sb;
		struct podnet_request rq;
		struct att_view v;

		if (!p) {
			resp = error_resp(50, "provider %s is not loaded", pname ? pname : "?");
			break;
		}
		if (view_of(att, NULL, &v) < 0) {
			view_clear(&v);
			resp = error_resp(7, "record attachment %zu is malformed", i);
			break;
		}
		fill_ids(q, rec, &pod, &sb, q->netns && *q->netns ? q->netns : json_string_value(json_object_get(rec, "netns")));
		memset(&rq, 0, sizeof(rq));
		rq.pod = &pod;
		rq.sandbox = &sb;
		rq.attachment = &v.a;
		rq.deadline_ms = pn_provider_now_ms() + (uint64_t)a->cfg.op_timeout_ms;
		r = pn_provider_check(p, &rq, res);
		view_clear(&v);
		if (r < 0) {
			resp = error_resp(res->cni_code ? (int)res->cni_code : 100, "CHECK of %s (network %s) failed: %s",
					  json_string_value(json_object_get(att, "interface")),
					  json_string_value(json_object_get(att, "network")),
					  res->message[0] ? res->message : strerror(-r));
			break;
		}
	}
	if (!resp)
		resp = ok_resp(NULL);
	free(res);
	json_decref(rec);
	return resp;
}

static int in_valid(const json_t *valid, const char *cid, const char *ifname)
{
	size_t i;
	json_t *v;

	json_array_foreach(valid, i, v)
	{
		const char *c = json_string_value(json_object_get(v, "containerID"));
		const char *f = json_string_value(json_object_get(v, "ifname"));
		if (c && !strcmp(c, cid) && (!f || !ifname || !strcmp(f, ifname)))
			return 1;
	}
	return 0;
}

static json_t *do_gc(struct pn_agent *a, struct req *q)
{
	const json_t *valid = json_object_get(q->config, "cni.dev/valid-attachments");
	json_t *ids = NULL, *keep_json = json_array(), *id;
	struct podnet_gc_keep *keep = NULL;
	struct podnet_result *res = calloc(1, sizeof(*res));
	char why[512] = "";
	size_t i, n = 0;
	int failed = 0, removed = 0;

	if (!res || !keep_json || pn_record_list(a->records_dir, &ids) < 0) {
		free(res);
		json_decref(keep_json);
		json_decref(ids);
		return error_resp(5, "cannot list attachment records");
	}
	if (!json_is_array(valid))
		valid = NULL;
	json_array_foreach(ids, i, id)
	{
		const char *cid = json_string_value(id);
		json_t *rec = NULL, *att;
		size_t k;

		if (pn_record_load(a->records_dir, cid, &rec) < 0 || !rec)
			continue;
		if (valid && in_valid(valid, cid, json_string_value(json_object_get(rec, "ifname")))) {
			json_array_foreach(json_object_get(rec, "attachments"), k, att)
				json_array_append_new(keep_json, json_pack("[s,s]", cid,
									  json_string_value(json_object_get(att, "interface")) ?: ""));
			json_decref(rec);
			continue;
		}
		if (detach_record(a, NULL, rec, why, sizeof(why)) == 0) {
			pn_record_remove(a->records_dir, cid);
			removed++;
			pn_agent_log(PODNET_LOG_INFO, "GC: removed the attachments of container %s", cid);
		} else {
			pn_record_save(a->records_dir, rec);
			failed++;
		}
		json_decref(rec);
	}
	/* Then each provider drops what it holds outside the records. */
	n = json_array_size(keep_json);
	keep = calloc(n ? n : 1, sizeof(*keep));
	if (keep) {
		json_array_foreach(keep_json, i, id)
		{
			keep[i].container_id = json_string_value(json_array_get(id, 0));
			keep[i].interface = json_string_value(json_array_get(id, 1));
		}
		for (int p = 0; p < a->n_providers; p++) {
			struct podnet_request rq;
			memset(&rq, 0, sizeof(rq));
			rq.keep = keep;
			rq.n_keep = (uint32_t)n;
			rq.deadline_ms = pn_provider_now_ms() + (uint64_t)a->cfg.op_timeout_ms;
			if (pn_provider_gc(a->providers[p], &rq, res) < 0) {
				snprintf(why, sizeof(why), "gc of provider %.100s: %.300s", pn_provider_name(a->providers[p]),
					 res->message);
				failed++;
			}
		}
	}
	free(keep);
	free(res);
	json_decref(keep_json);
	json_decref(ids);
	pn_agent_log(PODNET_LOG_INFO, "GC: %d sandboxes removed, %d failures", removed, failed);
	if (failed)
		return error_resp(11, "GC incomplete: %s", why);
	return ok_resp(NULL);
}

static json_t *do_status(struct pn_agent *a)
{
	struct pn_provider *p = pn_agent_provider(a, a->default_provider);
	struct podnet_result *res;
	json_t *resp;
	int r;

	if (!p)
		return error_resp(50, "the default network's provider %s is not loaded", a->default_provider);
	res = calloc(1, sizeof(*res));
	if (!res)
		return error_resp(5, "out of memory");
	r = pn_provider_status(p, res);
	resp = r < 0 ? error_resp(50, "default network not ready: %s", res->message[0] ? res->message : strerror(-r))
		     : ok_resp(NULL);
	free(res);
	return resp;
}

/* ---- availability (ABI v1.2 can_serve) ------------------------------------------------ */

int pn_agent_can_serve(struct pn_agent *a, const char *provider, const char *network, const char *params_json,
		       int *err, char *message, size_t mlen)
{
	const char *pname = provider && *provider ? provider : a->default_provider;
	struct pn_provider *p = pn_agent_provider(a, pname);
	struct podnet_attachment att = {.size = sizeof(att), .network = network, .interface = "",
					.provider = provider ? provider : "", .params_json = params_json};
	struct podnet_request req = {.size = sizeof(req), .attachment = &att};
	struct podnet_result *res;
	int r, verdict = 0;

	*err = 0;
	if (!p) {
		snprintf(message, mlen, "provider %s is not loaded on this node", pname);
		return PN_AGENT_SERVE_NO_PROVIDER;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		*err = -ENOMEM;
		snprintf(message, mlen, "out of memory");
		return PN_AGENT_SERVE_REFUSED;
	}
	/* like any provider call: never while GC runs */
	pthread_rwlock_rdlock(&a->gc_lock);
	r = pn_provider_status(p, res);
	if (r < 0) {
		snprintf(message, mlen, "%s", res->message[0] ? res->message : strerror(-r));
		verdict = PN_AGENT_SERVE_NOT_READY;
	} else if (params_json) {
		r = pn_provider_can_serve(p, &req, res);
		if (r < 0) {
			*err = r;
			snprintf(message, mlen, "%s", res->message[0] ? res->message : strerror(-r));
			verdict = PN_AGENT_SERVE_REFUSED;
		}
	}
	pthread_rwlock_unlock(&a->gc_lock);
	free(res);
	return verdict;
}

/* ---- hot-plug ------------------------------------------------------------------------- */

/* A recorded attachment equals a planned one when, without what the agent
 * added (providerName, result), they are the same JSON. */
static int same_attachment(const json_t *planned, const json_t *recorded)
{
	json_t *r;
	int eq;

	if (json_is_null(json_object_get(recorded, "result")))
		return 0; /* never finished (a crash midway): undo and redo it */
	r = json_deep_copy(recorded);
	json_object_del(r, "providerName");
	json_object_del(r, "result");
	eq = json_equal(r, planned);
	json_decref(r);
	return eq;
}

static int is_default_att(const json_t *att)
{
	return !strcmp(json_string_value(json_object_get(att, "network")) ?: "", "default");
}

/* Brings one attached record to the plan's attachments (default excluded).
 * Returns the number of changes, or -errno. */
static int reconcile_record(struct pn_agent *a, json_t *rec, const json_t *planned)
{
	json_t *atts = json_object_get(rec, "attachments"), *att;
	const char *netns = undo_netns(NULL, rec);
	struct podnet_result *res = calloc(1, sizeof(*res));
	char why[1024];
	size_t i, k;
	int changes = 0, r = 0;

	if (!res)
		return -ENOMEM;
	/* detach what the plan no longer has (or has differently) */
	for (i = json_array_size(atts); i-- > 0;) {
		int wanted = 0;

		att = json_array_get(atts, i);
		if (is_default_att(att))
			continue;
		json_array_foreach(planned, k, att) if (!wanted && same_attachment(att, json_array_get(atts, i))) wanted = 1;
		if (wanted)
			continue;
		r = detach_att(a, NULL, rec, json_array_get(atts, i), netns, res, why, sizeof(why));
		if (r < 0) {
			pod_event(a, rec, "Warning", "UnplugFailed", "podnet.dev/networks: hot-unplug of network %s: %s",
				  json_string_value(json_object_get(json_array_get(atts, i), "network")) ?: "?", why);
			goto out;
		}
		pn_agent_log(PODNET_LOG_INFO, "hot-plug: detached %s from container %s",
			     json_string_value(json_object_get(json_array_get(atts, i), "interface")),
			     json_string_value(json_object_get(rec, "containerID")));
		pod_event(a, rec, "Normal", "RemovedInterface", "podnet.dev/networks: detached %s (network %s)",
			  json_string_value(json_object_get(json_array_get(atts, i), "interface")) ?: "?",
			  json_string_value(json_object_get(json_array_get(atts, i), "network")) ?: "?");
		json_array_remove(atts, i);
		changes++;
		r = pn_record_save(a->records_dir, rec);
		if (r < 0)
			goto out;
	}
	/* attach what is new, in plan order */
	json_array_foreach(planned, k, att)
	{
		struct podnet_pod pod;
		struct podnet_sandbox sb;
		int have = 0;
		json_t *ra;

		if (is_default_att(att))
			continue;
		json_array_foreach(atts, i, ra) if (!have && same_attachment(att, ra)) have = 1;
		if (have)
			continue;
		if (!netns[0]) {
			r = -ENOENT;
			goto out;
		}
		fill_ids(&(struct req){0}, rec, &pod, &sb, netns);
		memset(res, 0, sizeof(*res));
		r = attach_att(a, rec, att, NULL, &pod, &sb, json_string_value(json_object_get(rec, "cniVersion")) ?: "1.0.0",
			       res, why, sizeof(why));
		if (r < 0) {
			pn_agent_log(PODNET_LOG_ERROR, "hot-plug: container %s: %s", sb.container_id, why);
			pod_event(a, rec, "Warning", "HotplugFailed", "podnet.dev/networks: hot-plug failed: %s", why);
			continue; /* the others still go in; the next plan change retries */
		}
		pn_agent_log(PODNET_LOG_INFO, "hot-plug: attached %s to container %s",
			     json_string_value(json_object_get(att, "interface")), sb.container_id);
		added_event(a, rec, json_array_get(atts, json_array_size(atts) - 1));
		changes++;
		r = pn_record_save(a->records_dir, rec);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	free(res);
	return r < 0 ? r : changes;
}

int pn_agent_reconcile(struct pn_agent *a, const char *ns, const char *name)
{
	json_t *plan = NULL, *planned, *ids = NULL, *id;
	struct pn_pod_lock *lk;
	char key[600], err[512];
	size_t i;
	int r;

	snprintf(key, sizeof(key), "pod:%s/%s", ns, name);
	pthread_rwlock_rdlock(&a->gc_lock);
	lk = pod_lock(a, key);
	if (!lk) {
		pthread_rwlock_unlock(&a->gc_lock);
		return -ENOMEM;
	}
	r = pn_plan_store_get(&a->plans, ns, name, 0, &plan, err, sizeof(err));
	if (r < 0)
		goto out; /* pending or invalid: keep what is attached */
	planned = plan ? json_object_get(plan, "attachments") : NULL;
	if (!planned)
		planned = json_array(); /* asked for nothing: default only */
	else
		json_incref(planned);
	r = pn_record_list(a->records_dir, &ids);
	json_array_foreach(ids, i, id)
	{
		json_t *rec = NULL;

		if (pn_record_load(a->records_dir, json_string_value(id), &rec) < 0 || !rec)
			continue;
		if (!strcmp(json_string_value(json_object_get(rec, "podNamespace")) ?: "", ns) &&
		    !strcmp(json_string_value(json_object_get(rec, "podName")) ?: "", name) &&
		    !strcmp(json_string_value(json_object_get(rec, "state")) ?: "", "attached")) {
			int c = reconcile_record(a, rec, planned);
			if (c > 0)
				emit_status(a, rec);
			if (c < 0)
				r = c;
		}
		json_decref(rec);
	}
	json_decref(planned);
out:
	json_decref(ids);
	json_decref(plan);
	pod_unlock(a, lk);
	pthread_rwlock_unlock(&a->gc_lock);
	return r;
}

int pn_agent_handle(struct pn_agent *a, const char *request, size_t len, char **response)
{
	json_t *in = json_loadb(request, len, JSON_REJECT_DUPLICATES, NULL), *resp = NULL, *rec = NULL;
	struct req q;
	struct pn_pod_lock *lk = NULL;
	char key[600];
	double t0 = mono_s();
	int is_gc;

	*response = NULL;
	memset(&q, 0, sizeof(q));
	if (!json_is_object(in) || json_integer_value(json_object_get(in, "v")) != PN_PROTO_VERSION) {
		resp = error_resp(6, "malformed request (want a JSON object with \"v\":%d)", PN_PROTO_VERSION);
		goto out;
	}
	q.command = json_string_value(json_object_get(in, "command"));
	q.cid = json_string_value(json_object_get(in, "containerID"));
	q.netns = json_string_value(json_object_get(in, "netns"));
	q.ifname = json_string_value(json_object_get(in, "ifname"));
	q.config = json_object_get(in, "config");
	q.cni_version = json_string_value(json_object_get(q.config, "cniVersion"));
	if (!q.cni_version)
		q.cni_version = "1.0.0";
	parse_args(json_string_value(json_object_get(in, "args")), &q);
	if (!q.command) {
		resp = error_resp(4, "no command");
		goto out;
	}
	if (!strcmp(q.command, "STATUS")) {
		resp = do_status(a);
		goto out;
	}
	is_gc = !strcmp(q.command, "GC");
	if (is_gc) {
		pthread_rwlock_wrlock(&a->gc_lock);
		resp = do_gc(a, &q);
		pthread_rwlock_unlock(&a->gc_lock);
		goto out;
	}
	if (strcmp(q.command, "ADD") && strcmp(q.command, "DEL") && strcmp(q.command, "CHECK")) {
		resp = error_resp(4, "unknown command %s", q.command);
		goto out;
	}
	if (!pn_record_valid_cid(q.cid)) {
		resp = error_resp(4, "invalid or missing CNI_CONTAINERID");
		goto out;
	}
	if (!q.ifname || !*q.ifname || strlen(q.ifname) > 15 || strchr(q.ifname, '/')) {
		resp = error_resp(4, "invalid or missing CNI_IFNAME");
		goto out;
	}
	/* Serialize per Pod; a DEL without CNI_ARGS learns its Pod from the record. */
	if (!q.pod_ns[0] && pn_record_load(a->records_dir, q.cid, &rec) == 0 && rec) {
		snprintf(q.pod_ns, sizeof(q.pod_ns), "%s", json_string_value(json_object_get(rec, "podNamespace")) ?: "");
		snprintf(q.pod_name, sizeof(q.pod_name), "%s", json_string_value(json_object_get(rec, "podName")) ?: "");
	}
	json_decref(rec);
	if (q.pod_ns[0] && q.pod_name[0])
		snprintf(key, sizeof(key), "pod:%s/%s", q.pod_ns, q.pod_name);
	else
		snprintf(key, sizeof(key), "sandbox:%s", q.cid);
	pthread_rwlock_rdlock(&a->gc_lock);
	lk = pod_lock(a, key);
	if (!lk)
		resp = error_resp(5, "out of memory");
	else if (!strcmp(q.command, "ADD"))
		resp = do_add(a, &q);
	else if (!strcmp(q.command, "DEL"))
		resp = do_del(a, &q);
	else
		resp = do_check(a, &q);
	if (lk)
		pod_unlock(a, lk);
	pthread_rwlock_unlock(&a->gc_lock);
out:
	if (!resp)
		resp = error_resp(5, "out of memory");
	pn_metrics_count(a, q.command ? q.command : "", json_is_true(json_object_get(resp, "ok")),
			 (uint64_t)((mono_s() - t0) * 1e6));
	*response = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	json_decref(in);
	return *response ? 0 : -ENOMEM;
}
