/* pn/plan_sign.h — plans only podnet-controller can write: an Ed25519
 * signature over (Pod UID, sequence number, exact plan text), carried in the
 * annotation podnet.dev/plan-signature beside podnet.dev/plan.
 *
 * Signed message (bytes):
 *   "podnet.dev/plan v1\n" UID "\n" SEQ "\n" PLAN
 * with SEQ in decimal and PLAN the exact podnet.dev/plan annotation text.
 * The UID binds the plan to one Pod object (a plan copied to another Pod, or
 * to a new Pod of the same name, does not verify); SEQ orders the plans of
 * one Pod (an older plan put back does not win over a newer one seen).
 *
 * Annotation value:  v1.<keyid>.<seq>.<signature>
 *   keyid      16 lowercase hex digits: the first 8 bytes of SHA-256 of the
 *              raw 32-byte public key
 *   seq        decimal, 1 .. 2^64-1, no leading zero
 *   signature  the 64-byte Ed25519 signature in standard base64 (88 chars)
 *
 * Keys: the private key is PKCS#8 PEM (Secret podnet-system/podnet-plan-key,
 * data key "private.pem"); public keys are SubjectPublicKeyInfo PEM, listed
 * in the ConfigMap podnet-system/podnet-plan-keys as data "<keyid>": PEM.
 *
 * Pure computation on memory (OpenSSL libcrypto EVP), no I/O. */
#ifndef PN_PLAN_SIGN_H
#define PN_PLAN_SIGN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define PN_ANNOTATION_PLAN_SIGNATURE "podnet.dev/plan-signature"
#define PN_PLAN_KEY_NAMESPACE        "podnet-system"
#define PN_PLAN_KEY_SECRET           "podnet-plan-key"
#define PN_PLAN_KEY_SECRET_FIELD     "private.pem"
#define PN_PLAN_KEYS_CONFIGMAP       "podnet-plan-keys"

#define PN_PLAN_KEYID_LEN     16   /* hex digits */
#define PN_PLAN_SIG_MAX       160  /* bytes of signature annotation accepted */
#define PN_PLAN_UID_MAX       128  /* bytes of Pod UID accepted */
#define PN_PLAN_KEY_PEM_MAX   4096 /* bytes of one PEM key accepted */
#define PN_PLAN_MAX_KEYS      8    /* public keys in a key ring */

struct pn_plan_key; /* an Ed25519 key: private (can sign) or public only */

/* A new private key. NULL when out of memory or the library fails. */
struct pn_plan_key *pn_plan_key_generate(char *err, size_t errlen);
/* From PEM text (len bytes, need not be NUL-terminated): a PKCS#8 private key
 * when private is nonzero, else a public key. NULL with err filled when the
 * text is not such an Ed25519 key. */
struct pn_plan_key *pn_plan_key_from_pem(const char *pem, size_t len, int private, char *err,
					 size_t errlen);
void pn_plan_key_free(struct pn_plan_key *k);
/* "0123456789abcdef" (lives as long as the key). */
const char *pn_plan_key_id(const struct pn_plan_key *k);
int pn_plan_key_is_private(const struct pn_plan_key *k);
/* New PEM strings (caller frees); NULL on failure or, for the private one,
 * on a public-only key. */
char *pn_plan_key_private_pem(const struct pn_plan_key *k);
char *pn_plan_key_public_pem(const struct pn_plan_key *k);

/* The signature annotation of (uid, seq, plan) with a private key: a new
 * string (caller frees), NULL on bad arguments (seq 0, uid empty, too long
 * or holding a newline) or failure. */
char *pn_plan_sign(const struct pn_plan_key *k, const char *uid, uint64_t seq, const char *plan);

/* A parsed signature annotation. */
struct pn_plan_sig {
	char keyid[PN_PLAN_KEYID_LEN + 1];
	uint64_t seq;
	unsigned char sig[64];
};
/* Parses an annotation value (len bytes). 0, or -EINVAL with err naming
 * what is wrong (field and reason). Never reads past len. */
int pn_plan_sig_parse(const char *text, size_t len, struct pn_plan_sig *out, char *err,
		      size_t errlen);

/* The public keys a verifier trusts. */
struct pn_plan_keyring {
	struct pn_plan_key *v[PN_PLAN_MAX_KEYS];
	size_t n;
};
void pn_plan_keyring_clear(struct pn_plan_keyring *r);
/* Adds a copy of k's public part (a key already there is not added twice).
 * 0, or -ENOSPC / -ENOMEM. */
int pn_plan_keyring_add(struct pn_plan_keyring *r, const struct pn_plan_key *k);
/* Adds the keys of a ConfigMap's data object ({"<keyid>": PEM}). Entries
 * whose name is not the key's own id, or that are not Ed25519 public keys,
 * are skipped and the first such problem is put in err (err[0] stays 0 when
 * every entry loaded). Returns the number of keys added, or -errno. */
int pn_plan_keyring_load_configmap(struct pn_plan_keyring *r, const json_t *data, char *err,
				   size_t errlen);
const struct pn_plan_key *pn_plan_keyring_find(const struct pn_plan_keyring *r, const char *keyid);

/* Verifies that sig_text (the podnet.dev/plan-signature annotation, NULL
 * when absent) signs plan (the exact podnet.dev/plan text) for the Pod uid
 * with a key of the ring. 0 with *seq (may be NULL) and *keyid (may be NULL,
 * PN_PLAN_KEYID_LEN+1 bytes) filled; -EINVAL (absent or malformed),
 * -ENOKEY (no key of the ring has that id) or -EBADMSG (the signature does
 * not match this Pod and text), each with err saying why in a sentence. */
int pn_plan_verify(const struct pn_plan_keyring *r, const char *uid, const char *plan,
		   const char *sig_text, uint64_t *seq, char *keyid, char *err, size_t errlen);

#endif
