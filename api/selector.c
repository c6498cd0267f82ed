/* selector.c — Kubernetes label selectors (matchLabels, matchExpressions):
 * decoding, encoding, validating, matching a set of labels, and the
 * namespace access rule of a PodNetwork (spec.namespaceSelector). */
#include "model_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The label Kubernetes 1.21+ puts on every Namespace; podnet assumes it on
 * older API servers too, so that selecting namespaces by name works alike. */
#define NS_NAME_LABEL "kubernetes.io/metadata.name"

static const char *const op_names[] = {
	[PN_SELECTOR_IN] = "In",
	[PN_SELECTOR_NOT_IN] = "NotIn",
	[PN_SELECTOR_EXISTS] = "Exists",
	[PN_SELECTOR_DOES_NOT_EXIST] = "DoesNotExist",
};

static enum pn_selector_op op_parse(const char *s)
{
	for (size_t i = 0; s && i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (op_names[i] && !strcmp(s, op_names[i]))
			return (enum pn_selector_op)i;
	return PN_SELECTOR_OP_UNKNOWN;
}

void pn_label_selector_free(struct pn_label_selector *s)
{
	if (!s)
		return;
	json_decref(s->raw);
	pn_strv_free(s->keys, s->n_labels);
	pn_strv_free(s->values, s->n_labels);
	for (size_t i = 0; i < s->n_exprs; i++) {
		free(s->exprs[i].key);
		free(s->exprs[i].operator_);
		pn_strv_free(s->exprs[i].values, s->exprs[i].n_values);
	}
	free(s->exprs);
	free(s);
}

/* ---- decoding -------------------------------------------------------------- */

static void labels_decode(struct pn_dec *d, const json_t *obj, const char *prefix,
			  struct pn_label_selector *s)
{
	char path[PN_PATH_MAX], kpath[PN_PATH_MAX];
	const json_t *ml = pn_get_object(d, obj, prefix, "matchLabels", false);
	const char *k;
	json_t *v;

	if (!ml)
		return;
	pn_pkey(path, prefix, "matchLabels");
	if (json_object_size(ml) > PN_MAX_SELECTOR_TERMS) {
		pn_dec_problem(d, path, "must have at most %d entries (has %zu)",
			       PN_MAX_SELECTOR_TERMS, json_object_size(ml));
		return;
	}
	s->keys = calloc(json_object_size(ml) + 1, sizeof(*s->keys));
	s->values = calloc(json_object_size(ml) + 1, sizeof(*s->values));
	if (!s->keys || !s->values) {
		d->err = -ENOMEM;
		return;
	}
	json_object_foreach ((json_t *)ml, k, v) {
		char *val, *key;

		pn_pkey(kpath, path, k);
		val = pn_string_value(d, v, kpath, PN_MAX_STRING);
		if (!val)
			continue;
		key = strdup(k);
		if (!key) {
			free(val);
			d->err = -ENOMEM;
			return;
		}
		s->keys[s->n_labels] = key;
		s->values[s->n_labels++] = val;
	}
}

static void exprs_decode(struct pn_dec *d, const json_t *obj, const char *prefix,
			 struct pn_label_selector *s)
{
	char path[PN_PATH_MAX], ep[PN_PATH_MAX];
	const json_t *a = pn_get_array(d, obj, prefix, "matchExpressions", false,
				       PN_MAX_SELECTOR_TERMS);
	size_t i;
	json_t *v;

