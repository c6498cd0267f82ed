/* status.h: what the API server said about a failed request. Errors from the
 * server travel in this struct (HTTP status, the Status object's reason,
 * message and code) and become -errno only at the boundary, with
 * pn_kube_status_errno(). */
#ifndef PN_KUBE_STATUS_H
#define PN_KUBE_STATUS_H

#include <jansson.h>

/* -errno values with a Kubernetes meaning, so callers can tell them apart. */
#define PN_KUBE_ECONFLICT ESTALE  /* 409 Conflict: stale resourceVersion, retry with fresh state */
#define PN_KUBE_EEXISTS   EEXIST  /* 409 AlreadyExists */
#define PN_KUBE_EGONE     EIDRM   /* 410 Gone / Expired: relist */
#define PN_KUBE_ENOTFOUND ENOENT  /* 404 */
#define PN_KUBE_EINVALID  EINVAL  /* 400, 422 */
#define PN_KUBE_EDENIED   EACCES  /* 401, 403 */
#define PN_KUBE_ETOOMANY  EBUSY   /* 429 after the retries ran out */
#define PN_KUBE_ESERVER   EIO     /* 5xx after the retries ran out */

struct pn_kube_status {
	long http;          /* HTTP status, 0 when no response arrived */
	int code;           /* Status.code (or http when absent) */
	char reason[64];    /* Status.reason: Conflict, AlreadyExists, NotFound, Expired, ... */
	char message[512];  /* Status.message, or a transport error text */
};

void pn_kube_status_clear(struct pn_kube_status *st);
/* Fills reason/message/code from a Status object (other objects: no-op). */
void pn_kube_status_from_json(struct pn_kube_status *st, json_t *obj);
/* Maps an HTTP status + reason to the -errno callers see (0 for 2xx). */
int pn_kube_status_errno(const struct pn_kube_status *st);

#endif
