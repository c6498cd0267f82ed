/* test_yaml.c — the YAML/JSON source layer (pn/doc.h): typing, positions by
 * path, the annotation value with shifted positions, and hostile input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pn/doc.h"

/* 1-based line/column of the nth (0-based) occurrence of needle in src. */
static void pos_of(const char *src, const char *needle, int nth, int *line, int *col)
{
	const char *p = src;

	for (;;) {
		p = strstr(p, needle);
		assert_non_null(p);
		if (nth-- == 0)
			break;
		p++;
	}
	*line = 1;
	*col = 1;
	for (const char *c = src; c < p; c++) {
		if (*c == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static void assert_at(const struct pn_srcmap *m, const char *path, int exact, const char *src,
		      const char *needle, int nth)
{
	struct pn_srcpos pos;
	int line, col;

	pos_of(src, needle, nth, &line, &col);
	assert_int_equal(pn_srcmap_find(m, path, &pos), exact);
	if (pos.line != line || pos.col != col)
		fail_msg("%s: at %d:%d, expected %d:%d (\"%s\")", path, pos.line, pos.col, line, col,
			 needle);
}

/* Loads src expecting a refusal; returns the problem's message and checks
 * its position against needle (when given). */
static void assert_refused(const char *src, size_t len, const struct pn_doc_limits *lim,
			   const char *msg_part, const char *needle)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	int line, col;

	assert_int_equal(pn_doc_load_yaml(src, len, lim, &ds, &ps), -EINVAL);
	assert_int_equal(ps.n, 1);
	if (!strstr(ps.v[0].message, msg_part))
		fail_msg("message \"%s\" lacks \"%s\"", ps.v[0].message, msg_part);
	assert_true(ps.v[0].line > 0 && ps.v[0].col > 0);
	if (needle) {
		pos_of(src, needle, 0, &line, &col);
		if (ps.v[0].line != line || ps.v[0].col != col)
			fail_msg("\"%s\" at %d:%d, expected %d:%d", ps.v[0].message, ps.v[0].line,
				 ps.v[0].col, line, col);
	}
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static const char NETWORK[] =
	"apiVersion: podnet.dev/v1alpha1\n"
	"kind: PodNetwork\n"
	"metadata:\n"
	"  name: media-net\n"
	"spec:\n"
	"  provider: podnet.dev/cni\n"
	"  parametersRefs:\n"
	"  - group: podnet.dev\n"
	"    kind: CNIConfig\n"
	"  - {group: podnet.dev, kind: IPPool, name: pool}\n"
	"---\n"
	"# a comment\n"
	"apiVersion: podnet.dev/v1alpha1\n"
	"kind: IPPool\n"
	"metadata: {name: pool}\n"
	"spec:\n"
	"  ranges:\n"
	"  - cidr: 172.16.1.0/24\n"
	"    exclude: [172.16.1.150/32, 172.16.1.151/32]\n";

static void unit__yaml__multi_doc_positions(void **state)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(NETWORK, strlen(NETWORK), NULL, &ds, &ps), 0);
	assert_int_equal(ps.n, 0);
	assert_int_equal(ds.n, 2);
	assert_string_equal(json_string_value(json_object_get(ds.v[0].root, "kind")), "PodNetwork");
	assert_int_equal(ds.v[0].line, 1);
	assert_int_equal(ds.v[1].line, 13);

	assert_at(ds.v[0].map, "kind", 1, NETWORK, "PodNetwork", 0);
	assert_at(ds.v[0].map, "metadata.name", 1, NETWORK, "media-net", 0);
	assert_at(ds.v[0].map, "spec.parametersRefs[0].kind", 1, NETWORK, "CNIConfig", 0);
	assert_at(ds.v[0].map, "spec.parametersRefs[1].kind", 1, NETWORK, "IPPool", 0);
	assert_at(ds.v[0].map, "spec.parametersRefs[1].name", 1, NETWORK, "pool}", 0);
	/* a list item: where it starts; a list or mapping: where its key is */
	assert_at(ds.v[0].map, "spec.parametersRefs[1]", 1, NETWORK, "{group", 0);
	assert_at(ds.v[0].map, "spec.parametersRefs", 1, NETWORK, "parametersRefs", 0);
	assert_at(ds.v[0].map, "spec", 1, NETWORK, "spec", 0);
	assert_at(ds.v[0].map, "", 1, NETWORK, "apiVersion", 0);

	assert_at(ds.v[1].map, "spec.ranges[0].exclude[1]", 1, NETWORK, "172.16.1.151/32", 0);
	assert_at(ds.v[1].map, "metadata.name", 1, NETWORK, "pool}", 1);
	assert_at(ds.v[1].map, "spec.ranges[0].cidr", 1, NETWORK, "172.16.1.0/24", 0);
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__srcmap__missing_node_points_at_nearest_ancestor(void **state)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(NETWORK, strlen(NETWORK), NULL, &ds, &ps), 0);
	/* a missing required field: its parent object's key */
	assert_at(ds.v[0].map, "spec.enabled", 0, NETWORK, "spec", 0);
	assert_at(ds.v[0].map, "spec.parametersRefs[0].name", 0, NETWORK, "group: podnet.dev", 0);
	/* an index past the end: the list's key */
	assert_at(ds.v[0].map, "spec.parametersRefs[5].kind", 0, NETWORK, "parametersRefs", 0);
	/* a key that only shares a prefix with a real one */
	assert_at(ds.v[0].map, "spec.providerX", 0, NETWORK, "spec", 0);
	assert_at(ds.v[0].map, "status.conditions[0]", 0, NETWORK, "apiVersion", 0);
	assert_int_equal(pn_srcmap_find(NULL, "spec", NULL), -ENOENT);

	/* resolution fills only problems without a position */
	assert_int_equal(pn_problems_add(&ps, "spec.parametersRefs[1].kind", "bad kind"), 0);
	assert_int_equal(pn_problems_add(&ps, "spec.enabled", "missing"), 0);
	assert_int_equal(pn_problems_add(&ps, "metadata.name", "already placed"), 0);
	ps.v[2].line = 99;
	ps.v[2].col = 7;
	pn_srcmap_resolve(ds.v[0].map, &ps, 0);
	assert_int_equal(ps.v[0].line, 10);
	assert_int_equal(ps.v[0].col, 31);
	assert_int_equal(ps.v[1].line, 5);
	assert_int_equal(ps.v[1].col, 1);
	assert_int_equal(ps.v[2].line, 99);
	assert_int_equal(ps.v[2].col, 7);
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__srcmap__quoted_keys_in_paths(void **state)
{
	static const char src[] = "metadata:\n"
				  "  annotations:\n"
				  "    podnet.dev/networks: '[]'\n"
				  "    \"a b\": x\n"
				  "    a: y\n";
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), 0);
	assert_at(ds.v[0].map, "metadata.annotations[\"podnet.dev/networks\"]", 1, src, "'[]'", 0);
	assert_at(ds.v[0].map, "metadata.annotations[\"a b\"]", 1, src, "x\n", 0);
	assert_at(ds.v[0].map, "metadata.annotations.a", 1, src, "y\n", 0);
	assert_at(ds.v[0].map, "metadata.annotations[\"nope\"]", 0, src, "annotations", 0);
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__yaml__scalars_typed_as_yaml_core_schema(void **state)
{
	static const char src[] = "t: true\nf: False\nn: ~\nn2: null\ne:\ni: -42\nh: 0x1f\no: 0o17\n"
				  "r: 1.5\nx: 1e3\nqs: \"true\"\nsq: '42'\nstr: !!str 7\nns: ! 8\n"
				  "mac: 02:00:00:00:00:01\nyes: yes\nver: 1.0.0\nblk: |\n  12\n";
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	json_t *r;

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), 0);
	r = ds.v[0].root;
	assert_true(json_is_true(json_object_get(r, "t")));
	assert_true(json_is_false(json_object_get(r, "f")));
	assert_true(json_is_null(json_object_get(r, "n")));
	assert_true(json_is_null(json_object_get(r, "n2")));
	assert_true(json_is_null(json_object_get(r, "e")));
	assert_int_equal(json_integer_value(json_object_get(r, "i")), -42);
	assert_int_equal(json_integer_value(json_object_get(r, "h")), 31);
	assert_int_equal(json_integer_value(json_object_get(r, "o")), 15);
	assert_true(json_is_real(json_object_get(r, "r")));
	assert_true(json_real_value(json_object_get(r, "x")) == 1000.0);
	assert_string_equal(json_string_value(json_object_get(r, "qs")), "true");
	assert_string_equal(json_string_value(json_object_get(r, "sq")), "42");
	assert_string_equal(json_string_value(json_object_get(r, "str")), "7");
	assert_string_equal(json_string_value(json_object_get(r, "ns")), "8");
	assert_string_equal(json_string_value(json_object_get(r, "mac")), "02:00:00:00:00:01");
	assert_string_equal(json_string_value(json_object_get(r, "yes")), "yes");
	assert_string_equal(json_string_value(json_object_get(r, "ver")), "1.0.0");
	assert_string_equal(json_string_value(json_object_get(r, "blk")), "12\n");
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__yaml__json_text_gets_positions(void **state)
{
	static const char src[] = "{\n"
				  "  \"apiVersion\": \"podnet.dev/v1alpha1\",\n"
				  "  \"kind\": \"IPPool\",\n"
				  "  \"spec\": {\"ranges\": [{\"cidr\": \"10.0.0.0/8\"},\n"
				  "                        {\"cidr\": 42, \"gateway\": null}]}\n"
				  "}\n";
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), 0);
	assert_int_equal(ds.n, 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(json_object_get(ds.v[0].root, "spec"),
								"ranges"),
						1),
				 "cidr")),
			 42);
	assert_at(ds.v[0].map, "spec.ranges[1].cidr", 1, src, "42", 0);
	assert_at(ds.v[0].map, "spec.ranges[0].cidr", 1, src, "\"10.0.0.0/8\"", 0);
	assert_at(ds.v[0].map, "kind", 1, src, "\"IPPool\"", 0);
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__yaml__empty_documents_skipped(void **state)
{
	static const char src[] = "---\n---\n# nothing\n---\n~\n---\na: 1\n---\n";
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), 0);
	assert_int_equal(ds.n, 1);
	assert_int_equal(ds.v[0].line, 7);
	pn_docs_clear(&ds);
	assert_int_equal(pn_doc_load_yaml("", 0, NULL, &ds, &ps), 0);
	assert_int_equal(ds.n, 0);
	assert_int_equal(ps.n, 0);
	pn_docs_clear(&ds);
}

