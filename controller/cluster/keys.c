/* keys.c — the plan signing key, made by podnet itself. When this replica
 * becomes leader, before it reads or writes any plan:
 *   1. the Secret podnet-system/podnet-plan-key holds the Ed25519 private
 *      key (PEM): GET; 404 -> generate and create; 409 (another replica
 *      created it meanwhile) -> GET again and use that one;
 *   2. the ConfigMap podnet-system/podnet-plan-keys lists its public key
 *      ("<keyid>": PEM): created, or updated to add it (other keys listed
 *      stay: plans they signed are still trusted until an operator removes
 *      them, see docs/operations.md);
 *   3. the key ring (every valid key of the ConfigMap, ours included) is what
 *      plans are checked against at rebuild and in every observation.
 * Any other failure is retried every 2 s; leadership waits for it. */
#include "cluster/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "kube/ops.h"
#include "pn/plan_sign.h"

static void get_secret(struct pn_ctl *ctl);
static void get_configmap(struct pn_ctl *ctl);

static ev_timer retry_timer;
static void (*keys_done)(struct pn_ctl *ctl);

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	get_secret(w->data);
}

static void retry(struct pn_ctl *ctl)
{
	ev_timer_stop(ctl->loop, &retry_timer);
	ev_timer_init(&retry_timer, retry_cb, 2.0, 0.0);
	retry_timer.data = ctl;
	ev_timer_start(ctl->loop, &retry_timer);
}

static void fail(struct pn_ctl *ctl, const char *what, int rc, const struct pn_kube_status *st)
{
	pn_ctl_log(ctl, 0, "plan signing key: %s: %s (%s); retrying in 2 s", what, strerror(-rc),
		   st && st->message[0] ? st->message : "-");
	retry(ctl);
}

/* Secret data is base64; the PEM inside is ASCII. */
static char *b64_decode(const char *in, size_t *outlen)
{
	size_t n = strlen(in);
	unsigned char *out;
	int k;

	if (n == 0 || n % 4 || n > 4 * PN_PLAN_KEY_PEM_MAX)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	k = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (k < 0) {
		free(out);
		return NULL;
	}
	if (in[n - 1] == '=')
		k--;
	if (in[n - 2] == '=')
		k--;
	out[k] = 0;
	*outlen = (size_t)k;
	return (char *)out;
}

/* ---- the ConfigMap ------------------------------------------------------------------ */

static void cm_written(void *ud, int rc, const struct pn_kube_status *st, json_t *body);

static void use_configmap(struct pn_ctl *ctl, json_t *data)
{
	char err[256];
	int n;

	pn_plan_keyring_clear(&ctl->plan_keys);
	n = pn_plan_keyring_load_configmap(&ctl->plan_keys, data, err, sizeof(err));
	if (err[0])
		pn_ctl_log(ctl, 0, "%s", err);
	if (!pn_plan_keyring_find(&ctl->plan_keys, pn_plan_key_id(ctl->plan_key))) {
		/* ours is not trusted by the agents otherwise; the ring is full */
		pn_plan_keyring_clear(&ctl->plan_keys);
		pn_plan_keyring_add(&ctl->plan_keys, ctl->plan_key);
		n = 1;
	}
	pn_ctl_log(ctl, 0, "plan signing key %s; %d key(s) trusted (ConfigMap %s/%s)",
		   pn_plan_key_id(ctl->plan_key), n > 0 ? n : 1, PN_PLAN_KEY_NAMESPACE,
		   PN_PLAN_KEYS_CONFIGMAP);
	ev_timer_stop(ctl->loop, &retry_timer);
	keys_done(ctl);
}

static void cm_got(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_ctl *ctl = ud;
	const char *id = pn_plan_key_id(ctl->plan_key);
	char *pem = pn_plan_key_public_pem(ctl->plan_key);
	json_t *obj = NULL, *data;
	int r;

	if (!pem) {
		fail(ctl, "encoding the public key", -ENOMEM, NULL);
		return;
	}
	if (rc == -PN_KUBE_ENOTFOUND) {
		obj = json_pack("{ss ss s{ss ss s{ss}} s{ss}}", "apiVersion", "v1", "kind", "ConfigMap",
				"metadata", "name", PN_PLAN_KEYS_CONFIGMAP, "namespace",
				PN_PLAN_KEY_NAMESPACE, "labels", "app.kubernetes.io/part-of", "podnet",
				"data", id, pem);
		r = obj ? pn_kube_create(ctl->c, &pn_kube_res_configmaps, PN_PLAN_KEY_NAMESPACE, obj,
					 cm_written, ctl)
			: -ENOMEM;
	} else if (rc == 0) {
		data = json_object_get(body, "data");
		if (json_is_string(json_object_get(data, id)) &&
		    !strcmp(json_string_value(json_object_get(data, id)), pem)) {
			free(pem);
			use_configmap(ctl, data);
			return;
		}
		obj = json_deep_copy(body);
		if (obj && !json_is_object(json_object_get(obj, "data")))
			json_object_set_new(obj, "data", json_object());
		if (obj)
			json_object_set_new(json_object_get(obj, "data"), id, json_string(pem));
		/* the resourceVersion of the GET makes it a compare-and-swap */
		r = obj ? pn_kube_update(ctl->c, &pn_kube_res_configmaps, PN_PLAN_KEY_NAMESPACE, obj,
					 NULL, cm_written, ctl)
			: -ENOMEM;
	} else {
		free(pem);
		fail(ctl, "reading ConfigMap " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEYS_CONFIGMAP, rc, st);
		return;
	}
	json_decref(obj);
	free(pem);
	if (r < 0)
		fail(ctl, "writing ConfigMap " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEYS_CONFIGMAP, r, NULL);
}

