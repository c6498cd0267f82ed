/* Unit tests: kubeconfig parsing and precedence, in-cluster config, token
 * rotation, exec credential plugins (small shell scripts that count their
 * runs), which configuration each kind of program uses. Files are written
 * by the test into a temporary directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <time.h>

#include "kube/buf.h"
#include "kube/config.h"

static char dir[256];

static void put(const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *path(const char *name)
{
	static char p[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pn-kube-config-XXXXXX");
	assert_non_null(mkdtemp(dir));
	unsetenv("KUBECONFIG");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char KC_A[] =
	"apiVersion: v1\n"
	"kind: Config\n"
	"current-context: a\n"
	"clusters:\n"
	"- name: ca\n"
	"  cluster:\n"
	"    server: https://127.0.0.1:6443/\n"
	"    certificate-authority: pki/ca.crt\n"
	"- name: cb\n"
	"  cluster:\n"
	"    server: https://b.example:443\n"
	"    certificate-authority-data: aGVsbG8gY2E=\n"
	"    insecure-skip-tls-verify: true\n"
	"users:\n"
	"- name: ua\n"
	"  user:\n"
	"    token: tok-a\n"
	"- name: ub\n"
	"  user:\n"
	"    client-certificate-data: Y2VydA==\n"
	"    client-key-data: a2V5\n"
	"- name: uc\n"
	"  user:\n"
	"    client-certificate: /abs/c.crt\n"
	"    client-key: rel/c.key\n"
	"    tokenFile: tok\n"
	"contexts:\n"
	"- name: a\n"
	"  context: {cluster: ca, user: ua, namespace: team-a}\n"
	"- name: b\n"
	"  context:\n"
	"    cluster: cb\n"
	"    user: ub\n"
	"- name: c\n"
	"  context: {cluster: ca, user: uc}\n";

static void unit__config_current_context__server_ca_token_namespace(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("a.yaml", KC_A);
	assert_int_equal(pn_kube_config_load(path("a.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->server, "https://127.0.0.1:6443");
	assert_string_equal(cfg->ca_file, path("pki/ca.crt"));
	assert_string_equal(cfg->token, "tok-a");
	assert_string_equal(cfg->ns, "team-a");
	assert_string_equal(cfg->context, "a");
	assert_int_equal(cfg->insecure, 0);
	pn_kube_config_free(cfg);
}

static void unit__config_explicit_context__data_fields_decoded(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("a.yaml", KC_A);
	assert_int_equal(pn_kube_config_load(path("a.yaml"), "b", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->server, "https://b.example:443");
	assert_int_equal(cfg->ca_data_len, 8);
	assert_memory_equal(cfg->ca_data, "hello ca", 8);
	assert_memory_equal(cfg->cert_data, "cert", 4);
	assert_memory_equal(cfg->key_data, "key", 3);
	assert_int_equal(cfg->insecure, 1);
	assert_string_equal(cfg->ns, "default");
	assert_null(cfg->token);
	pn_kube_config_free(cfg);
}

static void unit__config_token_file__relative_path_and_rotation(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("a.yaml", KC_A);
	put("tok", "first\n");
	assert_int_equal(pn_kube_config_load(path("a.yaml"), "c", &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->cert_file, "/abs/c.crt");
	assert_string_equal(cfg->key_file, path("rel/c.key"));
	assert_string_equal(pn_kube_config_token(cfg), "first");
	/* rotation: a new file replaces the old one (as kubelet does, by rename) */
	put("tok.new", "second-token\n");
	assert_int_equal(rename(path("tok.new"), path("tok")), 0);
	assert_string_equal(pn_kube_config_token(cfg), "second-token");
	/* the file disappears for a moment: keep the last good token */
	unlink(path("tok"));
	assert_string_equal(pn_kube_config_token(cfg), "second-token");
	pn_kube_config_free(cfg);
}

