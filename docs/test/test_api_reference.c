/* test_api_reference.c — docs/api-reference.md checked against the CRDs (crds/, every .yaml).
 *
 * Every CRD of crds/ is loaded with the api/ loader (pn/doc.h) and its
 * openAPIV3Schema walked into field paths such as
 * spec.parametersRefs[].kind, each with a type ("string", "integer (int64)",
 * "array of object"), whether its parent lists it as required, its default
 * and its enum values. The reference has one section per kind, a line
 * "## <Kind>", holding tables whose header names the columns field, type,
 * required, default and validation; a row's first cell is the backticked
 * path (tables whose first column is not "field" are left alone). The tests check, per kind, that the two agree both ways: every
 * schema field documented, every documented field in the schema, types,
 * required-ness, defaults, and enum values (the backticked values after
 * "one of" in the validation cell). Self-tests feed the same checks a
 * small schema and a doc with a row missing, a row too many, a wrong type
 * and a wrong enum, and expect them to complain.
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

#include <cmocka.h>
#include <dirent.h>

#include "pn/doc.h"
#include "pn/problem.h"

#ifndef PN_DOCS_TOP
#define PN_DOCS_TOP "."
#endif

#define MAX_FILE (1u << 20) /* any file this test reads */
#define MAX_ENUMS 32

/* ---- one field, from the schema or from the doc ------------------------------ */

struct field {
	char *path;    /* spec.ranges[].cidr */
	char *type;    /* string, integer (int64), array of object, ... */
	bool required; /* listed in its parent's required */
	char *def;     /* default as text, or NULL */
	char *enums[MAX_ENUMS];
	size_t n_enums;
	bool has_enum; /* schema: enum present; doc: "one of" present */
	int line;      /* doc only: 1-based line of the row */
};

struct fields {
	struct field *v;
	size_t n, cap;
};

static void fields_clear(struct fields *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->v[i].path);
		free(fs->v[i].type);
		free(fs->v[i].def);
		for (size_t k = 0; k < fs->v[i].n_enums; k++)
			free(fs->v[i].enums[k]);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

static struct field *fields_add(struct fields *fs)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 32;
		struct field *v = realloc(fs->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		fs->v = v;
		fs->cap = cap;
	}
	memset(&fs->v[fs->n], 0, sizeof(fs->v[0]));
	return &fs->v[fs->n++];
}

static const struct field *fields_find(const struct fields *fs, const char *path)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].path, path))
			return &fs->v[i];
	return NULL;
}

/* ---- the schema side ------------------------------------------------------------ */

/* "string", "string (cidr)", "integer (int64)", "array of string (cidr)". */
static char *type_text(json_t *s)
{
	const char *t = json_string_value(json_object_get(s, "type"));
	const char *f = json_string_value(json_object_get(s, "format"));
	char *inner = NULL, *out = NULL;

	if (!t)
		return strdup("(none)");
	if (!strcmp(t, "array")) {
		inner = type_text(json_object_get(s, "items"));
		if (inner && asprintf(&out, "array of %s", inner) < 0)
			out = NULL;
		free(inner);
		return out;
	}
	if (f) {
		if (asprintf(&out, "%s (%s)", t, f) < 0)
			out = NULL;
		return out;
	}
	return strdup(t);
}

static char *scalar_text(json_t *v)
{
	char *out = NULL;

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_true(v))
		return strdup("true");
	if (json_is_false(v))
		return strdup("false");
	if (json_is_integer(v)) {
		if (asprintf(&out, "%lld", (long long)json_integer_value(v)) < 0)
			out = NULL;
		return out;
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static bool in_required(json_t *obj_schema, const char *key)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(obj_schema, "required"), i, r)
		if (json_is_string(r) && !strcmp(json_string_value(r), key))
			return true;
	return false;
}

