/* watch.h: LIST then WATCH one resource, with client-go's reflector semantics.
 *
 * - LIST in pages (limit/continue); an expired continue token (410) restarts
 *   the LIST from the beginning.
 * - WATCH from the LIST's resourceVersion with allowWatchBookmarks; the stream
 *   is framed line by line whatever the chunk boundaries; each line is capped.
 * - The last resourceVersion seen (events and bookmarks) is where a dropped or
 *   ended watch resumes; 410 Gone (as a response or as an ERROR event inside
 *   the stream) means relist.
 * - A stream silent for idle_timeout seconds is dropped and resumed.
 * - Failures back off exponentially with jitter; success resets the backoff.
 *
 * Callbacks run on the loop; they may stop the watch but not free it. */
#ifndef PN_KUBE_WATCH_H
#define PN_KUBE_WATCH_H

#include "kube/client.h"
#include "kube/frame.h"

struct pn_watch_opts {
	const struct pn_kube_resource *res;
	const char *ns;              /* NULL or "": all namespaces */
	const char *label_selector;  /* may be NULL */
	const char *field_selector;  /* may be NULL */
	int page_size;               /* default 500 */
	double idle_timeout;         /* default 90 s (bookmarks come every minute) */
	int watch_timeout_s;         /* server-side timeoutSeconds; default 300..600 random */
	size_t max_line;             /* default 16 MiB */
	struct pn_backoff backoff;   /* default 0.8 s doubling to 30 s, jitter 1.0 */
};

struct pn_watch_handlers {
	/* Optional: keeps what matters of an object; returns a new reference
	 * (possibly obj itself with json_incref, after deleting fields). */
	json_t *(*transform)(void *ud, json_t *obj);
	/* A complete LIST (transformed items, borrowed) at resourceVersion rv:
	 * the receiver replaces its whole state with it. */
	void (*replace)(void *ud, json_t *items, const char *rv);
	/* One ADDED/MODIFIED/DELETED event (object transformed, borrowed). */
	void (*event)(void *ud, enum pn_watch_type type, json_t *obj);
	/* Informational: something failed and will be retried (for logging). */
	void (*error)(void *ud, const char *what, int rc, const struct pn_kube_status *st);
	void *ud;
};

struct pn_watch_stats {
	unsigned long lists;       /* complete LISTs */
	unsigned long pages;
	unsigned long relists;     /* LISTs forced by 410 */
	unsigned long watches;     /* WATCH requests started */
	unsigned long resumes;     /* WATCHes resumed from the last RV after an end or error */
	unsigned long events;
	unsigned long bookmarks;
	unsigned long errors;      /* failed requests, bad lines, ERROR events */
};

struct pn_watch;

struct pn_watch *pn_watch_new(struct pn_kube_client *c, const struct pn_watch_opts *o,
			      const struct pn_watch_handlers *h);
int pn_watch_start(struct pn_watch *w);
void pn_watch_stop(struct pn_watch *w);
void pn_watch_free(struct pn_watch *w);
/* The resourceVersion the next WATCH would start from ("" before a LIST). */
const char *pn_watch_last_rv(const struct pn_watch *w);
void pn_watch_get_stats(const struct pn_watch *w, struct pn_watch_stats *out);

#endif
