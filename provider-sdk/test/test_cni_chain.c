/* Unit tests of providers/cni/chain.c: chains from params (CNIConfig, NAD
 * config, primary config file), static IPAM injection, per-plugin stdin,
 * result conversion and its caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../providers/cni/cni.h"

static struct podnet_attachment att(const char *params, const char *const *ips, uint32_t n_ips,
				    const char *const *gws, uint32_t n_gws, uint32_t flags)
{
	struct podnet_attachment a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.network = "media-net";
	a.interface = "net1";
	a.provider = "podnet.dev/cni";
	a.params_json = params;
	a.ips = ips;
	a.n_ips = n_ips;
	a.gateways = gws;
	a.n_gateways = n_gws;
	a.flags = flags;
	return a;
}

static void unit__cniconfig_with_planned_ips__first_ipam_becomes_static(void **state)
{
	const char *ips[] = {"172.16.1.101/24", "fd00:10::5/64"};
	const char *gws[] = {"172.16.1.1"};
	struct podnet_attachment a = att("{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth0\","
					 "\"ipam\":{\"type\":\"host-local\"}},{\"type\":\"tuning\",\"mtu\":9000}]}",
					 ips, 2, gws, 1, PODNET_ATTACH_DEFAULT_GW4);
	struct pn_cni_chain c;
	char err[256] = "";
	cJSON *ipam, *addrs, *routes;

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.name, "media-net");
	assert_string_equal(c.version, "1.0.0");
	ipam = cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 0), "ipam");
	assert_string_equal(cJSON_GetObjectItem(ipam, "type")->valuestring, "static");
	addrs = cJSON_GetObjectItem(ipam, "addresses");
	assert_int_equal(cJSON_GetArraySize(addrs), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(addrs, 0), "address")->valuestring, "172.16.1.101/24");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(addrs, 0), "gateway")->valuestring, "172.16.1.1");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(addrs, 1), "gateway")); /* no v6 gateway planned */
	routes = cJSON_GetObjectItem(ipam, "routes");
	assert_int_equal(cJSON_GetArraySize(routes), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(routes, 0), "dst")->valuestring, "0.0.0.0/0");
	/* the second plugin is untouched */
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 1), "ipam"));
	pn_cni_chain_clear(&c);
}

static void unit__no_planned_ips__chain_ipam_kept(void **state)
{
	struct podnet_attachment a = att("{\"plugins\":[{\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\"}}]}", NULL,
					 0, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256];

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), 0);
	assert_string_equal(c.version, "1.0.0"); /* defaulted */
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 0), "ipam"), "type")->valuestring,
		"host-local");
	pn_cni_chain_clear(&c);
}

static void unit__nad_config_text__wrapped_as_one_plugin(void **state)
{
	struct podnet_attachment a = att("{\"config\":\"{\\\"cniVersion\\\":\\\"0.4.0\\\",\\\"name\\\":\\\"nad-net\\\","
					 "\\\"type\\\":\\\"ipvlan\\\",\\\"master\\\":\\\"eth1\\\"}\"}",
					 NULL, 0, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256];

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.name, "nad-net");
	assert_string_equal(c.version, "0.4.0");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 0), "master")->valuestring, "eth1");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 0), "name"));
	pn_cni_chain_clear(&c);
}

static void unit__default_without_chain__primary_file_used_or_error(void **state)
{
	char path[] = "/tmp/pnt-conf-XXXXXX";
	struct podnet_attachment a = att("{}", NULL, 0, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256] = "";
	int fd;

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no CNI chain"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	{
		const char *conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"cluster\",\"plugins\":[{\"type\":\"bridge\"},"
				   "{\"type\":\"portmap\"}]}";
		assert_true(write(fd, conf, strlen(conf)) == (ssize_t)strlen(conf));
	}
	close(fd);
	assert_int_equal(pn_cni_chain_build(&a, path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "cluster");
	assert_int_equal(c.n, 2);
	pn_cni_chain_clear(&c);
	unlink(path);
	assert_int_equal(pn_cni_chain_build(&a, path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read CNI config"));
}

static void unit__hostile_plugin_type__refused(void **state)
{
	struct podnet_attachment a = att("{\"plugins\":[{\"type\":\"../../bin/sh\"}]}", NULL, 0, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256] = "";

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "plugins[0]"));
}

static void unit__planned_address_not_cidr__refused(void **state)
{
	const char *ips[] = {"10.0.0.5"};
	struct podnet_attachment a = att("{\"plugins\":[{\"type\":\"bridge\"}]}", ips, 1, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256] = "";

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a CIDR"));
}

static void unit__mac__given_to_plugins_with_the_capability(void **state)
{
	struct podnet_attachment a = att("{\"plugins\":[{\"type\":\"macvlan\",\"capabilities\":{\"mac\":true}},"
					 "{\"type\":\"tuning\"}]}",
					 NULL, 0, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256];

	(void)state;
	a.mac = "02:00:00:00:00:01";
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 0), "runtimeConfig"),
						"mac")->valuestring,
			    "02:00:00:00:00:01");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(c.plugins, 1), "runtimeConfig"));
	pn_cni_chain_clear(&c);
}

