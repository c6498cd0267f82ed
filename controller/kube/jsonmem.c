/* jsonmem.c: counting allocator for jansson. */
#include "kube/jsonmem.h"

#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>

static long long live;

static void *count_malloc(size_t n)
{
	void *p = malloc(n);
	if (p)
		__atomic_add_fetch(&live, (long long)malloc_usable_size(p), __ATOMIC_RELAXED);
	return p;
}

static void count_free(void *p)
{
	if (p)
		__atomic_sub_fetch(&live, (long long)malloc_usable_size(p), __ATOMIC_RELAXED);
	free(p);
}

void pn_kube_jsonmem_install(void)
{
	json_set_alloc_funcs(count_malloc, count_free);
}

long long pn_kube_jsonmem_live(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}