/* Adds every property of the object schema s under prefix, depth first. */
static int schema_walk(json_t *s, const char *prefix, struct fields *out)
{
	const char *key;
	json_t *p;

	json_object_foreach(json_object_get(s, "properties"), key, p) {
		struct field *f = fields_add(out);
		json_t *items = json_object_get(p, "items");
		json_t *en = json_object_get(p, "enum");
		const char *t = json_string_value(json_object_get(p, "type"));
		char *sub = NULL;
		int r = 0;

		if (!f)
			return -ENOMEM;
		if (asprintf(&f->path, "%s%s%s", prefix, *prefix ? "." : "", key) < 0) {
			f->path = NULL;
			return -ENOMEM;
		}
		f->type = type_text(p);
		f->required = in_required(s, key);
		if (json_object_get(p, "default"))
			f->def = scalar_text(json_object_get(p, "default"));
		if (json_is_array(en)) {
			size_t i;
			json_t *v;

			f->has_enum = true;
			json_array_foreach(en, i, v)
				if (f->n_enums < MAX_ENUMS)
					f->enums[f->n_enums++] = scalar_text(v);
		}
		if (!f->type)
			return -ENOMEM;
		if (t && !strcmp(t, "object") && json_object_get(p, "properties")) {
			sub = strdup(f->path);
			r = sub ? schema_walk(p, sub, out) : -ENOMEM;
		} else if (t && !strcmp(t, "array") && json_object_get(items, "properties")) {
			if (asprintf(&sub, "%s[]", f->path) < 0)
				return -ENOMEM;
			r = schema_walk(items, sub, out);
		}
		free(sub);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A loaded CRD: its kind and the fields of its (first) version's schema. */
struct crd {
	char *kind;
	char *file;
	struct fields fields;
};

struct crds {
	struct crd v[16];
	size_t n;
};

static void crds_clear(struct crds *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].kind);
		free(cs->v[i].file);
		fields_clear(&cs->v[i].fields);
	}
	cs->n = 0;
}

/* Loads every CustomResourceDefinition in the YAML text into cs. */
static int crds_from_text(const char *text, size_t len, const char *file, struct crds *cs,
			  struct pn_problems *ps)
{
	struct pn_docs docs = { 0 };
	int r = pn_doc_load_yaml(text, len, NULL, &docs, ps);

	for (size_t i = 0; r == 0 && i < docs.n; i++) {
		json_t *root = docs.v[i].root;
		json_t *spec = json_object_get(root, "spec");
		json_t *ver = json_array_get(json_object_get(spec, "versions"), 0);
		json_t *schema = json_object_get(json_object_get(ver, "schema"), "openAPIV3Schema");
		const char *kind = json_string_value(
			json_object_get(json_object_get(spec, "names"), "kind"));
		struct crd *c;

		if (strcmp(json_string_value(json_object_get(root, "kind")) ?: "",
			   "CustomResourceDefinition") != 0)
			continue;
		if (!kind || !schema || cs->n == sizeof(cs->v) / sizeof(cs->v[0])) {
			pn_problems_add(ps, file, "a CRD without names.kind or openAPIV3Schema");
			r = -EINVAL;
			break;
		}
		c = &cs->v[cs->n++];
		c->kind = strdup(kind);
		c->file = strdup(file);
		if (!c->kind || !c->file)
			r = -ENOMEM;
		else
			r = schema_walk(schema, "", &c->fields);
	}
	pn_docs_clear(&docs);
	return r;
}

/* ---- the doc side --------------------------------------------------------------- */

/* Splits one table row into trimmed cells; "\|" is a literal bar. The cells
 * point into buf, which the row is copied into. Returns the cell count. */
static size_t split_row(const char *line, size_t len, char *buf, size_t buflen, char **cells,
			size_t max)
{
	size_t n = 0, o = 0, i = 0;
	char *cell;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	if (i == len || line[i] != '|' || len >= buflen)
		return 0;
	i++;
	cell = buf;
	for (; i < len; i++) {
		if (line[i] == '\\' && i + 1 < len && line[i + 1] == '|') {
			buf[o++] = '|';
			i++;
		} else if (line[i] == '|') {
			buf[o++] = 0;
			if (n < max)
				cells[n++] = cell;
			cell = buf + o;
		} else {
			buf[o++] = line[i];
		}
	}
	buf[o] = 0;
	/* trim */
	for (size_t k = 0; k < n; k++) {
		char *c = cells[k], *e;

		while (isspace((unsigned char)*c))
			c++;
		e = c + strlen(c);
		while (e > c && isspace((unsigned char)e[-1]))
			*--e = 0;
		cells[k] = c;
	}
	return n;
}

