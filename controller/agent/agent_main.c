/* podnet-agent — the node agent. By default it watches the Pods bound to its
 * node (agent_kube.c: plans from the podnet.dev/plan annotation,
 * network-status written back to the Pod). With --no-kube, plans come from
 * --plans-dir files named <ns>_<pod>.json (the podnet.dev/plan annotation's
 * JSON), Pods without a file get default only, and network-status values go
 * to <state-dir>/status/<ns>_<pod>.json. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <sys/inotify.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/agent_kube.h"
#include "pn/version.h"

static struct pn_agent *the_agent;

static void on_signal(int sig)
{
	(void)sig;
	if (the_agent)
		pn_agent_stop(the_agent);
}

/* --plans-dir: a changed, new or removed plan file hot-plugs its Pod, as a
 * changed podnet.dev/plan annotation will with the Pod watch. */
static volatile int watcher_stop;

static void *watch_plans(void *arg)
{
	const char *dir = arg;
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd < 0 || inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM) < 0) {
		fprintf(stderr, "podnet-agent: cannot watch %s: %s (no hot-plug from files)\n", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (!watcher_stop) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 300) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		for (char *q = buf; n > 0 && q < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)q;
			char name[256], *us, *dot;

			q += sizeof(*ev) + ev->len;
			if (!ev->len || strlen(ev->name) >= sizeof(name))
				continue;
			strcpy(name, ev->name);
			us = strchr(name, '_');
			dot = strrchr(name, '.');
			if (!us || !dot || strcmp(dot, ".json") || dot < us)
				continue;
			*us = '\0';
			*dot = '\0';
			pn_agent_replan(the_agent, name, us + 1);
		}
	}
	close(fd);
	return NULL;
}

/* --primary-cni-conf may name podnet's own conflist (what install-cni
 * writes): then the primary is the file it points at, a path on the node,
 * found under --host-root when there is one. */
