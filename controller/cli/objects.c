/* objects.c — the objects podnetctl reads: every document of every file,
 * decoded and validated by the api/ model, with each problem placed at its
 * line and column (the Pod's networks annotation included). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define ANNOTATION_PATH "metadata.annotations[\"" PN_ANNOTATION_NETWORKS "\"]"

static char *dup_str(const char *s)
{
	return strdup(s ? s : "");
}

/* The annotation parser handed to pn_pod_decode: the source layer, with
 * positions shifted into the file, keeping the value's source map. */
static json_t *parse_annotation(const char *text, size_t len, char *err, size_t errlen, void *ctx)
{
	struct cli_object *o = ctx;
	struct pn_srcpos origin;
	const struct pn_srcpos *op = NULL;
	struct pn_problems ps = { 0 };
	int r;

	char path[128];

	pn_doc_clear(&o->networks);
	snprintf(path, sizeof(path), "%s%s", o->workload ? o->workload : "", ANNOTATION_PATH);
	if (pn_srcmap_find(o->map, path, &origin) == 1 && origin.style != PN_STYLE_NONE)
		op = &origin;
	r = pn_doc_load_value(text, len, op, PN_NETWORKS_PATH, &o->networks, &ps);
	if (r < 0) {
		if (ps.n) {
			snprintf(err, errlen, "%s", ps.v[0].message);
			o->ann_err.line = ps.v[0].line;
			o->ann_err.col = ps.v[0].col;
		} else {
			snprintf(err, errlen, "%s", strerror(-r));
		}
		pn_problems_clear(&ps);
		return NULL;
	}
	return json_incref(o->networks.root);
}

/* Places the problems ps[from..] of o: the annotation's map for paths under
 * networks, the annotation's parse error, then the document's map; what is
 * still unplaced gets the document's start. */
void cli_object_place(struct cli_object *o, size_t from)
{
	struct pn_problems *ps = &o->ps;

	if (o->networks.map)
		pn_srcmap_resolve(o->networks.map, ps, from);
	for (size_t i = from; i < ps->n; i++)
		if (!ps->v[i].line && o->ann_err.line && !strcmp(ps->v[i].path, ANNOTATION_PATH)) {
			ps->v[i].line = o->ann_err.line;
			ps->v[i].col = o->ann_err.col;
		}
	pn_srcmap_resolve(o->map, ps, from);
	for (size_t i = from; i < ps->n; i++)
		if (!ps->v[i].line) {
			ps->v[i].line = o->line;
			ps->v[i].col = o->col;
		}
}

int cli_object_problem(struct cli_object *o, const char *path, const char *fmt, ...)
{
	size_t from = o->ps.n;
	char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = pn_problems_add(&o->ps, path, "%s", msg);
	free(msg);
	if (r < 0)
		return r;
	cli_object_place(o, from);
	return 0;
}

