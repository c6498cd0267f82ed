/* kube/prom_info.c — podnet_build_info, apart from the writer so that only
 * the programs that export it link the version (libpnversion.a). */
#include "kube/prom.h"

#include "pn/version.h"

void pn_prom_build_info(FILE *f, const char *component)
{
	pn_prom_family(f, "podnet_build_info", "gauge",
		       "Always 1; the labels are the podnet build (version, commit) this component runs.");
	fprintf(f, "podnet_build_info{version=\"%s\",commit=\"%s\",component=\"%s\"} 1\n", pn_version(),
		pn_commit(), component);
}
