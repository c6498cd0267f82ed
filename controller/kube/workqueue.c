/* workqueue.c: dedup + processing/dirty sets + delays + rate limiting. */
#include "kube/workqueue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

struct delayed {
	char *key;
	double due;
};

struct pn_workqueue {
	struct ev_loop *loop;
	struct pn_workqueue_opts o;
	/* FIFO of ready keys (ring buffer of owned strings) */
	char **fifo;
	size_t head, len, cap;
	json_t *dirty;       /* key -> true: queued or to be requeued */
	json_t *processing;  /* key -> true */
	json_t *failures;    /* key -> integer */
	struct delayed *wait;
	size_t nwait, capwait;
	struct pn_ratelimit rl;
	double now;          /* without a loop */
	int shutting_down;
	ev_timer timer;      /* earliest delayed key */
	ev_timer kick;       /* ready notification */
	pn_workqueue_ready_fn ready;
	void *ready_ud;
};

static double q_now(struct pn_workqueue *q)
{
	return q->loop ? ev_now(q->loop) : q->now;
}

static void kick(struct pn_workqueue *q)
{
	if (q->loop && q->ready && q->len && !ev_is_active(&q->kick)) {
		ev_timer_set(&q->kick, 0., 0.);
		ev_timer_start(q->loop, &q->kick);
	}
}

