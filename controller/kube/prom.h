/* kube/prom.h — the Prometheus text format (version 0.0.4) every podnet
 * daemon writes on /metrics, in one place: a family is its name, its
 * # HELP and # TYPE lines, then its samples, so no family goes out without
 * them. Histograms keep per-bucket counts and are written cumulative, with
 * _sum and _count. The writer only formats; callers lock what they read. */
#ifndef PN_KUBE_PROM_H
#define PN_KUBE_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* # HELP and # TYPE of a family. type: "counter", "gauge" or "histogram". */
void pn_prom_family(FILE *f, const char *name, const char *type, const char *help);
/* One sample. labels: the inside of the braces (`a="x",b="y"`), or NULL. */
void pn_prom_sample(FILE *f, const char *name, const char *labels, double value);
/* A label value escaped (backslash, quote, newline) into buf (truncated). */
const char *pn_prom_escape(char *buf, size_t len, const char *value);

/* podnet_build_info{version,commit,component} 1, family lines included
 * (kube/prom_info.c: link $(PN_VERSION_LIB)). */
void pn_prom_build_info(FILE *f, const char *component);

/* A histogram. counts has nb + 1 slots (the last is above the highest
 * bound); the caller owns bounds and counts. */
struct pn_prom_hist {
	const double *bounds;
	size_t nb;
	uint64_t *counts;
	double sum;
	uint64_t count;
};
void pn_prom_hist_observe(struct pn_prom_hist *h, double v);
/* The _bucket (cumulative, le="+Inf" last), _sum and _count samples. */
void pn_prom_hist_write(FILE *f, const char *name, const char *labels, const struct pn_prom_hist *h);

/* Bucket bounds for calls that take 1 ms to 10 s (plugin runs, API writes). */
#define PN_PROM_CALL_BUCKETS_N 13
extern const double pn_prom_call_buckets[PN_PROM_CALL_BUCKETS_N];

#endif
