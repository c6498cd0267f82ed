/* statuscmd.c — `podnetctl status`: reads Pods (and the Events of the
 * wrong ones) from the live cluster through controller/kube, and prints
 * status.c's table. Not linked into the unit tests. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/statuscmd.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/ops.h"
#include "pn/plan_sign.h"
#include "pn/selector_text.h"

#define EXIT_WRONG 1
#define EXIT_USAGE 2
#define PATH_MAX_LEN 16384 /* a path with a label selector of PN_SELECTOR_TEXT_MAX, escaped */
#define LIST_PAGE "500"
#define MAX_PODS 100000

struct status_run {
	struct pn_kube_config *cfg;
	struct pn_kube_client *c;
	struct cli_status_pod **pods;
	size_t n, cap;
	struct pn_plan_keyring keys;
	bool have_keys; /* the ConfigMap of public keys could be read */
	struct pn_label_selector *sel; /* -l, NULL when not given */
	char sel_text[PN_SELECTOR_TEXT_MAX + 1]; /* its canonical text ("" for none) */
};

/* Prints why a request failed; returns EXIT_USAGE. */
static int request_failed(const struct status_run *s, const char *what, int rc,
			  const struct pn_kube_status *st)
{
	if (!st->http)
		fprintf(stderr, "podnetctl: cannot reach %s: %s\n", s->cfg->server,
			st->message[0] ? st->message : strerror(-rc));
	else
		fprintf(stderr, "podnetctl: %s: HTTP %ld%s%s%s%s\n", what, st->http,
			st->reason[0] ? " " : "", st->reason, st->message[0] ? ": " : "", st->message);
	return EXIT_USAGE;
}

/* The public keys plans are checked with, when this user may read them;
 * otherwise plans are checked for a signature only, and one signed by
 * another key shows through its network-status (the agent attached none
 * of it). */
static void read_keys(struct status_run *s)
{
	struct pn_kube_sync sy = PN_KUBE_SYNC_INIT;
	char err[256];
	int r;

	r = pn_kube_get(s->c, &pn_kube_res_configmaps, PN_PLAN_KEY_NAMESPACE, PN_PLAN_KEYS_CONFIGMAP,
			pn_kube_sync_done, &sy);
	r = pn_kube_sync_wait(s->c, &sy, r);
	if (r == 0 && pn_plan_keyring_load_configmap(&s->keys, json_object_get(sy.body, "data"), err,
						     sizeof(err)) > 0)
		s->have_keys = true;
	pn_kube_sync_clear(&sy);
}

static int add_pod(struct status_run *s, const json_t *pod)
{
	struct cli_status_pod *p;
	int r;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct cli_status_pod **nv;

		if (s->n >= MAX_PODS)
			return -E2BIG;
		nv = realloc(s->pods, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		s->pods = nv;
		s->cap = cap;
	}
	r = cli_status_pod_new_keys(pod, s->have_keys ? &s->keys : NULL, &p);
	if (r == -EINVAL)
		return 0; /* not a Pod object: nothing to show */
	if (r < 0)
		return r;
	s->pods[s->n++] = p;
	return 0;
}

/* LIST Pods of ns (NULL: every namespace), page by page. */
static int list_pods(struct status_run *s, const char *ns)
{
	char path[PATH_MAX_LEN], cont[1024] = "";
	struct pn_kube_status st = { 0 };
	int r;

	do {
		json_t *body = NULL, *item;
		size_t i;

		r = pn_kube_path(path, sizeof(path), &pn_kube_res_pods, ns, NULL, NULL);
		if (r >= 0)
			r = pn_kube_query_add(path, sizeof(path), "limit", LIST_PAGE);
		if (r >= 0 && s->sel_text[0])
			r = pn_kube_query_add(path, sizeof(path), "labelSelector", s->sel_text);
		if (r >= 0 && cont[0])
			r = pn_kube_query_add(path, sizeof(path), "continue", cont);
		if (r < 0) {
			fprintf(stderr, "podnetctl: %s\n", strerror(-r));
			return EXIT_USAGE;
		}
		r = pn_kube_call(s->c, "GET", path, NULL, NULL, &body, &st);
		if (r < 0) {
			json_decref(body);
			return request_failed(s, "listing Pods", r, &st);
		}
		json_array_foreach(json_object_get(body, "items"), i, item) {
			/* the API server selected already; checked again here so
			 * that what is shown is what -l says, whatever answered */
			if (!pn_label_selector_matches(
				    s->sel, json_object_get(json_object_get(item, "metadata"), "labels")))
				continue;
			r = add_pod(s, item);
			if (r < 0) {
				json_decref(body);
				fprintf(stderr, "podnetctl: %s\n", strerror(-r));
				return EXIT_USAGE;
			}
		}
		snprintf(cont, sizeof(cont), "%s",
			 json_string_value(json_object_get(json_object_get(body, "metadata"), "continue"))
				 ?: "");
		json_decref(body);
	} while (cont[0]);
	return 0;
}

