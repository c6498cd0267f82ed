/* Unit tests of the transport, the reflector and the informer against the
 * scripted fault-injecting server (faultsrv.c): chunk boundaries at every
 * byte, an oversized line, a truncated stream, 410 inside a stream, 429 with
 * Retry-After, garbage instead of JSON, server Status errors, body caps, idle
 * streams. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "faultsrv.h"
#include "kube/client.h"
#include "kube/informer.h"
#include "kube/ops.h"
#include "kube/watch.h"
#include "kube/events.h"
#include "kube/lease.h"
#include "kube/workqueue.h"

struct env {
	struct ev_loop *loop;
	struct pn_faultsrv *srv;
	struct pn_kube_config *cfg;
	struct pn_kube_client *c;
};

static void env_start(struct env *e, const struct pn_faultsrv_step *steps, size_t n, size_t max_body)
{
	struct pn_kube_client_opts o = { .qps = -1, .retry = { 0.01, 0.05, 2, 0.1 }, .max_retries = 3,
					 .max_body = max_body };
	memset(e, 0, sizeof(*e));
	e->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(e->loop);
	e->srv = pn_faultsrv_start(steps, n);
	assert_non_null(e->srv);
	e->cfg = calloc(1, sizeof(*e->cfg));
	assert_non_null(e->cfg);
	assert_true(asprintf(&e->cfg->server, "http://127.0.0.1:%d", pn_faultsrv_port(e->srv)) > 0);
	e->c = pn_kube_client_new(e->loop, e->cfg, &o);
	assert_non_null(e->c);
}

static void env_stop(struct env *e)
{
	pn_kube_client_free(e->c);
	pn_faultsrv_stop(e->srv);
	pn_kube_config_free(e->cfg);
	ev_loop_destroy(e->loop);
}

static void guard_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	*(int *)t->data = 1;
}

/* Runs the loop until *flag >= want; fails the test after timeout seconds. */
static void run_until(struct env *e, const int *flag, int want, double timeout)
{
	int expired = 0;
	ev_timer g;
	ev_timer_init(&g, guard_cb, timeout, 0.);
	g.data = &expired;
	ev_timer_start(e->loop, &g);
	while (*flag < want && !expired)
		ev_run(e->loop, EVRUN_ONCE);
	ev_timer_stop(e->loop, &g);
	if (*flag < want)
		fail_msg("timed out waiting: %d of %d", *flag, want);
}

/* ---- recording watch handlers --------------------------------------------- */

struct rec {
	int replaces;
	int events;
	int errors;
	char log[64][96];
	char last_error[1024];
	size_t last_items;
};

static void r_replace(void *ud, json_t *items, const char *rv)
{
	struct rec *r = ud;
	r->last_items = json_array_size(items);
	if (r->events < 64)
		snprintf(r->log[r->events], sizeof(r->log[0]), "LIST %zu @%s", json_array_size(items), rv);
	r->events++;
	r->replaces++;
}

static void r_event(void *ud, enum pn_watch_type t, json_t *obj)
{
	struct rec *r = ud;
	json_t *md = json_object_get(obj, "metadata");
	if (r->events < 64)
		snprintf(r->log[r->events], sizeof(r->log[0]), "%s %s %s", pn_watch_type_name(t),
			 json_string_value(json_object_get(md, "name")),
			 json_string_value(json_object_get(md, "resourceVersion")));
	r->events++;
}

static void r_error(void *ud, const char *what, int rc, const struct pn_kube_status *st)
{
	struct rec *r = ud;
	r->errors++;
	snprintf(r->last_error, sizeof(r->last_error), "%s: %d %s", what, rc, st->message);
}

static struct pn_watch *new_watch(struct env *e, struct rec *r, size_t max_line, double idle)
{
	struct pn_watch_opts o = { .res = &pn_kube_res_configmaps, .ns = "t", .page_size = 2,
				   .max_line = max_line, .idle_timeout = idle, .watch_timeout_s = 100,
				   .backoff = { 0.01, 0.05, 2, 0.1 } };
	struct pn_watch_handlers h = { NULL, r_replace, r_event, r_error, r };
	struct pn_watch *w = pn_watch_new(e->c, &o, &h);
	assert_non_null(w);
	assert_int_equal(pn_watch_start(w), 0);
	return w;
}

static void assert_req(struct env *e, size_t i, const char *needle)
{
	char line[2048];
	pn_faultsrv_req(e->srv, i, line, sizeof(line));
	if (!strstr(line, needle))
		fail_msg("request %zu is \"%s\", expected it to contain \"%s\"", i, line, needle);
}

#define OBJ(name, rv) "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" name "\",\"namespace\":\"t\",\"resourceVersion\":\"" rv "\"}}"
#define EV(type, name, rv) "{\"type\":\"" type "\",\"object\":" OBJ(name, rv) "}\n"
#define LIST(rv, items) "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":\"" rv "\"},\"items\":[" items "]}"
#define OK200 "200 OK"

/* ---- tests -------------------------------------------------------------------- */

