/* execcred.h: exec credential plugins (users[].user.exec of a kubeconfig),
 * the client.authentication.k8s.io protocol, versions v1beta1 and v1.
 *
 * The plugin is `command` with `args`, run without a shell and without a
 * terminal: the environment is ours plus the stanza's `env` plus
 * KUBERNETES_EXEC_INFO, an ExecCredential whose spec says interactive=false
 * (and, with provideClusterInfo, the cluster). It prints an ExecCredential
 * on stdout: status.token, or status.clientCertificateData and
 * clientKeyData (PEM), and optionally status.expirationTimestamp (RFC 3339).
 * stdout is capped, the run has a deadline, and a failure becomes one line
 * naming the kubeconfig user, the command, the exit status and the start of
 * the plugin's stderr. Caching is the config's (config.c). */
#ifndef PN_KUBE_EXECCRED_H
#define PN_KUBE_EXECCRED_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#define PN_KUBE_EXEC_MAX_OUT (1u << 20)   /* plugin stdout cap */
#define PN_KUBE_EXEC_MAX_ERR (64u << 10)  /* plugin stderr kept */
#define PN_KUBE_EXEC_TIMEOUT_MS 30000

struct pn_kube_exec {
	char *user;          /* the kubeconfig user, for messages */
	char *api_version;   /* client.authentication.k8s.io/v1beta1 or /v1 */
	char *command;       /* as given; made absolute when it holds a '/' */
	char **argv;         /* command, args..., NULL */
	char **env;          /* "NAME=value" of the stanza, NULL-terminated */
	char *install_hint;  /* may be NULL */
	char *exec_info;     /* KUBERNETES_EXEC_INFO value (JSON) */
	int timeout_ms;      /* deadline of a run (PN_KUBE_EXEC_TIMEOUT_MS) */
};

struct pn_kube_exec_cred {
	char *token;               /* bearer token, or NULL */
	char *cert, *key;          /* client certificate and key, PEM, or NULL */
	size_t cert_len, key_len;
	time_t expiry;             /* expirationTimestamp; 0: valid for the process */
};

/* Reads an exec stanza (the kubeconfig tree: every scalar is a string).
 * user names the kubeconfig user, dir the directory of the file that defined
 * it (a command holding a '/' is relative to it). cluster is the context's
 * clusters[].cluster (its directory cdir), given to the plugin in
 * spec.cluster when the stanza sets provideClusterInfo. Errors name the
 * field: "users[NAME].user.exec.FIELD: reason". */
int pn_kube_exec_from_kubeconfig(json_t *exec, const char *user, const char *dir,
				 json_t *cluster, const char *cdir,
				 struct pn_kube_exec **out, char *err, size_t errlen);
void pn_kube_exec_free(struct pn_kube_exec *x);

/* Parses what a plugin printed: an ExecCredential of api_version with a
 * token or a certificate and key. Pure (no I/O), for the fuzz harness too. */
int pn_kube_exec_credential_parse(const char *text, size_t len, const char *api_version,
				  struct pn_kube_exec_cred *out, char *err, size_t errlen);
void pn_kube_exec_cred_clear(struct pn_kube_exec_cred *c);

/* Runs the plugin once and parses its credential. -ENOENT when the command
 * is not found (the message carries installHint), -ETIMEDOUT, -EMSGSIZE,
 * -EKEYREJECTED when it failed or printed no valid credential. */
int pn_kube_exec_run(const struct pn_kube_exec *x, struct pn_kube_exec_cred *out,
		     char *err, size_t errlen);

/* RFC 3339 date-time ("2026-12-03T18:40:40Z", fractions and offsets
 * allowed) to seconds since the epoch. */
int pn_kube_rfc3339_parse(const char *s, time_t *out);

#endif
