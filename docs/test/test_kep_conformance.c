/* test_kep_conformance.c — docs/kep-conformance.md kept in step with the tests.
 *
 * The conformance table lists every rule of KEP-3698 with podnet's behaviour
 * and the tests that check it. This test reads it and fails when
 *   - a row's behaviour is not one of: as the KEP, differs, podnet extension,
 *     not done;
 *   - an id is not of the form WORD-N, or is used twice;
 *   - the counts line at the top ("Counts: as the KEP N, differs N, podnet
 *     extension N, not done N") is missing or does not match the rows;
 *   - a cited test does not exist. A citation is a backticked span in the
 *     test cell:
 *       `api/test/test_validate.c: unit__validate__netreqs_names`
 *           a C unit test: the file (under api/test/ or controller/<x>/test/)
 *           defines `void NAME(` and registers `cmocka_unit_test(NAME)`;
 *       `e2e/test/s9-disabled.sh: s9__ready__false_administratively_disabled`
 *           a scenario or integration script (under e2e/test/ or
 *           controller/<x>/test/) holding `check "TEXT"` or `ok "TEXT"`;
 *       `controller/node/test/test_avail.c`
 *           a whole test file, which must exist and hold at least one
 *           registered test (or one check).
 *     A test cell without any citation must be "—", and only on a row whose
 *     behaviour is "not done", or "untested" (said openly: podnet behaves so
 *     but no test shows it).
 * It also checks that the user guide and the API reference link the table.
 * Self-tests feed the checker a small tree and a small table with each
 * mistake and expect it to complain.
 *
 * Files are found from the source tree's top: $PODNET_SRC_TOP, else the
 * PN_DOCS_TOP the build defines (docs/docs.mk). */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef PN_DOCS_TOP
#define PN_DOCS_TOP "."
#endif

#define MAX_FILE (1u << 20) /* any file this test reads */
#define MAX_CELLS 16
#define MAX_ROWS 512

static const char *const BEHAVIOURS[] = { "as the KEP", "differs", "podnet extension", "not done" };
#define N_BEHAVIOURS 4

/* ---- problems ------------------------------------------------------------------ */

struct problems {
	char **v;
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static void problem(struct problems *ps, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	char **v;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	assert_non_null(s);
	v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
	assert_non_null(v);
	ps->v = v;
	ps->v[ps->n++] = s;
}

static void problems_clear(struct problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

static void problems_print(const struct problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		print_message("  %s\n", ps->v[i]);
}

static bool problems_have(const struct problems *ps, const char *needle)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strstr(ps->v[i], needle))
			return true;
	return false;
}

/* ---- files ----------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE) { /* too big for this test: say so rather than truncate */
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *read_rel(const char *top, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	return read_file(path, NULL);
}

/* ---- citations ------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* api/test/X.c, e2e/test/X.sh, controller/<one dir>/test/X.{c,sh}; no "..", no
 * deeper paths, nothing absolute. */
