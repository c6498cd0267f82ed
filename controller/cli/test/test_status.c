/* test_status.c — `podnetctl status` without a cluster: rows, verdicts and
 * the printed table from Pod and Event JSON (status.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yaml.h>

#include "cli/cli.h"
#include "pn/plan_sign.h"

#define NOW 1800000000 /* 2027-01-15T08:00:00Z */

/* The telecom Pod's plan and what the agent reports for it. */
static const char PLAN_UPF[] =
	"{\"v\":1,\"attachments\":["
	"{\"network\":\"default\",\"interface\":\"eth0\",\"gw4\":true,\"gw6\":true},"
	"{\"network\":\"signaling\",\"interface\":\"sig0\",\"provider\":\"podnet.dev/cni\","
	"\"params\":{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"macvlan\"}]},"
	"\"ips\":[\"172.16.10.50/24\"],\"gateways\":[\"172.16.10.1\"],\"routes\":[],\"mac\":null},"
	"{\"network\":\"data\",\"interface\":\"data0\",\"provider\":\"podnet.dev/cni\","
	"\"params\":{},\"ips\":[\"10.20.0.10/24\"],\"gateways\":[],\"routes\":[],\"mac\":null},"
	"{\"network\":\"storage\",\"interface\":\"stor0\",\"provider\":\"podnet.dev/cni\","
	"\"params\":{},\"ips\":[\"192.168.50.20/24\"],\"gateways\":[],\"routes\":[],\"mac\":null}]}";

static const char ST_UPF[] =
	"[{\"name\":\"default\",\"interface\":\"eth0\",\"ips\":[\"10.244.1.7\"],"
	"\"mac\":\"0a:58:0a:f4:01:07\",\"default\":true,\"dns\":{},\"gateway\":[\"10.244.1.1\"]},"
	"{\"name\":\"signaling\",\"interface\":\"sig0\",\"ips\":[\"172.16.10.50\"],"
	"\"default\":false,\"dns\":{},\"gateway\":[\"172.16.10.1\"]},"
	"{\"name\":\"data\",\"interface\":\"data0\",\"ips\":[\"10.20.0.10\"],\"default\":false,\"dns\":{}},"
	"{\"name\":\"storage\",\"interface\":\"stor0\",\"ips\":[\"192.168.50.20\"],\"default\":false,"
	"\"dns\":{}}]";

/* Same, without stor0. */
static const char ST_UPF_NO_STOR[] =
	"[{\"name\":\"default\",\"interface\":\"eth0\",\"ips\":[\"10.244.1.8\"],\"default\":true,"
	"\"gateway\":[\"10.244.1.1\"]},"
	"{\"name\":\"signaling\",\"interface\":\"sig0\",\"ips\":[\"172.16.10.50\"]},"
	"{\"name\":\"data\",\"interface\":\"data0\",\"ips\":[\"10.20.0.10\"]}]";

static const char NETS_UPF[] =
	"- podNetworkName: default\n"
	"- podNetworkName: signaling\n  interfaceName: sig0\n  ips: [172.16.10.50]\n"
	"- podNetworkName: data\n  interfaceName: data0\n"
	"- podNetworkName: storage\n  interfaceName: stor0\n";

/* A Pod as the API returns it; NULL parts are left out. */
static json_t *pod(const char *ns, const char *name, const char *phase, const char *pod_ip,
		   const char *networks, const char *plan, const char *status)
{
	json_t *ann = json_object();
	json_t *st = json_object();
	json_t *p;

	if (networks)
		json_object_set_new(ann, "podnet.dev/networks", json_string(networks));
	if (plan) {
		/* signed (not checked without keys: see the signature tests) */
		json_object_set_new(ann, "podnet.dev/plan", json_string(plan));
		json_object_set_new(ann, "podnet.dev/plan-signature",
				    json_string("v1.0123456789abcdef.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
						"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="));
	}
	if (status)
		json_object_set_new(ann, "k8s.v1.cni.cncf.io/network-status", json_string(status));
	if (phase)
		json_object_set_new(st, "phase", json_string(phase));
	if (pod_ip)
		json_object_set_new(st, "podIP", json_string(pod_ip));
	p = json_pack("{s:{s:s, s:s, s:s, s:o}, s:{s:s}, s:o}", "metadata", "name", name, "namespace",
		      ns, "uid", "uid-1", "annotations", ann, "spec", "nodeName", "node-1", "status",
		      st);
	assert_non_null(p);
	return p;
}

static struct cli_status_pod *build(json_t *j)
{
	struct cli_status_pod *p = NULL;

	assert_int_equal(cli_status_pod_new(j, &p), 0);
	assert_non_null(p);
	json_decref(j);
	return p;
}

