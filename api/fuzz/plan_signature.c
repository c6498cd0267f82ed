/* plan_signature.c — libFuzzer harness for the podnet.dev/plan-signature
 * annotation (outside input: anyone who may edit a Pod can write it). The
 * parser on the raw bytes, then verification of a fixed plan against a
 * fixed key ring with the input as the annotation. Checks: a parse that
 * succeeds gives a 16-hex-digit key id and a seq from 1; every refusal has
 * a message; what verifies parsed and names the ring's key and its seq
 * (only the seed signed with the key's private half can). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/plan_sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c))                                                       \
			abort();                                                \
	} while (0)

/* A public key (its private half signed the seed corpus), so the
 * verifier reaches the signature check for inputs naming its id. */
static const char PUB[] = "-----BEGIN PUBLIC KEY-----\n"
			  "MCowBQYDK2VwAyEAI6F/i0JoRHJyLIy60cGkMk29Y5/zD/Y4XiQ72Sr+Unk=\n"
			  "-----END PUBLIC KEY-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pn_plan_keyring ring;
	static int init;
	struct pn_plan_sig s;
	char err[256], *text;
	int r;

	if (!init) {
		struct pn_plan_key *k = pn_plan_key_from_pem(PUB, sizeof(PUB) - 1, 0, err, sizeof(err));

		CHECK(k);
		CHECK(pn_plan_keyring_add(&ring, k) == 0);
		pn_plan_key_free(k);
		init = 1;
	}
	err[0] = 0;
	r = pn_plan_sig_parse((const char *)data, size, &s, err, sizeof(err));
	if (r == 0) {
		CHECK(strlen(s.keyid) == PN_PLAN_KEYID_LEN && s.seq >= 1);
		CHECK(size <= PN_PLAN_SIG_MAX);
	} else {
		CHECK(r == -EINVAL && err[0]);
	}
	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	err[0] = 0;
	{
		char keyid[PN_PLAN_KEYID_LEN + 1];
		uint64_t seq = 0;
		int parsed = pn_plan_sig_parse(text, strlen(text), &s, NULL, 0) == 0;

		r = pn_plan_verify(&ring, "3f2a9c1e-0000-4000-8000-000000000001",
				   "{\"v\":1,\"attachments\":[]}", text, &seq, keyid, err, sizeof(err));
		if (r == 0)
			CHECK(parsed && seq == s.seq && !strcmp(keyid, pn_plan_key_id(ring.v[0])));
		else
			CHECK(err[0]);
	}
	/* the same text as a public key PEM */
	{
		struct pn_plan_key *k = pn_plan_key_from_pem(text, size, 0, err, sizeof(err));

		if (k)
			CHECK(strlen(pn_plan_key_id(k)) == PN_PLAN_KEYID_LEN);
		pn_plan_key_free(k);
	}
	free(text);
	return 0;
}