static void unit__watch_events_split_at_every_byte__delivered_once_in_order(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", ""), 0, FS_END, 0 },
		{ OK200, NULL, EV("ADDED", "a", "11") EV("MODIFIED", "a", "12") "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"13\"}}}\n" EV("DELETED", "a", "14"),
		  1, FS_HANG, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 2, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0);
	run_until(&e, &r.events, 4, 10);
	assert_string_equal(r.log[0], "LIST 0 @10");
	assert_string_equal(r.log[1], "ADDED a 11");
	assert_string_equal(r.log[2], "MODIFIED a 12");
	assert_string_equal(r.log[3], "DELETED a 14");
	assert_int_equal(r.errors, 0);
	assert_string_equal(pn_watch_last_rv(w), "14");
	assert_req(&e, 0, "GET /api/v1/namespaces/t/configmaps?limit=2 ");
	assert_req(&e, 1, "watch=1&resourceVersion=10&allowWatchBookmarks=true&timeoutSeconds=100");
	struct pn_watch_stats st;
	pn_watch_get_stats(w, &st);
	assert_int_equal(st.bookmarks, 1);
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__list_paginated__continue_followed_items_joined(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":\"20\",\"continue\":\"tok/1\"},\"items\":[" OBJ("a", "5") "," OBJ("b", "6") "]}", 0, FS_END, 0 },
		{ OK200, NULL, LIST("20", OBJ("c", "7")), 0, FS_END, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 2, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0);
	run_until(&e, &r.replaces, 1, 10);
	assert_int_equal(r.last_items, 3);
	assert_string_equal(r.log[0], "LIST 3 @20");
	assert_req(&e, 1, "limit=2&continue=tok%2F1 ");
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__list_continue_expired_410__list_restarts_from_scratch(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":\"20\",\"continue\":\"old\"},\"items\":[" OBJ("a", "5") "]}", 0, FS_END, 0 },
		{ "410 Gone", NULL, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Expired\",\"message\":\"The provided continue parameter is too old\",\"code\":410}", 0, FS_END, 0 },
		{ OK200, NULL, LIST("30", OBJ("a", "5") "," OBJ("b", "25")), 0, FS_END, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 3, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0);
	run_until(&e, &r.replaces, 1, 10);
	assert_string_equal(r.log[0], "LIST 2 @30"); /* not 3: page one was dropped */
	assert_req(&e, 2, "configmaps?limit=2 ");
	struct pn_watch_stats st;
	pn_watch_get_stats(w, &st);
	assert_int_equal(st.relists, 1);
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__watch_oversized_line__dropped_and_resumed_from_last_rv(void **state)
{
	(void)state;
	static char big[2048];
	snprintf(big, sizeof(big), "%s{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"12\",\"annotations\":{\"x\":\"%0900d\"}}}}\n",
		 EV("ADDED", "a", "11"), 0);
	static struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", ""), 0, FS_END, 0 },
		{ OK200, NULL, NULL, 7, FS_HANG, 0 },
		{ OK200, NULL, EV("MODIFIED", "a", "13"), 0, FS_HANG, 0 },
	};
	steps[1].body = big;
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 3, 0);
	struct pn_watch *w = new_watch(&e, &r, 300, 0);
	run_until(&e, &r.events, 3, 10);
	assert_string_equal(r.log[1], "ADDED a 11");
	assert_string_equal(r.log[2], "MODIFIED a 13"); /* rv 12 never delivered */
	assert_req(&e, 2, "resourceVersion=11&");
	assert_true(r.errors >= 1);
	assert_non_null(strstr(r.last_error, "longer than 300"));
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__watch_truncated_stream__partial_dropped_resumed_exactly_once(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", ""), 0, FS_END, 0 },
		/* event 11 complete, then half of event 12, then the connection dies */
		{ OK200, NULL, EV("ADDED", "a", "11") "{\"type\":\"MODIFIED\",\"object\":{\"meta", 5, FS_TRUNCATE, 0 },
		{ OK200, NULL, EV("MODIFIED", "a", "12") EV("ADDED", "b", "13"), 0, FS_HANG, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 3, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0);
	run_until(&e, &r.events, 4, 10);
	assert_string_equal(r.log[1], "ADDED a 11");
	assert_string_equal(r.log[2], "MODIFIED a 12");
	assert_string_equal(r.log[3], "ADDED b 13");
	assert_req(&e, 2, "resourceVersion=11&");
	/* nothing more arrives: no duplicate */
	ev_run(e.loop, EVRUN_NOWAIT);
	assert_int_equal(r.events, 4);
	struct pn_watch_stats st;
	pn_watch_get_stats(w, &st);
	assert_int_equal(st.resumes, 1);
	assert_int_equal(st.relists, 0);
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__watch_clean_end__resumed_without_relist(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", ""), 0, FS_END, 0 },
		{ OK200, NULL, EV("ADDED", "a", "11"), 0, FS_END, 0 },
		{ OK200, NULL, "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"50\"}}}\n", 0, FS_END, 0 },
		{ OK200, NULL, EV("ADDED", "b", "51"), 0, FS_HANG, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 4, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0);
	run_until(&e, &r.events, 3, 10);
	assert_req(&e, 2, "resourceVersion=11&");
	assert_req(&e, 3, "resourceVersion=50&"); /* a bookmark moves the resume point */
	assert_string_equal(r.log[2], "ADDED b 51");
	assert_int_equal(r.replaces, 1);
	pn_watch_free(w);
	env_stop(&e);
}

struct inf_rec {
	int adds, updates, deletes, synced;
	char log[32][96];
	int n;
};

static void i_add(void *ud, json_t *o)
{
	struct inf_rec *r = ud;
	json_t *md = json_object_get(o, "metadata");
	snprintf(r->log[r->n++ % 32], 96, "add %s %s", json_string_value(json_object_get(md, "name")),
		 json_string_value(json_object_get(md, "resourceVersion")));
	r->adds++;
}

static void i_update(void *ud, json_t *old, json_t *o)
{
	struct inf_rec *r = ud;
	json_t *md = json_object_get(o, "metadata");
	snprintf(r->log[r->n++ % 32], 96, "update %s %s->%s", json_string_value(json_object_get(md, "name")),
		 json_string_value(json_object_get(json_object_get(old, "metadata"), "resourceVersion")),
		 json_string_value(json_object_get(md, "resourceVersion")));
	r->updates++;
}

static void i_delete(void *ud, json_t *o)
{
	struct inf_rec *r = ud;
	json_t *md = json_object_get(o, "metadata");
	snprintf(r->log[r->n++ % 32], 96, "delete %s", json_string_value(json_object_get(md, "name")));
	r->deletes++;
}

static void i_synced(void *ud)
{
	((struct inf_rec *)ud)->synced++;
}

static int by_label(void *ud, json_t *obj, json_t *vals)
{
	(void)ud;
	const char *v = json_string_value(json_object_get(json_object_get(json_object_get(obj, "metadata"), "labels"), "node"));
	if (v)
		json_array_append_new(vals, json_string(v));
	return 0;
}

#define LOBJ(name, rv, node) "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" name "\",\"namespace\":\"t\",\"resourceVersion\":\"" rv "\",\"labels\":{\"node\":\"" node "\"}},\"data\":{\"big\":\"dropped by the transform\"}}"

static json_t *keep_metadata(void *ud, json_t *obj)
{
	(void)ud;
	return json_pack("{s:O}", "metadata", json_object_get(obj, "metadata"));
}

static void unit__informer_410_mid_stream__relist_converges_with_diff_events(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", LOBJ("a", "5", "n1") "," LOBJ("b", "6", "n1") "," LOBJ("c", "7", "n2")), 0, FS_END, 0 },
		{ OK200, NULL, "{\"type\":\"MODIFIED\",\"object\":" LOBJ("a", "11", "n2") "}\n"
			       "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"too old resource version: 10 (40)\",\"reason\":\"Expired\",\"code\":410}}\n"
			       "{\"type\":\"MODIFIED\",\"object\":" LOBJ("c", "99", "n2") "}\n", 3, FS_HANG, 0 },
		/* relist: b gone, c changed, d new, a unchanged since rv 11 */
		{ OK200, NULL, LIST("40", LOBJ("a", "11", "n2") "," LOBJ("c", "30", "n1") "," LOBJ("d", "35", "n1")), 0, FS_END, 0 },
		{ OK200, NULL, NULL, 0, FS_HANG, 1 },
	};
	struct env e;
	struct inf_rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 4, 0);
	struct pn_informer_opts o = { .watch = { .res = &pn_kube_res_configmaps, .ns = "t",
						  .backoff = { 0.01, 0.05, 2, 0.1 } },
				      .transform = keep_metadata };
	struct pn_informer *inf = pn_informer_new(e.c, &o);
	struct pn_informer_handlers h = { i_add, i_update, i_delete, &r };
	assert_non_null(inf);
	assert_int_equal(pn_informer_add_index(inf, "node", by_label, NULL), 0);
	assert_int_equal(pn_informer_add_handlers(inf, &h), 0);
	assert_int_equal(pn_informer_on_synced(inf, i_synced, &r), 0);
	assert_int_equal(pn_informer_start(inf), 0);
	run_until(&e, &r.synced, 1, 10);
	assert_int_equal(r.adds, 3);
	assert_int_equal(json_object_size(pn_informer_by_index(inf, "node", "n1")), 2);
	/* the 4th request is the watch after the relist */
	int nreq = 0;
	while (nreq < 4) {
		ev_run(e.loop, EVRUN_ONCE);
		nreq = (int)pn_faultsrv_nreq(e.srv);
	}
	assert_req(&e, 2, "configmaps?limit=500 ");
	assert_req(&e, 3, "resourceVersion=40&");
	assert_int_equal(r.synced, 1);
	assert_string_equal(r.log[3], "update a 5->11");
	/* the event after the ERROR was never delivered; the relist diff follows */
	assert_int_equal(r.updates, 2);
	assert_int_equal(r.deletes, 1);
	assert_int_equal(r.adds, 4);
	assert_int_equal(pn_informer_count(inf), 3);
	assert_null(pn_informer_get(inf, "t", "b"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(pn_informer_get(inf, "t", "c"), "metadata"), "resourceVersion")), "30");
	assert_null(json_object_get(pn_informer_get(inf, "t", "c"), "data")); /* transform applied */
	json_t *n1 = pn_informer_by_index(inf, "node", "n1");
	assert_int_equal(json_object_size(n1), 2);
	assert_non_null(json_object_get(n1, "t/c"));
	assert_non_null(json_object_get(n1, "t/d"));
	assert_int_equal(json_object_size(pn_informer_by_index(inf, "node", "n2")), 1);
	struct pn_watch_stats st;
	pn_watch_get_stats(pn_informer_watch(inf), &st);
	assert_int_equal(st.relists, 1);
	pn_informer_free(inf);
	env_stop(&e);
}

