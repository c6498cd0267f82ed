/* test_selector.c — label selectors (decode, encode, validate, match) and
 * the namespace access rule of a PodNetwork (spec.namespaceSelector). */
#include "test_model_util.h"

static struct pn_label_selector *sel(const char *text, struct pn_problems *ps, int want)
{
	struct pn_label_selector *s = NULL;
	json_t *j = jq(text);

	assert_int_equal(pn_label_selector_decode(j, "spec.namespaceSelector", &s, ps), want);
	json_decref(j);
	return s;
}

static bool matches(const char *selector, const char *labels)
{
	struct pn_problems ps = { 0 };
	struct pn_label_selector *s = sel(selector, &ps, 0);
	json_t *l = labels ? jq(labels) : NULL;
	bool m;

	assert_int_equal(pn_label_selector_validate(s, "spec.namespaceSelector", &ps), 0);
	expect_clean(&ps);
	m = pn_label_selector_matches(s, l);
	json_decref(l);
	pn_label_selector_free(s);
	return m;
}

static void unit__selector__decode_fields(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_label_selector *s =
		sel("{'matchLabels':{'podnet.dev/tenant':'storage','tier':''},"
		    "'matchExpressions':[{'key':'env','operator':'In','values':['prod','staging']},"
		    "{'key':'legacy','operator':'DoesNotExist'}]}", &ps, 0);

	(void)state;
	expect_clean(&ps);
	assert_int_equal(s->n_labels, 2);
	assert_string_equal(s->keys[0], "podnet.dev/tenant");
	assert_string_equal(s->values[0], "storage");
	assert_string_equal(s->values[1], "");
	assert_int_equal(s->n_exprs, 2);
	assert_string_equal(s->exprs[0].key, "env");
	assert_int_equal(s->exprs[0].op, PN_SELECTOR_IN);
	assert_int_equal(s->exprs[0].n_values, 2);
	assert_string_equal(s->exprs[0].values[1], "staging");
	assert_int_equal(s->exprs[1].op, PN_SELECTOR_DOES_NOT_EXIST);
	assert_int_equal(s->exprs[1].n_values, 0);
	pn_label_selector_free(s);
	pn_label_selector_free(NULL);
}

static void unit__selector__decode_type_problems(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_label_selector *s =
		sel("{'matchLabels':{'a':1,'b':'x'},'matchExpressions':[3,{'operator':'In',"
		    "'values':'x'}]}", &ps, 4);

	(void)state;
	expect_problem(&ps, "spec.namespaceSelector.matchLabels.a", "must be a string");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[0]", "must be an object");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[1].key", "is required");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[1].values", "must be a list");
	assert_int_equal(s->n_labels, 1);
	assert_int_equal(s->n_exprs, 1);
	assert_int_equal(s->exprs[0].index, 1);
	pn_label_selector_free(s);
	pn_problems_clear(&ps);

	s = sel("'tenant-a'", &ps, 1);
	assert_null(s);
	expect_only(&ps, "spec.namespaceSelector", "must be an object");
	pn_problems_clear(&ps);

	s = sel("null", &ps, 0);
	assert_null(s);
}

static void unit__selector__validate_problems(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_label_selector *s =
		sel("{'matchLabels':{'Bad Key':'x','ok/-bad':'y','good':'-no-','a.b/c':'d'},"
		    "'matchExpressions':[{'key':'env','operator':'Equals','values':['x']},"
		    "{'key':'env','operator':'In'},"
		    "{'key':'env','operator':'NotIn','values':[]},"
		    "{'key':'env','operator':'Exists','values':['x']},"
		    "{'key':'/env','operator':'DoesNotExist'},"
		    "{'key':'env','operator':'In','values':['ok','not ok']}]}", &ps, 0);

	(void)state;
	assert_int_equal(pn_label_selector_validate(s, "spec.namespaceSelector", &ps), 9);
	expect_problem(&ps, "spec.namespaceSelector.matchLabels[\"Bad Key\"]", "must be a label key");
	expect_problem(&ps, "spec.namespaceSelector.matchLabels[\"ok/-bad\"]", "must be a label key");
	expect_problem(&ps, "spec.namespaceSelector.matchLabels.good", "must be a label value");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[0].operator",
		       "must be In, NotIn, Exists or DoesNotExist, not \"Equals\"");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[1].values",
		       "must not be empty for operator In");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[2].values",
		       "must not be empty for operator NotIn");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[3].values",
		       "must be empty for operator Exists");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[4].key", "must be a label key");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[5].values[1]",
		       "must be a label value");
	pn_label_selector_free(s);
	pn_problems_clear(&ps);
}

