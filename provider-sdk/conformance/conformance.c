/* podnet-provider-conformance — the battery a provider must pass.
 *
 *   podnet-provider-conformance [--ip CIDR] [--keep] [--verbose] [--] PROVIDER.so [PARAMS-JSON]
 *   podnet-provider-conformance --help | --version
 *
 * Loads PROVIDER.so as podnet-agent does (same loader, same handshake), makes
 * two throw-away network namespaces with `ip netns add`, and runs: load,
 * status, can_serve (ABI v1.2, when the provider has it: the network must be
 * servable on this machine), attach, check, detach, detach twice, check after an interface was
 * deleted behind the provider's back, a failed attach (into a missing netns
 * and onto a name already taken) leaving nothing behind, attach after a failed
 * attach, gc, wrong ABI major. PARAMS-JSON is the attachment's resolved
 * parameters (what a PodNetwork's parametersRefs resolve to), "{}" when
 * omitted. Prints one line per case and "N passed, N failed" last; exits 1
 * when anything failed. The namespaces and the state directory are always
 * removed (unless --keep). Needs root.
 */
#include "host/provider_host.h"
#include "pn/version.h"
#include "../lib/spawn.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int n_pass, n_fail;
static char ns_a[32], ns_b[32], path_a[64], path_b[64];
static char state_dir[128];
static const char *ip_bin;
static int verbose;

