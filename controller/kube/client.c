/* client.c: libcurl multi on libev; rate limit, retries, capped bodies.
 *
 * curl's multi socket API: curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to call it back on a timeout
 * (CURLMOPT_TIMERFUNCTION: -1 stops our timer, any other value re-arms it, 0
 * included). curl_multi_socket_action is only ever called from our libev
 * callbacks, never from inside a curl callback. Handles are added and removed
 * from libev callbacks too (curl refuses them from inside its callbacks), which
 * is why cancelling defers the removal to a zero timer. */
#include "kube/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/buf.h"

enum req_state { REQ_WAITING, REQ_ACTIVE, REQ_DONE };

struct pn_kube_req {
	struct pn_kube_client *c;
	struct pn_kube_req *prev, *next;
	enum req_state state;
	int cancelled;
	int stream;
	char *method;
	char *url;
	char *ctype;
	char *body;
	size_t body_len;
	CURL *easy;
	struct curl_slist *headers;
	struct pn_buf resp;
	long http;            /* status seen by the write callback */
	int retry_after;      /* seconds, -1 when absent */
	int abort_rc;         /* set by a data callback that aborted */
	unsigned attempt;
	unsigned long auth_gen; /* the exec credential sent, for a 401 */
	int auth_exec;          /* it came from an exec plugin */
	int auth_retried;       /* already sent again after a 401 */
	char auth_err[512];     /* why no credential could be had */
	ev_timer delay;       /* rate limit / backoff wait; deferred removal */
	ev_timer idle;        /* streams: last-activity pattern */
	double idle_timeout;
	double last_activity;
	pn_kube_done_fn done;
	pn_kube_data_fn data;
	void *ud;
};

struct sockinfo {
	ev_io io;
	curl_socket_t fd;
	struct pn_kube_client *c;
	struct sockinfo *prev, *next;
};

struct pn_kube_client {
	struct ev_loop *loop;
	struct pn_kube_config *cfg;
	struct pn_kube_client_opts o;
	char *user_agent;
	CURLM *multi;
	ev_timer timer;       /* curl's timeout */
	struct pn_ratelimit rl;
	struct pn_kube_req *reqs;
	struct sockinfo *socks;
	unsigned long long rnd;
	struct pn_kube_client_stats stats;
	int in_check;
};

const struct pn_kube_resource pn_kube_res_configmaps = { "", "v1", "configmaps", 1 };
const struct pn_kube_resource pn_kube_res_secrets = { "", "v1", "secrets", 1 };
const struct pn_kube_resource pn_kube_res_pods = { "", "v1", "pods", 1 };
const struct pn_kube_resource pn_kube_res_nodes = { "", "v1", "nodes", 0 };
const struct pn_kube_resource pn_kube_res_events = { "", "v1", "events", 1 };
const struct pn_kube_resource pn_kube_res_leases = { "coordination.k8s.io", "v1", "leases", 1 };
const struct pn_kube_resource pn_kube_res_namespaces = { "", "v1", "namespaces", 0 };

static void check_multi_info(struct pn_kube_client *c);
static void req_start(struct pn_kube_req *r);

/* ---- curl <-> libev --------------------------------------------------------- */

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sockinfo *si = w->data;
	struct pn_kube_client *c = si->c;
	int flags = 0, running = 0;
	(void)loop;
	if (revents & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (revents & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(c->multi, si->fd, flags, &running);
	check_multi_info(c);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_kube_client *c = w->data;
	int running = 0;
	(void)loop;
	(void)revents;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_multi_info(c);
}

static int curl_sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct pn_kube_client *c = userp;
	struct sockinfo *si = socketp;
	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (si) {
			ev_io_stop(c->loop, &si->io);
			if (si->prev)
				si->prev->next = si->next;
			else
				c->socks = si->next;
			if (si->next)
				si->next->prev = si->prev;
			free(si);
			curl_multi_assign(c->multi, s, NULL);
		}
		return 0;
	}
	if (!si) {
		si = calloc(1, sizeof(*si));
		if (!si)
			return -1;
		si->fd = s;
		si->c = c;
		si->next = c->socks;
		if (c->socks)
			c->socks->prev = si;
		c->socks = si;
		curl_multi_assign(c->multi, s, si);
	} else {
		ev_io_stop(c->loop, &si->io);
	}
	int ev = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	ev_io_init(&si->io, io_cb, s, ev);
	si->io.data = si;
	ev_io_start(c->loop, &si->io);
	return 0;
}

