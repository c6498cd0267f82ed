/* conditions_json.c — libFuzzer harness for pn_conditions_from_json and the
 * RFC 3339 parser. Beyond "no crash": a list that decodes encodes to JSON
 * that decodes again to the same conditions; a time that parses formats to
 * text that parses to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/condition.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                      \
	do {                          \
		if (!(c))             \
			abort();      \
	} while (0)

static void check_time(const uint8_t *data, size_t size)
{
	char s[80], t[PN_RFC3339_LEN];
	int64_t a, b;

	if (size >= sizeof(s))
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (pn_time_parse_rfc3339(s, &a) != 0)
		return;
	if (pn_time_format_rfc3339(a, t, sizeof(t)) < 0)
		return; /* an offset can move a year-0000/9999 time out of range */
	CHECK(pn_time_parse_rfc3339(t, &b) == 0);
	CHECK(a == b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_conditions l = { .n = 0 }, l2 = { .n = 0 };
	struct pn_problems ps = { 0 };
	json_t *j, *out = NULL;
	int r;

	check_time(data, size);
	if (size > 65536)
		return 0;
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	r = pn_conditions_from_json(j, &l, &ps, "status.conditions");
	CHECK(r == 0 || r == -22 /* EINVAL */ || r == -12 /* ENOMEM */);
	CHECK(r == 0 ? ps.n == 0 : (r != -22 || ps.n > 0));
	if (r == 0) {
		out = pn_conditions_to_json(&l);
		CHECK(out);
		CHECK(pn_conditions_from_json(out, &l2, NULL, NULL) == 0);
		CHECK(l2.n == l.n);
		for (size_t i = 0; i < l.n; i++) {
			CHECK(strcmp(l.v[i].type, l2.v[i].type) == 0);
			CHECK(l.v[i].status == l2.v[i].status);
			CHECK(strcmp(l.v[i].reason, l2.v[i].reason) == 0);
			CHECK(strcmp(l.v[i].message, l2.v[i].message) == 0);
			CHECK(l.v[i].observed_generation == l2.v[i].observed_generation);
		}
	}
	pn_conditions_clear(&l2);
	pn_conditions_clear(&l);
	pn_problems_clear(&ps);
	json_decref(out);
	json_decref(j);
	return 0;
}