static char *render(struct cli_status_pod **pods, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cli_status_sort(pods, n);
	assert_int_equal(cli_status_write(f, pods, n, NOW, true), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_text(const char *got, const char *want)
{
	if (strcmp(got, want))
		fail_msg("output differs\n--- got:\n%s--- want:\n%s", got, want);
}

static void assert_row(const struct cli_status_pod *p, size_t i, const char *ifn, const char *net,
		       const char *addrs, const char *route)
{
	assert_true(i < p->n_rows);
	assert_string_equal(p->rows[i].interface, ifn);
	assert_string_equal(p->rows[i].network, net);
	assert_string_equal(p->rows[i].addresses, addrs);
	assert_string_equal(p->rows[i].route, route);
}

static bool why_has(const struct cli_status_pod *p, const char *line)
{
	for (size_t i = 0; i < p->n_why; i++)
		if (!strcmp(p->why[i], line))
			return true;
	return false;
}

static void unit__status__running_multinetwork_pod__four_rows_fine(void **state)
{
	struct cli_status_pod *p;
	char *out;

	(void)state;
	p = build(pod("default", "upf-0", "Running", "10.244.1.7", NETS_UPF, PLAN_UPF, ST_UPF));
	assert_false(p->wrong);
	assert_int_equal(p->n_why, 0);
	assert_int_equal(p->n_rows, 4);
	assert_row(p, 0, "eth0", "default", "10.244.1.7", "via 10.244.1.1");
	assert_row(p, 1, "sig0", "signaling", "172.16.10.50/24", "-");
	assert_row(p, 2, "data0", "data", "10.20.0.10/24", "-");
	assert_row(p, 3, "stor0", "storage", "192.168.50.20/24", "-");
	out = render(&p, 1);
	assert_text(out, "NAMESPACE  POD    PHASE    INTERFACE  NETWORK    ADDRESSES         DEFAULT ROUTE\n"
			 "default    upf-0  Running  eth0       default    10.244.1.7        via 10.244.1.1\n"
			 "                           sig0       signaling  172.16.10.50/24   -\n"
			 "                           data0      data       10.20.0.10/24     -\n"
			 "                           stor0      storage    192.168.50.20/24  -\n");
	free(out);
	cli_status_pod_free(p);
}

static void unit__status__missing_interface__wrong_with_details(void **state)
{
	struct cli_status_pod *p;
	json_t *ev;
	char *out;

	(void)state;
	p = build(pod("default", "upf-1", "Running", "10.244.1.8", NETS_UPF, PLAN_UPF, ST_UPF_NO_STOR));
	assert_true(p->wrong);
	assert_int_equal(p->n_why, 1);
	assert_true(why_has(p, "stor0 (storage): planned, not attached"));
	assert_row(p, 3, "stor0", "storage", "(not attached)", "-");
	ev = json_loads("{\"kind\":\"EventList\",\"items\":["
			"{\"type\":\"Warning\",\"reason\":\"Old\",\"message\":\"older\","
			" \"involvedObject\":{\"kind\":\"Pod\",\"name\":\"upf-1\",\"uid\":\"uid-1\"},"
			" \"lastTimestamp\":\"2027-01-15T07:50:00Z\"},"
			"{\"type\":\"Warning\",\"reason\":\"FailedAttach\",\"message\":\"storage:\\nipvlan: no parent\","
			" \"involvedObject\":{\"kind\":\"Pod\",\"name\":\"upf-1\",\"uid\":\"uid-1\"},"
			" \"lastTimestamp\":\"2027-01-15T07:59:48Z\"},"
			"{\"type\":\"Normal\",\"reason\":\"Pulled\",\"message\":\"newest but Normal\","
			" \"involvedObject\":{\"kind\":\"Pod\",\"name\":\"upf-1\",\"uid\":\"uid-1\"},"
			" \"lastTimestamp\":\"2027-01-15T07:59:59Z\"}]}",
			0, NULL);
	assert_non_null(ev);
	assert_int_equal(cli_status_pod_events(p, ev), 0);
	json_decref(ev);
	out = render(&p, 1);
	assert_text(out,
		    "NAMESPACE  POD    PHASE    INTERFACE  NETWORK    ADDRESSES        DEFAULT ROUTE\n"
		    "default    upf-1  Running  eth0       default    10.244.1.8       via 10.244.1.1\n"
		    "                           sig0       signaling  172.16.10.50/24  -\n"
		    "                           data0      data       10.20.0.10/24    -\n"
		    "                           stor0      storage    (not attached)   -\n"
		    "  problem: stor0 (storage): planned, not attached\n"
		    "  plan: eth0 (default): addresses from the node's primary network, default route\n"
		    "  plan: sig0 (signaling): 172.16.10.50/24\n"
		    "  plan: data0 (data): 10.20.0.10/24\n"
		    "  plan: stor0 (storage): 192.168.50.20/24\n"
		    "  status: Running\n"
		    "  last warning: 12s ago FailedAttach: storage: ipvlan: no parent\n");
	free(out);
	cli_status_pod_free(p);
}

static void unit__status__asks_for_networks_without_plan__wrong(void **state)
{
	struct cli_status_pod *p;
	json_t *j = pod("demo", "noplan", "Pending", NULL, NETS_UPF, NULL, NULL);
	json_t *cs = json_loads("[{\"name\":\"c\",\"state\":{\"waiting\":{\"reason\":\"ContainerCreating\"}}}]",
				0, NULL);
	char *out;

	(void)state;
	json_object_set_new(json_object_get(j, "status"), "containerStatuses", cs);
	p = build(j);
	assert_true(p->wrong);
	assert_int_equal(p->n_requested, 4);
	assert_true(why_has(p, "Pod is Pending, not Running"));
	assert_true(why_has(p, "asks for networks (podnet.dev/networks) but has no plan (podnet.dev/plan)"));
	assert_int_equal(p->n_rows, 1);
	assert_row(p, 0, "-", "-", "(no network status yet)", "-");
	out = render(&p, 1);
	assert_text(out,
		    "NAMESPACE  POD     PHASE    INTERFACE  NETWORK  ADDRESSES                DEFAULT ROUTE\n"
		    "demo       noplan  Pending  -          -        (no network status yet)  -\n"
		    "  problem: Pod is Pending, not Running\n"
		    "  problem: asks for networks (podnet.dev/networks) but has no plan (podnet.dev/plan)\n"
		    "  plan: none written (asks for 4 networks in podnet.dev/networks)\n"
		    "  status: Pending; container c waiting: ContainerCreating\n"
		    "  last warning: none\n");
	free(out);
	cli_status_pod_free(p);
}

static void unit__status__default_only_pod__eth0_from_pod_ip_fine(void **state)
{
	struct cli_status_pod *p;

	(void)state;
	p = build(pod("default", "plain", "Running", "10.244.1.9", NULL, NULL, NULL));
	assert_false(p->wrong);
	assert_int_equal(p->n_rows, 1);
	assert_row(p, 0, "eth0", "default", "10.244.1.9", "yes");
	cli_status_pod_free(p);

	/* with the agent's network-status: compared to the default plan */
	p = build(pod("default", "plain", "Running", "10.244.1.9", NULL, NULL,
		      "[{\"name\":\"default\",\"interface\":\"eth0\",\"ips\":[\"10.244.1.9\"],"
		      "\"default\":true,\"gateway\":[\"10.244.1.1\"]}]"));
	assert_false(p->wrong);
	assert_int_equal(p->n_rows, 1);
	assert_row(p, 0, "eth0", "default", "10.244.1.9", "via 10.244.1.1");
	cli_status_pod_free(p);

	/* neither an address nor a status yet */
	p = build(pod("default", "plain", "Pending", NULL, NULL, NULL, NULL));
	assert_true(p->wrong);
	assert_int_equal(p->n_why, 1);
	assert_row(p, 0, "eth0", "default", "(no network status yet)", "-");
	cli_status_pod_free(p);
}

static void unit__status__other_addresses_extra_interface_and_route__each_reported(void **state)
{
	struct cli_status_pod *p;

	(void)state;
	p = build(pod("default", "upf-2", "Running", "10.244.1.7", NETS_UPF, PLAN_UPF,
		      "[{\"name\":\"default\",\"interface\":\"eth0\",\"ips\":[\"10.244.1.7\"],\"default\":false},"
		      "{\"name\":\"signaling\",\"interface\":\"sig0\",\"ips\":[\"172.16.10.51\"],\"default\":true},"
		      "{\"name\":\"storage\",\"interface\":\"data0\",\"ips\":[\"10.20.0.10\"]},"
		      "{\"name\":\"storage\",\"interface\":\"stor0\",\"ips\":[\"192.168.50.20\"]},"
		      "{\"name\":\"media\",\"interface\":\"net9\",\"ips\":[\"10.99.0.2\"]}]"));
	assert_true(p->wrong);
	assert_true(why_has(p, "eth0 (default): default route planned, not attached"));
	assert_true(why_has(p, "sig0 (signaling): addresses 172.16.10.51, planned 172.16.10.50/24"));
	assert_true(why_has(p, "sig0 (signaling): default route attached, not planned"));
	assert_true(why_has(p, "data0: attached to storage, planned on data"));
	assert_true(why_has(p, "net9 (media): attached, not in the plan"));
	assert_int_equal(p->n_why, 5);
	assert_int_equal(p->n_rows, 5);
	assert_row(p, 0, "eth0", "default", "10.244.1.7", "-");
	/* the reported gateway missing: the plan's */
	assert_row(p, 1, "sig0", "signaling", "172.16.10.51", "via 172.16.10.1");
	assert_row(p, 4, "net9", "media", "10.99.0.2", "-");
	cli_status_pod_free(p);
}

static void unit__status__running_with_plan_but_no_network_status__wrong(void **state)
{
	struct cli_status_pod *p;

	(void)state;
	p = build(pod("default", "upf-3", "Running", "10.244.1.7", NETS_UPF, PLAN_UPF, NULL));
	assert_true(p->wrong);
	assert_int_equal(p->n_why, 1);
	assert_true(why_has(p, "no network-status (k8s.v1.cni.cncf.io/network-status): the agent has "
			       "not reported this Pod's interfaces"));
	assert_row(p, 0, "eth0", "default", "10.244.1.7", "yes");
	assert_row(p, 1, "sig0", "signaling", "(no network status yet)", "-");
	cli_status_pod_free(p);
}

static void unit__status__unreadable_annotations__wrong_with_the_reason(void **state)
{
	struct cli_status_pod *p;

	(void)state;
	p = build(pod("default", "bad", "Running", "10.244.1.7", "- podNetworkName: data\n  interfaceName: a/b\n",
		      "{not json", "[{\"interface\":\"eth0\"}]"));
	assert_true(p->wrong);
	assert_int_equal(p->n_why, 3);
	assert_true(strstr(p->why[0], "podnet.dev/networks[0].interfaceName: ") == p->why[0]);
	assert_string_equal(p->why[1], "podnet.dev/plan: plan is not valid JSON: string or '}' "
				       "expected near 'not' (column 4)");
	assert_string_equal(p->why[2], "k8s.v1.cni.cncf.io/network-status: [0].name: is required");
	cli_status_pod_free(p);
}

static void unit__status__finished_and_terminating__not_checked(void **state)
{
	struct cli_status_pod *p;
	json_t *j;

	(void)state;
	p = build(pod("default", "job-1", "Succeeded", NULL, NETS_UPF, NULL, NULL));
	assert_false(p->wrong);
	cli_status_pod_free(p);
	j = pod("default", "gone", "Running", NULL, NETS_UPF, NULL, NULL);
	json_object_set_new(json_object_get(j, "metadata"), "deletionTimestamp",
			    json_string("2027-01-15T07:00:00Z"));
	p = build(j);
	assert_false(p->wrong);
	assert_string_equal(p->phase, "Terminating");
	cli_status_pod_free(p);
	p = build(pod("default", "crashed", "Failed", NULL, NULL, NULL, NULL));
	assert_true(p->wrong);
	cli_status_pod_free(p);
}

static void unit__status__events__newest_warning_of_this_uid(void **state)
{
	struct cli_status_pod *p;
	json_t *ev;

	(void)state;
	p = build(pod("default", "x", "Pending", NULL, NULL, NULL, NULL));
	ev = json_loads("["
			"{\"type\":\"Warning\",\"reason\":\"A\",\"message\":\"m\","
			" \"involvedObject\":{\"name\":\"x\",\"uid\":\"uid-1\"},"
			" \"lastTimestamp\":\"2027-01-15T07:00:00Z\"},"
			"{\"type\":\"Warning\",\"reason\":\"OtherPod\",\"message\":\"same name, old uid\","
			" \"involvedObject\":{\"name\":\"x\",\"uid\":\"uid-0\"},"
			" \"lastTimestamp\":\"2027-01-15T07:59:00Z\"},"
			"{\"type\":\"Warning\",\"reason\":\"B\",\"message\":\"micro\","
			" \"involvedObject\":{\"name\":\"x\",\"uid\":\"uid-1\"},"
			" \"lastTimestamp\":null, \"eventTime\":\"2027-01-15T07:30:00.123456Z\"}]",
			0, NULL);
	assert_non_null(ev);
	assert_int_equal(cli_status_pod_events(p, ev), 0);
	assert_string_equal(p->warning, "B: micro");
	assert_int_equal(p->warning_time, NOW - 1800);
	json_decref(ev);
	assert_int_equal(cli_status_pod_events_error(p, "events is forbidden"), 0);
	{
		char *out = render(&p, 1);

		assert_non_null(strstr(out, "\n  last warning: unknown (Events not readable: events is forbidden)\n"));
		free(out);
	}
	ev = json_loads("{\"items\":[]}", 0, NULL);
	assert_int_equal(cli_status_pod_events(p, ev), 0);
	assert_null(p->warning);
	json_decref(ev);
	cli_status_pod_free(p);
}

static void unit__status__time_and_age__formats(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(cli_status_parse_time("2027-01-15T08:00:00Z"), NOW);
	assert_int_equal(cli_status_parse_time("2027-01-15T08:00:00.5Z"), NOW);
	assert_int_equal(cli_status_parse_time("yesterday"), -1);
	assert_int_equal(cli_status_parse_time(NULL), -1);
	cli_status_age(buf, sizeof(buf), NOW, NOW - 12);
	assert_string_equal(buf, "12s ago");
	cli_status_age(buf, sizeof(buf), NOW, NOW - 600);
	assert_string_equal(buf, "10m ago");
	cli_status_age(buf, sizeof(buf), NOW, NOW - 3 * 3600);
	assert_string_equal(buf, "3h ago");
	cli_status_age(buf, sizeof(buf), NOW, NOW - 5 * 86400);
	assert_string_equal(buf, "5d ago");
	cli_status_age(buf, sizeof(buf), NOW, NOW + 5);
	assert_string_equal(buf, "0s ago");
	cli_status_age(buf, sizeof(buf), NOW, -1);
	assert_string_equal(buf, "at an unknown time");
}

static void unit__status__several_pods__sorted_and_aligned(void **state)
{
	struct cli_status_pod *p[3];
	char *out;

	(void)state;
	p[0] = build(pod("zz", "a", "Running", "10.244.1.3", NULL, NULL, NULL));
	p[1] = build(pod("default", "longer-name", "Running", "10.244.1.2", NULL, NULL, NULL));
	p[2] = build(pod("default", "b", "Running", "10.244.1.1", NULL, NULL, NULL));
	out = render(p, 3);
	assert_text(out,
		    "NAMESPACE  POD          PHASE    INTERFACE  NETWORK  ADDRESSES   DEFAULT ROUTE\n"
		    "default    b            Running  eth0       default  10.244.1.1  yes\n"
		    "default    longer-name  Running  eth0       default  10.244.1.2  yes\n"
		    "zz         a            Running  eth0       default  10.244.1.3  yes\n");
	free(out);
	for (size_t i = 0; i < 3; i++)
		cli_status_pod_free(p[i]);
}

static void unit__status__empty_plan__one_row_saying_so(void **state)
{
	struct cli_status_pod *p;

	(void)state;
	p = build(pod("default", "empty", "Running", "10.244.1.5", "[]", "{\"v\":1,\"attachments\":[]}",
		      "[]"));
	assert_false(p->wrong);
	assert_int_equal(p->n_rows, 1);
	assert_row(p, 0, "-", "-", "(no interfaces planned)", "-");
	cli_status_pod_free(p);
}

static void unit__status__not_a_pod__einval(void **state)
{
	struct cli_status_pod *p = (void *)1;
	json_t *j = json_string("x");

	(void)state;
	assert_int_equal(cli_status_pod_new(j, &p), -EINVAL);
	assert_null(p);
	json_decref(j);
	cli_status_pod_free(NULL);
}

static bool why_says(const struct cli_status_pod *p, const char *text)
{
	for (size_t i = 0; i < p->n_why; i++)
		if (strstr(p->why[i], text))
			return true;
	return false;
}

static void unit__status__plan_signature__unsigned_or_forged_wrong(void **state)
{
	struct pn_plan_key *k = pn_plan_key_generate(NULL, 0), *evil = pn_plan_key_generate(NULL, 0);
	struct pn_plan_keyring ring = { 0 };
	struct cli_status_pod *p;
	json_t *j;
	char *sig;

	(void)state;
	assert_non_null(k);
	assert_non_null(evil);
	assert_int_equal(pn_plan_keyring_add(&ring, k), 0);
	/* no signature: wrong, with or without keys */
	j = pod("default", "upf-0", "Running", "10.244.1.7", NETS_UPF, PLAN_UPF, ST_UPF);
	json_object_del(json_object_get(json_object_get(j, "metadata"), "annotations"), "podnet.dev/plan-signature");
	p = build(json_incref(j));
	assert_true(p->wrong);
	assert_true(why_says(p, "podnet.dev/plan: not signed by podnet-controller (podnet.dev/plan-signature "
				"missing): the agent ignores it"));
	cli_status_pod_free(p);
	/* signed by the trusted key for this uid: fine */
	sig = pn_plan_sign(k, "uid-1", 4, PLAN_UPF);
	json_object_set_new(json_object_get(json_object_get(j, "metadata"), "annotations"),
			    "podnet.dev/plan-signature", json_string(sig));
	free(sig);
	assert_int_equal(cli_status_pod_new_keys(j, &ring, &p), 0);
	assert_false(p->wrong);
	cli_status_pod_free(p);
	/* signed by another key: wrong when the keys are known */
	sig = pn_plan_sign(evil, "uid-1", 4, PLAN_UPF);
	json_object_set_new(json_object_get(json_object_get(j, "metadata"), "annotations"),
			    "podnet.dev/plan-signature", json_string(sig));
	free(sig);
	assert_int_equal(cli_status_pod_new_keys(j, &ring, &p), 0);
	assert_true(p->wrong);
	assert_true(why_says(p, "not listed in ConfigMap podnet-system/podnet-plan-keys"));
	cli_status_pod_free(p);
	/* signed for another Pod */
	sig = pn_plan_sign(k, "uid-2", 4, PLAN_UPF);
	json_object_set_new(json_object_get(json_object_get(j, "metadata"), "annotations"),
			    "podnet.dev/plan-signature", json_string(sig));
	free(sig);
	assert_int_equal(cli_status_pod_new_keys(j, &ring, &p), 0);
	assert_true(p->wrong);
	assert_true(why_says(p, "does not match this Pod (uid uid-1)"));
	cli_status_pod_free(p);
	json_decref(j);
	pn_plan_keyring_clear(&ring);
	pn_plan_key_free(k);
	pn_plan_key_free(evil);
}

/* ---- output formats ------------------------------------------------------- */

static char *render_fmt(struct cli_status_pod **pods, size_t n, enum cli_status_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cli_status_sort(pods, n);
	assert_int_equal(cli_status_print(f, pods, n, NOW, fmt), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Three Pods: fine (upf-0), missing stor0 with a Warning (upf-1), one
 * attached otherwise than planned (upf-2) and one waiting for a plan. */
static size_t sample_pods(struct cli_status_pod **v)
{
	json_t *ev;

	v[0] = build(pod("demo", "upf-1", "Running", "10.244.1.8", NETS_UPF, PLAN_UPF, ST_UPF_NO_STOR));
	v[1] = build(pod("demo", "upf-0", "Running", "10.244.1.7", NETS_UPF, PLAN_UPF, ST_UPF));
	v[2] = build(pod("demo", "upf-2", "Running", "10.244.1.9", NETS_UPF, PLAN_UPF,
			 "[{\"name\":\"default\",\"interface\":\"eth0\",\"ips\":[\"10.244.1.9\",\"fd00::9\"],"
			 "\"default\":true,\"gateway\":[\"10.244.1.1\",\"fd00::1\"]},"
			 "{\"name\":\"signaling\",\"interface\":\"sig0\",\"ips\":[\"172.16.10.51\"],"
			 "\"mac\":\"02:00:00:00:00:51\"},"
			 "{\"name\":\"data\",\"interface\":\"data0\",\"ips\":[\"10.20.0.10\"]},"
			 "{\"name\":\"storage\",\"interface\":\"stor0\",\"ips\":[\"192.168.50.20\"]},"
			 "{\"name\":\"media\",\"interface\":\"net9\",\"ips\":[\"10.99.0.2\"]}]"));
	v[3] = build(pod("demo", "noplan", "Pending", NULL, NETS_UPF, NULL, NULL));
	ev = json_loads("[{\"type\":\"Warning\",\"reason\":\"FailedAttach\",\"message\":\"stor0: no parent\","
			"\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"upf-1\",\"uid\":\"uid-1\"},"
			"\"lastTimestamp\":\"2027-01-15T07:59:48Z\"}]", 0, NULL);
	assert_int_equal(cli_status_pod_events(v[0], ev), 0);
	json_decref(ev);
	assert_int_equal(cli_status_pod_events_error(v[2], "events is forbidden"), 0);
	return 4;
}

static void free_pods(struct cli_status_pod **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cli_status_pod_free(v[i]);
}

static void unit__status__format_names(void **state)
{
	enum cli_status_format f;

	(void)state;
	assert_int_equal(cli_status_format_parse("table", &f), 0);
	assert_int_equal(f, CLI_STATUS_TABLE);
	assert_int_equal(cli_status_format_parse("wide", &f), 0);
	assert_int_equal(f, CLI_STATUS_WIDE);
	assert_int_equal(cli_status_format_parse("json", &f), 0);
	assert_int_equal(f, CLI_STATUS_JSON);
	assert_int_equal(cli_status_format_parse("yaml", &f), 0);
	assert_int_equal(f, CLI_STATUS_YAML);
	assert_int_equal(cli_status_format_parse("JSON", &f), -EINVAL);
	assert_int_equal(cli_status_format_parse("", &f), -EINVAL);
	assert_int_equal(cli_status_format_parse("jsonpath", &f), -EINVAL);
	assert_int_equal(cli_status_format_parse(NULL, &f), -EINVAL);
}

static void unit__status__wide__node_mac_state(void **state)
{
	struct cli_status_pod *v[4];
	size_t n = sample_pods(v);
	char *out, *table;

	(void)state;
	out = render_fmt(v, 2, CLI_STATUS_WIDE); /* upf-0, upf-1 */
	assert_text(out,
		    "NAMESPACE  POD    PHASE    NODE    INTERFACE  NETWORK    ADDRESSES         DEFAULT ROUTE   MAC                STATE\n"
		    "demo       upf-0  Running  node-1  eth0       default    10.244.1.7        via 10.244.1.1  0a:58:0a:f4:01:07  Attached\n"
		    "                                   sig0       signaling  172.16.10.50/24   -               -                  Attached\n"
		    "                                   data0      data       10.20.0.10/24     -               -                  Attached\n"
		    "                                   stor0      storage    192.168.50.20/24  -               -                  Attached\n"
		    "demo       upf-1  Running  node-1  eth0       default    10.244.1.8        via 10.244.1.1  -                  Attached\n"
		    "                                   sig0       signaling  172.16.10.50/24   -               -                  Attached\n"
		    "                                   data0      data       10.20.0.10/24     -               -                  Attached\n"
		    "                                   stor0      storage    (not attached)    -               -                  NotAttached\n"
		    "  problem: stor0 (storage): planned, not attached\n"
		    "  plan: eth0 (default): addresses from the node's primary network, default route\n"
		    "  plan: sig0 (signaling): 172.16.10.50/24\n"
		    "  plan: data0 (data): 10.20.0.10/24\n"
		    "  plan: stor0 (storage): 192.168.50.20/24\n"
		    "  status: Running\n"
		    "  last warning: 12s ago FailedAttach: stor0: no parent\n");
	/* -o table is the table of cli_status_write */
	table = render_fmt(v, 2, CLI_STATUS_TABLE);
	free(out);
	out = render(v, 2);
	assert_text(table, out);
	free(out);
	free(table);
	free_pods(v, n);
}

static const json_t *at(const json_t *j, const char *path)
{
	/* "items.1.interfaces.0.state": object keys and array indexes */
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *t = strtok_r(buf, ".", &save); t && j; t = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(t, NULL, 10)) : json_object_get(j, t);
	if (!j)
		fail_msg("no %s", path);
	return j;
}

static void is_str(const json_t *root, const char *path, const char *want)
{
	const json_t *j = at(root, path);

	if (!json_is_string(j) || strcmp(json_string_value(j), want))
		fail_msg("%s: want \"%s\", got %s", path, want,
			 json_is_string(j) ? json_string_value(j) : "(not a string)");
}

static void is_null(const json_t *root, const char *path)
{
	if (!json_is_null(at(root, path)))
		fail_msg("%s: want null", path);
}

static void is_strs(const json_t *root, const char *path, const char *want)
{
	const json_t *a = at(root, path), *e;
	char got[512] = "";
	size_t i;

	assert_true(json_is_array(a));
	json_array_foreach (a, i, e) {
		assert_true(json_is_string(e));
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "",
			 json_string_value(e));
	}
	if (strcmp(got, want))
		fail_msg("%s: want [%s], got [%s]", path, want, got);
}

/* The documented schema, checked on a parsed list of the sample Pods. */
static void check_schema(const json_t *l)
{
	static const char *const pod_keys[] = {
		"namespace", "name", "uid", "node", "phase", "podIP", "hostNetwork", "ok",
		"requestedNetworks", "interfaces", "problems", "plan", "status", "lastWarning",
		"eventsError", NULL,
	};
	static const char *const if_keys[] = { "interface", "network", "addresses", "mac", "default",
					       "gateways", "state", "reason", NULL };
	const json_t *items = at(l, "items"), *it, *ifc;
	size_t i, k;

	is_str(l, "apiVersion", "podnet.dev/v1alpha1");
	is_str(l, "kind", "PodNetworkStatusList");
	assert_int_equal(json_object_size(l), 3);
	assert_int_equal(json_array_size(items), 4);
	json_array_foreach (items, i, it) {
		for (k = 0; pod_keys[k]; k++)
			if (!json_object_get(it, pod_keys[k]))
				fail_msg("items[%zu] lacks %s", i, pod_keys[k]);
		assert_int_equal(json_object_size(it), k);
		json_array_foreach (json_object_get(it, "interfaces"), k, ifc) {
			size_t m;

			for (m = 0; if_keys[m]; m++)
				if (!json_object_get(ifc, if_keys[m]))
					fail_msg("items[%zu].interfaces[%zu] lacks %s", i, k, if_keys[m]);
			assert_int_equal(json_object_size(ifc), m);
		}
	}
	/* sorted: noplan, upf-0, upf-1, upf-2 */
	is_str(l, "items.0.name", "noplan");
	is_str(l, "items.0.phase", "Pending");
	assert_true(json_is_false(at(l, "items.0.ok")));
	assert_int_equal(json_array_size(at(l, "items.0.interfaces")), 0);
	is_null(l, "items.0.podIP");
	is_str(l, "items.0.problems.1",
	       "asks for networks (podnet.dev/networks) but has no plan (podnet.dev/plan)");

	is_str(l, "items.1.namespace", "demo");
	is_str(l, "items.1.name", "upf-0");
	is_str(l, "items.1.uid", "uid-1");
	is_str(l, "items.1.node", "node-1");
	is_str(l, "items.1.phase", "Running");
	is_str(l, "items.1.podIP", "10.244.1.7");
	assert_true(json_is_false(at(l, "items.1.hostNetwork")));
	assert_true(json_is_true(at(l, "items.1.ok")));
	assert_int_equal(json_array_size(at(l, "items.1.requestedNetworks")), 4);
	is_str(l, "items.1.requestedNetworks.0.podNetworkName", "default");
	is_null(l, "items.1.requestedNetworks.0.interfaceName");
	is_str(l, "items.1.requestedNetworks.1.podNetworkName", "signaling");
	is_str(l, "items.1.requestedNetworks.1.interfaceName", "sig0");
	assert_int_equal(json_array_size(at(l, "items.1.interfaces")), 4);
	is_str(l, "items.1.interfaces.0.interface", "eth0");
	is_str(l, "items.1.interfaces.0.network", "default");
	is_strs(l, "items.1.interfaces.0.addresses", "10.244.1.7");
	is_str(l, "items.1.interfaces.0.mac", "0a:58:0a:f4:01:07");
	assert_true(json_is_true(at(l, "items.1.interfaces.0.default")));
	is_strs(l, "items.1.interfaces.0.gateways", "10.244.1.1");
	is_str(l, "items.1.interfaces.0.state", "Attached");
	is_null(l, "items.1.interfaces.0.reason");
	is_strs(l, "items.1.interfaces.1.addresses", "172.16.10.50/24");
	assert_true(json_is_false(at(l, "items.1.interfaces.1.default")));
	is_strs(l, "items.1.interfaces.1.gateways", "");
	is_null(l, "items.1.interfaces.1.mac");
	assert_int_equal(json_array_size(at(l, "items.1.problems")), 0);
	is_null(l, "items.1.lastWarning");
	is_null(l, "items.1.eventsError");

	assert_true(json_is_false(at(l, "items.2.ok")));
	is_str(l, "items.2.interfaces.3.state", "NotAttached");
	is_strs(l, "items.2.interfaces.3.addresses", "");
	is_str(l, "items.2.interfaces.3.reason", "stor0 (storage): planned, not attached");
	is_str(l, "items.2.problems.0", "stor0 (storage): planned, not attached");
	is_str(l, "items.2.plan.3", "stor0 (storage): 192.168.50.20/24");
	is_str(l, "items.2.status", "Running");
	is_str(l, "items.2.lastWarning.reason", "FailedAttach");
	is_str(l, "items.2.lastWarning.message", "stor0: no parent");
	is_str(l, "items.2.lastWarning.time", "2027-01-15T07:59:48Z");

	is_strs(l, "items.3.interfaces.0.addresses", "10.244.1.9,fd00::9");
	is_strs(l, "items.3.interfaces.0.gateways", "10.244.1.1,fd00::1");
	is_str(l, "items.3.interfaces.1.state", "Mismatch");
	is_str(l, "items.3.interfaces.1.mac", "02:00:00:00:00:51");
	is_str(l, "items.3.interfaces.1.reason",
	       "sig0 (signaling): addresses 172.16.10.51, planned 172.16.10.50/24");
	is_str(l, "items.3.interfaces.4.interface", "net9");
	is_str(l, "items.3.interfaces.4.state", "Unplanned");
	is_str(l, "items.3.interfaces.4.reason", "net9 (media): attached, not in the plan");
	is_null(l, "items.3.lastWarning");
	is_str(l, "items.3.eventsError", "events is forbidden");
}

static void unit__status__json__documented_schema(void **state)
{
	struct cli_status_pod *v[4];
	size_t n = sample_pods(v);
	json_error_t e;
	json_t *l;
	char *out;

	(void)state;
	out = render_fmt(v, n, CLI_STATUS_JSON);
	l = json_loads(out, JSON_REJECT_DUPLICATES, &e);
	if (!l)
		fail_msg("not JSON: %s (line %d)\n%s", e.text, e.line, out);
	check_schema(l);
	json_decref(l);
	free(out);
	free_pods(v, n);
}

/* Walks libyaml's document of the YAML output into JSON, scalars typed as
 * YAML's core schema would (plain true/false/null; everything else a
 * string), to compare with the JSON output. */
static json_t *yaml_node_json(yaml_document_t *d, yaml_node_t *n)
{
	json_t *j = NULL;

	assert_non_null(n);
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)n->data.scalar.value;
		bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

		if (plain && !strcmp(v, "true"))
			j = json_true();
		else if (plain && !strcmp(v, "false"))
			j = json_false();
		else if (plain && !strcmp(v, "null"))
			j = json_null();
		else
			j = json_stringn(v, n->data.scalar.length);
		break;
	}
	case YAML_SEQUENCE_NODE:
		j = json_array();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
			json_array_append_new(j, yaml_node_json(d, yaml_document_get_node(d, *i)));
		break;
	case YAML_MAPPING_NODE:
		j = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(d, p->key);

			assert_int_equal(k->type, YAML_SCALAR_NODE);
			assert_null(json_object_get(j, (const char *)k->data.scalar.value));
			json_object_set_new(j, (const char *)k->data.scalar.value,
					    yaml_node_json(d, yaml_document_get_node(d, p->value)));
		}
		break;
	default:
		fail_msg("empty YAML node");
	}
	assert_non_null(j);
	return j;
}

