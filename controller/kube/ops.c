/* ops.c: GET/CREATE/UPDATE/PATCH/DELETE of one object. */
#include "kube/ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PATH_LEN 2048

static int send_json(struct pn_kube_client *c, const char *method, const char *path,
		     const char *ctype, json_t *body, pn_kube_done_fn done, void *ud)
{
	char *s = NULL;
	int r;
	if (body) {
		s = json_dumps(body, JSON_COMPACT);
		if (!s)
			return -ENOMEM;
	}
	r = pn_kube_request(c, method, path, body ? ctype : NULL, s, s ? strlen(s) : 0, done, ud, NULL);
	free(s);
	return r;
}

int pn_kube_get(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		const char *name, pn_kube_done_fn done, void *ud)
{
	char path[PATH_LEN];
	int r = pn_kube_path(path, sizeof(path), res, ns, name, NULL);
	if (r < 0)
		return r;
	return pn_kube_request(c, "GET", path, NULL, NULL, 0, done, ud, NULL);
}

int pn_kube_create(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		   json_t *obj, pn_kube_done_fn done, void *ud)
{
	char path[PATH_LEN];
	int r = pn_kube_path(path, sizeof(path), res, ns, NULL, NULL);
	if (r < 0)
		return r;
	return send_json(c, "POST", path, "application/json", obj, done, ud);
}

int pn_kube_update(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		   json_t *obj, const char *sub, pn_kube_done_fn done, void *ud)
{
	char path[PATH_LEN];
	const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	int r;
	if (!name)
		return -EINVAL;
	r = pn_kube_path(path, sizeof(path), res, ns, name, sub);
	if (r < 0)
		return r;
	return send_json(c, "PUT", path, "application/json", obj, done, ud);
}

int pn_kube_patch(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		  const char *name, const char *sub, enum pn_kube_patch_type type,
		  const char *patch, pn_kube_done_fn done, void *ud)
{
	char path[PATH_LEN];
	const char *ct;
	int r = pn_kube_path(path, sizeof(path), res, ns, name, sub);
	if (r < 0)
		return r;
	switch (type) {
	case PN_KUBE_PATCH_MERGE:
		ct = "application/merge-patch+json";
		break;
	case PN_KUBE_PATCH_JSON:
		ct = "application/json-patch+json";
		break;
	case PN_KUBE_PATCH_STRATEGIC:
		ct = "application/strategic-merge-patch+json";
		break;
	default:
		return -EINVAL;
	}
	return pn_kube_request(c, "PATCH", path, ct, patch, strlen(patch), done, ud, NULL);
}

int pn_kube_delete(struct pn_kube_client *c, const struct pn_kube_resource *res, const char *ns,
		   const char *name, const char *uid, const char *rv, pn_kube_done_fn done, void *ud)
{
	char path[PATH_LEN];
	json_t *opts = NULL, *pre = NULL;
	int r = pn_kube_path(path, sizeof(path), res, ns, name, NULL);
	if (r < 0)
		return r;
	if (uid || rv) {
		pre = json_object();
		if (!pre)
			return -ENOMEM;
		if (uid)
			json_object_set_new(pre, "uid", json_string(uid));
		if (rv)
			json_object_set_new(pre, "resourceVersion", json_string(rv));
		opts = json_pack("{s:s,s:s,s:o}", "kind", "DeleteOptions", "apiVersion", "v1",
				 "preconditions", pre);
		if (!opts)
			return -ENOMEM;
	}
	r = send_json(c, "DELETE", path, "application/json", opts, done, ud);
	json_decref(opts);
	return r;
}

void pn_kube_sync_done(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct pn_kube_sync *s = ud;
	s->done = 1;
	s->rc = rc;
	s->st = *st;
	json_decref(s->body);
	s->body = json_incref(body);
}

int pn_kube_sync_wait(struct pn_kube_client *c, struct pn_kube_sync *s, int start_rc)
{
	if (start_rc < 0) {
		s->rc = start_rc;
		return start_rc;
	}
	while (!s->done)
		ev_run(pn_kube_client_loop(c), EVRUN_ONCE);
	return s->rc;
}

void pn_kube_sync_clear(struct pn_kube_sync *s)
{
	json_decref(s->body);
	memset(s, 0, sizeof(*s));
}

void pn_kube_format_time(char *buf, size_t len, double t, int micro)
{
	time_t sec = (time_t)t;
	struct tm tm;
	char base[32];
	gmtime_r(&sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (micro) {
		long us = (long)((t - (double)sec) * 1e6);
		if (us < 0)
			us = 0;
		if (us > 999999)
			us = 999999;
		snprintf(buf, len, "%s.%06ldZ", base, us);
	} else {
		snprintf(buf, len, "%sZ", base);
	}
}

int pn_kube_parse_time(const char *s, double *t)
{
	struct tm tm;
	const char *p;
	double frac = 0;
	memset(&tm, 0, sizeof(tm));
	if (!s)
		return -EINVAL;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -EINVAL;
	if (*p == '.') {
		double scale = 0.1;
		p++;
		while (*p >= '0' && *p <= '9') {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (strcmp(p, "Z") != 0)
		return -EINVAL;
	*t = (double)timegm(&tm) + frac;
	return 0;
}