static void unit__yaml__syntax_error_keeps_earlier_documents(void **state)
{
	static const char src[] = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), -EINVAL);
	assert_int_equal(ds.n, 1);
	assert_non_null(json_object_get(ds.v[0].root, "a"));
	assert_int_equal(ps.n, 1);
	assert_non_null(strstr(ps.v[0].message, "invalid YAML"));
	assert_int_equal(ps.v[0].line, 4);
	assert_string_equal(ps.v[0].path, "");
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__yaml__json_surrogate_pairs_accepted(void **state)
{
	static const char json[] = "{\"a\": \"x\\ud83d\\ude00y\", \"b\": \"\\\\ud83d\\\\ude00\", \"c\": 1}";
	static const char yaml_sq[] = "a: '\\ud83d\\ude00'\n";
	static const char yaml_dq[] = "a: \"\\ud83d\\ude00\"\nb: [\n";
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(json, strlen(json), NULL, &ds, &ps), 0);
	assert_string_equal(json_string_value(json_object_get(ds.v[0].root, "a")),
			    "x\xf0\x9f\x98\x80y");
	/* an escaped backslash is not an escape */
	assert_string_equal(json_string_value(json_object_get(ds.v[0].root, "b")),
			    "\\ud83d\\ude00");
	assert_int_equal(json_integer_value(json_object_get(ds.v[0].root, "c")), 1);
	pn_docs_clear(&ds);
	/* YAML single quotes have no escapes: the text stays as written */
	assert_int_equal(pn_doc_load_yaml(yaml_sq, strlen(yaml_sq), NULL, &ds, &ps), 0);
	assert_string_equal(json_string_value(json_object_get(ds.v[0].root, "a")),
			    "\\ud83d\\ude00");
	pn_docs_clear(&ds);
	/* not JSON: YAML's own rule (no surrogates) applies */
	assert_refused(yaml_dq, strlen(yaml_dq), NULL, "invalid Unicode character escape", NULL);
}

