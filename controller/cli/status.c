/* status.c — `podnetctl status`, the pure part: from a Pod's JSON (and the
 * Events about it) to the rows of the status table and the verdict "fine"
 * or "something is wrong", and the table written to a FILE*. No network,
 * no clock: the caller passes the time (statuscmd.c talks to the cluster).
 *
 * What is compared: the Pod's request (podnet.dev/networks), the plan the
 * controller wrote (podnet.dev/plan) and what the agent attached
 * (k8s.v1.cni.cncf.io/network-status). A Pod that asks for nothing is
 * expected to have the default plan (default on eth0, default route). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "pn/plan_sign.h"

#define CELL_MAX 512 /* a table cell or a detail line, in bytes */

/* ---- small helpers ------------------------------------------------------- */

static const char *jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *annotation(const json_t *pod, const char *key)
{
	return jstr(json_object_get(json_object_get(pod, "metadata"), "annotations"), key);
}

/* Copies s (at most CELL_MAX bytes) with control characters as spaces. */
static char *clean_dup(const char *s)
{
	size_t n = strnlen(s, CELL_MAX);
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		d[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	d[n] = '\0';
	return d;
}

static char *vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vfmt(const char *fmt, va_list ap)
{
	char buf[CELL_MAX * 2];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return clean_dup(buf);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = vfmt(f, ap);
	va_end(ap);
	return s;
}

static int lines_add(char ***v, size_t *n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static int lines_add(char ***v, size_t *n, const char *f, ...)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	va_list ap;

	if (!nv)
		return -ENOMEM;
	*v = nv;
	va_start(ap, f);
	nv[*n] = vfmt(f, ap);
	va_end(ap);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void lines_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Appends s to a comma-separated list in buf. */
static void list_add(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? "," : "", s);
}

/* The address part of a CIDR ("10.0.0.1/24" -> "10.0.0.1"). */
static void addr_of(char *buf, size_t len, const char *cidr)
{
	snprintf(buf, len, "%s", cidr);
	buf[strcspn(buf, "/")] = '\0';
}

/* ---- rows ---------------------------------------------------------------- */

static int row_add(struct cli_status_pod *p, const char *ifname, const char *network,
		   const char *addresses, const char *route)
{
	struct cli_status_row *nv = realloc(p->rows, (p->n_rows + 1) * sizeof(*nv));
	struct cli_status_row *r;

	if (!nv)
		return -ENOMEM;
	p->rows = nv;
	r = &nv[p->n_rows++];
	r->interface = clean_dup(ifname && *ifname ? ifname : "-");
	r->network = clean_dup(network && *network ? network : "-");
	r->addresses = clean_dup(addresses && *addresses ? addresses : "-");
	r->route = clean_dup(route && *route ? route : "-");
	r->mac = NULL;
	r->reason = NULL;
	r->state = CLI_IF_ATTACHED;
	r->is_default = false;
	r->placeholder = false;
	if (!r->interface || !r->network || !r->addresses || !r->route)
		return -ENOMEM;
	return 0;
}

static struct cli_status_row *last_row(struct cli_status_pod *p)
{
	return &p->rows[p->n_rows - 1];
}

/* A row that stands for no interface ("(no interfaces planned)", ...). */
static int placeholder_add(struct cli_status_pod *p, const char *network, const char *text)
{
	int r = row_add(p, "-", network, text, "-");

	if (r == 0)
		last_row(p)->placeholder = true;
	return r;
}

/* The last row takes the network-status entry's MAC and default route. */
static int row_status(struct cli_status_pod *p, const struct pn_netstatus *s)
{
	struct cli_status_row *row = last_row(p);

	row->is_default = s->is_default;
	if (s->mac && *s->mac && !(row->mac = clean_dup(s->mac)))
		return -ENOMEM;
	return 0;
}

/* The newest `why` line is about the last row: it becomes (part of) the
 * row's reason, and an attached row turns into a mismatch. */
static int row_why(struct cli_status_pod *p, const char *state)
{
	struct cli_status_row *row = last_row(p);
	const char *w = p->why[p->n_why - 1];
	char *nr;

	if (row->reason) {
		if (asprintf(&nr, "%s; %s", row->reason, w) < 0)
			return -ENOMEM;
		free(row->reason);
		row->reason = nr;
	} else if (!(row->reason = strdup(w))) {
		return -ENOMEM;
	}
	row->state = state;
	return 0;
}

static int why(struct cli_status_pod *p, const char *f, ...) __attribute__((format(printf, 2, 3)));
static int why(struct cli_status_pod *p, const char *f, ...)
{
	char buf[CELL_MAX * 2];
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	p->wrong = true;
	return lines_add(&p->why, &p->n_why, "%s", buf);
}

/* One `why` line per problem found in annotation KEY. */
static int why_problems(struct cli_status_pod *p, const char *key, const struct pn_problems *ps)
{
	int r = 0;

	for (size_t i = 0; i < ps->n && r == 0; i++) {
		const char *path = ps->v[i].path;

		/* podnet.dev/networks[0].x already names its annotation */
		if (!strncmp(path, key, strlen(key)))
			r = why(p, "%s: %s", path, ps->v[i].message);
		else
			r = why(p, "%s: %s%s%s", key, path, path[0] ? ": " : "",
				ps->v[i].message);
	}
	return r;
}

/* The addresses of a network-status entry, with the prefix length of the
 * planned CIDR when the address was planned. */
static void status_addresses(char *buf, size_t len, const struct pn_netstatus *s,
			     const struct pn_plan_attachment *a)
{
	buf[0] = '\0';
	for (size_t i = 0; i < s->n_ips; i++) {
		const char *shown = s->ips[i];

		for (size_t k = 0; a && k < a->n_ips; k++) {
			char addr[128];

			addr_of(addr, sizeof(addr), a->ips[k]);
			if (!strcmp(addr, s->ips[i]))
				shown = a->ips[k];
		}
		list_add(buf, len, shown);
	}
}

static void status_route(char *buf, size_t len, const struct pn_netstatus *s,
			 const struct pn_plan_attachment *a)
{
	buf[0] = '\0';
	if (!s->is_default) {
		snprintf(buf, len, "-");
		return;
	}
	for (size_t i = 0; i < s->n_gateway; i++)
		list_add(buf, len, s->gateway[i]);
	for (size_t i = 0; !buf[0] && a && i < a->n_gateways; i++)
		list_add(buf, len, a->gateways[i]);
	if (buf[0]) {
		char tmp[CELL_MAX];

		snprintf(tmp, sizeof(tmp), "via %s", buf);
		snprintf(buf, len, "%s", tmp);
	} else {
		snprintf(buf, len, "yes");
	}
}

static bool same_addresses(const struct pn_plan_attachment *a, const struct pn_netstatus *s)
{
	if (a->n_ips != s->n_ips)
		return false;
	for (size_t i = 0; i < a->n_ips; i++) {
		char addr[128];
		bool found = false;

		addr_of(addr, sizeof(addr), a->ips[i]);
		for (size_t k = 0; k < s->n_ips && !found; k++)
			found = !strcmp(addr, s->ips[k]);
		if (!found)
			return false;
	}
	return true;
}

static void planned_addresses(char *buf, size_t len, const struct pn_plan_attachment *a)
{
	buf[0] = '\0';
	for (size_t i = 0; i < a->n_ips; i++)
		list_add(buf, len, a->ips[i]);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* One line per planned attachment, for the details of a wrong Pod. */
static int describe_plan(struct cli_status_pod *p, const struct pn_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct pn_plan_attachment *a = &plan->v[i];
		char ips[CELL_MAX];
		int r;

		planned_addresses(ips, sizeof(ips), a);
		if (!a->provider && !a->n_ips)
			snprintf(ips, sizeof(ips), "addresses from the node's primary network");
		r = lines_add(&p->plan, &p->n_plan, "%s (%s): %s%s%s%s", a->interface ? a->interface : "-",
			      a->network ? a->network : "-", ips, a->gw4 || a->gw6 ? ", default route" : "",
			      a->mac ? ", mac " : "", a->mac ? a->mac : "");
		if (r < 0)
			return r;
	}
	if (!plan->n)
		return lines_add(&p->plan, &p->n_plan, "no attachments");
	return 0;
}

/* Rows and comparison when there is something to compare against: plan is
 * the controller's plan or the implied default one; st the network-status
 * (NULL when the Pod has none). */
static int rows_from_plan(struct cli_status_pod *p, const struct pn_plan *plan,
			  const struct pn_netstatuses *st, const char *pod_ip, bool running)
{
	bool *used = calloc((st ? st->n : 0) + 1, sizeof(*used));
	char addrs[CELL_MAX], route[CELL_MAX];
	int r = 0;

	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n && r == 0; i++) {
		const struct pn_plan_attachment *a = &plan->v[i];
		const struct pn_netstatus *s = NULL;
		const char *ifn = a->interface ? a->interface : "";
		const char *net = a->network ? a->network : "";

		for (size_t k = 0; st && k < st->n && !s; k++) {
			if (!used[k] && st->v[k].interface && !strcmp(st->v[k].interface, ifn)) {
				s = &st->v[k];
				used[k] = true;
			}
		}
		if (!s) {
			/* Not attached (or nothing reported yet). */
			if (!st && !strcmp(net, PN_DEFAULT_NETWORK) && pod_ip && *pod_ip) {
				r = row_add(p, ifn, net, pod_ip, a->gw4 || a->gw6 ? "yes" : "-");
				if (r == 0)
					last_row(p)->is_default = a->gw4 || a->gw6;
			} else {
				r = row_add(p, ifn, net, st ? "(not attached)" : "(no network status yet)", "-");
				if (r == 0)
					last_row(p)->state = st ? CLI_IF_NOT_ATTACHED : CLI_IF_PENDING;
			}
			if (r == 0 && st)
				r = why(p, "%s (%s): planned, not attached", ifn, net);
			if (r == 0 && st)
				r = row_why(p, CLI_IF_NOT_ATTACHED);
			continue;
		}
		status_addresses(addrs, sizeof(addrs), s, a);
		status_route(route, sizeof(route), s, a);
		r = row_add(p, ifn, s->name, addrs, route);
		if (r == 0)
			r = row_status(p, s);
		if (r == 0 && s->name && strcmp(s->name, net)) {
			r = why(p, "%s: attached to %s, planned on %s", ifn, s->name, net);
			if (r == 0)
				r = row_why(p, CLI_IF_MISMATCH);
		}
		if (r == 0 && a->n_ips && !same_addresses(a, s)) {
			char want[CELL_MAX];

			planned_addresses(want, sizeof(want), a);
			r = why(p, "%s (%s): addresses %s, planned %s", ifn, net, addrs[0] ? addrs : "none",
				want);
			if (r == 0)
				r = row_why(p, CLI_IF_MISMATCH);
		}
		if (r == 0 && (a->gw4 || a->gw6) != s->is_default) {
			r = why(p, "%s (%s): default route %s", ifn, net,
				s->is_default ? "attached, not planned" : "planned, not attached");
			if (r == 0)
				r = row_why(p, CLI_IF_MISMATCH);
		}
	}
	for (size_t k = 0; st && k < st->n && r == 0; k++) {
		const struct pn_netstatus *s = &st->v[k];

		if (used[k])
			continue;
		status_addresses(addrs, sizeof(addrs), s, NULL);
		status_route(route, sizeof(route), s, NULL);
		r = row_add(p, s->interface, s->name, addrs, route);
		if (r == 0)
			r = row_status(p, s);
		if (r == 0)
			r = why(p, "%s (%s): attached, not in the plan", s->interface ? s->interface : "-",
				s->name ? s->name : "-");
		if (r == 0)
			r = row_why(p, CLI_IF_UNPLANNED);
	}
	if (r == 0 && !st && running && plan == &p->plan_own)
		r = why(p, "no network-status (%s): the agent has not reported this Pod's interfaces",
			PN_ANNOTATION_STATUS);
	free(used);
	return r;
}

