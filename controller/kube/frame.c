/* frame.c: watch-line framing and watch-event decoding. */
#include "kube/frame.h"

#include <errno.h>
#include <string.h>

void pn_frame_init(struct pn_frame *f, size_t max_line, pn_frame_line_fn fn, void *ud)
{
	pn_buf_init(&f->partial, max_line);
	f->fn = fn;
	f->ud = ud;
}

static int frame_emit(struct pn_frame *f, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return 0;
	return f->fn(f->ud, line, len);
}

int pn_frame_feed(struct pn_frame *f, const char *p, size_t n)
{
	int r;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		if (!nl) {
			/* No end of line in this chunk: keep it, within the cap. */
			return pn_buf_append(&f->partial, p, n);
		}
		size_t take = (size_t)(nl - p);
		if (f->partial.len) {
			r = pn_buf_append(&f->partial, p, take);
			if (r < 0)
				return r;
			r = frame_emit(f, f->partial.data, f->partial.len);
			pn_buf_reset(&f->partial);
		} else {
			if (take > f->partial.cap)
				return -EMSGSIZE;
			r = frame_emit(f, p, take);
		}
		if (r)
			return r;
		p = nl + 1;
		n -= take + 1;
	}
	return 0;
}

size_t pn_frame_pending(const struct pn_frame *f)
{
	return f->partial.len;
}

void pn_frame_reset(struct pn_frame *f)
{
	pn_buf_reset(&f->partial);
}

void pn_frame_free(struct pn_frame *f)
{
	pn_buf_free(&f->partial);
}

static const char *const type_names[] = {
	[PN_WATCH_ADDED] = "ADDED",
	[PN_WATCH_MODIFIED] = "MODIFIED",
	[PN_WATCH_DELETED] = "DELETED",
	[PN_WATCH_BOOKMARK] = "BOOKMARK",
	[PN_WATCH_ERROR] = "ERROR",
};

const char *pn_watch_type_name(enum pn_watch_type t)
{
	if (t >= PN_WATCH_ADDED && t <= PN_WATCH_ERROR)
		return type_names[t];
	return "?";
}

int pn_watch_event_decode(const char *line, size_t len, struct pn_watch_event *ev)
{
	json_error_t jerr;
	json_t *root = NULL, *obj, *md;
	const char *type;
	int r = -EBADMSG;

	memset(ev, 0, sizeof(*ev));
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root))
		goto out_root;
	type = json_string_value(json_object_get(root, "type"));
	obj = json_object_get(root, "object");
	if (!type || !json_is_object(obj))
		goto out_root;
	for (int t = PN_WATCH_ADDED; t <= PN_WATCH_ERROR; t++)
		if (strcmp(type, type_names[t]) == 0)
			ev->type = (enum pn_watch_type)t;
	if (!ev->type)
		goto out_root;
	if (ev->type == PN_WATCH_ERROR) {
		pn_kube_status_from_json(&ev->status, obj);
		if (!ev->status.code)
			ev->status.code = 500;
	} else {
		md = json_object_get(obj, "metadata");
		ev->rv = json_string_value(json_object_get(md, "resourceVersion"));
		if (!ev->rv || !*ev->rv)
			goto out_root;
		if (ev->type != PN_WATCH_BOOKMARK &&
		    !json_string_value(json_object_get(md, "name")))
			goto out_root;
	}
	ev->object = json_incref(obj);
	r = 0;
out_root:
	json_decref(root);
	if (r < 0)
		memset(ev, 0, sizeof(*ev));
	return r;
}

void pn_watch_event_clear(struct pn_watch_event *ev)
{
	json_decref(ev->object);
	memset(ev, 0, sizeof(*ev));
}
