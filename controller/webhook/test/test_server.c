/* test_server.c — the HTTPS server on a loopback port, called by libcurl
 * with certificate verification: a review handed to the loop and answered
 * there, a scheduler filter request on its route, the probes, the body cap, and a certificate reload that takes
 * effect for the next connection. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "kube/test/metrics_dump.h"

#include "webhook/cert.h"
#include "webhook/review.h"
#include "webhook/server.h"

#define HOST "podnet-webhook.podnet-system.svc"

static const char *const names[] = { HOST };
static const struct pn_cert_policy pol = { names, 1, 86400, 3600, 0.33 };

struct call {
	/* in */
	const char *method, *path, *ca;
	char *body;
	size_t len;
	int port;
	/* out */
	long code;
	CURLcode rc;
	char resp[8192];
	size_t n;
	volatile int done;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
	struct call *c = ud;
	size_t n = sz * nm, room = sizeof(c->resp) - 1 - c->n;

	memcpy(c->resp + c->n, p, n < room ? n : room);
	c->n += n < room ? n : room;
	c->resp[c->n] = 0;
	return n;
}

static void *client(void *arg)
{
	struct call *c = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *res = NULL, *hdr = NULL;
	struct curl_blob ca = { (void *)c->ca, strlen(c->ca), CURL_BLOB_COPY };
	char url[256], r[128];

	snprintf(url, sizeof(url), "https://%s:%d%s", HOST, c->port, c->path);
	snprintf(r, sizeof(r), "%s:%d:127.0.0.1", HOST, c->port);
	res = curl_slist_append(res, r);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_RESOLVE, res);
	curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	if (c->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->len);
	}
	c->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->code);
	curl_slist_free_all(res);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	c->done = 1;
	return NULL;
}

static void poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct call *c = w->data;

	if (c->done)
		ev_break(loop, EVBREAK_ONE);
}

/* Runs the call on a thread while the loop serves. */
static void call(struct ev_loop *loop, struct call *c)
{
	pthread_t t;
	ev_timer tm;

	ev_timer_init(&tm, poll_cb, 0.01, 0.01);
	tm.data = c;
	ev_timer_start(loop, &tm);
	assert_int_equal(pthread_create(&t, NULL, client, c), 0);
	ev_run(loop, 0);
	pthread_join(t, NULL);
	ev_timer_stop(loop, &tm);
}

static int reviews, filters;

static void on_review(void *ud, struct pn_wh_job *job, const char *body, size_t len)
{
	struct pn_wh_review rv;
	char err[256];

	if (pn_wh_job_route(job) == PN_WH_ROUTE_FILTER) {
		filters++;
		pn_wh_job_answer(job, strdup("{\"NodeNames\":[],\"Error\":\"filtered\"}"));
		return;
	}
	reviews++;
	if (pn_wh_review_decode(body, len, &rv, err, sizeof(err)) < 0) {
		pn_wh_job_answer(job, pn_wh_review_answer(rv.uid, false, 400, err));
	} else {
		/* answered from the loop thread, after the decode */
		pn_wh_job_answer(job, pn_wh_review_answer(rv.uid, false, 403, "no: test"));
	}
	pn_wh_review_clear(&rv);
}

static void material(struct pn_cert_material *m)
{
	char err[256];

	memset(m, 0, sizeof(*m));
	assert_int_equal(pn_cert_apply(m, &pol, time(NULL), PN_CERT_NEW_CA | PN_CERT_NEW_SERVING,
				       err, sizeof(err)), 0);
}

static const char review_text[] =
	"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
	"{\"uid\":\"abc-1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
	"\"operation\":\"CREATE\",\"object\":{}}}";

