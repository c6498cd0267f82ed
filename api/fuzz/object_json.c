/* object_json.c — libFuzzer harness for API-server objects: JSON text
 * (pn_json_load) decoded into the model by kind, validated, defaulted and
 * encoded back. Checks: encoding keeps every top-level field of the input
 * (unknown fields are never dropped), and decode+default+encode of the
 * encoding gives the same JSON again. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/doc.h"
#include "pn/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c))                                                       \
			abort();                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_problems ps = { 0 };
	struct pn_object o = { 0 }, o2 = { 0 };
	json_t *j = NULL, *enc = NULL, *enc2 = NULL;
	const char *k;
	json_t *v;
	int r;

	r = pn_json_load((const char *)data, size, NULL, &j, &ps);
	if (r < 0)
		goto cleanup;
	r = pn_object_decode(j, NULL, &o, &ps);
	if (r < 0 || o.kind == PN_KIND_UNKNOWN || !o.u.any)
		goto cleanup;
	if (pn_object_validate(&o, &ps) < 0)
		goto cleanup;
	pn_object_default(&o);
	enc = pn_object_encode(&o);
	if (o.kind == PN_KIND_POD) {
		CHECK(!enc);
		goto cleanup;
	}
	CHECK(enc);
	json_object_foreach (j, k, v)
		CHECK(json_object_get(enc, k));
	if (ps.n)
		goto cleanup; /* a round trip is only promised for clean objects */
	r = pn_object_decode(enc, NULL, &o2, &ps);
	CHECK(r == 0 && o2.kind == o.kind);
	pn_object_default(&o2);
	enc2 = pn_object_encode(&o2);
	CHECK(enc2 && json_equal(enc, enc2));
cleanup:
	json_decref(enc);
	json_decref(enc2);
	json_decref(j);
	pn_object_release(&o);
	pn_object_release(&o2);
	pn_problems_clear(&ps);
	return 0;
}
