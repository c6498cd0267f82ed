/* model.c — shared pieces of the object model: field readers with problem
 * paths, metadata, parametersRefs, name checks, and dispatch by kind. */
#include "model_priv.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- problems and paths -------------------------------------------------- */

/* a is b, or one of them lies inside the other (spec / spec.provider). */
static bool path_related(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *longer = la > lb ? a : b;
	size_t n = la < lb ? la : lb;

	if (strncmp(a, b, n) != 0)
		return false;
	if (la == lb)
		return true;
	if (n == 0)
		return false; /* "" is the object as a whole: unrelated to fields */
	return longer[n] == '.' || longer[n] == '[';
}

void pn_dec_problem(struct pn_dec *d, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->n++;
	if (!d->ps)
		return;
	/* One problem per path: the first (usually the decoder's, which says
	 * what was wrong with the value) is the one the user needs. */
	for (size_t i = 0; i < d->ps->n; i++)
		if (path_related(d->ps->v[i].path, path ? path : ""))
			return;
	r = pn_problems_add(d->ps, path, "%s", msg);
	if (r < 0 && !d->err)
		d->err = r;
}

int pn_dec_result(const struct pn_dec *d)
{
	return d->err ? d->err : d->n;
}

void pn_pkey(char *buf, const char *prefix, const char *key)
{
	if (pn_path_key(buf, PN_PATH_MAX, prefix, key) < 0)
		snprintf(buf, PN_PATH_MAX, "%s", prefix ? prefix : "");
}

void pn_pidx(char *buf, const char *prefix, size_t index)
{
	if (pn_path_index(buf, PN_PATH_MAX, prefix, index) < 0)
		snprintf(buf, PN_PATH_MAX, "%s", prefix ? prefix : "");
}

const char *pn_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* ---- field readers -------------------------------------------------------- */

char *pn_string_value(struct pn_dec *d, const json_t *v, const char *path, size_t cap)
{
	const char *s;
	size_t len;
	char *copy;

	if (!json_is_string(v)) {
		pn_dec_problem(d, path, "must be a string, not %s", pn_json_type_name(v));
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (strlen(s) != len) {
		pn_dec_problem(d, path, "must not contain NUL bytes");
		return NULL;
	}
	if (len > cap) {
		pn_dec_problem(d, path, "must be at most %zu bytes long (is %zu)", cap, len);
		return NULL;
	}
	copy = strdup(s);
	if (!copy && !d->err)
		d->err = -ENOMEM;
	return copy;
}

int pn_get_string(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		  bool required, size_t cap, char **out)
{
	char path[PN_PATH_MAX];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	char *s;

	pn_pkey(path, prefix, key);
	if (!v || json_is_null(v)) {
		if (required)
			pn_dec_problem(d, path, "is required");
		return 0;
	}
	s = pn_string_value(d, v, path, cap);
	if (!s)
		return 0;
	free(*out);
	*out = s;
	return 1;
}

int pn_get_bool(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		bool *out)
{
	char path[PN_PATH_MAX];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		pn_pkey(path, prefix, key);
		pn_dec_problem(d, path, "must be a boolean, not %s", pn_json_type_name(v));
		return 0;
	}
	*out = json_is_true(v);
	return 1;
}

int pn_get_int64(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		 int64_t *out)
{
	char path[PN_PATH_MAX];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v)) {
		pn_pkey(path, prefix, key);
		pn_dec_problem(d, path, "must be an integer, not %s", pn_json_type_name(v));
		return 0;
	}
	*out = (int64_t)json_integer_value(v);
	return 1;
}

const json_t *pn_get_object(struct pn_dec *d, const json_t *obj, const char *prefix,
			    const char *key, bool required)
{
	char path[PN_PATH_MAX];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	pn_pkey(path, prefix, key);
	if (!v || json_is_null(v)) {
		if (required)
			pn_dec_problem(d, path, "is required");
		return NULL;
	}
	if (!json_is_object(v)) {
		pn_dec_problem(d, path, "must be an object, not %s", pn_json_type_name(v));
		return NULL;
	}
	return v;
}

