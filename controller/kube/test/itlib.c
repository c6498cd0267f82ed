/* itlib.c: integration-test helpers (see itlib.h). */
#include "itlib.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kube/buf.h"
#include "kube/ops.h"

double it_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void flag_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	*(int *)w->data = 1;
}

int it_run_until(struct it *t, const int *flag, double timeout)
{
	int expired = 0;
	ev_timer g;
	ev_timer_init(&g, flag_cb, timeout, 0.);
	g.data = &expired;
	ev_timer_start(t->loop, &g);
	while (!*flag && !expired)
		ev_run(t->loop, EVRUN_ONCE);
	ev_timer_stop(t->loop, &g);
	return *flag ? 0 : -ETIMEDOUT;
}

void it_run_for(struct it *t, double seconds)
{
	int never = 0;
	it_run_until(t, &never, seconds);
}

int it_run_until_fn(struct it *t, int (*cond)(void *), void *ud, double timeout)
{
	double end = it_now() + timeout;
	while (!cond(ud)) {
		if (it_now() > end)
			return -ETIMEDOUT;
		it_run_for(t, 0.05);
	}
	return 0;
}

int it_setup(struct it *t, const char *name)
{
	char err[512];
	struct pn_kube_client_opts o = { .qps = -1 };
	int r;
	memset(t, 0, sizeof(*t));
	t->loop = ev_loop_new(EVFLAG_AUTO);
	r = pn_kube_config_load(NULL, NULL, &t->cfg, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "kubeconfig: %s\n", err);
		return r;
	}
	t->c = pn_kube_client_new(t->loop, t->cfg, &o);
	if (!t->c)
		return -ENOMEM;
	snprintf(t->ns, sizeof(t->ns), "pn-kube-%s-%d", name, (int)getpid());
	json_t *ns = json_pack("{s:s,s:s,s:{s:s}}", "apiVersion", "v1", "kind", "Namespace",
			       "metadata", "name", t->ns);
	struct pn_kube_sync s = PN_KUBE_SYNC_INIT;
	r = pn_kube_create(t->c, &pn_kube_res_namespaces, NULL, ns, pn_kube_sync_done, &s);
	r = pn_kube_sync_wait(t->c, &s, r);
	if (r < 0)
		fprintf(stderr, "create namespace %s: %d %s\n", t->ns, r, s.st.message);
	pn_kube_sync_clear(&s);
	json_decref(ns);
	return r;
}

void it_teardown(struct it *t)
{
	if (t->c && t->ns[0]) {
		struct pn_kube_sync s = PN_KUBE_SYNC_INIT;
		int r = pn_kube_delete(t->c, &pn_kube_res_namespaces, NULL, t->ns, NULL, NULL,
				       pn_kube_sync_done, &s);
		pn_kube_sync_wait(t->c, &s, r);
		pn_kube_sync_clear(&s);
	}
	pn_kube_client_free(t->c);
	pn_kube_config_free(t->cfg);
	if (t->loop)
		ev_loop_destroy(t->loop);
	memset(t, 0, sizeof(*t));
}

/* ---- kube-apiserver restart --------------------------------------------------- */

static const char *cluster_dir(void)
{
	const char *d = getenv("PODNET_CLUSTER_DIR");
	return d && *d ? d : "/var/tmp/podnet-cluster";
}

/* The original command line, saved the first time (NUL-separated). */
static int apiserver_cmdline(struct pn_buf *b)
{
	char saved[1024], pidf[1024], proc[64];
	snprintf(saved, sizeof(saved), "%s/kube-apiserver.cmdline.orig", cluster_dir());
	if (pn_buf_read_file(b, saved) == 0 && b->len)
		return 0;
	pn_buf_reset(b);
	struct pn_buf pb;
	pn_buf_init(&pb, 64);
	snprintf(pidf, sizeof(pidf), "%s/pids/kube-apiserver.pid", cluster_dir());
	int r = pn_buf_read_file(&pb, pidf);
	int pid = r == 0 ? atoi(pb.data) : 0;
	pn_buf_free(&pb);
	if (pid <= 0)
		return -ENOENT;
	snprintf(proc, sizeof(proc), "/proc/%d/cmdline", pid);
	r = pn_buf_read_file(b, proc);
	if (r < 0 || !b->len)
		return r < 0 ? r : -ENOENT;
	int fd = open(saved, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, b->data, b->len) != (ssize_t)b->len)
			r = -EIO;
		close(fd);
	}
	return 0;
}

