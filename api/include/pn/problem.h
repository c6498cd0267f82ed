/* pn/problem.h — a list of problems found in user input, each with the field
 * path it concerns and, once resolved against a source map, a line/column.
 *
 * Paths use dots for object keys and [i] for list elements:
 *   spec.parametersRefs[1].kind      networks[2].interfaceName
 * A key that is not a plain identifier is written in brackets and double
 * quotes: metadata.annotations["podnet.dev/networks"].
 */
#ifndef PN_PROBLEM_H
#define PN_PROBLEM_H

#include <stddef.h>

struct pn_problem {
	char *path;    /* owned; "" for the object as a whole */
	char *message; /* owned; lower-case sentence without final period */
	int line;      /* 1-based; 0 when unknown */
	int col;       /* 1-based; 0 when unknown */
};

struct pn_problems {
	struct pn_problem *v;
	size_t n;
	size_t cap;
};

/* Appends a problem; message is printf-formatted. Returns 0 or -ENOMEM. */
int pn_problems_add(struct pn_problems *ps, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, with path built as "<prefix>.<leaf>" (or "<leaf>" when prefix is ""),
 * or "<prefix>[<index>]" when leaf is NULL. */
int pn_problems_addf(struct pn_problems *ps, const char *prefix, const char *leaf,
		     long index, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Frees every entry and the array; leaves an empty list. NULL is a no-op. */
void pn_problems_clear(struct pn_problems *ps);

/* Builds "<prefix>.<key>" (or key alone, or the bracketed form for keys that
 * are not plain identifiers) into buf; returns the length or -ENOSPC. */
int pn_path_key(char *buf, size_t len, const char *prefix, const char *key);
/* Builds "<prefix>[<index>]" into buf; returns the length or -ENOSPC. */
int pn_path_index(char *buf, size_t len, const char *prefix, size_t index);

#endif