/* Rows from the network-status alone (the Pod asks for networks but has no
 * plan). */
static int rows_from_status(struct cli_status_pod *p, const struct pn_netstatuses *st)
{
	char addrs[CELL_MAX], route[CELL_MAX];
	int r = 0;

	for (size_t k = 0; k < st->n && r == 0; k++) {
		status_addresses(addrs, sizeof(addrs), &st->v[k], NULL);
		status_route(route, sizeof(route), &st->v[k], NULL);
		r = row_add(p, st->v[k].interface, st->v[k].name, addrs, route);
		if (r == 0)
			r = row_status(p, &st->v[k]);
	}
	return r;
}

/* "Pending; Unschedulable: ...; container c waiting: ContainerCreating: ..." */
static int describe_status(struct cli_status_pod *p, const json_t *pod)
{
	const json_t *status = json_object_get(pod, "status");
	static const char *const lists[] = { "initContainerStatuses", "containerStatuses" };
	char buf[CELL_MAX * 2];
	size_t used;

	snprintf(buf, sizeof(buf), "%s", p->phase);
	if (jstr(status, "reason") || jstr(status, "message")) {
		used = strlen(buf);
		snprintf(buf + used, sizeof(buf) - used, "; %s%s%s", jstr(status, "reason") ?: "",
			 jstr(status, "reason") && jstr(status, "message") ? ": " : "",
			 jstr(status, "message") ?: "");
	}
	for (size_t l = 0; l < 2; l++) {
		const json_t *cs;
		size_t i;

		json_array_foreach(json_object_get(status, lists[l]), i, cs) {
			const json_t *state = json_object_get(cs, "state");
			const json_t *w = json_object_get(state, "waiting");
			const json_t *t = json_object_get(state, "terminated");

			used = strlen(buf);
			if (w)
				snprintf(buf + used, sizeof(buf) - used, "; container %s waiting: %s%s%s",
					 jstr(cs, "name") ?: "?", jstr(w, "reason") ?: "?",
					 jstr(w, "message") ? ": " : "", jstr(w, "message") ?: "");
			else if (t)
				snprintf(buf + used, sizeof(buf) - used,
					 "; container %s terminated: %s (exit %lld)", jstr(cs, "name") ?: "?",
					 jstr(t, "reason") ?: "?",
					 (long long)json_integer_value(json_object_get(t, "exitCode")));
		}
	}
	if (!json_array_size(json_object_get(status, "containerStatuses"))) {
		const json_t *c;
		size_t i;

		json_array_foreach(json_object_get(status, "conditions"), i, c) {
			if (!jstr(c, "type") || strcmp(jstr(c, "type"), "PodScheduled") ||
			    !jstr(c, "status") || strcmp(jstr(c, "status"), "False"))
				continue;
			used = strlen(buf);
			snprintf(buf + used, sizeof(buf) - used, "; not scheduled: %s%s%s",
				 jstr(c, "reason") ?: "?", jstr(c, "message") ? ": " : "",
				 jstr(c, "message") ?: "");
		}
	}
	p->status = clean_dup(buf);
	return p->status ? 0 : -ENOMEM;
}

