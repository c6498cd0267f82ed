/* events.h: Kubernetes Events (core v1) about objects, with repeats
 * aggregated: the same (object, type, reason, message) within the window
 * updates the existing Event's count and lastTimestamp instead of creating a
 * new one. Writes about one object are rate-capped (a token bucket per
 * involved object, like kube's EventSourceObjectSpamFilter): an occurrence
 * beyond the cap is counted, and its count goes out with the object's next
 * allowed write. Sending is asynchronous and best effort (failures are
 * counted). */
#ifndef PN_KUBE_EVENTS_H
#define PN_KUBE_EVENTS_H

#include "kube/client.h"

struct pn_kube_recorder;

struct pn_kube_recorder_stats {
	unsigned long created, patched, failed;
	unsigned long throttled; /* writes held back by the per-object cap */
};

/* component: reportingComponent/source.component ("podnet-controller");
 * host: source.host (may be NULL). window: seconds a repeat is aggregated
 * (default 600). */
struct pn_kube_recorder *pn_kube_recorder_new(struct pn_kube_client *c, const char *component,
					      const char *host, double window);
void pn_kube_recorder_free(struct pn_kube_recorder *rec);
/* involved: the object (apiVersion, kind, metadata.namespace/name/uid/
 * resourceVersion are used). type: "Normal" or "Warning". */
int pn_kube_recorder_event(struct pn_kube_recorder *rec, json_t *involved, const char *type,
			   const char *reason, const char *message);
void pn_kube_recorder_get_stats(const struct pn_kube_recorder *rec, struct pn_kube_recorder_stats *out);
/* The per-object cap: at most burst writes at once, then one more every
 * per_seconds (defaults 25 and 10). */
void pn_kube_recorder_set_limit(struct pn_kube_recorder *rec, int burst, double per_seconds);
/* The wall clock the recorder reads (tests); NULL: CLOCK_REALTIME. */
void pn_kube_recorder_set_clock(struct pn_kube_recorder *rec, double (*now)(void));
/* Requests still in flight (tests wait for 0). */
unsigned pn_kube_recorder_pending(const struct pn_kube_recorder *rec);

#endif