static int get_pod(struct status_run *s, const char *ns, const char *name)
{
	char path[PATH_MAX_LEN];
	struct pn_kube_status st = { 0 };
	json_t *body = NULL;
	int r;

	r = pn_kube_path(path, sizeof(path), &pn_kube_res_pods, ns, name, NULL);
	if (r < 0) {
		fprintf(stderr, "podnetctl: pod name \"%s\": %s\n", name, strerror(-r));
		return EXIT_USAGE;
	}
	r = pn_kube_call(s->c, "GET", path, NULL, NULL, &body, &st);
	if (r == -PN_KUBE_ENOTFOUND && st.http == 404) {
		json_decref(body);
		fprintf(stderr, "podnetctl: pod \"%s\" not found in namespace \"%s\"\n", name, ns);
		return EXIT_USAGE;
	}
	if (r < 0) {
		json_decref(body);
		return request_failed(s, "reading the Pod", r, &st);
	}
	r = add_pod(s, body);
	json_decref(body);
	if (r < 0) {
		fprintf(stderr, "podnetctl: %s\n", strerror(-r));
		return EXIT_USAGE;
	}
	return 0;
}

/* The Events of a wrong Pod. A failure is noted in place of the warning: the
 * table is still worth printing. */
static void pod_events(struct status_run *s, struct cli_status_pod *p)
{
	char path[PATH_MAX_LEN], sel[1024];
	struct pn_kube_status st = { 0 };
	json_t *body = NULL;
	int r;

	snprintf(sel, sizeof(sel), "involvedObject.kind=Pod,involvedObject.name=%s", p->name);
	r = pn_kube_path(path, sizeof(path), &pn_kube_res_events, p->ns, NULL, NULL);
	if (r >= 0)
		r = pn_kube_query_add(path, sizeof(path), "fieldSelector", sel);
	if (r >= 0)
		r = pn_kube_call(s->c, "GET", path, NULL, NULL, &body, &st);
	if (r >= 0)
		r = cli_status_pod_events(p, body);
	else if (st.http)
		cli_status_pod_events_error(p, st.message[0] ? st.message : st.reason);
	else
		cli_status_pod_events_error(p, st.message[0] ? st.message : strerror(-r));
	json_decref(body);
}

static void usage_status(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s status [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A]\n"
		"       %*s        [-o table|wide|json|yaml] [-l SELECTOR] [POD]\n",
		prog, (int)strlen(prog), "");
}