static int fifo_push(struct pn_workqueue *q, const char *key)
{
	if (q->len == q->cap) {
		size_t nc = q->cap ? q->cap * 2 : 64;
		char **n = malloc(nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		for (size_t i = 0; i < q->len; i++)
			n[i] = q->fifo[(q->head + i) % q->cap];
		free(q->fifo);
		q->fifo = n;
		q->cap = nc;
		q->head = 0;
	}
	char *s = strdup(key);
	if (!s)
		return -ENOMEM;
	q->fifo[(q->head + q->len) % q->cap] = s;
	q->len++;
	return 0;
}

int pn_workqueue_add(struct pn_workqueue *q, const char *key)
{
	int r;
	if (q->shutting_down)
		return -ESHUTDOWN;
	if (json_object_get(q->dirty, key))
		return 0; /* already queued (or already marked for requeue) */
	if (json_object_size(q->dirty) >= q->o.max_len)
		return -ENOSPC;
	if (json_object_set_new(q->dirty, key, json_true()) < 0)
		return -ENOMEM;
	if (json_object_get(q->processing, key))
		return 0; /* done() will queue it */
	r = fifo_push(q, key);
	if (r < 0) {
		json_object_del(q->dirty, key);
		return r;
	}
	kick(q);
	return 0;
}

static void arm_timer(struct pn_workqueue *q)
{
	if (!q->loop)
		return;
	ev_timer_stop(q->loop, &q->timer);
	if (!q->nwait)
		return;
	double first = q->wait[0].due;
	for (size_t i = 1; i < q->nwait; i++)
		if (q->wait[i].due < first)
			first = q->wait[i].due;
	double d = first - ev_now(q->loop);
	ev_timer_set(&q->timer, d > 0 ? d : 0., 0.);
	ev_timer_start(q->loop, &q->timer);
}

static void move_due(struct pn_workqueue *q, double now)
{
	size_t i = 0;
	while (i < q->nwait) {
		if (q->wait[i].due <= now) {
			char *k = q->wait[i].key;
			q->wait[i] = q->wait[--q->nwait];
			pn_workqueue_add(q, k);
			free(k);
		} else {
			i++;
		}
	}
}

int pn_workqueue_add_after(struct pn_workqueue *q, const char *key, double delay)
{
	if (q->shutting_down)
		return -ESHUTDOWN;
	if (delay <= 0)
		return pn_workqueue_add(q, key);
	double due = q_now(q) + delay;
	for (size_t i = 0; i < q->nwait; i++) {
		if (strcmp(q->wait[i].key, key) == 0) {
			if (due < q->wait[i].due) {
				q->wait[i].due = due;
				arm_timer(q);
			}
			return 0;
		}
	}
	if (q->nwait >= q->o.max_len)
		return -ENOSPC;
	if (q->nwait == q->capwait) {
		size_t nc = q->capwait ? q->capwait * 2 : 16;
		struct delayed *n = realloc(q->wait, nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		q->wait = n;
		q->capwait = nc;
	}
	q->wait[q->nwait].key = strdup(key);
	if (!q->wait[q->nwait].key)
		return -ENOMEM;
	q->wait[q->nwait].due = due;
	q->nwait++;
	arm_timer(q);
	return 0;
}

int pn_workqueue_add_rate_limited(struct pn_workqueue *q, const char *key)
{
	json_t *f = json_object_get(q->failures, key);
	json_int_t n = f ? json_integer_value(f) : 0;
	double d1 = pn_backoff_delay(&q->o.item_backoff, (unsigned)(n > 64 ? 64 : n), 0);
	double d2 = pn_ratelimit_reserve(&q->rl, q_now(q));
	json_object_set_new(q->failures, key, json_integer(n + 1));
	return pn_workqueue_add_after(q, key, d1 > d2 ? d1 : d2);
}

void pn_workqueue_forget(struct pn_workqueue *q, const char *key)
{
	json_object_del(q->failures, key);
}

unsigned pn_workqueue_requeues(struct pn_workqueue *q, const char *key)
{
	json_t *f = json_object_get(q->failures, key);
	return f ? (unsigned)json_integer_value(f) : 0;
}

int pn_workqueue_get(struct pn_workqueue *q, const char **key)
{
	*key = NULL;
	if (q->shutting_down)
		return -ESHUTDOWN;
	if (!q->len)
		return 0;
	char *s = q->fifo[q->head];
	q->head = (q->head + 1) % q->cap;
	q->len--;
	json_object_del(q->dirty, s);
	if (json_object_set_new(q->processing, s, json_true()) < 0) {
		free(s);
		return -ENOMEM;
	}
	/* Hand out the store's own copy of the key, valid until done(). */
	*key = json_object_iter_key(json_object_iter_at(q->processing, s));
	free(s);
	return 1;
}

void pn_workqueue_done(struct pn_workqueue *q, const char *key)
{
	char *k = strdup(key); /* key may point into the processing set */
	if (!k)
		return;
	json_object_del(q->processing, k);
	if (json_object_get(q->dirty, k) && !q->shutting_down) {
		if (fifo_push(q, k) < 0)
			json_object_del(q->dirty, k);
	}
	free(k);
	/* A consumer that stopped taking keys (a concurrency limit) is told again. */
	kick(q);
}

void pn_workqueue_shutdown(struct pn_workqueue *q)
{
	q->shutting_down = 1;
	if (q->loop) {
		ev_timer_stop(q->loop, &q->timer);
		ev_timer_stop(q->loop, &q->kick);
	}
}

size_t pn_workqueue_len(const struct pn_workqueue *q)
{
	return q->len;
}

size_t pn_workqueue_waiting(const struct pn_workqueue *q)
{
	return q->nwait;
}

size_t pn_workqueue_processing(const struct pn_workqueue *q)
{
	return json_object_size(q->processing);
}

void pn_workqueue_set_time(struct pn_workqueue *q, double now)
{
	q->now = now;
	move_due(q, now);
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct pn_workqueue *q = t->data;
	(void)revents;
	move_due(q, ev_now(loop));
	arm_timer(q);
}

static void kick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct pn_workqueue *q = t->data;
	(void)loop;
	(void)revents;
	if (q->ready && q->len && !q->shutting_down)
		q->ready(q->ready_ud);
}

struct pn_workqueue *pn_workqueue_new(struct ev_loop *loop, const struct pn_workqueue_opts *o)
{
	struct pn_workqueue *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->loop = loop;
	if (o)
		q->o = *o;
	if (q->o.item_backoff.base <= 0)
		q->o.item_backoff = (struct pn_backoff){ 0.005, 1000.0, 2.0, 0.0 };
	if (q->o.qps == 0)
		q->o.qps = 10;
	if (q->o.burst <= 0)
		q->o.burst = 100;
	if (!q->o.max_len)
		q->o.max_len = 1000000;
	pn_ratelimit_init(&q->rl, q->o.qps, q->o.burst, loop ? ev_now(loop) : 0);
	q->dirty = json_object();
	q->processing = json_object();
	q->failures = json_object();
	ev_timer_init(&q->timer, timer_cb, 0., 0.);
	q->timer.data = q;
	ev_timer_init(&q->kick, kick_cb, 0., 0.);
	q->kick.data = q;
	if (!q->dirty || !q->processing || !q->failures) {
		pn_workqueue_free(q);
		return NULL;
	}
	return q;
}

void pn_workqueue_set_ready(struct pn_workqueue *q, pn_workqueue_ready_fn fn, void *ud)
{
	q->ready = fn;
	q->ready_ud = ud;
	kick(q);
}

void pn_workqueue_free(struct pn_workqueue *q)
{
	if (!q)
		return;
	if (q->loop) {
		ev_timer_stop(q->loop, &q->timer);
		ev_timer_stop(q->loop, &q->kick);
	}
	for (size_t i = 0; i < q->len; i++)
		free(q->fifo[(q->head + i) % q->cap]);
	free(q->fifo);
	for (size_t i = 0; i < q->nwait; i++)
		free(q->wait[i].key);
	free(q->wait);
	json_decref(q->dirty);
	json_decref(q->processing);
	json_decref(q->failures);
	free(q);
}