static bool allowed_path(const char *p)
{
	const char *rest;

	if (strstr(p, "..") || strchr(p, ' ') || p[0] == '/')
		return false;
	if (!strncmp(p, "api/test/", 9)) {
		rest = p + 9;
		return !strchr(rest, '/') && ends_with(rest, ".c");
	}
	if (!strncmp(p, "e2e/test/", 9)) {
		rest = p + 9;
		return !strchr(rest, '/') && ends_with(rest, ".sh");
	}
	if (!strncmp(p, "controller/", 11)) {
		const char *slash = strchr(p + 11, '/');

		if (!slash || slash == p + 11 || strncmp(slash, "/test/", 6))
			return false;
		rest = slash + 6;
		return *rest && !strchr(rest, '/') && (ends_with(rest, ".c") || ends_with(rest, ".sh"));
	}
	return false;
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* NEEDLE in TEXT not preceded by an identifier character (so "void f(" is
 * not found inside "void xf("). */
static bool has_token(const char *text, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		if ((p == text || !is_ident_char(p[-1])) && !strncmp(p, needle, n))
			return true;
	return false;
}

static bool c_test_exists(const char *text, const char *name)
{
	char def[256], reg[256];

	for (const char *c = name; *c; c++)
		if (!is_ident_char(*c))
			return false;
	snprintf(def, sizeof(def), "void %s(", name);
	snprintf(reg, sizeof(reg), "cmocka_unit_test(%s)", name);
	return has_token(text, def) && has_token(text, reg);
}

static bool sh_check_exists(const char *text, const char *check_text)
{
	char a[512], b[512];

	if (strchr(check_text, '"'))
		return false;
	snprintf(a, sizeof(a), "check \"%s\"", check_text);
	snprintf(b, sizeof(b), "ok \"%s\"", check_text);
	return strstr(text, a) || strstr(text, b);
}

/* One citation: "path" or "path: name". */
static void check_citation(const char *top, const char *id, const char *cite, struct problems *ps)
{
	char path[1024];
	const char *colon = strstr(cite, ": ");
	const char *name = NULL;
	char *text;
	bool is_c;

	if (colon) {
		size_t n = (size_t)(colon - cite);

		if (n >= sizeof(path)) {
			problem(ps, "%s: citation `%s`: path too long", id, cite);
			return;
		}
		memcpy(path, cite, n);
		path[n] = '\0';
		name = colon + 2;
		while (*name == ' ')
			name++;
		if (!*name) {
			problem(ps, "%s: citation `%s`: empty test name", id, cite);
			return;
		}
	} else {
		snprintf(path, sizeof(path), "%s", cite);
	}
	if (!allowed_path(path)) {
		problem(ps, "%s: citation `%s`: \"%s\" is not a test file (api/test/*.c, "
			"controller/*/test/*.{c,sh}, e2e/test/*.sh)", id, cite, path);
		return;
	}
	text = read_rel(top, path);
	if (!text) {
		problem(ps, "%s: citation `%s`: %s does not exist", id, cite, path);
		return;
	}
	is_c = ends_with(path, ".c");
	if (name && is_c && !c_test_exists(text, name))
		problem(ps, "%s: citation `%s`: %s has no registered test %s "
			"(void %s( and cmocka_unit_test(%s))", id, cite, path, name, name, name);
	else if (name && !is_c && !sh_check_exists(text, name))
		problem(ps, "%s: citation `%s`: %s has no check \"%s\"", id, cite, path, name);
	else if (!name && is_c && !strstr(text, "cmocka_unit_test("))
		problem(ps, "%s: citation `%s`: %s registers no test", id, cite, path);
	else if (!name && !is_c && !strstr(text, "check \"") && !strstr(text, "ok \""))
		problem(ps, "%s: citation `%s`: %s has no check", id, cite, path);
	free(text);
}

/* ---- the table --------------------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Splits "| a | b |" into cells (trimmed, in place); a "\|" stays in its cell.
 * Returns the number of cells, 0 when the line is not a table row. */
static size_t split_row(char *line, char **cells)
{
	size_t n = 0;
	char *p = trim(line), *start;

	if (*p != '|')
		return 0;
	start = ++p;
	for (; *p; p++) {
		if (*p == '\\' && p[1] == '|') {
			p++;
			continue;
		}
		if (*p == '|') {
			*p = '\0';
			if (n < MAX_CELLS)
				cells[n++] = trim(start);
			start = p + 1;
		}
	}
	return n;
}

static bool is_separator(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (const char *c = cells[i]; *c; c++)
			if (*c != '-' && *c != ':')
				return false;
	return n > 0;
}

static int column(char **cells, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(cells[i], name))
			return (int)i;
	return -1;
}