static int objs_grow(struct cli_set *set)
{
	struct cli_object *v;
	size_t cap;

	if (set->n_objs < set->cap_objs)
		return 0;
	cap = set->cap_objs ? set->cap_objs * 2 : 16;
	v = realloc(set->objs, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	set->objs = v;
	set->cap_objs = cap;
	return 0;
}

/* A Namespace (v1) among the files: not a podnet object, read only for its
 * labels (spec.namespaceSelector of PodNetworks). Its labels must be an
 * object of strings; an absent one becomes {} so that the planner knows
 * the namespace. */
static bool is_namespace(const json_t *root)
{
	const char *api = json_string_value(json_object_get(root, "apiVersion"));
	const char *kind = json_string_value(json_object_get(root, "kind"));

	return api && kind && !strcmp(api, "v1") && !strcmp(kind, "Namespace");
}

/* A PodNetworkNode (an agent's report, e.g. from `kubectl get pnnode -o
 * yaml`): read for status.providers, the parameters kinds providers declare
 * (podnetctl plan answers as the controller does with the same reports). */
static bool is_report(const json_t *root)
{
	const char *api = json_string_value(json_object_get(root, "apiVersion"));
	const char *kind = json_string_value(json_object_get(root, "kind"));

	return api && kind && !strcmp(api, "podnet.dev/v1alpha1") && !strcmp(kind, "PodNetworkNode");
}

static int report_load(struct cli_object *o, const json_t *root)
{
	const json_t *providers = json_object_get(json_object_get(root, "status"), "providers");
	size_t i, j;
	json_t *p, *k;
	int r = 0;

	if (!o->name[0])
		r = cli_object_problem(o, "metadata.name", "is required");
	if (providers && !json_is_array(providers))
		return cli_object_problem(o, "status.providers", "must be a list");
	json_array_foreach(providers, i, p) {
		const json_t *kinds = json_object_get(p, "parameterKinds");
		char path[128], why[128];

		snprintf(path, sizeof(path), "status.providers[%zu]", i);
		if (!json_is_object(p) || !json_is_string(json_object_get(p, "name"))) {
			r = cli_object_problem(o, path, "must be an object with a name");
			continue;
		}
		if (kinds && !json_is_array(kinds)) {
			r = cli_object_problem(o, path, "parameterKinds must be a list");
			continue;
		}
		json_array_foreach(kinds, j, k) {
			snprintf(path, sizeof(path), "status.providers[%zu].parameterKinds[%zu]", i, j);
			if (!pn_param_kind_valid(json_string_value(k), why, sizeof(why)))
				r = cli_object_problem(o, path, "%s", why);
			if (r < 0)
				return r;
		}
		if (r < 0)
			return r;
	}
	return r;
}

int cli_set_add_provider_kind(struct cli_set *set, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char why[128], *provider;
	json_t *rep;

	if (!eq || eq == arg || !pn_param_kind_valid(eq + 1, why, sizeof(why))) {
		fprintf(stderr, "podnetctl: --provider-kinds \"%s\": %s\n", arg,
			!eq || eq == arg ? "must be PROVIDER=GROUP/KIND (e.g. acme.io/fast=acme.io/AcmeNet)" : why);
		return -EINVAL;
	}
	provider = strndup(arg, (size_t)(eq - arg));
	if (!provider)
		return -ENOMEM;
	rep = json_pack("{ss ss s{ss} s{s[{ss s[s]}]}}", "apiVersion", "podnet.dev/v1alpha1", "kind", "PodNetworkNode",
			"metadata", "name", "--provider-kinds", "status", "providers", "name", provider,
			"parameterKinds", eq + 1);
	free(provider);
	if (!rep || (!set->reports && !(set->reports = json_array())) || json_array_append_new(set->reports, rep) < 0)
		return -ENOMEM;
	return 0;
}

const json_t *cli_reports(struct cli_set *set)
{
	return set->reports;
}

static int namespace_load(struct cli_object *o, json_t *root)
{
	json_t *meta = json_object_get(root, "metadata");
	json_t *labels = json_object_get(meta, "labels");
	const char *k;
	json_t *v;
	int r = 0;

	if (!json_is_object(meta))
		return cli_object_problem(o, "metadata", "is required");
	if (!o->name[0])
		r = cli_object_problem(o, "metadata.name", "is required");
	if (!labels || json_is_null(labels))
		return json_object_set_new(meta, "labels", json_object()) < 0 ? -ENOMEM : r;
	if (!json_is_object(labels))
		return cli_object_problem(o, "metadata.labels", "must be an object");
	json_object_foreach (labels, k, v) {
		char path[300];

		snprintf(path, sizeof(path), "metadata.labels[\"%.250s\"]", k);
		if (!pn_is_label_key(k))
			r = cli_object_problem(o, path, "is not a valid label key");
		else if (!json_is_string(v) || !pn_is_label_value(json_string_value(v)))
			r = cli_object_problem(o, path, "must be a label value (a string of at "
						       "most 63 characters)");
		if (r < 0)
			return r;
	}
	return r;
}

/* Workloads whose pod template is checked as a Pod: the path of the
 * template, or NULL. */
static const char *workload_template(const json_t *root)
{
	const char *api = json_string_value(json_object_get(root, "apiVersion"));
	const char *kind = json_string_value(json_object_get(root, "kind"));

	if (!api || !kind)
		return NULL;
	if (!strcmp(api, "apps/v1") && (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet") ||
					!strcmp(kind, "DaemonSet") || !strcmp(kind, "ReplicaSet")))
		return "spec.template.";
	if (!strcmp(api, "batch/v1") && !strcmp(kind, "Job"))
		return "spec.template.";
	if (!strcmp(api, "batch/v1") && !strcmp(kind, "CronJob"))
		return "spec.jobTemplate.spec.template.";
	return NULL;
}

/* The Pod a workload's template makes: named after the workload, in its
 * namespace, with the template's labels, annotations and spec. */
static json_t *template_pod(const struct cli_object *o, const json_t *root)
{
	const json_t *spec = json_object_get(root, "spec"), *tmeta, *tspec;
	json_t *pod, *meta;

	if (!strcmp(o->workload, "spec.jobTemplate.spec.template."))
		spec = json_object_get(json_object_get(spec, "jobTemplate"), "spec");
	tmeta = json_object_get(json_object_get(spec, "template"), "metadata");
	tspec = json_object_get(json_object_get(spec, "template"), "spec");
	pod = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Pod", "metadata", "name",
			o->name);
	meta = json_object_get(pod, "metadata");
	if (!pod || (o->ns && json_object_set_new(meta, "namespace", json_string(o->ns)) < 0) ||
	    (json_object_get(tmeta, "labels") &&
	     json_object_set(meta, "labels", json_object_get(tmeta, "labels")) < 0) ||
	    (json_object_get(tmeta, "annotations") &&
	     json_object_set(meta, "annotations", json_object_get(tmeta, "annotations")) < 0) ||
	    json_object_set_new(pod, "spec", tspec ? json_incref((json_t *)tspec) : json_object()) < 0) {
		json_decref(pod);
		return NULL;
	}
	return pod;
}