static int curl_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct pn_kube_client *c = userp;
	(void)m;
	ev_timer_stop(c->loop, &c->timer);
	if (timeout_ms >= 0) {
		ev_timer_set(&c->timer, (double)timeout_ms / 1000.0, 0.);
		ev_timer_start(c->loop, &c->timer);
	}
	return 0;
}

/* ---- requests ---------------------------------------------------------------- */

static void req_unlink(struct pn_kube_req *r)
{
	struct pn_kube_client *c = r->c;
	if (r->prev)
		r->prev->next = r->next;
	else if (c->reqs == r)
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

static void req_detach_easy(struct pn_kube_req *r)
{
	if (r->easy) {
		curl_multi_remove_handle(r->c->multi, r->easy);
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
	}
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

static void req_free(struct pn_kube_req *r)
{
	if (!r)
		return;
	ev_timer_stop(r->c->loop, &r->delay);
	ev_timer_stop(r->c->loop, &r->idle);
	req_detach_easy(r);
	req_unlink(r);
	pn_buf_free(&r->resp);
	free(r->method);
	free(r->url);
	free(r->ctype);
	free(r->body);
	free(r);
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct pn_kube_req *r = ud;
	size_t n = size * nmemb;
	if (r->cancelled)
		return 0;
	r->c->stats.bytes_in += n;
	if (r->stream) {
		r->last_activity = ev_now(r->c->loop);
		if (!r->http)
			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->http);
		if (r->http >= 200 && r->http < 300) {
			int rc = r->data ? r->data(r->ud, p, n) : 0;
			if (rc) {
				r->abort_rc = rc < 0 ? rc : -ECANCELED;
				return 0;
			}
			return n;
		}
	}
	if (pn_buf_append(&r->resp, p, n) < 0) {
		r->abort_rc = -EMSGSIZE;
		return 0;
	}
	return n;
}

static size_t header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct pn_kube_req *r = ud;
	size_t n = size * nmemb;
	static const char key[] = "retry-after:";
	if (n > sizeof(key) - 1 && strncasecmp(p, key, sizeof(key) - 1) == 0) {
		char v[64];
		size_t vl = n - (sizeof(key) - 1);
		if (vl >= sizeof(v))
			vl = sizeof(v) - 1;
		memcpy(v, p + sizeof(key) - 1, vl);
		v[vl] = '\0';
		int s = pn_retry_after_parse(v, r->c->o.max_retry_after);
		r->retry_after = s >= 0 ? s : -1;
	} else if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->retry_after = -1; /* a new response (redirect or 100 Continue) */
	}
	if (r->stream)
		r->last_activity = ev_now(r->c->loop);
	return n;
}

static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_kube_req *r = w->data;
	struct pn_kube_status st;
	(void)revents;
	double after = r->last_activity + r->idle_timeout - ev_now(loop);
	if (after > 0) {
		/* Activity since the timer was armed: sleep for the rest. */
		ev_timer_set(w, after, 0.);
		ev_timer_start(loop, w);
		return;
	}
	pn_kube_status_clear(&st);
	snprintf(st.message, sizeof(st.message), "no data for %.0f s", r->idle_timeout);
	pn_kube_done_fn done = r->done;
	void *ud = r->ud;
	req_free(r);
	if (done)
		done(ud, -ETIMEDOUT, &st, NULL);
}

