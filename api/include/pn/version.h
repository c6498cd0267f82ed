/* pn/version.h — the version compiled into every podnet program: the make
 * variable PODNET_VERSION, which is `git describe --tags --always --dirty`
 * of the tree at build time ("0.0.0-unknown" without git). pn_version() is
 * defined in the generated $(BUILD)/gen/version.c (libpnversion.a), which
 * the top Makefile rewrites only when the string changes: a new commit
 * recompiles that one file and relinks the programs, nothing else.
 * (PN_VERSION of pn/model.h is another thing: the API version, v1alpha1.) */
#ifndef PN_VERSION_H
#define PN_VERSION_H

/* The version; static storage, never NULL. Only letters, digits, '.', '_'
 * and '-', so it needs no quoting in a metric label or an image tag. */
const char *pn_version(void);

/* The Prometheus gauge both daemons export on /metrics, as a printf format
 * taking the version and the component ("controller" or "agent"). */
#define PN_BUILD_INFO_METRIC_FMT \
	"# HELP podnet_build_info Always 1; the version label is the podnet build this component runs.\n" \
	"# TYPE podnet_build_info gauge\n" \
	"podnet_build_info{version=\"%s\",component=\"%s\"} 1\n"

#endif
