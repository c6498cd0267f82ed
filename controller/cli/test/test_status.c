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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
