/* status.c: server Status objects to -errno. */
#include "kube/status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void pn_kube_status_clear(struct pn_kube_status *st)
{
	memset(st, 0, sizeof(*st));
}

void pn_kube_status_from_json(struct pn_kube_status *st, json_t *obj)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	if (!kind || strcmp(kind, "Status") != 0)
		return;
	const char *r = json_string_value(json_object_get(obj, "reason"));
	const char *m = json_string_value(json_object_get(obj, "message"));
	json_t *c = json_object_get(obj, "code");
	if (r)
		snprintf(st->reason, sizeof(st->reason), "%s", r);
	if (m)
		snprintf(st->message, sizeof(st->message), "%s", m);
	if (json_is_integer(c))
		st->code = (int)json_integer_value(c);
}

int pn_kube_status_errno(const struct pn_kube_status *st)
{
	long h = st->code ? st->code : st->http;
	if (h >= 200 && h < 300)
		return 0;
	switch (h) {
	case 400:
	case 422:
		return -PN_KUBE_EINVALID;
	case 401:
	case 403:
		return -PN_KUBE_EDENIED;
	case 404:
		return -PN_KUBE_ENOTFOUND;
	case 409:
		if (strcmp(st->reason, "AlreadyExists") == 0)
			return -PN_KUBE_EEXISTS;
		return -PN_KUBE_ECONFLICT;
	case 410:
		return -PN_KUBE_EGONE;
	case 429:
		return -PN_KUBE_ETOOMANY;
	default:
		break;
	}
	if (h >= 500)
		return -PN_KUBE_ESERVER;
	return -EPROTO;
}
