/* cert.c — the webhook's CA and serving certificate (OpenSSL libcrypto):
 * EC P-256 keys, SHA-256 signatures, the clock passed in. */
#include "webhook/cert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Certificates start a little in the past: API servers whose clock lags
 * the webhook's must accept them at once. */
#define BACKDATE 300

void pn_cert_material_clear(struct pn_cert_material *m)
{
	free(m->ca_crt);
	free(m->ca_key);
	free(m->tls_crt);
	free(m->tls_key);
	memset(m, 0, sizeof(*m));
}

static void ssl_err(char *err, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(err, len, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* ---- PEM in and out ----------------------------------------------------------- */

static STACK_OF(X509) *certs_read(const char *pem)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *b;
	X509 *x;

	if (!sk || !pem)
		return sk;
	b = BIO_new_mem_buf(pem, -1);
	if (!b)
		return sk;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x))
			X509_free(x);
	ERR_clear_error(); /* the end of the text is an "error" */
	BIO_free(b);
	return sk;
}

static EVP_PKEY *key_read(const char *pem)
{
	EVP_PKEY *k;
	BIO *b;

	if (!pem)
		return NULL;
	b = BIO_new_mem_buf(pem, -1);
	if (!b)
		return NULL;
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	ERR_clear_error();
	BIO_free(b);
	return k;
}

static char *bio_text(BIO *b)
{
	char *p, *s;
	long n = BIO_get_mem_data(b, &p);

	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s) {
		memcpy(s, p, (size_t)n);
		s[n] = 0;
	}
	return s;
}

static char *cert_pem(X509 *const *xs, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (!b)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!PEM_write_bio_X509(b, xs[i]))
			goto out;
	s = bio_text(b);
out:
	BIO_free(b);
	return s;
}

static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;

	if (!b)
		return NULL;
	if (PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		s = bio_text(b);
	BIO_free(b);
	return s;
}

int pn_cert_count(const char *pem)
{
	STACK_OF(X509) *sk = certs_read(pem);
	int n = sk ? sk_X509_num(sk) : 0;

	sk_X509_pop_free(sk, X509_free);
	return n;
}

static int asn1_time_t(const ASN1_TIME *a, time_t *out)
{
	struct tm tm;

	if (!a || !ASN1_TIME_to_tm(a, &tm))
		return -EBADMSG;
	*out = timegm(&tm);
	return 0;
}

static int x509_times(X509 *x, time_t *nb, time_t *na)
{
	if (asn1_time_t(X509_get0_notBefore(x), nb) < 0 || asn1_time_t(X509_get0_notAfter(x), na) < 0)
		return -EBADMSG;
	return 0;
}

int pn_cert_times(const char *pem, time_t *not_before, time_t *not_after)
{
	STACK_OF(X509) *sk = certs_read(pem);
	int r = -EBADMSG;

	if (sk && sk_X509_num(sk) > 0)
		r = x509_times(sk_X509_value(sk, 0), not_before, not_after);
	sk_X509_pop_free(sk, X509_free);
	return r;
}

/* ---- verification ------------------------------------------------------------------ */

