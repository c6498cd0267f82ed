/* events.h: Kubernetes Events (core v1) about objects, with repeats
 * aggregated: the same (object, type, reason, message) within the window
 * updates the existing Event's count and lastTimestamp instead of creating a
 * new one. Sending is asynchronous and best effort (failures are counted). */
#ifndef PN_KUBE_EVENTS_H
#define PN_KUBE_EVENTS_H

#include "kube/client.h"

struct pn_kube_recorder;

struct pn_kube_recorder_stats {
	unsigned long created, patched, failed;
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
/* Requests still in flight (tests wait for 0). */
unsigned pn_kube_recorder_pending(const struct pn_kube_recorder *rec);

#endif
