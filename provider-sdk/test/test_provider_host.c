/* Unit tests of host/provider_host.c: the handshake, version checks and the
 * ownership rules, with the test providers of provider-sdk/test/providers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/provider_host.h"

#ifndef PN_TEST_BUILD
#error "PN_TEST_BUILD must name the build directory"
#endif

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pnt-ph-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/p.so", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	return 0;
}

/* Copies src into tmpdir/p.so with the given mode; returns the path. */
static const char *copy_so(const char *src, mode_t mode)
{
	static char dst[128];
	char buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(dst, sizeof(dst), "%s/p.so", tmpdir);
	unlink(dst);
	in = fopen(src, "rb");
	assert_non_null(in);
	out = fopen(dst, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	assert_int_equal(chmod(dst, mode), 0);
	return dst;
}

static void unit__old_minor_provider__loads_and_missing_slots_read_as_ready(void **state)
{
	struct pn_provider *p = NULL;
	struct podnet_result res;
	struct podnet_pod pod = {"ns", "pod", "uid"};
	struct podnet_sandbox sb = {"cid", "/proc/self/ns/net"};
	struct podnet_attachment a = {.size = sizeof(a), .network = "n", .interface = "net7", .provider = "", .params_json = "{}"};
	struct podnet_request req = {.pod = &pod, .sandbox = &sb, .attachment = &a};
	char err[512];

	(void)state;
	assert_int_equal(pn_provider_load(PN_TEST_BUILD "/test/providers/old-minor.so", 0, NULL, &p, err, sizeof(err)), 0);
	assert_string_equal(pn_provider_name(p), "test.podnet.dev/old-minor");
	assert_int_equal(pn_provider_abi_minor(p), 0);
	/* v1.0 has no status slot: zero-filled, so ready. */
	assert_int_equal(pn_provider_status(p, &res), 0);
	/* nor a can_serve slot (v1.2): available whenever ready */
	assert_false(pn_provider_has_can_serve(p));
	assert_int_equal(pn_provider_can_serve(p, &req, &res), 0);
	assert_int_equal(pn_provider_attach(p, &req, &res), 0);
	assert_int_equal(res.n_interfaces, 1);
	assert_string_equal(res.interfaces[0].name, "net7");
	pn_provider_free(p);
}

static void unit__other_major_provider__refused_with_both_versions_named(void **state)
{
	struct pn_provider *p = NULL;
	char err[512];
	int r;

	(void)state;
	r = pn_provider_load(PN_TEST_BUILD "/test/providers/other-major.so", 0, NULL, &p, err, sizeof(err));
	assert_int_equal(r, -EPROTO);
	assert_null(p);
	assert_non_null(strstr(err, "built for provider ABI 2.0"));
	assert_non_null(strstr(err, "this agent speaks ABI 1.x"));
	print_message("refusal: %s\n", err);
}

static void unit__host_of_other_major__provider_refuses_in_entry(void **state)
{
	struct pn_provider_opts o = {.fake_host_major = PODNET_ABI_MAJOR + 1};
	struct pn_provider *p = NULL;
	char err[512];

	(void)state;
	assert_int_equal(pn_provider_load(PN_TEST_BUILD "/providers/example.so", 0, &o, &p, err, sizeof(err)), -EPROTO);
	assert_null(p);
	assert_non_null(strstr(err, "refused this agent"));
}

static void unit__root_owned_0755_file__loads_with_owner_check(void **state)
{
	struct pn_provider *p = NULL;
	struct pn_provider_opts o = {.config_json = "{\"stateDir\":\"/tmp/pnt-ph-state\"}"};
	char err[512];
	const char *so;

	(void)state;
	so = copy_so(PN_TEST_BUILD "/providers/example.so", 0755);
	assert_int_equal(pn_provider_load(so, PN_PROVIDER_CHECK_OWNER, &o, &p, err, sizeof(err)), 0);
	assert_string_equal(pn_provider_name(p), "podnet.dev/example");
	pn_provider_free(p);
	rmdir("/tmp/pnt-ph-state");
}

static void unit__group_writable_file__refused(void **state)
{
	struct pn_provider *p = NULL;
	char err[512];
	const char *so;

	(void)state;
	so = copy_so(PN_TEST_BUILD "/providers/example.so", 0775);
	assert_int_equal(pn_provider_load(so, PN_PROVIDER_CHECK_OWNER, NULL, &p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));
	assert_null(p);
}

static void unit__file_not_owned_by_root__refused(void **state)
{
	struct pn_provider *p = NULL;
	char err[512];
	const char *so;

	(void)state;
	so = copy_so(PN_TEST_BUILD "/providers/example.so", 0755);
	assert_int_equal(chown(so, 65534, 65534), 0);
	assert_int_equal(pn_provider_load(so, PN_PROVIDER_CHECK_OWNER, NULL, &p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "owned by uid 65534, not root"));
	/* The conformance kit loads a vendor's file without the owner check. */
	assert_int_equal(pn_provider_load(so, 0, NULL, &p, err, sizeof(err)), -EINVAL); /* init wants stateDir */
	assert_non_null(strstr(err, "failed to initialise"));
}

static void unit__symlinked_file__refused(void **state)
{
	struct pn_provider *p = NULL;
	char err[512], link[128];

	(void)state;
	snprintf(link, sizeof(link), "%s/p.so", tmpdir);
	unlink(link);
	assert_int_equal(symlink(PN_TEST_BUILD "/providers/example.so", link), 0);
	assert_true(pn_provider_load(link, PN_PROVIDER_CHECK_OWNER, NULL, &p, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot open provider"));
}

static void unit__provider_dir_rules__writable_or_foreign_refused(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(chmod(tmpdir, 0755), 0);
	assert_int_equal(pn_provider_dir_check(tmpdir, err, sizeof(err)), 0);
	assert_int_equal(chmod(tmpdir, 0777), 0);
	assert_int_equal(pn_provider_dir_check(tmpdir, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));
	assert_int_equal(chmod(tmpdir, 0755), 0);
	assert_int_equal(chown(tmpdir, 1000, 0), 0);
	assert_int_equal(pn_provider_dir_check(tmpdir, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "not root"));
	assert_int_equal(chown(tmpdir, 0, 0), 0);
	assert_int_equal(pn_provider_dir_check("/nonexistent-pnt", err, sizeof(err)), -ENOENT);
}

static void unit__not_a_provider__refused_without_entry_symbol(void **state)
{
	struct pn_provider *p = NULL;
	char err[512];

	(void)state;
	/* a shared object that is not a provider: the old-minor test provider
	 * exports the symbol, so use a library that does not */
	assert_int_equal(pn_provider_load(PN_TEST_BUILD "/test/providers/no-entry.so", 0, NULL, &p, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, "does not export podnet_provider_entry"));
}

static char kinds_log[2048];

static void kinds_log_fn(void *ctx, int level, const char *provider, const char *msg)
{
	(void)ctx;
	if (level <= PODNET_LOG_WARNING) {
		strncat(kinds_log, msg, sizeof(kinds_log) - strlen(kinds_log) - 2);
		strcat(kinds_log, "\n");
	}
}

/* ABI 1.3: the host keeps the well-formed, distinct declared kinds and says
 * which it left out; a provider of an older minor declares none. */
static void unit__param_kinds__kept_when_well_formed(void **state)
{
	struct pn_provider_opts o = {.log = kinds_log_fn};
	struct pn_provider *p = NULL;
	const char *const *k;
	char err[512], why[128];

	(void)state;
	kinds_log[0] = 0;
	assert_int_equal(pn_provider_load(PN_TEST_BUILD "/test/providers/fail-half.so", 0, &o, &p, err, sizeof(err)), 0);
	assert_int_equal(pn_provider_param_kinds(p, &k), 1);
	assert_string_equal(k[0], "acme.io/AcmeNet");
	assert_string_equal(pn_provider_declared_kinds(p)[2], "not-a-kind");
	assert_non_null(strstr(kinds_log, "param_kinds[2] \"not-a-kind\" ignored: must be group/Kind"));
	assert_non_null(strstr(kinds_log, "param_kinds[3] \"acme.io/lowerCase\" ignored: the kind must start with A-Z"));
	pn_provider_free(p);
	p = NULL;
	assert_int_equal(pn_provider_load(PN_TEST_BUILD "/test/providers/old-minor.so", 0, NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(pn_provider_param_kinds(p, &k), 0);
	assert_null(pn_provider_declared_kinds(p));
	pn_provider_free(p);

	assert_int_equal(pn_provider_kind_check("acme.io/AcmeNet", why, sizeof(why)), 0);
	assert_int_equal(pn_provider_kind_check("x-1.example.com/Net2", why, sizeof(why)), 0);
	assert_int_equal(pn_provider_kind_check("acme/AcmeNet", why, sizeof(why)), -EINVAL);
	assert_int_equal(pn_provider_kind_check("Acme.io/AcmeNet", why, sizeof(why)), -EINVAL);
	assert_int_equal(pn_provider_kind_check("acme..io/AcmeNet", why, sizeof(why)), -EINVAL);
	assert_int_equal(pn_provider_kind_check("acme.io/Acme-Net", why, sizeof(why)), -EINVAL);
	assert_int_equal(pn_provider_kind_check("acme.io/", why, sizeof(why)), -EINVAL);
	assert_int_equal(pn_provider_kind_check(NULL, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit__old_minor_provider__loads_and_missing_slots_read_as_ready),
		cmocka_unit_test(unit__other_major_provider__refused_with_both_versions_named),
		cmocka_unit_test(unit__host_of_other_major__provider_refuses_in_entry),
		cmocka_unit_test(unit__root_owned_0755_file__loads_with_owner_check),
		cmocka_unit_test(unit__group_writable_file__refused),
		cmocka_unit_test(unit__file_not_owned_by_root__refused),
		cmocka_unit_test(unit__symlinked_file__refused),
		cmocka_unit_test(unit__provider_dir_rules__writable_or_foreign_refused),
		cmocka_unit_test(unit__not_a_provider__refused_without_entry_symbol),
		cmocka_unit_test(unit__param_kinds__kept_when_well_formed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
