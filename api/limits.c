/* limits.c — every limit the CRDs declare, with the C side that enforces it
 * (pn/limits.h). api/test/test_limits.c checks this table against
 * every crds/ .yaml both ways. */
#include "model_priv.h"
#include "pn/condition.h"
#include "pn/limits.h"

#include <string.h>

bool pn_is_cidr_text(const char *s)
{
	unsigned char a[16];
	int plen;

	return pn_addr_cidr_parse(s, a, &plen) != 0;
}

bool pn_is_address_text(const char *s)
{
	unsigned char a[16];

	return pn_addr_parse(s, a) != 0;
}

#define N(kind, path, what, v) { kind, path, what, v, NULL, NULL, false }
#define P(kind, path, pat, fn, ex) { kind, path, "pattern", 0, pat, fn, ex }

/* metadata.name of a kind */
#define META(k)                                                                            \
	N(k, "metadata.name", "maxLength", PN_MAX_NAME),                                   \
	P(k, "metadata.name", PN_PATTERN_SUBDOMAIN, pn_is_dns1123_subdomain, true)

/* status.observedGeneration and status.conditions (pn/condition.h) */
#define STATUS(k)                                                                          \
	N(k, "status.observedGeneration", "minimum", PN_MIN_GENERATION),                   \
	N(k, "status.conditions", "maxItems", PN_MAX_CONDITIONS),                          \
	N(k, "status.conditions[].type", "maxLength", PN_MAX_CONDITION_TYPE),              \
	P(k, "status.conditions[].type", PN_PATTERN_CONDITION_TYPE,                         \
	  pn_condition_type_valid, false),                                                 \
	N(k, "status.conditions[].observedGeneration", "minimum", PN_MIN_GENERATION),      \
	N(k, "status.conditions[].reason", "minLength", PN_MIN_CONDITION_REASON),          \
	N(k, "status.conditions[].reason", "maxLength", PN_MAX_CONDITION_REASON),          \
	P(k, "status.conditions[].reason", PN_PATTERN_CONDITION_REASON,                     \
	  pn_condition_reason_valid, true),                                                \
	N(k, "status.conditions[].message", "maxLength", PN_MAX_CONDITION_MESSAGE)

/* spec.parametersRefs (pn_refs_validate) */
#define REFS(k)                                                                            \
	N(k, "spec.parametersRefs", "maxItems", PN_MAX_REFS),                              \
	N(k, "spec.parametersRefs[].group", "minLength", 1),                               \
	N(k, "spec.parametersRefs[].group", "maxLength", PN_MAX_NAME),                     \
	P(k, "spec.parametersRefs[].group", PN_PATTERN_SUBDOMAIN, pn_is_dns1123_subdomain,  \
	  true),                                                                           \
	N(k, "spec.parametersRefs[].kind", "minLength", 1),                                \
	N(k, "spec.parametersRefs[].kind", "maxLength", PN_MAX_LABEL),                     \
	P(k, "spec.parametersRefs[].kind", PN_PATTERN_KIND, pn_is_kind_name, true),         \
	N(k, "spec.parametersRefs[].name", "minLength", 1),                                \
	N(k, "spec.parametersRefs[].name", "maxLength", PN_MAX_NAME),                      \
	P(k, "spec.parametersRefs[].name", PN_PATTERN_SUBDOMAIN, pn_is_dns1123_subdomain,   \
	  true),                                                                           \
	N(k, "spec.parametersRefs[].namespace", "maxLength", PN_MAX_LABEL),                \
	P(k, "spec.parametersRefs[].namespace", PN_PATTERN_LABEL, pn_is_dns1123_label, true)

#define POD_NETWORK "PodNetwork"
#define ATTACHMENT  "PodNetworkAttachment"
#define CNICONFIG   "CNIConfig"
#define IPPOOL      "IPPool"
#define PNNODE      "PodNetworkNode"

