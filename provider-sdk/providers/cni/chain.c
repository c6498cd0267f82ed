/* providers/cni/chain.c — from parameters to a CNI plugin chain, and from CNI
 * results to podnet results. Pure JSON work with cJSON: no processes, no
 * network; reading the primary config file is the only I/O. */
#include "cni.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int pn_cni_read_file(const char *path, size_t max, char **out)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, r = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if ((size_t)st.st_size > max) {
		r = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

void pn_cni_chain_clear(struct pn_cni_chain *chain)
{
	if (!chain)
		return;
	cJSON_Delete(chain->root);
	memset(chain, 0, sizeof(*chain));
}

static int valid_type(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 64 || !strcmp(t, ".") || !strcmp(t, ".."))
		return 0;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') || *t == '-' ||
		      *t == '_' || *t == '.'))
			return 0;
	return 1;
}

/* Normalises root into {"cniVersion","name","plugins":[...]} and checks it. */
static int normalise(cJSON *root, const char *default_name, struct pn_cni_chain *chain, char *err, size_t errlen)
{
	cJSON *plugins = cJSON_GetObjectItemCaseSensitive(root, "plugins");
	cJSON *v, *n, *p;
	int i = 0;

	if (!cJSON_IsObject(root)) {
		errf(err, errlen, "CNI config is not a JSON object");
		return -EINVAL;
	}
	if (!plugins) {
		/* A single plugin config (a .conf, a NAD's config): make it a list. */
		cJSON *single = cJSON_Duplicate(root, 1);
		cJSON *list = cJSON_CreateArray();
		if (!single || !list) {
			cJSON_Delete(single);
			cJSON_Delete(list);
			return -ENOMEM;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(single, "cniVersion");
		cJSON_DeleteItemFromObjectCaseSensitive(single, "name");
		cJSON_AddItemToArray(list, single);
		/* keep cniVersion/name on root; drop everything else */
		for (cJSON *it = root->child, *next; it; it = next) {
			next = it->next;
			if (strcmp(it->string, "cniVersion") && strcmp(it->string, "name"))
				cJSON_DeleteItemFromObjectCaseSensitive(root, it->string);
		}
		cJSON_AddItemToObject(root, "plugins", list);
		plugins = list;
	}
	if (!cJSON_IsArray(plugins) || cJSON_GetArraySize(plugins) < 1) {
		errf(err, errlen, "CNI config has no plugins");
		return -EINVAL;
	}
	if (cJSON_GetArraySize(plugins) > PN_CNI_MAX_PLUGINS) {
		errf(err, errlen, "CNI chain has more than %d plugins", PN_CNI_MAX_PLUGINS);
		return -E2BIG;
	}
	cJSON_ArrayForEach(p, plugins)
	{
		cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type");
		if (!cJSON_IsObject(p) || !cJSON_IsString(t) || !valid_type(t->valuestring)) {
			errf(err, errlen, "plugins[%d]: missing or invalid \"type\"", i);
			return -EINVAL;
		}
		i++;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "cniVersion");
	if (!cJSON_IsString(v)) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, "cniVersion");
		v = cJSON_AddStringToObject(root, "cniVersion", "1.0.0");
	}
	n = cJSON_GetObjectItemCaseSensitive(root, "name");
	if (!cJSON_IsString(n) || !n->valuestring[0]) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, "name");
		n = cJSON_AddStringToObject(root, "name", default_name);
	}
	if (!v || !n)
		return -ENOMEM;
	chain->root = root;
	chain->plugins = plugins;
	chain->name = n->valuestring;
	chain->version = v->valuestring;
	chain->n = cJSON_GetArraySize(plugins);
	return 0;
}

int pn_cni_chain_from_json(cJSON *root, struct pn_cni_chain *chain, char *err, size_t errlen)
{
	int r;

	memset(chain, 0, sizeof(*chain));
	r = normalise(root, "podnet", chain, err, errlen);
	if (r < 0)
		cJSON_Delete(root);
	return r;
}

static int family_of(const char *addr)
{
	char buf[PODNET_ADDR_LEN];
	unsigned char b[16];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", addr);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, b) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, b) == 1)
		return 6;
	return 0;
}