static void unit__watch_garbage_line__stream_dropped_resumed(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, "<html>not json</html>", 0, FS_END, 0 },  /* LIST garbage: retried */
		{ OK200, NULL, LIST("10", ""), 0, FS_END, 0 },
		{ OK200, NULL, EV("ADDED", "a", "11") "}}garbage{{\n" EV("ADDED", "b", "12"), 0, FS_HANG, 0 },
		{ OK200, NULL, EV("ADDED", "b", "12"), 0, FS_HANG, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 4, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0);
	run_until(&e, &r.events, 3, 10);
	assert_string_equal(r.log[0], "LIST 0 @10");
	assert_string_equal(r.log[1], "ADDED a 11");
	assert_string_equal(r.log[2], "ADDED b 12");
	assert_req(&e, 3, "resourceVersion=11&");
	assert_int_equal(r.errors, 2); /* the LIST and the line */
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__watch_silent_stream__idle_timeout_resumes(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", ""), 0, FS_END, 0 },
		{ OK200, NULL, EV("ADDED", "a", "11"), 0, FS_HANG, 0 }, /* then silence */
		{ OK200, NULL, EV("ADDED", "b", "12"), 0, FS_HANG, 0 },
	};
	struct env e;
	struct rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 3, 0);
	struct pn_watch *w = new_watch(&e, &r, 0, 0.3);
	run_until(&e, &r.events, 3, 10);
	assert_string_equal(r.log[2], "ADDED b 12");
	assert_req(&e, 2, "resourceVersion=11&");
	assert_non_null(strstr(r.last_error, "no data"));
	pn_watch_free(w);
	env_stop(&e);
}

static void unit__request_429_retry_after__waits_then_succeeds(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "429 Too Many Requests", "Retry-After: 1\r\n", "{\"kind\":\"Status\",\"reason\":\"TooManyRequests\",\"code\":429}", 0, FS_END, 0 },
		{ "503 Service Unavailable", NULL, "{}", 0, FS_END, 0 },
		{ OK200, NULL, OBJ("a", "3"), 0, FS_END, 0 },
	};
	struct env e;
	struct pn_kube_status st;
	json_t *body = NULL;
	env_start(&e, steps, 3, 0);
	ev_now_update(e.loop);
	double t0 = ev_now(e.loop);
	assert_int_equal(pn_kube_call(e.c, "GET", "/api/v1/namespaces/t/configmaps/a", NULL, NULL, &body, &st), 0);
	ev_now_update(e.loop);
	assert_true(ev_now(e.loop) - t0 >= 0.95); /* honoured Retry-After */
	assert_string_equal(json_string_value(json_object_get(json_object_get(body, "metadata"), "name")), "a");
	struct pn_kube_client_stats cs;
	pn_kube_client_stats(e.c, &cs);
	assert_int_equal(cs.retries, 2);
	assert_int_equal(cs.http2, 0); /* plain HTTP/1.1 server */
	assert_int_equal(cs.connects, 3); /* it closes every connection */
	assert_int_equal(pn_faultsrv_nreq(e.srv), 3);
	json_decref(body);
	env_stop(&e);
}