static bool is_separator(char **cells, size_t n)
{
	if (!n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (!cells[k][0] || strspn(cells[k], "-:") != strlen(cells[k]))
			return false;
	return true;
}

/* The text of the first backtick span of s (up to the closing backtick),
 * advancing *s past it; NULL when there is none. */
static char *next_code(const char **s)
{
	const char *a = strchr(*s, '`'), *b;
	char *out;

	if (!a)
		return NULL;
	b = strchr(a + 1, '`');
	if (!b)
		return NULL;
	out = strndup(a + 1, (size_t)(b - a - 1));
	*s = b + 1;
	return out;
}

/* "one of `a`, `b`, `c`": the values after "one of", separated by commas. */
static void parse_enum(const char *cell, struct field *f)
{
	const char *p = strstr(cell, "one of");

	if (!p)
		return;
	f->has_enum = true;
	p += strlen("one of");
	for (;;) {
		while (*p == ' ' || *p == ',' || *p == ':')
			p++;
		if (*p != '`' || f->n_enums == MAX_ENUMS)
			break;
		f->enums[f->n_enums] = next_code(&p);
		if (!f->enums[f->n_enums])
			break;
		f->n_enums++;
	}
}

static int column(char **hdr, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (!strcasecmp(hdr[k], name))
			return (int)k;
	return -1;
}

/* Reads the tables of section "## <kind>" of the markdown text into out.
 * Returns 1 when the section exists, 0 when not; problems (a table without
 * the needed columns, a row that is not a path) go to ps. */
static int doc_section(const char *text, const char *kind, struct fields *out,
		       struct pn_problems *ps)
{
	const char *p = text;
	int line = 1, found = 0;
	int col_type = -1, col_req = -1, col_def = -1, col_val = -1;
	bool in_table = false;
	char prev[4096] = "";
	size_t prev_len = 0;
	int prev_line = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char buf[4096], *cells[16];
		size_t n;

		if (len >= 3 && !strncmp(p, "## ", 3)) {
			if (found)
				break; /* the next section */
			if (len - 3 == strlen(kind) && !strncmp(p + 3, kind, len - 3))
				found = 1;
		} else if (len >= 2 && !strncmp(p, "# ", 2) && found) {
			break;
		} else if (found) {
			n = split_row(p, len, buf, sizeof(buf), cells, 16);
			if (!n) {
				in_table = false;
			} else if (is_separator(cells, n)) {
				/* the previous line was a header */
				char hbuf[4096], *hdr[16];
				size_t hn = split_row(prev, prev_len, hbuf, sizeof(hbuf), hdr, 16);

				col_type = column(hdr, hn, "type");
				col_req = column(hdr, hn, "required");
				col_def = column(hdr, hn, "default");
				col_val = column(hdr, hn, "validation");
				/* only tables whose first column is "field" list fields */
				in_table = hn > 0 && !strcasecmp(hdr[0], "field");
				if (in_table && (col_type < 0 || col_req < 0 || col_def < 0 || col_val < 0))
					pn_problems_add(ps, kind,
							"line %d: a table without the columns field, "
							"type, required, default, validation",
							prev_line);
			} else if (in_table && col_type >= 0 && col_req >= 0 && col_def >= 0 &&
				   col_val >= 0) {
				const char *c0 = cells[0];
				struct field *f;
				char *path = next_code(&c0);

				if (!path || cells[0][0] != '`' || *c0) {
					pn_problems_add(ps, kind,
							"line %d: the first cell must be one backticked "
							"field path", line);
					free(path);
				} else if ((size_t)col_val >= n) {
					pn_problems_add(ps, path, "line %d: too few cells", line);
					free(path);
				} else if (!(f = fields_add(out))) {
					free(path);
					return -ENOMEM;
				} else {
					const char *d = cells[col_def];

					f->path = path;
					f->line = line;
					f->type = strdup(cells[col_type]);
					f->required = !strcasecmp(cells[col_req], "yes");
					if (strcasecmp(cells[col_req], "yes") &&
					    strcasecmp(cells[col_req], "no"))
						pn_problems_add(ps, path,
								"line %d: required must be yes or no, "
								"not \"%s\"", line, cells[col_req]);
					f->def = next_code(&d);
					parse_enum(cells[col_val], f);
				}
			}
		}
		if (len < sizeof(prev)) {
			memcpy(prev, p, len);
			prev[len] = 0;
			prev_len = len;
			prev_line = line;
		}
		p += len + (e ? 1 : 0);
		line++;
	}
	return found;
}

