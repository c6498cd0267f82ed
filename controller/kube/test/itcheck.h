/* itcheck.h: the checks of the integration test programs. Each prints
 * "ok - what" or "not ok - what"; it_done() prints "N passed, N failed". */
#ifndef PN_KUBE_TEST_ITCHECK_H
#define PN_KUBE_TEST_ITCHECK_H

#include <stdio.h>

static int it_passed, it_failed;

#define IT_CHECK(cond, ...) do {                                      \
		if (cond) {                                           \
			it_passed++;                                  \
			printf("ok - ");                              \
		} else {                                              \
			it_failed++;                                  \
			printf("not ok - ");                          \
		}                                                     \
		printf(__VA_ARGS__);                                  \
		printf("   [%s]\n", #cond);                           \
		fflush(stdout);                                       \
	} while (0)

static inline int it_done(void)
{
	printf("%d passed, %d failed\n", it_passed, it_failed);
	return it_failed ? 1 : 0;
}

#endif
