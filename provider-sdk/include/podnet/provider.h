/* podnet/provider.h — the stable C ABI between podnet-agent and providers.
 *
 * This is the only public header of podnet. A provider is a shared object
 * (.so) that attaches Pod network interfaces on a node: podnet-agent loads it
 * with dlopen(RTLD_NOW | RTLD_LOCAL) from one root-owned directory and calls
 * it through the function pointers below.
 *
 * C99. ABI structs use fixed-width integers, plain pointers and char arrays
 * only: no bool, enum, time_t, off_t, size_t or long in them.
 *
 * ---------------------------------------------------------------------------
 * Versioning
 *
 *   PODNET_ABI_MAJOR changes only when an existing field or function changes
 *   meaning or place; the agent refuses a provider of another major.
 *   PODNET_ABI_MINOR grows when something is APPENDED to a struct or table.
 *   Nothing is ever removed or reordered within a major.
 *
 *   Every extensible struct starts with a uint32_t `size` field holding the
 *   sizeof of the struct as the writer's header knew it. A reader must not
 *   touch a field that lies beyond `size`: use PODNET_HAS_FIELD().
 *
 *   v1.0  host table: log, alloc, free. ops: init, fini, attach, detach,
 *         check, gc.
 *   v1.1  host table: now_ms. ops: status. request: deadline_ms.
 *   v1.2  ops: can_serve (per-node availability of a network).
 *   v1.3  ops: param_kinds (the parameters kinds the provider accepts).
 *         attachment: param_refs, n_param_refs (the references of those
 *         kinds, for the provider to resolve).
 *
 * Handshake
 *
 *   The provider exports exactly one symbol, PODNET_PROVIDER_ENTRY_SYMBOL
 *   ("podnet_provider_entry"), of type podnet_provider_entry_fn. The agent
 *   calls it once, right after dlopen, with its host table. The provider
 *   returns a pointer to its ops struct (static storage, never freed), or NULL
 *   when it cannot work with this host (it may log why through host->log).
 *   The agent copies ops->size bytes (at most its own sizeof) into a zeroed
 *   struct of its own, so slots a provider of an older minor does not know
 *   read as NULL; it refuses a provider whose ops->abi_major differs from its
 *   own, and one whose ops->size is below the v1.0 size.
 *
 * Ownership
 *
 *   - Everything the agent passes in (requests, strings, arrays, the host
 *     table) is owned by the agent and valid only during the call, except the
 *     host table, which stays valid until fini returns. Copy what you keep.
 *   - struct podnet_result is owned by the agent; the provider writes into its
 *     fixed-size arrays. Nothing allocated by a provider crosses the boundary,
 *     so the agent never frees provider memory and vice versa.
 *   - host->alloc / host->free are offered so that provider memory shows in
 *     the agent's accounting; memory from host->alloc goes back through
 *     host->free, and never to the C library's free().
 *   - The provider's state pointer (from init) is owned by the provider and
 *     released in fini.
 *
 * Threads
 *
 *   - init and fini are called once each, with no other call in flight.
 *   - attach, detach, check, gc, status and can_serve may be called concurrently from
 *     several agent threads, but never two calls for the same sandbox
 *     (container id) at the same time. gc is never concurrent with any other
 *     call of the same provider.
 *   - A provider that changes the calling thread's namespaces (setns) must
 *     restore them before returning.
 *   - host->log, host->alloc, host->free and host->now_ms are thread-safe.
 *   - A provider must not install signal handlers, call exit(), or change
 *     process-wide state (cwd, umask, rlimits, environment).
 *
 * Errors
 *
 *   Operations return 0 on success and a negative errno value on failure, and
 *   on failure should fill result->message (a one-line, human-readable reason)
 *   and may set result->cni_code (a CNI error code; 0 lets the agent choose).
 */
#ifndef PODNET_PROVIDER_H
#define PODNET_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PODNET_ABI_MAJOR 1
#define PODNET_ABI_MINOR 3

/* The one symbol a provider exports. */
#define PODNET_PROVIDER_ENTRY_SYMBOL "podnet_provider_entry"

/* Mark the entry point visible when building with -fvisibility=hidden. */
#if defined(__GNUC__)
#define PODNET_PROVIDER_EXPORT __attribute__((visibility("default")))
#else
#define PODNET_PROVIDER_EXPORT
#endif

/* Non-zero when the struct at `p` (whose first field is `size`) carries
 * `field`, i.e. its writer's header already had that field. */
