/* report_kinds.c — libFuzzer harness for the PodNetworkNode reports the
 * controller reads (outside input, written by every node's agent):
 * pn_param_ref_supported_by over status.providers[].parameterKinds, and
 * pn_param_kind_valid on the input as text. Beyond "no crash": a kind
 * declared is a well-formed kind, and what is declared for one provider
 * is not supported for a network without a provider. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pn/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[400], msg[512], group[300], *slash;
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	const json_t *reps = json_is_object(j) && json_object_get(j, "items") ? json_object_get(j, "items") : j;
	size_t i, k, n;
	json_t *rep, *p, *kind;

	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (pn_param_kind_valid(text, msg, sizeof(msg))) {
			slash = strchr(text, '/');
			CHECK(slash && slash != text && slash[1] >= 'A' && slash[1] <= 'Z');
		} else {
			CHECK(msg[0] != '\0');
		}
	}
	/* every kind a report declares: supported for that provider exactly
	 * when it is well-formed, never for an unnamed provider */
	n = json_is_array(reps) ? json_array_size(reps) : 0;
	for (size_t r = 0; r < n && r < 8; r++) {
		rep = json_array_get(reps, r);
		json_array_foreach(json_object_get(json_object_get(rep, "status"), "providers"), i, p) {
			const char *prov = json_string_value(json_object_get(p, "name"));

			json_array_foreach(json_object_get(p, "parameterKinds"), k, kind) {
				const char *s = json_string_value(kind);
				struct pn_param_ref ref = { .name = "x" };

				if (!prov || !s || strlen(s) >= sizeof(group) || !strchr(s, '/'))
					continue;
				snprintf(group, sizeof(group), "%s", s);
				*strchr(group, '/') = '\0';
				ref.group = group;
				ref.kind = strchr(s, '/') + 1;
				if (pn_param_kind_valid(s, NULL, 0))
					CHECK(pn_param_ref_supported_by(&ref, prov, reps, msg, sizeof(msg)));
				CHECK(pn_param_ref_supported(&ref, msg, sizeof(msg)) ||
				      !pn_param_ref_supported_by(&ref, "", reps, msg, sizeof(msg)));
			}
		}
	}
	json_decref(j);
	return 0;
}