/* ---- hostile input -------------------------------------------------------- */

static void unit__yaml__alias_refused(void **state)
{
	(void)state;
	assert_refused("a: &x 1\nb: *x\n", 14, NULL, "aliases are not supported (*x)", "*x");
}

static void unit__yaml__alias_bomb_refused_not_expanded(void **state)
{
	/* nine levels of nine: 387 million leaves if expanded */
	static const char src[] =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";

	(void)state;
	assert_refused(src, strlen(src), NULL, "YAML aliases are not supported (*a)", "*a");
}

static void unit__yaml__anchor_without_alias_accepted(void **state)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml("a: &x {b: 1}\n", 13, NULL, &ds, &ps), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(ds.v[0].root, "a"), "b")), 1);
	pn_docs_clear(&ds);
}

static char *nested_block(int depth)
{
	size_t cap = (size_t)depth * (size_t)(2 * depth + 8) + 16;
	char *s = malloc(cap);
	size_t o = 0;

	assert_non_null(s);
	for (int i = 0; i < depth; i++)
		o += (size_t)snprintf(s + o, cap - o, "%*sk%d:\n", 2 * i, "", i);
	snprintf(s + o, cap - o, "%*sleaf: 1\n", 2 * depth, "");
	return s;
}

static void unit__yaml__nesting_deeper_than_cap_refused(void **state)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	char flow[300];
	char *s;

	(void)state;
	/* 63 keys + the leaf mapping = 64 levels: accepted */
	s = nested_block(63);
	assert_int_equal(pn_doc_load_yaml(s, strlen(s), NULL, &ds, &ps), 0);
	assert_int_equal(ps.n, 0);
	pn_docs_clear(&ds);
	free(s);
	/* 65 levels: refused at the 65th */
	s = nested_block(64);
	assert_refused(s, strlen(s), NULL, "nesting deeper than 64 levels", "leaf");
	free(s);

	memset(flow, '[', 100);
	memset(flow + 100, ']', 100);
	flow[200] = '\0';
	assert_refused(flow, 200, NULL, "nesting deeper than 64 levels", NULL);
	assert_int_equal(pn_doc_load_yaml(flow, 200, NULL, &ds, &ps), -EINVAL);
	assert_int_equal(ps.v[0].line, 1);
	assert_int_equal(ps.v[0].col, 65);
	pn_problems_clear(&ps);
	pn_docs_clear(&ds);
}