static json_t *yaml_load_libyaml(const char *text)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *j;

	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc))
		fail_msg("libyaml: %s at line %zu\n%s", parser.problem,
			 parser.problem_mark.line + 1, text);
	j = yaml_node_json(&doc, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return j;
}

static void unit__status__yaml__same_as_json_through_libyaml(void **state)
{
	struct cli_status_pod *v[4];
	size_t n = sample_pods(v);
	char *yaml, *jtext, err[256];
	json_t *fromy, *fromj, *viadoc;

	(void)state;
	yaml = render_fmt(v, n, CLI_STATUS_YAML);
	jtext = render_fmt(v, n, CLI_STATUS_JSON);
	assert_true(!strncmp(yaml, "apiVersion: podnet.dev/v1alpha1\nkind: PodNetworkStatusList\nitems:\n",
			     strlen("apiVersion: podnet.dev/v1alpha1\nkind: PodNetworkStatusList\nitems:\n")));
	fromy = yaml_load_libyaml(yaml);
	fromj = json_loads(jtext, 0, NULL);
	assert_non_null(fromj);
	check_schema(fromy);
	if (!json_equal(fromy, fromj))
		fail_msg("YAML and JSON output differ:\n%s\n%s", yaml, jtext);
	/* and podnet's own YAML loader (libyaml too) reads the same */
	viadoc = pn_doc_parse_value(yaml, strlen(yaml), err, sizeof(err), NULL);
	if (!viadoc)
		fail_msg("pn_doc_parse_value: %s", err);
	assert_true(json_equal(viadoc, fromj));
	json_decref(viadoc);
	json_decref(fromy);
	json_decref(fromj);
	free(yaml);
	free(jtext);
	free_pods(v, n);
}