/* ---- the checks ----------------------------------------------------------------- */

enum check { CHK_DOCUMENTED, CHK_EXIST, CHK_TYPES, CHK_REQUIRED, CHK_ENUMS, CHK_DEFAULTS };

static bool enum_equal(const struct field *a, const struct field *b)
{
	if (a->n_enums != b->n_enums)
		return false;
	for (size_t i = 0; i < a->n_enums; i++) {
		bool found = false;

		for (size_t k = 0; k < b->n_enums; k++)
			if (a->enums[i] && b->enums[k] && !strcmp(a->enums[i], b->enums[k]))
				found = true;
		if (!found)
			return false;
	}
	return true;
}

static void enum_text(const struct field *f, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < f->n_enums && o < len; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? "," : "", f->enums[i] ?: "?");

		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* Compares one kind's schema fields with its doc rows; the disagreements
 * of the asked check go to ps. */
static void check(enum check what, const struct fields *schema, const struct fields *doc,
		  struct pn_problems *ps)
{
	if (what == CHK_DOCUMENTED) {
		for (size_t i = 0; i < schema->n; i++)
			if (!fields_find(doc, schema->v[i].path))
				pn_problems_add(ps, schema->v[i].path, "is in the schema but not documented");
		return;
	}
	for (size_t i = 0; i < doc->n; i++) {
		const struct field *d = &doc->v[i];
		const struct field *s = fields_find(schema, d->path);
		char a[512], b[512];

		if (what == CHK_EXIST) {
			if (!s)
				pn_problems_add(ps, d->path, "line %d: documented but not in the schema",
						d->line);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(doc->v[k].path, d->path))
					pn_problems_add(ps, d->path, "line %d: documented twice (line %d)",
							d->line, doc->v[k].line);
			continue;
		}
		if (!s)
			continue; /* reported by CHK_EXIST */
		switch (what) {
		case CHK_TYPES:
			if (strcmp(d->type, s->type))
				pn_problems_add(ps, d->path, "line %d: type \"%s\", schema says \"%s\"",
						d->line, d->type, s->type);
			break;
		case CHK_REQUIRED:
			if (d->required != s->required)
				pn_problems_add(ps, d->path, "line %d: required %s, schema says %s",
						d->line, d->required ? "yes" : "no",
						s->required ? "yes" : "no");
			break;
		case CHK_ENUMS:
			if (d->has_enum != s->has_enum || !enum_equal(d, s) || !enum_equal(s, d)) {
				enum_text(d, a, sizeof(a));
				enum_text(s, b, sizeof(b));
				pn_problems_add(ps, d->path, "line %d: one of [%s], schema enum [%s]",
						d->line, d->has_enum ? a : "(none)",
						s->has_enum ? b : "(none)");
			}
			break;
		case CHK_DEFAULTS:
			if ((d->def == NULL) != (s->def == NULL) ||
			    (d->def && strcmp(d->def, s->def)))
				pn_problems_add(ps, d->path, "line %d: default %s, schema default %s",
						d->line, d->def ? d->def : "(none)",
						s->def ? s->def : "(none)");
			break;
		default:
			break;
		}
	}
}