#define PODNET_HAS_FIELD(p, type, field) \
	((p) != NULL && (p)->size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* Log levels for host->log. */
#define PODNET_LOG_ERROR 3
#define PODNET_LOG_WARNING 4
#define PODNET_LOG_INFO 6
#define PODNET_LOG_DEBUG 7

/* ---------------------------------------------------------------------------
 * Fixed capacities of a result. A provider that would need more fails the
 * call with -E2BIG rather than truncating.
 */
#define PODNET_IFNAME_LEN 16       /* Linux IFNAMSIZ, with the NUL */
#define PODNET_MAC_LEN 24          /* "aa:bb:cc:dd:ee:ff" and longer (IB) */
#define PODNET_ADDR_LEN 64         /* an address or CIDR, IPv4 or IPv6 */
#define PODNET_PATH_LEN 256        /* a sandbox (netns) path */
#define PODNET_DOMAIN_LEN 256
#define PODNET_MESSAGE_LEN 512
#define PODNET_DEVICE_INFO_LEN 2048 /* a JSON object, as text */
#define PODNET_MAX_INTERFACES 8
#define PODNET_MAX_IPS 8
#define PODNET_MAX_ROUTES 32
#define PODNET_MAX_DNS 4

/* Opaque host objects. */
struct podnet_host;

/* ---------------------------------------------------------------------------
 * The host table, given to the entry point. Fields are only ever appended.
 */
struct podnet_host_api {
	uint32_t size;      /* sizeof(struct podnet_host_api) as the host knows it */
	uint32_t abi_major; /* the host's PODNET_ABI_MAJOR */
	uint32_t abi_minor; /* the host's PODNET_ABI_MINOR */
	uint32_t reserved0; /* zero */
	struct podnet_host *host; /* opaque; pass back to the functions below */

	/* v1.0 */
	/* One log line; msg is a NUL-terminated string without newline, copied. */
	void (*log)(struct podnet_host *host, int32_t level, const char *msg);
	/* Like malloc/free; alloc returns NULL on failure. */
	void *(*alloc)(struct podnet_host *host, uint64_t size);
	void (*free)(struct podnet_host *host, void *ptr);

	/* v1.1 */
	/* CLOCK_MONOTONIC in milliseconds, the clock of request->deadline_ms. */
	uint64_t (*now_ms)(struct podnet_host *host);
};

/* ---------------------------------------------------------------------------
 * Inputs. All pointers are owned by the host and valid during the call only.
 * Strings are NUL-terminated UTF-8; a string pointer is never NULL unless the
 * comment says so.
 */

/* The Pod an operation is for. */
struct podnet_pod {
	const char *pod_namespace;
	const char *name;
	const char *uid; /* "" when unknown (e.g. a DEL after the Pod is gone) */
};

/* The Pod's sandbox. */
struct podnet_sandbox {
	const char *container_id; /* the runtime's sandbox id: [A-Za-z0-9_.-]+ */
	const char *netns_path;   /* e.g. /var/run/netns/cni-...; "" on a DEL
				     whose namespace is already gone */
};

/* A route: dst is a CIDR; gw is NULL for a link route. */
struct podnet_route {
	const char *dst;
	const char *gw;
};

#define PODNET_ATTACH_DEFAULT_GW4 0x1u /* this attachment holds the IPv4 default route */
#define PODNET_ATTACH_DEFAULT_GW6 0x2u /* ... the IPv6 one */

/* A reference to a parameters object (a PodNetwork's parametersRefs entry),
 * ABI v1.3. */
struct podnet_param_ref {
	const char *group;         /* API group, e.g. "acme.io" */
	const char *kind;          /* e.g. "AcmeNet" */
	const char *name;
	const char *ref_namespace; /* "" for a cluster-scoped object */
};

/* One planned attachment: one interface of one PodNetwork in the sandbox. */
struct podnet_attachment {
	uint32_t size;  /* sizeof as the host knows it */
	uint32_t flags; /* PODNET_ATTACH_* */
	const char *network;   /* PodNetwork name, e.g. "default", "media-net" */
	const char *interface; /* interface name inside the sandbox, e.g. "net1" */
	const char *provider;  /* the PodNetwork's provider, "" for default */
	/* Addresses planned by the controller, CIDR notation ("10.1.2.3/24");
	 * none when the provider's own IPAM chooses. */
	const char *const *ips;
	uint32_t n_ips;
	uint32_t n_gateways;
	const char *const *gateways; /* one per family at most, plain addresses */
	const struct podnet_route *routes;
	uint32_t n_routes;
	uint32_t reserved0;
	const char *mac;         /* requested MAC, or NULL */
	const char *params_json; /* the resolved parameters as JSON text; "{}" when none */

	/* v1.3 (read with PODNET_HAS_FIELD(attachment, struct
	 * podnet_attachment, n_param_refs)) */
	/* The network's (and its PodNetworkAttachment's) parametersRefs of
	 * kinds podnet does not resolve itself: the kinds this provider
	 * declares in ops->param_kinds. The provider reads the objects (it
	 * knows their API); an attachment's ref replaces the network's of the
	 * same group and kind. NULL when n_param_refs is 0. */
	const struct podnet_param_ref *param_refs;
	uint32_t n_param_refs;
	uint32_t reserved1;
};

/* A (container, interface) pair that gc must keep. */
struct podnet_gc_keep {
	const char *container_id;
	const char *interface;
};

/* The argument of every operation. Fields an operation does not use are
 * zero/NULL. */
struct podnet_request {
	uint32_t size; /* sizeof as the host knows it */
	uint32_t reserved0;
	const struct podnet_pod *pod;               /* attach, detach, check */
	const struct podnet_sandbox *sandbox;       /* attach, detach, check */
	const struct podnet_attachment *attachment; /* attach, detach, check */
	/* gc: everything this provider attached that is not in this list goes. */
	const struct podnet_gc_keep *keep;
	uint32_t n_keep;
	uint32_t reserved1;

	/* v1.1 */
	/* Finish before this CLOCK_MONOTONIC time (host->now_ms); 0: no bound. */
	uint64_t deadline_ms;
};

/* ---------------------------------------------------------------------------
 * Output. Owned by the host, zeroed before each call; the provider fills it.
 * Every string field is a NUL-terminated char array.
 */
struct podnet_result_interface {
	char name[PODNET_IFNAME_LEN];
	char mac[PODNET_MAC_LEN];     /* "" when none */
	char sandbox[PODNET_PATH_LEN]; /* netns path for sandbox interfaces; "" for host ones */
};

struct podnet_result_ip {
	char address[PODNET_ADDR_LEN]; /* CIDR */
	char gateway[PODNET_ADDR_LEN]; /* "" when none */
	int32_t interface;             /* index into interfaces[], or -1 */
	uint32_t reserved0;
};

struct podnet_result_route {
	char dst[PODNET_ADDR_LEN]; /* CIDR */
	char gw[PODNET_ADDR_LEN];  /* "" for a link route */
};

struct podnet_result_dns {
	uint32_t n_nameservers;
	uint32_t n_search;
	uint32_t n_options;
	uint32_t reserved0;
	char nameservers[PODNET_MAX_DNS][PODNET_ADDR_LEN];
	char domain[PODNET_DOMAIN_LEN];
	char search[PODNET_MAX_DNS][PODNET_DOMAIN_LEN];
	char options[PODNET_MAX_DNS][PODNET_ADDR_LEN];
};

struct podnet_result {
	uint32_t size;     /* set by the host */
	uint32_t cni_code; /* on failure, optional CNI error code (0: host chooses) */
	uint32_t n_interfaces;
	uint32_t n_ips;
	uint32_t n_routes;
	uint32_t reserved0;
	struct podnet_result_interface interfaces[PODNET_MAX_INTERFACES];
	struct podnet_result_ip ips[PODNET_MAX_IPS];
	struct podnet_result_route routes[PODNET_MAX_ROUTES];
	struct podnet_result_dns dns;
	/* Device information (the Network Plumbing WG "device-info" object) as
	 * JSON text, or "". */
	char device_info[PODNET_DEVICE_INFO_LEN];
	/* On failure: why, one line. On status: why not ready. */
	char message[PODNET_MESSAGE_LEN];
};

/* ---------------------------------------------------------------------------
 * The provider's operations, in the order the host calls them.
 */
struct podnet_provider_ops {
	uint32_t size;      /* sizeof(struct podnet_provider_ops) as the provider knows it */
	uint32_t abi_major; /* PODNET_ABI_MAJOR the provider was built with */
	uint32_t abi_minor; /* PODNET_ABI_MINOR the provider was built with */
	uint32_t reserved0; /* zero */
	const char *name;    /* the provider name PodNetworks use, e.g. "acme.io/fast"; static */
	const char *version; /* free-form provider version; static */

	/* v1.0 */

	/* Called once after the handshake. config_json is node configuration as
	 * a JSON object (keys: "stateDir": a private writable directory for this
	 * provider; "cniPath": plugin directories, ':'-separated; "primaryConfList":
	 * the node's primary CNI config file; unknown keys must be ignored).
	 * Stores the provider's state in *state (may be NULL). Returns 0 or -errno,
	 * with a reason in result->message. */
	int32_t (*init)(const struct podnet_host_api *host, const char *config_json,
			void **state, struct podnet_result *result);
	/* Called once before dlclose; releases everything init made. */
	void (*fini)(void *state);

	/* Creates request->attachment in request->sandbox and describes it in
	 * result. On failure it must leave nothing behind: no link, no address,
	 * no state file. */
	int32_t (*attach)(void *state, const struct podnet_request *request,
			  struct podnet_result *result);
	/* Removes what attach made. Idempotent: detaching what is not there (or a
	 * netns that is gone) succeeds. */
	int32_t (*detach)(void *state, const struct podnet_request *request,
			  struct podnet_result *result);
	/* Verifies that what attach made is still in place; fails (with a reason)
	 * when something is missing or different. */
	int32_t (*check)(void *state, const struct podnet_request *request,
			 struct podnet_result *result);
	/* Removes every attachment this provider made whose (container id,
	 * interface) is not in request->keep. */
	int32_t (*gc)(void *state, const struct podnet_request *request,
		      struct podnet_result *result);

	/* v1.1 */

	/* Readiness: 0 when ready to attach, -EAGAIN (with a reason in
	 * result->message) when not yet. A NULL slot (v1.0 providers) means ready
	 * once init succeeded. */
	int32_t (*status)(void *state, struct podnet_result *result);

	/* v1.2 */

	/* Availability on this node: 0 when this node can serve
	 * request->attachment (network, provider, params_json set; no pod, no
	 * sandbox), -ENODEV / -ENOENT (or another -errno) with a one-line
	 * reason in result->message when it cannot. A NULL slot means:
	 * available whenever status says ready.
	 *
	 * The agent calls it for every PodNetwork of this provider when a
	 * PodNetwork or its parameters change and periodically (every 30 s), so
	 * it must be cheap and must change nothing on the node. The agent turns
	 * the answer into the reason of the node's PodNetworkNode report:
	 *   -ENOENT  PluginMissing      (a program or file the network needs)
	 *   -ENODEV  ParentLinkMissing  (a host link the network hangs off)
	 *   -EINVAL  ParamsNotResolved  (the parameters do not make a network)
	 *   other    NotAvailable
	 * unless result->message starts with a reason of the provider's own, a
	 * CamelCase word followed by ": " ("VfsExhausted: no free VF on
	 * ens1f0"), which the agent takes as the reason and strips. */
	int32_t (*can_serve)(void *state, const struct podnet_request *request,
			     struct podnet_result *result);

	/* v1.3 */

	/* The parameters kinds this provider accepts in a PodNetwork's
	 * parametersRefs besides podnet's own (podnet.dev CNIConfig and IPPool,
	 * k8s.cni.cncf.io NetworkAttachmentDefinition): a NULL-terminated list
	 * of "group/Kind" strings (group a DNS subdomain with a dot, Kind
	 * CamelCase letters and digits), static, at most PODNET_MAX_PARAM_KINDS.
	 * NULL: none. The agent publishes them in its node's PodNetworkNode
	 * report (status.providers[].parameterKinds); the controller takes a
	 * network of this provider with a ref of such a kind as ParamsReady
	 * once one node declares it, and the plan carries the refs to
	 * attach (podnet_attachment.param_refs). Malformed entries are
	 * ignored by the agent (with a warning) and fail the conformance kit. */
	const char *const *param_kinds;
};

#define PODNET_MAX_PARAM_KINDS 16

/* The entry point's type. Returns the provider's ops (static storage) or NULL. */
typedef const struct podnet_provider_ops *podnet_provider_entry_fn(const struct podnet_host_api *host);

/* Providers define it with:
 *   PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *
 *   podnet_provider_entry(const struct podnet_host_api *host) { ... }
 */
PODNET_PROVIDER_EXPORT const struct podnet_provider_ops *
podnet_provider_entry(const struct podnet_host_api *host);

#ifdef __cplusplus
}
#endif

#endif /* PODNET_PROVIDER_H */
