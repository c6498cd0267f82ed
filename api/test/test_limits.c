/* test_limits.c — the limits of the CRDs (crds/ (every .yaml)) against pn/limits.h.
 *
 * Every CRD is loaded with the api/ loader (pn/doc.h) and its
 * openAPIV3Schema walked; each maxItems, minItems, maxLength, minLength,
 * maximum, minimum, maxProperties, minProperties and pattern becomes a
 * (kind, path, keyword, value) with paths such as
 * spec.parametersRefs[].kind (map values: matchLabels{}). The tests check:
 * every CRD limit is in pn_limits[] with the same number or pattern; every
 * entry of pn_limits[] is in a CRD; each pattern's C checker agrees with
 * the CRD's regular expression (plus its length limits) on sample strings
 * (exactly, or only "C accepts => the API server accepts" where the table
 * says C is stricter). A self-test feeds the comparison a CRD with a limit
 * too many and one different, and expects both found.
 *
 * Files are found from the source tree's top: $PODNET_SRC_TOP, else the
 * PN_SRC_TOP the build defines (api/api.mk). */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pn/doc.h"
#include "pn/limits.h"
#include "pn/model.h"
#include "pn/problem.h"

#ifndef PN_SRC_TOP
#define PN_SRC_TOP "."
#endif

#define MAX_FILE (1u << 20)

static const char *const keywords[] = { "maxItems",  "minItems",      "maxLength",
					"minLength", "maximum",       "minimum",
					"maxProperties", "minProperties", "pattern" };

struct climit {
	char *kind, *path, *what, *pattern;
	long long value;
};

struct climits {
	struct climit v[1024];
	size_t n;
};

static void climits_clear(struct climits *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].kind);
		free(cs->v[i].path);
		free(cs->v[i].what);
		free(cs->v[i].pattern);
	}
	cs->n = 0;
}

static void walk(struct climits *cs, const char *kind, json_t *s, const char *path)
{
	char sub[512];
	const char *key;
	json_t *v;

	if (!json_is_object(s))
		return;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		json_t *k = json_object_get(s, keywords[i]);
		struct climit *c;

		if (!k)
			continue;
		assert_true(cs->n < sizeof(cs->v) / sizeof(cs->v[0]));
		c = &cs->v[cs->n++];
		c->kind = strdup(kind);
		c->path = strdup(path);
		c->what = strdup(keywords[i]);
		c->pattern = json_is_string(k) ? strdup(json_string_value(k)) : NULL;
		c->value = json_is_integer(k) ? (long long)json_integer_value(k) : 0;
	}
	json_object_foreach(json_object_get(s, "properties"), key, v) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		walk(cs, kind, v, sub);
	}
	if (json_object_get(s, "items")) {
		snprintf(sub, sizeof(sub), "%s[]", path);
		walk(cs, kind, json_object_get(s, "items"), sub);
	}
	if (json_is_object(json_object_get(s, "additionalProperties"))) {
		snprintf(sub, sizeof(sub), "%s{}", path);
		walk(cs, kind, json_object_get(s, "additionalProperties"), sub);
	}
}

/* Every CRD of the YAML text into cs. */
static int load_crds(const char *text, size_t len, struct climits *cs)
{
	struct pn_problems ps = { 0 };
	struct pn_docs docs = { 0 };
	int r = pn_doc_load_yaml(text, len, NULL, &docs, &ps);

	for (size_t i = 0; r == 0 && i < docs.n; i++) {
		json_t *root = docs.v[i].root, *spec = json_object_get(root, "spec"), *ver;
		const char *kind = json_string_value(json_object_get(json_object_get(spec, "names"),
								     "kind"));
		size_t k;

		if (strcmp(json_string_value(json_object_get(root, "kind")) ?: "",
			   "CustomResourceDefinition") != 0 || !kind)
			continue;
		json_array_foreach(json_object_get(spec, "versions"), k, ver)
			walk(cs, kind,
			     json_object_get(json_object_get(ver, "schema"), "openAPIV3Schema"), "");
	}
	pn_docs_clear(&docs);
	pn_problems_clear(&ps);
	return r;
}

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
	*len = n;
	return buf;
}

static struct climits W;

