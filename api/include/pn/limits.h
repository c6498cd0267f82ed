/* pn/limits.h — the limits and patterns of podnet's API, in one place.
 *
 * The validators of api/ (and so podnetctl, the controller and the
 * webhook) use these macros; the CRDs of crds/ declare the same numbers and
 * patterns in their schemas. pn_limits[] lists every limit a CRD declares,
 * by kind and field path, and api/test/test_limits.c loads every crds/ .yaml and
 * checks the two against each other both ways: a CRD limit missing from
 * the table, a table entry missing from the CRD, or a different number or
 * pattern fails. Pattern entries name the C function that enforces them,
 * which the test runs against the CRD's regular expression on samples. */
#ifndef PN_LIMITS_H
#define PN_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

/* ---- caps on outside input --------------------------------------------------- */

#define PN_MAX_NAME        253  /* DNS-1123 subdomain */
#define PN_MAX_LABEL       63   /* DNS-1123 label, label value, kind name */
#define PN_MAX_LABEL_KEY   (PN_MAX_NAME + 1 + PN_MAX_LABEL) /* prefix/name */
#define PN_MAX_IFNAME      15   /* IFNAMSIZ - 1 */
#define PN_MAX_PROVIDER    253
#define PN_MAX_REFS        16   /* parametersRefs per object */
#define PN_MAX_NETWORKS    32   /* network requests per Pod */
#define PN_MAX_IPS         8    /* requested ips per network request */
#define PN_MIN_PLUGINS     1    /* plugins per CNIConfig */
#define PN_MAX_PLUGINS     32
#define PN_MAX_PLUGIN_TYPE 255  /* a file name */
#define PN_MIN_RANGES      1    /* ranges per IPPool */
#define PN_MAX_RANGES      64
#define PN_MAX_EXCLUDES    1024 /* exclude entries per range (the IPAM's own cap) */
#define PN_MAX_ROUTES      64   /* routes per IPPool */
#define PN_MAX_CIDR        49   /* characters of a CIDR: IPv6 with dotted IPv4, /128 */
#define PN_MAX_ADDRESS     45   /* characters of an address */
#define PN_MAX_FINALIZERS  64
#define PN_MAX_STRING      4096 /* any other string field */
#define PN_MAX_ANNOTATION  (256 * 1024) /* annotation value we parse */
#define PN_MAX_SELECTOR_TERMS  64  /* matchLabels entries, matchExpressions entries */
#define PN_MAX_SELECTOR_VALUES 64  /* values of one matchExpressions entry */
/* Conditions (pn/condition.h uses these). */
#define PN_MAX_CONDITIONS        5
#define PN_MAX_CONDITION_TYPE    316 /* prefix/name: 253 + 1 + 62 */
#define PN_MIN_CONDITION_REASON  1
#define PN_MAX_CONDITION_REASON  1024
#define PN_MAX_CONDITION_MESSAGE 32768
#define PN_MIN_GENERATION        0 /* observedGeneration, counts */

/* A node's availability report (PodNetworkNode, written by the agent) */
#define PN_MAX_NODE_NETWORKS 4096 /* entries: one per PodNetwork */
#define PN_MAX_NODE_REASON   PN_MAX_LABEL /* a CamelCase word, as a kind name */
#define PN_MAX_NODE_MESSAGE  1024
#define PN_MAX_NODE_PROVIDERS 64  /* status.providers: providers loaded on one node */
#define PN_MAX_NODE_PROVIDER_VERSION 128
#define PN_MAX_PARAM_KINDS   16   /* kinds one provider declares (PODNET_MAX_PARAM_KINDS) */
#define PN_MAX_PARAM_KIND    (PN_MAX_NAME + 1 + PN_MAX_LABEL) /* group/Kind */
/* The widest prefix an IPPool range may have: /0 would put every address
 * (a second default route) on the Pod's interface, and IPv4 below /8 or
 * IPv6 below /16 is no network a Pod lives on, but a typo. (No CRD
 * counterpart: a schema pattern cannot compare numbers.) */
#define PN_MIN_POOL_PREFIX4 8
#define PN_MIN_POOL_PREFIX6 16

/* ---- patterns (as the CRDs write them) ---------------------------------------- */

#define PN_PATTERN_SUBDOMAIN                                                               \
	"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
#define PN_PATTERN_LABEL "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
/* domain with a dot, "/", path segments of [A-Za-z0-9._-], never "." or ".." */
#define PN_PATTERN_PROVIDER                                                                \
	"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+"                \
	"(/([A-Za-z0-9_-][A-Za-z0-9._-]*|\\.[A-Za-z0-9_-][A-Za-z0-9._-]*|"                 \
	"\\.\\.[A-Za-z0-9._-]+))+$"
#define PN_PATTERN_KIND "^[A-Z][A-Za-z0-9]*$"
/* a parameters kind a provider declares: group (a subdomain with a dot) "/" Kind */
#define PN_PATTERN_PARAM_KIND                                                              \
	"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+/[A-Z][A-Za-z0-9]*$"
#define PN_PATTERN_PLUGIN_TYPE                                                             \
	"^([^/.\\x00-\\x20\\x7f][^/\\x00-\\x20\\x7f]*|\\.[^/.\\x00-\\x20\\x7f][^/\\x00-\\x20\\x7f]*|" \
	"\\.\\.[^/\\x00-\\x20\\x7f]+)$"
#define PN_PATTERN_CIDR    "^[0-9A-Fa-f:.]+/[0-9]{1,3}$"
#define PN_PATTERN_ADDRESS "^[0-9A-Fa-f:.]+$"
#define PN_PATTERN_LABEL_VALUE "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"
#define PN_PATTERN_LABEL_KEY                                                               \
	"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"            \
	"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"
#define PN_PATTERN_CONDITION_TYPE                                                          \
	"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"            \
	"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
#define PN_PATTERN_CONDITION_REASON "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"

/* ---- the table ------------------------------------------------------------------ */

/* One limit of one CRD field. kind: "PodNetwork"; path: as the schema nests
 * it, "spec.parametersRefs[].kind", "spec.namespaceSelector.matchLabels{}"
 * for the values of a map; what: the schema keyword (maxItems, minItems,
 * maxLength, minLength, maximum, minimum, maxProperties, pattern); value
 * for the numbers, pattern for patterns. check: the C function that
 * enforces a pattern; exact: it accepts exactly what the pattern accepts
 * (false: C is stricter, e.g. an address parser behind a character class;
 * the API server then lets through what podnet refuses with a clear
 * problem, never the other way round). */
struct pn_limit {
	const char *kind;
	const char *path;
	const char *what;
	long long value;
	const char *pattern;
	bool (*check)(const char *s);
	bool exact;
};

extern const struct pn_limit pn_limits[];
extern const size_t pn_limits_n;

/* Pattern checkers the table names that have no other public home. */
bool pn_is_kind_name(const char *s);   /* ^[A-Z][A-Za-z0-9]*$, at most 63 */
bool pn_is_param_kind(const char *s);  /* group/Kind (pn_param_kind_valid of pn/plan.h) */
bool pn_is_plugin_type(const char *s); /* a file name: 1-255 bytes, no '/', no space/control, not . .. */
bool pn_is_cidr_text(const char *s);   /* an IPv4 or IPv6 CIDR */
bool pn_is_address_text(const char *s); /* an IPv4 or IPv6 address */

#endif
