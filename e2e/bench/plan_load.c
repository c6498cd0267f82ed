/* plan_load.c — load generator for the controller benchmarks (e2e/bench/plan.sh).
 *
 *   plan_load create NS PREFIX N NODE NETWORKS   creates Pods PREFIX-0..N-1 bound to
 *                                                NODE, asking for NETWORKS (the
 *                                                podnet.dev/networks value)
 *   plan_load patch NS PREFIX N                  plain merge PATCHes of the same Pods
 *                                                (an annotation), as fast as the API
 *                                                server takes them: the ceiling a
 *                                                controller writing one PATCH per Pod
 *                                                can reach
 *   plan_load patchjson NS PREFIX N              JSON patches of the same Pods adding an
 *                                                annotation of PAYLOAD (env, default 460)
 *                                                bytes: a write the size of a plan and
 *                                                its signature, in the plan's patch type
 *   plan_load list                               a bare paged LIST of every Pod (pages of
 *                                                500, each parsed): what a controller's
 *                                                cold start cannot beat
 * All keep CONCURRENCY (env, default 64) requests in flight over one client
 * (HTTP/2, no client-side rate limit) and print "<op> N in S s: R/s". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/config.h"
#include "kube/ops.h"

struct load {
	struct pn_kube_client *c;
	const char *op, *ns, *prefix, *node, *networks;
	long n, next, done, failed;
	long inflight, conc;
	double t0;
	char *payload;
	char cont[4096];
	long pages;
};

static void start_more(struct load *l);

static void done_cb(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct load *l = ud;

	l->inflight--;
	l->done++;
	if (rc < 0 && l->failed++ < 5)
		fprintf(stderr, "plan_load: %s: %s (%s)\n", l->op, strerror(-rc), st->message);
	start_more(l);
	if (l->done == l->n)
		ev_break(pn_kube_client_loop(l->c), EVBREAK_ALL);
}

static void start_more(struct load *l)
{
	while (l->inflight < l->conc && l->next < l->n) {
		char name[256];
		int r;

		snprintf(name, sizeof(name), "%s-%ld", l->prefix, l->next++);
		if (!strcmp(l->op, "create")) {
			json_t *pod = json_pack(
				"{ss ss s{ss ss s{ss}} s{ss si s[{ss ss ss}]}}", "apiVersion", "v1",
				"kind", "Pod", "metadata", "name", name, "namespace", l->ns,
				"annotations", "podnet.dev/networks", l->networks, "spec", "nodeName",
				l->node, "terminationGracePeriodSeconds", 0, "containers", "name", "c",
				"image", "busybox", "imagePullPolicy", "Never");

			r = pn_kube_create(l->c, &pn_kube_res_pods, l->ns, pod, done_cb, l);
			json_decref(pod);
		} else if (!strcmp(l->op, "patchjson")) {
			char patch[8192];

			snprintf(patch, sizeof(patch),
				 "[{\"op\":\"add\",\"path\":\"/metadata/annotations/bench.podnet.dev~1payload\","
				 "\"value\":\"%ld-%s\"}]", l->next, l->payload);
			r = pn_kube_patch(l->c, &pn_kube_res_pods, l->ns, name, NULL,
					  PN_KUBE_PATCH_JSON, patch, done_cb, l);
		} else {
			char patch[128];

			snprintf(patch, sizeof(patch),
				 "{\"metadata\":{\"annotations\":{\"bench.podnet.dev/ceiling\":\"%ld\"}}}",
				 l->next);
			r = pn_kube_patch(l->c, &pn_kube_res_pods, l->ns, name, NULL,
					  PN_KUBE_PATCH_MERGE, patch, done_cb, l);
		}
		if (r < 0) {
			fprintf(stderr, "plan_load: cannot start a request: %s\n", strerror(-r));
			l->done++;
			l->failed++;
			continue;
		}
		l->inflight++;
	}
}

static void list_page(struct load *l);

static void list_cb(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct load *l = ud;
	const char *cont;

	if (rc < 0) {
		fprintf(stderr, "plan_load: list: %s (%s)\n", strerror(-rc), st->message);
		l->failed++;
		ev_break(pn_kube_client_loop(l->c), EVBREAK_ALL);
		return;
	}
	l->pages++;
	l->n += (long)json_array_size(json_object_get(body, "items"));
	cont = json_string_value(json_object_get(json_object_get(body, "metadata"), "continue"));
	if (cont && *cont) {
		snprintf(l->cont, sizeof(l->cont), "%s", cont);
		list_page(l);
		return;
	}
	ev_break(pn_kube_client_loop(l->c), EVBREAK_ALL);
}

static void list_page(struct load *l)
{
	char path[8192];

	pn_kube_path(path, sizeof(path), &pn_kube_res_pods, NULL, NULL, NULL);
	pn_kube_query_add(path, sizeof(path), "limit", "500");
	if (l->cont[0])
		pn_kube_query_add(path, sizeof(path), "continue", l->cont);
	if (pn_kube_request(l->c, "GET", path, NULL, NULL, 0, list_cb, l, NULL) < 0) {
		fprintf(stderr, "plan_load: cannot start the LIST\n");
		l->failed++;
		ev_break(pn_kube_client_loop(l->c), EVBREAK_ALL);
	}
}

int main(int argc, char **argv)
{
	struct pn_kube_client_opts co = { .qps = -1, .max_retries = 5 };
	struct pn_kube_config *cfg = NULL;
	struct load l = { 0 };
	char err[256];
	double t;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		l.op = argv[1];
	} else if (argc < 5 ||
		   (strcmp(argv[1], "create") && strcmp(argv[1], "patch") &&
		    strcmp(argv[1], "patchjson")) ||
		   (!strcmp(argv[1], "create") && argc != 7)) {
		fprintf(stderr, "usage: plan_load create NS PREFIX N NODE NETWORKS | "
			"patch|patchjson NS PREFIX N | list\n");
		return 2;
	}
	if (!strcmp(argv[1], "list"))
		goto config;
	l.op = argv[1];
	l.ns = argv[2];
	l.prefix = argv[3];
	l.n = atol(argv[4]);
	if (argc == 7) {
		l.node = argv[5];
		l.networks = argv[6];
	}
	l.conc = getenv("CONCURRENCY") ? atol(getenv("CONCURRENCY")) : 64;
	{
		long size = getenv("PAYLOAD") ? atol(getenv("PAYLOAD")) : 460;

		if (size < 1 || size > 4000)
			size = 460;
		l.payload = malloc((size_t)size + 1);
		if (!l.payload)
			return 1;
		memset(l.payload, 'x', (size_t)size);
		l.payload[size] = 0;
	}
config:
	if (pn_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "plan_load: %s\n", err);
		return 1;
	}
	l.c = pn_kube_client_new(EV_DEFAULT, cfg, &co);
	if (!l.c)
		return 1;
	l.t0 = ev_time();
	if (!strcmp(l.op, "list")) {
		list_page(&l);
		ev_run(EV_DEFAULT, 0);
		t = ev_time() - l.t0;
		printf("list %ld Pods in %ld pages of 500 in %.2f s: %.0f/s (%ld failed)\n", l.n,
		       l.pages, t, (double)l.n / t, l.failed);
		goto out;
	}
	start_more(&l);
	if (l.done < l.n)
		ev_run(EV_DEFAULT, 0);
	t = ev_time() - l.t0;
	printf("%s %ld in %.2f s: %.0f/s (%ld failed)\n", l.op, l.n, t, (double)l.n / t, l.failed);
out:
	free(l.payload);
	pn_kube_client_free(l.c);
	pn_kube_config_free(cfg);
	return l.failed ? 1 : 0;
}
