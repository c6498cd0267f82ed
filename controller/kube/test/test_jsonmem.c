/* Unit tests: the JSON memory counter used to report bytes per cached object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <jansson.h>

#include "kube/jsonmem.h"

static void unit__jsonmem_object_built_and_freed__counter_rises_and_returns(void **state)
{
	(void)state;
	long long base = pn_kube_jsonmem_live();
	json_t *o = json_object();
	char k[32];
	for (int i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "key-%d", i);
		json_object_set_new(o, k, json_string("a value of some length"));
	}
	long long grown = pn_kube_jsonmem_live() - base;
	/* 100 keys and 100 strings cannot fit in less than 100 * 40 bytes */
	assert_true(grown >= 100 * 40);
	json_decref(o);
	assert_true(pn_kube_jsonmem_live() == base);
}

int main(void)
{
	pn_kube_jsonmem_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__jsonmem_object_built_and_freed__counter_rises_and_returns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
