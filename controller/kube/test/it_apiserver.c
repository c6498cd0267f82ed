/* Integration: the watch across kube-apiserver trouble.
 *
 * 1. kube-apiserver is restarted with --watch-cache-sizes=configmaps#0, so
 *    ConfigMap watches are served straight from etcd: a watch resumed from an
 *    older resourceVersion is then answered from etcd's history (with the watch
 *    cache on, a restarted server answers every resume older than its start
 *    with 410 and forces a relist; that path is test 2).
 * 2. Restart mid-watch: while another process writes ConfigMaps, kube-apiserver
 *    is restarted; the informer must resume from its last resourceVersion (no
 *    relist) and deliver every acknowledged write exactly once, in order.
 * 3. Expiry: the client is partitioned from the server (a TCP proxy cuts its
 *    connections), writes happen, etcd is compacted; when the partition heals
 *    the server answers the resume with 410 and the informer relists and
 *    converges: cache equal to a fresh LIST, per-object events an in-order
 *    subsequence of the writes without repeats.
 * 4. kube-apiserver is restarted with its original flags. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itcheck.h"
#include "itlib.h"

struct st {
	struct it_seen *seen;
	long want;
};

static int all_seen(void *ud)
{
	struct st *s = ud;
	return s->want > 0 && s->seen->events >= s->want;
}

static long count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;
	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Runs the loop until the process exits (or timeout). */
static int wait_proc(struct it *t, pid_t p, double timeout)
{
	int status = 0;
	double end = it_now() + timeout;
	for (;;) {
		it_run_for(t, 0.1);
		if (waitpid(p, &status, WNOHANG) == p)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		if (it_now() > end) {
			kill(p, SIGKILL);
			waitpid(p, &status, 0);
			return -1;
		}
	}
}

static const char *const NO_CM_CACHE[] = { "--watch-cache-sizes=configmaps#0", NULL };

static void test_restart_mid_watch(void)
{
	struct it t;
	struct it_seen seen;
	struct pn_informer_handlers h;
	char logf[256];
	if (it_setup(&t, "restart") < 0) {
		IT_CHECK(0, "restart: namespace created");
		return;
	}
	it_seen_init(&seen);
	it_seen_handlers(&seen, &h);
	struct pn_informer_opts o = { .watch = { .res = &pn_kube_res_configmaps, .ns = t.ns, .label_selector = IT_WRITER_SELECTOR,
						  .backoff = { 0.2, 2.0, 2.0, 0.5 } } };
	struct pn_informer *inf = pn_informer_new(t.c, &o);
	pn_informer_add_handlers(inf, &h);
	pn_informer_start(inf);
	for (int i = 0; i < 200 && !pn_informer_has_synced(inf); i++)
		it_run_for(&t, 0.05);
	IT_CHECK(pn_informer_has_synced(inf), "restart: informer synced");

	snprintf(logf, sizeof(logf), "/tmp/pn-kube-it-restart-%d.log", (int)getpid());
	pid_t w = it_spawn_writer(t.ns, 300, 25, logf);
	it_run_for(&t, 6);
	long before = seen.events;
	double t0 = it_now();
	int r = it_apiserver_restart(NO_CM_CACHE);
	double down = it_now() - t0;
	IT_CHECK(r == 0, "restart: kube-apiserver restarted mid-watch after %ld events (%.1f s until ready)", before, down);
	int wrc = wait_proc(&t, w, 240);
	IT_CHECK(wrc == 0, "restart: writer acknowledged every write (exit %d)", wrc);
	struct st s = { &seen, count_lines(logf) };
	int conv = it_run_until_fn(&t, all_seen, &s, 90);
	IT_CHECK(conv == 0, "restart: %ld events delivered, %ld writes", seen.events, s.want);
	it_run_for(&t, 1.0);
	long expected = 0;
	int bad = it_check_sequences(logf, &seen, 1, &expected);
	IT_CHECK(bad == 0, "restart: every write delivered exactly once, in order, per object (%d objects differ)", bad);
	IT_CHECK(seen.events == expected, "restart: no duplicates: %ld events for %ld writes", seen.events, expected);
	int diff = it_check_cache_equals_list(&t, inf);
	IT_CHECK(diff == 0, "restart: cache equals a fresh LIST (%zu objects)", pn_informer_count(inf));
	struct pn_watch_stats ws;
	pn_watch_get_stats(pn_informer_watch(inf), &ws);
	IT_CHECK(ws.resumes >= 1 && ws.relists == 0,
		 "restart: resumed from the last resourceVersion without a relist (resumes %lu, relists %lu, errors %lu)",
		 ws.resumes, ws.relists, ws.errors);
	pn_informer_free(inf);
	it_seen_free(&seen);
	unlink(logf);
	it_teardown(&t);
}

