/* providers/cni — podnet's reference provider "podnet.dev/cni": runs a CNI
 * plugin chain in the Pod's network namespace exactly as a container runtime
 * does (CNI_* environment, config on stdin with name and cniVersion,
 * prevResult chaining, DEL in reverse order with the cached result), with the
 * controller's addresses injected through the static IPAM plugin.
 *
 * init config keys: "stateDir" (required), "cacheDir" (where results are
 * cached for DEL/CHECK/GC; default stateDir/cache), "cniPath" (plugin directories, ':'-separated; default
 * /usr/lib/cni:/opt/cni/bin), "primaryConfList" (the node's primary CNI
 * config, used for attachments whose params carry no chain, i.e. default),
 * "pluginTimeoutMs" (default 30000).
 */
#include "cni.h"
#include "../../lib/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CNI_MAX_PATH_DIRS 8
#define CNI_ENV_MAX 1024

struct cni_state {
	const struct podnet_host_api *host;
	char state_dir[PODNET_PATH_LEN];
	char cache_dir[PODNET_PATH_LEN + 8];
	char cni_path[PODNET_PATH_LEN * 2];
	char primary[PODNET_PATH_LEN];
	char host_root[PODNET_PATH_LEN]; /* "hostRoot": plugins run chrooted here */
	int timeout_ms;
};