static int apiserver_pid(void)
{
	char pidf[1024];
	struct pn_buf pb;
	pn_buf_init(&pb, 64);
	snprintf(pidf, sizeof(pidf), "%s/pids/kube-apiserver.pid", cluster_dir());
	int pid = pn_buf_read_file(&pb, pidf) == 0 ? atoi(pb.data) : 0;
	pn_buf_free(&pb);
	return pid;
}

static int wait_ready(double timeout)
{
	char err[512];
	struct pn_kube_config *cfg = NULL;
	struct it t;
	struct pn_kube_client_opts o = { .qps = -1, .max_retries = -1, .timeout_ms = 2000 };
	int r = pn_kube_config_load(NULL, NULL, &cfg, err, sizeof(err));
	if (r < 0)
		return r;
	memset(&t, 0, sizeof(t));
	t.loop = ev_loop_new(EVFLAG_AUTO);
	t.c = pn_kube_client_new(t.loop, cfg, &o);
	double end = it_now() + timeout;
	r = -ETIMEDOUT;
	while (it_now() < end) {
		struct pn_kube_status st;
		if (pn_kube_call(t.c, "GET", "/readyz", NULL, NULL, NULL, &st) == 0 || st.http == 200) {
			r = 0;
			break;
		}
		usleep(300000);
	}
	pn_kube_client_free(t.c);
	ev_loop_destroy(t.loop);
	pn_kube_config_free(cfg);
	return r;
}