static const char *resolve_primary(const char *path, const char *root, char *buf, size_t len)
{
	json_error_t jerr;
	json_t *c, *p0;
	const char *type, *target;

	if (!path)
		return NULL;
	c = json_load_file(path, 0, &jerr);
	p0 = json_array_get(json_object_get(c, "plugins"), 0);
	type = json_string_value(json_object_get(p0, "type"));
	target = json_string_value(json_object_get(p0, "primaryConfList"));
	if (!root || !strcmp(root, "/"))
		root = "";
	if (type && !strcmp(type, "podnet-cni") && target && *target && strlen(root) + strlen(target) < len) {
		size_t n = target[0] == '/' ? strlen(root) : 0;
		memcpy(buf, root, n);
		memcpy(buf + n, target, strlen(target) + 1);
		path = buf;
	}
	json_decref(c);
	return path;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podnet-agent [--kubeconfig FILE] [--node-name NODE] [options]\n"
		"       podnet-agent --no-kube [--plans-dir DIR] [options]\n"
		"  --kubeconfig FILE         API server access; without it $KUBECONFIG (':'-separated\n"
		"                            files, merged), then the Pod's service account, then\n"
		"                            ~/.kube/config\n"
		"  --node-name NODE          this node (default $NODE_NAME, else the hostname)\n"
		"  --no-kube                 run without the API server (plans from --plans-dir)\n"
		"  --plans-dir DIR           plans as DIR/<namespace>_<pod>.json\n"
		"  --socket PATH             shim socket (default /run/podnet/agent.sock)\n"
		"  --state-dir DIR           records, provider state, status (default /var/lib/podnet)\n"
		"  --providers-dir DIR       provider .so files, root-owned (default /usr/lib/podnet/providers)\n"
		"  --primary-cni-conf FILE   the node's primary CNI config (the default network); podnet's\n"
		"                            own 00-podnet.conflist means the file it points at\n"
		"  --cni-path DIRS           CNI plugin directories (default /usr/lib/cni:/opt/cni/bin)\n"
		"  --host-root DIR           the node's root file system as mounted here (a DaemonSet's\n"
		"                            /host): CNI plugins run chrooted there, with the node's files;\n"
		"                            --cni-path then names the node's directories\n"
		"  --default-provider NAME   provider of the default network (default podnet.dev/cni)\n"
		"  --workers N               concurrent requests (default 4)\n"
		"  --plan-wait-ms N          how long ADD waits for a pending plan (default 30000)\n"
		"  --plan-keys-file FILE     public keys (PEM) plans are checked with, instead of the\n"
		"                            ConfigMap podnet-system/podnet-plan-keys (tests)\n"
		"  --avail-period SECONDS    how often the node's PodNetworkNode report is evaluated\n"
		"                            (default 30; also at once on PodNetwork/CNIConfig changes)\n"
		"  --metrics-addr IP:PORT    serve /healthz and /metrics (default: off)\n"
		"  --version                 print \"podnet-agent VERSION\" and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"no-kube", no_argument, NULL, 'K'},
		{"kubeconfig", required_argument, NULL, 'k'},
		{"node-name", required_argument, NULL, 'n'},
		{"plans-dir", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"state-dir", required_argument, NULL, 'S'},
		{"providers-dir", required_argument, NULL, 'P'},
		{"primary-cni-conf", required_argument, NULL, 'c'},
		{"cni-path", required_argument, NULL, 'C'},
		{"host-root", required_argument, NULL, 'R'},
		{"default-provider", required_argument, NULL, 'd'},
		{"workers", required_argument, NULL, 'w'},
		{"plan-wait-ms", required_argument, NULL, 'W'},
		{"plan-keys-file", required_argument, NULL, 'F'},
		{"metrics-addr", required_argument, NULL, 'm'},
		{"avail-period", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct pn_agent_config cfg = {
		.state_dir = "/var/lib/podnet",
		.providers_dir = "/usr/lib/podnet/providers",
		.write_status_files = 1,
	};
	const char *sock = "/run/podnet/agent.sock", *metrics = NULL;
	struct pn_agent_kube_opts kube = {NULL, NULL, NULL, 0};
	struct pn_agent_kube *kw = NULL;
	char host[256], primary[4096];
	struct sigaction sa;
	char err[1024] = "";
	int no_kube = 0, workers = 4, o, r;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'K': no_kube = 1; break;
		case 'k': kube.kubeconfig = optarg; break;
		case 'n': kube.node_name = optarg; break;
		case 'p': cfg.plans_dir = optarg; break;
		case 's': sock = optarg; break;
		case 'S': cfg.state_dir = optarg; break;
		case 'P': cfg.providers_dir = optarg; break;
		case 'c': cfg.primary_conflist = optarg; break;
		case 'C': cfg.cni_path = optarg; break;
		case 'R': cfg.host_root = optarg; break;
		case 'd': cfg.default_provider = optarg; break;
		case 'w': workers = atoi(optarg); break;
		case 'W': cfg.plan_wait_ms = atoi(optarg); break;
		case 'F': kube.plan_keys_file = optarg; break;
		case 'm': metrics = optarg; break;
		case 'A':
			kube.avail_period = atof(optarg);
			if (kube.avail_period < 1 || kube.avail_period > 3600) {
				fprintf(stderr, "podnet-agent: --avail-period: %s is not a number of seconds from 1 to 3600\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("podnet-agent %s\n", pn_version()); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!no_kube) {
		if (!kube.node_name || !*kube.node_name)
			kube.node_name = getenv("NODE_NAME");
		if ((!kube.node_name || !*kube.node_name) && gethostname(host, sizeof(host)) == 0) {
			host[sizeof(host) - 1] = '\0';
			kube.node_name = host;
		}
		/* the watch decides: an ADD for a Pod it has not shown yet waits */
		cfg.wait_for_unknown_pods = 1;
		cfg.write_status_files = 0;
	}
	cfg.primary_conflist = resolve_primary(cfg.primary_conflist, cfg.host_root, primary, sizeof(primary));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* SIGPIPE keeps its default: every write to a socket uses MSG_NOSIGNAL,
	 * and plugins must not inherit an ignored SIGPIPE. */
	r = pn_agent_new(&cfg, &the_agent, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "podnet-agent: %s\n", err);
		return 1;
	}
	if (!no_kube && pn_agent_kube_start(the_agent, &kube, &kw, err, sizeof(err)) < 0) {
		fprintf(stderr, "podnet-agent: %s\n", err);
		pn_agent_free(the_agent);
		return 1;
	}
	if (kw)
		pn_agent_set_metrics_hook(the_agent, pn_agent_kube_metrics, kw);
	if (metrics && pn_agent_http_start(the_agent, metrics, err, sizeof(err)) < 0) {
		fprintf(stderr, "podnet-agent: %s\n", err);
		pn_agent_kube_free(kw);
		pn_agent_free(the_agent);
		return 1;
	}
	{
		pthread_t w;
		int watching = cfg.plans_dir && pthread_create(&w, NULL, watch_plans, (void *)cfg.plans_dir) == 0;

		r = pn_agent_serve(the_agent, sock, workers, err, sizeof(err));
		if (r < 0)
			fprintf(stderr, "podnet-agent: %s\n", err);
		watcher_stop = 1;
		if (watching)
			pthread_join(w, NULL);
	}
	pn_agent_kube_stop(kw);
	pn_agent_free(the_agent);
	pn_agent_kube_free(kw); /* after the agent: its threads may still call the sink */
	the_agent = NULL;
	return r < 0 ? 1 : 0;
}
