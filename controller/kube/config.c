/* config.c: kubeconfig (libyaml) and in-cluster configuration. */
#include "kube/config.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>
#include <jansson.h>

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* ---- YAML to a jansson tree (scalars stay strings) ------------------------ */

static json_t *yaml_node_to_json(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	json_t *j = NULL;
	if (!n || depth > 64)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return json_stringn((const char *)n->data.scalar.value, n->data.scalar.length);
	case YAML_SEQUENCE_NODE:
		j = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     j && it < n->data.sequence.items.top; it++) {
			json_t *c = yaml_node_to_json(doc, yaml_document_get_node(doc, *it), depth + 1);
			if (!c || json_array_append_new(j, c) < 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case YAML_MAPPING_NODE:
		j = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     j && p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE) {
				json_decref(j);
				return NULL;
			}
			json_t *c = yaml_node_to_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
			if (!c) {
				json_decref(j);
				return NULL;
			}
			char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
			if (!key || json_object_set_new(j, key, c) < 0) {
				free(key);
				json_decref(j);
				return NULL;
			}
			free(key);
		}
		return j;
	default:
		return NULL;
	}
}

static int yaml_load_file(const char *path, json_t **out, char *err, size_t errlen)
{
	struct pn_buf b;
	yaml_parser_t parser;
	yaml_document_t doc;
	int r;

	*out = NULL;
	pn_buf_init(&b, PN_KUBE_CONFIG_MAX_FILE);
	r = pn_buf_read_file(&b, path);
	if (r < 0) {
		pn_buf_free(&b);
		return fail(err, errlen, r, "%s: %s", path, strerror(-r));
	}
	if (!yaml_parser_initialize(&parser)) {
		pn_buf_free(&b);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)b.data, b.len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = fail(err, errlen, -EINVAL, "%s:%zu: %s", path,
			 parser.problem_mark.line + 1, parser.problem ? parser.problem : "invalid YAML");
		goto out_parser;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		*out = json_object(); /* an empty file is an empty config */
		r = *out ? 0 : -ENOMEM;
	} else {
		*out = yaml_node_to_json(&doc, root, 0);
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			r = fail(err, errlen, -EINVAL, "%s: not a kubeconfig (top level is not a mapping)", path);
		} else {
			r = 0;
		}
	}
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	pn_buf_free(&b);
	return r;
}

/* ---- helpers --------------------------------------------------------------- */

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+' || c == '-') return 62;
	if (c == '/' || c == '_') return 63;
	return -1;
}

/* Standard base64, whitespace ignored, padding optional. */
static int b64_decode(const char *in, char **out, size_t *outlen)
{
	size_t n = strlen(in);
	char *o = malloc(n / 4 * 3 + 4);
	size_t k = 0;
	unsigned acc = 0;
	int bits = 0;
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)in[i];
		if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		int v = b64val(c);
		if (v < 0) {
			free(o);
			return -EINVAL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	o[k] = '\0';
	*out = o;
	*outlen = k;
	return 0;
}

/* path relative to dir, unless absolute. */
static char *resolve_path(const char *dir, const char *p)
{
	char *s = NULL;
	if (p[0] == '/' || !dir || !*dir)
		return strdup(p);
	if (asprintf(&s, "%s/%s", dir, p) < 0)
		return NULL;
	return s;
}

static char *dir_of(const char *path)
{
	char *tmp = strdup(path), *d;
	if (!tmp)
		return NULL;
	d = strdup(dirname(tmp));
	free(tmp);
	return d;
}

