/* podnet-agent — the node agent. This build runs without Kubernetes
 * (--no-kube): plans come from --plans-dir files named <ns>_<pod>.json (the
 * podnet.dev/plan annotation's JSON), Pods without a file get default only,
 * and network-status values go to <state-dir>/status/<ns>_<pod>.json. The
 * Pod watch plugs into node/agent.h's plan and status doors. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sys/inotify.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/agent.h"

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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: podnet-agent --no-kube [options]\n"
		"  --no-kube                 run without the API server (plans from --plans-dir)\n"
		"  --plans-dir DIR           plans as DIR/<namespace>_<pod>.json\n"
		"  --socket PATH             shim socket (default /run/podnet/agent.sock)\n"
		"  --state-dir DIR           records, provider state, status (default /var/lib/podnet)\n"
		"  --providers-dir DIR       provider .so files, root-owned (default /usr/lib/podnet/providers)\n"
		"  --primary-cni-conf FILE   the node's primary CNI config (the default network)\n"
		"  --cni-path DIRS           CNI plugin directories (default /usr/lib/cni:/opt/cni/bin)\n"
		"  --default-provider NAME   provider of the default network (default podnet.dev/cni)\n"
		"  --workers N               concurrent requests (default 4)\n"
		"  --plan-wait-ms N          how long ADD waits for a pending plan (default 30000)\n"
		"  --metrics-addr IP:PORT    serve /healthz and /metrics (default: off)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"no-kube", no_argument, NULL, 'K'},
		{"plans-dir", required_argument, NULL, 'p'},
		{"socket", required_argument, NULL, 's'},
		{"state-dir", required_argument, NULL, 'S'},
		{"providers-dir", required_argument, NULL, 'P'},
		{"primary-cni-conf", required_argument, NULL, 'c'},
		{"cni-path", required_argument, NULL, 'C'},
		{"default-provider", required_argument, NULL, 'd'},
		{"workers", required_argument, NULL, 'w'},
		{"plan-wait-ms", required_argument, NULL, 'W'},
		{"metrics-addr", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pn_agent_config cfg = {
		.state_dir = "/var/lib/podnet",
		.providers_dir = "/usr/lib/podnet/providers",
		.write_status_files = 1,
	};
	const char *sock = "/run/podnet/agent.sock", *metrics = NULL;
	struct sigaction sa;
	char err[1024] = "";
	int no_kube = 0, workers = 4, o, r;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'K': no_kube = 1; break;
		case 'p': cfg.plans_dir = optarg; break;
		case 's': sock = optarg; break;
		case 'S': cfg.state_dir = optarg; break;
		case 'P': cfg.providers_dir = optarg; break;
		case 'c': cfg.primary_conflist = optarg; break;
		case 'C': cfg.cni_path = optarg; break;
		case 'd': cfg.default_provider = optarg; break;
		case 'w': workers = atoi(optarg); break;
		case 'W': cfg.plan_wait_ms = atoi(optarg); break;
		case 'm': metrics = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!no_kube) {
		fprintf(stderr, "podnet-agent: this build has no Kubernetes client yet; run with --no-kube\n");
		return 2;
	}
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
	if (metrics && pn_agent_http_start(the_agent, metrics, err, sizeof(err)) < 0) {
		fprintf(stderr, "podnet-agent: %s\n", err);
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
	pn_agent_free(the_agent);
	the_agent = NULL;
	return r < 0 ? 1 : 0;
}
