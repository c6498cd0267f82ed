/* libFuzzer harness: what CNI plugins print (results, errors) and what
 * parameters say (chains), through the cni provider's parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../providers/cni/cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct podnet_result *res = calloc(1, sizeof(*res));
	struct podnet_attachment a;
	struct pn_cni_chain chain;
	const char *ips[] = {"10.1.2.3/24"}, *gws[] = {"10.1.2.1"};
	char err[256];
	cJSON *j;

	if (!text || !res)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	j = cJSON_ParseWithLength(text, size);
	pn_cni_result_to_podnet(j, res);
	cJSON_Delete(j);
	pn_cni_error_to_podnet(text, "fuzz", "ADD", 1, res);
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.network = "fuzz";
	a.interface = "net1";
	a.provider = "";
	a.params_json = text;
	a.ips = ips;
	a.n_ips = 1;
	a.gateways = gws;
	a.n_gateways = 1;
	a.flags = PODNET_ATTACH_DEFAULT_GW4;
	a.mac = "02:00:00:00:00:01";
	if (pn_cni_chain_build(&a, NULL, &chain, err, sizeof(err)) == 0) {
		for (int i = 0; i < chain.n; i++)
			free(pn_cni_plugin_conf(&chain, i, NULL));
		pn_cni_chain_clear(&chain);
	}
out:
	free(res);
	free(text);
	return 0;
}