/* Merged view: name -> {"v": entry, "dir": directory of the defining file}. */
static int merge_named(json_t *merged, json_t *list, const char *field, const char *dir)
{
	size_t i;
	json_t *e;
	if (!list || json_is_null(list) || (json_is_string(list) && !*json_string_value(list)))
		return 0;
	if (!json_is_array(list))
		return -EINVAL;
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		json_t *v = json_object_get(e, field);
		if (!name)
			return -EINVAL;
		if (json_object_get(merged, name))
			continue; /* first definition wins */
		json_t *rec = json_pack("{s:O?,s:s}", "v", v, "dir", dir ? dir : "");
		if (!rec || json_object_set_new(merged, name, rec) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int str_field(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	if (!**out)
		*out = NULL;
	return 0;
}

static int is_true(const char *s)
{
	return s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ||
		     !strcmp(s, "yes") || !strcmp(s, "on"));
}

/* ---- kubeconfig ------------------------------------------------------------ */

struct merged {
	json_t *clusters, *users, *contexts;
	char *current;
};

static int merge_file(struct merged *m, const char *path, int must_exist, char *err, size_t errlen)
{
	json_t *root = NULL;
	char *dir = NULL;
	int r;

	if (!must_exist && access(path, F_OK) != 0)
		return 0;
	r = yaml_load_file(path, &root, err, errlen);
	if (r < 0)
		return r;
	dir = dir_of(path);
	if (!dir) {
		r = -ENOMEM;
		goto out;
	}
	const char *cur = json_string_value(json_object_get(root, "current-context"));
	if (!m->current && cur && *cur) {
		m->current = strdup(cur);
		if (!m->current) {
			r = -ENOMEM;
			goto out;
		}
	}
	if ((r = merge_named(m->clusters, json_object_get(root, "clusters"), "cluster", dir)) < 0 ||
	    (r = merge_named(m->users, json_object_get(root, "users"), "user", dir)) < 0 ||
	    (r = merge_named(m->contexts, json_object_get(root, "contexts"), "context", dir)) < 0) {
		if (r == -EINVAL)
			fail(err, errlen, r, "%s: clusters/users/contexts must be lists of {name, ...}", path);
		goto out;
	}
	r = 0;
out:
	free(dir);
	json_decref(root);
	return r;
}

static int take_file_or_data(json_t *obj, const char *dir, const char *fkey, const char *dkey,
			     char **file, char **data, size_t *datalen, const char *where,
			     char *err, size_t errlen)
{
	const char *f, *d;
	if (str_field(obj, fkey, &f) < 0 || str_field(obj, dkey, &d) < 0)
		return fail(err, errlen, -EINVAL, "%s: %s/%s must be strings", where, fkey, dkey);
	if (d) {
		if (b64_decode(d, data, datalen) < 0)
			return fail(err, errlen, -EINVAL, "%s.%s: not valid base64", where, dkey);
	} else if (f) {
		*file = resolve_path(dir, f);
		if (!*file)
			return -ENOMEM;
	}
	return 0;
}

static int build_from_merged(struct merged *m, const char *context, struct pn_kube_config *cfg,
			     char *err, size_t errlen)
{
	const char *ctxname = context && *context ? context : m->current;
	json_t *ctxrec, *ctx, *crec, *c, *urec, *u;
	const char *cname, *uname, *ns, *s, *cdir, *udir;
	int r;

	if (!ctxname)
		return fail(err, errlen, -ENOENT, "no context: current-context is not set and none was given");
	ctxrec = json_object_get(m->contexts, ctxname);
	if (!ctxrec)
		return fail(err, errlen, -ENOENT, "context \"%s\" not found", ctxname);
	ctx = json_object_get(ctxrec, "v");
	if (str_field(ctx, "cluster", &cname) < 0 || str_field(ctx, "user", &uname) < 0 ||
	    str_field(ctx, "namespace", &ns) < 0)
		return fail(err, errlen, -EINVAL, "contexts[%s].context: cluster/user/namespace must be strings", ctxname);
	if (!cname)
		return fail(err, errlen, -EINVAL, "contexts[%s].context.cluster is not set", ctxname);
	crec = json_object_get(m->clusters, cname);
	if (!crec)
		return fail(err, errlen, -ENOENT, "cluster \"%s\" (of context \"%s\") not found", cname, ctxname);
	c = json_object_get(crec, "v");
	cdir = json_string_value(json_object_get(crec, "dir"));

	cfg->context = strdup(ctxname);
	cfg->ns = strdup(ns ? ns : "default");
	if (!cfg->context || !cfg->ns)
		return -ENOMEM;

	if (str_field(c, "server", &s) < 0 || !s)
		return fail(err, errlen, -EINVAL, "clusters[%s].cluster.server is not set", cname);
	cfg->server = strdup(s);
	if (!cfg->server)
		return -ENOMEM;
	size_t sl = strlen(cfg->server);
	while (sl > 0 && cfg->server[sl - 1] == '/')
		cfg->server[--sl] = '\0';
	if (str_field(c, "insecure-skip-tls-verify", &s) < 0) {
		json_t *b = json_object_get(c, "insecure-skip-tls-verify");
		cfg->insecure = json_is_true(b);
	} else {
		cfg->insecure = is_true(s);
	}
	char where[256];
	snprintf(where, sizeof(where), "clusters[%s].cluster", cname);
	r = take_file_or_data(c, cdir, "certificate-authority", "certificate-authority-data",
			      &cfg->ca_file, &cfg->ca_data, &cfg->ca_data_len, where, err, errlen);
	if (r < 0)
		return r;

	if (!uname)
		return 0; /* anonymous */
	urec = json_object_get(m->users, uname);
	if (!urec)
		return fail(err, errlen, -ENOENT, "user \"%s\" (of context \"%s\") not found", uname, ctxname);
	u = json_object_get(urec, "v");
	udir = json_string_value(json_object_get(urec, "dir"));
	if (json_object_get(u, "auth-provider") && !json_is_null(json_object_get(u, "auth-provider")))
		return fail(err, errlen, -ENOTSUP,
			    "users[%s].user.auth-provider: auth provider plugins are not supported", uname);
	if (json_object_get(u, "username") || json_object_get(u, "password"))
		return fail(err, errlen, -ENOTSUP,
			    "users[%s].user.username/password: basic authentication is not supported", uname);
	snprintf(where, sizeof(where), "users[%s].user", uname);
	r = take_file_or_data(u, udir, "client-certificate", "client-certificate-data",
			      &cfg->cert_file, &cfg->cert_data, &cfg->cert_data_len, where, err, errlen);
	if (r < 0)
		return r;
	r = take_file_or_data(u, udir, "client-key", "client-key-data",
			      &cfg->key_file, &cfg->key_data, &cfg->key_data_len, where, err, errlen);
	if (r < 0)
		return r;
	if ((cfg->cert_file || cfg->cert_data) != (cfg->key_file || cfg->key_data))
		return fail(err, errlen, -EINVAL, "%s: client-certificate and client-key must be given together", where);
	json_t *exec = json_object_get(u, "exec");
	if (exec && !json_is_null(exec)) {
		if (cfg->cert_file || cfg->cert_data || json_object_get(u, "token") ||
		    json_object_get(u, "tokenFile"))
			return fail(err, errlen, -EINVAL,
				    "%s: exec goes with neither token, tokenFile nor client-certificate/key", where);
		return pn_kube_exec_from_kubeconfig(exec, uname, udir, c, cdir, &cfg->exec, err, errlen);
	}
	if (str_field(u, "token", &s) < 0)
		return fail(err, errlen, -EINVAL, "%s.token must be a string", where);
	if (s) {
		cfg->token = strdup(s);
		if (!cfg->token)
			return -ENOMEM;
	} else {
		if (str_field(u, "tokenFile", &s) < 0)
			return fail(err, errlen, -EINVAL, "%s.tokenFile must be a string", where);
		if (s) {
			cfg->token_file = resolve_path(udir, s);
			if (!cfg->token_file)
				return -ENOMEM;
			if (!pn_kube_config_token(cfg))
				return fail(err, errlen, -ENOENT, "%s.tokenFile: cannot read %s", where, cfg->token_file);
		}
	}
	return 0;
}

int pn_kube_config_load(const char *explicit_path, const char *context,
			struct pn_kube_config **out, char *err, size_t errlen)
{
	struct merged m = { json_object(), json_object(), json_object(), NULL };
	struct pn_kube_config *cfg = NULL;
	char *list = NULL;
	int r = -ENOMEM;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!m.clusters || !m.users || !m.contexts)
		goto out;
	if (explicit_path && *explicit_path) {
		r = merge_file(&m, explicit_path, 1, err, errlen);
		if (r < 0)
			goto out;
	} else {
		const char *env = getenv("KUBECONFIG");
		if (env && *env) {
			list = strdup(env);
			if (!list)
				goto out;
			int any = 0;
			for (char *save = NULL, *p = strtok_r(list, ":", &save); p;
			     p = strtok_r(NULL, ":", &save)) {
				if (access(p, F_OK) == 0)
					any = 1;
				r = merge_file(&m, p, 0, err, errlen);
				if (r < 0)
					goto out;
			}
			if (!any) {
				r = fail(err, errlen, -ENOENT, "none of the files in KUBECONFIG exist");
				goto out;
			}
		} else {
			const char *home = getenv("HOME");
			char path[4096];
			if (!home) {
				r = fail(err, errlen, -ENOENT, "no kubeconfig: KUBECONFIG and HOME are unset");
				goto out;
			}
			snprintf(path, sizeof(path), "%s/.kube/config", home);
			r = merge_file(&m, path, 1, err, errlen);
			if (r < 0)
				goto out;
		}
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		r = -ENOMEM;
		goto out;
	}
	r = build_from_merged(&m, context, cfg, err, errlen);
	if (r < 0)
		goto out;
	*out = cfg;
	cfg = NULL;
out:
	if (r == -ENOMEM && err && errlen && !err[0])
		fail(err, errlen, r, "out of memory");
	pn_kube_config_free(cfg);
	free(list);
	free(m.current);
	json_decref(m.clusters);
	json_decref(m.users);
	json_decref(m.contexts);
	return r;
}

