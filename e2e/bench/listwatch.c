/* e2e/bench/listwatch: LIST+WATCH throughput and bytes per cached Pod with
 * podnet's Kubernetes client (controller/kube), on the real local cluster.
 *
 *   listwatch [COUNT]          (default 10000; KUBECONFIG from the environment)
 *
 * Creates a Node object without a kubelet (so the Pods bound to it never run
 * and kube-controller-manager's pod GC keeps them: it deletes Pods whose node
 * has no Node object), a namespace, and COUNT Pods bound to that node. Then:
 *   - LIST: an informer (pages of 500) until synced, keeping whole Pods, and a
 *     second one whose transform keeps what the controller needs; objects/s;
 *   - bytes per cached Pod for each: live heap bytes of the cache (jansson's
 *     allocations counted by kube/jsonmem.h) divided by COUNT;
 *   - WATCH throughput: a watch from resourceVersion 0 replays an ADDED event
 *     per Pod as fast as the server streams; framed and decoded; events/s;
 *   - WATCH while writing: 2,000 Pods get a label (merge patch, 32 in flight)
 *     while both informers run; every event must reach both.
 * Prints figures only; it asserts nothing about timings. At the end the Node
 * is deleted (kube-controller-manager's pod GC then removes its Pods, which
 * would otherwise stay Terminating forever) and so is the namespace. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/informer.h"
#include "kube/jsonmem.h"
#include "kube/ops.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct bench {
	struct ev_loop *loop;
	struct pn_kube_client *c;
	char ns[64];
	const char *node;
	int count;
	int next, inflight, done, failed;
	int phase; /* 0 create, 1 patch */
};

static void issue(struct bench *b);

static void op_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct bench *b = ud;
	(void)body;
	b->inflight--;
	b->done++;
	if (rc < 0 && rc != -EEXIST) {
		if (b->failed++ < 5)
			fprintf(stderr, "write failed: %d %s\n", rc, st->message);
	}
	issue(b);
}

static void issue(struct bench *b)
{
	while (b->inflight < 32 && b->next < b->count) {
		char name[64];
		int i = b->next++;
		int r;
		snprintf(name, sizeof(name), "bench-%05d", i);
		if (b->phase == 0) {
			json_t *pod = json_pack(
				"{s:s,s:s,s:{s:s,s:{s:s,s:s},s:{s:s}},s:{s:s,s:[{s:s,s:s,s:s,s:[s,s]}],s:i}}",
				"apiVersion", "v1", "kind", "Pod",
				"metadata", "name", name, "labels", "app", "bench", "podnet.dev/shard", i % 2 ? "odd" : "even",
				"annotations", "podnet.dev/networks", "[{\"name\":\"blue\"},{\"name\":\"red\"}]",
				"spec", "nodeName", b->node,
				"containers", "name", "c", "image", "busybox", "imagePullPolicy", "Never",
				"command", "sleep", "3600",
				"terminationGracePeriodSeconds", 0);
			r = pn_kube_create(b->c, &pn_kube_res_pods, b->ns, pod, op_done, b);
			json_decref(pod);
		} else {
			r = pn_kube_patch(b->c, &pn_kube_res_pods, b->ns, name, NULL, PN_KUBE_PATCH_MERGE,
					  "{\"metadata\":{\"labels\":{\"bench\":\"patched\"}}}", op_done, b);
		}
		if (r < 0) {
			b->failed++;
			b->done++;
			continue;
		}
		b->inflight++;
	}
}

static void run_writes(struct bench *b, int phase)
{
	b->phase = phase;
	b->next = b->done = b->inflight = b->failed = 0;
	issue(b);
	while (b->done < b->count)
		ev_run(b->loop, EVRUN_ONCE);
}

/* What the controller keeps of a Pod. */
static json_t *slim(void *ud, json_t *pod)
{
	(void)ud;
	json_t *md = json_object_get(pod, "metadata");
	json_t *ann = json_object_get(md, "annotations");
	json_t *keep_ann = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(ann, k, v)
		if (strncmp(k, "podnet.dev/", 11) == 0 || strcmp(k, "k8s.v1.cni.cncf.io/networks") == 0)
			json_object_set(keep_ann, k, v);
	json_t *o = json_pack("{s:{s:O*,s:O*,s:O*,s:O*,s:O*,s:o,s:O*},s:{s:O*},s:{s:O*,s:O*}}",
			      "metadata", "name", json_object_get(md, "name"),
			      "namespace", json_object_get(md, "namespace"),
			      "uid", json_object_get(md, "uid"),
			      "resourceVersion", json_object_get(md, "resourceVersion"),
			      "labels", json_object_get(md, "labels"),
			      "annotations", keep_ann,
			      "deletionTimestamp", json_object_get(md, "deletionTimestamp"),
			      "spec", "nodeName", json_object_get(json_object_get(pod, "spec"), "nodeName"),
			      "status", "phase", json_object_get(json_object_get(pod, "status"), "phase"),
			      "podIPs", json_object_get(json_object_get(pod, "status"), "podIPs"));
	return o;
}