/* The request list of the Pod's podnet.dev/networks annotation: sets
 * *present, adds its problems to p. */
static int check_request(struct cli_status_pod *p, const char *text, bool host_network,
			 bool *present)
{
	struct pn_netreqs reqs = { 0 };
	struct pn_problems ps = { 0 };
	char err[256] = "";
	json_t *list = NULL;
	int r = 0;

	*present = text != NULL;
	if (!text)
		return 0;
	if (strlen(text) > PN_MAX_ANNOTATION) {
		r = why(p, "%s: longer than %d bytes", PN_ANNOTATION_NETWORKS, PN_MAX_ANNOTATION);
		goto cleanup;
	}
	list = pn_doc_parse_value(text, strlen(text), err, sizeof(err), NULL);
	if (!list) {
		r = why(p, "%s: cannot be parsed: %s", PN_ANNOTATION_NETWORKS, err);
		goto cleanup;
	}
	r = pn_netreqs_decode(list, PN_NETWORKS_PATH, &reqs, &ps);
	if (r == 0)
		r = pn_netreqs_validate(&reqs, host_network, PN_NETWORKS_PATH, &ps);
	if (r < 0)
		goto cleanup;
	r = 0;
	p->n_requested = reqs.n;
	p->requested = json_array();
	if (!p->requested) {
		r = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < reqs.n; i++) {
		const struct pn_netreq *q = &reqs.v[i];
		json_t *e = json_object();

		if (!e || json_array_append_new(p->requested, e) < 0 ||
		    json_object_set_new(e, "podNetworkName", q->network ? json_string(q->network)
									: json_null()) < 0 ||
		    (q->attachment &&
		     json_object_set_new(e, "podNetworkAttachmentName", json_string(q->attachment)) < 0) ||
		    json_object_set_new(e, "interfaceName", q->interface ? json_string(q->interface)
									 : json_null()) < 0) {
			r = -ENOMEM;
			goto cleanup;
		}
	}
	r = why_problems(p, PN_ANNOTATION_NETWORKS, &ps);
cleanup:
	json_decref(list);
	pn_netreqs_clear(&reqs);
	pn_problems_clear(&ps);
	return r;
}