static void unit__yaml__text_larger_than_cap_refused(void **state)
{
	size_t n = PN_DOC_MAX_BYTES + 1;
	char *big = malloc(n);
	struct pn_doc_limits lim = { .max_bytes = 15 };

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "a: b\n", 5);
	assert_refused(big, n, NULL, "text larger than 4194304 bytes", NULL);
	free(big);
	assert_refused("a: 1\nb: 2\nc: 3\nd: 4\n", 20, &lim, "text larger than 15 bytes", "d: 4");
}

static void unit__yaml__scalar_longer_than_cap_refused(void **state)
{
	struct pn_doc_limits lim = { .max_scalar = 8 };

	(void)state;
	assert_refused("a: short\nb: 123456789\n", 22, &lim, "string longer than 8 bytes",
		       "123456789");
	assert_refused("a: short\n123456789: b\n", 22, &lim, "string longer than 8 bytes",
		       "123456789");
}

static void unit__yaml__too_many_nodes_or_documents_refused(void **state)
{
	struct pn_doc_limits nodes = { .max_nodes = 5 };
	struct pn_doc_limits docs = { .max_docs = 2 };

	(void)state;
	assert_refused("[1, 2, 3, 4, 5]\n", 16, &nodes, "too many nodes (more than 5)", "5]");
	assert_refused("a: 1\n---\nb: 2\n---\nc: 3\n", 23, &docs, "more than 2 documents",
		       "---\nc: 3");
}

static void unit__yaml__invalid_utf8_refused(void **state)
{
	static const char src[] = "a: ok\nb: caf\xc3\n";
	static const char lead[] = "a: ok\nb: caf\xc3\xa9\xff\n";
	static const char lone[] = "a: ok\nbb: \"x\xed\xa0\x80\"\n"; /* a UTF-16 surrogate */
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), -EINVAL);
	assert_int_equal(ps.n, 1);
	assert_non_null(strstr(ps.v[0].message, "UTF-8"));
	assert_int_equal(ps.v[0].line, 2);
	assert_int_equal(ps.v[0].col, 7);
	pn_problems_clear(&ps);
	assert_int_equal(pn_doc_load_yaml(lead, strlen(lead), NULL, &ds, &ps), -EINVAL);
	assert_non_null(strstr(ps.v[0].message, "invalid leading UTF-8 octet (byte 0xff)"));
	assert_int_equal(ps.v[0].line, 2);
	assert_int_equal(ps.v[0].col, 8);
	pn_problems_clear(&ps);
	assert_int_equal(pn_doc_load_yaml(lone, strlen(lone), NULL, &ds, &ps), -EINVAL);
	assert_int_equal(ps.v[0].line, 2);
	pn_problems_clear(&ps);
	assert_refused("a: \"\\ud800\"\n", 12, NULL, "invalid YAML", NULL);
	pn_docs_clear(&ds);
}