static void report(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(int ok, const char *name, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("  %s  %-34s %s\n", ok ? "PASS" : "FAIL", name, detail);
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

static void quiet_log(void *ctx, int level, const char *provider, const char *msg)
{
	(void)ctx;
	if (verbose || level <= PODNET_LOG_WARNING)
		fprintf(stderr, "    [%s] %s\n", provider, msg);
}

/* Runs `ip ARGS...`; returns its exit code (or -errno); stdout into out. */
static int run_ip(char *out, size_t outlen, ...)
{
	char *argv[16];
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	struct pn_spawn sp = {0};
	va_list ap;
	int n = 0, r;

	argv[n++] = (char *)"ip";
	va_start(ap, outlen);
	while (n < 15 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	sp.path = ip_bin;
	sp.argv = argv;
	sp.envp = envp;
	sp.timeout_ms = 10000;
	r = pn_spawn_run(&sp);
	if (r == 0)
		r = sp.exit_code;
	if (out && outlen)
		snprintf(out, outlen, "%s", sp.out ? sp.out : "");
	pn_spawn_clear(&sp);
	return r;
}

static int link_exists(const char *ns, const char *ifname)
{
	return run_ip(NULL, 0, "-n", ns, "link", "show", "dev", ifname, NULL) == 0;
}

static int has_addr(const char *ns, const char *ifname, const char *cidr)
{
	char out[8192];

	if (run_ip(out, sizeof(out), "-n", ns, "-o", "addr", "show", "dev", ifname, NULL) != 0)
		return 0;
	return strstr(out, cidr) != NULL;
}

static int file_count;

static int count_files_cb(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)p;
	(void)st;
	(void)f;
	if (type == FTW_F)
		file_count++;
	return 0;
}

/* Regular files under the state directory (what a provider keeps). */
static int count_state_files(void)
{
	file_count = 0;
	nftw(state_dir, count_files_cb, 16, FTW_PHYS);
	return file_count;
}

static int rm_cb(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static void cleanup(void)
{
	if (ns_a[0])
		run_ip(NULL, 0, "netns", "del", ns_a, NULL);
	if (ns_b[0])
		run_ip(NULL, 0, "netns", "del", ns_b, NULL);
	if (state_dir[0])
		nftw(state_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void on_signal(int sig)
{
	(void)sig;
	/* Leave the namespaces to the atexit handler of a clean exit path. */
	_exit(130);
}

struct att {
	struct podnet_pod pod;
	struct podnet_sandbox sb;
	struct podnet_attachment a;
	struct podnet_request req;
	const char *ips[1];
};

static void att_init(struct att *t, const char *cid, const char *netns, const char *ifname, const char *ip,
		     const char *params)
{
	memset(t, 0, sizeof(*t));
	t->pod = (struct podnet_pod){.pod_namespace = "conformance", .name = cid, .uid = "00000000-0000-0000-0000-000000000001"};
	t->sb = (struct podnet_sandbox){.container_id = cid, .netns_path = netns};
	t->ips[0] = ip;
	t->a.size = sizeof(t->a);
	t->a.network = "conformance-net";
	t->a.interface = ifname;
	t->a.provider = "";
	t->a.ips = ip ? t->ips : NULL;
	t->a.n_ips = ip ? 1 : 0;
	t->a.params_json = params;
	t->req.pod = &t->pod;
	t->req.sandbox = &t->sb;
	t->req.attachment = &t->a;
	t->req.deadline_ms = pn_provider_now_ms() + 60000;
}

/* The provider itself must refuse a host of another major. */
static void test_wrong_abi(const char *so)
{
	struct podnet_host_api api;
	podnet_provider_entry_fn *entry;
	char rel[4096];
	void *dl;

	snprintf(rel, sizeof(rel), "%s%s", strchr(so, '/') ? "" : "./", so);
	dl = dlopen(rel, RTLD_NOW | RTLD_LOCAL);

	if (!dl) {
		report(0, "wrong-abi-major", "dlopen: %s", dlerror());
		return;
	}
	*(void **)&entry = dlsym(dl, PODNET_PROVIDER_ENTRY_SYMBOL);
	memset(&api, 0, sizeof(api));
	api.size = sizeof(api);
	api.abi_major = PODNET_ABI_MAJOR + 1;
	api.abi_minor = 0;
	if (!entry)
		report(0, "wrong-abi-major", "no %s symbol", PODNET_PROVIDER_ENTRY_SYMBOL);
	else if (entry(&api) != NULL)
		report(0, "wrong-abi-major", "entry accepted a host of ABI major %u", (unsigned)api.abi_major);
	else
		report(1, "wrong-abi-major", "entry returned NULL for a host of ABI major %u", (unsigned)api.abi_major);
	dlclose(dl);
}

static const char *prog = "podnet-provider-conformance";

/* The manual, as `--help` prints it. */
static void usage_full(FILE *f)
{
	fprintf(f,
		"NAME\n"
		"    podnet-provider-conformance - check that a podnet provider (.so) keeps the provider ABI contract\n"
		"\n"
		"SYNOPSIS\n"
		"    podnet-provider-conformance [--ip CIDR] [--keep] [--verbose] [--] PROVIDER.so [PARAMS-JSON]\n"
		"    podnet-provider-conformance --help | --version\n"
		"\n"
		"DESCRIPTION\n"
		"    Loads PROVIDER.so exactly as podnet-agent does (same loader, handshake and ABI checks),\n"
		"    makes two throw-away network namespaces (pntc<pid>a, pntc<pid>b) and a temporary state\n"
		"    directory, and runs the battery every provider must pass: load, status, the declared\n"
		"    parameters kinds (ABI 1.3) are well-formed, can_serve (ABI 1.2, when the provider fills it),\n"
		"    attach (the link exists with the planned address, the result names it), check, detach,\n"
		"    detach twice, check after the interface was deleted behind the provider's back, detach\n"
		"    when the netns is gone, a failed attach (missing netns; a name already taken) leaves\n"
		"    nothing behind and does not delete the foreign link, attach after a failed attach, gc\n"
		"    keeps what is listed and removes the rest, and the entry point refuses a host of another\n"
		"    ABI major. One line per case (PASS/FAIL), then \"N passed, N failed\". The kit speaks\n"
		"    provider ABI %d.%d: a provider built for an older 1.x minor loads (its missing slots\n"
		"    read as NULL).\n"
		"\n"
		"    PARAMS-JSON is the attachment's resolved parameters (what a PodNetwork's parametersRefs\n"
		"    resolve to), \"{}\" when omitted. Needs root (network namespaces, ip(8)). The namespaces\n"
		"    and the state directory are removed at the end, also on SIGINT/SIGTERM.\n"
		"\n"
		"OPTIONS\n"
		"    --ip CIDR     the planned address of the attachment (default 10.123.0.5/24)\n"
		"    --keep        leave the namespaces and the state directory for inspection\n"
		"    --verbose     show every log line of the provider (default: warnings and errors)\n"
		"    --            end of options: the next argument is PROVIDER.so even if it starts with '-'\n"
		"    -h, --help    print this manual and exit 0\n"
		"    --version     print the kit's version (podnet's) and exit 0\n"
		"\n"
		"EXIT STATUS\n"
		"    0   every case passed\n"
		"    1   at least one case failed (see the FAIL lines)\n"
		"    2   usage error, not root, or the namespaces could not be made\n"
		"\n"
		"EXAMPLES\n"
		"    sudo podnet-provider-conformance ./fast.so\n"
		"    sudo podnet-provider-conformance --ip 192.0.2.10/24 ./fast.so '{\"mtu\":1400}'\n"
		"    sudo podnet-provider-conformance --keep --verbose ./fast.so; ip netns list\n"
		"\n"
		"SEE ALSO\n"
		"    docs/provider-guide.md of podnet; the header <podnet/provider.h>\n",
		PODNET_ABI_MAJOR, PODNET_ABI_MINOR);
}

/* A usage error: what is wrong, the synopsis, exit status 2. */
static int usage_error(const char *what)
{
	fprintf(stderr,
		"%s: %s\n"
		"usage: %s [--ip CIDR] [--keep] [--verbose] [--] PROVIDER.so [PARAMS-JSON]\n"
		"       %s --help | --version\n",
		prog, what, prog, prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *so, *params = "{}", *ip = "10.123.0.5/24";
	char err[1024], config[512], tmpl[] = "/tmp/pnt-conformance-XXXXXX";
	struct pn_provider_opts opts = {0};
	struct pn_provider *p = NULL;
	struct podnet_result *res;
	struct att t, t2;
	int keep = 0, r, before, baseline, i = 1;

	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage_full(stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("podnet-provider-conformance %s\n", pn_version());
			return 0;
		}
		if (!strcmp(a, "--ip")) {
			if (i + 1 >= argc)
				return usage_error("--ip needs a CIDR (e.g. --ip 10.123.0.5/24)");
			ip = argv[++i];
		} else if (!strncmp(a, "--ip=", 5)) {
			ip = a + 5;
		} else if (!strcmp(a, "--keep")) {
			keep = 1;
		} else if (!strcmp(a, "--verbose")) {
			verbose = 1;
		} else {
			char m[512];
			snprintf(m, sizeof(m), "unknown option \"%.100s\" (a provider path starting with '-': use ./%.100s)", a,
				 a);
			return usage_error(m);
		}
	}
	if (i >= argc)
		return usage_error("missing PROVIDER.so");
	if (argc - i > 2)
		return usage_error("too many arguments (PROVIDER.so and at most one PARAMS-JSON)");
	so = argv[i];
	if (argc - i == 2)
		params = argv[i + 1];
	if (geteuid() != 0) {
		fprintf(stderr, "conformance: needs root (network namespaces)\n");
		return 2;
	}
	ip_bin = access("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip" : access("/sbin/ip", X_OK) == 0 ? "/sbin/ip" : "/bin/ip";
	res = calloc(1, sizeof(*res));
	if (!res || !mkdtemp(tmpl))
		return 2;
	snprintf(state_dir, sizeof(state_dir), "%s", tmpl);
	if (!keep)
		atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	snprintf(ns_a, sizeof(ns_a), "pntc%da", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "pntc%db", (int)getpid());
	snprintf(path_a, sizeof(path_a), "/run/netns/%s", ns_a);
	snprintf(path_b, sizeof(path_b), "/run/netns/%s", ns_b);
	if (run_ip(NULL, 0, "netns", "add", ns_a, NULL) != 0 || run_ip(NULL, 0, "netns", "add", ns_b, NULL) != 0) {
		fprintf(stderr, "conformance: cannot create network namespaces\n");
		return 2;
	}
	run_ip(NULL, 0, "-n", ns_a, "link", "set", "lo", "up", NULL);
	run_ip(NULL, 0, "-n", ns_b, "link", "set", "lo", "up", NULL);
	printf("provider conformance: %s\n  params %s\n  netns %s %s, state %s\n", so, params, ns_a, ns_b, state_dir);

	/* load */
	snprintf(config, sizeof(config), "{\"stateDir\":\"%s/state\",\"cniPath\":\"/usr/lib/cni:/opt/cni/bin\"}", state_dir);
	opts.config_json = config;
	opts.log = quiet_log;
	r = pn_provider_load(so, 0, &opts, &p, err, sizeof(err));
	report(r == 0, "load", "%s", r == 0 ? pn_provider_name(p) : err);
	if (r < 0)
		goto end;
	printf("  (provider %s %s, built for ABI 1.%u)\n", pn_provider_name(p), pn_provider_version(p),
	       (unsigned)pn_provider_abi_minor(p));

	baseline = count_state_files();

	/* param_kinds (v1.3): every declared kind well-formed, none twice */
	{
		const char *const *k = pn_provider_declared_kinds(p);
		char why[160], list[1024] = "", bad[512] = "";
		size_t n = 0;

		for (; k && k[n] && n <= PODNET_MAX_PARAM_KINDS; n++) {
			if (!bad[0] && pn_provider_kind_check(k[n], why, sizeof(why)) < 0)
				snprintf(bad, sizeof(bad), "param_kinds[%zu] \"%.100s\": %s", n, k[n], why);
			for (size_t j = 0; !bad[0] && j < n; j++)
				if (!strcmp(k[j], k[n]))
					snprintf(bad, sizeof(bad), "param_kinds[%zu] \"%.100s\" is declared twice", n, k[n]);
			if (strlen(list) + strlen(k[n]) + 3 < sizeof(list))
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", n ? ", " : "", k[n]);
		}
		if (!bad[0] && n > PODNET_MAX_PARAM_KINDS)
			snprintf(bad, sizeof(bad), "more than %d param_kinds (PODNET_MAX_PARAM_KINDS)",
				 PODNET_MAX_PARAM_KINDS);
		if (bad[0])
			report(0, "param-kinds", "%s", bad);
		else if (n)
			report(1, "param-kinds", "declares %s", list);
		else
			report(1, "param-kinds", "declares none (podnet's own kinds only)");
	}

	/* status */
	r = pn_provider_status(p, res);
	report(r == 0, "status-ready", "%s", r == 0 ? "ready" : res->message);

	/* can_serve (v1.2): the network the kit attaches must be servable here */
	if (pn_provider_has_can_serve(p)) {
		att_init(&t, "pntconf-cs", "", "net1", ip, params);
		t.req.pod = NULL;
		t.req.sandbox = NULL;
		r = pn_provider_can_serve(p, &t.req, res);
		report(r == 0, "can-serve", "%s", r == 0 ? "this node can serve the network" : res->message);
	}

	/* attach + result */
	before = count_state_files();
	att_init(&t, "pntconf-a", path_a, "net1", ip, params);
	r = pn_provider_attach(p, &t.req, res);
	report(r == 0, "attach", "%s", r == 0 ? "ok" : res->message);
	report(link_exists(ns_a, "net1"), "attach-link-exists", "net1 in %s", ns_a);
	report(has_addr(ns_a, "net1", ip), "attach-address", "%s on net1", ip);
	{
		int ok = r == 0 && res->n_interfaces >= 1;
		int found = 0;
		for (uint32_t k = 0; ok && k < res->n_interfaces; k++)
			if (!strcmp(res->interfaces[k].name, "net1") && !strcmp(res->interfaces[k].sandbox, path_a))
				found = 1;
		int ipok = 0;
		for (uint32_t k = 0; ok && k < res->n_ips; k++)
			if (!strcmp(res->ips[k].address, ip))
				ipok = 1;
		report(found && ipok, "attach-result", "interfaces %u ips %u (net1 in sandbox, %s)", res->n_interfaces,
		       res->n_ips, ip);
	}

	/* check */
	r = pn_provider_check(p, &t.req, res);
	report(r == 0, "check", "%s", r == 0 ? "ok" : res->message);

	/* detach, detach twice */
	r = pn_provider_detach(p, &t.req, res);
	{
		int left = link_exists(ns_a, "net1");
		report(r == 0 && !left, "detach", "%s", r != 0 ? res->message : left ? "returned 0 but net1 is still there" : "net1 gone");
	}
	r = pn_provider_detach(p, &t.req, res);
	report(r == 0, "detach-twice", "%s", r == 0 ? "ok" : res->message);
	report(count_state_files() == before, "detach-leaves-no-state", "%d state files (before attach: %d)",
	       count_state_files(), before);

	/* check notices an interface deleted behind the provider's back */
	r = pn_provider_attach(p, &t.req, res);
	run_ip(NULL, 0, "-n", ns_a, "link", "del", "net1", NULL);
	if (r == 0) {
		r = pn_provider_check(p, &t.req, res);
		report(r < 0, "check-notices-missing-interface", "%s", r < 0 ? res->message : "check passed");
		pn_provider_detach(p, &t.req, res);
	} else {
		report(0, "check-notices-missing-interface", "re-attach failed: %s", res->message);
	}
	/* detach when the netns is already gone */
	att_init(&t2, "pntconf-gone", "/run/netns/pnt-does-not-exist", "net1", ip, params);
	r = pn_provider_detach(p, &t2.req, res);
	report(r == 0, "detach-netns-gone", "%s", r == 0 ? "ok" : res->message);

	/* failed attach into a missing netns leaves nothing behind */
	before = count_state_files();
	r = pn_provider_attach(p, &t2.req, res);
	report(r < 0 && count_state_files() == before, "failed-attach-missing-netns",
	       "returned %d (%s), state files %d -> %d", r, res->message, before, count_state_files());

	/* failed attach onto a name already taken: fails, keeps the foreign link */
	if (run_ip(NULL, 0, "-n", ns_a, "link", "add", "net3", "type", "dummy", NULL) != 0)
		run_ip(NULL, 0, "-n", ns_a, "link", "add", "net3", "type", "bridge", NULL);
	att_init(&t2, "pntconf-clash", path_a, "net3", ip, params);
	before = count_state_files();
	r = pn_provider_attach(p, &t2.req, res);
	report(r < 0, "failed-attach-name-taken", "returned %d (%s)", r, res->message);
	report(link_exists(ns_a, "net3") && count_state_files() == before, "failed-attach-leaves-nothing",
	       "foreign net3 kept, state files %d -> %d", before, count_state_files());
	{
		char out[4096] = "";
		run_ip(out, sizeof(out), "-n", ns_a, "-o", "link", "show", NULL);
		int links = 0;
		for (char *q = out; (q = strchr(q, '\n')); q++)
			links++;
		report(links == 2, "failed-attach-no-extra-links", "%d links in %s (lo, net3)", links, ns_a);
	}
	run_ip(NULL, 0, "-n", ns_a, "link", "del", "net3", NULL);

	/* attach after a failed attach */
	att_init(&t2, "pntconf-clash", path_a, "net3", ip, params);
	r = pn_provider_attach(p, &t2.req, res);
	report(r == 0 && link_exists(ns_a, "net3"), "attach-after-failed-attach", "%s", r == 0 ? "ok" : res->message);
	pn_provider_detach(p, &t2.req, res);

	/* gc: keeps what is listed, removes the rest */
	{
		struct podnet_gc_keep k = {.container_id = "pntconf-a", .interface = "net1"};
		struct podnet_request gr;
		char ip_b[64];

		/* another address for the second namespace: same subnet, next host */
		snprintf(ip_b, sizeof(ip_b), "%s", ip);
		char *dot = strrchr(ip_b, '.'), *slash = strchr(ip_b, '/');
		if (dot && slash && dot < slash) {
			int last = atoi(dot + 1);
			char tail[16];
			snprintf(tail, sizeof(tail), "%s", slash);
			snprintf(dot + 1, sizeof(ip_b) - (size_t)(dot + 1 - ip_b), "%d%s", last + 1, tail);
		}
		att_init(&t, "pntconf-a", path_a, "net1", ip, params);
		att_init(&t2, "pntconf-b", path_b, "net1", ip_b, params);
		r = pn_provider_attach(p, &t.req, res);
		int r2 = pn_provider_attach(p, &t2.req, res);
		memset(&gr, 0, sizeof(gr));
		gr.keep = &k;
		gr.n_keep = 1;
		int rg = pn_provider_gc(p, &gr, res);
		report(r == 0 && r2 == 0 && rg == 0, "gc", "attach %d/%d, gc %d %s", r, r2, rg, res->message);
		report(link_exists(ns_a, "net1"), "gc-keeps-listed", "net1 in %s %s", ns_a,
		       link_exists(ns_a, "net1") ? "kept" : "removed although listed");
		report(!link_exists(ns_b, "net1"), "gc-removes-unlisted", "net1 in %s %s", ns_b,
		       link_exists(ns_b, "net1") ? "left behind" : "removed");
		gr.n_keep = 0;
		rg = pn_provider_gc(p, &gr, res);
		report(rg == 0 && !link_exists(ns_a, "net1") && count_state_files() == baseline,
		       "gc-empty-list-removes-all", "gc %d, net1 in %s %s, %d state files (after init: %d)", rg, ns_a,
		       link_exists(ns_a, "net1") ? "left" : "gone", count_state_files(), baseline);
	}

	test_wrong_abi(so);
	pn_provider_free(p);
	p = NULL;
	report(1, "fini", "ok");
end:
	free(res);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