static int req_build_easy(struct pn_kube_req *r)
{
	struct pn_kube_client *c = r->c;
	struct pn_kube_config *cfg = c->cfg;
	struct pn_kube_auth auth;
	CURL *e;
	char hdr[8192], *authz = NULL;
	int rc;

	/* The credential first: an exec plugin may have to run (this thread
	 * waits for it, as every request needs it anyway). */
	rc = pn_kube_config_auth(cfg, &auth, r->auth_err, sizeof(r->auth_err));
	if (rc < 0)
		return rc;
	r->auth_gen = auth.gen;
	r->auth_exec = auth.from_exec;
	e = curl_easy_init();
	if (!e) {
		pn_kube_auth_clear(&auth);
		return -ENOMEM;
	}
	r->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms);
	if (!c->o.no_compression)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (!r->stream)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->o.timeout_ms);
	if (cfg->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (cfg->ca_data) {
		struct curl_blob b = { cfg->ca_data, cfg->ca_data_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &b);
	} else if (cfg->ca_file) {
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
	}
	if (auth.cert) {
		/* an exec plugin's: copied, the cache may replace it meanwhile */
		struct curl_blob cb = { auth.cert, auth.cert_len, CURL_BLOB_COPY };
		struct curl_blob kb = { auth.key, auth.key_len, CURL_BLOB_COPY };
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (cfg->cert_data) {
		struct curl_blob b = { cfg->cert_data, cfg->cert_data_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &b);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
	} else if (cfg->cert_file) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, cfg->cert_file);
	}
	if (auth.cert) {
		/* set above */
	} else if (cfg->key_data) {
		struct curl_blob b = { cfg->key_data, cfg->key_data_len, CURL_BLOB_NOCOPY };
		curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &b);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	} else if (cfg->key_file) {
		curl_easy_setopt(e, CURLOPT_SSLKEY, cfg->key_file);
	}
	r->headers = curl_slist_append(NULL, "Accept: application/json");
	if (auth.token) {
		if (asprintf(&authz, "Authorization: Bearer %s", auth.token) < 0)
			authz = NULL;
		if (!authz) {
			pn_kube_auth_clear(&auth);
			return -ENOMEM;
		}
		r->headers = curl_slist_append(r->headers, authz);
		free(authz);
	}
	pn_kube_auth_clear(&auth);
	if (r->ctype) {
		snprintf(hdr, sizeof(hdr), "Content-Type: %s", r->ctype);
		r->headers = curl_slist_append(r->headers, hdr);
	}
	if (!r->headers)
		return -ENOMEM;
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	if (strcmp(r->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	} else if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
		   strcmp(r->method, "PATCH") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	return 0;
}

static void req_fail_now(struct pn_kube_req *r, int rc, const char *msg)
{
	struct pn_kube_status st;
	pn_kube_status_clear(&st);
	snprintf(st.message, sizeof(st.message), "%s", msg);
	pn_kube_done_fn done = r->done;
	void *ud = r->ud;
	req_free(r);
	if (done)
		done(ud, rc, &st, NULL);
}

static void delay_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pn_kube_req *r = w->data;
	(void)loop;
	(void)revents;
	if (r->cancelled) {
		req_free(r); /* deferred removal of a cancelled request */
		return;
	}
	req_start(r);
}

static void req_start(struct pn_kube_req *r)
{
	struct pn_kube_client *c = r->c;
	int rc;
	r->http = 0;
	r->retry_after = -1;
	r->abort_rc = 0;
	pn_buf_reset(&r->resp);
	r->auth_err[0] = '\0';
	rc = req_build_easy(r);
	if (rc < 0) {
		req_fail_now(r, rc, r->auth_err[0] ? r->auth_err : "cannot set up the request");
		return;
	}
	if (curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
		curl_easy_cleanup(r->easy);
		r->easy = NULL;
		req_fail_now(r, -EIO, "curl_multi_add_handle failed");
		return;
	}
	r->state = REQ_ACTIVE;
	c->stats.requests++;
	if (r->stream && r->idle_timeout > 0) {
		r->last_activity = ev_now(c->loop);
		ev_timer_set(&r->idle, r->idle_timeout, 0.);
		ev_timer_start(c->loop, &r->idle);
	}
}

/* Waits for a rate-limiter token (plus extra seconds), then starts. */
static void req_schedule(struct pn_kube_req *r, double extra)
{
	struct pn_kube_client *c = r->c;
	double wait = pn_ratelimit_reserve(&c->rl, ev_now(c->loop));
	if (wait > 0)
		c->stats.throttled++;
	if (extra > wait)
		wait = extra;
	r->state = REQ_WAITING;
	ev_timer_set(&r->delay, wait, 0.);
	ev_timer_start(c->loop, &r->delay);
}

static int curl_errno(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	case CURLE_WRITE_ERROR:
		return -ECANCELED;
	default:
		return -ECONNRESET;
	}
}

static int retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int retryable_http(long h)
{
	return h == 429 || h == 500 || h == 502 || h == 503 || h == 504;
}

