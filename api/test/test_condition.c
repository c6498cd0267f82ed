/* test_condition.c — metav1.Condition lists, RFC 3339 times, JSON form. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pn/condition.h"

#define T0 1764363600 /* 2025-11-28T21:00:00Z */

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &err);

	if (!j)
		fail_msg("bad test JSON: %s", err.text);
	return j;
}

static void unit__condition__reason_format(void **state)
{
	char *big;

	(void)state;
	assert_true(pn_condition_reason_valid("Ready"));
	assert_true(pn_condition_reason_valid("A"));
	assert_true(pn_condition_reason_valid("Params_Not,Ready:X_"));
	assert_true(pn_condition_reason_valid("AdministrativelyDisabled"));
	assert_true(pn_condition_reason_valid("a1"));
	assert_false(pn_condition_reason_valid(""));
	assert_false(pn_condition_reason_valid(NULL));
	assert_false(pn_condition_reason_valid("1Ready"));
	assert_false(pn_condition_reason_valid("_Ready"));
	assert_false(pn_condition_reason_valid("Ready,"));
	assert_false(pn_condition_reason_valid("Ready:"));
	assert_false(pn_condition_reason_valid("Not Ready"));
	assert_false(pn_condition_reason_valid("Not-Ready"));
	assert_false(pn_condition_reason_valid("Ready."));
	big = malloc(PN_CONDITION_REASON_MAX + 2);
	assert_non_null(big);
	memset(big, 'R', PN_CONDITION_REASON_MAX);
	big[PN_CONDITION_REASON_MAX] = '\0';
	assert_true(pn_condition_reason_valid(big));
	big[PN_CONDITION_REASON_MAX] = 'R';
	big[PN_CONDITION_REASON_MAX + 1] = '\0';
	assert_false(pn_condition_reason_valid(big));
	free(big);
}

static void unit__condition__type_and_message(void **state)
{
	char *big;

	(void)state;
	assert_true(pn_condition_type_valid("Ready"));
	assert_true(pn_condition_type_valid("InUse"));
	assert_true(pn_condition_type_valid("podnet.dev/Attached"));
	assert_true(pn_condition_type_valid("Params-Ready_2.x"));
	assert_false(pn_condition_type_valid(""));
	assert_false(pn_condition_type_valid("-Ready"));
	assert_false(pn_condition_type_valid("Ready-"));
	assert_false(pn_condition_type_valid("Not Ready"));
	assert_false(pn_condition_type_valid("Podnet.dev/Ready")); /* prefix must be lower case */
	assert_false(pn_condition_type_valid("podnet.dev/"));
	assert_false(pn_condition_type_valid("/Ready"));
	assert_false(pn_condition_type_valid("a/b/c"));

	assert_true(pn_condition_message_valid(""));
	assert_true(pn_condition_message_valid("all parameters resolved: caf\xc3\xa9"));
	assert_false(pn_condition_message_valid("bad \xc3"));
	assert_false(pn_condition_message_valid("overlong \xc0\xaf"));
	assert_false(pn_condition_message_valid("surrogate \xed\xa0\x80"));
	assert_false(pn_condition_message_valid(NULL));
	big = malloc(PN_CONDITION_MESSAGE_MAX + 2);
	assert_non_null(big);
	memset(big, 'm', PN_CONDITION_MESSAGE_MAX);
	big[PN_CONDITION_MESSAGE_MAX] = '\0';
	assert_true(pn_condition_message_valid(big));
	big[PN_CONDITION_MESSAGE_MAX] = 'm';
	big[PN_CONDITION_MESSAGE_MAX + 1] = '\0';
	assert_false(pn_condition_message_valid(big));
	free(big);
}

static void unit__condition__status_strings(void **state)
{
	enum pn_condition_status s;

	(void)state;
	assert_string_equal(pn_condition_status_str(PN_CONDITION_TRUE), "True");
	assert_string_equal(pn_condition_status_str(PN_CONDITION_FALSE), "False");
	assert_string_equal(pn_condition_status_str(PN_CONDITION_UNKNOWN), "Unknown");
	assert_int_equal(pn_condition_status_parse("False", &s), 0);
	assert_int_equal(s, PN_CONDITION_FALSE);
	assert_int_equal(pn_condition_status_parse("true", &s), -EINVAL);
	assert_int_equal(pn_condition_status_parse("", &s), -EINVAL);
}

