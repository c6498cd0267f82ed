/* review.c — decoding an AdmissionReview v1 request and encoding its answer. */
#include "webhook/review.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_FIELD 4096

void pn_wh_review_clear(struct pn_wh_review *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}

/* A string member: "" when absent or null; -1 when of another type or too long. */
static int str_member(json_t *o, const char *key, const char **out, bool required)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v)) {
		*out = "";
		return required ? -1 : 0;
	}
	if (!json_is_string(v) || json_string_length(v) > MAX_FIELD ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int obj_member(json_t *o, const char *key, json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -1;
	*out = v;
	return 0;
}

int pn_wh_review_decode(const char *text, size_t len, struct pn_wh_review *out, char *err,
			size_t errlen)
{
	static const char *const ops[] = { "", "CREATE", "UPDATE", "DELETE", "CONNECT" };
	json_error_t je;
	json_t *req, *kind, *ui, *v;
	const char *s, *what;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len > PN_WH_MAX_BODY) {
		snprintf(err, errlen, "review of %zu bytes, more than the %d allowed", len,
			 PN_WH_MAX_BODY);
		return -EBADMSG;
	}
	out->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!out->root) {
		snprintf(err, errlen, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
		return -EBADMSG;
	}
	what = "apiVersion";
	if (!json_is_object(out->root) || str_member(out->root, "apiVersion", &s, true) < 0 ||
	    strcmp(s, "admission.k8s.io/v1") != 0) {
		snprintf(err, errlen, "apiVersion: must be \"admission.k8s.io/v1\"");
		goto bad;
	}
	if (str_member(out->root, "kind", &s, true) < 0 || strcmp(s, "AdmissionReview") != 0) {
		snprintf(err, errlen, "kind: must be \"AdmissionReview\"");
		goto bad;
	}
	if (obj_member(out->root, "request", &req) < 0 || !req) {
		snprintf(err, errlen, "request: required object");
		goto bad;
	}
	if (str_member(req, "uid", &out->uid, true) < 0 || !out->uid[0] || strlen(out->uid) > 128) {
		out->uid = NULL;
		snprintf(err, errlen, "request.uid: required string of at most 128 bytes");
		goto bad;
	}
	/* from here on, the answer can carry the uid */
	what = "request.kind";
	if (obj_member(req, "kind", &kind) < 0 || !kind ||
	    str_member(kind, "group", &out->group, false) < 0 ||
	    str_member(kind, "kind", &out->kind, true) < 0)
		goto field;
	what = "request.subResource";
	if (str_member(req, "subResource", &out->sub_resource, false) < 0)
		goto field;
	what = "request.name";
	if (str_member(req, "name", &out->name, false) < 0)
		goto field;
	what = "request.namespace";
	if (str_member(req, "namespace", &out->namespace, false) < 0)
		goto field;
	what = "request.operation";
	if (str_member(req, "operation", &s, true) < 0)
		goto field;
	for (i = 1; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(s, ops[i]))
			out->op = (enum pn_wh_op)i;
	if (!out->op)
		goto field;
	what = "request.userInfo";
	if (obj_member(req, "userInfo", &ui) < 0 || str_member(ui, "username", &out->username, false) < 0)
		goto field;
	out->groups = json_object_get(ui, "groups");
	if (out->groups && json_is_null(out->groups))
		out->groups = NULL;
	what = "request.userInfo.groups";
	if (out->groups) {
		if (!json_is_array(out->groups) || json_array_size(out->groups) > PN_WH_MAX_GROUPS)
			goto field;
		json_array_foreach(out->groups, i, v)
			if (!json_is_string(v))
				goto field;
	}
	what = "request.object";
	if (obj_member(req, "object", &out->object) < 0)
		goto field;
	what = "request.oldObject";
	if (obj_member(req, "oldObject", &out->old_object) < 0)
		goto field;
	what = "request.dryRun";
	v = json_object_get(req, "dryRun");
	if (v && !json_is_null(v) && !json_is_boolean(v))
		goto field;
	out->dry_run = json_is_true(v);
	what = "request.object";
	if ((out->op == PN_WH_CREATE || out->op == PN_WH_UPDATE) && !out->object)
		goto field;
	what = "request.oldObject";
	if (out->op == PN_WH_UPDATE && !out->old_object)
		goto field;
	return 0;
field:
	snprintf(err, errlen, "%s: missing or of the wrong type", what);
	{
		/* keep the uid for the answer; drop the rest */
		json_t *root = out->root;
		const char *uid = out->uid;

		memset(out, 0, sizeof(*out));
		out->root = root;
		out->uid = uid;
	}
	return -EBADMSG;
bad:
	(void)what;
	pn_wh_review_clear(out);
	return -EBADMSG;
}

char *pn_wh_review_answer(const char *uid, bool allowed, int code, const char *message)
{
	json_t *resp = json_pack("{s:s, s:b}", "uid", uid ? uid : "", "allowed", allowed);
	json_t *doc;
	char *text;

	if (!resp)
		return NULL;
	if (!allowed)
		json_object_set_new(resp, "status",
				    json_pack("{s:i, s:s, s:s}", "code", code, "reason",
					      code == 403 ? "Forbidden" : code == 400 ? "BadRequest" :
					      "Invalid", "message", message ? message : ""));
	doc = json_pack("{s:s, s:s, s:o}", "apiVersion", "admission.k8s.io/v1", "kind",
			"AdmissionReview", "response", resp);
	if (!doc)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}