int cli_status_pod_new(const json_t *pod, struct cli_status_pod **out)
{
	return cli_status_pod_new_keys(pod, NULL, out);
}

/* Whether the plan is one the agent acts on; a why line when not. */
static int check_signature(struct cli_status_pod *p, const json_t *pod, const char *plan_text,
			   const struct pn_plan_keyring *keys, bool *trusted)
{
	const char *sig = annotation(pod, PN_ANNOTATION_PLAN_SIGNATURE);
	char err[512];

	*trusted = true;
	if (!sig) {
		*trusted = false;
		return why(p, "%s: not signed by podnet-controller (%s missing): the agent ignores it",
			   PN_ANNOTATION_PLAN, PN_ANNOTATION_PLAN_SIGNATURE);
	}
	if (keys && pn_plan_verify(keys, p->uid, plan_text, sig, NULL, NULL, err, sizeof(err)) < 0) {
		*trusted = false;
		return why(p, "%s: %s: the agent ignores it", PN_ANNOTATION_PLAN, err);
	}
	return 0;
}

int cli_status_pod_new_keys(const json_t *pod, const struct pn_plan_keyring *keys,
			    struct cli_status_pod **out)
{
	const json_t *meta = json_object_get(pod, "metadata");
	const json_t *status = json_object_get(pod, "status");
	const char *plan_text = annotation(pod, PN_ANNOTATION_PLAN);
	const char *st_text = annotation(pod, PN_ANNOTATION_STATUS);
	const char *pod_ip = jstr(status, "podIP");
	bool host_network = json_is_true(json_object_get(json_object_get(pod, "spec"), "hostNetwork"));
	struct pn_problems ps = { 0 };
	struct pn_netstatuses st = { 0 };
	struct cli_status_pod *p;
	bool present = false, have_plan = false, have_st = false, running, terminating;
	const char *phase;
	int r;

