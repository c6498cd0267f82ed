/* selector_text.c — libFuzzer harness for label selectors in text form
 * (pn/selector_text.h; outside input: podnetctl's -l). Checks: a refusal
 * has a message and no selector; an accepted selector formats to text that
 * parses again to the same text (the canonical form is a fixed point) and
 * selects the same on a few label sets. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pn/selector_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c))                                                       \
			abort();                                                \
	} while (0)

static const char *const LABELS[] = {
	"{}",
	"{\"app\":\"upf\",\"tier\":\"core\"}",
	"{\"a\":\"\",\"k0\":\"v0\",\"podnet.dev/test\":\"1\"}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pn_label_selector *s = NULL, *again = NULL;
	char *text, err[512], canon[PN_SELECTOR_TEXT_MAX * 2], canon2[PN_SELECTOR_TEXT_MAX * 2];
	int r, n;

	if (size > PN_SELECTOR_TEXT_MAX + 16)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	r = pn_label_selector_parse(text, &s, err, sizeof(err));
	if (r == -ENOMEM)
		goto cleanup;
	if (r < 0) {
		CHECK(r == -EINVAL && !s && err[0]);
		goto cleanup;
	}
	CHECK(r == 0 && s);
	n = pn_label_selector_format(s, canon, sizeof(canon));
	CHECK(n >= 0 && (size_t)n == strlen(canon));
	r = pn_label_selector_parse(canon, &again, err, sizeof(err));
	if (r == -ENOMEM)
		goto cleanup;
	CHECK(r == 0 && again);
	CHECK(pn_label_selector_format(again, canon2, sizeof(canon2)) == n);
	CHECK(!strcmp(canon, canon2));
	for (size_t i = 0; i < sizeof(LABELS) / sizeof(LABELS[0]); i++) {
		json_t *l = json_loads(LABELS[i], 0, NULL);

		if (!l)
			break;
		CHECK(pn_label_selector_matches(s, l) == pn_label_selector_matches(again, l));
		json_decref(l);
	}
cleanup:
	pn_label_selector_free(s);
	pn_label_selector_free(again);
	free(text);
	return 0;
}
