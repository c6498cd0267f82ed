/* execcred.c: exec credential plugins: the stanza, one run, the ExecCredential. */
#include "kube/execcred.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/buf.h"
#include "spawn.h"

#define GROUP "client.authentication.k8s.io/"
#define EXEC_EXTENSION "client.authentication.k8s.io/exec"

extern char **environ;

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

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* The kubeconfig tree holds strings; a missing or null field is NULL. */
static int opt_str(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	return 0;
}

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void pn_kube_exec_free(struct pn_kube_exec *x)
{
	if (!x)
		return;
	free(x->user);
	free(x->api_version);
	free(x->command);
	free_strv(x->argv);
	free_strv(x->env);
	free(x->install_hint);
	free(x->exec_info);
	free(x);
}

static char *b64_encode(const unsigned char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc((n + 2) / 3 * 4 + 1), *p = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*p++ = tab[(v >> 18) & 63];
		*p++ = tab[(v >> 12) & 63];
		*p++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*p = '\0';
	return o;
}

/* spec.cluster for provideClusterInfo: server, tls-server-name,
 * insecure-skip-tls-verify, certificate-authority-data (the file's bytes
 * when the kubeconfig names a file), and config: the cluster's extension
 * named client.authentication.k8s.io/exec. */
static json_t *cluster_info(json_t *c, const char *cdir)
{
	json_t *o = json_object(), *ext, *e;
	const char *s;
	size_t i;

	if (!o)
		return NULL;
	if (opt_str(c, "server", &s) == 0 && s)
		json_object_set_new(o, "server", json_string(s));
	if (opt_str(c, "tls-server-name", &s) == 0 && s)
		json_object_set_new(o, "tls-server-name", json_string(s));
	if (opt_str(c, "insecure-skip-tls-verify", &s) == 0 && s && !strcmp(s, "true"))
		json_object_set_new(o, "insecure-skip-tls-verify", json_true());
	if (opt_str(c, "certificate-authority-data", &s) == 0 && s) {
		json_object_set_new(o, "certificate-authority-data", json_string(s));
	} else if (opt_str(c, "certificate-authority", &s) == 0 && s) {
		struct pn_buf b;
		char *path = NULL, *enc = NULL;
		pn_buf_init(&b, 1u << 20);
		if (s[0] == '/' || !cdir || !*cdir)
			path = strdup(s);
		else if (asprintf(&path, "%s/%s", cdir, s) < 0)
			path = NULL;
		if (path && pn_buf_read_file(&b, path) == 0 &&
		    (enc = b64_encode((const unsigned char *)b.data, b.len)))
			json_object_set_new(o, "certificate-authority-data", json_string(enc));
		free(enc);
		free(path);
		pn_buf_free(&b);
	}
	ext = json_object_get(c, "extensions");
	if (json_is_array(ext))
		json_array_foreach(ext, i, e) {
			const char *name = json_string_value(json_object_get(e, "name"));
			json_t *v = json_object_get(e, "extension");
			if (name && !strcmp(name, EXEC_EXTENSION) && v)
				json_object_set(o, "config", v);
		}
	return o;
}

int pn_kube_exec_from_kubeconfig(json_t *exec, const char *user, const char *dir,
				 json_t *cluster, const char *cdir,
				 struct pn_kube_exec **out, char *err, size_t errlen)
{
	struct pn_kube_exec *x = NULL;
	const char *ver, *cmd, *hint, *pci, *mode, *s;
	json_t *args, *env, *e, *info = NULL;
	size_t i, n;
	int r = -ENOMEM;

