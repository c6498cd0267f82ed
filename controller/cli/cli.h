/* cli.h — podnetctl's pieces: the objects read from files (with their
 * positions), the offline cross-object checks, address allocation for
 * `plan`, and YAML output. */
#ifndef PN_CLI_H
#define PN_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "pn/doc.h"
#include "pn/model.h"
#include "pn/plan.h"
#include "pn/problem.h"

#define CLI_MAX_FILES   4096
#define CLI_MAX_OBJECTS 100000

/* One object of one file. */
struct cli_object {
	size_t file;               /* index into cli_set.files */
	int line, col;             /* where the document starts */
	const json_t *root;        /* borrowed from the file's docs */
	const struct pn_srcmap *map;
	struct pn_doc networks;    /* the Pod's parsed annotation (with positions) */
	struct pn_srcpos ann_err;  /* position of an annotation parse error (line 0: none) */
	char *kind;                /* as written; "" when absent */
	char *name;                /* metadata.name; "" when absent */
	char *ns;                  /* metadata.namespace or NULL */
	struct pn_object obj;      /* kind PN_KIND_UNKNOWN when not decodable */
	bool is_namespace;         /* a v1 Namespace: read for its labels only */
	const char *workload;      /* a Deployment, Job, ...: the path of its pod
				    * template ("spec.template."); obj is that
				    * template as a Pod named after the object.
				    * NULL for anything else */
	json_t *template_pod;      /* owned: that Pod, decoded into obj */
	bool is_report;            /* a PodNetworkNode: read for status.providers only */
	struct pn_problems ps;     /* everything found about this object */
};

struct cli_file {
	char *name;                /* as given ("-" for stdin) */
	struct pn_docs docs;
	struct pn_problems ps;     /* problems of the text itself (no object) */
};

struct cli_set {
	struct cli_file *files;
	size_t n_files;
	struct cli_object *objs;
	size_t n_objs, cap_objs;
	/* PodNetworkNode reports: those of the files (valid ones) and those
	 * made from --provider-kinds, as pn_param_ref_supported_by reads them */
	json_t *reports;
};

/* Loads one file's text into the set and decodes and validates every
 * object in it. Returns 0 or -ENOMEM (problems are not errors). */
int cli_set_add_text(struct cli_set *set, const char *name, const char *buf, size_t len);
void cli_set_free(struct cli_set *set);

/* Adds a problem to o, positioned at path (resolved through the annotation
 * map for networks[...] paths, else the document's map). */
/* The labels of Namespace name among the files ({} when it has none), NULL
 * when no valid Namespace of that name was given. */
