/* Fuzz harness: a file for `podnetctl convert` (YAML or JSON, several
 * documents, Lists), loaded by the source layer, converted (every NAD's
 * spec.config and every Multus annotation parsed), and the result written
 * as YAML. Reports and output go to /dev/null. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct pn_docs docs = { 0 };
	struct pn_problems ps = { 0 };
	json_t **roots = NULL, *out = json_array(), *o;
	size_t i;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null || !out)
		abort();
	if (pn_doc_load_yaml((const char *)data, size, NULL, &docs, &ps) != -ENOMEM) {
		roots = calloc(docs.n + 1, sizeof(*roots));
		if (!roots)
			abort();
		for (i = 0; i < docs.n; i++)
			roots[i] = docs.v[i].root;
		if (cli_convert(roots, docs.n, out, null) >= 0)
			json_array_foreach (out, i, o)
				cli_yaml_write(null, o, 0);
	}
	free(roots);
	json_decref(out);
	pn_docs_clear(&docs);
	pn_problems_clear(&ps);
	return 0;
}
