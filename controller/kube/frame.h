/* frame.h: the watch stream, parsed line by line whatever the chunk boundaries.
 * Pure: no I/O. A watch response is a sequence of JSON objects, one per line
 * ("{"type":"ADDED","object":{...}}\n"); the framer cuts lines, the decoder
 * turns one line into an event. */
#ifndef PN_KUBE_FRAME_H
#define PN_KUBE_FRAME_H

#include <stddef.h>
#include <jansson.h>

#include "kube/buf.h"
#include "kube/status.h"

/* Called for every complete, non-empty line (without its '\n' or '\r\n').
 * A non-zero return stops the feed and is returned by pn_frame_feed. */
typedef int (*pn_frame_line_fn)(void *ud, const char *line, size_t len);

struct pn_frame {
	struct pn_buf partial; /* bytes of the line not yet terminated */
	pn_frame_line_fn fn;
	void *ud;
};

void pn_frame_init(struct pn_frame *f, size_t max_line, pn_frame_line_fn fn, void *ud);
/* Feeds a chunk. -EMSGSIZE when a line exceeds max_line (the stream can not be
 * resynchronised: drop the connection). */
int pn_frame_feed(struct pn_frame *f, const char *p, size_t n);
/* Bytes of an unterminated line held back (a truncated stream leaves some). */
size_t pn_frame_pending(const struct pn_frame *f);
void pn_frame_reset(struct pn_frame *f);
void pn_frame_free(struct pn_frame *f);

enum pn_watch_type {
	PN_WATCH_ADDED = 1,
	PN_WATCH_MODIFIED,
	PN_WATCH_DELETED,
	PN_WATCH_BOOKMARK,
	PN_WATCH_ERROR,
};

struct pn_watch_event {
	enum pn_watch_type type;
	json_t *object;        /* owned; the object (or the Status for ERROR) */
	const char *rv;        /* metadata.resourceVersion inside object, or NULL */
	struct pn_kube_status status; /* for ERROR */
};

/* Decodes one line. -EBADMSG when it is not a watch event (garbage, unknown
 * type, missing object, an object without metadata.name for ADDED/MODIFIED/
 * DELETED, or without resourceVersion). On success ev->object is owned by the
 * caller: release it with pn_watch_event_clear. */
int pn_watch_event_decode(const char *line, size_t len, struct pn_watch_event *ev);
void pn_watch_event_clear(struct pn_watch_event *ev);
const char *pn_watch_type_name(enum pn_watch_type t);

#endif
