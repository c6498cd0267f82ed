/* pn/condition.h — metav1.Condition helpers for the status of podnet's
 * objects. Pure logic: the current time is always passed in (unix seconds).
 *
 * A list holds at most PN_CONDITIONS_MAX conditions with list-map semantics
 * keyed on type (as the CRDs declare: x-kubernetes-list-type: map, key
 * type). pn_conditions_set() changes lastTransitionTime only when the status
 * changes and tells whether anything changed, so the controller can skip
 * writes that would change nothing.
 *
 * JSON form (the status.conditions array):
 *   {"type":"Ready","status":"True","observedGeneration":3,
 *    "lastTransitionTime":"2026-11-28T21:00:00Z","reason":"Ready","message":""}
 * Fields of a condition that podnet does not know are kept and written back.
 */
#ifndef PN_CONDITION_H
#define PN_CONDITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pn/limits.h"
#include "pn/problem.h"

#define PN_CONDITIONS_MAX        PN_MAX_CONDITIONS
#define PN_CONDITION_TYPE_MAX    PN_MAX_CONDITION_TYPE
#define PN_CONDITION_REASON_MAX  PN_MAX_CONDITION_REASON
#define PN_CONDITION_MESSAGE_MAX PN_MAX_CONDITION_MESSAGE
/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */
#define PN_RFC3339_LEN 21

enum pn_condition_status {
	PN_CONDITION_UNKNOWN = 0,
	PN_CONDITION_TRUE = 1,
	PN_CONDITION_FALSE = 2,
};

struct pn_condition {
	char *type;                 /* owned; never NULL in a list */
	enum pn_condition_status status;
	char *reason;               /* owned; "" when absent */
	char *message;              /* owned; "" when absent */
	int64_t observed_generation; /* 0 when absent */
	int64_t last_transition_time; /* unix seconds; 0 when absent */
	json_t *extra;              /* owned reference: unknown fields, or NULL */
};

struct pn_conditions {
	struct pn_condition v[PN_CONDITIONS_MAX];
	size_t n;
};

/* "True", "False", "Unknown"; pn_condition_status_parse returns 0 or -EINVAL. */
const char *pn_condition_status_str(enum pn_condition_status s);
int pn_condition_status_parse(const char *s, enum pn_condition_status *out);

/* metav1 rules. type: a qualified name (optional DNS-subdomain prefix and
 * '/', then [A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9], name part <= 63),
 * 1..316 bytes. reason: ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$, 1..1024
 * bytes. message: at most 32768 bytes of valid UTF-8. */
bool pn_condition_type_valid(const char *type);
bool pn_condition_reason_valid(const char *reason);
bool pn_condition_message_valid(const char *message);

/* Empties the list (frees every entry). NULL is a no-op. */
void pn_conditions_clear(struct pn_conditions *l);
/* Deep copy into dst, which must be empty or cleared. 0 or -ENOMEM. */
int pn_conditions_copy(struct pn_conditions *dst, const struct pn_conditions *src);

/* The condition of that type, or NULL. */
const struct pn_condition *pn_conditions_find(const struct pn_conditions *l, const char *type);
/* Status of that type; PN_CONDITION_UNKNOWN when absent. */
enum pn_condition_status pn_conditions_status(const struct pn_conditions *l, const char *type);

/* Sets the condition of that type (message may be NULL for ""). A new type
 * is appended with lastTransitionTime = now; an existing one keeps its
 * place, and its lastTransitionTime changes to now only when its status
 * changes (or it had none). Unknown fields of an existing entry are kept.
 * Returns 1 when anything changed, 0 when the list is exactly as before,
 * -EINVAL for an invalid type/status/reason/message, -ENOSPC when the type
 * is new and the list already holds PN_CONDITIONS_MAX entries (the list is
 * then unchanged), -ENOMEM. */
int pn_conditions_set(struct pn_conditions *l, const char *type, enum pn_condition_status status,
		      const char *reason, const char *message, int64_t observed_generation,
		      int64_t now);
/* Removes that type; returns 1 when it was there, 0 when not. The order of
 * the others is kept. */
int pn_conditions_remove(struct pn_conditions *l, const char *type);

/* RFC 3339 in UTC with second precision ("2026-11-28T21:00:00Z") for years
 * 0000..9999. Returns the length, -ERANGE outside those years, -ENOSPC when
 * len < PN_RFC3339_LEN. */
int pn_time_format_rfc3339(int64_t t, char *buf, size_t len);
/* Parses RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('t' and
 * 'z' also accepted; the fraction, 1..9 digits, is truncated). Calendar
 * values are checked (no February 30th, no second 60). Returns 0 or
 * -EINVAL. */
int pn_time_parse_rfc3339(const char *s, int64_t *out);

/* Decodes a status.conditions array (NULL or JSON null means empty) into
 * out, which must be empty. Problems are added to ps (when not NULL) with
 * paths under prefix (e.g. "status.conditions"), and -EINVAL is returned:
 * not an array, more than PN_CONDITIONS_MAX entries, an entry that is not an
 * object, a missing or invalid type or status, a duplicate type, a reason,
 * message, lastTransitionTime or observedGeneration of the wrong type or
 * format. A null reason or message reads as absent (""). On error out is
 * left empty. 0, -EINVAL or -ENOMEM. */
int pn_conditions_from_json(const json_t *arr, struct pn_conditions *out, struct pn_problems *ps,
			    const char *prefix);
/* A new array (new reference) or NULL on allocation failure. Each entry has
 * the fields it had when decoded, with the known ones replaced;
 * observedGeneration is omitted when 0, lastTransitionTime when 0. */
json_t *pn_conditions_to_json(const struct pn_conditions *l);

#endif
