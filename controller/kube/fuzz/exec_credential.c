/* libFuzzer harness: the ExecCredential an exec credential plugin prints
 * (pn_kube_exec_credential_parse), for both protocol versions, and RFC 3339
 * times. Invariants: success yields a token or a certificate with its key,
 * a token without control bytes; failure leaves nothing and a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/execcred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const versions[] = { "client.authentication.k8s.io/v1",
						"client.authentication.k8s.io/v1beta1" };
	struct pn_kube_exec_cred c;
	char err[256];
	for (int v = 0; v < 2; v++) {
		err[0] = '\0';
		int r = pn_kube_exec_credential_parse((const char *)data, size, versions[v], &c, err, sizeof(err));
		if (r == 0) {
			if (!c.token && !c.cert)
				abort();
			if (!c.cert != !c.key)
				abort();
			for (const char *p = c.token; p && *p; p++)
				if ((unsigned char)*p < 0x20)
					abort();
			pn_kube_exec_cred_clear(&c);
		} else if (c.token || c.cert || c.key || !err[0]) {
			abort();
		}
	}
	/* the same bytes as a time */
	char t[64];
	time_t when;
	size_t n = size < sizeof(t) - 1 ? size : sizeof(t) - 1;
	memcpy(t, data, n);
	t[n] = '\0';
	(void)pn_kube_rfc3339_parse(t, &when);
	return 0;
}