static void req_finish(struct pn_kube_req *r, CURLcode cc)
{
	struct pn_kube_client *c = r->c;
	struct pn_kube_status st;
	json_t *body = NULL;
	json_error_t jerr;
	long http = 0;
	int rc = 0;

	pn_kube_status_clear(&st);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &http);
	long ver = 0, conns = 0;
	curl_easy_getinfo(r->easy, CURLINFO_HTTP_VERSION, &ver);
	curl_easy_getinfo(r->easy, CURLINFO_NUM_CONNECTS, &conns);
	if (ver == CURL_HTTP_VERSION_2_0)
		c->stats.http2++;
	c->stats.connects += (unsigned long)conns;
	req_detach_easy(r);
	ev_timer_stop(c->loop, &r->idle);
	if (r->cancelled) {
		req_free(r);
		return;
	}
	st.http = http;

	/* 401 to an exec plugin's credential: it may have been revoked or
	 * expired early; forget it and send the request once more, with a new
	 * one (client-go forgets it too). */
	if (cc == CURLE_OK && http == 401 && r->auth_exec && !r->auth_retried) {
		pn_kube_config_auth_reject(c->cfg, r->auth_gen);
		r->auth_retried = 1;
		req_schedule(r, 0);
		return;
	}

	if (!r->stream && r->attempt < (unsigned)c->o.max_retries &&
	    ((cc != CURLE_OK && retryable_curl(cc) && r->abort_rc == 0) ||
	     (cc == CURLE_OK && retryable_http(http)))) {
		double d = pn_backoff_delay(&c->o.retry, r->attempt, pn_kube_client_random(c));
		if (cc == CURLE_OK && r->retry_after >= 0)
			d = r->retry_after;
		r->attempt++;
		c->stats.retries++;
		req_schedule(r, d);
		return;
	}

	if (r->abort_rc) {
		rc = r->abort_rc;
		snprintf(st.message, sizeof(st.message), "aborted: %s", strerror(-rc));
	} else if (cc != CURLE_OK) {
		rc = curl_errno(cc);
		snprintf(st.message, sizeof(st.message), "%s", curl_easy_strerror(cc));
	} else {
		if (r->resp.len) {
			body = json_loadb(r->resp.data, r->resp.len, 0, &jerr);
			if (body)
				pn_kube_status_from_json(&st, body);
		}
		if (http >= 200 && http < 300) {
			if (r->resp.len && !body && !r->stream) {
				rc = -EBADMSG;
				snprintf(st.message, sizeof(st.message), "invalid JSON in response: %s", jerr.text);
			}
			st.code = (int)http; /* a 2xx Status body still means success */
		} else {
			if (!st.code)
				st.code = (int)http;
			if (!st.message[0] && r->resp.len)
				snprintf(st.message, sizeof(st.message), "%.*s",
					 (int)(r->resp.len > 200 ? 200 : r->resp.len), r->resp.data);
			rc = pn_kube_status_errno(&st);
		}
	}
	pn_kube_done_fn done = r->done;
	void *ud = r->ud;
	r->state = REQ_DONE;
	req_unlink(r);
	if (done)
		done(ud, rc, &st, rc == 0 ? body : NULL);
	json_decref(body);
	req_free(r);
}

static void check_multi_info(struct pn_kube_client *c)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct pn_kube_req *r = NULL;
		CURLcode cc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r)
			req_finish(r, cc);
	}
}

static struct pn_kube_req *req_new(struct pn_kube_client *c, const char *method, const char *path,
				   const char *ctype, const char *body, size_t body_len)
{
	struct pn_kube_req *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->c = c;
	pn_buf_init(&r->resp, c->o.max_body);
	ev_timer_init(&r->delay, delay_cb, 0., 0.);
	r->delay.data = r;
	ev_timer_init(&r->idle, idle_cb, 0., 0.);
	r->idle.data = r;
	r->method = strdup(method);
	if (asprintf(&r->url, "%s%s", c->cfg->server, path) < 0)
		r->url = NULL;
	if (ctype)
		r->ctype = strdup(ctype);
	if (body) {
		r->body = malloc(body_len + 1);
		if (r->body) {
			memcpy(r->body, body, body_len);
			r->body[body_len] = '\0';
		}
		r->body_len = body_len;
	}
	if (!r->method || !r->url || (ctype && !r->ctype) || (body && !r->body)) {
		free(r->method);
		free(r->url);
		free(r->ctype);
		free(r->body);
		free(r);
		return NULL;
	}
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	return r;
}

