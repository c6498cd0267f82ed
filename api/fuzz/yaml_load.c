/* yaml_load.c — libFuzzer harness for the multi-document YAML/JSON loader
 * (pn/doc.h). Beyond "no crash, no leak", it checks the loader's promises:
 * a refusal carries exactly one positioned problem, every node of every
 * loaded tree is found by its own path in the source map, the value loader
 * (annotation mode) agrees on the same text, and a JSON text loads to the
 * same tree through jansson and through the YAML loader. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/doc.h"
#include "pn/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c))                                                       \
			abort();                                                \
	} while (0)

/* Budget of path lookups per input, so a large document stays fast. */
#define MAX_LOOKUPS 2000

static void check_paths(const struct pn_srcmap *map, json_t *v, const char *path, int *budget)
{
	struct pn_srcpos pos;
	char sub[1024];

	if (--*budget < 0)
		return;
	CHECK(pn_srcmap_find(map, path, &pos) == 1);
	CHECK(pos.line > 0 && pos.col > 0);
	if (json_is_object(v)) {
		const char *k;
		json_t *c;

		json_object_foreach (v, k, c) {
			/* paths do not escape quotes: keys holding them are ambiguous */
			if (strchr(k, '"'))
				continue;
			if (pn_path_key(sub, sizeof(sub), path, k) < 0)
				continue;
			check_paths(map, c, sub, budget);
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;

		json_array_foreach (v, i, c) {
			if (pn_path_index(sub, sizeof(sub), path, i) < 0)
				continue;
			check_paths(map, c, sub, budget);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_docs ds = { 0 };
	struct pn_problems ps = { 0 };
	struct pn_doc one = { 0 };
	struct pn_srcpos origin = { .line = 10, .col = 5, .style = PN_STYLE_LITERAL, .indent = 6 };
	json_t *j = NULL;
	int budget = MAX_LOOKUPS;
	int r;

	r = pn_doc_load_yaml((const char *)data, size, NULL, &ds, &ps);
	if (r == -EINVAL) {
		CHECK(ps.n == 1);
		CHECK(ps.v[0].line > 0 && ps.v[0].col > 0);
		CHECK(ps.v[0].message && *ps.v[0].message);
	} else if (r == 0) {
		CHECK(ps.n == 0);
	}
	for (size_t i = 0; i < ds.n; i++) {
		CHECK(ds.v[i].root && ds.v[i].map);
		check_paths(ds.v[i].map, ds.v[i].root, "", &budget);
	}
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);

	if (size <= (64u << 10)) {
		r = pn_doc_load_value((const char *)data, size, &origin, PN_NETWORKS_PATH, &one, &ps);
		if (r == 0) {
			CHECK(one.root && one.map);
			CHECK(one.line >= origin.line);
			budget = MAX_LOOKUPS;
			check_paths(one.map, one.root, PN_NETWORKS_PATH, &budget);
		} else if (r == -EINVAL) {
			CHECK(ps.n == 1 && ps.v[0].line >= origin.line);
		}
		pn_doc_clear(&one);
		pn_problems_clear(&ps);
	}

	r = pn_json_load((const char *)data, size, NULL, &j, &ps);
	CHECK(r != 0 || (j && ps.n == 0));
	CHECK(r != -EINVAL || (ps.n == 1 && ps.v[0].line > 0));
	pn_problems_clear(&ps);
	/* JSON is YAML: when both loaders take a JSON text, they agree (the YAML
	 * loader may refuse more: its caps, libyaml's 1024-character keys) */
	if (r == 0 && pn_doc_load_yaml((const char *)data, size, NULL, &ds, &ps) == 0) {
		if (json_is_null(j))
			CHECK(ds.n == 0);
		else
			CHECK(ds.n == 1 && json_equal(j, ds.v[0].root));
	}
	pn_docs_clear(&ds);
	pn_problems_clear(&ps);
	json_decref(j);
	return 0;
}
