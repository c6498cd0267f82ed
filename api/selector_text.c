/* selector_text.c — label selectors as text (kubectl's -l, the API's
 * labelSelector query parameter) to and from struct pn_label_selector:
 * a small hand-written lexer and parser of the grammar in
 * pn/selector_text.h. The selector is built as a LabelSelector's JSON
 * (matchExpressions) and goes through the same decoder and checks as
 * spec.namespaceSelector, so both forms select alike. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pn/limits.h"
#include "pn/problem.h"
#include "pn/selector_text.h"

enum tok { T_END, T_IDENT, T_NOT, T_EQ, T_EQEQ, T_NEQ, T_COMMA, T_OPEN, T_CLOSE, T_LT, T_GT };

struct lex {
	const char *s;   /* the whole text */
	size_t at;       /* next byte to read */
	enum tok t;      /* the current token */
	size_t start;    /* its offset */
	size_t len;      /* its length (T_IDENT) */
	char *err;
	size_t errlen;
};

static void fail(struct lex *x, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct lex *x, size_t at, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->errlen)
		snprintf(x->err, x->errlen, "at character %zu: %s", at + 1, msg);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_special(char c)
{
	return is_space(c) || c == '\0' || strchr("!=,()<>", c) != NULL;
}

static void next(struct lex *x)
{
	const char *s = x->s;

	while (is_space(s[x->at]))
		x->at++;
	x->start = x->at;
	x->len = 0;
	switch (s[x->at]) {
	case '\0':
		x->t = T_END;
		return;
	case ',':
		x->t = T_COMMA;
		break;
	case '(':
		x->t = T_OPEN;
		break;
	case ')':
		x->t = T_CLOSE;
		break;
	case '<':
		x->t = T_LT;
		break;
	case '>':
		x->t = T_GT;
		break;
	case '=':
		x->t = s[x->at + 1] == '=' ? T_EQEQ : T_EQ;
		x->at += x->t == T_EQEQ;
		break;
	case '!':
		x->t = s[x->at + 1] == '=' ? T_NEQ : T_NOT;
		x->at += x->t == T_NEQ;
		break;
	default:
		x->t = T_IDENT;
		while (!is_special(s[x->at]))
			x->at++;
		x->len = x->at - x->start;
		return;
	}
	x->at++;
}

static bool ident_is(const struct lex *x, const char *word)
{
	return x->t == T_IDENT && x->len == strlen(word) && !memcmp(x->s + x->start, word, x->len);
}

/* The current token as a quoted word for messages. */
static void tok_text(const struct lex *x, char *buf, size_t len)
{
	if (x->t == T_END)
		snprintf(buf, len, "the end");
	else if (x->t == T_IDENT)
		snprintf(buf, len, "\"%.*s\"", (int)(x->len > 100 ? 100 : x->len), x->s + x->start);
	else
		snprintf(buf, len, "\"%.*s\"", x->t == T_EQEQ || x->t == T_NEQ ? 2 : 1,
			 x->s + x->start);
}

static json_t *ident_json(const struct lex *x)
{
	return json_stringn(x->s + x->start, x->len);
}

#define MSG_KEY                                                                            \
	"a label key is an optional DNS subdomain prefix and '/', then a name of 1-63 "   \
	"characters of letters, digits, '-', '_' and '.', starting and ending with a "    \
	"letter or digit"
#define MSG_VALUE                                                                          \
	"a label value is at most 63 characters of letters, digits, '-', '_' and '.', "   \
	"starting and ending with a letter or digit (or empty)"

/* Reads a key at the current token; returns it (new reference) or NULL. */
static json_t *parse_key(struct lex *x, bool *nomem)
{
	char what[128];
	json_t *k;

	if (x->t != T_IDENT) {
		tok_text(x, what, sizeof(what));
		fail(x, x->start, "expected a label key, found %s", what);
		return NULL;
	}
	k = ident_json(x);
	if (!k) {
		*nomem = true;
		return NULL;
	}
	if (!pn_is_label_key(json_string_value(k))) {
		fail(x, x->start, "\"%.100s\" is not a label key: " MSG_KEY, json_string_value(k));
		json_decref(k);
		return NULL;
	}
	next(x);
	return k;
}

/* Appends the value at the current token (an identifier, or nothing: the
 * empty value) to values. Returns 0, -EINVAL or -ENOMEM. */