	*out = NULL;
#define BAD(...) do { r = fail(err, errlen, -EINVAL, "users[%s].user.exec" __VA_ARGS__); goto out; } while (0)
	if (!json_is_object(exec))
		BAD(": not a mapping", user);
	if (opt_str(exec, "apiVersion", &ver) < 0 || !ver || !*ver)
		BAD(".apiVersion is not set (client.authentication.k8s.io/v1beta1 or /v1)", user);
	if (strcmp(ver, GROUP "v1beta1") && strcmp(ver, GROUP "v1"))
		BAD(".apiVersion: \"%s\" is not supported (client.authentication.k8s.io/v1beta1 or /v1)",
		    user, ver);
	if (opt_str(exec, "command", &cmd) < 0 || !cmd || !*cmd)
		BAD(".command is not set", user);
	if (has_ctl(cmd))
		BAD(".command: control characters", user);
	if (opt_str(exec, "installHint", &hint) < 0)
		BAD(".installHint must be a string", user);
	if (opt_str(exec, "provideClusterInfo", &pci) < 0 ||
	    (pci && strcmp(pci, "true") && strcmp(pci, "false")))
		BAD(".provideClusterInfo must be true or false", user);
	if (opt_str(exec, "interactiveMode", &mode) < 0)
		BAD(".interactiveMode must be a string", user);
	if (!mode && !strcmp(ver, GROUP "v1"))
		BAD(".interactiveMode must be set with apiVersion %s (Never or IfAvailable)", user, ver);
	if (mode && strcmp(mode, "Never") && strcmp(mode, "IfAvailable")) {
		if (!strcmp(mode, "Always"))
			BAD(".interactiveMode: Always needs a terminal, and podnet runs the plugin without "
			    "one (use Never or IfAvailable)", user);
		BAD(".interactiveMode: \"%s\" is not one of Never, IfAvailable, Always", user, mode);
	}
	args = json_object_get(exec, "args");
	if (args && !json_is_null(args) && !json_is_array(args))
		BAD(".args must be a list of strings", user);
	env = json_object_get(exec, "env");
	if (env && !json_is_null(env) && !json_is_array(env))
		BAD(".env must be a list of {name, value}", user);

	x = calloc(1, sizeof(*x));
	if (!x)
		goto out;
	x->timeout_ms = PN_KUBE_EXEC_TIMEOUT_MS;
	x->user = strdup(user);
	x->api_version = strdup(ver);
	if (strchr(cmd, '/') && cmd[0] != '/' && dir && *dir) {
		if (asprintf(&x->command, "%s/%s", dir, cmd) < 0)
			x->command = NULL;
	} else {
		x->command = strdup(cmd);
	}
	if (hint && *hint)
		x->install_hint = strdup(hint);
	n = json_is_array(args) ? json_array_size(args) : 0;
	x->argv = calloc(n + 2, sizeof(char *));
	if (!x->user || !x->api_version || !x->command || (hint && *hint && !x->install_hint) || !x->argv)
		goto out;
	if (!(x->argv[0] = strdup(x->command)))
		goto out;
	for (i = 0; i < n; i++) {
		s = json_string_value(json_array_get(args, i));
		if (!s)
			BAD(".args[%zu] must be a string", user, i);
		if (!(x->argv[i + 1] = strdup(s)))
			goto out;
	}
	n = json_is_array(env) ? json_array_size(env) : 0;
	x->env = calloc(n + 1, sizeof(char *));
	if (!x->env)
		goto out;
	json_array_foreach(env, i, e) {
		const char *name, *value;
		if (!json_is_object(e) || opt_str(e, "name", &name) < 0 || opt_str(e, "value", &value) < 0)
			BAD(".env[%zu] must be {name, value} with string values", user, i);
		if (!name || !*name || strchr(name, '=') || has_ctl(name))
			BAD(".env[%zu].name: empty, or holds '=' or control characters", user, i);
		if (value && has_ctl(value))
			BAD(".env[%zu].value (%s): control characters", user, i, name);
		if (asprintf(&x->env[i], "%s=%s", name, value ? value : "") < 0) {
			x->env[i] = NULL;
			goto out;
		}
	}
	info = json_pack("{s:s,s:s,s:{s:b}}", "kind", "ExecCredential", "apiVersion", ver,
			 "spec", "interactive", 0);
	if (!info)
		goto out;
	if (pci && !strcmp(pci, "true")) {
		json_t *ci = cluster_info(cluster, cdir);
		if (!ci || json_object_set_new(json_object_get(info, "spec"), "cluster", ci) < 0)
			goto out;
	}
	x->exec_info = json_dumps(info, JSON_COMPACT);
	if (!x->exec_info)
		goto out;
	*out = x;
	x = NULL;
	r = 0;
#undef BAD
out:
	if (r == -ENOMEM && err && errlen)
		fail(err, errlen, r, "users[%s].user.exec: out of memory", user);
	json_decref(info);
	pn_kube_exec_free(x);
	return r;
}