static void help_status(const char *prog)
{
	usage_status(stdout, prog);
	printf("\n"
	       "Shows, for each Pod of a namespace (or every namespace with -A, or the\n"
	       "one POD named), its interfaces as podnet attached them: one row per\n"
	       "interface with its PodNetwork, addresses and default route:\n"
	       "\n"
	       "  NAMESPACE  POD    PHASE    INTERFACE  NETWORK    ADDRESSES        DEFAULT ROUTE\n"
	       "  demo       upf-0  Running  eth0       default    10.244.0.7       via 10.244.0.1\n"
	       "                             sig0       signaling  172.16.10.50/24  -\n"
	       "\n"
	       "Read from the Pod: what it asks for (podnet.dev/networks), what the\n"
	       "controller planned (podnet.dev/plan) and what the node's agent attached\n"
	       "(k8s.v1.cni.cncf.io/network-status). Addresses are the attached ones, with\n"
	       "the planned prefix length when the plan has them. DEFAULT ROUTE is \"via\n"
	       "GATEWAY\" on the interface holding it (\"yes\" when the gateway is not\n"
	       "reported), else \"-\". \"(not attached)\": planned, but not in the\n"
	       "network-status; \"(no network status yet)\": the agent has not reported\n"
	       "the Pod. A Pod with neither a plan nor a network-status shows eth0 with\n"
	       "status.podIP.\n"
	       "\n"
	       "A Pod is wrong when it is not Running (Succeeded and Terminating Pods are\n"
	       "not checked), when it asks for networks but has no plan, when its request,\n"
	       "plan or network-status cannot be read, or when what is attached differs\n"
	       "from the plan (an interface missing or extra, another network, other\n"
	       "addresses, the default route elsewhere). Under a wrong Pod's rows:\n"
	       "  problem: each difference found\n"
	       "  plan: each planned attachment (or why there is no plan)\n"
	       "  status: the phase, the Pod's reason, waiting/terminated containers\n"
	       "  last warning: AGE REASON: message of the newest Warning Event\n"
	       "\n"
	       "Options:\n"
	       "  --kubeconfig FILE  kubeconfig to use; default $KUBECONFIG (':'-separated\n"
	       "                     files, merged as kubectl does), then ~/.kube/config,\n"
	       "                     then the in-cluster service account. Exec credential\n"
	       "                     plugins (users[].user.exec) are run as kubectl runs them\n"
	       "  --context NAME     kubeconfig context (default: current-context)\n"
	       "  -n, --namespace NS namespace (default: the context's, else \"default\")\n"
	       "  -A, --all-namespaces  every namespace\n"
	       "  -o, --output FORMAT   table (the default), wide, json or yaml\n"
	       "  -l, --selector SELECTOR  only the Pods whose labels match, as kubectl's\n"
	       "                     -l: k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k,\n"
	       "                     joined by \",\" (all must hold); not with a POD\n"
	       "\n"
	       "-o wide adds NODE (spec.nodeName), MAC and STATE to the table. STATE is,\n"
	       "per interface: Attached; Mismatch (attached otherwise than planned);\n"
	       "NotAttached (planned, missing from the network-status); Pending (planned,\n"
	       "no network-status yet); Unplanned (attached, not in the plan).\n"
	       "\n"
	       "-o json and -o yaml print one object (no Pods: an empty items list):\n"
	       "  apiVersion: podnet.dev/v1alpha1\n"
	       "  kind: PodNetworkStatusList\n"
	       "  items:                    one per Pod, sorted by namespace and name\n"
	       "  - namespace, name, uid, node, phase, podIP   (uid, node, podIP may be null)\n"
	       "    hostNetwork: bool\n"
	       "    ok: bool                false when the Pod is wrong (see below)\n"
	       "    requestedNetworks: [{podNetworkName, interfaceName}]  (podnet.dev/networks;\n"
	       "                            podNetworkAttachmentName when the entry has one)\n"
	       "    interfaces:             [] for host-network, finished or deleted Pods\n"
	       "    - interface, network    (network null when unknown)\n"
	       "      addresses: [string]   attached addresses, planned prefix length kept\n"
	       "      mac: string or null\n"
	       "      default: bool         holds the default route\n"
	       "      gateways: [string]\n"
	       "      state: Attached | Mismatch | NotAttached | Pending | Unplanned\n"
	       "      reason: string or null  why it is not as planned\n"
	       "    problems: [string]      the \"problem:\" lines of the table\n"
	       "    plan: [string]          the \"plan:\" lines\n"
	       "    status: string          the \"status:\" line\n"
	       "    lastWarning: {reason, message, time} or null  (read for wrong Pods only)\n"
	       "    eventsError: string or null  why the Events could not be read\n"
	       "Fields may be added in later versions; none is removed or changes meaning\n"
	       "within podnet.dev/v1alpha1.\n"
	       "\n"
	       "Exit status: 0 when every Pod shown is fine (also when there is none),\n"
	       "1 when at least one Pod is wrong (in every format), 2 on a usage error\n"
	       "(a bad -o or -l among them), a kubeconfig or connection problem, a\n"
	       "refused request, or a POD that does not exist.\n");
}