static int parse_value(struct lex *x, json_t *values)
{
	json_t *v;

	if (json_array_size(values) >= PN_MAX_SELECTOR_VALUES) {
		fail(x, x->start, "more than %d values in one requirement", PN_MAX_SELECTOR_VALUES);
		return -EINVAL;
	}
	v = x->t == T_IDENT ? ident_json(x) : json_string("");
	if (!v || json_array_append_new(values, v) < 0)
		return -ENOMEM;
	if (!pn_is_label_value(json_string_value(v))) {
		fail(x, x->start, "\"%.100s\" is not a label value: " MSG_VALUE, json_string_value(v));
		return -EINVAL;
	}
	if (x->t == T_IDENT)
		next(x);
	return 0;
}

/* "(V1, V2, ...)" after in/notin. */
static int parse_set(struct lex *x, json_t *values, const char *op)
{
	char what[128];
	size_t open = x->start;
	int r;

	if (x->t != T_OPEN) {
		tok_text(x, what, sizeof(what));
		fail(x, x->start, "expected \"(\" after \"%s\", found %s", op, what);
		return -EINVAL;
	}
	next(x);
	if (x->t == T_CLOSE) {
		fail(x, open, "the set of values after \"%s\" is empty", op);
		return -EINVAL;
	}
	for (;;) {
		if (x->t != T_IDENT && x->t != T_COMMA && x->t != T_CLOSE) {
			tok_text(x, what, sizeof(what));
			fail(x, x->start, "expected a value, \",\" or \")\" in the set of \"%s\", found %s",
			     op, what);
			return -EINVAL;
		}
		r = parse_value(x, values);
		if (r < 0)
			return r;
		if (x->t == T_CLOSE) {
			next(x);
			return 0;
		}
		if (x->t != T_COMMA) {
			tok_text(x, what, sizeof(what));
			fail(x, x->start, "expected \",\" or \")\" in the set of \"%s\", found %s", op,
			     what);
			return -EINVAL;
		}
		next(x);
	}
}

/* One requirement, appended to exprs as a matchExpressions entry. */
static int parse_requirement(struct lex *x, json_t *exprs)
{
	const char *op;
	json_t *e, *key, *values = NULL;
	bool nomem = false, neg = false;
	char what[128];
	int r = 0;

	if (x->t == T_NOT) {
		neg = true;
		next(x);
	}
	key = parse_key(x, &nomem);
	if (!key)
		return nomem ? -ENOMEM : -EINVAL;
	if (neg) {
		op = "DoesNotExist";
	} else if (x->t == T_END || x->t == T_COMMA) {
		op = "Exists";
	} else if (x->t == T_EQ || x->t == T_EQEQ || x->t == T_NEQ) {
		op = x->t == T_NEQ ? "NotIn" : "In";
		next(x);
		values = json_array();
		if (!values)
			r = -ENOMEM;
		else if (x->t != T_IDENT && x->t != T_END && x->t != T_COMMA) {
			tok_text(x, what, sizeof(what));
			fail(x, x->start, "expected a value after the operator, found %s", what);
			r = -EINVAL;
		} else {
			r = parse_value(x, values);
		}
	} else if (ident_is(x, "in") || ident_is(x, "notin")) {
		op = ident_is(x, "in") ? "In" : "NotIn";
		next(x);
		values = json_array();
		r = values ? parse_set(x, values, !strcmp(op, "In") ? "in" : "notin") : -ENOMEM;
	} else if (x->t == T_LT || x->t == T_GT) {
		fail(x, x->start, "the numeric operators \"<\" and \">\" are not supported");
		r = -EINVAL;
	} else {
		tok_text(x, what, sizeof(what));
		fail(x, x->start,
		     "expected \"=\", \"==\", \"!=\", \"in\", \"notin\", \",\" or the end after "
		     "key \"%.100s\", found %s", json_string_value(key), what);
		r = -EINVAL;
	}
	if (r == 0 && neg && x->t != T_END && x->t != T_COMMA) {
		tok_text(x, what, sizeof(what));
		fail(x, x->start, "\"!%.100s\" takes no operator or value, found %s",
		     json_string_value(key), what);
		r = -EINVAL;
	}
	if (r < 0) {
		json_decref(key);
		json_decref(values);
		return r;
	}
	e = values ? json_pack("{s:o, s:s, s:o}", "key", key, "operator", op, "values", values)
		   : json_pack("{s:o, s:s}", "key", key, "operator", op);
	if (!e || json_array_append_new(exprs, e) < 0)
		return -ENOMEM;
	return 0;
}