static bool valid_id(const char *id)
{
	const char *p = id;

	if (!isupper((unsigned char)*p))
		return false;
	while (isupper((unsigned char)*p))
		p++;
	if (*p++ != '-' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

/* "Counts: as the KEP 30, differs 12, podnet extension 9, not done 7" */
static bool parse_counts(const char *line, long counts[N_BEHAVIOURS], struct problems *ps)
{
	for (int b = 0; b < N_BEHAVIOURS; b++) {
		const char *p = strstr(line, BEHAVIOURS[b]);
		char *end;

		if (!p) {
			problem(ps, "counts line: no count for \"%s\"", BEHAVIOURS[b]);
			return false;
		}
		p += strlen(BEHAVIOURS[b]);
		while (*p == ' ' || *p == ':' || *p == '*')
			p++;
		if (!isdigit((unsigned char)*p)) {
			problem(ps, "counts line: \"%s\" is not followed by a number", BEHAVIOURS[b]);
			return false;
		}
		counts[b] = strtol(p, &end, 10);
	}
	return true;
}

struct seen {
	char *ids[MAX_ROWS];
	size_t n;
};

static void check_row(const char *top, char **cells, size_t n, int c_id, int c_beh, int c_test,
		      int line, struct seen *seen, long tally[N_BEHAVIOURS], struct problems *ps)
{
	const char *id, *beh, *tests;
	int b;
	bool cited = false;

	if (c_id >= (int)n || c_beh >= (int)n || c_test >= (int)n) {
		problem(ps, "line %d: row has %zu cells, fewer than the header", line, n);
		return;
	}
	id = cells[c_id];
	beh = cells[c_beh];
	tests = cells[c_test];
	if (!valid_id(id))
		problem(ps, "line %d: id \"%s\" is not of the form WORD-N (e.g. POD-3)", line, id);
	for (size_t i = 0; i < seen->n; i++)
		if (!strcmp(seen->ids[i], id))
			problem(ps, "line %d: id %s is used twice", line, id);
	if (seen->n < MAX_ROWS)
		seen->ids[seen->n++] = strdup(id);
	for (b = 0; b < N_BEHAVIOURS; b++)
		if (!strcmp(beh, BEHAVIOURS[b]))
			break;
	if (b == N_BEHAVIOURS)
		problem(ps, "line %d: %s: behaviour \"%s\" is not one of: as the KEP, differs, "
			"podnet extension, not done", line, id, beh);
	else
		tally[b]++;
	for (const char *p = strchr(tests, '`'); p; p = strchr(p, '`')) {
		const char *e = strchr(p + 1, '`');
		char cite[1024];
		size_t len;

		if (!e) {
			problem(ps, "line %d: %s: unclosed ` in the test cell", line, id);
			cited = true; /* said once is enough */
			break;
		}
		len = (size_t)(e - p - 1);
		if (len >= sizeof(cite))
			len = sizeof(cite) - 1;
		memcpy(cite, p + 1, len);
		cite[len] = '\0';
		check_citation(top, id, trim(cite), ps);
		cited = true;
		p = e + 1;
	}
	if (!cited) {
		if (strcmp(tests, "—") && strcmp(tests, "untested"))
			problem(ps, "line %d: %s: the test cell cites no test (write `file: test`, "
				"\"untested\", or — on a row that is not done)", line, id);
		else if (!strcmp(tests, "—") && b != 3)
			problem(ps, "line %d: %s: only a row whose behaviour is \"not done\" may cite "
				"no test with —; say \"untested\" if podnet does it without a test",
				line, id);
	}
}

/* Checks the table DOC against the tree under TOP; returns the problem count. */
static size_t kep_check(const char *top, const char *doc, struct problems *ps)
{
	char *copy = strdup(doc), *line, *next;
	long declared[N_BEHAVIOURS] = { 0 }, tally[N_BEHAVIOURS] = { 0 };
	bool have_counts = false, rows_started = false;
	int lineno = 0, c_id = -1, c_beh = -1, c_test = -1;
	enum { OUT, HEADER, BODY } st = OUT;
	struct seen seen = { .n = 0 };

	assert_non_null(copy);
	for (line = copy; line; line = next) {
		char *cells[MAX_CELLS];
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!strncmp(trim(line), "Counts:", 7)) {
			if (rows_started)
				problem(ps, "line %d: the counts line must come before the table", lineno);
			else if (have_counts)
				problem(ps, "line %d: a second counts line", lineno);
			else
				have_counts = parse_counts(line, declared, ps);
			continue;
		}
		n = split_row(line, cells);
		if (!n) {
			st = OUT;
			continue;
		}
		if (st == OUT) {
			c_id = column(cells, n, "id");
			c_beh = column(cells, n, "behaviour");
			c_test = column(cells, n, "test");
			st = (c_id == 0 && c_beh > 0 && c_test > 0) ? HEADER : BODY;
			if (st == BODY)
				c_id = -1; /* a table of another shape: left alone */
			continue;
		}
		if (st == HEADER) {
			if (!is_separator(cells, n))
				problem(ps, "line %d: a conformance table header must be followed by |---|",
					lineno);
			st = BODY;
			continue;
		}
		if (c_id < 0)
			continue;
		rows_started = true;
		check_row(top, cells, n, c_id, c_beh, c_test, lineno, &seen, tally, ps);
	}
	if (!have_counts)
		problem(ps, "no counts line (\"Counts: as the KEP N, differs N, podnet extension N, "
			"not done N\") before the table");
	if (!seen.n)
		problem(ps, "no conformance table (a header | id | ... | behaviour | ... | test |)");
	for (int b = 0; b < N_BEHAVIOURS; b++)
		if (have_counts && declared[b] != tally[b])
			problem(ps, "counts line says %s %ld, the table has %ld", BEHAVIOURS[b],
				declared[b], tally[b]);
	for (size_t i = 0; i < seen.n; i++)
		free(seen.ids[i]);
	free(copy);
	return ps->n;
}

/* ---- the real table ------------------------------------------------------------------ */

static const char *top_dir(void)
{
	const char *env = getenv("PODNET_SRC_TOP");

	return env && *env ? env : PN_DOCS_TOP;
}

static void unit__kep__table_matches_the_tests(void **state)
{
	struct problems ps = { 0 };
	char *doc = read_rel(top_dir(), "docs/kep-conformance.md");

	(void)state;
	if (!doc)
		fail_msg("cannot read %s/docs/kep-conformance.md", top_dir());
	if (kep_check(top_dir(), doc, &ps)) {
		print_message("docs/kep-conformance.md: %zu problem(s):\n", ps.n);
		problems_print(&ps);
	}
	assert_int_equal(ps.n, 0);
	problems_clear(&ps);
	free(doc);
}

static void unit__kep__linked_from_the_guides(void **state)
{
	static const char *const docs[] = { "docs/user-guide.md", "docs/api-reference.md" };

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char *t = read_rel(top_dir(), docs[i]);

		if (!t)
			fail_msg("cannot read %s", docs[i]);
		if (!strstr(t, "kep-conformance.md"))
			fail_msg("%s does not link kep-conformance.md", docs[i]);
		free(t);
	}
}

