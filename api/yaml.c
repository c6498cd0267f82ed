/* yaml.c — YAML (and JSON, its flow style) text into jansson trees with a
 * source map, through libyaml's event API (see pn/doc.h).
 *
 * Nothing is ever expanded: aliases are refused, so an alias bomb costs one
 * event. Every other size is capped before it can grow: the text, the depth,
 * each scalar, the node count and the document count. */
#include "pn/doc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "srcmap.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define VALUE_MAX_BYTES (256u << 10) /* an annotation value: the API server's cap */

struct frame {
	json_t *container; /* borrowed: owned by its parent or by the loader's root */
	int node;          /* its source-map node */
	char *key;         /* pending mapping key, owned */
	size_t keylen;
	struct pn_srcpos keypos;
};

struct loader {
	yaml_parser_t parser;
	struct pn_doc_limits lim;
	struct pn_problems *ps;
	const char *buf;
	size_t len;
	const struct pn_srcpos *origin; /* value mode: the outer scalar */
	const char *root_path;
	size_t nodes;
	size_t docs;
	/* the document being built */
	json_t *root;
	struct pn_srcmap *map;
	struct frame *stack;
	size_t depth;
	/* forward-only line cursor into buf, for block-scalar indentation */
	size_t cur_line, cur_off;
};

static void limits_fill(struct pn_doc_limits *l, const struct pn_doc_limits *in)
{
	*l = in ? *in : (struct pn_doc_limits){ 0 };
	if (!l->max_bytes)
		l->max_bytes = PN_DOC_MAX_BYTES;
	if (!l->max_depth)
		l->max_depth = PN_DOC_MAX_DEPTH;
	if (!l->max_scalar)
		l->max_scalar = PN_DOC_MAX_SCALAR;
	if (!l->max_nodes)
		l->max_nodes = PN_DOC_MAX_NODES;
	if (!l->max_docs)
		l->max_docs = PN_DOC_MAX_DOCS;
}

/* A short, printable rendering of user text for messages. */
static void quote_text(char *dst, size_t cap, const char *s, size_t n)
{
	size_t o = 0;
	const size_t max_in = 64;

	for (size_t i = 0; i < n && i < max_in && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	if (n > max_in && o + 4 < cap) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

/* Maps a libyaml mark (0-based) to a 1-based position in the reported file. */
static void mark_pos(const struct loader *ld, const yaml_mark_t *m, int *line, int *col)
{
	long l0 = (long)(m->line > INT_MAX / 2 ? INT_MAX / 2 : m->line);
	long c0 = (long)(m->column > INT_MAX / 2 ? INT_MAX / 2 : m->column);
	const struct pn_srcpos *o = ld->origin;
	long l, c;

	if (!o) {
		l = l0 + 1;
		c = c0 + 1;
	} else if (o->style == PN_STYLE_LITERAL || o->style == PN_STYLE_FOLDED) {
		l = o->line + 1 + l0;
		c = (o->indent >= 0 ? o->indent : o->col - 1) + c0 + 1;
	} else if (l0 == 0) {
		l = o->line;
		c = o->col + c0 + (o->style == PN_STYLE_PLAIN ? 0 : 1);
	} else {
		l = o->line + l0;
		c = c0 + 1;
	}
	*line = l > INT_MAX ? INT_MAX : (int)l;
	*col = c > INT_MAX ? INT_MAX : (int)c;
}

static int fail_at(struct loader *ld, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct loader *ld, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = pn_problems_add(ld->ps, ld->root_path, "%s", msg);
	if (r < 0)
		return r;
	ld->ps->v[ld->ps->n - 1].line = line;
	ld->ps->v[ld->ps->n - 1].col = col;
	return -EINVAL;
}

/* Fails with the position of mark m. */
#define FAIL(ld, m, ...)                                                        \
	({                                                                      \
		int l_, c_;                                                     \
		mark_pos((ld), (m), &l_, &c_);                                  \
		fail_at((ld), l_, c_, __VA_ARGS__);                             \
	})

/* Line/column (1-based) of byte offset off in the text, counting columns in
 * characters. Only for reader errors, which carry an offset and no mark. */
static void offset_pos(const struct loader *ld, size_t off, int *line, int *col)
{
	long l = 1, c = 1;

	if (off > ld->len)
		off = ld->len;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)ld->buf[i];

		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xc0) != 0x80 && c < INT_MAX) {
			c++;
		}
	}
	if (ld->origin) {
		yaml_mark_t m = { .line = (size_t)l - 1, .column = (size_t)c - 1 };

		mark_pos(ld, &m, line, col);
		return;
	}
	*line = l > INT_MAX ? INT_MAX : (int)l;
	*col = (int)c;
}