int pn_kube_config_in_cluster(const char *sa_dir, struct pn_kube_config **out,
			      char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	struct pn_kube_config *cfg = NULL;
	struct pn_buf nsb;
	int r = -ENOMEM;

	*out = NULL;
	pn_buf_init(&nsb, 256);
	if (!sa_dir)
		sa_dir = SA_DIR;
	if (!host || !*host || !port || !*port)
		return fail(err, errlen, -ENOENT,
			    "not in a cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are unset");
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		goto out;
	if (strchr(host, ':'))
		r = asprintf(&cfg->server, "https://[%s]:%s", host, port);
	else
		r = asprintf(&cfg->server, "https://%s:%s", host, port);
	if (r < 0) {
		cfg->server = NULL;
		r = -ENOMEM;
		goto out;
	}
	if (asprintf(&cfg->token_file, "%s/token", sa_dir) < 0) {
		cfg->token_file = NULL;
		r = -ENOMEM;
		goto out;
	}
	if (asprintf(&cfg->ca_file, "%s/ca.crt", sa_dir) < 0) {
		cfg->ca_file = NULL;
		r = -ENOMEM;
		goto out;
	}
	if (!pn_kube_config_token(cfg)) {
		r = fail(err, errlen, -ENOENT, "cannot read the service account token %s", cfg->token_file);
		goto out;
	}
	char nspath[4096];
	snprintf(nspath, sizeof(nspath), "%s/namespace", sa_dir);
	if (pn_buf_read_file(&nsb, nspath) == 0) {
		while (nsb.len && (nsb.data[nsb.len - 1] == '\n' || nsb.data[nsb.len - 1] == ' '))
			nsb.data[--nsb.len] = '\0';
	}
	cfg->ns = strdup(nsb.len ? nsb.data : "default");
	if (!cfg->ns) {
		r = -ENOMEM;
		goto out;
	}
	*out = cfg;
	cfg = NULL;
	r = 0;
out:
	pn_buf_free(&nsb);
	pn_kube_config_free(cfg);
	return r;
}