static void unit__request_429_forever__ebusy_after_max_retries(void **state)
{
	(void)state;
#define S429 { "429 Too Many Requests", "Retry-After: 0\r\n", "{\"kind\":\"Status\",\"reason\":\"TooManyRequests\",\"message\":\"slow down\",\"code\":429}", 0, FS_END, 0 }
	static const struct pn_faultsrv_step steps[] = { S429, S429, S429, S429, S429 };
	struct env e;
	struct pn_kube_status st;
	env_start(&e, steps, 5, 0);
	assert_int_equal(pn_kube_call(e.c, "GET", "/api/v1/namespaces", NULL, NULL, NULL, &st), -PN_KUBE_ETOOMANY);
	assert_int_equal(pn_faultsrv_nreq(e.srv), 4); /* 1 + max_retries */
	assert_string_equal(st.reason, "TooManyRequests");
	assert_string_equal(st.message, "slow down");
	env_stop(&e);
}

/* An exec plugin's credential answered 401: the plugin runs again and the
 * request is sent once more with the new token; a second 401 is final. */
static void unit__exec_credential_401__plugin_rerun_once_request_resent(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "401 Unauthorized", NULL, "{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"code\":401}", 0, FS_END, 0 },
		{ OK200, NULL, OBJ("a", "3"), 0, FS_END, 0 },
		{ "401 Unauthorized", NULL, "{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"code\":401}", 0, FS_END, 0 },
		{ "401 Unauthorized", NULL, "{\"kind\":\"Status\",\"reason\":\"Unauthorized\",\"code\":401}", 0, FS_END, 0 },
	};
	struct pn_kube_client_opts o = { .qps = -1, .retry = { 0.01, 0.05, 2, 0.1 }, .max_retries = 3 };
	char dir[] = "/tmp/pn-kube-exec401-XXXXXX", p[300], kc[1200], auth[200], err[512], cmd[400];
	struct pn_kube_config *cfg = NULL;
	struct pn_kube_status st;
	json_t *body = NULL;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/plugin", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n"
	      "d=$(dirname \"$0\")\n"
	      "n=$(( $(cat \"$d/runs\" 2>/dev/null || echo 0) + 1 ))\n"
	      "echo $n >\"$d/runs\"\n"
	      "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	      "\"status\":{\"token\":\"tok-'$n'\"}}'\n", f);
	fclose(f);
	assert_int_equal(chmod(p, 0755), 0);
	struct pn_faultsrv *srv = pn_faultsrv_start(steps, 4);
	assert_non_null(srv);
	snprintf(kc, sizeof(kc),
		 "current-context: x\n"
		 "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:%d'}}]\n"
		 "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1,"
		 " command: ./plugin, interactiveMode: Never}}}]\n"
		 "contexts: [{name: x, context: {cluster: c, user: u}}]\n", pn_faultsrv_port(srv));
	snprintf(p, sizeof(p), "%s/kubeconfig", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(kc, f);
	fclose(f);
	assert_int_equal(pn_kube_config_load(p, NULL, &cfg, err, sizeof(err)), 0);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct pn_kube_client *c = pn_kube_client_new(loop, cfg, &o);
	assert_non_null(c);

	assert_int_equal(pn_kube_call(c, "GET", "/api/v1/namespaces/t/configmaps/a", NULL, NULL, &body, &st), 0);
	json_decref(body);
	assert_int_equal(pn_faultsrv_nreq(srv), 2);
	pn_faultsrv_req_auth(srv, 0, auth, sizeof(auth));
	assert_string_equal(auth, "Bearer tok-1");
	pn_faultsrv_req_auth(srv, 1, auth, sizeof(auth));
	assert_string_equal(auth, "Bearer tok-2");
	assert_int_equal(cfg->exec_runs, 2);
	/* 401 to the new credential too: run again once, then give up */
	assert_int_equal(pn_kube_call(c, "GET", "/api/v1/namespaces/t/configmaps/a", NULL, NULL, NULL, &st),
			 -PN_KUBE_EDENIED);
	assert_int_equal(st.http, 401);
	assert_int_equal(pn_faultsrv_nreq(srv), 4);
	pn_faultsrv_req_auth(srv, 3, auth, sizeof(auth));
	assert_string_equal(auth, "Bearer tok-3");
	assert_int_equal(cfg->exec_runs, 3);

	pn_kube_client_free(c);
	ev_loop_destroy(loop);
	pn_kube_config_free(cfg);
	pn_faultsrv_stop(srv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void unit__writes_status_errors__conflict_exists_notfound_distinct(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "409 Conflict", NULL, "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"Operation cannot be fulfilled on configmaps \\\"a\\\": the object has been modified\",\"reason\":\"Conflict\",\"code\":409}", 0, FS_END, 0 },
		{ "409 Conflict", NULL, "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"configmaps \\\"a\\\" already exists\",\"reason\":\"AlreadyExists\",\"code\":409}", 0, FS_END, 0 },
		{ "404 Not Found", NULL, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}", 0, FS_END, 0 },
		{ "422 Unprocessable Entity", NULL, "{\"kind\":\"Status\",\"reason\":\"Invalid\",\"message\":\"the test operation failed\",\"code\":422}", 0, FS_END, 0 },
		{ OK200, NULL, "{\"kind\":\"Status\",\"status\":\"Success\"}", 0, FS_END, 0 },
	};
	struct env e;
	struct pn_kube_sync s = PN_KUBE_SYNC_INIT;
	env_start(&e, steps, 5, 0);
	json_t *obj = json_pack("{s:{s:s,s:s}}", "metadata", "name", "a", "resourceVersion", "7");
	int r = pn_kube_update(e.c, &pn_kube_res_configmaps, "t", obj, NULL, pn_kube_sync_done, &s);
	assert_int_equal(pn_kube_sync_wait(e.c, &s, r), -PN_KUBE_ECONFLICT);
	assert_string_equal(s.st.reason, "Conflict");
	assert_int_equal(s.st.http, 409);
	assert_non_null(strstr(s.st.message, "has been modified"));
	pn_kube_sync_clear(&s);
	r = pn_kube_create(e.c, &pn_kube_res_configmaps, "t", obj, pn_kube_sync_done, &s);
	assert_int_equal(pn_kube_sync_wait(e.c, &s, r), -PN_KUBE_EEXISTS);
	pn_kube_sync_clear(&s);
	r = pn_kube_get(e.c, &pn_kube_res_configmaps, "t", "a", pn_kube_sync_done, &s);
	assert_int_equal(pn_kube_sync_wait(e.c, &s, r), -PN_KUBE_ENOTFOUND);
	pn_kube_sync_clear(&s);
	r = pn_kube_patch(e.c, &pn_kube_res_configmaps, "t", "a", NULL, PN_KUBE_PATCH_JSON,
			  "[{\"op\":\"test\",\"path\":\"/data/x\",\"value\":\"1\"}]", pn_kube_sync_done, &s);
	assert_int_equal(pn_kube_sync_wait(e.c, &s, r), -PN_KUBE_EINVALID);
	pn_kube_sync_clear(&s);
	r = pn_kube_delete(e.c, &pn_kube_res_configmaps, "t", "a", "uid-1", "7", pn_kube_sync_done, &s);
	assert_int_equal(pn_kube_sync_wait(e.c, &s, r), 0);
	pn_kube_sync_clear(&s);
	assert_req(&e, 0, "PUT /api/v1/namespaces/t/configmaps/a ");
	assert_req(&e, 1, "POST /api/v1/namespaces/t/configmaps ");
	assert_req(&e, 3, "PATCH /api/v1/namespaces/t/configmaps/a ");
	assert_req(&e, 4, "DELETE /api/v1/namespaces/t/configmaps/a ");
	char body[512];
	pn_faultsrv_req_body(e.srv, 0, body, sizeof(body));
	assert_non_null(strstr(body, "\"resourceVersion\":\"7\""));
	pn_faultsrv_req_body(e.srv, 4, body, sizeof(body));
	assert_non_null(strstr(body, "\"preconditions\":{\"uid\":\"uid-1\",\"resourceVersion\":\"7\"}"));
	json_decref(obj);
	env_stop(&e);
}