int pn_label_selector_parse(const char *text, struct pn_label_selector **out, char *err,
			    size_t errlen)
{
	struct lex x = { .s = text ? text : "", .err = err, .errlen = errlen };
	struct pn_problems ps = { 0 };
	json_t *exprs = NULL, *sel = NULL;
	char what[128];
	int r = 0;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (strnlen(x.s, PN_SELECTOR_TEXT_MAX + 1) > PN_SELECTOR_TEXT_MAX) {
		if (errlen)
			snprintf(err, errlen, "longer than %d bytes", PN_SELECTOR_TEXT_MAX);
		return -EINVAL;
	}
	exprs = json_array();
	if (!exprs)
		return -ENOMEM;
	next(&x);
	while (x.t != T_END) {
		if (json_array_size(exprs) >= PN_MAX_SELECTOR_TERMS) {
			fail(&x, x.start, "more than %d requirements", PN_MAX_SELECTOR_TERMS);
			r = -EINVAL;
			goto cleanup;
		}
		r = parse_requirement(&x, exprs);
		if (r < 0)
			goto cleanup;
		if (x.t == T_COMMA) {
			next(&x);
			if (x.t == T_END) {
				fail(&x, x.start, "expected a requirement after \",\"");
				r = -EINVAL;
				goto cleanup;
			}
		} else if (x.t != T_END) {
			tok_text(&x, what, sizeof(what));
			fail(&x, x.start, "expected \",\" or the end after a requirement, found %s", what);
			r = -EINVAL;
			goto cleanup;
		}
	}
	sel = json_pack("{s:O}", "matchExpressions", exprs);
	if (!sel) {
		r = -ENOMEM;
		goto cleanup;
	}
	r = pn_label_selector_decode(sel, "selector", out, &ps);
	if (r >= 0 && *out)
		r = pn_label_selector_validate(*out, "selector", &ps);
	if (r >= 0 && ps.n) {
		/* the parser checked everything the decoder does: a bug if seen */
		if (errlen)
			snprintf(err, errlen, "%s: %s", ps.v[0].path, ps.v[0].message);
		r = -EINVAL;
	}
	if (r > 0)
		r = 0;
	if (r < 0) {
		pn_label_selector_free(*out);
		*out = NULL;
	}
cleanup:
	pn_problems_clear(&ps);
	json_decref(sel);
	json_decref(exprs);
	return r;
}

/* ---- formatting ------------------------------------------------------------ */

struct buf {
	char *s;
	size_t len, at;
	bool full;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->at, b->len - b->at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->at)
		b->full = true;
	else
		b->at += (size_t)n;
}

int pn_label_selector_format(const struct pn_label_selector *s, char *out, size_t len)
{
	struct buf b = { .s = out, .len = len };

	if (!len)
		return -ENOSPC;
	out[0] = '\0';
	for (size_t i = 0; s && i < s->n_labels; i++)
		put(&b, "%s%s=%s", b.at ? "," : "", s->keys[i], s->values[i]);
	for (size_t i = 0; s && i < s->n_exprs; i++) {
		const struct pn_label_requirement *e = &s->exprs[i];
		const char *sep = b.at ? "," : "";

		if (!e->key)
			return -EINVAL;
		switch (e->op) {
		case PN_SELECTOR_EXISTS:
			put(&b, "%s%s", sep, e->key);
			break;
		case PN_SELECTOR_DOES_NOT_EXIST:
			put(&b, "%s!%s", sep, e->key);
			break;
		case PN_SELECTOR_IN:
		case PN_SELECTOR_NOT_IN:
			if (!e->n_values)
				return -EINVAL;
			if (e->n_values == 1) {
				put(&b, "%s%s%s%s", sep, e->key, e->op == PN_SELECTOR_IN ? "=" : "!=",
				    e->values[0]);
				break;
			}
			put(&b, "%s%s %s (", sep, e->key, e->op == PN_SELECTOR_IN ? "in" : "notin");
			for (size_t k = 0; k < e->n_values; k++)
				put(&b, "%s%s", k ? "," : "", e->values[k]);
			put(&b, ")");
			break;
		default:
			return -EINVAL;
		}
	}
	if (b.full) {
		out[0] = '\0';
		return -ENOSPC;
	}
	return (int)b.at;
}
