/* podnetctl.c — the command line: `validate` and `plan` over files of
 * podnet objects, with no cluster, and `status` on a live cluster
 * (statuscmd.c). Installed also as the kubectl plugin `kubectl-podnet`
 * (same program; the name only changes the usage lines). `--version` and
 * `version` print "podnetctl VERSION" (or "kubectl-podnet VERSION"). */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/statuscmd.h"
#include "pn/version.h"

#define EXIT_INVALID 1
#define EXIT_USAGE   2

/* The name in usage lines: "podnetctl", or "kubectl podnet" when run as
 * the plugin kubectl-podnet. */
static const char *prog = "podnetctl";
/* The program's own name, for --version. */
static const char *prog_file = "podnetctl";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s validate FILE...\n"
		"       %s plan [-o yaml|json] [--provider-kinds PROVIDER=GROUP/KIND]... FILE...\n"
		"       %s status [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A]\n"
		"                [-o table|wide|json|yaml] [-l SELECTOR] [POD]\n"
		"       %s convert [-f] FILE...\n"
		"       %s version | --version\n"
		"       %s --help | status --help\n",
		prog, prog, prog, prog, prog, prog);
}

static const char HELP[] =
	"\n"
	"Reads multi-document YAML or JSON files (\"-\" is standard input) holding\n"
	"PodNetwork, PodNetworkAttachment, CNIConfig and IPPool objects\n"
	"(podnet.dev/v1alpha1), Pods (v1) and Namespaces (v1, read for their labels\n"
	"only). Every document must be one of these, or a workload (apps/v1\n"
	"Deployment, StatefulSet, DaemonSet, ReplicaSet; batch/v1 Job, CronJob)\n"
	"whose pod template is then checked as a Pod named after it.\n"
	"\n"
	"validate  checks every object and prints one line per problem:\n"
	"            FILE:LINE:COL: KIND/NAME: FIELD.PATH: message\n"
	"          A Pod is checked through its podnet.dev/networks annotation; its\n"
	"          problems have paths like podnet.dev/networks[2].interfaceName\n"
	"          and point into the annotation's text in the file. Problems with\n"
	"          the text itself (YAML syntax, aliases, duplicate keys, ...) print\n"
	"          \"-: -:\" in place of KIND/NAME and the path; \"-\" also stands\n"
	"          for a missing kind, name or for the object as a whole.\n"
	"\n"
	"          Objects are also checked against each other, as far as the files\n"
	"          allow. Anything the files do not hold may exist in the cluster, so\n"
	"          a PodNetwork, attachment, CNIConfig or IPPool that is referenced but\n"
	"          absent is NOT an error. What the files do hold is checked:\n"
	"            - an object (kind, namespace, name) defined twice;\n"
	"            - a Pod asking for a PodNetwork twice, once attachments in the\n"
	"              files are resolved to their network;\n"
	"            - a Pod asking for a PodNetwork whose spec.enabled is false;\n"
	"            - a Pod asking for a PodNetwork whose spec.namespaceSelector does\n"
	"              not select the Pod's namespace, when the files hold that\n"
	"              Namespace (without it, access is not checked);\n"
	"            - a Pod's fixed addresses (ips) on a PodNetwork without an\n"
	"              IPPool, or outside the IPPool, reserved in it (excluded, the\n"
	"              gateway, network/broadcast) or already asked for by an\n"
	"              earlier Pod of the files.\n"
	"\n"
	"plan      prints, for every Pod of the files, the plan the controller would\n"
	"          write (podnet.dev/plan): interfaces, default routes, parameters\n"
	"          and addresses, treating the files as the whole cluster. Fixed\n"
	"          addresses are reserved first, then each attachment to a network\n"
	"          with an IPPool gets the lowest free address of each family of the\n"
	"          pool, Pods in file order. Here a missing object IS an error,\n"
	"          and so is a missing Namespace for a PodNetwork with a\n"
	"          spec.namespaceSelector: access is checked on the Namespace's\n"
	"          labels in the files, as for a new Pod.\n"
	"          Output: YAML documents {pod: NAMESPACE/NAME, plan: ...} by default,\n"
	"          a JSON list of the same with -o json. Problems go to stderr in\n"
	"          the validate format; Pods that cannot be planned are left out.\n"
	"          A parametersRefs kind of a provider's own is accepted, as by the\n"
	"          controller, when a PodNetworkNode of the files (kubectl get\n"
	"          pnnode -o yaml) or --provider-kinds PROVIDER=GROUP/KIND (any\n"
	"          number of times) says that the network's provider declares it.\n"
	"\n"
	"status    talks to the cluster (kubeconfig from --kubeconfig, $KUBECONFIG or\n"
	"          ~/.kube/config): one row per interface of each Pod with its\n"
	"          PodNetwork, addresses and default route, from the Pod's plan\n"
	"          (podnet.dev/plan) and network-status annotations; under a Pod\n"
	"          that is not Running or whose interfaces differ from its plan,\n"
	"          the problems, the plan, the Pod's status and its last Warning\n"
	"          Event. -o wide adds the node, MAC and state of each interface;\n"
	"          -o json and -o yaml print a PodNetworkStatusList\n"
	"          (podnet.dev/v1alpha1) whose schema `status --help` documents;\n"
	"          -l SELECTOR lists only the Pods whose labels match (kubectl's\n"
	"          syntax). See `status --help`. Exit status: 0 every Pod is fine,\n"
	"          1 some Pod is wrong, 2 usage, kubeconfig or connection errors.\n"
	"\n"
	"convert   reads Multus objects and prints podnet YAML (see\n"
	"          docs/migrating-from-multus.md): each NetworkAttachmentDefinition\n"
	"          becomes a CNIConfig (its spec.config, without the ipam), an IPPool\n"
	"          when its ipam is whereabouts, static or host-local, and a\n"
	"          PodNetwork referring to both (named after the NAD;\n"
	"          NAMESPACE-NAME when two namespaces of the input share a name).\n"
	"          Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs\n"
	"          and CronJobs are printed with k8s.v1.cni.cncf.io/networks (short\n"
	"          or JSON form) replaced by podnet.dev/networks, `default` first\n"
	"          (on the pod template for controllers). podnet objects and\n"
	"          Namespaces pass through; `kind: List` is unrolled. Files are\n"
	"          given as arguments or with -f (\"-\" is standard input).\n"
	"          What cannot be converted goes to stderr, one line each:\n"
	"            KIND NAMESPACE/NAME: FIELD.PATH: message\n"
	"          Exit status: 0 everything converted, 1 something reported\n"
	"          (the rest is still printed), 2 usage or I/O error.\n"
	"\n"
	"version   prints \"podnetctl VERSION\": the podnet build, git describe of\n"
	"          its source (--version alike).\n"
	"\n"
	"As the kubectl plugin: install this program (or a link to it) as\n"
	"kubectl-podnet on PATH, then `kubectl podnet status -n NS`.\n"
	"\n"
	"Exit status of validate and plan: 0 when everything is valid (and\n"
	"planned), 1 when anything is invalid, 2 on a usage or I/O error.\n";