static int object_load(struct cli_object *o, size_t file, const struct pn_doc *doc)
{
	const json_t *meta = json_object_get(doc->root, "metadata");
	struct pn_pod_decode_opts opts = { .parse = parse_annotation, .parse_ctx = o };
	const char *ns;
	int r;

	*o = (struct cli_object){ .file = file, .line = doc->line, .col = doc->col,
				  .root = doc->root, .map = doc->map };
	o->kind = dup_str(json_string_value(json_object_get(doc->root, "kind")));
	o->name = dup_str(json_string_value(json_object_get(meta, "name")));
	ns = json_string_value(json_object_get(meta, "namespace"));
	o->ns = ns ? strdup(ns) : NULL;
	if (!o->kind || !o->name || (ns && !o->ns))
		return -ENOMEM;
	if (is_namespace(doc->root)) {
		o->is_namespace = true;
		r = namespace_load(o, (json_t *)doc->root);
		if (r < 0)
			return r;
		cli_object_place(o, 0);
		return 0;
	}
	if (is_report(doc->root)) {
		o->is_report = true;
		r = report_load(o, doc->root);
		if (r < 0)
			return r;
		cli_object_place(o, 0);
		return 0;
	}
	o->workload = workload_template(doc->root);
	if (o->workload) {
		o->template_pod = template_pod(o, doc->root);
		if (!o->template_pod)
			return -ENOMEM;
	}
	r = pn_object_decode(o->template_pod ? o->template_pod : doc->root, &opts, &o->obj, &o->ps);
	if (r < 0)
		return r;
	if (o->obj.kind != PN_KIND_UNKNOWN && o->obj.u.any) {
		r = pn_object_validate(&o->obj, &o->ps);
		if (r < 0)
			return r;
		pn_object_default(&o->obj);
	}
	for (size_t i = 0; o->workload && i < o->ps.n; i++) {
		/* the template's fields, seen from the workload */
		struct pn_problem *p = &o->ps.v[i];
		char *path;

		if (strncmp(p->path, "metadata.annotations", 20) && strncmp(p->path, "metadata.labels", 15) &&
		    strncmp(p->path, "spec", 4))
			continue;
		if (asprintf(&path, "%s%s", o->workload, p->path) < 0)
			return -ENOMEM;
		free(p->path);
		p->path = path;
	}
	cli_object_place(o, 0);
	return 0;
}