static void unit__yaml__nul_character_refused(void **state)
{
	static const char src[] = "a: 1\nb: \"x\\0y\"\n";
	static const char raw[] = "a: 1\nb: x\0y\n";

	(void)state;
	assert_refused(src, strlen(src), NULL, "NUL character", "\"x");
	/* a raw NUL byte in the text is a YAML syntax error (not printable) */
	assert_refused(raw, sizeof(raw) - 1, NULL, "invalid", NULL);
}

static void unit__yaml__duplicate_key_refused_naming_it(void **state)
{
	static const char src[] = "metadata:\n  name: a\n  labels: {}\n  name: b\n";

	(void)state;
	assert_refused(src, strlen(src), NULL, "duplicate key \"name\"", "name: b");
	assert_refused("{\"a\": 1, \"a\": 2}", 16, NULL, "duplicate key \"a\"", "\"a\": 2");
}

static void unit__yaml__non_string_keys_refused(void **state)
{
	(void)state;
	assert_refused("a: 1\n80: http\n", 14, NULL, "mapping key \"80\" is not a string", "80");
	assert_refused("true: 1\n", 8, NULL, "mapping key \"true\" is not a string", "true");
	assert_refused("~: 1\n", 5, NULL, "is not a string", "~");
	assert_refused("? [a, b]\n: c\n", 13, NULL, "mapping key is not a string", "[a");
	assert_refused("? {a: 1}\n: c\n", 13, NULL, "mapping key is not a string", "{a");
	assert_refused("!!int 5: x\n", 11, NULL, "is not a string", "!!int");
	/* a quoted number is a string key */
	{
		struct pn_docs ds = { 0 };
		struct pn_problems ps = { 0 };

		assert_int_equal(pn_doc_load_yaml("\"80\": http\n", 11, NULL, &ds, &ps), 0);
		assert_non_null(json_object_get(ds.v[0].root, "80"));
		pn_docs_clear(&ds);
	}
}

static void unit__yaml__non_core_tags_refused(void **state)
{
	(void)state;
	assert_refused("a: !foo x\n", 10, NULL, "unsupported YAML tag \"!foo\"", "!foo");
	assert_refused("a: !!binary aGk=\n", 17, NULL, "tag:yaml.org,2002:binary", "!!binary");
	assert_refused("a: !!set {x}\n", 13, NULL, "tag:yaml.org,2002:set", "!!set");
	assert_refused("%TAG !! tag:evil.com:\n---\na: !!str x\n", 37, NULL, "tag:evil.com:str",
		       "!!str");
	assert_refused("a: !!int abc\n", 13, NULL, "\"abc\" is not a valid tag:yaml.org,2002:int",
		       "!!int");
	assert_refused("a: !!map [1]\n", 13, NULL, "does not match", "!!map");
	assert_refused("a: .inf\n", 8, NULL, "infinite and NaN", ".inf");
	assert_refused("a: 123456789012345678901234567890\n", 34, NULL, "integer out of range",
		       "1234");
}

/* ---- the annotation value -------------------------------------------------- */

static const char POD[] = "apiVersion: v1\n"
			  "kind: Pod\n"
			  "metadata:\n"
			  "  name: p\n"
			  "  annotations:\n"
			  "    podnet.dev/networks: |\n"
			  "      - podNetworkName: default\n"
			  "\n"
			  "      - podNetworkName: media-net\n"
			  "        interfaceName: \"bad/name\"\n"
			  "    other: '[{\"podNetworkName\": \"x\", \"mac\": 7}]'\n"
			  "    third: \"[{\\\"a\\\": 1}]\"\n"
			  "spec: {}\n";

static void load_pod(struct pn_docs *ds)
{
	struct pn_problems ps = { 0 };

	assert_int_equal(pn_doc_load_yaml(POD, strlen(POD), NULL, ds, &ps), 0);
	assert_int_equal(ds->n, 1);
}

