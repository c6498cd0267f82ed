/* node/agent_server.c — the unix socket the shim talks to: one accepting
 * thread, a fixed pool of workers, a small bounded queue between them (when it
 * is full the acceptor stops accepting and the kernel backlog holds the rest,
 * so memory stays flat under a burst). Also the agent's log lines. */
#include "agent/agent_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "shim/proto.h"

#define QUEUE_CAP 64
#define IO_TIMEOUT_MS 10000

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

void pn_agent_log(int level, const char *fmt, ...)
{
	static const char *names[8] = {"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"};
	char line[2048], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&log_mu);
	fprintf(stderr, "%s.%03ldZ %s podnet-agent: %s\n", ts, now.tv_nsec / 1000000,
		names[level >= 0 && level < 8 ? level : 6], line);
	pthread_mutex_unlock(&log_mu);
}

struct server {
	struct pn_agent *agent;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	int q[QUEUE_CAP];
	int head, n;
	int done;
};

static void serve_conn(struct pn_agent *a, int fd)
{
	char *req = NULL, *resp = NULL;
	size_t len;
	int r;

	r = pn_proto_read(fd, &req, &len, PN_PROTO_MAX_FRAME, IO_TIMEOUT_MS);
	if (r < 0) {
		pn_agent_log(PODNET_LOG_WARNING, "bad request frame: %s", strerror(-r));
		goto out;
	}
	if (pn_agent_handle(a, req, len, &resp) < 0)
		goto out;
	r = pn_proto_write(fd, resp, strlen(resp), IO_TIMEOUT_MS);
	if (r < 0)
		pn_agent_log(PODNET_LOG_WARNING, "cannot send the response: %s", strerror(-r));
out:
	free(req);
	free(resp);
	close(fd);
}

static void *worker(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int fd;

		pthread_mutex_lock(&s->mu);
		while (s->n == 0 && !s->done)
			pthread_cond_wait(&s->not_empty, &s->mu);
		if (s->n == 0 && s->done) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		fd = s->q[s->head];
		s->head = (s->head + 1) % QUEUE_CAP;
		s->n--;
		pthread_cond_signal(&s->not_full);
		pthread_mutex_unlock(&s->mu);
		serve_conn(s->agent, fd);
	}
}

static int listen_on(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX}, tmp = {.sun_family = AF_UNIX};
	char dir[sizeof(sa.sun_path)];
	struct stat st;
	int fd, r;
	char *slash;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path %s too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			r = -errno;
			snprintf(err, errlen, "cannot create run directory %s: %s", dir, strerror(-r));
			return r;
		}
	}
	/* Replace a stale socket, never anything else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path);
	}
	/* Bind and listen under a temporary name, then rename: the path appears
	 * only once connections are accepted, so a shim never sees a socket that
	 * refuses it while the agent starts. */
	if (strlen(path) + 5 >= sizeof(tmp.sun_path)) {
		snprintf(err, errlen, "socket path %s too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.new", path);
	unlink(tmp.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* No umask games (process-wide): the run directory is 0700, and the
	 * socket is made 0600 before it gets its real name. */
	r = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	if (r < 0 || chmod(tmp.sun_path, 0600) < 0 || listen(fd, 128) < 0 || rename(tmp.sun_path, path) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(-r));
		unlink(tmp.sun_path);
		close(fd);
		return r;
	}
	return fd;
}

int pn_agent_serve(struct pn_agent *a, const char *path, int workers, char *err, size_t errlen)
{
	struct server s;
	pthread_t th[64];
	int n = 0, fd;

	if (workers < 1)
		workers = 1;
	if (workers > 64)
		workers = 64;
	fd = listen_on(path, err, errlen);
	if (fd < 0)
		return fd;
	a->listen_fd = fd;
	memset(&s, 0, sizeof(s));
	s.agent = a;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.not_empty, NULL);
	pthread_cond_init(&s.not_full, NULL);
	for (; n < workers; n++)
		if (pthread_create(&th[n], NULL, worker, &s) != 0)
			break;
	pn_agent_log(PODNET_LOG_INFO, "serving %s with %d workers", path, n);
	while (!a->stopping) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int c;

		if (poll(&p, 1, 500) <= 0)
			continue;
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		pthread_mutex_lock(&s.mu);
		while (s.n == QUEUE_CAP && !a->stopping)
			pthread_cond_wait(&s.not_full, &s.mu);
		s.q[(s.head + s.n) % QUEUE_CAP] = c;
		s.n++;
		pthread_cond_signal(&s.not_empty);
		pthread_mutex_unlock(&s.mu);
	}
	pthread_mutex_lock(&s.mu);
	s.done = 1;
	pthread_cond_broadcast(&s.not_empty);
	pthread_mutex_unlock(&s.mu);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	close(fd);
	a->listen_fd = -1;
	unlink(path);
	pthread_cond_destroy(&s.not_full);
	pthread_cond_destroy(&s.not_empty);
	pthread_mutex_destroy(&s.mu);
	return 0;
}

void pn_agent_stop(struct pn_agent *a)
{
	a->stopping = 1;
}