/* Reads a whole file (or stdin for "-"), up to the loader's cap plus one
 * byte so that the loader reports an oversized file with its position. */
static int read_all(const char *path, char **out, size_t *len)
{
	size_t cap = PN_DOC_MAX_BYTES + 1, n = 0;
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf;
	int r = 0;

	*out = NULL;
	*len = 0;
	if (!f)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		r = -ENOMEM;
		goto cleanup;
	}
	errno = 0;
	while (n < cap) {
		size_t got = fread(buf + n, 1, cap - n, f);

		if (!got)
			break;
		n += got;
	}
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		free(buf);
		goto cleanup;
	}
	*out = buf;
	*len = n;
cleanup:
	if (f != stdin)
		fclose(f);
	return r;
}

static int load_files(struct cli_set *set, char **files, int n)
{
	int stdin_used = 0;

	for (int i = 0; i < n; i++) {
		char *buf;
		size_t len;
		int r;

		if (!strcmp(files[i], "-") && stdin_used++) {
			fprintf(stderr, "podnetctl: standard input (\"-\") given twice\n");
			return -EINVAL;
		}
		r = read_all(files[i], &buf, &len);
		if (r < 0) {
			fprintf(stderr, "podnetctl: %s: %s\n", files[i], strerror(-r));
			return r;
		}
		r = cli_set_add_text(set, files[i], buf, len);
		free(buf);
		if (r < 0) {
			fprintf(stderr, "podnetctl: %s: %s\n", files[i], strerror(-r));
			return r;
		}
	}
	return 0;
}

