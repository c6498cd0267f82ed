/* plan_sign.c — Ed25519 signatures of plans (pn/plan_sign.h), through
 * OpenSSL libcrypto's EVP interface. Memory only: PEM is read from and
 * written to memory BIOs. */
#include "pn/plan_sign.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#define MSG_PREFIX "podnet.dev/plan v1\n"
#define SIG_B64_LEN 88 /* 64 bytes */

struct pn_plan_key {
	EVP_PKEY *pkey;
	int private;
	char id[PN_PLAN_KEYID_LEN + 1];
};

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Fills k->id from the raw public key. */
static int key_finish(struct pn_plan_key *k)
{
	unsigned char raw[32], dig[SHA256_DIGEST_LENGTH];
	size_t n = sizeof(raw);
	static const char hex[] = "0123456789abcdef";

	if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1 || n != sizeof(raw))
		return -EINVAL;
	if (!EVP_Digest(raw, n, dig, NULL, EVP_sha256(), NULL))
		return -EINVAL;
	for (int i = 0; i < PN_PLAN_KEYID_LEN / 2; i++) {
		k->id[2 * i] = hex[dig[i] >> 4];
		k->id[2 * i + 1] = hex[dig[i] & 15];
	}
	k->id[PN_PLAN_KEYID_LEN] = 0;
	return 0;
}

struct pn_plan_key *pn_plan_key_generate(char *err, size_t errlen)
{
	struct pn_plan_key *k = calloc(1, sizeof(*k));
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);

	if (!k || !ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &k->pkey) != 1 ||
	    key_finish(k) < 0) {
		seterr(err, errlen, "cannot generate an Ed25519 key");
		EVP_PKEY_CTX_free(ctx);
		pn_plan_key_free(k);
		return NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	k->private = 1;
	return k;
}

struct pn_plan_key *pn_plan_key_from_pem(const char *pem, size_t len, int private, char *err,
					 size_t errlen)
{
	struct pn_plan_key *k;
	BIO *b;

	if (!pem || len == 0 || len > PN_PLAN_KEY_PEM_MAX) {
		seterr(err, errlen, "%s key PEM: %s", private ? "private" : "public",
		       !pem || !len ? "empty" : "longer than 4096 bytes");
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	b = BIO_new_mem_buf(pem, (int)len);
	if (!k || !b) {
		seterr(err, errlen, "out of memory");
		free(k);
		BIO_free(b);
		return NULL;
	}
	k->pkey = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)
			  : PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!k->pkey) {
		seterr(err, errlen, "%s key PEM: not a %s key in PEM form", private ? "private" : "public",
		       private ? "PKCS#8 private" : "SubjectPublicKeyInfo public");
		pn_plan_key_free(k);
		return NULL;
	}
	if (EVP_PKEY_get_id(k->pkey) != EVP_PKEY_ED25519 || key_finish(k) < 0) {
		seterr(err, errlen, "%s key PEM: not an Ed25519 key", private ? "private" : "public");
		pn_plan_key_free(k);
		return NULL;
	}
	k->private = !!private;
	return k;
}