	*out = NULL;
	if (!json_is_object(pod) || !json_is_object(meta))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	terminating = json_object_get(meta, "deletionTimestamp") != NULL;
	phase = jstr(status, "phase");
	p->ns = clean_dup(jstr(meta, "namespace") ?: "default");
	p->name = clean_dup(jstr(meta, "name") ?: "-");
	p->uid = jstr(meta, "uid") ? clean_dup(jstr(meta, "uid")) : NULL;
	p->phase = clean_dup(terminating ? "Terminating" : phase ? phase : "Unknown");
	p->node = jstr(json_object_get(pod, "spec"), "nodeName")
			  ? clean_dup(jstr(json_object_get(pod, "spec"), "nodeName"))
			  : NULL;
	p->pod_ip = pod_ip ? clean_dup(pod_ip) : NULL;
	p->host_network = host_network;
	if (!p->ns || !p->name || !p->phase || (jstr(meta, "uid") && !p->uid) ||
	    (jstr(json_object_get(pod, "spec"), "nodeName") && !p->node) || (pod_ip && !p->pod_ip)) {
		r = -ENOMEM;
		goto cleanup;
	}
	r = describe_status(p, pod);
	if (r < 0)
		goto cleanup;
	running = !terminating && phase && !strcmp(phase, "Running");
	/* Finished or going away: its interfaces are gone or going; only a
	 * Failed Pod is worth a look. */
	if (terminating || (phase && !strcmp(phase, "Succeeded"))) {
		r = placeholder_add(p, "-", "(no interfaces: Pod is finished or being deleted)");
		goto cleanup;
	}
	if (!running) {
		r = why(p, "Pod is %s, not Running", p->phase);
		if (r < 0)
			goto cleanup;
	}
	if (host_network) {
		r = placeholder_add(p, "host network", pod_ip);
		goto cleanup;
	}
	r = check_request(p, annotation(pod, PN_ANNOTATION_NETWORKS), host_network, &present);
	if (r < 0)
		goto cleanup;
	if (plan_text) {
		bool trusted;

		/* an untrusted plan is still shown against network-status */
		r = check_signature(p, pod, plan_text, keys, &trusted);
		if (r < 0)
			goto cleanup;
		(void)trusted;
		r = pn_plan_loads(plan_text, strlen(plan_text), &p->plan_own, &ps);
		if (r < 0)
			goto cleanup;
		r = why_problems(p, PN_ANNOTATION_PLAN, &ps);
		if (r < 0)
			goto cleanup;
		have_plan = !ps.n;
		if (ps.n)
			pn_plan_clear(&p->plan_own);
		pn_problems_clear(&ps);
	}
	if (st_text) {
		r = pn_netstatus_loads(st_text, strlen(st_text), &st, &ps);
		if (r < 0)
			goto cleanup;
		r = why_problems(p, PN_ANNOTATION_STATUS, &ps);
		if (r < 0)
			goto cleanup;
		have_st = !ps.n;
		pn_problems_clear(&ps);
	}
	if (have_plan) {
		r = describe_plan(p, &p->plan_own);
		if (r == 0)
			r = rows_from_plan(p, &p->plan_own, have_st ? &st : NULL, pod_ip, running);
	} else if (!present) {
		/* Asks for nothing: default on eth0, planned by the agent. */
		struct pn_plan def = { 0 };

		r = pn_plan_default(&def);
		if (r == 0)
			r = lines_add(&p->plan, &p->n_plan,
				      "none written (asks for nothing: default on eth0, planned by the agent)");
		if (r == 0)
			r = rows_from_plan(p, &def, have_st ? &st : NULL, pod_ip, running);
		pn_plan_clear(&def);
	} else {
		r = lines_add(&p->plan, &p->n_plan, "none written (asks for %zu network%s in %s)",
			      p->n_requested, p->n_requested == 1 ? "" : "s", PN_ANNOTATION_NETWORKS);
		if (r == 0 && !plan_text)
			r = why(p, "asks for networks (%s) but has no plan (%s)", PN_ANNOTATION_NETWORKS,
				PN_ANNOTATION_PLAN);
		if (r == 0 && have_st)
			r = rows_from_status(p, &st);
		else if (r == 0)
			r = placeholder_add(p, "-", "(no network status yet)");
	}
	if (r == 0 && !p->n_rows)
		r = placeholder_add(p, "-", "(no interfaces planned)");
cleanup:
	pn_problems_clear(&ps);
	pn_netstatus_clear(&st);
	if (r < 0) {
		cli_status_pod_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void cli_status_pod_free(struct cli_status_pod *p)
{
	if (!p)
		return;
	free(p->ns);
	free(p->name);
	free(p->uid);
	free(p->node);
	free(p->pod_ip);
	json_decref(p->requested);
	free(p->warning_reason);
	free(p->warning_message);
	free(p->phase);
	free(p->status);
	free(p->warning);
	free(p->events_error);
	for (size_t i = 0; i < p->n_rows; i++) {
		free(p->rows[i].interface);
		free(p->rows[i].network);
		free(p->rows[i].addresses);
		free(p->rows[i].route);
		free(p->rows[i].mac);
		free(p->rows[i].reason);
	}
	free(p->rows);
	lines_free(p->why, p->n_why);
	lines_free(p->plan, p->n_plan);
	pn_plan_clear(&p->plan_own);
	free(p);
}

/* ---- events -------------------------------------------------------------- */

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.frac]Z", or -1. */
time_t cli_status_parse_time(const char *s)
{
	struct tm tm = { 0 };
	int n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static time_t event_time(const json_t *e)
{
	const char *keys[] = { "lastTimestamp", "eventTime", "firstTimestamp" };
	time_t t;

	for (size_t i = 0; i < 3; i++)
		if ((t = cli_status_parse_time(jstr(e, keys[i]))) >= 0)
			return t;
	t = cli_status_parse_time(jstr(json_object_get(e, "series"), "lastObservedTime"));
	if (t >= 0)
		return t;
	return cli_status_parse_time(jstr(json_object_get(e, "metadata"), "creationTimestamp"));
}

int cli_status_pod_events(struct cli_status_pod *p, const json_t *events)
{
	const json_t *items = json_is_array(events) ? events : json_object_get(events, "items");
	const json_t *best = NULL, *e;
	time_t best_t = -1;
	size_t i;

	json_array_foreach(items, i, e) {
		const json_t *io = json_object_get(e, "involvedObject");
		const char *uid = jstr(io, "uid");
		time_t t;

		if (!jstr(e, "type") || strcmp(jstr(e, "type"), "Warning"))
			continue;
		if (jstr(io, "name") && strcmp(jstr(io, "name"), p->name))
			continue;
		if (uid && p->uid && strcmp(uid, p->uid))
			continue; /* an earlier Pod of the same name */
		t = event_time(e);
		if (!best || t >= best_t) {
			best = e;
			best_t = t;
		}
	}
	free(p->warning);
	free(p->warning_reason);
	free(p->warning_message);
	free(p->events_error);
	p->warning = p->warning_reason = p->warning_message = NULL;
	p->events_error = NULL;
	p->warning_time = -1;
	if (!best)
		return 0;
	p->warning = fmt("%s: %s", jstr(best, "reason") ?: "?", jstr(best, "message") ?: "");
	p->warning_reason = clean_dup(jstr(best, "reason") ?: "");
	p->warning_message = clean_dup(jstr(best, "message") ?: "");
	p->warning_time = best_t;
	return p->warning && p->warning_reason && p->warning_message ? 0 : -ENOMEM;
}

int cli_status_pod_events_error(struct cli_status_pod *p, const char *why_text)
{
	free(p->events_error);
	p->events_error = clean_dup(why_text);
	return p->events_error ? 0 : -ENOMEM;
}

/* ---- output -------------------------------------------------------------- */

void cli_status_age(char *buf, size_t len, time_t now, time_t then)
{
	long long d = then < 0 ? -1 : (long long)(now - then);

	if (d < 0 && then >= 0)
		d = 0;
	if (d < 0)
		snprintf(buf, len, "at an unknown time");
	else if (d < 120)
		snprintf(buf, len, "%llds ago", d);
	else if (d < 120 * 60)
		snprintf(buf, len, "%lldm ago", d / 60);
	else if (d < 48 * 3600)
		snprintf(buf, len, "%lldh ago", d / 3600);
	else
		snprintf(buf, len, "%lldd ago", d / 86400);
}

enum { C_NS, C_POD, C_PHASE, C_NODE, C_IF, C_NET, C_ADDR, C_ROUTE, C_MAC, C_STATE, C_N };

static const char *const HEAD[C_N] = {
	"NAMESPACE", "POD", "PHASE", "NODE", "INTERFACE", "NETWORK", "ADDRESSES", "DEFAULT ROUTE",
	"MAC", "STATE",
};

/* The columns of each text format, in order. */
static const int COLS_TABLE[] = { C_NS, C_POD, C_PHASE, C_IF, C_NET, C_ADDR, C_ROUTE, -1 };
static const int COLS_WIDE[] = { C_NS, C_POD, C_PHASE, C_NODE, C_IF, C_NET, C_ADDR, C_ROUTE,
				 C_MAC, C_STATE, -1 };

static void row_cells(const struct cli_status_pod *p, size_t i, const char *cell[C_N])
{
	const struct cli_status_row *r = &p->rows[i];

	cell[C_NS] = i ? "" : p->ns;
	cell[C_POD] = i ? "" : p->name;
	cell[C_PHASE] = i ? "" : p->phase;
	cell[C_NODE] = i ? "" : p->node ? p->node : "<none>";
	cell[C_IF] = r->interface;
	cell[C_NET] = r->network;
	cell[C_ADDR] = r->addresses;
	cell[C_ROUTE] = r->route;
	cell[C_MAC] = r->mac ? r->mac : "-";
	cell[C_STATE] = r->placeholder ? "-" : r->state;
}

static void put_row(FILE *out, const int *cols, const char *const cell[C_N], const size_t w[C_N])
{
	size_t n = 0, last;

	while (cols[n] >= 0)
		n++;
	last = n - 1;
	while (last > 0 && !cell[cols[last]][0])
		last--;
	for (size_t c = 0; c <= last; c++) {
		if (c < last)
			fprintf(out, "%-*s  ", (int)w[cols[c]], cell[cols[c]]);
		else
			fprintf(out, "%s\n", cell[cols[c]]);
	}
}

static int write_text(FILE *out, struct cli_status_pod *const *pods, size_t n, time_t now,
		      bool details_when_wrong, const int *cols)
{
	size_t w[C_N];
	const char *cell[C_N];

	for (size_t c = 0; c < C_N; c++)
		w[c] = strlen(HEAD[c]);
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < pods[k]->n_rows; i++) {
			row_cells(pods[k], i, cell);
			for (size_t c = 0; c < C_N; c++)
				if (strlen(cell[c]) > w[c])
					w[c] = strlen(cell[c]);
		}
	}
	put_row(out, cols, HEAD, w);
	for (size_t k = 0; k < n; k++) {
		const struct cli_status_pod *p = pods[k];

		for (size_t i = 0; i < p->n_rows; i++) {
			row_cells(p, i, cell);
			put_row(out, cols, cell, w);
		}
		if (!p->wrong || !details_when_wrong)
			continue;
		for (size_t i = 0; i < p->n_why; i++)
			fprintf(out, "  problem: %s\n", p->why[i]);
		for (size_t i = 0; i < p->n_plan; i++)
			fprintf(out, "  plan: %s\n", p->plan[i]);
		fprintf(out, "  status: %s\n", p->status);
		if (p->events_error) {
			fprintf(out, "  last warning: unknown (Events not readable: %s)\n", p->events_error);
		} else if (p->warning) {
			char age[64];

			cli_status_age(age, sizeof(age), now, p->warning_time);
			fprintf(out, "  last warning: %s %s\n", age, p->warning);
		} else {
			fprintf(out, "  last warning: none\n");
		}
	}
	return ferror(out) ? -EIO : 0;
}

