/* default.c — the defaults of API.md, applied to decoded objects. */
#include "model_priv.h"

#include <stdlib.h>
#include <string.h>

void pn_podnetwork_default(struct pn_podnetwork *pn)
{
	if (!pn->spec.enabled_set) {
		pn->spec.enabled = true;
		pn->spec.enabled_set = true;
	}
}

void pn_attachment_default(struct pn_attachment *pna)
{
	(void)pna; /* nothing defaults */
}

void pn_cniconfig_default(struct pn_cniconfig *c)
{
	if (!c->spec.cni_version || !*c->spec.cni_version) {
		char *v = strdup(PN_DEFAULT_CNI_VERSION);

		if (v) {
			free(c->spec.cni_version);
			c->spec.cni_version = v;
		}
	}
}

void pn_ippool_default(struct pn_ippool *p)
{
	(void)p; /* start/end default to the whole cidr, which IPAM computes */
}