static void unit__selector__label_syntax(void **state)
{
	char long_name[80], long_prefix[300];

	(void)state;
	assert_true(pn_is_label_key("app"));
	assert_true(pn_is_label_key("podnet.dev/tenant"));
	assert_true(pn_is_label_key("kubernetes.io/metadata.name"));
	assert_true(pn_is_label_key("A_b.C-9"));
	assert_false(pn_is_label_key(""));
	assert_false(pn_is_label_key("a/"));
	assert_false(pn_is_label_key("/a"));
	assert_false(pn_is_label_key("a/b/c"));
	assert_false(pn_is_label_key("Podnet.dev/a"));
	assert_false(pn_is_label_key("_a"));
	memset(long_name, 'a', 64);
	long_name[64] = 0;
	assert_false(pn_is_label_key(long_name));
	assert_false(pn_is_label_value(long_name));
	long_name[63] = 0;
	assert_true(pn_is_label_key(long_name));
	assert_true(pn_is_label_value(long_name));
	memset(long_prefix, 'a', 254);
	strcpy(long_prefix + 254, "/x");
	assert_false(pn_is_label_key(long_prefix));
	assert_true(pn_is_label_value(""));
	assert_false(pn_is_label_value("a b"));
	assert_false(pn_is_label_value("a."));
}

static void unit__selector__caps(void **state)
{
	struct pn_problems ps = { 0 };
	json_t *j = json_object(), *ml = json_object(), *exprs = json_array(), *e, *vals;
	struct pn_label_selector *s = NULL;
	char k[16];

	(void)state;
	for (int i = 0; i <= PN_MAX_SELECTOR_TERMS; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		json_object_set_new(ml, k, json_string("v"));
	}
	json_object_set_new(j, "matchLabels", ml);
	vals = json_array();
	for (int i = 0; i <= PN_MAX_SELECTOR_VALUES; i++)
		json_array_append_new(vals, json_string("v"));
	e = json_pack("{s:s,s:s,s:o}", "key", "a", "operator", "In", "values", vals);
	json_array_append_new(exprs, e);
	json_object_set_new(j, "matchExpressions", exprs);
	assert_int_equal(pn_label_selector_decode(j, "spec.namespaceSelector", &s, &ps), 2);
	expect_problem(&ps, "spec.namespaceSelector.matchLabels", "at most 64 entries (has 65)");
	expect_problem(&ps, "spec.namespaceSelector.matchExpressions[0].values",
		       "at most 64 entries (has 65)");
	pn_label_selector_free(s);
	pn_problems_clear(&ps);
	json_decref(j);
}

static void unit__selector__matches(void **state)
{
	(void)state;
	/* empty selectors select everything */
	assert_true(matches("{}", NULL));
	assert_true(matches("{}", "{'a':'b'}"));
	assert_true(matches("{'matchLabels':{},'matchExpressions':[]}", NULL));
	assert_true(pn_label_selector_matches(NULL, NULL));
	/* matchLabels: every entry */
	assert_true(matches("{'matchLabels':{'t':'s'}}", "{'t':'s','x':'y'}"));
	assert_false(matches("{'matchLabels':{'t':'s'}}", "{'t':'S'}"));
	assert_false(matches("{'matchLabels':{'t':'s'}}", NULL));
	assert_false(matches("{'matchLabels':{'t':'s','u':'v'}}", "{'t':'s'}"));
	assert_true(matches("{'matchLabels':{'t':''}}", "{'t':''}"));
	assert_false(matches("{'matchLabels':{'t':''}}", "{}"));
	/* In / NotIn / Exists / DoesNotExist */
	assert_true(matches("{'matchExpressions':[{'key':'e','operator':'In','values':['a','b']}]}",
			    "{'e':'b'}"));
	assert_false(matches("{'matchExpressions':[{'key':'e','operator':'In','values':['a','b']}]}",
			     "{'e':'c'}"));
	assert_false(matches("{'matchExpressions':[{'key':'e','operator':'In','values':['a']}]}",
			     "{}"));
	assert_true(matches("{'matchExpressions':[{'key':'e','operator':'NotIn','values':['a']}]}",
			    "{}"));
	assert_true(matches("{'matchExpressions':[{'key':'e','operator':'NotIn','values':['a']}]}",
			    "{'e':'b'}"));
	assert_false(matches("{'matchExpressions':[{'key':'e','operator':'NotIn','values':['a']}]}",
			     "{'e':'a'}"));
	assert_true(matches("{'matchExpressions':[{'key':'e','operator':'Exists'}]}", "{'e':''}"));
	assert_false(matches("{'matchExpressions':[{'key':'e','operator':'Exists'}]}", "{'f':''}"));
	assert_true(matches("{'matchExpressions':[{'key':'e','operator':'DoesNotExist'}]}", NULL));
	assert_false(matches("{'matchExpressions':[{'key':'e','operator':'DoesNotExist'}]}",
			     "{'e':'x'}"));
	/* all terms together (AND) */
	assert_true(matches("{'matchLabels':{'t':'s'},'matchExpressions':[{'key':'e','operator':"
			    "'Exists'}]}", "{'t':'s','e':'1'}"));
	assert_false(matches("{'matchLabels':{'t':'s'},'matchExpressions':[{'key':'e','operator':"
			     "'Exists'}]}", "{'t':'s'}"));
}