static void unit__yaml__annotation_block_scalar_positions_point_into_file(void **state)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_srcpos origin;
	struct pn_doc v;
	json_t *s;

	(void)state;
	load_pod(&ds);
	assert_int_equal(pn_srcmap_find(ds.v[0].map, "metadata.annotations[\"podnet.dev/networks\"]",
					&origin),
			 1);
	assert_int_equal(origin.style, PN_STYLE_LITERAL);
	assert_int_equal(origin.indent, 6);
	assert_int_equal(origin.line, 6);
	s = json_object_get(json_object_get(json_object_get(ds.v[0].root, "metadata"), "annotations"),
			    "podnet.dev/networks");
	assert_int_equal(pn_doc_load_value(json_string_value(s), json_string_length(s), &origin,
					   "networks", &v, &ps),
			 0);
	assert_true(json_is_array(v.root));
	assert_int_equal(json_array_size(v.root), 2);
	assert_at(v.map, "networks[1].interfaceName", 1, POD, "\"bad/name\"", 0);
	assert_at(v.map, "networks[0].podNetworkName", 1, POD, "default", 0);
	assert_at(v.map, "networks[1]", 1, POD, "podNetworkName: media", 0);
	assert_at(v.map, "networks[1].mac", 0, POD, "podNetworkName: media", 0);
	assert_at(v.map, "networks", 1, POD, "- podNetworkName: default", 0);
	assert_int_equal(pn_srcmap_find(v.map, "spec.x", NULL), -ENOENT);
	assert_int_equal(pn_srcmap_find(v.map, "networksX", NULL), -ENOENT);

	/* problems of the value resolve into the outer file */
	assert_int_equal(pn_problems_add(&ps, "networks[1].interfaceName", "bad"), 0);
	assert_int_equal(pn_problems_add(&ps, "metadata.name", "not ours"), 0);
	pn_srcmap_resolve(v.map, &ps, 0);
	assert_int_equal(ps.v[0].line, 10);
	assert_int_equal(ps.v[0].col, 24);
	assert_int_equal(ps.v[1].line, 0);
	pn_problems_clear(&ps);
	pn_doc_clear(&v);
	pn_docs_clear(&ds);
}

static void unit__yaml__annotation_block_indentation_indicators(void **state)
{
	static const char src[] = "metadata:\n"
				  "  annotations:\n"
				  "    podnet.dev/networks: |2\n"
				  "        - podNetworkName: a\n"
				  "        - podNetworkName: b\n"
				  "    \"r\xc3\xa9seau\": !!str |-\n"
				  "\n"
				  "      - podNetworkName: c\n"
				  "    folded: >\n"
				  "      [{\"podNetworkName\": \"d\"}]\n"
				  "list:\n"
				  "- |1\n"
				  "   - podNetworkName: e\n";
	static const struct {
		const char *outer, *inner, *needle;
		int indent;
	} cases[] = {
		{ "metadata.annotations[\"podnet.dev/networks\"]", "networks[1].podNetworkName", "b\n", 6 },
		{ "metadata.annotations[\"r\xc3\xa9seau\"]", "networks[0].podNetworkName", "c\n", 6 },
		{ "metadata.annotations.folded", "networks[0].podNetworkName", "\"d\"", 6 },
		{ "list[0]", "networks[0].podNetworkName", "e\n", 1 },
	};
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };

	(void)state;
	assert_int_equal(pn_doc_load_yaml(src, strlen(src), NULL, &ds, &ps), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pn_srcpos origin;
		struct pn_doc v;
		json_t *s;
		char *outer = strdup(cases[i].outer);

		assert_int_equal(pn_srcmap_find(ds.v[0].map, outer, &origin), 1);
		if (origin.indent != cases[i].indent)
			fail_msg("%s: indent %d, expected %d", outer, origin.indent, cases[i].indent);
		s = i < 3 ? json_object_get(json_object_get(json_object_get(ds.v[0].root, "metadata"),
							    "annotations"),
					    i == 0 ? "podnet.dev/networks" : i == 1 ? "r\xc3\xa9seau" : "folded")
			  : json_array_get(json_object_get(ds.v[0].root, "list"), 0);
		assert_int_equal(pn_doc_load_value(json_string_value(s), json_string_length(s), &origin,
						   "networks", &v, &ps),
				 0);
		assert_at(v.map, cases[i].inner, 1, src, cases[i].needle, 0);
		pn_doc_clear(&v);
		free(outer);
	}
	pn_docs_clear(&ds);
}