static int by_node(void *ud, json_t *obj, json_t *vals)
{
	(void)ud;
	const char *n = json_string_value(json_object_get(json_object_get(obj, "spec"), "nodeName"));
	if (n)
		json_array_append_new(vals, json_string(n));
	return 0;
}

struct counter {
	long updates;
};

static void c_update(void *ud, json_t *o, json_t *n)
{
	(void)o;
	(void)n;
	((struct counter *)ud)->updates++;
}

struct replay {
	struct pn_frame f;
	long added, want;
	double bytes;
	int ended;
};

static int replay_line(void *ud, const char *line, size_t len)
{
	struct replay *rp = ud;
	struct pn_watch_event ev;
	if (pn_watch_event_decode(line, len, &ev) == 0) {
		if (ev.type == PN_WATCH_ADDED)
			rp->added++;
		pn_watch_event_clear(&ev);
	}
	return 0;
}

static int replay_data(void *ud, const char *p, size_t n)
{
	struct replay *rp = ud;
	rp->bytes += (double)n;
	return pn_frame_feed(&rp->f, p, n);
}

static void replay_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct replay *rp = ud;
	(void)body;
	rp->ended = 1;
	if (rc < 0)
		fprintf(stderr, "replay watch ended: %d %s\n", rc, st->message);
}