int it_apiserver_restart(const char *const *extra)
{
	struct pn_buf cmd;
	char *argv[256];
	int argc = 0, r;
	pn_buf_init(&cmd, 1 << 20);
	r = apiserver_cmdline(&cmd);
	if (r < 0) {
		pn_buf_free(&cmd);
		return r;
	}
	for (size_t off = 0; off < cmd.len && argc < 200; off += strlen(cmd.data + off) + 1)
		argv[argc++] = cmd.data + off;
	for (int i = 0; extra && extra[i] && argc < 250; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;

	int old = apiserver_pid();
	if (old > 0 && kill(old, SIGTERM) == 0) {
		for (int i = 0; i < 200 && kill(old, 0) == 0; i++)
			usleep(50000);
		if (kill(old, 0) == 0) {
			kill(old, SIGKILL);
			usleep(200000);
		}
	}
	char logf[1024], pidf[1024];
	snprintf(logf, sizeof(logf), "%s/logs/kube-apiserver.log", cluster_dir());
	snprintf(pidf, sizeof(pidf), "%s/pids/kube-apiserver.pid", cluster_dir());
	int pfd[2];
	if (pipe(pfd) < 0) {
		pn_buf_free(&cmd);
		return -errno;
	}
	pid_t p = fork();
	if (p == 0) {
		/* double fork: the server must not be our child */
		setsid();
		pid_t q = fork();
		if (q != 0) {
			if (write(pfd[1], &q, sizeof(q)) < 0)
				_exit(1);
			_exit(0);
		}
		int fd = open(logf, O_WRONLY | O_APPEND | O_CREAT, 0644);
		int nul = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(nul, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	pid_t child = 0;
	close(pfd[1]);
	if (read(pfd[0], &child, sizeof(child)) != sizeof(child))
		child = 0;
	close(pfd[0]);
	waitpid(p, NULL, 0);
	pn_buf_free(&cmd);
	if (child <= 0)
		return -ECHILD;
	FILE *f = fopen(pidf, "w");
	if (f) {
		fprintf(f, "%d\n", (int)child);
		fclose(f);
	}
	return wait_ready(90);
}

/* ---- etcd compaction ------------------------------------------------------------ */

static size_t collect_cb(char *p, size_t s, size_t n, void *ud)
{
	return pn_buf_append(ud, p, s * n) == 0 ? s * n : 0;
}

static int etcd_post(const char *url, const char *body, json_t **out)
{
	struct pn_buf b;
	CURL *e = curl_easy_init();
	json_error_t jerr;
	int r = -EIO;
	pn_buf_init(&b, 1 << 20);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	if (curl_easy_perform(e) == CURLE_OK) {
		*out = json_loadb(b.data ? b.data : "", b.len, 0, &jerr);
		r = *out ? 0 : -EBADMSG;
	}
	curl_easy_cleanup(e);
	pn_buf_free(&b);
	return r;
}

long it_etcd_compact(void)
{
	struct pn_buf cmd;
	const char *etcd = NULL;
	char url[512];
	json_t *resp = NULL;
	long rev;
	pn_buf_init(&cmd, 1 << 20);
	if (apiserver_cmdline(&cmd) < 0)
		return -ENOENT;
	for (size_t off = 0; off < cmd.len; off += strlen(cmd.data + off) + 1) {
		const char *a = cmd.data + off;
		if (strcmp(a, "--etcd-servers") == 0 && off + strlen(a) + 1 < cmd.len)
			etcd = cmd.data + off + strlen(a) + 1;
		else if (strncmp(a, "--etcd-servers=", 15) == 0)
			etcd = a + 15;
	}
	if (!etcd) {
		pn_buf_free(&cmd);
		return -ENOENT;
	}
	snprintf(url, sizeof(url), "%.*s/v3/kv/range", (int)strcspn(etcd, ","), etcd);
	if (etcd_post(url, "{\"key\":\"AA==\"}", &resp) < 0) {
		pn_buf_free(&cmd);
		return -EIO;
	}
	const char *rs = json_string_value(json_object_get(json_object_get(resp, "header"), "revision"));
	rev = rs ? atol(rs) : 0;
	json_decref(resp);
	if (rev <= 0) {
		pn_buf_free(&cmd);
		return -EBADMSG;
	}
	char body[128];
	snprintf(body, sizeof(body), "{\"revision\":\"%ld\",\"physical\":true}", rev);
	snprintf(url, sizeof(url), "%.*s/v3/kv/compaction", (int)strcspn(etcd, ","), etcd);
	pn_buf_free(&cmd);
	if (etcd_post(url, body, &resp) < 0)
		return -EIO;
	int bad = json_object_get(resp, "error") != NULL;
	json_decref(resp);
	return bad ? -EIO : rev;
}

/* ---- TCP proxy --------------------------------------------------------------------- */

#define PROXY_MAX 64

struct it_proxy {
	int lfd, port;
	struct sockaddr_in target;
	int pipe[2];
	pthread_t th;
	pthread_mutex_t mu;
	int blocked;
	int cut;                 /* a request to cut the current connections */
	int a[PROXY_MAX], b[PROXY_MAX];
	int n;
};

static void proxy_close_all(struct it_proxy *p)
{
	for (int i = 0; i < p->n; i++) {
		close(p->a[i]);
		close(p->b[i]);
	}
	p->n = 0;
}

static void *proxy_run(void *arg)
{
	struct it_proxy *p = arg;
	char buf[65536];
	for (;;) {
		struct pollfd fds[2 + 2 * PROXY_MAX];
		int nf = 0;
		fds[nf++] = (struct pollfd){ p->pipe[0], POLLIN, 0 };
		fds[nf++] = (struct pollfd){ p->lfd, POLLIN, 0 };
		for (int i = 0; i < p->n; i++) {
			fds[nf++] = (struct pollfd){ p->a[i], POLLIN, 0 };
			fds[nf++] = (struct pollfd){ p->b[i], POLLIN, 0 };
		}
		if (poll(fds, (nfds_t)nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents) {
			char c;
			if (read(p->pipe[0], &c, 1) != 1 || c == 'q')
				break;
			pthread_mutex_lock(&p->mu);
			if (p->blocked)
				proxy_close_all(p);
			pthread_mutex_unlock(&p->mu);
			continue;
		}
		if (fds[1].revents & POLLIN) {
			int c = accept(p->lfd, NULL, NULL);
			if (c >= 0) {
				int blocked;
				pthread_mutex_lock(&p->mu);
				blocked = p->blocked;
				pthread_mutex_unlock(&p->mu);
				int s = blocked || p->n >= PROXY_MAX ? -1 : socket(AF_INET, SOCK_STREAM, 0);
				if (s >= 0 && connect(s, (struct sockaddr *)&p->target, sizeof(p->target)) == 0) {
					p->a[p->n] = c;
					p->b[p->n] = s;
					p->n++;
				} else {
					if (s >= 0)
						close(s);
					close(c);
				}
			}
			continue;
		}
		for (int i = 0; i < p->n; i++) {
			struct pollfd *fa = &fds[2 + 2 * i], *fb = &fds[3 + 2 * i];
			int dead = 0;
			if (fa->revents) {
				ssize_t r = read(p->a[i], buf, sizeof(buf));
				if (r <= 0 || send(p->b[i], buf, (size_t)r, MSG_NOSIGNAL) != r)
					dead = 1;
			}
			if (!dead && fb->revents) {
				ssize_t r = read(p->b[i], buf, sizeof(buf));
				if (r <= 0 || send(p->a[i], buf, (size_t)r, MSG_NOSIGNAL) != r)
					dead = 1;
			}
			if (dead) {
				close(p->a[i]);
				close(p->b[i]);
				p->a[i] = p->a[p->n - 1];
				p->b[i] = p->b[p->n - 1];
				p->n--;
				break; /* fds[] is stale now */
			}
		}
	}
	proxy_close_all(p);
	return NULL;
}

struct it_proxy *it_proxy_start(const char *host, int port)
{
	struct it_proxy *p = calloc(1, sizeof(*p));
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->target.sin_family = AF_INET;
	p->target.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &p->target.sin_addr);
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(p->lfd, 64) < 0 ||
	    getsockname(p->lfd, (struct sockaddr *)&a, &al) < 0 || pipe(p->pipe) < 0 ||
	    pthread_create(&p->th, NULL, proxy_run, p) != 0) {
		free(p);
		return NULL;
	}
	p->port = ntohs(a.sin_port);
	return p;
}

int it_proxy_port(const struct it_proxy *p)
{
	return p->port;
}

void it_proxy_block(struct it_proxy *p, int blocked)
{
	pthread_mutex_lock(&p->mu);
	p->blocked = blocked;
	pthread_mutex_unlock(&p->mu);
	if (write(p->pipe[1], "c", 1) != 1)
		return;
}

void it_proxy_stop(struct it_proxy *p)
{
	if (!p)
		return;
	if (write(p->pipe[1], "q", 1) == 1)
		pthread_join(p->th, NULL);
	close(p->lfd);
	close(p->pipe[0]);
	close(p->pipe[1]);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* ---- writer ------------------------------------------------------------------------ */

pid_t it_spawn_writer(const char *ns, int count, double qps, const char *logfile)
{
	return it_spawn_writer_prefix(ns, count, qps, logfile, "cm");
}

pid_t it_spawn_writer_prefix(const char *ns, int count, double qps, const char *logfile, const char *prefix)
{
	char n[32], q[32];
	snprintf(n, sizeof(n), "%d", count);
	snprintf(q, sizeof(q), "%g", qps);
	pid_t p = fork();
	if (p == 0) {
		char self[4096];
		ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (l <= 0)
			_exit(127);
		self[l] = '\0';
		execl(self, self, "writer", ns, n, q, logfile, prefix, (char *)NULL);
		_exit(127);
	}
	return p;
}

enum lane_state { L_CREATE, L_UPDATE, L_DELETE, L_NEXT };

struct writer;
struct lane {
	struct writer *w;
	int obj;           /* current object index */
	enum lane_state st;
	char rv[64];       /* rv after the last acknowledged write */
	int uncertain;     /* the last attempt's answer was lost */
	ev_timer retry;
	int busy;
};

#define LANES 16

struct writer {
	struct pn_kube_client *c;
	const char *ns;
	const char *prefix;
	int count;
	int next_obj;
	int active;
	FILE *log;
	struct lane lanes[LANES];
	int failed;
	double deadline;
};

static void lane_step(struct lane *l);

static void logw(struct writer *w, int obj, char op, const char *rv)
{
	fprintf(w->log, "%s-%d %c %s\n", w->prefix, obj, op, rv ? rv : "-");
	fflush(w->log);
}

static void lane_later(struct lane *l)
{
	struct ev_loop *loop = pn_kube_client_loop(l->w->c);
	if (it_now() > l->w->deadline) {
		fprintf(stderr, "writer: giving up on cm-%d\n", l->obj);
		l->w->failed++;
		l->st = L_NEXT;
	}
	ev_timer_set(&l->retry, 0.3, 0.);
	ev_timer_start(loop, &l->retry);
}

static void after_get(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	/* Resolves a write whose answer was lost: did it happen? */
	struct lane *l = ud;
	struct writer *w = l->w;
	(void)st;
	l->busy = 0;
	const char *v = json_string_value(json_object_get(json_object_get(body, "data"), "v"));
	const char *rv = json_string_value(json_object_get(json_object_get(body, "metadata"), "resourceVersion"));
	if (rc == -PN_KUBE_ENOTFOUND) {
		if (l->st == L_DELETE) {
			logw(w, l->obj, 'D', NULL);
			l->st = L_NEXT;
		} else if (l->st == L_UPDATE) {
			fprintf(stderr, "writer: cm-%d vanished\n", l->obj);
			w->failed++;
			l->st = L_NEXT;
		}
		l->uncertain = 0;
	} else if (rc == 0) {
		if (l->st == L_CREATE) {
			logw(w, l->obj, 'C', rv);
			snprintf(l->rv, sizeof(l->rv), "%s", rv);
			l->st = L_UPDATE;
		} else if (l->st == L_UPDATE && v && strcmp(v, "1") == 0) {
			logw(w, l->obj, 'U', rv);
			snprintf(l->rv, sizeof(l->rv), "%s", rv);
			l->st = (l->obj % 2 == 0) ? L_DELETE : L_NEXT;
		}
		l->uncertain = 0;
	} else {
		lane_later(l);
		return;
	}
	lane_step(l);
}

static void after_write(void *ud, int rc, const struct pn_kube_status *st, json_t *body)
{
	struct lane *l = ud;
	struct writer *w = l->w;
	l->busy = 0;
	const char *rv = json_string_value(json_object_get(json_object_get(body, "metadata"), "resourceVersion"));
	if (rc == 0) {
		char op = l->st == L_CREATE ? 'C' : l->st == L_UPDATE ? 'U' : 'D';
		logw(w, l->obj, op, op == 'D' ? NULL : rv);
		if (rv)
			snprintf(l->rv, sizeof(l->rv), "%s", rv);
		l->st = l->st == L_CREATE ? L_UPDATE : (l->st == L_UPDATE && l->obj % 2 == 0) ? L_DELETE : L_NEXT;
		l->uncertain = 0;
		lane_step(l);
		return;
	}
	if (rc == -PN_KUBE_EEXISTS || rc == -PN_KUBE_ECONFLICT ||
	    (rc == -PN_KUBE_ENOTFOUND && l->st == L_DELETE) || l->uncertain) {
		/* maybe our earlier attempt went through: read it back */
		char path[512];
		pn_kube_path(path, sizeof(path), &pn_kube_res_configmaps, w->ns, NULL, NULL);
		char name[96];
		snprintf(name, sizeof(name), "%s-%d", w->prefix, l->obj);
		l->busy = 1;
		if (pn_kube_get(w->c, &pn_kube_res_configmaps, w->ns, name, after_get, l) < 0) {
			l->busy = 0;
			lane_later(l);
		}
		return;
	}
	if (rc == -ECONNREFUSED || rc == -ETIMEDOUT || rc == -ECONNRESET || rc == -PN_KUBE_ESERVER ||
	    rc == -PN_KUBE_ETOOMANY || rc == -ECANCELED) {
		l->uncertain = 1; /* the write may or may not have happened */
		lane_later(l);
		return;
	}
	fprintf(stderr, "writer: cm-%d op %d failed: %d %s\n", l->obj, l->st, rc, st->message);
	w->failed++;
	l->st = L_NEXT;
	lane_step(l);
}

static void lane_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct lane *l = t->data;
	(void)loop;
	(void)revents;
	lane_step(l);
}

static void lane_step(struct lane *l)
{
	struct writer *w = l->w;
	char name[96];
	int r = 0;
	if (l->busy)
		return;
	if (l->st == L_NEXT) {
		if (w->next_obj >= w->count) {
			l->obj = -1;
			w->active--;
			if (w->active == 0)
				ev_break(pn_kube_client_loop(w->c), EVBREAK_ALL);
			return;
		}
		l->obj = w->next_obj++;
		l->st = L_CREATE;
		l->uncertain = 0;
	}
	snprintf(name, sizeof(name), "%s-%d", w->prefix, l->obj);
	l->busy = 1;
	if (l->uncertain && l->st != L_CREATE) {
		r = pn_kube_get(w->c, &pn_kube_res_configmaps, w->ns, name, after_get, l);
	} else if (l->st == L_CREATE) {
		json_t *o = json_pack("{s:s,s:s,s:{s:s,s:{s:s}},s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
				      "metadata", "name", name, "labels", "pn-it", "w", "data", "v", "0");
		r = pn_kube_create(w->c, &pn_kube_res_configmaps, w->ns, o, after_write, l);
		json_decref(o);
	} else if (l->st == L_UPDATE) {
		json_t *o = json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s}},s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
				      "metadata", "name", name, "resourceVersion", l->rv, "labels", "pn-it", "w",
				      "data", "v", "1");
		r = pn_kube_update(w->c, &pn_kube_res_configmaps, w->ns, o, NULL, after_write, l);
		json_decref(o);
	} else {
		r = pn_kube_delete(w->c, &pn_kube_res_configmaps, w->ns, name, NULL, NULL, after_write, l);
	}
	if (r < 0) {
		l->busy = 0;
		lane_later(l);
	}
}