const json_t *pn_get_array(struct pn_dec *d, const json_t *obj, const char *prefix,
			   const char *key, bool required, size_t cap)
{
	char path[PN_PATH_MAX];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	pn_pkey(path, prefix, key);
	if (!v || json_is_null(v)) {
		if (required)
			pn_dec_problem(d, path, "is required");
		return NULL;
	}
	if (!json_is_array(v)) {
		pn_dec_problem(d, path, "must be a list, not %s", pn_json_type_name(v));
		return NULL;
	}
	if (json_array_size(v) > cap) {
		pn_dec_problem(d, path, "must have at most %zu entries (has %zu)", cap,
			       json_array_size(v));
		return NULL;
	}
	return v;
}

int pn_get_strings(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		   size_t cap, char ***out, size_t *n)
{
	char path[PN_PATH_MAX], ipath[PN_PATH_MAX];
	const json_t *a = pn_get_array(d, obj, prefix, key, false, cap);
	size_t i;
	json_t *v;

	if (!a)
		return 0;
	pn_pkey(path, prefix, key);
	json_array_foreach(a, i, v) {
		char *s;

		pn_pidx(ipath, path, i);
		s = pn_string_value(d, v, ipath, PN_MAX_STRING);
		if (!s)
			continue;
		if (pn_strv_push(out, n, s) < 0 && !d->err)
			d->err = -ENOMEM;
		free(s);
	}
	return 1;
}

int pn_get_json(struct pn_dec *d, const json_t *obj, const char *prefix, const char *key,
		json_type type, json_t **out)
{
	char path[PN_PATH_MAX];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!v || json_is_null(v))
		return 0;
	if (json_typeof(v) != type) {
		pn_pkey(path, prefix, key);
		pn_dec_problem(d, path, "must be %s, not %s",
			       type == JSON_OBJECT ? "an object" : "a list", pn_json_type_name(v));
		return 0;
	}
	json_decref(*out);
	*out = json_incref(v);
	return 1;
}

/* ---- string vectors and json helpers -------------------------------------- */

void pn_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int pn_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;
	char *c = strdup(s);

	if (!c)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(c);
		return -ENOMEM;
	}
	nv[(*n)++] = c;
	*v = nv;
	return 0;
}

json_t *pn_strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int pn_json_set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v) {
		json_object_del(obj, key);
		return 0;
	}
	return json_object_set_new(obj, key, v) < 0 ? -ENOMEM : 0;
}

int pn_json_set_str(json_t *obj, const char *key, const char *s)
{
	json_t *v;

	if (!s) {
		json_object_del(obj, key);
		return 0;
	}
	v = json_string(s);
	if (!v)
		return -ENOMEM;
	return pn_json_set_new(obj, key, v);
}

json_t *pn_json_child(json_t *obj, const char *key)
{
	json_t *c = json_object_get(obj, key);

	if (json_is_object(c))
		return c;
	c = json_object();
	if (!c || json_object_set_new(obj, key, c) < 0)
		return NULL;
	return c;
}

json_t *pn_json_base(const json_t *raw)
{
	if (json_is_object(raw))
		return json_deep_copy(raw);
	return json_object();
}

bool pn_streq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* ---- addresses ------------------------------------------------------------- */

int pn_addr_parse(const char *s, unsigned char out[16])
{
	memset(out, 0, 16);
	if (!s || !*s || strlen(s) > PN_MAX_ADDRESS)
		return 0;
	if (strchr(s, ':'))
		return inet_pton(AF_INET6, s, out) == 1 ? 6 : 0;
	return inet_pton(AF_INET, s, out) == 1 ? 4 : 0;
}

int pn_addr_cidr_parse(const char *s, unsigned char addr[16], int *plen)
{
	char buf[64];
	const char *slash;
	char *end;
	long l;
	int fam;

	if (!s || strlen(s) > PN_MAX_CIDR || !(slash = strchr(s, '/')) ||
	    (size_t)(slash - s) >= sizeof(buf))
		return 0;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	fam = pn_addr_parse(buf, addr);
	if (!fam)
		return 0;
	if (!isdigit((unsigned char)slash[1]) || strlen(slash + 1) > 3)
		return 0;
	if (slash[1] == '0' && slash[2]) /* no leading zeros: /024 */
		return 0;
	errno = 0;
	l = strtol(slash + 1, &end, 10);
	if (*end || l < 0 || l > (fam == 4 ? 32 : 128))
		return 0;
	*plen = (int)l;
	return fam;
}

bool pn_addr_in_prefix(const unsigned char *ip, const unsigned char *net, int plen)
{
	int full = plen / 8, rest = plen % 8;

	if (memcmp(ip, net, (size_t)full) != 0)
		return false;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));
		if ((ip[full] & mask) != (net[full] & mask))
			return false;
	}
	return true;
}

