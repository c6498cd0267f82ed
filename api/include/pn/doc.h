/* pn/doc.h — the source layer: YAML/JSON text into jansson trees, with a
 * source map that gives the line and column of every node by its field path.
 *
 * Pure: every function takes a buffer; nothing here reads files.
 *
 * Scalars are typed with the YAML 1.2 core schema: plain null, ~ and empty
 * become JSON null; true/false (and True/TRUE/False/FALSE) booleans; decimal,
 * 0x and 0o integers become JSON integers (refused when out of the 64-bit
 * range); decimal floats become reals (.inf and .nan are refused: JSON has
 * none). Quoted and block scalars always stay strings, and so does anything
 * else (so `mac: 02:00:00:00:00:01` is a string, unlike YAML 1.1). JSON is
 * YAML flow style, so .json text goes through the same loader and gets
 * positions too (JSON's surrogate-pair escapes, which YAML refuses, are
 * rewritten first when the text is JSON; columns after one on the same line
 * are then 2 short); pn_json_load() is the plain jansson entry point for
 * API-server objects, which need no positions.
 *
 * Hostile input is refused with a problem carrying line/column, never
 * expanded: aliases (*name; anchors alone are ignored), nesting deeper than
 * max_depth, text larger than max_bytes, scalars longer than max_scalar,
 * more than max_nodes nodes or max_docs documents, invalid UTF-8, NUL
 * characters, duplicate keys, non-string keys, tags other than the core
 * schema's (!!str !!int !!float !!bool !!null !!map !!seq and the
 * non-specific "!").
 */
#ifndef PN_DOC_H
#define PN_DOC_H

#include <jansson.h>
#include <stddef.h>

#include "pn/problem.h"

#define PN_DOC_MAX_BYTES  (4u << 20) /* whole text */
#define PN_DOC_MAX_DEPTH  64u        /* nested mappings/sequences */
#define PN_DOC_MAX_SCALAR (1u << 20) /* one scalar, bytes */
#define PN_DOC_MAX_NODES  200000u    /* nodes in one call, all documents */
#define PN_DOC_MAX_DOCS   1000u      /* documents in one stream */

struct pn_doc_limits {
	size_t max_bytes;
	size_t max_depth;
	size_t max_scalar;
	size_t max_nodes;
	size_t max_docs;
};

/* The scalar style of a node, as written in the source. */
enum pn_doc_style {
	PN_STYLE_NONE = 0, /* mapping, sequence, or unknown */
	PN_STYLE_PLAIN,
	PN_STYLE_SINGLE,   /* 'quoted' */
	PN_STYLE_DOUBLE,   /* "quoted" (and JSON strings) */
	PN_STYLE_LITERAL,  /* | block */
	PN_STYLE_FOLDED,   /* > block */
};

/* Where a node starts. line/col are 1-based. For block scalars, indent is
 * the 0-based column of the content (the first non-blank content line's
 * indentation) and line is the line of the | or > indicator. */
struct pn_srcpos {
	int line;
	int col;
	int style;  /* enum pn_doc_style */
	int indent; /* block scalars only; -1 otherwise */
	int key_line, key_col; /* where the node's key starts (mapping values), else 0 */
};

/* Opaque: positions of every node of one document, by path. */
struct pn_srcmap;

struct pn_doc {
	json_t *root;          /* owned reference */
	struct pn_srcmap *map; /* owned; NULL for documents from pn_json_load() */
	int line, col;         /* where the document's content starts */
};

struct pn_docs {
	struct pn_doc *v;
	size_t n;
	size_t cap;
};

/* Loads every document of a YAML (or JSON) stream. Documents that are
 * empty or null (a bare "---", or "~") are skipped. lim may be NULL for the
 * PN_DOC_MAX_* defaults; a zero field also means its default.
 * Returns 0 when the whole stream loaded; -EINVAL when the text was refused:
 * one problem (path "") with the line/column of the fault is added to ps, and
 * out keeps the documents that were complete before it; -ENOMEM.
 * out is appended to; release it with pn_docs_clear(). */
int pn_doc_load_yaml(const char *buf, size_t len, const struct pn_doc_limits *lim,
		     struct pn_docs *out, struct pn_problems *ps);

/* Loads a single-document YAML/JSON value embedded in another document, such
 * as the podnet.dev/networks annotation. root_path is the path given to the
 * value's root in the source map (e.g. "networks", so that problem paths like
 * networks[2].interfaceName resolve); NULL means "". origin is the position
 * of the string node that held the value in its outer file (from the outer
 * document's source map), or NULL when the value did not come from a file
 * (positions are then relative to the value: line 1 column 1 is its start).
 *
 * Positions with an origin:
 *   - literal block (|): exact. Value line k is outer line origin.line + k,
 *     column is origin.indent + column in the value.
 *   - folded block (>): exact on lines that were not folded together; after a
 *     folded line break the line is approximate (it stays on the first line).
 *   - single-line plain or quoted scalars: exact unless the scalar contains
 *     escapes ('' or \x...), after which columns are approximate.
 *   - multi-line flow scalars: the first line exact, later ones approximate.
 * Errors and results are as for pn_doc_load_yaml() with exactly one document
 * (an empty value gives a doc whose root is JSON null). */
int pn_doc_load_value(const char *buf, size_t len, const struct pn_srcpos *origin,
		      const char *root_path, struct pn_doc *out, struct pn_problems *ps);

/* The annotation parser for pn_pod_decode() (it has the type
 * pn_text_parser_fn of pn/model.h): YAML or JSON text through
 * pn_doc_load_value() without positions; ctx is unused. Returns a new
 * reference, or NULL with "line L column C: message" written to err. */
json_t *pn_doc_parse_value(const char *text, size_t len, char *err, size_t errlen, void *ctx);

/* Parses one JSON text with jansson (no positions kept): caps max_bytes and
 * max_depth, refuses duplicate keys, NUL characters and invalid UTF-8.
 * Returns 0 and an owned *out, -EINVAL with one problem (with jansson's
 * line/column), or -ENOMEM. */
int pn_json_load(const char *buf, size_t len, const struct pn_doc_limits *lim, json_t **out,
		 struct pn_problems *ps);

/* Releases one document's tree and map; leaves it zeroed. NULL is a no-op. */
void pn_doc_clear(struct pn_doc *d);
/* Releases every document and the array; leaves an empty list. */
void pn_docs_clear(struct pn_docs *ds);

/* Finds the node at path (pn/problem.h syntax). Returns 1 when the node
 * itself was found, 0 when only a prefix was (out is the deepest existing
 * ancestor, e.g. the parent object of a missing field), -ENOENT when map is
 * NULL or the path does not start with the map's root path.
 * out->line/col: for a scalar, where its value starts; for a mapping or a
 * list, and for the ancestor returned for a missing node, where its key
 * starts ("spec:") when it has one, else where its content starts. */
int pn_srcmap_find(const struct pn_srcmap *map, const char *path, struct pn_srcpos *out);

/* Fills line/col of the problems ps->v[from..] that have none (line 0) from
 * the map, using the longest existing prefix of each path. Problems whose
 * path does not belong to the map are left alone. */
void pn_srcmap_resolve(const struct pn_srcmap *map, struct pn_problems *ps, size_t from);

/* Number of nodes in the map (0 for NULL). */
size_t pn_srcmap_size(const struct pn_srcmap *map);

#endif
