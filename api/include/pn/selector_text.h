/* selector_text.h — label selectors in the text form of kubectl's -l and
 * of the API's labelSelector query parameter. */
#ifndef PN_SELECTOR_TEXT_H
#define PN_SELECTOR_TEXT_H

#include <stddef.h>

#include "pn/model.h"

#define PN_SELECTOR_TEXT_MAX 4096 /* bytes of selector text accepted */

/* Parses a comma-separated list of requirements, every one of which must
 * hold:
 *   KEY=VALUE, KEY==VALUE   the label is VALUE            (In)
 *   KEY!=VALUE              absent or another value       (NotIn)
 *   KEY in (V1,V2,...)      one of the values             (In)
 *   KEY notin (V1,V2,...)   absent or none of the values  (NotIn)
 *   KEY                     the label is set              (Exists)
 *   !KEY                    the label is not set          (DoesNotExist)
 * Keys and values are checked as Kubernetes label keys and values;
 * whitespace around tokens is ignored. Empty text (or only spaces) is a
 * selector with no terms: it selects everything. The numeric operators >
 * and < are refused.
 * Returns 0 with *out a selector of matchExpressions only (free it with
 * pn_label_selector_free), -EINVAL with the reason in err ("at character
 * N: ..."), or -ENOMEM. */
int pn_label_selector_parse(const char *text, struct pn_label_selector **out, char *err,
			    size_t errlen);

/* Writes s (matchLabels then matchExpressions) in the text form above:
 * k=v, k!=v, k in (a,b), k notin (a,b), k, !k, joined by ",". Returns the
 * length, or -ENOSPC when it does not fit (buf then holds ""), -EINVAL for
 * an operator the text form cannot express. */
int pn_label_selector_format(const struct pn_label_selector *s, char *buf, size_t len);

#endif