static void unit__response_over_body_cap__emsgsize(void **state)
{
	(void)state;
	static char big[5000];
	memset(big, ' ', sizeof(big) - 3);
	big[0] = '[';
	big[sizeof(big) - 3] = ']';
	static struct pn_faultsrv_step steps[] = { { OK200, NULL, NULL, 100, FS_END, 0 } };
	steps[0].body = big;
	struct env e;
	struct pn_kube_status st;
	env_start(&e, steps, 1, 1024);
	assert_int_equal(pn_kube_call(e.c, "GET", "/api/v1/pods", NULL, NULL, NULL, &st), -EMSGSIZE);
	env_stop(&e);
}

static void unit__connection_refused__retried_then_econnrefused(void **state)
{
	(void)state;
	struct env e;
	struct pn_kube_status st;
	env_start(&e, NULL, 0, 0);
	free(e.cfg->server);
	e.cfg->server = strdup("http://127.0.0.1:1");
	assert_int_equal(pn_kube_call(e.c, "GET", "/api", NULL, NULL, NULL, &st), -ECONNREFUSED);
	struct pn_kube_client_stats cs;
	pn_kube_client_stats(e.c, &cs);
	assert_int_equal(cs.retries, 3);
	env_stop(&e);
}

static void unit__path_building__escaped_and_grouped(void **state)
{
	(void)state;
	char p[256];
	assert_int_equal(pn_kube_path(p, sizeof(p), &pn_kube_res_leases, "kube-system", "podnet", NULL), 0);
	assert_string_equal(p, "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/podnet");
	assert_int_equal(pn_kube_path(p, sizeof(p), &pn_kube_res_pods, "a", "b", "status"), 0);
	assert_string_equal(p, "/api/v1/namespaces/a/pods/b/status");
	assert_int_equal(pn_kube_path(p, sizeof(p), &pn_kube_res_nodes, "ignored", NULL, NULL), 0);
	assert_string_equal(p, "/api/v1/nodes");
	assert_int_equal(pn_kube_query_add(p, sizeof(p), "fieldSelector", "spec.nodeName=n 1,a!=b"), 0);
	assert_string_equal(p, "/api/v1/nodes?fieldSelector=spec.nodeName%3Dn%201%2Ca%21%3Db");
	assert_int_equal(pn_kube_path(p, 10, &pn_kube_res_pods, "a", "b", NULL), -ENAMETOOLONG);
}