static int world_setup(void **state)
{
	const char *env = getenv("PODNET_SRC_TOP");
	char dirpath[1024], path[1400];
	struct dirent *de;
	DIR *dir;

	(void)state;
	snprintf(dirpath, sizeof(dirpath), "%s/crds", env && *env ? env : PN_SRC_TOP);
	dir = opendir(dirpath);
	if (!dir) {
		fprintf(stderr, "cannot open %s\n", dirpath);
		return -1;
	}
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name), len = 0;
		char *text;

		if (l <= 5 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		text = read_file(path, &len);
		if (!text || load_crds(text, len, &W) < 0) {
			fprintf(stderr, "cannot load %s\n", path);
			free(text);
			closedir(dir);
			return -1;
		}
		free(text);
	}
	closedir(dir);
	return W.n ? 0 : -1;
}

static int world_teardown(void **state)
{
	(void)state;
	climits_clear(&W);
	return 0;
}

/* ---- the comparison ----------------------------------------------------------- */

static const struct pn_limit *table_find(const struct pn_limit *t, size_t n, const char *kind,
					 const char *path, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].kind, kind) && !strcmp(t[i].path, path) && !strcmp(t[i].what, what))
			return &t[i];
	return NULL;
}

static bool kind_in(const struct climits *cs, const char *kind)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->v[i].kind, kind))
			return true;
	return false;
}

/* Problems of the comparison both ways, printed; their count. */
static int compare(const struct climits *cs, const struct pn_limit *t, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < cs->n; i++) {
		const struct climit *c = &cs->v[i];
		const struct pn_limit *l = table_find(t, n, c->kind, c->path, c->what);

		if (!l) {
			printf("CRD %s %s %s has no counterpart in pn/limits.h (api/limits.c)\n",
			       c->kind, c->path, c->what);
			bad++;
		} else if (c->pattern && (!l->pattern || strcmp(c->pattern, l->pattern) != 0)) {
			printf("CRD %s %s pattern\n  %s\nC has\n  %s\n", c->kind, c->path, c->pattern,
			       l->pattern ? l->pattern : "(a number)");
			bad++;
		} else if (!c->pattern && c->value != l->value) {
			printf("CRD %s %s %s is %lld, C says %lld\n", c->kind, c->path, c->what,
			       c->value, l->value);
			bad++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < cs->n && !found; k++)
			found = !strcmp(cs->v[k].kind, t[i].kind) && !strcmp(cs->v[k].path, t[i].path) &&
				!strcmp(cs->v[k].what, t[i].what);
		if (!found && kind_in(cs, t[i].kind)) {
			printf("C limit %s %s %s is not in the CRD\n", t[i].kind, t[i].path,
			       t[i].what);
			bad++;
		}
	}
	return bad;
}

static void unit__limits__crds_match_c_both_ways(void **state)
{
	(void)state;
	assert_int_equal(compare(&W, pn_limits, pn_limits_n), 0);
	/* and every kind of the table has a CRD */
	for (size_t i = 0; i < pn_limits_n; i++)
		if (!kind_in(&W, pn_limits[i].kind))
			fail_msg("no CRD of kind %s in crds/", pn_limits[i].kind);
}

static void unit__limits__self_test_finds_differences(void **state)
{
	static const char crd[] =
		"apiVersion: apiextensions.k8s.io/v1\n"
		"kind: CustomResourceDefinition\n"
		"spec:\n"
		"  names: {kind: PodNetwork}\n"
		"  versions:\n"
		"  - schema:\n"
		"      openAPIV3Schema:\n"
		"        type: object\n"
		"        properties:\n"
		"          spec:\n"
		"            type: object\n"
		"            properties:\n"
		"              parametersRefs: {type: array, maxItems: 17, items: {type: object}}\n"
		"              extra: {type: string, maxLength: 5}\n"
		"              provider: {type: string, pattern: '^.*$'}\n";
	static const struct pn_limit t[] = {
		{ "PodNetwork", "spec.parametersRefs", "maxItems", 16, NULL, NULL, false },
		{ "PodNetwork", "spec.provider", "pattern", 0, PN_PATTERN_PROVIDER, NULL, true },
		{ "PodNetwork", "spec.gone", "maxLength", 3, NULL, NULL, false },
	};
	struct climits cs = { .n = 0 };

	(void)state;
	assert_int_equal(load_crds(crd, sizeof(crd) - 1, &cs), 0);
	assert_int_equal(cs.n, 3);
	/* 17 != 16, extra has no counterpart, the pattern differs, spec.gone missing */
	assert_int_equal(compare(&cs, t, sizeof(t) / sizeof(t[0])), 4);
	climits_clear(&cs);
}