static void cm_written(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_ctl *ctl = ud;

	if (rc == 0) {
		use_configmap(ctl, json_object_get(body, "data"));
	} else if (rc == -PN_KUBE_EEXISTS || rc == -PN_KUBE_ECONFLICT) {
		get_configmap(ctl); /* changed meanwhile: read it again */
	} else {
		fail(ctl, "writing ConfigMap " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEYS_CONFIGMAP, rc, st);
	}
}

static void get_configmap(struct pn_ctl *ctl)
{
	int r = pn_kube_get(ctl->c, &pn_kube_res_configmaps, PN_PLAN_KEY_NAMESPACE,
			    PN_PLAN_KEYS_CONFIGMAP, cm_got, ctl);

	if (r < 0)
		fail(ctl, "reading ConfigMap " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEYS_CONFIGMAP, r, NULL);
}

/* ---- the Secret --------------------------------------------------------------------- */

static void secret_created(void *ud, int rc, const struct pn_kube_status *st, json_t *body);

static void secret_got(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_ctl *ctl = ud;
	char err[256];

	if (rc == 0) {
		const char *b64 = json_string_value(
			json_object_get(json_object_get(body, "data"), PN_PLAN_KEY_SECRET_FIELD));
		size_t n = 0;
		char *pem = b64 ? b64_decode(b64, &n) : NULL;
		struct pn_plan_key *k = pem ? pn_plan_key_from_pem(pem, n, 1, err, sizeof(err)) : NULL;

		if (pem)
			OPENSSL_cleanse(pem, n);
		free(pem);
		if (!k) {
			/* never overwritten: an operator put it there; they fix or delete it */
			pn_ctl_log(ctl, 0, "Secret %s/%s: data.%s: %s; delete the Secret to have a new "
				   "key made; retrying in 2 s", PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEY_SECRET,
				   PN_PLAN_KEY_SECRET_FIELD, b64 ? (pem ? err : "not base64") : "missing");
			retry(ctl);
			return;
		}
		pn_plan_key_free(ctl->plan_key);
		ctl->plan_key = k;
		get_configmap(ctl);
	} else if (rc == -PN_KUBE_ENOTFOUND) {
		struct pn_plan_key *k = pn_plan_key_generate(err, sizeof(err));
		char *pem = k ? pn_plan_key_private_pem(k) : NULL;
		json_t *obj = pem ? json_pack("{ss ss s{ss ss s{ss}} ss s{ss}}", "apiVersion", "v1", "kind",
					     "Secret", "metadata", "name", PN_PLAN_KEY_SECRET, "namespace",
					     PN_PLAN_KEY_NAMESPACE, "labels", "app.kubernetes.io/part-of",
					     "podnet", "type", "Opaque", "stringData",
					     PN_PLAN_KEY_SECRET_FIELD, pem)
				  : NULL;
		int r = obj ? pn_kube_create(ctl->c, &pn_kube_res_secrets, PN_PLAN_KEY_NAMESPACE, obj,
					     secret_created, ctl)
			    : -ENOMEM;

		if (pem)
			OPENSSL_cleanse(pem, strlen(pem));
		free(pem);
		json_decref(obj); /* the request holds its own copy of the body */
		pn_plan_key_free(k); /* read back from the Secret: one source of truth */
		if (r < 0)
			fail(ctl, "creating Secret " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEY_SECRET, r, NULL);
		else
			pn_ctl_log(ctl, 0, "no plan signing key: creating Secret %s/%s with a new one",
				   PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEY_SECRET);
	} else {
		fail(ctl, "reading Secret " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEY_SECRET, rc, st);
	}
}

static void secret_created(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_ctl *ctl = ud;

	if (rc == 0 || rc == -PN_KUBE_EEXISTS || rc == -PN_KUBE_ECONFLICT)
		get_secret(ctl); /* ours, or the other replica won: read what is there */
	else
		fail(ctl, "creating Secret " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEY_SECRET, rc, st);
}

static void get_secret(struct pn_ctl *ctl)
{
	int r = pn_kube_get(ctl->c, &pn_kube_res_secrets, PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEY_SECRET,
			    secret_got, ctl);

	if (r < 0)
		fail(ctl, "reading Secret " PN_PLAN_KEY_NAMESPACE "/" PN_PLAN_KEY_SECRET, r, NULL);
}

void pn_ctl_keys_ensure(struct pn_ctl *ctl, void (*done)(struct pn_ctl *ctl))
{
	keys_done = done;
	get_secret(ctl);
}
