/* tls.c — the Secret podnet-system/podnet-webhook-tls kept good by every
 * replica: read it (404: make it; 409 on create or update: another replica
 * won, read again), renew what pn_cert_check() says, reload the server when
 * the serving certificate changed, and put the CA bundle into every webhook
 * of the ValidatingWebhookConfiguration when it differs. */
#include "webhook/webhook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "kube/ops.h"
#include "kube/status.h"

static const struct pn_kube_resource res_secrets = { "", "v1", "secrets", 1 };
static const struct pn_kube_resource res_vwc = { "admissionregistration.k8s.io", "v1",
						 "validatingwebhookconfigurations", 0 };

static char *b64_encode(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

/* NULL when absent or not base64. */
static char *b64_decode(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *out;
	int m;

	if (!s || !n || n % 4 || n > 1024 * 1024)
		return NULL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return NULL;
	m = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	if (m < 0) {
		free(out);
		return NULL;
	}
	m -= (s[n - 1] == '=') + (s[n - 2] == '=');
	out[m] = 0;
	if (strlen(out) != (size_t)m) { /* PEM text holds no NUL */
		free(out);
		return NULL;
	}
	return out;
}

static void material_from(json_t *secret, struct pn_cert_material *m)
{
	json_t *d = json_object_get(secret, "data");

	m->ca_crt = b64_decode(json_string_value(json_object_get(d, "ca.crt")));
	m->ca_key = b64_decode(json_string_value(json_object_get(d, "ca.key")));
	m->tls_crt = b64_decode(json_string_value(json_object_get(d, "tls.crt")));
	m->tls_key = b64_decode(json_string_value(json_object_get(d, "tls.key")));
}

static int material_into(json_t *secret, const struct pn_cert_material *m)
{
	const char *keys[4] = { "ca.crt", "ca.key", "tls.crt", "tls.key" };
	const char *vals[4] = { m->ca_crt, m->ca_key, m->tls_crt, m->tls_key };
	json_t *d = json_object();

	if (!d)
		return -ENOMEM;
	for (int i = 0; i < 4; i++) {
		char *e = vals[i] ? b64_encode(vals[i]) : NULL;

		if (!e || json_object_set_new(d, keys[i], json_string(e)) < 0) {
			free(e);
			json_decref(d);
			return -ENOMEM;
		}
		free(e);
	}
	return json_object_set_new(secret, "data", d);
}

static void check_done(struct pn_wh *wh, double next)
{
	wh->tls_busy = false;
	ev_timer_stop(wh->loop, &wh->tls_timer);
	ev_timer_set(&wh->tls_timer, next, 0.);
	ev_timer_start(wh->loop, &wh->tls_timer);
}

static void retry(struct pn_wh *wh)
{
	check_done(wh, wh->served_crt ? 5.0 : 2.0);
}

/* ---- the caBundle -------------------------------------------------------------------- */

static void vwc_patched(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_wh *wh = ud;

	if (rc < 0) {
		pn_wh_log(wh, 0, "caBundle of ValidatingWebhookConfiguration %s not written: %s",
			  wh->vwc, st->message[0] ? st->message : strerror(-rc));
		retry(wh);
		return;
	}
	pn_wh_log(wh, 0, "caBundle of ValidatingWebhookConfiguration %s updated", wh->vwc);
	check_done(wh, wh->check_period);
}

static void vwc_got(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_wh *wh = ud;
	json_t *patch, *hook;
	char *text, path[96];
	size_t i;
	int r;

	if (rc == -PN_KUBE_ENOTFOUND) {
		if (!wh->vwc_missing_said)
			pn_wh_log(wh, 0, "ValidatingWebhookConfiguration %s not found: nothing to "
				  "put the CA bundle into yet", wh->vwc);
		wh->vwc_missing_said = true;
		retry(wh);
		return;
	}
	if (rc < 0) {
		pn_wh_log(wh, 1, "reading ValidatingWebhookConfiguration %s: %s", wh->vwc,
			  st->message[0] ? st->message : strerror(-rc));
		retry(wh);
		return;
	}
	wh->vwc_missing_said = false;
	patch = json_array();
	json_array_foreach(json_object_get(body, "webhooks"), i, hook) {
		json_t *cc = json_object_get(hook, "clientConfig");
		const char *cur = json_string_value(json_object_get(cc, "caBundle"));

		if (!json_is_object(cc) || (cur && !strcmp(cur, wh->bundle_b64)))
			continue;
		/* the test keeps the index meaning the webhook it meant */
		snprintf(path, sizeof(path), "/webhooks/%zu/name", i);
		json_array_append_new(patch, json_pack("{s:s,s:s,s:O}", "op", "test", "path", path,
						       "value", json_object_get(hook, "name")));
		snprintf(path, sizeof(path), "/webhooks/%zu/clientConfig/caBundle", i);
		json_array_append_new(patch, json_pack("{s:s,s:s,s:s}", "op", cur ? "replace" : "add",
						       "path", path, "value", wh->bundle_b64));
	}
	if (!json_array_size(patch)) {
		json_decref(patch);
		check_done(wh, wh->check_period);
		return;
	}
	text = json_dumps(patch, JSON_COMPACT);
	json_decref(patch);
	r = text ? pn_kube_patch(wh->c, &res_vwc, NULL, wh->vwc, NULL, PN_KUBE_PATCH_JSON, text,
				 vwc_patched, wh) : -ENOMEM;
	free(text);
	if (r < 0)
		retry(wh);
}

/* ---- the Secret -------------------------------------------------------------------------- */

static void secret_got(void *ud, int rc, const struct pn_kube_status *st, json_t *body);

static void reread(struct pn_wh *wh)
{
	if (++wh->tls_conflicts > 5) {
		wh->tls_conflicts = 0;
		retry(wh);
		return;
	}
	if (pn_kube_get(wh->c, &res_secrets, wh->ns, wh->secret, secret_got, wh) < 0)
		retry(wh);
}

/* The Secret as it now is: serve it and publish its bundle. */
static void use_secret(struct pn_wh *wh, json_t *secret)
{
	struct pn_cert_material m = { 0 };
	char err[256];

	wh->tls_conflicts = 0;
	material_from(secret, &m);
	if (!m.tls_crt || !m.tls_key || !m.ca_crt) {
		pn_wh_log(wh, 0, "Secret %s/%s incomplete after the write", wh->ns, wh->secret);
		goto fail;
	}
	if (!wh->served_crt || strcmp(wh->served_crt, m.tls_crt) || strcmp(wh->served_key, m.tls_key)) {
		if (pn_wh_server_load(wh->srv, m.tls_crt, m.tls_key, err, sizeof(err)) < 0) {
			pn_wh_log(wh, 0, "cannot serve the certificate of Secret %s/%s: %s", wh->ns,
				  wh->secret, err);
			goto fail;
		}
		free(wh->served_crt);
		free(wh->served_key);
		wh->served_crt = m.tls_crt;
		wh->served_key = m.tls_key;
		m.tls_crt = m.tls_key = NULL;
		pn_wh_server_set_ready(wh->srv, 1);
		pn_wh_log(wh, 0, "serving the certificate of Secret %s/%s (resourceVersion %s)",
			  wh->ns, wh->secret,
			  json_string_value(json_object_get(json_object_get(secret, "metadata"),
							    "resourceVersion")) ?: "?");
	}
	free(wh->bundle_b64);
	wh->bundle_b64 = b64_encode(m.ca_crt);
	pn_cert_material_clear(&m);
	if (!wh->bundle_b64 || pn_kube_get(wh->c, &res_vwc, NULL, wh->vwc, vwc_got, wh) < 0)
		retry(wh);
	return;
fail:
	pn_cert_material_clear(&m);
	retry(wh);
}

static void secret_written(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_wh *wh = ud;

	if (rc == -PN_KUBE_EEXISTS || rc == -PN_KUBE_ECONFLICT) {
		pn_wh_log(wh, 1, "Secret %s/%s written by another replica meanwhile: reading it",
			  wh->ns, wh->secret);
		reread(wh);
		return;
	}
	if (rc < 0) {
		pn_wh_log(wh, 0, "cannot write Secret %s/%s: %s", wh->ns, wh->secret,
			  st->message[0] ? st->message : strerror(-rc));
		retry(wh);
		return;
	}
	use_secret(wh, body);
}

static void secret_got(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_wh *wh = ud;
	struct pn_cert_material m = { 0 };
	json_t *obj = NULL;
	char why[256], err[256];
	int act, r;

	if (rc < 0 && rc != -PN_KUBE_ENOTFOUND) {
		pn_wh_log(wh, 0, "cannot read Secret %s/%s: %s", wh->ns, wh->secret,
			  st->message[0] ? st->message : strerror(-rc));
		retry(wh);
		return;
	}
	if (rc == 0)
		material_from(body, &m);
	act = pn_cert_check(&m, &wh->policy, time(NULL), why, sizeof(why));
	if (!act) {
		pn_cert_material_clear(&m);
		use_secret(wh, body);
		return;
	}
	pn_wh_log(wh, 0, "Secret %s/%s: %s: %s%s%s", wh->ns, wh->secret, rc ? "absent" : why,
		  act & PN_CERT_NEW_CA ? "new CA " : "",
		  act & PN_CERT_NEW_SERVING ? "new serving certificate " : "",
		  act & PN_CERT_DROP_OLD_CA ? "expired CA dropped" : "");
	r = pn_cert_apply(&m, &wh->policy, time(NULL), act, err, sizeof(err));
	if (r < 0) {
		pn_wh_log(wh, 0, "cannot make the certificates: %s", err);
		goto fail;
	}
	if (rc == 0) {
		obj = json_deep_copy(body);
		json_object_del(obj, "stringData");
	} else {
		obj = json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s}},s:s}", "apiVersion", "v1", "kind",
				"Secret", "metadata", "name", wh->secret, "namespace", wh->ns,
				"labels", "app.kubernetes.io/name", "podnet-webhook", "type",
				"kubernetes.io/tls");
	}
	if (!obj || material_into(obj, &m) < 0)
		goto fail;
	/* an update carries the resourceVersion read: two replicas renewing at
	 * once conflict, and the loser reads what the winner wrote */
	r = rc == 0 ? pn_kube_update(wh->c, &res_secrets, wh->ns, obj, NULL, secret_written, wh) :
		      pn_kube_create(wh->c, &res_secrets, wh->ns, obj, secret_written, wh);
	json_decref(obj);
	pn_cert_material_clear(&m);
	if (r < 0)
		retry(wh);
	return;
fail:
	json_decref(obj);
	pn_cert_material_clear(&m);
	retry(wh);
}

static void tls_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_wh *wh = w->data;

	if (wh->tls_busy)
		return;
	wh->tls_busy = true;
	wh->tls_conflicts = 0;
	if (pn_kube_get(wh->c, &res_secrets, wh->ns, wh->secret, secret_got, wh) < 0)
		retry(wh);
}

void pn_wh_tls_start(struct pn_wh *wh)
{
	ev_timer_init(&wh->tls_timer, tls_timer_cb, 0., 0.);
	wh->tls_timer.data = wh;
	ev_timer_start(wh->loop, &wh->tls_timer);
}