int pn_kube_request(struct pn_kube_client *c, const char *method, const char *path,
		    const char *content_type, const char *body, size_t body_len,
		    pn_kube_done_fn done, void *ud, struct pn_kube_req **out)
{
	struct pn_kube_req *r;
	if (!path || path[0] != '/')
		return -EINVAL;
	r = req_new(c, method, path, content_type, body, body_len);
	if (!r)
		return -ENOMEM;
	r->done = done;
	r->ud = ud;
	req_schedule(r, 0);
	if (out)
		*out = r;
	return 0;
}

int pn_kube_stream(struct pn_kube_client *c, const char *path, double idle_timeout,
		   pn_kube_data_fn data, pn_kube_done_fn done, void *ud,
		   struct pn_kube_req **out)
{
	struct pn_kube_req *r;
	if (!path || path[0] != '/')
		return -EINVAL;
	r = req_new(c, "GET", path, NULL, NULL, 0);
	if (!r)
		return -ENOMEM;
	r->stream = 1;
	r->idle_timeout = idle_timeout;
	r->data = data;
	r->done = done;
	r->ud = ud;
	req_schedule(r, 0);
	if (out)
		*out = r;
	return 0;
}

void pn_kube_req_cancel(struct pn_kube_req *r)
{
	if (!r || r->cancelled)
		return;
	r->cancelled = 1;
	r->done = NULL;
	r->data = NULL;
	ev_timer_stop(r->c->loop, &r->idle);
	ev_timer_stop(r->c->loop, &r->delay);
	if (r->state == REQ_WAITING) {
		req_free(r);
		return;
	}
	/* Possibly inside a curl callback: remove the handle from the loop. */
	ev_timer_set(&r->delay, 0., 0.);
	ev_timer_start(r->c->loop, &r->delay);
}

/* ---- client ------------------------------------------------------------------ */

static int curl_global_done;

struct pn_kube_client *pn_kube_client_new(struct ev_loop *loop, struct pn_kube_config *cfg,
					  const struct pn_kube_client_opts *opts)
{
	struct pn_kube_client *c;
	if (!curl_global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_global_done = 1;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->loop = loop;
	c->cfg = cfg;
	if (opts)
		c->o = *opts;
	if (c->o.qps == 0)
		c->o.qps = 50;
	if (c->o.burst <= 0)
		c->o.burst = 100;
	if (c->o.timeout_ms <= 0)
		c->o.timeout_ms = 30000;
	if (c->o.connect_timeout_ms <= 0)
		c->o.connect_timeout_ms = 10000;
	if (c->o.max_retries < 0)
		c->o.max_retries = 0;
	else if (c->o.max_retries == 0)
		c->o.max_retries = 5;
	if (c->o.max_body == 0)
		c->o.max_body = 64u << 20;
	if (c->o.retry.base <= 0)
		c->o.retry = (struct pn_backoff){ 0.2, 10.0, 2.0, 0.5 };
	if (c->o.max_retry_after <= 0)
		c->o.max_retry_after = 60;
	c->user_agent = strdup(c->o.user_agent ? c->o.user_agent : "podnet/0.1");
	c->o.user_agent = NULL;
	c->rnd = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32) ^
		 (unsigned long long)(uintptr_t)c;
	pn_ratelimit_init(&c->rl, c->o.qps, c->o.burst, ev_now(loop));
	c->multi = curl_multi_init();
	if (!c->multi || !c->user_agent) {
		pn_kube_client_free(c);
		return NULL;
	}
	ev_timer_init(&c->timer, timer_cb, 0., 0.);
	c->timer.data = c;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return c;
}

void pn_kube_client_free(struct pn_kube_client *c)
{
	if (!c)
		return;
	while (c->reqs)
		req_free(c->reqs);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	while (c->socks) {
		struct sockinfo *si = c->socks;
		c->socks = si->next;
		ev_io_stop(c->loop, &si->io);
		free(si);
	}
	ev_timer_stop(c->loop, &c->timer);
	free(c->user_agent);
	free(c);
}

