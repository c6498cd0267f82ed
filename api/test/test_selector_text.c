/* test_selector_text.c — label selectors in kubectl's -l text form
 * (pn/selector_text.h): what each form selects, the canonical text, and
 * the message of each kind of mistake. */
#include "test_model_util.h"

#include "pn/selector_text.h"

/* Whether text selects labels (JSON object text, or NULL for none). */
static bool sel_matches(const char *text, const char *labels)
{
	struct pn_label_selector *s = NULL;
	char err[512];
	json_t *l = labels ? jq(labels) : NULL;
	bool m;

	assert_int_equal(pn_label_selector_parse(text, &s, err, sizeof(err)), 0);
	assert_non_null(s);
	m = pn_label_selector_matches(s, l);
	json_decref(l);
	pn_label_selector_free(s);
	return m;
}

/* The canonical text of text. */
static void canon(const char *text, const char *want)
{
	struct pn_label_selector *s = NULL;
	char err[512], buf[PN_SELECTOR_TEXT_MAX];

	assert_int_equal(pn_label_selector_parse(text, &s, err, sizeof(err)), 0);
	assert_true(pn_label_selector_format(s, buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
	pn_label_selector_free(s);
}

static void bad(const char *text, const char *want)
{
	struct pn_label_selector *s = (void *)1;
	char err[512];

	assert_int_equal(pn_label_selector_parse(text, &s, err, sizeof(err)), -EINVAL);
	assert_null(s);
	if (!strstr(err, want))
		fail_msg("selector \"%s\": message \"%s\" lacks \"%s\"", text, err, want);
}

static void unit__selector_text__equality_and_inequality(void **state)
{
	(void)state;
	assert_true(sel_matches("app=upf", "{\"app\":\"upf\"}"));
	assert_true(sel_matches("app==upf", "{\"app\":\"upf\",\"x\":\"y\"}"));
	assert_false(sel_matches("app=upf", "{\"app\":\"smf\"}"));
	assert_false(sel_matches("app=upf", NULL));
	assert_true(sel_matches("app!=upf", "{\"app\":\"smf\"}"));
	assert_true(sel_matches("app!=upf", "{}")); /* absent counts, as in Kubernetes */
	assert_false(sel_matches("app!=upf", "{\"app\":\"upf\"}"));
	assert_true(sel_matches("app=", "{\"app\":\"\"}"));
	assert_false(sel_matches("app=", "{\"app\":\"x\"}"));
}

static void unit__selector_text__sets_and_existence(void **state)
{
	(void)state;
	assert_true(sel_matches("tier in (core, edge)", "{\"tier\":\"edge\"}"));
	assert_false(sel_matches("tier in (core,edge)", "{\"tier\":\"ran\"}"));
	assert_false(sel_matches("tier in (core,edge)", "{}"));
	assert_true(sel_matches("tier notin (core,edge)", "{\"tier\":\"ran\"}"));
	assert_true(sel_matches("tier notin(core)", "{}"));
	assert_false(sel_matches("tier notin (core,edge)", "{\"tier\":\"core\"}"));
	assert_true(sel_matches("podnet.dev/test", "{\"podnet.dev/test\":\"\"}"));
	assert_false(sel_matches("podnet.dev/test", "{}"));
	assert_true(sel_matches("!podnet.dev/test", "{}"));
	assert_false(sel_matches("! podnet.dev/test", "{\"podnet.dev/test\":\"1\"}"));
	/* every requirement must hold */
	assert_true(sel_matches(" app = upf , tier in (core), !canary ",
				"{\"app\":\"upf\",\"tier\":\"core\"}"));
	assert_false(sel_matches("app=upf,tier in (core),!canary",
				 "{\"app\":\"upf\",\"tier\":\"core\",\"canary\":\"y\"}"));
	/* nothing: everything */
	assert_true(sel_matches("", NULL));
	assert_true(sel_matches("   ", "{\"a\":\"b\"}"));
}

static void unit__selector_text__canonical_form(void **state)
{
	(void)state;
	canon("app==upf", "app=upf");
	canon(" app = upf , b != c", "app=upf,b!=c");
	canon("t in (a)", "t=a");
	canon("t notin (a)", "t!=a");
	canon("t in (a, b,c)", "t in (a,b,c)");
	canon("t notin (a,b)", "t notin (a,b)");
	canon("x,!y", "x,!y");
	canon("", "");
	canon("a in (x,,y)", "a in (x,,y)");
}

static void unit__selector_text__mistakes_say_where_and_why(void **state)
{
	(void)state;
	bad("app=upf,", "at character 9: expected a requirement after \",\"");
	bad(",app", "at character 1: expected a label key, found \",\"");
	bad("app upf", "at character 5: expected \"=\", \"==\", \"!=\", \"in\", \"notin\", \",\" or the end "
		       "after key \"app\", found \"upf\"");
	bad("a in b", "at character 6: expected \"(\" after \"in\", found \"b\"");
	bad("a in ()", "at character 6: the set of values after \"in\" is empty");
	bad("a notin (x", "at character 11: expected \",\" or \")\" in the set of \"notin\", found the end");
	bad("a notin (x,", "at character 12: expected a value, \",\" or \")\" in the set of \"notin\", "
			   "found the end");
	bad("a in (x y)", "at character 9: expected \",\" or \")\" in the set of \"in\", found \"y\"");
	bad("a>1", "at character 2: the numeric operators \"<\" and \">\" are not supported");
	bad("Bad_Key-=x", "at character 1: \"Bad_Key-\" is not a label key");
	bad("a=-x", "at character 3: \"-x\" is not a label value");
	bad("a=b=c", "at character 4: expected \",\" or the end after a requirement, found \"=\"");
	bad("!a=b", "at character 3: \"!a\" takes no operator or value, found \"=\"");
	bad("a=(b)", "at character 3: expected a value after the operator, found \"(\"");
	bad("!", "at character 2: expected a label key, found the end");
}

static void unit__selector_text__limits(void **state)
{
	char *text = malloc(PN_SELECTOR_TEXT_MAX + 2);
	char buf[8];
	struct pn_label_selector *s = NULL;
	char err[256];
	size_t at = 0;

	(void)state;
	memset(text, 'a', PN_SELECTOR_TEXT_MAX + 1);
	text[PN_SELECTOR_TEXT_MAX + 1] = '\0';
	bad(text, "longer than 4096 bytes");
	for (int i = 0; i <= PN_MAX_SELECTOR_TERMS; i++)
		at += (size_t)sprintf(text + at, "%sk%d", i ? "," : "", i);
	bad(text, "more than 64 requirements");
	at = (size_t)sprintf(text, "k in (");
	for (int i = 0; i <= PN_MAX_SELECTOR_VALUES; i++)
		at += (size_t)sprintf(text + at, "%sv%d", i ? "," : "", i);
	sprintf(text + at, ")");
	bad(text, "more than 64 values in one requirement");
	free(text);
	/* too small a buffer: "" and -ENOSPC */
	assert_int_equal(pn_label_selector_parse("long-key=long-value", &s, err, sizeof(err)), 0);
	assert_int_equal(pn_label_selector_format(s, buf, sizeof(buf)), -ENOSPC);
	assert_string_equal(buf, "");
	pn_label_selector_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__selector_text__equality_and_inequality),
		cmocka_unit_test(unit__selector_text__sets_and_existence),
		cmocka_unit_test(unit__selector_text__canonical_form),
		cmocka_unit_test(unit__selector_text__mistakes_say_where_and_why),
		cmocka_unit_test(unit__selector_text__limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
