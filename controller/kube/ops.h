/* ops.h: reads and writes of single objects.
 *
 * All asynchronous (done is called on the loop); pn_kube_sync_* turns any of
 * them into a blocking call for tools, tests and start-up code.
 * - update: the object's metadata.resourceVersion, when present, is the
 *   server-checked precondition; a stale one fails with -PN_KUBE_ECONFLICT
 *   (409), which callers retry with fresh state.
 * - patch: merge patch (RFC 7386), JSON patch (RFC 6902, including "test"
 *   operations whose failure is reported as -PN_KUBE_EINVALID 422), strategic
 *   merge patch for built-in kinds.
 * - delete: optional uid and resourceVersion preconditions (409 on mismatch).
 * - sub: NULL or a subresource such as "status". */
#ifndef PN_KUBE_OPS_H
#define PN_KUBE_OPS_H

#include "kube/client.h"

enum pn_kube_patch_type {
	PN_KUBE_PATCH_MERGE,
	PN_KUBE_PATCH_JSON,
	PN_KUBE_PATCH_STRATEGIC,
};

int pn_kube_get(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		const char *name, pn_kube_done_fn done, void *ud);
int pn_kube_create(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		   json_t *obj, pn_kube_done_fn done, void *ud);
int pn_kube_update(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		   json_t *obj, const char *sub, pn_kube_done_fn done, void *ud);
int pn_kube_patch(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		  const char *name, const char *sub, enum pn_kube_patch_type type,
		  const char *patch, pn_kube_done_fn done, void *ud);
int pn_kube_delete(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		   const char *name, const char *uid, const char *rv, pn_kube_done_fn done, void *ud);

/* Blocking use:
 *   struct pn_kube_sync s = PN_KUBE_SYNC_INIT;
 *   pn_kube_get(c, &pn_kube_res_pods, "ns", "p", pn_kube_sync_done, &s);
 *   rc = pn_kube_sync_wait(c, &s);   ... s.body, s.st ...
 *   pn_kube_sync_clear(&s); */
struct pn_kube_sync {
	int done;
	int rc;
	json_t *body;               /* owned */
	struct pn_kube_status st;
};
#define PN_KUBE_SYNC_INIT { 0, 0, NULL, { 0, 0, "", "" } }
void pn_kube_sync_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body);
/* Runs the loop until done; returns the request's rc. If start_rc < 0 (the
 * op could not start) returns it without running the loop. */
int pn_kube_sync_wait(struct pn_kube_client *c, struct pn_kube_sync *s, int start_rc);
void pn_kube_sync_clear(struct pn_kube_sync *s);

/* "2026-11-28T21:00:00.123456Z" (MicroTime) / "...:00Z" (Time) for a realtime
 * clock value. */
void pn_kube_format_time(char *buf, size_t len, double t, int micro);
/* Parses either format; -EINVAL otherwise. */
int pn_kube_parse_time(const char *s, double *t);

#endif