	if (!a)
		return;
	pn_pkey(path, prefix, "matchExpressions");
	s->exprs = calloc(json_array_size(a) + 1, sizeof(*s->exprs));
	if (!s->exprs) {
		d->err = -ENOMEM;
		return;
	}
	json_array_foreach (a, i, v) {
		struct pn_label_requirement *e = &s->exprs[s->n_exprs];

		pn_pidx(ep, path, i);
		if (!json_is_object(v)) {
			pn_dec_problem(d, ep, "must be an object, not %s", pn_json_type_name(v));
			continue;
		}
		pn_get_string(d, v, ep, "key", true, PN_MAX_STRING, &e->key);
		pn_get_string(d, v, ep, "operator", true, PN_MAX_STRING, &e->operator_);
		e->op = op_parse(e->operator_);
		pn_get_strings(d, v, ep, "values", PN_MAX_SELECTOR_VALUES, &e->values,
			       &e->n_values);
		e->index = i;
		s->n_exprs++;
	}
}

int pn_label_selector_decode_at(struct pn_dec *d, const json_t *obj, const char *prefix,
				const char *key, struct pn_label_selector **out)
{
	char path[PN_PATH_MAX];
	const json_t *j = pn_get_object(d, obj, prefix, key, false);
	struct pn_label_selector *s;

	*out = NULL;
	if (!j)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		d->err = -ENOMEM;
		return d->err;
	}
	s->raw = json_incref((json_t *)j);
	pn_pkey(path, prefix, key);
	labels_decode(d, j, path, s);
	exprs_decode(d, j, path, s);
	if (d->err) {
		pn_label_selector_free(s);
		return d->err;
	}
	*out = s;
	return 1;
}

int pn_label_selector_decode(const json_t *j, const char *path, struct pn_label_selector **out,
			     struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };
	char prefix[PN_PATH_MAX];
	const char *dot, *key;
	json_t *wrap;
	size_t n;

	*out = NULL;
	if (!path || !*path)
		path = "selector";
	/* Decode as member <key> of a wrapping object so that the paths come
	 * out right and a wrong type is reported like any member's. */
	dot = strrchr(path, '.');
	key = dot ? dot + 1 : path;
	n = dot ? (size_t)(dot - path) : 0;
	if (n >= sizeof(prefix))
		n = sizeof(prefix) - 1;
	memcpy(prefix, path, n);
	prefix[n] = '\0';
	wrap = json_object();
	if (!wrap || json_object_set(wrap, key, (json_t *)j) < 0) {
		json_decref(wrap);
		return -ENOMEM;
	}
	pn_label_selector_decode_at(&d, wrap, prefix, key, out);
	json_decref(wrap);
	return pn_dec_result(&d);
}

/* ---- encoding -------------------------------------------------------------- */

json_t *pn_label_selector_encode(const struct pn_label_selector *s)
{
	json_t *o = pn_json_base(s->raw), *ml, *a, *orig;
	int r = 0;

	if (!o)
		return NULL;
	if (s->n_labels || json_is_object(json_object_get(o, "matchLabels"))) {
		ml = json_object();
		for (size_t i = 0; ml && i < s->n_labels; i++)
			r |= pn_json_set_str(ml, s->keys[i], s->values[i]);
		r |= pn_json_set_new(o, "matchLabels", ml);
	}
	orig = json_object_get(o, "matchExpressions");
	if (s->n_exprs || json_is_array(orig)) {
		bool keep = json_is_array(orig) && json_array_size(orig) == s->n_exprs;

		a = json_array();
		for (size_t i = 0; a && i < s->n_exprs; i++) {
			const struct pn_label_requirement *e = &s->exprs[i];
			json_t *oe = keep ? json_array_get(orig, i) : NULL;
			json_t *x = json_is_object(oe) ? json_deep_copy(oe) : json_object();

			if (!x || json_array_append_new(a, x) < 0) {
				r = -1;
				break;
			}
			r |= pn_json_set_str(x, "key", e->key);
			r |= pn_json_set_str(x, "operator", e->operator_);
			if (e->n_values || json_is_array(json_object_get(x, "values")))
				r |= pn_json_set_new(x, "values",
						     pn_strv_json(e->values, e->n_values));
		}
		r |= pn_json_set_new(o, "matchExpressions", a);
	}
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- validation ------------------------------------------------------------ */

static bool label_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

static bool label_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool pn_is_label_value(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s || n > PN_MAX_LABEL)
		return false;
	if (n == 0)
		return true;
	if (!label_alnum(s[0]) || !label_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!label_name_char(s[i]))
			return false;
	return true;
}