const struct pn_limit pn_limits[] = {
	/* PodNetwork (pn_podnetwork_validate, pn_label_selector_check) */
	META(POD_NETWORK),
	N(POD_NETWORK, "spec.provider", "minLength", 1),
	N(POD_NETWORK, "spec.provider", "maxLength", PN_MAX_PROVIDER),
	P(POD_NETWORK, "spec.provider", PN_PATTERN_PROVIDER, pn_is_provider_name, true),
	N(POD_NETWORK, "spec.namespaceSelector.matchLabels", "maxProperties",
	  PN_MAX_SELECTOR_TERMS),
	N(POD_NETWORK, "spec.namespaceSelector.matchLabels{}", "maxLength", PN_MAX_LABEL),
	P(POD_NETWORK, "spec.namespaceSelector.matchLabels{}", PN_PATTERN_LABEL_VALUE,
	  pn_is_label_value, true),
	N(POD_NETWORK, "spec.namespaceSelector.matchExpressions", "maxItems",
	  PN_MAX_SELECTOR_TERMS),
	N(POD_NETWORK, "spec.namespaceSelector.matchExpressions[].key", "minLength", 1),
	N(POD_NETWORK, "spec.namespaceSelector.matchExpressions[].key", "maxLength",
	  PN_MAX_LABEL_KEY),
	P(POD_NETWORK, "spec.namespaceSelector.matchExpressions[].key", PN_PATTERN_LABEL_KEY,
	  pn_is_label_key, false),
	N(POD_NETWORK, "spec.namespaceSelector.matchExpressions[].values", "maxItems",
	  PN_MAX_SELECTOR_VALUES),
	N(POD_NETWORK, "spec.namespaceSelector.matchExpressions[].values[]", "maxLength",
	  PN_MAX_LABEL),
	P(POD_NETWORK, "spec.namespaceSelector.matchExpressions[].values[]",
	  PN_PATTERN_LABEL_VALUE, pn_is_label_value, true),
	REFS(POD_NETWORK),
	STATUS(POD_NETWORK),

	/* PodNetworkAttachment (pn_attachment_validate) */
	META(ATTACHMENT),
	N(ATTACHMENT, "spec.podNetworkName", "minLength", 1),
	N(ATTACHMENT, "spec.podNetworkName", "maxLength", PN_MAX_NAME),
	P(ATTACHMENT, "spec.podNetworkName", PN_PATTERN_SUBDOMAIN, pn_is_dns1123_subdomain, true),
	REFS(ATTACHMENT),
	STATUS(ATTACHMENT),

	/* CNIConfig (pn_cniconfig_validate) */
	META(CNICONFIG),
	N(CNICONFIG, "spec.plugins", "minItems", PN_MIN_PLUGINS),
	N(CNICONFIG, "spec.plugins", "maxItems", PN_MAX_PLUGINS),
	N(CNICONFIG, "spec.plugins[].type", "minLength", 1),
	N(CNICONFIG, "spec.plugins[].type", "maxLength", PN_MAX_PLUGIN_TYPE),
	P(CNICONFIG, "spec.plugins[].type", PN_PATTERN_PLUGIN_TYPE, pn_is_plugin_type, true),
	STATUS(CNICONFIG),

	/* IPPool (pn_ippool_validate; addresses by pn_addr_parse, stricter than a
	 * character class can say) */
	META(IPPOOL),
	N(IPPOOL, "spec.ranges", "minItems", PN_MIN_RANGES),
	N(IPPOOL, "spec.ranges", "maxItems", PN_MAX_RANGES),
	N(IPPOOL, "spec.ranges[].cidr", "maxLength", PN_MAX_CIDR),
	P(IPPOOL, "spec.ranges[].cidr", PN_PATTERN_CIDR, pn_is_cidr_text, false),
	N(IPPOOL, "spec.ranges[].start", "maxLength", PN_MAX_ADDRESS),
	P(IPPOOL, "spec.ranges[].start", PN_PATTERN_ADDRESS, pn_is_address_text, false),
	N(IPPOOL, "spec.ranges[].end", "maxLength", PN_MAX_ADDRESS),
	P(IPPOOL, "spec.ranges[].end", PN_PATTERN_ADDRESS, pn_is_address_text, false),
	N(IPPOOL, "spec.ranges[].gateway", "maxLength", PN_MAX_ADDRESS),
	P(IPPOOL, "spec.ranges[].gateway", PN_PATTERN_ADDRESS, pn_is_address_text, false),
	N(IPPOOL, "spec.ranges[].exclude", "maxItems", PN_MAX_EXCLUDES),
	N(IPPOOL, "spec.ranges[].exclude[]", "maxLength", PN_MAX_CIDR),
	P(IPPOOL, "spec.ranges[].exclude[]", PN_PATTERN_CIDR, pn_is_cidr_text, false),
	N(IPPOOL, "spec.routes", "maxItems", PN_MAX_ROUTES),
	N(IPPOOL, "spec.routes[].dst", "maxLength", PN_MAX_CIDR),
	P(IPPOOL, "spec.routes[].dst", PN_PATTERN_CIDR, pn_is_cidr_text, false),
	N(IPPOOL, "spec.routes[].gw", "maxLength", PN_MAX_ADDRESS),
	P(IPPOOL, "spec.routes[].gw", PN_PATTERN_ADDRESS, pn_is_address_text, false),
	STATUS(IPPOOL),
	/* written by the controller (pool status) */
	N(IPPOOL, "status.ranges", "maxItems", PN_MAX_RANGES),
	N(IPPOOL, "status.ranges[].cidr", "maxLength", PN_MAX_CIDR),
	N(IPPOOL, "status.ranges[].size", "minimum", PN_MIN_GENERATION),
	N(IPPOOL, "status.ranges[].allocated", "minimum", PN_MIN_GENERATION),
	/* the controller's count of those reports (controller/cluster/nodecount.c) */
	N(POD_NETWORK, "status.nodes.total", "minimum", PN_MIN_GENERATION),
	N(POD_NETWORK, "status.nodes.available", "minimum", PN_MIN_GENERATION),
	/* a node's availability report, written by the agent (controller/agent/agent_avail.h) */
	N(PNNODE, "status.networks", "maxItems", PN_MAX_NODE_NETWORKS),
	N(PNNODE, "status.networks[].name", "minLength", 1),
	N(PNNODE, "status.networks[].name", "maxLength", PN_MAX_NAME),
	N(PNNODE, "status.networks[].reason", "maxLength", PN_MAX_NODE_REASON),
	P(PNNODE, "status.networks[].reason", PN_PATTERN_KIND, pn_is_kind_name, true),
	N(PNNODE, "status.networks[].message", "maxLength", PN_MAX_NODE_MESSAGE),
	/* the providers loaded there and the kinds they declare (ABI 1.3) */
	N(PNNODE, "status.providers", "maxItems", PN_MAX_NODE_PROVIDERS),
	N(PNNODE, "status.providers[].name", "minLength", 1),
	N(PNNODE, "status.providers[].name", "maxLength", PN_MAX_PROVIDER),
	N(PNNODE, "status.providers[].version", "maxLength", PN_MAX_NODE_PROVIDER_VERSION),
	N(PNNODE, "status.providers[].parameterKinds", "maxItems", PN_MAX_PARAM_KINDS),
	N(PNNODE, "status.providers[].parameterKinds[]", "maxLength", PN_MAX_PARAM_KIND),
	/* C is stricter: the group at most 253, the kind at most 63 */
	P(PNNODE, "status.providers[].parameterKinds[]", PN_PATTERN_PARAM_KIND, pn_is_param_kind, false),
};

const size_t pn_limits_n = sizeof(pn_limits) / sizeof(pn_limits[0]);