const char *pn_kube_config_token(struct pn_kube_config *cfg)
{
	struct stat st;
	struct pn_buf b;

	if (!cfg->token_file)
		return cfg->token;
	if (stat(cfg->token_file, &st) < 0)
		return cfg->token; /* keep the last good token */
	if (cfg->token && st.st_dev == cfg->tok_dev && st.st_ino == cfg->tok_ino &&
	    st.st_size == cfg->tok_size && st.st_mtim.tv_sec == cfg->tok_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == cfg->tok_mtime.tv_nsec)
		return cfg->token;
	pn_buf_init(&b, 64 * 1024);
	if (pn_buf_read_file(&b, cfg->token_file) == 0) {
		while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' ||
				 b.data[b.len - 1] == ' '))
			b.data[--b.len] = '\0';
		if (b.len && !memchr(b.data, '\n', b.len)) {
			free(cfg->token);
			cfg->token = b.data; /* steal */
			b.data = NULL;
			cfg->tok_dev = st.st_dev;
			cfg->tok_ino = st.st_ino;
			cfg->tok_size = st.st_size;
			cfg->tok_mtime = st.st_mtim;
		}
	}
	pn_buf_free(&b);
	return cfg->token;
}

void pn_kube_config_free(struct pn_kube_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->server);
	free(cfg->ca_file);
	free(cfg->ca_data);
	free(cfg->cert_file);
	free(cfg->key_file);
	free(cfg->cert_data);
	free(cfg->key_data);
	free(cfg->token);
	free(cfg->token_file);
	free(cfg->ns);
	free(cfg->context);
	pn_kube_exec_free(cfg->exec);
	pn_kube_exec_cred_clear(&cfg->cred);
	free(cfg->fail_msg);
	free(cfg);
}

