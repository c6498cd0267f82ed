/* Unit tests of node/agent_http.c's /metrics text (render_metrics, without
 * the HTTP server): podnet_build_info carries the version built in. The
 * test includes agent_http.c itself; the provider host and the record
 * listing are the real objects, the rest of the agent is a stub. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../agent_http.c"
#include "pn/version.h"
#include "kube/test/metrics_dump.h"

void pn_agent_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

struct pn_provider *pn_agent_provider(struct pn_agent *a, const char *name)
{
	(void)a;
	(void)name;
	return NULL;
}

/* An agent with no provider and an empty records directory. */
static char *render_empty(void)
{
	char dir[] = "/tmp/pn-agent-http-XXXXXX";
	struct pn_agent *a = calloc(1, sizeof(*a));
	char *text;

	assert_non_null(a);
	assert_non_null(mkdtemp(dir));
	a->records_dir = dir;
	text = render_metrics(a);
	rmdir(dir);
	free(a);
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

static void unit__agent_metrics__build_info__version_built_in(void **state)
{
	char *text = render_empty(), line[256];
	const char *help, *type, *sample;

	(void)state;
	assert_true(pn_version()[0] != '\0');
	snprintf(line, sizeof(line), "podnet_build_info{version=\"%s\",commit=\"%s\",component=\"agent\"} 1\n",
		 pn_version(), pn_commit());
	help = strstr(text, "# HELP podnet_build_info ");
	type = strstr(text, "# TYPE podnet_build_info gauge\n");
	sample = strstr(text, line);
	assert_non_null(help);
	assert_non_null(type);
	assert_non_null(sample);
	assert_true(help < type && type < sample);
	/* one family, one sample, and a sample that starts its line */
	assert_int_equal(count(text, "podnet_build_info{"), 1);
	assert_true(sample == text || sample[-1] == '\n');
	print_message("%s", line);
	free(text);
}

static void unit__agent_metrics__other_families__still_there(void **state)
{
	char *text = render_empty();

	(void)state;
	assert_non_null(strstr(text, "podnet_agent_requests_total{command=\"ADD\",result=\"ok\"} 0\n"));
	assert_non_null(strstr(text, "podnet_agent_providers 0\n"));
	assert_non_null(strstr(text, "podnet_agent_sandboxes 0\n"));
	assert_non_null(strstr(text, "# TYPE podnet_agent_provider_info gauge\n"));
	assert_non_null(strstr(text, "# TYPE podnet_agent_cni_duration_seconds histogram\n"));
	pn_test_metrics_dump("agent", text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__agent_metrics__build_info__version_built_in),
		cmocka_unit_test(unit__agent_metrics__other_families__still_there),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
