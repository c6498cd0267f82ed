/* kube/prom.c — the Prometheus text writer shared by the daemons. */
#include "kube/prom.h"

#include <string.h>

const double pn_prom_call_buckets[PN_PROM_CALL_BUCKETS_N] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
							      0.25,  0.5,    1,     2.5,  5,     10 };

void pn_prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void pn_prom_sample(FILE *f, const char *name, const char *labels, double value)
{
	if (labels && *labels)
		fprintf(f, "%s{%s} %.17g\n", name, labels, value);
	else
		fprintf(f, "%s %.17g\n", name, value);
}

const char *pn_prom_escape(char *buf, size_t len, const char *value)
{
	size_t o = 0;

	if (!len)
		return "";
	for (const char *p = value ? value : ""; *p && o + 2 < len; p++) {
		if (*p == '\\' || *p == '"') {
			buf[o++] = '\\';
			buf[o++] = *p;
		} else if (*p == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = '\0';
	return buf;
}

void pn_prom_hist_observe(struct pn_prom_hist *h, double v)
{
	size_t i;

	for (i = 0; i < h->nb && v > h->bounds[i]; i++)
		;
	h->counts[i]++;
	h->sum += v;
	h->count++;
}

void pn_prom_hist_write(FILE *f, const char *name, const char *labels, const struct pn_prom_hist *h)
{
	const char *sep = labels && *labels ? "," : "";
	uint64_t cum = 0;

	if (!labels)
		labels = "";
	for (size_t i = 0; i < h->nb; i++) {
		cum += h->counts[i];
		fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, h->bounds[i], (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, (unsigned long long)h->count);
	if (*labels) {
		fprintf(f, "%s_sum{%s} %.9g\n", name, labels, h->sum);
		fprintf(f, "%s_count{%s} %llu\n", name, labels, (unsigned long long)h->count);
	} else {
		fprintf(f, "%s_sum %.9g\n%s_count %llu\n", name, h->sum, name, (unsigned long long)h->count);
	}
}