static void unit__selector__unknown_operator_selects_nothing(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_label_selector *s =
		sel("{'matchExpressions':[{'key':'e','operator':'NotExists'}]}", &ps, 0);

	(void)state;
	assert_false(pn_label_selector_matches(s, NULL));
	pn_label_selector_free(s);
}

static void unit__selector__encode_keeps_unknown_fields(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_label_selector *s =
		sel("{'matchLabels':{'a':'b'},'matchExpressions':[{'key':'e','operator':'Exists',"
		    "'x-extra':1}],'other':true}", &ps, 0);
	json_t *e = pn_label_selector_encode(s), *want =
		jq("{'matchLabels':{'a':'b'},'matchExpressions':[{'key':'e','operator':'Exists',"
		   "'x-extra':1}],'other':true}");

	(void)state;
	assert_true(json_equal(e, want));
	json_decref(e);
	json_decref(want);
	pn_label_selector_free(s);

	s = sel("{}", &ps, 0);
	e = pn_label_selector_encode(s);
	want = jq("{}");
	assert_true(json_equal(e, want));
	json_decref(e);
	json_decref(want);
	pn_label_selector_free(s);
}

#define PNET(spec) "{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'storage'},'spec':" spec "}"

static struct pn_podnetwork *network(const char *text, int want_problems)
{
	struct pn_problems ps = { 0 };
	struct pn_podnetwork *n = NULL;
	json_t *j = jq(text);

	assert_int_equal(pn_podnetwork_decode(j, &n, &ps), 0);
	pn_podnetwork_default(n);
	assert_int_equal(pn_podnetwork_validate(n, &ps), want_problems);
	if (!want_problems)
		expect_clean(&ps);
	pn_problems_clear(&ps);
	json_decref(j);
	return n;
}

static void unit__selector__podnetwork_field(void **state)
{
	struct pn_podnetwork *n =
		network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchLabels':"
			     "{'podnet.dev/tenant':'storage'}},'x':1}"), 0);
	json_t *e, *want;

	(void)state;
	assert_non_null(n->spec.namespace_selector);
	assert_int_equal(n->spec.namespace_selector->n_labels, 1);
	e = pn_podnetwork_encode(n);
	want = jq("{'provider':'podnet.dev/cni','enabled':true,'namespaceSelector':{'matchLabels':"
		  "{'podnet.dev/tenant':'storage'}},'x':1}");
	assert_true(json_equal(json_object_get(e, "spec"), want));
	json_decref(e);
	json_decref(want);
	pn_podnetwork_free(n);

	/* absent stays absent */
	n = network(PNET("{'provider':'podnet.dev/cni'}"), 0);
	assert_null(n->spec.namespace_selector);
	e = pn_podnetwork_encode(n);
	assert_null(json_object_get(json_object_get(e, "spec"), "namespaceSelector"));
	json_decref(e);
	pn_podnetwork_free(n);
}

static void unit__selector__podnetwork_validate_paths(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_podnetwork *n = NULL;
	json_t *j = jq(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchExpressions':"
			    "[{'key':'t','operator':'Exists','values':['a']}]}}"));

	(void)state;
	assert_int_equal(pn_podnetwork_decode(j, &n, &ps), 0);
	assert_int_equal(pn_podnetwork_validate(n, &ps), 1);
	expect_only(&ps, "spec.namespaceSelector.matchExpressions[0].values",
		    "must be empty for operator Exists");
	pn_podnetwork_free(n);
	pn_problems_clear(&ps);
	json_decref(j);

	/* the default network takes every Pod: no selector on it */
	j = jq("{'apiVersion':'podnet.dev/v1alpha1','kind':'PodNetwork','metadata':{'name':'default'},"
	       "'spec':{'namespaceSelector':{'matchLabels':{'a':'b'}}}}");
	assert_int_equal(pn_podnetwork_decode(j, &n, &ps), 0);
	assert_int_equal(pn_podnetwork_validate(n, &ps), 1);
	expect_only(&ps, "spec.namespaceSelector", "cannot be set on the default PodNetwork");
	pn_podnetwork_free(n);
	pn_problems_clear(&ps);
	json_decref(j);
}