int it_writer_main(int argc, char **argv)
{
	struct writer w;
	char err[512];
	struct pn_kube_config *cfg = NULL;
	if (argc < 6)
		return 2;
	memset(&w, 0, sizeof(w));
	w.ns = argv[2];
	w.count = atoi(argv[3]);
	w.prefix = argc > 6 ? argv[6] : "cm";
	struct pn_kube_client_opts o = { .qps = atof(argv[4]), .burst = 10 };
	w.log = fopen(argv[5], "w");
	if (!w.log || pn_kube_config_load(NULL, NULL, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "writer: %s\n", err);
		return 2;
	}
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	w.c = pn_kube_client_new(loop, cfg, &o);
	w.deadline = it_now() + 240;
	for (int i = 0; i < LANES; i++) {
		struct lane *l = &w.lanes[i];
		l->w = &w;
		l->st = L_NEXT;
		ev_timer_init(&l->retry, lane_retry_cb, 0., 0.);
		l->retry.data = l;
		w.active++;
	}
	for (int i = 0; i < LANES; i++)
		lane_step(&w.lanes[i]);
	if (w.active)
		ev_run(loop, 0);
	for (int i = 0; i < LANES; i++)
		ev_timer_stop(loop, &w.lanes[i].retry);
	pn_kube_client_free(w.c);
	ev_loop_destroy(loop);
	pn_kube_config_free(cfg);
	fclose(w.log);
	return w.failed ? 1 : 0;
}