/* ---- self-tests: a small tree and a small table ------------------------------------------ */

static char tmp_top[256];

static void write_rel(const char *rel, const char *text)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp_top, rel);
	for (char *s = path + strlen(tmp_top) + 1; (s = strchr(s, '/')); s++) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", dir, strerror(errno));
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int self_setup(void **state)
{
	(void)state;
	snprintf(tmp_top, sizeof(tmp_top), "%s/pn-kep-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	if (!mkdtemp(tmp_top))
		return -1;
	write_rel("api/test/test_x.c",
		  "static void unit__x__kept(void **state) {}\n"
		  "static void unit__x__unregistered(void **state) {}\n"
		  "static void prefix_unit__x__other(void **state) {}\n"
		  "int main(void) { const struct CMUnitTest t[] = {\n"
		  "\tcmocka_unit_test(unit__x__kept),\n"
		  "\tcmocka_unit_test(prefix_unit__x__other),\n};\n}\n");
	write_rel("controller/node/test/test_y.c",
		  "static void unit__y__one(void **st) {}\n"
		  "int main(void) { cmocka_unit_test(unit__y__one); }\n");
	write_rel("controller/node/test/empty.c", "/* no tests yet */\n");
	write_rel("e2e/test/s1-x.sh", "check \"s1__pod__running\" poll 90 running\n"
				      "ok \"add: result is CNI 1.0.0\"\n");
	write_rel("docs/x.c", "static void unit__z(void **s) {}\ncmocka_unit_test(unit__z)\n");
	return 0;
}

static int self_teardown(void **state)
{
	static const char *const files[] = { "api/test/test_x.c", "controller/node/test/test_y.c",
					     "controller/node/test/empty.c", "e2e/test/s1-x.sh",
					     "docs/x.c" };
	static const char *const dirs[] = { "api/test", "api", "controller/node/test",
					    "controller/node", "controller", "e2e/test", "e2e",
					    "docs", "" };
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp_top, files[i]);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp_top, dirs[i]);
		rmdir(path);
	}
	return 0;
}

