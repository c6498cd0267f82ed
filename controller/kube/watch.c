/* watch.c: the reflector: paginated LIST, then WATCH, resume and relist. */
#include "kube/watch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 4096

enum watch_phase { PH_IDLE, PH_LISTING, PH_WATCHING, PH_WAITING };

struct pn_watch {
	struct pn_kube_client *c;
	struct pn_watch_opts o;
	char *ns, *lsel, *fsel;
	struct pn_watch_handlers h;
	enum watch_phase phase;
	int running;
	struct pn_kube_req *req;
	json_t *items;           /* LIST pages accumulated */
	char *cont;              /* continue token */
	char rv[128];            /* last seen resourceVersion */
	int need_list;
	unsigned attempt;        /* backoff step */
	unsigned stream_events;  /* events in the current stream */
	struct pn_frame frame;
	int stream_rc;           /* why the data callback aborted */
	ev_timer retry;
	struct pn_watch_stats stats;
};

static void watch_list_page(struct pn_watch *w);
static void watch_open(struct pn_watch *w);

static void report(struct pn_watch *w, const char *what, int rc, const struct pn_kube_status *st)
{
	w->stats.errors++;
	if (w->h.error)
		w->h.error(w->h.ud, what, rc, st);
}

static int base_path(struct pn_watch *w, char *buf, size_t len)
{
	int r = pn_kube_path(buf, len, w->o.res, w->ns, NULL, NULL);
	if (r < 0)
		return r;
	if (w->lsel && (r = pn_kube_query_add(buf, len, "labelSelector", w->lsel)) < 0)
		return r;
	if (w->fsel && (r = pn_kube_query_add(buf, len, "fieldSelector", w->fsel)) < 0)
		return r;
	return 0;
}

/* Waits (backing off), then lists or watches again. */
static void schedule(struct pn_watch *w, int backoff)
{
	double d = 0;
	if (!w->running)
		return;
	if (backoff) {
		d = pn_backoff_delay(&w->o.backoff, w->attempt, pn_kube_client_random(w->c));
		if (w->attempt < 16)
			w->attempt++;
	}
	w->phase = PH_WAITING;
	ev_timer_stop(pn_kube_client_loop(w->c), &w->retry);
	ev_timer_set(&w->retry, d, 0.);
	ev_timer_start(pn_kube_client_loop(w->c), &w->retry);
}

static void retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct pn_watch *w = t->data;
	(void)loop;
	(void)revents;
	if (!w->running)
		return;
	if (w->need_list)
		watch_list_page(w);
	else
		watch_open(w);
}

static json_t *transform(struct pn_watch *w, json_t *obj)
{
	if (!w->h.transform)
		return json_incref(obj);
	return w->h.transform(w->h.ud, obj);
}

static void list_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_watch *w = ud;
	json_t *items, *it;
	size_t i;

	w->req = NULL;
	if (rc == -PN_KUBE_EGONE && w->cont) {
		/* The continue token expired: start the LIST again. */
		w->stats.relists++;
		report(w, "list continue expired", rc, st);
		free(w->cont);
		w->cont = NULL;
		json_array_clear(w->items);
		schedule(w, 0);
		return;
	}
	if (rc < 0) {
		report(w, "list", rc, st);
		free(w->cont);
		w->cont = NULL;
		json_array_clear(w->items);
		schedule(w, 1);
		return;
	}
	w->stats.pages++;
	items = json_object_get(body, "items");
	json_array_foreach(items, i, it) {
		json_t *t = transform(w, it);
		if (t)
			json_array_append_new(w->items, t);
	}
	json_t *md = json_object_get(body, "metadata");
	const char *cont = json_string_value(json_object_get(md, "continue"));
	const char *rv = json_string_value(json_object_get(md, "resourceVersion"));
	free(w->cont);
	w->cont = NULL;
	if (cont && *cont) {
		w->cont = strdup(cont);
		if (!w->cont) {
			json_array_clear(w->items);
			schedule(w, 1);
			return;
		}
		watch_list_page(w);
		return;
	}
	if (!rv || !*rv || strlen(rv) >= sizeof(w->rv)) {
		struct pn_kube_status s2;
		pn_kube_status_clear(&s2);
		snprintf(s2.message, sizeof(s2.message), "LIST without a usable resourceVersion");
		report(w, "list", -EBADMSG, &s2);
		json_array_clear(w->items);
		schedule(w, 1);
		return;
	}
	snprintf(w->rv, sizeof(w->rv), "%s", rv);
	w->need_list = 0;
	w->attempt = 0;
	w->stats.lists++;
	json_t *all = w->items;
	w->items = json_array();
	if (w->h.replace)
		w->h.replace(w->h.ud, all, w->rv);
	json_decref(all);
	if (!w->items) {
		w->need_list = 1;
		schedule(w, 1);
		return;
	}
	if (w->running && w->phase == PH_LISTING)
		watch_open(w);
}