static void unit__condition__set_new_and_noop(void **state)
{
	struct pn_conditions l = { .n = 0 };
	const struct pn_condition *c;

	(void)state;
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "Ready", NULL, 3, T0), 1);
	assert_int_equal(l.n, 1);
	c = pn_conditions_find(&l, "Ready");
	assert_non_null(c);
	assert_int_equal(c->status, PN_CONDITION_TRUE);
	assert_string_equal(c->reason, "Ready");
	assert_string_equal(c->message, "");
	assert_int_equal(c->observed_generation, 3);
	assert_int_equal(c->last_transition_time, T0);
	/* the same again, later: nothing changes, not even the time */
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "Ready", "", 3, T0 + 60),
			 0);
	assert_int_equal(c->last_transition_time, T0);
	assert_null(pn_conditions_find(&l, "InUse"));
	assert_int_equal(pn_conditions_status(&l, "InUse"), PN_CONDITION_UNKNOWN);
	assert_int_equal(pn_conditions_status(&l, "Ready"), PN_CONDITION_TRUE);
	pn_conditions_clear(&l);
	assert_int_equal(l.n, 0);
	pn_conditions_clear(NULL);
}

static void unit__condition__transition_time_only_on_status_change(void **state)
{
	struct pn_conditions l = { .n = 0 };
	const struct pn_condition *c;

	(void)state;
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "Ready", "", 1, T0), 1);
	/* reason and message change, status stays: changed, time kept */
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "StillReady", "ok", 1,
					   T0 + 10),
			 1);
	c = pn_conditions_find(&l, "Ready");
	assert_string_equal(c->reason, "StillReady");
	assert_string_equal(c->message, "ok");
	assert_int_equal(c->last_transition_time, T0);
	/* observedGeneration alone: changed, time kept */
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "StillReady", "ok", 2,
					   T0 + 20),
			 1);
	assert_int_equal(c->observed_generation, 2);
	assert_int_equal(c->last_transition_time, T0);
	/* status changes: time moves */
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_FALSE,
					   "AdministrativelyDisabled", "disabled", 3, T0 + 30),
			 1);
	assert_int_equal(c->status, PN_CONDITION_FALSE);
	assert_int_equal(c->last_transition_time, T0 + 30);
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_FALSE,
					   "AdministrativelyDisabled", "disabled", 3, T0 + 40),
			 0);
	assert_int_equal(c->last_transition_time, T0 + 30);
	pn_conditions_clear(&l);
}

static void unit__condition__at_most_five(void **state)
{
	struct pn_conditions l = { .n = 0 };
	static const char *types[] = { "Ready", "ParamsReady", "InUse", "A", "B" };

	(void)state;
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(pn_conditions_set(&l, types[i], PN_CONDITION_TRUE, "R", NULL, 0, T0),
				 1);
	assert_int_equal(l.n, 5);
	assert_int_equal(pn_conditions_set(&l, "Sixth", PN_CONDITION_TRUE, "R", NULL, 0, T0),
			 -ENOSPC);
	assert_int_equal(l.n, 5);
	assert_null(pn_conditions_find(&l, "Sixth"));
	/* an existing type can still be updated */
	assert_int_equal(pn_conditions_set(&l, "B", PN_CONDITION_FALSE, "R", NULL, 0, T0 + 1), 1);
	/* after removing one, a new type fits again, at the end */
	assert_int_equal(pn_conditions_remove(&l, "InUse"), 1);
	assert_int_equal(pn_conditions_remove(&l, "InUse"), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].type, "Ready");
	assert_string_equal(l.v[1].type, "ParamsReady");
	assert_string_equal(l.v[2].type, "A");
	assert_string_equal(l.v[3].type, "B");
	assert_int_equal(pn_conditions_set(&l, "Sixth", PN_CONDITION_TRUE, "R", NULL, 0, T0), 1);
	assert_string_equal(l.v[4].type, "Sixth");
	pn_conditions_clear(&l);
}

static void unit__condition__set_refuses_invalid(void **state)
{
	struct pn_conditions l = { .n = 0 };

	(void)state;
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "", NULL, 0, T0), -EINVAL);
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "Bad reason", NULL, 0, T0),
			 -EINVAL);
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, NULL, NULL, 0, T0),
			 -EINVAL);
	assert_int_equal(pn_conditions_set(&l, "", PN_CONDITION_TRUE, "R", NULL, 0, T0), -EINVAL);
	assert_int_equal(pn_conditions_set(&l, "Ready", (enum pn_condition_status)7, "R", NULL, 0, T0),
			 -EINVAL);
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "R", "\xff", 0, T0),
			 -EINVAL);
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "R", NULL, -1, T0),
			 -EINVAL);
	assert_int_equal(l.n, 0);
}

