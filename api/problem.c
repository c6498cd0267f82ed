/* problem.c — the list of problems found in user input (see pn/problem.h). */
#include "pn/problem.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int problems_vadd(struct pn_problems *ps, const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int problems_vadd(struct pn_problems *ps, const char *path, const char *fmt, va_list ap)
{
	char *msg = NULL;
	char *p = NULL;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 8;
		struct pn_problem *v = realloc(ps->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	p = strdup(path ? path : "");
	if (!p) {
		free(msg);
		return -ENOMEM;
	}
	ps->v[ps->n++] = (struct pn_problem){ .path = p, .message = msg };
	return 0;
}

int pn_problems_add(struct pn_problems *ps, const char *path, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = problems_vadd(ps, path, fmt, ap);
	va_end(ap);
	return r;
}

int pn_problems_addf(struct pn_problems *ps, const char *prefix, const char *leaf,
		     long index, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	int r;

	if (leaf)
		r = pn_path_key(path, sizeof(path), prefix, leaf);
	else
		r = pn_path_index(path, sizeof(path), prefix, (size_t)index);
	if (r < 0)
		snprintf(path, sizeof(path), "%s", prefix);
	va_start(ap, fmt);
	r = problems_vadd(ps, path, fmt, ap);
	va_end(ap);
	return r;
}

void pn_problems_clear(struct pn_problems *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].path);
		free(ps->v[i].message);
	}
	free(ps->v);
	*ps = (struct pn_problems){ 0 };
}

static int plain_key(const char *key)
{
	if (!*key)
		return 0;
	for (const char *c = key; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
			return 0;
	return 1;
}

int pn_path_key(char *buf, size_t len, const char *prefix, const char *key)
{
	int n;

	if (!prefix)
		prefix = "";
	if (plain_key(key))
		n = snprintf(buf, len, "%s%s%s", prefix, *prefix ? "." : "", key);
	else
		n = snprintf(buf, len, "%s[\"%s\"]", prefix, key);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int pn_path_index(char *buf, size_t len, const char *prefix, size_t index)
{
	int n = snprintf(buf, len, "%s[%zu]", prefix ? prefix : "", index);

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
