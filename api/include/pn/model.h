/* pn/model.h — the typed object model of API.md: PodNetwork,
 * PodNetworkAttachment, CNIConfig, IPPool, and what a Pod asks for.
 *
 * Decoding: pn_<kind>_decode() reads a jansson object into the typed model.
 * It never gives up on the first mistake: every wrong type, missing required
 * field, unknown apiVersion/kind goes to the problem list with its field path
 * and the object is returned as far as it could be read. The decoded object
 * keeps a reference to the original json_t (`raw`), so that
 * pn_<kind>_encode() writes the typed fields over a deep copy of it and
 * unknown fields are never dropped.
 *
 * Validation (pn_<kind>_validate) checks every rule of API.md that can be
 * checked on one object alone; rules that need other objects (a PodNetwork
 * requested twice through an attachment, addresses inside a pool) are checked
 * by the planner (pn/plan.h). Defaulting (pn_<kind>_default) fills what
 * API.md defaults. None of this does I/O or reads the clock.
 *
 * Return values: decode/validate return the number of problems they found
 * (0 = clean), or -errno (-ENOMEM) on failure. A problem at a path that
 * already has one in the list is counted but not added again, so decoding
 * and then validating into one list reports a missing or mistyped field once:
 * use one problem list per object. Strings in the structs are
 * owned by the struct (NUL-terminated, NULL when absent); json_t members hold
 * one reference each.
 */
#ifndef PN_MODEL_H
#define PN_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pn/limits.h"
#include "pn/problem.h"

#define PN_GROUP          "podnet.dev"
#define PN_VERSION        "v1alpha1"
#define PN_API_VERSION    "podnet.dev/v1alpha1"
/* Prototype API servers serve PodNetwork and PodNetworkAttachment here. */
#define PN_K8S_API_VERSION "networking.k8s.io/v1alpha1"

#define PN_ANNOTATION_NETWORKS "podnet.dev/networks"
/* The root of every problem path about the request annotation's content:
 * podnet.dev/networks[1].interfaceName (a native list uses spec.networks). */
#define PN_NETWORKS_PATH PN_ANNOTATION_NETWORKS
#define PN_ANNOTATION_PLAN     "podnet.dev/plan"
#define PN_ANNOTATION_STATUS   "k8s.v1.cni.cncf.io/network-status"

#define PN_DEFAULT_NETWORK     "default"
#define PN_DEFAULT_PROVIDER    "podnet.dev/cni"
#define PN_DEFAULT_CNI_VERSION "1.0.0"
/* The runtime's own interface: default is always attached there. */
#define PN_DEFAULT_IFNAME      "eth0"

#define PN_NAD_GROUP "k8s.cni.cncf.io"
#define PN_NAD_KIND  "NetworkAttachmentDefinition"

/* Caps on outside input and the patterns of the CRDs: pn/limits.h, the one
 * source the CRDs are checked against (api/test/test_limits.c). */

enum pn_kind {
	PN_KIND_UNKNOWN = 0,
	PN_KIND_PODNETWORK,
	PN_KIND_PODNETWORKATTACHMENT,
	PN_KIND_CNICONFIG,
	PN_KIND_IPPOOL,
	PN_KIND_POD,
};

/* "PodNetwork", ... ; "" for PN_KIND_UNKNOWN. */
const char *pn_kind_name(enum pn_kind kind);
/* The kind named by a json object's apiVersion/kind, PN_KIND_UNKNOWN when
 * the pair is not one podnet reads (e.g. Pod needs apiVersion "v1"). */
enum pn_kind pn_kind_of(const json_t *obj);

/* The metadata podnet uses; labels/annotations kept as json objects. */
struct pn_meta {
	char *api_version;
	char *kind;
	char *name;
	char *namespace;
	char *uid;
	char *resource_version;
	int64_t generation;          /* 0 when absent */
	char *deletion_timestamp;    /* RFC 3339, NULL when not being deleted */
	char **finalizers;
	size_t n_finalizers;
	json_t *labels;              /* object or NULL */
	json_t *annotations;         /* object or NULL */
};

/* A reference to a provider-specific object. */
struct pn_param_ref {
	char *group;
	char *kind;
	char *name;
	char *namespace;             /* NULL for cluster-scoped kinds */
};

/* ---- Label selectors (metav1.LabelSelector) -------------------------------- */

