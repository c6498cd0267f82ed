/* Integration: single-object writes against the real API server.
 * - CREATE, then AlreadyExists on a second CREATE (-EEXIST, reason AlreadyExists);
 * - UPDATE with the current resourceVersion succeeds; with a stale one it is
 *   a 409 Conflict surfaced as -PN_KUBE_ECONFLICT, with the server's message;
 * - JSON patch whose "test" op fails is refused (-EINVAL, 422), one whose test
 *   holds is applied; merge patch; strategic merge patch;
 * - the status subresource: a Node's status is written through /status and a
 *   main-resource update does not change it;
 * - DELETE with a wrong uid precondition is a conflict, with the right one it
 *   deletes; GET afterwards is -ENOENT;
 * - Events: three identical events become one Event with count 3. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itcheck.h"
#include "itlib.h"
#include "kube/events.h"
#include "kube/ops.h"

static const char *rv_of(json_t *o)
{
	return json_string_value(json_object_get(json_object_get(o, "metadata"), "resourceVersion"));
}

static const char *data_of(json_t *o, const char *k)
{
	return json_string_value(json_object_get(json_object_get(o, "data"), k));
}

int main(void)
{
	struct it t;
	struct pn_kube_sync s = PN_KUBE_SYNC_INIT;
	int r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (it_setup(&t, "writes") < 0) {
		IT_CHECK(0, "namespace created");
		return it_done();
	}
	json_t *cm = json_pack("{s:s,s:s,s:{s:s},s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
			       "metadata", "name", "w1", "data", "a", "1");
	r = pn_kube_create(t.c, &pn_kube_res_configmaps, t.ns, cm, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0 && rv_of(s.body), "create: ConfigMap created (rv %s)", rv_of(s.body));
	json_t *v1 = json_incref(s.body);
	pn_kube_sync_clear(&s);

	r = pn_kube_create(t.c, &pn_kube_res_configmaps, t.ns, cm, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == -PN_KUBE_EEXISTS && !strcmp(s.st.reason, "AlreadyExists"),
		 "create again: -EEXIST, reason %s, \"%s\"", s.st.reason, s.st.message);
	pn_kube_sync_clear(&s);

	/* update with the current rv, then with the stale one */
	json_t *upd = json_deep_copy(v1);
	json_object_set_new(json_object_get(upd, "data"), "a", json_string("2"));
	r = pn_kube_update(t.c, &pn_kube_res_configmaps, t.ns, upd, NULL, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0 && !strcmp(data_of(s.body, "a"), "2"), "update with the current resourceVersion applied");
	pn_kube_sync_clear(&s);
	json_object_set_new(json_object_get(upd, "data"), "a", json_string("3"));
	r = pn_kube_update(t.c, &pn_kube_res_configmaps, t.ns, upd, NULL, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == -PN_KUBE_ECONFLICT && s.st.http == 409 && !strcmp(s.st.reason, "Conflict"),
		 "update with a stale resourceVersion: 409 Conflict as -ESTALE (\"%s\")", s.st.message);
	pn_kube_sync_clear(&s);

	r = pn_kube_patch(t.c, &pn_kube_res_configmaps, t.ns, "w1", NULL, PN_KUBE_PATCH_JSON,
			  "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"1\"},{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"9\"}]",
			  pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == -PN_KUBE_EINVALID && s.st.code == 422,
		 "JSON patch whose test fails: refused, %d %s (\"%s\")", s.st.code, s.st.reason, s.st.message);
	pn_kube_sync_clear(&s);
	r = pn_kube_patch(t.c, &pn_kube_res_configmaps, t.ns, "w1", NULL, PN_KUBE_PATCH_JSON,
			  "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"2\"},{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"4\"}]",
			  pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0 && !strcmp(data_of(s.body, "a"), "4"), "JSON patch whose test holds: applied");
	pn_kube_sync_clear(&s);
	r = pn_kube_patch(t.c, &pn_kube_res_configmaps, t.ns, "w1", NULL, PN_KUBE_PATCH_MERGE,
			  "{\"data\":{\"b\":\"x\",\"a\":null}}", pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0 && !data_of(s.body, "a") && !strcmp(data_of(s.body, "b"), "x"), "merge patch: set and removed keys");
	pn_kube_sync_clear(&s);
	r = pn_kube_patch(t.c, &pn_kube_res_configmaps, t.ns, "w1", NULL, PN_KUBE_PATCH_STRATEGIC,
			  "{\"metadata\":{\"labels\":{\"s\":\"1\"}}}", pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0 && json_object_get(json_object_get(json_object_get(s.body, "metadata"), "labels"), "s"),
		 "strategic merge patch applied");
	pn_kube_sync_clear(&s);

	/* status subresource on a Node (no kubelet: nobody else writes it) */
	char node[64];
	snprintf(node, sizeof(node), "pn-kube-it-node-%d", (int)getpid());
	json_t *no = json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "Node", "metadata", "name", node);
	r = pn_kube_create(t.c, &pn_kube_res_nodes, NULL, no, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	json_decref(no);
	pn_kube_sync_clear(&s);
	r = pn_kube_patch(t.c, &pn_kube_res_nodes, NULL, node, "status", PN_KUBE_PATCH_MERGE,
			  "{\"status\":{\"capacity\":{\"podnet.dev/nets\":\"3\"}}}", pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0, "status subresource: patch of nodes/%s/status accepted (%d)", node, r);
	pn_kube_sync_clear(&s);
	r = pn_kube_patch(t.c, &pn_kube_res_nodes, NULL, node, NULL, PN_KUBE_PATCH_MERGE,
			  "{\"metadata\":{\"labels\":{\"x\":\"y\"}},\"status\":{\"capacity\":{\"podnet.dev/nets\":\"7\"}}}",
			  pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	pn_kube_sync_clear(&s);
	r = pn_kube_get(t.c, &pn_kube_res_nodes, NULL, node, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	const char *cap = json_string_value(json_object_get(json_object_get(json_object_get(s.body, "status"), "capacity"), "podnet.dev/nets"));
	IT_CHECK(r == 0 && cap && !strcmp(cap, "3"), "status subresource: status kept its value, the main resource did not change it (%s)", cap ? cap : "none");
	pn_kube_sync_clear(&s);
	r = pn_kube_delete(t.c, &pn_kube_res_nodes, NULL, node, NULL, NULL, pn_kube_sync_done, &s);
	pn_kube_sync_wait(t.c, &s, r);
	pn_kube_sync_clear(&s);

	/* events */
	struct pn_kube_recorder *rec = pn_kube_recorder_new(t.c, "podnet-it", NULL, 0);
	for (int i = 0; i < 3; i++) {
		pn_kube_recorder_event(rec, v1, "Warning", "TestRepeat", "the same thing happened");
		it_run_for(&t, 0.3);
	}
	while (pn_kube_recorder_pending(rec))
		ev_run(t.loop, EVRUN_ONCE);
	char path[512];
	pn_kube_path(path, sizeof(path), &pn_kube_res_events, t.ns, NULL, NULL);
	pn_kube_query_add(path, sizeof(path), "fieldSelector", "reason=TestRepeat");
	json_t *evs = NULL;
	r = pn_kube_call(t.c, "GET", path, NULL, NULL, &evs, NULL);
	json_t *items = json_object_get(evs, "items");
	json_int_t cnt = json_integer_value(json_object_get(json_array_get(items, 0), "count"));
	IT_CHECK(r == 0 && json_array_size(items) == 1 && cnt == 3,
		 "events: three repeats stored as %zu Event(s) with count %lld", json_array_size(items), (long long)cnt);
	json_decref(evs);
	pn_kube_recorder_free(rec);

	/* delete with preconditions */
	r = pn_kube_delete(t.c, &pn_kube_res_configmaps, t.ns, "w1", "00000000-0000-0000-0000-000000000000", NULL,
			   pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == -PN_KUBE_ECONFLICT, "delete with a wrong uid precondition: conflict (%d, \"%s\")", r, s.st.message);
	pn_kube_sync_clear(&s);
	const char *uid = json_string_value(json_object_get(json_object_get(v1, "metadata"), "uid"));
	r = pn_kube_delete(t.c, &pn_kube_res_configmaps, t.ns, "w1", uid, NULL, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == 0, "delete with the right uid precondition: deleted");
	pn_kube_sync_clear(&s);
	r = pn_kube_get(t.c, &pn_kube_res_configmaps, t.ns, "w1", pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t.c, &s, r);
	IT_CHECK(r == -PN_KUBE_ENOTFOUND && !strcmp(s.st.reason, "NotFound"), "get after delete: -ENOENT NotFound");
	pn_kube_sync_clear(&s);

	struct pn_kube_client_stats cs;
	pn_kube_client_stats(t.c, &cs);
	IT_CHECK(cs.http2 == cs.requests && cs.connects <= 2,
		 "transport: %lu requests, %lu over HTTP/2, %lu connection(s) opened (the rest reused)",
		 cs.requests, cs.http2, cs.connects);

	json_decref(upd);
	json_decref(v1);
	json_decref(cm);
	it_teardown(&t);
	return it_done();
}
