/* test_plan_sign.c — plan signatures: sign/verify round trip, and every way
 * a signature must fail (other key, other Pod UID, altered text, key not in
 * the ring, bad encodings), the key ring's ConfigMap loader and PEM keys. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "pn/plan_sign.h"

#define UID  "3f2a9c1e-0000-4000-8000-000000000001"
#define UID2 "3f2a9c1e-0000-4000-8000-000000000002"
#define PLAN "{\"v\":1,\"attachments\":[{\"network\":\"default\",\"interface\":\"eth0\",\"gw4\":true}]}"

static void unit__plan_sign__round_trip(void **state)
{
	struct pn_plan_keyring ring = { 0 };
	struct pn_plan_key *k = pn_plan_key_generate(NULL, 0);
	char err[256], keyid[PN_PLAN_KEYID_LEN + 1], *sig;
	uint64_t seq = 0;
	(void)state;

	assert_non_null(k);
	assert_true(pn_plan_key_is_private(k));
	assert_int_equal(strlen(pn_plan_key_id(k)), PN_PLAN_KEYID_LEN);
	sig = pn_plan_sign(k, UID, 7, PLAN);
	assert_non_null(sig);
	assert_int_equal(strncmp(sig, "v1.", 3), 0);
	assert_int_equal(strncmp(sig + 3, pn_plan_key_id(k), PN_PLAN_KEYID_LEN), 0);
	assert_int_equal(strncmp(sig + 3 + PN_PLAN_KEYID_LEN, ".7.", 3), 0);
	assert_int_equal(pn_plan_keyring_add(&ring, k), 0);
	assert_int_equal(pn_plan_keyring_add(&ring, k), 0); /* once */
	assert_int_equal(ring.n, 1);
	assert_false(pn_plan_key_is_private(ring.v[0]));
	assert_int_equal(pn_plan_verify(&ring, UID, PLAN, sig, &seq, keyid, err, sizeof(err)), 0);
	assert_int_equal(seq, 7);
	assert_string_equal(keyid, pn_plan_key_id(k));
	free(sig);
	pn_plan_keyring_clear(&ring);
	pn_plan_key_free(k);
}