enum pn_selector_op {
	PN_SELECTOR_IN = 0,
	PN_SELECTOR_NOT_IN,
	PN_SELECTOR_EXISTS,
	PN_SELECTOR_DOES_NOT_EXIST,
	PN_SELECTOR_OP_UNKNOWN,      /* anything else: a validation problem, selects nothing */
};

struct pn_label_requirement {
	char *key;
	char *operator_;             /* as written */
	enum pn_selector_op op;
	char **values;
	size_t n_values;
	size_t index;                /* position in matchExpressions (for paths) */
};

/* matchLabels + matchExpressions, decoded from a LabelSelector. Every term
 * must hold (AND); a selector with no terms ({}) selects everything. */
struct pn_label_selector {
	json_t *raw;                 /* the decoded object (one reference) */
	char **keys;                 /* matchLabels, in input order */
	char **values;
	size_t n_labels;
	struct pn_label_requirement *exprs;
	size_t n_exprs;
};

/* Decodes a LabelSelector at path (e.g. "spec.namespaceSelector"); null
 * leaves *out NULL. Returns the number of problems or -ENOMEM. */
int pn_label_selector_decode(const json_t *j, const char *path, struct pn_label_selector **out,
			     struct pn_problems *ps);
json_t *pn_label_selector_encode(const struct pn_label_selector *s); /* new reference */
/* Label keys and values, operators, values required for In/NotIn and
 * forbidden for Exists/DoesNotExist. s NULL is valid. */
int pn_label_selector_validate(const struct pn_label_selector *s, const char *path,
			       struct pn_problems *ps);
/* true when labels (a JSON object; NULL = no labels) satisfy every term.
 * NULL and {} select everything; an unknown operator selects nothing. */
bool pn_label_selector_matches(const struct pn_label_selector *s, const json_t *labels);
bool pn_label_selector_empty(const struct pn_label_selector *s); /* NULL or no terms */
void pn_label_selector_free(struct pn_label_selector *s);
bool pn_is_label_key(const char *s);             /* [prefix/]name, as Kubernetes */
bool pn_is_label_value(const char *s);           /* <=63, may be empty */

/* ---- PodNetwork ---------------------------------------------------------- */

struct pn_podnetwork {
	json_t *raw;                 /* the decoded document (one reference) */
	struct pn_meta meta;
	struct {
		bool enabled;
		bool enabled_set;    /* present in the input (or defaulted) */
		char *provider;      /* NULL/"" only on "default" */
		struct pn_param_ref *refs;
		size_t n_refs;
		/* spec.namespaceSelector (a podnet extension of the KEP): the
		 * namespaces whose Pods may attach. NULL when absent (= every
		 * namespace, what objects written before the field meant); {}
		 * is every namespace too. Mutable: narrowing it refuses new
		 * attachments and leaves planned Pods as they are. */
		struct pn_label_selector *namespace_selector;
	} spec;
	struct {
		int64_t observed_generation;
		json_t *conditions;  /* array or NULL; see pn/condition.h */
	} status;
};

int pn_podnetwork_decode(const json_t *j, struct pn_podnetwork **out, struct pn_problems *ps);
json_t *pn_podnetwork_encode(const struct pn_podnetwork *pn); /* new reference or NULL */
int pn_podnetwork_validate(const struct pn_podnetwork *pn, struct pn_problems *ps);
void pn_podnetwork_default(struct pn_podnetwork *pn);
/* Adds one problem ("field is immutable") per spec field that differs between
 * old and new other than spec.enabled and spec.namespaceSelector; returns how
 * many. */
int pn_podnetwork_immutable(const struct pn_podnetwork *old, const struct pn_podnetwork *new_,
			    struct pn_problems *ps);
void pn_podnetwork_free(struct pn_podnetwork *pn);
/* 0 = the PodNetwork may be used from namespace ns whose labels are ns_labels
 * (a JSON object, NULL = no labels); 1 = refused, msg (len bytes, may be
 * NULL) filled with a sentence naming the PodNetwork, the namespace and the
 * first rule that does not hold, e.g.
 *   PodNetwork "storage" may not be used from namespace "tenant-a":
 *   spec.namespaceSelector (matchLabels podnet.dev/tenant=storage) does not select it
 * The namespace is taken to carry kubernetes.io/metadata.name=<ns> as on
 * API servers 1.21+, whatever ns_labels say about that key. */
int pn_podnetwork_check_namespace(const struct pn_podnetwork *n, const char *ns,
				  const json_t *ns_labels, char *msg, size_t len);

