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
/* The commit built (`git rev-parse --short=12 HEAD`, "unknown" without git),
 * the make variable PODNET_COMMIT; same characters as the version. */
const char *pn_commit(void);

/* The daemons export podnet_build_info{version,commit,component} with
 * pn_prom_build_info (kube/prom.h). */

#endif