static int cmd_validate(int argc, char **argv)
{
	struct cli_set set = { 0 };
	int rc = EXIT_USAGE;
	size_t n;

	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (load_files(&set, argv, argc) < 0)
		goto cleanup;
	if (cli_check_set(&set) < 0) {
		fprintf(stderr, "podnetctl: %s\n", strerror(ENOMEM));
		goto cleanup;
	}
	n = cli_print_problems(&set, stdout);
	rc = n ? EXIT_INVALID : 0;
cleanup:
	cli_set_free(&set);
	if (fflush(stdout) != 0)
		rc = EXIT_USAGE;
	return rc;
}

static int print_plans(const struct cli_plan *plans, size_t n, bool json)
{
	json_t *all = json_array();
	int r = 0;

	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct cli_object *o = plans[i].pod;
		json_t *plan, *item;
		char *who = NULL;

		if (!plans[i].ok)
			continue;
		plan = pn_plan_encode(&plans[i].plan);
		if (!plan || asprintf(&who, "%s/%s", o->ns ? o->ns : "default", o->name) < 0) {
			json_decref(plan);
			r = -ENOMEM;
			break;
		}
		item = json_pack("{s:s, s:o}", "pod", who, "plan", plan);
		free(who);
		if (!item || json_array_append_new(all, item) < 0)
			r = -ENOMEM;
	}
	if (r == 0 && json) {
		if (json_dumpf(all, stdout, JSON_INDENT(2)) < 0)
			r = -EIO;
		fputc('\n', stdout);
	} else if (r == 0) {
		size_t i;
		json_t *item;

		json_array_foreach (all, i, item) {
			fputs("---\n", stdout);
			if (cli_yaml_write(stdout, item, 0) < 0)
				r = -EIO;
		}
	}
	json_decref(all);
	return r;
}