/* ---- credentials for requests ------------------------------------------------ */

/* One lock for every config's credential: a process has one or two configs,
 * and a plugin run (up to its deadline) is what every caller waits for. */
static pthread_mutex_t auth_mu = PTHREAD_MUTEX_INITIALIZER;

#define EXEC_RETRY_AFTER_FAIL 5.0 /* seconds a failed run answers for */

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pn_kube_auth_clear(struct pn_kube_auth *a)
{
	if (!a)
		return;
	free(a->token);
	free(a->cert);
	free(a->key);
	memset(a, 0, sizeof(*a));
}

static char *dupmem(const char *p, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, p, n);
		d[n] = '\0';
	}
	return d;
}

/* With auth_mu held: a valid cached credential, or a new run. */
static int exec_cred_locked(struct pn_kube_config *cfg, char *err, size_t errlen)
{
	struct pn_kube_exec_cred nc;
	char msg[1024];
	int r;

	if (cfg->cred_ok && (cfg->cred.expiry == 0 || time(NULL) < cfg->cred.expiry))
		return 0;
	if (cfg->fail_msg && mono_now() < cfg->fail_until)
		return fail(err, errlen, -EKEYREJECTED, "%s", cfg->fail_msg);
	cfg->exec_runs++;
	r = pn_kube_exec_run(cfg->exec, &nc, msg, sizeof(msg));
	if (r < 0) {
		free(cfg->fail_msg);
		cfg->fail_msg = strdup(msg);
		cfg->fail_until = mono_now() + EXEC_RETRY_AFTER_FAIL;
		return fail(err, errlen, r, "%s", msg);
	}
	free(cfg->fail_msg);
	cfg->fail_msg = NULL;
	pn_kube_exec_cred_clear(&cfg->cred);
	cfg->cred = nc;
	cfg->cred_ok = 1;
	cfg->cred_gen++;
	return 0;
}