static int verify_x509(STACK_OF(X509) *cas, X509 *crt, const char *host, time_t now, char *err,
		       size_t len)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	int r = -ENOMEM;

	if (!st || !ctx)
		goto out;
	for (int i = 0; i < sk_X509_num(cas); i++)
		X509_STORE_add_cert(st, sk_X509_value(cas, i));
	if (!X509_STORE_CTX_init(ctx, st, crt, NULL))
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(vp, now);
	X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_SSL_SERVER);
	if (host && !X509_VERIFY_PARAM_set1_host(vp, host, 0))
		goto out;
	if (X509_verify_cert(ctx) == 1) {
		r = 0;
	} else {
		r = -EKEYREJECTED;
		snprintf(err, len, "%s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	}
out:
	if (r == -ENOMEM)
		snprintf(err, len, "out of memory");
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return r;
}

int pn_cert_verify(const char *bundle, const char *crt, const char *host, time_t now, char *err,
		   size_t len)
{
	STACK_OF(X509) *cas = certs_read(bundle), *leaf = certs_read(crt);
	int r;

	if (!cas || !sk_X509_num(cas) || !leaf || !sk_X509_num(leaf)) {
		snprintf(err, len, "%s", !cas || !sk_X509_num(cas) ? "no CA certificate" :
				"no certificate");
		r = -EBADMSG;
	} else {
		r = verify_x509(cas, sk_X509_value(leaf, 0), host, now, err, len);
	}
	sk_X509_pop_free(cas, X509_free);
	sk_X509_pop_free(leaf, X509_free);
	return r;
}

/* ---- the decision ---------------------------------------------------------------------- */

/* Less than fraction of [nb, na] left at now (or not yet valid). */
static bool due(X509 *x, time_t now, double fraction)
{
	time_t nb, na;

	if (x509_times(x, &nb, &na) < 0 || na <= nb || now < nb)
		return true;
	return (double)(na - now) < fraction * (double)(na - nb);
}

static bool expired(X509 *x, time_t now)
{
	time_t nb, na;

	return x509_times(x, &nb, &na) < 0 || now >= na;
}

static bool key_matches(X509 *x, EVP_PKEY *k)
{
	bool ok = k && X509_check_private_key(x, k) == 1;

	ERR_clear_error();
	return ok;
}

static bool is_ca(X509 *x)
{
	return X509_check_ca(x) >= 1;
}

int pn_cert_check(const struct pn_cert_material *m, const struct pn_cert_policy *p, time_t now,
		  char *why, size_t len)
{
	STACK_OF(X509) *cas = certs_read(m->ca_crt), *leaf = certs_read(m->tls_crt);
	STACK_OF(X509) *cur = NULL;
	EVP_PKEY *cakey = key_read(m->ca_key), *tlskey = key_read(m->tls_key);
	char ebuf[128], dummy[1];
	int act = 0;

	if (!why) {
		why = dummy;
		len = sizeof(dummy);
	}
	why[0] = 0;
	if (!cas || !sk_X509_num(cas) || !is_ca(sk_X509_value(cas, 0)) ||
	    !key_matches(sk_X509_value(cas, 0), cakey) || expired(sk_X509_value(cas, 0), now)) {
		snprintf(why, len, "no usable CA");
		act = PN_CERT_NEW_CA | PN_CERT_NEW_SERVING;
		goto out;
	}
	for (int i = 1; i < sk_X509_num(cas); i++)
		if (expired(sk_X509_value(cas, i), now)) {
			act |= PN_CERT_DROP_OLD_CA;
			snprintf(why, len, "an older CA expired");
		}
	if (due(sk_X509_value(cas, 0), now, p->renew_fraction)) {
		act |= PN_CERT_NEW_CA;
		snprintf(why, len, "the CA is near its expiry");
	}
	if (!leaf || !sk_X509_num(leaf) || !key_matches(sk_X509_value(leaf, 0), tlskey)) {
		act |= PN_CERT_NEW_SERVING;
		snprintf(why, len, "no usable serving certificate");
		goto out;
	}
	/* the names, the chain to the current CA (or, while a new CA makes its
	 * way to the webhook configuration, to the bundle) and the time left */
	for (size_t i = 0; i < p->n_dns; i++)
		if (X509_check_host(sk_X509_value(leaf, 0), p->dns[i], 0, 0, NULL) != 1) {
			act |= PN_CERT_NEW_SERVING;
			snprintf(why, len, "the serving certificate does not name %s", p->dns[i]);
			goto out;
		}
	cur = sk_X509_new_null();
	if (!cur || !sk_X509_push(cur, sk_X509_value(cas, 0))) {
		act |= PN_CERT_NEW_SERVING;
		goto out;
	}
	if (act & PN_CERT_NEW_CA) {
		/* keep it while it verifies against the bundle */
		if (verify_x509(cas, sk_X509_value(leaf, 0), p->dns[0], now, ebuf, sizeof(ebuf)) < 0 ||
		    due(sk_X509_value(leaf, 0), now, p->renew_fraction))
			act |= PN_CERT_NEW_SERVING;
	} else if (verify_x509(cur, sk_X509_value(leaf, 0), p->dns[0], now, ebuf, sizeof(ebuf)) < 0) {
		act |= PN_CERT_NEW_SERVING;
		snprintf(why, len, "the serving certificate does not verify against the current CA (%s)",
			 ebuf);
	} else if (due(sk_X509_value(leaf, 0), now, p->renew_fraction)) {
		act |= PN_CERT_NEW_SERVING;
		snprintf(why, len, "the serving certificate is near its expiry");
	}
out:
	sk_X509_free(cur); /* borrowed entries */
	sk_X509_pop_free(cas, X509_free);
	sk_X509_pop_free(leaf, X509_free);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(tlskey);
	return act;
}

/* ---- making certificates ------------------------------------------------------------------ */

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		return -EINVAL;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -ENOMEM;
}

/* A certificate for key k named cn, valid validity seconds from now -
 * BACKDATE, signed by issuer/ikey (self-signed when issuer is NULL). */