static int fail_parser(struct loader *ld)
{
	const yaml_parser_t *p = &ld->parser;
	const char *problem = p->problem ? p->problem : "unknown error";
	int line, col;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return -ENOMEM;
	case YAML_READER_ERROR: {
		size_t off = p->problem_offset;

		/* a bad trailing octet is reported where it is (often the next
		 * character); point at the start of the sequence it broke */
		if (strstr(problem, "trailing") && off <= ld->len) {
			size_t b = off;

			while (b > 0 && off - b < 4 &&
			       ((unsigned char)ld->buf[b - 1] & 0xc0) == 0x80)
				b--;
			if (b > 0 && off - b < 4 && (unsigned char)ld->buf[b - 1] >= 0xc0)
				off = b - 1;
		}
		offset_pos(ld, off, &line, &col);
		if (p->problem_value != -1)
			return fail_at(ld, line, col, "invalid text: %s (byte 0x%02x)", problem,
				       (unsigned)p->problem_value & 0xffu);
		return fail_at(ld, line, col, "invalid text: %s", problem);
	}
	default:
		mark_pos(ld, &p->problem_mark, &line, &col);
		if (p->context)
			return fail_at(ld, line, col, "invalid YAML: %s %s", problem, p->context);
		return fail_at(ld, line, col, "invalid YAML: %s", problem);
	}
}

/* Moves the forward-only line cursor to 0-based line and returns the byte
 * offset where it starts, or -1 (past the end, or behind the cursor). */
static long line_start(struct loader *ld, size_t line)
{
	if (ld->cur_line > line)
		return -1;
	while (ld->cur_line < line) {
		const char *nl = memchr(ld->buf + ld->cur_off, '\n', ld->len - ld->cur_off);

		if (!nl)
			return -1;
		ld->cur_off = (size_t)(nl - ld->buf) + 1;
		ld->cur_line++;
	}
	return ld->cur_off > LONG_MAX ? -1 : (long)ld->cur_off;
}

/* Indentation (0-based column) of the content of the block scalar that
 * starts at mark m, or -1 when unknown. With an explicit indentation
 * indicator ("|2") it is the parent's indentation plus the digit, the
 * parent's being key_col - 1 for a mapping value (key_col > 0) or the
 * indicator line's leading spaces; otherwise it is the leading spaces of
 * the first non-blank content line, as YAML detects it. Events come in
 * document order, so the line cursor only moves forward. */
static int block_indent(struct loader *ld, const yaml_mark_t *m, int key_col)
{
	long start = line_start(ld, m->line);
	size_t off, lead = 0;

	if (start < 0)
		return -1;
	off = (size_t)start;
	while (off + lead < ld->len && ld->buf[off + lead] == ' ')
		lead++;
	/* the indicator: the first | or > from the mark on (after any tag or
	 * anchor); columns count characters, so step over UTF-8 sequences */
	for (size_t c = 0; off < ld->len && ld->buf[off] != '\n' && c < m->column; off++)
		if (((unsigned char)ld->buf[off] & 0xc0) != 0x80)
			c++;
	while (off < ld->len && ld->buf[off] != '\n' && ld->buf[off] != '|' && ld->buf[off] != '>')
		off++;
	if (off < ld->len && (ld->buf[off] == '|' || ld->buf[off] == '>')) {
		for (size_t h = off + 1; h < ld->len && h < off + 3; h++) {
			if (ld->buf[h] >= '1' && ld->buf[h] <= '9') {
				size_t base = key_col > 0 ? (size_t)key_col - 1 : lead;

				return base + 9 > INT_MAX ? -1 : (int)(base + (size_t)(ld->buf[h] - '0'));
			}
			if (ld->buf[h] != '-' && ld->buf[h] != '+')
				break;
		}
	}
	while (off < ld->len && ld->buf[off] != '\n')
		off++;
	off++;
	while (off < ld->len) {
		size_t sp = 0;

		while (off + sp < ld->len && ld->buf[off + sp] == ' ')
			sp++;
		if (off + sp < ld->len && ld->buf[off + sp] != '\n' && ld->buf[off + sp] != '\r')
			return sp > INT_MAX ? -1 : (int)sp;
		off += sp;
		while (off < ld->len && ld->buf[off] != '\n')
			off++;
		off++;
	}
	return -1;
}

