/* Unit tests: kubeconfig parsing and precedence, in-cluster config, token
 * rotation. Files are written by the test into a temporary directory. */
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

static void unit__config_exec_and_auth_provider__error_names_field(void **state)
{
	(void)state;
	struct pn_kube_config *cfg = NULL;
	char err[256];
	put("e.yaml",
	    "current-context: x\n"
	    "clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
	    "users:\n"
	    "- name: u\n"
	    "  user:\n"
	    "    exec:\n"
	    "      apiVersion: client.authentication.k8s.io/v1\n"
	    "      command: aws\n"
	    "- name: g\n"
	    "  user:\n"
	    "    auth-provider: {name: gcp}\n"
	    "contexts:\n"
	    "- {name: x, context: {cluster: c, user: u}}\n"
	    "- {name: y, context: {cluster: c, user: g}}\n");
	assert_int_equal(pn_kube_config_load(path("e.yaml"), NULL, &cfg, err, sizeof(err)), -ENOTSUP);
	assert_null(cfg);
	assert_non_null(strstr(err, "users[u].user.exec"));
	assert_int_equal(pn_kube_config_load(path("e.yaml"), "y", &cfg, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "users[g].user.auth-provider"));
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
		cmocka_unit_test(unit__config_exec_and_auth_provider__error_names_field),
		cmocka_unit_test(unit__config_errors__missing_context_cluster_server_bad_yaml),
		cmocka_unit_test(unit__config_in_cluster__env_token_ca_namespace),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