static const char mini_doc[] =
	"# KEP conformance\n"
	"\n"
	"Counts: as the KEP 2, differs 2, podnet extension 1, not done 1\n"
	"\n"
	"| a | b |\n"
	"|---|---|\n"
	"| not | ours |\n"
	"\n"
	"| id | KEP | rule | behaviour | how | test |\n"
	"|---|---|---|---|---|---|\n"
	"| POD-1 | V3 | r | as the KEP | | `api/test/test_x.c: unit__x__kept` |\n"
	"| POD-2 | V2 | r | differs | a \\| b | `e2e/test/s1-x.sh: s1__pod__running`<br>"
	"`controller/node/test/test_y.c: unit__y__one` |\n"
	"\n"
	"| id | KEP | rule | behaviour | how | test |\n"
	"|---|---|---|---|---|---|\n"
	"| EXT-1 | — | r | podnet extension | | `controller/node/test/test_y.c` |\n"
	"| REQ-1 | V2 | r | not done | | — |\n"
	"| REQ-3 | V2 | r | differs | | untested |\n"
	"| REQ-2 | V3 | r | as the KEP | | `e2e/test/s1-x.sh: add: result is CNI 1.0.0` |\n";

static size_t mini(const char *doc, struct problems *ps)
{
	return kep_check(tmp_top, doc, ps);
}

static char *edit(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *out;

	assert_non_null(p);
	out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	memcpy(out, s, (size_t)(p - s));
	strcpy(out + (p - s), to);
	strcat(out, p + strlen(from));
	return out;
}

/* The edited mini table yields exactly one problem holding NEEDLE. */
static void expect_one(const char *from, const char *to, const char *needle)
{
	struct problems ps = { 0 };
	char *doc = edit(mini_doc, from, to);

	mini(doc, &ps);
	if (ps.n != 1 || !problems_have(&ps, needle)) {
		print_message("edit \"%s\" -> \"%s\": want one problem with \"%s\", got %zu:\n", from, to,
			      needle, ps.n);
		problems_print(&ps);
		fail();
	}
	problems_clear(&ps);
	free(doc);
}

/* The edited mini table yields at least one problem holding NEEDLE. */
static void expect_has(const char *from, const char *to, const char *needle)
{
	struct problems ps = { 0 };
	char *doc = edit(mini_doc, from, to);

	mini(doc, &ps);
	if (!problems_have(&ps, needle)) {
		print_message("edit \"%s\" -> \"%s\": want a problem with \"%s\", got %zu:\n", from,
			      to, needle, ps.n);
		problems_print(&ps);
		fail();
	}
	problems_clear(&ps);
	free(doc);
}

static void unit__kep__checker_correct_table__no_complaint(void **state)
{
	struct problems ps = { 0 };

	(void)state;
	mini(mini_doc, &ps);
	problems_print(&ps);
	assert_int_equal(ps.n, 0);
	problems_clear(&ps);
}

