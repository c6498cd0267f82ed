/* config.h: where the API server is and how to authenticate to it.
 *
 * Sources, as kubectl resolves them:
 *   1. an explicit --kubeconfig file (only that file; it must exist);
 *   2. otherwise $KUBECONFIG, a ':'-separated list of files, merged: for
 *      current-context, and for each named cluster, user and context, the first
 *      file that sets it wins; missing files are skipped;
 *   3. otherwise ~/.kube/config.
 * The context is the explicit one (--context) or current-context. Relative
 * paths inside a file are relative to that file's directory.
 *
 * In-cluster: KUBERNETES_SERVICE_HOST/PORT and the service account's token,
 * ca.crt and namespace. The token file is re-read when it changes (rotation).
 *
 * Exec credential plugins (users[].user.exec, see execcred.h): the plugin
 * runs when a credential is first needed, and its credential is kept for the
 * process until its expirationTimestamp (without one, for the process's
 * life); it runs again once expired, and once after the API server answers
 * 401 to it (as client-go does). Unsupported authentication (auth-provider,
 * username/password) is an error naming the field.
 *
 * Which configuration a program uses: pn_kube_config_resolve(), one rule
 * for every podnet program (see there). */
#ifndef PN_KUBE_CONFIG_H
#define PN_KUBE_CONFIG_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "kube/buf.h"
#include "kube/execcred.h"

#define PN_KUBE_CONFIG_MAX_FILE (4u << 20)  /* kubeconfig, cert, key, token */

struct pn_kube_config {
	char *server;       /* https://host:port (no trailing slash) */
	char *ca_file;      /* certificate-authority */
	char *ca_data;      /* certificate-authority-data, decoded PEM */
	size_t ca_data_len;
	char *cert_file, *key_file;   /* client-certificate, client-key */
	char *cert_data, *key_data;   /* ...-data, decoded PEM */
	size_t cert_data_len, key_data_len;
	char *token;        /* bearer token (static, or the last read of token_file) */
	char *token_file;   /* tokenFile / service account token, re-read on change */
	int insecure;       /* insecure-skip-tls-verify */
	char *ns;           /* the context's namespace, "default" when unset */
	char *context;      /* the context used (NULL in-cluster) */
	/* token_file change detection */
	dev_t tok_dev;
	ino_t tok_ino;
	struct timespec tok_mtime;
	off_t tok_size;
	/* exec credential plugin (NULL without one) and its cached credential;
	 * guarded by one process-wide lock, see pn_kube_config_auth() */
	struct pn_kube_exec *exec;
	struct pn_kube_exec_cred cred;
	int cred_ok;
	unsigned long cred_gen;     /* bumped at every run of the plugin */
	unsigned long exec_runs;    /* runs so far (tests, logs) */
	double fail_until;          /* after a failed run: the same error until then */
	char *fail_msg;
};

/* Where the configuration comes from, in order (the first that applies):
 *   programs run by people (PN_KUBE_CONFIG_CLI, podnetctl, as kubectl):
 *     --kubeconfig, $KUBECONFIG, ~/.kube/config, the in-cluster service
 *     account;
 *   daemons (PN_KUBE_CONFIG_DAEMON, the controller, webhook and agent, as
 *   client-go's controller-runtime): --kubeconfig, $KUBECONFIG, the
 *   in-cluster service account when running in a Pod, ~/.kube/config.
 * "In a Pod" means KUBERNETES_SERVICE_HOST is set. A --context with no
 * kubeconfig file is an error, not a reason to use the service account. */
enum pn_kube_config_who { PN_KUBE_CONFIG_CLI, PN_KUBE_CONFIG_DAEMON };

/* Finds and loads the configuration by the rule above, then fetches its
 * first credential (so a failing exec plugin is reported now, not at the
 * first request). explicit_path and context may be NULL. *source (if given,
 * srclen bytes) says what was used: "--kubeconfig FILE", "$KUBECONFIG",
 * "~/.kube/config" or "in-cluster". On failure returns -errno and writes
 * one line into err. */
int pn_kube_config_resolve(enum pn_kube_config_who who, const char *explicit_path,
			   const char *context, struct pn_kube_config **out,
			   char *source, size_t srclen, char *err, size_t errlen);

/* The credential to send with one request: copies made under the lock, so
 * any thread may ask. token is the bearer token (NULL: none); cert/key are a
 * client certificate from an exec plugin (NULL: the config's own). gen tells
 * pn_kube_config_auth_reject() which credential a 401 was for. */
struct pn_kube_auth {
	char *token;
	char *cert, *key;
	size_t cert_len, key_len;
	unsigned long gen;
	int from_exec;
};
/* Fills *a (clear it with pn_kube_auth_clear). Runs the exec plugin when
 * there is no valid credential; one run at a time, other callers wait for
 * it. -errno and a line in err when the plugin fails. */
int pn_kube_config_auth(struct pn_kube_config *cfg, struct pn_kube_auth *a, char *err, size_t errlen);
/* The API server answered 401 to credential gen: forget it, so the next
 * pn_kube_config_auth() runs the plugin again (once per credential). */
void pn_kube_config_auth_reject(struct pn_kube_config *cfg, unsigned long gen);
void pn_kube_auth_clear(struct pn_kube_auth *a);

/* Loads a kubeconfig with kubectl's precedence. explicit_path and context may
 * be NULL. On failure returns -errno and writes a one-line reason into err. */
int pn_kube_config_load(const char *explicit_path, const char *context,
			struct pn_kube_config **out, char *err, size_t errlen);

/* In-cluster configuration; sa_dir NULL means the standard
 * /var/run/secrets/kubernetes.io/serviceaccount. */
int pn_kube_config_in_cluster(const char *sa_dir, struct pn_kube_config **out,
			      char *err, size_t errlen);

/* The static bearer token to send now (re-reads token_file if it changed
 * since the last read); NULL when the config has no token. The string stays
 * valid until the next call; not for exec plugins, and not locked: programs
 * use pn_kube_config_auth(). */
const char *pn_kube_config_token(struct pn_kube_config *cfg);

void pn_kube_config_free(struct pn_kube_config *cfg);

/* Tests: the service account directory pn_kube_config_resolve() uses
 * (NULL: the standard one). */
void pn_kube_config_set_sa_dir(const char *dir);

#endif