bool pn_is_label_key(const char *s)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	char prefix[PN_MAX_NAME + 1];
	size_t n;

	if (!s || !*s)
		return false;
	if (slash) {
		n = (size_t)(slash - s);
		if (n == 0 || n > PN_MAX_NAME)
			return false;
		memcpy(prefix, s, n);
		prefix[n] = '\0';
		if (!pn_is_dns1123_subdomain(prefix))
			return false;
		s = slash + 1;
	}
	return *s && pn_is_label_value(s);
}

#define MSG_KEY                                                                            \
	"must be a label key: an optional DNS subdomain prefix and '/', then a name of "   \
	"1-63 characters of letters, digits, '-', '_' and '.', starting and ending with "  \
	"a letter or digit"
#define MSG_VALUE                                                                          \
	"must be a label value: at most 63 characters of letters, digits, '-', '_' and "   \
	"'.', starting and ending with a letter or digit (or empty)"

void pn_label_selector_check(struct pn_dec *d, const struct pn_label_selector *s,
			     const char *prefix)
{
	char base[PN_PATH_MAX], path[PN_PATH_MAX], ep[PN_PATH_MAX], vp[PN_PATH_MAX];

	if (!s)
		return;
	pn_pkey(base, prefix, "matchLabels");
	for (size_t i = 0; i < s->n_labels; i++) {
		pn_pkey(path, base, s->keys[i]);
		if (!pn_is_label_key(s->keys[i]))
			pn_dec_problem(d, path, "key \"%.300s\" " MSG_KEY, s->keys[i]);
		else if (!pn_is_label_value(s->values[i]))
			pn_dec_problem(d, path, "is \"%.300s\", which " MSG_VALUE, s->values[i]);
	}
	pn_pkey(base, prefix, "matchExpressions");
	for (size_t i = 0; i < s->n_exprs; i++) {
		const struct pn_label_requirement *e = &s->exprs[i];

		pn_pidx(ep, base, e->index);
		pn_pkey(path, ep, "key");
		if (e->key && !pn_is_label_key(e->key))
			pn_dec_problem(d, path, MSG_KEY);
		pn_pkey(path, ep, "operator");
		if (e->operator_ && e->op == PN_SELECTOR_OP_UNKNOWN)
			pn_dec_problem(d, path,
				       "must be In, NotIn, Exists or DoesNotExist, not \"%.100s\"",
				       e->operator_);
		pn_pkey(path, ep, "values");
		if ((e->op == PN_SELECTOR_IN || e->op == PN_SELECTOR_NOT_IN) && !e->n_values)
			pn_dec_problem(d, path, "must not be empty for operator %s",
				       op_names[e->op]);
		else if ((e->op == PN_SELECTOR_EXISTS || e->op == PN_SELECTOR_DOES_NOT_EXIST) &&
			 e->n_values)
			pn_dec_problem(d, path, "must be empty for operator %s", op_names[e->op]);
		for (size_t k = 0; k < e->n_values; k++)
			if (!pn_is_label_value(e->values[k])) {
				pn_pidx(vp, path, k);
				pn_dec_problem(d, vp, MSG_VALUE);
			}
	}
}

int pn_label_selector_validate(const struct pn_label_selector *s, const char *path,
			       struct pn_problems *ps)
{
	struct pn_dec d = { .ps = ps };

	pn_label_selector_check(&d, s, path ? path : "");
	return pn_dec_result(&d);
}

/* ---- matching -------------------------------------------------------------- */

