/* workqueue.h: client-go's work queue semantics for string keys.
 *
 * - add() deduplicates: a key waiting in the queue is not queued twice.
 * - get() moves a key to "processing"; while it is processing, an add() only
 *   marks it dirty, and done() queues it again, so a key is never handled
 *   twice at once and a change that arrives meanwhile is not lost.
 * - add_after() queues after a delay (a key waiting twice keeps the earlier
 *   time); add_rate_limited() waits max(per-key exponential backoff, overall
 *   token bucket); forget() resets the key's backoff.
 *
 * Time: with a libev loop the queue uses ev_now() and its own timer; with a
 * NULL loop (tests) time only moves with pn_workqueue_set_time(). */
#ifndef PN_KUBE_WORKQUEUE_H
#define PN_KUBE_WORKQUEUE_H

#include <ev.h>
#include <stddef.h>

#include "kube/ratelimit.h"

struct pn_workqueue_opts {
	struct pn_backoff item_backoff; /* default 5 ms doubling to 1000 s, no jitter */
	double qps;                     /* overall limit of rate-limited adds; default 10 */
	int burst;                      /* default 100 */
	size_t max_len;                 /* refuse new keys beyond this; default 1,000,000 */
};

/* Called (from the loop, never inside add()) when keys are ready to get():
 * after adds, after delays expire, and after done() while keys wait. Take
 * with get() as many as wanted; the rest are offered again later. */
typedef void (*pn_workqueue_ready_fn)(void *ud);

struct pn_workqueue;

struct pn_workqueue *pn_workqueue_new(struct ev_loop *loop, const struct pn_workqueue_opts *o);
void pn_workqueue_free(struct pn_workqueue *q);
void pn_workqueue_set_ready(struct pn_workqueue *q, pn_workqueue_ready_fn fn, void *ud);

int pn_workqueue_add(struct pn_workqueue *q, const char *key);
int pn_workqueue_add_after(struct pn_workqueue *q, const char *key, double delay);
int pn_workqueue_add_rate_limited(struct pn_workqueue *q, const char *key);
void pn_workqueue_forget(struct pn_workqueue *q, const char *key);
unsigned pn_workqueue_requeues(struct pn_workqueue *q, const char *key);

/* Takes the next key: returns 1 and sets *key (valid until done()), 0 when
 * nothing is ready, -ESHUTDOWN after shutdown. */
int pn_workqueue_get(struct pn_workqueue *q, const char **key);
void pn_workqueue_done(struct pn_workqueue *q, const char *key);
/* Refuses further adds; get() drains nothing more. */
void pn_workqueue_shutdown(struct pn_workqueue *q);

size_t pn_workqueue_len(const struct pn_workqueue *q);      /* ready keys */
size_t pn_workqueue_waiting(const struct pn_workqueue *q);  /* delayed keys */
size_t pn_workqueue_processing(const struct pn_workqueue *q);

/* Tests without a loop: sets the clock and moves due delayed keys. */
void pn_workqueue_set_time(struct pn_workqueue *q, double now);

#endif