int cli_set_add_text(struct cli_set *set, const char *name, const char *buf, size_t len)
{
	struct cli_file *files, *f;
	int r;

	if (set->n_files >= CLI_MAX_FILES)
		return -E2BIG;
	files = realloc(set->files, (set->n_files + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	set->files = files;
	f = &set->files[set->n_files];
	*f = (struct cli_file){ .name = strdup(name) };
	if (!f->name)
		return -ENOMEM;
	set->n_files++;
	r = pn_doc_load_yaml(buf, len, NULL, &f->docs, &f->ps);
	if (r < 0 && r != -EINVAL)
		return r;
	for (size_t i = 0; i < f->docs.n; i++) {
		if (set->n_objs >= CLI_MAX_OBJECTS)
			return -E2BIG;
		r = objs_grow(set);
		if (r < 0)
			return r;
		r = object_load(&set->objs[set->n_objs], set->n_files - 1, &f->docs.v[i]);
		set->n_objs++; /* even half-loaded: freed with the set */
		if (r < 0)
			return r;
		if (set->objs[set->n_objs - 1].is_report && !set->objs[set->n_objs - 1].ps.n) {
			if ((!set->reports && !(set->reports = json_array())) ||
			    json_array_append(set->reports, (json_t *)set->objs[set->n_objs - 1].root) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static void object_free(struct cli_object *o)
{
	pn_object_release(&o->obj);
	json_decref(o->template_pod);
	pn_doc_clear(&o->networks);
	pn_problems_clear(&o->ps);
	free(o->kind);
	free(o->name);
	free(o->ns);
}

void cli_set_free(struct cli_set *set)
{
	for (size_t i = 0; i < set->n_objs; i++)
		object_free(&set->objs[i]);
	free(set->objs);
	for (size_t i = 0; i < set->n_files; i++) {
		free(set->files[i].name);
		pn_docs_clear(&set->files[i].docs);
		pn_problems_clear(&set->files[i].ps);
	}
	free(set->files);
	json_decref(set->reports);
	*set = (struct cli_set){ 0 };
}

static bool namespaced(enum pn_kind k)
{
	return k == PN_KIND_PODNETWORKATTACHMENT || k == PN_KIND_POD;
}

const json_t *cli_namespace_labels(const struct cli_set *set, const char *name)
{
	for (size_t i = 0; i < set->n_objs; i++) {
		const struct cli_object *o = &set->objs[i];
		const json_t *labels;

		if (!o->is_namespace || o->ps.n || strcmp(o->name, name) != 0)
			continue;
		labels = json_object_get(json_object_get(o->root, "metadata"), "labels");
		return json_is_object(labels) ? labels : NULL;
	}
	return NULL;
}

struct cli_object *cli_find(struct cli_set *set, enum pn_kind kind, const char *ns,
			    const char *name)
{
	for (size_t i = 0; i < set->n_objs; i++) {
		struct cli_object *o = &set->objs[i];

		if (o->obj.kind != kind || !o->obj.u.any || strcmp(o->name, name) != 0)
			continue;
		if (namespaced(kind) && strcmp(o->ns ? o->ns : "default", ns ? ns : "default") != 0)
			continue;
		return o;
	}
	return NULL;
}

/* ---- printing --------------------------------------------------------------- */

struct line_ref {
	size_t file;
	int line, col;
	size_t seq;
	const struct cli_object *o; /* NULL for a problem of the text */
	const struct pn_problem *p;
};

static int line_cmp(const void *a, const void *b)
{
	const struct line_ref *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t cli_print_problems(const struct cli_set *set, FILE *out)
{
	struct line_ref *v;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < set->n_files; i++)
		n += set->files[i].ps.n;
	for (size_t i = 0; i < set->n_objs; i++)
		n += set->objs[i].ps.n;
	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v) {
		/* unsorted, but nothing lost */
		for (size_t i = 0; i < set->n_objs; i++)
			for (size_t j = 0; j < set->objs[i].ps.n; j++)
				fprintf(out, "%s: %s\n", set->files[set->objs[i].file].name,
					set->objs[i].ps.v[j].message);
		return n;
	}
	for (size_t i = 0; i < set->n_files; i++)
		for (size_t j = 0; j < set->files[i].ps.n; j++, k++)
			v[k] = (struct line_ref){ .file = i, .line = set->files[i].ps.v[j].line,
						  .col = set->files[i].ps.v[j].col, .seq = k,
						  .p = &set->files[i].ps.v[j] };
	for (size_t i = 0; i < set->n_objs; i++)
		for (size_t j = 0; j < set->objs[i].ps.n; j++, k++)
			v[k] = (struct line_ref){ .file = set->objs[i].file,
						  .line = set->objs[i].ps.v[j].line,
						  .col = set->objs[i].ps.v[j].col, .seq = k,
						  .o = &set->objs[i], .p = &set->objs[i].ps.v[j] };
	qsort(v, n, sizeof(*v), line_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct cli_object *o = v[i].o;
		const char *path = v[i].p->path && *v[i].p->path ? v[i].p->path : "-";

		if (o)
			fprintf(out, "%s:%d:%d: %s/%s: %s: %s\n", set->files[v[i].file].name,
				v[i].line, v[i].col, *o->kind ? o->kind : "-",
				*o->name ? o->name : "-", path, v[i].p->message);
		else
			fprintf(out, "%s:%d:%d: -: -: %s\n", set->files[v[i].file].name, v[i].line,
				v[i].col, v[i].p->message);
	}
	free(v);
	return n;
}
