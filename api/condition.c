/* condition.c — metav1.Condition lists (see pn/condition.h). */
#include "pn/condition.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- validation ----------------------------------------------------------- */

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

bool pn_condition_reason_valid(const char *reason)
{
	size_t n;

	if (!reason)
		return false;
	n = strnlen(reason, PN_CONDITION_REASON_MAX + 1);
	if (n == 0 || n > PN_CONDITION_REASON_MAX || !is_alpha(reason[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = reason[i];
		if (!(is_alnum(c) || c == '_' || c == ',' || c == ':'))
			return false;
	}
	/* the last character may not be ',' or ':' */
	return is_alnum(reason[n - 1]) || reason[n - 1] == '_';
}

/* A DNS-1123 subdomain: dot-separated labels of [a-z0-9-], alphanumeric at
 * both ends, at most 253 bytes. */
static bool dns_subdomain_valid(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-'))
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

bool pn_condition_type_valid(const char *type)
{
	const char *name;
	size_t n, nn;

	if (!type)
		return false;
	n = strnlen(type, PN_CONDITION_TYPE_MAX + 1);
	if (n == 0 || n > PN_CONDITION_TYPE_MAX)
		return false;
	name = memchr(type, '/', n);
	if (name) {
		if (!dns_subdomain_valid(type, (size_t)(name - type)))
			return false;
		name++;
	} else {
		name = type;
	}
	nn = n - (size_t)(name - type);
	if (nn == 0 || nn > 63 || !is_alnum(name[0]) || !is_alnum(name[nn - 1]))
		return false;
	for (size_t i = 0; i < nn; i++) {
		char c = name[i];
		if (!(is_alnum(c) || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* Well-formed UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

bool pn_condition_message_valid(const char *message)
{
	size_t n;

	if (!message)
		return false;
	n = strnlen(message, PN_CONDITION_MESSAGE_MAX + 1);
	if (n > PN_CONDITION_MESSAGE_MAX)
		return false;
	return utf8_valid((const unsigned char *)message, n);
}

const char *pn_condition_status_str(enum pn_condition_status s)
{
	switch (s) {
	case PN_CONDITION_TRUE:
		return "True";
	case PN_CONDITION_FALSE:
		return "False";
	case PN_CONDITION_UNKNOWN:
		return "Unknown";
	}
	return NULL;
}

int pn_condition_status_parse(const char *s, enum pn_condition_status *out)
{
	if (!s)
		return -EINVAL;
	if (strcmp(s, "True") == 0)
		*out = PN_CONDITION_TRUE;
	else if (strcmp(s, "False") == 0)
		*out = PN_CONDITION_FALSE;
	else if (strcmp(s, "Unknown") == 0)
		*out = PN_CONDITION_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

static bool status_valid(enum pn_condition_status s)
{
	return s == PN_CONDITION_TRUE || s == PN_CONDITION_FALSE || s == PN_CONDITION_UNKNOWN;
}

/* ---- lists ---------------------------------------------------------------- */

static void condition_free(struct pn_condition *c)
{
	free(c->type);
	free(c->reason);
	free(c->message);
	json_decref(c->extra);
	memset(c, 0, sizeof(*c));
}

void pn_conditions_clear(struct pn_conditions *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		condition_free(&l->v[i]);
	l->n = 0;
}

int pn_conditions_copy(struct pn_conditions *dst, const struct pn_conditions *src)
{
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++) {
		const struct pn_condition *s = &src->v[i];
		struct pn_condition *d = &dst->v[i];

		memset(d, 0, sizeof(*d));
		d->type = strdup(s->type);
		d->reason = strdup(s->reason ? s->reason : "");
		d->message = strdup(s->message ? s->message : "");
		d->status = s->status;
		d->observed_generation = s->observed_generation;
		d->last_transition_time = s->last_transition_time;
		d->extra = s->extra ? json_deep_copy(s->extra) : NULL;
		dst->n = i + 1;
		if (!d->type || !d->reason || !d->message || (s->extra && !d->extra)) {
			pn_conditions_clear(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

static long find_index(const struct pn_conditions *l, const char *type)
{
	for (size_t i = 0; l && type && i < l->n; i++) {
		if (strcmp(l->v[i].type, type) == 0)
			return (long)i;
	}
	return -1;
}

const struct pn_condition *pn_conditions_find(const struct pn_conditions *l, const char *type)
{
	long i = find_index(l, type);

	return i < 0 ? NULL : &l->v[i];
}

enum pn_condition_status pn_conditions_status(const struct pn_conditions *l, const char *type)
{
	const struct pn_condition *c = pn_conditions_find(l, type);

	return c ? c->status : PN_CONDITION_UNKNOWN;
}

int pn_conditions_set(struct pn_conditions *l, const char *type, enum pn_condition_status status,
		      const char *reason, const char *message, int64_t observed_generation,
		      int64_t now)
{
	struct pn_condition *c;
	bool changed = false;
	long i;
	char *r = NULL, *m = NULL;

	if (!message)
		message = "";
	if (!l || !pn_condition_type_valid(type) || !status_valid(status) ||
	    !pn_condition_reason_valid(reason) || !pn_condition_message_valid(message) ||
	    observed_generation < 0)
		return -EINVAL;
	i = find_index(l, type);
	if (i < 0) {
		if (l->n >= PN_CONDITIONS_MAX)
			return -ENOSPC;
		c = &l->v[l->n];
		memset(c, 0, sizeof(*c));
		c->type = strdup(type);
		r = strdup(reason);
		m = strdup(message);
		if (!c->type || !r || !m) {
			free(c->type);
			free(r);
			free(m);
			c->type = NULL;
			return -ENOMEM;
		}
		c->reason = r;
		c->message = m;
		c->status = status;
		c->observed_generation = observed_generation;
		c->last_transition_time = now;
		l->n++;
		return 1;
	}
	c = &l->v[i];
	/* Allocate both strings before changing anything, so a failure leaves
	 * the entry as it was. */
	if (!c->reason || strcmp(c->reason, reason) != 0) {
		r = strdup(reason);
		if (!r)
			return -ENOMEM;
	}
	if (!c->message || strcmp(c->message, message) != 0) {
		m = strdup(message);
		if (!m) {
			free(r);
			return -ENOMEM;
		}
	}
	if (r) {
		free(c->reason);
		c->reason = r;
		changed = true;
	}
	if (m) {
		free(c->message);
		c->message = m;
		changed = true;
	}
	if (c->status != status || c->last_transition_time == 0) {
		c->status = status;
		c->last_transition_time = now;
		changed = true;
	}
	if (c->observed_generation != observed_generation) {
		c->observed_generation = observed_generation;
		changed = true;
	}
	return changed ? 1 : 0;
}

int pn_conditions_remove(struct pn_conditions *l, const char *type)
{
	long i = find_index(l, type);

	if (i < 0)
		return 0;
	condition_free(&l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], (l->n - (size_t)i - 1) * sizeof(l->v[0]));
	l->n--;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return 1;
}

/* ---- time ----------------------------------------------------------------- */

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in [0, y), for y >= 0 (year 0 is a leap year). */
static int64_t leaps_before(int64_t y)
{
	if (y <= 0)
		return 0;
	return 1 + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400;
}

static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static int days_in_month(int64_t y, int m)
{
	return month_days[m - 1] + (m == 2 && leap(y));
}

/* Days from 1970-01-01 to y-m-d (y in 0..10000). */
static int64_t days_from_date(int64_t y, int m, int d)
{
	int64_t days = 365 * (y - 1970) + leaps_before(y) - leaps_before(1970);

	for (int k = 1; k < m; k++)
		days += days_in_month(y, k);
	return days + d - 1;
}

int pn_time_format_rfc3339(int64_t t, char *buf, size_t len)
{
	const int64_t lo = days_from_date(0, 1, 1) * 86400;
	const int64_t hi = days_from_date(10000, 1, 1) * 86400;
	int64_t days, secs, y;
	int m = 1, n;

	if (!buf)
		return -EINVAL;
	if (t < lo || t >= hi)
		return -ERANGE;
	if (len < PN_RFC3339_LEN)
		return -ENOSPC;
	/* floor division: t may be negative */
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	y = 1970 + days / 366;
	while (y > 0 && days_from_date(y, 1, 1) > days)
		y--;
	while (y < 9999 && days_from_date(y + 1, 1, 1) <= days)
		y++;
	days -= days_from_date(y, 1, 1);
	while (days >= days_in_month(y, m)) {
		days -= days_in_month(y, m);
		m++;
	}
	n = snprintf(buf, len, "%04lld-%02d-%02lldT%02lld:%02lld:%02lldZ", (long long)y, m,
		     (long long)days + 1, (long long)(secs / 3600), (long long)(secs / 60 % 60),
		     (long long)(secs % 60));
	return n;
}

/* n decimal digits at s into *v; false when any is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int pn_time_parse_rfc3339(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	size_t n, i;

	if (!s || !out)
		return -EINVAL;
	n = strnlen(s, 64);
	if (n < 20 || n >= 64)
		return -EINVAL;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
		return -EINVAL;
	i = 19;
	if (s[i] == '.') {
		size_t f = ++i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == f || i - f > 9)
			return -EINVAL;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '+' ? 1 : -1;
		if (n - i != 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
		    !digits(s + i + 4, 2, &om))
			return -EINVAL;
		i += 6;
	} else {
		return -EINVAL;
	}
	if (i != n)
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
	    se > 59 || oh > 23 || om > 59)
		return -EINVAL;
	*out = days_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	       sign * (oh * 3600 + om * 60);
	return 0;
}

/* ---- JSON ----------------------------------------------------------------- */

static void problem(struct pn_problems *ps, const char *prefix, size_t index, const char *leaf,
		    const char *msg)
{
	char path[256];

	if (!ps)
		return;
	if (pn_path_index(path, sizeof(path), prefix ? prefix : "", index) < 0)
		path[0] = '\0';
	if (leaf)
		pn_problems_addf(ps, path, leaf, -1, "%s", msg);
	else
		pn_problems_add(ps, path, "%s", msg);
}

static bool is_known_key(const char *k)
{
	static const char *known[] = { "type",		     "status", "observedGeneration",
				       "lastTransitionTime", "reason", "message" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(k, known[i]) == 0)
			return true;
	}
	return false;
}

/* Decodes one entry into c; returns the number of problems found, or
 * -ENOMEM. */
static int condition_decode(const json_t *o, struct pn_condition *c, struct pn_problems *ps,
			    const char *prefix, size_t idx)
{
	const json_t *v;
	const char *k;
	int bad = 0;

	memset(c, 0, sizeof(*c));
	v = json_object_get(o, "type");
	if (!json_is_string(v)) {
		problem(ps, prefix, idx, "type", v ? "must be a string" : "is required");
		bad++;
	} else if (!pn_condition_type_valid(json_string_value(v))) {
		problem(ps, prefix, idx, "type", "must be a qualified name of at most 316 characters");
		bad++;
	} else if (!(c->type = strdup(json_string_value(v)))) {
		return -ENOMEM;
	}
	v = json_object_get(o, "status");
	if (!json_is_string(v)) {
		problem(ps, prefix, idx, "status", v ? "must be a string" : "is required");
		bad++;
	} else if (pn_condition_status_parse(json_string_value(v), &c->status) < 0) {
		problem(ps, prefix, idx, "status", "must be True, False or Unknown");
		bad++;
	}
	/* null reads as absent, like a field that was omitted */
	v = json_object_get(o, "reason");
	if (json_is_null(v))
		v = NULL;
	if (v && !json_is_string(v)) {
		problem(ps, prefix, idx, "reason", "must be a string");
		bad++;
	} else if (v && json_string_length(v) > 0 &&
		   !pn_condition_reason_valid(json_string_value(v))) {
		problem(ps, prefix, idx, "reason",
			"must match ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$ and be at most 1024 characters");
		bad++;
	} else if (!(c->reason = strdup(v ? json_string_value(v) : ""))) {
		return -ENOMEM;
	}
	v = json_object_get(o, "message");
	if (json_is_null(v))
		v = NULL;
	if (v && !json_is_string(v)) {
		problem(ps, prefix, idx, "message", "must be a string");
		bad++;
	} else if (v && (json_string_length(v) > PN_CONDITION_MESSAGE_MAX ||
			 strlen(json_string_value(v)) != json_string_length(v))) {
		problem(ps, prefix, idx, "message", "must be at most 32768 bytes, without NUL");
		bad++;
	} else if (!(c->message = strdup(v ? json_string_value(v) : ""))) {
		return -ENOMEM;
	}
	v = json_object_get(o, "observedGeneration");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			problem(ps, prefix, idx, "observedGeneration",
				"must be a non-negative integer");
			bad++;
		} else {
			c->observed_generation = json_integer_value(v);
		}
	}
	v = json_object_get(o, "lastTransitionTime");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) ||
		    pn_time_parse_rfc3339(json_string_value(v), &c->last_transition_time) < 0) {
			problem(ps, prefix, idx, "lastTransitionTime",
				"must be an RFC 3339 time such as 2026-01-02T15:04:05Z");
			bad++;
		}
	}
	json_object_foreach((json_t *)o, k, v) {
		if (is_known_key(k))
			continue;
		if (!c->extra && !(c->extra = json_object()))
			return -ENOMEM;
		if (json_object_set_new(c->extra, k, json_deep_copy(v)) < 0)
			return -ENOMEM;
	}
	return bad;
}

int pn_conditions_from_json(const json_t *arr, struct pn_conditions *out, struct pn_problems *ps,
			    const char *prefix)
{
	size_t i;
	json_t *o;
	int bad = 0;

	if (!out)
		return -EINVAL;
	out->n = 0;
	if (!prefix)
		prefix = "status.conditions";
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		if (ps)
			pn_problems_add(ps, prefix, "must be a list");
		return -EINVAL;
	}
	if (json_array_size(arr) > PN_CONDITIONS_MAX) {
		if (ps)
			pn_problems_add(ps, prefix, "must have at most %d entries", PN_CONDITIONS_MAX);
		return -EINVAL;
	}
	json_array_foreach(arr, i, o) {
		struct pn_condition *c = &out->v[out->n];
		int r;

		if (!json_is_object(o)) {
			problem(ps, prefix, i, NULL, "must be an object");
			bad++;
			continue;
		}
		r = condition_decode(o, c, ps, prefix, i);
		out->n++; /* so the clear below frees it */
		if (r < 0) {
			pn_conditions_clear(out);
			return r;
		}
		bad += r;
		if (r == 0 && c->type) {
			for (size_t k = 0; k + 1 < out->n; k++) {
				if (out->v[k].type && strcmp(out->v[k].type, c->type) == 0) {
					problem(ps, prefix, i, "type", "duplicate condition type");
					bad++;
					break;
				}
			}
		}
	}
	if (bad) {
		pn_conditions_clear(out);
		return -EINVAL;
	}
	return 0;
}

json_t *pn_conditions_to_json(const struct pn_conditions *l)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; l && i < l->n; i++) {
		const struct pn_condition *c = &l->v[i];
		char ts[PN_RFC3339_LEN];
		json_t *o = c->extra ? json_deep_copy(c->extra) : json_object();
		int r = 0;

		if (!o)
			goto fail;
		r |= json_object_set_new(o, "type", json_string(c->type));
		r |= json_object_set_new(o, "status", json_string(pn_condition_status_str(c->status)));
		if (c->observed_generation)
			r |= json_object_set_new(o, "observedGeneration",
						 json_integer(c->observed_generation));
		else
			json_object_del(o, "observedGeneration");
		if (c->last_transition_time &&
		    pn_time_format_rfc3339(c->last_transition_time, ts, sizeof(ts)) > 0)
			r |= json_object_set_new(o, "lastTransitionTime", json_string(ts));
		else
			json_object_del(o, "lastTransitionTime");
		r |= json_object_set_new(o, "reason", json_string(c->reason ? c->reason : ""));
		r |= json_object_set_new(o, "message", json_string(c->message ? c->message : ""));
		if (r || json_array_append_new(arr, o) < 0) {
			json_decref(o);
			goto fail;
		}
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}