static const char *label_of(const json_t *labels, const char *key)
{
	const json_t *v = json_is_object(labels) ? json_object_get(labels, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool value_in(const struct pn_label_requirement *e, const char *v)
{
	for (size_t k = 0; k < e->n_values; k++)
		if (!strcmp(e->values[k], v))
			return true;
	return false;
}

static bool requirement_matches(const struct pn_label_requirement *e, const json_t *labels)
{
	const char *v = e->key ? label_of(labels, e->key) : NULL;

	switch (e->op) {
	case PN_SELECTOR_IN:
		return v && value_in(e, v);
	case PN_SELECTOR_NOT_IN:
		return !v || !value_in(e, v);
	case PN_SELECTOR_EXISTS:
		return v != NULL;
	case PN_SELECTOR_DOES_NOT_EXIST:
		return e->key && v == NULL;
	default:
		return false; /* an operator we do not know selects nothing */
	}
}

/* The first term of s that labels do not satisfy: 0 when every term is
 * satisfied, i + 1 for matchLabels entry i, -(i + 1) for matchExpressions
 * entry i. */
static long first_miss(const struct pn_label_selector *s, const json_t *labels)
{
	for (size_t i = 0; i < s->n_labels; i++) {
		const char *v = label_of(labels, s->keys[i]);

		if (!v || strcmp(v, s->values[i]) != 0)
			return (long)i + 1;
	}
	for (size_t i = 0; i < s->n_exprs; i++)
		if (!requirement_matches(&s->exprs[i], labels))
			return -(long)i - 1;
	return 0;
}

bool pn_label_selector_matches(const struct pn_label_selector *s, const json_t *labels)
{
	return !s || first_miss(s, labels) == 0;
}

bool pn_label_selector_empty(const struct pn_label_selector *s)
{
	return !s || (!s->n_labels && !s->n_exprs);
}

/* Appends to buf (len bytes) at *at, always NUL-terminated. */
static void append(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*at = (size_t)n >= len - *at ? len - 1 : *at + (size_t)n;
}

static void describe_expr(char *buf, size_t len, size_t *at,
			  const struct pn_label_requirement *e)
{
	append(buf, len, at, "matchExpressions %s %s", e->key ? e->key : "",
	       e->operator_ ? e->operator_ : "");
	if (e->n_values) {
		append(buf, len, at, " (");
		for (size_t k = 0; k < e->n_values; k++)
			append(buf, len, at, "%s%s", k ? ", " : "", e->values[k]);
		append(buf, len, at, ")");
	}
}

int pn_podnetwork_check_namespace(const struct pn_podnetwork *n, const char *ns,
				  const json_t *ns_labels, char *msg, size_t len)
{
	const struct pn_label_selector *s = n ? n->spec.namespace_selector : NULL;
	json_t *with_name = NULL;
	const json_t *labels = ns_labels;
	size_t at = 0;
	long miss;

	if (msg && len)
		msg[0] = '\0';
	if (pn_label_selector_empty(s))
		return 0; /* absent or {}: every namespace */
	/* kubernetes.io/metadata.name is on every Namespace of 1.21+; add it
	 * when the API server (1.20) or an offline file did not. */
	if (ns && !label_of(ns_labels, NS_NAME_LABEL)) {
		with_name = json_is_object(ns_labels) ? json_copy((json_t *)ns_labels) : json_object();
		if (with_name && json_object_set_new(with_name, NS_NAME_LABEL, json_string(ns)) == 0)
			labels = with_name;
	}
	miss = first_miss(s, labels);
	json_decref(with_name);
	if (miss == 0)
		return 0;
	if (!msg || !len)
		return 1;
	append(msg, len, &at,
	       "PodNetwork \"%s\" may not be used from namespace \"%s\": "
	       "spec.namespaceSelector (",
	       n->meta.name ? n->meta.name : "", ns ? ns : "");
	if (miss > 0)
		append(msg, len, &at, "matchLabels %s=%s", s->keys[miss - 1], s->values[miss - 1]);
	else
		describe_expr(msg, len, &at, &s->exprs[-miss - 1]);
	append(msg, len, &at, ") does not select it");
	return 1;
}