static void unit__condition__time_format(void **state)
{
	char buf[PN_RFC3339_LEN];
	char small[10];

	(void)state;
	assert_int_equal(pn_time_format_rfc3339(0, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(pn_time_format_rfc3339(T0, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "2025-11-28T21:00:00Z");
	assert_int_equal(pn_time_format_rfc3339(951782400, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(pn_time_format_rfc3339(-1, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(pn_time_format_rfc3339(253402300799LL, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_int_equal(pn_time_format_rfc3339(-62167219200LL, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
	assert_int_equal(pn_time_format_rfc3339(253402300800LL, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(pn_time_format_rfc3339(-62167219201LL, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(pn_time_format_rfc3339(INT64_MAX, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(pn_time_format_rfc3339(INT64_MIN, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(pn_time_format_rfc3339(0, small, sizeof(small)), -ENOSPC);
}

static void unit__condition__time_roundtrip_every_day(void **state)
{
	char buf[PN_RFC3339_LEN];
	int64_t back;

	(void)state;
	/* every day from 1900 to 2200 at 12:34:56 */
	for (int64_t d = -25567; d < 84000; d++) {
		int64_t t = d * 86400 + 45296;
		assert_int_equal(pn_time_format_rfc3339(t, buf, sizeof(buf)), 20);
		assert_int_equal(pn_time_parse_rfc3339(buf, &back), 0);
		assert_int_equal(back, t);
	}
}

static void unit__condition__time_parse(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(pn_time_parse_rfc3339("2025-11-28T21:00:00Z", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(pn_time_parse_rfc3339("2025-11-28t21:00:00z", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(pn_time_parse_rfc3339("2025-11-28T21:00:00.999999999Z", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(pn_time_parse_rfc3339("2025-11-28T23:30:00+02:30", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(pn_time_parse_rfc3339("2025-11-28T16:00:00-05:00", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(pn_time_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);

	static const char *bad[] = {
		"",
		"2025-11-28",
		"2025-11-28T21:00:00",
		"2025-11-28 21:00:00Z",
		"2025-11-28T21:00Z",
		"2025-13-01T00:00:00Z",
		"2025-00-01T00:00:00Z",
		"2025-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z",
		"2025-11-28T24:00:00Z",
		"2025-11-28T21:60:00Z",
		"2025-11-28T21:00:60Z",
		"2025-11-28T21:00:00.Z",
		"2025-11-28T21:00:00.1234567890Z",
		"2025-11-28T21:00:00+0200",
		"2025-11-28T21:00:00+24:00",
		"2025-11-28T21:00:00Zjunk",
		"+2025-11-28T21:00:00Z",
		"2025-1-28T21:00:00Z",
		"2025-11-28T21:00:00 Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pn_time_parse_rfc3339(bad[i], &t) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void unit__condition__json_roundtrip_keeps_unknown(void **state)
{
	json_t *in = parse(
		"[{\"type\":\"Ready\",\"status\":\"True\",\"observedGeneration\":3,"
		"\"lastTransitionTime\":\"2025-11-28T21:00:00Z\",\"reason\":\"Ready\",\"message\":\"\","
		"\"x-extra\":{\"a\":1}},"
		"{\"type\":\"InUse\",\"status\":\"False\",\"reason\":\"NotInUse\",\"message\":null}]");
	struct pn_conditions l = { .n = 0 };
	json_t *out, *o;

	(void)state;
	assert_int_equal(pn_conditions_from_json(in, &l, NULL, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].last_transition_time, T0);
	assert_int_equal(l.v[0].observed_generation, 3);
	assert_int_equal(l.v[1].status, PN_CONDITION_FALSE);
	assert_int_equal(l.v[1].last_transition_time, 0);
	assert_string_equal(l.v[1].message, "");

	/* an update of Ready keeps the unknown field */
	assert_int_equal(pn_conditions_set(&l, "Ready", PN_CONDITION_TRUE, "Ready", "", 3, T0 + 5), 0);
	assert_int_equal(pn_conditions_set(&l, "InUse", PN_CONDITION_TRUE, "InUse", "", 0, T0 + 5), 1);
	out = pn_conditions_to_json(&l);
	assert_non_null(out);
	assert_int_equal(json_array_size(out), 2);
	o = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "Ready");
	assert_string_equal(json_string_value(json_object_get(o, "lastTransitionTime")),
			    "2025-11-28T21:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(o, "observedGeneration")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "x-extra"), "a")), 1);
	o = json_array_get(out, 1);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "True");
	assert_string_equal(json_string_value(json_object_get(o, "lastTransitionTime")),
			    "2025-11-28T21:00:05Z");
	assert_null(json_object_get(o, "observedGeneration")); /* 0 is omitted */
	assert_string_equal(json_string_value(json_object_get(o, "message")), "");

	/* decoding the output gives the same list back */
	struct pn_conditions l2 = { .n = 0 };
	assert_int_equal(pn_conditions_from_json(out, &l2, NULL, NULL), 0);
	assert_int_equal(l2.n, 2);
	assert_int_equal(l2.v[1].last_transition_time, T0 + 5);
	assert_non_null(l2.v[0].extra);

	/* copies are deep */
	struct pn_conditions l3 = { .n = 0 };
	assert_int_equal(pn_conditions_copy(&l3, &l2), 0);
	assert_int_equal(l3.n, 2);
	assert_ptr_not_equal(l3.v[0].extra, l2.v[0].extra);
	assert_string_equal(l3.v[1].reason, "InUse");

	pn_conditions_clear(&l3);
	pn_conditions_clear(&l2);
	json_decref(out);
	json_decref(in);
	pn_conditions_clear(&l);
}

static void expect_bad(const char *text, const char *path)
{
	json_t *in = parse(text);
	struct pn_conditions l = { .n = 0 };
	struct pn_problems ps = { 0 };

	assert_int_equal(pn_conditions_from_json(in, &l, &ps, "status.conditions"), -EINVAL);
	assert_int_equal(l.n, 0);
	if (ps.n < 1)
		fail_msg("no problem reported for %s", text);
	bool found = false;
	for (size_t i = 0; i < ps.n; i++)
		found = found || strcmp(ps.v[i].path, path) == 0;
	if (!found)
		fail_msg("no problem at %s for %s (first: %s: %s)", path, text, ps.v[0].path,
			 ps.v[0].message);
	pn_problems_clear(&ps);
	json_decref(in);
}

static void unit__condition__json_invalid(void **state)
{
	(void)state;
	expect_bad("{}", "status.conditions");
	expect_bad("[{\"status\":\"True\"},{},{},{},{},{}]", "status.conditions");
	expect_bad("[1]", "status.conditions[0]");
	expect_bad("[{\"status\":\"True\"}]", "status.conditions[0].type");
	expect_bad("[{\"type\":7,\"status\":\"True\"}]", "status.conditions[0].type");
	expect_bad("[{\"type\":\"Ready\"}]", "status.conditions[0].status");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"yes\"}]", "status.conditions[0].status");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"not valid\"}]",
		   "status.conditions[0].reason");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":5}]",
		   "status.conditions[0].reason");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"message\":[]}]",
		   "status.conditions[0].message");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"observedGeneration\":-1}]",
		   "status.conditions[0].observedGeneration");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"observedGeneration\":\"3\"}]",
		   "status.conditions[0].observedGeneration");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"yesterday\"}]",
		   "status.conditions[0].lastTransitionTime");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"Ready\",\"status\":\"False\"}]",
		   "status.conditions[1].type");
	expect_bad("[{\"type\":\"Ready\",\"status\":\"True\",\"message\":\"a\\u0000b\"}]",
		   "status.conditions[0].message");
}

static void unit__condition__json_empty(void **state)
{
	struct pn_conditions l = { .n = 0 };
	json_t *null = json_null(), *arr = json_array(), *out;

	(void)state;
	assert_int_equal(pn_conditions_from_json(NULL, &l, NULL, NULL), 0);
	assert_int_equal(pn_conditions_from_json(null, &l, NULL, NULL), 0);
	assert_int_equal(pn_conditions_from_json(arr, &l, NULL, NULL), 0);
	assert_int_equal(l.n, 0);
	out = pn_conditions_to_json(&l);
	assert_true(json_is_array(out));
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	json_decref(arr);
	json_decref(null);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__condition__reason_format),
		cmocka_unit_test(unit__condition__type_and_message),
		cmocka_unit_test(unit__condition__status_strings),
		cmocka_unit_test(unit__condition__set_new_and_noop),
		cmocka_unit_test(unit__condition__transition_time_only_on_status_change),
		cmocka_unit_test(unit__condition__at_most_five),
		cmocka_unit_test(unit__condition__set_refuses_invalid),
		cmocka_unit_test(unit__condition__time_format),
		cmocka_unit_test(unit__condition__time_roundtrip_every_day),
		cmocka_unit_test(unit__condition__time_parse),
		cmocka_unit_test(unit__condition__json_roundtrip_keeps_unknown),
		cmocka_unit_test(unit__condition__json_invalid),
		cmocka_unit_test(unit__condition__json_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