void pn_plan_key_free(struct pn_plan_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *pn_plan_key_id(const struct pn_plan_key *k)
{
	return k->id;
}

int pn_plan_key_is_private(const struct pn_plan_key *k)
{
	return k->private;
}

static char *bio_string(BIO *b)
{
	char *data, *out;
	long n = BIO_get_mem_data(b, &data);

	if (n <= 0 || !(out = malloc((size_t)n + 1)))
		return NULL;
	memcpy(out, data, (size_t)n);
	out[n] = 0;
	return out;
}

char *pn_plan_key_private_pem(const struct pn_plan_key *k)
{
	BIO *b;
	char *out = NULL;

	if (!k->private || !(b = BIO_new(BIO_s_mem())))
		return NULL;
	if (PEM_write_bio_PrivateKey(b, k->pkey, NULL, NULL, 0, NULL, NULL) == 1)
		out = bio_string(b);
	BIO_free(b);
	return out;
}

char *pn_plan_key_public_pem(const struct pn_plan_key *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *out = NULL;

	if (!b)
		return NULL;
	if (PEM_write_bio_PUBKEY(b, k->pkey) == 1)
		out = bio_string(b);
	BIO_free(b);
	return out;
}

/* ---- the message ------------------------------------------------------------------ */

static int uid_ok(const char *uid)
{
	size_t n;

	if (!uid || !(n = strlen(uid)) || n > PN_PLAN_UID_MAX)
		return 0;
	for (const char *p = uid; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return 0;
	return 1;
}

static unsigned char *message(const char *uid, uint64_t seq, const char *plan, size_t *len)
{
	char num[24];
	size_t lu = strlen(uid), ln, lp = strlen(plan), lpre = strlen(MSG_PREFIX);
	unsigned char *m;

	snprintf(num, sizeof(num), "%" PRIu64, seq);
	ln = strlen(num);
	*len = lpre + lu + 1 + ln + 1 + lp;
	m = malloc(*len ? *len : 1);
	if (!m)
		return NULL;
	memcpy(m, MSG_PREFIX, lpre);
	memcpy(m + lpre, uid, lu);
	m[lpre + lu] = '\n';
	memcpy(m + lpre + lu + 1, num, ln);
	m[lpre + lu + 1 + ln] = '\n';
	memcpy(m + lpre + lu + 1 + ln + 1, plan, lp);
	return m;
}

char *pn_plan_sign(const struct pn_plan_key *k, const char *uid, uint64_t seq, const char *plan)
{
	unsigned char sig[64], *msg;
	unsigned char b64[SIG_B64_LEN + 1];
	size_t mlen, slen = sizeof(sig);
	EVP_MD_CTX *ctx;
	char *out = NULL;
	int ok;

	if (!k || !k->private || !uid_ok(uid) || seq == 0 || !plan)
		return NULL;
	msg = message(uid, seq, plan, &mlen);
	ctx = EVP_MD_CTX_new();
	ok = msg && ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &slen, msg, mlen) == 1 && slen == sizeof(sig);
	EVP_MD_CTX_free(ctx);
	free(msg);
	if (!ok || EVP_EncodeBlock(b64, sig, sizeof(sig)) != SIG_B64_LEN)
		return NULL;
	if (asprintf(&out, "v1.%s.%" PRIu64 ".%s", k->id, seq, (const char *)b64) < 0)
		return NULL;
	return out;
}

/* ---- the annotation ---------------------------------------------------------------- */

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict: exactly 88 characters, "==" at the end, zero pad bits. */
static int b64_sig(const char *s, size_t n, unsigned char out[64])
{
	size_t o = 0;

	if (n != SIG_B64_LEN || s[86] != '=' || s[87] != '=')
		return -1;
	for (size_t i = 0; i < 84; i += 4) {
		int a = b64val((unsigned char)s[i]), b = b64val((unsigned char)s[i + 1]);
		int c = b64val((unsigned char)s[i + 2]), d = b64val((unsigned char)s[i + 3]);

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		out[o++] = (unsigned char)(a << 2 | b >> 4);
		out[o++] = (unsigned char)((b & 15) << 4 | c >> 2);
		out[o++] = (unsigned char)((c & 3) << 6 | d);
	}
	{
		int a = b64val((unsigned char)s[84]), b = b64val((unsigned char)s[85]);

		if (a < 0 || b < 0 || (b & 15))
			return -1;
		out[o++] = (unsigned char)(a << 2 | b >> 4);
	}
	return o == 64 ? 0 : -1;
}

int pn_plan_sig_parse(const char *text, size_t len, struct pn_plan_sig *out, char *err,
		      size_t errlen)
{
	const char *p = text, *end = text + len, *dot;
	uint64_t seq = 0;

	memset(out, 0, sizeof(*out));
	if (!text || len == 0) {
		seterr(err, errlen, "%s: empty", PN_ANNOTATION_PLAN_SIGNATURE);
		return -EINVAL;
	}
	if (len > PN_PLAN_SIG_MAX) {
		seterr(err, errlen, "%s: longer than %d bytes", PN_ANNOTATION_PLAN_SIGNATURE,
		       PN_PLAN_SIG_MAX);
		return -EINVAL;
	}
	if (len < 3 || memcmp(p, "v1.", 3) != 0) {
		seterr(err, errlen, "%s: unsupported version (want \"v1.<keyid>.<seq>.<signature>\")",
		       PN_ANNOTATION_PLAN_SIGNATURE);
		return -EINVAL;
	}
	p += 3;
	dot = memchr(p, '.', (size_t)(end - p));
	if (!dot || dot - p != PN_PLAN_KEYID_LEN) {
		seterr(err, errlen, "%s: key id: not %d hex digits", PN_ANNOTATION_PLAN_SIGNATURE,
		       PN_PLAN_KEYID_LEN);
		return -EINVAL;
	}
	for (int i = 0; i < PN_PLAN_KEYID_LEN; i++) {
		char c = p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			seterr(err, errlen, "%s: key id: not %d lowercase hex digits",
			       PN_ANNOTATION_PLAN_SIGNATURE, PN_PLAN_KEYID_LEN);
			return -EINVAL;
		}
		out->keyid[i] = c;
	}
	p = dot + 1;
	dot = memchr(p, '.', (size_t)(end - p));
	if (!dot || dot == p || dot - p > 20 || (*p == '0')) {
		seterr(err, errlen, "%s: seq: not a decimal number from 1 without leading zero",
		       PN_ANNOTATION_PLAN_SIGNATURE);
		return -EINVAL;
	}
	for (; p < dot; p++) {
		unsigned d;

		if (*p < '0' || *p > '9') {
			seterr(err, errlen, "%s: seq: not a decimal number", PN_ANNOTATION_PLAN_SIGNATURE);
			return -EINVAL;
		}
		d = (unsigned)(*p - '0');
		if (seq > (UINT64_MAX - d) / 10) {
			seterr(err, errlen, "%s: seq: larger than 2^64-1", PN_ANNOTATION_PLAN_SIGNATURE);
			return -EINVAL;
		}
		seq = seq * 10 + d;
	}
	out->seq = seq;
	p = dot + 1;
	if (b64_sig(p, (size_t)(end - p), out->sig) < 0) {
		seterr(err, errlen, "%s: signature: not 64 bytes in standard base64 (88 characters)",
		       PN_ANNOTATION_PLAN_SIGNATURE);
		return -EINVAL;
	}
	return 0;
}