static void unit__plugin_stdin__has_name_version_and_prev_result(void **state)
{
	struct podnet_attachment a = att("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\","
					 "\"name\":\"ignored\"},{\"type\":\"tuning\"}]}",
					 NULL, 0, NULL, 0, 0);
	struct pn_cni_chain c;
	char err[256], *t;
	cJSON *prev = cJSON_Parse("{\"cniVersion\":\"1.0.0\",\"ips\":[]}"), *conf;

	(void)state;
	assert_int_equal(pn_cni_chain_build(&a, NULL, &c, err, sizeof(err)), 0);
	t = pn_cni_plugin_conf(&c, 1, prev);
	conf = cJSON_Parse(t);
	assert_string_equal(cJSON_GetObjectItem(conf, "name")->valuestring, "n");
	assert_string_equal(cJSON_GetObjectItem(conf, "cniVersion")->valuestring, "1.0.0");
	assert_string_equal(cJSON_GetObjectItem(conf, "type")->valuestring, "tuning");
	assert_non_null(cJSON_GetObjectItem(conf, "prevResult"));
	cJSON_Delete(conf);
	free(t);
	t = pn_cni_plugin_conf(&c, 0, NULL);
	conf = cJSON_Parse(t);
	assert_string_equal(cJSON_GetObjectItem(conf, "name")->valuestring, "n");
	assert_null(cJSON_GetObjectItem(conf, "prevResult"));
	cJSON_Delete(conf);
	free(t);
	cJSON_Delete(prev);
	pn_cni_chain_clear(&c);
}

static void unit__result__converted_and_capped(void **state)
{
	cJSON *r = cJSON_Parse("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
			       "{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"sandbox\":\"/run/netns/x\"}],"
			       "\"ips\":[{\"address\":\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\",\"interface\":1},"
			       "{\"address\":\"10.0.0.3/24\",\"interface\":7}],"
			       "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.0.0.1\"}],"
			       "\"dns\":{\"nameservers\":[\"10.0.0.53\"],\"search\":[\"svc\"]}}");
	struct podnet_result *res = calloc(1, sizeof(*res));
	cJSON *ifs;

	(void)state;
	assert_int_equal(pn_cni_result_to_podnet(r, res), 0);
	assert_int_equal(res->n_interfaces, 2);
	assert_string_equal(res->interfaces[1].sandbox, "/run/netns/x");
	assert_int_equal(res->n_ips, 2);
	assert_int_equal(res->ips[0].interface, 1);
	assert_int_equal(res->ips[1].interface, -1); /* out of range index dropped */
	assert_string_equal(res->routes[0].gw, "10.0.0.1");
	assert_string_equal(res->dns.nameservers[0], "10.0.0.53");
	assert_int_equal(res->dns.n_search, 1);
	ifs = cJSON_GetObjectItem(r, "interfaces");
	for (int i = 0; i < 8; i++)
		cJSON_AddItemToArray(ifs, cJSON_Parse("{\"name\":\"x\"}"));
	memset(res, 0, sizeof(*res));
	assert_int_equal(pn_cni_result_to_podnet(r, res), -E2BIG);
	free(res);
	cJSON_Delete(r);
}

static void unit__plugin_error_json__code_and_message_kept(void **state)
{
	struct podnet_result res;

	(void)state;
	memset(&res, 0, sizeof(res));
	pn_cni_error_to_podnet("{\"code\":7,\"msg\":\"bad config\",\"details\":\"no master\"}", "macvlan", "ADD", 1, &res);
	assert_int_equal(res.cni_code, 7);
	assert_string_equal(res.message, "CNI macvlan ADD: bad config: no master");
	memset(&res, 0, sizeof(res));
	pn_cni_error_to_podnet("garbage", "bridge", "DEL", 2, &res);
	assert_int_equal(res.cni_code, 0);
	assert_string_equal(res.message, "CNI bridge DEL failed (exit status 2)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__cniconfig_with_planned_ips__first_ipam_becomes_static),
		cmocka_unit_test(unit__no_planned_ips__chain_ipam_kept),
		cmocka_unit_test(unit__nad_config_text__wrapped_as_one_plugin),
		cmocka_unit_test(unit__default_without_chain__primary_file_used_or_error),
		cmocka_unit_test(unit__hostile_plugin_type__refused),
		cmocka_unit_test(unit__planned_address_not_cidr__refused),
		cmocka_unit_test(unit__mac__given_to_plugins_with_the_capability),
		cmocka_unit_test(unit__plugin_stdin__has_name_version_and_prev_result),
		cmocka_unit_test(unit__result__converted_and_capped),
		cmocka_unit_test(unit__plugin_error_json__code_and_message_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