/* ---- fixture: the real files ------------------------------------------------------ */

struct world {
	char top[1024];
	char *doc;          /* docs/api-reference.md */
	struct crds crds;   /* every crds/NAME.yaml */
	struct pn_problems load_problems;
};

static struct world W;

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
	if (n > MAX_FILE) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int world_setup(void **state)
{
	const char *env = getenv("PODNET_SRC_TOP");
	char path[1200], *names[64];
	size_t nn = 0;
	struct dirent *de;
	DIR *dir;

	(void)state;
	snprintf(W.top, sizeof(W.top), "%s", env && *env ? env : PN_DOCS_TOP);
	snprintf(path, sizeof(path), "%s/docs/api-reference.md", W.top);
	W.doc = read_file(path, NULL);
	if (!W.doc) {
		fprintf(stderr, "cannot read %s\n", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/crds", W.top);
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	while ((de = readdir(dir)) && nn < 64) {
		size_t l = strlen(de->d_name);

		if (l > 5 && !strcmp(de->d_name + l - 5, ".yaml"))
			names[nn++] = strdup(de->d_name);
	}
	closedir(dir);
	qsort(names, nn, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		size_t len = 0;
		char *text;

		snprintf(path, sizeof(path), "%s/crds/%s", W.top, names[i] ? names[i] : "");
		text = names[i] ? read_file(path, &len) : NULL;
		if (!text)
			pn_problems_add(&W.load_problems, path, "cannot read");
		else if (crds_from_text(text, len, path, &W.crds, &W.load_problems) < 0)
			pn_problems_add(&W.load_problems, path, "cannot load");
		free(text);
		free(names[i]);
	}
	return 0;
}

static int world_teardown(void **state)
{
	(void)state;
	free(W.doc);
	crds_clear(&W.crds);
	pn_problems_clear(&W.load_problems);
	return 0;
}

static void print_problems(const struct pn_problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		print_error("  %s: %s\n", ps->v[i].path, ps->v[i].message);
}

static const struct crd *crd_of(const char *kind)
{
	for (size_t i = 0; i < W.crds.n; i++)
		if (!strcmp(W.crds.v[i].kind, kind))
			return &W.crds.v[i];
	return NULL;
}

/* One test: a kind and a check. */
struct kcase {
	const char *kind;
	enum check what;
};

static void t_kind(void **state)
{
	const struct kcase *kc = *state;
	const struct crd *c = crd_of(kc->kind);
	struct fields doc = { 0 };
	struct pn_problems ps = { 0 };
	int found;

	print_problems(&W.load_problems);
	assert_int_equal(W.load_problems.n, 0);
	if (!c)
		print_error("no CRD of kind %s in %s/crds\n", kc->kind, W.top);
	assert_non_null(c);
	assert_true(c->fields.n > 0);
	found = doc_section(W.doc, kc->kind, &doc, &ps);
	if (found != 1)
		print_error("docs/api-reference.md has no line \"## %s\"\n", kc->kind);
	assert_int_equal(found, 1);
	check(kc->what, &c->fields, &doc, &ps);
	print_problems(&ps);
	/* no check passes on an empty table */
	if (doc.n == 0)
		print_error("the section \"## %s\" documents no field\n", kc->kind);
	assert_true(doc.n > 0);
	assert_int_equal(ps.n, 0);
	pn_problems_clear(&ps);
	fields_clear(&doc);
}

/* Every CRD in crds/ has its section, and the five kinds are all there. */
static void t_every_kind(void **state)
{
	static const char *const want[] = { "PodNetwork", "PodNetworkAttachment", "CNIConfig",
					     "IPPool", "PodNetworkNode" };
	size_t missing = 0;

	(void)state;
	assert_int_equal(W.load_problems.n, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!crd_of(want[i])) {
			print_error("no CRD of kind %s\n", want[i]);
			missing++;
		}
	for (size_t i = 0; i < W.crds.n; i++) {
		struct fields doc = { 0 };
		struct pn_problems ps = { 0 };

		if (doc_section(W.doc, W.crds.v[i].kind, &doc, &ps) != 1) {
			print_error("%s (%s) has no section \"## %s\"\n", W.crds.v[i].kind,
				    W.crds.v[i].file, W.crds.v[i].kind);
			missing++;
		}
		pn_problems_clear(&ps);
		fields_clear(&doc);
	}
	assert_int_equal(missing, 0);
	assert_int_equal(W.crds.n, 5);
}

/* ---- self-tests: the checks catch what they must -------------------------------- */

static const char mini_crd[] =
	"apiVersion: apiextensions.k8s.io/v1\n"
	"kind: CustomResourceDefinition\n"
	"metadata: {name: widgets.example.dev}\n"
	"spec:\n"
	"  names: {kind: Widget}\n"
	"  versions:\n"
	"  - name: v1\n"
	"    schema:\n"
	"      openAPIV3Schema:\n"
	"        type: object\n"
	"        required: [spec]\n"
	"        properties:\n"
	"          spec:\n"
	"            type: object\n"
	"            required: [size]\n"
	"            properties:\n"
	"              size: {type: integer, format: int64}\n"
	"              mode: {type: string, default: fast, enum: [fast, slow]}\n"
	"              tags:\n"
	"                type: array\n"
	"                items:\n"
	"                  type: object\n"
	"                  properties:\n"
	"                    name: {type: string}\n";

static const char mini_doc_ok[] =
	"# Widgets\n\n"
	"## Widget\n\n"
	"Some text.\n\n"
	"| field | type | required | default | validation |\n"
	"|---|---|---|---|---|\n"
	"| `spec` | object | yes | | |\n"
	"| `spec.size` | integer (int64) | yes | | a \\| bar |\n"
	"| `spec.mode` | string | no | `fast` | one of `fast`, `slow` |\n"
	"| `spec.tags` | array of object | no | | |\n"
	"| `spec.tags[].name` | string | no | | |\n"
	"\n### Not fields\n\n"
	"| reason | meaning |\n"
	"|---|---|\n"
	"| `Ready` | a table that is not a field table |\n"
	"\n## Other\n\n"
	"| field | type | required | default | validation |\n"
	"|---|---|---|---|---|\n"
	"| `spec.stray` | string | no | | |\n";

/* Runs every check of the mini doc text against the mini CRD; returns how
 * many problems the check `what` found. */
static size_t mini(const char *doc_text, enum check what)
{
	struct crds cs = { 0 };
	struct fields doc = { 0 };
	struct pn_problems ps = { 0 };
	size_t n;

	assert_int_equal(crds_from_text(mini_crd, strlen(mini_crd), "mini", &cs, &ps), 0);
	assert_int_equal(cs.n, 1);
	assert_int_equal(doc_section(doc_text, "Widget", &doc, &ps), 1);
	assert_int_equal(ps.n, 0);
	check(what, &cs.v[0].fields, &doc, &ps);
	n = ps.n; /* not printed: these problems are the expected ones */
	pn_problems_clear(&ps);
	fields_clear(&doc);
	crds_clear(&cs);
	return n;
}

/* Replaces the first occurrence of from with to in a copy of s. */
static char *edit(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out = NULL;

	assert_non_null(at);
	if (asprintf(&out, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from)) < 0)
		out = NULL;
	assert_non_null(out);
	return out;
}

static void t_self_ok(void **state)
{
	(void)state;
	for (int w = CHK_DOCUMENTED; w <= CHK_DEFAULTS; w++)
		assert_int_equal(mini(mini_doc_ok, (enum check)w), 0);
}

static void t_self_missing_row(void **state)
{
	char *d = edit(mini_doc_ok, "| `spec.tags[].name` | string | no | | |\n", "");

	(void)state;
	assert_int_equal(mini(d, CHK_DOCUMENTED), 1);
	assert_int_equal(mini(d, CHK_EXIST), 0);
	free(d);
}

static void t_self_extra_row(void **state)
{
	char *d = edit(mini_doc_ok, "| `spec.tags` |", "| `spec.colour` | string | no | | |\n| `spec.tags` |");

	(void)state;
	assert_int_equal(mini(d, CHK_EXIST), 1);
	assert_int_equal(mini(d, CHK_DOCUMENTED), 0);
	free(d);
}

static void t_self_wrong_type(void **state)
{
	char *d = edit(mini_doc_ok, "integer (int64)", "integer");
	char *r = edit(mini_doc_ok, "| `spec.size` | integer (int64) | yes", "| `spec.size` | integer (int64) | no");

	(void)state;
	assert_int_equal(mini(d, CHK_TYPES), 1);
	assert_int_equal(mini(r, CHK_REQUIRED), 1);
	free(d);
	free(r);
}

static void t_self_wrong_enum_default(void **state)
{
	char *e = edit(mini_doc_ok, "one of `fast`, `slow`", "one of `fast`, `slow`, `medium`");
	char *e2 = edit(mini_doc_ok, "one of `fast`, `slow`", "fast or slow");
	char *f = edit(mini_doc_ok, "| `fast` |", "| `slow` |");

	(void)state;
	assert_int_equal(mini(e, CHK_ENUMS), 1);
	assert_int_equal(mini(e2, CHK_ENUMS), 1);
	assert_int_equal(mini(f, CHK_DEFAULTS), 1);
	free(e);
	free(e2);
	free(f);
}

/* ---- the list ------------------------------------------------------------------- */

#define KIND_CASES(lc, K)                                                                          \
	static const struct kcase lc##_documented = { K, CHK_DOCUMENTED },                         \
				  lc##_exist = { K, CHK_EXIST }, lc##_types = { K, CHK_TYPES },    \
				  lc##_required = { K, CHK_REQUIRED },                             \
				  lc##_enums = { K, CHK_ENUMS }, lc##_defaults = { K, CHK_DEFAULTS };
KIND_CASES(podnetwork, "PodNetwork")
KIND_CASES(podnetworkattachment, "PodNetworkAttachment")
KIND_CASES(cniconfig, "CNIConfig")
KIND_CASES(ippool, "IPPool")
KIND_CASES(podnetworknode, "PodNetworkNode")

#define KIND_TESTS(lc)                                                                             \
	{ "docs__" #lc "_fields__all_documented", t_kind, NULL, NULL, (void *)&lc##_documented }, \
	{ "docs__" #lc "_fields__all_exist_in_schema", t_kind, NULL, NULL, (void *)&lc##_exist }, \
	{ "docs__" #lc "_types__match_schema", t_kind, NULL, NULL, (void *)&lc##_types },         \
	{ "docs__" #lc "_required__match_schema", t_kind, NULL, NULL, (void *)&lc##_required },   \
	{ "docs__" #lc "_enums__match_schema", t_kind, NULL, NULL, (void *)&lc##_enums },         \
	{ "docs__" #lc "_defaults__match_schema", t_kind, NULL, NULL, (void *)&lc##_defaults }

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "docs__checker_correct_doc__no_complaint", t_self_ok, NULL, NULL, NULL },
		{ "docs__checker_missing_row__detected", t_self_missing_row, NULL, NULL, NULL },
		{ "docs__checker_extra_row__detected", t_self_extra_row, NULL, NULL, NULL },
		{ "docs__checker_wrong_type_or_required__detected", t_self_wrong_type, NULL, NULL, NULL },
		{ "docs__checker_wrong_enum_or_default__detected", t_self_wrong_enum_default, NULL, NULL,
		  NULL },
		{ "docs__crds__every_kind_has_a_section", t_every_kind, NULL, NULL, NULL },
		KIND_TESTS(podnetwork),
		KIND_TESTS(podnetworkattachment),
		KIND_TESTS(cniconfig),
		KIND_TESTS(ippool),
		KIND_TESTS(podnetworknode),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
