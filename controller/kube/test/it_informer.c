/* Integration: an informer on ConfigMaps while another process creates,
 * updates and deletes 1,000 of them. The cache must end equal to a fresh LIST,
 * and every acknowledged write must have been delivered exactly once, in
 * order, per object (no relist happens on a healthy server, so the sequences
 * must be equal, not merely compatible). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itcheck.h"
#include "itlib.h"

#define COUNT 1000

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

int main(int argc, char **argv)
{
	struct it t;
	struct it_seen seen;
	struct pn_informer_handlers h;
	char logf[256];
	int status = 0;

	if (argc > 1 && strcmp(argv[1], "writer") == 0)
		return it_writer_main(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (it_setup(&t, "informer") < 0) {
		IT_CHECK(0, "cluster reachable and namespace created");
		return it_done();
	}
	it_seen_init(&seen);
	it_seen_handlers(&seen, &h);
	struct pn_informer_opts o = { .watch = { .res = &pn_kube_res_configmaps, .ns = t.ns, .label_selector = IT_WRITER_SELECTOR, .page_size = 100 } };
	struct pn_informer *inf = pn_informer_new(t.c, &o);
	pn_informer_add_handlers(inf, &h);
	pn_informer_start(inf);
	int synced_ok = 0;
	for (int i = 0; i < 200 && !pn_informer_has_synced(inf); i++)
		it_run_for(&t, 0.05);
	synced_ok = pn_informer_has_synced(inf);
	IT_CHECK(synced_ok, "informer synced on the empty namespace");

	snprintf(logf, sizeof(logf), "/tmp/pn-kube-it-writes-%d.log", (int)getpid());
	double t0 = it_now();
	pid_t w = it_spawn_writer(t.ns, COUNT, -1, logf);
	/* keep the informer running while the writer works */
	for (;;) {
		it_run_for(&t, 0.1);
		if (waitpid(w, &status, WNOHANG) == w)
			break;
		if (it_now() - t0 > 300) {
			kill(w, SIGKILL);
			waitpid(w, &status, 0);
			break;
		}
	}
	double tw = it_now() - t0;
	IT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer process acknowledged every write (%.1f s)", tw);
	struct st s = { &seen, count_lines(logf) };
	IT_CHECK(s.want == COUNT * 2 + COUNT / 2, "writer logged %ld writes (creates, updates, deletes)", s.want);
	int conv = it_run_until_fn(&t, all_seen, &s, 60);
	IT_CHECK(conv == 0, "informer delivered %ld events, %ld expected", seen.events, s.want);
	it_run_for(&t, 1.0); /* anything extra would show up now */
	long expected = 0;
	int bad = it_check_sequences(logf, &seen, 1, &expected);
	IT_CHECK(bad == 0, "every write delivered exactly once, in order, per object (%d objects differ)", bad);
	IT_CHECK(seen.events == expected, "no extra events: %ld seen, %ld written", seen.events, expected);
	int diff = it_check_cache_equals_list(&t, inf);
	IT_CHECK(diff == 0, "cache equals a fresh LIST (%zu objects, %d differences)", pn_informer_count(inf), diff);
	struct pn_watch_stats ws;
	pn_watch_get_stats(pn_informer_watch(inf), &ws);
	IT_CHECK(ws.relists == 0, "no relist was needed (lists %lu, watches %lu, events %lu, bookmarks %lu)",
		 ws.lists, ws.watches, ws.events, ws.bookmarks);
	pn_informer_free(inf);
	it_seen_free(&seen);
	unlink(logf);
	it_teardown(&t);
	return it_done();
}