/* ---- PodNetworkAttachment ------------------------------------------------ */

struct pn_attachment {
	json_t *raw;
	struct pn_meta meta;
	struct {
		char *pod_network_name;
		struct pn_param_ref *refs;
		size_t n_refs;
	} spec;
	struct {
		json_t *conditions;
	} status;
};

int pn_attachment_decode(const json_t *j, struct pn_attachment **out, struct pn_problems *ps);
json_t *pn_attachment_encode(const struct pn_attachment *pna);
int pn_attachment_validate(const struct pn_attachment *pna, struct pn_problems *ps);
void pn_attachment_default(struct pn_attachment *pna);
/* The whole spec is immutable. */
int pn_attachment_immutable(const struct pn_attachment *old, const struct pn_attachment *new_,
			    struct pn_problems *ps);
void pn_attachment_free(struct pn_attachment *pna);

/* ---- CNIConfig ----------------------------------------------------------- */

struct pn_cniconfig {
	json_t *raw;
	struct pn_meta meta;
	struct {
		char *cni_version;
		json_t *plugins;     /* array of objects, each with a string "type" */
	} spec;
	struct {
		json_t *conditions;
	} status;
};

int pn_cniconfig_decode(const json_t *j, struct pn_cniconfig **out, struct pn_problems *ps);
json_t *pn_cniconfig_encode(const struct pn_cniconfig *c);
int pn_cniconfig_validate(const struct pn_cniconfig *c, struct pn_problems *ps);
void pn_cniconfig_default(struct pn_cniconfig *c);
void pn_cniconfig_free(struct pn_cniconfig *c);
/* The CNI network configuration list handed to the plugins:
 * {"cniVersion":..,"name":network,"plugins":[..]}. New reference or NULL. */
json_t *pn_cniconfig_conflist(const struct pn_cniconfig *c, const char *network);
/* true when v is a CNI version podnet knows ("0.3.0" .. "1.1.0"). */
bool pn_cni_version_known(const char *v);

/* ---- IPPool -------------------------------------------------------------- */

struct pn_ippool_range {
	char *cidr;
	char *start;                 /* optional */
	char *end;                   /* optional */
	char *gateway;               /* optional */
	char **exclude;              /* CIDRs */
	size_t n_exclude;
};

struct pn_route {
	char *dst;                   /* CIDR */
	char *gw;                    /* optional address */
};

struct pn_ippool {
	json_t *raw;
	struct pn_meta meta;
	struct {
		struct pn_ippool_range *ranges;
		size_t n_ranges;
		struct pn_route *routes;
		size_t n_routes;
	} spec;
	struct {
		json_t *conditions;
		json_t *ranges;      /* [{cidr,size,allocated}] or NULL */
	} status;
};

int pn_ippool_decode(const json_t *j, struct pn_ippool **out, struct pn_problems *ps);
json_t *pn_ippool_encode(const struct pn_ippool *p);
int pn_ippool_validate(const struct pn_ippool *p, struct pn_problems *ps);
void pn_ippool_default(struct pn_ippool *p);
void pn_ippool_free(struct pn_ippool *p);

/* ---- What a Pod asks for ------------------------------------------------- */

/* Tri-state flag: absent, false, true. */
enum pn_flag { PN_FLAG_UNSET = 0, PN_FLAG_FALSE, PN_FLAG_TRUE };

struct pn_netreq {
	char *network;               /* podNetworkName (alias "name") */
	char *attachment;            /* podNetworkAttachmentName (alias "attachmentName") */
	char *interface;             /* interfaceName, NULL = choose */
	enum pn_flag gw4;            /* isDefaultGW4 (or isDefaultGW) */
	enum pn_flag gw6;            /* isDefaultGW6 (or isDefaultGW) */
	char **ips;                  /* extension: fixed addresses */
	size_t n_ips;
	char *mac;                   /* extension */
};

struct pn_netreqs {
	struct pn_netreq *v;
	size_t n;
	bool present;                /* the annotation / spec.networks existed */
};

/* Decodes a network request list (a json array; null = empty) with paths
 * "<prefix>[i].field" ("networks" is what API.md uses). The KEP aliases
 * name, attachmentName and isDefaultGW are read into the same fields; an
 * alias given together with its canonical name is a problem. At most
 * PN_MAX_NETWORKS entries. out->present is set. */