static void unit__events_repeated__one_create_then_count_patches(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "201 Created", NULL, "{\"kind\":\"Event\",\"metadata\":{\"name\":\"x\"}}", 0, FS_END, 0 },
		{ OK200, NULL, "{\"kind\":\"Event\"}", 0, FS_END, 0 },
		{ "201 Created", NULL, "{\"kind\":\"Event\"}", 0, FS_END, 0 },
	};
	struct env e;
	env_start(&e, steps, 3, 0);
	struct pn_kube_recorder *rec = pn_kube_recorder_new(e.c, "podnet-test", "node-1", 0);
	assert_non_null(rec);
	json_t *pod = json_pack("{s:s,s:s,s:{s:s,s:s,s:s}}", "apiVersion", "v1", "kind", "Pod",
				"metadata", "name", "p1", "namespace", "t", "uid", "u-1");
	assert_int_equal(pn_kube_recorder_event(rec, pod, "Warning", "NoPlan", "no plan yet"), 0);
	/* repeats while the create is in flight are folded into one patch */
	assert_int_equal(pn_kube_recorder_event(rec, pod, "Warning", "NoPlan", "no plan yet"), 0);
	assert_int_equal(pn_kube_recorder_event(rec, pod, "Warning", "NoPlan", "no plan yet"), 0);
	while (pn_kube_recorder_pending(rec))
		ev_run(e.loop, EVRUN_ONCE);
	assert_int_equal(pn_kube_recorder_event(rec, pod, "Normal", "Planned", "plan written"), 0);
	while (pn_kube_recorder_pending(rec))
		ev_run(e.loop, EVRUN_ONCE);
	struct pn_kube_recorder_stats st;
	pn_kube_recorder_get_stats(rec, &st);
	assert_int_equal(st.created, 2);
	assert_int_equal(st.patched, 1);
	assert_int_equal(st.failed, 0);
	char body[2048];
	assert_req(&e, 0, "POST /api/v1/namespaces/t/events ");
	pn_faultsrv_req_body(e.srv, 0, body, sizeof(body));
	assert_non_null(strstr(body, "\"count\":1"));
	assert_non_null(strstr(body, "\"involvedObject\":{"));
	assert_non_null(strstr(body, "\"uid\":\"u-1\""));
	assert_non_null(strstr(body, "\"reason\":\"NoPlan\""));
	assert_req(&e, 1, "PATCH /api/v1/namespaces/t/events/p1.");
	pn_faultsrv_req_body(e.srv, 1, body, sizeof(body));
	assert_non_null(strstr(body, "\"count\":3"));
	assert_non_null(strstr(body, "\"lastTimestamp\""));
	assert_req(&e, 2, "POST /api/v1/namespaces/t/events ");
	json_decref(pod);
	pn_kube_recorder_free(rec);
	env_stop(&e);
}

static double fake_now;
static double fake_clock(void)
{
	return fake_now;
}

/* A looping Pod: distinct failures beyond the burst are held back, repeats
 * of one failure fold into its count, and the count goes out once the
 * object's bucket has a token again; another Pod is not held back. */
static void unit__events_per_object_cap__held_back_then_count_carried(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "201 Created", NULL, "{\"kind\":\"Event\"}", 0, FS_END, 0 },
		{ OK200, NULL, "{\"kind\":\"Event\"}", 0, FS_END, 0 },
		{ "201 Created", NULL, "{\"kind\":\"Event\"}", 0, FS_END, 0 },
		{ OK200, NULL, "{\"kind\":\"Event\"}", 0, FS_END, 0 },
	};
	struct env e;
	char body[2048], msg[64];
	env_start(&e, steps, 4, 0);
	struct pn_kube_recorder *rec = pn_kube_recorder_new(e.c, "podnet-test", "node-1", 600);
	assert_non_null(rec);
	fake_now = 1000;
	pn_kube_recorder_set_clock(rec, fake_clock);
	pn_kube_recorder_set_limit(rec, 2, 60);
	json_t *p1 = json_pack("{s:s,s:s,s:{s:s,s:s,s:s}}", "apiVersion", "v1", "kind", "Pod",
			       "metadata", "name", "p1", "namespace", "t", "uid", "u-1");
	json_t *p2 = json_pack("{s:s,s:s,s:{s:s,s:s,s:s}}", "apiVersion", "v1", "kind", "Pod",
			       "metadata", "name", "p2", "namespace", "t", "uid", "u-2");
	/* five distinct failures, each three times: the first is created and
	 * its repeat patched (the burst of 2), the other 13 are held back */
	for (int i = 0; i < 5; i++) {
		snprintf(msg, sizeof(msg), "attach failed: try %d", i);
		for (int k = 0; k < 3; k++) {
			assert_int_equal(pn_kube_recorder_event(rec, p1, "Warning", "AttachFailed", msg), 0);
			while (pn_kube_recorder_pending(rec))
				ev_run(e.loop, EVRUN_ONCE);
		}
	}
	struct pn_kube_recorder_stats st;
	pn_kube_recorder_get_stats(rec, &st);
	assert_int_equal(st.created, 1);
	assert_int_equal(st.patched, 1);
	assert_int_equal(st.throttled, 13);
	/* another Pod has its own bucket */
	assert_int_equal(pn_kube_recorder_event(rec, p2, "Normal", "AddedInterface", "attached net1"), 0);
	while (pn_kube_recorder_pending(rec))
		ev_run(e.loop, EVRUN_ONCE);
	/* a minute later p1 may write once: the repeat carries the held-back
	 * count (3 + this one); the next distinct failure waits again */
	fake_now += 60;
	assert_int_equal(pn_kube_recorder_event(rec, p1, "Warning", "AttachFailed", "attach failed: try 0"), 0);
	while (pn_kube_recorder_pending(rec))
		ev_run(e.loop, EVRUN_ONCE);
	assert_int_equal(pn_kube_recorder_event(rec, p1, "Warning", "AttachFailed", "attach failed: try 4"), 0);
	pn_kube_recorder_get_stats(rec, &st);
	assert_int_equal(st.created, 2);
	assert_int_equal(st.patched, 2);
	assert_int_equal(st.throttled, 14);
	assert_int_equal(pn_faultsrv_nreq(e.srv), 4);
	assert_req(&e, 0, "POST /api/v1/namespaces/t/events ");
	assert_req(&e, 1, "PATCH /api/v1/namespaces/t/events/p1.");
	pn_faultsrv_req_body(e.srv, 1, body, sizeof(body));
	assert_non_null(strstr(body, "\"count\":2"));
	assert_req(&e, 2, "POST /api/v1/namespaces/t/events ");
	pn_faultsrv_req_body(e.srv, 2, body, sizeof(body));
	assert_non_null(strstr(body, "\"name\":\"p2\""));
	assert_req(&e, 3, "PATCH /api/v1/namespaces/t/events/p1.");
	pn_faultsrv_req_body(e.srv, 3, body, sizeof(body));
	assert_non_null(strstr(body, "\"count\":4"));
	json_decref(p1);
	json_decref(p2);
	pn_kube_recorder_free(rec);
	env_stop(&e);
}

static int ready_calls;

static void wq_ready(void *ud)
{
	struct pn_workqueue *q = ud;
	const char *k;
	while (pn_workqueue_get(q, &k) == 1) {
		ready_calls++;
		pn_workqueue_done(q, k);
	}
}