struct ev_loop *pn_kube_client_loop(struct pn_kube_client *c)
{
	return c->loop;
}

const struct pn_kube_config *pn_kube_client_config(struct pn_kube_client *c)
{
	return c->cfg;
}

double pn_kube_client_random(struct pn_kube_client *c)
{
	/* xorshift64* */
	unsigned long long x = c->rnd ? c->rnd : 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rnd = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

void pn_kube_client_stats(struct pn_kube_client *c, struct pn_kube_client_stats *out)
{
	*out = c->stats;
}

struct call_state {
	int done;
	int rc;
	json_t *body;
	struct pn_kube_status st;
};

static void call_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct call_state *cs = ud;
	cs->done = 1;
	cs->rc = rc;
	cs->st = *st;
	cs->body = json_incref(body);
}

int pn_kube_call(struct pn_kube_client *c, const char *method, const char *path,
		 const char *content_type, const char *body, json_t **out,
		 struct pn_kube_status *st)
{
	struct call_state cs;
	int r;
	memset(&cs, 0, sizeof(cs));
	if (out)
		*out = NULL;
	r = pn_kube_request(c, method, path, content_type, body, body ? strlen(body) : 0,
			    call_done, &cs, NULL);
	if (r < 0)
		return r;
	while (!cs.done)
		ev_run(c->loop, EVRUN_ONCE);
	if (st)
		*st = cs.st;
	if (out)
		*out = cs.body;
	else
		json_decref(cs.body);
	return cs.rc;
}

/* ---- paths ------------------------------------------------------------------- */

static int escape_into(char *buf, size_t len, size_t *pos, const char *s, int query)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
			    ch == '~' || (!query && ch == ':');
		if (plain) {
			if (*pos + 1 >= len)
				return -ENAMETOOLONG;
			buf[(*pos)++] = (char)ch;
		} else {
			if (*pos + 3 >= len)
				return -ENAMETOOLONG;
			buf[(*pos)++] = '%';
			buf[(*pos)++] = hex[ch >> 4];
			buf[(*pos)++] = hex[ch & 15];
		}
	}
	buf[*pos] = '\0';
	return 0;
}

static int append_raw(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos + n >= len)
		return -ENAMETOOLONG;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int pn_kube_path(char *buf, size_t len, const struct pn_kube_resource *res,
		 const char *ns, const char *name, const char *sub)
{
	size_t pos = 0;
	int r;
	if (!len)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (res->group && *res->group) {
		if ((r = append_raw(buf, len, &pos, "/apis/")) < 0 ||
		    (r = append_raw(buf, len, &pos, res->group)) < 0 ||
		    (r = append_raw(buf, len, &pos, "/")) < 0)
			return r;
	} else if ((r = append_raw(buf, len, &pos, "/api/")) < 0) {
		return r;
	}
	if ((r = append_raw(buf, len, &pos, res->version)) < 0)
		return r;
	if (res->namespaced && ns && *ns) {
		if ((r = append_raw(buf, len, &pos, "/namespaces/")) < 0 ||
		    (r = escape_into(buf, len, &pos, ns, 0)) < 0)
			return r;
	}
	if ((r = append_raw(buf, len, &pos, "/")) < 0 ||
	    (r = append_raw(buf, len, &pos, res->resource)) < 0)
		return r;
	if (name && *name) {
		if ((r = append_raw(buf, len, &pos, "/")) < 0 ||
		    (r = escape_into(buf, len, &pos, name, 0)) < 0)
			return r;
		if (sub && *sub) {
			if ((r = append_raw(buf, len, &pos, "/")) < 0 ||
			    (r = append_raw(buf, len, &pos, sub)) < 0)
				return r;
		}
	}
	return 0;
}

int pn_kube_query_add(char *buf, size_t len, const char *key, const char *value)
{
	size_t pos = strlen(buf);
	int r;
	if ((r = append_raw(buf, len, &pos, strchr(buf, '?') ? "&" : "?")) < 0 ||
	    (r = escape_into(buf, len, &pos, key, 1)) < 0 ||
	    (r = append_raw(buf, len, &pos, "=")) < 0 ||
	    (r = escape_into(buf, len, &pos, value, 1)) < 0)
		return r;
	return 0;
}