static void unit__server__reviews_probes_cap_and_reload(void **state)
{
	struct ev_loop *loop = ev_loop_new(0);
	struct pn_cert_material a, b;
	struct pn_wh_server *s;
	struct pn_wh_server_stats st;
	char err[256];
	struct call c;

	(void)state;
	material(&a);
	material(&b);
	s = pn_wh_server_new(loop, "127.0.0.1:0", 5, on_review, NULL, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(pn_wh_server_load(s, a.tls_crt, a.tls_key, err, sizeof(err)), 0);

	/* a review: answered with its uid */
	c = (struct call){ .path = "/validate", .ca = a.ca_crt, .body = (char *)review_text,
			   .len = strlen(review_text), .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.rc, CURLE_OK);
	assert_int_equal(c.code, 200);
	assert_non_null(strstr(c.resp, "\"uid\":\"abc-1\""));
	assert_non_null(strstr(c.resp, "\"allowed\":false"));
	assert_non_null(strstr(c.resp, "no: test"));
	assert_int_equal(reviews, 1);

	/* a scheduler extender's filter: its own route to the same loop */
	c = (struct call){ .path = "/scheduler/filter", .ca = a.ca_crt, .body = (char *)"{}",
			   .len = 2, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.code, 200);
	assert_non_null(strstr(c.resp, "\"Error\":\"filtered\""));
	assert_int_equal(filters, 1);
	assert_int_equal(reviews, 1);
	c = (struct call){ .path = "/scheduler/prioritize", .ca = a.ca_crt, .body = (char *)"{}",
			   .len = 2, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.code, 404);

	/* probes */
	c = (struct call){ .path = "/healthz", .ca = a.ca_crt, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.code, 200);
	c = (struct call){ .path = "/readyz", .ca = a.ca_crt, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.code, 503);
	pn_wh_server_set_ready(s, 1);
	c = (struct call){ .path = "/readyz", .ca = a.ca_crt, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.code, 200);

	/* a body over the cap is refused before the loop sees it */
	c = (struct call){ .path = "/validate", .ca = a.ca_crt, .len = PN_WH_MAX_BODY + 10,
			   .port = pn_wh_server_port(s) };
	c.body = calloc(1, c.len);
	memset(c.body, ' ', c.len);
	call(loop, &c);
	free(c.body);
	assert_int_equal(c.code, 413);
	assert_int_equal(reviews, 1);

	/* reload: the new CA verifies, the old one no longer does */
	assert_int_equal(pn_wh_server_load(s, b.tls_crt, b.tls_key, err, sizeof(err)), 0);
	c = (struct call){ .path = "/validate", .ca = b.ca_crt, .body = (char *)review_text,
			   .len = strlen(review_text), .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.rc, CURLE_OK);
	assert_int_equal(c.code, 200);
	c = (struct call){ .path = "/healthz", .ca = a.ca_crt, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.rc, CURLE_PEER_FAILED_VERIFICATION);

	/* /metrics: every family with HELP and TYPE, the review counted */
	c = (struct call){ .path = "/metrics", .ca = b.ca_crt, .port = pn_wh_server_port(s) };
	call(loop, &c);
	assert_int_equal(c.code, 200);
	assert_non_null(strstr(c.resp, "# TYPE podnet_build_info gauge\n"));
	assert_non_null(strstr(c.resp, "component=\"webhook\"} 1\n"));
	assert_non_null(strstr(c.resp, "podnet_webhook_requests_total{route=\"validate\"} 2\n"));
	assert_non_null(strstr(c.resp, "podnet_webhook_request_duration_seconds_count{route=\"validate\"} 2\n"));
	pn_test_metrics_dump("webhook", c.resp);

	pn_wh_server_stats(s, &st);
	assert_int_equal(st.reviews, 2);
	assert_int_equal(st.filters, 1);
	assert_int_equal(st.too_big, 1);
	assert_int_equal(st.reloads, 2);
	pn_wh_server_free(s);
	pn_cert_material_clear(&a);
	pn_cert_material_clear(&b);
	ev_loop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__server__reviews_probes_cap_and_reload),
	};
	int r;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests_name("webhook_server", tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
