/* libFuzzer harness: kubeconfig parsing (YAML through libyaml, merging,
 * context resolution, base64 data fields). The input is written to a file
 * (the parser reads files) and loaded with an explicit path, with and without
 * a context name taken from the input. Invariants: success yields a server;
 * failure leaves no config and a message; an exec stanza that loads has a
 * command line and a KUBERNETES_EXEC_INFO that is a JSON ExecCredential
 * (loading never runs the plugin). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "kube/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct pn_kube_config *cfg = NULL;
	char err[256];
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/pn-kube-fuzz-kubeconfig-%d", (int)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	close(fd);
	for (int pass = 0; pass < 2; pass++) {
		err[0] = '\0';
		int r = pn_kube_config_load(path, pass ? "x" : NULL, &cfg, err, sizeof(err));
		if (r == 0) {
			if (!cfg || !cfg->server || !cfg->ns)
				abort();
			if (cfg->exec) {
				json_t *info = json_loads(cfg->exec->exec_info, 0, NULL);
				if (!cfg->exec->argv || !cfg->exec->argv[0] || !cfg->exec->env || !info ||
				    strcmp(json_string_value(json_object_get(info, "kind")) ?: "", "ExecCredential") ||
				    cfg->exec_runs)
					abort();
				json_decref(info);
			}
			pn_kube_config_free(cfg);
			cfg = NULL;
		} else if (cfg || !err[0]) {
			abort();
		}
	}
	unlink(path);
	return 0;
}