static void unit__yaml__annotation_flow_scalar_positions(void **state)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_srcpos origin;
	struct pn_doc v;
	json_t *ann;

	(void)state;
	load_pod(&ds);
	ann = json_object_get(json_object_get(ds.v[0].root, "metadata"), "annotations");
	assert_int_equal(pn_srcmap_find(ds.v[0].map, "metadata.annotations.other", &origin), 1);
	assert_int_equal(origin.style, PN_STYLE_SINGLE);
	assert_int_equal(pn_doc_load_value(json_string_value(json_object_get(ann, "other")),
					   json_string_length(json_object_get(ann, "other")),
					   &origin, "networks", &v, &ps),
			 0);
	/* single line, no escapes: exact */
	assert_at(v.map, "networks[0].mac", 1, POD, "7}", 0);
	assert_at(v.map, "networks[0].podNetworkName", 1, POD, "\"x\"", 0);
	pn_doc_clear(&v);

	/* double-quoted with escapes: the line is exact, columns approximate */
	assert_int_equal(pn_srcmap_find(ds.v[0].map, "metadata.annotations.third", &origin), 1);
	assert_int_equal(pn_doc_load_value(json_string_value(json_object_get(ann, "third")),
					   json_string_length(json_object_get(ann, "third")),
					   &origin, "networks", &v, &ps),
			 0);
	{
		struct pn_srcpos p;

		assert_int_equal(pn_srcmap_find(v.map, "networks[0].a", &p), 1);
		assert_int_equal(p.line, 12);
	}
	pn_doc_clear(&v);
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
}

static void unit__yaml__annotation_value_without_origin(void **state)
{
	static const char val[] = "- podNetworkName: a\n- podNetworkName: b\n  isDefaultGW4: true\n";
	struct pn_problems ps = { 0 };
	struct pn_doc v;
	struct pn_srcpos p;

	(void)state;
	assert_int_equal(pn_doc_load_value(val, strlen(val), NULL, "networks", &v, &ps), 0);
	assert_true(json_is_true(json_object_get(json_array_get(v.root, 1), "isDefaultGW4")));
	assert_int_equal(pn_srcmap_find(v.map, "networks[1].isDefaultGW4", &p), 1);
	assert_int_equal(p.line, 3);
	assert_int_equal(p.col, 17);
	pn_doc_clear(&v);

	/* JSON form */
	assert_int_equal(pn_doc_load_value("[{\"podNetworkName\":\"a\"}]", 24, NULL, "networks", &v,
					   &ps),
			 0);
	assert_int_equal(pn_srcmap_find(v.map, "networks[0].podNetworkName", &p), 1);
	assert_int_equal(p.col, 20);
	pn_doc_clear(&v);

	/* empty: null */
	assert_int_equal(pn_doc_load_value("", 0, NULL, "networks", &v, &ps), 0);
	assert_true(json_is_null(v.root));
	assert_int_equal(pn_srcmap_find(v.map, "networks[0]", &p), 0);
	pn_doc_clear(&v);
	assert_int_equal(ps.n, 0);
}

static void unit__yaml__annotation_value_hostile(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_srcpos origin = { .line = 6, .col = 26, .style = PN_STYLE_LITERAL, .indent = 6 };
	struct pn_doc v;
	char *big;

	(void)state;
	/* the error position is shifted into the outer file too */
	assert_int_equal(pn_doc_load_value("- a: &x 1\n- b: *x\n", 18, &origin, "networks", &v, &ps),
			 -EINVAL);
	assert_null(v.root);
	assert_int_equal(ps.n, 1);
	assert_string_equal(ps.v[0].path, "networks");
	assert_int_equal(ps.v[0].line, 8);
	assert_int_equal(ps.v[0].col, 12);
	pn_problems_clear(&ps);

	assert_int_equal(pn_doc_load_value("a: 1\n---\nb: 2\n", 14, NULL, "networks", &v, &ps),
			 -EINVAL);
	assert_non_null(strstr(ps.v[0].message, "more than one YAML document"));
	pn_problems_clear(&ps);

	big = malloc(300 << 10);
	assert_non_null(big);
	memset(big, 'x', 300 << 10);
	assert_int_equal(pn_doc_load_value(big, 300 << 10, NULL, "networks", &v, &ps), -EINVAL);
	assert_non_null(strstr(ps.v[0].message, "text larger than 262144 bytes"));
	free(big);
	pn_problems_clear(&ps);
}

static void unit__yaml__parse_value_for_the_model(void **state)
{
	char err[128] = "";
	json_t *v;

	(void)state;
	v = pn_doc_parse_value("- podNetworkName: a\n", 20, err, sizeof(err), NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "podNetworkName")),
			    "a");
	json_decref(v);
	assert_null(pn_doc_parse_value("- a\n- &x b\n- *x\n", 16, err, sizeof(err), NULL));
	assert_string_equal(err, "line 3 column 3: YAML aliases are not supported (*x): write the "
				 "value out in full");
	/* err is cut to its size */
	assert_null(pn_doc_parse_value("[", 1, err, 5, NULL));
	assert_string_equal(err, "line");
}

