/* json.c — plain JSON text (API-server objects) into a jansson tree, with the
 * same caps as the YAML loader but no source map (see pn/doc.h). */
#include "pn/doc.h"

#include <errno.h>
#include <string.h>

/* Finds a string or key holding a NUL character; returns 1 when found. */
static int has_nul(json_t *v)
{
	if (json_is_string(v))
		return memchr(json_string_value(v), '\0', json_string_length(v)) != NULL;
	if (json_is_object(v)) {
		const char *k;
		size_t kl;
		json_t *c;

		json_object_keylen_foreach (v, k, kl, c)
			if (memchr(k, '\0', kl) || has_nul(c))
				return 1;
		return 0;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *c;

		json_array_foreach (v, i, c)
			if (has_nul(c))
				return 1;
	}
	return 0;
}

/* A quick pre-scan of bracket depth, so jansson's own recursion never goes
 * deeper than the cap (strings are skipped, escapes honoured). */
static size_t scan_depth(const char *buf, size_t len, size_t max, size_t *where)
{
	size_t d = 0;
	int in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++d > max) {
				*where = i;
				return d;
			}
		} else if (c == '}' || c == ']') {
			if (d)
				d--;
		}
	}
	return 0;
}

static void offset_pos(const char *buf, size_t off, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Adds "<what> <n> <unit>" at line/col and returns -EINVAL. */
static int fail(struct pn_problems *ps, int line, int col, const char *what, size_t n,
		const char *unit)
{
	int r = pn_problems_add(ps, "", "%s %zu %s", what, n, unit);

	if (r < 0)
		return r;
	ps->v[ps->n - 1].line = line;
	ps->v[ps->n - 1].col = col;
	return -EINVAL;
}

int pn_json_load(const char *buf, size_t len, const struct pn_doc_limits *lim, json_t **out,
		 struct pn_problems *ps)
{
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : PN_DOC_MAX_BYTES;
	size_t max_depth = lim && lim->max_depth ? lim->max_depth : PN_DOC_MAX_DEPTH;
	json_error_t err;
	json_t *v;
	size_t where = 0;
	int line, col;

	*out = NULL;
	if (!buf)
		len = 0, buf = "";
	if (len > max_bytes) {
		offset_pos(buf, max_bytes, &line, &col);
		return fail(ps, line, col, "text larger than", max_bytes, "bytes");
	}
	if (scan_depth(buf, len, max_depth, &where)) {
		offset_pos(buf, where, &line, &col);
		return fail(ps, line, col, "nesting deeper than", max_depth, "levels");
	}
	v = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!v) {
		int r = pn_problems_add(ps, "", "invalid JSON: %s", err.text);

		if (r < 0)
			return r;
		ps->v[ps->n - 1].line = err.line > 0 ? err.line : 1;
		ps->v[ps->n - 1].col = err.column > 0 ? err.column : 1;
		return -EINVAL;
	}
	if (has_nul(v)) {
		int r = pn_problems_add(ps, "", "string contains a NUL character");

		json_decref(v);
		if (r < 0)
			return r;
		ps->v[ps->n - 1].line = 1;
		ps->v[ps->n - 1].col = 1;
		return -EINVAL;
	}
	*out = v;
	return 0;
}
