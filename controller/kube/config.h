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
 * Unsupported authentication (exec plugins, auth-provider, username/password)
 * is an error naming the field. */
#ifndef PN_KUBE_CONFIG_H
#define PN_KUBE_CONFIG_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "kube/buf.h"

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
};

/* Loads a kubeconfig with kubectl's precedence. explicit_path and context may
 * be NULL. On failure returns -errno and writes a one-line reason into err. */
int pn_kube_config_load(const char *explicit_path, const char *context,
			struct pn_kube_config **out, char *err, size_t errlen);

/* In-cluster configuration; sa_dir NULL means the standard
 * /var/run/secrets/kubernetes.io/serviceaccount. */
int pn_kube_config_in_cluster(const char *sa_dir, struct pn_kube_config **out,
			      char *err, size_t errlen);

/* The bearer token to send now (re-reads token_file if it changed since the
 * last read); NULL when the config has no token. The string stays valid until
 * the next call. */
const char *pn_kube_config_token(struct pn_kube_config *cfg);

void pn_kube_config_free(struct pn_kube_config *cfg);

#endif
