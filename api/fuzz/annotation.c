/* annotation.c — libFuzzer harness for the podnet.dev/networks annotation:
 * the value loader (pn/doc.h) with positions shifted into an outer file,
 * then the model's decode/validate of the request list, the planner with
 * nothing resolvable, and the Pod decoder with the YAML parser plugged in.
 * Checks: every problem under networks resolves to a position inside the
 * annotation, re-encoding the decoded list is stable, and a plan encodes
 * and decodes back to an equal plan. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/doc.h"
#include "pn/model.h"
#include "pn/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c))                                                       \
			abort();                                                \
	} while (0)

static void check_list(const json_t *list, const struct pn_srcmap *map, int first_line)
{
	struct pn_problems ps = { 0 };
	struct pn_netreqs reqs = { 0 }, again = { 0 };
	struct pn_plan plan = { 0 }, back = { 0 };
	json_t *enc = NULL, *enc2 = NULL, *pj = NULL;
	int r;

	r = pn_netreqs_decode(list, PN_NETWORKS_PATH, &reqs, &ps);
	if (r < 0)
		goto cleanup;
	r = pn_netreqs_validate(&reqs, false, PN_NETWORKS_PATH, &ps);
	if (r < 0)
		goto cleanup;
	pn_srcmap_resolve(map, &ps, 0);
	for (size_t i = 0; i < ps.n; i++)
		if (!strncmp(ps.v[i].path, PN_NETWORKS_PATH, strlen(PN_NETWORKS_PATH)))
			CHECK(ps.v[i].line >= first_line && ps.v[i].col > 0);
	if (ps.n)
		goto cleanup;

	/* the canonical encoding is a fixed point */
	enc = pn_netreqs_encode(&reqs);
	CHECK(enc);
	CHECK(pn_netreqs_decode(enc, PN_NETWORKS_PATH, &again, &ps) == 0);
	enc2 = pn_netreqs_encode(&again);
	CHECK(enc2 && json_equal(enc, enc2));

	/* nothing resolves but the default network */
	r = pn_plan_build(&reqs, "default", false, NULL, &plan, &ps);
	if (r == 0) {
		pj = pn_plan_encode(&plan);
		CHECK(pj);
		CHECK(pn_plan_decode(pj, &back, &ps) == 0);
		CHECK(pn_plan_equal(&plan, &back));
	}
cleanup:
	json_decref(enc);
	json_decref(enc2);
	json_decref(pj);
	pn_plan_clear(&plan);
	pn_plan_clear(&back);
	pn_netreqs_clear(&reqs);
	pn_netreqs_clear(&again);
	pn_problems_clear(&ps);
}

static void check_pod(const uint8_t *data, size_t size)
{
	struct pn_pod_decode_opts opts = { .parse = pn_doc_parse_value };
	struct pn_problems ps = { 0 };
	struct pn_pod *pod = NULL;
	json_t *text = json_stringn((const char *)data, size);
	json_t *j;

	if (!text)
		return; /* not UTF-8: cannot be an annotation value */
	j = json_pack("{s:s, s:s, s:{s:s, s:{s:o}}}", "apiVersion", "v1", "kind", "Pod",
		      "metadata", "name", "p", "annotations", PN_ANNOTATION_NETWORKS, text);
	if (!j)
		return;
	if (pn_pod_decode(j, &opts, &pod, &ps) >= 0 && pod)
		pn_pod_validate(pod, &ps);
	pn_pod_free(pod);
	pn_problems_clear(&ps);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_srcpos origin = { .line = 7, .col = 26, .style = PN_STYLE_LITERAL, .indent = 6 };
	struct pn_problems ps = { 0 };
	struct pn_doc d;
	int r;

	if (size > PN_MAX_ANNOTATION)
		return 0;
	r = pn_doc_load_value((const char *)data, size, &origin, PN_NETWORKS_PATH, &d, &ps);
	if (r == 0) {
		CHECK(d.root && d.map);
		check_list(d.root, d.map, origin.line);
	} else if (r == -EINVAL) {
		CHECK(ps.n == 1 && ps.v[0].line >= origin.line);
	}
	pn_doc_clear(&d);
	pn_problems_clear(&ps);
	check_pod(data, size);
	return 0;
}
