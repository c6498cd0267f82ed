/* Unit tests of the cni provider's can_serve (ABI v1.2), through the real
 * loader: plugins looked for as ADD looks for them (cniPath, inside
 * hostRoot), ipam plugins, parent links (macvlan/ipvlan/vlan master,
 * host-device device) in this process's network namespace, and the reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/provider_host.h"

#define CNI_SO PN_TEST_BUILD "/providers/cni.so"

struct fx {
	char dir[64];
	char root[128];
	struct pn_provider *p;
	struct pn_provider *rooted;
};

static void touch_exec(const char *dir, const char *name, int mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char cfg[1024], err[512], bin[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/pnt-canserve-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(bin, sizeof(bin), "%s/bin", f->dir);
	mkdir(bin, 0755);
	touch_exec(bin, "bridge", 0755);
	touch_exec(bin, "macvlan", 0755);
	touch_exec(bin, "host-local", 0755);
	touch_exec(bin, "vlan", 0644); /* not executable: not a plugin */
	snprintf(cfg, sizeof(cfg), "{\"stateDir\":\"%s/state\",\"cniPath\":\"%s/none:%s\"}", f->dir, f->dir, bin);
	if (pn_provider_load(CNI_SO, 0, &(struct pn_provider_opts){.config_json = cfg}, &f->p, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	/* hostRoot: the directories are the node's, looked up inside the root,
	 * where /opt/cni/bin/ipvlan is a symbolic link to an absolute path. */
	snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
	snprintf(bin, sizeof(bin), "%s/root/opt", f->dir);
	mkdir(f->root, 0755);
	mkdir(bin, 0755);
	snprintf(bin, sizeof(bin), "%s/root/opt/cni", f->dir);
	mkdir(bin, 0755);
	snprintf(bin, sizeof(bin), "%s/root/opt/cni/bin", f->dir);
	mkdir(bin, 0755);
	touch_exec(bin, "ipvlan-real", 0755);
	{
		char link[300];
		snprintf(link, sizeof(link), "%s/ipvlan", bin);
		assert_int_equal(symlink("/opt/cni/bin/ipvlan-real", link), 0);
	}
	snprintf(cfg, sizeof(cfg), "{\"stateDir\":\"%s/state2\",\"cniPath\":\"/opt/cni/bin\",\"hostRoot\":\"%s\"}",
		 f->dir, f->root);
	if (pn_provider_load(CNI_SO, 0, &(struct pn_provider_opts){.config_json = cfg}, &f->rooted, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	pn_provider_free(f->p);
	pn_provider_free(f->rooted);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(f);
	return 0;
}

static int ask(struct pn_provider *p, const char *params, struct podnet_result *res)
{
	struct podnet_attachment a = {.size = sizeof(a), .network = "net-a", .interface = "net1",
				      .provider = "podnet.dev/cni", .params_json = params};
	struct podnet_request req = {.size = sizeof(req), .attachment = &a};

	return pn_provider_can_serve(p, &req, res);
}

static void unit__plugins_present__available(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_true(pn_provider_has_can_serve(f->p));
	assert_int_equal(ask(f->p, "{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"br9\","
				   "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.9.0.0/24\"}}]}", &res), 0);
	assert_string_equal(res.message, "");
}

static void unit__plugin_missing__enoent_names_plugin_and_dirs(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_int_equal(ask(f->p, "{\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"tuning\"}]}", &res), -ENOENT);
	assert_non_null(strstr(res.message, "CNI plugin tuning (plugins[1]) not found in"));
	assert_non_null(strstr(res.message, f->dir));
}

static void unit__plugin_not_executable__enoent(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_int_equal(ask(f->p, "{\"plugins\":[{\"type\":\"vlan\",\"master\":\"lo\",\"vlanId\":5}]}", &res), -ENOENT);
	assert_non_null(strstr(res.message, "CNI plugin vlan (plugins[0]) not found"));
}

static void unit__ipam_plugin_missing__enoent(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_int_equal(ask(f->p, "{\"plugins\":[{\"type\":\"bridge\",\"ipam\":{\"type\":\"dhcp\"}}]}", &res), -ENOENT);
	assert_non_null(strstr(res.message, "CNI IPAM plugin dhcp (plugins[0].ipam) not found"));
}

static void unit__macvlan_master_present__available(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_int_equal(ask(f->p, "{\"plugins\":[{\"type\":\"macvlan\",\"master\":\"lo\",\"mode\":\"bridge\"}]}", &res),
			 0);
	/* no master: the default route's link, not checked */
	assert_int_equal(ask(f->p, "{\"type\":\"macvlan\"}", &res), 0);
}

static void unit__macvlan_master_missing__enodev_names_link(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_int_equal(ask(f->p, "{\"plugins\":[{\"type\":\"macvlan\",\"master\":\"pnnope0\"}]}", &res), -ENODEV);
	assert_string_equal(res.message, "link \"pnnope0\" (macvlan master) does not exist on this node");
}

static void unit__host_device_device_missing__enodev(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;
	char params[256];

	/* host-device is not installed in the test's directory: plugins first */
	assert_int_equal(ask(f->p, "{\"type\":\"host-device\",\"device\":\"pnnope1\"}", &res), -ENOENT);
	touch_exec(strcat(strcpy(params, f->dir), "/bin"), "host-device", 0755);
	assert_int_equal(ask(f->p, "{\"type\":\"host-device\",\"device\":\"pnnope1\"}", &res), -ENODEV);
	assert_string_equal(res.message, "link \"pnnope1\" (host-device device) does not exist on this node");
	assert_int_equal(ask(f->p, "{\"type\":\"host-device\",\"device\":\"lo\"}", &res), 0);
	/* a name that cannot be a link is never looked up */
	assert_int_equal(ask(f->p, "{\"type\":\"host-device\",\"device\":\"../../etc\"}", &res), -ENODEV);
}

static void unit__host_root__plugins_resolved_inside_the_root(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	/* lookups inside a root need openat2 (valgrind does not know it) */
	if (fd < 0 && errno == ENOSYS)
		skip();
	if (fd >= 0)
		close(fd);

	/* ipvlan is a symbolic link with an absolute target inside the root */
	assert_int_equal(ask(f->rooted, "{\"type\":\"ipvlan\",\"master\":\"lo\"}", &res), 0);
	assert_int_equal(ask(f->rooted, "{\"type\":\"ipvlan\",\"master\":\"pnnope2\"}", &res), -ENODEV);
	assert_string_equal(res.message, "link \"pnnope2\" (ipvlan master) does not exist on this node");
	/* bridge exists in the test's own directory, not in the root */
	assert_int_equal(ask(f->rooted, "{\"type\":\"bridge\"}", &res), -ENOENT);
	assert_non_null(strstr(res.message, " under "));
}

static void unit__bad_params__einval(void **state)
{
	struct fx *f = *state;
	struct podnet_result res;

	assert_int_equal(ask(f->p, "[1]", &res), -EINVAL);
	assert_string_equal(res.message, "params are not a JSON object");
	assert_int_equal(ask(f->p, "{\"plugins\":[]}", &res), -EINVAL);
	assert_string_equal(res.message, "CNI config has no plugins");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__plugins_present__available),
		cmocka_unit_test(unit__plugin_missing__enoent_names_plugin_and_dirs),
		cmocka_unit_test(unit__plugin_not_executable__enoent),
		cmocka_unit_test(unit__ipam_plugin_missing__enoent),
		cmocka_unit_test(unit__macvlan_master_present__available),
		cmocka_unit_test(unit__macvlan_master_missing__enodev_names_link),
		cmocka_unit_test(unit__host_device_device_missing__enodev),
		cmocka_unit_test(unit__host_root__plugins_resolved_inside_the_root),
		cmocka_unit_test(unit__bad_params__einval),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