/* ---- plain JSON -------------------------------------------------------------- */

static void unit__json__load_and_refusals(void **state)
{
	struct pn_problems ps = { 0 };
	struct pn_doc_limits lim = { .max_bytes = 10 };
	json_t *j = NULL;
	char deep[200];

	(void)state;
	assert_int_equal(pn_json_load("{\"a\": [1, \"x\"]}", 15, NULL, &j, &ps), 0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "a"), 0)), 1);
	json_decref(j);

	assert_int_equal(pn_json_load("{\"a\": 1,\n \"a\": 2}", 17, NULL, &j, &ps), -EINVAL);
	assert_null(j);
	assert_non_null(strstr(ps.v[0].message, "duplicate object key"));
	assert_int_equal(ps.v[0].line, 2);
	pn_problems_clear(&ps);

	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	assert_int_equal(pn_json_load(deep, 200, NULL, &j, &ps), -EINVAL);
	assert_string_equal(ps.v[0].message, "nesting deeper than 64 levels");
	assert_int_equal(ps.v[0].col, 65);
	pn_problems_clear(&ps);

	assert_int_equal(pn_json_load("{\"a\": \"0123456789\"}", 19, &lim, &j, &ps), -EINVAL);
	assert_string_equal(ps.v[0].message, "text larger than 10 bytes");
	pn_problems_clear(&ps);

	assert_int_equal(pn_json_load("{\"a\": \"x\\u0000y\"}", 17, NULL, &j, &ps), -EINVAL);
	assert_string_equal(ps.v[0].message, "string contains a NUL character");
	pn_problems_clear(&ps);

	assert_int_equal(pn_json_load("{\"a\": \"\xc3\"}", 10, NULL, &j, &ps), -EINVAL);
	assert_non_null(strstr(ps.v[0].message, "invalid JSON"));
	pn_problems_clear(&ps);

	/* brackets inside strings do not count as depth */
	memset(deep, '[', 100);
	deep[0] = '"';
	deep[99] = '"';
	assert_int_equal(pn_json_load(deep, 100, NULL, &j, &ps), 0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__yaml__multi_doc_positions),
		cmocka_unit_test(unit__srcmap__missing_node_points_at_nearest_ancestor),
		cmocka_unit_test(unit__srcmap__quoted_keys_in_paths),
		cmocka_unit_test(unit__yaml__scalars_typed_as_yaml_core_schema),
		cmocka_unit_test(unit__yaml__json_text_gets_positions),
		cmocka_unit_test(unit__yaml__empty_documents_skipped),
		cmocka_unit_test(unit__yaml__syntax_error_keeps_earlier_documents),
		cmocka_unit_test(unit__yaml__json_surrogate_pairs_accepted),
		cmocka_unit_test(unit__yaml__alias_refused),
		cmocka_unit_test(unit__yaml__alias_bomb_refused_not_expanded),
		cmocka_unit_test(unit__yaml__anchor_without_alias_accepted),
		cmocka_unit_test(unit__yaml__nesting_deeper_than_cap_refused),
		cmocka_unit_test(unit__yaml__text_larger_than_cap_refused),
		cmocka_unit_test(unit__yaml__scalar_longer_than_cap_refused),
		cmocka_unit_test(unit__yaml__too_many_nodes_or_documents_refused),
		cmocka_unit_test(unit__yaml__invalid_utf8_refused),
		cmocka_unit_test(unit__yaml__nul_character_refused),
		cmocka_unit_test(unit__yaml__duplicate_key_refused_naming_it),
		cmocka_unit_test(unit__yaml__non_string_keys_refused),
		cmocka_unit_test(unit__yaml__non_core_tags_refused),
		cmocka_unit_test(unit__yaml__annotation_block_scalar_positions_point_into_file),
		cmocka_unit_test(unit__yaml__annotation_block_indentation_indicators),
		cmocka_unit_test(unit__yaml__annotation_flow_scalar_positions),
		cmocka_unit_test(unit__yaml__annotation_value_without_origin),
		cmocka_unit_test(unit__yaml__annotation_value_hostile),
		cmocka_unit_test(unit__yaml__parse_value_for_the_model),
		cmocka_unit_test(unit__json__load_and_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
