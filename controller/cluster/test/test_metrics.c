/* test_metrics.c — the controller's /metrics text (pn_ctl_metrics_render,
 * without the HTTP server): podnet_build_info carries the version built in,
 * before the controller's own families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/ctl.h"
#include "pn/version.h"
#include "kube/test/metrics_dump.h"

/* A controller that has not started: no informers, an empty queue. */
static char *render_idle(void)
{
	struct pn_ctl ctl = { 0 };
	char *text;

	ctl.q = pn_workqueue_new(NULL, NULL);
	assert_non_null(ctl.q);
	text = pn_ctl_metrics_render(&ctl);
	pn_workqueue_free(ctl.q);
	assert_non_null(text);
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void unit__controller_metrics__build_info__version_built_in(void **state)
{
	char *text = render_idle(), line[256];
	const char *help, *type, *sample;

	(void)state;
	assert_true(pn_version()[0] != '\0');
	snprintf(line, sizeof(line), "podnet_build_info{version=\"%s\",commit=\"%s\",component=\"controller\"} 1\n",
		 pn_version(), pn_commit());
	help = strstr(text, "# HELP podnet_build_info ");
	type = strstr(text, "# TYPE podnet_build_info gauge\n");
	sample = strstr(text, line);
	assert_non_null(help);
	assert_non_null(type);
	assert_non_null(sample);
	assert_true(help < type && type < sample);
	assert_int_equal(count(text, "podnet_build_info{"), 1);
	assert_true(sample == text || sample[-1] == '\n');
	print_message("%s", line);
	free(text);
}

static void unit__controller_metrics__other_families__still_there(void **state)
{
	char *text = render_idle();

	(void)state;
	assert_non_null(strstr(text, "\npodnet_controller_leader 0\n"));
	assert_non_null(strstr(text, "\npodnet_controller_queue_depth 0\n"));
	assert_non_null(strstr(text, "podnet_controller_errors_total{reason=\"DecodeFailed\"} 0\n"));
	assert_non_null(strstr(text, "# HELP podnet_controller_leader "));
	assert_non_null(strstr(text, "# TYPE podnet_controller_plan_write_duration_seconds histogram\n"));
	pn_test_metrics_dump("controller", text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__controller_metrics__build_info__version_built_in),
		cmocka_unit_test(unit__controller_metrics__other_families__still_there),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