/* ---- key rings and verification ------------------------------------------------------- */

void pn_plan_keyring_clear(struct pn_plan_keyring *r)
{
	for (size_t i = 0; i < r->n; i++)
		pn_plan_key_free(r->v[i]);
	r->n = 0;
}

const struct pn_plan_key *pn_plan_keyring_find(const struct pn_plan_keyring *r, const char *keyid)
{
	for (size_t i = 0; keyid && i < r->n; i++)
		if (!strcmp(r->v[i]->id, keyid))
			return r->v[i];
	return NULL;
}

int pn_plan_keyring_add(struct pn_plan_keyring *r, const struct pn_plan_key *k)
{
	unsigned char raw[32];
	size_t n = sizeof(raw);
	struct pn_plan_key *c;

	if (pn_plan_keyring_find(r, k->id))
		return 0;
	if (r->n == PN_PLAN_MAX_KEYS)
		return -ENOSPC;
	if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, n))) {
		free(c);
		return -ENOMEM;
	}
	memcpy(c->id, k->id, sizeof(c->id));
	r->v[r->n++] = c;
	return 0;
}

int pn_plan_keyring_load_configmap(struct pn_plan_keyring *r, const json_t *data, char *err,
				   size_t errlen)
{
	const char *name;
	json_t *v;
	int added = 0;

	if (err && errlen)
		err[0] = 0;
	if (!data)
		return 0;
	if (!json_is_object(data)) {
		seterr(err, errlen, "ConfigMap %s/%s: data is not an object", PN_PLAN_KEY_NAMESPACE,
		       PN_PLAN_KEYS_CONFIGMAP);
		return -EINVAL;
	}
	json_object_foreach((json_t *)data, name, v) {
		char e2[160];
		struct pn_plan_key *k;
		int rc;

		if (!json_is_string(v)) {
			if (err && !err[0])
				seterr(err, errlen, "ConfigMap %s/%s: data.%.40s: not a string",
				       PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEYS_CONFIGMAP, name);
			continue;
		}
		k = pn_plan_key_from_pem(json_string_value(v), json_string_length(v), 0, e2, sizeof(e2));
		if (!k || strcmp(k->id, name) != 0) {
			if (err && !err[0])
				seterr(err, errlen, "ConfigMap %s/%s: data.%.40s: %s", PN_PLAN_KEY_NAMESPACE,
				       PN_PLAN_KEYS_CONFIGMAP, name,
				       k ? "the entry's name is not the key's id" : e2);
			pn_plan_key_free(k);
			continue;
		}
		rc = pn_plan_keyring_add(r, k);
		pn_plan_key_free(k);
		if (rc == -ENOSPC) {
			if (err && !err[0])
				seterr(err, errlen, "ConfigMap %s/%s: more than %d keys; the rest ignored",
				       PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEYS_CONFIGMAP, PN_PLAN_MAX_KEYS);
			break;
		}
		if (rc < 0)
			return rc;
		added++;
	}
	return added;
}

