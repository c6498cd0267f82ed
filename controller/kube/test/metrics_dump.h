/* metrics_dump.h — the unit tests of the daemons' /metrics text leave it
 * in $PN_METRICS_DUMP/NAME.prom when that is set, for metrics-parse.sh,
 * which parses the three with the Prometheus client's own text parser. */
#ifndef PN_TEST_METRICS_DUMP_H
#define PN_TEST_METRICS_DUMP_H

#include <stdio.h>
#include <stdlib.h>

static inline void pn_test_metrics_dump(const char *name, const char *text)
{
	const char *dir = getenv("PN_METRICS_DUMP");
	char path[1024];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.prom", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

#endif