static int cmd_plan(int argc, char **argv)
{
	struct cli_set set = { 0 };
	struct cli_plan *plans = NULL;
	size_t n = 0;
	bool json = false;
	int rc = EXIT_USAGE;
	int c;

	static const struct option plan_opts[] = {
		{ "provider-kinds", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 0;
	while ((c = getopt_long(argc, argv, "+o:", plan_opts, NULL)) != -1) {
		switch (c) {
		case 'K':
			if (cli_set_add_provider_kind(&set, optarg) < 0)
				goto cleanup;
			break;
		case 'o':
			if (!strcmp(optarg, "json")) {
				json = true;
			} else if (!strcmp(optarg, "yaml")) {
				json = false;
			} else {
				fprintf(stderr, "podnetctl: -o takes yaml or json, not \"%s\"\n", optarg);
				goto cleanup;
			}
			break;
		default:
			usage(stderr);
			goto cleanup;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		goto cleanup;
	}
	if (load_files(&set, argv + optind, argc - optind) < 0)
		goto cleanup;
	if (cli_plan_all(&set, &plans, &n) < 0 || print_plans(plans, n, json) < 0) {
		fprintf(stderr, "podnetctl: %s\n", strerror(ENOMEM));
		goto cleanup;
	}
	rc = cli_print_problems(&set, stderr) ? EXIT_INVALID : 0;
cleanup:
	cli_plans_free(plans, n);
	cli_set_free(&set);
	if (fflush(stdout) != 0)
		rc = EXIT_USAGE;
	return rc;
}

static int cmd_convert(int argc, char **argv)
{
	struct cli_set set = { 0 };
	char **files = calloc(argc > 0 ? argc : 1, sizeof(*files));
	json_t **roots = NULL, *out = json_array();
	size_t n_roots = 0, n_files = 0, i;
	int rc = EXIT_USAGE, reported = 0, c;
	json_t *o;

	optind = 0;
	while (files && (c = getopt(argc, argv, "+f:")) != -1) {
		if (c != 'f') {
			usage(stderr);
			goto cleanup;
		}
		files[n_files++] = optarg;
	}
	for (int k = optind; files && k < argc; k++)
		files[n_files++] = argv[k];
	if (!files || !out) {
		fprintf(stderr, "podnetctl: %s\n", strerror(ENOMEM));
		goto cleanup;
	}
	if (!n_files) {
		usage(stderr);
		goto cleanup;
	}
	/* the files' text only: set.objs (podnet's decoding) is not used */
	for (i = 0; i < n_files; i++) {
		char *buf;
		size_t len;
		int r;

		if (!strcmp(files[i], "-"))
			for (size_t j = 0; j < i; j++)
				if (!strcmp(files[j], "-")) {
					fprintf(stderr, "podnetctl: standard input (\"-\") given twice\n");
					goto cleanup;
				}
		r = read_all(files[i], &buf, &len);
		if (r < 0) {
			fprintf(stderr, "podnetctl: %s: %s\n", files[i], strerror(-r));
			goto cleanup;
		}
		r = cli_set_add_text(&set, files[i], buf, len);
		free(buf);
		if (r < 0) {
			fprintf(stderr, "podnetctl: %s: %s\n", files[i], strerror(-r));
			goto cleanup;
		}
	}
	for (i = 0; i < set.n_files; i++) {
		const struct cli_file *f = &set.files[i];
		json_t **v = realloc(roots, (n_roots + f->docs.n + 1) * sizeof(*v));

		if (!v) {
			fprintf(stderr, "podnetctl: %s\n", strerror(ENOMEM));
			goto cleanup;
		}
		roots = v;
		for (size_t j = 0; j < f->ps.n; j++, reported++)
			fprintf(stderr, "%s:%d:%d: %s\n", f->name, f->ps.v[j].line, f->ps.v[j].col,
				f->ps.v[j].message);
		for (size_t j = 0; j < f->docs.n; j++)
			roots[n_roots++] = f->docs.v[j].root;
	}
	c = cli_convert(roots, n_roots, out, stderr);
	if (c < 0) {
		fprintf(stderr, "podnetctl: %s\n", strerror(-c));
		goto cleanup;
	}
	reported += c;
	json_array_foreach (out, i, o) {
		fputs(i ? "---\n" : "", stdout);
		if (cli_yaml_write(stdout, o, 0) < 0)
			goto cleanup;
	}
	rc = reported ? EXIT_INVALID : 0;
cleanup:
	if (fflush(stdout) != 0)
		rc = EXIT_USAGE;
	json_decref(out);
	free(roots);
	free(files);
	cli_set_free(&set);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 0 && argv[0]) {
		char *copy = strdup(argv[0]);

		if (copy && !strcmp(basename(copy), "kubectl-podnet")) {
			prog = "kubectl podnet";
			prog_file = "kubectl-podnet";
		}
		free(copy);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		fputs(HELP, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		if (argc > 2) {
			usage(stderr);
			return EXIT_USAGE;
		}
		printf("%s %s\n", prog_file, pn_version());
		return fflush(stdout) ? EXIT_USAGE : 0;
	}
	if (!strcmp(argv[1], "validate"))
		return cmd_validate(argc - 2, argv + 2);
	if (!strcmp(argv[1], "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(argv[1], "convert"))
		return cmd_convert(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return cli_cmd_status(argc - 1, argv + 1, prog);
	fprintf(stderr, "podnetctl: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