static void unit__kep__checker_renamed_or_unregistered_test__detected(void **state)
{
	(void)state;
	expect_one("unit__x__kept`", "unit__x__kep`", "no registered test unit__x__kep");
	expect_one("unit__x__kept`", "unit__x__unregistered`", "no registered test");
	/* a name that only ends another name is not that test */
	expect_one("unit__x__kept`", "unit__x__other`", "no registered test unit__x__other");
	expect_one("unit__y__one`", "unit__y__on`", "no registered test unit__y__on");
	expect_one("s1__pod__running`", "s1__pod__runnin`", "no check \"s1__pod__runnin\"");
	expect_one("add: result is CNI 1.0.0`", "add: result is CNI 1.1.0`", "no check");
	expect_one("`controller/node/test/test_y.c` |", "`controller/node/test/empty.c` |",
		   "registers no test");
	expect_one("`controller/node/test/test_y.c` |", "`controller/node/test/test_z.c` |",
		   "does not exist");
	expect_one("`api/test/test_x.c: unit__x__kept`", "`docs/x.c: unit__z`", "is not a test file");
	expect_one("`api/test/test_x.c: unit__x__kept`", "`api/test/../test/test_x.c: unit__x__kept`",
		   "is not a test file");
}

static void unit__kep__checker_bad_behaviour_or_id__detected(void **state)
{
	(void)state;
	/* a row with an unknown behaviour is not tallied: the counts complain too */
	expect_has("| differs |", "| partly |", "line 12: POD-2: behaviour \"partly\" is not one of");
	expect_has("| differs |", "| partly |", "counts line says differs 2, the table has 1");
	expect_has("| as the KEP | | `api", "| As the KEP | | `api", "behaviour \"As the KEP\"");
	expect_one("| POD-2 |", "| POD-1 |", "id POD-1 is used twice");
	expect_one("| EXT-1 |", "| ext1 |", "id \"ext1\"");
	expect_one("| EXT-1 |", "| EXT-1a |", "id \"EXT-1a\"");
}

static void unit__kep__checker_counts__detected(void **state)
{
	(void)state;
	expect_one("differs 2,", "differs 3,", "counts line says differs 3, the table has 2");
	expect_one("not done 1\n", "not done 0\n", "not done 0");
	expect_one("Counts: as the KEP 2, differs 2, podnet extension 1, not done 1\n", "\n",
		   "no counts line");
	expect_has("podnet extension 1,", "extension 1,", "no count for \"podnet extension\"");
	expect_one("| REQ-1 |", "Counts: as the KEP 2\n| REQ-1 |", "must come before the table");
}

static void unit__kep__checker_missing_citation__detected(void **state)
{
	(void)state;
	expect_one("`api/test/test_x.c: unit__x__kept` |", "— |", "only a row whose behaviour is \"not done\"");
	expect_one("| — |\n", "| later |\n", "cites no test");
	expect_one("| untested |", "| untestd |", "cites no test");
	expect_one("| untested |", "| — |", "only a row whose behaviour is \"not done\"");
	expect_one("`api/test/test_x.c: unit__x__kept` |", "`api/test/test_x.c: unit__x__kept |",
		   "unclosed");
}

int main(void)
{
	const struct CMUnitTest self[] = {
		cmocka_unit_test(unit__kep__checker_correct_table__no_complaint),
		cmocka_unit_test(unit__kep__checker_renamed_or_unregistered_test__detected),
		cmocka_unit_test(unit__kep__checker_bad_behaviour_or_id__detected),
		cmocka_unit_test(unit__kep__checker_counts__detected),
		cmocka_unit_test(unit__kep__checker_missing_citation__detected),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(unit__kep__table_matches_the_tests),
		cmocka_unit_test(unit__kep__linked_from_the_guides),
	};
	int failed = cmocka_run_group_tests_name("kep_conformance_checker", self, self_setup,
						 self_teardown);

	return failed + cmocka_run_group_tests_name("kep_conformance_table", real, NULL, NULL);
}
