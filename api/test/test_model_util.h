/* test_model_util.h — small helpers shared by test_model.c, test_validate.c
 * and test_plan.c (included, not linked: each test is one program). */
#ifndef PN_TEST_MODEL_UTIL_H
#define PN_TEST_MODEL_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "pn/model.h"
#include "pn/problem.h"

/* JSON with ' for " so that test objects read easily. */
static inline json_t *jq(const char *text)
{
	char *s = strdup(text);
	json_error_t e;
	json_t *j;

	assert_non_null(s);
	for (char *c = s; *c; c++)
		if (*c == '\'')
			*c = '"';
	j = json_loads(s, JSON_DECODE_ANY, &e);
	if (!j)
		fail_msg("bad test JSON (%s): %s", e.text, s);
	free(s);
	return j;
}

static inline void dump_problems(const struct pn_problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		fprintf(stderr, "  problem %zu: %s: %s\n", i, ps->v[i].path, ps->v[i].message);
}

/* The problem at path whose message contains needle (NULL: any). */
static inline const struct pn_problem *find_problem(const struct pn_problems *ps,
						    const char *path, const char *needle)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].path, path) &&
		    (!needle || strstr(ps->v[i].message, needle)))
			return &ps->v[i];
	return NULL;
}

#define expect_problem(ps, path, needle)                                                   \
	do {                                                                               \
		if (!find_problem((ps), (path), (needle))) {                               \
			dump_problems(ps);                                                 \
			fail_msg("no problem at %s containing \"%s\"", (path),             \
				 (needle) ? (needle) : "");                                \
		}                                                                          \
	} while (0)

/* Exactly one problem, at path, containing needle. */
#define expect_only(ps, path, needle)                                                      \
	do {                                                                               \
		if ((ps)->n != 1) {                                                        \
			dump_problems(ps);                                                 \
			fail_msg("expected exactly one problem (at %s), got %zu", (path),  \
				 (ps)->n);                                                 \
		}                                                                          \
		expect_problem(ps, path, needle);                                          \
	} while (0)

#define expect_clean(ps)                                                                   \
	do {                                                                               \
		if ((ps)->n != 0) {                                                        \
			dump_problems(ps);                                                 \
			fail_msg("expected no problems, got %zu", (ps)->n);                \
		}                                                                          \
	} while (0)

static inline bool pn_streq_test(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static inline int pn_strv_push_test(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strdup(s);
	(*n)++;
	return 0;
}

#endif
