/* yaml2json — a test tool: reads one YAML document on stdin through
 * podnet's loader (libyaml, pn/doc.h) and prints it as compact JSON with
 * sorted keys, so that a script can compare `podnetctl status -o yaml`
 * with `-o json` (jq -cS). Exit 1 with the parser's message when the text
 * is not YAML. Built into $(BUILD)/test/yaml2json; never installed. */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "pn/doc.h"

int main(void)
{
	char *buf = NULL, err[512];
	size_t len = 0, got;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	json_t *j;
	int rc = 0;

	if (!m)
		return 2;
	while ((got = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		fwrite(chunk, 1, got, m);
	if (fclose(m) != 0 || ferror(stdin))
		return 2;
	j = pn_doc_parse_value(buf, len, err, sizeof(err), NULL);
	if (!j) {
		fprintf(stderr, "yaml2json: %s\n", err);
		rc = 1;
	} else if (json_dumpf(j, stdout, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) < 0 ||
		   puts("") == EOF) {
		rc = 2;
	}
	json_decref(j);
	free(buf);
	return rc;
}