static void unit__workqueue_on_loop__ready_called_after_delay(void **state)
{
	(void)state;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct pn_workqueue_opts o = { .qps = -1 };
	struct pn_workqueue *q = pn_workqueue_new(loop, &o);
	ready_calls = 0;
	pn_workqueue_set_ready(q, wq_ready, q);
	ev_now_update(loop);
	double t0 = ev_now(loop);
	pn_workqueue_add_after(q, "a", 0.1);
	pn_workqueue_add(q, "b");
	while (ready_calls < 1)
		ev_run(loop, EVRUN_ONCE);
	assert_int_equal(ready_calls, 1); /* b at once */
	while (ready_calls < 2)
		ev_run(loop, EVRUN_ONCE);
	ev_now_update(loop);
	assert_true(ev_now(loop) - t0 >= 0.099);
	pn_workqueue_free(q);
	ev_loop_destroy(loop);
}

static void unit__informer_resync__every_object_redelivered_as_update(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LIST("10", OBJ("a", "5") "," OBJ("b", "6")), 0, FS_END, 0 },
		{ OK200, NULL, NULL, 0, FS_HANG, 1 },
	};
	struct env e;
	struct inf_rec r;
	memset(&r, 0, sizeof(r));
	env_start(&e, steps, 2, 0);
	struct pn_informer_opts o = { .watch = { .res = &pn_kube_res_configmaps, .ns = "t" }, .resync_period = 0.2 };
	struct pn_informer *inf = pn_informer_new(e.c, &o);
	struct pn_informer_handlers h = { i_add, i_update, i_delete, &r };
	pn_informer_add_handlers(inf, &h);
	pn_informer_start(inf);
	run_until(&e, &r.updates, 4, 10); /* two resyncs of two objects */
	assert_int_equal(r.adds, 2);
	assert_int_equal(r.deletes, 0);
	assert_string_equal(r.log[2], "update a 5->5");
	pn_informer_free(inf);
	env_stop(&e);
}

static int limited_ready;

static void wq_ready_one(void *ud)
{
	struct pn_workqueue *q = ud;
	const char *k;
	/* concurrency limit of one: take a key, finish it on the next call */
	if (pn_workqueue_processing(q) == 0 && pn_workqueue_get(q, &k) == 1) {
		limited_ready++;
		pn_workqueue_done(q, k);
	}
}

static void unit__workqueue_consumer_with_limit__offered_remaining_keys_again(void **state)
{
	(void)state;
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct pn_workqueue_opts o = { .qps = -1 };
	struct pn_workqueue *q = pn_workqueue_new(loop, &o);
	limited_ready = 0;
	pn_workqueue_add(q, "a");
	pn_workqueue_add(q, "b");
	pn_workqueue_add(q, "c");
	pn_workqueue_set_ready(q, wq_ready_one, q);
	for (int i = 0; i < 20 && limited_ready < 3; i++)
		ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(limited_ready, 3);
	pn_workqueue_free(q);
	ev_loop_destroy(loop);
}

struct lease_rec {
	int started, stopped;
};

static void l_started(void *ud)
{
	((struct lease_rec *)ud)->started++;
}

static void l_stopped(void *ud)
{
	((struct lease_rec *)ud)->stopped++;
}

#define LEASE_OBJ(holder, rv, renew) "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"l\",\"namespace\":\"t\",\"resourceVersion\":\"" rv "\"},\"spec\":{\"holderIdentity\":\"" holder "\",\"leaseDurationSeconds\":1,\"renewTime\":\"" renew "\"}}"

static struct pn_lease *new_lease(struct env *e, struct lease_rec *r)
{
	struct pn_lease_opts o = { .ns = "t", .name = "l", .identity = "me", .lease_duration = 0.6,
				   .renew_deadline = 0.3, .retry_period = 0.05,
				   .on_started = l_started, .on_stopped = l_stopped, .ud = r };
	struct pn_lease *l = pn_lease_new(e->c, &o);
	assert_non_null(l);
	assert_int_equal(pn_lease_start(l), 0);
	return l;
}

static void unit__lease_create_renew_then_other_holder__started_then_stopped(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "404 Not Found", NULL, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}", 0, FS_END, 0 },
		{ "201 Created", NULL, LEASE_OBJ("me", "1", "2026-01-01T00:00:00.000000Z"), 0, FS_END, 0 },
		{ OK200, NULL, LEASE_OBJ("me", "1", "2026-01-01T00:00:00.000000Z"), 0, FS_END, 0 },
		{ OK200, NULL, LEASE_OBJ("me", "2", "2026-01-01T00:00:01.000000Z"), 0, FS_END, 0 },
		{ OK200, NULL, LEASE_OBJ("other", "3", "2026-01-01T00:00:02.000000Z"), 0, FS_END, 0 },
	};
	struct env e;
	struct lease_rec r = { 0, 0 };
	env_start(&e, steps, 5, 0);
	struct pn_lease *l = new_lease(&e, &r);
	run_until(&e, &r.started, 1, 10);
	assert_true(pn_lease_is_leader(l));
	run_until(&e, &r.stopped, 1, 10);
	assert_false(pn_lease_is_leader(l));
	assert_string_equal(pn_lease_holder(l), "other");
	assert_int_equal(r.started, 1);
	assert_req(&e, 0, "GET /apis/coordination.k8s.io/v1/namespaces/t/leases/l ");
	assert_req(&e, 1, "POST /apis/coordination.k8s.io/v1/namespaces/t/leases ");
	assert_req(&e, 3, "PUT /apis/coordination.k8s.io/v1/namespaces/t/leases/l ");
	char body[2048];
	pn_faultsrv_req_body(e.srv, 1, body, sizeof(body));
	assert_non_null(strstr(body, "\"holderIdentity\":\"me\""));
	assert_non_null(strstr(body, "\"leaseTransitions\":0"));
	pn_faultsrv_req_body(e.srv, 3, body, sizeof(body));
	assert_non_null(strstr(body, "\"resourceVersion\":\"1\"")); /* the precondition */
	assert_non_null(strstr(body, "\"holderIdentity\":\"me\""));
	pn_lease_free(l);
	env_stop(&e);
}