static void msg(struct podnet_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(struct podnet_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
}

static void logf_(struct cni_state *st, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void logf_(struct cni_state *st, int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	st->host->log(st->host->host, level, line);
}

static int valid_cid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 256)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static int valid_ifname(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= PODNET_IFNAME_LEN || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == '%' || (unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* 1 when ifname exists in the namespace at netns_path, 0 when not, -errno. */
static int link_exists_in(const char *netns_path, const char *ifname)
{
	int self, target, r;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	target = open(netns_path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		r = -errno;
		close(self);
		return r;
	}
	if (setns(target, CLONE_NEWNET) < 0) {
		r = -errno;
	} else {
		r = if_nametoindex(ifname) != 0;
		if (setns(self, CLONE_NEWNET) < 0)
			abort(); /* never return in the wrong namespace */
	}
	close(target);
	close(self);
	return r;
}

/* ---- the cache: one file per (container, interface) ----------------------- */

static int cache_path(const struct cni_state *st, const char *cid, const char *ifname, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s%%%s.json", st->cache_dir, cid, ifname);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int write_atomic(const char *path, const char *text)
{
	char tmp[PODNET_PATH_LEN * 3 + 8];
	FILE *f;
	int r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	if (fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = -errno ? -errno : -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Removes the NAME.tmp files write_atomic left when its process was killed
 * between writing and renaming (run at init: no write is in flight then). */
static void drop_stale_tmp(const char *dir)
{
	char path[PODNET_PATH_LEN * 3];
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 4 && !strcmp(de->d_name + n - 4, ".tmp") &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
}

static cJSON *cache_read(const struct cni_state *st, const char *cid, const char *ifname)
{
	char path[PODNET_PATH_LEN * 3], *text = NULL;
	cJSON *c;

	if (cache_path(st, cid, ifname, path, sizeof(path)) < 0)
		return NULL;
	if (pn_cni_read_file(path, PN_CNI_MAX_CONF * 2, &text) < 0)
		return NULL;
	c = cJSON_Parse(text);
	free(text);
	return c;
}

/* ---- running plugins --------------------------------------------------------- */

struct cni_call {
	const char *command;
	const char *cid;
	const char *netns;
	const char *ifname;
	const char *pod_ns, *pod_name, *pod_uid;
	uint64_t deadline_ms;
};

/* executable_in_root: PATH names an executable file when resolved with ROOT
 * as "/" (symbolic links included, as the chrooted plugin will see it). */
static int executable_in_root(const char *root, const char *path)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	struct stat sb;
	int rfd, fd, ok;

	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return 0;
	fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	close(rfd);
	if (fd < 0)
		return 0;
	ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0111);
	close(fd);
	return ok;
}

static int find_plugin(const struct cni_state *st, const char *type, char *out, size_t len)
{
	char dirs[sizeof(st->cni_path)];
	char *save = NULL, *d;

	/* With a host root, the directories are the host's: the plugin is
	 * looked for inside the root and run chrooted there, by its host path. */
	snprintf(dirs, sizeof(dirs), "%s", st->cni_path);
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", d, type);
		if (st->host_root[0] ? executable_in_root(st->host_root, out) : access(out, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Runs plugin i of the chain; on success *result_out gets its parsed stdout
 * (NULL for DEL/CHECK, which print nothing). */
static int run_plugin(struct cni_state *st, const struct pn_cni_chain *chain, int i, const struct cni_call *c,
		      const cJSON *prev, cJSON **result_out, struct podnet_result *res)
{
	const char *type = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(chain->plugins, i), "type")->valuestring;
	char bin[PODNET_PATH_LEN * 2];
	char e_cmd[64], e_cid[CNI_ENV_MAX], e_netns[CNI_ENV_MAX], e_if[64], e_args[CNI_ENV_MAX], e_path[CNI_ENV_MAX];
	char *envp[] = {e_cmd, e_cid, e_netns, e_if, e_args, e_path, (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	char *argv[] = {(char *)type, NULL};
	struct pn_spawn sp = {0};
	char *conf = NULL;
	int r, timeout = st->timeout_ms;

	if (result_out)
		*result_out = NULL;
	/* Values are refused, never escaped, when they carry separators. */
	if (!pn_spawn_env_ok(c->cid, ";=") || !pn_spawn_env_ok(c->netns, NULL) || !pn_spawn_env_ok(c->ifname, ";=") ||
	    !pn_spawn_env_ok(c->pod_ns, ";=") || !pn_spawn_env_ok(c->pod_name, ";=") ||
	    !pn_spawn_env_ok(c->pod_uid, ";=") || !pn_spawn_env_ok(st->cni_path, NULL)) {
		msg(res, "refusing to run %s: an environment value carries a separator or control byte", type);
		return -EINVAL;
	}
	if (find_plugin(st, type, bin, sizeof(bin)) < 0) {
		msg(res, "CNI plugin %s not found in %s", type, st->cni_path);
		res->cni_code = 50; /* plugin not available */
		return -ENOENT;
	}
	snprintf(e_cmd, sizeof(e_cmd), "CNI_COMMAND=%s", c->command);
	snprintf(e_cid, sizeof(e_cid), "CNI_CONTAINERID=%s", c->cid);
	snprintf(e_netns, sizeof(e_netns), "CNI_NETNS=%s", c->netns);
	snprintf(e_if, sizeof(e_if), "CNI_IFNAME=%s", c->ifname);
	snprintf(e_args, sizeof(e_args),
		 "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=%s;K8S_POD_NAME=%s;K8S_POD_INFRA_CONTAINER_ID=%s;K8S_POD_UID=%s",
		 c->pod_ns, c->pod_name, c->cid, c->pod_uid);
	snprintf(e_path, sizeof(e_path), "CNI_PATH=%s", st->cni_path);
	conf = pn_cni_plugin_conf(chain, i, prev);
	if (!conf) {
		msg(res, "out of memory");
		return -ENOMEM;
	}
	if (c->deadline_ms && st->host->size >= offsetof(struct podnet_host_api, now_ms) + sizeof(void *) &&
	    st->host->now_ms) {
		uint64_t now = st->host->now_ms(st->host->host);
		int left = c->deadline_ms > now ? (int)(c->deadline_ms - now) : 1;
		if (left < timeout)
			timeout = left;
	}
	sp.path = bin;
	sp.argv = argv;
	sp.envp = envp;
	sp.input = conf;
	sp.input_len = strlen(conf);
	sp.timeout_ms = timeout;
	sp.root = st->host_root;
	r = pn_spawn_run(&sp);
	if (r == -ETIMEDOUT) {
		msg(res, "CNI %s %s timed out after %d ms and was killed", type, c->command, timeout);
		goto out;
	}
	if (r == -EMSGSIZE) {
		msg(res, "CNI %s %s printed more than the output cap; killed", type, c->command);
		goto out;
	}
	if (r < 0) {
		msg(res, "cannot run CNI %s %s: %s", type, c->command, strerror(-r));
		goto out;
	}
	if (sp.exit_code != 0) {
		pn_cni_error_to_podnet(sp.out, type, c->command, sp.exit_code, res);
		logf_(st, PODNET_LOG_WARNING, "%s (stderr: %.300s)", res->message, sp.err ? sp.err : "");
		r = -EIO;
		goto out;
	}
	if (result_out && !strcmp(c->command, "ADD")) {
		*result_out = cJSON_Parse(sp.out);
		if (!cJSON_IsObject(*result_out)) {
			cJSON_Delete(*result_out);
			*result_out = NULL;
			msg(res, "CNI %s ADD printed no valid result", type);
			r = -EBADMSG;
			goto out;
		}
	}
	r = 0;
out:
	pn_spawn_clear(&sp);
	free(conf);
	return r;
}

/* DEL for plugins last..0, in reverse; remembers the first failure (and, in
 * *failed, which plugins failed: bit i for plugin i < 32). */
static int del_chain(struct cni_state *st, const struct pn_cni_chain *chain, int last, const struct cni_call *c,
		     const cJSON *prev, struct podnet_result *res, uint32_t *failed)
{
	struct cni_call d = *c;
	int r = 0;

	if (failed)
		*failed = 0;

	d.command = "DEL";
	for (int i = last; i >= 0; i--) {
		struct podnet_result tmp;
		int e;

		memset(&tmp, 0, sizeof(tmp));
		e = run_plugin(st, chain, i, &d, prev, NULL, &tmp);
		if (e < 0 && failed)
			*failed |= i < 32 ? UINT32_C(1) << i : UINT32_C(1) << 31;
		if (e < 0 && r == 0) {
			r = e;
			memcpy(res->message, tmp.message, sizeof(res->message));
			res->cni_code = tmp.cni_code;
		}
	}
	return r;
}

/* ---- operations --------------------------------------------------------------- */

static int32_t cni_init(const struct podnet_host_api *host, const char *config_json, void **state,
			struct podnet_result *res)
{
	cJSON *cfg = cJSON_Parse(config_json ? config_json : "{}");
	const cJSON *v;
	struct cni_state *st = NULL;
	int r;

	if (!cJSON_IsObject(cfg)) {
		msg(res, "init: config is not a JSON object");
		r = -EINVAL;
		goto fail;
	}
	st = host->alloc(host->host, sizeof(*st));
	if (!st) {
		r = -ENOMEM;
		goto fail;
	}
	memset(st, 0, sizeof(*st));
	st->host = host;
	st->timeout_ms = 30000;
	snprintf(st->cni_path, sizeof(st->cni_path), "/usr/lib/cni:/opt/cni/bin");
	v = cJSON_GetObjectItemCaseSensitive(cfg, "stateDir");
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= sizeof(st->state_dir)) {
		msg(res, "init: \"stateDir\" is required");
		r = -EINVAL;
		goto fail;
	}
	snprintf(st->state_dir, sizeof(st->state_dir), "%s", v->valuestring);
	snprintf(st->cache_dir, sizeof(st->cache_dir), "%s/cache", st->state_dir);
	v = cJSON_GetObjectItemCaseSensitive(cfg, "cacheDir");
	if (cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) < sizeof(st->cache_dir))
		snprintf(st->cache_dir, sizeof(st->cache_dir), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(cfg, "cniPath");
	if (cJSON_IsString(v) && v->valuestring[0])
		snprintf(st->cni_path, sizeof(st->cni_path), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(cfg, "primaryConfList");
	if (cJSON_IsString(v))
		snprintf(st->primary, sizeof(st->primary), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(cfg, "hostRoot");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "/") != 0) {
		if (v->valuestring[0] && (v->valuestring[0] != '/' || strlen(v->valuestring) >= sizeof(st->host_root))) {
			msg(res, "init: \"hostRoot\" must be an absolute path shorter than %zu bytes",
			    sizeof(st->host_root));
			r = -EINVAL;
			goto fail;
		}
		snprintf(st->host_root, sizeof(st->host_root), "%s", v->valuestring);
	}
	v = cJSON_GetObjectItemCaseSensitive(cfg, "pluginTimeoutMs");
	if (cJSON_IsNumber(v) && v->valuedouble >= 100 && v->valuedouble <= 600000)
		st->timeout_ms = (int)v->valuedouble;
	if ((mkdir(st->state_dir, 0700) < 0 && errno != EEXIST) || (mkdir(st->cache_dir, 0700) < 0 && errno != EEXIST)) {
		r = -errno;
		msg(res, "init: cannot create %s: %s", st->cache_dir, strerror(-r));
		goto fail;
	}
	drop_stale_tmp(st->cache_dir);
	cJSON_Delete(cfg);
	*state = st;
	return 0;
fail:
	if (st)
		host->free(host->host, st);
	cJSON_Delete(cfg);
	return r;
}

static void cni_fini(void *state)
{
	struct cni_state *st = state;

	if (st)
		st->host->free(st->host->host, st);
}

static void call_from_req(const struct podnet_request *req, const char *command, struct cni_call *c)
{
	memset(c, 0, sizeof(*c));
	c->command = command;
	c->cid = req->sandbox->container_id;
	c->netns = req->sandbox->netns_path;
	c->ifname = req->attachment->interface;
	c->pod_ns = req->pod ? req->pod->pod_namespace : "";
	c->pod_name = req->pod ? req->pod->name : "";
	c->pod_uid = req->pod ? req->pod->uid : "";
	if (PODNET_HAS_FIELD(req, struct podnet_request, deadline_ms))
		c->deadline_ms = req->deadline_ms;
}

static int32_t cni_attach(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	struct cni_state *st = state;
	struct pn_cni_chain chain = {0};
	struct cni_call c;
	cJSON *prev = NULL, *cache = NULL;
	char path[PODNET_PATH_LEN * 3], err[512] = "", *text = NULL;
	int r, i;

	call_from_req(req, "ADD", &c);
	if (!valid_cid(c.cid) || !valid_ifname(c.ifname) || !c.netns[0]) {
		msg(res, "invalid container id, interface name or netns path");
		return -EINVAL;
	}
	r = cache_path(st, c.cid, c.ifname, path, sizeof(path));
	if (r < 0) {
		msg(res, "cache path too long");
		return r;
	}
	if (access(path, F_OK) == 0) {
		msg(res, "%s of container %s is already attached (cached); detach it first", c.ifname, c.cid);
		return -EEXIST;
	}
	/* A name already taken is refused before any plugin runs: the DEL that
	 * undoes a failed ADD would otherwise delete a link that is not ours. */
	r = link_exists_in(c.netns, c.ifname);
	if (r != 0) {
		if (r > 0)
			msg(res, "interface %s already exists in %s", c.ifname, c.netns);
		else
			msg(res, "cannot enter netns %s: %s", c.netns, strerror(-r));
		return r > 0 ? -EEXIST : r;
	}
	r = pn_cni_chain_build(req->attachment, st->primary, &chain, err, sizeof(err));
	if (r < 0) {
		msg(res, "%s", err);
		res->cni_code = 7; /* invalid network config */
		return r;
	}
	for (i = 0; i < chain.n; i++) {
		cJSON *out = NULL;
		r = run_plugin(st, &chain, i, &c, prev, &out, res);
		if (r < 0)
			break;
		cJSON_Delete(prev);
		prev = out;
	}
	if (r < 0) {
		/* Undo the whole chain (the failed plugin included), as a runtime does. */
		struct podnet_result tmp;
		memset(&tmp, 0, sizeof(tmp));
		del_chain(st, &chain, i < chain.n ? i : chain.n - 1, &c, prev, &tmp, NULL);
		goto out;
	}
	if (!prev) {
		msg(res, "CNI chain produced no result");
		r = -EBADMSG;
		goto undo;
	}
	r = pn_cni_result_to_podnet(prev, res);
	if (r < 0) {
		msg(res, "CNI result too large or malformed");
		goto undo;
	}
	cache = cJSON_CreateObject();
	cJSON_AddStringToObject(cache, "kind", "podnet-cni-cache-v1");
	cJSON_AddStringToObject(cache, "containerId", c.cid);
	cJSON_AddStringToObject(cache, "ifName", c.ifname);
	cJSON_AddStringToObject(cache, "netns", c.netns);
	cJSON_AddStringToObject(cache, "podNamespace", c.pod_ns);
	cJSON_AddStringToObject(cache, "podName", c.pod_name);
	cJSON_AddStringToObject(cache, "podUid", c.pod_uid);
	cJSON_AddStringToObject(cache, "network", req->attachment->network);
	cJSON_AddItemToObject(cache, "config", cJSON_Duplicate(chain.root, 1));
	cJSON_AddItemToObject(cache, "result", cJSON_Duplicate(prev, 1));
	text = cJSON_PrintUnformatted(cache);
	r = text ? write_atomic(path, text) : -ENOMEM;
	if (r < 0) {
		msg(res, "cannot write the CNI cache %s: %s", path, strerror(-r));
		goto undo;
	}
	r = 0;
	goto out;
undo:
	{
		struct podnet_result tmp;
		memset(&tmp, 0, sizeof(tmp));
		del_chain(st, &chain, chain.n - 1, &c, prev, &tmp, NULL);
		res->n_interfaces = res->n_ips = res->n_routes = 0;
	}
out:
	free(text);
	cJSON_Delete(cache);
	cJSON_Delete(prev);
	pn_cni_chain_clear(&chain);
	return r;
}

/* 1 when the interface plugin's (plugin 0's) IPAM keeps no state outside the
 * namespace: no ipam, or the static addresses podnet put there. */
static int ipam_stateless(const struct pn_cni_chain *chain)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(chain->plugins, 0), "ipam");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(ipam, "type");

	return !ipam || (cJSON_IsString(t) && !strcmp(t->valuestring, "static"));
}

/* DEL from the cache (or, with no cache, from params without prevResult). */
static int detach_one(struct cni_state *st, const char *cid, const char *ifname, const char *netns_hint,
		      const struct podnet_request *req, struct podnet_result *res)
{
	struct pn_cni_chain chain = {0};
	struct cni_call c;
	cJSON *cache = cache_read(st, cid, ifname), *conf;
	const cJSON *prev = NULL, *v;
	char path[PODNET_PATH_LEN * 3], err[512] = "";
	struct stat sb;
	uint32_t failed = 0;
	int r;

	memset(&c, 0, sizeof(c));
	c.command = "DEL";
	c.cid = cid;
	c.ifname = ifname;
	c.netns = netns_hint ? netns_hint : "";
	c.pod_ns = c.pod_name = c.pod_uid = "";
	if (req) {
		call_from_req(req, "DEL", &c);
	}
	if (cache) {
		v = cJSON_GetObjectItemCaseSensitive(cache, "netns");
		if (!c.netns[0] && cJSON_IsString(v))
			c.netns = v->valuestring;
		if (!req) {
			v = cJSON_GetObjectItemCaseSensitive(cache, "podNamespace");
			c.pod_ns = cJSON_IsString(v) ? v->valuestring : "";
			v = cJSON_GetObjectItemCaseSensitive(cache, "podName");
			c.pod_name = cJSON_IsString(v) ? v->valuestring : "";
			v = cJSON_GetObjectItemCaseSensitive(cache, "podUid");
			c.pod_uid = cJSON_IsString(v) ? v->valuestring : "";
		}
		prev = cJSON_GetObjectItemCaseSensitive(cache, "result");
		conf = cJSON_DetachItemFromObjectCaseSensitive(cache, "config");
		r = conf ? pn_cni_chain_from_json(conf, &chain, err, sizeof(err)) : -EBADMSG;
	} else if (req) {
		r = pn_cni_chain_build(req->attachment, st->primary, &chain, err, sizeof(err));
		if (r < 0) {
			/* Nothing cached and nothing to go by: nothing to undo. */
			r = 0;
			goto out;
		}
	} else {
		r = 0;
		goto out;
	}
	if (r < 0) {
		msg(res, "cached CNI config unusable: %s", err);
		goto out;
	}
	/* A namespace that is gone is passed as empty, as runtimes do. */
	if (c.netns[0] && stat(c.netns, &sb) < 0)
		c.netns = "";
	r = del_chain(st, &chain, chain.n - 1, &c, prev, res, &failed);
	/* Only the interface plugin failed, its interface is gone (with its
	 * namespace, or on its own: a macvlan goes with its master, whose
	 * absence then makes the plugin's DEL fail) and its IPAM holds nothing:
	 * nothing is left to undo, and a DEL that can never succeed must not
	 * keep the attachment recorded for ever. */
	if (r < 0 && failed == 1 && ipam_stateless(&chain) &&
	    (!c.netns[0] || link_exists_in(c.netns, ifname) == 0)) {
		logf_(st, PODNET_LOG_WARNING, "DEL %s %s: %s; the interface is gone and nothing else is held: done",
		      cid, ifname, res->message);
		res->message[0] = 0;
		res->cni_code = 0;
		r = 0;
	}
	if (r < 0)
		goto out; /* keep the cache: DEL will be retried */
	if (cache_path(st, cid, ifname, path, sizeof(path)) == 0)
		unlink(path);
out:
	pn_cni_chain_clear(&chain);
	cJSON_Delete(cache);
	return r;
}

static int32_t cni_detach(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	if (!valid_cid(req->sandbox->container_id) || !valid_ifname(req->attachment->interface)) {
		msg(res, "invalid container id or interface name");
		return -EINVAL;
	}
	return detach_one(state, req->sandbox->container_id, req->attachment->interface, req->sandbox->netns_path,
			  req, res);
}

static int32_t cni_check(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	struct cni_state *st = state;
	struct pn_cni_chain chain = {0};
	struct cni_call c;
	cJSON *cache, *conf;
	const cJSON *prev;
	char err[512] = "";
	int r;

	call_from_req(req, "CHECK", &c);
	if (!valid_cid(c.cid) || !valid_ifname(c.ifname)) {
		msg(res, "invalid container id or interface name");
		return -EINVAL;
	}
	cache = cache_read(st, c.cid, c.ifname);
	if (!cache) {
		msg(res, "no cached result for %s of container %s", c.ifname, c.cid);
		res->cni_code = 3; /* container unknown */
		return -ENOENT;
	}
	prev = cJSON_GetObjectItemCaseSensitive(cache, "result");
	conf = cJSON_DetachItemFromObjectCaseSensitive(cache, "config");
	r = conf ? pn_cni_chain_from_json(conf, &chain, err, sizeof(err)) : -EBADMSG;
	if (r < 0) {
		msg(res, "cached CNI config unusable: %s", err);
		goto out;
	}
	for (int i = 0; i < chain.n && r == 0; i++)
		r = run_plugin(st, &chain, i, &c, prev, NULL, res);
	if (r == 0)
		r = pn_cni_result_to_podnet(prev, res);
out:
	pn_cni_chain_clear(&chain);
	cJSON_Delete(cache);
	return r;
}

static int32_t cni_gc(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	struct cni_state *st = state;
	DIR *d = opendir(st->cache_dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = -errno;
		msg(res, "cannot list %s: %s", st->cache_dir, strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		char name[512], *ifname, *dot;
		int keep = 0;
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n >= sizeof(name) || n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		memcpy(name, de->d_name, n + 1);
		dot = name + n - 5;
		*dot = '\0';
		ifname = strchr(name, '%');
		if (!ifname)
			continue;
		*ifname++ = '\0';
		if (!valid_cid(name) || !valid_ifname(ifname))
			continue;
		for (uint32_t i = 0; i < req->n_keep && !keep; i++)
			keep = !strcmp(req->keep[i].container_id, name) && !strcmp(req->keep[i].interface, ifname);
		if (!keep) {
			int e;
			logf_(st, PODNET_LOG_INFO, "gc: removing %s of container %s", ifname, name);
			e = detach_one(st, name, ifname, NULL, NULL, res);
			if (e < 0 && r == 0)
				r = e;
		}
	}
	closedir(d);
	return r;
}

static int32_t cni_status(void *state, struct podnet_result *res)
{
	struct cni_state *st = state;
	struct pn_cni_chain chain = {0};
	struct podnet_attachment a = {.size = sizeof(a), .network = "default", .interface = "eth0", .provider = "",
				      .params_json = "{}"};
	char err[512] = "", bin[PODNET_PATH_LEN * 2];
	const cJSON *p;
	int r;

	if (access(st->cache_dir, W_OK) < 0) {
		msg(res, "cache directory %s is not writable", st->cache_dir);
		return -EAGAIN;
	}
	if (!st->primary[0])
		return 0;
	/* The default network is ready when its config parses and every plugin exists. */
	r = pn_cni_chain_build(&a, st->primary, &chain, err, sizeof(err));
	if (r < 0) {
		msg(res, "primary CNI config not usable: %s", err);
		return -EAGAIN;
	}
	cJSON_ArrayForEach(p, chain.plugins)
	{
		const char *type = cJSON_GetObjectItemCaseSensitive(p, "type")->valuestring;
		if (find_plugin(st, type, bin, sizeof(bin)) < 0) {
			msg(res, "CNI plugin %s not found in %s", type, st->cni_path);
			r = -EAGAIN;
			break;
		}
	}
	pn_cni_chain_clear(&chain);
	return r < 0 ? -EAGAIN : 0;
}

/* ---- availability (ABI v1.2) ------------------------------------------------- */

/* The host link a plugin hangs off, by plugin type: macvlan/ipvlan/vlan
 * "master", host-device "device"; NULL when it names none (macvlan without
 * master takes the default route's link, which every node has). */
static const char *parent_link(const cJSON *plugin, const char **field)
{
	const char *type = cJSON_GetObjectItemCaseSensitive(plugin, "type")->valuestring;
	const cJSON *v = NULL;

	*field = NULL;
	if (!strcmp(type, "macvlan") || !strcmp(type, "ipvlan") || !strcmp(type, "vlan"))
		v = cJSON_GetObjectItemCaseSensitive(plugin, *field = "master");
	else if (!strcmp(type, "host-device"))
		v = cJSON_GetObjectItemCaseSensitive(plugin, *field = "device");
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* The node can serve the attachment when every plugin of its chain (and
 * every ipam plugin a plugin names) is found as ADD would find it, and
 * every parent link the chain names exists in this process's network
 * namespace (the agent runs with the node's: hostNetwork). Changes nothing. */
static int32_t cni_can_serve(void *state, const struct podnet_request *req, struct podnet_result *res)
{
	struct cni_state *st = state;
	struct pn_cni_chain chain = {0};
	char err[512] = "", bin[PODNET_PATH_LEN * 2];
	const cJSON *p;
	int r, i = 0;

	if (!req->attachment) {
		msg(res, "can_serve: no attachment");
		return -EINVAL;
	}
	r = pn_cni_chain_build(req->attachment, st->primary, &chain, err, sizeof(err));
	if (r < 0) {
		msg(res, "%s", err);
		return -EINVAL;
	}
	cJSON_ArrayForEach(p, chain.plugins)
	{
		const char *type = cJSON_GetObjectItemCaseSensitive(p, "type")->valuestring;
		const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "ipam"), "type");
		const char *link, *field;

		if (find_plugin(st, type, bin, sizeof(bin)) < 0) {
			msg(res, "CNI plugin %s (plugins[%d]) not found in %s%s%s", type, i, st->cni_path,
			    st->host_root[0] ? " under " : "", st->host_root);
			r = -ENOENT;
			break;
		}
		if (cJSON_IsString(ipam) && ipam->valuestring[0] &&
		    find_plugin(st, ipam->valuestring, bin, sizeof(bin)) < 0) {
			msg(res, "CNI IPAM plugin %s (plugins[%d].ipam) not found in %s%s%s", ipam->valuestring, i,
			    st->cni_path, st->host_root[0] ? " under " : "", st->host_root);
			r = -ENOENT;
			break;
		}
		link = parent_link(p, &field);
		if (link && (!valid_ifname(link) || if_nametoindex(link) == 0)) {
			msg(res, "link \"%s\" (%s %s) does not exist on this node", link, type, field);
			r = -ENODEV;
			break;
		}
		i++;
	}
	pn_cni_chain_clear(&chain);
	return r;
}

static const struct podnet_provider_ops cni_ops = {
	.size = sizeof(struct podnet_provider_ops),
	.abi_major = PODNET_ABI_MAJOR,
	.abi_minor = PODNET_ABI_MINOR,
	.name = "podnet.dev/cni",
	.version = "1.2.0",
	.init = cni_init,
	.fini = cni_fini,
	.attach = cni_attach,
	.detach = cni_detach,
	.check = cni_check,
	.gc = cni_gc,
	.status = cni_status,
	.can_serve = cni_can_serve,
};

PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *podnet_provider_entry(const struct podnet_host_api *host)
{
	if (!host || host->abi_major != PODNET_ABI_MAJOR)
		return NULL;
	return &cni_ops;
}