static int style_of(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_PLAIN_SCALAR_STYLE:
		return PN_STYLE_PLAIN;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return PN_STYLE_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return PN_STYLE_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return PN_STYLE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return PN_STYLE_FOLDED;
	default:
		return PN_STYLE_NONE;
	}
}

/* ---- scalar resolution (YAML 1.2 core schema) --------------------------- */

enum kind { K_STR, K_NULL, K_BOOL, K_INT, K_FLOAT, K_BAD };

static int is_null(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static int bool_value(const char *s)
{
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return 0;
	return -1;
}

static int all_in(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

#define DIGITS "0123456789"

static int is_int(const char *s)
{
	if (!strncmp(s, "0o", 2))
		return all_in(s + 2, "01234567");
	if (!strncmp(s, "0x", 2))
		return all_in(s + 2, DIGITS "abcdefABCDEF");
	if (*s == '-' || *s == '+')
		s++;
	return all_in(s, DIGITS);
}

/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
static int is_float(const char *s)
{
	size_t d = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (isdigit((unsigned char)*s))
		s++, d++;
	if (*s == '.') {
		size_t f = 0;

		s++;
		while (isdigit((unsigned char)*s))
			s++, f++;
		if (!d && !f)
			return 0;
	} else if (!d) {
		return 0;
	}
	if (*s == 'e' || *s == 'E') {
		size_t e = 0;

		s++;
		if (*s == '-' || *s == '+')
			s++;
		while (isdigit((unsigned char)*s))
			s++, e++;
		if (!e)
			return 0;
	}
	return *s == '\0';
}

static int is_special_float(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return !strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF") ||
	       !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN");
}

static enum kind resolve_plain(const char *s)
{
	if (is_null(s))
		return K_NULL;
	if (bool_value(s) >= 0)
		return K_BOOL;
	if (is_int(s))
		return K_INT;
	if (is_float(s) || is_special_float(s))
		return K_FLOAT;
	return K_STR;
}

/* Builds the JSON value of a scalar; NULL with *why set when it is refused. */
static json_t *scalar_value(const char *s, size_t n, enum kind k, const char **why)
{
	char *end;

	switch (k) {
	case K_NULL:
		if (!is_null(s))
			break;
		return json_null();
	case K_BOOL: {
		int b = bool_value(s);

		if (b < 0)
			break;
		return json_boolean(b);
	}
	case K_INT: {
		long long v;
		const char *d = s;
		int base = 10;

		if (!is_int(s))
			break;
		if (!strncmp(s, "0o", 2))
			d = s + 2, base = 8;
		else if (!strncmp(s, "0x", 2))
			d = s + 2, base = 16;
		errno = 0;
		v = strtoll(d, &end, base);
		if (errno == ERANGE || *end) {
			*why = "integer out of range";
			return NULL;
		}
		return json_integer((json_int_t)v);
	}
	case K_FLOAT: {
		double v;

		if (is_special_float(s)) {
			*why = "infinite and NaN numbers cannot be represented";
			return NULL;
		}
		if (!is_float(s) && !is_int(s))
			break;
		errno = 0;
		v = strtod(s, &end);
		if (*end || !isfinite(v)) {
			*why = "number out of range";
			return NULL;
		}
		return json_real(v);
	}
	case K_STR:
		return json_stringn(s, n);
	case K_BAD:
		break;
	}
	*why = NULL; /* wrong form for an explicit tag */
	return NULL;
}

/* Checks a tag. Returns the kind it forces (K_STR for "!"), -1 when the tag
 * leaves the kind to resolution (no tag), or K_BAD when refused. */
static int tag_kind(const yaml_char_t *tag, int scalar, int *container_ok)
{
	const char *t = (const char *)tag;

	*container_ok = 0;
	if (!t)
		return -1;
	if (!strcmp(t, "!"))
		return scalar ? K_STR : -1;
	if (strncmp(t, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
		return K_BAD;
	t += strlen(TAG_PREFIX);
	if (!scalar) {
		*container_ok = !strcmp(t, "map") || !strcmp(t, "seq");
		return *container_ok ? -1 : K_BAD;
	}
	if (!strcmp(t, "str"))
		return K_STR;
	if (!strcmp(t, "null"))
		return K_NULL;
	if (!strcmp(t, "bool"))
		return K_BOOL;
	if (!strcmp(t, "int"))
		return K_INT;
	if (!strcmp(t, "float"))
		return K_FLOAT;
	return K_BAD;
}

/* ---- building the tree --------------------------------------------------- */

static void doc_drop(struct loader *ld)
{
	for (size_t i = 0; i < ld->depth; i++)
		free(ld->stack[i].key);
	ld->depth = 0;
	json_decref(ld->root);
	ld->root = NULL;
	pn_srcmap_free(ld->map);
	ld->map = NULL;
}

static int count_node(struct loader *ld, const yaml_mark_t *m)
{
	if (++ld->nodes > ld->lim.max_nodes)
		return FAIL(ld, m, "too many nodes (more than %zu)", ld->lim.max_nodes);
	return 0;
}

/* Attaches v (owned) at the current position, records its position. Returns
 * the new source-map node or a negative errno; v is consumed either way. */
static int attach(struct loader *ld, json_t *v, const yaml_event_t *ev, int style, int indent)
{
	struct pn_srcpos pos = { .style = style, .indent = indent };
	struct frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;
	int node;

	mark_pos(ld, &ev->start_mark, &pos.line, &pos.col);
	if (!f) {
		if (ld->root) { /* cannot happen with a well-formed event stream */
			json_decref(v);
			return -EINVAL;
		}
		ld->map = pn_srcmap_new(ld->root_path);
		if (!ld->map) {
			json_decref(v);
			return -ENOMEM;
		}
		node = pn_srcmap_add(ld->map, -1, NULL, 0, &pos);
		if (node < 0) {
			json_decref(v);
			return node;
		}
		ld->root = v;
		return node;
	}
	if (json_is_object(f->container)) {
		pos.key_line = f->keypos.line;
		pos.key_col = f->keypos.col;
		node = pn_srcmap_add(ld->map, f->node, f->key, f->keylen, &pos);
		if (node < 0) {
			json_decref(v);
			return node;
		}
		if (json_object_setn_new(f->container, f->key, f->keylen, v) < 0)
			return -ENOMEM;
		free(f->key);
		f->key = NULL;
		return node;
	}
	node = pn_srcmap_add(ld->map, f->node, NULL, 0, &pos);
	if (node < 0) {
		json_decref(v);
		return node;
	}
	if (json_array_append_new(f->container, v) < 0)
		return -ENOMEM;
	return node;
}

static int want_key(const struct loader *ld)
{
	const struct frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;

	return f && json_is_object(f->container) && !f->key;
}

static int on_scalar(struct loader *ld, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	int style = style_of(ev->data.scalar.style);
	int container_ok;
	int tk = tag_kind(ev->data.scalar.tag, 1, &container_ok);
	enum kind k;
	char q[300];
	const char *why = NULL;
	int indent = -1;
	json_t *v;
	int r;

	r = count_node(ld, &ev->start_mark);
	if (r < 0)
		return r;
	if (tk == K_BAD) {
		quote_text(q, sizeof(q), (const char *)ev->data.scalar.tag,
			   strlen((const char *)ev->data.scalar.tag));
		return FAIL(ld, &ev->start_mark, "unsupported YAML tag \"%s\"", q);
	}
	if (n > ld->lim.max_scalar)
		return FAIL(ld, &ev->start_mark, "string longer than %zu bytes", ld->lim.max_scalar);
	if (memchr(s, '\0', n))
		return FAIL(ld, &ev->start_mark, "string contains a NUL character");
	if (tk >= 0)
		k = (enum kind)tk;
	else if (style == PN_STYLE_PLAIN)
		k = resolve_plain(s);
	else
		k = K_STR;

	if (want_key(ld)) {
		struct frame *f = &ld->stack[ld->depth - 1];

		quote_text(q, sizeof(q), s, n);
		if (k != K_STR)
			return FAIL(ld, &ev->start_mark,
				    "mapping key \"%s\" is not a string (quote it)", q);
		if (json_object_getn(f->container, s, n))
			return FAIL(ld, &ev->start_mark, "duplicate key \"%s\"", q);
		f->key = malloc(n + 1);
		if (!f->key)
			return -ENOMEM;
		memcpy(f->key, s, n);
		f->key[n] = '\0';
		f->keylen = n;
		mark_pos(ld, &ev->start_mark, &f->keypos.line, &f->keypos.col);
		return 0;
	}

	v = scalar_value(s, n, k, &why);
	if (!v) {
		quote_text(q, sizeof(q), s, n);
		if (why)
			return FAIL(ld, &ev->start_mark, "%s: %s", why, q);
		if (k == K_STR)
			return FAIL(ld, &ev->start_mark, "invalid UTF-8 in string");
		return FAIL(ld, &ev->start_mark, "\"%s\" is not a valid %s", q,
			    (const char *)ev->data.scalar.tag);
	}
	if (style == PN_STYLE_LITERAL || style == PN_STYLE_FOLDED) {
		const struct frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;
		int key_col = f && json_is_object(f->container) && !ld->origin ? f->keypos.col : 0;

		indent = block_indent(ld, &ev->start_mark, key_col);
	}
	r = attach(ld, v, ev, style, indent);
	return r < 0 ? r : 0;
}

static int on_start(struct loader *ld, const yaml_event_t *ev, int mapping)
{
	const yaml_char_t *tag = mapping ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	int container_ok;
	int tk = tag_kind(tag, 0, &container_ok);
	json_t *v;
	int node;
	int r;

	r = count_node(ld, &ev->start_mark);
	if (r < 0)
		return r;
	if (tk == K_BAD) {
		char q[300];

		quote_text(q, sizeof(q), (const char *)tag, strlen((const char *)tag));
		return FAIL(ld, &ev->start_mark, "unsupported YAML tag \"%s\"", q);
	}
	if (container_ok && strcmp((const char *)tag, mapping ? TAG_PREFIX "map" : TAG_PREFIX "seq"))
		return FAIL(ld, &ev->start_mark, "tag %s does not match the node", (const char *)tag);
	if (want_key(ld))
		return FAIL(ld, &ev->start_mark, "mapping key is not a string");
	if (ld->depth >= ld->lim.max_depth)
		return FAIL(ld, &ev->start_mark, "nesting deeper than %zu levels", ld->lim.max_depth);
	v = mapping ? json_object() : json_array();
	if (!v)
		return -ENOMEM;
	node = attach(ld, v, ev, PN_STYLE_NONE, -1);
	if (node < 0)
		return node;
	ld->stack[ld->depth++] = (struct frame){ .container = v, .node = node };
	return 0;
}

static int on_alias(struct loader *ld, const yaml_event_t *ev)
{
	char q[300];
	const char *a = (const char *)ev->data.alias.anchor;

	quote_text(q, sizeof(q), a, strlen(a));
	return FAIL(ld, &ev->start_mark,
		    "YAML aliases are not supported (*%s): write the value out in full", q);
}

static int docs_push(struct pn_docs *ds, struct pn_doc *d)
{
	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 8;
		struct pn_doc *v = realloc(ds->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ds->v = v;
		ds->cap = cap;
	}
	ds->v[ds->n++] = *d;
	return 0;
}

/* ---- JSON surrogate pairs ----------------------------------------------- */

static int hex4(const char *s, size_t avail, unsigned *out)
{
	unsigned v = 0;

	if (avail < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Whether s[i..] is "\uHHHH\uLLLL", a high and a low surrogate; *cp gets
 * the code point they stand for. */
static int surrogate_pair_at(const char *s, size_t len, size_t i, unsigned *cp)
{
	unsigned hi, lo;

	if (len - i < 12 || s[i] != '\\' || s[i + 1] != 'u' || s[i + 6] != '\\' ||
	    s[i + 7] != 'u' || hex4(s + i + 2, 4, &hi) < 0 || hex4(s + i + 8, 4, &lo) < 0)
		return 0;
	if (hi < 0xd800 || hi > 0xdbff || lo < 0xdc00 || lo > 0xdfff)
		return 0;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 1;
}

/* JSON writes characters beyond U+FFFF as surrogate-pair escapes
 * ("\ud83d\ude00"), which YAML refuses; YAML's "\U0001f600" says the same.
 * When the text is JSON (jansson accepts it, so backslashes only occur in
 * double-quoted strings), every pair is rewritten into a copy: *out is then
 * malloc'd; otherwise it stays NULL. Columns after a rewritten pair on the
 * same line come out 2 less than in the file. Returns 0 or -ENOMEM. */
static int rewrite_surrogates(const struct loader *ld, char **out, size_t *outlen)
{
	struct pn_problems scratch = { 0 };
	json_t *j = NULL;
	unsigned cp;
	size_t i, o = 0;
	int found = 0;
	char *copy;

	*out = NULL;
	for (i = 0; i + 12 <= ld->len && !found; i++)
		found = surrogate_pair_at(ld->buf, ld->len, i, &cp);
	if (!found)
		return 0;
	if (pn_json_load(ld->buf, ld->len, &ld->lim, &j, &scratch) < 0) {
		pn_problems_clear(&scratch);
		return 0; /* not JSON: libyaml reports the escape */
	}
	json_decref(j);
	copy = malloc(ld->len + 1);
	if (!copy)
		return -ENOMEM;
	for (i = 0; i < ld->len;) {
		if (ld->buf[i] == '\\' && surrogate_pair_at(ld->buf, ld->len, i, &cp)) {
			o += (size_t)snprintf(copy + o, 11, "\\U%08x", cp);
			i += 12;
		} else if (ld->buf[i] == '\\' && i + 1 < ld->len) {
			copy[o++] = ld->buf[i++]; /* an escape: its character is not a backslash */
			copy[o++] = ld->buf[i++];
		} else {
			copy[o++] = ld->buf[i++];
		}
	}
	*out = copy;
	*outlen = o;
	return 0;
}

/* Runs the parser over the whole text. Every finished document is handed to
 * done(); the loader stops at the first problem. */
static int run(struct loader *ld, int (*done)(struct loader *, void *), void *arg)
{
	int r = 0;
	int finished = 0;
	char *rewritten = NULL;
	size_t rewritten_len = 0;

	if (!yaml_parser_initialize(&ld->parser))
		return -ENOMEM;
	ld->stack = calloc(ld->lim.max_depth + 1, sizeof(*ld->stack));
	if (!ld->stack) {
		yaml_parser_delete(&ld->parser);
		return -ENOMEM;
	}
	if (ld->len > ld->lim.max_bytes) {
		int line, col;

		offset_pos(ld, ld->lim.max_bytes, &line, &col);
		r = fail_at(ld, line, col, "text larger than %zu bytes", ld->lim.max_bytes);
		goto cleanup;
	}
	r = rewrite_surrogates(ld, &rewritten, &rewritten_len);
	if (r < 0)
		goto cleanup;
	if (rewritten) {
		ld->buf = rewritten;
		ld->len = rewritten_len;
	}
	yaml_parser_set_input_string(&ld->parser, (const unsigned char *)ld->buf, ld->len);
	while (!finished) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&ld->parser, &ev)) {
			r = fail_parser(ld);
			goto cleanup;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			finished = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ld->docs > ld->lim.max_docs)
				r = FAIL(ld, &ev.start_mark, "more than %zu documents",
					 ld->lim.max_docs);
			break;
		case YAML_DOCUMENT_END_EVENT:
			r = done(ld, arg);
			break;
		case YAML_ALIAS_EVENT:
			r = on_alias(ld, &ev);
			break;
		case YAML_SCALAR_EVENT:
			r = on_scalar(ld, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			r = on_start(ld, &ev, ev.type == YAML_MAPPING_START_EVENT);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (ld->depth)
				ld->depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (r < 0)
			goto cleanup;
	}
cleanup:
	doc_drop(ld);
	free(rewritten);
	free(ld->stack);
	ld->stack = NULL;
	yaml_parser_delete(&ld->parser);
	return r;
}

/* The root of a document that is only "---": a plain empty scalar. */
static int doc_is_empty(const struct loader *ld)
{
	struct pn_srcpos pos;

	return json_is_null(ld->root) && pn_srcmap_find(ld->map, ld->root_path, &pos) == 1 &&
	       pos.style == PN_STYLE_PLAIN && ld->nodes > 0;
}

static int stream_done(struct loader *ld, void *arg)
{
	struct pn_docs *out = arg;
	struct pn_doc d;
	struct pn_srcpos pos;
	int r;

	if (!ld->root)
		return 0;
	if (doc_is_empty(ld)) {
		/* a bare "---" (or an explicit null document): nothing to check */
		doc_drop(ld);
		return 0;
	}
	pn_srcmap_find(ld->map, "", &pos);
	d = (struct pn_doc){ .root = ld->root, .map = ld->map, .line = pos.line, .col = pos.col };
	r = docs_push(out, &d);
	if (r < 0)
		return r;
	ld->root = NULL;
	ld->map = NULL;
	return 0;
}

int pn_doc_load_yaml(const char *buf, size_t len, const struct pn_doc_limits *lim,
		     struct pn_docs *out, struct pn_problems *ps)
{
	struct loader ld = { .ps = ps, .buf = buf ? buf : "", .len = buf ? len : 0, .root_path = "" };

	limits_fill(&ld.lim, lim);
	return run(&ld, stream_done, out);
}

struct value_state {
	struct pn_doc *out;
	int have;
};

static int value_done(struct loader *ld, void *arg)
{
	struct value_state *st = arg;
	struct pn_srcpos pos;

	if (st->have) {
		struct pn_srcpos p = { 0 };

		pn_srcmap_find(ld->map, ld->root_path, &p);
		return fail_at(ld, p.line, p.col, "more than one YAML document in the value");
	}
	if (!ld->root)
		return 0;
	pn_srcmap_find(ld->map, ld->root_path, &pos);
	*st->out = (struct pn_doc){ .root = ld->root, .map = ld->map, .line = pos.line, .col = pos.col };
	st->have = 1;
	ld->root = NULL;
	ld->map = NULL;
	return 0;
}

int pn_doc_load_value(const char *buf, size_t len, const struct pn_srcpos *origin,
		      const char *root_path, struct pn_doc *out, struct pn_problems *ps)
{
	struct loader ld = {
		.ps = ps, .buf = buf ? buf : "", .len = buf ? len : 0, .origin = origin,
		.root_path = root_path ? root_path : "",
	};
	struct value_state st = { .out = out };
	int r;

	*out = (struct pn_doc){ 0 };
	limits_fill(&ld.lim, &(struct pn_doc_limits){ .max_bytes = VALUE_MAX_BYTES, .max_docs = 2 });
	r = run(&ld, value_done, &st);
	if (r < 0) {
		pn_doc_clear(out);
		return r;
	}
	if (!st.have) {
		/* empty text: a null value at the start */
		struct pn_srcpos pos = { .style = PN_STYLE_PLAIN, .indent = -1 };
		yaml_mark_t m = { 0 };

		mark_pos(&ld, &m, &pos.line, &pos.col);
		out->map = pn_srcmap_new(ld.root_path);
		if (!out->map || pn_srcmap_add(out->map, -1, NULL, 0, &pos) < 0) {
			pn_doc_clear(out);
			return -ENOMEM;
		}
		out->root = json_null();
		out->line = pos.line;
		out->col = pos.col;
	}
	return 0;
}

json_t *pn_doc_parse_value(const char *text, size_t len, char *err, size_t errlen, void *ctx)
{
	struct pn_problems ps = { 0 };
	struct pn_doc d;
	json_t *v = NULL;
	int r;

	(void)ctx;
	r = pn_doc_load_value(text, len, NULL, NULL, &d, &ps);
	if (r == 0)
		v = json_incref(d.root);
	else if (ps.n && errlen)
		snprintf(err, errlen, "line %d column %d: %s", ps.v[0].line, ps.v[0].col,
			 ps.v[0].message);
	else if (errlen)
		snprintf(err, errlen, "%s", strerror(-r));
	pn_doc_clear(&d);
	pn_problems_clear(&ps);
	return v;
}

void pn_doc_clear(struct pn_doc *d)
{
	if (!d)
		return;
	json_decref(d->root);
	pn_srcmap_free(d->map);
	*d = (struct pn_doc){ 0 };
}

void pn_docs_clear(struct pn_docs *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->n; i++)
		pn_doc_clear(&ds->v[i]);
	free(ds->v);
	*ds = (struct pn_docs){ 0 };
}