const json_t *cli_namespace_labels(const struct cli_set *set, const char *name);
int cli_object_problem(struct cli_object *o, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Positions the problems o->ps.v[from..] that have none yet. */
void cli_object_place(struct cli_object *o, size_t from);

/* --provider-kinds PROVIDER=GROUP/KIND: a report saying that PROVIDER
 * declares GROUP/KIND on some node. Returns 0, -EINVAL with why on stderr
 * (a malformed argument), or -ENOMEM. */
int cli_set_add_provider_kind(struct cli_set *set, const char *arg);
/* The reports of the files and flags (an array; NULL when none). */
const json_t *cli_reports(struct cli_set *set);

/* Lookups among decoded objects (first in file order), or NULL. */
struct cli_object *cli_find(struct cli_set *set, enum pn_kind kind, const char *ns,
			    const char *name);

/* The checks that need more than one object, as far as the files allow:
 * see `podnetctl --help`. Returns 0 or -ENOMEM. */
int cli_check_set(struct cli_set *set);

/* Prints every problem as FILE:LINE:COL: KIND/NAME: PATH: message, in file
 * order and by position. Returns how many were printed. */
size_t cli_print_problems(const struct cli_set *set, FILE *out);

/* Plans: one per Pod, in file order, addresses allocated from the IPPools
 * of the files (fixed addresses first). Problems go to the Pods' lists.
 * Returns 0 or -ENOMEM. */
struct cli_plan {
	struct cli_object *pod;
	struct pn_plan plan;
	bool ok;
};
int cli_plan_all(struct cli_set *set, struct cli_plan **out, size_t *n);
void cli_plans_free(struct cli_plan *plans, size_t n);

/* IPAM over the IPPools of the set. */
struct cli_pools;
struct cli_pools *cli_pools_new(struct cli_set *set);
void cli_pools_free(struct cli_pools *pools);
/* Reserves the fixed address ip of pool name for owner. Returns 0 when
 * reserved or when the pool is not in the files (nothing to check), 1 when
 * the pool has problems of its own (nothing checked), else a negative
 * errno (as pn_ipam_alloc_addr's) with a description written to msg. */
int cli_pools_reserve(struct cli_pools *pools, const char *pool, const char *ip,
		      const char *owner, char *msg, size_t msglen);
/* Fills a planned attachment's ips/gateways/routes from its IPPool with
 * pn_plan_allocate() (requested addresses, then the lowest free one per
 * family). Problems (networks[i]...) go to problems. Returns how many, or
 * -ENOMEM. */
int cli_pools_allocate(struct cli_pools *pools, struct pn_plan_attachment *a, const char *owner,
		       struct pn_problems *problems);

/* The IPAM owner of a Pod's attachment to network: "Pod ns/name (network)". */
void cli_owner(char *buf, size_t len, const struct cli_object *pod, const char *network);
/* The name of the IPPool among refs, or NULL. */
const char *cli_ref_pool(const struct pn_param_ref *refs, size_t n);

/* Writes v as block-style YAML at the given indentation. */
int cli_yaml_write(FILE *out, const json_t *v, int indent);

/* `podnetctl convert` (convert.c): Multus NetworkAttachmentDefinitions
 * into CNIConfig + IPPool + PodNetwork, the Multus annotation of Pods and
 * workloads (their pod templates) into podnet.dev/networks, podnet objects
 * and Namespaces as they are; Lists are unrolled. The objects go to out (a
 * JSON array) in input order; what cannot be converted is written to err,
 * one line each: "KIND NAMESPACE/NAME: FIELD.PATH: message". Returns how
 * many lines were written, or -ENOMEM. */
int cli_convert(json_t *const *roots, size_t n_roots, json_t *out, FILE *err);

/* ---- `podnetctl status` (status.c: pure; statuscmd.c: the cluster) ------- */

/* One row of the status table: an interface of a Pod. */
struct cli_status_row {
	char *interface, *network, *addresses, *route; /* "-" when unknown */
	char *mac;                 /* from network-status, or NULL */
	char *reason;              /* why the interface is not as planned, or NULL */
	const char *state;         /* CLI_IF_* (static) */
	bool is_default;           /* holds the default route */
	bool placeholder;          /* not an interface: a line saying why there is none */
};

/* The state of an interface in `status -o wide|json|yaml`. */
#define CLI_IF_ATTACHED     "Attached"    /* attached (as planned, when there is a plan) */
#define CLI_IF_MISMATCH     "Mismatch"    /* attached otherwise than planned: see reason */
#define CLI_IF_NOT_ATTACHED "NotAttached" /* planned, missing from the network-status */
#define CLI_IF_PENDING      "Pending"     /* planned, no network-status yet */
#define CLI_IF_UNPLANNED    "Unplanned"   /* attached, not in the plan */

/* What `status` shows about one Pod. */
struct cli_status_pod {
	char *ns, *name, *uid;     /* uid NULL when absent */
	char *node;                /* spec.nodeName, NULL when not scheduled */
	char *pod_ip;              /* status.podIP or NULL */
	bool host_network;
	json_t *requested;         /* [{podNetworkName, interfaceName}] of the request */
	char *phase;               /* status.phase, "Terminating" or "Unknown" */
	char *status;              /* phase, reason, containers waiting/terminated */
	struct cli_status_row *rows;
	size_t n_rows;
	bool wrong;                /* something is wrong: see why */
	char **why;                /* one line per thing wrong */
	size_t n_why;
	char **plan;               /* one line per planned attachment */
	size_t n_plan;
	size_t n_requested;        /* entries in podnet.dev/networks */
	struct pn_plan plan_own;   /* the decoded podnet.dev/plan */
	char *warning;             /* "REASON: message" of the newest Warning Event */
	char *warning_reason, *warning_message; /* the same, apart */
	time_t warning_time;       /* its time, -1 unknown */
	char *events_error;        /* why the Events could not be read, or NULL */
};

/* Builds the rows and the verdict of a Pod (its JSON as the API returns it).
 * A Pod is fine when it is Running (or Succeeded, or being deleted) and its
 * network-status matches its plan: every planned interface attached on its
 * network with the planned addresses and default route, nothing else
 * attached; a Pod that asks for networks must have a plan. Returns 0,
 * -EINVAL (not a Pod object) or -ENOMEM. */
int cli_status_pod_new(const json_t *pod, struct cli_status_pod **out);
/* The same, and the plan's signature: a plan without podnet.dev/plan-
 * signature is wrong (the agent ignores it); with keys (the ConfigMap
 * podnet-system/podnet-plan-keys, when it could be read) a plan that does
 * not verify for the Pod's uid is wrong too. With keys NULL a plan signed by
 * another key shows through its network-status: the agent attached none of
 * it. */
struct pn_plan_keyring;
int cli_status_pod_new_keys(const json_t *pod, const struct pn_plan_keyring *keys,
			    struct cli_status_pod **out);
void cli_status_pod_free(struct cli_status_pod *p);
/* Picks the newest Warning Event about the Pod from an EventList (or a
 * list of Events): by lastTimestamp, eventTime, firstTimestamp,
 * series.lastObservedTime, creation time; Events of another uid skipped. */
int cli_status_pod_events(struct cli_status_pod *p, const json_t *events);
/* Records that the Events could not be read (shown in place of the
 * warning). Returns 0 or -ENOMEM. */
int cli_status_pod_events_error(struct cli_status_pod *p, const char *why);
/* Sorts by namespace, then name. */
void cli_status_sort(struct cli_status_pod **pods, size_t n);
/* Writes the table (columns aligned over all Pods); under each wrong Pod's
 * rows, when details is set, the lines "  problem: ...", "  plan: ...",
 * "  status: ..." and "  last warning: AGE REASON: message". now is the
 * current time (for the Event's age). Returns 0 or -EIO. */
int cli_status_write(FILE *out, struct cli_status_pod *const *pods, size_t n, time_t now,
		     bool details);
/* Output formats of `status -o`. */
enum cli_status_format { CLI_STATUS_TABLE, CLI_STATUS_WIDE, CLI_STATUS_JSON, CLI_STATUS_YAML };
/* "table", "wide", "json" or "yaml"; returns 0 or -EINVAL. */
int cli_status_format_parse(const char *s, enum cli_status_format *out);
/* The machine form (see docs/user-guide.md, "status"): {apiVersion:
 * podnet.dev/v1alpha1, kind: PodNetworkStatusList, items: [...]}. NULL
 * when out of memory. */
json_t *cli_status_json(struct cli_status_pod *const *pods, size_t n);
/* Writes the Pods in the format: table and wide as cli_status_write (wide
 * adds NODE, MAC and STATE), json indented by 2, yaml as one document.
 * Returns 0, -ENOMEM or -EIO. */
int cli_status_print(FILE *out, struct cli_status_pod *const *pods, size_t n, time_t now,
		     enum cli_status_format format);
/* "YYYY-MM-DDTHH:MM:SS[.frac]Z" as seconds since the epoch, or -1. */
time_t cli_status_parse_time(const char *s);
/* "12s ago", "5m ago", "3h ago", "2d ago" ("at an unknown time" for -1). */
void cli_status_age(char *buf, size_t len, time_t now, time_t then);

#endif