int cli_status_write(FILE *out, struct cli_status_pod *const *pods, size_t n, time_t now,
		     bool details_when_wrong)
{
	return write_text(out, pods, n, now, details_when_wrong, COLS_TABLE);
}

/* ---- machine output ------------------------------------------------------ */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A comma-separated cell as a JSON array of strings. */
static json_t *split_list(const char *s)
{
	json_t *a = json_array();

	while (a && s && *s) {
		size_t n = strcspn(s, ",");

		if (json_array_append_new(a, json_stringn(s, n)) < 0) {
			json_decref(a);
			return NULL;
		}
		s += n + (s[n] == ',');
	}
	return a;
}

static json_t *interface_json(const struct cli_status_row *r)
{
	bool attached = strcmp(r->state, CLI_IF_NOT_ATTACHED) && strcmp(r->state, CLI_IF_PENDING);
	const char *gws = !strncmp(r->route, "via ", 4) ? r->route + 4 : NULL;

	return json_pack("{s:s, s:o, s:o, s:o, s:b, s:o, s:s, s:o}",
			 "interface", r->interface,
			 "network", strcmp(r->network, "-") ? json_string(r->network) : json_null(),
			 "addresses", attached && strcmp(r->addresses, "-") ? split_list(r->addresses)
									 : json_array(),
			 "mac", str_or_null(r->mac),
			 "default", r->is_default,
			 "gateways", split_list(gws),
			 "state", r->state,
			 "reason", str_or_null(r->reason));
}