int pn_kube_config_auth(struct pn_kube_config *cfg, struct pn_kube_auth *a, char *err, size_t errlen)
{
	const char *tok;
	int r = 0;

	memset(a, 0, sizeof(*a));
	pthread_mutex_lock(&auth_mu);
	if (cfg->exec) {
		r = exec_cred_locked(cfg, err, errlen);
		if (r < 0)
			goto out;
		a->from_exec = 1;
		a->gen = cfg->cred_gen;
		if (cfg->cred.token && !(a->token = strdup(cfg->cred.token)))
			r = -ENOMEM;
		if (cfg->cred.cert) {
			a->cert = dupmem(cfg->cred.cert, cfg->cred.cert_len);
			a->key = dupmem(cfg->cred.key, cfg->cred.key_len);
			a->cert_len = cfg->cred.cert_len;
			a->key_len = cfg->cred.key_len;
			if (!a->cert || !a->key)
				r = -ENOMEM;
		}
	} else {
		tok = pn_kube_config_token(cfg);
		if (tok && !(a->token = strdup(tok)))
			r = -ENOMEM;
	}
	if (r == -ENOMEM)
		fail(err, errlen, r, "out of memory");
out:
	pthread_mutex_unlock(&auth_mu);
	if (r < 0)
		pn_kube_auth_clear(a);
	return r;
}

void pn_kube_config_auth_reject(struct pn_kube_config *cfg, unsigned long gen)
{
	pthread_mutex_lock(&auth_mu);
	if (cfg->exec && cfg->cred_ok && cfg->cred_gen == gen)
		cfg->cred_ok = 0;
	pthread_mutex_unlock(&auth_mu);
}

/* ---- which configuration ----------------------------------------------------- */

static const char *resolve_sa_dir;

void pn_kube_config_set_sa_dir(const char *dir)
{
	resolve_sa_dir = dir;
}

static int home_config(char *path, size_t len)
{
	const char *home = getenv("HOME");
	if (!home || !*home)
		return -ENOENT;
	snprintf(path, len, "%s/.kube/config", home);
	return access(path, F_OK) == 0 ? 0 : -ENOENT;
}

int pn_kube_config_resolve(enum pn_kube_config_who who, const char *explicit_path,
			   const char *context, struct pn_kube_config **out,
			   char *source, size_t srclen, char *err, size_t errlen)
{
	const char *env = getenv("KUBECONFIG");
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	char home[4096], src[4200] = "";
	struct pn_kube_auth a;
	int r;

	*out = NULL;
	if (explicit_path && *explicit_path) {
		snprintf(src, sizeof(src), "--kubeconfig %s", explicit_path);
		r = pn_kube_config_load(explicit_path, context, out, err, errlen);
	} else if (env && *env) {
		snprintf(src, sizeof(src), "$KUBECONFIG");
		r = pn_kube_config_load(NULL, context, out, err, errlen);
	} else {
		int have_home = home_config(home, sizeof(home)) == 0;
		int in_pod = host && *host && !(context && *context);
		if (in_pod && (who == PN_KUBE_CONFIG_DAEMON || !have_home)) {
			snprintf(src, sizeof(src), "in-cluster");
			r = pn_kube_config_in_cluster(resolve_sa_dir, out, err, errlen);
			if (r < 0 && have_home) {
				char e2[512];
				snprintf(e2, sizeof(e2), "%s", err ? err : "");
				snprintf(src, sizeof(src), "~/.kube/config");
				r = pn_kube_config_load(home, context, out, err, errlen);
				if (r < 0 && err && strlen(err) + 20 < errlen)
					snprintf(err + strlen(err), errlen - strlen(err), " (in-cluster: %s)", e2);
			}
		} else if (have_home) {
			snprintf(src, sizeof(src), "~/.kube/config");
			r = pn_kube_config_load(home, context, out, err, errlen);
		} else {
			r = fail(err, errlen, -ENOENT,
				 "no kubeconfig: no --kubeconfig, KUBECONFIG is unset, %s%s does not exist, "
				 "and %s", getenv("HOME") && *getenv("HOME") ? getenv("HOME") : "$HOME",
				 "/.kube/config", context && *context ? "--context needs a kubeconfig file"
				 : "not in a Pod (KUBERNETES_SERVICE_HOST is unset)");
		}
	}
	if (r < 0)
		return r;
	if (source && srclen)
		snprintf(source, srclen, "%s", src);
	r = pn_kube_config_auth(*out, &a, err, errlen);
	pn_kube_auth_clear(&a);
	if (r < 0) {
		pn_kube_config_free(*out);
		*out = NULL;
	}
	return r;
}