int pn_plan_verify(const struct pn_plan_keyring *r, const char *uid, const char *plan,
		   const char *sig_text, uint64_t *seq, char *keyid, char *err, size_t errlen)
{
	struct pn_plan_sig s;
	const struct pn_plan_key *k;
	unsigned char *msg;
	size_t mlen;
	EVP_MD_CTX *ctx;
	int ok;

	if (!plan) {
		seterr(err, errlen, "no plan");
		return -EINVAL;
	}
	if (!sig_text) {
		seterr(err, errlen, "%s: missing: the plan is not signed by podnet-controller",
		       PN_ANNOTATION_PLAN_SIGNATURE);
		return -EINVAL;
	}
	if (pn_plan_sig_parse(sig_text, strlen(sig_text), &s, err, errlen) < 0)
		return -EINVAL;
	if (!uid_ok(uid)) {
		seterr(err, errlen, "the Pod has no usable metadata.uid to check the signature against");
		return -EINVAL;
	}
	k = pn_plan_keyring_find(r, s.keyid);
	if (!k) {
		seterr(err, errlen, "%s: signed with key %s, which is not listed in ConfigMap %s/%s",
		       PN_ANNOTATION_PLAN_SIGNATURE, s.keyid, PN_PLAN_KEY_NAMESPACE,
		       PN_PLAN_KEYS_CONFIGMAP);
		return -ENOKEY;
	}
	msg = message(uid, s.seq, plan, &mlen);
	ctx = EVP_MD_CTX_new();
	ok = msg && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, s.sig, sizeof(s.sig), msg, mlen) == 1;
	EVP_MD_CTX_free(ctx);
	free(msg);
	if (!ok) {
		seterr(err, errlen, "%s: the signature (key %s, seq %" PRIu64 ") does not match this "
		       "Pod (uid %s) and plan text", PN_ANNOTATION_PLAN_SIGNATURE, s.keyid, s.seq, uid);
		return -EBADMSG;
	}
	if (seq)
		*seq = s.seq;
	if (keyid)
		memcpy(keyid, s.keyid, sizeof(s.keyid));
	return 0;
}