static void unit__lease_renewals_hang__stopped_at_renew_deadline(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "404 Not Found", NULL, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}", 0, FS_END, 0 },
		{ "201 Created", NULL, LEASE_OBJ("me", "1", "2026-01-01T00:00:00.000000Z"), 0, FS_END, 0 },
		/* then every request hangs */
	};
	struct env e;
	struct lease_rec r = { 0, 0 };
	env_start(&e, steps, 2, 0);
	struct pn_lease *l = new_lease(&e, &r);
	run_until(&e, &r.started, 1, 10);
	ev_now_update(e.loop);
	double t0 = ev_now(e.loop);
	run_until(&e, &r.stopped, 1, 10);
	ev_now_update(e.loop);
	double dt = ev_now(e.loop) - t0;
	assert_false(pn_lease_is_leader(l));
	assert_true(dt >= 0.25); /* not before the renew deadline */
	pn_lease_free(l);
	env_stop(&e);
}

static void unit__lease_held_by_other_fresh__not_taken(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ OK200, NULL, LEASE_OBJ("other", "5", "2026-01-01T00:00:00.000000Z"), 0, FS_END, 0 },
		{ OK200, NULL, LEASE_OBJ("other", "6", "2026-01-01T00:00:01.000000Z"), 0, FS_END, 0 },
		{ OK200, NULL, LEASE_OBJ("other", "7", "2026-01-01T00:00:02.000000Z"), 0, FS_END, 0 },
	};
	struct env e;
	struct lease_rec r = { 0, 0 };
	env_start(&e, steps, 3, 0);
	struct pn_lease *l = new_lease(&e, &r);
	int n = 0;
	while (n < 4) {
		ev_run(e.loop, EVRUN_ONCE);
		n = (int)pn_faultsrv_nreq(e.srv);
	}
	/* the holder renewed each time we looked: only GETs, never a write */
	for (int i = 0; i < 3; i++)
		assert_req(&e, (size_t)i, "GET ");
	assert_int_equal(r.started, 0);
	assert_string_equal(pn_lease_holder(l), "other");
	pn_lease_free(l);
	env_stop(&e);
}

static void unit__lease_stop_while_leading__released_with_test_patch(void **state)
{
	(void)state;
	static const struct pn_faultsrv_step steps[] = {
		{ "404 Not Found", NULL, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}", 0, FS_END, 0 },
		{ "201 Created", NULL, LEASE_OBJ("me", "1", "2026-01-01T00:00:00.000000Z"), 0, FS_END, 0 },
		{ OK200, NULL, LEASE_OBJ("", "2", "2026-01-01T00:00:00.000000Z"), 0, FS_END, 0 },
	};
	struct env e;
	struct lease_rec r = { 0, 0 };
	env_start(&e, steps, 3, 0);
	struct pn_lease_opts o = { .ns = "t", .name = "l", .identity = "me", .lease_duration = 60,
				   .renew_deadline = 40, .retry_period = 30, .release_on_stop = 1,
				   .on_started = l_started, .on_stopped = l_stopped, .ud = &r };
	struct pn_lease *l = pn_lease_new(e.c, &o);
	pn_lease_start(l);
	run_until(&e, &r.started, 1, 10);
	pn_lease_stop(l);
	assert_int_equal(r.stopped, 1); /* at once, before the release is answered */
	assert_false(pn_lease_is_leader(l));
	while (pn_faultsrv_nreq(e.srv) < 3)
		ev_run(e.loop, EVRUN_ONCE);
	assert_req(&e, 2, "PATCH /apis/coordination.k8s.io/v1/namespaces/t/leases/l ");
	char body[1024];
	pn_faultsrv_req_body(e.srv, 2, body, sizeof(body));
	assert_string_equal(body, "[{\"op\":\"test\",\"path\":\"/spec/holderIdentity\",\"value\":\"me\"},"
				  "{\"op\":\"replace\",\"path\":\"/spec/holderIdentity\",\"value\":\"\"}]");
	pn_lease_free(l);
	env_stop(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__watch_events_split_at_every_byte__delivered_once_in_order),
		cmocka_unit_test(unit__list_paginated__continue_followed_items_joined),
		cmocka_unit_test(unit__list_continue_expired_410__list_restarts_from_scratch),
		cmocka_unit_test(unit__watch_oversized_line__dropped_and_resumed_from_last_rv),
		cmocka_unit_test(unit__watch_truncated_stream__partial_dropped_resumed_exactly_once),
		cmocka_unit_test(unit__watch_clean_end__resumed_without_relist),
		cmocka_unit_test(unit__informer_410_mid_stream__relist_converges_with_diff_events),
		cmocka_unit_test(unit__watch_garbage_line__stream_dropped_resumed),
		cmocka_unit_test(unit__watch_silent_stream__idle_timeout_resumes),
		cmocka_unit_test(unit__request_429_retry_after__waits_then_succeeds),
		cmocka_unit_test(unit__request_429_forever__ebusy_after_max_retries),
		cmocka_unit_test(unit__exec_credential_401__plugin_rerun_once_request_resent),
		cmocka_unit_test(unit__writes_status_errors__conflict_exists_notfound_distinct),
		cmocka_unit_test(unit__response_over_body_cap__emsgsize),
		cmocka_unit_test(unit__connection_refused__retried_then_econnrefused),
		cmocka_unit_test(unit__path_building__escaped_and_grouped),
		cmocka_unit_test(unit__events_repeated__one_create_then_count_patches),
		cmocka_unit_test(unit__events_per_object_cap__held_back_then_count_carried),
		cmocka_unit_test(unit__workqueue_on_loop__ready_called_after_delay),
		cmocka_unit_test(unit__informer_resync__every_object_redelivered_as_update),
		cmocka_unit_test(unit__lease_create_renew_then_other_holder__started_then_stopped),
		cmocka_unit_test(unit__lease_renewals_hang__stopped_at_renew_deadline),
		cmocka_unit_test(unit__lease_held_by_other_fresh__not_taken),
		cmocka_unit_test(unit__lease_stop_while_leading__released_with_test_patch),
		cmocka_unit_test(unit__workqueue_consumer_with_limit__offered_remaining_keys_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
