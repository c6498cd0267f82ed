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

#define EXIT_WRONG 1
#define EXIT_USAGE 2
#define PATH_MAX_LEN 2048
#define LIST_PAGE "500"
#define MAX_PODS 100000

struct status_run {
	struct pn_kube_config *cfg;
	struct pn_kube_client *c;
	struct cli_status_pod **pods;
	size_t n, cap;
	struct pn_plan_keyring keys;
	bool have_keys; /* the ConfigMap of public keys could be read */
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
		"usage: %s status [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A] [POD]\n",
		prog);
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
	       "\n"
	       "Exit status: 0 when every Pod shown is fine (also when there is none),\n"
	       "1 when at least one Pod is wrong, 2 on a usage error, a kubeconfig or\n"
	       "connection problem, a refused request, or a POD that does not exist.\n");
}

int cli_cmd_status(int argc, char **argv, const char *prog)
{
	static const struct option longs[] = {
		{ "kubeconfig", required_argument, NULL, 'k' },
		{ "context", required_argument, NULL, 'c' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kubeconfig = NULL, *context = NULL, *ns = NULL, *pod = NULL;
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
	while ((c = getopt_long(argc, argv, ":n:Ah", longs, NULL)) != -1) {
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
	if (!s.n) {
		if (all)
			fprintf(stderr, "No Pods found.\n");
		else
			fprintf(stderr, "No Pods found in namespace %s.\n", ns);
		goto cleanup;
	}
	cli_status_sort(s.pods, s.n);
	for (size_t i = 0; i < s.n; i++) {
		if (!s.pods[i]->wrong)
			continue;
		wrong = true;
		pod_events(&s, s.pods[i]);
	}
	if (cli_status_write(stdout, s.pods, s.n, time(NULL), true) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "podnetctl: writing the table: %s\n", strerror(EIO));
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
	return rc;
}
