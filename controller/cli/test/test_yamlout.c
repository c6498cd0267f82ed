/* test_yamlout.c — podnetctl's YAML output reads back, through the api/
 * loader, as exactly the JSON value it was written from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"

static char *to_yaml(const json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cli_yaml_write(f, v, 0), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_round_trip(const char *json_text)
{
	json_error_t err;
	json_t *v = json_loads(json_text, JSON_DECODE_ANY, &err);
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	char *y;

	assert_non_null(v);
	y = to_yaml(v);
	if (pn_doc_load_yaml(y, strlen(y), NULL, &ds, &ps) != 0)
		fail_msg("YAML does not load (%s):\n%s", ps.n ? ps.v[0].message : "?", y);
	if (json_is_null(v)) {
		assert_int_equal(ds.n, 0); /* a null document is skipped */
	} else {
		assert_int_equal(ds.n, 1);
		if (!json_equal(v, ds.v[0].root)) {
			char *back = json_dumps(ds.v[0].root, JSON_ENCODE_ANY);

			fail_msg("%s\nwrote:\n%sread back: %s", json_text, y, back);
		}
	}
	free(y);
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
	json_decref(v);
}

static void unit__yamlout__strings_that_look_like_other_types_are_quoted(void **state)
{
	(void)state;
	assert_round_trip("{\"a\": \"true\", \"b\": \"1.0\", \"c\": \"\", \"d\": \"null\", \"e\": \"~\","
			  " \"f\": \"0x10\", \"g\": \"yes\", \"h\": \"02:00:00:00:00:01\","
			  " \"i\": \"1.0.0\", \"j\": \"-1\", \"k\": \".inf\"}");
}

static void unit__yamlout__strings_with_yaml_syntax_are_quoted(void **state)
{
	(void)state;
	assert_round_trip("[\"a: b\", \"- x\", \"#c\", \"x #c\", \"[1]\", \"{a}\", \"*alias\","
			  " \"&anchor\", \"!tag\", \"%dir\", \"@x\", \"`x\", \"'q'\", \"\\\"d\\\"\","
			  " \"line\\nbreak\", \"tab\\there\", \" lead\", \"trail \", \"---\", \"...\","
			  " \"|\", \">\", \"?\", \"caf\\u00e9\", \"\\u0001\"]");
}

static void unit__yamlout__keys_are_quoted_when_needed(void **state)
{
	(void)state;
	assert_round_trip("{\"podnet.dev/networks\": 1, \"a b\": 2, \"true\": 3, \"1\": 4,"
			  " \"\": 5, \"x: y\": 6, \"-\": 7}");
}

static void unit__yamlout__nesting_and_empty_containers(void **state)
{
	(void)state;
	assert_round_trip("{\"v\": 1, \"attachments\": [{\"network\": \"default\", \"gw4\": true,"
			  " \"ips\": [], \"params\": {}, \"mac\": null, \"mtu\": 9000,"
			  " \"ratio\": 0.5, \"neg\": -3}, [[1, [2, []]], {}], []]}");
	assert_round_trip("[[{\"a\": [{\"b\": {\"c\": [1]}}]}]]");
	assert_round_trip("\"scalar\"");
	assert_round_trip("42");
	assert_round_trip("{}");
	assert_round_trip("[]");
	assert_round_trip("null");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__yamlout__strings_that_look_like_other_types_are_quoted),
		cmocka_unit_test(unit__yamlout__strings_with_yaml_syntax_are_quoted),
		cmocka_unit_test(unit__yamlout__keys_are_quoted_when_needed),
		cmocka_unit_test(unit__yamlout__nesting_and_empty_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