static void unit__plan_sign__refused(void **state)
{
	struct pn_plan_keyring ring = { 0 }, other_ring = { 0 };
	struct pn_plan_key *k = pn_plan_key_generate(NULL, 0), *other = pn_plan_key_generate(NULL, 0);
	char err[256], *sig, *forged, *sig_other;
	(void)state;

	assert_non_null(k);
	assert_non_null(other);
	assert_int_equal(pn_plan_keyring_add(&ring, k), 0);
	sig = pn_plan_sign(k, UID, 3, PLAN);
	assert_non_null(sig);

	/* missing */
	assert_int_equal(pn_plan_verify(&ring, UID, PLAN, NULL, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "podnet.dev/plan-signature: missing"));
	/* another Pod's UID (a plan copied to another Pod, or to a new Pod of the same name) */
	assert_int_equal(pn_plan_verify(&ring, UID2, PLAN, sig, NULL, NULL, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not match this Pod (uid " UID2 ")"));
	/* altered text: one byte, or a trailing space */
	{
		char plan[] = PLAN;

		plan[strlen(plan) - 5] = 'x';
		assert_int_equal(pn_plan_verify(&ring, UID, plan, sig, NULL, NULL, err, sizeof(err)), -EBADMSG);
		assert_int_equal(pn_plan_verify(&ring, UID, PLAN " ", sig, NULL, NULL, err, sizeof(err)),
				 -EBADMSG);
	}
	/* a signature of another seq does not verify with the seq changed */
	forged = strdup(sig);
	assert_non_null(forged);
	forged[3 + PN_PLAN_KEYID_LEN + 1] = '4';
	assert_int_equal(pn_plan_verify(&ring, UID, PLAN, forged, NULL, NULL, err, sizeof(err)), -EBADMSG);
	free(forged);
	/* signed by another key: its id is not in the ring */
	sig_other = pn_plan_sign(other, UID, 3, PLAN);
	assert_non_null(sig_other);
	assert_int_equal(pn_plan_verify(&ring, UID, PLAN, sig_other, NULL, NULL, err, sizeof(err)), -ENOKEY);
	assert_non_null(strstr(err, "not listed in ConfigMap podnet-system/podnet-plan-keys"));
	/* another key's signature under our key id */
	forged = strdup(sig_other);
	assert_non_null(forged);
	memcpy(forged + 3, pn_plan_key_id(k), PN_PLAN_KEYID_LEN);
	assert_int_equal(pn_plan_verify(&ring, UID, PLAN, forged, NULL, NULL, err, sizeof(err)), -EBADMSG);
	free(forged);
	/* an empty ring (keys not known yet) verifies nothing */
	assert_int_equal(pn_plan_verify(&other_ring, UID, PLAN, sig, NULL, NULL, err, sizeof(err)), -ENOKEY);
	/* no uid */
	assert_int_equal(pn_plan_verify(&ring, NULL, PLAN, sig, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(pn_plan_verify(&ring, "", PLAN, sig, NULL, NULL, err, sizeof(err)), -EINVAL);
	/* sign refuses bad arguments */
	assert_null(pn_plan_sign(k, UID, 0, PLAN));
	assert_null(pn_plan_sign(k, "a\nb", 1, PLAN));
	assert_null(pn_plan_sign(k, "", 1, PLAN));
	assert_null(pn_plan_sign(ring.v[0], UID, 1, PLAN)); /* public only */
	free(sig);
	free(sig_other);
	pn_plan_keyring_clear(&ring);
	pn_plan_keyring_clear(&other_ring);
	pn_plan_key_free(k);
	pn_plan_key_free(other);
}

static void expect_parse_error(const char *text, const char *what)
{
	struct pn_plan_sig s;
	char err[256];

	assert_int_equal(pn_plan_sig_parse(text, strlen(text), &s, err, sizeof(err)), -EINVAL);
	if (!strstr(err, what))
		fail_msg("parse of \"%s\": error \"%s\" does not mention \"%s\"", text, err, what);
	assert_non_null(strstr(err, "podnet.dev/plan-signature: "));
}

#define B64_64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static void unit__plan_sign__bad_encodings(void **state)
{
	struct pn_plan_sig s;
	char err[256], big[400];
	(void)state;

	assert_int_equal(pn_plan_sig_parse("v1.0123456789abcdef.18446744073709551615." B64_64,
					   strlen("v1.0123456789abcdef.18446744073709551615." B64_64), &s,
					   err, sizeof(err)),
			 0);
	assert_true(s.seq == UINT64_MAX);
	assert_string_equal(s.keyid, "0123456789abcdef");
	expect_parse_error("", "empty");
	expect_parse_error("v2.0123456789abcdef.1." B64_64, "unsupported version");
	expect_parse_error("v1", "unsupported version");
	expect_parse_error("v1.0123456789abcde.1." B64_64, "key id");
	expect_parse_error("v1.0123456789ABCDEF.1." B64_64, "key id");
	expect_parse_error("v1.0123456789abcdef0.1." B64_64, "key id");
	expect_parse_error("v1.0123456789abcdef", "key id");
	expect_parse_error("v1.0123456789abcdef.0." B64_64, "seq");
	expect_parse_error("v1.0123456789abcdef.01." B64_64, "seq");
	expect_parse_error("v1.0123456789abcdef.-1." B64_64, "seq");
	expect_parse_error("v1.0123456789abcdef.." B64_64, "seq");
	expect_parse_error("v1.0123456789abcdef.18446744073709551616." B64_64, "seq");
	expect_parse_error("v1.0123456789abcdef.1", "seq");
	expect_parse_error("v1.0123456789abcdef.1.", "signature");
	expect_parse_error("v1.0123456789abcdef.1.AAAA", "signature");
	expect_parse_error("v1.0123456789abcdef.1." B64_64 "A", "signature");
	/* not-zero pad bits, url-safe alphabet, missing padding */
	expect_parse_error("v1.0123456789abcdef.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB==",
			   "signature");
	expect_parse_error("v1.0123456789abcdef.1.-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
			   "signature");
	expect_parse_error("v1.0123456789abcdef.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			   "signature");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, "v1.", 3);
	expect_parse_error(big, "longer than 160 bytes");
	/* an embedded NUL ends nothing: the length counts */
	assert_int_equal(pn_plan_sig_parse("v1.0123456789abcdef\0.1", 23, &s, err, sizeof(err)), -EINVAL);
}

static void unit__plan_sign__pem_and_configmap(void **state)
{
	struct pn_plan_key *k = pn_plan_key_generate(NULL, 0), *back, *pub;
	struct pn_plan_keyring ring = { 0 };
	char *priv_pem, *pub_pem, err[256], *sig;
	json_t *data;
	(void)state;

	assert_non_null(k);
	priv_pem = pn_plan_key_private_pem(k);
	pub_pem = pn_plan_key_public_pem(k);
	assert_non_null(priv_pem);
	assert_non_null(pub_pem);
	assert_non_null(strstr(priv_pem, "-----BEGIN PRIVATE KEY-----"));
	assert_non_null(strstr(pub_pem, "-----BEGIN PUBLIC KEY-----"));
	back = pn_plan_key_from_pem(priv_pem, strlen(priv_pem), 1, err, sizeof(err));
	assert_non_null(back);
	assert_string_equal(pn_plan_key_id(back), pn_plan_key_id(k));
	pub = pn_plan_key_from_pem(pub_pem, strlen(pub_pem), 0, err, sizeof(err));
	assert_non_null(pub);
	assert_null(pn_plan_key_private_pem(pub));
	/* the wrong kind, garbage, empty */
	assert_null(pn_plan_key_from_pem(pub_pem, strlen(pub_pem), 1, err, sizeof(err)));
	assert_non_null(strstr(err, "private key PEM: not a PKCS#8 private key"));
	assert_null(pn_plan_key_from_pem("hello", 5, 0, err, sizeof(err)));
	assert_null(pn_plan_key_from_pem("", 0, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "empty"));

	/* a ConfigMap: the good entry loads; a misnamed one and a non-key are reported */
	data = json_pack("{ss ss ss si}", pn_plan_key_id(k), pub_pem, "0000000000000000", pub_pem, "zz",
			 "not a key", "n", 3);
	assert_non_null(data);
	assert_int_equal(pn_plan_keyring_load_configmap(&ring, data, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "ConfigMap podnet-system/podnet-plan-keys: data."));
	assert_int_equal(ring.n, 1);
	sig = pn_plan_sign(back, UID, 1, PLAN);
	assert_int_equal(pn_plan_verify(&ring, UID, PLAN, sig, NULL, NULL, err, sizeof(err)), 0);
	free(sig);
	json_decref(data);
	assert_int_equal(pn_plan_keyring_load_configmap(&ring, NULL, err, sizeof(err)), 0);
	data = json_string("x");
	assert_int_equal(pn_plan_keyring_load_configmap(&ring, data, err, sizeof(err)), -EINVAL);
	json_decref(data);
	/* the ring is bounded */
	for (int i = 0; i < PN_PLAN_MAX_KEYS + 2; i++) {
		struct pn_plan_key *x = pn_plan_key_generate(NULL, 0);
		int rc = pn_plan_keyring_add(&ring, x);

		assert_int_equal(rc, ring.n <= PN_PLAN_MAX_KEYS && i < PN_PLAN_MAX_KEYS - 1 ? 0 : -ENOSPC);
		pn_plan_key_free(x);
	}
	assert_int_equal(ring.n, PN_PLAN_MAX_KEYS);
	pn_plan_keyring_clear(&ring);
	free(priv_pem);
	free(pub_pem);
	pn_plan_key_free(k);
	pn_plan_key_free(back);
	pn_plan_key_free(pub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__plan_sign__round_trip),
		cmocka_unit_test(unit__plan_sign__refused),
		cmocka_unit_test(unit__plan_sign__bad_encodings),
		cmocka_unit_test(unit__plan_sign__pem_and_configmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