int pn_addr_cmp(const unsigned char *a, const unsigned char *b, int family)
{
	return memcmp(a, b, family == 4 ? 4 : 16);
}

int pn_ip_family(const char *s)
{
	unsigned char b[16];

	return pn_addr_parse(s, b);
}

int pn_cidr_family(const char *s)
{
	unsigned char b[16];
	int plen;

	return pn_addr_cidr_parse(s, b, &plen);
}

/* ---- name checks ----------------------------------------------------------- */

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool pn_is_dns1123_label(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PN_MAX_LABEL || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool pn_is_dns1123_subdomain(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PN_MAX_NAME || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!lower_alnum(s[i]) && s[i] != '-' && s[i] != '.')
			return false;
		/* each dot-separated part is a label: alnum at both ends */
		if (s[i] == '.' && (!lower_alnum(s[i - 1]) || !lower_alnum(s[i + 1])))
			return false;
	}
	return true;
}

bool pn_is_provider_name(const char *s)
{
	const char *slash;
	char dom[PN_MAX_NAME + 1];
	size_t dn;

	if (!s || !*s || strlen(s) > PN_MAX_PROVIDER)
		return false;
	slash = strchr(s, '/');
	if (!slash)
		return false;
	dn = (size_t)(slash - s);
	if (dn == 0 || dn > PN_MAX_NAME)
		return false;
	memcpy(dom, s, dn);
	dom[dn] = 0;
	/* the domain has at least one dot: acme.io, not acme */
	if (!pn_is_dns1123_subdomain(dom) || !strchr(dom, '.'))
		return false;
	/* the path: one or more segments of [A-Za-z0-9._-], no empty segment */
	for (const char *seg = slash + 1;;) {
		const char *e = strchr(seg, '/');
		size_t sn = e ? (size_t)(e - seg) : strlen(seg);

		if (sn == 0)
			return false;
		if ((sn == 1 && seg[0] == '.') || (sn == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		for (size_t i = 0; i < sn; i++) {
			char c = seg[i];
			if (!isalnum((unsigned char)c) && c != '-' && c != '_' && c != '.')
				return false;
		}
		if (!e)
			break;
		seg = e + 1;
	}
	return true;
}

bool pn_is_ifname(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > PN_MAX_IFNAME)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' || c == ':' || isspace(c) || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool pn_is_unicast_mac(const char *s)
{
	unsigned char b[6];
	bool zero = true;

	if (!s || strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		int h = hexval(s[i * 3]), l = hexval(s[i * 3 + 1]);

		if (h < 0 || l < 0)
			return false;
		/* separators all ':' or all '-' */
		if (i < 5 && (s[i * 3 + 2] != s[2] || (s[2] != ':' && s[2] != '-')))
			return false;
		b[i] = (unsigned char)(h << 4 | l);
		if (b[i])
			zero = false;
	}
	return !zero && !(b[0] & 1);
}

/* ---- kinds ----------------------------------------------------------------- */

const char *pn_kind_name(enum pn_kind kind)
{
	switch (kind) {
	case PN_KIND_PODNETWORK: return "PodNetwork";
	case PN_KIND_PODNETWORKATTACHMENT: return "PodNetworkAttachment";
	case PN_KIND_CNICONFIG: return "CNIConfig";
	case PN_KIND_IPPOOL: return "IPPool";
	case PN_KIND_POD: return "Pod";
	case PN_KIND_UNKNOWN: break;
	}
	return "";
}

enum pn_kind pn_kind_of(const json_t *obj)
{
	const char *api = json_string_value(json_object_get(obj, "apiVersion"));
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	bool ours, k8s;

	if (!api || !kind)
		return PN_KIND_UNKNOWN;
	ours = strcmp(api, PN_API_VERSION) == 0;
	k8s = strcmp(api, PN_K8S_API_VERSION) == 0;
	if (strcmp(kind, "PodNetwork") == 0 && (ours || k8s))
		return PN_KIND_PODNETWORK;
	if (strcmp(kind, "PodNetworkAttachment") == 0 && (ours || k8s))
		return PN_KIND_PODNETWORKATTACHMENT;
	if (strcmp(kind, "CNIConfig") == 0 && ours)
		return PN_KIND_CNICONFIG;
	if (strcmp(kind, "IPPool") == 0 && ours)
		return PN_KIND_IPPOOL;
	if (strcmp(kind, "Pod") == 0 && strcmp(api, "v1") == 0)
		return PN_KIND_POD;
	return PN_KIND_UNKNOWN;
}

/* ---- metadata -------------------------------------------------------------- */

void pn_meta_decode(struct pn_dec *d, const json_t *j, const char *const *apis,
		    const char *kind, struct pn_meta *m)
{
	const json_t *md;
	bool api_ok = false;

	if (pn_get_string(d, j, "", "apiVersion", true, PN_MAX_STRING, &m->api_version)) {
		for (const char *const *a = apis; *a; a++)
			if (strcmp(m->api_version, *a) == 0)
				api_ok = true;
		if (!api_ok) {
			if (apis[1])
				pn_dec_problem(d, "apiVersion", "must be %s or %s for kind %s, not \"%s\"",
					       apis[0], apis[1], kind, m->api_version);
			else
				pn_dec_problem(d, "apiVersion", "must be %s for kind %s, not \"%s\"",
					       apis[0], kind, m->api_version);
		}
	}
	if (pn_get_string(d, j, "", "kind", true, PN_MAX_STRING, &m->kind) &&
	    strcmp(m->kind, kind) != 0)
		pn_dec_problem(d, "kind", "must be %s, not \"%s\"", kind, m->kind);

	md = pn_get_object(d, j, "", "metadata", true);
	if (!md)
		return;
	pn_get_string(d, md, "metadata", "name", false, PN_MAX_STRING, &m->name);
	pn_get_string(d, md, "metadata", "namespace", false, PN_MAX_STRING, &m->namespace);
	pn_get_string(d, md, "metadata", "uid", false, PN_MAX_STRING, &m->uid);
	pn_get_string(d, md, "metadata", "resourceVersion", false, PN_MAX_STRING,
		      &m->resource_version);
	pn_get_int64(d, md, "metadata", "generation", &m->generation);
	pn_get_string(d, md, "metadata", "deletionTimestamp", false, PN_MAX_STRING,
		      &m->deletion_timestamp);
	pn_get_strings(d, md, "metadata", "finalizers", PN_MAX_FINALIZERS, &m->finalizers,
		       &m->n_finalizers);
	pn_get_json(d, md, "metadata", "labels", JSON_OBJECT, &m->labels);
	pn_get_json(d, md, "metadata", "annotations", JSON_OBJECT, &m->annotations);
}

int pn_meta_encode(const struct pn_meta *m, json_t *obj)
{
	json_t *md;
	int r = 0;

	r |= pn_json_set_str(obj, "apiVersion", m->api_version);
	r |= pn_json_set_str(obj, "kind", m->kind);
	md = pn_json_child(obj, "metadata");
	if (!md)
		return -ENOMEM;
	r |= pn_json_set_str(md, "name", m->name);
	r |= pn_json_set_str(md, "namespace", m->namespace);
	r |= pn_json_set_str(md, "uid", m->uid);
	r |= pn_json_set_str(md, "resourceVersion", m->resource_version);
	if (m->generation)
		r |= pn_json_set_new(md, "generation", json_integer(m->generation));
	else
		json_object_del(md, "generation");
	r |= pn_json_set_str(md, "deletionTimestamp", m->deletion_timestamp);
	r |= pn_json_set_new(md, "finalizers",
			     m->n_finalizers ? pn_strv_json(m->finalizers, m->n_finalizers) : NULL);
	r |= pn_json_set_new(md, "labels", m->labels ? json_deep_copy(m->labels) : NULL);
	r |= pn_json_set_new(md, "annotations",
			     m->annotations ? json_deep_copy(m->annotations) : NULL);
	return r ? -ENOMEM : 0;
}

void pn_meta_clear(struct pn_meta *m)
{
	free(m->api_version);
	free(m->kind);
	free(m->name);
	free(m->namespace);
	free(m->uid);
	free(m->resource_version);
	free(m->deletion_timestamp);
	pn_strv_free(m->finalizers, m->n_finalizers);
	json_decref(m->labels);
	json_decref(m->annotations);
	memset(m, 0, sizeof(*m));
}

/* ---- parametersRefs -------------------------------------------------------- */

void pn_refs_decode(struct pn_dec *d, const json_t *spec, const char *prefix,
		    struct pn_param_ref **refs, size_t *n)
{
	char path[PN_PATH_MAX], ipath[PN_PATH_MAX];
	const json_t *a = pn_get_array(d, spec, prefix, "parametersRefs", false, PN_MAX_REFS);
	size_t i;
	json_t *v;

	if (!a)
		return;
	pn_pkey(path, prefix, "parametersRefs");
	*refs = calloc(json_array_size(a) + 1, sizeof(**refs));
	if (!*refs) {
		d->err = -ENOMEM;
		return;
	}
	json_array_foreach(a, i, v) {
		struct pn_param_ref *r = &(*refs)[*n];

		pn_pidx(ipath, path, i);
		if (!json_is_object(v)) {
			pn_dec_problem(d, ipath, "must be an object, not %s", pn_json_type_name(v));
			continue;
		}
		pn_get_string(d, v, ipath, "group", true, PN_MAX_STRING, &r->group);
		pn_get_string(d, v, ipath, "kind", true, PN_MAX_STRING, &r->kind);
		pn_get_string(d, v, ipath, "name", true, PN_MAX_STRING, &r->name);
		pn_get_string(d, v, ipath, "namespace", false, PN_MAX_STRING, &r->namespace);
		(*n)++;
	}
}

json_t *pn_refs_encode(const struct pn_param_ref *refs, size_t n, const json_t *orig)
{
	json_t *a = json_array();
	/* Write over the original entries (keeping their unknown fields) when
	 * the list still has the same length. */
	bool keep = json_is_array(orig) && json_array_size(orig) == n;

	for (size_t i = 0; a && i < n; i++) {
		json_t *e = keep ? json_array_get(orig, i) : NULL;
		json_t *o = json_is_object(e) ? json_deep_copy(e) : json_object();
		int r = 0;

		if (!o)
			goto fail;
		r |= pn_json_set_str(o, "group", refs[i].group);
		r |= pn_json_set_str(o, "kind", refs[i].kind);
		r |= pn_json_set_str(o, "name", refs[i].name);
		r |= pn_json_set_str(o, "namespace", refs[i].namespace);
		if (json_array_append_new(a, o) < 0 || r)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

void pn_refs_free(struct pn_param_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(refs[i].group);
		free(refs[i].kind);
		free(refs[i].name);
		free(refs[i].namespace);
	}
	free(refs);
}

bool pn_refs_equal(const struct pn_param_ref *a, size_t na, const struct pn_param_ref *b,
		   size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!pn_streq(a[i].group, b[i].group) || !pn_streq(a[i].kind, b[i].kind) ||
		    !pn_streq(a[i].name, b[i].name) || !pn_streq(a[i].namespace, b[i].namespace))
			return false;
	return true;
}

/* ---- dispatch by kind ------------------------------------------------------ */

int pn_object_decode(const json_t *j, const struct pn_pod_decode_opts *opts,
		     struct pn_object *out, struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	enum pn_kind k;
	const char *api, *kind;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		pn_dec_problem(&d, "", "must be an object, not %s", pn_json_type_name(j));
		return pn_dec_result(&d);
	}
	k = pn_kind_of(j);
	switch (k) {
	case PN_KIND_PODNETWORK:
		out->kind = k;
		return pn_podnetwork_decode(j, &out->u.podnetwork, ps);
	case PN_KIND_PODNETWORKATTACHMENT:
		out->kind = k;
		return pn_attachment_decode(j, &out->u.attachment, ps);
	case PN_KIND_CNICONFIG:
		out->kind = k;
		return pn_cniconfig_decode(j, &out->u.cniconfig, ps);
	case PN_KIND_IPPOOL:
		out->kind = k;
		return pn_ippool_decode(j, &out->u.ippool, ps);
	case PN_KIND_POD:
		out->kind = k;
		return pn_pod_decode(j, opts, &out->u.pod, ps);
	case PN_KIND_UNKNOWN:
		break;
	}
	/* Say which of the two is wrong. */
	api = json_string_value(json_object_get(j, "apiVersion"));
	kind = json_string_value(json_object_get(j, "kind"));
	if (!json_object_get(j, "apiVersion"))
		pn_dec_problem(&d, "apiVersion", "is required");
	else if (!api)
		pn_dec_problem(&d, "apiVersion", "must be a string, not %s",
			       pn_json_type_name(json_object_get(j, "apiVersion")));
	if (!json_object_get(j, "kind"))
		pn_dec_problem(&d, "kind", "is required");
	else if (!kind)
		pn_dec_problem(&d, "kind", "must be a string, not %s",
			       pn_json_type_name(json_object_get(j, "kind")));
	if (api && kind) {
		bool known = !strcmp(kind, "PodNetwork") || !strcmp(kind, "PodNetworkAttachment") ||
			     !strcmp(kind, "CNIConfig") || !strcmp(kind, "IPPool") ||
			     !strcmp(kind, "Pod");
		if (!known)
			pn_dec_problem(&d, "kind",
				       "unknown kind \"%s\" (podnet reads PodNetwork, "
				       "PodNetworkAttachment, CNIConfig, IPPool and Pod)", kind);
		else if (!strcmp(kind, "Pod"))
			pn_dec_problem(&d, "apiVersion", "must be v1 for kind Pod, not \"%s\"", api);
		else if (!strcmp(kind, "CNIConfig") || !strcmp(kind, "IPPool"))
			pn_dec_problem(&d, "apiVersion", "must be %s for kind %s, not \"%s\"",
				       PN_API_VERSION, kind, api);
		else
			pn_dec_problem(&d, "apiVersion", "must be %s or %s for kind %s, not \"%s\"",
				       PN_API_VERSION, PN_K8S_API_VERSION, kind, api);
	}
	return pn_dec_result(&d);
}

int pn_object_validate(const struct pn_object *o, struct pn_problems *ps)
{
	switch (o->kind) {
	case PN_KIND_PODNETWORK: return pn_podnetwork_validate(o->u.podnetwork, ps);
	case PN_KIND_PODNETWORKATTACHMENT: return pn_attachment_validate(o->u.attachment, ps);
	case PN_KIND_CNICONFIG: return pn_cniconfig_validate(o->u.cniconfig, ps);
	case PN_KIND_IPPOOL: return pn_ippool_validate(o->u.ippool, ps);
	case PN_KIND_POD: return pn_pod_validate(o->u.pod, ps);
	case PN_KIND_UNKNOWN: break;
	}
	return 0;
}

void pn_object_default(struct pn_object *o)
{
	switch (o->kind) {
	case PN_KIND_PODNETWORK: pn_podnetwork_default(o->u.podnetwork); break;
	case PN_KIND_PODNETWORKATTACHMENT: pn_attachment_default(o->u.attachment); break;
	case PN_KIND_CNICONFIG: pn_cniconfig_default(o->u.cniconfig); break;
	case PN_KIND_IPPOOL: pn_ippool_default(o->u.ippool); break;
	case PN_KIND_POD:
	case PN_KIND_UNKNOWN: break;
	}
}

json_t *pn_object_encode(const struct pn_object *o)
{
	switch (o->kind) {
	case PN_KIND_PODNETWORK: return pn_podnetwork_encode(o->u.podnetwork);
	case PN_KIND_PODNETWORKATTACHMENT: return pn_attachment_encode(o->u.attachment);
	case PN_KIND_CNICONFIG: return pn_cniconfig_encode(o->u.cniconfig);
	case PN_KIND_IPPOOL: return pn_ippool_encode(o->u.ippool);
	case PN_KIND_POD:
	case PN_KIND_UNKNOWN: break;
	}
	return NULL;
}

const struct pn_meta *pn_object_meta(const struct pn_object *o)
{
	if (!o->u.any)
		return NULL;
	switch (o->kind) {
	case PN_KIND_PODNETWORK: return &o->u.podnetwork->meta;
	case PN_KIND_PODNETWORKATTACHMENT: return &o->u.attachment->meta;
	case PN_KIND_CNICONFIG: return &o->u.cniconfig->meta;
	case PN_KIND_IPPOOL: return &o->u.ippool->meta;
	case PN_KIND_POD: return &o->u.pod->meta;
	case PN_KIND_UNKNOWN: break;
	}
	return NULL;
}

void pn_object_release(struct pn_object *o)
{
	if (!o)
		return;
	switch (o->kind) {
	case PN_KIND_PODNETWORK: pn_podnetwork_free(o->u.podnetwork); break;
	case PN_KIND_PODNETWORKATTACHMENT: pn_attachment_free(o->u.attachment); break;
	case PN_KIND_CNICONFIG: pn_cniconfig_free(o->u.cniconfig); break;
	case PN_KIND_IPPOOL: pn_ippool_free(o->u.ippool); break;
	case PN_KIND_POD: pn_pod_free(o->u.pod); break;
	case PN_KIND_UNKNOWN: break;
	}
	memset(o, 0, sizeof(*o));
}