static json_t *lines_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *warning_json(const struct cli_status_pod *p)
{
	char when[32] = "";
	struct tm tm;

	if (!p->warning)
		return json_null();
	if (p->warning_time >= 0 && gmtime_r(&p->warning_time, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack("{s:s, s:s, s:o}", "reason", p->warning_reason ? p->warning_reason : "",
			 "message", p->warning_message ? p->warning_message : "", "time",
			 when[0] ? json_string(when) : json_null());
}

static json_t *pod_json(const struct cli_status_pod *p)
{
	json_t *ifs = json_array(), *o;

	for (size_t i = 0; ifs && i < p->n_rows; i++) {
		if (p->rows[i].placeholder)
			continue;
		if (json_array_append_new(ifs, interface_json(&p->rows[i])) < 0) {
			json_decref(ifs);
			return NULL;
		}
	}
	if (!ifs)
		return NULL;
	o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:s, s:o, s:o}",
		      "namespace", p->ns,
		      "name", p->name,
		      "uid", str_or_null(p->uid),
		      "node", str_or_null(p->node),
		      "phase", p->phase,
		      "podIP", str_or_null(p->pod_ip),
		      "hostNetwork", p->host_network,
		      "ok", !p->wrong,
		      "requestedNetworks", p->requested ? json_incref(p->requested) : json_array(),
		      "interfaces", ifs,
		      "problems", lines_json(p->why, p->n_why),
		      "plan", lines_json(p->plan, p->n_plan),
		      "status", p->status ? p->status : "",
		      "lastWarning", warning_json(p),
		      "eventsError", str_or_null(p->events_error));
	return o;
}