static int cache_converged(void *ud)
{
	struct pn_informer *inf = ud;
	struct pn_watch_stats ws;
	pn_watch_get_stats(pn_informer_watch(inf), &ws);
	return ws.relists >= 1 && pn_informer_count(inf) == 100;
}

static void test_expired_watch_relists(void)
{
	struct it t;
	struct it_seen seen;
	struct pn_informer_handlers h;
	char log1[256], log2[256], logall[256];
	if (it_setup(&t, "expire") < 0) {
		IT_CHECK(0, "expire: namespace created");
		return;
	}
	/* a second client that goes through a proxy we can cut */
	const char *srv = t.cfg->server;
	const char *colon = strrchr(srv, ':');
	struct it_proxy *px = it_proxy_start("127.0.0.1", atoi(colon + 1));
	struct pn_kube_config pcfg = *t.cfg;
	char purl[128];
	snprintf(purl, sizeof(purl), "https://127.0.0.1:%d", it_proxy_port(px));
	pcfg.server = purl;
	struct pn_kube_client_opts co = { .qps = -1 };
	struct pn_kube_client *pc = pn_kube_client_new(t.loop, &pcfg, &co);

	it_seen_init(&seen);
	it_seen_handlers(&seen, &h);
	struct pn_informer_opts o = { .watch = { .res = &pn_kube_res_configmaps, .ns = t.ns, .label_selector = IT_WRITER_SELECTOR,
						  .backoff = { 0.2, 2.0, 2.0, 0.5 } } };
	struct pn_informer *inf = pn_informer_new(pc, &o);
	pn_informer_add_handlers(inf, &h);
	pn_informer_start(inf);
	for (int i = 0; i < 200 && !pn_informer_has_synced(inf); i++)
		it_run_for(&t, 0.05);
	IT_CHECK(pn_informer_has_synced(inf), "expire: informer synced through the proxy");

	snprintf(log1, sizeof(log1), "/tmp/pn-kube-it-expire1-%d.log", (int)getpid());
	snprintf(log2, sizeof(log2), "/tmp/pn-kube-it-expire2-%d.log", (int)getpid());
	snprintf(logall, sizeof(logall), "/tmp/pn-kube-it-expire-%d.log", (int)getpid());
	int wrc = wait_proc(&t, it_spawn_writer_prefix(t.ns, 100, -1, log1, "a"), 120);
	struct st s = { &seen, count_lines(log1) };
	IT_CHECK(wrc == 0 && it_run_until_fn(&t, all_seen, &s, 60) == 0,
		 "expire: first 100 objects written and seen (%ld events)", seen.events);
	const char *last_rv = pn_watch_last_rv(pn_informer_watch(inf));
	char rv_before[64];
	snprintf(rv_before, sizeof(rv_before), "%s", last_rv);

	it_proxy_block(px, 1); /* partition */
	wrc = wait_proc(&t, it_spawn_writer_prefix(t.ns, 100, -1, log2, "b"), 120);
	IT_CHECK(wrc == 0, "expire: 100 more objects written during the partition");
	long rev = it_etcd_compact();
	IT_CHECK(rev > 0, "expire: etcd compacted at revision %ld (client is at %s)", rev, rv_before);
	it_run_for(&t, 1.0);
	it_proxy_block(px, 0); /* heal */

	int conv = it_run_until_fn(&t, cache_converged, inf, 90);
	struct pn_watch_stats ws;
	pn_watch_get_stats(pn_informer_watch(inf), &ws);
	IT_CHECK(conv == 0 && ws.relists >= 1,
		 "expire: the server expired the resumed watch and the informer relisted (relists %lu, resumes %lu)",
		 ws.relists, ws.resumes);
	it_run_for(&t, 1.0);
	int diff = it_check_cache_equals_list(&t, inf);
	IT_CHECK(diff == 0, "expire: cache equals a fresh LIST after the relist (%zu objects)", pn_informer_count(inf));
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cat %s %s > %s", log1, log2, logall);
	int cr = system(cmd);
	int bad = cr == 0 ? it_check_sequences(logall, &seen, 0, NULL) : -1;
	IT_CHECK(bad == 0, "expire: per object, events are an in-order subsequence of the writes, no repeats, final state right (%d differ)", bad);
	pn_informer_free(inf);
	pn_kube_client_free(pc);
	it_proxy_stop(px);
	it_seen_free(&seen);
	unlink(log1);
	unlink(log2);
	unlink(logall);
	it_teardown(&t);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "writer") == 0)
		return it_writer_main(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	int r = it_apiserver_restart(NO_CM_CACHE);
	IT_CHECK(r == 0, "kube-apiserver restarted with %s", NO_CM_CACHE[0]);
	if (r == 0) {
		test_restart_mid_watch();
		test_expired_watch_relists();
	}
	r = it_apiserver_restart(NULL);
	IT_CHECK(r == 0, "kube-apiserver restarted with its original flags");
	return it_done();
}