static X509 *make_cert(EVP_PKEY *k, const char *cn, bool ca, const char *san, X509 *issuer,
		       EVP_PKEY *ikey, time_t now, double validity)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	bool ok = false;

	if (!x || !name || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f; /* positive */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) || !X509_set_version(x, 2) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
					0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
	    !X509_time_adj_ex(X509_getm_notBefore(x), 0, -BACKDATE, &now) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)(validity / 86400),
			      (long)((long long)validity % 86400), &now) ||
	    !X509_set_pubkey(x, k))
		goto out;
	if (add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash") < 0)
		goto out;
	if (ca) {
		if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") < 0 ||
		    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature") < 0)
			goto out;
	} else if (add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
		   add_ext(x, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment") < 0 ||
		   add_ext(x, issuer, NID_ext_key_usage, "serverAuth") < 0 ||
		   add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") < 0 ||
		   add_ext(x, issuer, NID_subject_alt_name, san) < 0) {
		goto out;
	}
	if (!X509_sign(x, ikey ? ikey : k, EVP_sha256()))
		goto out;
	ok = true;
out:
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int set_str(char **dst, char *s)
{
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int pn_cert_apply(struct pn_cert_material *m, const struct pn_cert_policy *p, time_t now,
		  int actions, char *err, size_t len)
{
	STACK_OF(X509) *cas = NULL;
	EVP_PKEY *cakey = NULL, *k = NULL;
	X509 *x = NULL, *bundle[2];
	char san[1024];
	size_t off = 0;
	int r = -ENOMEM, n;

	err[0] = 0;
	if (!p->n_dns) {
		snprintf(err, len, "no DNS name");
		return -EINVAL;
	}
	cas = certs_read(m->ca_crt);
	if (!cas)
		goto fail;
	if (actions & PN_CERT_NEW_CA) {
		X509 *old = sk_X509_num(cas) ? sk_X509_value(cas, 0) : NULL;
		char cn[128];

		cakey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		snprintf(cn, sizeof(cn), "podnet-webhook-ca@%lld", (long long)now);
		x = cakey ? make_cert(cakey, cn, true, NULL, NULL, NULL, now, p->ca_validity) : NULL;
		if (!x)
			goto fail;
		bundle[0] = x;
		n = 1;
		if (old && !expired(old, now) && is_ca(old))
			bundle[n++] = old;
		if (set_str(&m->ca_crt, cert_pem(bundle, (size_t)n)) < 0 ||
		    set_str(&m->ca_key, key_pem(cakey)) < 0)
			goto fail;
		X509_free(x);
		x = NULL;
		sk_X509_pop_free(cas, X509_free);
		cas = certs_read(m->ca_crt);
		if (!cas)
			goto fail;
	} else if (actions & PN_CERT_DROP_OLD_CA) {
		X509 *keep[8];

		n = 0;
		for (int i = 0; i < sk_X509_num(cas) && n < 8; i++)
			if (i == 0 || !expired(sk_X509_value(cas, i), now))
				keep[n++] = sk_X509_value(cas, i);
		if (set_str(&m->ca_crt, cert_pem(keep, (size_t)n)) < 0)
			goto fail;
	}
	if (actions & PN_CERT_NEW_SERVING) {
		if (!sk_X509_num(cas) || !(cakey || (cakey = key_read(m->ca_key)))) {
			snprintf(err, len, "no CA to sign with");
			r = -EINVAL;
			goto fail;
		}
		for (size_t i = 0; i < p->n_dns && off < sizeof(san); i++) {
			int w = snprintf(san + off, sizeof(san) - off, "%sDNS:%s", i ? "," : "",
					 p->dns[i]);
			if (w < 0 || (size_t)w >= sizeof(san) - off) {
				snprintf(err, len, "too many DNS names");
				r = -EINVAL;
				goto fail;
			}
			off += (size_t)w;
		}
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		x = k ? make_cert(k, p->dns[0], false, san, sk_X509_value(cas, 0), cakey, now,
				  p->cert_validity) : NULL;
		if (!x)
			goto fail;
		if (set_str(&m->tls_crt, cert_pem(&x, 1)) < 0 || set_str(&m->tls_key, key_pem(k)) < 0)
			goto fail;
	}
	r = 0;
fail:
	if (r == -ENOMEM && !err[0])
		ssl_err(err, len, "cannot make the certificate");
	X509_free(x);
	EVP_PKEY_free(k);
	EVP_PKEY_free(cakey);
	sk_X509_pop_free(cas, X509_free);
	return r;
}