int main(int argc, char **argv)
{
	struct bench b;
	char err[512];
	struct pn_kube_config *cfg = NULL;
	int count = argc > 1 ? atoi(argv[1]) : 10000;
	struct pn_kube_sync s = PN_KUBE_SYNC_INIT;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	pn_kube_jsonmem_install();
	memset(&b, 0, sizeof(b));
	if (pn_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "listwatch: %s\n", err);
		return 1;
	}
	b.loop = ev_default_loop(0);
	struct pn_kube_client_opts co = { .qps = -1, .timeout_ms = 120000 };
	b.c = pn_kube_client_new(b.loop, cfg, &co);
	b.count = count;
	b.node = "pn-bench-node";
	snprintf(b.ns, sizeof(b.ns), "pn-bench-%d", (int)getpid());

	json_t *node = json_pack("{s:s,s:s,s:{s:s,s:{s:s}}}", "apiVersion", "v1", "kind", "Node",
				 "metadata", "name", b.node, "labels", "podnet.dev/bench", "true");
	r = pn_kube_create(b.c, &pn_kube_res_nodes, NULL, node, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(b.c, &s, r);
	json_decref(node);
	pn_kube_sync_clear(&s);
	if (r < 0 && r != -EEXIST) {
		fprintf(stderr, "listwatch: create node: %d\n", r);
		return 1;
	}
	json_t *nsobj = json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "Namespace", "metadata", "name", b.ns);
	r = pn_kube_create(b.c, &pn_kube_res_namespaces, NULL, nsobj, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(b.c, &s, r);
	json_decref(nsobj);
	pn_kube_sync_clear(&s);
	if (r < 0) {
		fprintf(stderr, "listwatch: create namespace: %d\n", r);
		return 1;
	}

	/* Pods are admitted only once the namespace's default ServiceAccount exists. */
	char sapath[512];
	snprintf(sapath, sizeof(sapath), "/api/v1/namespaces/%s/serviceaccounts/default", b.ns);
	for (int i = 0; i < 600; i++) {
		if (pn_kube_call(b.c, "GET", sapath, NULL, NULL, NULL, NULL) == 0)
			break;
		usleep(100000);
	}

	double t0 = now();
	run_writes(&b, 0);
	double tc = now() - t0;
	printf("created %d Pods bound to kubelet-less Node %s in %.1f s (%.0f/s, %d failed)\n",
	       count, b.node, tc, count / tc, b.failed);

	struct pn_informer_opts full_o = { .watch = { .res = &pn_kube_res_pods, .ns = b.ns, .page_size = 500 } };
	struct pn_informer_opts slim_o = { .watch = { .res = &pn_kube_res_pods, .ns = b.ns, .page_size = 500 },
					   .transform = slim };
	struct counter cf = { 0 }, cs = { 0 };
	struct pn_informer_handlers hf = { NULL, c_update, NULL, &cf }, hs = { NULL, c_update, NULL, &cs };

	struct pn_kube_client_opts co_plain = co;
	co_plain.no_compression = 1;
	struct pn_kube_client *plain = pn_kube_client_new(b.loop, cfg, &co_plain);
	for (int pass = 0; pass < 3; pass++) {
		struct pn_informer *inf = pn_informer_new(pass == 2 ? plain : b.c, pass == 1 ? &slim_o : &full_o);
		if (pass == 1)
			pn_informer_add_index(inf, "node", by_node, NULL);
		long long before = pn_kube_jsonmem_live();
		double ts = now();
		pn_informer_start(inf);
		while (!pn_informer_has_synced(inf))
			ev_run(b.loop, EVRUN_ONCE);
		double tl = now() - ts;
		long long bytes = pn_kube_jsonmem_live() - before;
		struct pn_kube_client_stats cst;
		pn_kube_client_stats(b.c, &cst);
		printf("%s: LIST+sync of %zu Pods in %.2f s = %.0f objects/s; cache %.1f MiB = %lld bytes per cached Pod\n",
		       pass == 1 ? "slim informer (transform + node index), gzip" :
		       pass == 2 ? "full informer (whole Pods), no gzip" : "full informer (whole Pods), gzip",
		       pn_informer_count(inf), tl, pn_informer_count(inf) / tl, bytes / 1048576.0,
		       bytes / (long long)(pn_informer_count(inf) ? pn_informer_count(inf) : 1));
		pn_informer_free(inf);
	}

	/* WATCH throughput: a watch from resourceVersion 0 starts with an ADDED
	 * event for every Pod, streamed as fast as the server sends them; each
	 * line goes through the framer and the decoder. */
	for (int pass = 0; pass < 2; pass++) {
		struct replay rp;
		memset(&rp, 0, sizeof(rp));
		rp.want = count;
		pn_frame_init(&rp.f, 16u << 20, replay_line, &rp);
		char wpath[512];
		pn_kube_path(wpath, sizeof(wpath), &pn_kube_res_pods, b.ns, NULL, NULL);
		pn_kube_query_add(wpath, sizeof(wpath), "watch", "1");
		pn_kube_query_add(wpath, sizeof(wpath), "resourceVersion", "0");
		double ts = now();
		struct pn_kube_req *rq = NULL;
		pn_kube_stream(pass ? plain : b.c, wpath, 60, replay_data, replay_done, &rp, &rq);
		while (rp.added < count && !rp.ended)
			ev_run(b.loop, EVRUN_ONCE);
		double tr = now() - ts;
		if (!rp.ended)
			pn_kube_req_cancel(rq);
		printf("WATCH from resourceVersion 0 (%s): %ld ADDED events, %.1f MiB, in %.2f s = %.0f events/s, %.0f MiB/s\n",
		       pass ? "no gzip" : "gzip", rp.added, rp.bytes / 1048576.0, tr, rp.added / tr, rp.bytes / 1048576.0 / tr);
		pn_frame_free(&rp.f);
	}

	/* WATCH: both informers running while every Pod is patched */
	struct pn_informer *fi = pn_informer_new(b.c, &full_o), *si = pn_informer_new(b.c, &slim_o);
	pn_informer_add_handlers(fi, &hf);
	pn_informer_add_handlers(si, &hs);
	pn_informer_start(fi);
	pn_informer_start(si);
	while (!pn_informer_has_synced(fi) || !pn_informer_has_synced(si))
		ev_run(b.loop, EVRUN_ONCE);
	int all = b.count;
	b.count = all < 2000 ? all : 2000; /* bounded by the write rate: a sample is enough */
	double tw = now();
	run_writes(&b, 1);
	double tp = now() - tw;
	double deadline = now() + 120;
	while ((cf.updates < b.count || cs.updates < b.count) && now() < deadline)
		ev_run(b.loop, EVRUN_ONCE);
	double te = now() - tw;
	printf("WATCH while patching (bound by the write rate): %d patches sent in %.1f s (%.0f/s); events delivered: full %ld, slim %ld in %.1f s\n",
	       b.count, tp, b.count / tp, cf.updates, cs.updates, te);
	b.count = all;
	struct pn_watch_stats ws;
	pn_watch_get_stats(pn_informer_watch(fi), &ws);
	printf("watch stats (full): lists %lu pages %lu watches %lu events %lu bookmarks %lu relists %lu errors %lu\n",
	       ws.lists, ws.pages, ws.watches, ws.events, ws.bookmarks, ws.relists, ws.errors);
	pn_informer_free(fi);
	pn_informer_free(si);
	struct pn_kube_client_stats cst;
	pn_kube_client_stats(b.c, &cst);
	printf("transport: %lu requests (%lu over HTTP/2) on %lu connection(s), %.1f MiB received, %lu retries\n",
	       cst.requests, cst.http2, cst.connects, cst.bytes_in / 1048576.0, cst.retries);

	/* cleanup: delete the Node (kube-controller-manager's pod GC then
	 * force-deletes the Pods bound to it, which no kubelet would ever confirm)
	 * and the namespace; neither is waited for. */
	r = pn_kube_delete(b.c, &pn_kube_res_nodes, NULL, b.node, NULL, NULL, pn_kube_sync_done, &s);
	pn_kube_sync_wait(b.c, &s, r);
	pn_kube_sync_clear(&s);
	r = pn_kube_delete(b.c, &pn_kube_res_namespaces, NULL, b.ns, NULL, NULL, pn_kube_sync_done, &s);
	pn_kube_sync_wait(b.c, &s, r);
	pn_kube_sync_clear(&s);
	pn_kube_client_free(plain);
	pn_kube_client_free(b.c);
	pn_kube_config_free(cfg);
	return 0;
}