int cli_cmd_status(int argc, char **argv, const char *prog)
{
	static const struct option longs[] = {
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "context", required_argument, NULL, 'c' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "output", required_argument, NULL, 'o' },
		{ "selector", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kubeconfig = NULL, *context = NULL, *ns = NULL, *pod = NULL, *selector = NULL;
	enum cli_status_format format = CLI_STATUS_TABLE;
	struct pn_kube_client_opts co = {
		.max_retries = 1, .timeout_ms = 20000, .connect_timeout_ms = 5000,
		.user_agent = "podnetctl/0.1",
	};
	struct status_run s = { 0 };
	bool all = false, wrong = false;
	char err[1024] = "";
	int c, r, rc = EXIT_USAGE;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:Aho:l:", longs, NULL)) != -1) {
		switch (c) {
		case 'k':
			kubeconfig = optarg;
			break;
		case 'c':
			context = optarg;
			break;
		case 'n':
			ns = optarg;
			break;
		case 'A':
			all = true;
			break;
		case 'o':
			if (cli_status_format_parse(optarg, &format) < 0) {
				fprintf(stderr,
					"podnetctl: status: -o (--output) \"%s\": must be table, wide, "
					"json or yaml\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'l':
			selector = optarg;
			break;
		case 'h':
			help_status(prog);
			return 0;
		case ':':
			fprintf(stderr, "podnetctl: status: option %s needs a value\n", argv[optind - 1]);
			usage_status(stderr, prog);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "podnetctl: status: unknown option %s\n", argv[optind - 1]);
			usage_status(stderr, prog);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "podnetctl: status: at most one POD\n");
		usage_status(stderr, prog);
		return EXIT_USAGE;
	}
	if (argc - optind == 1)
		pod = argv[optind];
	if (all && (ns || pod)) {
		fprintf(stderr, "podnetctl: status: -A goes with neither -n nor a POD\n");
		usage_status(stderr, prog);
		return EXIT_USAGE;
	}
	if (pod && !*pod) {
		fprintf(stderr, "podnetctl: status: empty POD name\n");
		return EXIT_USAGE;
	}
	if (selector && pod) {
		fprintf(stderr, "podnetctl: status: -l (--selector) selects among the Pods of -n or "
				"-A: it does not go with a POD name\n");
		usage_status(stderr, prog);
		return EXIT_USAGE;
	}
	if (selector) {
		r = pn_label_selector_parse(selector, &s.sel, err, sizeof(err));
		if (r == 0 && pn_label_selector_format(s.sel, s.sel_text, sizeof(s.sel_text)) < 0)
			r = -ENOSPC;
		if (r < 0) {
			fprintf(stderr, "podnetctl: status: -l (--selector) \"%.200s%s\": %s\n", selector,
				strlen(selector) > 200 ? "..." : "",
				r == -EINVAL ? err : strerror(-r));
			goto cleanup;
		}
	}
	r = pn_kube_config_resolve(PN_KUBE_CONFIG_CLI, kubeconfig, context, &s.cfg, NULL, 0,
				   err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "podnetctl: kubeconfig: %s\n", err);
		goto cleanup;
	}
	if (!ns && !all)
		ns = s.cfg->ns && *s.cfg->ns ? s.cfg->ns : "default";
	signal(SIGPIPE, SIG_IGN);
	s.c = pn_kube_client_new(EV_DEFAULT, s.cfg, &co);
	if (!s.c) {
		fprintf(stderr, "podnetctl: cannot create the Kubernetes client\n");
		goto cleanup;
	}
	read_keys(&s);
	rc = pod ? get_pod(&s, ns, pod) : list_pods(&s, all ? NULL : ns);
	if (rc)
		goto cleanup;
	if (!s.n && (format == CLI_STATUS_TABLE || format == CLI_STATUS_WIDE)) {
		if (all)
			fprintf(stderr, "No Pods found%s%s.\n", s.sel_text[0] ? " matching " : "",
				s.sel_text);
		else
			fprintf(stderr, "No Pods found in namespace %s%s%s.\n", ns,
				s.sel_text[0] ? " matching " : "", s.sel_text);
		goto cleanup;
	}
	cli_status_sort(s.pods, s.n);
	for (size_t i = 0; i < s.n; i++) {
		if (!s.pods[i]->wrong)
			continue;
		wrong = true;
		pod_events(&s, s.pods[i]);
	}
	r = cli_status_print(stdout, s.pods, s.n, time(NULL), format);
	if (r == 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "podnetctl: writing the output: %s\n", strerror(-r));
		rc = EXIT_USAGE;
		goto cleanup;
	}
	rc = wrong ? EXIT_WRONG : 0;
cleanup:
	for (size_t i = 0; i < s.n; i++)
		cli_status_pod_free(s.pods[i]);
	free(s.pods);
	pn_kube_client_free(s.c);
	pn_kube_config_free(s.cfg);
	pn_plan_keyring_clear(&s.keys);
	pn_label_selector_free(s.sel);
	return rc;
}