static void unit__config_kubeconfig_list__first_file_wins_missing_skipped(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256], env[1200];
	put("a.yaml", KC_A);
	put("first.yaml",
	    "current-context: b\n"
	    "clusters:\n"
	    "- name: cb\n"
	    "  cluster: {server: 'https://first.example'}\n"
	    "users: []\n"
	    "contexts: []\n");
	snprintf(env, sizeof(env), "%s:%s:%s", path("missing.yaml"), path("first.yaml"), path("a.yaml"));
	setenv("KUBECONFIG", env, 1);
	assert_int_equal(pn_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)), 0);
	/* current-context from first.yaml, context b from a.yaml, cluster cb from first.yaml */
	assert_string_equal(cfg->context, "b");
	assert_string_equal(cfg->server, "https://first.example");
	assert_memory_equal(cfg->cert_data, "cert", 4);
	pn_kube_config_free(cfg);
	/* an explicit --kubeconfig beats KUBECONFIG */
	assert_int_equal(pn_kube_config_load(path("a.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->context, "a");
	pn_kube_config_free(cfg);
	unsetenv("KUBECONFIG");
}

static void unit__config_auth_provider__error_names_field(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("e.yaml",
	    "current-context: y\n"
	    "clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
	    "users:\n"
	    "- name: g\n"
	    "  user:\n"
	    "    auth-provider: {name: gcp}\n"
	    "contexts:\n"
	    "- {name: y, context: {cluster: c, user: g}}\n");
	assert_int_equal(pn_kube_config_load(path("e.yaml"), "y", &cfg, err, sizeof(err)), -ENOTSUP);
	assert_null(cfg);
	assert_non_null(strstr(err, "users[g].user.auth-provider"));
}

/* ---- exec credential plugins ----------------------------------------------- */

/* A plugin that counts its runs in DIR/runs and prints the token tok-N of
 * run N; $1 says the expiry: none, past, soon (in 2 s). It also keeps the
 * KUBERNETES_EXEC_INFO it saw, and prints $PN_EXTRA into the token. */
static const char PLUGIN_OK[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"n=$(( $(cat \"$d/runs\" 2>/dev/null || echo 0) + 1 ))\n"
	"echo $n >\"$d/runs\"\n"
	"printf '%s' \"$KUBERNETES_EXEC_INFO\" >\"$d/exec-info\"\n"
	"case $1 in\n"
	"past) exp=',\"expirationTimestamp\":\"2001-02-03T04:05:06Z\"' ;;\n"
	"soon) exp=\",\\\"expirationTimestamp\\\":\\\"$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)\\\"\" ;;\n"
	"*) exp= ;;\n"
	"esac\n"
	"printf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
	"\"status\":{\"token\":\"tok-%s%s\"%s}}\\n' \"$n\" \"$PN_EXTRA\" \"$exp\"\n";
static const char PLUGIN_FAIL[] =
	"#!/bin/sh\n"
	"echo 'error: the SSO session has expired' >&2\n"
	"echo 'run: sso login' >&2\n"
	"echo 'third line not shown' >&2\n"
	"exit 1\n";
static const char PLUGIN_JUNK[] =
	"#!/bin/sh\n"
	"echo 'Welcome! here is your token: abc'\n";

static void put_exec(const char *name, const char *text)
{
	put(name, text);
	assert_int_equal(chmod(path(name), 0755), 0);
}

/* A kubeconfig whose user u runs COMMAND with ARGS (a YAML flow list). */
static void put_exec_kc(const char *file, const char *command, const char *args, const char *extra)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "current-context: x\n"
		 "clusters: [{name: c, cluster: {server: 'https://x.example', certificate-authority-data: aGVsbG8gY2E=}}]\n"
		 "users:\n"
		 "- name: u\n"
		 "  user:\n"
		 "    exec:\n"
		 "      apiVersion: client.authentication.k8s.io/v1beta1\n"
		 "      command: %s\n"
		 "      args: %s\n"
		 "%s"
		 "contexts:\n"
		 "- {name: x, context: {cluster: c, user: u}}\n",
		 command, args, extra ? extra : "");
	put(file, text);
}

static int runs(void)
{
	FILE *f = fopen(path("runs"), "r");
	int n = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static char *auth_token(struct pn_kube_config *cfg, int want_rc, char *err, size_t errlen)
{
	struct pn_kube_auth a;
	char *t;
	assert_int_equal(pn_kube_config_auth(cfg, &a, err, errlen), want_rc);
	t = a.token ? strdup(a.token) : NULL;
	pn_kube_auth_clear(&a);
	return t;
}

static void assert_token(struct pn_kube_config *cfg, const char *want)
{
	char err[512] = "";
	char *t = auth_token(cfg, 0, err, sizeof(err));
	if (!t)
		fail_msg("no token: %s", err);
	assert_string_equal(t, want);
	free(t);
}

static void unit__exec_stanza__fields_parsed_relative_command_from_file_dir(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[512];
	unlink(path("runs"));
	put_exec("plugin", PLUGIN_OK);
	put_exec_kc("x.yaml", "./plugin", "[none]",
		    "      env: [{name: PN_EXTRA, value: '-e'}]\n"
		    "      installHint: install it\n"
		    "      provideClusterInfo: true\n"
		    "      interactiveMode: Never\n");
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	assert_non_null(cfg->exec);
	assert_null(cfg->token);
	assert_string_equal(cfg->exec->user, "u");
	assert_string_equal(cfg->exec->api_version, "client.authentication.k8s.io/v1beta1");
	assert_string_equal(cfg->exec->command, path("./plugin"));
	assert_string_equal(cfg->exec->argv[1], "none");
	assert_null(cfg->exec->argv[2]);
	assert_string_equal(cfg->exec->env[0], "PN_EXTRA=-e");
	assert_string_equal(cfg->exec->install_hint, "install it");
	/* loading runs nothing; the first credential does */
	assert_int_equal(runs(), 0);
	assert_token(cfg, "tok-1-e");
	assert_int_equal(runs(), 1);
	/* what the plugin was told: not interactive, and the cluster */
	struct pn_buf b;
	pn_buf_init(&b, 65536);
	assert_int_equal(pn_buf_read_file(&b, path("exec-info")), 0);
	assert_string_equal(b.data,
			    "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
			    "\"spec\":{\"interactive\":false,\"cluster\":{\"server\":\"https://x.example\","
			    "\"certificate-authority-data\":\"aGVsbG8gY2E=\"}}}");
	pn_buf_free(&b);
	pn_kube_config_free(cfg);
}

static void unit__exec_stanza_errors__name_user_and_field(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[512];
	static const struct {
		const char *exec, *want;
	} cases[] = {
		{ "      command: x\n", "users[u].user.exec.apiVersion is not set" },
		{ "      apiVersion: client.authentication.k8s.io/v1alpha9\n      command: x\n",
		  "users[u].user.exec.apiVersion: \"client.authentication.k8s.io/v1alpha9\" is not supported" },
		{ "      apiVersion: client.authentication.k8s.io/v1beta1\n", "users[u].user.exec.command is not set" },
		{ "      apiVersion: client.authentication.k8s.io/v1\n      command: x\n",
		  "users[u].user.exec.interactiveMode must be set" },
		{ "      apiVersion: client.authentication.k8s.io/v1\n      command: x\n      interactiveMode: Always\n",
		  "users[u].user.exec.interactiveMode: Always needs a terminal" },
		{ "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: x\n      args: {a: b}\n",
		  "users[u].user.exec.args must be a list" },
		{ "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: x\n      env: [{name: 'A=B', value: c}]\n",
		  "users[u].user.exec.env[0].name" },
		{ "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: x\n    token: t\n",
		  "users[u].user: exec goes with neither token" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text),
			 "current-context: x\n"
			 "clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
			 "users:\n- name: u\n  user:\n    exec:\n%s"
			 "contexts: [{name: x, context: {cluster: c, user: u}}]\n", cases[i].exec);
		put("bad.yaml", text);
		err[0] = '\0';
		assert_int_equal(pn_kube_config_load(path("bad.yaml"), NULL, &cfg, err, sizeof(err)), -EINVAL);
		assert_null(cfg);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
	}
	/* v1 with interactiveMode is fine */
	put("v1.yaml", "current-context: x\nclusters: [{name: c, cluster: {server: 'https://x'}}]\n"
		       "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
		       "      command: x\n      interactiveMode: IfAvailable\n"
		       "contexts: [{name: x, context: {cluster: c, user: u}}]\n");
	assert_int_equal(pn_kube_config_load(path("v1.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	pn_kube_config_free(cfg);
}

static void unit__exec_cache__one_run_until_expiry_and_after_reject(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	struct pn_kube_auth a;
	char err[512];
	unlink(path("runs"));
	put_exec("plugin", PLUGIN_OK);
	/* no expirationTimestamp: one run for the life of the config */
	put_exec_kc("x.yaml", path("plugin"), "[none]", NULL);
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	assert_token(cfg, "tok-1");
	assert_token(cfg, "tok-1");
	assert_token(cfg, "tok-1");
	assert_int_equal(runs(), 1);
	assert_int_equal(cfg->exec_runs, 1);
	/* a 401 to that credential: the next one runs the plugin again, once */
	assert_int_equal(pn_kube_config_auth(cfg, &a, err, sizeof(err)), 0);
	unsigned long gen = a.gen;
	pn_kube_auth_clear(&a);
	pn_kube_config_auth_reject(cfg, gen);
	assert_token(cfg, "tok-2");
	pn_kube_config_auth_reject(cfg, gen); /* a late 401 to the old one: ignored */
	assert_token(cfg, "tok-2");
	assert_int_equal(runs(), 2);
	pn_kube_config_free(cfg);

	/* already expired: every credential is a new run */
	unlink(path("runs"));
	put_exec_kc("x.yaml", path("plugin"), "[past]", NULL);
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	assert_token(cfg, "tok-1");
	assert_token(cfg, "tok-2");
	assert_int_equal(runs(), 2);
	pn_kube_config_free(cfg);

	/* expires in 2 s: cached until then, run again after */
	unlink(path("runs"));
	put_exec_kc("x.yaml", path("plugin"), "[soon]", NULL);
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	assert_token(cfg, "tok-1");
	assert_token(cfg, "tok-1");
	assert_int_equal(runs(), 1);
	assert_true(cfg->cred.expiry > time(NULL));
	sleep(3);
	assert_token(cfg, "tok-2");
	assert_token(cfg, "tok-2");
	assert_int_equal(runs(), 2);
	pn_kube_config_free(cfg);
}

static void unit__exec_failures__clear_errors_user_command_status_stderr(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[1024];
	char *t;

	put_exec("fail", PLUGIN_FAIL);
	put_exec_kc("x.yaml", path("fail"), "[]", NULL);
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	t = auth_token(cfg, -EKEYREJECTED, err, sizeof(err));
	assert_null(t);
	char want[1200];
	snprintf(want, sizeof(want),
		 "users[u].user.exec: \"%s\" exited with status 1: error: the SSO session has expired | run: sso login",
		 path("fail"));
	assert_string_equal(err, want);
	pn_kube_config_free(cfg);

	put_exec("junk", PLUGIN_JUNK);
	put_exec_kc("x.yaml", path("junk"), "[]", NULL);
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	t = auth_token(cfg, -EKEYREJECTED, err, sizeof(err));
	assert_null(t);
	assert_non_null(strstr(err, "users[u].user.exec: \""));
	assert_non_null(strstr(err, "junk\" printed no valid ExecCredential: not JSON"));
	assert_non_null(strstr(err, "(stdout: \"Welcome! here is your token: abc\")"));
	pn_kube_config_free(cfg);

	/* not found: the install hint follows, on the same line */
	put_exec_kc("x.yaml", "pn-no-such-plugin", "[]",
		    "      installHint: |\n        pn-no-such-plugin is needed;\n        apt install it\n");
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	t = auth_token(cfg, -ENOENT, err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "users[u].user.exec: command \"pn-no-such-plugin\" not found in PATH; "
				 "install hint: pn-no-such-plugin is needed; apt install it ");
	pn_kube_config_free(cfg);

	/* too slow: killed at the deadline */
	put_exec("slow", "#!/bin/sh\necho 'thinking' >&2\nexec sleep 10\n");
	put_exec_kc("x.yaml", path("slow"), "[]", NULL);
	assert_int_equal(pn_kube_config_load(path("x.yaml"), NULL, &cfg, err, sizeof(err)), 0);
	cfg->exec->timeout_ms = 300;
	t = auth_token(cfg, -ETIMEDOUT, err, sizeof(err));
	assert_null(t);
	assert_non_null(strstr(err, "slow\" did not finish within 0 s (killed); stderr: thinking"));
	pn_kube_config_free(cfg);
}

static void unit__exec_credential_parse__token_cert_expiry_and_errors(void **state)
{
	(void)state;
	struct pn_kube_exec_cred c;
	char err[256];
	const char *v1 = "client.authentication.k8s.io/v1";
	const char *ok = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			 "\"status\":{\"token\":\"t\",\"expirationTimestamp\":\"2026-12-03T18:40:40.5+01:00\"}}";
	assert_int_equal(pn_kube_exec_credential_parse(ok, strlen(ok), v1, &c, err, sizeof(err)), 0);
	assert_string_equal(c.token, "t");
	assert_int_equal(c.expiry, 1796323240 - 3600);
	pn_kube_exec_cred_clear(&c);
	const char *cert = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
			   "\"status\":{\"clientCertificateData\":\"C\",\"clientKeyData\":\"K\"}}";
	assert_int_equal(pn_kube_exec_credential_parse(cert, strlen(cert), v1, &c, err, sizeof(err)), 0);
	assert_null(c.token);
	assert_memory_equal(c.cert, "C", 1);
	assert_memory_equal(c.key, "K", 1);
	assert_int_equal(c.expiry, 0);
	pn_kube_exec_cred_clear(&c);
	static const struct {
		const char *in, *want;
	} bad[] = {
		{ "nope", "not JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"Secret\"}", "kind is not ExecCredential" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\"}",
		  "apiVersion is \"client.authentication.k8s.io/v1beta1\", the kubeconfig asks for client.authentication.k8s.io/v1" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\"}", "no status" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}",
		  "neither a token nor a client certificate" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"clientKeyData\":\"K\"}}",
		  "status.clientKeyData without status.clientCertificateData" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"a\\r\\nX-Evil: 1\"}}",
		  "control characters" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"a\",\"expirationTimestamp\":\"tomorrow\"}}",
		  "status.expirationTimestamp \"tomorrow\" is not an RFC 3339 time" },
		{ "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":5}}",
		  "must be strings" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(pn_kube_exec_credential_parse(bad[i].in, strlen(bad[i].in), v1, &c, err, sizeof(err)),
				 -EBADMSG);
		assert_null(c.token);
		if (!strstr(err, bad[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, bad[i].want);
	}
	time_t t;
	assert_int_equal(pn_kube_rfc3339_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(pn_kube_rfc3339_parse("2026-12-03t18:40:40z", &t), 0);
	assert_int_equal(t, 1796323240);
	assert_int_equal(pn_kube_rfc3339_parse("2026-12-03 18:40:40Z", &t), -EINVAL);
	assert_int_equal(pn_kube_rfc3339_parse("2026-12-03T18:40:40", &t), -EINVAL);
	assert_int_equal(pn_kube_rfc3339_parse("2026-13-03T18:40:40Z", &t), -EINVAL);
}

/* ---- which configuration: kubectl's order for the CLI, client-go's for daemons */

static void unit__resolve_precedence__cli_and_daemon_orders(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[1024], src[256], home[400], env[1200];
	const char *old_home = getenv("HOME");
	char *saved_home = old_home ? strdup(old_home) : NULL;

	/* HOME/.kube/config says context "home", KUBECONFIG's files "env",
	 * the service account sa/ */
	snprintf(home, sizeof(home), "%s/home", dir);
	mkdir(home, 0755);
	mkdir(path("home/.kube"), 0755);
	put("home/.kube/config", "current-context: home\nclusters: [{name: c, cluster: {server: 'https://home'}}]\n"
				 "contexts: [{name: home, context: {cluster: c}}]\n");
	put("env1.yaml", "current-context: env\n");
	put("env2.yaml", "current-context: other\nclusters: [{name: c, cluster: {server: 'https://env'}}]\n"
			 "contexts: [{name: env, context: {cluster: c}}, {name: other, context: {cluster: c}}]\n");
	mkdir(path("sa"), 0755);
	put("sa/token", "sa-token\n");
	put("sa/namespace", "podnet-system\n");
	static char sa[400];
	snprintf(sa, sizeof(sa), "%s", path("sa"));
	pn_kube_config_set_sa_dir(sa);
	setenv("HOME", home, 1);
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	snprintf(env, sizeof(env), "%s:%s", path("env1.yaml"), path("env2.yaml"));
	setenv("KUBECONFIG", env, 1);

	for (int who = 0; who < 2; who++) {
		/* the flag first */
		assert_int_equal(pn_kube_config_resolve(who, path("home/.kube/config"), NULL, &cfg, src, sizeof(src),
							err, sizeof(err)), 0);
		assert_string_equal(cfg->server, "https://home");
		assert_non_null(strstr(src, "--kubeconfig "));
		pn_kube_config_free(cfg);
		/* then KUBECONFIG, merged: current-context from the first file */
		assert_int_equal(pn_kube_config_resolve(who, NULL, NULL, &cfg, src, sizeof(src), err, sizeof(err)), 0);
		assert_string_equal(src, "$KUBECONFIG");
		assert_string_equal(cfg->context, "env");
		assert_string_equal(cfg->server, "https://env");
		pn_kube_config_free(cfg);
	}
	unsetenv("KUBECONFIG");
	/* in a Pod, with a ~/.kube/config: kubectl takes the file, daemons the
	 * service account */
	assert_int_equal(pn_kube_config_resolve(PN_KUBE_CONFIG_CLI, NULL, NULL, &cfg, src, sizeof(src), err, sizeof(err)), 0);
	assert_string_equal(src, "~/.kube/config");
	assert_string_equal(cfg->server, "https://home");
	pn_kube_config_free(cfg);
	assert_int_equal(pn_kube_config_resolve(PN_KUBE_CONFIG_DAEMON, NULL, NULL, &cfg, src, sizeof(src), err, sizeof(err)), 0);
	assert_string_equal(src, "in-cluster");
	assert_string_equal(cfg->server, "https://10.0.0.1:443");
	assert_string_equal(cfg->token, "sa-token");
	pn_kube_config_free(cfg);
	/* a --context means a file, for both */
	assert_int_equal(pn_kube_config_resolve(PN_KUBE_CONFIG_DAEMON, NULL, "home", &cfg, src, sizeof(src), err, sizeof(err)), 0);
	assert_string_equal(src, "~/.kube/config");
	pn_kube_config_free(cfg);
	/* in a Pod without ~/.kube/config: both take the service account */
	unlink(path("home/.kube/config"));
	assert_int_equal(pn_kube_config_resolve(PN_KUBE_CONFIG_CLI, NULL, NULL, &cfg, src, sizeof(src), err, sizeof(err)), 0);
	assert_string_equal(src, "in-cluster");
	pn_kube_config_free(cfg);
	/* not in a Pod, no file: an error saying what was looked at */
	unsetenv("KUBERNETES_SERVICE_HOST");
	for (int who = 0; who < 2; who++) {
		assert_int_equal(pn_kube_config_resolve(who, NULL, NULL, &cfg, src, sizeof(src), err, sizeof(err)), -ENOENT);
		assert_null(cfg);
		assert_non_null(strstr(err, "no kubeconfig: no --kubeconfig, KUBECONFIG is unset, "));
		assert_non_null(strstr(err, "/home/.kube/config does not exist, and not in a Pod"));
	}
	/* a failing exec plugin is reported by resolve, before any request */
	put_exec("fail", PLUGIN_FAIL);
	put_exec_kc("x.yaml", path("fail"), "[]", NULL);
	assert_int_equal(pn_kube_config_resolve(PN_KUBE_CONFIG_CLI, path("x.yaml"), NULL, &cfg, src, sizeof(src),
						err, sizeof(err)), -EKEYREJECTED);
	assert_null(cfg);
	assert_non_null(strstr(err, "exited with status 1: error: the SSO session has expired"));

	pn_kube_config_set_sa_dir(NULL);
	unsetenv("KUBERNETES_SERVICE_PORT");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
	free(saved_home);
}

static void unit__config_errors__missing_context_cluster_server_bad_yaml(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("a.yaml", KC_A);
	assert_int_equal(pn_kube_config_load(path("a.yaml"), "nope", &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "context \"nope\" not found"));
	put("b.yaml", "current-context: x\ncontexts: [{name: x, context: {cluster: gone}}]\n");
	assert_int_equal(pn_kube_config_load(path("b.yaml"), NULL, &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cluster \"gone\""));
	put("c.yaml", "current-context: x\nclusters: [{name: c, cluster: {}}]\n"
		      "contexts: [{name: x, context: {cluster: c}}]\n");
	assert_int_equal(pn_kube_config_load(path("c.yaml"), NULL, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "clusters[c].cluster.server"));
	put("d.yaml", "clusters: [unclosed\n");
	assert_int_equal(pn_kube_config_load(path("d.yaml"), NULL, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "d.yaml"));
	assert_int_equal(pn_kube_config_load(path("absent.yaml"), NULL, &cfg, err, sizeof(err)), -ENOENT);
	put("e.yaml", "current-context: x\nclusters: [{name: c, cluster: {server: s, certificate-authority-data: '@@'}}]\n"
		      "contexts: [{name: x, context: {cluster: c}}]\n");
	assert_int_equal(pn_kube_config_load(path("e.yaml"), NULL, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "certificate-authority-data"));
	assert_null(cfg);
}

static void unit__config_in_cluster__env_token_ca_namespace(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("token", "sa-token\n");
	put("namespace", "podnet-system");
	put("ca.crt", "PEM");
	unsetenv("KUBERNETES_SERVICE_HOST");
	assert_int_equal(pn_kube_config_in_cluster(dir, &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "KUBERNETES_SERVICE_HOST"));
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	assert_int_equal(pn_kube_config_in_cluster(dir, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->server, "https://10.0.0.1:443");
	assert_string_equal(cfg->token, "sa-token");
	assert_string_equal(cfg->ns, "podnet-system");
	assert_string_equal(cfg->ca_file, path("ca.crt"));
	put("token.2", "rotated");
	rename(path("token.2"), path("token"));
	assert_string_equal(pn_kube_config_token(cfg), "rotated");
	pn_kube_config_free(cfg);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	assert_int_equal(pn_kube_config_in_cluster(dir, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->server, "https://[fd00::1]:443");
	pn_kube_config_free(cfg);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__config_current_context__server_ca_token_namespace),
		cmocka_unit_test(unit__config_explicit_context__data_fields_decoded),
		cmocka_unit_test(unit__config_token_file__relative_path_and_rotation),
		cmocka_unit_test(unit__config_kubeconfig_list__first_file_wins_missing_skipped),
		cmocka_unit_test(unit__config_auth_provider__error_names_field),
		cmocka_unit_test(unit__exec_stanza__fields_parsed_relative_command_from_file_dir),
		cmocka_unit_test(unit__exec_stanza_errors__name_user_and_field),
		cmocka_unit_test(unit__exec_cache__one_run_until_expiry_and_after_reject),
		cmocka_unit_test(unit__exec_failures__clear_errors_user_command_status_stderr),
		cmocka_unit_test(unit__exec_credential_parse__token_cert_expiry_and_errors),
		cmocka_unit_test(unit__resolve_precedence__cli_and_daemon_orders),
		cmocka_unit_test(unit__config_errors__missing_context_cluster_server_bad_yaml),
		cmocka_unit_test(unit__config_in_cluster__env_token_ca_namespace),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