/* ---- the credential ----------------------------------------------------------- */

void pn_kube_exec_cred_clear(struct pn_kube_exec_cred *c)
{
	if (!c)
		return;
	free(c->token);
	free(c->cert);
	free(c->key);
	memset(c, 0, sizeof(*c));
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int pn_kube_rfc3339_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	time_t t;

	if (!s || strlen(s) < 20)
		return -EINVAL;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
		return -EINVAL;
	s += 19;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (digits(s + 1, 2, &oh) || s[3] != ':' || digits(s + 4, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
		s += 6;
	} else {
		return -EINVAL;
	}
	if (*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (t == (time_t)-1 && !(y == 1969 && mo == 12 && d == 31))
		return -EINVAL;
	*out = t - (time_t)sign * (oh * 3600 + om * 60);
	return 0;
}

int pn_kube_exec_credential_parse(const char *text, size_t len, const char *api_version,
				  struct pn_kube_exec_cred *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *st;
	const char *kind, *ver, *tok, *cert, *key, *exp;
	int r;

	memset(out, 0, sizeof(*out));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(err, errlen, -EBADMSG, "not JSON (%s at line %d)", jerr.text, jerr.line);
	if (!json_is_object(root)) {
		r = fail(err, errlen, -EBADMSG, "not a JSON object");
		goto out;
	}
	if (opt_str(root, "kind", &kind) < 0 || !kind || strcmp(kind, "ExecCredential")) {
		r = fail(err, errlen, -EBADMSG, "kind is not ExecCredential");
		goto out;
	}
	if (opt_str(root, "apiVersion", &ver) < 0 || !ver || strcmp(ver, api_version)) {
		r = fail(err, errlen, -EBADMSG, "apiVersion is %s%s%s, the kubeconfig asks for %s",
			 ver ? "\"" : "", ver ? ver : "not set", ver ? "\"" : "", api_version);
		goto out;
	}
	st = json_object_get(root, "status");
	if (!json_is_object(st)) {
		r = fail(err, errlen, -EBADMSG, "no status");
		goto out;
	}
	if (opt_str(st, "token", &tok) < 0 || opt_str(st, "clientCertificateData", &cert) < 0 ||
	    opt_str(st, "clientKeyData", &key) < 0 || opt_str(st, "expirationTimestamp", &exp) < 0) {
		r = fail(err, errlen, -EBADMSG,
			 "status.token, clientCertificateData, clientKeyData and expirationTimestamp must be strings");
		goto out;
	}
	if (tok && !*tok)
		tok = NULL;
	if (cert && !*cert)
		cert = NULL;
	if (key && !*key)
		key = NULL;
	if (!tok && !cert && !key) {
		r = fail(err, errlen, -EBADMSG, "status has neither a token nor a client certificate and key");
		goto out;
	}
	if (!cert != !key) {
		r = fail(err, errlen, -EBADMSG, "status.%s without status.%s",
			 cert ? "clientCertificateData" : "clientKeyData",
			 cert ? "clientKeyData" : "clientCertificateData");
		goto out;
	}
	if (tok && (has_ctl(tok) || strlen(tok) > 16384)) {
		r = fail(err, errlen, -EBADMSG, "status.token holds control characters or is over 16 KiB");
		goto out;
	}
	if (exp && pn_kube_rfc3339_parse(exp, &out->expiry) < 0) {
		r = fail(err, errlen, -EBADMSG, "status.expirationTimestamp \"%.40s\" is not an RFC 3339 time", exp);
		goto out;
	}
	r = -ENOMEM;
	if (tok && !(out->token = strdup(tok)))
		goto out;
	if (cert) {
		out->cert_len = strlen(cert);
		out->key_len = strlen(key);
		if (!(out->cert = strdup(cert)) || !(out->key = strdup(key)))
			goto out;
	}
	r = 0;
out:
	if (r < 0 && r != -EBADMSG)
		fail(err, errlen, r, "out of memory");
	if (r < 0)
		pn_kube_exec_cred_clear(out);
	json_decref(root);
	return r;
}

/* ---- one run ------------------------------------------------------------------ */

/* The program: a command with a '/' as it is, else the first executable
 * regular file of that name on $PATH. */
static char *find_program(const char *cmd)
{
	const char *path = getenv("PATH");
	char *list, *save = NULL, *p, *found = NULL;
	struct stat st;

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0 && stat(cmd, &st) == 0 && S_ISREG(st.st_mode) ? strdup(cmd) : NULL;
	list = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!list)
		return NULL;
	for (p = strtok_r(list, ":", &save); p && !found; p = strtok_r(NULL, ":", &save)) {
		char *cand = NULL;
		if (asprintf(&cand, "%s/%s", *p ? p : ".", cmd) < 0)
			break;
		if (access(cand, X_OK) == 0 && stat(cand, &st) == 0 && S_ISREG(st.st_mode))
			found = cand;
		else
			free(cand);
	}
	free(list);
	return found;
}

/* Our environment, the stanza's env over it, KUBERNETES_EXEC_INFO last. */
static char **build_env(const struct pn_kube_exec *x)
{
	size_t n = 0, k = 0, m = 0;
	char **v;

	for (char **e = environ; e && *e; e++)
		n++;
	for (char **e = x->env; *e; e++)
		m++;
	v = calloc(n + m + 2, sizeof(char *));
	if (!v)
		return NULL;
	for (char **e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t nl = eq ? (size_t)(eq - *e) : strlen(*e);
		int over = nl == strlen("KUBERNETES_EXEC_INFO") && !strncmp(*e, "KUBERNETES_EXEC_INFO", nl);
		for (char **s = x->env; !over && *s; s++)
			over = !strncmp(*s, *e, nl) && (*s)[nl] == '=';
		if (!over)
			v[k++] = *e;
	}
	for (char **s = x->env; *s; s++)
		v[k++] = *s;
	v[k] = NULL;
	return v;
}

/* The first two lines of what the plugin wrote on stderr, on one line,
 * control bytes as '?', at most 300 bytes. */
static void stderr_head(const char *s, size_t len, char *out, size_t outlen)
{
	size_t k = 0, lines = 0;
	out[0] = '\0';
	while (len && (*s == '\n' || *s == '\r' || *s == ' ')) {
		s++;
		len--;
	}
	for (size_t i = 0; i < len && k + 4 < outlen && k < 300; i++) {
		char ch = s[i];
		if (ch == '\n') {
			while (i + 1 < len && (s[i + 1] == '\n' || s[i + 1] == '\r'))
				i++;
			if (++lines == 2 || i + 1 == len)
				break;
			out[k++] = ' ';
			out[k++] = '|';
			out[k++] = ' ';
			continue;
		}
		if (ch == '\r')
			continue;
		out[k++] = (unsigned char)ch < 0x20 || ch == 0x7f ? '?' : ch;
	}
	out[k] = '\0';
}

int pn_kube_exec_run(const struct pn_kube_exec *x, struct pn_kube_exec_cred *out,
		     char *err, size_t errlen)
{
	struct pn_spawn sp;
	char **envp = NULL, *info = NULL, *prog = NULL, head[400], perr[256];
	int r;

	memset(&sp, 0, sizeof(sp));
	memset(out, 0, sizeof(*out));
	prog = find_program(x->command);
	if (!prog) {
		char hint[600] = "";
		if (x->install_hint) {
			size_t k = 0;
			for (const char *p = x->install_hint; *p && k + 1 < sizeof(hint); p++)
				hint[k++] = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
			hint[k] = '\0';
		}
		r = fail(err, errlen, -ENOENT, "users[%s].user.exec: command \"%s\" not found%s%s%s", x->user,
			 x->command, strchr(x->command, '/') ? " (or not executable)" : " in PATH",
			 hint[0] ? "; install hint: " : "", hint);
		goto out;
	}
	if (asprintf(&info, "KUBERNETES_EXEC_INFO=%s", x->exec_info) < 0) {
		info = NULL;
		r = fail(err, errlen, -ENOMEM, "users[%s].user.exec: out of memory", x->user);
		goto out;
	}
	envp = build_env(x);
	if (!envp) {
		r = fail(err, errlen, -ENOMEM, "users[%s].user.exec: out of memory", x->user);
		goto out;
	}
	for (size_t i = 0;; i++)
		if (!envp[i]) {
			envp[i] = info;
			break;
		}
	sp.path = prog;
	sp.argv = x->argv;
	sp.envp = envp;
	sp.out_cap = PN_KUBE_EXEC_MAX_OUT;
	sp.err_cap = PN_KUBE_EXEC_MAX_ERR;
	sp.timeout_ms = x->timeout_ms > 0 ? x->timeout_ms : PN_KUBE_EXEC_TIMEOUT_MS;
	r = pn_spawn_run(&sp);
	stderr_head(sp.err ? sp.err : "", sp.err_len, head, sizeof(head));
	if (r == -ETIMEDOUT) {
		r = fail(err, errlen, r, "users[%s].user.exec: \"%s\" did not finish within %d s (killed)%s%s",
			 x->user, x->command, sp.timeout_ms / 1000, head[0] ? "; stderr: " : "", head);
		goto out;
	}
	if (r == -EMSGSIZE) {
		r = fail(err, errlen, r, "users[%s].user.exec: \"%s\" printed more than %u bytes (killed)",
			 x->user, x->command, PN_KUBE_EXEC_MAX_OUT);
		goto out;
	}
	if (r < 0) {
		r = fail(err, errlen, r, "users[%s].user.exec: cannot run \"%s\": %s", x->user, x->command,
			 strerror(-r));
		goto out;
	}
	if (sp.exit_code != 0) {
		char how[48];
		if (sp.exit_code > 128)
			snprintf(how, sizeof(how), "was killed by signal %d", sp.exit_code - 128);
		else
			snprintf(how, sizeof(how), "exited with status %d", sp.exit_code);
		r = fail(err, errlen, -EKEYREJECTED, "users[%s].user.exec: \"%s\" %s%s%s", x->user,
			 x->command, how, head[0] ? ": " : " (no stderr)", head);
		goto out;
	}
	r = pn_kube_exec_credential_parse(sp.out, sp.out_len, x->api_version, out, perr, sizeof(perr));
	if (r == -EBADMSG) {
		char start[64];
		stderr_head(sp.out, sp.out_len, start, sizeof(start));
		if (strlen(start) > 40)
			strcpy(start + 37, "...");
		r = fail(err, errlen, -EKEYREJECTED,
			 "users[%s].user.exec: \"%s\" printed no valid ExecCredential: %s (stdout: \"%s\")%s%s",
			 x->user, x->command, perr, start, head[0] ? "; stderr: " : "", head);
	} else if (r < 0) {
		r = fail(err, errlen, r, "users[%s].user.exec: %s", x->user, perr);
	}
out:
	pn_spawn_clear(&sp);
	free(envp);
	free(info);
	free(prog);
	return r;
}