/* ---- patterns against their C checkers ------------------------------------------ */

/* The CRD pattern as a POSIX extended expression: \xNN becomes the byte
 * (\x00 becomes \x01: no C string holds a NUL). */
static int compile(regex_t *re, const char *pat)
{
	char buf[1024];
	size_t o = 0;

	for (const char *p = pat; *p && o + 2 < sizeof(buf); p++) {
		if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
			char hex[3] = { p[2], p[3], 0 };
			long v = strtol(hex, NULL, 16);

			buf[o++] = (char)(v ? v : 1);
			p += 3;
			continue;
		}
		buf[o++] = *p;
	}
	buf[o] = 0;
	return regcomp(re, buf, REG_EXTENDED | REG_NOSUB);
}

/* What the API server accepts for path: its pattern and length limits. */
static bool crd_accepts(const struct pn_limit *pat, const regex_t *re, const char *s)
{
	const struct pn_limit *mn = table_find(pn_limits, pn_limits_n, pat->kind, pat->path,
					       "minLength");
	const struct pn_limit *mx = table_find(pn_limits, pn_limits_n, pat->kind, pat->path,
					       "maxLength");
	size_t n = strlen(s);

	if ((mn && (long long)n < mn->value) || (mx && (long long)n > mx->value))
		return false;
	return regexec(re, s, 0, NULL, 0) == 0;
}

static void unit__limits__patterns_agree_with_c(void **state)
{
	static const char *const samples[] = {
		"", "a", "A", "a1", "1a", "-a", "a-", "a.b", "a..b", ".a", "a.", "acme.io",
		"acme.io/foo", "acme.io/..", "acme.io/.", "acme.io/.x", "acme.io/..x",
		"acme.io/a/b", "acme.io//a", "acme.io/", "acme/foo", "Acme.io/foo",
		"podnet.dev/cni", "acme.io/foo_bar-1.2", "acme.io/f~o",
		"CNIConfig", "cniConfig", "IPPool9", "Ip-Pool", "Ready", "ParamsNotReady",
		"Reason:Detail", "Reason,", "_x", "podnet.dev/tenant", "tenant", "a_b", "a_",
		"example.com/Ready", "UPPER.dev/x", "10.0.0.0/24", "fd00::/64", "10.0.0.1",
		"::1", "10.0.0.0/33", "10.0.0/24", "1.2.3.4.5", "g::1", "bridge", "macvlan",
		".", "..", "...", "a b", "a/b", "with\ttab", "héllo",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 64 */
	};
	char big[300];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	/* the CRD's own pattern (what the API server applies), the table's checker */
	for (size_t i = 0; i < W.n; i++) {
		const struct pn_limit *l = table_find(pn_limits, pn_limits_n, W.v[i].kind,
						      W.v[i].path, "pattern");
		regex_t re;

		if (!W.v[i].pattern)
			continue;
		if (!l || !l->check)
			fail_msg("%s %s: no C checker for the pattern", W.v[i].kind, W.v[i].path);
		if (compile(&re, W.v[i].pattern) != 0)
			fail_msg("%s %s: pattern does not compile: %s", l->kind, l->path,
				 W.v[i].pattern);
		for (size_t k = 0; k <= sizeof(samples) / sizeof(samples[0]); k++) {
			const char *s = k < sizeof(samples) / sizeof(samples[0]) ? samples[k] : big;
			bool crd = crd_accepts(l, &re, s), c = l->check(s);

			if (c && !crd)
				fail_msg("%s %s: C accepts \"%s\", the CRD refuses it", l->kind,
					 l->path, s);
			if (l->exact && crd && !c)
				fail_msg("%s %s: the CRD accepts \"%s\", C refuses it", l->kind,
					 l->path, s);
		}
		regfree(&re);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__limits__crds_match_c_both_ways),
		cmocka_unit_test(unit__limits__self_test_finds_differences),
		cmocka_unit_test(unit__limits__patterns_agree_with_c),
	};

	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