static void unit__selector__mutable(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_podnetwork *a = network(PNET("{'provider':'podnet.dev/cni'}"), 0);
	struct pn_podnetwork *b =
		network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchLabels':"
			     "{'t':'s'}}}"), 0);
	struct pn_podnetwork *c =
		network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchLabels':"
			     "{'t':'u'}}}"), 0);

	(void)state;
	assert_int_equal(pn_podnetwork_immutable(a, b, &ps), 0);
	assert_int_equal(pn_podnetwork_immutable(b, c, &ps), 0);
	assert_int_equal(pn_podnetwork_immutable(c, a, &ps), 0);
	expect_clean(&ps);
	pn_podnetwork_free(a);
	pn_podnetwork_free(b);
	pn_podnetwork_free(c);
}

static void unit__selector__check_namespace(void **state)
{
	struct pn_podnetwork *n =
		network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchLabels':"
			     "{'podnet.dev/tenant':'storage'}}}"), 0);
	json_t *yes = jq("{'podnet.dev/tenant':'storage'}"), *no = jq("{'podnet.dev/tenant':'a'}");
	json_t *dev = jq("{'env':'dev'}");
	char msg[512];

	(void)state;
	assert_int_equal(pn_podnetwork_check_namespace(n, "store", yes, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", no, msg, sizeof(msg)), 1);
	assert_string_equal(msg, "PodNetwork \"storage\" may not be used from namespace "
				 "\"tenant-a\": spec.namespaceSelector (matchLabels "
				 "podnet.dev/tenant=storage) does not select it");
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", NULL, msg, sizeof(msg)), 1);
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", NULL, NULL, 0), 1);
	/* a short buffer is cut, NUL-terminated */
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", no, msg, 12), 1);
	assert_string_equal(msg, "PodNetwork ");
	pn_podnetwork_free(n);

	/* the failing expression is named */
	n = network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchExpressions':"
			 "[{'key':'env','operator':'Exists'},{'key':'env','operator':'NotIn',"
			 "'values':['dev','test']}]}}"), 0);
	assert_int_equal(pn_podnetwork_check_namespace(n, "t", dev, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "(matchExpressions env NotIn (dev, test)) does not select it"));
	pn_podnetwork_free(n);

	/* kubernetes.io/metadata.name is assumed, as API servers 1.21+ set it */
	n = network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{'matchExpressions':"
			 "[{'key':'kubernetes.io/metadata.name','operator':'In','values':"
			 "['tenant-b']}]}}"), 0);
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-b", NULL, msg, sizeof(msg)), 0);
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-b", no, msg, sizeof(msg)), 0);
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", no, msg, sizeof(msg)), 1);
	pn_podnetwork_free(n);

	/* absent and {} allow every namespace */
	n = network(PNET("{'provider':'podnet.dev/cni'}"), 0);
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", NULL, msg, sizeof(msg)), 0);
	pn_podnetwork_free(n);
	n = network(PNET("{'provider':'podnet.dev/cni','namespaceSelector':{}}"), 0);
	assert_int_equal(pn_podnetwork_check_namespace(n, "tenant-a", NULL, msg, sizeof(msg)), 0);
	pn_podnetwork_free(n);
	json_decref(yes);
	json_decref(no);
	json_decref(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__selector__decode_fields),
		cmocka_unit_test(unit__selector__decode_type_problems),
		cmocka_unit_test(unit__selector__validate_problems),
		cmocka_unit_test(unit__selector__label_syntax),
		cmocka_unit_test(unit__selector__caps),
		cmocka_unit_test(unit__selector__matches),
		cmocka_unit_test(unit__selector__unknown_operator_selects_nothing),
		cmocka_unit_test(unit__selector__encode_keeps_unknown_fields),
		cmocka_unit_test(unit__selector__podnetwork_field),
		cmocka_unit_test(unit__selector__podnetwork_validate_paths),
		cmocka_unit_test(unit__selector__mutable),
		cmocka_unit_test(unit__selector__check_namespace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
