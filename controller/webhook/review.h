/* review.h: AdmissionReview v1, in and out. Pure: JSON text in, a decoded
 * request with borrowed pointers into it; a verdict out as JSON text. The
 * body comes from the API server, but it is outside input all the same: every
 * field is type-checked and bounded (fuzz/review.c). */
#ifndef PN_WEBHOOK_REVIEW_H
#define PN_WEBHOOK_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define PN_WH_MAX_BODY   (4 * 1024 * 1024) /* a review carries object and oldObject */
#define PN_WH_MAX_GROUPS 256
#define PN_WH_MAX_MSG    2048

enum pn_wh_op { PN_WH_CREATE = 1, PN_WH_UPDATE, PN_WH_DELETE, PN_WH_CONNECT };

struct pn_wh_review {
	json_t *root;            /* owned: the whole review */
	const char *uid;         /* the strings below point into root */
	const char *group;       /* request.kind.group ("" for core) */
	const char *kind;        /* request.kind.kind */
	const char *sub_resource;/* "" when none */
	const char *name;        /* "" when absent (CREATE with generateName) */
	const char *namespace;   /* "" for cluster-scoped objects */
	enum pn_wh_op op;
	const char *username;    /* "" when absent */
	json_t *groups;          /* array of strings, or NULL */
	json_t *object;          /* the object, or NULL (DELETE) */
	json_t *old_object;      /* the old object, or NULL (CREATE) */
	bool dry_run;
};

/* Decodes the text of an AdmissionReview. 0, or -EBADMSG with err naming the
 * field and the reason (out cleared, or out->uid set when only what follows
 * the uid was wrong: the answer can then still carry it). */
int pn_wh_review_decode(const char *text, size_t len, struct pn_wh_review *out, char *err,
			size_t errlen);
void pn_wh_review_clear(struct pn_wh_review *r);

/* The answer: an AdmissionReview with response {uid, allowed, status}.
 * code/message are left out when allowed. A new string (malloc), or NULL. */
char *pn_wh_review_answer(const char *uid, bool allowed, int code, const char *message);

#endif
