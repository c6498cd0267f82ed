/* providers/cni/cni.h — internals of the reference provider podnet.dev/cni.
 * chain.c turns parameters into a CNI plugin chain and CNI results into
 * podnet results (pure JSON work, cJSON); cni.c runs the plugins and keeps
 * the cache. */
#ifndef PN_CNI_PROVIDER_H
#define PN_CNI_PROVIDER_H

#include <cjson/cJSON.h>
#include <podnet/provider.h>

#define PN_CNI_MAX_PLUGINS 16
#define PN_CNI_MAX_CONF (1u << 20) /* config files and params */

/* A resolved chain: {"cniVersion":..., "name":..., "plugins":[...]} with the
 * controller's addresses already injected. Owned cJSON. */
struct pn_cni_chain {
	cJSON *root;
	cJSON *plugins; /* borrowed from root */
	const char *name;
	const char *version;
	int n;
};

/* Builds the chain from the attachment's params (a CNIConfig's
 * {cniVersion, plugins}, a NAD config object or {"config": "<json text>"},
 * or {"confListFile": path}); with no chain in them, from primary_conflist
 * (the node's primary CNI config file, conflist or single config). Injects
 * static IPAM when the attachment has addresses. err gets a reason. */
int pn_cni_chain_build(const struct podnet_attachment *a, const char *primary_conflist,
		       struct pn_cni_chain *chain, char *err, size_t errlen);
/* Rebuilds a chain from a cached {"cniVersion","name","plugins"} object
 * (takes ownership of root). */
int pn_cni_chain_from_json(cJSON *root, struct pn_cni_chain *chain, char *err, size_t errlen);
void pn_cni_chain_clear(struct pn_cni_chain *chain);

/* The stdin config of plugin i: the plugin object + name + cniVersion
 * (+ prevResult when not NULL). Returns malloc'd text or NULL. */
char *pn_cni_plugin_conf(const struct pn_cni_chain *chain, int i, const cJSON *prev_result);

/* Fills res from a CNI result (1.0 shape). Returns 0 or -E2BIG/-EBADMSG. */
int pn_cni_result_to_podnet(const cJSON *result, struct podnet_result *res);

/* Parses a plugin's error JSON ({code,msg,details}) into res. */
void pn_cni_error_to_podnet(const char *out, const char *plugin, const char *command, int exit_code,
			    struct podnet_result *res);

/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated buffer. */
int pn_cni_read_file(const char *path, size_t max, char **out);

#endif