/* ---- what the informer saw ----------------------------------------------------- */

static void seen_push(struct it_seen *s, json_t *obj, const char *what, int with_rv)
{
	char key[512], e[128];
	const char *rv = json_string_value(json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
	const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
	(void)key;
	if (!name)
		return;
	json_t *a = json_object_get(s->seq, name);
	if (!a) {
		a = json_array();
		json_object_set_new(s->seq, name, a);
	}
	if (with_rv)
		snprintf(e, sizeof(e), "%s %s", what, rv ? rv : "?");
	else
		snprintf(e, sizeof(e), "%s", what);
	json_array_append_new(a, json_string(e));
	s->events++;
}

static void seen_add(void *ud, json_t *obj)
{
	seen_push(ud, obj, "C", 1);
}

static void seen_update(void *ud, json_t *old, json_t *obj)
{
	(void)old;
	seen_push(ud, obj, "U", 1);
}

static void seen_delete(void *ud, json_t *obj)
{
	seen_push(ud, obj, "D", 0);
}

void it_seen_init(struct it_seen *s)
{
	s->seq = json_object();
	s->events = 0;
}

void it_seen_free(struct it_seen *s)
{
	json_decref(s->seq);
	s->seq = NULL;
}

void it_seen_handlers(struct it_seen *s, struct pn_informer_handlers *h)
{
	memset(h, 0, sizeof(*h));
	h->on_add = seen_add;
	h->on_update = seen_update;
	h->on_delete = seen_delete;
	h->ud = s;
}

/* "C 12" and "U 12" are the same version of an object; "D" is a deletion. */
static int same_version(const char *a, const char *b)
{
	if (a[0] == 'D' || b[0] == 'D')
		return a[0] == b[0];
	return strcmp(a + 1, b + 1) == 0;
}

int it_check_sequences(const char *logfile, struct it_seen *s, int exact, long *expected_events)
{
	FILE *f = fopen(logfile, "r");
	char name[128], op[8], rv[64];
	json_t *want = json_object();
	int bad = 0;
	long n = 0;
	if (!f || !want) {
		if (f)
			fclose(f);
		json_decref(want);
		return -errno;
	}
	while (fscanf(f, "%127s %7s %63s", name, op, rv) == 3) {
		char e[128];
		json_t *a = json_object_get(want, name);
		if (!a) {
			a = json_array();
			json_object_set_new(want, name, a);
		}
		if (op[0] == 'D')
			snprintf(e, sizeof(e), "D");
		else
			snprintf(e, sizeof(e), "%s %s", op, rv);
		json_array_append_new(a, json_string(e));
		n++;
	}
	fclose(f);
	if (expected_events)
		*expected_events = n;
	const char *k;
	json_t *wa;
	json_object_foreach(want, k, wa) {
		json_t *sa = json_object_get(s->seq, k);
		int ok;
		if (exact) {
			ok = sa && json_equal(wa, sa);
		} else {
			/* seen: an in-order subsequence, no repeats, same final state */
			size_t wi = 0, si;
			json_t *x;
			ok = 1;
			if (sa) {
				json_array_foreach(sa, si, x) {
					const char *sx = json_string_value(x);
					/* after a relist an object can first appear as an add at the
					 * version of a later update: compare versions, not verbs */
					while (wi < json_array_size(wa) &&
					       !same_version(json_string_value(json_array_get(wa, wi)), sx))
						wi++;
					if (wi == json_array_size(wa)) {
						ok = 0;
						break;
					}
					wi++;
				}
			}
			const char *wl = json_string_value(json_array_get(wa, json_array_size(wa) - 1));
			const char *sl = sa ? json_string_value(json_array_get(sa, json_array_size(sa) - 1)) : NULL;
			if (strcmp(wl, "D") == 0) {
				if (sl && strcmp(sl, "D") != 0)
					ok = 0;
			} else if (!sl || strcmp(wl + 2, sl + 2) != 0) {
				ok = 0;
			}
		}
		if (!ok) {
			char *ws = json_dumps(wa, JSON_COMPACT), *ss = sa ? json_dumps(sa, JSON_COMPACT) : NULL;
			if (bad < 10)
				fprintf(stderr, "%s: writes %s, seen %s\n", k, ws, ss ? ss : "nothing");
			free(ws);
			free(ss);
			bad++;
		}
	}
	/* nothing seen that was never written */
	json_t *sa;
	json_object_foreach(s->seq, k, sa) {
		if (!json_object_get(want, k)) {
			fprintf(stderr, "%s: seen but never written\n", k);
			bad++;
		}
	}
	json_decref(want);
	return bad;
}

int it_check_cache_equals_list(struct it *t, struct pn_informer *inf)
{
	char path[512];
	json_t *body = NULL;
	struct pn_kube_status st;
	int bad = 0;
	pn_kube_path(path, sizeof(path), &pn_kube_res_configmaps, t->ns, NULL, NULL);
	pn_kube_query_add(path, sizeof(path), "labelSelector", IT_WRITER_SELECTOR);
	int r = pn_kube_call(t->c, "GET", path, NULL, NULL, &body, &st);
	if (r < 0)
		return r;
	json_t *items = json_object_get(body, "items"), *it;
	size_t i;
	json_t *store = pn_informer_store(inf);
	json_array_foreach(items, i, it) {
		char key[512];
		pn_informer_key(it, key, sizeof(key));
		json_t *c = json_object_get(store, key);
		const char *a = json_string_value(json_object_get(json_object_get(it, "metadata"), "resourceVersion"));
		const char *b = c ? json_string_value(json_object_get(json_object_get(c, "metadata"), "resourceVersion")) : NULL;
		if (!b || strcmp(a, b) != 0) {
			fprintf(stderr, "cache differs for %s: list rv %s, cache rv %s\n", key, a, b ? b : "(absent)");
			bad++;
		}
	}
	if (json_array_size(items) != json_object_size(store)) {
		fprintf(stderr, "cache holds %zu objects, LIST %zu\n", json_object_size(store), json_array_size(items));
		bad++;
	}
	json_decref(body);
	return bad;
}