static void watch_list_page(struct pn_watch *w)
{
	char path[PATH_MAX_LEN];
	char lim[32];
	int r;

	w->phase = PH_LISTING;
	w->need_list = 1;
	r = base_path(w, path, sizeof(path));
	snprintf(lim, sizeof(lim), "%d", w->o.page_size);
	if (r == 0)
		r = pn_kube_query_add(path, sizeof(path), "limit", lim);
	if (r == 0 && w->cont)
		r = pn_kube_query_add(path, sizeof(path), "continue", w->cont);
	if (r == 0)
		r = pn_kube_request(w->c, "GET", path, NULL, NULL, 0, list_done, w, &w->req);
	if (r < 0) {
		struct pn_kube_status st;
		pn_kube_status_clear(&st);
		report(w, "list request", r, &st);
		schedule(w, 1);
	}
}

static int on_line(void *ud, const char *line, size_t len)
{
	struct pn_watch *w = ud;
	struct pn_watch_event ev;
	int r = pn_watch_event_decode(line, len, &ev);
	if (r < 0) {
		struct pn_kube_status st;
		pn_kube_status_clear(&st);
		snprintf(st.message, sizeof(st.message), "undecodable watch line: %.*s",
			 (int)(len > 80 ? 80 : len), line);
		report(w, "watch decode", r, &st);
		return r;
	}
	switch (ev.type) {
	case PN_WATCH_ERROR:
		report(w, "watch ERROR event", pn_kube_status_errno(&ev.status), &ev.status);
		r = ev.status.code == 410 ? -PN_KUBE_EGONE : pn_kube_status_errno(&ev.status);
		if (r == 0)
			r = -EPROTO;
		break;
	case PN_WATCH_BOOKMARK:
		w->stats.bookmarks++;
		if (strlen(ev.rv) < sizeof(w->rv))
			snprintf(w->rv, sizeof(w->rv), "%s", ev.rv);
		break;
	default: {
		if (strlen(ev.rv) >= sizeof(w->rv)) {
			r = -EBADMSG;
			break;
		}
		snprintf(w->rv, sizeof(w->rv), "%s", ev.rv);
		w->stats.events++;
		w->stream_events++;
		json_t *t = transform(w, ev.object);
		if (t && w->h.event)
			w->h.event(w->h.ud, ev.type, t);
		json_decref(t);
		if (!w->running)
			r = -ECANCELED;
		break;
	}
	}
	pn_watch_event_clear(&ev);
	return r;
}

static int stream_data(void *ud, const char *p, size_t n)
{
	struct pn_watch *w = ud;
	int r = pn_frame_feed(&w->frame, p, n);
	if (r < 0 && r != -ECANCELED && w->running && r == -EMSGSIZE) {
		struct pn_kube_status st;
		pn_kube_status_clear(&st);
		snprintf(st.message, sizeof(st.message), "watch line longer than %zu bytes", w->o.max_line);
		report(w, "watch line", r, &st);
	}
	w->stream_rc = r;
	return r;
}

static void stream_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_watch *w = ud;
	(void)body;
	w->req = NULL;
	pn_frame_reset(&w->frame); /* a truncated line is dropped, never delivered */
	if (!w->running)
		return;
	if (w->stream_events)
		w->attempt = 0;
	if (rc == -PN_KUBE_EGONE) {
		w->stats.relists++;
		w->need_list = 1;
		schedule(w, 0);
		return;
	}
	w->stats.resumes++;
	if (rc == 0) {
		/* The server ended the watch (timeoutSeconds): resume at once. */
		schedule(w, 0);
		return;
	}
	if (w->stream_rc == 0)
		report(w, "watch", rc, st);
	schedule(w, 1);
}