static void unit__status__machine_output__no_pods_empty_items(void **state)
{
	char *out;
	json_t *l;

	(void)state;
	out = render_fmt(NULL, 0, CLI_STATUS_JSON);
	l = json_loads(out, 0, NULL);
	assert_non_null(l);
	assert_int_equal(json_array_size(at(l, "items")), 0);
	assert_true(json_is_array(at(l, "items")));
	json_decref(l);
	free(out);
	out = render_fmt(NULL, 0, CLI_STATUS_YAML);
	assert_text(out, "apiVersion: podnet.dev/v1alpha1\nkind: PodNetworkStatusList\nitems: []\n");
	free(out);
}

static void unit__status__host_network_and_finished__no_interfaces_in_json(void **state)
{
	struct cli_status_pod *v[2];
	json_t *j = pod("demo", "hostnet", "Running", "192.168.1.10", NULL, NULL, NULL), *l;
	char *out;

	(void)state;
	json_object_set_new(json_object_get(j, "spec"), "hostNetwork", json_true());
	v[0] = build(j);
	v[1] = build(pod("demo", "job", "Succeeded", NULL, NULL, NULL, NULL));
	out = render_fmt(v, 2, CLI_STATUS_JSON);
	l = json_loads(out, 0, NULL);
	assert_non_null(l);
	is_str(l, "items.0.name", "hostnet");
	assert_true(json_is_true(at(l, "items.0.hostNetwork")));
	is_str(l, "items.0.podIP", "192.168.1.10");
	assert_int_equal(json_array_size(at(l, "items.0.interfaces")), 0);
	assert_int_equal(json_array_size(at(l, "items.0.requestedNetworks")), 0);
	is_str(l, "items.1.phase", "Succeeded");
	assert_int_equal(json_array_size(at(l, "items.1.interfaces")), 0);
	json_decref(l);
	free(out);
	/* wide: the placeholder row has no state */
	out = render_fmt(v, 2, CLI_STATUS_WIDE);
	assert_text(out,
		    "NAMESPACE  POD      PHASE      NODE    INTERFACE  NETWORK       ADDRESSES                                          DEFAULT ROUTE  MAC  STATE\n"
		    "demo       hostnet  Running    node-1  -          host network  192.168.1.10                                       -              -    -\n"
		    "demo       job      Succeeded  node-1  -          -             (no interfaces: Pod is finished or being deleted)  -              -    -\n");
	free(out);
	free_pods(v, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__status__running_multinetwork_pod__four_rows_fine),
		cmocka_unit_test(unit__status__missing_interface__wrong_with_details),
		cmocka_unit_test(unit__status__asks_for_networks_without_plan__wrong),
		cmocka_unit_test(unit__status__default_only_pod__eth0_from_pod_ip_fine),
		cmocka_unit_test(unit__status__other_addresses_extra_interface_and_route__each_reported),
		cmocka_unit_test(unit__status__running_with_plan_but_no_network_status__wrong),
		cmocka_unit_test(unit__status__unreadable_annotations__wrong_with_the_reason),
		cmocka_unit_test(unit__status__finished_and_terminating__not_checked),
		cmocka_unit_test(unit__status__events__newest_warning_of_this_uid),
		cmocka_unit_test(unit__status__time_and_age__formats),
		cmocka_unit_test(unit__status__several_pods__sorted_and_aligned),
		cmocka_unit_test(unit__status__empty_plan__one_row_saying_so),
		cmocka_unit_test(unit__status__not_a_pod__einval),
		cmocka_unit_test(unit__status__plan_signature__unsigned_or_forged_wrong),
		cmocka_unit_test(unit__status__format_names),
		cmocka_unit_test(unit__status__wide__node_mac_state),
		cmocka_unit_test(unit__status__json__documented_schema),
		cmocka_unit_test(unit__status__yaml__same_as_json_through_libyaml),
		cmocka_unit_test(unit__status__machine_output__no_pods_empty_items),
		cmocka_unit_test(unit__status__host_network_and_finished__no_interfaces_in_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