/* The static IPAM object carrying exactly the planned addresses. */
static cJSON *static_ipam(const struct podnet_attachment *a, char *err, size_t errlen)
{
	cJSON *ipam = cJSON_CreateObject(), *addrs, *routes;

	if (!ipam)
		return NULL;
	cJSON_AddStringToObject(ipam, "type", "static");
	addrs = cJSON_AddArrayToObject(ipam, "addresses");
	routes = cJSON_AddArrayToObject(ipam, "routes");
	for (uint32_t i = 0; i < a->n_ips; i++) {
		int fam = family_of(a->ips[i]);
		cJSON *o = cJSON_CreateObject();

		if (!fam || !strchr(a->ips[i], '/')) {
			errf(err, errlen, "planned address %s is not a CIDR", a->ips[i]);
			cJSON_Delete(o);
			cJSON_Delete(ipam);
			return NULL;
		}
		cJSON_AddStringToObject(o, "address", a->ips[i]);
		for (uint32_t g = 0; g < a->n_gateways; g++)
			if (family_of(a->gateways[g]) == fam) {
				cJSON_AddStringToObject(o, "gateway", a->gateways[g]);
				/* the default route of this family, when this attachment holds it */
				if ((fam == 4 && (a->flags & PODNET_ATTACH_DEFAULT_GW4)) ||
				    (fam == 6 && (a->flags & PODNET_ATTACH_DEFAULT_GW6))) {
					cJSON *r = cJSON_CreateObject();
					cJSON_AddStringToObject(r, "dst", fam == 4 ? "0.0.0.0/0" : "::/0");
					cJSON_AddStringToObject(r, "gw", a->gateways[g]);
					cJSON_AddItemToArray(routes, r);
				}
				break;
			}
		cJSON_AddItemToArray(addrs, o);
	}
	for (uint32_t i = 0; i < a->n_routes; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "dst", a->routes[i].dst);
		if (a->routes[i].gw)
			cJSON_AddStringToObject(r, "gw", a->routes[i].gw);
		cJSON_AddItemToArray(routes, r);
	}
	return ipam;
}

int pn_cni_chain_build(const struct podnet_attachment *a, const char *primary_conflist,
		       struct pn_cni_chain *chain, char *err, size_t errlen)
{
	cJSON *params = NULL, *root = NULL, *c, *first, *plugin;
	char *text = NULL;
	const char *file = NULL;
	int r;

	memset(chain, 0, sizeof(*chain));
	if (a->params_json && strlen(a->params_json) > PN_CNI_MAX_CONF) {
		errf(err, errlen, "params larger than %u bytes", PN_CNI_MAX_CONF);
		return -E2BIG;
	}
	params = cJSON_Parse(a->params_json && a->params_json[0] ? a->params_json : "{}");
	if (!cJSON_IsObject(params)) {
		errf(err, errlen, "params are not a JSON object");
		r = -EINVAL;
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(params, "plugins") || cJSON_GetObjectItemCaseSensitive(params, "type")) {
		root = params; /* a CNIConfig or a NAD config object */
		params = NULL;
	} else if (cJSON_IsString(c = cJSON_GetObjectItemCaseSensitive(params, "config"))) {
		root = cJSON_Parse(c->valuestring); /* a NAD's spec.config, as text */
		if (!root) {
			errf(err, errlen, "params.config is not valid JSON");
			r = -EINVAL;
			goto out;
		}
	} else {
		c = cJSON_GetObjectItemCaseSensitive(params, "confListFile");
		file = cJSON_IsString(c) ? c->valuestring : primary_conflist;
		if (!file || !file[0]) {
			errf(err, errlen, "no CNI chain: params have no plugins and no primary CNI config was configured");
			r = -EINVAL;
			goto out;
		}
		r = pn_cni_read_file(file, PN_CNI_MAX_CONF, &text);
		if (r < 0) {
			errf(err, errlen, "cannot read CNI config %s: %s", file, strerror(-r));
			goto out;
		}
		root = cJSON_Parse(text);
		if (!root) {
			errf(err, errlen, "CNI config %s is not valid JSON", file);
			r = -EINVAL;
			goto out;
		}
	}
	r = normalise(root, a->network, chain, err, errlen);
	if (r < 0)
		goto out;
	root = NULL; /* owned by chain */
	if (a->n_ips > 0) {
		cJSON *ipam = static_ipam(a, err, errlen);
		if (!ipam) {
			r = -EINVAL;
			goto out;
		}
		first = cJSON_GetArrayItem(chain->plugins, 0);
		if (cJSON_GetObjectItemCaseSensitive(first, "ipam"))
			cJSON_ReplaceItemInObjectCaseSensitive(first, "ipam", ipam);
		else
			cJSON_AddItemToObject(first, "ipam", ipam);
	}
	if (a->mac && a->mac[0]) {
		/* plugins that declare the "mac" capability get it as runtimeConfig */
		cJSON_ArrayForEach(plugin, chain->plugins)
		{
			cJSON *caps = cJSON_GetObjectItemCaseSensitive(plugin, "capabilities");
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(caps, "mac"))) {
				cJSON *rc = cJSON_CreateObject();
				cJSON_AddStringToObject(rc, "mac", a->mac);
				cJSON_DeleteItemFromObjectCaseSensitive(plugin, "runtimeConfig");
				cJSON_AddItemToObject(plugin, "runtimeConfig", rc);
			}
		}
	}
	r = 0;