int pn_netreqs_decode(const json_t *list, const char *prefix, struct pn_netreqs *out,
		      struct pn_problems *ps);
/* A json array of the requests in their canonical (non-alias) field names. */
json_t *pn_netreqs_encode(const struct pn_netreqs *reqs);
/* Rules on the list alone: exactly one of podNetworkName and
 * podNetworkAttachmentName, names valid, a network named at most once
 * directly, interface names valid and unique, at most one default route per
 * family, ips valid addresses (one per family), mac unicast, no networks on
 * hostNetwork Pods. */
int pn_netreqs_validate(const struct pn_netreqs *reqs, bool host_network, const char *prefix,
			struct pn_problems *ps);
void pn_netreqs_clear(struct pn_netreqs *reqs);

/* Parses an annotation value (YAML or JSON text) into json. The codec
 * provides a YAML one; without it, JSON only. Returns a new reference or NULL
 * with a message in err. */
typedef json_t *(*pn_text_parser_fn)(const char *text, size_t len, char *err, size_t errlen,
				      void *ctx);

struct pn_pod_decode_opts {
	pn_text_parser_fn parse;     /* NULL: JSON only (jansson) */
	void *parse_ctx;
	bool native_networks;        /* read spec.networks instead of the annotation */
};

struct pn_pod {
	json_t *raw;
	struct pn_meta meta;
	char *node_name;
	bool host_network;
	char *phase;                 /* status.phase */
	struct pn_netreqs networks;  /* from the annotation or spec.networks */
	/* Where the requests were read from (a static string), NULL when the Pod
	 * has neither: metadata.annotations["podnet.dev/networks"] or
	 * spec.networks. Problems inside an annotation's list are reported as
	 * "podnet.dev/networks[i].field" (PN_NETWORKS_PATH) (paths inside the annotation
	 * value); those of a native list as "spec.networks[i].field". */
	const char *networks_source;
};

int pn_pod_decode(const json_t *j, const struct pn_pod_decode_opts *opts, struct pn_pod **out,
		  struct pn_problems *ps);
int pn_pod_validate(const struct pn_pod *pod, struct pn_problems *ps);
/* true when the Pod has finished (phase Succeeded or Failed). */
bool pn_pod_terminal(const struct pn_pod *pod);
void pn_pod_free(struct pn_pod *pod);

/* ---- Any of the above ---------------------------------------------------- */

struct pn_object {
	enum pn_kind kind;
	union {
		struct pn_podnetwork *podnetwork;
		struct pn_attachment *attachment;
		struct pn_cniconfig *cniconfig;
		struct pn_ippool *ippool;
		struct pn_pod *pod;
		void *any;
	} u;
};

/* Decodes by apiVersion/kind. An unknown kind adds a problem at "kind" (or
 * "apiVersion") and leaves out->kind PN_KIND_UNKNOWN. */
int pn_object_decode(const json_t *j, const struct pn_pod_decode_opts *opts,
		     struct pn_object *out, struct pn_problems *ps);
int pn_object_validate(const struct pn_object *o, struct pn_problems *ps);
void pn_object_default(struct pn_object *o);
json_t *pn_object_encode(const struct pn_object *o); /* NULL for a Pod/unknown */
const struct pn_meta *pn_object_meta(const struct pn_object *o);
void pn_object_release(struct pn_object *o);     /* frees the member, kind = UNKNOWN */

/* ---- Name and value checks (also used by the controller) ----------------- */

bool pn_is_dns1123_subdomain(const char *s);     /* <=253, [a-z0-9.-], alnum ends */
bool pn_is_dns1123_label(const char *s);         /* <=63, [a-z0-9-], alnum ends */
bool pn_is_provider_name(const char *s);         /* acme.io/foo: subdomain "/" path */
bool pn_is_ifname(const char *s);                /* 1..15 bytes, no '/', ':', space, not "." ".." */
bool pn_is_unicast_mac(const char *s);           /* aa:bb:cc:dd:ee:ff, multicast bit clear, not zero */
/* An IPv4/IPv6 address: returns 4 or 6, 0 when invalid. */
int pn_ip_family(const char *s);
/* "addr/len" with len in range: returns 4 or 6, 0 when invalid. */
int pn_cidr_family(const char *s);

/* Problem messages used by the validators, for tests and callers. */
#define PN_MSG_IFNAME "must be a valid Linux interface name (1-15 bytes, no '/', ':' or white space, not '.' or '..')"

#endif