json_t *cli_status_json(struct cli_status_pod *const *pods, size_t n)
{
	json_t *items = json_array(), *list;

	for (size_t k = 0; items && k < n; k++)
		if (json_array_append_new(items, pod_json(pods[k])) < 0) {
			json_decref(items);
			return NULL;
		}
	if (!items)
		return NULL;
	list = json_pack("{s:s, s:s, s:o}", "apiVersion", "podnet.dev/v1alpha1", "kind",
			 "PodNetworkStatusList", "items", items);
	return list;
}

int cli_status_format_parse(const char *s, enum cli_status_format *out)
{
	static const char *const names[] = { "table", "wide", "json", "yaml" };

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum cli_status_format)i;
			return 0;
		}
	return -EINVAL;
}

int cli_status_print(FILE *out, struct cli_status_pod *const *pods, size_t n, time_t now,
		     enum cli_status_format format)
{
	json_t *j;
	int r = 0;

	if (format == CLI_STATUS_TABLE || format == CLI_STATUS_WIDE)
		return write_text(out, pods, n, now, true,
				  format == CLI_STATUS_WIDE ? COLS_WIDE : COLS_TABLE);
	j = cli_status_json(pods, n);
	if (!j)
		return -ENOMEM;
	if (format == CLI_STATUS_JSON) {
		if (json_dumpf(j, out, JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF)
			r = -EIO;
	} else if (cli_yaml_write(out, j, 0) < 0) {
		r = -EIO;
	}
	json_decref(j);
	return r == 0 && ferror(out) ? -EIO : r;
}

static int by_ns_name(const void *a, const void *b)
{
	const struct cli_status_pod *x = *(struct cli_status_pod *const *)a;
	const struct cli_status_pod *y = *(struct cli_status_pod *const *)b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

void cli_status_sort(struct cli_status_pod **pods, size_t n)
{
	if (n > 1)
		qsort(pods, n, sizeof(*pods), by_ns_name);
}