out:
	if (r < 0)
		pn_cni_chain_clear(chain);
	cJSON_Delete(root);
	cJSON_Delete(params);
	free(text);
	return r;
}

char *pn_cni_plugin_conf(const struct pn_cni_chain *chain, int i, const cJSON *prev_result)
{
	cJSON *conf = cJSON_Duplicate(cJSON_GetArrayItem(chain->plugins, i), 1);
	char *text;

	if (!conf)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(conf, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(conf, "cniVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(conf, "prevResult");
	cJSON_AddStringToObject(conf, "cniVersion", chain->version);
	cJSON_AddStringToObject(conf, "name", chain->name);
	if (prev_result)
		cJSON_AddItemToObject(conf, "prevResult", cJSON_Duplicate(prev_result, 1));
	text = cJSON_PrintUnformatted(conf);
	cJSON_Delete(conf);
	return text;
}

static void copy_str(char *dst, size_t len, const cJSON *v)
{
	if (cJSON_IsString(v))
		snprintf(dst, len, "%s", v->valuestring);
}

int pn_cni_result_to_podnet(const cJSON *result, struct podnet_result *res)
{
	const cJSON *it, *dns;
	uint32_t n;

	if (!cJSON_IsObject(result))
		return -EBADMSG;
	n = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(result, "interfaces"))
	{
		if (n >= PODNET_MAX_INTERFACES)
			return -E2BIG;
		copy_str(res->interfaces[n].name, PODNET_IFNAME_LEN, cJSON_GetObjectItemCaseSensitive(it, "name"));
		copy_str(res->interfaces[n].mac, PODNET_MAC_LEN, cJSON_GetObjectItemCaseSensitive(it, "mac"));
		copy_str(res->interfaces[n].sandbox, PODNET_PATH_LEN, cJSON_GetObjectItemCaseSensitive(it, "sandbox"));
		n++;
	}
	res->n_interfaces = n;
	n = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(result, "ips"))
	{
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(it, "interface");
		if (n >= PODNET_MAX_IPS)
			return -E2BIG;
		copy_str(res->ips[n].address, PODNET_ADDR_LEN, cJSON_GetObjectItemCaseSensitive(it, "address"));
		copy_str(res->ips[n].gateway, PODNET_ADDR_LEN, cJSON_GetObjectItemCaseSensitive(it, "gateway"));
		res->ips[n].interface = cJSON_IsNumber(idx) && idx->valuedouble >= 0 &&
						idx->valuedouble < (double)res->n_interfaces
					    ? (int32_t)idx->valuedouble
					    : -1;
		n++;
	}
	res->n_ips = n;
	n = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(result, "routes"))
	{
		if (n >= PODNET_MAX_ROUTES)
			return -E2BIG;
		copy_str(res->routes[n].dst, PODNET_ADDR_LEN, cJSON_GetObjectItemCaseSensitive(it, "dst"));
		copy_str(res->routes[n].gw, PODNET_ADDR_LEN, cJSON_GetObjectItemCaseSensitive(it, "gw"));
		n++;
	}
	res->n_routes = n;
	dns = cJSON_GetObjectItemCaseSensitive(result, "dns");
	if (cJSON_IsObject(dns)) {
		n = 0;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(dns, "nameservers"))
			if (n < PODNET_MAX_DNS)
				copy_str(res->dns.nameservers[n++], PODNET_ADDR_LEN, it);
		res->dns.n_nameservers = n;
		n = 0;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(dns, "search"))
			if (n < PODNET_MAX_DNS)
				copy_str(res->dns.search[n++], PODNET_DOMAIN_LEN, it);
		res->dns.n_search = n;
		n = 0;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(dns, "options"))
			if (n < PODNET_MAX_DNS)
				copy_str(res->dns.options[n++], PODNET_ADDR_LEN, it);
		res->dns.n_options = n;
		copy_str(res->dns.domain, PODNET_DOMAIN_LEN, cJSON_GetObjectItemCaseSensitive(dns, "domain"));
	}
	return 0;
}

void pn_cni_error_to_podnet(const char *out, const char *plugin, const char *command, int exit_code,
			    struct podnet_result *res)
{
	cJSON *e = out ? cJSON_Parse(out) : NULL;
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "msg");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "details");

	if (cJSON_IsNumber(code) && code->valuedouble > 0 && code->valuedouble < 1000)
		res->cni_code = (uint32_t)code->valuedouble;
	if (cJSON_IsString(m))
		snprintf(res->message, sizeof(res->message), "CNI %s %s: %s%s%s", plugin, command, m->valuestring,
			 cJSON_IsString(d) && d->valuestring[0] ? ": " : "", cJSON_IsString(d) ? d->valuestring : "");
	else
		snprintf(res->message, sizeof(res->message), "CNI %s %s failed (exit status %d)", plugin, command,
			 exit_code);
	cJSON_Delete(e);
}