static void watch_open(struct pn_watch *w)
{
	char path[PATH_MAX_LEN];
	char num[32];
	int r;

	w->phase = PH_WATCHING;
	w->stream_events = 0;
	w->stream_rc = 0;
	pn_frame_reset(&w->frame);
	int t = w->o.watch_timeout_s;
	if (t <= 0)
		t = 300 + (int)(pn_kube_client_random(w->c) * 300);
	r = base_path(w, path, sizeof(path));
	if (r == 0)
		r = pn_kube_query_add(path, sizeof(path), "watch", "1");
	if (r == 0)
		r = pn_kube_query_add(path, sizeof(path), "resourceVersion", w->rv);
	if (r == 0)
		r = pn_kube_query_add(path, sizeof(path), "allowWatchBookmarks", "true");
	snprintf(num, sizeof(num), "%d", t);
	if (r == 0)
		r = pn_kube_query_add(path, sizeof(path), "timeoutSeconds", num);
	if (r == 0)
		r = pn_kube_stream(w->c, path, w->o.idle_timeout, stream_data, stream_done, w, &w->req);
	if (r < 0) {
		struct pn_kube_status st;
		pn_kube_status_clear(&st);
		report(w, "watch request", r, &st);
		schedule(w, 1);
		return;
	}
	w->stats.watches++;
}

struct pn_watch *pn_watch_new(struct pn_kube_client *c, const struct pn_watch_opts *o,
			      const struct pn_watch_handlers *h)
{
	struct pn_watch *w;
	if (!o || !o->res)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->c = c;
	w->o = *o;
	if (h)
		w->h = *h;
	if (w->o.page_size <= 0)
		w->o.page_size = 500;
	if (w->o.idle_timeout <= 0)
		w->o.idle_timeout = 90;
	if (w->o.max_line == 0)
		w->o.max_line = 16u << 20;
	if (w->o.backoff.base <= 0)
		w->o.backoff = (struct pn_backoff){ 0.8, 30.0, 2.0, 1.0 };
	w->ns = o->ns && *o->ns ? strdup(o->ns) : NULL;
	w->lsel = o->label_selector && *o->label_selector ? strdup(o->label_selector) : NULL;
	w->fsel = o->field_selector && *o->field_selector ? strdup(o->field_selector) : NULL;
	w->o.ns = w->o.label_selector = w->o.field_selector = NULL;
	w->items = json_array();
	pn_frame_init(&w->frame, w->o.max_line, on_line, w);
	ev_timer_init(&w->retry, retry_cb, 0., 0.);
	w->retry.data = w;
	if (!w->items || (o->ns && *o->ns && !w->ns) ||
	    (o->label_selector && *o->label_selector && !w->lsel) ||
	    (o->field_selector && *o->field_selector && !w->fsel)) {
		pn_watch_free(w);
		return NULL;
	}
	return w;
}

int pn_watch_start(struct pn_watch *w)
{
	if (w->running)
		return -EALREADY;
	w->running = 1;
	w->need_list = 1;
	w->attempt = 0;
	watch_list_page(w);
	return 0;
}

void pn_watch_stop(struct pn_watch *w)
{
	if (!w)
		return;
	w->running = 0;
	w->phase = PH_IDLE;
	ev_timer_stop(pn_kube_client_loop(w->c), &w->retry);
	if (w->req) {
		pn_kube_req_cancel(w->req);
		w->req = NULL;
	}
	free(w->cont);
	w->cont = NULL;
	json_array_clear(w->items);
}

void pn_watch_free(struct pn_watch *w)
{
	if (!w)
		return;
	pn_watch_stop(w);
	pn_frame_free(&w->frame);
	json_decref(w->items);
	free(w->ns);
	free(w->lsel);
	free(w->fsel);
	free(w);
}

const char *pn_watch_last_rv(const struct pn_watch *w)
{
	return w->rv;
}

void pn_watch_get_stats(const struct pn_watch *w, struct pn_watch_stats *out)
{
	*out = w->stats;
}
