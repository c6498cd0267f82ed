/* test_review.c — decoding AdmissionReview v1 requests and encoding answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "webhook/review.h"

/* A review text with ' for " (readable in C). */
static char *q(const char *s)
{
	char *t = strdup(s);

	for (char *p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

static int decode(const char *text, struct pn_wh_review *rv, char *err)
{
	char *t = q(text);
	int r = pn_wh_review_decode(t, strlen(t), rv, err, 256);

	free(t);
	return r;
}

#define HEAD "{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':"

static void unit__review__pod_create_decoded(void **state)
{
	struct pn_wh_review rv;
	char err[256];

	(void)state;
	assert_int_equal(decode(HEAD "{'uid':'u-1','kind':{'group':'','version':'v1','kind':'Pod'},"
			 "'resource':{'group':'','version':'v1','resource':'pods'},'namespace':'t',"
			 "'operation':'CREATE','userInfo':{'username':'alice','groups':['a','b']},"
			 "'object':{'metadata':{'name':'p'}},'oldObject':null,'dryRun':true}}",
			 &rv, err), 0);
	assert_string_equal(rv.uid, "u-1");
	assert_string_equal(rv.group, "");
	assert_string_equal(rv.kind, "Pod");
	assert_string_equal(rv.namespace, "t");
	assert_string_equal(rv.name, "");
	assert_string_equal(rv.sub_resource, "");
	assert_int_equal(rv.op, PN_WH_CREATE);
	assert_string_equal(rv.username, "alice");
	assert_int_equal(json_array_size(rv.groups), 2);
	assert_non_null(rv.object);
	assert_null(rv.old_object);
	assert_true(rv.dry_run);
	pn_wh_review_clear(&rv);
}

static void unit__review__delete_without_object(void **state)
{
	struct pn_wh_review rv;
	char err[256];

	(void)state;
	assert_int_equal(decode(HEAD "{'uid':'u','kind':{'group':'podnet.dev','kind':'PodNetwork'},"
			 "'name':'default','operation':'DELETE','oldObject':{}}}", &rv, err), 0);
	assert_int_equal(rv.op, PN_WH_DELETE);
	assert_string_equal(rv.name, "default");
	assert_null(rv.object);
	assert_string_equal(rv.username, "");
	pn_wh_review_clear(&rv);
}

static void unit__review__bad_reviews_say_the_field(void **state)
{
	static const struct { const char *text, *err; bool uid; } cases[] = {
		{ "not json", "not JSON", false },
		{ "[]", "apiVersion", false },
		{ "{'apiVersion':'admission.k8s.io/v1beta1','kind':'AdmissionReview'}", "apiVersion", false },
		{ "{'apiVersion':'admission.k8s.io/v1','kind':'Pod'}", "kind", false },
		{ HEAD "3}", "request: required", false },
		{ HEAD "{'kind':{'kind':'Pod'}}}", "request.uid", false },
		{ HEAD "{'uid':7}}", "request.uid", false },
		{ HEAD "{'uid':'u','operation':'CREATE'}}", "request.kind", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'PATCH'}}", "request.operation", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'CREATE','object':{},"
		  "'userInfo':{'groups':'x'}}}", "request.userInfo.groups", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'CREATE','object':{},"
		  "'userInfo':{'groups':[1]}}}", "request.userInfo.groups", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'CREATE'}}", "request.object", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'UPDATE','object':{}}}",
		  "request.oldObject", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'CREATE','object':[]}}",
		  "request.object", true },
		{ HEAD "{'uid':'u','kind':{'kind':'Pod'},'operation':'CREATE','object':{},'dryRun':1}}",
		  "request.dryRun", true },
		{ HEAD "{'uid':'u','uid':'v'}}", "not JSON", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pn_wh_review rv;
		char err[256];

		assert_int_equal(decode(cases[i].text, &rv, err), -EBADMSG);
		if (!strstr(err, cases[i].err))
			fail_msg("case %zu: \"%s\" does not say %s", i, err, cases[i].err);
		if (cases[i].uid)
			assert_string_equal(rv.uid, "u");
		else
			assert_null(rv.uid);
		pn_wh_review_clear(&rv);
	}
}

static void unit__review__size_capped(void **state)
{
	struct pn_wh_review rv;
	char err[256];

	(void)state;
	assert_int_equal(pn_wh_review_decode("{}", PN_WH_MAX_BODY + 1, &rv, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "more than"));
	assert_null(rv.root);
}

static void unit__review__answer_echoes_uid(void **state)
{
	char *a = pn_wh_review_answer("u-9", false, 403, "metadata.annotations[podnet.dev/plan]: x");
	json_t *j = json_loads(a, 0, NULL), *r = json_object_get(j, "response");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(j, "apiVersion")), "admission.k8s.io/v1");
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "AdmissionReview");
	assert_string_equal(json_string_value(json_object_get(r, "uid")), "u-9");
	assert_true(json_is_false(json_object_get(r, "allowed")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "status"), "code")), 403);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "status"), "reason")),
			    "Forbidden");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "status"), "message")),
			    "metadata.annotations[podnet.dev/plan]: x");
	json_decref(j);
	free(a);
	a = pn_wh_review_answer("u-1", true, 200, NULL);
	j = json_loads(a, 0, NULL);
	r = json_object_get(j, "response");
	assert_true(json_is_true(json_object_get(r, "allowed")));
	assert_null(json_object_get(r, "status"));
	json_decref(j);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__review__pod_create_decoded),
		cmocka_unit_test(unit__review__delete_without_object),
		cmocka_unit_test(unit__review__bad_reviews_say_the_field),
		cmocka_unit_test(unit__review__size_capped),
		cmocka_unit_test(unit__review__answer_echoes_uid),
	};

	return cmocka_run_group_tests_name("webhook_review", tests, NULL, NULL);
}
